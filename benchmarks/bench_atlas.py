"""Time loading the layers, validating them and converting coordinates; prints the figures.

Run with ``.venv/bin/python benchmarks/bench_atlas.py``. ``load_atlas`` validates (the checks
of ``validate``), so a "cold" load clears both caches first and parses, checks and builds
every feature of every layer again; "warm" loads are what the app and every rerun pay (a
stat of each file in layers/ and seeds/). Validation includes resolving every quoted
excerpt against the corpus (loaded once, outside the timing).
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable

import numpy as np

from corridor_map.atlas import model as atlas
from corridor_map.atlas.validation import forget_reports
from corridor_map.documents import corpus
from corridor_map.geo import gcj02

RUNS = 7


def _median_s(action: Callable[[], object], runs: int = RUNS) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _cold_load() -> None:
    atlas._load_cached.cache_clear()
    forget_reports()
    atlas.load_atlas()


def _cold_validate() -> list[atlas.Problem]:
    forget_reports()
    return atlas.validate()


def main() -> None:
    corpus.load_corpus()
    loaded = atlas.load_atlas()
    print(f"layers: {len(loaded)} features in {len(loaded.collections)} files")
    print(f"load_atlas cold: {_median_s(_cold_load) * 1e3:.0f} ms (median of {RUNS})")
    print(f"load_atlas warm: {_median_s(atlas.load_atlas, 200) * 1e3:.2f} ms (median of 200)")
    problems: list[atlas.Problem] = []
    seconds = _median_s(lambda: problems.extend(_cold_validate()), 5)
    print(f"validate cold: {seconds:.2f} s (median of 5), {len(problems) // 5} problem(s)")
    warm = _median_s(atlas.validate, 200)
    print(f"validate warm: {warm * 1e3:.2f} ms (median of 200, same snapshot)")

    rng = np.random.default_rng(0)
    lon = rng.uniform(120.2, 121.9, 1_000_000)
    lat = rng.uniform(27.5, 29.0, 1_000_000)
    forward = _median_s(lambda: gcj02.wgs84_to_gcj02(lon, lat), 3)
    glon, glat = gcj02.wgs84_to_gcj02(lon, lat)
    inverse = _median_s(lambda: gcj02.gcj02_to_wgs84(glon, glat), 3)
    print(f"WGS84→GCJ-02: {lon.size / forward / 1e6:.1f} M points/s (numpy, 1 M points)")
    print(f"GCJ-02→WGS84: {lon.size / inverse / 1e6:.1f} M points/s (iterative inverse)")


if __name__ == "__main__":
    main()
