"""View model of the app's travel view: slider ranges, tables and map geometries.

The app (``app.py``) only lays out widgets; everything it shows about travel comes from
here as plain rows and GeoJSON geometries, built from :mod:`corridor_map.travel.routing`,
:mod:`corridor_map.travel.compare` and :mod:`corridor_map.travel.reach`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from corridor_map.atlas.model import Atlas
from corridor_map.core import credits, verdicts
from corridor_map.core.i18n import display_name, role_name, t
from corridor_map.core.markup import inert
from corridor_map.core.records import RingPoint
from corridor_map.core.verdicts import word as verdict_word
from corridor_map.travel.assumptions import LIMITS, SpeedAssumptions
from corridor_map.travel.compare import (
    Scenario,
    TargetComparison,
    compare_isochrones,
    pair_results,
    scenario_isochrone,
)
from corridor_map.travel.reach import ReachSet, places, reachable_in, target_reach
from corridor_map.travel.targets import TargetResult
from corridor_map.views import panel, tables
from corridor_map.webmap import overlays


@dataclass(frozen=True)
class Slider:
    """A slider's range, default and step, within
    :data:`corridor_map.travel.assumptions.LIMITS`."""

    low: int
    high: int
    default: int
    step: int


SLIDERS: dict[str, Slider] = {
    "network_kmh": Slider(20, 80, 40, 5),
    "minutes": Slider(5, 60, 15, 5),
}

# The worst-case route of scenario B is drawn dashed beside A's; the overlay of two
# isochrones in three fills.
ROUTE_B_STYLE: dict[str, Any] = {
    "color": "#7d3c98",
    "weight": 4,
    "opacity": 0.9,
    "dashArray": "8 6",
}
PART_STYLES: dict[str, dict[str, Any]] = {
    "a_only": {"color": "#d35400", "weight": 1, "fillColor": "#e67e22", "fillOpacity": 0.30},
    "b_only": {"color": "#7d3c98", "weight": 1, "fillColor": "#8e44ad", "fillOpacity": 0.30},
    "both": {"color": "#2471a3", "weight": 2, "fillColor": "#2471a3", "fillOpacity": 0.15},
}
REACHED_STYLE: dict[str, Any] = {"color": "#1e8449", "weight": 2, "fillOpacity": 0.9}

# The starting points an isochrone may be picked from besides a click: curated places and
# the reference town seats (when a places layer exists).
_SEAT_ROLES = ("county_seat", "town", "township", "street")


def scenario(network_kmh: float, planned: bool, label: str = "A", rail: bool = False) -> Scenario:
    """Return the scenario the view's controls describe (speed, planned links, mode)."""
    assumptions = SpeedAssumptions(network_kmh=float(network_kmh), rail=bool(rail))
    return Scenario(label, assumptions, bool(planned))


def comparison(
    first: Sequence[TargetResult], second: Sequence[TargetResult]
) -> list[TargetComparison]:
    """Pair two evaluations of the same targets (e.g. two cached ones) side by side."""
    return pair_results(first, second)


def comparison_rows(rows: Sequence[TargetComparison], lang: str) -> list[dict[str, Any]]:
    """Return the A/B table: both verdicts, both worst minutes, the change and the reading."""
    table = []
    for r in rows:
        change = r.change_min
        table.append(
            {
                t("target", lang): display_name(r, lang),
                t("verdict_a", lang): verdict_word(r.a.status, lang),
                t("verdict_b", lang): verdict_word(r.b.status, lang),
                t("threshold", lang): r.threshold_min,
                t("minutes_a", lang): _rounded(r.a.worst_minutes),
                t("minutes_b", lang): _rounded(r.b.worst_minutes),
                t("change_b_a", lang): _rounded(change),
                t("reading", lang): r.evaluation_zh if lang == "zh" else r.evaluation_en,
            }
        )
    return table


def coloured(rows: Sequence[Mapping[str, Any]]) -> Any:
    """Return a table's rows as a ``pandas`` Styler whose verdict cells are colour-coded.

    Each cell keeps its verdict word (:mod:`corridor_map.core.verdicts`), so the colour is never
    the only carrier; for ``st.dataframe``.
    """
    import pandas as pd

    frame = pd.DataFrame(list(rows))
    return frame.style.map(verdicts.cell_css).format(_shown)


def _shown(value: object) -> str:
    # Minutes as rounded (24.5, 15 — not 15.000000); a missing figure as the dash.
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return tables.NO_VALUE
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def verdict_line(result: TargetResult, lang: str, result_b: TargetResult | None = None) -> str:
    """Return the chosen target's verdict as inert HTML: its name, then a coloured badge.

    With scenario B, both verdicts: ``A 结论：… · B 结论：…``.
    """
    name = display_name(result, lang)
    sep = "：" if lang == "zh" else ": "
    shown = [(t("verdict", lang), result)]
    if result_b is not None:
        shown = [(t("verdict_a", lang), result), (t("verdict_b", lang), result_b)]
    badges = " · ".join(
        f"{inert(label)}{sep}{verdicts.badge_html(r.status, lang)}" for label, r in shown
    )
    return f'<div class="cm-verdict-line">{inert(name)} · {badges}</div>'


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def worst_geometries(result: TargetResult) -> list[dict[str, Any]]:
    """Return what to draw for a target's worst case: its route, or its sampled ring points.

    Every evaluated worst case carries its ``path``; the ring points are drawn too, since
    they are not features a reader can find on the map.
    """
    worst = result.worst_case or {}
    shown: list[dict[str, Any]] = []
    if worst.get("path"):
        shown.append(worst["path"])
    ends = panel.ring_points(worst)
    if ends:
        shown.append({"type": "MultiPoint", "coordinates": [list(p.position) for p in ends]})
    return shown


# travel.py writes a target's notes "中文 / English" (Chinese first); ids are slugs.
_NOTE_SPLIT = re.compile(r"\s*/\s+(?=[A-Za-z0-9])")
_SLUG = re.compile(r"\b[a-z0-9]+(?:-[a-z0-9]+)+\b")


def note_text(note: str, lang: str, labels: Mapping[str, str]) -> str:
    """Return a target's note in one language, feature ids replaced by their names.

    ``travel.routing`` writes each note as ``"中文 / English"``; the side of ``lang``
    is kept (the whole note when it has no such separator) and every feature id it names
    is written as that feature's name in ``labels`` (names in the UI language).
    """
    parts = _NOTE_SPLIT.split(note, maxsplit=1)
    text = parts[0] if lang == "zh" or len(parts) == 1 else parts[1]
    return _SLUG.sub(lambda m: labels.get(m.group(0), m.group(0)), text)


#: Share of a framed route's or isochrone's span added on each side, so the names of its
#: ends (labels centred on them) stay inside the map.
FRAME_MARGIN = 0.05


def frame_bounds(geometry: Mapping[str, Any]) -> list[list[float]] | None:
    """Return ``[[south, west], [north, east]]`` of a geometry with a margin on every side."""
    box = overlays.bounds_of([{"geometry": geometry}])
    if box is None:
        return None
    (south, west), (north, east) = box
    dlat = max((north - south) * FRAME_MARGIN, 0.005)
    dlon = max((east - west) * FRAME_MARGIN, 0.005)
    return [
        [round(south - dlat, 6), round(west - dlon, 6)],
        [round(north + dlat, 6), round(east + dlon, 6)],
    ]


def end_name(end: Any, labels: Mapping[str, str]) -> str:
    """A worst case's end as a reader names it: the feature's name from ``labels``.

    A sampled point of a ring (``"<id>@[lon, lat]"``) is the ring's name and the point's
    position; an id without a label stays as it is.
    """
    ring = RingPoint.parse(end)
    if ring is not None:
        name = labels.get(ring.feature_id, ring.feature_id)
        return f"{name} @ {ring.lon:.4f}, {ring.lat:.4f}"
    return labels.get(str(end), str(end))


def worst_caption(result: TargetResult, labels: Mapping[str, str], lang: str) -> str:
    """Return one line naming a worst case's ends, minutes and km (no Markdown)."""
    worst = result.worst_case
    if not worst:
        return ""
    origin = end_name(worst["origin"], labels)
    destination = end_name(worst["destination"], labels)
    minutes = t("duration_min", lang).format(m=f"{worst.get('minutes') or 0:.1f}")
    return f"{origin} → {destination}: {minutes}, {worst.get('km') or 0:.1f} km · {credits.ROADS}"


def isochrone_origins(atlas: Atlas, lang: str) -> dict[str, str]:
    """Return the features an isochrone may start from (curated places, town seats), by id."""
    found = {}
    for place in places(atlas):
        if place.corridor == "reference" and place.role not in _SEAT_ROLES:
            continue
        name = display_name(place, lang)
        if place.role in _SEAT_ROLES:
            name = f"{name} · {role_name(place.role, lang)}"
        found[place.id] = name
    return found


def isochrones(
    atlas: Atlas,
    origin: str | tuple[float, float],
    minutes: float,
    a: Scenario,
    b: Scenario | None,
) -> dict[str, Any]:
    """Return the isochrone(s) to show, the overlay parts and the places reached.

    Returns
    -------
    dict
        ``a`` (Feature), ``b`` (Feature or None), ``parts`` (list of Features with
        ``part`` and ``area_km2``; empty without B) and ``reach`` (:class:`ReachSet` of the
        union of what A and B reach).
    """
    exclude = (origin,) if isinstance(origin, str) else ()
    if b is None:
        iso = scenario_isochrone(atlas, origin, minutes, a)
        return {"a": iso, "b": None, "parts": [], "reach": reachable_in(atlas, iso, exclude)}
    both = compare_isochrones(atlas, origin, minutes, a, b)
    reach_a = reachable_in(atlas, both["a"], exclude)
    reach_b = reachable_in(atlas, both["b"], exclude)
    union = {p.id: p for p in [*reach_a.places, *reach_b.places]}
    reach = ReachSet(sorted(union.values(), key=lambda p: (p.role, p.id)), None)
    return {"a": both["a"], "b": both["b"], "parts": both["parts"]["features"], "reach": reach}


def part_rows(parts: Sequence[Mapping[str, Any]], lang: str) -> list[dict[str, Any]]:
    """Return the overlay's parts as rows: A only / B only / both with their areas."""
    return [
        {
            t("part", lang): t(f"part_{p['properties']['part']}", lang),
            t("area_km2", lang): round(p["properties"]["area_km2"], 1),
        }
        for p in parts
    ]


def reach_rows(reach: ReachSet, lang: str) -> list[dict[str, Any]]:
    """Return the places reached as rows (role, name, id), grouped by role."""
    return [
        {
            t("role", lang): role_name(p.role, lang),
            t("name", lang): display_name(p, lang),
            "id": p.id,
        }
        for group in reach.by_role().values()
        for p in group
    ]


def reach_summary(reach: ReachSet, lang: str) -> str:
    """Return the counts by role as one line, e.g. ``12 places … · 车站 5 · 平台 3``."""
    counts = " · ".join(f"{role_name(role, lang)} {n}" for role, n in reach.counts.items())
    head = t("reach_count", lang).format(n=len(reach.places))
    return f"{head}{' · ' + counts if counts else ''}"


def within_limits() -> bool:
    """Tell whether every slider's range lies inside the API's limits (tested)."""
    for name, slider in SLIDERS.items():
        limit = LIMITS[name]
        low_ok = slider.low > limit.low if limit.low_open else slider.low >= limit.low
        if not (low_ok and slider.high <= limit.high and slider.low <= slider.default):
            return False
        if slider.default > slider.high:
            return False
    return True


def target_reach_line(
    atlas: Atlas, result: TargetResult, scenario_: Scenario, labels: Mapping[str, str], lang: str
) -> str:
    """Return one line: the places within the target's threshold of its worst origin."""
    found = target_reach(atlas, result, scenario_)
    if found is None:
        return ""
    origin = found["origin"]
    # a sampled ring point has no name: its coordinates stand for it
    name = (
        labels.get(origin, origin)
        if isinstance(origin, str)
        else f"{origin[0]:.4f}, {origin[1]:.4f}"
    )
    minutes = t("duration_min", lang).format(m=f"{found['minutes']:g}")
    return f"{minutes} · {name} · {reach_summary(found['reach'], lang)}"


@dataclass(frozen=True)
class WorstCaseView:
    """One scenario's worst case of a target: the route geometries to draw and the lines
    that describe it (the caption, or "no worst case", then the target's notes)."""

    label: str
    geometries: list[dict[str, Any]]
    lines: list[str]


def worst_case_views(
    target_id: str,
    results: Sequence[TargetResult],
    results_b: Sequence[TargetResult] | None,
    labels: Mapping[str, str],
    lang: str,
) -> list[WorstCaseView]:
    """Pick a target's result in scenario A (and B when compared) and describe its worst
    case: the re-routed trip's geometries and the text lines the travel view shows."""
    evaluated = [("A", results)] + ([("B", results_b)] if results_b is not None else [])
    views = []
    for label, found in evaluated:
        shown = next(r for r in found if r.id == target_id)
        geometries = worst_geometries(shown)
        prefix = f"{label}: " if results_b is not None else ""
        caption = worst_caption(shown, labels, lang) if geometries else t("no_worst_case", lang)
        lines = [prefix + caption] + [
            prefix + note_text(note, lang, labels) for note in shown.notes
        ]
        views.append(WorstCaseView(label, geometries, lines))
    return views


def sensitivity_default(result: TargetResult) -> str:
    """The speed a target's sensitivity table varies first: a worst-case trip that rides a
    planned link depends first on that link's assumed speed, any other on the network's."""
    on_link = bool((result.worst_case or {}).get("planned_links_used"))
    return "planned_kmh" if on_link else "network_kmh"


def isochrone_area_lines(shown: Mapping[str, Any], lang: str) -> list[str]:
    """The isochrone areas of scenario A (and B) as text lines (km², one decimal)."""
    lines = []
    area = shown["a"]["properties"].get("area_km2")
    if area is not None:
        lines.append(f"{t('isochrone', lang)} A: {area:,.1f} km²")
    if shown["b"] is not None and shown["b"]["properties"].get("area_km2"):
        lines.append(f"{t('isochrone', lang)} B: {shown['b']['properties']['area_km2']:,.1f} km²")
    return lines
