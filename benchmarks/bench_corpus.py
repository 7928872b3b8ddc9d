"""Time loading the corpus and searching it; prints the figures.

Run with ``.venv/bin/python benchmarks/bench_corpus.py``. Loading is measured cold: the
corpus cache and the OpenCC converters are cleared before every run, so each run reads,
hashes, repairs, normalizes, segments and indexes all five documents again.
"""

from __future__ import annotations

import statistics
import time

from corridor_map.documents import corpus
from corridor_map.documents import normalize as _normalize

LOAD_RUNS = 9
SEARCH_RUNS = 200
QUERIES = ["飞龙湖", "太龙快速路", "1030", "臺州灣", "中央创新核", "科创走廊", "数控机床 研究院"]


def _cold_load() -> float:
    corpus.clear_cache()
    _normalize._converter.cache_clear()
    start = time.perf_counter()
    corpus.load_corpus()
    return time.perf_counter() - start


def main() -> None:
    """Print load and search timings."""
    loads = [_cold_load() for _ in range(LOAD_RUNS)]
    loaded = corpus.load_corpus()
    paragraphs = sum(len(d.paragraphs) for d in loaded.documents.values())
    characters = sum(len(d.text) for d in loaded.documents.values())
    print(
        f"load+normalize corpus (cold, {LOAD_RUNS} runs): median "
        f"{statistics.median(loads) * 1e3:.1f} ms (min {min(loads) * 1e3:.1f}, "
        f"max {max(loads) * 1e3:.1f}); {len(loaded.documents)} documents, "
        f"{paragraphs} paragraphs, {characters} characters"
    )
    timings: dict[str, list[float]] = {}
    for query in QUERIES:
        runs = []
        for _ in range(SEARCH_RUNS):
            start = time.perf_counter()
            hits = loaded.search(query)
            runs.append(time.perf_counter() - start)
        timings[query] = runs
        print(f"search {query!r}: median {statistics.median(runs) * 1e6:.0f} µs, {len(hits)} hits")
    overall = statistics.median(t for runs in timings.values() for t in runs)
    print(f"search, all {len(QUERIES)} queries x {SEARCH_RUNS} runs: median {overall * 1e6:.0f} µs")


if __name__ == "__main__":
    main()
