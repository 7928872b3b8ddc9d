"""Several bureaus at once: reader sessions clicking while curators save, on PostGIS.

Bounded and local: a throwaway PostgreSQL + PostGIS cluster (tests/_postgres.py), two app
processes (``app.py``, two replicas, each with its own data folder, like two hosts behind
a load balancer; each follows the database in the background, as ``app.py`` does),
reader sessions split over the two, and curator processes saving through the store's one
path (``edits.set_fields``: validated, recorded, published into the curators' own data
folder, as ``corridor-map edit`` does on a curator's computer with ``CORRIDOR_MAP_DB``
set) for ``--duration`` seconds. The replicas learn of every change from the database.

Reader sessions. In a deployment every reader has a browser on a computer of their own;
here all of them would share the servers' two cores, and 50 headless Chromium pages
spend most of the CPU on Leaflet and React (a bare ``setView`` took 3 s alone and 38 s
under that load in the last wave), which measures the browsers, not the servers. So
``--browsers`` readers (default 2) are real Chromium pages and the others speak the app's
own websocket protocol (``benchmarks/protocol_session.py``): the page's first run, the
map bundle over HTTP, and per click the ``rerun_script`` a real Chromium click sent in
this run, with the selected id changed. Every reader waits ``--think`` seconds (uniform
between half and one and a half times it) between clicks, reading the panel.

1. single user, on replica A, alone: a Chromium page clicks the two zones in turn
   (``--clicks`` times): click → full panel, the reference figure of this run (the
   measure of ``benchmarks/bench_app.py``); then one protocol session does the same: its
   click → panel is the server's part, and the difference of the two medians is the
   browser's own part (drawing the panel), which a reader's own computer adds;
2. load: ``--readers`` sessions click for ``--duration`` s while ``--curators`` processes
   rename the same three features in the same order, ``--curator-think`` seconds apart
   (uniform, as for readers), so saves collide: a save against a stale version is refused
   and counted, and the curator goes on from a fresh read, as a person would merge;
3. checks: reader errors (timeouts, exceptions shown by the app, outside requests),
   curator errors other than conflicts, lost updates (every accepted save is in the
   history, in the order of its ids, with its author and value; ids have no gaps; the
   features hold the last accepted value), and the two replicas' layer files equal byte
   for byte.

Prints the figures and PASS/FAIL: 0 errors, 0 lost updates, replicas equal, and p95
click → panel under load within 2 × the single-user median, for the readers (protocol
time + the browser's part measured in step 1) and, printed beside it, for the Chromium
readers alone (their browsers share the servers' cores, which a deployment's do not).
The issue's full load is 50 readers and 5 curators for 120 s (the maximum here).

Run::

    .venv/bin/python benchmarks/load_bureaus.py [--readers 50] [--curators 5] [--duration 120]
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import os
import random
import statistics
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # tests._appserver

from benchmarks.bench_app import Target, click_targets
from benchmarks.protocol_session import ClickTemplate, ProtocolSession
from tests._appserver import CHROMIUM_ARGS, is_local, streamlit_app
from tests._postgres import postgres_cluster, skip_reason
from tests._support import copy_data

ROOT = Path(__file__).resolve().parent.parent
MAX_READERS, MAX_CURATORS, MAX_DURATION = 50, 5, 120
STEP_TIMEOUT_MS = 120_000
RENAMED = ("taizhou-central-core", "jiaojiang-innovation-valley", "east-innovation-harbour")
QUERY = "lang=zh&basemap=none"


@dataclass
class Reader:
    """One reader session: its click → panel times and what went wrong."""

    number: int
    browser: bool
    times: list[float] = field(default_factory=list)
    at: list[float] = field(default_factory=list)  # when each click started
    errors: list[str] = field(default_factory=list)
    outside: list[str] = field(default_factory=list)


def _pause(mean_s: float, rng: random.Random) -> float:
    """A person's pause: uniform between half and one and a half times the mean."""
    return rng.uniform(0.5 * mean_s, 1.5 * mean_s) if mean_s > 0 else 0.0


async def _open(browser: Any, url: str, reader: Reader, frames: list[bytes] | None = None) -> Any:
    context = await browser.new_context(viewport={"width": 1400, "height": 900})
    page = await context.new_page()
    page.on("pageerror", lambda exc: reader.errors.append(f"page error: {exc}"))
    if frames is not None:  # the websocket frames the page sends, for the click template
        page.on(
            "websocket",
            lambda ws: ws.on(
                "framesent", lambda f: frames.append(f) if isinstance(f, bytes) else None
            ),
        )

    async def route(r: Any) -> None:
        if is_local(r.request.url):
            await r.continue_()
        else:
            reader.outside.append(r.request.url)
            await r.abort()

    await page.route("**/*", route)
    await page.goto(f"{url}/?{QUERY}", timeout=STEP_TIMEOUT_MS)
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


def _first_line(exc: BaseException) -> str:
    text = str(exc).splitlines()
    return f"{type(exc).__name__}: {text[0] if text else ''}"


async def _reader_open(
    browser: Any, urls: list[str], reader: Reader, template: ClickTemplate, target: Target
) -> Any:
    """The reader's page (a Chromium page or a protocol session), opened and clicked once
    (not timed: a session's first click also loads its page's parts); None on error."""
    url = urls[reader.number % 2]
    try:
        if reader.browser:
            page = await _open(browser, url, reader)
            await _click(page, target)
            return page
        session = ProtocolSession(url, QUERY, timeout_s=STEP_TIMEOUT_MS / 1000)
        await session.open()
        await session.click(template, target.id, target.quote)
        return session
    except Exception as exc:  # report it; the other sessions go on
        reader.errors.append(f"open: {_first_line(exc)}")
        return None


async def _reader_loop(
    page: Any,
    reader: Reader,
    targets: list[Target],
    template: ClickTemplate,
    end: float,
    think_s: float,
) -> None:
    if page is None:
        return
    rng = random.Random(reader.number)
    try:
        i = reader.number  # sessions start on different zones
        # Sessions start spread over one pause, not all at the same instant.
        await asyncio.sleep(rng.uniform(0, think_s))
        while time.monotonic() < end:
            target = targets[i % len(targets)]
            reader.at.append(time.monotonic())
            if reader.browser:
                reader.times.append(await _click(page, target))
            else:
                reader.times.append(await page.click(template, target.id, target.quote))
            i += 1
            await asyncio.sleep(_pause(think_s, rng))
        if reader.browser:
            if await page.locator(".stException").count():
                reader.errors.append("the app shows an exception")
            await page.context.close()
        else:
            reader.errors.extend(f"the app shows an exception: {e}" for e in page.exceptions)
            await page.close()
    except Exception as exc:  # report it; the other sessions go on
        reader.errors.append(f"click: {_first_line(exc)}")


def _curator(
    number: int,
    url: str,
    data_root: str,
    duration: float,
    think_s: float,
    ready: Any,
    results: Any,
) -> None:
    """One curator process: rename features for ``duration`` s; report saves and conflicts.

    Like a person: read the feature (its version), edit for a pause, save against the
    version read. Every curator works on the same feature at the same step, so saves
    collide on purpose. The process's start (imports, the store opened) happens before
    the clock runs, at ``ready`` with the others and the readers.
    """
    from corridor_map.curation.edits import Provenance, set_fields
    from corridor_map.curation.postgres import open_curation_store
    from corridor_map.curation.store import CurationError, VersionConflictError

    store = open_curation_store(url, Path(data_root))
    layers = Path(data_root) / "layers"
    store.feature(RENAMED[0])
    ready.wait()
    end = time.monotonic() + duration
    saved, conflicts, errors = [], 0, []
    rng = random.Random(1000 + number)
    i = 0
    while time.monotonic() < end:
        feature = RENAMED[i % len(RENAMED)]
        value = f"curator-{number} save {i}"
        i += 1
        version = store.feature(feature).version
        time.sleep(_pause(think_s, rng))
        if time.monotonic() >= end:
            break
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


async def _single_user(browser: Any, url: str, clicks: int, targets: list[Target]):
    """The reference of this run, alone on one replica: Chromium, then the protocol."""
    alone = Reader(-1, browser=True)
    frames: list[bytes] = []
    page = await _open(browser, url, alone, frames)
    await _click(page, targets[0])  # warm-up: first imports and caches
    for i in range(clicks):
        alone.times.append(await _click(page, targets[(i + 1) % len(targets)]))
    await page.context.close()
    template = ClickTemplate.from_frames(frames)
    session = ProtocolSession(url, QUERY, timeout_s=STEP_TIMEOUT_MS / 1000)
    await session.open()
    served = []
    for i in range(clicks):
        target = targets[(i + 1) % len(targets)]
        served.append(await session.click(template, target.id, target.quote))
    await session.close()
    return statistics.median(alone.times), statistics.median(served), template


async def _run(args: argparse.Namespace, urls: list[str], roots: list[Path], db: str) -> int:
    from playwright.async_api import async_playwright

    targets = click_targets()
    async with async_playwright() as p:
        browser = await p.chromium.launch(
            executable_path="/usr/bin/chromium", args=list(CHROMIUM_ARGS)
        )
        # 1. the single-user reference, in this run, on replica A
        single, served, template = await _single_user(browser, urls[0], args.clicks, targets)
        drawing = max(0.0, single - served)
        print(
            f"single user: click → panel median {single:.3f} s in Chromium over {args.clicks}"
            f" clicks; {served:.3f} s of it the server's (protocol session), {drawing:.3f} s"
            " the browser's"
        )

        # 2. the load: every session opens first (not timed), then the clock runs. The
        # protocol sessions run in their own processes: Playwright's own work in this one
        # (a message validated per event of the Chromium pages) would add to their times.
        readers = [Reader(n, browser=n < args.browsers) for n in range(args.readers)]
        in_chromium = [r for r in readers if r.browser]
        pages = await asyncio.gather(
            *(
                _reader_open(browser, urls, r, template, targets[(r.number + 1) % len(targets)])
                for r in in_chromium
            )
        )
        numbers = [r.number for r in readers if not r.browser]
        groups = [g for g in (numbers[0::2], numbers[1::2]) if g]
        ctx = multiprocessing.get_context("spawn")
        results, reports = ctx.Queue(), ctx.Queue()
        ready = ctx.Barrier(args.curators + len(groups) + 1)
        workers = [
            ctx.Process(
                target=_curator,
                args=(n, db, str(roots[2]), args.duration, args.curator_think, ready, results),
            )
            for n in range(args.curators)
        ] + [
            ctx.Process(
                target=_protocol_readers,
                args=(group, urls, template.message, targets, args, ready, reports),
            )
            for group in groups
        ]
        for w in workers:
            w.start()
        await asyncio.to_thread(ready.wait, STEP_TIMEOUT_MS / 1000)
        end = time.monotonic() + args.duration
        await asyncio.gather(
            *(
                _reader_loop(page, r, targets, template, end, args.think)
                for page, r in zip(pages, in_chromium, strict=True)
            )
        )
        outcomes = [results.get(timeout=STEP_TIMEOUT_MS / 1000) for _ in range(args.curators)]
        by_number = {r.number: r for r in readers}
        for _ in groups:
            for number, times, at, errors in reports.get(timeout=STEP_TIMEOUT_MS / 1000):
                by_number[number].times, by_number[number].at = times, at
                by_number[number].errors = errors
        for w in workers:
            w.join(timeout=60)
        await browser.close()

    # 3. the checks (the replicas follow the database themselves: wait for them)
    same = _replicas_converge(roots, limit_s=30)
    protocol = [t + drawing for r in readers if not r.browser for t in r.times]
    chromium = [t for r in readers if r.browser for t in r.times]
    times = protocol + chromium
    reader_errors = [f"reader {r.number}: {e}" for r in readers for e in r.errors]
    outside = sum(len(r.outside) for r in readers)
    saved = sorted(s for _, done, _, _ in outcomes for s in done)
    conflicts = sum(c for _, _, c, _ in outcomes)
    curator_errors = [e for _, _, _, errs in outcomes for e in errs]
    lost = _check_history(db, roots[0], saved)
    p95 = _p95(times) if times else float("nan")
    print(
        f"load: {args.readers} readers ({args.browsers} in Chromium) on 2 app processes,"
        f" {args.think:g} s between clicks; {args.curators} curators,"
        f" {args.curator_think:g} s per edit; {args.duration} s on PostGIS"
    )
    print(
        f"  reader clicks {len(times)}: median {statistics.median(times) if times else 0:.3f}"
        f" s, p95 {p95:.3f} s ({p95 / single:.2f} × single-user median)"
    )
    if protocol:
        served_p95 = _p95([t - drawing for t in protocol])
        print(
            f"    protocol sessions: {len(protocol)} clicks, server's part p95"
            f" {served_p95:.3f} s ({served_p95 / served:.2f} × alone)"
        )
    if chromium:
        print(
            f"    Chromium pages: {len(chromium)} clicks, p95 {_p95(chromium):.3f} s"
            f" ({_p95(chromium) / single:.2f} × single user)"
        )
    print("  p95 by 10-s window:", _windows(readers, end - args.duration, args.duration))
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


def _windows(readers: list[Reader], start: float, duration: float) -> str:
    """The server's p95 in each 10-s window of the load (where the slow clicks were)."""
    out = []
    for w in range(0, int(duration), 10):
        inside = [
            t
            for r in readers
            for t, at in zip(r.times, r.at, strict=False)
            if w <= at - start < w + 10
        ]
        out.append(f"{_p95(inside):.2f}" if inside else "-")
    return " ".join(out)


def _protocol_readers(
    numbers: list[int],
    urls: list[str],
    message: bytes,
    targets: list[Target],
    args: argparse.Namespace,
    ready: Any,
    reports: Any,
) -> None:
    """A process of protocol sessions: open them, wait for the clock, click, report."""
    asyncio.run(
        _protocol_main(numbers, urls, ClickTemplate(message), targets, args, ready, reports)
    )


async def _protocol_main(
    numbers: list[int],
    urls: list[str],
    template: ClickTemplate,
    targets: list[Target],
    args: argparse.Namespace,
    ready: Any,
    reports: Any,
) -> None:
    readers = [Reader(n, browser=False) for n in numbers]
    sessions = await asyncio.gather(
        *(
            _reader_open(None, urls, r, template, targets[(r.number + 1) % len(targets)])
            for r in readers
        )
    )
    await asyncio.to_thread(ready.wait, STEP_TIMEOUT_MS / 1000)
    end = time.monotonic() + args.duration
    await asyncio.gather(
        *(
            _reader_loop(session, r, targets, template, end, args.think)
            for session, r in zip(sessions, readers, strict=True)
        )
    )
    reports.put([(r.number, r.times, r.at, r.errors) for r in readers])


def _replicas_converge(roots: list[Path], limit_s: float) -> bool:
    """Whether the replicas' layer files become those the curators published, within
    ``limit_s``."""
    names = ("taizhou_bay.geojson", "wenling_lakes.geojson", "wenzhou_daluo.geojson")
    deadline = time.monotonic() + limit_s
    while True:
        if all(len({(root / "layers" / n).read_bytes() for root in roots}) == 1 for n in names):
            return True
        if time.monotonic() > deadline:
            return False
        time.sleep(0.5)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--readers", type=int, default=MAX_READERS)
    parser.add_argument("--curators", type=int, default=MAX_CURATORS)
    parser.add_argument("--duration", type=int, default=MAX_DURATION, help="s of load")
    parser.add_argument("--clicks", type=int, default=6, help="single-user clicks")
    parser.add_argument("--browsers", type=int, default=2, help="readers in Chromium")
    parser.add_argument("--think", type=float, default=3.0, help="mean s between clicks")
    parser.add_argument(
        "--curator-think", type=float, default=5.0, help="mean s a curator edits before saving"
    )
    args = parser.parse_args()
    if not (1 <= args.readers <= MAX_READERS and 0 <= args.curators <= MAX_CURATORS):
        parser.error(f"at most {MAX_READERS} readers and {MAX_CURATORS} curators")
    if not 0 <= args.browsers <= args.readers:
        parser.error("--browsers between 0 and --readers")
    if not 5 <= args.duration <= MAX_DURATION:
        parser.error(f"--duration between 5 and {MAX_DURATION} s")
    reason = skip_reason()
    if reason:
        print(f"cannot run: {reason}")
        return 2
    import tempfile

    with tempfile.TemporaryDirectory(prefix="load-bureaus-") as tmp, postgres_cluster() as db:
        names = ("replica-a", "replica-b", "curators")
        roots = [copy_data(Path(tmp) / name) for name in names]
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
