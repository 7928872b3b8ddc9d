"""Wall time of the site check and of the targets' coverage, beside references in the same run.

Run from the repository root::

    .venv/bin/python benchmarks/bench_site.py [--repeat 5]

Cases (target in brackets), each beside a reference measured in the same run:

1. one parcel (a 1 km² square in the Taizhou core) with travel times [≤ 0.3 s]: "cold" is
   the first parcel under a new scenario (the trees of its gateways and core are grown),
   "warm" a further parcel; reference: a plain loop of ``shapely.intersects`` over every
   located curated feature plus, as the router did for a point before, one forward tree
   from the parcel (:func:`corridor_map.travel.routing._grow`) and a trip to each
   destination;
2. a parcel of 200,000 vertices (a circle in the core) [≤ 1 s]; reference: the plain
   intersects loop and the geodesic area of each intersection;
3. 1,000 parcels (squares across the three corridors) [≤ 10 s]; reference: the plain
   intersects loop for every parcel;
4. coverage of every travel target [≤ 2 s], cold (a new scenario: trees grown) and warm;
   reference: :func:`corridor_map.travel.targets.evaluate_targets` (the worst case alone).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np
import shapely
from shapely.geometry import box

from corridor_map.analysis.site import check_site, check_sites, site_index
from corridor_map.atlas.model import load_atlas
from corridor_map.documents.corpus import load_corpus
from corridor_map.geo.geodesy import geodesic_area_km2
from corridor_map.travel import routing
from corridor_map.travel.assumptions import SpeedAssumptions
from corridor_map.travel.compare import Scenario
from corridor_map.travel.coverage import target_coverage
from corridor_map.travel.data import access_points, network
from corridor_map.travel.targets import evaluate_targets


def _median(fn: Callable[[], object], repeat: int) -> float:
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - start)
    return statistics.median(runs)


def _once(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def _row(name: str, seconds: float, target: float, reference: float, ref_name: str) -> None:
    verdict = "ok" if seconds <= target else "OVER"
    ratio = seconds / reference if reference else float("nan")
    print(
        f"{name:38s} {seconds * 1000:9.1f} ms  (target ≤ {target * 1000:.0f} ms: {verdict})  "
        f"reference {ref_name}: {reference * 1000:9.1f} ms  ratio {ratio:5.2f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    atlas = load_atlas()
    corpus = load_corpus()
    features = [f for f in atlas if f.corridor != "reference" and f.geometry is not None]
    shapely.prepare([f.geometry for f in features])
    site_index(atlas)  # the index is built once per atlas, outside the timings
    print(f"{len(features)} located curated features; repeat {args.repeat}")

    def plain_loop(parcel: object, areas: bool = False) -> int:
        hits = 0
        for f in features:
            if shapely.intersects(parcel, f.geometry):
                hits += 1
                if areas and f.geometry.geom_type in {"Polygon", "MultiPolygon"}:
                    geodesic_area_km2(shapely.intersection(parcel, f.geometry))
        return hits

    # 1. one parcel with travel
    core = atlas.get("taizhou-central-core").geometry.representative_point()
    parcel = box(core.x - 0.005, core.y - 0.0045, core.x + 0.005, core.y + 0.0045)
    gates = [f.id for f in atlas if f.corridor == "taizhou-bay" and f.role in {"core", "gateway"}]

    def reference_one() -> None:
        plain_loop(parcel, areas=True)
        net = network(atlas, True, False)
        a = SpeedAssumptions()
        tree = routing._grow(net, [[(core.x, core.y)]], a)[0]
        for gate in gates:
            routing._arrive(net, tree, access_points(atlas, gate), a)

    scenario = Scenario("bench", replace(SpeedAssumptions(), network_kmh=41.0), True)
    check_site(parcel, atlas, corpus, Scenario())  # the network and register are loaded
    cold = _once(lambda: check_site(parcel, atlas, corpus, scenario))
    warm = _median(lambda: check_site(parcel, atlas, corpus, scenario), args.repeat)
    reference = _median(reference_one, args.repeat)
    _row("one parcel + travel, cold scenario", cold, 0.3, reference, "loop + tree")
    _row("one parcel + travel, warm", warm, 0.3, reference, "loop + tree")

    # 2. a 200,000-vertex parcel
    angles = np.linspace(0.0, 2 * np.pi, 200_000, endpoint=False)
    big = shapely.Polygon(
        np.column_stack([core.x + 0.01 * np.cos(angles), core.y + 0.009 * np.sin(angles)])
    )
    print(f"big parcel: {shapely.get_num_coordinates(big):,} vertices")
    seconds = _median(lambda: check_site(big, atlas, corpus, scenario), args.repeat)
    reference = _median(lambda: plain_loop(big, areas=True), args.repeat)
    _row("200k-vertex parcel + travel", seconds, 1.0, reference, "intersects loop + areas")

    # 3. 1,000 parcels across the corridors
    extents = [f.geometry for f in atlas if f.role == "extent" and f.geometry is not None]
    west, south, east, north = shapely.total_bounds(extents)
    parcels = []
    for i in range(1000):
        x = west + (east - west) * ((i % 40) + 0.5) / 40
        y = south + (north - south) * ((i // 40) + 0.5) / 25
        parcels.append((f"p{i}", box(x - 0.002, y - 0.002, x + 0.002, y + 0.002)))
    seconds = _once(lambda: check_sites(parcels, atlas, corpus, scenario))
    reference = _once(lambda: [plain_loop(p) for _, p in parcels])
    _row("1,000 parcels + travel", seconds, 10.0, reference, "intersects loop")

    # 4. coverage of every target
    fresh = replace(SpeedAssumptions(), network_kmh=39.0)
    evaluate_targets(atlas, fresh)  # the targets' own trees are not what is measured
    cold = _once(lambda: target_coverage(atlas, fresh))
    warm = _median(lambda: target_coverage(atlas, fresh), args.repeat)
    reference = _median(lambda: evaluate_targets(atlas, fresh), args.repeat)
    _row("coverage, all targets, cold scenario", cold, 2.0, reference, "evaluate_targets")
    _row("coverage, all targets, warm", warm, 2.0, reference, "evaluate_targets")


if __name__ == "__main__":
    main()
