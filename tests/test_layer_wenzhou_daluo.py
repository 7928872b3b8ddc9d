"""The curated Wenzhou Daluo corridor layer, checked against the documents and the data.

Expectations come from the plan itself (温政办〔2020〕5号: six areas, two key blocks each,
the "1030" targets) and from independent reference data (OSM stations and runways,
district boundaries, Wikipedia's airport position), not from the layer's own output.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
import shapely
from shapely.geometry import LineString, Point, shape

from corridor_map.atlas.validation import validate
from corridor_map.cli.main import main
from corridor_map.core.paths import curated_dir
from corridor_map.curation.sourcetree import render_tree
from corridor_map.curation.store import open_store
from corridor_map.documents.corpus import resolve
from corridor_map.geo.geodesy import distance_km, geodesic_area_km2
from tests._layer_checks import ancestry

REPO = Path(__file__).resolve().parents[1]
LAYER = REPO / "layers" / "wenzhou_daluo.geojson"
CORRIDOR_ID = "wenzhou-daluo-corridor"

# The plan's 重点区块 sentence: each area "围绕" two blocks.
KEY_BLOCKS_BY_AREA = {
    "longwan-area": {"zhenan-science-city-core", "china-eye-valley"},
    "ouhai-area": {"nanhu-innovation-town", "ouhai-life-health-town"},
    "yueqing-area": {"yueqing-hitech-core", "yueqing-smart-equipment-park"},
    "ruian-area": {"tangxia-dongxin-block", "tangxia-north-industrial-core"},
    "zhenan-industrial-cluster": {
        "jinhai-lake-innovation-core",
        "zhenan-smart-manufacturing-park",
    },
    "oujiangkou-industrial-cluster": {"oujiangkou-robot-park", "wenzhou-safety-industry-park"},
}
OTHER_IDS = {
    CORRIDOR_ID: "extent",
    "daluo-innovation-ring": "belt",
    "daluo-industry-ring": "belt",
    "ucas-wenzhou-institute": "platform",
    "zju-wenzhou-institute": "platform",
    "hust-wenzhou-institute": "platform",
    "china-gene-pharma-valley": "platform",
    "wenzhou-medical-university": "platform",
    "wenzhou-university": "platform",
    "oujiang-laboratory": "platform",
    "wenzhou-new-optics-valley": "platform",
    "daluo-fund-village": "platform",
    "chashan-higher-education-park": "zone",
    "daluo-mountain": "landmark",
    "sanyang-wetland-park": "landmark",
    "wenzhou-south-station": "gateway",
    "wenzhou-longwan-airport": "gateway",
}
# A word each feature's excerpts must contain: the excerpt has to name the place.
NAMED_IN_QUOTE = {
    CORRIDOR_ID: "片区",
    "daluo-innovation-ring": "科创带",
    "daluo-industry-ring": "产业带",
    "longwan-area": "龙湾区",
    "ouhai-area": "瓯海区",
    "yueqing-area": "乐清市",
    "ruian-area": "瑞安市",
    "zhenan-industrial-cluster": "浙南产业集聚区",
    "oujiangkou-industrial-cluster": "瓯江口产业集聚区",
    "zhenan-science-city-core": "温州浙南科技城核心区",
    "china-eye-valley": "中国眼谷",
    "nanhu-innovation-town": "温州南湖科创小镇",
    "ouhai-life-health-town": "瓯海生命健康小镇",
    "yueqing-hitech-core": "乐清湾电力科技小镇",
    "yueqing-smart-equipment-park": "高端智能装备产业园",
    "tangxia-dongxin-block": "塘下东工业城东新区块",
    "tangxia-north-industrial-core": "塘下北工业园区核心区",
    "jinhai-lake-innovation-core": "金海湖科创核心区",
    "zhenan-smart-manufacturing-park": "智能制造及数字经济产业园",
    "oujiangkou-robot-park": "瓯江口机器人产业园",
    "wenzhou-safety-industry-park": "安全(应急)产业园",
    "ucas-wenzhou-institute": "中国科学院大学温州研究院",
    "zju-wenzhou-institute": "浙江大学温州研究院",
    "hust-wenzhou-institute": "华中科技大学温州先进制造技术研究院",
    "china-gene-pharma-valley": "基因药谷",
    "wenzhou-medical-university": "温州医科大学",
    "wenzhou-university": "温州大学",
    "oujiang-laboratory": "瓯江实验室",
    "wenzhou-new-optics-valley": "新光谷",
    "daluo-fund-village": "基金村",
    "chashan-higher-education-park": "高教园区",
    "daluo-mountain": "大罗山",
    "sanyang-wetland-park": "三垟湿地城市公园",
    "wenzhou-south-station": "动车站",
    "wenzhou-longwan-airport": "龙湾机场",
}
# Wikipedia "Wenzhou Longwan International Airport": 27°54′43″N 120°51′07″E.
AIRPORT_WIKIPEDIA = (120.85194, 27.91194)


@pytest.fixture(scope="module")
def layer() -> dict:
    return json.loads(LAYER.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def features(layer: dict) -> dict[str, dict]:
    return {f["properties"]["id"]: f for f in layer["features"]}


@pytest.fixture(scope="module")
def districts() -> dict[str, object]:
    collection = json.loads((REPO / "layers" / "ref_districts.geojson").read_text("utf-8"))
    return {
        f["properties"]["code"]: shape(f["geometry"])
        for f in collection["features"]
        if f["properties"].get("role") == "district"
    }


def _geometry(feature: dict):
    return shape(feature["geometry"]) if feature["geometry"] else None


def _build_refused(data_copy: Path, capsys) -> str:
    """``data build`` of the edited tree: refused in a line per problem, nothing written."""
    target = data_copy / "layers" / LAYER.name
    before = target.read_bytes()
    assert main(["data", "build", "--reason", "an edit the checks refuse"]) == 2
    assert target.read_bytes() == before
    assert open_store(data_copy).history() == []
    return capsys.readouterr().err


def test_every_listed_place_is_a_feature_with_its_role(features):
    expected = dict(OTHER_IDS)
    expected.update(dict.fromkeys(KEY_BLOCKS_BY_AREA, "area"))
    for blocks in KEY_BLOCKS_BY_AREA.values():
        expected.update(dict.fromkeys(blocks, "key_block"))
    missing = sorted(set(expected) - set(features))
    assert not missing, f"missing features: {missing}"
    wrong = {fid: features[fid]["properties"]["role"] for fid in expected}
    wrong = {fid: role for fid, role in wrong.items() if role != expected[fid]}
    assert not wrong, f"unexpected roles: {wrong}"
    assert all(f["properties"]["corridor"] == "wenzhou-daluo" for f in features.values())


def test_hierarchy_reaches_the_corridor_and_each_area_has_its_two_blocks(features):
    for fid in features:
        seen = ancestry(features, fid)
        assert seen[-1] == CORRIDOR_ID, f"{fid}: chain {seen} does not reach the corridor"
    for area, blocks in KEY_BLOCKS_BY_AREA.items():
        assert features[area]["properties"]["parent"] == CORRIDOR_ID
        children = {
            fid
            for fid, f in features.items()
            if f["properties"]["parent"] == area and f["properties"]["role"] == "key_block"
        }
        assert children == blocks, f"{area}: key blocks {children}"


def test_every_excerpt_resolves_and_names_the_place(features):
    for fid, feature in features.items():
        props = feature["properties"]
        quotes = list(props["sources"])
        quotes += [props["status"]["source"]] if props["status"] else []
        quotes += [figure["source"] for figure in props["stated"]]
        assert props["sources"], f"{fid}: no excerpt"
        for source in quotes:
            excerpt = resolve(source["doc"], source["quote"], source.get("paragraph"))
            assert excerpt.quote == source["quote"]
        named = NAMED_IN_QUOTE[fid]
        assert any(named in s["quote"] for s in props["sources"]), f"{fid}: no quote names {named}"


def test_1030_targets_and_incubation_area_are_stated_as_the_plan_gives_them(features):
    stated = features[CORRIDOR_ID]["properties"]["stated"]
    by_text = {figure["text"]: figure for figure in stated}
    # 10分钟入环、30分钟通环、半小时通达…两大门户; 创业孵化面积达到110万平方米.
    assert (by_text["10分钟入环"]["value"], by_text["10分钟入环"]["unit"]) == (10, "min")
    assert (by_text["30分钟通环"]["value"], by_text["30分钟通环"]["unit"]) == (30, "min")
    assert (by_text["半小时"]["value"], by_text["半小时"]["unit"]) == (30, "min")
    assert (by_text["110万平方米"]["value"], by_text["110万平方米"]["unit"]) == (110, "万m²")
    for figure in stated:
        assert figure["text"] in figure["source"]["quote"]
    # The documents give no area for any zone, so no polygon may claim one.
    for fid, feature in features.items():
        areas = [s for s in feature["properties"]["stated"] if s["quantity"] == "area"]
        assert not areas, f"{fid}: the documents state no area, found {areas}"


def test_recorded_measures_match_the_geodesic_geometry(features):
    polygons = 0
    for fid, feature in features.items():
        geometry = _geometry(feature)
        if geometry is None or geometry.geom_type not in {"Polygon", "MultiPolygon"}:
            continue
        polygons += 1
        recorded = feature["properties"]["measured"]["area_km2"]
        assert math.isclose(recorded, geodesic_area_km2(geometry), rel_tol=0.01), fid
    assert polygons >= 10


def test_located_features_lie_in_their_districts(features, districts):
    grown = {code: geometry.buffer(0.0018) for code, geometry in districts.items()}
    for fid, feature in features.items():
        geometry = _geometry(feature)
        codes = [d["code"] for d in feature["properties"]["district"]]
        assert codes, f"{fid}: no district"
        if geometry is None:
            continue
        land = shapely.union_all([grown[c] for c in codes])
        if geometry.geom_type == "Point":
            assert land.covers(geometry), f"{fid} is outside {codes}"
        elif isinstance(geometry, LineString):
            assert geometry.difference(land).length / geometry.length < 0.05, fid
        else:
            assert geometry.difference(land).area / geometry.area < 0.05, fid
        for code in codes:
            assert geometry.intersects(grown[code]), f"{fid}: does not touch {code}"


def test_validator_finds_no_problem_in_the_layer():
    problems = [p for p in validate() if p.file == LAYER.name]
    assert not problems, "\n".join(str(p) for p in problems)


def test_gateways_sit_on_the_osm_station_and_runway(features):
    stations = json.loads((REPO / "layers" / "ref_rail_stations.geojson").read_text("utf-8"))
    station = shape(features["wenzhou-south-station"]["geometry"])
    nearest = min(
        distance_km(station.x, station.y, *f["geometry"]["coordinates"][:2])
        for f in stations["features"]
    )
    assert nearest < 0.001
    aeroways = json.loads((REPO / "layers" / "ref_aeroways.geojson").read_text("utf-8"))
    airport = shape(features["wenzhou-longwan-airport"]["geometry"])
    runway_mids = [
        LineString(f["geometry"]["coordinates"]).interpolate(0.5, normalized=True)
        for f in aeroways["features"]
        if f["properties"].get("role") == "runway"
    ]
    assert min(distance_km(airport.x, airport.y, p.x, p.y) for p in runway_mids) < 0.1
    assert distance_km(airport.x, airport.y, *AIRPORT_WIKIPEDIA) < 1.0


def test_mountain_rings_and_campuses_are_placed_consistently(features, districts):
    mountain = shape(features["daluo-mountain"]["geometry"])
    # The 瓯海/龙湾/瑞安 boundaries meet on 大罗山.
    ouhai, longwan, ruian = (districts[c].buffer(0.001) for c in ("330304", "330303", "330381"))
    assert mountain.contains(ouhai.intersection(longwan).intersection(ruian).centroid)
    ring = shape(features["daluo-innovation-ring"]["geometry"])
    assert ring.intersection(mountain).area < 0.01 * mountain.area  # a belt around it
    assert ring.convex_hull.contains(mountain.buffer(-0.005))
    # The campuses are at the mountain's western foot, outside it, inside the ring.
    for fid in ("wenzhou-university", "wenzhou-medical-university"):
        campus = shape(features[fid]["geometry"])
        assert not mountain.contains(campus), fid
        assert campus.x < mountain.centroid.x, fid
        assert ring.buffer(0.002).contains(campus), fid
    # The airport is on the plain east of the mountain.
    assert not mountain.contains(shape(features["wenzhou-longwan-airport"]["geometry"]))


def test_unlocated_features_say_so_and_located_key_blocks_have_geometry(features):
    for fid, feature in features.items():
        props = feature["properties"]
        if feature["geometry"] is None:
            assert props["geometry_basis"] == "unlocated", fid
            assert props["precision_m"] is None, fid
            assert props["geometry_source"].startswith("Unlocated:"), fid
        else:
            assert props["geometry_basis"] != "unlocated", fid
            assert props["precision_m"] > 0, fid
    for fid in ("wenzhou-south-station", "wenzhou-longwan-airport", "daluo-innovation-ring"):
        assert features[fid]["geometry"] is not None, fid
    for area in KEY_BLOCKS_BY_AREA:
        assert features[area]["geometry"]["type"] in {"Polygon", "MultiPolygon"}, area


def test_layer_is_exactly_what_the_curated_tree_builds():
    assert render_tree(curated_dir())[LAYER.name] == LAYER.read_text(encoding="utf-8")


@pytest.mark.slow
def test_building_refuses_a_bad_excerpt_and_leaves_the_file_alone(data_copy, capsys):
    path = data_copy / "curated" / "wenzhou_daluo" / "features" / f"{CORRIDOR_ID}.yaml"
    text = path.read_text("utf-8")
    assert "共建两带、六园联创" in text
    path.write_text(text.replace("共建两带、六园联创", "共建三带、七园联创"), "utf-8")
    err = _build_refused(data_copy, capsys)
    assert f"{CORRIDOR_ID}: sources[1]" in err, err


@pytest.mark.slow
def test_building_refuses_a_point_outside_its_district(data_copy, capsys):
    path = data_copy / "curated" / "wenzhou_daluo" / "geometries.geojson"
    data = json.loads(path.read_text("utf-8"))
    station = next(f for f in data["features"] if f["properties"]["id"] == "wenzhou-south-station")
    # 温州南站 moved onto 乐清's plain, still claiming 瓯海.
    station["geometry"] = {"type": "Point", "coordinates": [120.985, 28.085]}
    path.write_text(json.dumps(data), "utf-8")
    err = _build_refused(data_copy, capsys)
    assert "wenzhou-south-station" in err and "district" in err, err


def test_point_geometries_are_plain_points(features):
    kinds = {f["geometry"]["type"] for f in features.values() if f["geometry"]}
    assert kinds <= {"Point", "LineString", "Polygon", "MultiPolygon"}
    assert isinstance(shape(features["sanyang-wetland-park"]["geometry"]), Point)


# The S2 standard station names (温州市政府 announcement, 温州晚报 2023): south of 机场站 come
# 永兴, 沙城, 天河, 海城 (all 龙湾区), then 鲍田 and 大典下 (瑞安市塘下镇), then 汀田 (汀田街道).
S2_DISTRICTS_SOUTH_OF_AIRPORT = ["330303"] * 4 + ["330381"] * 2
TANGXIA_BLOCKS = ("tangxia-dongxin-block", "tangxia-north-industrial-core")


def test_tangxia_blocks_sit_on_the_s2_station_of_tangxia(features, districts):
    stations = json.loads((REPO / "layers" / "ref_rail_stations.geojson").read_text("utf-8"))
    # OSM stations on the coastal plain between the airport and 瑞安's 汀田: the S2 chain.
    chain = [
        Point(f["geometry"]["coordinates"][:2])
        for f in stations["features"]
        if f["geometry"]["coordinates"][0] > 120.70
        and 27.78 < f["geometry"]["coordinates"][1] < 27.90
    ]
    chain.sort(key=lambda p: distance_km(p.x, p.y, *AIRPORT_WIKIPEDIA))
    codes = [
        next(code for code, land in districts.items() if land.covers(p))
        for p in chain[: len(S2_DISTRICTS_SOUTH_OF_AIRPORT)]
    ]
    assert codes == S2_DISTRICTS_SOUTH_OF_AIRPORT
    baotian, dadianxia, tingtian = chain[4], chain[5], chain[6]
    for fid in TANGXIA_BLOCKS:
        block = shape(features[fid]["geometry"])
        assert distance_km(block.x, block.y, baotian.x, baotian.y) < 0.001, fid
        # A town-level point: its precision must not claim more than the town.
        assert features[fid]["properties"]["precision_m"] >= 3000, fid
    ruian = shape(features["ruian-area"]["geometry"])
    assert ruian.covers(baotian) and ruian.covers(dadianxia)
    assert not ruian.covers(tingtian)
