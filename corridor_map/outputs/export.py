"""What planners take away: the curated features, a sketch, a route, an isochrone and the
travel-targets table, as GeoJSON, GeoPackage, KML, CSV or zipped Shapefile for QGIS/ArcGIS,
in WGS84 or CGCS2000 (:mod:`corridor_map.outputs.crs`).

Every file carries the attribution of the data it holds and the schematic disclaimer:
as ``attribution`` and ``note`` fields on every feature or row (the one place every
format and every GIS shows), and where the format has one also in its file metadata
(GeoJSON top-level members, the GeoPackage layer description, the KML document
description). How each format is laid out (one layer per geometry type in a GeoPackage
and a Shapefile, the unlocated places in their own table) is in
:mod:`corridor_map.outputs.writers`. Writes go to a temporary file beside the target, are
reopened and checked, and only then renamed over it, so a failed export leaves the old
file as it was.
"""

from __future__ import annotations

import datetime
import functools
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry

from corridor_map.atlas.model import Atlas, load_atlas
from corridor_map.core.i18n import t
from corridor_map.core.progress import Progress, step
from corridor_map.outputs.common import (
    ExportError,
    attribution,
    disclaimer,
    select_features,
)
from corridor_map.outputs.crs import OutputCrs, resolve_crs
from corridor_map.outputs.rows import feature_rows, flat, measures, route_items, target_rows
from corridor_map.outputs.writers import FORMATS, output_format, write_rows

__all__ = [
    "Download",
    "downloads",
    "export_bytes",
    "format_label",
    "sketch_downloads",
    "travel_downloads",
    "write_features",
    "write_geometries",
    "write_geometry",
    "write_targets",
]


def _description(title: str, notice: str, crs: OutputCrs) -> str:
    stamp = f"corridor-map export {datetime.date.today().isoformat()}, {crs.label}"
    return f"{title}. {disclaimer()}. Attribution: {notice}. {stamp}"


def _write(
    path: Path,
    rows: list[dict[str, Any]],
    fmt: str | None,
    title: str,
    notice: str,
    crs: str | None,
) -> Path:
    chosen = output_format(Path(path), fmt)
    system = resolve_crs(crs, [row.get("geometry") for row in rows])
    description = _description(title, notice, system)
    return write_rows(Path(path), rows, chosen, title, description, system, notice)


def write_features(
    path: Path | str,
    scope: str | None = None,
    fmt: str | None = None,
    atlas: Atlas | None = None,
    crs: str | None = None,
    progress: Progress | None = None,
) -> Path:
    """Export curated features (all, one corridor, or one feature with its children).

    Parameters
    ----------
    path
        Output file; its ending chooses the format unless ``fmt`` is given.
    scope
        See :func:`corridor_map.outputs.common.select_features`.
    fmt
        ``"geojson"``, ``"gpkg"``, ``"kml"``, ``"csv"`` (representative point columns)
        or ``"shp"`` (a zip).
    crs
        See :func:`corridor_map.outputs.crs.resolve_crs` (default WGS84).
    progress
        Told the steps; its time limit is checked between them (default: no limit).
    """
    step(progress, "data")
    atlas = atlas or load_atlas()
    step(progress, "features")
    rows = feature_rows(atlas, select_features(atlas, scope))
    title = f"corridor-map features ({scope or 'all'})"
    step(progress, "write")
    return _write(Path(path), rows, fmt, title, attribution(atlas), crs)


def write_geometry(
    path: Path | str,
    geometry: dict[str, Any],
    kind: str,
    properties: dict[str, Any] | None = None,
    fmt: str | None = None,
    crs: str | None = None,
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
    return write_geometries(path, [(geometry, properties)], kind, fmt, crs)


def write_geometries(
    path: Path | str,
    items: Sequence[tuple[dict[str, Any] | None, dict[str, Any] | None]],
    kind: str,
    fmt: str | None = None,
    crs: str | None = None,
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
        anchor = None if geom is None or geom.is_empty else geom.representative_point()
        rows.append(
            {
                "kind": kind,
                **{k: flat(v) for k, v in props.items()},
                # A trip's own km (access legs included) is its length; the drawn
                # path's geometric length beside it would be an unexplained twin.
                **({} if "km" in props else measures(geom)),
                "lon": None if anchor is None else round(anchor.x, 7),
                "lat": None if anchor is None else round(anchor.y, 7),
                "attribution": notice,
                "note": disclaimer(),
                "geometry": geom,
            }
        )
    # Every row has every column (GDAL and CSV take the first row's columns).
    columns = list(dict.fromkeys(k for row in rows for k in row))
    rows = [{k: row.get(k) for k in columns} for row in rows]
    return _write(Path(path), rows, fmt, f"corridor-map {kind}", notice, crs)


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
    """
    from corridor_map.travel.assumptions import SpeedAssumptions
    from corridor_map.travel.targets import evaluate_targets

    if output_format(Path(path), None if Path(path).suffix else "csv") != "csv":
        raise ExportError(f"{path}: 出行目标表仅导出 CSV / the targets table is exported as CSV")
    if evaluated is None:
        a = assumptions or SpeedAssumptions()
        evaluated = [
            ("A", a, evaluate_targets(atlas or load_atlas(), a, planned_links=planned_links))
        ]
    rows = [row for label, a, results in evaluated for row in target_rows(results, a, label)]
    return _write(
        Path(path), rows, "csv", "corridor-map travel targets", attribution(roads=True), None
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
    """One file the app offers: label, file name, MIME type and how to make its bytes.

    ``build``, when set, makes the same bytes as ``make`` under a
    :class:`~corridor_map.core.progress.Progress` (its time limit kept, its steps told).
    ``prepare`` marks work that may meet the time limit (features, a printed map, a
    brief): the app makes such a file first, its steps shown and a stop told in one line
    in the UI language, then offers it. The others are made on click: a failure there
    reaches the user only as the browser's generic "failed to generate file".
    """

    key: str
    label: str
    file_name: str
    mime: str
    make: Callable[[], bytes]
    build: Callable[[Progress], bytes] | None = None
    prepare: bool = False


def _built(write: Callable[..., Path], filename: str, progress: Progress) -> bytes:
    """``export_bytes`` of a writer that takes ``progress=`` (long work)."""
    return export_bytes(functools.partial(write, progress=progress), filename)


def downloads(
    scope: str | None,
    lang: str,
    selected: str | None = None,
    sketch: dict[str, Any] | None = None,
    crs: str | None = None,
) -> list[Download]:
    """The app's downloads: features in every format, the targets table, the printed map
    (A4 and A3 PDF, PNG) for ``scope``, the brief of ``selected`` (a feature id) and the
    measure view's ``sketch`` (a GeoJSON geometry) as GeoJSON and KML.

    ``crs`` (see :func:`corridor_map.outputs.crs.resolve_crs`) applies to the feature
    files and the printed maps; KML is always longitude/latitude.

    Each ``make`` builds the file only when called (Streamlit calls it on click).
    """
    scope = scope or "all"
    stem = f"corridor-map-{scope}"
    items = [
        Download(
            f"features-{fmt}",
            t("download_features", lang).format(fmt=format_label(fmt)),
            f"{stem}{suffix}",
            mime,
            functools.partial(
                _bytes, write_features, scope, fmt, f"{stem}{suffix}", None if fmt == "kml" else crs
            ),
            functools.partial(
                _built,
                functools.partial(_features_to, scope, fmt, None if fmt == "kml" else crs),
                f"{stem}{suffix}",
            ),
            # a whole atlas can meet the limit: its stop must be told, not a generic error
            prepare=True,
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
        write = functools.partial(_print_to, scope, paper, lang, crs)
        items.append(
            Download(
                f"print-{paper}{suffix}",
                t(key, lang),
                name,
                mime,
                functools.partial(export_bytes, write, name),
                functools.partial(_built, write, name),
                prepare=True,
            )
        )
    if selected:
        name = f"corridor-map-brief-{selected}.pdf"
        write = functools.partial(_brief_to, selected, lang)
        items.append(
            Download(
                "brief",
                t("download_brief", lang),
                name,
                "application/pdf",
                functools.partial(export_bytes, write, name),
                functools.partial(_built, write, name),
                prepare=True,
            )
        )
    if sketch:
        for fmt in ("geojson", "kml"):
            items.extend(sketch_downloads(lang, sketch, fmt))
    return items


def format_label(fmt: str) -> str:
    """The name a format is offered under: GeoJSON, GPKG, KML, CSV, Shapefile (zip)."""
    return {"geojson": "GeoJSON", "shp": "Shapefile (zip)"}.get(fmt, fmt.upper())


def sketch_downloads(lang: str, sketch: dict[str, Any] | None, fmt: str) -> list[Download]:
    """The measure view's sketch (a WGS84 GeoJSON geometry) as one file in ``fmt``."""
    if not sketch:
        return []
    name = f"corridor-map-sketch{FORMATS[output_format(Path('sketch'), fmt)][0]}"
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
    fmt = output_format(Path("travel"), fmt)
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


def _bytes(
    write: Callable[..., Path], scope: str, fmt: str, name: str, crs: str | None = None
) -> bytes:
    return export_bytes(lambda p: write(p, scope, fmt, crs=crs), name)


def _features_to(
    scope: str, fmt: str, crs: str | None, path: Path, progress: Progress | None = None
) -> Path:
    return write_features(path, scope, fmt, crs=crs, progress=progress)


def _print_to(
    scope: str,
    paper: str,
    lang: str,
    crs: str | None,
    path: Path,
    progress: Progress | None = None,
) -> Path:
    # matplotlib is imported on the first click, not on every page load.
    from corridor_map.outputs.printmap import render_map

    return render_map(path, scope, paper, lang, crs=crs, progress=progress)


def _brief_to(item_id: str, lang: str, path: Path, progress: Progress | None = None) -> Path:
    from corridor_map.outputs.brief import render_brief

    return render_brief(path, item_id, lang, progress=progress)
