"""A reference shortest-path kernel on networkx, to check the csgraph router against.

It has the signature of :func:`corridor_map.travel.network.shortest_trees` and computes the same
thing the pre-csgraph router did (multi-source Dijkstra whose sources start at their access
legs' minutes) with :func:`networkx.single_source_dijkstra` from a virtual source per set.
Used by tests/test_travel_router.py and benchmarks/bench_travel.py; never by the product.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import networkx as nx
import numpy as np


def nx_shortest_trees(
    matrix, seed_sets: Sequence[Mapping[int, float]], cutoff: float | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Return ``times[k, i]`` and ``pred[k, i]`` like ``_graph.shortest_trees``."""
    n = matrix.shape[0]
    graph = nx.DiGraph()
    graph.add_nodes_from(range(n))
    coo = matrix.tocoo()
    graph.add_weighted_edges_from(
        zip(coo.row.tolist(), coo.col.tolist(), coo.data.tolist(), strict=True)
    )
    times = np.full((len(seed_sets), n), np.inf)
    pred = np.full((len(seed_sets), n), -9999, dtype=np.int64)
    for k, seeds in enumerate(seed_sets):
        source = ("seed", k)
        graph.add_weighted_edges_from((source, node, t) for node, t in seeds.items())
        graph.add_node(source)
        dist, paths = nx.single_source_dijkstra(graph, source, cutoff=cutoff)
        graph.remove_node(source)
        for node, t in dist.items():
            if node == source:
                continue
            times[k, node] = t
            before = paths[node][-2]
            pred[k, node] = -1 if before == source else before
    return times, pred
