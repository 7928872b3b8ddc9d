"""Isochrones: the area reachable within N minutes on the reference road network.

:func:`isochrone` (from a feature) and :func:`isochrone_at` (from any point) return a
GeoJSON Feature (polygon reachable within N minutes) built on the routing core of
:mod:`corridor_map.travel.routing`: the same
:class:`~corridor_map.travel.assumptions.SpeedAssumptions`, network and access legs as
:func:`corridor_map.travel.routing.route`, so every place a route reaches in time lies inside.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import shapely
from shapely.geometry import mapping
from shapely.geometry.base import BaseGeometry

from corridor_map.atlas.model import Atlas
from corridor_map.core import credits
from corridor_map.core.numbers import finite_number
from corridor_map.geo.geodesy import geodesic_area_km2
from corridor_map.travel import network as _graph
from corridor_map.travel.assumptions import SpeedAssumptions, check_limit
from corridor_map.travel.data import Network, access_points, network
from corridor_map.travel.errors import TravelError
from corridor_map.travel.routing import _grow, _weights

_ISOCHRONE_STEP_M = 250.0
# The isochrone outline is simplified by this much; its discs are grown by as much so that
# simplifying never cuts off a point route() reaches in time.
_ISOCHRONE_SIMPLIFY_M = 5.0
_DISC_SEGMENTS = 8


def isochrone(
    atlas: Atlas,
    feature_id: str,
    minutes: float,
    assumptions: SpeedAssumptions | None = None,
    planned_links: bool = True,
    origin_access: str = "anchor",
) -> dict[str, Any]:
    """Return the area reachable from a feature within ``minutes`` as a GeoJSON Feature.

    The polygon is the union of discs around every point of the network reached in time
    (nodes, and points every 250 m along network edges), each with the radius the remaining
    minutes allow at ``access_kmh`` divided by ``access_detour``, plus the disc around the
    start itself. Discs are built in UTM zone 51N metres (EPSG:32651, not Web Mercator) and
    the result is returned in WGS84. Interior points of planned limited-access links give
    no disc: one cannot leave such a road between its ends. Like :func:`route`'s access
    legs, no disc reaches farther than ``max_access_km`` in a straight line. Each disc
    polygon circumscribes its circle (and is grown by the 5 m the outline is simplified by),
    so every place :func:`route` reaches within ``minutes`` lies inside.

    Returns
    -------
    dict
        GeoJSON Feature; ``geometry`` is a (Multi)Polygon, or None for an unlocated feature
        (``properties.reason`` says so). ``properties`` carry ``area_km2`` (geodesic),
        ``minutes``, ``assumptions``, ``planned_links``, ``method`` and ``attribution``.
    """
    return _isochrone(
        atlas,
        access_points(atlas, feature_id, origin_access),
        {"feature_id": feature_id},
        minutes,
        assumptions,
        planned_links,
    )


def isochrone_at(
    atlas: Atlas,
    lon: float,
    lat: float,
    minutes: float,
    assumptions: SpeedAssumptions | None = None,
    planned_links: bool = True,
) -> dict[str, Any]:
    """Return the area reachable from any WGS84 point (e.g. a click) within ``minutes``.

    Like :func:`isochrone`, with the point as the start; ``properties.origin`` holds it.

    Raises
    ------
    TravelError
        When the coordinates are not finite WGS84 longitude/latitude.
    """
    point = _lonlat(lon, lat)
    return _isochrone(
        atlas,
        [point],
        {"feature_id": None, "origin": list(point)},
        minutes,
        assumptions,
        planned_links,
    )


def _lonlat(lon: Any, lat: Any) -> tuple[float, float]:
    ok = finite_number(lon) and finite_number(lat)
    if not ok or not (-180 <= lon <= 180 and -90 <= lat <= 90):
        raise TravelError(
            f"坐标无效 / invalid point lon={lon!r}, lat={lat!r}: WGS84 degrees, lon −180–180, "
            "lat −90–90"
        )
    return (float(lon), float(lat))


def _isochrone(
    atlas: Atlas,
    origins: list[tuple[float, float]],
    start: dict[str, Any],
    minutes: float,
    assumptions: SpeedAssumptions | None,
    planned_links: bool,
) -> dict[str, Any]:
    a = assumptions or SpeedAssumptions()
    check_limit("minutes", minutes)
    feature_id = start.get("feature_id")
    props: dict[str, Any] = {
        **start,
        "minutes": minutes,
        "planned_links": planned_links,
        "assumptions": a.to_dict(),
        "method": (
            "可达路网点周围按剩余时间以接驳速度画圆并合并（UTM 51N）/ union of discs around "
            "reached network points, radius = remaining time at access speed ÷ detour "
            "(UTM 51N)"
        ),
        "attribution": credits.ROADS,
    }
    if not origins:
        props.update(area_km2=None, reason=f"要素 {feature_id} 未定位 / feature is unlocated")
        return {"type": "Feature", "geometry": None, "properties": props}
    net = network(atlas, planned_links, a.rail)
    wgs, reached = _reach_polygon(net, origins, minutes, a)
    props["area_km2"] = round(geodesic_area_km2(wgs), 3)
    props["reached_nodes"] = reached
    return {"type": "Feature", "geometry": _round_geojson(mapping(wgs)), "properties": props}


def _reach_polygon(
    net: Network, origins: Sequence[tuple[float, float]], minutes: float, a: SpeedAssumptions
) -> tuple[BaseGeometry, int]:
    """The WGS84 polygon reachable within ``minutes`` and the number of nodes reached."""
    tree = _grow(net, [origins], a, cutoff=minutes)[0]
    arrays = net.arrays
    metres_per_min = a.access_kmh * 1000.0 / 60.0 / a.access_detour
    centres: list[tuple[float, float]] = []
    radii: list[float] = []
    for lon, lat in origins:
        centres.append(_graph.TO_METRIC.transform(lon, lat))
        radii.append(minutes * metres_per_min)
    reached = np.isfinite(tree.times)
    open_nodes = np.flatnonzero(reached & ~arrays.sealed)
    centres += list(zip(arrays.x[open_nodes].tolist(), arrays.y[open_nodes].tolist(), strict=True))
    radii += ((minutes - tree.times[open_nodes]) * metres_per_min).tolist()
    edge_minutes = _weights(net, a).minutes
    for e in np.flatnonzero((arrays.kind == "network") & (reached[arrays.u] | reached[arrays.v])):
        _sample_edge(
            arrays,
            int(e),
            float(edge_minutes[e]),
            tree.times,
            minutes,
            metres_per_min,
            centres,
            radii,
        )
    cap_m = a.max_access_km * 1000.0
    polygon = _union_discs(centres, [min(r, cap_m) for r in radii])
    return _graph.to_wgs84(polygon.simplify(_ISOCHRONE_SIMPLIFY_M)), int(reached.sum())


def _sample_edge(
    arrays: _graph.Arrays,
    e: int,
    edge_min: float,
    times: np.ndarray,
    minutes: float,
    metres_per_min: float,
    centres: list[tuple[float, float]],
    radii: list[float],
) -> None:
    u, v = arrays.u[e], arrays.v[e]
    ux, uy = float(arrays.x[u]), float(arrays.y[u])
    vx, vy = float(arrays.x[v]), float(arrays.y[v])
    count = max(1, math.ceil(math.hypot(vx - ux, vy - uy) / _ISOCHRONE_STEP_M))
    tu, tv = float(times[u]), float(times[v])
    for i in range(1, count):
        f = i / count
        t = min(tu + f * edge_min, tv + (1 - f) * edge_min)
        if t < minutes:
            centres.append((ux + f * (vx - ux), uy + f * (vy - uy)))
            radii.append((minutes - t) * metres_per_min)


def _union_discs(centres: list[tuple[float, float]], radii: list[float]) -> BaseGeometry:
    # every disc is at least the 5 m margin wide, so a very short time still has its start
    keep = [(c, r) for c, r in zip(centres, radii, strict=True) if r > 0.0]
    points = shapely.points(np.array([c for c, _ in keep], dtype=float))
    # a buffer's polygon is inscribed in its circle (short by up to 0.5 % of the radius at
    # 8 segments a quarter): grow the vertices so that its edges touch the circle instead
    grow = 1.0 / math.cos(math.pi / (4 * _DISC_SEGMENTS))
    radius = np.array([r * grow + _ISOCHRONE_SIMPLIFY_M for _, r in keep], dtype=float)
    discs = shapely.buffer(points, radius, quad_segs=_DISC_SEGMENTS)
    return shapely.union_all(discs)


def _round_geojson(geometry: Mapping[str, Any]) -> dict[str, Any]:
    def walk(value: Any) -> Any:
        if isinstance(value, list | tuple):
            if value and isinstance(value[0], float | int):
                return [round(float(x), 6) for x in value]
            return [walk(v) for v in value]
        return value

    return {"type": geometry["type"], "coordinates": walk(geometry["coordinates"])}
