"""Median wall time of travel queries, the whole targets table and a sensitivity sweep.

Run from the repository root::

    .venv/bin/python benchmarks/bench_travel.py [--repeat 7] [--from jiulong-lake]
        [--to longmen-lake] [--iso jiulong-lake] [--minutes 20]

Each case is timed twice in the same run: with the product's router (one
:func:`scipy.sparse.csgraph.dijkstra` call per batch) and, as "before", with the reference
networkx kernel of tests/_nx_router.py swapped in (one Dijkstra per origin in Python, as the
router did before csgraph). The first call of each kind is reported separately as "cold";
the median is over the warm repeats that follow, as the app sees them.

The sensitivity sweep is every target at the six network speeds the CLI and the app try
(20–60 km/h); the targets' budget is 100 ms for the table and 500 ms for the sweep.
"""

from __future__ import annotations

import argparse
import contextlib
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from corridor_map.atlas.model import load_atlas
from corridor_map.travel import (
    isochrone as travel_isochrone,
)
from corridor_map.travel import (
    network as _graph,
)
from corridor_map.travel import (
    routing as travel,
)
from corridor_map.travel import (
    targets as travel_targets,
)
from corridor_map.travel.assumptions import SpeedAssumptions
from corridor_map.travel.data import road_graph
from tests._nx_router import nx_shortest_trees

SPEEDS = (20, 25, 30, 40, 50, 60)


def _time(fn: Callable[[], object], repeat: int) -> tuple[float, float, list[float]]:
    start = time.perf_counter()
    fn()
    cold = time.perf_counter() - start
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - start)
    return cold, statistics.median(runs), runs


@contextlib.contextmanager
def _kernel(name: str) -> Iterator[None]:
    saved = _graph.shortest_trees
    if name == "networkx":
        _graph.shortest_trees = nx_shortest_trees
    try:
        yield
    finally:
        _graph.shortest_trees = saved


def _sweep() -> None:
    for target in travel_targets.load_targets(load_atlas()):
        travel_targets.sensitivity(load_atlas(), target["id"], SPEEDS)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--from", dest="origin", default="jiulong-lake")
    parser.add_argument("--to", dest="destination", default="longmen-lake")
    parser.add_argument("--iso", default="jiulong-lake")
    parser.add_argument("--minutes", type=float, default=20.0)
    args = parser.parse_args()

    start = time.perf_counter()
    graph = road_graph(load_atlas(), True)
    built = time.perf_counter() - start
    print(
        f"road graph: {graph.number_of_nodes()} nodes, {graph.number_of_edges()} edges, "
        f"first load (layers + graph, then cached) {built * 1e3:.1f} ms"
    )
    cases = [
        (
            f"route {args.origin} → {args.destination}",
            lambda: travel.route(load_atlas(), args.origin, args.destination),
        ),
        (
            f"isochrone {args.iso} {args.minutes:g} min",
            lambda: travel_isochrone.isochrone(load_atlas(), args.iso, args.minutes),
        ),
        ("evaluate_targets (all)", lambda: travel_targets.evaluate_targets(load_atlas())),
        (
            "evaluate_targets, planned links off",
            lambda: travel_targets.evaluate_targets(load_atlas(), planned_links=False),
        ),
        (
            "evaluate_targets, road + rail",
            lambda: travel_targets.evaluate_targets(load_atlas(), SpeedAssumptions(rail=True)),
        ),
        (f"sensitivity sweep (all targets × {len(SPEEDS)} speeds)", _sweep),
    ]
    for label, fn in cases:
        for kernel in ("networkx", "csgraph"):
            with _kernel(kernel):
                cold, median, runs = _time(fn, args.repeat)
            tag = "before (networkx)" if kernel == "networkx" else "after  (csgraph) "
            print(
                f"{label:45s} {tag} median {median * 1e3:8.1f} ms  (cold {cold * 1e3:.1f} ms; "
                f"min {min(runs) * 1e3:.1f}, max {max(runs) * 1e3:.1f}; n={len(runs)})"
            )


if __name__ == "__main__":
    main()
