"""User-interface strings in Chinese (the default) and English.

Every label the app shows goes through :func:`t`, so the language toggle reaches all of
them; a key missing from either language is a bug and raises ``KeyError`` in the tests.
"""

from __future__ import annotations

LANGUAGES = ("zh", "en")
DEFAULT_LANGUAGE = "zh"

_STRINGS: dict[str, dict[str, str]] = {
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
    "view": {"zh": "视图", "en": "View"},
    "view_map": {"zh": "地图与原文", "en": "Map & texts"},
    "view_measure": {"zh": "量算", "en": "Measure"},
    "view_travel": {"zh": "出行目标", "en": "Travel targets"},
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
    "verdict_met": {"zh": "达到", "en": "met"},
    "verdict_not_met": {"zh": "未达到", "en": "not met"},
    "verdict_not_evaluable": {"zh": "无法评估", "en": "not evaluable"},
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
}

ROLE_NAMES: dict[str, dict[str, str]] = {
    "extent": {"zh": "范围", "en": "extent"},
    "core": {"zh": "核心", "en": "core"},
    "zone": {"zh": "片区", "en": "zone"},
    "belt": {"zh": "带", "en": "belt"},
    "area": {"zh": "区域", "en": "area"},
    "key_block": {"zh": "重点地块", "en": "key block"},
    "platform": {"zh": "平台", "en": "platform"},
    "landmark": {"zh": "地标", "en": "landmark"},
    "road": {"zh": "道路", "en": "road"},
    "gateway": {"zh": "门户枢纽", "en": "gateway"},
    "enclave": {"zh": "飞地", "en": "enclave"},
    "district": {"zh": "区县", "en": "district"},
    "station": {"zh": "车站", "en": "station"},
    "seat": {"zh": "市县驻地", "en": "city/county seat"},
    "town": {"zh": "镇驻地", "en": "town seat"},
    "street": {"zh": "街道驻地", "en": "street-office seat"},
}

CORRIDOR_NAMES: dict[str, dict[str, str]] = {
    "taizhou-bay": {"zh": "台州湾科创走廊", "en": "Taizhou Bay corridor"},
    "wenzhou-daluo": {"zh": "环大罗山科创走廊", "en": "Daluoshan corridor (Wenzhou)"},
    "wenling-lakes": {"zh": "温岭环湖科创带", "en": "Wenling lakes belts"},
    "reference": {"zh": "参考图层", "en": "Reference"},
}

GEOMETRY_BASIS_NAMES: dict[str, dict[str, str]] = {
    "admin_boundary": {"zh": "行政区界", "en": "administrative boundary"},
    "osm": {"zh": "OpenStreetMap 数据", "en": "OpenStreetMap data"},
    "public_coordinates": {"zh": "公开坐标", "en": "public coordinates"},
    "schematic": {"zh": "示意（非官方边界）", "en": "schematic (not an official boundary)"},
    "unlocated": {"zh": "未定位", "en": "not located"},
}

STATUS_NAMES: dict[str, dict[str, str]] = {
    "planned": {"zh": "规划", "en": "planned"},
    "under_construction": {"zh": "在建", "en": "under construction"},
    "in_use": {"zh": "已建成使用", "en": "in use"},
}

QUANTITY_NAMES: dict[str, dict[str, str]] = {
    "area": {"zh": "面积", "en": "area"},
    "floor_area": {"zh": "建筑面积", "en": "floor area"},
    "length": {"zh": "长度", "en": "length"},
    "travel_time": {"zh": "通行时间", "en": "travel time"},
}


def normalize_language(lang: str | None) -> str:
    """Return ``lang`` when supported, else the default (Chinese)."""
    return lang if lang in LANGUAGES else DEFAULT_LANGUAGE


def t(key: str, lang: str) -> str:
    """Return the UI string ``key`` in ``lang`` (``"zh"`` or ``"en"``).

    Raises
    ------
    KeyError
        When ``key`` is not a known UI string: a typo must fail loudly in the tests.
    """
    return _STRINGS[key][normalize_language(lang)]


def _lookup(table: dict[str, dict[str, str]], key: str | None, lang: str) -> str:
    if key is None:
        return t("unknown", lang)
    entry = table.get(key)
    return entry[normalize_language(lang)] if entry else key


def role_name(role: str | None, lang: str) -> str:
    """Return the display name of a feature role."""
    return _lookup(ROLE_NAMES, role, lang)


def corridor_name(corridor: str | None, lang: str) -> str:
    """Return the display name of a corridor id."""
    return _lookup(CORRIDOR_NAMES, corridor, lang)


def basis_name(basis: str | None, lang: str) -> str:
    """Return the display name of a ``geometry_basis`` value."""
    return _lookup(GEOMETRY_BASIS_NAMES, basis, lang)


def status_name(status: str | None, lang: str) -> str:
    """Return the display name of a status value."""
    return _lookup(STATUS_NAMES, status, lang)


def quantity_name(quantity: str | None, lang: str) -> str:
    """Return the display name of a stated quantity."""
    return _lookup(QUANTITY_NAMES, quantity, lang)


def all_keys() -> list[str]:
    """Return every UI string key (for completeness tests)."""
    return sorted(_STRINGS)
