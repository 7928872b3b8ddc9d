"""Median wall time of one travel query, one isochrone and the whole targets table.

Run from the repository root::

    .venv/bin/python benchmarks/bench_travel.py [--repeat 7] [--from jiulong-lake]
        [--to longmen-lake] [--iso jiulong-lake] [--minutes 20]

The first call of each kind (which builds and caches the road graph) is reported
separately as "cold"; the median is over the warm repeats that follow, as the app sees them.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable

from corridor_map import travel


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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--from", dest="origin", default="jiulong-lake")
    parser.add_argument("--to", dest="destination", default="longmen-lake")
    parser.add_argument("--iso", default="jiulong-lake")
    parser.add_argument("--minutes", type=float, default=20.0)
    args = parser.parse_args()

    start = time.perf_counter()
    graph = travel.road_graph(True)
    built = time.perf_counter() - start
    print(
        f"road graph: {graph.number_of_nodes()} nodes, {graph.number_of_edges()} edges, "
        f"first load (layers + graph, then cached) {built * 1e3:.1f} ms"
    )
    cases = [
        (
            f"route {args.origin} → {args.destination}",
            lambda: travel.route(args.origin, args.destination),
        ),
        (
            f"isochrone {args.iso} {args.minutes:g} min",
            lambda: travel.isochrone(args.iso, args.minutes),
        ),
        ("evaluate_targets (all)", travel.evaluate_targets),
    ]
    for label, fn in cases:
        cold, median, runs = _time(fn, args.repeat)
        print(
            f"{label:45s} median {median * 1e3:8.1f} ms  (cold {cold * 1e3:.1f} ms; "
            f"min {min(runs) * 1e3:.1f}, max {max(runs) * 1e3:.1f}; n={len(runs)})"
        )


if __name__ == "__main__":
    main()
