"""What planners take away: the curated features, a sketch, a route, an isochrone and the
travel-targets table, as GeoJSON, GeoPackage, KML or CSV for QGIS/ArcGIS.

Every file carries the attribution of the data it holds and the schematic disclaimer:
as ``attribution`` and ``note`` fields on every feature or row (the one place every
format and every GIS shows), and where the format has one also in its file metadata
(GeoJSON top-level members, the GeoPackage layer description, the KML document
description). Files hold WGS84 (EPSG:4326). Writes go to a temporary file beside the
target, are flushed to disk and renamed over it, so a failed export leaves nothing
half-written.
"""

from __future__ import annotations

import csv
import datetime
import functools
import json
import tempfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import shapely
from shapely.geometry import mapping, shape
from shapely.geometry.base import BaseGeometry

from corridor_map.atlas.model import Atlas, Feature, load_atlas
from corridor_map.core.i18n import t
from corridor_map.core.records import Source
from corridor_map.geo.geodesy import geodesic_measure
from corridor_map.outputs.common import (
    ExportError,
    attribution,
    disclaimer,
    select_features,
)
from corridor_map.outputs.common import atomic_path as _atomic

__all__ = [
    "FORMATS",
    "Download",
    "downloads",
    "export_bytes",
    "feature_rows",
    "format_label",
    "route_items",
    "sketch_downloads",
    "target_rows",
    "travel_downloads",
    "write_features",
    "write_geometries",
    "write_geometry",
    "write_targets",
]

#: Export formats: name → (file ending, MIME type).
FORMATS: dict[str, tuple[str, str]] = {
    "geojson": (".geojson", "application/geo+json"),
    "gpkg": (".gpkg", "application/geopackage+sqlite3"),
    "kml": (".kml", "application/vnd.google-earth.kml+xml"),
    "csv": (".csv", "text/csv"),
}
_DRIVERS = {"gpkg": "GPKG", "kml": "LIBKML"}
_LAYER = "corridor_map"


# --------------------------------------------------------------------------- notices


def _stamp() -> str:
    return f"corridor-map export {datetime.date.today().isoformat()}, WGS84 (EPSG:4326)"


# --------------------------------------------------------------------------- selection


def _citations(sources: Sequence[Source]) -> str:
    from corridor_map.documents.corpus import citation_label, load_corpus
    from corridor_map.views.panel import excerpt_views

    parts = []
    for view in excerpt_views(sources, load_corpus()):
        meta = " ".join(x for x in (view.issuer, view.doc_number, view.date) if x)
        label = citation_label(view.doc_id, view.heading_path) if view.error is None else view.title
        parts.append(f"{label}（{meta}）：“{view.quote}”" if meta else f"{label}：“{view.quote}”")
    return " | ".join(parts)


def _stated(rows: list[dict[str, Any]]) -> tuple[str, str]:
    stated = "; ".join(f"{r['quantity']} {r['stated_text']}" for r in rows)
    measured = "; ".join(
        f"{r['quantity']} {r['measured_value']} {r['measured_unit']} ({r['difference_pct']:+.1f} %)"
        for r in rows
        if r["comparable"]
    )
    return stated, measured


def feature_rows(atlas: Atlas, features: Iterable[Feature]) -> list[dict[str, Any]]:
    """Flat attribute rows (one per feature) with the geometry under ``"geometry"``.

    Columns: ``id``, ``name_zh``, ``name_en``, ``corridor``, ``role``, ``parent``,
    ``district`` (code and name), ``geometry_basis``, ``precision_m``, ``status``,
    ``stated`` (figures as the documents state them), ``measured`` (geodesic, with the
    difference), ``area_km2``, ``length_km``, ``lon`` / ``lat`` (representative point),
    ``citations`` (title, issuer, 文号, date, section and the verbatim excerpt),
    ``attribution`` and ``note``.
    """
    from corridor_map.analysis.measure import stated_vs_measured

    notice = attribution(atlas)
    note = disclaimer()
    known = atlas.districts()
    by_feature: dict[str, list[dict[str, Any]]] = {}
    for row in stated_vs_measured():
        by_feature.setdefault(row["feature_id"], []).append(row)
    rows = []
    for f in features:
        districts = [
            f"{code} {known[code].name_zh}" if code in known else code for code in f.district_codes
        ]
        stated, measured = _stated(by_feature.get(f.id, []))
        m = geodesic_measure(
            shapely.union_all(f.geometry)
            if f.geometry is not None and f.geometry.geom_type == "MultiPolygon"
            else f.geometry
        )
        anchor = f.anchor
        status = f.status
        rows.append(
            {
                "id": f.id,
                "name_zh": f.name_zh,
                "name_en": f.name_en,
                "corridor": f.corridor,
                "role": f.role,
                "parent": f.parent or "",
                "district": ", ".join(districts),
                "geometry_basis": f.geometry_basis,
                "precision_m": f.precision_m,
                "status": str(status.get("value", "")) if status else "",
                "stated": stated,
                "measured": measured,
                "area_km2": round(m.area_km2, 6),
                "length_km": round(m.length_km, 6),
                "lon": None if anchor is None else round(anchor[0], 7),
                "lat": None if anchor is None else round(anchor[1], 7),
                "citations": _citations(f.sources),
                "attribution": notice,
                "note": note,
                "geometry": f.geometry,
            }
        )
    return rows


# --------------------------------------------------------------------------- writing


def _format(path: Path, fmt: str | None) -> str:
    if fmt is None:
        by_suffix = {suffix: name for name, (suffix, _) in FORMATS.items()}
        fmt = by_suffix.get(Path(path).suffix.lower())
    if fmt not in FORMATS:
        raise ExportError(
            f"{path}: 未知格式 / unknown format {fmt or Path(path).suffix!r}: use "
            + ", ".join(f"{k} ({v[0]})" for k, v in FORMATS.items())
        )
    return fmt


def _json_value(value: Any) -> Any:
    return None if isinstance(value, float) and value != value else value


def _write_rows(
    path: Path,
    rows: list[dict[str, Any]],
    fmt: str | None,
    title: str,
    notice: str,
) -> Path:
    """Write rows (``geometry`` = shapely or None) in ``fmt``; return the path written."""
    fmt = _format(path, fmt)
    description = f"{title}. {disclaimer()}. Attribution: {notice}. {_stamp()}"
    with _atomic(Path(path)) as tmp:
        if fmt == "geojson":
            collection = {
                "type": "FeatureCollection",
                "name": title,
                "description": description,
                "attribution": notice,
                "features": [
                    {
                        "type": "Feature",
                        "properties": {
                            k: _json_value(v) for k, v in row.items() if k != "geometry"
                        },
                        "geometry": None
                        if row["geometry"] is None
                        else _rounded(mapping(row["geometry"])),
                    }
                    for row in rows
                ],
            }
            tmp.write_text(
                json.dumps(collection, ensure_ascii=False, allow_nan=False, indent=None) + "\n",
                encoding="utf-8",
            )
        elif fmt == "csv":
            columns = [k for k in rows[0] if k != "geometry"] if rows else ["note"]
            with tmp.open("w", encoding="utf-8-sig", newline="") as handle:
                writer = csv.DictWriter(handle, fieldnames=columns)
                writer.writeheader()
                for row in rows:
                    writer.writerow({k: "" if row.get(k) is None else row.get(k) for k in columns})
        else:
            _write_ogr(tmp, rows, fmt, title, description)
    return Path(path)


def _rounded(geo: dict[str, Any]) -> dict[str, Any]:
    from corridor_map.geo.geojson import geometry_json

    return geometry_json(shape(geo)) or geo


def _write_ogr(tmp: Path, rows: list[dict[str, Any]], fmt: str, title: str, text: str) -> None:
    import geopandas as gpd
    import pyogrio

    frame = gpd.GeoDataFrame(rows, geometry="geometry", crs="EPSG:4326")
    options: dict[str, Any] = {}
    if fmt == "gpkg":
        # gpkg_contents.identifier/description: QGIS shows them in the browser and in
        # Layer Properties ▸ Information.
        options = {
            "layer_options": {"IDENTIFIER": title, "DESCRIPTION": text},
            "layer_metadata": {"DESCRIPTION": text},
        }
        geometry_type = "Unknown"
    else:
        options = {"dataset_options": {"NAME": title, "DESCRIPTION": text}}
        if "name" not in frame.columns:
            frame = frame.assign(name=frame.get("name_zh", frame.get("kind", "")))
        # <description> is what Google Earth and phone apps show in a placemark's balloon.
        parts = [c for c in ("name_en", "stated", "citations", "note", "attribution") if c in frame]
        frame = frame.assign(description=frame[parts].fillna("").astype(str).agg("\n".join, axis=1))
        geometry_type = None
    try:
        pyogrio.write_dataframe(
            frame,
            tmp,
            layer=_LAYER,
            driver=_DRIVERS[fmt],
            geometry_type=geometry_type,
            **options,
        )
    except pyogrio.errors.DataSourceError as exc:
        raise ExportError(f"{tmp.name}: GDAL 无法写入 / GDAL cannot write: {exc}") from None


def write_features(
    path: Path | str,
    scope: str | None = None,
    fmt: str | None = None,
    atlas: Atlas | None = None,
) -> Path:
    """Export curated features (all, one corridor, or one feature with its children).

    Parameters
    ----------
    path
        Output file; its ending chooses the format unless ``fmt`` is given.
    scope
        See :func:`select_features`.
    fmt
        ``"geojson"``, ``"gpkg"``, ``"kml"`` or ``"csv"`` (centroid lon/lat columns).
    """
    atlas = atlas or load_atlas()
    rows = feature_rows(atlas, select_features(atlas, scope))
    title = f"corridor-map features ({scope or 'all'})"
    return _write_rows(Path(path), rows, fmt, title, attribution(atlas))


def write_geometry(
    path: Path | str,
    geometry: dict[str, Any],
    kind: str,
    properties: dict[str, Any] | None = None,
    fmt: str | None = None,
) -> Path:
    """Export one GeoJSON geometry (a sketch, a route, an isochrone) with its properties.

    Parameters
    ----------
    geometry
        A WGS84 GeoJSON geometry, or a Feature (its properties are kept).
    kind
        What it is (``"sketch"``, ``"route"``, ``"isochrone"``): the layer title; routes
        and isochrones also carry the road network's attribution.
    """
    return write_geometries(path, [(geometry, properties)], kind, fmt)


def write_geometries(
    path: Path | str,
    items: Sequence[tuple[dict[str, Any] | None, dict[str, Any] | None]],
    kind: str,
    fmt: str | None = None,
) -> Path:
    """Export several geometries of one kind (e.g. the routes of every travel target).

    Parameters
    ----------
    items
        ``(geometry, properties)`` pairs: a WGS84 GeoJSON geometry or Feature (its
        properties are kept, ``properties`` override them) and a flat dict; nested
        values are written as JSON text.
    kind
        See :func:`write_geometry`.

    Raises
    ------
    ExportError
        When a geometry is invalid, or there is nothing to write.
    """
    if not items:
        raise ExportError(f"{kind}: 没有可导出的几何 / nothing to export")
    notice = attribution(roads=kind in {"route", "isochrone"})
    csv_out = Path(path).suffix.lower() == ".csv" or fmt == "csv"
    rows = []
    for geometry, properties in items:
        props = dict(properties or {})
        geometry = geometry or {}
        if geometry.get("type") == "Feature":
            props = {**(geometry.get("properties") or {}), **props}
            geometry = geometry.get("geometry") or {}
        try:
            geom: BaseGeometry | None = shape(geometry) if geometry else None
        except (ValueError, TypeError, AttributeError, KeyError, IndexError) as exc:
            raise ExportError(f"{kind}: 几何无效 / invalid geometry: {exc}") from None
        m = geodesic_measure(geom)
        row = {
            "kind": kind,
            **{k: _flat(v) for k, v in props.items()},
            "area_km2": round(m.area_km2, 6),
            "length_km": round(m.length_km, 6),
            "attribution": notice,
            "note": disclaimer(),
            "geometry": geom,
        }
        if csv_out:
            anchor = None if geom is None or geom.is_empty else geom.representative_point()
            row["lon"] = None if anchor is None else round(anchor.x, 7)
            row["lat"] = None if anchor is None else round(anchor.y, 7)
        rows.append(row)
    # Every row has every column (GDAL and CSV take the first row's columns).
    columns = list(dict.fromkeys(k for row in rows for k in row))
    rows = [{k: row.get(k) for k in columns} for row in rows]
    return _write_rows(Path(path), rows, fmt, f"corridor-map {kind}", notice)


def _flat(value: Any) -> Any:
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def target_rows(
    results: Sequence[Any], assumptions: Any, scenario: str = "A"
) -> list[dict[str, Any]]:
    """Rows of the travel-targets table: verdict, worst case, method, assumptions, sources.

    Parameters
    ----------
    results
        :class:`~corridor_map.travel.targets.TargetResult` list, evaluated under ``assumptions``.
    assumptions
        The :class:`~corridor_map.travel.assumptions.SpeedAssumptions` used (described in
        every row).
    scenario
        The scenario's label (``A``, ``B`` when two are compared).
    """
    described = " | ".join(assumptions.describe())
    notice = attribution(roads=True)
    rows = []
    for r in results:
        worst = r.worst_case or {}
        rows.append(
            {
                "scenario": scenario,
                "id": r.id,
                "name_zh": r.name_zh,
                "name_en": r.name_en,
                "corridor": r.corridor or "",
                "threshold_min": r.threshold_min,
                "status": r.status,
                "verdict_zh": t(f"verdict_{r.status}", "zh"),
                "verdict_en": t(f"verdict_{r.status}", "en"),
                "worst_minutes": None if r.worst_minutes is None else round(r.worst_minutes, 2),
                "worst_origin": worst.get("origin", ""),
                "worst_destination": worst.get("destination", ""),
                "method": r.method,
                "evaluation_zh": r.evaluation_zh,
                "evaluation_en": r.evaluation_en,
                "planned_links": r.planned_links,
                "assumptions": described,
                "notes": " | ".join(r.notes),
                "unlocated": ", ".join(r.unlocated),
                "citations": _citations(r.sources),
                "attribution": notice,
                "note": disclaimer(),
                "geometry": None,
            }
        )
    return rows


def route_items(
    results: Sequence[Any], scenario: str = "A"
) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """The worst-case routes of evaluated travel targets, for :func:`write_geometries`.

    One ``(LineString, properties)`` pair per target whose worst case has a drawn path:
    scenario, target id and names, threshold, verdict, the trip's ends, minutes and km.
    """
    items = []
    for r in results:
        worst = r.worst_case or {}
        if not worst.get("path"):
            continue
        origin = worst.get("origin")
        items.append(
            (
                worst["path"],
                {
                    "scenario": scenario,
                    "target": r.id,
                    "name_zh": r.name_zh,
                    "name_en": r.name_en,
                    "threshold_min": r.threshold_min,
                    "status": r.status,
                    "verdict_zh": t(f"verdict_{r.status}", "zh"),
                    "verdict_en": t(f"verdict_{r.status}", "en"),
                    # a sampled ring point has coordinates, not an id
                    "from": origin if isinstance(origin, str) else _flat(origin),
                    "to": worst.get("destination"),
                    "minutes": None if worst.get("minutes") is None else round(worst["minutes"], 2),
                    "km": None if worst.get("km") is None else round(worst["km"], 3),
                    "planned_links_used": ", ".join(worst.get("planned_links_used") or []),
                },
            )
        )
    return items


def write_targets(
    path: Path | str,
    assumptions: Any | None = None,
    planned_links: bool = True,
    *,
    evaluated: Sequence[tuple[str, Any, Sequence[Any]]] | None = None,
    atlas: Atlas | None = None,
) -> Path:
    """Export the travel-targets table with verdicts and assumptions as CSV.

    Parameters
    ----------
    assumptions, planned_links
        Evaluate the targets under these (default assumptions, planned links on).
    evaluated
        Instead: already evaluated ``(scenario label, assumptions, results)`` triples
        (the app's scenarios A and B); their rows follow each other.
    atlas
        The layers the targets are evaluated on (default :func:`load_atlas`).
    """
    from corridor_map.travel.assumptions import SpeedAssumptions
    from corridor_map.travel.targets import evaluate_targets

    if _format(Path(path), None if Path(path).suffix else "csv") != "csv":
        raise ExportError(f"{path}: 出行目标表仅导出 CSV / the targets table is exported as CSV")
    if evaluated is None:
        a = assumptions or SpeedAssumptions()
        evaluated = [
            ("A", a, evaluate_targets(atlas or load_atlas(), a, planned_links=planned_links))
        ]
    rows = [row for label, a, results in evaluated for row in target_rows(results, a, label)]
    return _write_rows(
        Path(path), rows, "csv", "corridor-map travel targets", attribution(roads=True)
    )


def export_bytes(write: Callable[[Path], Any], filename: str) -> bytes:
    """Run a ``write_*`` function into a temporary folder and return the file's bytes.

    For download buttons: ``export_bytes(lambda p: write_features(p, fmt="gpkg"), "x.gpkg")``.
    """
    with tempfile.TemporaryDirectory(prefix="cm-export-") as folder:
        target = Path(folder) / filename
        write(target)
        return target.read_bytes()


@dataclass(frozen=True)
class Download:
    """One file the app offers: label, file name, MIME type and how to make its bytes."""

    key: str
    label: str
    file_name: str
    mime: str
    make: Callable[[], bytes]


def downloads(
    scope: str | None,
    lang: str,
    selected: str | None = None,
    sketch: dict[str, Any] | None = None,
) -> list[Download]:
    """The app's downloads: features in every format, the targets table, the printed map
    (A4 and A3 PDF, PNG) for ``scope``, the brief of ``selected`` (a feature id) and the
    measure view's ``sketch`` (a GeoJSON geometry) as GeoJSON and KML.

    Each ``make`` builds the file only when called (Streamlit calls it on click).
    """
    scope = scope or "all"
    stem = f"corridor-map-{scope}"
    items = [
        Download(
            f"features-{fmt}",
            t("download_features", lang).format(fmt=fmt.upper() if fmt != "geojson" else "GeoJSON"),
            f"{stem}{suffix}",
            mime,
            functools.partial(_bytes, write_features, scope, fmt, f"{stem}{suffix}"),
        )
        for fmt, (suffix, mime) in FORMATS.items()
    ]
    items.append(
        Download(
            "targets",
            t("download_targets", lang),
            "corridor-map-targets.csv",
            "text/csv",
            lambda: export_bytes(write_targets, "corridor-map-targets.csv"),
        )
    )
    for key, paper, suffix, mime in (
        ("download_print", "A4", ".pdf", "application/pdf"),
        ("download_print_a3", "A3", ".pdf", "application/pdf"),
        ("download_print_png", "A4", ".png", "image/png"),
    ):
        name = f"{stem}-{paper}{suffix}"
        items.append(
            Download(
                f"print-{paper}{suffix}",
                t(key, lang),
                name,
                mime,
                functools.partial(
                    export_bytes,
                    functools.partial(_print_to, scope, paper, lang),
                    name,
                ),
            )
        )
    if selected:
        name = f"corridor-map-brief-{selected}.pdf"
        items.append(
            Download(
                "brief",
                t("download_brief", lang),
                name,
                "application/pdf",
                functools.partial(export_bytes, functools.partial(_brief_to, selected, lang), name),
            )
        )
    if sketch:
        for fmt in ("geojson", "kml"):
            items.extend(sketch_downloads(lang, sketch, fmt))
    return items


def format_label(fmt: str) -> str:
    """The name a format is offered under: GeoJSON, GPKG, KML, CSV."""
    return "GeoJSON" if fmt == "geojson" else fmt.upper()


def sketch_downloads(lang: str, sketch: dict[str, Any] | None, fmt: str) -> list[Download]:
    """The measure view's sketch (a WGS84 GeoJSON geometry) as one file in ``fmt``."""
    if not sketch:
        return []
    name = f"corridor-map-sketch{FORMATS[_format(Path('sketch'), fmt)][0]}"
    return [
        Download(
            f"sketch-{fmt}",
            t("download_sketch", lang).format(fmt=format_label(fmt)),
            name,
            FORMATS[fmt][1],
            functools.partial(export_bytes, functools.partial(_sketch_to, dict(sketch), fmt), name),
        )
    ]


def travel_downloads(
    lang: str,
    evaluated: Sequence[tuple[str, Any, Sequence[Any]]],
    isochrones: Sequence[tuple[str, dict[str, Any] | None]] = (),
    fmt: str = "geojson",
) -> list[Download]:
    """The travel view's downloads: routes, isochrones and the targets table.

    Parameters
    ----------
    evaluated
        ``(scenario label, SpeedAssumptions, results)`` of the scenario(s) shown.
    isochrones
        ``(scenario label, isochrone Feature)`` of the isochrone(s) shown (a Feature with
        no geometry is left out).
    fmt
        Format of the route and isochrone files; the targets table is CSV.

    Returns
    -------
    list of Download
        ``routes-<fmt>`` (every target's worst-case route in each scenario, when any has
        one), ``isochrones-<fmt>`` (when one is shown) and ``travel-targets`` (CSV).
    """
    fmt = _format(Path("travel"), fmt)
    suffix, mime = FORMATS[fmt]
    labels = "-".join(label for label, _, _ in evaluated) or "A"
    items = []
    routes = [item for label, _, results in evaluated for item in route_items(results, label)]
    shown = [
        (feature, {"scenario": label})
        for label, feature in isochrones
        if feature and feature.get("geometry")
    ]
    for kind, key, geometries in (("route", "routes", routes), ("isochrone", "isochrones", shown)):
        if not geometries:
            continue
        name = f"corridor-map-{key}-{labels}{suffix}"
        items.append(
            Download(
                f"{key}-{fmt}",
                t(f"download_{key}", lang).format(fmt=format_label(fmt)),
                name,
                mime,
                functools.partial(
                    export_bytes,
                    functools.partial(_geometries_to, geometries, kind, fmt),
                    name,
                ),
            )
        )
    name = f"corridor-map-targets-{labels}.csv"
    items.append(
        Download(
            "travel-targets",
            t("download_targets", lang),
            name,
            "text/csv",
            functools.partial(
                export_bytes,
                functools.partial(_targets_to, [(lb, a, list(r)) for lb, a, r in evaluated]),
                name,
            ),
        )
    )
    return items


def _geometries_to(
    items: Sequence[tuple[dict[str, Any] | None, dict[str, Any] | None]],
    kind: str,
    fmt: str,
    path: Path,
) -> Path:
    return write_geometries(path, items, kind, fmt)


def _targets_to(evaluated: list[tuple[str, Any, list[Any]]], path: Path) -> Path:
    return write_targets(path, evaluated=evaluated)


def _sketch_to(sketch: dict[str, Any], fmt: str, path: Path) -> Path:
    return write_geometry(path, sketch, "sketch", None, fmt)


def _bytes(write: Callable[..., Path], scope: str, fmt: str, name: str) -> bytes:
    return export_bytes(lambda p: write(p, scope, fmt), name)


def _print_to(scope: str, paper: str, lang: str, path: Path) -> Path:
    # matplotlib is imported on the first click, not on every page load.
    from corridor_map.outputs.printmap import render_map

    return render_map(path, scope, paper, lang)


def _brief_to(item_id: str, lang: str, path: Path) -> Path:
    from corridor_map.outputs.brief import render_brief

    return render_brief(path, item_id, lang)
