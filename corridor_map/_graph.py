"""Private helpers of :mod:`corridor_map.travel`: the road graph and its geometry.

The graph is an undirected :class:`networkx.Graph` whose nodes carry WGS84 ``lon``/``lat``
and UTM zone 51N ``x``/``y`` (metres), and whose edges carry ``length_km`` and ``kind``
(``"network"`` for the reference road network, ``"planned"`` for a curated planned link,
``"connector"`` for the short legs that join a planned link to the network). Edge weights in
minutes are not stored: they depend on the speed assumptions of each query.
"""

from __future__ import annotations

import heapq
import json
import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np
import shapely
from pyproj import Transformer
from shapely.geometry import LineString, Point
from shapely.geometry.base import BaseGeometry

from corridor_map.errors import CorridorMapError
from corridor_map.measure import WGS84

# UTM zone 51N spans 120°E–126°E, which holds all three corridors (Wenzhou ≈ 120.6°E,
# Taizhou ≈ 121.4°E); a transverse Mercator zone keeps scale error below 0.1 % here, unlike
# Web Mercator (≈ +13 % in length at 28°N).
METRIC_CRS = "EPSG:32651"
_TO_METRIC = Transformer.from_crs("EPSG:4326", METRIC_CRS, always_xy=True)
_TO_WGS84 = Transformer.from_crs(METRIC_CRS, "EPSG:4326", always_xy=True)


class RoadNetworkError(CorridorMapError):
    """The road network file cannot be read as 2-point LineString edges."""


def to_metric(geometry: BaseGeometry) -> BaseGeometry:
    """Project a WGS84 geometry to UTM 51N metres."""
    return shapely.transform(geometry, _TO_METRIC.transform, interleaved=False)


def to_wgs84(geometry: BaseGeometry) -> BaseGeometry:
    """Project a UTM 51N geometry back to WGS84 lon/lat."""
    return shapely.transform(geometry, _TO_WGS84.transform, interleaved=False)


def geodesic_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Return the geodesic distance in km between two (lon, lat) points."""
    _, _, metres = WGS84.inv(a[0], a[1], b[0], b[1])
    return float(metres) / 1e3


def read_network(path: Path) -> nx.Graph:
    """Read a road network of 2-point LineString edges with ``u``, ``v``, ``length_km``.

    Parameters
    ----------
    path
        GeoJSON FeatureCollection in WGS84 (the format of ``layers/ref_roads.geojson``).

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
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise RoadNetworkError(f"道路网络文件不存在 / road network file not found: {path}") from exc
    except (OSError, ValueError) as exc:
        raise RoadNetworkError(
            f"道路网络文件无法读取 / cannot read road network {path}: {exc}"
        ) from exc
    features = data.get("features") if isinstance(data, dict) else None
    if not isinstance(features, list):
        raise RoadNetworkError(f"{path}: 不是 FeatureCollection / not a FeatureCollection")
    graph = nx.Graph(source=str(path))
    for index, feature in enumerate(features):
        u, v, start, end, length_km = _edge(path, index, feature)
        for node, (lon, lat) in ((u, start), (v, end)):
            if node not in graph:
                x, y = _TO_METRIC.transform(lon, lat)
                graph.add_node(node, lon=lon, lat=lat, x=x, y=y)
        if u == v:
            continue
        if graph.has_edge(u, v) and graph.edges[u, v]["length_km"] <= length_km:
            continue
        graph.add_edge(u, v, length_km=length_km, kind="network", link=None)
    if graph.number_of_edges() == 0:
        raise RoadNetworkError(f"{path}: 没有道路边 / the network has no edges")
    return graph


def _edge(path: Path, index: int, feature: Any) -> tuple[Any, Any, tuple, tuple, float]:
    where = f"{path.name} feature #{index}"
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
    coords = [(round(c[0], 7), round(c[1], 7)) for c in line.coords]
    names = [("planned", link_id, i) for i in range(len(coords))]
    for name, (lon, lat) in zip(names, coords, strict=True):
        x, y = _TO_METRIC.transform(lon, lat)
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
        for node, _ in network_index.nearest(point, connector_candidates):
            straight = geodesic_km(point, (graph.nodes[node]["lon"], graph.nodes[node]["lat"]))
            graph.add_edge(
                name,
                node,
                length_km=straight * connector_detour,
                straight_km=straight,
                kind="connector",
                link=link_id,
            )


@dataclass(frozen=True)
class NodeIndex:
    """Brute-force nearest-node lookup in UTM metres (a few thousand nodes: no tree needed)."""

    nodes: tuple[Any, ...]
    xy: np.ndarray

    @classmethod
    def build(cls, graph: nx.Graph, network_only: bool = False) -> NodeIndex:
        """Index the nodes a feature may reach by an access leg.

        Interior vertices of planned links are never indexed: a limited-access road has no
        way on or off between its ends that we know of. ``network_only`` leaves out the
        planned links' ends too.
        """
        chosen = [
            node
            for node, data in graph.nodes(data=True)
            if "planned" not in data or (data.get("link_end") and not network_only)
        ]
        xy = np.array([(graph.nodes[n]["x"], graph.nodes[n]["y"]) for n in chosen], dtype=float)
        return cls(tuple(chosen), xy.reshape(-1, 2))

    def nearest(self, lonlat: tuple[float, float], k: int) -> list[tuple[Any, float]]:
        """Return up to ``k`` nearest nodes with their planar distance in metres."""
        if not self.nodes:
            return []
        x, y = _TO_METRIC.transform(*lonlat)
        dist = np.hypot(self.xy[:, 0] - x, self.xy[:, 1] - y)
        k = min(k, len(self.nodes))
        order = np.argpartition(dist, k - 1)[:k]
        order = order[np.argsort(dist[order])]
        return [(self.nodes[i], float(dist[i])) for i in order]


def weighted_adjacency(
    graph: nx.Graph, edge_minutes: Callable[[dict], float]
) -> dict[Any, list[tuple[Any, float]]]:
    """Return each node's neighbours with the edge's minutes, for :func:`dijkstra`.

    Plain lists are several times faster to walk than networkx's adjacency views, and a
    set of speed assumptions is reused by many queries.
    """
    adjacency: dict[Any, list[tuple[Any, float]]] = {node: [] for node in graph}
    for u, v, data in graph.edges(data=True):
        minutes = edge_minutes(data)
        adjacency[u].append((v, minutes))
        adjacency[v].append((u, minutes))
    return adjacency


def dijkstra(
    adjacency: Mapping[Any, list[tuple[Any, float]]],
    sources: Mapping[Any, float],
    cutoff: float | None = None,
) -> tuple[dict[Any, float], dict[Any, Any]]:
    """Shortest times from several sources, each with its own starting time.

    networkx's multi-source Dijkstra starts every source at zero, but each source here
    already carries the minutes of its access leg, so this small variant seeds the heap
    with those times.

    Returns
    -------
    tuple of dict
        Minutes to every reached node, and each node's predecessor (None at a source).
    """
    times: dict[Any, float] = {}
    pred: dict[Any, Any] = {}
    heap: list[tuple[float, int, Any, Any]] = []
    counter = 0
    for node, start in sources.items():
        heapq.heappush(heap, (start, counter, node, None))
        counter += 1
    while heap:
        t, _, node, before = heapq.heappop(heap)
        if node in times:
            continue
        if cutoff is not None and t > cutoff:
            break
        times[node] = t
        pred[node] = before
        for other, minutes in adjacency[node]:
            if other not in times:
                heapq.heappush(heap, (t + minutes, counter, other, node))
                counter += 1
    return times, pred


def walk_back(pred: Mapping[Any, Any], node: Any) -> list[Any]:
    """Return the node path from a source to ``node`` using ``pred``."""
    path = [node]
    while pred[path[-1]] is not None:
        path.append(pred[path[-1]])
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
            lon, lat = _TO_WGS84.transform(p.x, p.y)
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
