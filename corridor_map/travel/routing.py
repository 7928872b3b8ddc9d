"""Travel times on the reference road network: assumptions, data, graph and routing core.

Every figure here rests on stated assumptions, never on a document: the reference network
(``layers/ref_roads.geojson``, derived from OSM through scgraph-data) has straight edges
between junctions and no road class, name or speed limit. :class:`SpeedAssumptions` holds
every speed and factor a result depends on, and every result carries them back.

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
that the app and the CLI only present them:

* :func:`route` → :class:`RouteResult` (minutes, km, legs, GeoJSON path, assumptions);
  :func:`routes` for many pairs at once;
* :func:`rail_services`, :func:`planned_links`, :func:`access_points`, :func:`road_graph`;
  :data:`LIMITS` and :func:`check_limit` bound every numeric input.

Built on this core: isochrones (:func:`~corridor_map.travel.isochrone.isochrone`,
:func:`~corridor_map.travel.isochrone.isochrone_at`) in :mod:`corridor_map.travel.isochrone`;
the documents' travel targets (:func:`~corridor_map.travel.targets.evaluate_targets`,
:func:`~corridor_map.travel.targets.sensitivity`, :func:`~corridor_map.travel.targets.load_targets`)
in :mod:`corridor_map.travel.targets`. Scenarios side by side, reachable places and the app's
tables live in :mod:`corridor_map.travel.compare`, :mod:`corridor_map.travel.reach` and
:mod:`corridor_map.views.travel`. This module imports none of them.

An unlocated or unreachable place gives ``reachable=False`` and a ``reason``; only an
unknown id, an invalid assumption or a broken data file raises :class:`TravelError` (or
another :class:`~corridor_map.core.errors.CorridorMapError`).
"""

from __future__ import annotations

import functools
import itertools
import math
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, TypeVar

import networkx as nx
import numpy as np
from shapely.geometry import LineString

from corridor_map.atlas.model import Atlas, Feature, load_atlas
from corridor_map.atlas.validation import refusal_message
from corridor_map.core.errors import CorridorMapError, UnknownFeatureError
from corridor_map.core.numbers import finite_number
from corridor_map.core.paths import data_snapshot, layers_dir
from corridor_map.core.vocab import PLANNED_LINKS_FILE, RAILWAYS_FILE, ROADS_FILE
from corridor_map.travel import network as _graph

# A station joins the railway's nearest node within this distance (the rail graph's nodes
# are ~100 m precise and sparse between junctions).
_BOARD_RADIUS_KM = 2.0

_ACCESS_STEP_M = 500.0

_F = TypeVar("_F", bound=Callable[..., Any])

ROAD_ATTRIBUTION = "© OpenStreetMap contributors (ODbL 1.0), via scgraph-data 2.0.0"


class TravelError(CorridorMapError):
    """A travel query cannot be answered: unknown feature, bad assumption or data file."""


class UnknownTravelFeatureError(UnknownFeatureError, TravelError):
    """A travel query names a feature id no layer holds."""


@dataclass(frozen=True)
class Limit:
    """The plausible range of one numeric input (CLI arguments, app sliders, API)."""

    low: float
    high: float
    unit: str
    name_zh: str
    low_open: bool = False
    # a sensitivity sweep may ask "would even this speed do?" up to here
    sweep_high: float | None = None

    def describe(self, sweep: bool = False) -> str:
        """Return the range as text, e.g. ``5–120 km/h`` (the sweep's range when asked)."""
        high = self.sweep_high if sweep and self.sweep_high is not None else self.high
        if self.low_open:
            return f"> {self.low:g} and ≤ {high:g} {self.unit}".rstrip()
        return f"{self.low:g}–{high:g} {self.unit}".rstrip()


# Outside these ranges a figure is a typo, not an assumption: walking is 5 km/h, no road in
# the region is designed above 120 km/h, and a trip or isochrone beyond 3 hours is no
# longer about a corridor's "半小时" targets.
LIMITS: dict[str, Limit] = {
    "network_kmh": Limit(5, 120, "km/h", "路网平均车速", sweep_high=400),
    "access_kmh": Limit(2, 60, "km/h", "接驳段车速", sweep_high=100),
    "planned_kmh": Limit(5, 120, "km/h", "规划道路设计车速", sweep_high=400),
    "access_detour": Limit(1, 3, "×", "接驳绕行系数"),
    "network_detour": Limit(1, 3, "×", "路网绕行系数"),
    "max_access_km": Limit(0.1, 50, "km", "最远接驳距离"),
    "access_candidates": Limit(1, 20, "", "接驳候选节点数"),
    "minutes": Limit(0, 180, "min", "时间", low_open=True),
    "rail_kmh": Limit(30, 350, "km/h", "铁路平均速度", sweep_high=400),
    "s1_kmh": Limit(20, 160, "km/h", "S1 线平均速度", sweep_high=400),
    "station_min": Limit(0, 60, "min", "车站停留时间"),
}


def check_limit(name: str, value: Any, label: str | None = None, sweep: bool = False) -> float:
    """Return ``value`` as a float when it lies in ``LIMITS[name]``, else raise.

    ``sweep`` allows values up to the limit's ``sweep_high`` (a sensitivity sweep's
    "what if even this speed").

    Raises
    ------
    TravelError
        Naming the argument and its range, e.g. ``network_kmh=1e-300: must be 5–120 km/h``.
    """
    limit = LIMITS[name]
    label = label or name
    high = limit.sweep_high if sweep and limit.sweep_high is not None else limit.high
    number = value if finite_number(value) else None
    ok = number is not None
    if number is not None:
        ok = (number > limit.low if limit.low_open else number >= limit.low) and number <= high
    if not ok:
        raise TravelError(
            f"{limit.name_zh}超出范围 / {label}={value!r} out of range: must be "
            f"{limit.describe(sweep)}{' (sensitivity sweep)' if sweep else ''}"
        )
    assert number is not None
    return float(number)


@dataclass(frozen=True)
class SpeedAssumptions:
    """Every speed and factor a travel time depends on. None of them comes from a document.

    Attributes
    ----------
    network_kmh
        Average speed on the reference network's edges. The edges carry no road class, so
        one figure stands for all: 40 km/h, an assumed average for major roads in town
        including junction delays.
    access_kmh
        Speed of the access and egress legs between a place and the network (local streets).
    access_detour
        Factor applied to the straight-line geodesic distance of access legs and of the
        connectors that join a planned link to the network (streets are not straight).
    planned_kmh
        Speed per planned-link id, overriding the link's ``design_speed_kmh`` from
        ``layers/planned_links.geojson`` (80 km/h for 太龙快速路, an assumption).
    access_candidates
        How many nearest network nodes an access leg may join (the nearest one alone may be
        a dead end pointing the wrong way).
    network_detour
        Factor on the network edges' ``length_km``. Those lengths are straight chords
        between junctions (median 1.002 × the geodesic distance of the edge's ends), so
        bends between junctions are ignored at 1.0; raise it to allow for them.
    max_access_km
        Nodes farther than this straight-line distance are not reachable by an access leg:
        a place with no node this close counts as off the network.
    rail
        The mode: False for road only, True for road + rail (the reference railways at
        ``rail_kmh`` between the stations of ``rail_services`` that a D/G train serves, the
        Taizhou S1 line at ``s1_kmh``; stations reached by road).
    rail_kmh
        Average speed of a train between boarding and alighting (150 km/h, an assumption:
        the D/G services of the 杭深线 stop at intermediate stations; no timetable is used).
    s1_kmh
        Average speed on the Taizhou S1 line between its stations (60 km/h, an assumption
        including stops); the line is drawn straight between consecutive stations.
    station_min
        Minutes spent at the stations per ride, half when boarding (walk to the platform,
        wait) and half when alighting (10 min, an assumption; no timetable or frequency).
    """

    network_kmh: float = 40.0
    access_kmh: float = 25.0
    access_detour: float = 1.3
    planned_kmh: Mapping[str, float] = field(default_factory=dict)
    access_candidates: int = 3
    max_access_km: float = 10.0
    network_detour: float = 1.0
    rail: bool = False
    rail_kmh: float = 150.0
    s1_kmh: float = 60.0
    station_min: float = 10.0
    # set by :func:`sensitivity` only: speeds may reach the limits' ``sweep_high``
    sweep: bool = field(default=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        """Refuse speeds and factors outside :data:`LIMITS` (times would mean nothing)."""
        checks: dict[str, tuple[str, Any]] = {
            name: (name, getattr(self, name))
            for name in (
                "network_kmh",
                "access_kmh",
                "access_detour",
                "network_detour",
                "max_access_km",
                "access_candidates",
                "rail_kmh",
                "s1_kmh",
                "station_min",
            )
        }
        for link, value in self.planned_kmh.items():
            checks[f"planned_kmh[{link}]"] = ("planned_kmh", value)
        for label, (name, value) in checks.items():
            check_limit(name, value, label, sweep=self.sweep)

    def to_dict(self) -> dict[str, Any]:
        """Return the assumptions as a JSON-ready dict."""
        data = asdict(self)
        data["planned_kmh"] = dict(self.planned_kmh)
        del data["sweep"]
        return data

    def describe(self) -> list[str]:
        """Return the assumptions as bilingual sentences for display."""
        return [
            f"路网平均车速 {self.network_kmh:g} km/h（假设，路网无道路等级）；路段长度为路口间直线"
            f" × {self.network_detour:g} / network average speed {self.network_kmh:g} km/h "
            f"(assumed; no road class); edge lengths are straight chords between junctions "
            f"× {self.network_detour:g}",
            f"接驳段：直线距离 × {self.access_detour:g}，{self.access_kmh:g} km/h（假设）/ "
            f"access legs: straight line × {self.access_detour:g} at {self.access_kmh:g} km/h "
            "(assumed)",
            "规划道路按设计车速（假设，文件未给出车速）/ planned links at an assumed design speed "
            "(no document states a speed)",
            *self._describe_rail(),
        ]

    def _describe_rail(self) -> list[str]:
        if not self.rail:
            return ["方式：仅道路 / mode: road only"]
        return [
            "方式：道路 + 铁路（动车站之间按参考铁路线、S1 线按站间直线）/ mode: road + rail "
            "(between D/G-served stations on the reference railways; the S1 line straight "
            "between its stations)",
            f"铁路平均速度 {self.rail_kmh:g} km/h，S1 线 {self.s1_kmh:g} km/h，每程车站停留 "
            f"{self.station_min:g} 分钟（上下车各半）（均为假设，无时刻表）/ rail "
            f"{self.rail_kmh:g} km/h, S1 {self.s1_kmh:g} km/h, {self.station_min:g} min at the "
            "stations per ride, half on each end (all assumed; no timetable)",
        ]


# ---------------------------------------------------------------------------- data loading


_LOCAL = threading.local()


def _pinned(fn: _F) -> _F:
    """Read the layers' state once per public call, however many queries it makes.

    Checking every file's modification time costs more than a route; a call such as
    :func:`evaluate_targets` runs hundreds of queries against one unchanged snapshot.
    Thread-local, since Streamlit serves sessions from several threads.
    """

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if getattr(_LOCAL, "signature", None) is not None:
            return fn(*args, **kwargs)
        _LOCAL.signature = _signature_now(layers_dir())
        _LOCAL.atlas = load_atlas()
        _LOCAL.features = _LOCAL.atlas.features
        try:
            return fn(*args, **kwargs)
        finally:
            _LOCAL.signature = _LOCAL.features = _LOCAL.atlas = None

    return wrapper  # type: ignore[return-value]  # wraps() keeps fn's signature; mypy cannot see it


def _atlas() -> Atlas:
    """The validated atlas: travel reads every data file through it (one load path)."""
    pinned = getattr(_LOCAL, "atlas", None)
    return pinned if pinned is not None else load_atlas()


def _features() -> dict[str, Feature]:
    pinned = getattr(_LOCAL, "features", None)
    return pinned if pinned is not None else load_atlas().features


def _refused(atlas: Atlas, file: str, what: str) -> TravelError:
    """The error for a data file the atlas refused, with its problems."""
    problems = [p for p in atlas.problems if p.file == file]
    return TravelError(f"{what}: {refusal_message(problems, [file])}")


def _edges(atlas: Atlas, file: str) -> list[dict[str, Any]]:
    """The validated edges of a reference graph layer, as GeoJSON-like features."""
    return [
        {
            "type": "Feature",
            "properties": f.properties,
            "geometry": {"type": f.geometry.geom_type, "coordinates": list(f.geometry.coords)},
        }
        for f in atlas.features.values()
        if f.file == file and f.geometry is not None and f.geometry.geom_type == "LineString"
    ]


def feature(feature_id: str) -> Feature:
    """Return one feature of the layers (:mod:`corridor_map.atlas.model`) by id.

    Raises
    ------
    TravelError
        Naming the id when no layer holds it.
    """
    features = _features()
    if feature_id not in features:
        raise UnknownTravelFeatureError(feature_id)
    return features[feature_id]


@dataclass(frozen=True)
class PlannedLink:
    """A planned road the reference network lacks, added to the graph on request.

    Attributes
    ----------
    id
        The link's id: the id of the curated feature that draws it.
    design_speed_kmh
        Speed used on the link; ``speed_basis`` says whether a document states it or it
        is an assumption.
    geometry
        WGS84 LineString, or None when the feature is missing or unlocated (then
        ``reason_unavailable`` says why and the link is not added).
    """

    id: str
    name_zh: str
    name_en: str
    design_speed_kmh: float
    speed_basis: str
    note: str
    geometry: LineString | None
    reason_unavailable: str | None


@_pinned
def planned_links() -> list[PlannedLink]:
    """Return the planned links listed in ``layers/planned_links.geojson``.

    The file is a FeatureCollection whose ``links`` member lists, per planned road, the
    ``feature`` id of the curated feature that draws it (e.g. ``tailong-expressway`` in
    ``layers/wenling_lakes.geojson``, so the road is drawn in one place only), a
    ``design_speed_kmh`` and its ``speed_basis``. Its ``features`` hold roads that no
    curated layer draws (none so far); such a feature lists itself in ``links``.
    """
    folder = layers_dir()
    return list(_planned_cached(_signature(folder)))


def _signature(folder: Path) -> tuple:
    """Names and modification times of the files results depend on (the cache key)."""
    pinned = getattr(_LOCAL, "signature", None)
    if pinned is not None and pinned[0] == str(folder):
        return pinned
    return _signature_now(folder)


def _signature_now(folder: Path) -> tuple[Any, ...]:
    # The one data snapshot (corridor_map.core.paths); its first member is the folder.
    return data_snapshot(folder)


@lru_cache(maxsize=8)
def _planned_cached(key: tuple) -> tuple[PlannedLink, ...]:
    del key  # only the cache key: the links are the validated atlas's
    # Absent or refused (its problems are on the atlas, which the app lists): no links.
    collection = _atlas().collections.get(PLANNED_LINKS_FILE) or {}
    features = _features()
    links = []
    # the layer schema's $defs/planned_link: {feature: str, design_speed_kmh: finite > 0}
    for entry in collection.get("links") or []:
        link_id = str(entry["feature"])
        speed = float(entry["design_speed_kmh"])
        found = features.get(link_id)
        geometry, reason = None, None
        if found is None:
            reason = f"要素 {link_id} 不存在 / feature {link_id} not in the layers"
        elif found.geometry is None:
            reason = f"要素 {link_id} 未定位 / feature {link_id} is unlocated"
        else:
            geometry = found.geometry
            if geometry.geom_type == "MultiLineString":
                geometry = max(geometry.geoms, key=lambda g: g.length)
            if geometry.geom_type != "LineString":
                reason = f"{link_id}: 几何不是线 / geometry is not a line ({geometry.geom_type})"
                geometry = None
        links.append(
            PlannedLink(
                id=link_id,
                name_zh=found.name_zh if found else link_id,
                name_en=found.name_en if found else link_id,
                design_speed_kmh=speed,
                speed_basis=str(entry.get("speed_basis", "assumption")),
                note=str(entry.get("note", "")),
                geometry=geometry,
                reason_unavailable=reason,
            )
        )
    return tuple(links)


# Functions below take a ``planned_links`` flag, which shadows the function's name there.
_planned_link_list = planned_links


def rail_services(service: str | None = None) -> list[dict[str, Any]]:
    """Return the stations of ``travel_targets.json``'s ``rail_services`` (with a service).

    Each entry names a station, the trains that serve it (``动车``, ``高铁``) with the public
    page and quote that say so, and its ``feature`` in the layers, or None when the
    reference data holds no identifiable point for it.
    """
    # absent or refused (listed on the atlas): no stations
    data = _atlas().travel_targets or {}
    block = data.get("rail_services")
    stations = block.get("stations") if isinstance(block, dict) else None
    if not isinstance(stations, list):
        return []
    return [
        s
        for s in stations
        if isinstance(s, dict) and (service is None or service in (s.get("services") or []))
    ]


@_pinned
def road_graph(planned: bool = True, rail: bool = False) -> nx.Graph:
    """Return the cached road graph, with or without the planned links.

    Parameters
    ----------
    planned
        Add the curated planned links (``layers/planned_links.geojson``) to the network.
    rail
        Add the railways and stations (road + rail mode, see :class:`SpeedAssumptions`).

    Returns
    -------
    networkx.Graph
        Shared, cached: do not modify it. Nodes carry ``lon``, ``lat``, ``x``, ``y`` (UTM
        51N); edges carry ``length_km``, ``kind`` and ``link``.
    """
    return _network(planned, rail).graph


@dataclass(frozen=True)
class _Network:
    """The road graph with its nearest-node index and its numbered form for csgraph."""

    graph: nx.Graph
    # the network's nodes, and the planned links' ends: an access leg may join the nearest
    # of each, so that adding a planned link never takes an option away
    index: _graph.NodeIndex
    ends: _graph.NodeIndex
    arrays: _graph.Arrays
    # rail stations with no railway node within _BOARD_RADIUS_KM (not joined to a line)
    unjoined: tuple[str, ...] = ()


def _network(planned: bool = True, rail: bool = False) -> _Network:
    return _graph_cached(_signature(layers_dir()), planned, rail)


@lru_cache(maxsize=8)
def _graph_cached(key: tuple, planned: bool, rail: bool = False) -> _Network:
    folder = Path(key[0])
    atlas = _atlas()
    edges = _edges(atlas, ROADS_FILE)
    if not edges and ROADS_FILE in atlas.refused:
        raise _refused(atlas, ROADS_FILE, "道路网络未载入 / road network refused")
    if not edges:
        raise TravelError(
            f"缺少道路网络 / road network missing: {folder / ROADS_FILE} "
            "(built by scripts/build_layers.py)"
        )
    graph = _graph.network_from(edges, ROADS_FILE, source=str(folder / ROADS_FILE))
    if planned:
        defaults = SpeedAssumptions()
        for link in planned_links():
            if link.geometry is not None:
                _graph.add_planned_link(
                    graph,
                    link.id,
                    link.geometry,
                    defaults.access_candidates,
                    defaults.access_detour,
                )
    unjoined: list[str] = []
    if rail:
        unjoined = _add_transit(graph, folder)
    return _Network(
        graph,
        _graph.NodeIndex.build(graph, network_only=True),
        _graph.NodeIndex.build(graph, ends_only=True),
        _graph.Arrays.build(graph),
        tuple(unjoined),
    )


def _add_transit(graph: nx.Graph, folder: Path) -> list[str]:
    """Add the railways, the D/G stations of ``rail_services`` and the S1 line to ``graph``."""
    defaults = SpeedAssumptions()
    # absent or refused (listed on the atlas): road + rail mode has no railways then
    edges = _edges(_atlas(), RAILWAYS_FILE)
    source = str(folder / RAILWAYS_FILE)
    rail = _graph.network_from(edges, RAILWAYS_FILE, "rail", source) if edges else None
    features = _features()
    stations: dict[str, _graph.Station] = {}
    for entry in rail_services("动车"):
        fid = entry.get("feature")
        found = features.get(fid) if isinstance(fid, str) and fid else None
        if isinstance(fid, str) and found is not None and found.geometry is not None:
            stations[fid] = _graph.Station(fid, _graph.anchor_point(found.geometry), rail=True)
    for f in features.values():
        order = f.properties.get("order")
        if f.properties.get("line") == "S1" and f.geometry is not None and order is not None:
            point = _graph.anchor_point(f.geometry)
            known = stations.get(f.id)
            stations[f.id] = _graph.Station(
                f.id, point, rail=bool(known and known.rail), s1_order=int(order)
            )
    return _graph.add_transit(
        graph,
        rail,
        list(stations.values()),
        defaults.access_candidates,
        defaults.access_detour,
        _BOARD_RADIUS_KM,
    )


# ---------------------------------------------------------------------------- routing core


@dataclass(frozen=True)
class _Weights:
    """Per-edge km and minutes under one set of assumptions, and the csgraph matrix."""

    km: np.ndarray
    minutes: np.ndarray
    matrix: Any


def _weights(net: _Network, a: SpeedAssumptions) -> _Weights:
    link_speed = {link.id: link.design_speed_kmh for link in planned_links()}
    link_speed.update(a.planned_kmh)
    key = (
        id(net),
        a.network_kmh,
        a.network_detour,
        a.access_kmh,
        a.access_detour,
        a.rail_kmh,
        a.s1_kmh,
        a.station_min,
        tuple(sorted(link_speed.items())),
    )
    cached = _WEIGHTS.get(key)
    if cached is not None and cached[0] is net:
        return cached[1]
    arrays = net.arrays
    network = arrays.kind == "network"
    connector = arrays.kind == "connector"
    km = arrays.length_km.copy()
    km[network] *= a.network_detour
    # the cached graph is built once with the default detour; apply the caller's
    km[connector] = arrays.straight_km[connector] * a.access_detour
    speed = np.where(network, a.network_kmh, a.access_kmh).astype(float)
    for e in np.flatnonzero(arrays.kind == "planned"):
        speed[e] = link_speed[arrays.link[e]]
    speed[arrays.kind == "rail"] = a.rail_kmh
    speed[arrays.kind == "s1"] = a.s1_kmh
    minutes = km * 60.0 / speed
    # getting on and getting off: half the station time each
    minutes[arrays.kind == "board"] = a.station_min / 2.0
    weights = _Weights(km, minutes, arrays.matrix(minutes))
    if len(_WEIGHTS) > 32:
        _WEIGHTS.clear()
    _WEIGHTS[key] = (net, weights)
    return weights


# Edge weights by network and speeds; the network itself is kept in the value so that its
# id cannot be reused by another network while the entry lives.
_WEIGHTS: dict[tuple, tuple[_Network, _Weights]] = {}


@dataclass
class _Leg:
    point: tuple[float, float]
    node: int
    km: float
    minutes: float


def _access_legs(
    net: _Network, points: Sequence[tuple[float, float]], a: SpeedAssumptions
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
    net: _Network,
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
    net: _Network,
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


def _trip(net: _Network, tree: _Tree, end: _Leg, a: SpeedAssumptions) -> _Trip:
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
    attribution: str = ROAD_ATTRIBUTION
    #: why there is no trip, as a code beside the bilingual ``reason``: ``"unlocated"``
    #: (an end has no geometry), ``"unreachable"``, or None for a trip.
    reason_code: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """Return the result as a JSON-ready dict (the bilingual ``reason``, no code)."""
        record = asdict(self)
        del record["reason_code"]
        return record


@_pinned
def access_points(feature_id: str, mode: str = "anchor") -> list[tuple[float, float]]:
    """Return the WGS84 points a trip may start or end at for a feature.

    Parameters
    ----------
    feature_id
        Id of a feature in the layers.
    mode
        ``"anchor"``: one point (a point itself, a polygon's representative point, a line's
        midpoint). ``"boundary"``: points every 500 m along a polygon's boundary or a line
        (a point feature gives itself).

    Returns
    -------
    list of (lon, lat)
        Empty when the feature is unlocated (null geometry).
    """
    geometry = feature(feature_id).geometry
    if geometry is None or geometry.is_empty:
        return []
    if mode == "anchor" or geometry.geom_type in {"Point", "MultiPoint"}:
        if geometry.geom_type == "MultiPoint":
            return [(p.x, p.y) for p in geometry.geoms]
        return [_graph.anchor_point(geometry)]
    if mode == "boundary":
        return _graph.sample_line(geometry, _ACCESS_STEP_M)
    raise TravelError(f"未知接驳方式 / unknown access mode {mode!r}: use 'anchor' or 'boundary'")


@_pinned
def route(
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
    from_id, to_id
        Feature ids (any layer).
    assumptions
        Speeds and factors; :class:`SpeedAssumptions` defaults when None.
    planned_links
        Include the curated planned links (e.g. 太龙快速路) in the network.
    origin_access, destination_access
        ``"anchor"`` or ``"boundary"``, see :func:`access_points`. With ``"boundary"`` on a
        polygon the trip ends at the polygon's nearest reachable edge, and a start point
        already inside the destination polygon takes 0 minutes.

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
    return routes([(from_id, to_id)], a, planned_links, origin_access, destination_access)[0]


@_pinned
def routes(
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
    net = _network(planned_links, a.rail)
    points: dict[tuple[str, str], list[tuple[float, float]]] = {}
    for from_id, to_id in pairs:
        for fid, mode in ((from_id, origin_access), (to_id, destination_access)):
            if (fid, mode) not in points:
                points[(fid, mode)] = access_points(fid, mode)
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
        target = feature(to_id).geometry
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
