"""Private helpers of :mod:`corridor_map.travel.data` and :mod:`.routing`: the road graph.

The graph is an undirected :class:`networkx.Graph` whose nodes carry WGS84 ``lon``/``lat``
and UTM zone 51N ``x``/``y`` (metres), and whose edges carry ``length_km`` and ``kind``
(``"network"`` for the reference road network, ``"planned"`` for a curated planned link,
``"connector"`` for the short legs that join a planned link to the network). Edge weights in
minutes are not stored: they depend on the speed assumptions of each query.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra
from shapely.geometry import LineString, Point
from shapely.geometry.base import BaseGeometry

from corridor_map.core.errors import CorridorMapError
from corridor_map.geo.geodesy import (
    TO_METRIC,
    TO_WGS84,
    distance_km,
    distances_km,
    to_metric,
    to_wgs84,
)
from corridor_map.geo.geojson import read_json


class RoadNetworkError(CorridorMapError):
    """The road network file cannot be read as 2-point LineString edges."""


def geodesic_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Return the geodesic distance in km between two (lon, lat) points."""
    return distance_km(a[0], a[1], b[0], b[1])


#: distances from many points at once (:func:`corridor_map.geo.geodesy.distances_km`).
geodesic_km_many = distances_km


def read_network(path: Path, kind: str = "network") -> nx.Graph:
    """Read a road network of 2-point LineString edges with ``u``, ``v``, ``length_km``.

    Parameters
    ----------
    path
        GeoJSON FeatureCollection in WGS84 (the format of ``layers/ref_roads.geojson``).
    kind
        ``"network"`` for roads; ``"rail"`` for ``layers/ref_railways.geojson``, whose node
        ids become ``("rail", u)`` and whose nodes are sealed (one boards only at stations).

    Returns
    -------
    networkx.Graph
        One node per ``u``/``v`` id, one ``kind="network"`` edge per feature. When the same
        pair appears twice the shorter length is kept.

    Raises
    ------
    RoadNetworkError
        When the file is missing, not JSON, or an edge lacks ``u``, ``v``, ``length_km``
        or a 2-point LineString; the message names the file and the feature index.
    """
    if not Path(path).is_file():
        raise RoadNetworkError(f"道路网络文件不存在 / road network file not found: {path}")
    data, error = read_json(path)
    if error is not None:
        raise RoadNetworkError(f"道路网络文件无法读取 / cannot read road network {path}: {error}")
    features = data.get("features") if isinstance(data, dict) else None
    if not isinstance(features, list):
        raise RoadNetworkError(f"{path}: 不是 FeatureCollection / not a FeatureCollection")
    return network_from(features, path.name, kind, source=str(path))


def network_from(
    features: Iterable[Any], name: str, kind: str = "network", source: str | None = None
) -> nx.Graph:
    """Build a network from GeoJSON-like edge features (see :func:`read_network`).

    ``travel`` passes the features of the validated atlas (the layer schema requires
    ``u``, ``v``, a finite ``length_km`` ≥ 0 and a 2-point LineString of finite positions
    for every reference road and railway); the checks here are a second line of defence.
    ``name`` is the file named in messages.
    """
    graph = nx.Graph(source=source or name)
    extra = {} if kind == "network" else {"mode": kind, "sealed": True}
    for index, feature in enumerate(features):
        u, v, start, end, length_km = _edge(name, index, feature)
        if kind != "network":
            u, v = (kind, u), (kind, v)
        for node, (lon, lat) in ((u, start), (v, end)):
            if node not in graph:
                x, y = TO_METRIC.transform(lon, lat)
                graph.add_node(node, lon=lon, lat=lat, x=x, y=y, **extra)
        if u == v:
            continue
        if graph.has_edge(u, v) and graph.edges[u, v]["length_km"] <= length_km:
            continue
        graph.add_edge(u, v, length_km=length_km, kind=kind, link=None)
    if graph.number_of_edges() == 0:
        raise RoadNetworkError(f"{name}: 没有道路边 / the network has no edges")
    return graph


def _edge(name: str, index: int, feature: Any) -> tuple[Any, Any, tuple, tuple, float]:
    where = f"{name} feature #{index}"
    try:
        props = feature["properties"]
        coords = feature["geometry"]["coordinates"]
        u, v, length_km = props["u"], props["v"], float(props["length_km"])
        if feature["geometry"]["type"] != "LineString" or len(coords) != 2:
            raise ValueError("geometry must be a 2-point LineString")
        if not all(isinstance(n, str | int) and not isinstance(n, bool) for n in (u, v)):
            raise ValueError(f"u and v must be node ids (strings or integers), not {u!r}, {v!r}")
        start = (float(coords[0][0]), float(coords[0][1]))
        end = (float(coords[1][0]), float(coords[1][1]))
    except (KeyError, TypeError, ValueError, IndexError) as exc:
        raise RoadNetworkError(f"{where}: 无效的道路边 / invalid edge ({exc})") from exc
    if not math.isfinite(length_km) or length_km < 0:
        raise RoadNetworkError(f"{where}: length_km 无效 / invalid length_km {length_km!r}")
    if not all(math.isfinite(c) for c in (*start, *end)):
        raise RoadNetworkError(f"{where}: 坐标无效 / coordinates not finite {start!r}, {end!r}")
    return u, v, start, end, length_km


def add_planned_link(
    graph: nx.Graph,
    link_id: str,
    line: LineString,
    connector_candidates: int,
    connector_detour: float,
) -> None:
    """Add a planned link's vertices and edges to ``graph`` in place.

    Only the two ends of the link are joined to the network (each to its
    ``connector_candidates`` nearest network nodes by a straight ``connector`` edge whose
    length is the geodesic distance × ``connector_detour``): a limited-access road such as
    an expressway "全程无红绿灯" has no junctions along the way that we know of.
    """
    network_index = NodeIndex.build(graph, network_only=True)
    order = list(graph.nodes)
    coords = [(round(c[0], 7), round(c[1], 7)) for c in line.coords]
    names = [("planned", link_id, i) for i in range(len(coords))]
    for name, (lon, lat) in zip(names, coords, strict=True):
        x, y = TO_METRIC.transform(lon, lat)
        graph.add_node(name, lon=lon, lat=lat, x=x, y=y, planned=link_id, link_end=False)
    graph.nodes[names[0]]["link_end"] = graph.nodes[names[-1]]["link_end"] = True
    for i in range(len(coords) - 1):
        graph.add_edge(
            names[i],
            names[i + 1],
            length_km=geodesic_km(coords[i], coords[i + 1]),
            kind="planned",
            link=link_id,
        )
    for name, point in ((names[0], coords[0]), (names[-1], coords[-1])):
        _connect(
            graph,
            name,
            point,
            network_index,
            order,
            connector_candidates,
            connector_detour,
            link_id,
        )


def _connect(
    graph: nx.Graph,
    name: Any,
    point: tuple[float, float],
    network_index: NodeIndex,
    order: list[Any],
    candidates: int,
    detour: float,
    link: str | None,
) -> None:
    """Join ``name`` to its nearest network nodes by straight ``connector`` edges.

    ``length_km`` is the geodesic distance × ``detour`` (the default assumption); the router
    recomputes it from ``straight_km`` with the caller's ``access_detour``.
    """
    for position, _ in network_index.nearest(point, candidates):
        node = order[position]
        straight = geodesic_km(point, (graph.nodes[node]["lon"], graph.nodes[node]["lat"]))
        graph.add_edge(
            name,
            node,
            length_km=straight * detour,
            straight_km=straight,
            kind="connector",
            link=link,
        )


@dataclass(frozen=True)
class Station:
    """A station one may board at: its feature id, point, and the lines it serves."""

    id: str
    point: tuple[float, float]
    rail: bool = False
    s1_order: int | None = None


def add_transit(
    graph: nx.Graph,
    rail: nx.Graph | None,
    stations: Sequence[Station],
    connector_candidates: int,
    connector_detour: float,
    board_radius_km: float,
) -> list[str]:
    """Add rail lines and stations to a road ``graph`` in place.

    The rail graph's nodes and ``rail`` edges are copied as they are (sealed: no way on or
    off between stations). Each station becomes a node ``("station", id)`` joined to the
    road network like a planned link's end (``connector`` edges to its nearest network
    nodes) and reachable by access legs, and by a ``board`` edge to the nearest rail node
    within ``board_radius_km`` (``rail=True``) and/or to its S1 track node (``s1_order``;
    consecutive S1 stations are joined by straight ``s1`` edges). A ride thus costs two
    ``board`` edges — getting on and getting off — whose minutes the router sets.

    Returns
    -------
    list of str
        The ids of rail stations with no rail node within ``board_radius_km`` (not joined).
    """
    network_index = NodeIndex.build(graph, network_only=True)
    order = list(graph.nodes)
    if rail is not None:
        graph.add_nodes_from(rail.nodes(data=True))
        graph.add_edges_from(rail.edges(data=True))
    rail_nodes = list(rail.nodes) if rail is not None else []
    rail_xy = np.array([(graph.nodes[n]["x"], graph.nodes[n]["y"]) for n in rail_nodes])
    unjoined = []
    s1 = sorted((s for s in stations if s.s1_order is not None), key=lambda s: s.s1_order or 0)
    for station in stations:
        name = ("station", station.id)
        lon, lat = station.point
        x, y = TO_METRIC.transform(lon, lat)
        graph.add_node(name, lon=lon, lat=lat, x=x, y=y, mode="station", link_end=True)
        _connect(
            graph,
            name,
            station.point,
            network_index,
            order,
            connector_candidates,
            connector_detour,
            None,
        )
        if station.rail:
            joined = False
            if len(rail_nodes):
                dist = np.hypot(rail_xy[:, 0] - x, rail_xy[:, 1] - y)
                nearest = int(np.argmin(dist))
                if dist[nearest] <= board_radius_km * 1e3:
                    graph.add_edge(
                        name, rail_nodes[nearest], length_km=0.0, kind="board", link=None
                    )
                    joined = True
            if not joined:
                unjoined.append(station.id)
        if station.s1_order is not None:
            track = ("s1", station.id)
            graph.add_node(track, lon=lon, lat=lat, x=x, y=y, mode="s1", sealed=True)
            graph.add_edge(name, track, length_km=0.0, kind="board", link=None)
    for before, after in itertools.pairwise(s1):
        graph.add_edge(
            ("s1", before.id),
            ("s1", after.id),
            length_km=geodesic_km(before.point, after.point),
            kind="s1",
            link=None,
        )
    return unjoined


@dataclass(frozen=True)
class NodeIndex:
    """Brute-force nearest-node lookup in UTM metres (a few thousand nodes: no tree needed).

    ``nodes`` are positions in :class:`Arrays` order, not node ids.
    """

    nodes: np.ndarray
    xy: np.ndarray

    @classmethod
    def build(
        cls, graph: nx.Graph, network_only: bool = False, ends_only: bool = False
    ) -> NodeIndex:
        """Index the nodes a feature may reach by an access leg.

        Interior vertices of planned links are never indexed: a limited-access road has no
        way on or off between its ends that we know of. ``network_only`` leaves out the
        planned links' ends too; ``ends_only`` indexes those ends alone.
        """
        chosen = [
            i
            for i, (_, data) in enumerate(graph.nodes(data=True))
            if (
                bool(data.get("link_end"))
                if ends_only
                else ("planned" not in data and "mode" not in data)
                or (data.get("link_end") and not network_only)
            )
        ]
        data = list(graph.nodes.values())
        xy = np.array([(data[i]["x"], data[i]["y"]) for i in chosen], dtype=float)
        return cls(np.array(chosen, dtype=np.int64), xy.reshape(-1, 2))

    def nearest(self, lonlat: tuple[float, float], k: int) -> list[tuple[int, float]]:
        """Return up to ``k`` nearest node positions with their planar distance in metres."""
        if not len(self.nodes):
            return []
        x, y = TO_METRIC.transform(*lonlat)
        dist = np.hypot(self.xy[:, 0] - x, self.xy[:, 1] - y)
        k = min(k, len(self.nodes))
        order = np.argpartition(dist, k - 1)[:k]
        order = order[np.argsort(dist[order])]
        return [(int(self.nodes[i]), float(dist[i])) for i in order]


@dataclass(frozen=True)
class Arrays:
    """The graph in index form for :mod:`scipy.sparse.csgraph`.

    Node ``i`` is the ``i``-th node of the networkx graph; edge ``e`` joins ``u[e]`` and
    ``v[e]`` (both directions) and carries ``length_km``, ``straight_km`` (connectors only,
    else NaN), ``kind`` and ``link`` as in the graph.
    """

    ids: tuple[Any, ...]
    lon: np.ndarray
    lat: np.ndarray
    x: np.ndarray
    y: np.ndarray
    u: np.ndarray
    v: np.ndarray
    length_km: np.ndarray
    straight_km: np.ndarray
    kind: np.ndarray
    link: np.ndarray
    # interior vertices of planned links: one cannot leave the road there
    sealed: np.ndarray
    edge_of: Mapping[tuple[int, int], int]

    @classmethod
    def build(cls, graph: nx.Graph) -> Arrays:
        """Number the nodes and edges of ``graph``."""
        ids = tuple(graph.nodes)
        position = {node: i for i, node in enumerate(ids)}
        nodes = list(graph.nodes.values())
        edges = list(graph.edges(data=True))
        return cls(
            ids=ids,
            lon=np.array([d["lon"] for d in nodes], dtype=float),
            lat=np.array([d["lat"] for d in nodes], dtype=float),
            x=np.array([d["x"] for d in nodes], dtype=float),
            y=np.array([d["y"] for d in nodes], dtype=float),
            u=np.array([position[a] for a, _, _ in edges], dtype=np.int64),
            v=np.array([position[b] for _, b, _ in edges], dtype=np.int64),
            length_km=np.array([d["length_km"] for *_, d in edges], dtype=float),
            straight_km=np.array([d.get("straight_km", math.nan) for *_, d in edges]),
            kind=np.array([d["kind"] for *_, d in edges], dtype=object),
            link=np.array([d["link"] for *_, d in edges], dtype=object),
            sealed=np.array(
                [bool(d.get("sealed")) or ("planned" in d and not d.get("link_end")) for d in nodes]
            ),
            edge_of={
                (min(position[a], position[b]), max(position[a], position[b])): e
                for e, (a, b, _) in enumerate(edges)
            },
        )

    def edge(self, a: int, b: int) -> int:
        """Return the index of the edge joining node positions ``a`` and ``b``."""
        return self.edge_of[(a, b) if a < b else (b, a)]

    def matrix(self, minutes: np.ndarray) -> csr_matrix:
        """Return the directed adjacency matrix (both directions) with ``minutes`` per edge."""
        n = len(self.ids)
        rows = np.concatenate([self.u, self.v])
        cols = np.concatenate([self.v, self.u])
        weights = np.concatenate([minutes, minutes])
        # coo → csr would sum duplicate pairs; an nx.Graph has none. Explicit zeros stay
        # edges of weight zero in csgraph's sparse input.
        order = np.lexsort((cols, rows))
        indptr = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(np.bincount(rows, minlength=n), out=indptr[1:])
        return csr_matrix((weights[order], cols[order], indptr), shape=(n, n))


def shortest_trees(
    matrix: csr_matrix,
    seed_sets: Sequence[Mapping[int, float]],
    cutoff: float | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Shortest times from several sets of sources, each source with its own start time.

    One multi-source Dijkstra per set (:func:`scipy.sparse.csgraph.dijkstra`, all sets in
    one call): set ``k`` becomes a virtual node with an edge to each of its sources
    weighted by that source's start minutes (the access leg), so the time to a node is the
    least over the set's sources of start + network time, exactly.

    Returns
    -------
    tuple of numpy.ndarray
        ``times[k, i]`` minutes from set ``k`` to node ``i`` (inf when unreached or beyond
        ``cutoff``) and ``pred[k, i]`` the node before ``i`` on that path (-1 at a source,
        -9999 when unreached).
    """
    n = matrix.shape[0]
    k = len(seed_sets)
    if k == 0:
        return np.empty((0, n)), np.empty((0, n), dtype=np.int64)
    extra_cols = [np.fromiter(s.keys(), dtype=np.int64, count=len(s)) for s in seed_sets]
    extra_data = [np.fromiter(s.values(), dtype=float, count=len(s)) for s in seed_sets]
    counts = np.array([len(c) for c in extra_cols], dtype=np.int64)
    indptr = np.concatenate([matrix.indptr, matrix.indptr[-1] + np.cumsum(counts)])
    augmented = csr_matrix(
        (
            np.concatenate([matrix.data, *extra_data]),
            np.concatenate([matrix.indices, *extra_cols]),
            indptr,
        ),
        shape=(n + k, n + k),
    )
    times, pred = dijkstra(
        augmented,
        directed=True,
        indices=np.arange(n, n + k),
        return_predecessors=True,
        limit=np.inf if cutoff is None else cutoff,
    )
    pred = pred[:, :n].astype(np.int64)
    pred[pred >= n] = -1
    return times[:, :n], pred


def walk_back(pred: np.ndarray, node: int) -> list[int]:
    """Return the node path from a source to ``node`` using one row of ``pred``."""
    path = [node]
    while pred[path[-1]] >= 0:
        path.append(int(pred[path[-1]]))
    path.reverse()
    return path


def sample_line(geometry: BaseGeometry, step_m: float) -> list[tuple[float, float]]:
    """Return WGS84 points every ``step_m`` metres along a line or a polygon's boundary."""
    if geometry.geom_type in {"Polygon", "MultiPolygon"}:
        geometry = geometry.boundary
    parts: Iterable[BaseGeometry] = getattr(geometry, "geoms", [geometry])
    points: list[tuple[float, float]] = []
    for part in parts:
        metric = to_metric(part)
        count = max(1, math.ceil(metric.length / step_m))
        for i in range(count + (0 if part.is_closed else 1)):
            p = metric.interpolate(min(i * step_m, metric.length))
            lon, lat = TO_WGS84.transform(p.x, p.y)
            points.append((lon, lat))
    return points


def anchor_point(geometry: BaseGeometry) -> tuple[float, float]:
    """Return the single point that stands for a feature in a route.

    A point is itself; a polygon gives its representative point (always inside, unlike a
    centroid); a line gives the point halfway along its length.
    """
    if geometry.geom_type == "Point":
        return (geometry.x, geometry.y)
    if geometry.geom_type in {"LineString", "MultiLineString"}:
        metric = to_metric(geometry)
        p = to_wgs84(metric.interpolate(metric.length / 2))
        return (p.x, p.y)
    p = geometry.representative_point()
    return (p.x, p.y)


def point_in(geometry: BaseGeometry, lonlat: tuple[float, float]) -> bool:
    """Tell whether a WGS84 point lies inside a polygonal geometry."""
    return geometry.geom_type in {"Polygon", "MultiPolygon"} and geometry.covers(Point(lonlat))
