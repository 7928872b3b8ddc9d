"""Two scenarios side by side: the targets' verdicts and two isochrones overlaid.

A :class:`Scenario` is one set of travel assumptions (speeds, planned links on or off).
:func:`compare_targets` evaluates every target under scenarios A and B and gives both
verdicts, both worst-case figures and routes, and the change; :func:`compare_isochrones`
overlays the areas reachable under A and B as *A only*, *B only* and *both*, each with its
geodesic area. Nothing here is a figure from a document: every number rests on the
scenarios' stated assumptions, which every result carries back.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import shapely
from shapely.geometry import mapping, shape
from shapely.geometry.base import BaseGeometry

from corridor_map.atlas.model import Atlas
from corridor_map.geo.geodesy import geodesic_area_km2
from corridor_map.travel import isochrone as travel_isochrone
from corridor_map.travel import targets as travel_targets
from corridor_map.travel.assumptions import SpeedAssumptions
from corridor_map.travel.errors import TravelError
from corridor_map.travel.targets import TargetResult

PARTS = ("a_only", "b_only", "both")
# Overlay pieces smaller than this (1 ha) are slivers of two nearly equal outlines.
SLIVER_KM2 = 0.01


@dataclass(frozen=True)
class Scenario:
    """One set of assumptions a target or an isochrone is evaluated under."""

    label: str = "A"
    assumptions: SpeedAssumptions = field(default_factory=SpeedAssumptions)
    planned_links: bool = True

    def describe(self) -> str:
        """Return the scenario as one bilingual line."""
        a = self.assumptions
        planned = "计入规划道路" if self.planned_links else "不计规划道路"
        planned_en = "planned links on" if self.planned_links else "planned links off"
        speeds = ", ".join(f"{k} {v:g}" for k, v in sorted(a.planned_kmh.items()))
        extra = f"；规划道路车速 {speeds} km/h" if speeds else ""
        extra_en = f"; planned-link speed {speeds} km/h" if speeds else ""
        mode = "道路 + 铁路" if a.rail else "仅道路"
        mode_en = "road + rail" if a.rail else "road only"
        return (
            f"{self.label}：{mode}，路网 {a.network_kmh:g} km/h，接驳 {a.access_kmh:g} km/h，"
            f"{planned}{extra} / {self.label}: {mode_en}, network {a.network_kmh:g} km/h, "
            f"access {a.access_kmh:g} km/h, {planned_en}{extra_en}"
        )

    def to_dict(self) -> dict[str, Any]:
        """Return the scenario as a JSON-ready dict."""
        return {
            "label": self.label,
            "planned_links": self.planned_links,
            "assumptions": self.assumptions.to_dict(),
            "description": self.describe(),
        }


def default_scenarios(
    assumptions: SpeedAssumptions | None = None,
) -> tuple[Scenario, Scenario]:
    """Return the default pair: A with the planned links, B without, same speeds."""
    a = assumptions or SpeedAssumptions()
    return Scenario("A", a, True), Scenario("B", a, False)


@dataclass
class TargetComparison:
    """One target under scenarios A and B.

    ``change_min`` is B's worst minutes minus A's (None when either is not evaluable);
    ``verdict_changed`` tells whether the two statuses differ.
    """

    id: str
    name_zh: str
    name_en: str
    threshold_min: float
    evaluation_zh: str
    evaluation_en: str
    a: TargetResult
    b: TargetResult

    @property
    def change_min(self) -> float | None:
        """B's worst minutes minus A's, or None when either has none."""
        if self.a.worst_minutes is None or self.b.worst_minutes is None:
            return None
        return self.b.worst_minutes - self.a.worst_minutes

    @property
    def verdict_changed(self) -> bool:
        """Whether A and B reach different verdicts."""
        return self.a.status != self.b.status

    def to_dict(self) -> dict[str, Any]:
        """Return the comparison as a JSON-ready dict (both full results included)."""
        return {
            "id": self.id,
            "name_zh": self.name_zh,
            "name_en": self.name_en,
            "threshold_min": self.threshold_min,
            "evaluation_zh": self.evaluation_zh,
            "evaluation_en": self.evaluation_en,
            "status_a": self.a.status,
            "status_b": self.b.status,
            "minutes_a": self.a.worst_minutes,
            "minutes_b": self.b.worst_minutes,
            "change_min": self.change_min,
            "verdict_changed": self.verdict_changed,
            "a": self.a.to_dict(),
            "b": self.b.to_dict(),
        }


def compare_targets(
    atlas: Atlas, a: Scenario, b: Scenario, target_ids: Iterable[str] | None = None
) -> list[TargetComparison]:
    """Evaluate the travel targets under two scenarios, side by side.

    Parameters
    ----------
    atlas
        The layers.
    a, b
        The two scenarios (see :func:`default_scenarios`).
    target_ids
        Only these targets (all when None).

    Returns
    -------
    list of TargetComparison
        In the order of ``layers/travel_targets.json``; each result's ``worst_case`` carries
        the drawn ``path`` of its worst-case trip.
    """
    wanted = None if target_ids is None else list(target_ids)
    first = travel_targets.evaluate_targets(atlas, a.assumptions, a.planned_links, wanted)
    second = travel_targets.evaluate_targets(atlas, b.assumptions, b.planned_links, wanted)
    return pair_results(first, second)


def pair_results(
    first: Sequence[TargetResult], second: Sequence[TargetResult]
) -> list[TargetComparison]:
    """Pair two evaluations of the same targets, in order (e.g. two cached evaluations)."""
    if [r.id for r in first] != [r.id for r in second]:
        raise TravelError("两次评估的目标不一致 / the two evaluations hold different targets")
    return [
        TargetComparison(
            id=x.id,
            name_zh=x.name_zh,
            name_en=x.name_en,
            threshold_min=x.threshold_min,
            evaluation_zh=x.evaluation_zh,
            evaluation_en=x.evaluation_en,
            a=x,
            b=y,
        )
        for x, y in zip(first, second, strict=True)
    ]


def scenario_isochrone(
    atlas: Atlas, origin: str | tuple[float, float], minutes: float, scenario: Scenario
) -> dict[str, Any]:
    """Return one scenario's isochrone from a feature id or a (lon, lat) point."""
    if isinstance(origin, str):
        return travel_isochrone.isochrone(
            atlas, origin, minutes, scenario.assumptions, scenario.planned_links
        )
    if not (isinstance(origin, tuple | list) and len(origin) == 2):
        raise TravelError(f"无效的起点 / invalid origin {origin!r}: a feature id or (lon, lat)")
    lon, lat = origin
    return travel_isochrone.isochrone_at(
        atlas, lon, lat, minutes, scenario.assumptions, scenario.planned_links
    )


def compare_isochrones(
    atlas: Atlas, origin: str | tuple[float, float], minutes: float, a: Scenario, b: Scenario
) -> dict[str, Any]:
    """Overlay the isochrones of two scenarios from the same start.

    Returns
    -------
    dict
        ``{"a": Feature, "b": Feature, "parts": FeatureCollection}``: the two isochrones as
        :func:`corridor_map.travel.isochrone.isochrone` returns them, and their overlay as up
        to three features with ``part`` = ``a_only`` / ``b_only`` / ``both`` and a geodesic
        ``area_km2`` (a part under :data:`SLIVER_KM2` is left out). An unlocated start
        (``None`` geometries) gives no parts.
    """
    first = scenario_isochrone(atlas, origin, minutes, a)
    second = scenario_isochrone(atlas, origin, minutes, b)
    parts: list[dict[str, Any]] = []
    if first["geometry"] is not None and second["geometry"] is not None:
        ga, gb = shape(first["geometry"]), shape(second["geometry"])
        pieces = {
            "a_only": ga.difference(gb),
            "b_only": gb.difference(ga),
            "both": ga.intersection(gb),
        }
        for part in PARTS:
            geometry = _polygonal(pieces[part])
            if geometry is None or geodesic_area_km2(geometry) < SLIVER_KM2:
                continue
            parts.append(
                {
                    "type": "Feature",
                    "geometry": mapping(geometry),
                    "properties": {
                        "part": part,
                        "scenario": {"a_only": a.label, "b_only": b.label, "both": "A+B"}[part],
                        "area_km2": round(geodesic_area_km2(geometry), 3),
                    },
                }
            )
    return {
        "a": first,
        "b": second,
        "parts": {"type": "FeatureCollection", "features": parts},
        "scenarios": [a.to_dict(), b.to_dict()],
    }


def _polygonal(geometry: BaseGeometry) -> BaseGeometry | None:
    """Keep the polygons of an overlay result (slivers of lines or points are dropped)."""
    if geometry.is_empty:
        return None
    if geometry.geom_type in {"Polygon", "MultiPolygon"}:
        return geometry
    polygons = [
        p
        for part in shapely.get_parts(geometry)
        for p in shapely.get_parts(part)
        if p.geom_type == "Polygon" and not p.is_empty
    ]
    return shapely.multipolygons(polygons) if polygons else None
