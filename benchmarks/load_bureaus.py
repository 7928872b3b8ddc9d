"""Several bureaus at once: reader sessions clicking while curators save, on PostGIS.

Bounded and local: a throwaway PostgreSQL + PostGIS cluster (tests/_postgres.py), two app
processes (``app.py``, two replicas, each with its own data folder, like two hosts behind
a load balancer), one headless Chromium with the reader sessions split over the two, and
curator processes saving through the store's one path (``edits.set_fields``: validated,
recorded, published into their replica's folder) for ``--duration`` seconds. A follower
per replica brings its folder up to the database every 2 s (``follow_store``: what
``app.py`` does once wired; the harness runs it so the two replicas converge).

1. single user: one session alone on replica A clicks the two zones in turn
   (``--clicks`` times): click → full panel, the reference figure of this run;
2. load: ``--readers`` sessions (their pages opened first, not timed) click in turn for
   ``--duration`` s while ``--curators``
   processes rename the same three features in the same order (so saves collide: a save
   against a stale version is refused and counted, and the curator goes on from a fresh
   read, as a person would merge);
3. checks: reader errors (timeouts, exceptions on the page, outside requests), curator
   errors other than conflicts, lost updates (every accepted save is in the history, in
   the order of its ids, with its author and value; ids have no gaps; the features hold
   the last accepted value), and the two replicas' layer files equal byte for byte.

Prints the figures and PASS/FAIL: 0 errors, 0 lost updates, p95 click → panel under
load within 2 × the single-user median. The issue's full load is 50 readers and 5
curators for 120 s (the maximum here); the default is smaller for a shared machine.

Run::

    .venv/bin/python benchmarks/load_bureaus.py [--readers 10] [--curators 3] [--duration 60]
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import os
import statistics
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # tests._appserver

from benchmarks.bench_app import Target, click_targets
from tests._appserver import CHROMIUM_ARGS, is_local, streamlit_app
from tests._postgres import postgres_cluster, skip_reason
from tests._support import copy_data

ROOT = Path(__file__).resolve().parent.parent
MAX_READERS, MAX_CURATORS, MAX_DURATION = 50, 5, 120
STEP_TIMEOUT_MS = 120_000
RENAMED = ("taizhou-central-core", "jiaojiang-innovation-valley", "east-innovation-harbour")
FOLLOW_EVERY_S = 2.0


@dataclass
class Reader:
    """One browser session: its click → panel times and what went wrong."""

    number: int
    times: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    outside: list[str] = field(default_factory=list)


async def _open(browser: Any, url: str, reader: Reader) -> Any:
    context = await browser.new_context(viewport={"width": 1400, "height": 900})
    page = await context.new_page()
    page.on("pageerror", lambda exc: reader.errors.append(f"page error: {exc}"))

    async def route(r: Any) -> None:
        if is_local(r.request.url):
            await r.continue_()
        else:
            reader.outside.append(r.request.url)
            await r.abort()

    await page.route("**/*", route)
    await page.goto(f"{url}/?lang=zh&basemap=none", timeout=STEP_TIMEOUT_MS)
    await page.locator(".cm-map-root[data-ready='1']").wait_for(timeout=STEP_TIMEOUT_MS)
    return page


async def _click(page: Any, target: Target) -> float:
    """Centre the map on the target, click it, wait for its excerpt in the full panel."""
    root = page.locator(".cm-map-root").first
    await root.evaluate(
        "(el, v) => el.__cmMap.setView([v[0], v[1]], 12, {animate: false})",
        [target.lat, target.lon],
    )
    await page.locator(f"path.cm-f-{target.id}").first.wait_for(
        state="visible", timeout=STEP_TIMEOUT_MS
    )
    box = await root.locator(".leaflet-container").first.bounding_box()
    xy = await root.evaluate(
        "(el, ll) => { const p = el.__cmMap.latLngToContainerPoint(ll); return [p.x, p.y]; }",
        [target.lat, target.lon],
    )
    start = time.monotonic()
    await page.mouse.click(box["x"] + xy[0], box["y"] + xy[1])
    panel = page.locator("[data-testid='stColumn'] .cm-excerpt .cm-quote")
    await panel.filter(has_text=target.quote).first.wait_for(timeout=STEP_TIMEOUT_MS)
    return time.monotonic() - start


async def _reader_open(browser: Any, url: str, reader: Reader) -> Any:
    try:
        return await _open(browser, url, reader)
    except Exception as exc:  # report it; the other sessions go on
        reader.errors.append(f"open: {type(exc).__name__}: {str(exc).splitlines()[0]}")
        return None


async def _reader_loop(page: Any, reader: Reader, targets: list[Target], end: float) -> None:
    if page is None:
        return
    try:
        i = reader.number  # sessions start on different zones
        while time.monotonic() < end:
            reader.times.append(await _click(page, targets[i % len(targets)]))
            i += 1
        if await page.locator(".stException").count():
            reader.errors.append("the app shows an exception")
        await page.context.close()
    except Exception as exc:  # report it; the other sessions go on
        reader.errors.append(f"click: {type(exc).__name__}: {str(exc).splitlines()[0]}")


def _curator(number: int, url: str, data_root: str, end: float, results: Any) -> None:
    """One curator process: rename features until ``end``; report saves and conflicts."""
    from corridor_map.curation.edits import Provenance, set_fields
    from corridor_map.curation.postgres import open_curation_store
    from corridor_map.curation.store import CurationError, VersionConflictError

    store = open_curation_store(url, Path(data_root))
    layers = Path(data_root) / "layers"
    saved, conflicts, errors = [], 0, []
    i = 0
    while time.monotonic() < end:
        # Every curator on the same feature at the same step: saves collide on purpose.
        feature = RENAMED[i % len(RENAMED)]
        value = f"curator-{number} save {i}"
        i += 1
        version = store.feature(feature).version
        try:
            change = set_fields(
                store,
                layers,
                feature,
                {"name_en": value},
                provenance=Provenance(
                    author=f"curator-{number}", reason="load test", source="load test"
                ),
                expected_version=version,
            )
            saved.append((change.id, feature, value, f"curator-{number}"))
        except (VersionConflictError, CurationError) as exc:
            if "版本冲突" in str(exc):
                conflicts += 1
            else:
                errors.append(str(exc).splitlines()[0])
    store.close()
    results.put((number, saved, conflicts, errors))


def _follower(url: str, roots: list[Path], stop: threading.Event, errors: list[str]) -> None:
    from corridor_map.curation.postgres import PostgresStore, follow_store

    stores = [PostgresStore(url, root / "layers") for root in roots]
    while not stop.wait(FOLLOW_EVERY_S):
        for store, root in zip(stores, roots, strict=True):
            try:
                follow_store(store, root / "layers")
            except Exception as exc:
                errors.append(f"follow {root.name}: {exc}")
    for store, root in zip(stores, roots, strict=True):
        follow_store(store, root / "layers")
        store.close()


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def _check_history(url: str, root: Path, saved: list[tuple[int, str, str, str]]) -> list[str]:
    """Lost updates: every accepted save in the history, in order, and the final state."""
    from corridor_map.curation.postgres import PostgresStore

    store = PostgresStore(url, root / "layers")
    history = store.history()
    problems = []
    ids = [c.id for c in history]
    if ids != list(range(1, len(ids) + 1)):
        problems.append(f"change ids have gaps: {ids[:10]}…")
    by_id = {c.id: c for c in history}
    for cid, feature, value, author in saved:
        change = by_id.get(cid)
        if change is None or change.feature != feature or change.author != author:
            problems.append(f"save {cid} ({author}, {feature}) is not in the history")
        elif change.after["properties"]["name_en"] != value:
            problems.append(f"change {cid} holds another value than {author} saved")
    if len(history) != len(saved):
        problems.append(f"{len(history)} changes in the history, {len(saved)} saves accepted")
    for feature in RENAMED:
        last = [c for c in history if c.feature == feature]
        if (
            last
            and store.feature(feature).properties["name_en"]
            != last[-1].after["properties"]["name_en"]
        ):
            problems.append(f"{feature} does not hold its last accepted value")
    store.close()
    return problems


async def _run(args: argparse.Namespace, urls: list[str], roots: list[Path], db: str) -> int:
    from playwright.async_api import async_playwright

    targets = click_targets()
    async with async_playwright() as p:
        browser = await p.chromium.launch(
            executable_path="/usr/bin/chromium", args=list(CHROMIUM_ARGS)
        )
        # 1. the single-user reference, in this run, on replica A
        alone = Reader(-1)
        page = await _open(browser, urls[0], alone)
        await _click(page, targets[0])  # warm-up: first imports and caches
        for i in range(args.clicks):
            alone.times.append(await _click(page, targets[(i + 1) % len(targets)]))
        await page.context.close()
        single = statistics.median(alone.times)
        print(f"single user: click → panel median {single:.3f} s over {len(alone.times)} clicks")

        # 2. the load: every session opens its page first (not timed), then the clock runs
        readers = [Reader(n) for n in range(args.readers)]
        pages = await asyncio.gather(
            *(_reader_open(browser, urls[r.number % 2], r) for r in readers)
        )
        ctx = multiprocessing.get_context("spawn")
        results = ctx.Queue()
        end = time.monotonic() + args.duration
        curators = [
            ctx.Process(target=_curator, args=(n, db, str(roots[n % 2]), end, results))
            for n in range(args.curators)
        ]
        stop, follow_errors = threading.Event(), []
        follower = threading.Thread(target=_follower, args=(db, roots, stop, follow_errors))
        follower.start()
        for c in curators:
            c.start()
        await asyncio.gather(
            *(_reader_loop(page, r, targets, end) for page, r in zip(pages, readers, strict=True))
        )
        outcomes = [results.get(timeout=STEP_TIMEOUT_MS / 1000) for _ in curators]
        for c in curators:
            c.join(timeout=60)
        stop.set()
        follower.join()
        await browser.close()

    # 3. the checks
    times = [t for r in readers for t in r.times]
    reader_errors = [f"reader {r.number}: {e}" for r in readers for e in r.errors]
    outside = sum(len(r.outside) for r in readers)
    saved = sorted(s for _, done, _, _ in outcomes for s in done)
    conflicts = sum(c for _, _, c, _ in outcomes)
    curator_errors = [e for _, _, _, errs in outcomes for e in errs] + follow_errors
    lost = _check_history(db, roots[0], saved)
    same = all(
        (roots[0] / "layers" / name).read_bytes() == (roots[1] / "layers" / name).read_bytes()
        for name in ("taizhou_bay.geojson", "wenling_lakes.geojson", "wenzhou_daluo.geojson")
    )
    p95 = _p95(times) if times else float("nan")
    print(
        f"load: {args.readers} readers on 2 app processes, {args.curators} curators, "
        f"{args.duration} s on PostGIS"
    )
    print(
        f"  reader clicks {len(times)}: median {statistics.median(times) if times else 0:.3f} s,"
        f" p95 {p95:.3f} s ({p95 / single:.2f} × single-user median)"
    )
    print(f"  saves accepted {len(saved)}, conflicts refused (and retried) {conflicts}")
    print(f"  reader errors {len(reader_errors)}, curator errors {len(curator_errors)}")
    print(f"  outside requests blocked {outside}")
    print(f"  lost updates: {len(lost)}; replicas' layers equal: {same}")
    for line in (reader_errors + curator_errors + lost)[:15]:
        print("   ", line)
    checks = {
        "0 errors": not reader_errors and not curator_errors,
        "0 lost updates": not lost,
        "replicas converge": same,
        "p95 click → panel ≤ 2 × single user": p95 <= 2 * single,
    }
    for name, ok in checks.items():
        print(f"{'PASS' if ok else 'FAIL'}  {name}")
    return 0 if all(checks.values()) else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--readers", type=int, default=10)
    parser.add_argument("--curators", type=int, default=3)
    parser.add_argument("--duration", type=int, default=60, help="seconds of load")
    parser.add_argument("--clicks", type=int, default=6, help="single-user clicks")
    args = parser.parse_args()
    if not (1 <= args.readers <= MAX_READERS and 0 <= args.curators <= MAX_CURATORS):
        parser.error(f"at most {MAX_READERS} readers and {MAX_CURATORS} curators")
    if not 5 <= args.duration <= MAX_DURATION:
        parser.error(f"--duration between 5 and {MAX_DURATION} s")
    reason = skip_reason()
    if reason:
        print(f"cannot run: {reason}")
        return 2
    import tempfile

    with tempfile.TemporaryDirectory(prefix="load-bureaus-") as tmp, postgres_cluster() as db:
        roots = [copy_data(Path(tmp) / name) for name in ("replica-a", "replica-b")]
        from corridor_map.curation.postgres import PostgresStore

        PostgresStore(db, roots[0] / "layers").close()  # fill the database once
        cache = Path(tmp) / "cache"
        with (
            streamlit_app(
                ROOT / "app.py",
                cwd=ROOT,
                env=_env(roots[0], db, cache),
                timeout_s=STEP_TIMEOUT_MS / 1000,
            ) as a,
            streamlit_app(
                ROOT / "app.py",
                cwd=ROOT,
                env=_env(roots[1], db, cache),
                timeout_s=STEP_TIMEOUT_MS / 1000,
            ) as b,
        ):
            return asyncio.run(_run(args, [a.url, b.url], roots, db))


def _env(root: Path, db: str, cache: Path) -> dict[str, str]:
    env = dict(os.environ, CORRIDOR_MAP_DATA=str(root), CORRIDOR_MAP_DB=db)
    env["CORRIDOR_MAP_CACHE"] = str(cache)
    env.pop("TIANDITU_KEY", None)
    return env


if __name__ == "__main__":
    sys.exit(main())
