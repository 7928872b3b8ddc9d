"""Hostile uploads (issue 27): each is refused quickly with one message naming the file
and the limit, never a hang, a traceback or gigabytes of memory.

The files are built here: zips that lie about their sizes, GeoPackages with thousands of
layers or with SQL views that scan 50 million rows or never end, CSVs on one line or with
huge headers and fields, GeometryCollections nested hundreds deep.
"""

from __future__ import annotations

import io
import json
import sqlite3
import struct
import zipfile
from pathlib import Path

import geopandas as gpd
import pytest
import shapely

from corridor_map.analysis.upload_notes import UploadError
from corridor_map.analysis.uploads import Limits, read_upload

POLYGON = shapely.Polygon(
    [(121.36, 28.37), (121.40, 28.37), (121.40, 28.40), (121.36, 28.40), (121.36, 28.37)]
)


def _refusal(data: bytes, name: str, crs: str | None = None, **kwargs) -> UploadError:
    with pytest.raises(UploadError) as info:
        read_upload(data, name, crs, **kwargs)
    error = info.value
    assert name in error.text("en") and name in error.text("zh")
    assert "\n" not in error.text("en") and "Traceback" not in error.text("en")
    return error


# ------------------------------------------------------------------------------- zips


def _lying_zip(member: str, real: bytes, declared: int) -> bytes:
    """A zip whose member declares ``declared`` bytes but inflates to ``len(real)``."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(member, real)
    data = bytearray(buffer.getvalue())
    local = data.find(b"PK\x03\x04")
    struct.pack_into("<I", data, local + 22, declared)  # uncompressed size
    central = data.find(b"PK\x01\x02")
    struct.pack_into("<I", data, central + 24, declared)
    return bytes(data)


def test_a_zip_that_lies_about_its_sizes_is_refused_by_what_it_inflates_to():
    """A 4.9 MB KMZ declaring 300 bytes took the server to 8.5 GB (issue 27)."""
    kml = b'<?xml version="1.0"?><kml xmlns="http://www.opengis.net/kml/2.2"><Document>'
    data = _lying_zip("doc.kml", kml + b" " * 30_000_000 + b"</Document></kml>", 300)
    assert zipfile.ZipFile(io.BytesIO(data)).infolist()[0].file_size == 300
    error = _refusal(data, "liar.kmz")
    assert "doc.kml is damaged" in error.en and "declares" in error.en


def test_an_honest_zip_bomb_stops_at_the_limit():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("a.shp", b"\0" * 60_000_000)
        archive.writestr("a.shx", b"")
        archive.writestr("a.dbf", b"")
    assert "unpacks to more than 50,000,000 bytes" in _refusal(buffer.getvalue(), "b.zip").en


def test_archive_member_names_cannot_leave_the_folder(tmp_path):
    gpd.GeoDataFrame({"name": ["a"]}, geometry=[POLYGON], crs="EPSG:4326").to_file(
        tmp_path / "a.gpkg"
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.write(tmp_path / "a.gpkg", "../../../../tmp/escape.gpkg")
    imported = read_upload(buffer.getvalue(), "evil.zip")
    assert imported.vertices == 5
    assert not Path("/tmp/escape.gpkg").exists()


# ------------------------------------------------------------------------- GeoPackage


def _geopackage(tmp_path: Path) -> Path:
    path = tmp_path / "base.gpkg"
    gpd.GeoDataFrame({"name": ["a"]}, geometry=[POLYGON], crs="EPSG:4326").to_file(
        path, layer="zones"
    )
    return path


def _register(connection: sqlite3.Connection, table: str) -> None:
    connection.execute(
        "INSERT INTO gpkg_contents (table_name, data_type, identifier, srs_id) "
        "VALUES (?, 'features', ?, 4326)",
        (table, table),
    )
    connection.execute(
        "INSERT INTO gpkg_geometry_columns VALUES (?, 'geom', 'POLYGON', 4326, 0, 0)", (table,)
    )


def test_a_geopackage_with_two_thousand_layers_is_refused_before_reading(tmp_path):
    path = _geopackage(tmp_path)
    with sqlite3.connect(path) as connection:
        connection.execute("PRAGMA page_size = 512")  # 2,000 tables in under 5 MB
        connection.execute("VACUUM")
    with sqlite3.connect(path) as connection:
        for i in range(1999):
            connection.execute(f"CREATE TABLE t{i} (fid INTEGER PRIMARY KEY, geom BLOB)")
            _register(connection, f"t{i}")
    error = _refusal(path.read_bytes(), "many.gpkg")
    assert "too many layers: 2,000 > limit 50" in error.en and "图层过多" in error.zh


@pytest.mark.parametrize(
    ("view", "sql"),
    [
        (
            "fifty_million",
            "WITH RECURSIVE r(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM r "
            "WHERE i < 50000000) SELECT i AS fid, NULL AS geom FROM r",
        ),
        (
            "forever",
            "WITH RECURSIVE r(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM r) "
            "SELECT i AS fid, NULL AS geom FROM r",
        ),
    ],
)
def test_a_geopackage_layer_that_is_a_view_is_not_followed(tmp_path, view, sql):
    path = _geopackage(tmp_path)
    with sqlite3.connect(path) as connection:
        connection.execute(f"CREATE VIEW {view} AS {sql}")
        _register(connection, view)
    error = _refusal(path.read_bytes(), "view.gpkg")
    assert f"layer {view} is an SQL view; views are not read" in error.en


def test_a_geopackage_layer_with_too_many_rows_is_refused_by_its_count(tmp_path):
    path = _geopackage(tmp_path)
    with sqlite3.connect(path) as connection:
        connection.execute("CREATE TABLE dots (fid INTEGER PRIMARY KEY, geom BLOB)")
        connection.executemany("INSERT INTO dots (geom) VALUES (NULL)", [()] * 1000)
        _register(connection, "dots")
    error = _refusal(path.read_bytes(), "rows.gpkg", max_vertices=500)
    assert "layer dots holds 1,000 rows > limit 500" in error.en


def test_a_good_geopackage_still_reads(tmp_path):
    imported = read_upload(_geopackage(tmp_path).read_bytes(), "good.gpkg")
    assert imported.vertices == 5 and imported.collection["features"][0]["properties"] == {
        "name": "a"
    }


# -------------------------------------------------------------------------------- CSV


def test_a_csv_on_one_line_is_refused_by_its_line_length():
    data = b"lon,lat," + b"x," * 2_400_000
    error = _refusal(data, "one-line.csv", "EPSG:4326")
    assert "CSV line 1 is 4,800,008 characters long; the limit is 20,000" in error.en


def test_a_csv_header_with_too_many_columns_is_refused():
    header = ",".join(f"c{i}" for i in range(1000))
    error = _refusal(f"lon,lat,{header}\n121.4,28.6\n".encode(), "wide.csv", "EPSG:4326")
    assert "the CSV header has 1,002 columns; the limit is 500" in error.en


def test_a_csv_field_over_the_field_limit_is_a_message_not_a_traceback():
    """A field over 131,072 characters ended in Streamlit's exception box (issue 27)."""
    field = ("a" * 1000 + "\n") * 200
    data = f'lon,lat,note\n121.4,28.6,"{field}"\n'.encode()
    error = _refusal(data, "long-field.csv", "EPSG:4326")
    assert (
        "cannot parse the CSV at line" in error.en and "field larger than field limit" in error.en
    )


# --------------------------------------------------------------------------- nesting


@pytest.mark.parametrize("depth", [20, 450])
def test_deeply_nested_geometry_collections_are_refused(depth):
    geometry: dict = {"type": "Point", "coordinates": [121.4, 28.6]}
    text = json.dumps(geometry)
    for _ in range(depth):
        text = '{"type":"GeometryCollection","geometries":[' + text + "]}"
    error = _refusal(text.encode(), "deep.geojson")
    assert "nests more than 16 levels deep" in error.en


def test_two_nested_geometry_collections_still_read():
    inner = {"type": "GeometryCollection", "geometries": [POLYGON.__geo_interface__]}
    outer = {"type": "GeometryCollection", "geometries": [inner]}
    assert read_upload(json.dumps(outer).encode(), "two.geojson").vertices == 5


# ------------------------------------------------------------------------ the worker


def _dense(vertices: int) -> bytes:
    circle = shapely.Point(121.4, 28.5).buffer(0.05, quad_segs=vertices // 4)
    return json.dumps({"type": "Polygon", "coordinates": [list(circle.exterior.coords)]}).encode()


def test_parsing_past_the_time_limit_is_stopped_with_one_message():
    error = _refusal(_dense(150_000), "slow.geojson", limits=Limits(seconds=0.05))
    assert "longer than the time limit of 0.05 s and was stopped" in error.en
    assert "时间上限 0.05 秒" in error.zh


@pytest.mark.slow
def test_parsing_past_the_memory_cap_is_stopped_with_one_message():
    error = _refusal(_dense(150_000), "big.geojson", limits=Limits(memory_bytes=1_000_000))
    assert "memory limit of 1 MB" in error.en and "内存上限 1 MB" in error.zh
