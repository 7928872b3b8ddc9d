"""Travel times from many points at once, and how much of a target's scope meets it.

:class:`TimeField` answers "how many minutes from this point to that place" for any number
of points with one shortest-path tree per destination, grown once per scenario. The
network is undirected (every edge has the same minutes both ways, access legs are the same
going and coming), so the tree grown from a destination gives, at every node, the time
to that destination; a point then adds its own access legs, exactly as
:func:`corridor_map.travel.routing.route` and
:func:`corridor_map.travel.isochrone.isochrone_at` do from a point (the same network,
:class:`~corridor_map.travel.routing.SpeedAssumptions`, nearest nodes, ``max_access_km`` and
the direct access-speed leg between close places).

:func:`target_coverage` reads a travel target beside its worst case: the share of its
places (key blocks, seats, ring points) that meet the threshold and the share of the
corridor's area (a grid of points over the corridor's extent) from which the target's
reading is met.
"""

from __future__ import annotations

import json
import math
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import shapely
from scipy.spatial import cKDTree
from shapely.geometry.base import BaseGeometry

from corridor_map.geo.geodesy import TO_METRIC, distances_km
from corridor_map.travel.routing import (
    SpeedAssumptions,
    _grow,
    _Network,
    _network,
    _pinned,
    access_points,
    feature,
)

__all__ = [
    "Destination",
    "TimeField",
    "destination",
    "time_field",
]


@dataclass(frozen=True)
class Destination:
    """A place to travel to: the points a trip may end at (the nearest one counts).

    ``area`` is the polygon a start inside of takes 0 minutes to reach (a destination
    reached at its boundary, as :func:`~corridor_map.travel.routing.route` treats it).
    """

    id: str
    points: tuple[tuple[float, float], ...]
    area: BaseGeometry | None = None


@_pinned
def destination(feature_id: str, mode: str = "anchor") -> Destination:
    """Return a feature of the layers as a :class:`Destination` (``mode`` as in routing)."""
    points = tuple(access_points(feature_id, mode))
    geometry = feature(feature_id).geometry
    polygonal = geometry is not None and geometry.geom_type in {"Polygon", "MultiPolygon"}
    area = geometry if mode == "boundary" and polygonal else None
    return Destination(feature_id, points, area)


class TimeField:
    """Minutes from any WGS84 point to each of several destinations, under one scenario.

    Build it once (one Dijkstra call for all destinations), then ask for any number of
    points with :meth:`minutes`.
    """

    def __init__(
        self,
        net: _Network,
        destinations: Sequence[Destination],
        assumptions: SpeedAssumptions,
    ) -> None:
        self.destinations = tuple(destinations)
        self.assumptions = assumptions
        self._net = net
        located = [d for d in self.destinations if d.points]
        trees = _grow(net, [list(d.points) for d in located], assumptions)
        n = len(net.arrays.ids)
        self._times = np.full((len(self.destinations), n), math.inf)
        for tree, d in zip(trees, located, strict=True):
            self._times[self.destinations.index(d)] = tree.times
        self._kd = [
            (cKDTree(index.xy), index.nodes) if len(index.nodes) else None
            for index in (net.index, net.ends)
        ]

    def minutes(self, points: Sequence[tuple[float, float]] | np.ndarray) -> np.ndarray:
        """Return ``minutes[i, k]`` from point ``i`` to destination ``k`` (inf: no trip).

        A point inside a destination's ``area`` takes 0 minutes; an unlocated destination
        gives inf.
        """
        pts = np.asarray(points, dtype=float).reshape(-1, 2)
        result = np.full((len(pts), len(self.destinations)), math.inf)
        if not len(pts):
            return result
        owner, nodes, leg_min = self._legs(pts)
        if len(owner):
            # time to each destination through each leg, the best leg per point
            through = self._times[:, nodes].T + leg_min[:, None]
            np.minimum.at(result, owner, through)
        a = self.assumptions
        for k, d in enumerate(self.destinations):
            if not d.points:
                continue
            ends = np.asarray(d.points, dtype=float)
            start = np.repeat(pts, len(ends), axis=0)
            end = np.tile(ends, (len(pts), 1))
            straight = distances_km(start, end[:, 0], end[:, 1]).reshape(len(pts), len(ends))
            nearest = straight.min(axis=1)
            direct = np.where(
                nearest <= a.max_access_km,
                nearest * a.access_detour * 60.0 / a.access_kmh,
                math.inf,
            )
            np.minimum(result[:, k], direct, out=result[:, k])
            if d.area is not None:
                inside = shapely.covers(d.area, shapely.points(pts))
                result[inside, k] = 0.0
        return result

    def _legs(self, pts: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Every point's access legs: (point index, node, minutes), as routing builds them."""
        a = self.assumptions
        x, y = TO_METRIC.transform(pts[:, 0], pts[:, 1])
        xy = np.column_stack([x, y])
        owners: list[np.ndarray] = []
        nodes: list[np.ndarray] = []
        for entry in self._kd:
            if entry is None:
                continue
            tree, positions = entry
            k = min(a.access_candidates, len(positions))
            dist, idx = tree.query(xy, k=k)
            dist = np.asarray(dist, dtype=float).reshape(len(pts), k)
            idx = np.asarray(idx).reshape(len(pts), k)
            keep = dist / 1e3 <= a.max_access_km * 1.01
            rows = np.repeat(np.arange(len(pts)), k).reshape(len(pts), k)
            owners.append(rows[keep])
            nodes.append(positions[idx[keep]])
        if not owners:
            empty = np.empty(0, dtype=np.int64)
            return empty, empty, np.empty(0)
        owner = np.concatenate(owners)
        node = np.concatenate(nodes)
        arrays = self._net.arrays
        straight = distances_km(pts[owner], arrays.lon[node], arrays.lat[node])
        ok = straight <= a.max_access_km
        km = straight[ok] * a.access_detour
        return owner[ok], node[ok], km * 60.0 / a.access_kmh


_FIELDS: OrderedDict[tuple[Any, ...], tuple[_Network, TimeField]] = OrderedDict()
_FIELDS_SIZE = 16


@_pinned
def time_field(
    destinations: Sequence[Destination],
    assumptions: SpeedAssumptions | None = None,
    planned_links: bool = True,
) -> TimeField:
    """Return the :class:`TimeField` of these destinations under one scenario (cached).

    The field is kept while the network (the layers' snapshot) and the assumptions stay
    the same, so a page of many parcels, or a rerun, grows no tree twice.
    """
    a = assumptions or SpeedAssumptions()
    net = _network(planned_links, a.rail)
    key = (
        id(net),
        json.dumps(a.to_dict(), sort_keys=True),
        planned_links,
        tuple((d.id, d.points, d.area is not None) for d in destinations),
    )
    cached = _FIELDS.get(key)
    if cached is not None and cached[0] is net:
        _FIELDS.move_to_end(key)
        return cached[1]
    built = TimeField(net, destinations, a)
    _FIELDS[key] = (net, built)
    while len(_FIELDS) > _FIELDS_SIZE:
        _FIELDS.popitem(last=False)
    return built
