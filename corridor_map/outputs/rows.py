"""The attribute rows every export writes: curated features, travel targets and their
worst-case routes, a drawn geometry (sketch, route, isochrone).

Measures are geodesic and appear only where they mean something: ``area_km2`` and
``perimeter_km`` for polygons, ``length_km`` for lines, empty otherwise (a point or an
unlocated place has no area, not an area of 0). Minutes and kilometres are rounded the
same way everywhere (:data:`MINUTES_DIGITS`, :data:`KM_DIGITS`).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

import shapely
from shapely.geometry.base import BaseGeometry

from corridor_map.atlas.model import Atlas, Feature
from corridor_map.core.i18n import t
from corridor_map.core.records import Source
from corridor_map.geo.geodesy import geodesic_measure
from corridor_map.outputs.common import attribution, disclaimer

__all__ = [
    "KM_DIGITS",
    "MINUTES_DIGITS",
    "feature_rows",
    "flat",
    "measures",
    "route_items",
    "target_rows",
]

#: Decimals of minutes and of kilometres of trips in every output.
MINUTES_DIGITS = 1
KM_DIGITS = 1
_AREA_DIGITS = 3  # km², i.e. 1000 m²
_LENGTH_DIGITS = 3  # km, i.e. metres


def measures(geometry: BaseGeometry | None) -> dict[str, float | None]:
    """Geodesic ``area_km2``, ``perimeter_km`` (polygons) and ``length_km`` (lines).

    A measure that does not apply is None (written as an empty cell), never 0.
    """
    kind = None if geometry is None or geometry.is_empty else geometry.geom_type
    polygon = kind in {"Polygon", "MultiPolygon"}
    line = kind in {"LineString", "MultiLineString"}
    if kind == "MultiPolygon":  # overlapping parts count once
        geometry = shapely.union_all(geometry)
    m = geodesic_measure(geometry)
    return {
        "area_km2": round(m.area_km2, _AREA_DIGITS) if polygon else None,
        "perimeter_km": round(m.perimeter_km, _LENGTH_DIGITS) if polygon else None,
        "length_km": round(m.length_km, _LENGTH_DIGITS) if line else None,
    }


def flat(value: Any) -> Any:
    """A value a flat attribute table holds: scalars as they are, the rest as JSON text."""
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


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


def _district(code: str, known: dict[str, Any]) -> str:
    """A district as text a spreadsheet keeps as text (a bare code becomes a number)."""
    if code in known:
        return f"{code} {known[code].name_zh}"
    return f"{code}（区划代码 / division code）"


def _within(atlas: Atlas, feature: Feature) -> str | None:
    """For a place not located: the id and name of the smallest area known to hold it."""
    within = feature.properties.get("within")
    if feature.geometry is not None or not isinstance(within, dict):
        return None
    ident = str(within.get("id") or "")
    if ident in atlas:
        return f"{ident} {atlas.get(ident).name_zh}"
    return ident or None


def feature_rows(atlas: Atlas, features: Iterable[Feature]) -> list[dict[str, Any]]:
    """Flat attribute rows (one per feature) with the geometry under ``"geometry"``.

    Columns: ``id``, ``name_zh``, ``name_en``, ``corridor``, ``role``, ``parent``,
    ``within`` (for a place not located: the smallest area known to hold it),
    ``district`` (code and name, as text), ``geometry_basis``, ``precision_m``,
    ``geometry_source``, ``status``, ``stated`` (figures as the documents state them),
    ``measured`` (geodesic, with the difference), ``area_km2`` / ``perimeter_km``
    (polygons), ``length_km`` (lines), ``lon`` / ``lat`` (representative point),
    ``citations`` (《title》 and section, issuer, 文号, date and the verbatim excerpt),
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
        stated, measured = _stated(by_feature.get(f.id, []))
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
                "within": _within(atlas, f),
                "district": ", ".join(_district(code, known) for code in f.district_codes),
                "geometry_basis": f.geometry_basis,
                "precision_m": f.precision_m,
                "geometry_source": f.geometry_source,
                "status": str(status.get("value", "")) if status else "",
                "stated": stated,
                "measured": measured,
                **measures(f.geometry),
                "lon": None if anchor is None else round(anchor[0], 7),
                "lat": None if anchor is None else round(anchor[1], 7),
                "citations": _citations(f.sources),
                "attribution": notice,
                "note": note,
                "geometry": f.geometry,
            }
        )
    return rows


def target_rows(
    results: Sequence[Any], assumptions: Any, scenario: str = "A"
) -> list[dict[str, Any]]:
    """Rows of the travel-targets table: verdict, worst case, method, assumptions, sources.

    Parameters
    ----------
    results
        :class:`~corridor_map.travel.targets.TargetResult` list, evaluated under ``assumptions``.
    assumptions
        The :class:`~corridor_map.travel.routing.SpeedAssumptions` used (described in every row).
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
                "worst_minutes": None
                if r.worst_minutes is None
                else round(r.worst_minutes, MINUTES_DIGITS),
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
                    "from": origin if isinstance(origin, str) else flat(origin),
                    "to": worst.get("destination"),
                    "minutes": None
                    if worst.get("minutes") is None
                    else round(worst["minutes"], MINUTES_DIGITS),
                    "km": None if worst.get("km") is None else round(worst["km"], KM_DIGITS),
                    "planned_links_used": ", ".join(worst.get("planned_links_used") or []),
                },
            )
        )
    return items


#: How a trip's minutes and kilometres are computed, for every output that shows one.
ROUTE_METHOD = (
    "最快路径：OpenStreetMap 路网（scgraph-data）加规划道路，Dijkstra；"
    "两端接驳段为直线 × 绕行系数；"
    "公里数为整段出行（接驳段按绕行系数计），与所绘路径的几何长度不同 / fastest path on the "
    "OpenStreetMap road graph (scgraph-data) plus planned links, Dijkstra; access legs at each "
    "end are straight lines × the detour factor; km is the whole trip (access legs with their "
    "detour), not the drawn path's geometric length"
)


def trip_access(atlas: Atlas, from_id: str, to_id: str) -> tuple[str, str, str | None]:
    """The access modes a trip between two features is computed with, and the travel
    target that defines them.

    A pair that a travel target evaluates (either way round) uses that target's access
    modes, so the route export, the target brief and the targets table give one figure;
    any other pair starts and ends at the features' anchors.
    """
    from corridor_map.travel.targets import load_targets, target_features

    for target in load_targets(atlas):
        if "origins" not in target or "destinations" not in target:
            continue
        origins = set(target_features(atlas, target["origins"]))
        destinations = set(target_features(atlas, target["destinations"]))
        modes = (target.get("origin_access", "anchor"), target.get("destination_access", "anchor"))
        if from_id in origins and to_id in destinations:
            return modes[0], modes[1], str(target["id"])
        if to_id in origins and from_id in destinations:
            return modes[1], modes[0], str(target["id"])
    return "anchor", "anchor", None


def trip_properties(result: Any, target: str | None = None) -> dict[str, Any]:
    """The attributes of a computed trip (a :class:`~corridor_map.travel.routing.RouteResult`):
    ends, minutes and km rounded as everywhere, access modes, legs, method, assumptions."""
    from corridor_map.travel.routing import SpeedAssumptions

    assumptions = SpeedAssumptions(**(result.assumptions or {}))
    return {
        "from": result.from_id,
        "to": result.to_id,
        "minutes": round(result.minutes, MINUTES_DIGITS),
        "km": round(result.km, KM_DIGITS),
        "origin_access": result.origin_access,
        "destination_access": result.destination_access,
        "target": target or "",
        "planned_links_used": ", ".join(result.planned_links_used or []),
        "legs": flat(
            {k: {m: round(v, 2) for m, v in leg.items()} for k, leg in (result.legs or {}).items()}
        ),
        "method": ROUTE_METHOD,
        "assumptions": " | ".join(assumptions.describe()),
    }
