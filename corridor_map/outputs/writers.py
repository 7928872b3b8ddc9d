"""Rows to files: GeoJSON, GeoPackage, KML, CSV and zipped Shapefile.

Rows are flat dicts with a shapely geometry (WGS84) or None under ``"geometry"``.

- **GeoPackage** (declared 1.2, which GDAL 3.6 / QGIS 3.22 validate and ArcGIS Pro reads):
  one layer per geometry type, ``points``, ``lines`` and ``polygons`` (promoted to Multi*
  so each layer has one type), and the places named but not located in a table without
  geometry, ``unlocated`` (with ``within``, the smallest area known to hold them). QGIS
  and ArcGIS draw one geometry type per table; a mixed layer loses the others.
- **Shapefile** (a zip): the same split, one ``.shp`` set per type and ``unlocated.dbf``;
  the texts a DBF cell cannot hold (254 bytes: citations, stated figures, the note) go
  to ``texts.csv``, joined by ``id``; field names are cut to DBF's 10 characters.
- **GeoJSON** stays one FeatureCollection: RFC 7946 allows mixed and null geometries, and
  web maps, validators and scripts read it whole. For QGIS or ArcGIS, the GeoPackage.
- **KML**: :mod:`corridor_map.outputs.kml` (styles from the on-screen symbology).
- **CSV**: one row per feature with the representative point; cells a spreadsheet would
  run as a formula (``=``, ``+``, ``-``, ``@``, tab, carriage return at the start) begin
  with an apostrophe (OWASP, CSV injection).

Every file is reopened before it replaces the old one (:mod:`corridor_map.outputs.verify`).
"""

from __future__ import annotations

import csv
import json
import tempfile
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from shapely.geometry import mapping

from corridor_map.outputs.common import ExportError
from corridor_map.outputs.common import atomic_path as _atomic
from corridor_map.outputs.crs import OutputCrs
from corridor_map.outputs.verify import check_csv, check_layers

__all__ = [
    "FORMATS",
    "LAYERS",
    "UNLOCATED",
    "geometry_layer",
    "neutralise",
    "output_format",
    "write_rows",
]

#: Export formats: name → (file ending, MIME type).
FORMATS: dict[str, tuple[str, str]] = {
    "geojson": (".geojson", "application/geo+json"),
    "gpkg": (".gpkg", "application/geopackage+sqlite3"),
    "kml": (".kml", "application/vnd.google-earth.kml+xml"),
    "csv": (".csv", "text/csv"),
    "shp": (".zip", "application/zip"),
}
#: Geometry layer name → (geometry types it holds, the layer's declared type).
LAYERS: dict[str, tuple[frozenset[str], str]] = {
    "points": (frozenset({"Point", "MultiPoint"}), "MultiPoint"),
    "lines": (frozenset({"LineString", "MultiLineString"}), "MultiLineString"),
    "polygons": (frozenset({"Polygon", "MultiPolygon"}), "MultiPolygon"),
}
#: The table of places named but not located.
UNLOCATED = "unlocated"
_GPKG_VERSION = "1.2"
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_DBF_TEXT = 254  # bytes in a DBF character field


def output_format(path: Path, fmt: str | None) -> str:
    """The format asked for, or the one ``path``'s ending names.

    Raises
    ------
    ExportError
        An unknown format or ending.
    """
    if fmt is None:
        by_suffix = {suffix: name for name, (suffix, _) in FORMATS.items()}
        fmt = by_suffix.get(Path(path).suffix.lower())
    if fmt not in FORMATS:
        raise ExportError(
            f"{Path(path).name}: 未知格式 / unknown format {fmt or Path(path).suffix!r}: use "
            + ", ".join(f"{k} ({v[0]})" for k, v in FORMATS.items())
        )
    return fmt


def geometry_layer(geometry: Any) -> str | None:
    """The layer a geometry goes to (``points``, ``lines``, ``polygons``), None if absent.

    Raises
    ------
    ExportError
        A geometry collection (no single-type layer can hold it).
    """
    if geometry is None or geometry.is_empty:
        return None
    for name, (types, _) in LAYERS.items():
        if geometry.geom_type in types:
            return name
    raise ExportError(f"不支持的几何类型 / unsupported geometry type {geometry.geom_type}")


def neutralise(value: Any) -> Any:
    """A cell a spreadsheet shows as text: an apostrophe before a would-be formula."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def _json_value(value: Any) -> Any:
    return None if isinstance(value, float) and value != value else value


def write_rows(
    path: Path,
    rows: list[dict[str, Any]],
    fmt: str,
    title: str,
    description: str,
    crs: OutputCrs,
    notice: str = "",
) -> Path:
    """Write rows in ``fmt`` and ``crs`` atomically, reopened before the rename.

    ``notice`` (the attribution) is also a top-level member of a GeoJSON file.

    Raises
    ------
    ExportError
        A format that cannot hold ``crs`` (KML: longitude/latitude only), a geometry no
        layer can hold, a write that fails or reads back incomplete.
    """
    if fmt == "kml" and crs.projected:
        raise ExportError(
            f"{path.name}: KML 只用经纬度 / KML holds longitude/latitude only: {crs.code}"
        )
    shaped = [{**row, "geometry": crs.transform(row.get("geometry"))} for row in rows]
    with _atomic(Path(path)) as tmp:
        if fmt == "geojson":
            _geojson(tmp, shaped, title, description, crs, notice)
        elif fmt == "csv":
            _csv(tmp, rows, crs)
        elif fmt == "gpkg":
            _gpkg(tmp, shaped, title, description, crs)
        elif fmt == "kml":
            from corridor_map.outputs.kml import write_kml

            write_kml(tmp, shaped, title, description)
            check_layers(tmp, {"*": len(rows)})
        elif fmt == "shp":
            _shapefile_zip(tmp, shaped, title, description, crs)
        else:
            raise ExportError(f"{path.name}: 未知格式 / unknown format {fmt!r}")
    return Path(path)


def _geojson(
    tmp: Path,
    rows: list[dict[str, Any]],
    title: str,
    description: str,
    crs: OutputCrs,
    notice: str,
) -> None:
    from corridor_map.geo.geojson import geometry_json

    collection: dict[str, Any] = {
        "type": "FeatureCollection",
        "name": title,
        "description": description,
        "attribution": notice,
    }
    if crs.epsg != 4326:
        # RFC 7946 means WGS84; another system is named the 2008 way, which GDAL, QGIS
        # and ArcGIS read.
        collection["crs"] = {
            "type": "name",
            "properties": {"name": f"urn:ogc:def:crs:EPSG::{crs.epsg}"},
        }
    collection["features"] = [
        {
            "type": "Feature",
            "properties": {k: _json_value(v) for k, v in row.items() if k != "geometry"},
            "geometry": None
            if row["geometry"] is None
            else (
                geometry_json(row["geometry"]) if not crs.projected else _metres(row["geometry"])
            ),
        }
        for row in rows
    ]
    text = json.dumps(collection, ensure_ascii=False, allow_nan=False) + "\n"
    tmp.write_text(text, encoding="utf-8")
    check_layers(tmp, {"*": len(rows)})


def _metres(geometry: Any) -> dict[str, Any]:
    """GeoJSON of a projected geometry, coordinates to the centimetre."""
    import shapely

    return dict(mapping(shapely.set_precision(geometry, 0.01)))


def _csv(tmp: Path, rows: list[dict[str, Any]], crs: OutputCrs) -> None:
    columns = [k for k in rows[0] if k != "geometry"] if rows else ["note"]
    if crs.projected and "lon" in columns:
        # The representative point in the file's system: x/y in metres.
        columns = [c for c in columns if c not in {"lon", "lat"}] + ["x", "y", "crs"]
        rows = [_xy(row, crs) for row in rows]
    elif crs.epsg != 4326 and "lon" in columns:
        columns.append("crs")
        rows = [{**row, "crs": crs.code} for row in rows]
    with tmp.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns)
        writer.writeheader()
        for row in rows:
            writer.writerow(
                {k: "" if row.get(k) is None else neutralise(row.get(k)) for k in columns}
            )
    check_csv(tmp, len(rows), len(columns))


def _xy(row: dict[str, Any], crs: OutputCrs) -> dict[str, Any]:
    import shapely

    out = dict(row)
    if row.get("lon") is None:
        return {**out, "x": None, "y": None, "crs": crs.code}
    point = crs.transform(shapely.Point(row["lon"], row["lat"]))
    assert point is not None
    return {**out, "x": round(point.x, 2), "y": round(point.y, 2), "crs": crs.code}


def _split(rows: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    """Rows by layer: ``points``, ``lines``, ``polygons`` and :data:`UNLOCATED`."""
    parts: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        parts.setdefault(geometry_layer(row["geometry"]) or UNLOCATED, []).append(row)
    return {name: parts[name] for name in [*LAYERS, UNLOCATED] if name in parts}


def _frames(rows: list[dict[str, Any]], crs: OutputCrs) -> dict[str, Any]:
    import geopandas as gpd
    import pandas as pd

    frames: dict[str, Any] = {}
    for name, part in _split(rows).items():
        if name == UNLOCATED:
            frames[name] = pd.DataFrame(
                [{k: v for k, v in r.items() if k != "geometry"} for r in part]
            )
        else:
            frames[name] = gpd.GeoDataFrame(part, geometry="geometry", crs=crs.code)
    return frames


def _ogr(tmp: Path, frame: Any, layer: str, driver: str, **options: Any) -> None:
    import pyogrio

    try:
        pyogrio.write_dataframe(frame, tmp, layer=layer, driver=driver, **options)
    except Exception as exc:  # GDAL's errors (disk full, sqlite) come in several types
        reason = " ".join(str(exc).split())
        reason = reason if len(reason) <= 240 else reason[:240] + "…"
        raise ExportError(
            f"{tmp.name}: GDAL 无法写入 / GDAL cannot write {layer}: {reason}"
        ) from None


def _gpkg(
    tmp: Path, rows: list[dict[str, Any]], title: str, description: str, crs: OutputCrs
) -> None:
    frames = _frames(rows, crs)
    for i, (name, frame) in enumerate(frames.items()):
        options: dict[str, Any] = {
            # gpkg_contents.identifier/description: QGIS shows them in the browser and in
            # Layer Properties ▸ Information.
            "layer_options": {"IDENTIFIER": f"{title} — {name}", "DESCRIPTION": description},
            "layer_metadata": {"DESCRIPTION": description},
        }
        if i == 0:
            options["dataset_options"] = {"VERSION": _GPKG_VERSION}
        if name != UNLOCATED:
            options["geometry_type"] = LAYERS[name][1]
            options["promote_to_multi"] = True
        _ogr(tmp, frame, name, "GPKG", **options)
    check_layers(tmp, {name: len(frame) for name, frame in frames.items()})


def _dbf_names(columns: Sequence[str]) -> dict[str, str]:
    """Column → a DBF field name of at most 10 characters, unique."""
    short = {
        "geometry_basis": "basis",
        "precision_m": "precision",
        "perimeter_km": "perim_km",
        "threshold_min": "thresh_min",
        "planned_links_used": "planned",
    }
    names: dict[str, str] = {}
    for column in columns:
        name = _cut(short.get(column, column), 10)
        stem, n = name, 1
        while name in names.values():
            n += 1
            name = _cut(stem, 10 - len(str(n))) + str(n)
        names[column] = name
    return names


def _cut(text: str, size: int) -> str:
    """The longest start of ``text`` of at most ``size`` UTF-8 bytes (DBF counts bytes)."""
    return text.encode()[:size].decode(errors="ignore")


def _shapefile_zip(
    tmp: Path, rows: list[dict[str, Any]], title: str, description: str, crs: OutputCrs
) -> None:
    columns = [k for k in (rows[0] if rows else {}) if k != "geometry"]
    # Texts too long for a DBF cell go to texts.csv, with the id (or row number) to join.
    long = [c for c in columns if any(len(str(r.get(c) or "").encode()) > _DBF_TEXT for r in rows)]
    long += [c for c in ("attribution", "note") if c in columns and c not in long]
    key = "id" if "id" in columns else "row"
    kept = [c for c in columns if c not in long]
    names = _dbf_names([*([] if key == "id" else ["row"]), *kept])
    slim = [
        {names[c]: r.get(c) for c in ([] if key == "id" else ["row"]) + kept}
        | {"geometry": r["geometry"]}
        for r in ({**row, "row": i + 1} for i, row in enumerate(rows))
    ]
    frames = _frames(slim, crs)
    with tempfile.TemporaryDirectory(prefix="cm-shp-", dir=tmp.parent) as folder:
        base = Path(folder)
        expected: dict[str, int] = {}
        for name, frame in frames.items():
            _ogr(base / f"{name}.shp" if name != UNLOCATED else base / f"{name}.dbf", frame, name,
                 "ESRI Shapefile", layer_options={"ENCODING": "UTF-8"})  # fmt: skip
            expected[name] = len(frame)
        with (base / "texts.csv").open("w", encoding="utf-8-sig", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow([key, *long])
            for i, row in enumerate(rows):
                writer.writerow(
                    [neutralise(row.get(key, i + 1)), *(neutralise(row.get(c) or "") for c in long)]
                )
        fields = "\n".join(f"{short}\t{column}" for column, short in names.items())
        (base / "README.txt").write_text(
            f"{title}\n{description}\n\n{crs.label}\n\n"
            f"Fields (DBF name, full name):\n{fields}\n\n"
            f"texts.csv: {', '.join(long)} (joined by {key})\n",
            encoding="utf-8",
        )
        with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as archive:
            for file in sorted(base.iterdir()):
                archive.write(file, file.name)
    for name, count in expected.items():
        member = f"{name}.shp" if name != UNLOCATED else f"{name}.dbf"
        check_layers(f"/vsizip/{tmp}/{member}", {name: count})
