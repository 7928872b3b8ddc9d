"""Benchmark uploads: parse + measure time, peak memory, cached rerun, drawn vertices.

Builds GeoJSON files of growing vertex counts (one polygon each, a circle around Taizhou),
runs :func:`corridor_map.analysis.uploads.measure_upload` on each once (cold) and again (a Streamlit
rerun with the same file: served from the content-hash cache), and prints wall time, peak
Python memory (tracemalloc), the file size and the vertices drawn after simplification.
The largest case is over the vertex limit and shows how fast it is refused.

Run: ``.venv/bin/python benchmarks/bench_import.py``.
"""

from __future__ import annotations

import json
import time
import tracemalloc

import numpy as np

from corridor_map.analysis import uploads as imports


def _file(vertices: int, decimals: int = 6) -> bytes:
    angles = np.linspace(0, 2 * np.pi, vertices, endpoint=False)
    ring = [
        [round(121.4 + 0.05 * np.cos(a), decimals), round(28.6 + 0.05 * np.sin(a), decimals)]
        for a in angles
    ]
    return json.dumps({"type": "Polygon", "coordinates": [[*ring, ring[0]]]}).encode()


def main() -> None:
    imports.measure_upload(_file(10), "warm-up.geojson")  # layers loaded once, as in the app
    print(f"{'vertices':>9} {'MB':>6} {'cold s':>7} {'peak MB':>8} {'rerun ms':>9} {'drawn':>6}")
    # The last two: too many bytes at 6 decimals, and under 5 MB but over 200 000 vertices.
    for vertices, decimals in (
        (1_000, 6),
        (20_000, 6),
        (100_000, 6),
        (199_000, 6),
        (250_000, 6),
        (260_000, 2),
    ):
        data = _file(vertices, decimals)
        started = time.perf_counter()
        try:
            out = imports.measure_upload(data, f"c{vertices}.geojson")
        except imports.UploadError as exc:
            cold = time.perf_counter() - started
            print(
                f"{vertices:>9,} {len(data) / 1e6:>6.2f} {cold:>7.2f} {'—':>8} {'—':>9} "
                f"refused: {exc.en.split(': ', 1)[1][:44]}"
            )
            continue
        cold = time.perf_counter() - started
        started = time.perf_counter()
        imports.measure_upload(data, f"c{vertices}.geojson")
        rerun = (time.perf_counter() - started) * 1000
        # Peak memory in a separate run (a new name misses the cache): tracemalloc slows
        # Python allocations several-fold, so it must not share the timed run.
        tracemalloc.start()
        imports.measure_upload(data, f"m{vertices}.geojson")
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        drawn = sum(len(g["coordinates"][0]) for g in out["display"])
        print(
            f"{vertices:>9,} {len(data) / 1e6:>6.2f} {cold:>7.2f} {peak / 1e6:>8.1f} "
            f"{rerun:>9.1f} {drawn:>6}"
        )


if __name__ == "__main__":
    main()
