"""Travel times on the reference road network: the routing core.

The data (network, planned links, stations) comes from :mod:`corridor_map.travel.data`, the
speeds and factors from :class:`~corridor_map.travel.assumptions.SpeedAssumptions`; every
result carries the assumptions back.

How a trip is built
-------------------
1. **Access leg**: from the feature's point (a point feature itself; a polygon's
   representative point, which is always inside it; a line's midpoint — or, where a
   target says so, any point of its boundary sampled every 500 m) to one of the
   ``access_candidates`` nearest network nodes (and as many nearest planned-link ends or
   stations): the straight-line geodesic distance × ``access_detour`` at ``access_kmh``.
   Nodes farther than ``max_access_km`` are not used.
2. **Network**: Dijkstra (:func:`scipy.sparse.csgraph.dijkstra`, one call per batch of
   origins) over the network with each edge's ``length_km`` at ``network_kmh``; curated
   planned links (``layers/planned_links.geojson``) at their own design speed, joined to
   the network only at their two ends. In road + rail mode (``SpeedAssumptions.rail``) the
   reference railways between D/G-served stations at ``rail_kmh`` and the Taizhou S1 line
   at ``s1_kmh``, with ``station_min`` per ride at the stations.
3. **Egress leg**: like the access leg, at the destination. Two places close enough may be
   joined directly by an access-speed leg without using the network at all.

Public functions return plain data (dataclasses with ``to_dict()``, GeoJSON-like dicts) so
* :func:`route` → :class:`RouteResult` (minutes, km, legs, GeoJSON path, assumptions);
  :func:`routes` for many pairs at once. Both take the :class:`~corridor_map.atlas.model.Atlas`
  to route on.

Built on this core: isochrones (:func:`~corridor_map.travel.isochrone.isochrone`,
:func:`~corridor_map.travel.isochrone.isochrone_at`) in :mod:`corridor_map.travel.isochrone`;
the documents' travel targets (:func:`~corridor_map.travel.targets.evaluate_targets`,
:func:`~corridor_map.travel.targets.sensitivity`, :func:`~corridor_map.travel.targets.load_targets)
in :mod:`corridor_map.travel.targets`. Scenarios side by side, reachable places and the app's
tables live in :mod:`corridor_map.travel.compare`, :mod:`corridor_map.travel.reach` and
:mod:`corridor_map.views.travel`. This module imports none of them.

An unlocated or unreachable place gives ``reachable=False`` and a ``reason``; only an
unknown id, an invalid assumption or a broken data file raises
:class:`~corridor_map.travel.errors.TravelError` (or another
:class:`~corridor_map.core.errors.CorridorMapError`).
"""

from __future__ import annotations

import itertools
import math
import threading
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from corridor_map.atlas.model import Atlas
from corridor_map.core import credits
from corridor_map.travel import network as _graph
from corridor_map.travel.assumptions import SpeedAssumptions
from corridor_map.travel.data import Network, access_points, feature, network


@dataclass(frozen=True)
class _Weights:
    """Per-edge km and minutes under one set of assumptions, and the csgraph matrix."""

    km: np.ndarray
    minutes: np.ndarray
    matrix: Any


# Edge weights by the network's data key and the speeds (a sensitivity sweep asks for the
# same few again and again); bounded, and thread-safe as Streamlit serves several sessions.
_WEIGHTS: dict[tuple[Any, ...], _Weights] = {}
_WEIGHTS_LOCK = threading.Lock()


def _weights(net: Network, a: SpeedAssumptions) -> _Weights:
    link_speed = dict(net.link_speeds)
    link_speed.update(a.planned_kmh)
    key = (
        net.key,
        a.network_kmh,
        a.network_detour,
        a.access_kmh,
        a.access_detour,
        a.rail_kmh,
        a.s1_kmh,
        a.station_min,
        tuple(sorted(link_speed.items())),
    )
    if net.key is not None:
        with _WEIGHTS_LOCK:
            cached = _WEIGHTS.get(key)
        if cached is not None:
            return cached
    arrays = net.arrays
    on_network = arrays.kind == "network"
    connector = arrays.kind == "connector"
    km = arrays.length_km.copy()
    km[on_network] *= a.network_detour
    # the cached graph is built once with the default detour; apply the caller's
    km[connector] = arrays.straight_km[connector] * a.access_detour
    speed = np.where(on_network, a.network_kmh, a.access_kmh).astype(float)
    for e in np.flatnonzero(arrays.kind == "planned"):
        speed[e] = link_speed[arrays.link[e]]
    speed[arrays.kind == "rail"] = a.rail_kmh
    speed[arrays.kind == "s1"] = a.s1_kmh
    minutes = km * 60.0 / speed
    # getting on and getting off: half the station time each
    minutes[arrays.kind == "board"] = a.station_min / 2.0
    weights = _Weights(km, minutes, arrays.matrix(minutes))
    if net.key is not None:
        with _WEIGHTS_LOCK:
            if len(_WEIGHTS) > 32:
                _WEIGHTS.clear()
            _WEIGHTS[key] = weights
    return weights


@dataclass
class _Leg:
    point: tuple[float, float]
    node: int
    km: float
    minutes: float


def _access_legs(
    net: Network, points: Sequence[tuple[float, float]], a: SpeedAssumptions
) -> list[_Leg]:
    """Legs from each point to its nearest network nodes (node = position in the arrays)."""
    pairs = [
        (point, node)
        for point in points
        for index in (net.index, net.ends)
        for node, planar_m in index.nearest(point, a.access_candidates)
        if planar_m / 1e3 <= a.max_access_km * 1.01
    ]
    if not pairs:
        return []
    nodes = np.array([node for _, node in pairs], dtype=np.int64)
    straight = _graph.geodesic_km_many(
        [p for p, _ in pairs], net.arrays.lon[nodes], net.arrays.lat[nodes]
    )
    legs = []
    for (point, node), km_straight in zip(pairs, straight, strict=True):
        if km_straight > a.max_access_km:
            continue
        km = float(km_straight) * a.access_detour
        legs.append(_Leg(point, node, km, km * 60.0 / a.access_kmh))
    return legs


@dataclass
class _Trip:
    minutes: float
    km: float
    coords: list[tuple[float, float]]
    legs: dict[str, dict[str, float]]
    links_used: list[str]
    origin: tuple[float, float]
    destination: tuple[float, float]


@dataclass
class _Tree:
    """Shortest times from a set of origin points to every node (inf where unreached)."""

    times: np.ndarray
    pred: np.ndarray
    seed_leg: dict[int, _Leg]
    origins: Sequence[tuple[float, float]]


def _grow(
    net: Network,
    origin_sets: Sequence[Sequence[tuple[float, float]]],
    a: SpeedAssumptions,
    cutoff: float | None = None,
) -> list[_Tree]:
    """One shortest-path tree per set of origin points, all in one csgraph call."""
    seeds_per_set: list[dict[int, float]] = []
    legs_per_set: list[dict[int, _Leg]] = []
    for origins in origin_sets:
        seeds: dict[int, float] = {}
        seed_leg: dict[int, _Leg] = {}
        for leg in _access_legs(net, origins, a):
            if leg.minutes < seeds.get(leg.node, math.inf):
                seeds[leg.node], seed_leg[leg.node] = leg.minutes, leg
        seeds_per_set.append(seeds)
        legs_per_set.append(seed_leg)
    times, pred = _graph.shortest_trees(_weights(net, a).matrix, seeds_per_set, cutoff)
    return [
        _Tree(times[k], pred[k], legs_per_set[k], origins) for k, origins in enumerate(origin_sets)
    ]


def _arrive(
    net: Network,
    tree: _Tree,
    destinations: Sequence[tuple[float, float]],
    a: SpeedAssumptions,
    ends: list[_Leg] | None = None,
) -> tuple[_Trip | None, str | None]:
    """Fastest trip from a grown tree to any destination point, or (None, reason)."""
    if ends is None:
        ends = _access_legs(net, destinations, a)
    best = _direct(tree.origins, destinations, a)
    for leg in ends:
        reached = tree.times[leg.node]
        if not math.isfinite(reached):
            continue
        total = reached + leg.minutes
        if best is None or total < best.minutes - 1e-9:
            best = _trip(net, tree, leg, a)
    if best is not None:
        return best, None
    if not tree.seed_leg:
        return None, (
            f"起点 {a.max_access_km:g} km 内没有道路 / no road within {a.max_access_km:g} km "
            "of the origin"
        )
    if not ends:
        return None, (
            f"终点 {a.max_access_km:g} km 内没有道路 / no road within {a.max_access_km:g} km "
            "of the destination"
        )
    return None, "起终点不在同一连通路网 / origin and destination are not connected by the network"


def _direct(
    origins: Sequence[tuple[float, float]],
    destinations: Sequence[tuple[float, float]],
    a: SpeedAssumptions,
) -> _Trip | None:
    """A straight access-speed leg between two close places, when within max_access_km."""
    if not origins or not destinations:
        return None
    o = np.repeat(np.asarray(origins, dtype=float), len(destinations), axis=0)
    d = np.tile(np.asarray(destinations, dtype=float), (len(origins), 1))
    straight = _graph.geodesic_km_many(o, d[:, 0], d[:, 1])
    best = int(np.argmin(straight))
    if not straight[best] <= a.max_access_km:
        return None
    start = origins[best // len(destinations)]
    end = destinations[best % len(destinations)]
    km = float(straight[best]) * a.access_detour
    minutes = km * 60.0 / a.access_kmh
    legs = {"access": {"km": km, "minutes": minutes}}
    return _Trip(minutes, km, [start, end], legs, [], start, end)


def _trip(net: Network, tree: _Tree, end: _Leg, a: SpeedAssumptions) -> _Trip:
    nodes = _graph.walk_back(tree.pred, end.node)
    start = tree.seed_leg[nodes[0]]
    weights = _weights(net, a)
    arrays = net.arrays
    legs: dict[str, dict[str, float]] = {
        "access": {"km": start.km + end.km, "minutes": start.minutes + end.minutes}
    }
    links: list[str] = []
    for u, v in itertools.pairwise(nodes):
        e = arrays.edge(u, v)
        kind = {"connector": "access", "board": "station"}.get(arrays.kind[e], str(arrays.kind[e]))
        leg = legs.setdefault(kind, {"km": 0.0, "minutes": 0.0})
        leg["km"] += float(weights.km[e])
        leg["minutes"] += float(weights.minutes[e])
        link = arrays.link[e]
        if link and link not in links:
            links.append(link)
    coords = [start.point]
    coords += [(float(arrays.lon[n]), float(arrays.lat[n])) for n in nodes]
    coords.append(end.point)
    km = sum(leg["km"] for leg in legs.values())
    minutes = sum(leg["minutes"] for leg in legs.values())
    return _Trip(minutes, km, coords, legs, links, start.point, end.point)


# ---------------------------------------------------------------------------- public API


@dataclass
class RouteResult:
    """The fastest trip between two features, or why there is none.

    ``path`` is a GeoJSON LineString (WGS84) including the access and egress legs;
    ``legs`` gives km and minutes by kind (``access``, ``network``, ``planned``).
    """

    from_id: str
    to_id: str
    reachable: bool
    minutes: float | None
    km: float | None
    reason: str | None
    legs: dict[str, dict[str, float]]
    path: dict[str, Any] | None
    planned_links: bool
    planned_links_used: list[str]
    origin_access: str
    destination_access: str
    assumptions: dict[str, Any]
    attribution: str = credits.ROADS
    #: why there is no trip, as a code beside the bilingual ``reason``: ``"unlocated"``
    #: (an end has no geometry), ``"unreachable"``, or None for a trip.
    reason_code: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """Return the result as a JSON-ready dict (the bilingual ``reason``, no code)."""
        record = asdict(self)
        del record["reason_code"]
        return record


def route(
    atlas: Atlas,
    from_id: str,
    to_id: str,
    assumptions: SpeedAssumptions | None = None,
    planned_links: bool = True,
    origin_access: str = "anchor",
    destination_access: str = "anchor",
) -> RouteResult:
    """Find the fastest trip between two features of the layers.

    Parameters
    ----------
    atlas
        The layers to route on (their network, planned links and stations).
    from_id, to_id
        Feature ids (any layer).
    assumptions
        Speeds and factors; :class:`SpeedAssumptions` defaults when None.
    planned_links
        Include the curated planned links (e.g. 太龙快速路) in the network.
    origin_access, destination_access
        ``"anchor"`` or ``"boundary"``, see :func:`~corridor_map.travel.data.access_points`.
        With ``"boundary"`` on a polygon the trip ends at the polygon's nearest reachable
        edge, and a start point already inside the destination polygon takes 0 minutes.

    Returns
    -------
    RouteResult
        ``reachable=False`` with a ``reason`` (never an exception) when a feature is
        unlocated, off the network, or not connected.

    Raises
    ------
    TravelError
        For an unknown feature id or invalid assumptions.
    """
    a = assumptions or SpeedAssumptions()
    return routes(atlas, [(from_id, to_id)], a, planned_links, origin_access, destination_access)[0]


def routes(
    atlas: Atlas,
    pairs: Sequence[tuple[str, str]],
    assumptions: SpeedAssumptions | None = None,
    planned_links: bool = True,
    origin_access: str = "anchor",
    destination_access: str = "anchor",
) -> list[RouteResult]:
    """Find the fastest trip for every (from_id, to_id) pair, as :func:`route` does.

    One shortest-path tree is grown per distinct origin, all of them in one
    :func:`scipy.sparse.csgraph.dijkstra` call, so a whole table costs little more than
    one route.
    """
    a = assumptions or SpeedAssumptions()
    net = network(atlas, planned_links, a.rail)
    points: dict[tuple[str, str], list[tuple[float, float]]] = {}
    for from_id, to_id in pairs:
        for fid, mode in ((from_id, origin_access), (to_id, destination_access)):
            if (fid, mode) not in points:
                points[(fid, mode)] = access_points(atlas, fid, mode)
    results: list[RouteResult | None] = []
    needed: dict[str, int] = {}
    for from_id, to_id in pairs:
        origins = points[(from_id, origin_access)]
        destinations = points[(to_id, destination_access)]
        base: dict[str, Any] = {
            "from_id": from_id,
            "to_id": to_id,
            "planned_links": planned_links,
            "origin_access": origin_access,
            "destination_access": destination_access,
            "assumptions": a.to_dict(),
        }
        empty = next((fid for fid, p in ((from_id, origins), (to_id, destinations)) if not p), None)
        target = feature(atlas, to_id).geometry
        inside = (
            next((p for p in origins if _graph.point_in(target, p)), None)
            if empty is None and destination_access == "boundary"
            else None
        )
        if empty is not None:
            results.append(
                _unreachable(
                    f"要素 {empty} 未定位（无几何）/ feature {empty} is unlocated (no geometry)",
                    base,
                    code="unlocated",
                )
            )
        elif inside is not None:
            results.append(
                RouteResult(
                    reachable=True,
                    minutes=0.0,
                    km=0.0,
                    reason="起点已在目的地范围内 / the origin already lies inside the destination",
                    legs={},
                    path={"type": "LineString", "coordinates": [_round(inside), _round(inside)]},
                    planned_links_used=[],
                    **base,
                )
            )
        else:
            needed.setdefault(from_id, len(needed))
            results.append(None)
    trees = _grow(net, [points[(fid, origin_access)] for fid in needed], a)
    ends: dict[str, list[_Leg]] = {}
    for i, (from_id, to_id) in enumerate(pairs):
        if results[i] is not None:
            continue
        destinations = points[(to_id, destination_access)]
        if to_id not in ends:
            ends[to_id] = _access_legs(net, destinations, a)
        trip, reason = _arrive(net, trees[needed[from_id]], destinations, a, ends[to_id])
        base = {
            "from_id": from_id,
            "to_id": to_id,
            "planned_links": planned_links,
            "origin_access": origin_access,
            "destination_access": destination_access,
            "assumptions": a.to_dict(),
        }
        results[i] = _unreachable(reason or "", base) if trip is None else _route_result(trip, base)
    return [r for r in results if r is not None]


def _unreachable(reason: str, base: dict[str, Any], code: str = "unreachable") -> RouteResult:
    return RouteResult(
        reachable=False,
        minutes=None,
        km=None,
        reason=reason,
        legs={},
        path=None,
        planned_links_used=[],
        reason_code=code,
        **base,
    )


def _route_result(trip: _Trip, base: dict[str, Any]) -> RouteResult:
    return RouteResult(
        reachable=True,
        minutes=trip.minutes,
        km=trip.km,
        reason=None,
        legs={k: {"km": v["km"], "minutes": v["minutes"]} for k, v in trip.legs.items()},
        path={"type": "LineString", "coordinates": [_round(c) for c in trip.coords]},
        planned_links_used=trip.links_used,
        **base,
    )


def _round(point: tuple[float, float]) -> list[float]:
    return [round(point[0], 6), round(point[1], 6)]
