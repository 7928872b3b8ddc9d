"""The site-check report: one or two A4 pages of PDF, and the relation table for many parcels.

The report holds a map of the parcel over its corridors (the printed map's styles through
:func:`corridor_map.outputs.printmap.draw_map`), the relations with their verdicts, the
unlocated places that may be here, the travel times, the verbatim excerpts with their
citations, the corridor's indicators, the disclaimer and the attribution. Text flows onto
a further page rather than being cut. :func:`write_site_table` writes one row per
parcel–feature relation as CSV or GeoPackage (through
:func:`corridor_map.outputs.export.write_geometries`).
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import matplotlib
from matplotlib.backends.backend_pdf import PdfPages
from matplotlib.figure import Figure
from shapely.geometry import Point

from corridor_map.analysis.site_records import SiteReport, relation_rows
from corridor_map.atlas.model import Atlas
from corridor_map.core import progress as job
from corridor_map.core.i18n import corridor_name, display_name, role_name, t
from corridor_map.core.settings import load_settings
from corridor_map.outputs.cartography import MapFrame
from corridor_map.outputs.common import atomic_path, attribution, disclaimer
from corridor_map.outputs.fonts import embed_fonts
from corridor_map.outputs.pageflow import FlowStyle, PageFlow
from corridor_map.outputs.printmap import (
    PrintError,
    cjk_font,
    draw_map,
    footer_lines,
    north_arrow,
    scale_bar,
)
from corridor_map.views.tables import site_indicator_figures, site_relation_table

__all__ = [
    "coverage_map_png",
    "draw_site_map",
    "render_site_report",
    "site_map_png",
    "write_site_table",
]

_PARCEL_STYLE = {
    "color": "#1a237e",
    "fillColor": "#3949ab",
    "fillOpacity": 0.45,
    "weight": 3,
    "radius": 8,
}
# the trip start point, so that a small parcel still shows on a corridor-wide map
_POINT_STYLE = {"color": "#1a237e", "fillColor": "#f1c40f", "fillOpacity": 1.0, "radius": 9}
#: At most this many indicators are listed (the rest are counted: `corridor-map indicators`).
_MAX_INDICATORS = 8


#: The report's page layout (the briefs' with a smaller footer and headings in colour).
_STYLE = FlowStyle(
    continued="{title} ({count})",
    continued_size=8,
    footer_size=6.2,
    footer_em=80,
    footer_step=0.0105,
    bottom=0.06,
    bold_face=False,
    gap_points=5,
    row_gap=0.2,
    keep_together=0,
)


def _feature_names(excerpt: Any) -> dict[str, str]:
    """The names of the feature an excerpt belongs to, as display_name reads them."""
    return {"name_zh": excerpt.feature_name_zh, "name_en": excerpt.feature_name_en}


def _relations_table(flow: PageFlow, report: SiteReport, lang: str) -> None:
    header, cells = site_relation_table(report, lang)
    rows = [header, *cells]
    flow.table(rows, (0.2, 0.08, 0.08, 0.09, 0.08, 0.08, 0.13, 0.26), size=7.5)


def _map_features(report: SiteReport, atlas: Atlas) -> list[Any]:
    corridors = set(report.corridors or report.travel_corridors)
    return [
        f
        for f in atlas
        if f.corridor in corridors and f.geometry is not None and f.role != "platform"
    ]


def _draw(flow: PageFlow, report: SiteReport, atlas: Atlas, lang: str) -> None:
    draw_site_map(flow.axes(0.36), report, atlas, lang)


def draw_site_map(ax: Any, report: SiteReport, atlas: Atlas, lang: str) -> MapFrame:
    """The parcel over its corridors on ``ax``; the corridor's name kept off the parcel."""
    features = _map_features(report, atlas)
    frame = draw_map(
        ax,
        atlas,
        features,
        lang,
        overlays=[(report.geometry, _PARCEL_STYLE), (Point(report.point), _POINT_STYLE)],
        label_size=6.0,
        clear_of=[report.geometry],
    )
    scale_bar(ax, frame, lang, size=6.5)
    north_arrow(ax, frame, lang)
    return frame


def _summary(flow: PageFlow, report: SiteReport, lang: str) -> None:
    lon, lat = report.point
    districts = (
        "、".join(display_name({"name_zh": z, "name_en": e}, lang) for _, z, e in report.districts)
        or "—"
    )
    corridors = "、".join(corridor_name(c, lang) for c in report.corridors) or "—"
    flow.text(
        f"{t('site_parcel', lang)}: {report.parcel} · {report.geometry_type} · "
        f"{t('site_area', lang)} {report.area_km2:.4f} km² · {t('site_point', lang)} "
        f"{lon:.6f}, {lat:.6f}",
        8.5,
    )
    flow.text(f"{t('site_districts', lang)}: {districts} · {corridors}", 8.5)
    if report.scenario:
        flow.text(f"{t('site_scenario', lang)}: {report.scenario['description']}", 7.5)


def _travel(flow: PageFlow, report: SiteReport, lang: str) -> None:
    flow.gap()
    flow.heading(t("site_travel", lang), 10.5)
    if not report.travel:
        flow.text(t("site_no_travel", lang), 8)
        return
    for trip in report.travel:
        minutes = (
            f"{trip.minutes:.1f} {t('site_minutes', lang)}"
            if trip.minutes is not None
            else f"{t('site_no_trip', lang)} ({trip.reason})"
        )
        name = display_name(trip, lang)
        flow.text(
            f"→ {name} ({role_name(trip.role, lang)}): {minutes}",
            8.5,
            indent=0.02,
        )


def _excerpts(flow: PageFlow, report: SiteReport, lang: str) -> None:
    flow.gap()
    flow.heading(t("site_excerpts", lang), 10.5)
    current = None
    for x in report.excerpts:
        if x.feature_id != current:
            current = x.feature_id
            flow.gap(3)
            verdict = t(f"site_verdict_{x.verdict}", lang)
            flow.text(
                f"{display_name(_feature_names(x), lang)} ({verdict})",
                8.5,
                True,
            )
        # the quote exactly as the document has it
        flow.text(x.quote, 8.5, color="#1b2631", indent=0.02)
        meta = " · ".join(v for v in (x.issuer, x.date, x.doc_number, x.paragraph_id) if v)
        flow.text(f"—— {x.citation}{' · ' + meta if meta else ''}", 7, color="#555", indent=0.04)
        if x.error:
            flow.text(x.error, 7, color="#c0392b", indent=0.04)


def _indicators(flow: PageFlow, report: SiteReport, lang: str) -> None:
    if not report.indicators:
        return
    flow.gap()
    flow.heading(t("site_indicators", lang), 10.5)
    for i in report.indicators[:_MAX_INDICATORS]:
        flow.text(
            f"{display_name(i, lang)} ({i.scope}): {site_indicator_figures(i, lang)}"
            f" —— {i.citation}",
            7.5,
            indent=0.02,
        )
    rest = len(report.indicators) - _MAX_INDICATORS
    if rest > 0:
        flow.text(
            t("site_more", lang).format(n=rest) + " (corridor-map indicators)", 7.5, indent=0.02
        )


def site_map_png(
    report: SiteReport, atlas: Atlas, lang: str = "zh", width_in: float = 7.0
) -> bytes:
    """The report's map of the parcel over its corridors as PNG bytes (for a page)."""
    import io

    cjk_font()  # refuse before drawing anything
    fig = Figure(figsize=(width_in, width_in * 0.62))
    draw_site_map(fig.add_axes((0.01, 0.01, 0.98, 0.98)), report, atlas, lang)
    buffer = io.BytesIO()
    embed_fonts(fig, load_settings().cache_dir)
    fig.savefig(buffer, format="png", dpi=110)
    return buffer.getvalue()


def coverage_map_png(coverage: Any, atlas: Atlas, lang: str = "zh", width_in: float = 7.0) -> bytes:
    """A travel target's coverage as PNG: grid points and places that meet it, and do not.

    ``coverage`` is a :class:`corridor_map.travel.coverage.TargetCoverage`; green meets the
    threshold, red does not, grey has no trip; places are the larger dots.
    """
    import io

    import numpy as np
    import shapely

    cjk_font()
    fig = Figure(figsize=(width_in, width_in * 0.62))
    ax = fig.add_axes((0.01, 0.01, 0.98, 0.98))
    features = [f for f in atlas if f.corridor == coverage.corridor and f.geometry is not None]
    everything = [*coverage.cells, *coverage.places]
    if not everything:
        raise PrintError(f"{coverage.id}: 没有可绘制的覆盖点 / no coverage to draw")
    frame = draw_map(ax, atlas, features, lang, label_size=6.0)
    for group, size in ((coverage.cells, 6.0), (coverage.places, 40.0)):
        if not group:
            continue
        xy = shapely.get_coordinates(
            frame.project(shapely.MultiPoint([(p.lon, p.lat) for p in group]))
        )
        colours = np.array(
            [
                "#27ae60" if p.meets else "#c0392b" if p.minutes is not None else "#95a5a6"
                for p in group
            ]
        )
        ax.scatter(
            xy[:, 0], xy[:, 1], s=size, c=colours, linewidths=0.3, edgecolors="white", zorder=13
        )
    scale_bar(ax, frame, lang, size=6.5)
    buffer = io.BytesIO()
    embed_fonts(fig, load_settings().cache_dir)
    fig.savefig(buffer, format="png", dpi=110)
    return buffer.getvalue()


def render_site_report(
    path: Path | str,
    report: SiteReport,
    atlas: Atlas,
    lang: str = "zh",
    progress: job.Progress | None = None,
) -> Path:
    """Write the site report of one parcel as PDF.

    ``progress`` is told each step; its time limit is checked between them.

    Raises
    ------
    PrintError
        When the path is not ``.pdf`` or no CJK font is installed.
    TimeLimitError
        The progress's limit was met; nothing was written.
    """
    path = Path(path)
    if path.suffix.lower() != ".pdf":
        raise PrintError(f"{path}: 选址报告仅输出 PDF / a site report is written as .pdf")
    job.step(progress, "data")
    cjk_font()  # refuse before drawing anything
    title = f"{t('site_title', lang)} · {report.parcel}"
    footer = footer_lines(atlas, lang, roads=bool(report.travel))
    # TrueType embedding keeps the text searchable (pdftotext reads the report back).
    with (
        matplotlib.rc_context({"pdf.fonttype": 42, "axes.unicode_minus": False}),
        atomic_path(path) as tmp,
        PdfPages(tmp, metadata={"Title": title}) as pdf,
    ):
        flow = PageFlow(pdf, title, footer, load_settings().cache_dir, _STYLE, progress)
        job.step(progress, "text")
        flow.text(title, 15, bold=True)
        _summary(flow, report, lang)
        flow.text(t("site_disclaimer", lang), 7.5, color="#7b241c")
        job.step(progress, "draw")
        _draw(flow, report, atlas, lang)
        job.step(progress, "text")
        flow.heading(t("site_relations", lang), 10.5)
        if not any(r.verdict != "outside" for r in report.relations):
            flow.text(t("site_none", lang), 8)
        _relations_table(flow, report, lang)
        if report.may_be_here:
            flow.gap()
            flow.heading(t("site_may_heading", lang), 10.5)
            for r in report.may_be_here:
                flow.text(r.note_zh if lang == "zh" else r.note_en, 8, indent=0.02)
        _travel(flow, report, lang)
        _excerpts(flow, report, lang)
        _indicators(flow, report, lang)
        flow.close()
    return path


def write_site_table(
    path: Path | str, reports: Sequence[SiteReport], atlas: Atlas, fmt: str | None = None
) -> Path:
    """Write one row per parcel–feature relation as CSV or GeoPackage.

    Each row carries the relation's fields, the minutes to each gateway and core of the
    parcel's corridors, the attribution and the disclaimer; GeoPackage rows hold the
    parcel's geometry (WGS84), CSV rows its trip start point as lon/lat.

    Raises
    ------
    PrintError
        For another file ending (``.csv`` or ``.gpkg``), or nothing to write.
    """
    path = Path(path)
    fmt = fmt or path.suffix.lower().lstrip(".")
    if fmt not in {"csv", "gpkg"}:
        raise PrintError(
            f"{path}: 关系表仅输出 .csv 或 .gpkg / a table is written as .csv or .gpkg"
        )
    # row by row with its own report: two parcels may carry the same name
    rows = [
        (index, report, row)
        for index, report in enumerate(reports, start=1)
        for row in relation_rows([report])
    ]
    if not rows:
        raise PrintError(f"{path}: 没有可写的关系 / no relation to write")
    trip_columns = list(
        dict.fromkeys(f"minutes_to_{trip.feature_id}" for r in reports for trip in r.travel)
    )
    notice = attribution(atlas, roads=bool(trip_columns))
    records = []
    for index, report, row in rows:
        trips = {f"minutes_to_{trip.feature_id}": trip.minutes for trip in report.travel}
        records.append(
            {
                "parcel_index": index,
                **row,
                **{c: trips.get(c) for c in trip_columns},
                "lon": round(report.point[0], 7),
                "lat": round(report.point[1], 7),
                "attribution": notice,
                "disclaimer": disclaimer(),
                "geometry": report.geometry,
            }
        )
    with atomic_path(path) as tmp:
        if fmt == "csv":
            columns = [k for k in records[0] if k != "geometry"]
            with tmp.open("w", encoding="utf-8-sig", newline="") as handle:
                writer = csv.DictWriter(handle, fieldnames=columns)
                writer.writeheader()
                for record in records:
                    writer.writerow({k: "" if record[k] is None else record[k] for k in columns})
        else:
            import geopandas as gpd
            import pyogrio

            frame = gpd.GeoDataFrame(records, geometry="geometry", crs="EPSG:4326")
            text = f"corridor-map site check. {disclaimer()}. Attribution: {notice}"
            pyogrio.write_dataframe(
                frame,
                tmp,
                layer="site_relations",
                driver="GPKG",
                geometry_type="Unknown",
                layer_options={"IDENTIFIER": "corridor-map site check", "DESCRIPTION": text},
            )
    return path
