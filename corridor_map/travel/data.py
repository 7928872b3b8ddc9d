"""The travel data read from an atlas: features, planned links, rail services and the network.

Every travel figure rests on the reference network (``layers/ref_roads.geojson``, derived from
OSM through scgraph-data: straight edges between junctions, no road class, name or speed
limit), the curated planned links (``layers/planned_links.geojson``), the reference railways
and the stations of ``travel_targets.json``'s ``rail_services``. All of them are read from the
validated :class:`~corridor_map.atlas.model.Atlas` the caller passes in (one load path); the
graphs built from them are cached on the atlas's data snapshot
(:attr:`~corridor_map.atlas.model.Atlas.snapshot`), an explicit key that changes with any file.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any, TypeVar

import networkx as nx
from shapely.geometry import LineString

from corridor_map.atlas.model import Atlas, Feature
from corridor_map.atlas.validation import refusal_message
from corridor_map.core.vocab import PLANNED_LINKS_FILE, RAILWAYS_FILE, ROADS_FILE
from corridor_map.travel import network as _graph
from corridor_map.travel.assumptions import SpeedAssumptions
from corridor_map.travel.errors import TravelError, UnknownTravelFeatureError

# A station joins the railway's nearest node within this distance (the rail graph's nodes
# are ~100 m precise and sparse between junctions).
_BOARD_RADIUS_KM = 2.0

_ACCESS_STEP_M = 500.0

_T = TypeVar("_T")


class SnapshotCache:
    """A small cache keyed by an atlas's data snapshot and the caller's arguments.

    Building a network costs far more than a route, and Streamlit reruns a lot; the key
    holds the snapshot (every data file's name, size and modification time), so an edited
    file is never served from an old entry. An atlas without a snapshot (built by hand) is
    never cached. Thread-safe: Streamlit serves sessions from several threads.
    """

    def __init__(self, size: int) -> None:
        self._size = size
        self._entries: dict[Hashable, Any] = {}
        self._lock = threading.Lock()

    def get(self, atlas: Atlas, key: Hashable, build: Callable[[], _T]) -> _T:
        """Return the entry for ``(atlas.snapshot, key)``, building it when missing."""
        if not atlas.snapshot:
            return build()
        full = (atlas.snapshot, key)
        with self._lock:
            if full in self._entries:
                return self._entries[full]
        value = build()
        with self._lock:
            while len(self._entries) >= self._size:
                del self._entries[next(iter(self._entries))]
            self._entries[full] = value
        return value


def refused(atlas: Atlas, file: str, what: str) -> TravelError:
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


def feature(atlas: Atlas, feature_id: str) -> Feature:
    """Return one feature of the atlas by id.

    Raises
    ------
    TravelError
        Naming the id when no layer holds it.
    """
    if feature_id not in atlas.features:
        raise UnknownTravelFeatureError(feature_id)
    return atlas.features[feature_id]


def access_points(atlas: Atlas, feature_id: str, mode: str = "anchor") -> list[tuple[float, float]]:
    """Return the WGS84 points a trip may start or end at for a feature.

    Parameters
    ----------
    atlas
        The layers.
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
    geometry = feature(atlas, feature_id).geometry
    if geometry is None or geometry.is_empty:
        return []
    if mode == "anchor" or geometry.geom_type in {"Point", "MultiPoint"}:
        if geometry.geom_type == "MultiPoint":
            return [(p.x, p.y) for p in geometry.geoms]
        return [_graph.anchor_point(geometry)]
    if mode == "boundary":
        return _graph.sample_line(geometry, _ACCESS_STEP_M)
    raise TravelError(f"未知接驳方式 / unknown access mode {mode!r}: use 'anchor' or 'boundary'")


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


_PLANNED = SnapshotCache(8)


def planned_links(atlas: Atlas) -> list[PlannedLink]:
    """Return the planned links listed in ``layers/planned_links.geojson``.

    The file is a FeatureCollection whose ``links`` member lists, per planned road, the
    ``feature`` id of the curated feature that draws it (e.g. ``tailong-expressway`` in
    ``layers/wenling_lakes.geojson``, so the road is drawn in one place only), a
    ``design_speed_kmh`` and its ``speed_basis``. Its ``features`` hold roads that no
    curated layer draws (none so far); such a feature lists itself in ``links``.
    """
    return list(_PLANNED.get(atlas, "planned", lambda: _read_planned(atlas)))


def _read_planned(atlas: Atlas) -> tuple[PlannedLink, ...]:
    # Absent or refused (its problems are on the atlas, which the app lists): no links.
    collection = atlas.collections.get(PLANNED_LINKS_FILE) or {}
    features = atlas.features
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


def rail_services(atlas: Atlas, service: str | None = None) -> list[dict[str, Any]]:
    """Return the stations of ``travel_targets.json``'s ``rail_services`` (with a service).

    Each entry names a station, the trains that serve it (``动车``, ``高铁``) with the public
    page and quote that say so, and its ``feature`` in the layers, or None when the
    reference data holds no identifiable point for it.
    """
    # absent or refused (listed on the atlas): no stations
    data = atlas.travel_targets or {}
    block = data.get("rail_services")
    stations = block.get("stations") if isinstance(block, dict) else None
    if not isinstance(stations, list):
        return []
    return [
        s
        for s in stations
        if isinstance(s, dict) and (service is None or service in (s.get("services") or []))
    ]


@dataclass(frozen=True)
class Network:
    """The road graph with its nearest-node index and its numbered form for csgraph."""

    graph: nx.Graph
    # the network's nodes, and the planned links' ends: an access leg may join the nearest
    # of each, so that adding a planned link never takes an option away
    index: _graph.NodeIndex
    ends: _graph.NodeIndex
    arrays: _graph.Arrays
    # the planned links' design speeds by id (a scenario's planned_kmh overrides them)
    link_speeds: tuple[tuple[str, float], ...] = ()
    # rail stations with no railway node within _BOARD_RADIUS_KM (not joined to a line)
    unjoined: tuple[str, ...] = ()
    # what the network was built from, (data snapshot, planned, rail); None when uncached
    key: tuple[Any, ...] | None = None


_NETWORKS = SnapshotCache(8)


def network(atlas: Atlas, planned: bool = True, rail: bool = False) -> Network:
    """Return the routing network of the atlas (cached on its data snapshot).

    Parameters
    ----------
    atlas
        The layers.
    planned
        Add the curated planned links (``layers/planned_links.geojson``) to the network.
    rail
        Add the railways and stations (road + rail mode, see :class:`SpeedAssumptions`).

    Raises
    ------
    TravelError
        When the road network is missing or refused.
    """
    return _NETWORKS.get(atlas, (planned, rail), lambda: _build_network(atlas, planned, rail))


def road_graph(atlas: Atlas, planned: bool = True, rail: bool = False) -> nx.Graph:
    """Return the cached road graph, with or without the planned links.

    Returns
    -------
    networkx.Graph
        Shared, cached: do not modify it. Nodes carry ``lon``, ``lat``, ``x``, ``y`` (UTM
        51N); edges carry ``length_km``, ``kind`` and ``link``. See :func:`network`.
    """
    return network(atlas, planned, rail).graph


def _build_network(atlas: Atlas, planned: bool, rail: bool) -> Network:
    folder = atlas.layers_dir
    edges = _edges(atlas, ROADS_FILE)
    if not edges and ROADS_FILE in atlas.refused:
        raise refused(atlas, ROADS_FILE, "道路网络未载入 / road network refused")
    if not edges:
        raise TravelError(
            f"缺少道路网络 / road network missing: {folder / ROADS_FILE} "
            "(built by scripts/build_layers.py)"
        )
    graph = _graph.network_from(edges, ROADS_FILE, source=str(folder / ROADS_FILE))
    links = planned_links(atlas)
    if planned:
        defaults = SpeedAssumptions()
        for link in links:
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
        unjoined = _add_transit(atlas, graph)
    return Network(
        graph,
        _graph.NodeIndex.build(graph, network_only=True),
        _graph.NodeIndex.build(graph, ends_only=True),
        _graph.Arrays.build(graph),
        tuple((link.id, link.design_speed_kmh) for link in links),
        tuple(unjoined),
        (atlas.snapshot, planned, rail) if atlas.snapshot else None,
    )


def _add_transit(atlas: Atlas, graph: nx.Graph) -> list[str]:
    """Add the railways, the D/G stations of ``rail_services`` and the S1 line to ``graph``."""
    defaults = SpeedAssumptions()
    # absent or refused (listed on the atlas): road + rail mode has no railways then
    edges = _edges(atlas, RAILWAYS_FILE)
    source = str(atlas.layers_dir / RAILWAYS_FILE)
    rail = _graph.network_from(edges, RAILWAYS_FILE, "rail", source) if edges else None
    features = atlas.features
    stations: dict[str, _graph.Station] = {}
    for entry in rail_services(atlas, "动车"):
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
