"""What is reachable: the located places inside an isochrone, counted and listed by role.

Places are the curated features (platforms, key blocks, gateways, landmarks, …), the
reference stations (``ref_rail_stations``, ``ref_s1_stations``) and, where a reference
places layer exists (any ``ref_*`` layer), its point features whose role is ``town``,
``street`` or ``seat`` (镇、街道、县市区政府驻地). A place counts as reached when its anchor
point — the same point a route starts or ends at (a point itself, a polygon's
representative point, a line's midpoint) — lies inside the isochrone.

Frames rather than places (``extent``, ``belt``, ``zone``, ``district``, ``road`` and
planned roads) are not listed: an isochrone "reaching" a whole corridor's extent says
nothing.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

import shapely
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry

from corridor_map.atlas.model import Atlas, Feature
from corridor_map.core.records import RingPoint
from corridor_map.travel import network as _graph

# Reference roles that stand for a place one travels to.
REFERENCE_PLACE_ROLES = ("station", "town", "township", "street", "county_seat")
# Curated roles that frame an area rather than name a place.
FRAME_ROLES = frozenset({"extent", "belt", "zone", "district", "road"})


@dataclass(frozen=True)
class Place:
    """One located place that may be reached."""

    id: str
    name_zh: str
    name_en: str
    role: str
    corridor: str
    layer: str
    lon: float
    lat: float

    def to_dict(self) -> dict[str, Any]:
        """Return the place as a JSON-ready dict."""
        return {
            "id": self.id,
            "name_zh": self.name_zh,
            "name_en": self.name_en,
            "role": self.role,
            "corridor": self.corridor,
            "layer": self.layer,
            "lon": round(self.lon, 6),
            "lat": round(self.lat, 6),
        }


def is_place(feature: Feature) -> bool:
    """Tell whether a feature is a place reach sets list (see the module docstring)."""
    if feature.geometry is None or feature.geometry.is_empty:
        return False
    if feature.corridor == "reference" or feature.file.startswith("ref_"):
        return feature.role in REFERENCE_PLACE_ROLES and feature.geometry.geom_type == "Point"
    return feature.role not in FRAME_ROLES


def places(atlas: Atlas) -> list[Place]:
    """Return every place of the layers with its anchor point."""
    found = []
    for f in atlas.features.values():
        if not is_place(f):
            continue
        assert f.geometry is not None
        lon, lat = _graph.anchor_point(f.geometry)
        found.append(
            Place(f.id, f.name_zh, f.name_en, f.role, f.corridor, f.file, float(lon), float(lat))
        )
    return found


@dataclass
class ReachSet:
    """The places inside an area, by role."""

    places: list[Place]
    area_km2: float | None

    @property
    def counts(self) -> dict[str, int]:
        """Number of places per role, largest first."""
        return dict(Counter(p.role for p in self.places).most_common())

    def by_role(self) -> dict[str, list[Place]]:
        """The places grouped by role (roles as in :attr:`counts`)."""
        return {role: [p for p in self.places if p.role == role] for role in self.counts}

    def points(self) -> dict[str, Any] | None:
        """The places as one GeoJSON MultiPoint (for the map), or None when empty."""
        if not self.places:
            return None
        return {"type": "MultiPoint", "coordinates": [[p.lon, p.lat] for p in self.places]}

    def to_dict(self) -> dict[str, Any]:
        """Return the reach set as a JSON-ready dict."""
        return {
            "area_km2": self.area_km2,
            "counts": self.counts,
            "total": len(self.places),
            "places": [p.to_dict() for p in self.places],
        }


def reachable_in(
    atlas: Atlas,
    area: dict[str, Any] | BaseGeometry | None,
    exclude: tuple[str, ...] = (),
) -> ReachSet:
    """Return the places whose anchor lies inside ``area``.

    Parameters
    ----------
    atlas
        The layers whose places are searched.
    area
        A GeoJSON Feature or geometry (e.g. an isochrone from :mod:`corridor_map.travel.isochrone`),
        or a shapely geometry, in WGS84. ``None`` (an unlocated start) reaches nothing.
    exclude
        Ids left out (e.g. the start itself).
    """
    if area is None:
        return ReachSet([], None)
    area_km2 = None
    region: BaseGeometry
    if isinstance(area, dict):
        raw: dict[str, Any] | None = area
        if area.get("type") == "Feature":
            area_km2 = (area.get("properties") or {}).get("area_km2")
            raw = area.get("geometry")
        if raw is None:
            return ReachSet([], None)
        region = shape(raw)
    else:
        region = area
    candidates = [p for p in places(atlas) if p.id not in exclude]
    if not candidates or region.is_empty:
        return ReachSet([], area_km2)
    shapely.prepare(region)
    inside = shapely.covers(region, shapely.points([(p.lon, p.lat) for p in candidates]))
    reached = [p for p, hit in zip(candidates, inside, strict=True) if hit]
    reached.sort(key=lambda p: (p.role, p.id))
    return ReachSet(reached, area_km2)


def reachable_from(
    atlas: Atlas, origin: str | tuple[float, float], minutes: float, scenario: Any = None
) -> dict[str, Any]:
    """Return the isochrone from a feature id or a (lon, lat) point and the places inside.

    Parameters
    ----------
    atlas
        The layers.
    origin
        Feature id, or a WGS84 (lon, lat) point such as a click.
    minutes
        Time budget (see :data:`corridor_map.travel.assumptions.LIMITS`).
    scenario
        A :class:`corridor_map.travel.compare.Scenario` (defaults when None).

    Returns
    -------
    dict
        ``{"isochrone": Feature, "reach": ReachSet}``; the start itself is not listed.
    """
    from corridor_map.travel.compare import Scenario, scenario_isochrone

    iso = scenario_isochrone(atlas, origin, minutes, scenario or Scenario())
    exclude = (origin,) if isinstance(origin, str) else ()
    return {"isochrone": iso, "reach": reachable_in(atlas, iso, exclude)}


def target_reach(atlas: Atlas, result: Any, scenario: Any = None) -> dict[str, Any] | None:
    """Return what lies within a target's threshold of its worst-placed origin.

    Parameters
    ----------
    atlas
        The layers.
    result
        A :class:`corridor_map.travel.targets.TargetResult`; its worst case's origin (a feature id,
        or a sampled ring point ``"<id>@[lon, lat]"``, read by
        :meth:`corridor_map.core.records.RingPoint.parse`) is the start and its
        ``threshold_min`` the budget.
    scenario
        The :class:`corridor_map.travel.compare.Scenario` the result was evaluated under
        (defaults when None).

    Returns
    -------
    dict or None
        As :func:`reachable_from`, plus ``origin`` (the feature id, or a ring point's
        ``(lon, lat)``) and ``minutes``; None when the target has no worst case (not
        evaluable).
    """
    worst = getattr(result, "worst_case", None) or {}
    origin = worst.get("origin")
    if not isinstance(origin, str):
        return None
    ring_point = RingPoint.parse(origin)
    start = origin if ring_point is None else ring_point.position
    found = reachable_from(atlas, start, float(result.threshold_min), scenario)
    return {**found, "origin": start, "minutes": float(result.threshold_min)}
