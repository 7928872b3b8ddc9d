"""One reader for the files planners bring in: measure view uploads and ``measure --file``.

Formats: GeoJSON (read by :mod:`corridor_map.analysis.measure`'s strict parser, which names the
feature and position at fault), and through pyogrio/GDAL a zipped Shapefile, a GeoPackage,
KML (LIBKML driver) and KMZ; CSV with longitude/latitude columns is read with pandas.

Coordinate systems (pyproj): the file's own (``.prj``, GeoPackage metadata, a GeoJSON
``crs`` member) unless the user declares one. EPSG:4326 and EPSG:4490 (CGCS2000
geographic) are taken as they are; projected systems such as the CGCS2000 3-degree
Gauss-Krüger zones (EPSG:4513–4533 with the zone number in the easting, 4534–4554
without) are reprojected; coordinates declared as GCJ-02 (Gaode) or BD-09 (Baidu) are
converted to WGS84 with :mod:`corridor_map.geo.gcj02`. A file with no coordinate system and
none declared, or whose coordinates do not fit the one given, is refused with a message
naming what was found.

Bounded work: at most :data:`DEFAULT_MAX_BYTES` per file (and :data:`MAX_UNZIPPED_BYTES`
inside an archive), at most :data:`DEFAULT_MAX_VERTICES` vertices; :func:`measure_upload`
caches its result by the file's SHA-256 so a rerun does not parse the file again, and
:func:`display_geometries` gives a simplified copy for drawing.

Every refusal is an :class:`UploadError` carrying the message in both languages
(:meth:`UploadError.text`), so the app can show it in the user's language.
"""

from __future__ import annotations

import hashlib
import io
import math
import tempfile
import threading
import warnings
import zipfile
from collections import OrderedDict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import shapely
from numpy.typing import NDArray
from pyproj import CRS, Transformer
from pyproj.exceptions import CRSError, ProjError
from shapely.geometry import mapping, shape
from shapely.geometry.base import BaseGeometry

from corridor_map.analysis.measure import DEFAULT_MAX_BYTES, MeasureInputError, measure_shapes
from corridor_map.core.errors import CorridorMapError
from corridor_map.geo import gcj02
from corridor_map.geo.geodesy import distance_km

__all__ = [
    "ACCEPTED_SUFFIXES",
    "DECLARED_CRS_CHOICES",
    "DEFAULT_MAX_VERTICES",
    "Imported",
    "UploadError",
    "display_geometries",
    "error_text",
    "measure_upload",
    "read_upload",
]

#: Most vertices one upload may hold (an 820k-vertex file took 17 s and 125 MB).
DEFAULT_MAX_VERTICES = 200_000
#: Most bytes the members of a zip / KMZ may unpack to (guards against zip bombs).
MAX_UNZIPPED_BYTES = 50_000_000
#: Vertex budget of the simplified copy drawn on the map.
DISPLAY_MAX_VERTICES = 5_000
#: File name endings accepted (lower case, no dot).
ACCEPTED_SUFFIXES = ("geojson", "json", "zip", "gpkg", "kml", "kmz", "csv")
#: What a user may declare: "auto" (the file's own), geographic CRSs, the Chinese offsets,
#: and the Gauss-Krüger zones around Zhejiang; any other "EPSG:n" is accepted too.
DECLARED_CRS_CHOICES = (
    "auto",
    "EPSG:4326",
    "EPSG:4490",
    "GCJ-02",
    "BD-09",
    "EPSG:4528",
    "EPSG:4529",
    "EPSG:4549",
    "EPSG:4550",
    "EPSG:32650",
    "EPSG:32651",
)
OFFSET_SYSTEMS = ("GCJ-02", "BD-09")

_LON_NAMES = ("lon", "lng", "long", "longitude", "x", "经度", "东经", "point_x")
_LAT_NAMES = ("lat", "latitude", "y", "纬度", "北纬", "point_y")
_WGS84 = CRS.from_epsg(4326)
# A vertex this close to the GCJ-02 / BD-09 image of a reference station, and this far
# from the station itself, was almost certainly read off a Gaode / Baidu map.
_OFFSET_MATCH_M = 60.0
_OFFSET_MIN_SHIFT_M = 300.0
_OFFSET_SAMPLE = 5_000


class UploadError(MeasureInputError):
    """A file that cannot be imported; the message names the file and what was found.

    Parameters
    ----------
    name
        The file name, first in both messages.
    zh, en
        The reason in Chinese and in English.
    """

    def __init__(self, name: str, zh: str, en: str) -> None:
        self.zh = f"{name}: {zh}"
        self.en = f"{name}: {en}"
        super().__init__(f"{self.zh} / {en}")

    def text(self, lang: str) -> str:
        """Return the message in ``lang`` (``"zh"`` or ``"en"``)."""
        return self.zh if lang == "zh" else self.en


def error_text(exc: CorridorMapError, lang: str) -> str:
    """The message of any error in the UI language (bilingual when it has only one text)."""
    return exc.text(lang) if isinstance(exc, UploadError) else str(exc)


@dataclass(frozen=True)
class Note:
    """One warning about an imported file, in both languages."""

    zh: str
    en: str

    def text(self, lang: str) -> str:
        """Return the note in ``lang``."""
        return self.zh if lang == "zh" else self.en

    def __str__(self) -> str:
        return f"{self.zh} / {self.en}"


@dataclass(frozen=True)
class Imported:
    """A file read and converted to a WGS84 GeoJSON FeatureCollection."""

    name: str
    format: str
    source_crs: str
    collection: dict[str, Any]
    vertices: int
    notes: tuple[Note, ...] = field(default=())
    #: The same features as shapely geometries (WGS84), for measuring without re-parsing.
    shapes: tuple[tuple[dict[str, Any], BaseGeometry | None], ...] = field(default=(), repr=False)


# --------------------------------------------------------------------------- reading


def read_upload(
    data: bytes,
    name: str,
    crs: str | None = None,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    max_vertices: int = DEFAULT_MAX_VERTICES,
) -> Imported:
    """Read an uploaded file into WGS84 GeoJSON.

    Parameters
    ----------
    data
        The file's bytes.
    name
        Its name; the ending chooses the format (``.geojson``, ``.json``, ``.zip`` holding a
        Shapefile, ``.gpkg``, ``.kml``, ``.kmz``, ``.csv``).
    crs
        The coordinate system the user declares: None or ``"auto"`` for the file's own,
        ``"GCJ-02"``, ``"BD-09"``, or anything pyproj reads (``"EPSG:4528"``).
    max_bytes, max_vertices
        Limits; larger files are refused before they are parsed.

    Returns
    -------
    Imported

    Raises
    ------
    UploadError
        Naming the file and what was found: too large, too many vertices, unsupported
        format, no coordinate system, coordinates that do not fit it, unreadable content.
    MeasureInputError
        From the GeoJSON parser (naming the feature and position).
    """
    if not isinstance(data, bytes | bytearray):
        raise UploadError(name, "不支持的输入类型", f"unsupported input {type(data).__name__}")
    if len(data) > max_bytes:
        raise UploadError(
            name,
            f"文件过大：{len(data):,} 字节，上限 {max_bytes:,}",
            f"file too large: {len(data):,} bytes > limit {max_bytes:,}",
        )
    if not bytes(data).strip():
        raise UploadError(name, "文件为空", "file is empty")
    declared = _declared(crs, name)
    kind = _format(bytes(data), name)
    notes: list[Note] = []
    prj_text = ""  # a .prj GDAL could not read, quoted in the message
    if kind == "geojson":
        features, file_crs, rings = _read_geojson(bytes(data), name, max_vertices)
    elif kind == "csv":
        features, file_crs, rings = _read_csv(bytes(data), name)
    else:
        features, file_crs, rings, prj_text = _read_ogr(bytes(data), name, kind)
    notes.extend(rings)
    if not features:
        raise UploadError(name, "文件中没有要素", "the file holds no features")
    vertices = sum(_count(g) for _, g in features)
    if vertices > max_vertices:
        raise _too_many(name, vertices, max_vertices)
    source, convert, crs_notes = _resolve_crs(name, kind, file_crs, declared, features, prj_text)
    notes.extend(crs_notes)
    converted = [(props, None if g is None else convert(g)) for props, g in features]
    if declared is None or declared not in OFFSET_SYSTEMS:
        notes.extend(_offset_notes(name, converted))
    notes.extend(_collection_notes(name, converted))
    collection = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": props,
                "geometry": None if g is None else mapping(g),
            }
            for props, g in converted
        ],
    }
    return Imported(name, kind, source, collection, vertices, tuple(notes), tuple(converted))


def _too_many(name: str, vertices: int, limit: int) -> UploadError:
    return UploadError(
        name,
        f"顶点过多：{vertices:,} 个，上限 {limit:,}；请先简化（如 QGIS 矢量 ▸ 几何工具 ▸ 简化）",
        f"too many vertices: {vertices:,} > limit {limit:,}; simplify it first "
        "(e.g. QGIS Vector ▸ Geometry Tools ▸ Simplify)",
    )


def _declared(crs: str | None, name: str) -> str | CRS | None:
    if crs is None or crs.strip().lower() in {"", "auto"}:
        return None
    text = crs.strip()
    for system in OFFSET_SYSTEMS:
        if text.upper().replace("_", "-").replace("BD09", "BD-09").replace("GCJ02", "GCJ-02") == (
            system
        ):
            return system
    try:
        return CRS.from_user_input(text)
    except CRSError:
        raise UploadError(
            name,
            f"无法识别所选坐标系 {text!r}"
            "（可用 EPSG:4326、EPSG:4490、GCJ-02、BD-09、EPSG:4528 等）",
            f"unknown coordinate system {text!r} (use EPSG:4326, EPSG:4490, GCJ-02, BD-09, "
            "EPSG:4528 …)",
        ) from None


def _format(data: bytes, name: str) -> str:
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


def _count(geometry: BaseGeometry | None) -> int:
    return 0 if geometry is None else int(shapely.get_num_coordinates(geometry))


# GeoJSON ------------------------------------------------------------------------------


def _read_geojson(
    data: bytes, name: str, max_vertices: int
) -> tuple[list[tuple[dict[str, Any], BaseGeometry | None]], CRS | None, list[Note]]:
    from corridor_map.analysis import measure

    parsed = measure._parse_upload(data, len(data), name)
    file_crs: CRS | None = _WGS84
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
            raise _too_many(name, total, max_vertices)
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


def _read_csv(
    data: bytes, name: str
) -> tuple[list[tuple[dict[str, Any], BaseGeometry | None]], CRS | None, list[Note]]:
    import pandas as pd

    frame = None
    # Excel in China saves CSV as GB18030/GBK unless told otherwise.
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            # sep=None: the delimiter (comma, semicolon, tab) is sniffed.
            frame = pd.read_csv(
                io.BytesIO(data), encoding=encoding, dtype=str, sep=None, engine="python"
            )
            break
        except UnicodeDecodeError:
            continue
        except (pd.errors.ParserError, pd.errors.EmptyDataError, ValueError) as exc:
            raise UploadError(
                name, f"CSV 无法解析：{exc}", f"cannot parse the CSV: {exc}"
            ) from None
    if frame is None:
        raise UploadError(
            name, "CSV 编码既不是 UTF-8 也不是 GB18030", "the CSV is neither UTF-8 nor GB18030"
        )
    columns = [str(c) for c in frame.columns]
    lon_col = _column(columns, _LON_NAMES)
    lat_col = _column(columns, _LAT_NAMES)
    if lon_col is None or lat_col is None:
        found = ", ".join(columns) or "(none)"
        raise UploadError(
            name,
            f"找不到经度/纬度列（应名为 lon/lng/经度 与 lat/纬度）；现有列：{found}",
            f"no longitude/latitude columns (name them lon/lng/经度 and lat/纬度); "
            f"columns found: {found}",
        )
    features: list[tuple[dict[str, Any], BaseGeometry | None]] = []
    for row_number, row in enumerate(frame.itertuples(index=False), start=1):
        values = {k: (None if v != v else v) for k, v in zip(columns, row, strict=True)}
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
        props = {
            k: v
            for k, v in values.items()
            if k not in {lon_col, lat_col} and isinstance(v, str) and v != ""
        }
        features.append((props, shapely.Point(x, y)))
    if not features:
        raise UploadError(name, "CSV 没有数据行", "the CSV has no data rows")
    return features, None, []


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


def _read_ogr(
    data: bytes, name: str, kind: str
) -> tuple[list[tuple[dict[str, Any], BaseGeometry | None]], CRS | None, list[Note], str]:
    """Read every layer with GDAL; also return the text of a .prj GDAL could not read."""
    import pyogrio

    with tempfile.TemporaryDirectory(prefix="cm-upload-") as tmp:
        path = Path(tmp) / f"upload.{kind}"
        path.write_bytes(data)
        source = str(path)
        if kind in {"zip", "kmz"}:
            source = _archive_member(path, name, kind)
        prj_text = _prj_text(path, source) if kind == "zip" else ""
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
        features: list[tuple[dict[str, Any], BaseGeometry | None]] = []
        crs_found: list[CRS | None] = []
        notes: list[Note] = []
        for layer in layers:
            layer_features, layer_crs, layer_notes = _read_layer(source, layer, name, kind)
            if not layer_features:
                continue
            features.extend(layer_features)
            crs_found.append(layer_crs)
            notes.extend(layer_notes)
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


def _prj_text(archive: Path, source: str) -> str:
    """The text of the .prj beside a zipped .shp (any case), or "" when there is none."""
    if not source.lower().endswith(".shp"):
        return ""
    member = source.split(f"{archive}/", 1)[1]
    wanted = member[:-4].lower() + ".prj"
    with zipfile.ZipFile(archive) as opened:
        for info in opened.infolist():
            if info.filename.lower() == wanted and info.file_size <= 100_000:
                return opened.read(info).decode("utf-8", errors="replace").strip()
    return ""


def _archive_member(path: Path, name: str, kind: str) -> str:
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
    except zipfile.BadZipFile:
        raise UploadError(name, "不是有效的 zip 压缩包", "not a valid zip archive") from None
    unpacked = sum(i.file_size for i in infos)
    if unpacked > MAX_UNZIPPED_BYTES:
        raise UploadError(
            name,
            f"解压后过大：{unpacked:,} 字节，上限 {MAX_UNZIPPED_BYTES:,}",
            f"unpacks to {unpacked:,} bytes > limit {MAX_UNZIPPED_BYTES:,}",
        )
    members = [i.filename for i in infos if not i.is_dir()]
    if kind == "kmz":
        kml = [m for m in members if m.lower().endswith(".kml")]
        if not kml:
            raise UploadError(name, "KMZ 中没有 .kml 文件", "the KMZ holds no .kml file")
        return f"/vsizip/{path}/{kml[0]}"
    shp = [m for m in members if m.lower().endswith(".shp")]
    others = [m for m in members if m.lower().endswith((".gpkg", ".kml", ".geojson", ".json"))]
    if not shp and len(others) == 1:
        # A GeoPackage, KML or GeoJSON zipped on its own is read as it is.
        return f"/vsizip/{path}/{others[0]}"
    if len(shp) != 1:
        found = ", ".join(members) or "(empty)"
        raise UploadError(
            name,
            f"zip 中应恰有一个 .shp（找到 {len(shp)} 个）；内容：{found}",
            f"the zip must hold exactly one .shp (found {len(shp)}); contents: {found}",
        )
    stem = shp[0][:-4]
    lower = {m.lower() for m in members}
    missing = [ext for ext in (".shx", ".dbf") if f"{stem}{ext}".lower() not in lower]
    if missing:
        raise UploadError(
            name,
            f"Shapefile 缺少 {', '.join(missing)}（与 {shp[0]} 同名）",
            f"the Shapefile lacks {', '.join(missing)} beside {shp[0]}",
        )
    return f"/vsizip/{path}/{shp[0]}"


def _read_layer(
    source: str, layer: str, name: str, kind: str
) -> tuple[list[tuple[dict[str, Any], BaseGeometry | None]], CRS | None, list[Note]]:
    import pyogrio
    from pyogrio.raw import read

    try:
        with warnings.catch_warnings():
            # GDAL warns of unclosed rings; they are reported per feature below.
            warnings.simplefilter("ignore", RuntimeWarning)
            meta, _, wkb, values = read(source, layer=layer, encoding=None)
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


# --------------------------------------------------------------------------- CRSs


def describe_crs(crs: CRS) -> str:
    """Return ``"EPSG:4528 CGCS2000 / 3-degree Gauss-Kruger zone 40"`` (or the name only)."""
    epsg = crs.to_epsg(min_confidence=70)
    return f"EPSG:{epsg} {crs.name}" if epsg else crs.name


def _bounds(
    features: list[tuple[dict[str, Any], BaseGeometry | None]],
) -> tuple[float, float, float, float] | None:
    geoms = [g for _, g in features if g is not None and not g.is_empty]
    if not geoms:
        return None
    box = shapely.total_bounds(np.array(geoms, dtype=object))
    return float(box[0]), float(box[1]), float(box[2]), float(box[3])


def _num(value: float) -> str:
    if abs(value) >= 1e9 or not math.isfinite(value):
        return f"{value:.6g}"
    return f"{value:.0f}" if abs(value) >= 1000 else f"{value:.6f}".rstrip("0").rstrip(".")


def _found(box: tuple[float, float, float, float]) -> tuple[str, str]:
    x0, y0, x1, y1 = box
    text = f"x {_num(x0)}…{_num(x1)}, y {_num(y0)}…{_num(y1)}"
    return f"坐标范围 {text}", f"coordinates span {text}"


def _in_degrees(box: tuple[float, float, float, float]) -> bool:
    x0, y0, x1, y1 = box
    return x0 >= -180 and x1 <= 180 and y0 >= -90 and y1 <= 90


def _guess(box: tuple[float, float, float, float]) -> tuple[str, str]:
    """What the numbers look like, as a hint for the user."""
    x0, y0, x1, y1 = box
    if _in_degrees(box):
        return "看起来是经纬度", "looks like longitude/latitude degrees"
    if _in_degrees((y0, x0, y1, x1)):
        return (
            "看起来是经纬度但顺序颠倒（纬度, 经度）",
            "looks like degrees in (lat, lon) order: swap the columns",
        )
    zone = int(x0 // 1_000_000)
    if 13 <= zone <= 45 and zone == int(x1 // 1_000_000) and 1e6 <= y0 <= 6.5e6:
        code = 4513 + zone - 25 if zone >= 25 else None
        where = f" EPSG:{code}" if code else ""
        return (
            f"看起来是带带号的 3 度带高斯-克吕格坐标（{zone} 带{where}）",
            f"looks like 3-degree Gauss-Krüger metres with zone prefix {zone}{where}",
        )
    if x0 > 0 and x1 < 1_000_000 and 1e6 <= y0 <= 6.5e6:
        return (
            "看起来是投影坐标（米），如 CGCS2000 3 度带中央经线 120°E（EPSG:4549）或 UTM 51N"
            "（EPSG:32651）",
            "looks like projected metres, e.g. CGCS2000 3-degree Gauss-Krüger CM 120°E "
            "(EPSG:4549) or UTM 51N (EPSG:32651)",
        )
    return "不像经纬度，也不像常见投影坐标", "neither degrees nor a usual projection"


def _resolve_crs(
    name: str,
    kind: str,
    file_crs: CRS | None,
    declared: str | CRS | None,
    features: list[tuple[dict[str, Any], BaseGeometry | None]],
    prj_text: str = "",
) -> tuple[str, Any, list[Note]]:
    """Choose the source CRS, check the coordinates fit it, return a converter to WGS84."""
    notes: list[Note] = []
    box = _bounds(features)
    offset = declared if isinstance(declared, str) else None
    if offset is not None:
        if file_crs is not None and not file_crs.is_geographic:
            raise UploadError(
                name,
                f"声明为 {offset}，但文件坐标系是投影坐标系 {describe_crs(file_crs)}",
                f"declared {offset}, but the file's coordinate system is the projected "
                f"{describe_crs(file_crs)}",
            )
        crs = _WGS84
    elif isinstance(declared, CRS):
        crs = declared
        if file_crs is not None and kind != "geojson" and not file_crs.equals(declared):
            notes.append(
                Note(
                    f"文件声明坐标系 {describe_crs(file_crs)}，"
                    f"按所选 {describe_crs(declared)} 处理",
                    f"the file says {describe_crs(file_crs)}; read as the chosen "
                    f"{describe_crs(declared)}",
                )
            )
    elif file_crs is None:
        found_zh, found_en = _found(box) if box else ("无坐标", "no coordinates")
        guess_zh, guess_en = _guess(box) if box else ("", "")
        what = "CSV 不带坐标系" if kind == "csv" else "文件没有坐标系信息（如缺少 .prj）"
        what_en = (
            "a CSV carries no coordinate system"
            if kind == "csv"
            else "the file has no coordinate system (e.g. no .prj)"
        )
        if prj_text:
            what = f"无法识别 .prj 中的坐标系（{prj_text[:60]}）"
            what_en = f"the .prj cannot be read as a coordinate system ({prj_text[:60]})"
        raise UploadError(
            name,
            f"{what}；{found_zh}，{guess_zh}；"
            "请选择坐标系（WGS84、CGCS2000、高德 GCJ-02、百度 BD-09 或投影带）",
            f"{what_en}; {found_en}, {guess_en}; choose its coordinate system (WGS84, "
            "CGCS2000, Gaode GCJ-02, Baidu BD-09 or a projected zone)",
        )
    else:
        crs = file_crs
    if box is not None:
        _check_fit(name, crs, box, offset)
    try:
        if not (crs.is_geographic or crs.is_projected):
            raise ProjError("neither geographic nor projected")
        to_wgs = Transformer.from_crs(crs, _WGS84, always_xy=True)
    except ProjError:
        raise UploadError(
            name,
            f"坐标系 {describe_crs(crs)} 无法换算到 WGS84（本地或工程坐标系？）；请选择坐标系",
            f"the coordinate system {describe_crs(crs)} cannot be converted to WGS84 (a local "
            "or engineering system?); choose its coordinate system",
        ) from None
    identity = crs.equals(_WGS84)

    def convert(geometry: BaseGeometry) -> BaseGeometry:
        out = geometry
        if not identity:
            out = shapely.transform(out, lambda xy: np.column_stack(to_wgs.transform(*xy.T)))
        if offset == "GCJ-02":
            out = gcj02.gcj02_to_wgs84_geometry(out)
        elif offset == "BD-09":
            out = gcj02.bd09_to_wgs84_geometry(out)
        return out

    source = offset or describe_crs(crs)
    if box is not None and not crs.equals(_WGS84):
        # Coordinates must land where the CRS is used (grown by half a 3-degree zone).
        _check_landing(name, crs, box, convert)
    return source, convert, notes


def _check_fit(
    name: str, crs: CRS, box: tuple[float, float, float, float], offset: str | None
) -> None:
    label = offset or describe_crs(crs)
    if crs.is_geographic and not _in_degrees(box):
        found_zh, found_en = _found(box)
        guess_zh, guess_en = _guess(box)
        raise UploadError(
            name,
            f"坐标不符合 {label}（经纬度）：{found_zh}，{guess_zh}",
            f"coordinates do not fit {label} (degrees): {found_en}, {guess_en}",
        )
    if crs.is_projected and _in_degrees(box):
        found_zh, found_en = _found(box)
        raise UploadError(
            name,
            f"坐标不符合投影坐标系 {label}（应为米）：{found_zh}，看起来是经纬度",
            f"coordinates do not fit the projected {label} (metres): {found_en}, "
            "which look like degrees",
        )


def _check_landing(
    name: str, crs: CRS, box: tuple[float, float, float, float], convert: Any
) -> None:
    area = crs.area_of_use
    corners = shapely.MultiPoint([(box[0], box[1]), (box[2], box[3])])
    landed = convert(corners)
    xs = [p.x for p in landed.geoms]
    ys = [p.y for p in landed.geoms]
    ok = all(math.isfinite(v) for v in xs + ys)
    if ok and area is not None:
        margin = 1.5
        ok = (
            min(xs) >= area.west - margin
            and max(xs) <= area.east + margin
            and min(ys) >= area.south - margin
            and max(ys) <= area.north + margin
        )
    if ok:
        return
    found_zh, found_en = _found(box)
    guess_zh, guess_en = _guess(box)
    where = (
        "" if area is None else f"{area.west:g}–{area.east:g}°E, {area.south:g}–{area.north:g}°N"
    )
    landed_text = ", ".join(f"({x:.4g}, {y:.4g})" for x, y in zip(xs, ys, strict=True))
    raise UploadError(
        name,
        f"坐标不符合 {describe_crs(crs)}：{found_zh}，换算后落在 {landed_text}，"
        f"超出其适用范围 {where}；{guess_zh}",
        f"coordinates do not fit {describe_crs(crs)}: {found_en} land at {landed_text}, "
        f"outside its area of use {where}; {guess_en}",
    )


# --------------------------------------------------------------------------- warnings


def _vertices(geometries: Iterable[BaseGeometry]) -> NDArray[np.float64]:
    arrays = [shapely.get_coordinates(g) for g in geometries]
    return np.concatenate(arrays) if arrays else np.empty((0, 2))


def _reference_stations() -> list[tuple[str, float, float]]:
    from corridor_map.atlas.model import load_atlas

    try:
        atlas = load_atlas()
    except CorridorMapError:
        return []
    return [
        (f.id, f.geometry.x, f.geometry.y)
        for f in atlas
        if f.corridor == "reference" and f.geometry is not None and f.geometry.geom_type == "Point"
    ]


def _offset_notes(
    name: str, features: list[tuple[dict[str, Any], BaseGeometry | None]]
) -> list[Note]:
    """Warn when vertices sit on the GCJ-02 / BD-09 image of a known station."""
    refs = _reference_stations()
    points = _vertices(g for _, g in features if g is not None)
    if not refs or not len(points):
        return []
    if len(points) > _OFFSET_SAMPLE:
        points = points[:: math.ceil(len(points) / _OFFSET_SAMPLE)]
    ref_lon = np.array([r[1] for r in refs])
    ref_lat = np.array([r[2] for r in refs])
    for system, image in (("GCJ-02", gcj02.wgs84_to_gcj02), ("BD-09", gcj02.wgs84_to_bd09)):
        img_lon, img_lat = image(ref_lon, ref_lat)
        for x, y in points[:, :2]:
            near = np.flatnonzero((np.abs(img_lon - x) < 0.002) & (np.abs(img_lat - y) < 0.002))
            for i in near:
                to_image = distance_km(x, y, img_lon[i], img_lat[i]) * 1000
                to_ref = distance_km(x, y, ref_lon[i], ref_lat[i]) * 1000
                if to_image <= _OFFSET_MATCH_M and to_ref >= _OFFSET_MIN_SHIFT_M:
                    app = "高德" if system == "GCJ-02" else "百度"
                    return [
                        Note(
                            f"{name}：坐标像 {system}（{app}地图）：距参考站点 {refs[i][0]} 的 "
                            f"{system} 位置 {to_image:.0f} m，距其 WGS84 位置 {to_ref:.0f} m；"
                            f"若取自{app}地图，请将坐标系选为 {system}",
                            f"{name}: coordinates look like {system}: {to_image:.0f} m from the "
                            f"{system} position of reference station {refs[i][0]} but "
                            f"{to_ref:.0f} m from its WGS84 position; if they were picked on "
                            f"{'Gaode' if system == 'GCJ-02' else 'Baidu'}, declare {system}",
                        )
                    ]
    return []


def _collection_notes(
    name: str, features: list[tuple[dict[str, Any], BaseGeometry | None]]
) -> list[Note]:
    notes = []
    for index, (_, g) in enumerate(features):
        if g is not None and g.geom_type == "GeometryCollection":
            kinds = ", ".join(sorted({part.geom_type for part in g.geoms})) or "empty"
            notes.append(
                Note(
                    f"{name} 要素 #{index}：几何集合（{kinds}），各成员量算后相加",
                    f"{name} feature #{index}: a GeometryCollection ({kinds}); its members "
                    "are measured and summed",
                )
            )
    return notes


# --------------------------------------------------------------------------- measuring


_CACHE: OrderedDict[tuple[Any, ...], Any] = OrderedDict()
_CACHE_LOCK = threading.Lock()
_CACHE_SIZE = 8


def measure_upload(
    data: bytes,
    name: str,
    crs: str | None = None,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    max_vertices: int = DEFAULT_MAX_VERTICES,
) -> dict[str, Any]:
    """Read and measure an upload once per content (cached by SHA-256, name and CRS).

    Returns
    -------
    dict
        ``imported`` (:class:`Imported`), ``result`` (as
        :func:`corridor_map.analysis.measure.measure_geojson`, plus ``source_crs`` and ``format``)
        and ``display`` (simplified WGS84 geometries for drawing). Treat it as read-only:
        the same object is returned for the same file.

    Raises
    ------
    UploadError, MeasureInputError
        As :func:`read_upload` (a refusal is cached too).
    """
    key = (hashlib.sha256(data).hexdigest(), name, crs, max_bytes, max_vertices)
    with _CACHE_LOCK:
        if key in _CACHE:
            _CACHE.move_to_end(key)
            cached = _CACHE[key]
            if isinstance(cached, CorridorMapError):
                raise cached
            return cached
    try:
        imported = read_upload(data, name, crs, max_bytes=max_bytes, max_vertices=max_vertices)
        result = measure_shapes(imported.shapes, name)
        result["warnings"] = [*(str(n) for n in imported.notes), *result["warnings"]]
        result["notes"] = list(imported.notes)
        result["source_crs"] = imported.source_crs
        result["format"] = imported.format
        value: Any = {
            "imported": imported,
            "result": result,
            "display": display_geometries(imported.collection),
        }
    except CorridorMapError as exc:
        value = exc
    with _CACHE_LOCK:
        _CACHE[key] = value
        while len(_CACHE) > _CACHE_SIZE:
            _CACHE.popitem(last=False)
    if isinstance(value, CorridorMapError):
        raise value
    return value


def _simple_parts(geometry: BaseGeometry) -> Iterator[BaseGeometry]:
    if geometry.geom_type == "GeometryCollection":
        for part in geometry.geoms:
            yield from _simple_parts(part)
    elif not geometry.is_empty:
        yield geometry


def display_geometries(
    collection: dict[str, Any], max_vertices: int = DISPLAY_MAX_VERTICES
) -> list[dict[str, Any]]:
    """Return simplified GeoJSON geometries for drawing (GeometryCollections flattened).

    Parameters
    ----------
    collection
        A WGS84 FeatureCollection (:attr:`Imported.collection`).
    max_vertices
        The drawn copy holds at most about this many vertices: the tolerance doubles from
        about 1 m until it does (topology preserved). Measures always use the full file.
    """
    parts = [
        part
        for f in collection.get("features", [])
        if f.get("geometry") is not None
        for part in _simple_parts(shape(f["geometry"]))
    ]
    if not parts:
        return []
    array = np.array(parts, dtype=object)
    tolerance = 1e-5
    while int(shapely.get_num_coordinates(array).sum()) > max_vertices and tolerance < 1.0:
        array = shapely.simplify(np.array(parts, dtype=object), tolerance, preserve_topology=True)
        tolerance *= 2
    return [dict(mapping(g)) for g in array if not g.is_empty]
