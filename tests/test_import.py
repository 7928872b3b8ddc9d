"""Imports: every format and coordinate system, the limits, and each refusal's message."""

from __future__ import annotations

import io
import json
import zipfile

import geopandas as gpd
import numpy as np
import pytest
import shapely
from pyproj import Geod

from corridor_map.analysis import uploads as imports
from corridor_map.analysis.measure import MeasureInputError
from corridor_map.analysis.upload_notes import UploadError, reference_points
from corridor_map.analysis.uploads import measure_upload, read_upload
from corridor_map.cli.main import main
from corridor_map.geo import gcj02
from corridor_map.geo.geodesy import geodesic_area_km2

GEOD = Geod(ellps="WGS84")

# A 1 km × 1 km grid square on the central meridian (120°E) of CGCS2000 3-degree
# Gauss-Krüger zone 40 (EPSG:4528, zone number in the easting). The scale factor there is
# 1 (off by 1 + x²/2R² ≈ 3e-9 at 500 m), so its true area is 1.000 km².
GK_SQUARE = shapely.box(40_499_500, 3_160_000, 40_500_500, 3_161_000)
# A polygon in Wenling (WGS84 degrees) for the geographic formats.
WENLING = shapely.Polygon(
    [(121.36, 28.37), (121.40, 28.37), (121.40, 28.40), (121.36, 28.40), (121.36, 28.37)]
)
POINT = (121.42, 28.66)  # a WGS84 point in Taizhou


def _metres(lon1, lat1, lon2, lat2) -> float:
    return float(GEOD.inv(lon1, lat1, lon2, lat2)[2])


def _zip(folder, stem: str, skip: tuple[str, ...] = ()) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path in sorted(folder.glob(f"{stem}.*")):
            if path.suffix not in skip:
                archive.write(path, path.name)
    return buffer.getvalue()


def _frame(geometry, crs: str, name: str = "温岭方块") -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({"name": [name], "role": ["zone"]}, geometry=[geometry], crs=crs)


@pytest.fixture
def gk_shapefile(tmp_path) -> bytes:
    _frame(GK_SQUARE, "EPSG:4528").to_file(tmp_path / "square.shp", encoding="utf-8")
    return _zip(tmp_path, "square")


# ----------------------------------------------------------------------- formats and CRSs


def test_geojson_wgs84_measures_like_the_geodesic_area():
    data = json.dumps(
        {"type": "Feature", "properties": {"name": "温岭"}, "geometry": WENLING.__geo_interface__}
    ).encode()
    result = measure_upload(data, "a.geojson")["result"]
    assert result["totals"]["area_km2"] == pytest.approx(geodesic_area_km2(WENLING), rel=1e-9)
    assert result["source_crs"].startswith("EPSG:4326")
    assert result["features"][0]["name"] == "温岭"


def test_gauss_kruger_shapefile_square_is_one_square_kilometre(gk_shapefile):
    result = measure_upload(gk_shapefile, "square.zip")["result"]
    assert result["source_crs"] == "EPSG:4528 CGCS2000 / 3-degree Gauss-Kruger zone 40"
    assert result["totals"]["area_km2"] == pytest.approx(1.0, rel=1e-3)
    assert result["features"][0]["name"] == "温岭方块"  # attributes (Chinese) kept


def test_gauss_kruger_without_zone_prefix_reprojected(tmp_path):
    # EPSG:4549 is the same projection as 4528 with the "40" dropped from the easting.
    square = shapely.affinity.translate(GK_SQUARE, xoff=-40_000_000)
    _frame(square, "EPSG:4549").to_file(tmp_path / "cm120.shp", encoding="utf-8")
    result = measure_upload(_zip(tmp_path, "cm120"), "cm120.zip")["result"]
    assert result["totals"]["area_km2"] == pytest.approx(1.0, rel=1e-3)


def test_cgcs2000_geographic_geopackage(tmp_path):
    _frame(WENLING, "EPSG:4490").to_file(tmp_path / "z.gpkg", driver="GPKG")
    imported = read_upload((tmp_path / "z.gpkg").read_bytes(), "z.gpkg")
    assert imported.source_crs == "EPSG:4490 China Geodetic Coordinate System 2000"
    got = shapely.geometry.shape(imported.collection["features"][0]["geometry"])
    # CGCS2000 and WGS84 agree to centimetres: the coordinates come through unchanged.
    assert shapely.equals_exact(got, WENLING, tolerance=1e-7)


def test_geojson_crs_member_reprojected():
    data = {
        "type": "FeatureCollection",
        "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::4528"}},
        "features": [
            {"type": "Feature", "properties": {}, "geometry": GK_SQUARE.__geo_interface__}
        ],
    }
    result = measure_upload(json.dumps(data).encode(), "gk.geojson")["result"]
    assert result["totals"]["area_km2"] == pytest.approx(1.0, rel=1e-3)


def test_kml_and_kmz(tmp_path):
    _frame(WENLING, "EPSG:4326").to_file(tmp_path / "z.kml", driver="LIBKML")
    kml = (tmp_path / "z.kml").read_bytes()
    expected = geodesic_area_km2(WENLING)
    result = measure_upload(kml, "z.kml")["result"]
    assert result["totals"]["area_km2"] == pytest.approx(expected, rel=1e-9)
    assert result["features"][0]["name"] == "温岭方块"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("doc.kml", kml)
    kmz = measure_upload(buffer.getvalue(), "z.kmz")["result"]
    assert kmz["totals"]["area_km2"] == pytest.approx(expected, rel=1e-9)


def test_kml_unclosed_ring_is_closed_and_warned():
    kml = (
        '<?xml version="1.0" encoding="UTF-8"?><kml xmlns="http://www.opengis.net/kml/2.2">'
        "<Document><Placemark><name>开口</name><Polygon><outerBoundaryIs><LinearRing>"
        "<coordinates>121.36,28.37 121.40,28.37 121.40,28.40 121.36,28.40</coordinates>"
        "</LinearRing></outerBoundaryIs></Polygon></Placemark></Document></kml>"
    ).encode()
    result = measure_upload(kml, "open.kml")["result"]
    assert result["totals"]["area_km2"] == pytest.approx(geodesic_area_km2(WENLING), rel=1e-9)
    assert any("not closed" in w for w in result["warnings"])


def test_csv_wgs84_with_chinese_columns_and_gbk_encoding():
    text = "名称,经度,纬度\n台州站,121.42,28.66\n温岭站,121.38,28.38\n"
    imported = read_upload(text.encode("gb18030"), "pts.csv", "EPSG:4326")
    features = imported.collection["features"]
    assert [f["properties"]["名称"] for f in features] == ["台州站", "温岭站"]
    assert features[0]["geometry"]["coordinates"] == pytest.approx(POINT)


@pytest.mark.parametrize(
    ("system", "forward"), [("BD-09", gcj02.wgs84_to_bd09), ("GCJ-02", gcj02.wgs84_to_gcj02)]
)
def test_csv_declared_offset_lands_within_a_metre(system, forward):
    lon, lat = forward(*POINT)
    text = f"name,lng,lat\n取自地图,{lon:.7f},{lat:.7f}\n"
    imported = read_upload(text.encode(), "picked.csv", system)
    got = imported.collection["features"][0]["geometry"]["coordinates"]
    assert _metres(got[0], got[1], *POINT) < 1.0
    # and the declared system did move it: the raw numbers are hundreds of metres off
    assert _metres(lon, lat, *POINT) > 300
    assert imported.source_crs == system


def test_projected_csv_declared():
    text = "x,y\n40500000,3160000\n"
    imported = read_upload(text.encode(), "gk.csv", "EPSG:4528")
    lon, _ = imported.collection["features"][0]["geometry"]["coordinates"]
    assert lon == pytest.approx(120.0, abs=1e-9)  # on the central meridian


def test_geometry_collection_members_measured_and_drawn_flat():
    collection = {
        "type": "GeometryCollection",
        "geometries": [
            WENLING.__geo_interface__,
            {"type": "LineString", "coordinates": [[121.3, 28.3], [121.31, 28.31]]},
        ],
    }
    out = measure_upload(json.dumps(collection).encode(), "gc.geojson")
    assert out["result"]["totals"]["area_km2"] == pytest.approx(geodesic_area_km2(WENLING))
    assert out["result"]["totals"]["length_km"] > 1.0
    assert [g["type"] for g in out["display"]] == ["Polygon", "LineString"]
    assert any("GeometryCollection" in w for w in out["result"]["warnings"])


def test_geojson_unclosed_ring_warned():
    ring = [list(p) for p in WENLING.exterior.coords][:-1]
    data = {"type": "Polygon", "coordinates": [ring]}
    result = measure_upload(json.dumps(data).encode(), "open.geojson")["result"]
    assert any("不是闭合" in w or "not closed" in w for w in result["warnings"])
    assert result["totals"]["area_km2"] == pytest.approx(geodesic_area_km2(WENLING), rel=1e-9)


def _stations() -> list[dict]:
    layer = imports.Path(__file__).parents[1] / "layers" / "ref_rail_stations.geojson"
    return json.loads(layer.read_text())["features"]


@pytest.mark.parametrize(
    ("system", "image"), [("GCJ-02", gcj02.wgs84_to_gcj02), ("BD-09", gcj02.wgs84_to_bd09)]
)
def test_a_file_picked_on_gaode_or_baidu_is_warned(atlas, system, image):
    stations = _stations()[:6]
    points = [list(image(*s["geometry"]["coordinates"])) for s in stations]
    data = {"type": "MultiPoint", "coordinates": points}
    refs = reference_points(atlas)
    result = measure_upload(json.dumps(data).encode(), "picked.geojson", references=refs)
    (warning,) = [w for w in result["result"]["warnings"] if system in w]
    assert "6 reference stations" in warning and f"declare {system}" in warning
    # the stations themselves raise no such warning
    plain = {"type": "MultiPoint", "coordinates": [s["geometry"]["coordinates"] for s in stations]}
    out = measure_upload(json.dumps(plain).encode(), "wgs.geojson", references=refs)
    assert out["result"]["warnings"] == []


def test_one_vertex_near_one_image_is_no_alarm(atlas):
    """Issue 21: one vertex of a curated polygon 23 m from a station's Baidu image made
    every export look like BD-09."""
    lon, lat = _stations()[0]["geometry"]["coordinates"]
    blon, blat = gcj02.wgs84_to_bd09(lon, lat)
    ring = [[blon, blat], [blon + 0.01, blat], [blon + 0.01, blat + 0.01], [blon, blat]]
    data = {"type": "Polygon", "coordinates": [ring]}
    result = measure_upload(
        json.dumps(data).encode(), "lake.geojson", references=reference_points(atlas)
    )["result"]
    assert not [w for w in result["warnings"] if "BD-09" in w or "GCJ-02" in w]


def test_upload_parsed_once_per_content(monkeypatch, gk_shapefile):
    calls = []
    real = imports.read_upload
    monkeypatch.setattr(imports, "read_upload", lambda *a, **k: calls.append(1) or real(*a, **k))
    first = measure_upload(gk_shapefile + b"", "again.zip")
    second = measure_upload(bytes(gk_shapefile), "again.zip")
    assert first is second and len(calls) == 1


def test_display_copy_is_simplified_measure_is_not():
    circle = shapely.Point(121.4, 28.5).buffer(0.05, quad_segs=5000)  # 20 001 vertices
    data = json.dumps({"type": "Polygon", "coordinates": [list(circle.exterior.coords)]})
    out = measure_upload(data.encode(), "round.geojson")
    drawn = shapely.geometry.shape(out["display"][0])
    assert shapely.get_num_coordinates(drawn) <= imports.DISPLAY_MAX_VERTICES
    assert out["result"]["totals"]["area_km2"] == pytest.approx(geodesic_area_km2(circle))


# ---------------------------------------------------------------------------- refusals


def _refusal(data: bytes, name: str, crs: str | None = None, **limits) -> UploadError:
    with pytest.raises(UploadError) as info:
        read_upload(data, name, crs, **limits)
    return info.value


def test_shapefile_without_prj_names_what_was_found(tmp_path):
    _frame(GK_SQUARE, "EPSG:4528").to_file(tmp_path / "s.shp", encoding="utf-8")
    error = _refusal(_zip(tmp_path, "s", skip=(".prj",)), "s.zip")
    assert "no coordinate system" in error.en and "EPSG:4528" in error.en
    assert "x 40499500…40500500" in error.en
    assert "没有坐标系" in error.text("zh") and "s.zip" in error.text("zh")
    # once declared, it reads
    assert read_upload(_zip(tmp_path, "s", skip=(".prj",)), "s.zip", "EPSG:4528").vertices == 5


def test_csv_without_declared_crs_refused():
    error = _refusal(b"lon,lat\n121.42,28.66\n", "p.csv")
    assert "CSV carries no coordinate system" in error.en
    assert "looks like longitude/latitude degrees" in error.en


def test_coordinates_that_do_not_fit_the_declared_crs(gk_shapefile, tmp_path):
    # degrees declared as Gauss-Krüger metres
    error = _refusal(b"lon,lat\n121.42,28.66\n", "p.csv", "EPSG:4528")
    assert "do not fit the projected EPSG:4528" in error.en and "look like degrees" in error.en
    # zone-prefixed eastings declared as the CM 120°E system without the prefix
    _frame(GK_SQUARE, "EPSG:4528").to_file(tmp_path / "s.shp", encoding="utf-8")
    error = _refusal(_zip(tmp_path, "s", skip=(".prj",)), "s.zip", "EPSG:4549")
    assert "do not fit EPSG:4549" in error.en and "zone prefix 40 EPSG:4528" in error.en
    # metres declared as degrees
    error = _refusal(b"x,y\n40500000,3160000\n", "m.csv", "EPSG:4490")
    assert "do not fit EPSG:4490" in error.en
    # swapped columns
    error = _refusal(b"lon,lat\n28.66,121.42\n", "s.csv", "EPSG:4326")
    assert "(lat, lon) order" in error.en
    # an offset declared on a projected file
    error = _refusal(gk_shapefile, "square.zip", "GCJ-02")
    assert "declared GCJ-02" in error.en and "projected" in error.en


@pytest.mark.parametrize(
    ("data", "name", "crs", "english", "chinese"),
    [
        (b"x", "notes.docx", None, "unsupported file type .docx", "不支持的文件类型"),
        (b"x", "a.shp", None, "zip a Shapefile", "压缩成 .zip"),
        (b"   ", "a.geojson", None, "file is empty", "文件为空"),
        (b"PK-not-a-zip", "a.zip", None, "not a valid zip archive", "不是有效的 zip"),
        (b"garbage", "a.gpkg", None, "cannot be read as GeoPackage", "无法作为 GeoPackage"),
        (b"name,value\na,1\n", "a.csv", "EPSG:4326", "columns found: name, value", "现有列"),
        (b"lon,lat\n121.4,north\n", "a.csv", "EPSG:4326", "data row 1: lon/lat", "第 1 个数据行"),
        (b"lon,lat\n121.4,inf\n", "a.csv", "EPSG:4326", "not finite numbers", "不是有限的数字"),
        (
            b'{"type":"FeatureCollection","features":[]}',
            "e.geojson",
            None,
            "no features",
            "没有要素",
        ),
        (b"lon,lat\n121.4,28.6\n", "a.csv", "EPSG:99999", "unknown coordinate system", "无法识别"),
    ],
)
def test_refusals_name_the_problem_in_both_languages(data, name, crs, english, chinese):
    error = _refusal(data, name, crs)
    assert english in error.text("en") and name in error.text("en")
    assert chinese in error.text("zh") and name in error.text("zh")
    assert imports.error_text(error, "zh") == error.zh


def test_zip_without_dbf_and_zip_with_two_shapefiles(tmp_path):
    _frame(GK_SQUARE, "EPSG:4528").to_file(tmp_path / "s.shp", encoding="utf-8")
    assert "lacks .dbf" in _refusal(_zip(tmp_path, "s", skip=(".dbf",)), "s.zip").en
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("a.shp", b"")
        archive.writestr("b.shp", b"")
    assert "exactly one .shp (found 2)" in _refusal(buffer.getvalue(), "two.zip").en


def test_size_and_vertex_limits():
    data = json.dumps({"type": "Polygon", "coordinates": [list(WENLING.exterior.coords)]})
    error = _refusal(data.encode(), "big.geojson", max_bytes=100)
    assert "file too large" in error.en and "文件过大" in error.zh
    error = _refusal(data.encode(), "dense.geojson", max_vertices=4)
    assert "too many vertices: 5 > limit 4" in error.en and "顶点过多" in error.zh
    points = "lon,lat\n" + "121.4,28.6\n" * 5
    assert "too many vertices" in _refusal(points.encode(), "p.csv", "EPSG:4326", max_vertices=4).en


def test_zip_bomb_refused_by_what_it_really_inflates_to():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("a.kml", b"\0" * 60_000_000)  # about 60 KB compressed
    error = _refusal(buffer.getvalue(), "bomb.kmz")
    assert "unpacks to more than 50,000,000 bytes" in error.en and "解压后过大" in error.zh


def test_geojson_errors_keep_their_feature_and_position():
    data = {"type": "Point", "coordinates": [121.4, "north"]}
    with pytest.raises(MeasureInputError, match=r"feature #0: .*invalid position"):
        read_upload(json.dumps(data).encode(), "bad.geojson")


# --------------------------------------------------------------------------------- CLI


def test_cli_measure_file_shapefile_and_csv(gk_shapefile, tmp_path, capsys):
    path = tmp_path / "square.zip"
    path.write_bytes(gk_shapefile)
    assert main(["measure", "--file", str(path), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["totals"]["area_km2"] == pytest.approx(1.0, rel=1e-3)
    assert out["source_crs"].startswith("EPSG:4528")
    lon, lat = gcj02.wgs84_to_bd09(*POINT)
    csv = tmp_path / "baidu.csv"
    csv.write_text(f"lng,lat\n{lon},{lat}\n")
    assert main(["measure", "--file", str(csv), "--crs", "BD-09"]) == 0
    assert "BD-09" in capsys.readouterr().out


def test_cli_measure_file_refusal_is_one_line(tmp_path, capsys):
    csv = tmp_path / "p.csv"
    csv.write_text("lon,lat\n121.4,28.6\n")
    assert main(["measure", "--file", str(csv)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "p.csv" in err and "no coordinate system" in err


def test_reference_vectors_are_vectorised():
    lon, lat = gcj02.bd09_to_wgs84(np.array([121.4, 121.5]), np.array([28.6, 28.5]))
    assert lon.shape == (2,) and np.all(np.isfinite(lat))


@pytest.mark.parametrize("code", list(range(4513, 4555)))
def test_every_cgcs2000_three_degree_zone(code):
    from pyproj import CRS, Transformer

    crs = CRS.from_epsg(code)
    area = crs.area_of_use
    lat = (area.south + area.north) / 2
    cm = next(
        p.value for p in crs.coordinate_operation.params if p.name == "Longitude of natural origin"
    )
    x, y = Transformer.from_crs(4326, crs, always_xy=True).transform(cm, lat)
    square = shapely.box(x - 500, y - 500, x + 500, y + 500)
    data = {
        "type": "Feature",
        "crs": {"type": "name", "properties": {"name": f"EPSG:{code}"}},
        "properties": {},
        "geometry": square.__geo_interface__,
    }
    result = measure_upload(json.dumps(data).encode(), f"z{code}.geojson")["result"]
    assert result["source_crs"].startswith(f"EPSG:{code} CGCS2000 / 3-degree Gauss-Kruger")
    assert result["totals"]["area_km2"] == pytest.approx(1.0, rel=1e-3)


def test_zipped_geopackage_read_as_it_is(tmp_path):
    _frame(WENLING, "EPSG:4490").to_file(tmp_path / "z.gpkg", driver="GPKG")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.write(tmp_path / "z.gpkg", "z.gpkg")
    result = measure_upload(buffer.getvalue(), "z.zip")["result"]
    assert result["totals"]["area_km2"] == pytest.approx(geodesic_area_km2(WENLING), rel=1e-6)


@pytest.mark.parametrize(
    ("prj", "english"),
    [
        ("garbage text", "the .prj cannot be read as a coordinate system (garbage text)"),
        ('LOCAL_CS["site grid"]', "cannot be converted to WGS84"),
    ],
)
def test_unreadable_or_local_prj_named(tmp_path, prj, english):
    _frame(GK_SQUARE, "EPSG:4528").to_file(tmp_path / "s.shp", encoding="utf-8")
    (tmp_path / "s.prj").write_text(prj)
    error = _refusal(_zip(tmp_path, "s"), "s.zip")
    assert english in error.en and "s.zip" in error.zh


def test_xian_1980_prj_reprojected(tmp_path):
    # A Xi'an 1980 3-degree zone-40 .prj as ArcGIS writes it: reprojected (datum shift
    # by PROJ's ballpark transformation, metre-level), the square keeps its area.
    _frame(GK_SQUARE, "EPSG:2364").to_file(tmp_path / "x.shp", encoding="utf-8")
    result = measure_upload(_zip(tmp_path, "x"), "x.zip")["result"]
    assert result["source_crs"].startswith("EPSG:2364 Xian 1980")
    assert result["totals"]["area_km2"] == pytest.approx(1.0, rel=1e-3)


def test_csv_delimiter_sniffed_and_empty_rows_skipped():
    imported = read_upload(b"lon;lat;name\n121.42;28.66;a\n;;\n", "semi.csv", "EPSG:4326")
    assert len(imported.collection["features"]) == 1
    assert imported.collection["features"][0]["properties"] == {"name": "a"}


@pytest.mark.slow
@pytest.mark.parametrize("suffix", ["geojson", "gpkg"])
def test_our_own_export_raises_no_coordinate_system_alarm(tmp_path, capsys, suffix):
    """Issue 21: re-importing any export said "looks like BD-09" (one vertex of 九龙湖 lay
    23 m from a station's Baidu image)."""
    out = tmp_path / f"features.{suffix}"
    assert main(["export", "features", "--out", str(out)]) == 0
    capsys.readouterr()
    assert main(["measure", "--file", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "GCJ-02" not in printed and "BD-09" not in printed, printed
