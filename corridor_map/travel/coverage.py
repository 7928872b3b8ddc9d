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
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import shapely
from scipy.spatial import cKDTree
from shapely.geometry.base import BaseGeometry

from corridor_map.atlas.model import Atlas
from corridor_map.geo.geodesy import TO_METRIC, distances_km
from corridor_map.travel.assumptions import SpeedAssumptions
from corridor_map.travel.data import Network, access_points, feature, network
from corridor_map.travel.routing import _grow

__all__ = [
    "COVERAGE_COLUMNS",
    "GRID_M",
    "Destination",
    "PlaceReading",
    "TargetCoverage",
    "TimeField",
    "coverage_geojson",
    "coverage_row",
    "destination",
    "target_coverage",
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


def destination(atlas: Atlas, feature_id: str, mode: str = "anchor") -> Destination:
    """Return a feature of the atlas as a :class:`Destination` (``mode`` as in routing)."""
    points = tuple(access_points(atlas, feature_id, mode))
    geometry = feature(atlas, feature_id).geometry
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
        net: Network,
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
        # each destination's points in metres: the direct leg looks at the nearest few only
        self._ends = [
            (
                cKDTree(np.column_stack(TO_METRIC.transform(*np.asarray(d.points).T))),
                np.asarray(d.points),
            )
            if d.points
            else None
            for d in self.destinations
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
        xy = np.column_stack(TO_METRIC.transform(pts[:, 0], pts[:, 1]))
        for k, d in enumerate(self.destinations):
            entry = self._ends[k]
            if entry is None:
                continue
            tree, ends = entry
            # the geodesic nearest is among the few nearest in UTM metres (scale < 0.1 %)
            count = min(_DIRECT_CANDIDATES, len(ends))
            planar, idx = tree.query(xy, k=count, distance_upper_bound=a.max_access_km * 1010.0)
            planar = np.asarray(planar).reshape(len(pts), count)
            idx = np.asarray(idx).reshape(len(pts), count)
            near = np.isfinite(planar)
            rows = np.repeat(np.arange(len(pts)), count).reshape(len(pts), count)[near]
            cand = ends[idx[near]]
            straight = np.full((len(pts), count), math.inf)
            straight[near] = distances_km(pts[rows], cand[:, 0], cand[:, 1])
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


_DIRECT_CANDIDATES = 4
_FIELDS: OrderedDict[tuple[Any, ...], tuple[Network, TimeField]] = OrderedDict()
_FIELDS_SIZE = 16


def time_field(
    atlas: Atlas,
    destinations: Sequence[Destination],
    assumptions: SpeedAssumptions | None = None,
    planned_links: bool = True,
) -> TimeField:
    """Return the :class:`TimeField` of these destinations under one scenario (cached).

    The field is kept while the network (the layers' snapshot) and the assumptions stay
    the same, so a page of many parcels, or a rerun, grows no tree twice.
    """
    a = assumptions or SpeedAssumptions()
    net = network(atlas, planned_links, a.rail)
    if net.key is None:  # an atlas built by hand: nothing to key a cache on
        return TimeField(net, destinations, a)
    key = (
        net.key,
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


# ------------------------------------------------------------------------------ coverage

#: Spacing of the grid of points the corridor's area is read on, in UTM 51N metres.
GRID_M = 500.0


@dataclass(frozen=True)
class PlaceReading:
    """One place of a target (a key block, a seat, a ring point) and its reading."""

    id: str
    lon: float
    lat: float
    minutes: float | None
    meets: bool | None  # None: no trip (unreachable)

    def to_dict(self) -> dict[str, Any]:
        """Return the reading as a JSON-ready dict."""
        return asdict(self)


@dataclass(frozen=True)
class TargetCoverage:
    """How much of a target's scope meets it, beside its worst case.

    ``places`` are the target's own places, read as the target reads them (``place_kind``
    says which); ``cells`` are points every ``grid_m`` metres over the corridor's extent,
    each read as one more place of the target. ``area_share`` is the share of those points
    meeting the threshold (equal cells in UTM 51N), ``area_km2`` the extent's geodesic area.
    ``worst_minutes`` is the largest place reading: the target's own worst case.
    """

    id: str
    name_zh: str
    name_en: str
    corridor: str | None
    method: str
    threshold_min: float
    place_kind: str
    reading_zh: str
    reading_en: str
    places: tuple[PlaceReading, ...]
    cells: tuple[PlaceReading, ...]
    grid_m: float
    area_km2: float | None
    worst_minutes: float | None
    notes: tuple[str, ...] = ()

    @property
    def places_met(self) -> int:
        """How many places meet the threshold."""
        return sum(1 for p in self.places if p.meets)

    @property
    def place_share(self) -> float | None:
        """Share of the places meeting the threshold (None without places)."""
        return self.places_met / len(self.places) if self.places else None

    @property
    def area_share(self) -> float | None:
        """Share of the corridor's grid points meeting the threshold (None without grid)."""
        if not self.cells:
            return None
        return sum(1 for c in self.cells if c.meets) / len(self.cells)

    def to_dict(self) -> dict[str, Any]:
        """Return the coverage as a JSON-ready dict (the shares included)."""
        data = asdict(self)
        data.update(
            places_met=self.places_met,
            places_total=len(self.places),
            place_share=self.place_share,
            area_share=self.area_share,
        )
        return data


#: Columns of :func:`coverage_row`, for the targets CSV.
COVERAGE_COLUMNS = (
    "coverage_places_met",
    "coverage_places_total",
    "coverage_place_share",
    "coverage_place_kind",
    "coverage_area_share",
    "coverage_area_km2_met",
    "coverage_grid_m",
    "coverage_reading_en",
)


def coverage_row(coverage: TargetCoverage | None) -> dict[str, Any]:
    """The coverage columns of one target's CSV row (empty for a target not read)."""
    if coverage is None:
        return dict.fromkeys(COVERAGE_COLUMNS)
    share = coverage.area_share
    area = coverage.area_km2
    return {
        "coverage_places_met": coverage.places_met,
        "coverage_places_total": len(coverage.places),
        "coverage_place_share": None
        if coverage.place_share is None
        else round(coverage.place_share, 4),
        "coverage_place_kind": coverage.place_kind,
        "coverage_area_share": None if share is None else round(share, 4),
        "coverage_area_km2_met": None if share is None or area is None else round(share * area, 2),
        "coverage_grid_m": coverage.grid_m,
        "coverage_reading_en": coverage.reading_en,
    }


def coverage_geojson(coverage: TargetCoverage) -> dict[str, Any]:
    """Places and grid points as a GeoJSON FeatureCollection (``meets`` on each), for maps."""
    features = [
        {
            "type": "Feature",
            "properties": {"kind": kind, **p.to_dict()},
            "geometry": {"type": "Point", "coordinates": [round(p.lon, 6), round(p.lat, 6)]},
        }
        for kind, group in (("place", coverage.places), ("cell", coverage.cells))
        for p in group
    ]
    return {"type": "FeatureCollection", "features": features}


@dataclass(frozen=True)
class _Reading:
    """What a target is read on: its places (each a set of points) and the groups to reach."""

    kind: str
    places: list[tuple[str, list[tuple[float, float]]]]
    groups: list[Destination]
    self_excluded: bool  # a place is also a group (all pairs, ring): skip its own column
    zh: str
    en: str


def _reading(atlas: Atlas, target: dict[str, Any]) -> _Reading | None:
    from corridor_map.travel.network import sample_line
    from corridor_map.travel.targets import target_features

    method = target["method"]
    origins = target_features(atlas, target.get("origins"))
    dests = target_features(atlas, target.get("destinations"))
    o_mode = target.get("origin_access", "anchor")
    d_mode = target.get("destination_access", "anchor")
    located = [o for o in origins if feature(atlas, o).geometry is not None]
    if method == "nearest_destination" and origins and dests:
        group = [destination(atlas, d, d_mode) for d in dests]
        points = tuple(p for g in group for p in g.points)
        area = group[0].area if len(group) == 1 else None
        merged = Destination("+".join(dests), points, area)
        places = [(o, access_points(atlas, o, o_mode)) for o in located]
        return _Reading(
            "origin",
            places,
            [merged],
            False,
            "起点到最近终点的时间",
            "time from the origin to its nearest destination",
        )
    if method == "pair" and origins and dests:
        if len(origins) == 1 and len(dests) > 1:
            places = [(d, access_points(atlas, d, d_mode)) for d in dests]
            groups = [destination(atlas, o, o_mode) for o in located]
            return _Reading(
                "destination",
                places,
                groups,
                False,
                "从起点到该地的时间",
                "time from the origin to this place",
            )
        places = [(o, access_points(atlas, o, o_mode)) for o in located]
        groups = [destination(atlas, d, d_mode) for d in dests]
        return _Reading(
            "origin", places, groups, False, "到最远终点的时间", "time to the farthest destination"
        )
    if method == "all_pairs" and located:
        places = [(o, access_points(atlas, o)) for o in located]
        groups = [destination(atlas, o) for o in located]
        return _Reading(
            "origin",
            places,
            groups,
            True,
            "到最远的其他起点的时间",
            "time to the farthest other origin",
        )
    if method == "ring_span" and dests:
        from corridor_map.travel.targets import _outer_ring

        geometry = feature(atlas, dests[0]).geometry
        if geometry is None:
            return None
        step = float(target.get("ring_step_m", 2000.0))
        ring = sample_line(_outer_ring(geometry), step)
        places = [(f"{dests[0]}@{i}", [p]) for i, p in enumerate(ring)]
        groups = [Destination(f"{dests[0]}@{i}", (p,)) for i, p in enumerate(ring)]
        return _Reading(
            "ring_point",
            places,
            groups,
            True,
            "到环上最远一点的时间",
            "time to the farthest point of the ring",
        )
    return None


def _grid(
    atlas: Atlas, corridor: str | None, grid_m: float
) -> tuple[list[tuple[float, float]], float | None]:
    """Points every ``grid_m`` metres inside the corridor's extent, and its geodesic area."""
    from corridor_map.geo.geodesy import TO_WGS84, geodesic_area_km2, to_metric

    extents = [
        f for f in atlas if f.corridor == corridor and f.role == "extent" and f.geometry is not None
    ]
    if not extents:
        return [], None
    geometry = shapely.union_all([f.geometry for f in extents])
    metric = to_metric(geometry)
    x0, y0, x1, y1 = metric.bounds
    xs, ys = np.meshgrid(
        np.arange(x0 + grid_m / 2, x1, grid_m), np.arange(y0 + grid_m / 2, y1, grid_m)
    )
    inside = shapely.contains_xy(metric, xs.ravel(), ys.ravel())
    lon, lat = TO_WGS84.transform(xs.ravel()[inside], ys.ravel()[inside])
    return list(zip(lon.tolist(), lat.tolist(), strict=True)), geodesic_area_km2(geometry)


def _readings(
    ids: Sequence[str],
    point_sets: Sequence[Sequence[tuple[float, float]]],
    field_: TimeField,
    threshold: float,
    self_excluded: bool,
) -> list[PlaceReading]:
    """Each place's reading: the largest, over the groups, of its fastest point's time."""
    flat = [p for points in point_sets for p in points]
    owner = np.repeat(np.arange(len(point_sets)), [len(p) for p in point_sets])
    per_point = field_.minutes(flat) if flat else np.empty((0, len(field_.destinations)))
    per_place = np.full((len(point_sets), len(field_.destinations)), math.inf)
    if len(owner):
        np.minimum.at(per_place, owner, per_point)
    if self_excluded:
        np.fill_diagonal(per_place, -math.inf)
    values = per_place.max(axis=1) if per_place.shape[1] else np.full(len(point_sets), math.inf)
    found = []
    for fid, points, value in zip(ids, point_sets, values, strict=True):
        ok = bool(math.isfinite(value))
        lon, lat = points[0] if points else (math.nan, math.nan)
        found.append(
            PlaceReading(
                fid,
                float(lon),
                float(lat),
                float(value) if ok else None,
                bool(value <= threshold) if ok else False,
            )
        )
    return found


def target_coverage(
    atlas: Atlas,
    assumptions: SpeedAssumptions | None = None,
    planned_links: bool = True,
    target_ids: Sequence[str] | None = None,
    grid_m: float = GRID_M,
) -> list[TargetCoverage]:
    """Read every travel target (or those of ``target_ids``) beside its worst case.

    Each target's places are read as :func:`~corridor_map.travel.targets.evaluate_targets`
    reads them (the same access modes, the same router), so the largest place reading is
    the target's worst case; the corridor's area is read on a grid of ``grid_m`` metres,
    every point as one more place. Targets no document end can be read on
    (``not_evaluable``, a selector that matches nothing) come back with no places and a
    note.
    """
    from corridor_map.travel.targets import load_targets

    a = assumptions or SpeedAssumptions()
    wanted = set(target_ids) if target_ids is not None else None
    grids: dict[tuple[str | None, float], tuple[list[tuple[float, float]], float | None]] = {}
    found = []
    for target in load_targets(atlas):
        if wanted is not None and target["id"] not in wanted:
            continue
        threshold = float(target["threshold_min"])
        reading = _reading(atlas, target)
        base = {
            "id": target["id"],
            "name_zh": target["name_zh"],
            "name_en": target["name_en"],
            "corridor": target.get("corridor"),
            "method": target["method"],
            "threshold_min": threshold,
            "grid_m": grid_m,
        }
        if reading is None:
            found.append(
                TargetCoverage(
                    **base,
                    place_kind="",
                    reading_zh="",
                    reading_en="",
                    places=(),
                    cells=(),
                    area_km2=None,
                    worst_minutes=None,
                    notes=("无可读取的起讫点，不计覆盖 / no places to read: no coverage",),
                )
            )
            continue
        groups = [g for g in reading.groups if g.points]
        field_ = time_field(atlas, groups, a, planned_links)
        ids = [pid for pid, _ in reading.places]
        # a place is its own group (all pairs, ring) only when every group is located
        own = reading.self_excluded and len(groups) == len(reading.places)
        places = _readings(ids, [p for _, p in reading.places], field_, threshold, own)
        key = (target.get("corridor"), grid_m)
        if key not in grids:
            grids[key] = _grid(atlas, target.get("corridor"), grid_m)
        cells_at, area = grids[key]
        cell_ids = [f"cell-{i}" for i in range(len(cells_at))]
        cells = _readings(cell_ids, [[c] for c in cells_at], field_, threshold, False)
        timed = [p.minutes for p in places if p.minutes is not None]
        found.append(
            TargetCoverage(
                **base,
                place_kind=reading.kind,
                reading_zh=reading.zh,
                reading_en=reading.en,
                places=tuple(places),
                cells=tuple(cells),
                area_km2=area,
                worst_minutes=max(timed) if timed else None,
            )
        )
    return found
