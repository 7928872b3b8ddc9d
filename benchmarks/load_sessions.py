"""Load the app with N concurrent browser sessions and report the server's cost per session.

Starts ``app.py`` with :func:`tests._appserver.streamlit_app` bound to 127.0.0.1,
opens one headless Chromium (``/usr/bin/chromium``) with N browser contexts (one Streamlit
session each; every request to anything but this machine is aborted and counted), and
measures the server process from ``/proc/<pid>`` (CPU seconds = utime + stime, memory =
VmRSS):

1. warm-up: one session loads the page and clicks, then closes (one-time imports and
   caches: reported apart, not charged to the sessions);
2. load: all N sessions open the page at once; each waits for the map to draw;
3. click: all N centre the map on the Taizhou central core and click it at once; each
   waits for its full panel (a miss, on a busy machine, is clicked again and counted);
4. close: all contexts close; the server's memory is sampled until Streamlit's
   ``server.disconnectedSessionTTL`` (120 s by default) has passed, plus a margin.

Steps 2–4 run ``--rounds`` times (default 2) with N new sessions each. CPU per page load
= server CPU during step 2 ÷ N, per click = step 3 ÷ N, both measured until the server is
idle again; memory per session = (RSS after step 3 − RSS before step 2) ÷ N. "released"
is *yes* when the RSS after round 1's wait is back near the warm-up baseline, *reused*
when it is not (CPython and glibc keep freed memory for reuse rather than return it) but
the later rounds' N new sessions fit in it without growing the server further, else NO.

Bounded: at most 50 sessions, a time limit per step and for the whole run, localhost
only. It prints figures; it is not a test. Run::

    .venv/bin/python benchmarks/load_sessions.py [--sessions 20] [--rounds 2] [--time-limit 1500]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import shapely

from corridor_map.atlas.model import load_atlas

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # tests._appserver

from tests._appserver import CHROMIUM_ARGS, is_local, streamlit_app

ROOT = Path(__file__).resolve().parent.parent
CORE_ID = "taizhou-central-core"
MAX_SESSIONS = 50
STEP_TIMEOUT_MS = 180_000
ATTEMPT_TIMEOUT_MS = 20_000
CLICK_ATTEMPTS = 4
MAX_ROUNDS = 3
# Below this an RSS difference is noise (allocator pages, thread stacks).
RSS_NOISE_MB = 2.0
MAP_READY = ".cm-map-root[data-ready='1']"
_TICK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a process so far (from /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / _TICK


def rss_mb(pid: int) -> float:
    """Resident memory of a process in MB (VmRSS from /proc)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


async def wait_idle(pid: int, *, below: float = 0.05, window_s: float = 1.0, limit_s: float = 60):
    """Wait until the process uses less than ``below`` of a core over ``window_s``."""
    deadline = time.monotonic() + limit_s
    while time.monotonic() < deadline:
        start = cpu_seconds(pid)
        await asyncio.sleep(window_s)
        if (cpu_seconds(pid) - start) / window_s < below:
            return


def click_point() -> tuple[float, float]:
    """(lat, lon) inside the central core but clear of every other drawn curated feature."""
    atlas = load_atlas(strict=True)
    core = atlas.get(CORE_ID)
    others = []
    for feature in atlas.select(include_reference=False):
        if feature.id == CORE_ID or feature.geometry is None or feature.role == "extent":
            continue
        g = feature.geometry
        others.append(g if g.geom_type.endswith("Polygon") else g.buffer(0.004))
    free = core.geometry.difference(shapely.union_all(others)) if others else core.geometry
    point = free.representative_point()
    return point.y, point.x


@dataclass
class Session:
    """One browser context: its timings, errors and blocked outside requests."""

    number: int
    context: Any = None
    page: Any = None
    load_s: float | None = None
    click_s: float | None = None
    attempts: int = 0
    errors: list[str] = field(default_factory=list)
    outside: list[str] = field(default_factory=list)

    async def open(self, browser: Any) -> None:
        self.context = await browser.new_context(viewport={"width": 1400, "height": 900})
        self.page = await self.context.new_page()
        self.page.on("pageerror", lambda exc: self.errors.append(f"page error: {exc}"))
        await self.page.route("**/*", self._route)

    async def _route(self, route: Any) -> None:
        if is_local(route.request.url):
            await route.continue_()
        else:
            self.outside.append(route.request.url)
            await route.abort()

    async def load(self, url: str) -> None:
        start = time.monotonic()
        try:
            await self.page.goto(url, timeout=STEP_TIMEOUT_MS)
            await self.page.locator(MAP_READY).wait_for(timeout=STEP_TIMEOUT_MS)
            await self.page.locator(f"path.cm-f-{CORE_ID}").first.wait_for(
                state="attached", timeout=STEP_TIMEOUT_MS
            )
            self.load_s = time.monotonic() - start
        except Exception as exc:  # report, do not stop the other sessions
            self.errors.append(f"load: {type(exc).__name__}: {str(exc).splitlines()[0]}")

    async def click(self, lat: float, lon: float) -> None:
        if self.load_s is None:
            return
        start = time.monotonic()
        try:
            root = self.page.locator(".cm-map-root").first
            for attempt in range(1, CLICK_ATTEMPTS + 1):
                self.attempts = attempt
                # Centre the map on the point (pans never reach the server) and wait until
                # the core is drawn there: on a busy machine a click before that misses.
                await root.evaluate(
                    "(el, v) => el.__cmMap.setView([v[0], v[1]], 12, {animate: false})",
                    [lat, lon],
                )
                await self.page.locator(f"path.cm-f-{CORE_ID}").first.wait_for(
                    state="visible", timeout=STEP_TIMEOUT_MS
                )
                box = await root.locator(".leaflet-container").first.bounding_box()
                xy = await root.evaluate(
                    "(el, ll) => { const p = el.__cmMap.latLngToContainerPoint(ll);"
                    " return [p.x, p.y]; }",
                    [lat, lon],
                )
                await self.page.mouse.click(box["x"] + xy[0], box["y"] + xy[1])
                try:
                    await self.page.wait_for_function(
                        f"location.search.includes('sel={CORE_ID}')", timeout=ATTEMPT_TIMEOUT_MS
                    )
                    break
                except Exception:
                    if attempt == CLICK_ATTEMPTS:
                        raise
            # The full panel (a server rerun) follows the in-page preview.
            await self.page.locator("[data-testid='stColumn'] .cm-head").first.wait_for(
                timeout=STEP_TIMEOUT_MS
            )
            self.click_s = time.monotonic() - start
        except Exception as exc:
            self.errors.append(f"click: {type(exc).__name__}: {str(exc).splitlines()[0]}")

    async def check_app_errors(self) -> None:
        if self.page is not None and await self.page.locator(".stException").count():
            self.errors.append("the app shows an exception")

    async def close(self) -> None:
        if self.context is not None:
            await self.context.close()


def _median(values: list[float]) -> str:
    return f"{statistics.median(values):.1f} s" if values else "-"


@dataclass
class Round:
    """One round of N sessions: CPU and memory figures of the server."""

    group: list[Session]
    load_cpu: float = 0.0
    load_wall: float = 0.0
    click_cpu: float = 0.0
    click_wall: float = 0.0
    rss_before: float = 0.0
    rss_loaded: float = 0.0
    rss_clicked: float = 0.0
    samples: list[tuple[float, float]] = field(default_factory=list)


async def one_round(
    browser: Any,
    url: str,
    pid: int,
    sessions: int,
    first: int,
    lat: float,
    lon: float,
    release_wait_s: float,
) -> Round:
    """N concurrent page loads, then N concurrent clicks, then close all and watch RSS."""
    r = Round([Session(first + i) for i in range(sessions)], rss_before=rss_mb(pid))
    await asyncio.gather(*(s.open(browser) for s in r.group))
    cpu1, t1 = cpu_seconds(pid), time.monotonic()
    await asyncio.gather(*(s.load(url) for s in r.group))
    r.load_wall = time.monotonic() - t1
    await wait_idle(pid)
    r.load_cpu, r.rss_loaded = cpu_seconds(pid) - cpu1, rss_mb(pid)

    cpu2, t2 = cpu_seconds(pid), time.monotonic()
    await asyncio.gather(*(s.click(lat, lon) for s in r.group))
    r.click_wall = time.monotonic() - t2
    await wait_idle(pid)
    r.click_cpu, r.rss_clicked = cpu_seconds(pid) - cpu2, rss_mb(pid)
    await asyncio.gather(*(s.check_app_errors() for s in r.group))

    await asyncio.gather(*(s.close() for s in r.group))
    closed_at = time.monotonic()
    r.samples = [(0.0, rss_mb(pid))]
    while time.monotonic() - closed_at < release_wait_s:
        await asyncio.sleep(min(10.0, release_wait_s))
        r.samples.append((time.monotonic() - closed_at, rss_mb(pid)))
    return r


async def run(sessions: int, release_wait_s: float, rounds: int) -> int:
    from playwright.async_api import async_playwright

    lat, lon = click_point()
    env = dict(os.environ, STREAMLIT_SERVER_ADDRESS="127.0.0.1")
    env.pop("TIANDITU_KEY", None)
    done: list[Round] = []
    with streamlit_app(ROOT / "app.py", cwd=ROOT, env=env, timeout_s=120) as app:
        pid = app.process.pid
        async with async_playwright() as p:
            browser = await p.chromium.launch(
                executable_path="/usr/bin/chromium", args=list(CHROMIUM_ARGS)
            )
            await wait_idle(pid)
            rss_start = rss_mb(pid)

            # warm-up (one-time imports, caches): reported apart
            cpu0 = cpu_seconds(pid)
            warm = Session(0)
            await warm.open(browser)
            await warm.load(app.url)
            await warm.click(lat, lon)
            await warm.close()
            await wait_idle(pid)
            warm_cpu = cpu_seconds(pid) - cpu0
            rss_base = rss_mb(pid)

            for number in range(rounds):
                done.append(
                    await one_round(
                        browser,
                        app.url,
                        pid,
                        sessions,
                        1 + number * sessions,
                        lat,
                        lon,
                        release_wait_s,
                    )
                )
            await browser.close()

    everyone = [warm, *(s for r in done for s in r.group)]
    errors = [f"session {s.number}: {e}" for s in everyone for e in s.errors]
    outside = sum(len(s.outside) for s in everyone)
    hosts = sorted({u.split("/")[2] for s in everyone for u in s.outside if "://" in u})
    print(
        f"sessions: {rounds} round(s) of {sessions} concurrent (+1 warm-up), "
        f"server pid {pid}, localhost only"
    )
    print(f"warm-up session (first load + click): {warm_cpu:.2f} server CPU-s")
    print(f"memory (RSS): start {rss_start:.0f} MB, after warm-up {rss_base:.0f} MB")
    for number, r in enumerate(done, 1):
        loaded = [s.load_s for s in r.group if s.load_s is not None]
        clicked = [s.click_s for s in r.group if s.click_s is not None]
        retried = sum(1 for s in r.group if s.attempts > 1)
        grown = r.rss_clicked - r.rss_before
        print(f"round {number}:")
        print(
            f"  page load: {r.load_cpu / sessions:.2f} server CPU-s per load "
            f"({r.load_cpu:.1f} s for {sessions}; wall {r.load_wall:.1f} s, "
            f"median {_median(loaded)})"
        )
        print(
            f"  click: {r.click_cpu / sessions:.2f} server CPU-s per click "
            f"({r.click_cpu:.1f} s for {sessions}; wall {r.click_wall:.1f} s, "
            f"median {_median(clicked)}; {retried} click(s) repeated after a miss)"
        )
        print(
            f"  memory: {r.rss_before:.0f} MB before, {sessions} loaded {r.rss_loaded:.0f} MB, "
            f"after clicks {r.rss_clicked:.0f} MB → {grown / sessions:.1f} MB per session"
        )
        trail = ", ".join(
            f"{t:.0f} s: {m:.0f} MB" for t, m in r.samples[:: max(1, len(r.samples) // 5)]
        )
        print(f"  after closing: {trail} … {r.samples[-1][0]:.0f} s: {r.samples[-1][1]:.0f} MB")
    first_grown = done[0].rss_clicked - rss_base
    end_first, end_last = done[0].samples[-1][1], done[-1].samples[-1][1]
    # Released: after the sessions closed, the server is back near the warm-up baseline,
    # or (CPython keeps freed memory in its arenas for reuse) later rounds of as many new
    # sessions fit in it without growing the server further.
    # (a tolerance of a quarter of what the sessions added, at least RSS_NOISE_MB)
    slack = max(0.25 * first_grown, RSS_NOISE_MB)
    back = (end_first - rss_base) <= slack
    reused = len(done) > 1 and (end_last - end_first) <= slack
    verdict = "yes" if back else ("reused" if reused else "NO")
    print(
        f"released: {verdict} (after round 1: {end_first - rss_base:+.0f} MB over the warm-up "
        f"baseline, sessions added {first_grown:+.0f} MB"
        + (
            f"; after round {len(done)}: {end_last - end_first:+.0f} MB more than after round 1)"
            if len(done) > 1
            else ")"
        )
    )
    print(f"blocked outside requests: {outside}" + (f" ({', '.join(hosts)})" if hosts else ""))
    print(f"errors: {len(errors)}")
    for line in errors[:20]:
        print(f"  {line}")
    return 0 if not errors else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=20, help=f"1–{MAX_SESSIONS}")
    parser.add_argument(
        "--release-wait",
        type=float,
        default=135.0,
        help="seconds to watch memory after closing (Streamlit keeps a closed session "
        "120 s by default; 0–600)",
    )
    parser.add_argument(
        "--time-limit", type=float, default=1500.0, help="whole run, seconds (≤ 1800)"
    )
    parser.add_argument(
        "--rounds",
        type=int,
        default=2,
        help=f"rounds of N new sessions, each closed and watched (1–{MAX_ROUNDS}): a "
        "later round shows whether the memory of closed sessions is reused",
    )
    args = parser.parse_args(argv)
    if not 1 <= args.rounds <= MAX_ROUNDS:
        parser.error(f"--rounds must be within 1–{MAX_ROUNDS}")
    if not 1 <= args.sessions <= MAX_SESSIONS:
        parser.error(f"--sessions must be within 1–{MAX_SESSIONS}")
    if not 0 <= args.release_wait <= 600:
        parser.error("--release-wait must be within 0–600 s")
    if not 0 < args.time_limit <= 1800:
        parser.error("--time-limit must be within 0–1800 s")
    try:
        return asyncio.run(
            asyncio.wait_for(run(args.sessions, args.release_wait, args.rounds), args.time_limit)
        )
    except TimeoutError:
        print(f"stopped: the run exceeded --time-limit {args.time_limit:g} s", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
