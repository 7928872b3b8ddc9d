"""How the cost grows with the data: synthetic atlases of 84, 1,000 and 10,000 features.

For each size, ``synthetic_atlas.py`` writes a temporary data folder (the real layers and
seeds plus clearly marked ``syn-…`` copies; 5 / 100 / 500 documents) and this prints:

* **bundle**: the map bundle the browser loads (raw and gzip, as Streamlit serves it);
* **start → interactive**: the app on that folder (``CORRIDOR_MAP_DATA``) in the same
  headless Chromium driver as ``bench_app.py`` (one module: ``bench_app.drive_app``),
  first start (validates and builds the bundle) and a restart (the bundle is stored);
* **click → preview / → panel**: the medians of clicks on two real zones (the synthetic
  copies keep clear of the clicked points);
* **search**: feature names and document text, as the sidebar searches;
* **validate**: ``corridor-map validate`` (a process: start, imports, every check);
* **atlas load**: ``load_atlas()`` in a fresh process (the checks included) and the corpus.

Then a summary: where the embedded default (every feature inline in one Leaflet bundle,
validated at start) stops being interactive, and what would carry it further.

Run: ``.venv/bin/python benchmarks/bench_scale.py [--sizes 84:5,1000:100,10000:500]``.
The machine is shared: compare sizes within one run.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import bench_app
import synthetic_atlas

from corridor_map.views import previews, search
from corridor_map.webmap import overlays

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # tests._appserver

from tests._appserver import launch_chromium, streamlit_app

ROOT = Path(__file__).resolve().parent.parent
#: Interactive means: the map answers a click with the panel within this (s) ...
PANEL_LIMIT_S = 1.0
#: ... and a restarted app shows its map within this (s).
START_LIMIT_S = 15.0
SEARCH_QUERIES = ("创新", "中央创新核", "科创走廊")


@dataclass
class Row:
    """What one atlas size measured."""

    features: int
    documents: int
    generated_s: float = 0.0
    validate_s: float = float("nan")
    validate_ok: bool = False
    worker: dict[str, Any] = field(default_factory=dict)
    first: bench_app.Result | None = None
    restart: bench_app.Result | None = None


def _worker(folder: Path) -> None:
    """In a fresh process on ``folder``: corpus and atlas load, search, bundle build."""
    os.environ["CORRIDOR_MAP_DATA"] = str(folder)
    out: dict[str, Any] = {}
    t0 = time.perf_counter()
    from corridor_map.atlas.model import load_atlas
    from corridor_map.documents.corpus import load_corpus
    from corridor_map.ui import map_component
    from corridor_map.views import panel

    out["import_s"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    corpus = load_corpus()
    out["corpus_s"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    atlas = load_atlas(strict=False)
    out["atlas_s"] = time.perf_counter() - t0
    out["problems"] = len(atlas.problems)
    out["curated"] = sum(1 for f in atlas if f.corridor != "reference")
    out["all_features"] = sum(1 for _ in atlas)
    out["documents"] = len(corpus.documents)
    searches = []
    for query in SEARCH_QUERIES:
        t0 = time.perf_counter()
        hits = search.search_features(atlas, query)
        texts = search.search_text(query, limit=10)
        searches.append(time.perf_counter() - t0)
        out.setdefault("hits", []).append(len(hits) + len(texts))
    out["search_s"] = max(searches)
    t0 = time.perf_counter()
    collections = overlays.layer_collections(atlas)
    cards = previews.preview_records(atlas, "zh", corpus)
    bundle = map_component.build_bundle(collections, "none", "zh", cards)
    out["bundle_build_s"] = time.perf_counter() - t0
    raw = bundle.script.encode("utf-8")
    out["bundle_kb"] = len(raw) / 1024
    out["bundle_gzip_kb"] = len(gzip.compress(raw, compresslevel=6)) / 1024
    t0 = time.perf_counter()
    panel.feature_panel(atlas, bench_app.CORE_ID, corpus)
    out["panel_build_s"] = time.perf_counter() - t0
    print(json.dumps(out))


def _run_worker(folder: Path) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, __file__, "--worker", str(folder)],
        env=dict(os.environ, CORRIDOR_MAP_DATA=str(folder)),
        capture_output=True,
        text=True,
        timeout=1800,
        check=False,
    )
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    if done.returncode != 0 or not lines:
        tail = (done.stderr.strip().splitlines() or ["no output"])[-1]
        return {"error": tail}
    return dict(json.loads(lines[-1]))


def _browser(browser: Any, folder: Path, clicks: int, row: Row) -> None:
    targets = bench_app.click_targets()
    env = dict(os.environ, CORRIDOR_MAP_DATA=str(folder))
    for attempt, n in (("first", 0), ("restart", clicks)):

        def run(n: int = n, attempt: str = attempt) -> bench_app.Result:
            with streamlit_app(ROOT / "app.py", cwd=ROOT, env=env, timeout_s=120) as server:
                return bench_app.drive_app(
                    browser,
                    server.url,
                    server.started,
                    n,
                    targets,
                    measure=False,
                    timeout_ms=600_000,
                    name=attempt,
                )

        setattr(row, attempt, bench_app.guarded(attempt, run))


def measure(sizes: list[tuple[int, int]], clicks: int, browser_on: bool) -> list[Row]:
    """Generate, validate, load and drive every size; return one row each."""
    from playwright.sync_api import sync_playwright

    targets = bench_app.click_targets()
    keep_clear = [(t.lon, t.lat) for t in targets]
    rows = []
    with tempfile.TemporaryDirectory(prefix="cm-scale-") as tmp, sync_playwright() as p:
        browser = launch_chromium(p) if browser_on else None
        for features, documents in sizes:
            row = Row(features, documents)
            folder = Path(tmp) / f"atlas-{features}"
            summary = synthetic_atlas.write_synthetic(
                folder, features, documents, keep_clear=keep_clear
            )
            row.generated_s = summary.seconds
            row.validate_ok, _, row.validate_s = synthetic_atlas.validate_folder(folder)
            row.worker = _run_worker(folder)
            if browser is not None:
                _browser(browser, folder, clicks, row)
            rows.append(row)
            _print_row_progress(row)
        if browser is not None:
            browser.close()
    return rows


def _print_row_progress(row: Row) -> None:
    print(f"… measured {row.features} features / {row.documents} documents", flush=True)


def _f(value: Any, digits: int = 2) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return "—"
    return f"{value:,.{digits}f}"


def _interactive(row: Row) -> bool | None:
    restart = row.restart
    if restart is None or restart.error or not restart.panel_s:
        return None
    return restart.panel <= PANEL_LIMIT_S and restart.ready_s <= START_LIMIT_S


def report(rows: list[Row]) -> None:
    """Print the scale table and the summary."""
    heads = [f"{r.features:,} f / {r.documents} d" for r in rows]
    print()
    print(f"{'measure':44}" + "".join(f"{h:>20}" for h in heads))

    def line(label: str, values: list[str]) -> None:
        print(f"{label:44}" + "".join(f"{v:>20}" for v in values))

    w = [r.worker for r in rows]
    line(
        "curated features (all incl. reference)",
        [f"{x.get('curated', '—')} ({x.get('all_features', '—')})" for x in w],
    )
    line("documents in the corpus", [str(x.get("documents", "—")) for x in w])
    line("map bundle, raw (KB)", [_f(x.get("bundle_kb"), 0) for x in w])
    line("map bundle, gzip (KB)", [_f(x.get("bundle_gzip_kb"), 0) for x in w])
    line(
        "bundle transferred in the browser (KB)",
        [_f(r.restart.bundle_kb if r.restart else None, 0) for r in rows],
    )
    line(
        "page payload, HTTP + websocket (KB)",
        [_f(r.restart.payload_kb if r.restart else None, 0) for r in rows],
    )
    line(
        "start → interactive, first start (s)",
        [_f(r.first.ready_s if r.first and not r.first.error else None) for r in rows],
    )
    line(
        "start → interactive, restart (s)",
        [_f(r.restart.ready_s if r.restart and not r.restart.error else None) for r in rows],
    )
    line(
        "click → preview on the map, median (s)",
        [_f(r.restart.click if r.restart else None, 3) for r in rows],
    )
    line(
        "click → excerpt in the panel, median (s)",
        [_f(r.restart.panel if r.restart else None, 3) for r in rows],
    )
    line(
        "websocket per selection (KB)",
        [_f(r.restart.ws_kb if r.restart else None, 1) for r in rows],
    )
    line("search, slowest of 3 queries (s)", [_f(x.get("search_s"), 3) for x in w])
    line(
        "corridor-map validate, process (s)",
        [_f(r.validate_s) + ("" if r.validate_ok else " FAIL") for r in rows],
    )
    line("load_atlas() incl. checks, fresh (s)", [_f(x.get("atlas_s")) for x in w])
    line("load_corpus(), fresh (s)", [_f(x.get("corpus_s")) for x in w])
    line("bundle build (s)", [_f(x.get("bundle_build_s")) for x in w])
    line("panel model of 中央创新核 (s)", [_f(x.get("panel_build_s"), 4) for x in w])
    line("atlas problems (lenient load)", [str(x.get("problems", "—")) for x in w])
    line("synthetic data written in (s)", [_f(r.generated_s, 1) for r in rows])
    for r in rows:
        for result in (r.first, r.restart):
            if result is not None and result.error:
                print(f"{r.features} features, {result.name}: FAILED: {result.error}")
        if r.worker.get("error"):
            print(f"{r.features} features, worker: FAILED: {r.worker['error']}")
    _summary(rows)


def _summary(rows: list[Row]) -> None:
    print()
    print(
        f"Interactive = a restarted app shows its map within {START_LIMIT_S:g} s and a "
        f"click brings the panel within {PANEL_LIMIT_S:g} s."
    )
    last_ok = None
    first_bad = None
    for r in rows:
        verdict = _interactive(r)
        shown = {True: "interactive", False: "NOT interactive", None: "not measured"}[verdict]
        print(f"  {r.features:>6,} features: {shown}")
        if verdict:
            last_ok = r
        elif verdict is False and first_bad is None:
            first_bad = r
    if first_bad is not None:
        start = f"between {last_ok.features:,} and " if last_ok else "at or below "
        print(
            f"The embedded default stops being interactive {start}{first_bad.features:,} features."
        )
    elif last_ok is not None:
        print(f"The embedded default is still interactive at {last_ok.features:,} features.")
    print(
        "What grows: the bundle (every feature inline, parsed and drawn as SVG by Leaflet),\n"
        "the checks of a first start on new data (validate grows with features × quotes;\n"
        "a restart reads the stored report), and the corpus (documents). The rerun after a\n"
        "click stays small (only the panel).\n"
        "What would carry it further: vector tiles (the layers cut once into PMTiles/MVT\n"
        "served as static files; the browser fetches only the tiles in view and draws them\n"
        "on a canvas), and a spatial database (SpatiaLite/GeoPackage with an R-tree, or\n"
        "PostGIS) for search, the panel and the checks, so that a start reads an index\n"
        "instead of holding every feature in memory, and a change re-checks one file."
    )
    print("Shared machine (2 cores, other jobs running): compare sizes within this run.")


def _sizes(text: str) -> list[tuple[int, int]]:
    out = []
    for part in text.split(","):
        features, _, documents = part.partition(":")
        out.append((int(features), int(documents or 5)))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="84:5,1000:100,10000:500", type=_sizes)
    parser.add_argument("--clicks", type=int, default=4)
    parser.add_argument("--no-browser", action="store_true")
    parser.add_argument("--worker", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        _worker(args.worker)
        return
    report(measure(args.sizes, args.clicks, not args.no_browser))


if __name__ == "__main__":
    main()
