"""Readers of the files planners bring in, each bounded before it does any work.

GeoJSON (the strict parser of :mod:`corridor_map.analysis.measure`, which names the
feature and position at fault; nesting refused past :data:`MAX_UPLOAD_DEPTH`); CSV with
longitude/latitude columns (the standard ``csv`` module, lines and columns bounded); and
through pyogrio/GDAL a zipped Shapefile, a GeoPackage, KML (LIBKML) and KMZ.

Archives are unpacked here, member by member, counting the bytes they *really* inflate
to (:data:`MAX_UNZIPPED_BYTES`), never trusting the sizes they declare; GDAL then reads
plain files. A GeoPackage is inspected with :mod:`sqlite3` read-only before GDAL opens it
(:func:`geopackage_tables`): how many layers, which are SQL views (never read), how many
rows. These run in the upload worker (:mod:`corridor_map.analysis.uploads`), which adds a
time limit and a memory cap.
"""

from __future__ import annotations

import csv
import io
import math
import sqlite3
import time
import warnings
import zipfile
import zlib
from collections.abc import Iterable
from pathlib import Path, PurePosixPath
from typing import Any

import numpy as np
import shapely
from pyproj import CRS
from pyproj.exceptions import CRSError
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry

from corridor_map.analysis.measure import MeasureInputError
from corridor_map.analysis.upload_crs import WGS84
from corridor_map.analysis.upload_notes import Note, UploadError
from corridor_map.geo.geojson import json_depth

__all__ = [
    "ACCEPTED_SUFFIXES",
    "count_vertices",
    "file_format",
    "geopackage_tables",
    "read_csv",
    "read_geojson",
    "read_ogr",
    "too_many",
]

#: File name endings accepted (lower case, no dot).
ACCEPTED_SUFFIXES = ("geojson", "json", "zip", "gpkg", "kml", "kmz", "csv")
#: Most bytes the members of a zip / KMZ may really inflate to (zip bombs), counted while
#: unpacking, whatever sizes the archive declares.
MAX_UNZIPPED_BYTES = 50_000_000
#: Most members an archive may hold.
MAX_ARCHIVE_MEMBERS = 200
#: Most layers (``gpkg_contents`` rows) a GeoPackage may declare.
MAX_GPKG_LAYERS = 50
#: Time the GeoPackage inspection may take (SQLite aborts a longer query).
GPKG_INSPECT_SECONDS = 2.0
#: Deepest nesting of an uploaded GeoJSON document: a GeometryCollection in a
#: GeometryCollection holding a MultiPolygon sits 12 levels down.
MAX_UPLOAD_DEPTH = 16
#: Deepest nesting of GeometryCollections read through GDAL (KML MultiGeometry).
MAX_COLLECTION_NESTING = 3
#: Longest CSV line and most CSV columns (a spreadsheet of places has a few dozen).
MAX_CSV_LINE_CHARS = 20_000
MAX_CSV_COLUMNS = 500

_LON_NAMES = ("lon", "lng", "long", "longitude", "x", "经度", "东经", "point_x")
_LAT_NAMES = ("lat", "latitude", "y", "纬度", "北纬", "point_y")


def too_many(name: str, vertices: int, limit: int) -> UploadError:
    return UploadError(
        name,
        f"顶点过多：{vertices:,} 个，上限 {limit:,}；请先简化（如 QGIS 矢量 ▸ 几何工具 ▸ 简化）",
        f"too many vertices: {vertices:,} > limit {limit:,}; simplify it first "
        "(e.g. QGIS Vector ▸ Geometry Tools ▸ Simplify)",
    )


def file_format(data: bytes, name: str) -> str:
    suffix = Path(name).suffix.lower().lstrip(".")
    known = {
        "geojson": "geojson",
        "json": "geojson",
        "zip": "zip",
        "gpkg": "gpkg",
        "kml": "kml",
        "kmz": "kmz",
        "csv": "csv",
        "txt": "csv",
    }
    if suffix in known:
        return known[suffix]
    accepted = ", ".join(f".{s}" for s in ACCEPTED_SUFFIXES)
    hint_zh = hint_en = ""
    if suffix in {"shp", "shx", "dbf", "prj"}:
        hint_zh = "；Shapefile 请把 .shp .shx .dbf .prj 一起压缩成 .zip 上传"
        hint_en = "; zip a Shapefile's .shp, .shx, .dbf and .prj together and upload the .zip"
    raise UploadError(
        name,
        f"不支持的文件类型 .{suffix or '(无后缀)'}；可用 {accepted}{hint_zh}",
        f"unsupported file type .{suffix or '(none)'}; accepted: {accepted}{hint_en}",
    )


def count_vertices(geometry: BaseGeometry | None) -> int:
    return 0 if geometry is None else int(shapely.get_num_coordinates(geometry))


# GeoJSON ------------------------------------------------------------------------------


def read_geojson(
    data: bytes, name: str, max_vertices: int
) -> tuple[list[tuple[dict[str, Any], BaseGeometry | None]], CRS | None, list[Note]]:
    from corridor_map.analysis import measure

    parsed = measure._parse_upload(data, len(data), name)
    if json_depth(parsed, MAX_UPLOAD_DEPTH) > MAX_UPLOAD_DEPTH:
        raise UploadError(
            name,
            f"GeoJSON 嵌套超过 {MAX_UPLOAD_DEPTH} 层（如几何集合套几何集合）",
            f"the GeoJSON nests more than {MAX_UPLOAD_DEPTH} levels deep (e.g. "
            "GeometryCollections inside GeometryCollections)",
        )
    file_crs: CRS | None = WGS84
    if isinstance(parsed, dict) and parsed.get("crs") is not None:
        file_crs = _geojson_crs(parsed["crs"], name)
        parsed = {k: v for k, v in parsed.items() if k != "crs"}
    raw_features = measure._upload_features(parsed, name)
    total = 0
    notes: list[Note] = []
    features: list[tuple[dict[str, Any], BaseGeometry | None]] = []
    for index, raw in enumerate(raw_features):
        where = f"{name} feature #{index}"
        props = measure.feature_properties(raw, where)
        geometry = raw.get("geometry")
        if geometry is None:
            features.append((props, None))
            continue
        measure._check_geometry_type(geometry, where)
        positions = list(measure._positions(geometry, where))
        total += len(positions)
        if total > max_vertices:
            raise too_many(name, total, max_vertices)
        if _open_rings(geometry):
            notes.append(
                Note(
                    f"{where}：多边形环未闭合（首末点不同），已自动闭合后量算",
                    f"{where}: a polygon ring is not closed (first and last points differ); "
                    "closed before measuring",
                )
            )
        try:
            features.append((props, shape(geometry)))
        except (ValueError, TypeError, AttributeError, KeyError, IndexError) as exc:
            raise MeasureInputError(f"{where}: 几何无法构建 / malformed geometry: {exc}") from exc
    return features, file_crs, notes


def _open_rings(geo: dict[str, Any]) -> bool:
    if geo.get("type") == "GeometryCollection":
        return any(_open_rings(part) for part in geo.get("geometries") or [])
    if geo.get("type") == "Polygon":
        rings = geo.get("coordinates") or []
    elif geo.get("type") == "MultiPolygon":
        rings = [ring for polygon in geo.get("coordinates") or [] for ring in polygon]
    else:
        return False
    return any(len(ring) > 0 and list(ring[0]) != list(ring[-1]) for ring in rings)


def _geojson_crs(member: Any, name: str) -> CRS:
    text = ""
    if isinstance(member, dict):
        text = str((member.get("properties") or {}).get("name", ""))
    try:
        return CRS.from_user_input(text)
    except CRSError:
        raise UploadError(
            name,
            f"GeoJSON 的 crs 成员 {text or member!r} 无法识别",
            f"the GeoJSON crs member {text or member!r} is not a coordinate system pyproj knows",
        ) from None


# CSV ----------------------------------------------------------------------------------


def read_csv(
    data: bytes, name: str, max_rows: int
) -> tuple[list[tuple[dict[str, Any], BaseGeometry | None]], CRS | None, list[Note]]:
    """Points from longitude/latitude columns; lines, columns and rows bounded."""
    text = None
    # Excel in China saves CSV as GB18030/GBK unless told otherwise.
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    if text is None:
        raise UploadError(
            name, "CSV 编码既不是 UTF-8 也不是 GB18030", "the CSV is neither UTF-8 nor GB18030"
        )
    columns, body = _csv_rows(text, name)
    if len(body) > max_rows:
        raise too_many(name, len(body), max_rows)
    lon_col = _column(columns, _LON_NAMES)
    lat_col = _column(columns, _LAT_NAMES)
    if lon_col is None or lat_col is None:
        found = ", ".join(columns) or "(none)"
        raise UploadError(
            name,
            f"找不到经度/纬度列（应名为 lon/lng/经度 与 lat/纬度）；现有列：{found[:500]}",
            f"no longitude/latitude columns (name them lon/lng/经度 and lat/纬度); "
            f"columns found: {found[:500]}",
        )
    features: list[tuple[dict[str, Any], BaseGeometry | None]] = []
    for row_number, row in enumerate(body, start=1):
        if len(row) > len(columns) and any(v.strip() for v in row[len(columns) :]):
            raise UploadError(
                name,
                f"第 {row_number} 个数据行有 {len(row)} 个字段，表头只有 {len(columns)} 列",
                f"data row {row_number} has {len(row)} fields; the header has {len(columns)}",
            )
        cells = [*row, *[""] * (len(columns) - len(row))]
        values = {k: (v if v != "" else None) for k, v in zip(columns, cells, strict=False)}
        if values[lon_col] is None and values[lat_col] is None:
            continue  # an empty row (e.g. a spreadsheet's trailing commas)
        x = _number(values[lon_col])
        y = _number(values[lat_col])
        if x is None or y is None:
            raise UploadError(
                name,
                f"第 {row_number} 个数据行：{lon_col}/{lat_col} 不是有限的数字："
                f"{values[lon_col]!r}, {values[lat_col]!r}",
                f"data row {row_number}: {lon_col}/{lat_col} are not finite numbers: "
                f"{values[lon_col]!r}, {values[lat_col]!r}",
            )
        props = {k: v for k, v in values.items() if k not in {lon_col, lat_col} and v is not None}
        features.append((props, shapely.Point(x, y)))
    if not features:
        raise UploadError(name, "CSV 没有数据行", "the CSV has no data rows")
    return features, None, []


def _csv_rows(text: str, name: str) -> tuple[list[str], list[list[str]]]:
    """The header and the non-empty rows; lines, fields and columns bounded."""
    lines = text.splitlines()
    for number, line in enumerate(lines, start=1):
        if len(line) > MAX_CSV_LINE_CHARS:
            raise UploadError(
                name,
                f"CSV 第 {number} 行有 {len(line):,} 个字符，上限 {MAX_CSV_LINE_CHARS:,}",
                f"CSV line {number} is {len(line):,} characters long; the limit is "
                f"{MAX_CSV_LINE_CHARS:,}",
            )
    try:
        # The delimiter (comma, semicolon, tab) is sniffed on the first lines only.
        dialect: Any = csv.Sniffer().sniff("\n".join(lines[:20]), delimiters=",;\t|")
    except csv.Error:
        dialect = csv.excel
    csv.field_size_limit(MAX_CSV_LINE_CHARS)
    rows = csv.reader(io.StringIO(text), dialect)
    try:
        columns = next((row for row in rows if row), [])
        if len(columns) > MAX_CSV_COLUMNS:
            raise UploadError(
                name,
                f"CSV 表头有 {len(columns):,} 列，上限 {MAX_CSV_COLUMNS:,}",
                f"the CSV header has {len(columns):,} columns; the limit is {MAX_CSV_COLUMNS:,}",
            )
        columns = [c.strip() if c.strip() != c and c.strip() else c for c in columns]
        body = [row for row in rows if row]
    except csv.Error as exc:
        raise UploadError(
            name,
            f"CSV 第 {rows.line_num} 行无法解析：{exc}",
            f"cannot parse the CSV at line {rows.line_num}: {exc}",
        ) from None
    return columns, body


def _column(columns: list[str], names: Iterable[str]) -> str | None:
    wanted = set(names)
    for column in columns:
        if column.strip().lower() in wanted:
            return column
    return None


def _number(value: Any) -> float | None:
    try:
        number = float(str(value).strip())
    except ValueError:
        return None
    return number if math.isfinite(number) else None


# pyogrio / GDAL -----------------------------------------------------------------------

_OGR_LABEL = {"zip": "Shapefile (zip)", "gpkg": "GeoPackage", "kml": "KML", "kmz": "KMZ"}


def read_ogr(
    data: bytes, name: str, kind: str, folder: Path, max_rows: int
) -> tuple[list[tuple[dict[str, Any], BaseGeometry | None]], CRS | None, list[Note], str]:
    """Read every layer with GDAL; also return the text of a .prj GDAL could not read.

    ``folder`` is a private temporary folder the file (and an archive's members) is
    written to; at most ``max_rows`` features are read from any layer.
    """
    import pyogrio

    path = folder / f"upload.{kind}"
    path.write_bytes(data)
    source = path
    if kind in {"zip", "kmz"}:
        source = unpack_archive(path, name, kind, folder / "unpacked")
    prj_text = _prj_text(source)
    if source.suffix.lower() == ".gpkg":
        layers = geopackage_tables(source, name, max_rows)
    else:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)  # GDAL's own complaints
                layers = [str(row[0]) for row in pyogrio.list_layers(source)]
        except pyogrio.errors.DataSourceError:
            raise UploadError(
                name,
                f"无法作为 {_OGR_LABEL[kind]} 读取（文件损坏或格式不符）",
                f"cannot be read as {_OGR_LABEL[kind]} (damaged, or not that format)",
            ) from None
    if len(layers) > MAX_GPKG_LAYERS:
        raise _too_many_layers(name, len(layers))
    features: list[tuple[dict[str, Any], BaseGeometry | None]] = []
    crs_found: list[CRS | None] = []
    notes: list[Note] = []
    for layer in layers:
        layer_features, layer_crs, layer_notes = _read_layer(str(source), layer, name, max_rows)
        if not layer_features:
            continue
        features.extend(layer_features)
        crs_found.append(layer_crs)
        notes.extend(layer_notes)
        if len(features) > max_rows:
            raise too_many(name, len(features), max_rows)
    if not features:
        raise UploadError(name, "文件中没有要素", "the file holds no features")
    distinct = {c.to_wkt() if c is not None else None for c in crs_found}
    if len(distinct) > 1:
        raise UploadError(
            name,
            "各图层坐标系不同，请分别上传",
            "its layers use different coordinate systems; upload them one by one",
        )
    return features, crs_found[0], notes, prj_text if crs_found[0] is None else ""


def _too_many_layers(name: str, count: int) -> UploadError:
    return UploadError(
        name,
        f"图层过多：{count:,} 个，上限 {MAX_GPKG_LAYERS}",
        f"too many layers: {count:,} > limit {MAX_GPKG_LAYERS}",
    )


def _prj_text(source: Path) -> str:
    """The text of the .prj beside a .shp (any case), or "" when there is none."""
    if source.suffix.lower() != ".shp":
        return ""
    for sibling in source.parent.iterdir():
        if sibling.stem == source.stem and sibling.suffix.lower() == ".prj":
            return sibling.read_bytes()[:100_000].decode("utf-8", errors="replace").strip()
    return ""


def _archive_members(path: Path, name: str) -> list[zipfile.ZipInfo]:
    try:
        with zipfile.ZipFile(path) as archive:
            infos = [i for i in archive.infolist() if not i.is_dir()]
    except (zipfile.BadZipFile, OSError, ValueError):
        raise UploadError(name, "不是有效的 zip 压缩包", "not a valid zip archive") from None
    if len(infos) > MAX_ARCHIVE_MEMBERS:
        raise UploadError(
            name,
            f"压缩包成员过多：{len(infos):,} 个，上限 {MAX_ARCHIVE_MEMBERS}",
            f"the archive holds {len(infos):,} files > limit {MAX_ARCHIVE_MEMBERS}",
        )
    return infos


def _chosen_members(infos: list[zipfile.ZipInfo], name: str, kind: str) -> list[zipfile.ZipInfo]:
    """The members to unpack: the KML of a KMZ, a Shapefile's files, or one other file."""
    members = [i.filename for i in infos]
    if kind == "kmz":
        kml = [i for i in infos if i.filename.lower().endswith(".kml")]
        if not kml:
            raise UploadError(name, "KMZ 中没有 .kml 文件", "the KMZ holds no .kml file")
        return kml[:1]
    shp = [i for i in infos if i.filename.lower().endswith(".shp")]
    others = [
        i for i in infos if i.filename.lower().endswith((".gpkg", ".kml", ".geojson", ".json"))
    ]
    if not shp and len(others) == 1:
        # A GeoPackage, KML or GeoJSON zipped on its own is read as it is.
        return others
    if len(shp) != 1:
        found = ", ".join(members)[:500] or "(empty)"
        raise UploadError(
            name,
            f"zip 中应恰有一个 .shp（找到 {len(shp)} 个）；内容：{found}",
            f"the zip must hold exactly one .shp (found {len(shp)}); contents: {found}",
        )
    stem = shp[0].filename[:-4]
    lower = {m.lower() for m in members}
    missing = [ext for ext in (".shx", ".dbf") if f"{stem}{ext}".lower() not in lower]
    if missing:
        raise UploadError(
            name,
            f"Shapefile 缺少 {', '.join(missing)}（与 {shp[0].filename} 同名）",
            f"the Shapefile lacks {', '.join(missing)} beside {shp[0].filename}",
        )
    return [i for i in infos if i.filename[:-4].lower() == stem.lower() and "." in i.filename]


def unpack_archive(path: Path, name: str, kind: str, folder: Path) -> Path:
    """Unpack the members to read into ``folder``; return the one GDAL opens.

    Each member is streamed, counting the bytes it really inflates to; past
    :data:`MAX_UNZIPPED_BYTES` in all the upload is refused at once. A member that does
    not inflate to the size it declares is refused as damaged (Python's reader stops at
    the declared size and checks the CRC; GDAL's would have inflated all of it).
    """
    chosen = _chosen_members(_archive_members(path, name), name, kind)
    folder.mkdir()
    total = 0
    opened: Path | None = None
    with zipfile.ZipFile(path) as archive:
        for info in chosen:
            # Only the base name: a member named ../../x cannot leave the folder.
            target = folder / PurePosixPath(info.filename.replace("\\", "/")).name
            try:
                with archive.open(info) as member, target.open("wb") as out:
                    while chunk := member.read(1 << 20):
                        total += len(chunk)
                        if total > MAX_UNZIPPED_BYTES:
                            raise UploadError(
                                name,
                                f"解压后过大：超过 {MAX_UNZIPPED_BYTES:,} 字节（已停止解压）",
                                f"unpacks to more than {MAX_UNZIPPED_BYTES:,} bytes "
                                "(unpacking stopped there)",
                            )
                        out.write(chunk)
            except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError):
                raise UploadError(
                    name,
                    f"压缩包成员 {info.filename} 已损坏（解压后与其声明的大小或校验和不符）",
                    f"archive member {info.filename} is damaged (it does not inflate to the "
                    "size and checksum it declares)",
                ) from None
            if opened is None or target.suffix.lower() in {".shp", ".kml"}:
                opened = target
    assert opened is not None  # _chosen_members never returns an empty list
    return opened


def geopackage_tables(path: Path, name: str, max_rows: int) -> list[str]:
    """The feature tables of a GeoPackage, checked by its structure before GDAL reads it.

    Opened read-only and immutable with :mod:`sqlite3`; every query is aborted after
    :data:`GPKG_INSPECT_SECONDS`. Refused: more than :data:`MAX_GPKG_LAYERS` layers, a
    layer that is an SQL view (a view can scan millions of rows or never end; it is not
    followed), a layer that is no table, more than ``max_rows`` rows (GDAL's
    ``gpkg_ogr_contents`` count when present, else counted). Triggers never fire: the
    database is opened read-only.
    """
    deadline = time.monotonic() + GPKG_INSPECT_SECONDS

    def damaged() -> UploadError:
        return UploadError(
            name,
            "无法作为 GeoPackage 读取（文件损坏或格式不符）",
            "cannot be read as GeoPackage (damaged, or not that format)",
        )

    with path.open("rb") as handle:
        if handle.read(16) != b"SQLite format 3\0":
            raise damaged()
    try:
        connection = sqlite3.connect(f"{path.as_uri()}?mode=ro&immutable=1", uri=True)
    except sqlite3.Error:
        raise damaged() from None
    connection.set_progress_handler(lambda: int(time.monotonic() > deadline), 10_000)
    try:
        rows = connection.execute(
            "SELECT table_name, data_type FROM gpkg_contents LIMIT ?", (MAX_GPKG_LAYERS + 1,)
        ).fetchall()
        if len(rows) > MAX_GPKG_LAYERS:
            total = connection.execute("SELECT count(*) FROM gpkg_contents").fetchone()[0]
            raise _too_many_layers(name, int(total))
        kinds = dict(
            connection.execute(
                "SELECT name, type FROM sqlite_master WHERE type IN ('table', 'view')"
            ).fetchall()
        )
        tables = []
        for table, data_type in rows:
            if data_type != "features":
                continue
            if kinds.get(table) == "view":
                raise UploadError(
                    name,
                    f"图层 {table} 是 SQL 视图，不读取视图；请先导出为表",
                    f"layer {table} is an SQL view; views are not read (export it as a table)",
                )
            if kinds.get(table) != "table":
                raise UploadError(
                    name,
                    f"gpkg_contents 列出的图层 {table} 不是表",
                    f"gpkg_contents lists {table}, which is not a table",
                )
            count = _row_count(connection, str(table), "gpkg_ogr_contents" in kinds)
            if count > max_rows:
                raise UploadError(
                    name,
                    f"图层 {table} 有 {count:,} 行，上限 {max_rows:,}",
                    f"layer {table} holds {count:,} rows > limit {max_rows:,}",
                )
            tables.append(str(table))
    except sqlite3.OperationalError as exc:
        if "interrupted" in str(exc):
            raise UploadError(
                name,
                f"GeoPackage 结构检查超过 {GPKG_INSPECT_SECONDS:g} 秒，已停止",
                f"inspecting the GeoPackage took more than {GPKG_INSPECT_SECONDS:g} s; stopped",
            ) from None
        raise damaged() from None
    except sqlite3.Error:
        raise damaged() from None
    finally:
        connection.close()
    return tables


def _row_count(connection: sqlite3.Connection, table: str, has_ogr_counts: bool) -> int:
    if has_ogr_counts:
        found = connection.execute(
            "SELECT feature_count FROM gpkg_ogr_contents WHERE table_name = ?", (table,)
        ).fetchone()
        if found is not None and isinstance(found[0], int) and found[0] >= 0:
            return int(found[0])
    quoted = '"' + table.replace('"', '""') + '"'
    return int(connection.execute(f"SELECT count(*) FROM {quoted}").fetchone()[0])


def _nesting(geometry: BaseGeometry) -> int:
    """How deep GeometryCollections nest in ``geometry`` (0: none), without recursion."""
    deepest = 0
    stack = [(geometry, 0)]
    while stack:
        item, depth = stack.pop()
        if item.geom_type == "GeometryCollection":
            depth += 1
            deepest = max(deepest, depth)
            if deepest > MAX_COLLECTION_NESTING:
                break
            stack.extend((part, depth) for part in item.geoms)
    return deepest


def _read_layer(
    source: str, layer: str, name: str, max_rows: int
) -> tuple[list[tuple[dict[str, Any], BaseGeometry | None]], CRS | None, list[Note]]:
    import pyogrio
    from pyogrio.raw import read

    try:
        with warnings.catch_warnings():
            # GDAL warns of unclosed rings; they are reported per feature below.
            warnings.simplefilter("ignore", RuntimeWarning)
            meta, _, wkb, values = read(
                source, layer=layer, encoding=None, max_features=max_rows + 1
            )
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError) as exc:
        raise UploadError(
            name, f"图层 {layer} 无法读取：{exc}", f"layer {layer} cannot be read: {exc}"
        ) from None
    crs = None
    if meta.get("crs"):
        try:
            crs = CRS.from_user_input(meta["crs"])
        except CRSError:
            crs = None
    fields = [str(f) for f in meta.get("fields", [])]
    notes: list[Note] = []
    features: list[tuple[dict[str, Any], BaseGeometry | None]] = []
    for index, blob in enumerate(wkb if wkb is not None else []):
        where = f"{name} {layer} #{index}"
        props = {f: _plain(values[i][index]) for i, f in enumerate(fields)}
        props = {k: v for k, v in props.items() if v is not None}
        if "Name" in props and "name" not in props:  # KML's <name>
            props["name"] = props.pop("Name")
        geometry = None
        if blob is not None:
            try:
                geometry = shapely.from_wkb(blob)
            except shapely.errors.GEOSException:
                # GEOS refuses unclosed rings; close them and say so.
                geometry = shapely.from_wkb(blob, on_invalid="fix")
                notes.append(
                    Note(
                        f"{where}：多边形环未闭合，已自动闭合后量算",
                        f"{where}: a polygon ring is not closed; closed before measuring",
                    )
                )
        if geometry is not None and _nesting(geometry) > MAX_COLLECTION_NESTING:
            raise UploadError(
                name,
                f"{layer} #{index}：几何集合嵌套超过 {MAX_COLLECTION_NESTING} 层",
                f"{layer} #{index}: GeometryCollections nested more than "
                f"{MAX_COLLECTION_NESTING} levels deep",
            )
        if geometry is not None and geometry.has_z:
            geometry = shapely.force_2d(geometry)
        features.append((props, geometry))
    return features, crs, notes


def _plain(value: Any) -> Any:
    """A field value as JSON can carry it (numpy scalars, dates, bytes → plain values)."""
    if value is None:
        return None
    if isinstance(value, np.datetime64):
        return None if np.isnat(value) else str(value)
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, str | int | float | bool):
        return value
    if isinstance(value, bytes):
        return value.hex()
    return str(value)
