"""The curated Taizhou Bay corridor layer, checked over the real file and the real briefing."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import shapely
import shapely.affinity
from shapely.geometry import Point, mapping, shape

from corridor_map.atlas.validation import validate
from corridor_map.cli.main import main
from corridor_map.core.paths import curated_dir, layers_dir
from corridor_map.curation.sourcetree import render_tree
from corridor_map.curation.store import open_store
from corridor_map.documents.corpus import load_corpus, resolve
from corridor_map.geo.geodesy import geodesic_area_km2
from tests._layer_checks import ancestry

REPO = Path(__file__).resolve().parent.parent
LAYER = layers_dir() / "taizhou_bay.geojson"
DOC = "taizhou-bay-briefing"
EXTENT = "taizhou-bay-corridor"
CORE = "taizhou-central-core"
CORRIDOR_CODES = {"331002", "331003", "331004"}  # 椒江, 黄岩, 路桥
# 200 m, the atlas's schematic slack, in degrees (a little generous at 28.6°N).
BUFFER_DEG = 0.002

# The three zones, each with the zone paragraph's opening name in the briefing.
ZONES = {
    "jiaojiang-innovation-valley": "椒江科创谷:",
    "huangyan-yongning-river-belt": "黄岩永宁江科创带:",
    "luqiao-feilong-lake-ecosphere": "路桥环飞龙湖科创生态圈:",
}

# id -> (expected parent, the name the briefing uses, which one of its quotes must contain)
EXPECTED = {
    EXTENT: (None, "台州湾科创走廊"),
    CORE: (EXTENT, "中央创新核"),
    "jiaojiang-innovation-valley": (EXTENT, "椒江科创谷"),
    "huangyan-yongning-river-belt": (EXTENT, "永宁江科创带"),
    "luqiao-feilong-lake-ecosphere": (EXTENT, "环飞龙湖科创生态圈"),
    "east-innovation-harbour": ("jiaojiang-innovation-valley", "东部创新港"),
    "zheli-optics-valley": ("jiaojiang-innovation-valley", "浙里光谷"),
    "jiaojiang-digital-economy-park": ("jiaojiang-innovation-valley", "数字经济产业园"),
    "sanjiang-future-city": ("huangyan-yongning-river-belt", "三江未来城"),
    "yongning-smart-chip": ("huangyan-yongning-river-belt", "永宁智芯"),
    "huangyan-mould-cluster": ("huangyan-yongning-river-belt", "模具产业集聚区"),
    "international-scientists-startup-base": (
        "luqiao-feilong-lake-ecosphere",
        "国际科学家创业基地",
    ),
    "feilong-lake-innovation-community": ("luqiao-feilong-lake-ecosphere", "飞龙湖双创服务社区"),
    "luqiao-innovation-incubator": ("luqiao-feilong-lake-ecosphere", "路桥科技创新孵化中心"),
    "luqiao-high-tech-zone": ("luqiao-feilong-lake-ecosphere", "路桥高新区"),
    "zju-taizhou-institute": (EXTENT, "浙大台州研究院"),
    "tsinghua-yrd-taizhou-center": (EXTENT, "清华长三角研究院台州创新中心"),
    "sustech-taizhou-institute": (EXTENT, "南科大台州研究院"),
    "feilong-lake": ("luqiao-feilong-lake-ecosphere", "飞龙湖"),
    "yongning-river": ("huangyan-yongning-river-belt", "永宁江"),
    "yrd-taizhou-marine-industry-institute": (EXTENT, "海洋产业技术研究院"),
    "fudan-zhangjiang-pilot-base": (EXTENT, "复旦张江研究院新能源新材料中试基地"),
}


@pytest.fixture(scope="module")
def collection() -> dict:
    return json.loads(LAYER.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def features(collection) -> dict[str, dict]:
    found = {}
    for feature in collection["features"]:
        fid = feature["properties"]["id"]
        assert fid not in found, f"duplicate id {fid}"
        found[fid] = feature
    return found


@pytest.fixture(scope="module")
def document():
    return load_corpus().document(DOC)


@pytest.fixture(scope="module")
def districts() -> dict[str, object]:
    data = json.loads((layers_dir() / "ref_districts.geojson").read_text(encoding="utf-8"))
    return {f["properties"]["code"]: shape(f["geometry"]) for f in data["features"]}


def _geometry(feature: dict):
    return None if feature["geometry"] is None else shape(feature["geometry"])


def _quotes(props: dict) -> list[dict]:
    quotes = list(props["sources"])
    quotes += [figure["source"] for figure in props.get("stated") or []]
    if props.get("status"):
        quotes.append(props["status"]["source"])
    return quotes


def _zone_paragraph(document, opening: str):
    matches = [p for p in document.paragraphs if p.text.startswith(opening)]
    assert len(matches) == 1, f"briefing has {len(matches)} paragraphs opening {opening!r}"
    return matches[0]


def test_every_expected_feature_is_present_with_its_parent(features):
    missing = sorted(set(EXPECTED) - set(features))
    assert not missing, f"missing features: {missing}"
    for fid, (parent, _) in EXPECTED.items():
        props = features[fid]["properties"]
        assert props["parent"] == parent, f"{fid}: parent {props['parent']!r}, want {parent!r}"
        assert props["corridor"] == "taizhou-bay"


def test_each_zone_holds_exactly_the_projects_its_paragraph_names(features, document):
    # The briefing's zone paragraphs list their key projects as “重点建设A、B、C,”; each
    # listed name must be a child of that zone, and each child must be named there.
    for zone, opening in ZONES.items():
        paragraph = _zone_paragraph(document, opening)
        listed = re.search(r"重点建设([^,，]+)", paragraph.text)
        assert listed, f"no 重点建设 list in {paragraph.id}"
        names = set(listed.group(1).split("、"))
        children = {
            f["properties"]["name_zh"]: fid
            for fid, f in features.items()
            if f["properties"]["parent"] == zone and f["properties"]["role"] == "platform"
        }
        assert names <= set(children), f"{zone}: {names - set(children)} not mapped as children"
        for name in children:
            assert name in paragraph.text, f"{zone}: child {name} is not named in {paragraph.id}"


def test_hierarchy_is_complete_and_reaches_the_extent(features):
    for fid in features:
        seen = ancestry(features, fid)
        assert seen[-1] == EXTENT, f"{fid} does not reach {EXTENT}: {seen}"
    roles = {fid: f["properties"]["role"] for fid, f in features.items()}
    assert roles[EXTENT] == "extent" and roles[CORE] == "core"
    assert sorted(fid for fid, role in roles.items() if role == "zone") == sorted(ZONES)


def test_every_excerpt_resolves_and_names_its_feature(features):
    for fid, feature in features.items():
        props = feature["properties"]
        assert props["sources"], f"{fid}: no excerpt"
        for source in _quotes(props):
            assert source["doc"] == DOC
            excerpt = resolve(source["doc"], source["quote"], source.get("paragraph"))
            assert excerpt.quote == source["quote"]
        name = EXPECTED[fid][1] if fid in EXPECTED else props["name_zh"]
        assert any(name in s["quote"] for s in props["sources"]), f"{fid}: no quote names {name}"


def test_stated_figures_are_exactly_the_briefings_areas(features, document):
    # The briefing states two areas (115 and 41 平方公里); the layer must carry those and
    # no figure the briefing does not give.
    in_text = sorted(float(v) for v in re.findall(r"(\d+(?:\.\d+)?)平方公里", document.text))
    stated = []
    for fid, feature in features.items():
        for figure in feature["properties"].get("stated") or []:
            assert figure["text"] in figure["source"]["quote"], fid
            number = float(re.match(r"\d+(?:\.\d+)?", figure["text"]).group())
            assert figure["value"] == number, f"{fid}: value {figure['value']} vs {figure['text']}"
            stated.append((fid, figure["value"]))
    assert sorted(v for _, v in stated) == in_text
    assert dict(stated) == {EXTENT: 115, CORE: 41}


def test_stated_areas_match_the_geodesic_measure(features):
    for fid in (EXTENT, CORE):
        props = features[fid]["properties"]
        geometry = _geometry(features[fid])
        measured = geodesic_area_km2(shapely.union_all(geometry))
        stated = props["stated"][0]["value"]
        assert abs(measured / stated - 1) <= 0.10, f"{fid}: {measured:.1f} km² vs {stated}"
        assert props["measured"]["area_km2"] == pytest.approx(measured, rel=0.01)


def test_extent_is_the_union_of_core_and_zones(features):
    parts = [_geometry(features[fid]) for fid in (CORE, *ZONES)]
    for i, a in enumerate(parts):
        for b in parts[i + 1 :]:
            assert a.intersection(b).area == 0, "core/zone polygons overlap"
    extent = _geometry(features[EXTENT])
    union = shapely.union_all(parts)
    assert geodesic_area_km2(extent.symmetric_difference(union)) < 0.01


def test_core_holds_the_hub_and_the_municipal_centre(features):
    # The briefing ties the core to the city's political centre and transport hub: the
    # municipal government (Wikipedia 28.6557 N 121.4208 E) and the S1 台州火车站 (OSM).
    core = _geometry(features[CORE])
    s1 = json.loads((layers_dir() / "ref_s1_stations.geojson").read_text(encoding="utf-8"))
    hub = next(f for f in s1["features"] if f["properties"]["name_zh"] == "台州火车站")
    assert core.contains(shape(hub["geometry"]))
    assert core.contains(Point(121.4208, 28.6557))


def test_feilong_lake_and_its_zone_sit_in_tongyu_west_of_hongjia(features, districts):
    # Public descriptions place 飞龙湖 in 桐屿街道, which borders 黄岩 to the west and north and
    # 椒江 to the north-east, inside the 台州绿心 that lies west of 洪家 (the S1 汇丰路站, built
    # as 洪家站). The lake and its zone must honour every one of those statements.
    zone = _geometry(features["luqiao-feilong-lake-ecosphere"])
    lake = _geometry(features["feilong-lake"])
    assert lake is not None and lake.geom_type == "Point"
    assert zone.covers(lake)
    assert districts["331004"].buffer(BUFFER_DEG).covers(zone)
    # Touches 黄岩 and 椒江 (within the 200 m schematic slack), and 黄岩 lies west and north.
    assert zone.distance(districts["331003"]) < BUFFER_DEG
    assert zone.distance(districts["331002"]) < BUFFER_DEG
    huangyan_side = districts["331003"].intersection(zone.buffer(BUFFER_DEG))
    assert huangyan_side.bounds[0] <= zone.bounds[0] + BUFFER_DEG  # a western edge on 黄岩
    assert huangyan_side.bounds[3] >= zone.bounds[3] - BUFFER_DEG  # a northern edge on 黄岩
    s1 = json.loads((layers_dir() / "ref_s1_stations.geojson").read_text(encoding="utf-8"))
    hongjia = next(f for f in s1["features"] if f["properties"]["name_zh"] == "汇丰路站")
    assert lake.x < shape(hongjia["geometry"]).x
    assert zone.centroid.x < shape(hongjia["geometry"]).x
    # Area-level only: the point may not claim more than the zone's size supports.
    assert features["feilong-lake"]["properties"]["precision_m"] >= 3000


def test_located_features_lie_in_their_districts(features, districts):
    checked = 0
    for fid, feature in features.items():
        geometry = _geometry(feature)
        codes = [d["code"] for d in feature["properties"]["district"]]
        assert codes, f"{fid}: no district"
        assert set(codes) <= CORRIDOR_CODES, f"{fid}: district outside the corridor {codes}"
        if geometry is None:
            continue
        area = shapely.union_all([districts[c] for c in codes]).buffer(BUFFER_DEG)
        if geometry.geom_type == "Point":
            assert area.covers(geometry), f"{fid} outside {codes}"
        elif geometry.geom_type == "LineString":
            assert geometry.intersection(area).length / geometry.length > 0.99, fid
        else:
            inside = geodesic_area_km2(geometry.intersection(area))
            assert inside / geodesic_area_km2(geometry) > 0.99, f"{fid} outside {codes}"
        checked += 1
    assert checked >= 8


def test_located_children_lie_in_their_located_parents(features):
    for fid, feature in features.items():
        parent = feature["properties"]["parent"]
        geometry = _geometry(feature)
        if parent is None or geometry is None or _geometry(features[parent]) is None:
            continue
        container = _geometry(features[parent]).buffer(BUFFER_DEG)
        if geometry.geom_type == "LineString":
            assert geometry.intersection(container).length / geometry.length > 0.95, fid
        else:
            assert container.covers(geometry), f"{fid} lies outside its parent {parent}"


def test_unlocated_features_say_so_and_carry_no_position(features):
    unlocated = 0
    for fid, feature in features.items():
        props = feature["properties"]
        if props["geometry_basis"] == "unlocated":
            unlocated += 1
            assert feature["geometry"] is None, fid
            assert props["precision_m"] is None, fid
            assert props["geometry_source"].startswith("Unlocated"), fid
        else:
            assert feature["geometry"] is not None, fid
            assert props["precision_m"] >= 500, f"{fid}: schematic precision overstated"
    assert unlocated >= 1


def test_statuses_come_from_the_briefing_and_carry_its_date(features, document):
    for fid, feature in features.items():
        status = feature["properties"]["status"]
        if status is None:
            continue
        assert status["value"] == "planned", fid
        # The briefing gives no year (catalog date null), so no as_of can be claimed.
        assert status["as_of"] == document.date, fid
        resolve(DOC, status["source"]["quote"])


def test_collection_says_what_is_not_mapped(collection):
    description = collection["description"]
    assert "14个功能组团" in description and "14 functional clusters" in description
    assert "示意" in description and "schematic" in description
    assert "OpenStreetMap" in collection["attribution"]


def test_atlas_validation_finds_no_problem_in_this_layer():
    problems = [p for p in validate() if p.file == LAYER.name]
    assert not problems, "\n".join(str(p) for p in problems)


def test_the_curated_tree_reproduces_the_committed_layer():
    assert render_tree(curated_dir())[LAYER.name] == LAYER.read_text(encoding="utf-8")


@pytest.mark.slow
def test_building_refuses_a_core_that_misses_its_stated_area(data_copy, capsys):
    path = data_copy / "curated" / "taizhou_bay" / "geometries.geojson"
    data = json.loads(path.read_text("utf-8"))
    core = next(f for f in data["features"] if f["properties"]["id"] == CORE)
    # Half the core's size: ~20 km² against the briefing's 41 km².
    core["geometry"] = mapping(shapely.affinity.scale(shape(core["geometry"]), 0.7, 0.7))
    path.write_text(json.dumps(data), "utf-8")
    target = data_copy / "layers" / LAYER.name
    before = target.read_bytes()
    assert main(["data", "build", "--reason", "core redrawn"]) == 2
    err = capsys.readouterr().err
    assert f"{LAYER.name}: {CORE}: stated[0]" in err and "41平方公里" in err, err
    assert target.read_bytes() == before
    assert open_store(data_copy).history() == []
