"""``validate`` on deliberately broken layer folders: each problem names file, feature, reason.

Every case starts from a small curated layer that validates clean (checked first), next
to a copy of the real ``ref_districts.geojson``, then breaks one thing.
"""

from __future__ import annotations

import copy
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from pyproj import Geod
from shapely.geometry import Point, shape

from corridor_map.atlas.model import LayerError, load_atlas
from corridor_map.atlas.validation import validate
from corridor_map.cli import main as cli
from corridor_map.core.errors import Problem
from corridor_map.core.markup import md_escape
from corridor_map.core.paths import layers_dir
from corridor_map.geo.gcj02 import wgs84_to_gcj02

REAL_LAYERS = layers_dir()
GEOD = Geod(ellps="WGS84")
QUOTE = {"doc": "wenling-reply-2025", "quote": "九龙湖科创中心和环龙门湖科创带城市设计已完成编制"}
AREA_QUOTE = {"doc": "taizhou-bay-briefing", "quote": "台州湾科创走廊总规划面积115平方公里"}
WENLING = [{"name": "温岭市", "code": "331081"}]
HUANGYAN = [{"name": "黄岩区", "code": "331003"}]
JIAOJIANG = [{"name": "椒江区", "code": "331002"}]


def _feature(fid: str, geometry: dict[str, Any] | None, **props: Any) -> dict[str, Any]:
    base = {
        "id": fid,
        "name_zh": "测试要素",
        "name_en": "Test feature",
        "corridor": "wenling-lakes",
        "role": "zone",
        "parent": None,
        "district": WENLING,
        "status": None,
        "stated": [],
        "geometry_basis": "schematic",
        "geometry_source": "test fixture",
        "precision_m": 500,
        "sources": [QUOTE],
    }
    base.update(props)
    return {"type": "Feature", "properties": base, "geometry": geometry}


def _point(lon: float, lat: float) -> dict[str, Any]:
    return {"type": "Point", "coordinates": [lon, lat]}


def _square(lon: float, lat: float, half: float = 0.01) -> dict[str, Any]:
    ring = [
        [round(lon - half, 6), round(lat - half, 6)],
        [round(lon + half, 6), round(lat - half, 6)],
        [round(lon + half, 6), round(lat + half, 6)],
        [round(lon - half, 6), round(lat + half, 6)],
    ]
    return {"type": "Polygon", "coordinates": [[*ring, ring[0]]]}


def _disc(lon: float, lat: float, radius_m: float) -> dict[str, Any]:
    """A geodesic circle, counter-clockwise (azimuths decreasing), 6 decimals."""
    azimuths = np.linspace(360.0, 0.0, 73)[:-1]
    lons, lats, _ = GEOD.fwd(np.full(72, lon), np.full(72, lat), azimuths, np.full(72, radius_m))
    ring = [[round(float(x), 6), round(float(y), 6)] for x, y in zip(lons, lats, strict=True)]
    return {"type": "Polygon", "coordinates": [[*ring, ring[0]]]}


def _collection(*features: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {
        "type": "FeatureCollection",
        "name": "test",
        "description": "测试图层 / test layer",
        "features": list(features),
        **extra,
    }


def _good() -> dict[str, Any]:
    return _collection(
        _feature("t-extent", _square(121.38, 28.37), role="extent"),
        _feature("t-core", _point(121.385, 28.372), role="core", parent="t-extent"),
    )


def _layers(tmp_path: Path, files: dict[str, Any], *refs: str) -> Path:
    folder = tmp_path / "layers"
    folder.mkdir(parents=True)
    for ref in ("ref_districts.geojson", *refs):
        shutil.copy(REAL_LAYERS / ref, folder / ref)
    for name, content in files.items():
        text = content if isinstance(content, str) else json.dumps(content, ensure_ascii=False)
        (folder / name).write_text(text, "utf-8")
    return folder


def _problems(folder: Path, file: str = "t.geojson") -> list[Problem]:
    return [p for p in validate(folder) if p.file == file]


def _only(problems: list[Problem], feature_id: str, field: str) -> Problem:
    matching = [p for p in problems if p.feature_id == feature_id and p.field == field]
    assert len(matching) == 1, problems
    return matching[0]


def _broken(tmp_path: Path, fid: str, **changes: Any) -> list[Problem]:
    data = _good()
    for feature in data["features"]:
        if feature["properties"]["id"] == fid:
            for key, value in changes.items():
                if key == "geometry":
                    feature["geometry"] = value
                elif value is _DELETE:
                    del feature["properties"][key]
                else:
                    feature["properties"][key] = value
    return _problems(_layers(tmp_path, {"t.geojson": data}))


_DELETE = object()


# ------------------------------------------------------------------------ the clean base


def test_fixture_validates_clean(tmp_path):
    assert validate(_layers(tmp_path, {"t.geojson": _good()})) == []


def test_real_district_layer_validates_alone(tmp_path):
    assert validate(_layers(tmp_path, {})) == []


# ---------------------------------------------------------------------------- file level


def test_malformed_json(tmp_path):
    folder = _layers(tmp_path, {"t.geojson": '{"type": "FeatureCollection", "features": [\n{'})
    (problem,) = _problems(folder)
    assert problem.feature_id == "-"
    assert "malformed JSON" in problem.reason
    assert "line 2" in problem.reason
    with pytest.raises(LayerError, match=r"t\.geojson: -: -: malformed JSON"):
        load_atlas(folder, strict=True)


def test_not_a_feature_collection(tmp_path):
    folder = _layers(tmp_path, {"t.geojson": {"type": "Feature", "properties": {}}})
    (problem,) = _problems(folder)
    assert problem.field == "type"
    assert "FeatureCollection" in problem.reason


def test_feature_without_id_is_named_by_index(tmp_path):
    problems = _broken(tmp_path, "t-core", id=_DELETE)
    assert _only(problems, "#1", "id").reason == "missing or not a string"


# ---------------------------------------------------------------------------- schema


def test_missing_field(tmp_path):
    problems = _broken(tmp_path, "t-core", name_en=_DELETE)
    assert _only(problems, "t-core", "name_en").reason == "missing or empty string"


def test_bad_enum(tmp_path):
    problems = _broken(tmp_path, "t-core", role="hub")
    assert "'hub' is not one of" in _only(problems, "t-core", "role").reason


def test_curated_feature_needs_an_excerpt(tmp_path):
    problems = _broken(tmp_path, "t-core", sources=[])
    assert "at least one excerpt" in _only(problems, "t-core", "sources").reason


def test_quote_not_found(tmp_path):
    fake = {"doc": "wenling-reply-2025", "quote": "九龙湖科创中心将建成世界一流大学"}
    problem = _only(_broken(tmp_path, "t-core", sources=[fake]), "t-core", "sources[0].quote")
    assert "not found verbatim" in problem.reason
    assert "wenling-reply-2025" in problem.reason


def test_unknown_document(tmp_path):
    problems = _broken(tmp_path, "t-core", sources=[{"doc": "nope", "quote": "x"}])
    assert "unknown document id 'nope'" in _only(problems, "t-core", "sources[0].doc").reason


def test_stated_text_must_be_in_its_quote(tmp_path):
    figure = {
        "quantity": "area",
        "value": 120,
        "unit": "km²",
        "text": "120平方公里",
        "source": AREA_QUOTE,
    }
    problems = _broken(tmp_path, "t-core", stated=[figure])
    assert (
        "does not appear in its source quote" in _only(problems, "t-core", "stated[0].text").reason
    )


def test_unknown_parent(tmp_path):
    problems = _broken(tmp_path, "t-core", parent="t-nowhere")
    assert _only(problems, "t-core", "parent").reason == "unknown parent 't-nowhere'"


def test_parent_cycle(tmp_path):
    problems = _broken(tmp_path, "t-extent", parent="t-core")
    assert "parent cycle" in _only(problems, "t-extent", "parent").reason


def test_duplicate_id_across_files(tmp_path):
    other = _collection(_feature("t-extent", _square(121.39, 28.38), role="extent"))
    folder = _layers(tmp_path, {"t.geojson": _good(), "u.geojson": other})
    problem = _only(_problems(folder, "u.geojson"), "t-extent", "id")
    assert problem.reason == "duplicate id (first used in t.geojson)"


def test_null_geometry_needs_unlocated(tmp_path):
    problems = _broken(tmp_path, "t-core", geometry=None)
    assert "only with geometry_basis 'unlocated'" in _only(problems, "t-core", "geometry").reason


def test_unlocated_rules(tmp_path):
    ok = _broken(
        tmp_path / "a", "t-core", geometry=None, geometry_basis="unlocated", precision_m=None
    )
    assert ok == []
    problems = _broken(tmp_path / "b", "t-core", geometry_basis="unlocated", precision_m=300)
    assert "requires geometry null" in _only(problems, "t-core", "geometry").reason
    assert "must be null" in _only(problems, "t-core", "precision_m").reason


@pytest.mark.slow
def test_osm_geometry_needs_osm_attribution(tmp_path):
    problems = _broken(tmp_path / "a", "t-core", geometry_basis="osm")
    assert "© OpenStreetMap contributors" in _only(problems, "-", "attribution").reason
    data = _good()
    data["features"][1]["properties"]["geometry_basis"] = "osm"
    data["attribution"] = "© OpenStreetMap contributors (ODbL 1.0)"
    assert validate(_layers(tmp_path / "b", {"t.geojson": data})) == []


# -------------------------------------------------------------------------- geometry


def test_latitude_longitude_swap(tmp_path):
    problems = _broken(tmp_path, "t-core", geometry=_point(28.372, 121.385))
    assert "latitude/longitude look swapped" in _only(problems, "t-core", "geometry").reason


def test_invalid_latitude_without_swap(tmp_path):
    problems = _broken(tmp_path, "t-core", geometry=_point(10.0, 121.385))
    assert "invalid latitude 121.385" in _only(problems, "t-core", "geometry").reason


def test_invalid_polygon(tmp_path):
    bowtie = {
        "type": "Polygon",
        "coordinates": [
            [[121.37, 28.36], [121.39, 28.38], [121.39, 28.36], [121.37, 28.38], [121.37, 28.36]]
        ],
    }
    problems = _broken(tmp_path, "t-extent", geometry=bowtie)
    assert "invalid Polygon: Self-intersection" in _only(problems, "t-extent", "geometry").reason


def test_clockwise_exterior_ring(tmp_path):
    square = _square(121.38, 28.37)
    square["coordinates"][0].reverse()
    problems = _broken(tmp_path, "t-extent", geometry=square)
    assert "RFC 7946" in _only(problems, "t-extent", "geometry").reason


def test_more_than_six_decimals(tmp_path):
    problems = _broken(tmp_path, "t-core", geometry=_point(121.3851234, 28.372))
    assert "more than 6 decimals" in _only(problems, "t-core", "geometry").reason


def test_outside_region_unless_enclave(tmp_path):
    frankfurt = _point(8.68, 50.11)
    problems = _broken(tmp_path / "a", "t-core", geometry=frankfurt)
    assert "outside the region" in _only(problems, "t-core", "geometry").reason
    enclave = _broken(tmp_path / "b", "t-core", geometry=frankfurt, role="enclave", district=[])
    assert enclave == []


def test_containment_in_listed_district(tmp_path):
    # 121.05, 28.6 lies in 黄岩区, well away from 温岭市.
    problems = _broken(tmp_path, "t-core", geometry=_point(121.05, 28.6))
    assert "lies outside 温岭市" in _only(problems, "t-core", "district").reason


def test_district_name_must_match_code(tmp_path):
    problems = _broken(tmp_path, "t-core", district=[{"name": "椒江区", "code": "331081"}])
    assert "code 331081 is 温岭市, not 椒江区" in _only(problems, "t-core", "district").reason


# ------------------------------------------------------------------------- stated area


def _area_figure(value: float = 115) -> dict[str, Any]:
    return {
        "quantity": "area",
        "value": value,
        "unit": "km²",
        "text": "115平方公里",
        "source": AREA_QUOTE,
    }


def test_stated_area_within_tolerance_passes(tmp_path):
    # A 6.05 km geodesic circle (≈ 115 km²) inside 黄岩区.
    data = _collection(
        _feature(
            "t-area",
            _disc(121.05, 28.6, 6050),
            corridor="taizhou-bay",
            role="extent",
            district=HUANGYAN,
            stated=[_area_figure()],
        )
    )
    assert validate(_layers(tmp_path, {"t.geojson": data})) == []


def test_stated_area_off_by_more_than_ten_percent(tmp_path):
    data = _collection(
        _feature(
            "t-area",
            _disc(121.05, 28.6, 5000),  # ≈ 78.5 km², 32 % short of 115
            corridor="taizhou-bay",
            role="extent",
            district=HUANGYAN,
            stated=[_area_figure()],
        )
    )
    problems = _problems(_layers(tmp_path, {"t.geojson": data}))
    reason = _only(problems, "t-area", "stated[0]").reason
    assert "-32 %" in reason
    assert "115平方公里" in reason


def test_stale_measured_area(tmp_path):
    problems = _broken(tmp_path, "t-extent", measured={"area_km2": 40.7})
    assert "records 40.7 km²" in _only(problems, "t-extent", "measured.area_km2").reason


# ----------------------------------------------------------------- GCJ-02 passed as WGS84


def test_declared_gcj02_crs(tmp_path):
    data = _good()
    data["crs"] = {"type": "name", "properties": {"name": "GCJ-02"}}
    problem = _only(_problems(_layers(tmp_path, {"t.geojson": data})), "-", "crs")
    assert "GCJ-02" in problem.reason
    assert "WGS84" in problem.reason


def test_point_on_gcj02_position_of_a_known_station(tmp_path):
    stations = json.loads((REAL_LAYERS / "ref_s1_stations.geojson").read_text("utf-8"))
    station = next(f for f in stations["features"] if f["properties"]["name_zh"] == "温岭火车站")
    lon, lat = station["geometry"]["coordinates"]
    glon, glat = wgs84_to_gcj02(lon, lat)
    shifted = _collection(
        _feature("t-station", _point(round(glon, 6), round(glat, 6)), role="gateway")
    )
    folder = _layers(tmp_path / "a", {"t.geojson": shifted}, "ref_s1_stations.geojson")
    reason = _only(_problems(folder), "t-station", "geometry").reason
    assert "looks like GCJ-02" in reason
    assert station["properties"]["id"] in reason
    honest = _collection(_feature("t-station", _point(lon, lat), role="gateway"))
    folder = _layers(tmp_path / "b", {"t.geojson": honest}, "ref_s1_stations.geojson")
    assert validate(folder) == []


def _points_pushed_out_by_gcj(code: str, count: int) -> list[tuple[float, float]]:
    """WGS84 points inside a district whose GCJ-02 images lie ≳ 300 m outside it."""
    districts = json.loads((REAL_LAYERS / "ref_districts.geojson").read_text("utf-8"))
    polygon = next(
        shape(f["geometry"]) for f in districts["features"] if f["properties"]["code"] == code
    )
    lon_min, lat_min, lon_max, lat_max = polygon.bounds
    found = []
    for lon in np.arange(lon_min, lon_max, 0.002):
        for lat in np.arange(lat_min, lat_max, 0.002):
            lon_r, lat_r = round(float(lon), 6), round(float(lat), 6)
            glon, glat = wgs84_to_gcj02(lon_r, lat_r)
            if (
                polygon.contains(Point(lon_r, lat_r))
                and polygon.distance(Point(glon, glat)) > 0.003
            ):
                found.append((lon_r, lat_r))
    assert len(found) >= count
    step = len(found) // count
    return found[::step][:count]


@pytest.mark.slow
def test_file_in_gcj02_detected_by_containment(tmp_path):
    inside = _points_pushed_out_by_gcj("331002", 3)
    shifted = [wgs84_to_gcj02(lon, lat) for lon, lat in inside]
    data = _collection(
        *(
            _feature(f"t-p{i}", _point(round(x, 6), round(y, 6)), district=JIAOJIANG)
            for i, (x, y) in enumerate(shifted)
        )
    )
    problems = _problems(_layers(tmp_path / "a", {"t.geojson": data}))
    file_level = _only(problems, "-", "geometry")
    assert "look like GCJ-02" in file_level.reason
    assert "3 feature(s) fall outside their districts as given, 0 after" in file_level.reason
    # The true WGS84 positions validate clean.
    honest = _collection(
        *(_feature(f"t-p{i}", _point(x, y), district=JIAOJIANG) for i, (x, y) in enumerate(inside))
    )
    assert validate(_layers(tmp_path / "b", {"t.geojson": honest})) == []


# ------------------------------------------------------------------------------ the CLI


def test_cli_validate_exit_codes_and_lines(tmp_path, capsys):
    good = _layers(tmp_path / "good", {"t.geojson": _good()})
    assert cli.main(["validate", "--layers", str(good)]) == 0
    assert capsys.readouterr().out.strip() == "16 features in 2 files: OK"

    broken = copy.deepcopy(_good())
    broken["features"][1]["properties"]["parent"] = "t-nowhere"
    bad = _layers(tmp_path / "bad", {"t.geojson": broken})
    assert cli.main(["validate", "--layers", str(bad)]) == 1
    out = capsys.readouterr().out
    assert "t.geojson: t-core: parent: unknown parent 't-nowhere'" in out.splitlines()

    assert cli.main(["validate", "--layers", str(bad), "--json"]) == 1
    records = json.loads(capsys.readouterr().out)
    assert {"file": "t.geojson", "feature_id": "t-core", "field": "parent"}.items() <= (
        records[0].items()
    )


def test_cli_features_lists_measures(tmp_path, capsys):
    good = _layers(tmp_path, {"t.geojson": _good()})
    assert cli.main(["features", "--layers", str(good), "--json"]) == 0
    records = {r["id"]: r for r in json.loads(capsys.readouterr().out)}
    assert set(records) == {"t-extent", "t-core"}  # reference layers only on request
    extent = records["t-extent"]
    # A 0.02° square at 28.37°N: about 2.22 km (lat) × 1.96 km (lon) ≈ 4.3 km².
    assert 4.0 < extent["area_km2"] < 4.6
    assert extent["district"] == ["331081"]
    assert records["t-core"]["parent"] == "t-extent"
    assert (records["t-core"]["lon"], records["t-core"]["lat"]) == (121.385, 28.372)

    assert cli.main(["features", "--layers", str(good), "--corridor", "reference"]) == 0
    assert "14 feature(s)" in capsys.readouterr().out
    assert cli.main(["features", "--layers", str(good), "--role", "district", "--json"]) == 0
    assert len(json.loads(capsys.readouterr().out)) == 14
    assert cli.main(["features", "--layers", str(good), "--role", "core", "--json"]) == 0
    assert [r["id"] for r in json.loads(capsys.readouterr().out)] == ["t-core"]


def test_cli_features_on_broken_json_is_a_message_not_a_traceback(tmp_path):
    folder = _layers(tmp_path, {"t.geojson": "{not json"})
    env_root = folder.parent
    shutil.copytree(REAL_LAYERS.parent / "seeds", env_root / "seeds")
    result = subprocess.run(
        [sys.executable, "-m", "corridor_map.cli.main", "features"],
        capture_output=True,
        text=True,
        env={"CORRIDOR_MAP_DATA": str(env_root), "PATH": "/usr/bin:/bin"},
        check=False,
    )
    assert result.returncode == 2
    assert "t.geojson: -: -: malformed JSON" in result.stderr
    assert "Traceback" not in result.stderr


# ------------------------------------------------------------- odd values, no traceback

ODD_PROPERTIES = {
    "name_zh": [None, 1, [], {}],
    "corridor": [None, 1, [], {}],
    "role": [None, 1, [], {}],
    "geometry_basis": [None, 1, [], {}],
    "parent": [1, [], {}],
    "district": [1, "331081", [1], [{}], [{"name": "温岭市", "code": 331081}]],
    "sources": [None, 1, "x", [1], [{}], [{"doc": [], "quote": {}}]],
    "stated": [1, "x", [1], [{"quantity": "area", "value": "115", "unit": [], "text": 115}]],
    "status": [1, "x", {"value": [], "as_of": 2025, "source": None}],
    "precision_m": [None, "x", [], -1, True],
    "measured": [1, "x", {"area_km2": "4.3"}],
}
ODD_GEOMETRIES = [
    {},
    "POINT (121 28)",
    {"type": "Point"},
    {"type": "Point", "coordinates": []},
    {"type": "Point", "coordinates": ["121.38", "28.37"]},
    {"type": "Point", "coordinates": [121.38, 28.37, 5, 6]},
    {"type": "Polygon", "coordinates": [[[121.38, 28.37], [121.39, 28.37]]]},
    {"type": "Polygon", "coordinates": [[]]},
    {"type": "MultiPolygon", "coordinates": [[[]]]},
    {"type": "LineString", "coordinates": [[121.38, 28.37]]},
    {"type": "GeometryCollection", "geometries": []},
]


@pytest.mark.parametrize(
    ("field", "value"),
    [(field, value) for field, values in ODD_PROPERTIES.items() for value in values],
)
def test_odd_property_values_are_reported_not_raised(tmp_path, field, value):
    problems = _broken(tmp_path, "t-core", **{field: value})
    assert any(p.feature_id == "t-core" for p in problems), problems


@pytest.mark.parametrize("geometry", ODD_GEOMETRIES)
def test_odd_geometries_are_reported_not_raised(tmp_path, geometry):
    problems = _broken(tmp_path, "t-extent", geometry=geometry)
    assert any(p.feature_id == "t-extent" and p.field == "geometry" for p in problems), problems


# ------------------------------------------------------- review: values that slipped through


def test_geometry_type_that_is_not_a_string_is_reported(tmp_path):
    problems = _broken(tmp_path, "t-core", geometry={"type": [], "coordinates": [121.38, 28.37]})
    assert "unsupported geometry type" in _only(problems, "t-core", "geometry").reason


def test_deeply_nested_json_is_malformed_not_a_recursion_error(tmp_path):
    folder = _layers(tmp_path, {"t.geojson": "[" * 100_000 + "]" * 100_000})
    (problem,) = _problems(folder)
    assert "nested too deeply" in problem.reason
    with pytest.raises(LayerError, match="nested too deeply"):
        load_atlas(folder, strict=True)


def test_stated_value_nan_is_not_a_figure(tmp_path):
    figure = {
        "quantity": "area",
        "value": float("nan"),
        "unit": "km²",
        "text": "115平方公里",
        "source": AREA_QUOTE,
    }
    problems = _broken(tmp_path, "t-extent", stated=[figure])
    assert "finite" in _only(problems, "t-extent", "stated[0].value").reason


@pytest.mark.parametrize("value", [float("nan"), float("inf")])
def test_measured_area_must_be_finite(tmp_path, value):
    problems = _broken(tmp_path, "t-extent", measured={"area_km2": value})
    _only(problems, "t-extent", "measured")


def test_precision_must_be_finite(tmp_path):
    _only(_broken(tmp_path, "t-extent", precision_m=float("inf")), "t-extent", "precision_m")


@pytest.mark.parametrize("as_of", ["2025-13-45", "2025-02-30", "2025-00"])
def test_status_as_of_must_be_a_real_date(tmp_path, as_of):
    status = {"value": "planned", "as_of": as_of, "source": QUOTE}
    _only(_broken(tmp_path, "t-extent", status=status), "t-extent", "status.as_of")


def test_status_as_of_real_dates_pass(tmp_path):
    for i, as_of in enumerate(["2024", "2024-02", "2024-02-29"]):
        status = {"value": "planned", "as_of": as_of, "source": QUOTE}
        problems = _broken(tmp_path / str(i), "t-extent", status=status)
        assert not [p for p in problems if p.field == "status.as_of"], problems


def test_unclosed_polygon_ring_is_reported(tmp_path):
    square = _square(121.38, 28.37)
    square["coordinates"][0].pop()
    problems = _broken(tmp_path, "t-extent", geometry=square)
    assert "not closed" in _only(problems, "t-extent", "geometry").reason


def _with_links(tmp_path: Path, *links: Any) -> list[Problem]:
    data = _good()
    line = {"type": "LineString", "coordinates": [[121.375, 28.37], [121.385, 28.372]]}
    data["features"].append(_feature("t-road", line, role="road", parent="t-extent"))
    planned = _collection(links=list(links))
    folder = _layers(tmp_path, {"t.geojson": data, "planned_links.geojson": planned})
    return _problems(folder, "planned_links.geojson")


def test_a_planned_link_on_a_located_line_passes(tmp_path):
    assert _with_links(tmp_path, {"feature": "t-road", "design_speed_kmh": 80}) == []


@pytest.mark.parametrize(
    ("link", "field", "reason"),
    [
        ({"feature": "t-raod", "design_speed_kmh": 80}, "links[0].feature", "not a feature id"),
        ({"feature": "t-core", "design_speed_kmh": 80}, "links[0].feature", "a Point"),
        ({"feature": "t-road", "design_speed_kmh": 0}, "links[0].design_speed_kmh", "> 0"),
        ({"feature": "t-road"}, "links[0].design_speed_kmh", "> 0"),
        ("t-road", "links[0]", "must be"),
    ],
)
def test_a_planned_link_travel_would_drop_is_reported(tmp_path, link, field, reason):
    # travel.py silently leaves such a link out of the network
    (problem,) = _with_links(tmp_path, link)
    assert problem.field == field and reason in problem.reason


def test_stated_value_must_be_the_figure_of_its_text(tmp_path):
    # text "115平方公里" is in the quote, but a value of 15 would be shown as the figure
    figure = {
        "quantity": "area",
        "value": 15,
        "unit": "km²",
        "text": "115平方公里",
        "source": AREA_QUOTE,
    }
    problems = _broken(tmp_path, "t-core", stated=[figure])
    assert "not the figure" in _only(problems, "t-core", "stated[0].value").reason


def test_stated_value_of_a_text_without_digits_is_not_compared(tmp_path):
    quote = {"doc": "wenzhou-daluo-action-2020", "quote": "半小时通达动车站或龙湾机场两大门户"}
    figure = {
        "quantity": "travel_time",
        "value": 30,
        "unit": "min",
        "text": "半小时",
        "source": quote,
    }
    problems = _broken(tmp_path, "t-core", stated=[figure])
    assert not [p for p in problems if p.field.startswith("stated")], problems


# ------------------------------------------------------------------------ travel targets


def _target(**changes: Any) -> dict[str, Any]:
    record = {
        "id": "t-target",
        "name_zh": "测试目标",
        "name_en": "Test target",
        "sources": [QUOTE],
        "threshold_min": 15,
        "method": "pair",
        "origins": ["t-extent"],
        "destinations": ["t-core"],
    }
    record.update(changes)
    return record


def _target_problems(tmp_path: Path, record: Any) -> list[Problem]:
    folder = _layers(tmp_path, {"t.geojson": _good(), "travel_targets.json": {"targets": [record]}})
    return _problems(folder, "travel_targets.json")


def test_a_travel_target_citing_real_text_and_features_passes(tmp_path):
    assert _target_problems(tmp_path, _target()) == []


@pytest.mark.parametrize(
    ("changes", "field", "reason"),
    [
        ({"sources": [{**QUOTE, "quote": "九龙湖十分钟通达"}]}, "sources[0].quote", "verbatim"),
        ({"sources": []}, "sources", "at least one"),
        ({"origins": ["t-extnet"]}, "origins", "not a feature id"),
        ({"destinations": "t-nowhere"}, "destinations", "not a feature id"),
        ({"method": "ring_span", "ring_step_m": 0.001}, "ring_step_m", "≥ 100"),
    ],
)
def test_a_broken_travel_target_is_reported(tmp_path, changes, field, reason):
    (problem,) = _target_problems(tmp_path, _target(**changes))
    assert (problem.feature_id, problem.field) == ("t-target", field)
    assert reason in problem.reason


def test_a_travel_targets_file_that_is_not_json_is_reported(tmp_path):
    folder = _layers(tmp_path, {"t.geojson": _good(), "travel_targets.json": "{targets: ["})
    (problem,) = _problems(folder, "travel_targets.json")
    assert problem.feature_id == "-"


# -------------------------------------------------- one load path: load_atlas validates


def _with(**changes: Any) -> Any:
    def build() -> dict[str, Any]:
        data = _good()
        core = data["features"][1]
        for key, value in changes.items():
            if key == "geometry":
                core["geometry"] = value
            else:
                core["properties"][key] = value
        return data

    return build


def _collection_with(**changes: Any) -> Any:
    def build() -> dict[str, Any]:
        return {**_good(), **changes}

    return build


_SWAPPED = _square(28.37, 121.38)
BROKEN_FILES: dict[str, Any] = {
    "malformed JSON": lambda: '{"type": "FeatureCollection", "features": [\n{',
    "nested too deeply": lambda: "[" * 100_000 + "]" * 100_000,
    "not a FeatureCollection": lambda: {"type": "Feature", "properties": {}},
    "features null": _collection_with(features=None),
    "features an object": _collection_with(features={"a": 1}),
    "swapped polygon": _with(geometry=_SWAPPED),
    "latitude 95": _with(geometry=_point(121.385, 95.0)),
    "Infinity coordinate": _with(geometry=_point(float("inf"), 28.372)),
    "NaN coordinate": _with(geometry=_point(121.385, float("nan"))),
    "unknown parent": _with(parent="t-nowhere"),
    "outside the region": _with(geometry=_point(8.68, 50.11)),
    "quote not in its document": _with(sources=[{**QUOTE, "quote": "世界一流大学"}]),
    **{
        f"{field} = {json.dumps(value, ensure_ascii=False)}": _with(**{field: value})
        for field, values in ODD_PROPERTIES.items()
        for value in values
    },
    **{f"geometry {json.dumps(g)[:40]}": _with(geometry=g) for g in ODD_GEOMETRIES},
}


@pytest.mark.parametrize("case", BROKEN_FILES)
def test_a_broken_file_loads_with_the_validate_message_never_a_crash(tmp_path, capsys, case):
    folder = _layers(tmp_path, {"t.geojson": BROKEN_FILES[case]()})
    problems = validate(folder)
    assert problems and {p.file for p in problems} == {"t.geojson"}, problems

    # The app's path: the broken file is refused as a whole and listed; the rest loads.
    atlas = load_atlas(folder)
    assert atlas.refused == ("t.geojson",)
    assert list(atlas.problems) == problems
    assert not [f for f in atlas if f.file == "t.geojson"]
    assert "t.geojson" not in atlas.collections
    assert len(atlas.districts()) == 14

    # The command line's path: strict, every problem listed, exit 2, no traceback.
    with pytest.raises(LayerError) as refused:
        load_atlas(folder, strict=True)
    assert str(problems[0]) in str(refused.value)
    assert cli.main(["features", "--layers", str(folder)]) == 2
    err = capsys.readouterr().err
    assert str(problems[0]) in err
    assert "Traceback" not in err


def test_features_as_an_object_is_named_as_such(tmp_path):
    folder = _layers(tmp_path, {"t.geojson": _collection_with(features={"a": 1})()})
    (problem,) = _problems(folder)
    assert (problem.field, problem.reason) == ("features", "must be a list")
    with pytest.raises(LayerError, match=r"t\.geojson: -: features: must be a list"):
        load_atlas(folder, strict=True)


@pytest.mark.parametrize("content", [None, "not a folder"])
def test_an_empty_or_missing_layers_folder_is_refused_not_an_empty_map(tmp_path, capsys, content):
    folder = tmp_path / "layers"
    if content is None:
        folder.mkdir()
        reason = "no *.geojson layer files"
    else:
        reason = "layers folder not found"
    with pytest.raises(LayerError, match=re.escape(reason)):
        load_atlas(folder)  # nothing to show: even the app's lenient load stops
    assert cli.main(["features", "--layers", str(folder)]) == 2
    assert reason in capsys.readouterr().err


def test_a_file_that_needs_a_refused_file_is_refused_too(tmp_path):
    broken = _good()
    broken["features"][1]["properties"]["name_en"] = ""  # t.geojson now has a problem
    child = _collection(
        _feature("u-child", _point(121.386, 28.373), role="platform", parent="t-core")
    )
    folder = _layers(tmp_path, {"t.geojson": broken, "u.geojson": child})
    assert {p.file for p in validate(folder)} == {"t.geojson"}
    atlas = load_atlas(folder)
    assert atlas.refused == ("t.geojson", "u.geojson")
    (later,) = [p for p in atlas.problems if p.file == "u.geojson"]
    assert "unknown parent 't-core'" in later.reason
    assert "after refusing t.geojson" in later.reason
    assert "u-child" not in atlas


def test_the_validated_atlas_is_cached_on_the_data_snapshot(tmp_path):
    folder = _layers(tmp_path, {"t.geojson": _good()})
    first = load_atlas(folder)
    assert first.problems == () and load_atlas(folder) is first
    path = folder / "t.geojson"
    data = _good()
    data["features"][1]["properties"]["role"] = "hub"
    path.write_text(json.dumps(data), "utf-8")
    os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 10**9))
    second = load_atlas(folder)
    assert second.refused == ("t.geojson",)
    assert "'hub' is not one of" in second.problems[0].reason


def test_a_broken_seed_is_one_problem_at_the_seed(tmp_path, monkeypatch):
    root = tmp_path / "data"
    shutil.copytree(REAL_LAYERS.parent / "seeds", root / "seeds")
    folder = _layers(root, {"t.geojson": _good()})
    seed = next((root / "seeds").glob("001_*.txt"))
    seed.write_bytes(seed.read_bytes() + b"x")
    monkeypatch.setenv("CORRIDOR_MAP_DATA", str(root))
    (problem,) = validate(folder)
    assert problem.file == f"seeds/{seed.name}"
    assert problem.feature_id == "taizhou-bay-briefing"
    assert "sha256" in problem.reason
    assert "2 quote(s) not checked" in problem.reason
    with pytest.raises(LayerError, match=re.escape(f"seeds/{seed.name}")):
        load_atlas(folder, strict=True)


@pytest.mark.slow
def test_the_app_lists_a_refused_file_escaped_and_keeps_the_valid_ones(tmp_path, monkeypatch):
    from streamlit.testing.v1 import AppTest

    root = tmp_path / "data"
    shutil.copytree(REAL_LAYERS.parent / "seeds", root / "seeds")
    shutil.copytree(REAL_LAYERS, root / "layers")
    path = root / "layers" / "wenling_lakes.geojson"
    data = json.loads(path.read_text("utf-8"))
    located = next(f for f in data["features"] if f["geometry"] is not None)
    located["properties"]["role"] = "[登录](https://evil.example/x)"
    path.write_text(json.dumps(data, ensure_ascii=False), "utf-8")
    monkeypatch.setenv("CORRIDOR_MAP_DATA", str(root))
    at = AppTest.from_file(str(REAL_LAYERS.parent / "app.py"), default_timeout=120)
    at.run()
    assert not at.exception
    (warning,) = at.warning
    assert md_escape("refused / 未载入: wenling_lakes.geojson, planned_links.geojson") in (
        warning.value
    )
    assert md_escape("'[登录](https://evil.example/x)'") in warning.value  # shown, not a link
    assert "](https://evil" not in warning.value
    assert not at.error


# ------------------------------------------- GCJ-02: a whole curated file shifted ~540 m


def _shift_coordinates(coords: Any) -> Any:
    if coords and isinstance(coords[0], (int, float)):
        lon, lat = wgs84_to_gcj02(coords[0], coords[1])
        return [round(float(lon), 6), round(float(lat), 6), *coords[2:]]
    return [_shift_coordinates(part) for part in coords]


def _real_layers_with_shifted(tmp_path: Path, name: str | None) -> Path:
    folder = tmp_path / "layers"
    shutil.copytree(REAL_LAYERS, folder)
    if name is not None:
        data = json.loads((REAL_LAYERS / name).read_text("utf-8"))
        for feature in data["features"]:
            if feature["geometry"] is not None:
                geometry = feature["geometry"]
                geometry["coordinates"] = _shift_coordinates(geometry["coordinates"])
        (folder / name).write_text(json.dumps(data, ensure_ascii=False), "utf-8")
    return folder


@pytest.mark.parametrize(
    "name", ["taizhou_bay.geojson", "wenling_lakes.geojson", "wenzhou_daluo.geojson"]
)
@pytest.mark.slow
def test_a_curated_file_shifted_to_gcj02_is_caught(tmp_path, name):
    # Wenling's file is caught by its point placed on a GeoNames 街道 seat (新城智谷).
    folder = _real_layers_with_shifted(tmp_path, name)
    problems = [p for p in validate(folder) if p.file == name]
    assert any(p.feature_id == "-" and "look like GCJ-02" in p.reason for p in problems), problems
    assert name in load_atlas(folder).refused
    assert [p for p in validate(folder) if p.file != name] == []


def test_the_taizhou_file_is_caught_by_its_district_anchors(tmp_path):
    # no point of it sits on a station: the district boundary it follows is the anchor
    folder = _real_layers_with_shifted(tmp_path, "taizhou_bay.geojson")
    (problem,) = validate(folder)
    assert problem.feature_id == "-"
    assert "district boundary or reference station after converting" in problem.reason
    assert "outside the listed districts as given" in problem.reason


def test_the_wenling_file_is_caught_by_its_curation_grid(tmp_path):
    # nothing in it touches a district boundary or a station: its points and ellipse
    # centres, rounded to 0.001° by the curation script, are the anchor
    folder = _real_layers_with_shifted(tmp_path, "wenling_lakes.geojson")
    (problem,) = [p for p in validate(folder) if p.feature_id == "-"]
    assert "sit on the 0.001° curation grid after converting GCJ-02 → WGS84, 0 as" in (
        problem.reason
    )


def test_the_real_layers_explain_their_anchors(capsys):
    assert cli.main(["validate", "--explain"]) == 0
    notes = [line for line in capsys.readouterr().out.splitlines() if line.startswith("note:")]
    for name in ("taizhou_bay.geojson", "wenling_lakes.geojson", "wenzhou_daluo.geojson"):
        (note,) = [n for n in notes if n.startswith(f"note: {name}:")]
        assert "GCJ-02 anchors (given/converted)" in note


def test_a_file_without_an_anchor_is_named_by_explain_not_passed_silently(tmp_path, capsys):
    # one point off the grid, far from any district boundary or station
    data = _collection(_feature("t-lone", _point(121.3853, 28.3727), role="platform"))
    folder = _layers(tmp_path, {"t.geojson": data})
    assert cli.main(["validate", "--layers", str(folder), "--explain"]) == 0
    out = capsys.readouterr().out.splitlines()
    (note,) = [line for line in out if line.startswith("note: t.geojson")]
    assert "no GCJ-02 anchor" in note and "would pass undetected" in note
    assert cli.main(["validate", "--layers", str(folder), "--explain", "--json"]) == 0
    notes = json.loads(capsys.readouterr().out)["notes"]
    assert any(n.startswith("t.geojson: no GCJ-02 anchor") for n in notes)


# ------------------- data the loader used to accept: the CLI stops with the list, exit 2


def _break_real(tmp_path: Path, case: str) -> Path:
    root = tmp_path / "data"
    shutil.copytree(REAL_LAYERS.parent / "seeds", root / "seeds")
    shutil.copytree(REAL_LAYERS, root / "layers")
    name = "planned_links.geojson" if case == "speed 'fast'" else "taizhou_bay.geojson"
    path = root / "layers" / name
    data = json.loads(path.read_text("utf-8"))
    if case == "speed 'fast'":
        data["links"][0]["design_speed_kmh"] = "fast"
    else:
        by_id = {f["properties"]["id"]: f for f in data["features"]}
        if case == "swapped polygon":
            ring = by_id["taizhou-central-core"]["geometry"]["coordinates"][0]
            by_id["taizhou-central-core"]["geometry"]["coordinates"][0] = [
                [lat, lon] for lon, lat in ring
            ]
        else:
            value = {"latitude 95": 95.0, "Infinity": float("inf"), "NaN": float("nan")}[case]
            by_id["zju-taizhou-institute"]["geometry"]["coordinates"][1] = value
    path.write_text(json.dumps(data, ensure_ascii=False), "utf-8")
    return root


@pytest.mark.parametrize(
    "case", ["swapped polygon", "latitude 95", "Infinity", "NaN", "speed 'fast'"]
)
@pytest.mark.parametrize(
    "command",
    [
        ["isochrone", "wenzhou-south-station", "20"],
        ["targets"],
        ["measure", "taizhou-central-core"],
        ["travel", "jiulong-lake", "longmen-lake"],
        ["features"],
    ],
)
@pytest.mark.slow
def test_cli_commands_on_bad_data_exit_2_with_the_list(
    tmp_path, monkeypatch, capsys, case, command
):
    root = _break_real(tmp_path, case)
    monkeypatch.setenv("CORRIDOR_MAP_DATA", str(root))
    problems = validate(root / "layers")
    assert problems
    assert cli.main(command) == 2
    captured = capsys.readouterr()
    assert str(problems[0]) in captured.err
    assert "Traceback" not in captured.err
    assert captured.out == ""


@pytest.mark.parametrize("depth", [40, 500, 960])
def test_a_deeply_nested_property_is_one_validate_line_not_a_recursion_error(
    tmp_path, capsys, depth
):
    """A 5 KB property nested hundreds of levels passed validate, then saving the report
    crashed every page with RecursionError (issue 27)."""
    data = _good()
    data["features"][1]["properties"]["extra"] = "NESTED"
    # Written as text: json.dumps itself cannot write 960 levels.
    text = json.dumps(data).replace('"NESTED"', '{"k":' * depth + '"x"' + "}" * depth)
    other = _collection(_feature("u-core", _point(121.386, 28.373), role="core"))
    folder = _layers(tmp_path, {"t.geojson": text, "u.geojson": other})
    (problem,) = _problems(folder)
    assert problem.feature_id == "-" and "nested too deeply" in problem.reason
    atlas = load_atlas(folder, strict=False)
    assert atlas.refused == ("t.geojson",) and "u-core" in atlas
    assert cli.main(["validate", "--layers", str(folder)]) == 1
    out = capsys.readouterr()
    assert "Traceback" not in out.err + out.out
    assert "t.geojson: -: -: malformed JSON: nested too deeply" in out.out + out.err


def _limited_memory() -> None:
    import resource

    # Today's reader fills memory from /dev/zero: keep that off the shared machine.
    resource.setrlimit(resource.RLIMIT_AS, (2_000_000_000, 2_000_000_000))


def test_data_files_that_are_not_regular_files_are_one_validate_line_each(tmp_path):
    """A FIFO made validate wait forever; a link to /dev/zero or /dev/urandom ended in
    MemoryError (issue 27). Run as a user would, in a process with a time limit."""
    folder = _layers(tmp_path, {"t.geojson": _good()})
    os.mkfifo(folder / "fifo.geojson")
    (folder / "zero.geojson").symlink_to("/dev/zero")
    (folder / "random.geojson").symlink_to("/dev/urandom")
    (folder / "folder.geojson").mkdir()
    with (folder / "huge.geojson").open("wb") as huge:  # sparse: no disk used
        huge.truncate(300_000_000)
    done = subprocess.run(
        [sys.executable, "-m", "corridor_map.cli.main", "validate", "--layers", str(folder)],
        capture_output=True,
        text=True,
        timeout=120,
        preexec_fn=_limited_memory,
    )
    assert done.returncode == 1, done.stderr
    text = done.stdout + done.stderr
    assert "Traceback" not in text and "MemoryError" not in text
    expected = {
        "fifo.geojson": "not a regular file (a named pipe (FIFO))",
        "zero.geojson": "not a regular file (a device)",
        "random.geojson": "not a regular file (a device)",
        "folder.geojson": "not a regular file (a folder)",
        "huge.geojson": "too large: 300,000,000 bytes > limit",
    }
    for name, reason in expected.items():
        (line,) = [ln for ln in text.splitlines() if name in ln]
        assert f"{name}: -: -: {reason}" in line, line
    assert not any("t.geojson" in ln for ln in text.splitlines())


def test_a_fifo_in_the_layers_is_refused_by_the_loader(tmp_path):
    folder = _layers(tmp_path, {"t.geojson": _good()})
    os.mkfifo(folder / "fifo.geojson")
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; from corridor_map.atlas.model import load_atlas; "
            "a = load_atlas(sys.argv[1], strict=False); print(a.refused, 't-core' in a)",
            str(folder),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.stdout.strip() == "('fifo.geojson',) True", done.stderr


@pytest.mark.parametrize(
    ("name", "reasons"),
    [
        ("中央\u200d创新核", ["U+200D ZERO WIDTH JOINER at 2"]),
        ("\u202e核新创央中", ["U+202E RIGHT-TO-LEFT OVERRIDE at 0"]),
        ("温岭\u2066科创\u2069", ["U+2066 LEFT-TO-RIGHT ISOLATE at 2"]),
        ("\u200b\u200c\ufeff", ["U+200B ZERO WIDTH SPACE at 0", "is empty once invisible"]),
        ("\u3164", ["U+3164 HANGUL FILLER at 0", "is empty once invisible"]),
        ("\u3000 ", ["missing or empty string"]),
        ("长" * 100_000, ["is 100,000 characters long; the limit is 120"]),
    ],
)
def test_spoofed_blank_or_flooding_names_are_refused(tmp_path, name, reasons):
    """Issue 27: a zero-width joiner made a name look exactly like 中央创新核; an override,
    an invisible-only or a 100,000-character name passed validate."""
    problems = [p for p in _broken(tmp_path, "t-core", name_zh=name) if p.field == "name_zh"]
    assert len(problems) == len(reasons), problems
    for problem, reason in zip(problems, reasons, strict=True):
        assert problem.feature_id == "t-core" and reason in problem.reason


def test_an_ordinary_name_with_spaces_and_punctuation_passes(tmp_path):
    assert _broken(tmp_path, "t-core", name_en="Jiulong Lake S&T Hub (九龙湖·科创)") == []


@pytest.mark.parametrize(
    ("field", "value", "where"),
    [
        ("precision_m", 1e308, "precision_m"),
        ("precision_m", 100_001, "precision_m"),
        ("measured", {"area_km2": 1e9}, "measured.area_km2"),
        ("measured", {"length_km": 1e6}, "measured.length_km"),
    ],
)
def test_numbers_outside_a_plausible_range_are_refused(tmp_path, field, value, where):
    """``precision_m = 1e308`` was accepted (issue 27)."""
    problems = _broken(tmp_path, "t-extent", **{field: value})
    (problem,) = [p for p in problems if p.field == where and "plausible" in p.reason]
    assert problem.feature_id == "t-extent" and "is outside the plausible range" in problem.reason


def test_numbers_at_the_edge_of_the_range_pass(tmp_path):
    assert _broken(tmp_path, "t-extent", precision_m=100_000) == []
