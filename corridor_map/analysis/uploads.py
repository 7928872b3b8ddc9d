"""One reader for the files planners bring in: measure view uploads and ``measure --file``.

Formats (:mod:`corridor_map.analysis.upload_readers`): GeoJSON, CSV with
longitude/latitude columns, and through pyogrio/GDAL a zipped Shapefile, a GeoPackage,
KML and KMZ. Coordinate systems (:mod:`corridor_map.analysis.upload_crs`): the file's own
unless the user declares one; CGCS2000 and its Gauss-Krüger zones reprojected, GCJ-02 and
BD-09 converted; a file with no coordinate system, or whose coordinates do not fit the
one given, is refused with a message naming what was found. Warnings
(:mod:`corridor_map.analysis.upload_notes`): open rings closed, GeometryCollections summed,
a whole file that sits on the Gaode/Baidu images of the reference stations.

Bounded work, so that one hostile file cannot hold the server: at most
:data:`DEFAULT_MAX_BYTES` per file, :data:`DEFAULT_MAX_VERTICES` vertices, archives and
GeoPackages checked by structure before they are read; and the parsing runs in a worker
process (:func:`read_upload`; reused while healthy, :mod:`corridor_map.analysis.upload_pool`)
that is killed at :data:`UPLOAD_TIME_LIMIT_S` and may use at most
:data:`UPLOAD_MEMORY_BYTES` more memory than it held when the file came (``RLIMIT_AS``), at
most :data:`UPLOAD_WORKERS` at a time. :func:`measure_upload` caches its result by the file's
SHA-256 so a rerun does not parse the file again, and :func:`display_geometries` gives a
simplified copy for drawing.

Every refusal is an :class:`~corridor_map.analysis.upload_notes.UploadError` carrying the
message in both languages, so the app can show it in the user's language.
"""

from __future__ import annotations

import copy
import hashlib
import tempfile
import threading
from collections import OrderedDict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import shapely
from shapely.geometry import mapping, shape
from shapely.geometry.base import BaseGeometry

from corridor_map.analysis.measure import DEFAULT_MAX_BYTES, measure_shapes
from corridor_map.analysis.upload_crs import OFFSET_SYSTEMS, declared_crs, resolve_crs
from corridor_map.analysis.upload_notes import (
    Note,
    ReferencePoint,
    UploadError,
    collection_notes,
    offset_notes,
)
from corridor_map.analysis.upload_pool import WorkerPool
from corridor_map.analysis.upload_readers import (
    count_vertices,
    file_format,
    read_csv,
    read_geojson,
    read_ogr,
    too_many,
)
from corridor_map.core.errors import CorridorMapError

__all__ = [
    "DECLARED_CRS_CHOICES",
    "DEFAULT_MAX_VERTICES",
    "Imported",
    "display_geometries",
    "error_text",
    "measure_upload",
    "read_upload",
]

#: Most vertices one upload may hold (an 820k-vertex file took 17 s and 125 MB).
DEFAULT_MAX_VERTICES = 200_000
#: Vertex budget of the simplified copy drawn on the map.
DISPLAY_MAX_VERTICES = 5_000
#: The parsing worker is killed after this many seconds (a legitimate 200,000-vertex
#: file parses in about 2 s).
UPLOAD_TIME_LIMIT_S = 30.0
#: Address space the worker may add to what it holds at start (RLIMIT_AS).
UPLOAD_MEMORY_BYTES = 1_000_000_000
#: Uploads parsed at the same time; the others wait (then are told the server is busy).
UPLOAD_WORKERS = 2
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


def error_text(exc: CorridorMapError, lang: str) -> str:
    """The message of any error in the UI language (bilingual when it has only one text)."""
    return exc.text(lang) if isinstance(exc, UploadError) else str(exc)


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


@dataclass(frozen=True)
class Limits:
    """What one upload may cost: bytes, vertices, seconds, memory."""

    max_bytes: int = DEFAULT_MAX_BYTES
    max_vertices: int = DEFAULT_MAX_VERTICES
    seconds: float = UPLOAD_TIME_LIMIT_S
    memory_bytes: int = UPLOAD_MEMORY_BYTES


# --------------------------------------------------------------------------- reading


def read_upload(
    data: bytes,
    name: str,
    crs: str | None = None,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    max_vertices: int = DEFAULT_MAX_VERTICES,
    references: Sequence[ReferencePoint] = (),
    limits: Limits | None = None,
) -> Imported:
    """Read an uploaded file into WGS84 GeoJSON, in a worker process with limits.

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
    references
        Reference points (:func:`corridor_map.analysis.upload_notes.reference_points` of
        the atlas) for the GCJ-02 / BD-09 check; none: no such check.
    limits
        Time and memory of the worker (default :class:`Limits` with the two above).

    Returns
    -------
    Imported

    Raises
    ------
    UploadError
        Naming the file and what was found: too large, too many vertices, unsupported
        format, no coordinate system, coordinates that do not fit it, unreadable content,
        or the time or memory limit reached.
    MeasureInputError
        From the GeoJSON parser (naming the feature and position).
    """
    if limits is None:
        limits = Limits(max_bytes=max_bytes, max_vertices=max_vertices)
    if not isinstance(data, bytes | bytearray):
        raise UploadError(name, "不支持的输入类型", f"unsupported input {type(data).__name__}")
    if len(data) > limits.max_bytes:
        raise UploadError(
            name,
            f"文件过大：{len(data):,} 字节，上限 {limits.max_bytes:,}",
            f"file too large: {len(data):,} bytes > limit {limits.max_bytes:,}",
        )
    if not bytes(data).strip():
        raise UploadError(name, "文件为空", "file is empty")
    declared_crs(crs, name)  # an unknown name is refused before any work
    file_format(bytes(data), name)
    return _in_worker(bytes(data), name, crs, limits, tuple(references))


def parse_upload(
    data: bytes, name: str, crs: str | None, max_vertices: int, references: Sequence[ReferencePoint]
) -> Imported:
    """The parsing itself, without a worker (:mod:`corridor_map.analysis.upload_worker`
    runs it; arguments as :func:`read_upload`)."""
    declared = declared_crs(crs, name)
    kind = file_format(data, name)
    notes: list[Note] = []
    prj_text = ""  # a .prj GDAL could not read, quoted in the message
    if kind == "geojson":
        features, file_crs, rings = read_geojson(data, name, max_vertices)
    elif kind == "csv":
        features, file_crs, rings = read_csv(data, name, max_vertices)
    else:
        with tempfile.TemporaryDirectory(prefix="cm-upload-") as tmp:
            features, file_crs, rings, prj_text = read_ogr(
                data, name, kind, Path(tmp), max_vertices
            )
    notes.extend(rings)
    if not features:
        raise UploadError(name, "文件中没有要素", "the file holds no features")
    vertices = sum(count_vertices(g) for _, g in features)
    if vertices > max_vertices:
        raise too_many(name, vertices, max_vertices)
    source, convert, crs_notes = resolve_crs(name, kind, file_crs, declared, features, prj_text)
    notes.extend(crs_notes)
    converted = [(props, None if g is None else convert(g)) for props, g in features]
    if declared is None or declared not in OFFSET_SYSTEMS:
        notes.extend(offset_notes(name, converted, references))
    notes.extend(collection_notes(name, converted))
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


# --------------------------------------------------------------------------- the worker

_POOL = WorkerPool(UPLOAD_WORKERS)


def _in_worker(
    data: bytes,
    name: str,
    crs: str | None,
    limits: Limits,
    references: tuple[ReferencePoint, ...],
) -> Imported:
    """Run :func:`parse_upload` in a worker of :mod:`corridor_map.analysis.upload_pool`
    (a separate process, reused while healthy), killed at the time limit."""
    request = (limits.memory_bytes, (data, name, crs, limits.max_vertices, references))
    return _outcome(name, limits, _POOL.run(request, limits.seconds))


def _outcome(name: str, limits: Limits, outcome: tuple[str, Any]) -> Imported:
    status, value = outcome
    if status == "ok" and isinstance(value, Imported):
        return value
    if status == "refused" and isinstance(value, CorridorMapError):
        raise value
    megabytes = f"{limits.memory_bytes / 1e6:,.0f}"
    if status == "busy":
        raise UploadError(
            name,
            f"服务器正忙（已有 {UPLOAD_WORKERS} 个文件在解析），请稍后再试",
            f"the server is busy ({UPLOAD_WORKERS} files are being read); try again shortly",
        )
    if status == "time":
        raise UploadError(
            name,
            f"解析超过时间上限 {limits.seconds:g} 秒，已停止；请简化或拆分文件",
            f"reading it took longer than the time limit of {limits.seconds:g} s and was "
            "stopped; simplify or split the file",
        )
    if status == "memory":
        raise UploadError(
            name,
            f"解析超出内存上限 {megabytes} MB，已停止；请简化或拆分文件",
            f"reading it needed more than the memory limit of {megabytes} MB and was "
            "stopped; simplify or split the file",
        )
    if status == "died":
        raise UploadError(
            name,
            f"解析中止，没有结果（内存上限 {megabytes} MB 或读取程序崩溃）；请简化或拆分文件",
            f"reading it stopped without a result (the memory limit of {megabytes} MB, or "
            "the reader crashed); simplify or split the file",
        )
    raise UploadError(name, f"无法读取（{value}）", f"cannot be read ({value})")


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
    references: Sequence[ReferencePoint] = (),
    cache: bool = True,
) -> dict[str, Any]:
    """Read and measure an upload once per content (cached by SHA-256, name and CRS).

    ``references``: as :func:`read_upload` (the app and the CLI pass
    ``reference_points(atlas)``). ``cache`` False neither reads nor fills the process's
    cache: the app keeps what it draws in the session instead, released with it (a
    200,000-vertex file held here outlived its session).

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
    key = (hashlib.sha256(data).hexdigest(), name, crs, max_bytes, max_vertices, len(references))
    with _CACHE_LOCK:
        if cache and key in _CACHE:
            _CACHE.move_to_end(key)
            cached = _CACHE[key]
            if isinstance(cached, CorridorMapError):
                # A copy: a raise gives the error this frame's traceback (and the file).
                raise copy.copy(cached)
            return cached
    try:
        imported = read_upload(
            data, name, crs, max_bytes=max_bytes, max_vertices=max_vertices, references=references
        )
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
        # Kept without its traceback: its frames would hold the file's bytes.
        value = exc.with_traceback(None)
    if cache:
        with _CACHE_LOCK:
            _CACHE[key] = value
            while len(_CACHE) > _CACHE_SIZE:
                _CACHE.popitem(last=False)
    if isinstance(value, CorridorMapError):
        raise copy.copy(value) if cache else value
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
