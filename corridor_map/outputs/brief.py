"""One- or two-page PDF briefs: a zone (or any feature) and a travel target.

A zone brief has an inset map, the feature's role and place in the hierarchy, its
districts and geometry basis, the stated figures beside the geodesic measures, and every
cited excerpt verbatim with its citation (title, issuer, date, 文号, section). A target
brief has the verdict, the method, the worst case with its route drawn, the assumptions
and the sensitivity table. Pages are laid out with matplotlib (``PdfPages``), in the same
CJK font as the printed map; text flows onto a further page rather than being cut.
"""

from __future__ import annotations

import contextlib
import datetime
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import shapely
from matplotlib.backends.backend_pdf import PdfPages
from shapely.geometry import shape

from corridor_map.atlas.model import Atlas, Feature, load_atlas
from corridor_map.core import progress as job
from corridor_map.core.errors import CorridorMapError, UnknownFeatureError
from corridor_map.core.i18n import (
    basis_name,
    corridor_name,
    display_name,
    quantity_name,
    role_name,
    status_name,
    t,
)
from corridor_map.core.records import Source
from corridor_map.core.settings import Settings, load_settings
from corridor_map.core.verdicts import colour as verdict_colour
from corridor_map.outputs.cartography import MapFrame, draw_map
from corridor_map.outputs.common import PrintError, atomic_path, in_language
from corridor_map.outputs.furniture import footer_lines, legend, north_arrow, scale_bar
from corridor_map.outputs.pageflow import A4_PORTRAIT, FlowStyle, PageFlow
from corridor_map.outputs.printmap import setup
from corridor_map.outputs.verify import check_pdf

__all__ = ["BriefError", "draw_zone_inset", "render_brief", "target_brief", "zone_brief"]


class BriefError(CorridorMapError):
    """No feature or travel target has the id asked for."""


@contextlib.contextmanager
def _pdf(path: Path, title: str) -> Iterator[PdfPages]:
    """Pages written to a temporary PDF, read back whole before it replaces ``path``."""
    if Path(path).suffix.lower() != ".pdf":
        raise PrintError(f"{path}: 简报仅输出 PDF / a brief is written as .pdf")
    with atomic_path(Path(path)) as tmp:
        with PdfPages(tmp, metadata={"Title": title}) as pdf:
            yield pdf
        check_pdf(tmp)


def _source_note(text: str, lang: str) -> str:
    """How the geometry was made, as curated (in English, with Chinese names inside).

    A Chinese page says that the note is quoted in its original English rather than
    passing it off as Chinese; there is no curated Chinese version to show.
    """
    latin = sum(1 for c in text if c.isascii() and c.isalpha())
    cjk = sum(1 for c in text if ord(c) >= 0x2E80)
    if lang == "zh" and latin > 2 * cjk:
        return f"{t('brief_source_english', lang)}{text}"
    return text


def _excerpts(pages: PageFlow, sources: Sequence[Source], lang: str) -> None:
    from corridor_map.documents.corpus import citation_label, load_corpus
    from corridor_map.views.panel import excerpt_views

    pages.heading(t("brief_excerpts", lang))
    for view in excerpt_views(sources, load_corpus()):
        label = citation_label(view.doc_id, view.heading_path) if view.error is None else view.title
        meta = " · ".join(x for x in (view.issuer, view.date, view.doc_number) if x)
        pages.gap(3)
        # The excerpt exactly as the document has it (its own quotation marks included).
        pages.text(view.quote, 9.5, color="#1b2631", indent=0.02)
        pages.text(f"—— {label}{(' · ' + meta) if meta else ''}", 7.5, color="#555555", indent=0.04)
        if view.error:
            pages.text(view.error, 7.5, color="#c0392b", indent=0.04)


def zone_brief(
    path: Path | str,
    feature_id: str,
    lang: str = "zh",
    atlas: Atlas | None = None,
    settings: Settings | None = None,
    progress: job.Progress | None = None,
) -> Path:
    """Write the brief of one feature (a zone, core, belt, platform …) as PDF.

    Raises
    ------
    BriefError
        When no feature has this id.
    PrintError
        Not a ``.pdf`` path, or no CJK font.
    """
    from corridor_map.views.panel import feature_panel

    job.step(progress, "data")
    atlas = atlas or load_atlas()
    if feature_id not in atlas:
        raise UnknownFeatureError(feature_id, f"未知要素 / unknown feature id {feature_id!r}")
    setup()
    view = feature_panel(atlas, feature_id)
    feature = atlas.get(feature_id)
    title = f"{view.name_zh} / {view.name_en}"
    footer = footer_lines(atlas, lang)
    with _pdf(Path(path), title) as pdf:
        pages = PageFlow(
            pdf, title, footer, (settings or load_settings()).cache_dir, FlowStyle(), progress
        )
        job.step(progress, "text")
        pages.text(
            f"{t('brief_zone', lang)} · {corridor_name(view.corridor, lang)} · "
            f"{datetime.date.today().isoformat()}",
            8.5,
            color="#555555",
        )
        pages.text(title, 16, bold=True)
        pages.gap()
        if feature.geometry is not None:
            job.step(progress, "draw")
            draw_zone_inset(pages.axes(0.34), atlas, feature, lang)
        else:
            pages.text(t("brief_unlocated", lang), 9, color="#c0392b")
        pages.heading(t("brief_role", lang))
        facts = [
            (t("role", lang), role_name(view.role, lang)),
            (
                t("brief_parents", lang),
                " › ".join(reversed([p.label(lang) for p in view.parents])) or t("none", lang),
            ),
            (
                t("brief_children", lang),
                "、".join(c.label(lang) for c in view.children) or t("none", lang),
            ),
            (
                t("brief_district", lang),
                "、".join(d.label(lang) for d in view.districts) or t("none", lang),
            ),
            (
                t("brief_geometry", lang),
                f"{basis_name(view.geometry_basis, lang)}"
                f"{f'，±{view.precision_m:g} m' if view.precision_m else ''}："
                + _source_note(view.geometry_source, lang),
            ),
        ]
        if view.status:
            facts.append(
                (
                    t("status", lang),
                    f"{status_name(view.status.get('value'), lang)} "
                    f"{view.status.get('as_of') or ''}".strip(),
                )
            )
        pages.table(facts, (0.22, 0.78), size=8.5)
        pages.gap()
        pages.heading(t("brief_figures", lang))
        if view.figures:
            # a schematic shape's figure is a drawing's: its headings say so
            rows = [
                (t("brief_stated", lang), t("brief_measured", lang), "±")
                if not view.schematic
                else (
                    t("brief_stated", lang),
                    t("measured_drawing", lang),
                    t("drawing_minus_stated", lang),
                )
            ]
            for figure in view.figures:
                measured = (
                    "—"
                    if figure.measured is None
                    else f"{figure.measured:.3f} {figure.measured_unit}"
                )
                ratio = "—" if figure.ratio is None else f"{(figure.ratio - 1) * 100:+.1f} %"
                rows.append(
                    (
                        f"{quantity_name(figure.quantity, lang)}: {figure.stated_text}",
                        measured,
                        ratio,
                    )
                )
            pages.table(rows, (0.5, 0.32, 0.18), size=8.5)
        else:
            pages.text(t("brief_no_figures", lang), 9)
        pages.gap()
        _excerpts(pages, feature.sources, lang)
        pages.close()
    return Path(path)


def target_brief(
    path: Path | str,
    target_id: str,
    lang: str = "zh",
    atlas: Atlas | None = None,
    settings: Settings | None = None,
    progress: job.Progress | None = None,
) -> Path:
    """Write the brief of one travel target as PDF: verdict, method, worst case, sensitivity.

    Raises
    ------
    BriefError
        When no target has this id.
    """
    from corridor_map.outputs.rows import trip_access
    from corridor_map.travel import targets as travel_targets
    from corridor_map.travel.assumptions import SpeedAssumptions
    from corridor_map.travel.routing import route
    from corridor_map.views.panel import SENSITIVITY_SPEEDS, ring_points

    job.step(progress, "data")
    atlas = atlas or load_atlas()
    targets = {x["id"] for x in travel_targets.load_targets(atlas)}
    if target_id not in targets:
        raise BriefError(f"未知出行目标 / unknown travel target id {target_id!r}")
    setup()
    assumptions = SpeedAssumptions()
    job.step(progress, "routes")
    result = travel_targets.evaluate_targets(atlas, assumptions, target_ids=[target_id])[0]
    title = f"{result.name_zh} / {result.name_en}"
    footer = footer_lines(atlas, lang, roads=True)
    worst = result.worst_case or {}
    overlays: list[Any] = []
    route_note = ""
    if worst.get("origin") and worst.get("destination"):
        ends = ring_points(worst)
        if ends:
            from shapely.geometry import MultiPoint

            overlays.append(
                (
                    MultiPoint([p.position for p in ends]),
                    {
                        "color": "#d35400",
                        "fillColor": "#d35400",
                        "fillOpacity": 1,
                        "radius": 7,
                        "weight": 2,
                    },
                )
            )
        elif worst.get("path"):
            # The evaluated worst trip itself: its minutes are the verdict's figure.
            overlays.append((shape(worst["path"]), {"color": "#d35400", "weight": 5}))
            minutes = t("duration_min", lang).format(m=f"{worst.get('minutes') or 0:.1f}")
            route_note = f"{minutes}, {worst.get('km') or 0:.1f} km"
        else:
            # The same computation as the route export for this pair (its access modes).
            origin_access, destination_access, _ = trip_access(
                atlas, str(worst["origin"]), str(worst["destination"])
            )
            trip = route(
                atlas,
                worst["origin"],
                worst["destination"],
                assumptions,
                result.planned_links,
                origin_access,
                destination_access,
            )
            if trip.path is not None:
                overlays.append((shape(trip.path), {"color": "#d35400", "weight": 5}))
                minutes = t("duration_min", lang).format(m=f"{trip.minutes:.1f}")
                route_note = f"{minutes}, {trip.km:.1f} km"
                route_note += " · " + t("route_note", lang)

    def name(end: Any) -> str:
        if isinstance(end, str) and end in atlas:
            f = atlas.get(end)
            return display_name(f, lang)
        return str(end)

    with _pdf(Path(path), title) as pdf:
        pages = PageFlow(
            pdf, title, footer, (settings or load_settings()).cache_dir, FlowStyle(), progress
        )
        pages.text(
            f"{t('brief_target', lang)} · {corridor_name(result.corridor, lang)} · "
            f"{datetime.date.today().isoformat()}",
            8.5,
            color="#555555",
        )
        pages.text(title, 15, bold=True)
        verdict = t(f"verdict_{result.status}", lang)
        worst_text = (
            "—"
            if result.worst_minutes is None
            else t("duration_min", lang).format(m=f"{result.worst_minutes:.1f}")
        )
        pages.text(
            f"{t('verdict', lang)}：{verdict} · {t('worst', lang)} {worst_text} · "
            f"{t('threshold', lang)} {result.threshold_min:g}",
            11,
            bold=True,
            color=verdict_colour(result.status),
        )
        pages.gap()
        pages.heading(t("brief_method", lang))
        pages.text(result.evaluation_zh if lang == "zh" else result.evaluation_en, 9)
        for note in result.notes:
            pages.text(in_language(note, lang), 8, color="#555555")
        pages.gap()
        pages.heading(t("brief_worst", lang))
        if worst:
            pages.text(
                f"{name(worst.get('origin'))} → {name(worst.get('destination'))}"
                f"{(' · ' + route_note) if route_note else ''}",
                9,
            )
            context = [f for f in atlas if f.corridor == result.corridor] or list(atlas)
            ax = pages.axes(0.3)
            frame = draw_map(ax, atlas, context, lang, overlays=overlays, label_size=6)
            scale_bar(ax, frame, lang, size=6)
            north_arrow(ax, frame, lang)
            legend(
                ax, context, lang, size=5.5, overlays=["overlay:legend_route"] if overlays else []
            )
        else:
            pages.text(t("verdict_not_evaluable", lang), 9)
        pages.gap()
        pages.heading(t("brief_assumptions", lang))
        for line in assumptions.describe():
            pages.text(f"· {in_language(line, lang)}", 8)
        on_off = t("brief_on" if result.planned_links else "brief_off", lang)
        pages.text(f"· {t('planned_toggle', lang)}：{on_off}", 8)
        pages.gap()
        pages.heading(t("brief_sensitivity", lang))
        if result.status != "not_evaluable":
            # As in the app: a trip riding a planned link depends first on that link's
            # assumed design speed, then on the network's.
            on_link = bool(worst.get("planned_links_used"))
            for parameter in ("planned_kmh", "network_kmh") if on_link else ("network_kmh",):
                rows = [("km/h", t("worst", lang), t("verdict", lang))]
                for row in travel_targets.sensitivity(
                    atlas,
                    target_id,
                    SENSITIVITY_SPEEDS[parameter],
                    assumptions=assumptions,
                    planned_links=result.planned_links,
                    parameter=parameter,
                ):
                    minutes = row["worst_minutes"]
                    rows.append(
                        (
                            f"{row['kmh']:g}",
                            "—" if minutes is None else f"{minutes:.1f}",
                            t(f"verdict_{row['status']}", lang),
                        )
                    )
                pages.table(rows, (0.2, 0.4, 0.4), size=8.5, caption=t(f"param_{parameter}", lang))
        else:
            pages.text(t("verdict_not_evaluable", lang), 9)
        pages.gap()
        _excerpts(pages, result.sources, lang)
        pages.close()
    return Path(path)


def render_brief(
    path: Path | str,
    item_id: str,
    lang: str = "zh",
    atlas: Atlas | None = None,
    settings: Settings | None = None,
    progress: job.Progress | None = None,
) -> Path:
    """Write the brief of a feature id or a travel-target id (whichever it is)."""
    from corridor_map.travel import targets as travel_targets

    atlas = atlas or load_atlas()
    if item_id in {x["id"] for x in travel_targets.load_targets(atlas)}:
        return target_brief(path, item_id, lang, atlas, settings=settings, progress=progress)
    if item_id in atlas:
        return zone_brief(path, item_id, lang, atlas, settings=settings, progress=progress)
    raise UnknownFeatureError(
        item_id, f"未知要素或出行目标 / no feature or travel target has id {item_id!r}"
    )


def draw_zone_inset(ax: Any, atlas: Atlas, feature: Feature, lang: str) -> MapFrame:
    """A zone brief's map: the feature among its corridor, outlined, with its legend.

    The corridor's name keeps off the feature (it would sit on the very thing the brief
    is about), unless the feature is the corridor's extent itself.
    """
    context = atlas.by_corridor(feature.corridor)
    box = ax.get_position()
    aspect = (box.width * A4_PORTRAIT[0]) / (box.height * A4_PORTRAIT[1])
    frame = MapFrame.around([feature.geometry], margin=0.6, aspect=aspect)
    draw_map(
        ax,
        atlas,
        context,
        lang,
        frame=frame,
        focus=feature,
        label_size=6.5,
        clear_of=[feature.geometry] if feature.role != "extent" else [],
    )
    scale_bar(ax, frame, lang, size=6)
    north_arrow(ax, frame, lang)
    shown = [
        f
        for f in context
        if f.geometry is not None
        and f.geometry.intersects(
            shapely.box(*frame.lonlat(*frame.bounds[:2]), *frame.lonlat(*frame.bounds[2:]))
        )
    ]
    legend(ax, shown, lang, size=5.5, overlays=["overlay:legend_selected"])
    return frame
