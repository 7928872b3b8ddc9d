"""Geodesic measures: known answers, the real layers, and uploaded GeoJSON validation."""

from __future__ import annotations

import json
import math

import pytest
import shapely
from pyproj import CRS, Geod, Transformer
from shapely.geometry import Polygon

from corridor_map.analysis.measure import (
    MeasureInputError,
    measure_feature,
    measure_geojson,
    stated_vs_measured,
)
from corridor_map.atlas.model import load_atlas
from corridor_map.cli.main import main
from corridor_map.core.errors import CorridorMapError
from corridor_map.geo.geodesy import geodesic_measure

GEOD = Geod(ellps="WGS84")


def _square_km(lon: float = 121.0, lat: float = 28.0, side_m: float = 1000.0) -> Polygon:
    """A 1 km × 1 km quadrilateral built by walking geodesics east and north."""
    east_lon, east_lat, _ = GEOD.fwd(lon, lat, 90, side_m)
    ne_lon, ne_lat, _ = GEOD.fwd(east_lon, east_lat, 0, side_m)
    north_lon, north_lat, _ = GEOD.fwd(lon, lat, 0, side_m)
    return Polygon([(lon, lat), (east_lon, east_lat), (ne_lon, ne_lat), (north_lon, north_lat)])


def _polygon_geojson(polygon: Polygon) -> dict:
    return {"type": "Polygon", "coordinates": [[list(c) for c in polygon.exterior.coords]]}


def test_one_km_square_measures_one_km2() -> None:
    result = measure_geojson(_polygon_geojson(_square_km()))
    assert result["totals"]["area_km2"] == pytest.approx(1.0, rel=1e-3)
    assert result["totals"]["perimeter_km"] == pytest.approx(4.0, rel=1e-3)


def test_orientation_does_not_change_the_area() -> None:
    square = _square_km()
    reversed_ring = Polygon(list(square.exterior.coords)[::-1])
    assert geodesic_measure(reversed_ring).area_km2 == pytest.approx(
        geodesic_measure(square).area_km2, rel=1e-12
    )
    assert geodesic_measure(reversed_ring).area_km2 > 0


def test_web_mercator_would_overstate_the_square_and_is_not_used() -> None:
    square = _square_km()
    to_mercator = Transformer.from_crs("EPSG:4326", "EPSG:3857", always_xy=True)
    mercator_km2 = shapely.transform(square, to_mercator.transform, interleaved=False).area / 1e6
    # 1 / cos²(28°) ≈ 1.284: Web Mercator inflates areas by about 28 % at this latitude.
    assert 1.28 <= mercator_km2 <= 1.35
    measured = geodesic_measure(square).area_km2
    assert abs(measured - 1.0) < 1e-3
    assert abs(measured - mercator_km2) / mercator_km2 > 0.2


def test_one_km_line_measures_one_km() -> None:
    end_lon, end_lat, _ = GEOD.fwd(120.7, 27.95, 37.0, 1000.0)
    line = {"type": "LineString", "coordinates": [[120.7, 27.95], [end_lon, end_lat]]}
    result = measure_geojson({"type": "Feature", "properties": {"name": "l"}, "geometry": line})
    assert result["features"][0]["length_km"] == pytest.approx(1.0, rel=1e-6)
    assert result["features"][0]["area_km2"] == 0


def test_feature_collection_totals_add_up() -> None:
    square = _polygon_geojson(_square_km())
    big = _polygon_geojson(_square_km(121.2, 28.3, 2000.0))
    data = {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "properties": {"id": "a"}, "geometry": square},
            {"type": "Feature", "properties": {"id": "b"}, "geometry": big},
            {"type": "Feature", "properties": {"id": "c"}, "geometry": None},
        ],
    }
    result = measure_geojson(json.dumps(data).encode())
    areas = [f["area_km2"] for f in result["features"]]
    assert areas[0] == pytest.approx(1.0, rel=1e-3)
    assert areas[1] == pytest.approx(4.0, rel=1e-3)
    assert result["totals"]["count"] == 3
    assert result["totals"]["area_km2"] == pytest.approx(5.0, rel=1e-3)
    assert any("no geometry" in w for w in result["warnings"])


def _independent_area_km2(geometry: Polygon) -> float:
    """Area in an Albers equal-area projection centred on the shape (not pyproj.Geod)."""
    lon, lat = geometry.centroid.x, geometry.centroid.y
    albers = CRS.from_proj4(
        f"+proj=aea +lat_1={lat - 1} +lat_2={lat + 1} +lat_0={lat} +lon_0={lon} "
        "+ellps=WGS84 +units=m"
    )
    to_albers = Transformer.from_crs("EPSG:4326", albers, always_xy=True)
    return shapely.transform(geometry, to_albers.transform, interleaved=False).area / 1e6


def test_taizhou_core_area_matches_an_equal_area_projection() -> None:
    core = load_atlas().get("taizhou-central-core")
    assert core.geometry is not None
    measured = measure_feature("taizhou-central-core")["area_km2"]
    assert measured == pytest.approx(_independent_area_km2(core.geometry), rel=1e-3)
    # The same figure appears in the stated-vs-measured table beside the stated 41 km².
    rows = [r for r in stated_vs_measured() if r["feature_id"] == "taizhou-central-core"]
    area_rows = [r for r in rows if r["quantity"] == "area"]
    assert area_rows and area_rows[0]["stated_value"] == 41
    assert area_rows[0]["measured_value"] == pytest.approx(measured, abs=1e-3)


def test_stated_areas_sit_beside_independent_measures() -> None:
    rows = [r for r in stated_vs_measured() if r["quantity"] == "area" and r["comparable"]]
    assert rows, "no comparable stated area in the layers"
    atlas = load_atlas()
    for row in rows:
        geometry = atlas.get(row["feature_id"]).geometry
        independent = _independent_area_km2(geometry)
        stated_km2 = row["stated_value"] * {"km²": 1.0, "万m²": 1e-2, "m²": 1e-6}[row["unit"]]
        expected_pct = (independent - stated_km2) / stated_km2 * 100
        assert row["difference_pct"] == pytest.approx(expected_pct, abs=0.2), row["feature_id"]


def test_stated_vs_measured_explains_what_is_not_comparable() -> None:
    rows = stated_vs_measured()
    atlas = load_atlas()
    stated_count = sum(len(f.stated) for f in atlas)
    assert len(rows) == stated_count
    for row in rows:
        if row["quantity"] == "floor_area":
            assert not row["comparable"] and "floor area is not a land area" in row["note_en"]
        elif row["quantity"] == "travel_time":
            assert not row["comparable"] and "travel targets" in row["note_en"]
        elif atlas.get(row["feature_id"]).geometry is None:
            assert not row["comparable"] and "unlocated" in row["note_en"]
        if not row["comparable"]:
            assert row["measured_value"] is None and row["difference_pct"] is None
    quantities = {r["quantity"] for r in rows}
    assert {"floor_area", "travel_time"} <= quantities


@pytest.mark.parametrize(
    ("data", "fragment"),
    [
        (b"{", "not valid JSON"),
        (b"   ", "empty"),
        (b"\xff\xfe{}", "not UTF-8"),
        (json.dumps({"type": "Banana"}).encode(), "unknown GeoJSON type"),
        (json.dumps([1, 2]).encode(), "not a GeoJSON object"),
        (json.dumps({"type": "FeatureCollection"}).encode(), "no features list"),
        (
            json.dumps({"type": "Point", "coordinates": [28.0, 121.0]}).encode(),
            "looks like (lat, lon)",
        ),
        (
            json.dumps({"type": "Point", "coordinates": [345000.0, 3100000.0]}).encode(),
            "projected metres",
        ),
        (json.dumps({"type": "Point", "coordinates": ["121", 28]}).encode(), "invalid position"),
        (json.dumps({"type": "Point", "coordinates": [121.0]}).encode(), "invalid position"),
        (json.dumps({"type": "Polygon", "coordinates": [121.0, 28.0]}).encode(), "nested wrongly"),
        (
            json.dumps(
                {
                    "type": "Point",
                    "coordinates": [121.0, 28.0],
                    "crs": {"type": "name", "properties": {"name": "EPSG:3857"}},
                }
            ).encode(),
            "not WGS84",
        ),
        (
            json.dumps({"type": "FeatureCollection", "features": [{"type": "Point"}]}).encode(),
            "feature #0",
        ),
    ],
)
def test_bad_uploads_get_a_clear_message(data: bytes, fragment: str) -> None:
    with pytest.raises(MeasureInputError) as caught:
        measure_geojson(data, name="mine.geojson")
    assert fragment in str(caught.value)
    assert "mine.geojson" in str(caught.value)


def test_upload_size_limit_is_checked_before_parsing() -> None:
    data = json.dumps(_polygon_geojson(_square_km())).encode()
    with pytest.raises(MeasureInputError, match="too large"):
        measure_geojson(data + b" " * 100, max_bytes=len(data))
    assert measure_geojson(data, max_bytes=len(data))["totals"]["count"] == 1
    drawn = _polygon_geojson(_square_km())
    with pytest.raises(MeasureInputError, match="too large"):
        measure_geojson(drawn, max_bytes=50)


def test_self_intersecting_polygon_is_measured_with_a_warning() -> None:
    bowtie = {
        "type": "Polygon",
        "coordinates": [
            [[121.0, 28.0], [121.01, 28.01], [121.01, 28.0], [121.0, 28.01], [121.0, 28.0]]
        ],
    }
    result = measure_geojson(bowtie)
    assert result["warnings"] and "invalid geometry" in result["warnings"][0]


def test_every_curated_polygon_measures_positive_and_lines_have_length() -> None:
    for found in load_atlas():
        if found.corridor == "reference" or found.geometry is None:
            continue
        m = measure_feature(found.id)
        if found.geometry.geom_type.endswith("Polygon"):
            assert m["area_km2"] > 0 and m["perimeter_km"] > 0
            assert math.isclose(m["length_km"], 0.0)
        if found.geometry.geom_type.endswith("LineString"):
            assert m["length_km"] > 0


def test_unknown_feature_is_a_clear_error() -> None:
    with pytest.raises(CorridorMapError, match="no-such-feature"):
        measure_feature("no-such-feature")


def test_cli_measure_json_and_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["measure", "longmen-lake", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["id"] == "longmen-lake" and out["area_km2"] > 0
    assert main(["measure", "no-such-feature"]) == 2
    assert "no-such-feature" in capsys.readouterr().err
    assert main(["measure", "--stated", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert rows == json.loads(json.dumps(stated_vs_measured(), ensure_ascii=False))


def test_cli_measures_a_file_and_refuses_a_broken_one(
    tmp_path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = tmp_path / "square.geojson"
    good.write_text(json.dumps(_polygon_geojson(_square_km())), encoding="utf-8")
    assert main(["measure", "--file", str(good), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["totals"]["area_km2"] == pytest.approx(1, rel=1e-3)
    bad = tmp_path / "swapped.geojson"
    bad.write_text(json.dumps({"type": "Point", "coordinates": [28.0, 121.0]}), encoding="utf-8")
    assert main(["measure", "--file", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "swapped.geojson" in err and "Traceback" not in err
    assert main(["measure", "--file", str(tmp_path / "missing.geojson")]) == 2
    assert "missing.geojson" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("data", "fragment"),
    [
        (b"[" * 100_000 + b"]" * 100_000, "nested too deeply"),
        (json.dumps({"type": [], "coordinates": [121.0, 28.0]}).encode(), "unknown GeoJSON type"),
        (
            json.dumps({"type": "Feature", "geometry": {"type": {}, "coordinates": []}}).encode(),
            "unknown geometry type",
        ),
        (
            json.dumps({"type": "GeometryCollection", "geometries": [None]}).encode(),
            "unknown geometry type",
        ),
        (
            json.dumps({"type": "GeometryCollection", "geometries": "x"}).encode(),
            "no geometries list",
        ),
        (
            json.dumps({"type": "GeometryCollection", "geometries": [{"type": "Foo"}]}).encode(),
            "unknown geometry type",
        ),
    ],
)
def test_odd_uploads_get_a_message_not_a_traceback(data: bytes, fragment: str) -> None:
    # each of these raised RecursionError, TypeError or KeyError before
    with pytest.raises(MeasureInputError) as caught:
        measure_geojson(data, name="odd.geojson")
    assert fragment in str(caught.value)
    assert "odd.geojson" in str(caught.value)
