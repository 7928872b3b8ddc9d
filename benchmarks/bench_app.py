"""Benchmark the map app against the plain st_folium pattern and Streamlit's own floor.

Three apps measured in one run, in the same headless Chromium (outside requests blocked):

* **app** — this project's ``app.py`` (map host: a Custom Component v2 with a cached map
  bundle; the panel in a fragment);
* **plain** — the least a folium + ``st_folium`` round trip costs: a map of the 中央创新核
  polygon alone, whose click writes the excerpt with ``st.write``. It loads Leaflet from
  the same local static files as the app (``webmap.OfflineMap``; folium's default CDN
  scripts are blocked here, and the map would never draw);
* **floor** — Streamlit's own rerun floor: a button whose click writes a text.

Optionally **before** (``--before REV``): ``app.py`` as it was at a git revision, run from
a temporary worktree, so that before/after come from the same run.

For each: start → interactive, click → excerpt visible (median of ``--clicks``; for the
app both the instant preview card on the map, which names the feature and leaves the
excerpts to the panel, and the full Streamlit panel with the excerpt), websocket bytes
received per selection, page payload (HTTP bodies + websocket frames until idle). For the
app also a click in the measure view. Ratios against the floor and the plain pattern are
printed, with the issue's targets.

Run: ``.venv/bin/python benchmarks/bench_app.py [--clicks N] [--before REV]``.
"""

from __future__ import annotations

import argparse
import contextlib
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import shapely

from corridor_map.atlas.model import load_atlas
from corridor_map.webmap.assets import ensure_static_assets

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # tests._appserver

from tests._appserver import is_local, launch_chromium, streamlit_app

ROOT = Path(__file__).resolve().parent.parent
CORE_ID = "taizhou-central-core"
SECOND_ID = "jiaojiang-innovation-valley"

PLAIN_APP = """
import folium
import streamlit as st
from streamlit_folium import st_folium
from corridor_map.atlas.model import load_atlas
from corridor_map.webmap.build import OfflineMap
from shapely.geometry import mapping

core = load_atlas().get("taizhou-central-core")
m = OfflineMap(location=[28.64, 121.40], zoom_start=12, tiles=None)
folium.GeoJson(
    {"type": "Feature", "properties": {"id": core.id}, "geometry": mapping(core.geometry)}
).add_to(m)
out = st_folium(m, width=800, height=600, returned_objects=["last_object_clicked"])
clicked = (out or {}).get("last_object_clicked")
if clicked:
    st.write(core.sources[0]["quote"])
    st.text(f"clicked {clicked['lat']:.6f},{clicked['lng']:.6f}")
"""

FLOOR_APP = """
import streamlit as st
from corridor_map.atlas.model import load_atlas

quote = load_atlas().get("taizhou-central-core").sources[0]["quote"]
if st.button("go"):
    st.session_state["n"] = st.session_state.get("n", 0) + 1
    st.write(quote)
    st.text(f"clicked #{st.session_state['n']}")
"""


@dataclass(frozen=True)
class Target:
    """A feature the benchmark clicks: a point inside it that no other feature covers."""

    id: str
    lat: float
    lon: float
    name: str
    quote: str  # its first excerpt, as the panel shows it


@dataclass
class Result:
    """What one app measured."""

    name: str
    ready_s: float = 0.0
    payload_kb: float = 0.0
    bundle_kb: float = 0.0
    clicks_s: list[float] = field(default_factory=list)
    panel_s: list[float] = field(default_factory=list)
    ws_per_click_kb: list[float] = field(default_factory=list)
    measure_s: list[float] = field(default_factory=list)
    measure_ws_kb: list[float] = field(default_factory=list)
    starts_s: list[float] = field(default_factory=list)
    builds: int = 0
    outside: int = 0
    error: str | None = None

    @property
    def click(self) -> float:
        return _median(self.clicks_s)

    @property
    def panel(self) -> float:
        return _median(self.panel_s) if self.panel_s else self.click

    @property
    def ws_kb(self) -> float:
        return _median(self.ws_per_click_kb)

    @property
    def measure(self) -> float:
        return _median(self.measure_s)

    @property
    def measure_kb(self) -> float:
        return _median(self.measure_ws_kb)


def _median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


class _Counters:
    """Bytes over HTTP (bodies; the map bundle apart) and the websocket (both ways)."""

    def __init__(self, page) -> None:
        self.http = 0
        self.bundle = 0
        self.ws = 0
        self.outside = 0
        page.route("**/*", self._route)
        page.on("requestfinished", self._finished)
        page.on("websocket", self._socket)

    def _route(self, route) -> None:
        if is_local(route.request.url):
            route.continue_()
        else:
            self.outside += 1
            route.abort()

    def _finished(self, request) -> None:
        with contextlib.suppress(Exception):
            size = request.sizes()["responseBodySize"]
            self.http += size
            # The bundle: served from the static folder (a declared component's path).
            if "/maps/map-" in request.url:
                self.bundle += size

    def _count(self, payload) -> None:
        self.ws += len(payload)

    def _socket(self, ws) -> None:
        ws.on("framereceived", self._count)
        ws.on("framesent", self._count)


def free_point(fid: str, atlas=None) -> tuple[float, float]:
    """Return (lat, lon) inside a feature and outside every other feature drawn on top."""
    atlas = load_atlas() if atlas is None else atlas
    area = atlas.get(fid).geometry
    others = [
        f.geometry if f.geometry.geom_type.endswith("Polygon") else f.geometry.buffer(0.004)
        for f in atlas
        if f.corridor != "reference"
        and f.geometry is not None
        and f.id != fid
        and f.role != "extent"
        and not f.geometry.contains(area)
    ]
    free = area.difference(shapely.union_all(others)) if others else area
    p = free.representative_point()
    return p.y, p.x


def click_targets(atlas=None) -> list[Target]:
    """The two zones clicked in turn (the real atlas: synthetic copies keep clear of them)."""
    atlas = load_atlas() if atlas is None else atlas
    out = []
    for fid in (CORE_ID, SECOND_ID):
        feature = atlas.get(fid)
        lat, lon = free_point(fid, atlas)
        out.append(Target(fid, lat, lon, feature.name_zh, feature.sources[0]["quote"]))
    return out


def _timed(action: Callable[[], None], wait: Callable[[], None]) -> float:
    t0 = time.monotonic()
    action()
    wait()
    return time.monotonic() - t0


def _settle(page, counters: _Counters, quiet_ms: int = 400) -> None:
    """Wait until no websocket bytes arrive for ``quiet_ms`` (the rerun has finished)."""
    last, since = counters.ws, time.monotonic()
    while time.monotonic() - since < quiet_ms / 1000:
        page.wait_for_timeout(50)
        if counters.ws != last:
            last, since = counters.ws, time.monotonic()


def _open(browser):
    ctx = browser.new_context(viewport={"width": 1500, "height": 1000})
    page = ctx.new_page()
    return ctx, page, _Counters(page)


def drive_app(
    browser,
    url: str,
    started: float,
    clicks: int,
    targets: list[Target],
    *,
    measure: bool = True,
    timeout_ms: int = 90_000,
    name: str = "app",
) -> Result:
    """Drive ``app.py``: start → map interactive, clicks on ``targets`` in turn, measure view.

    A click is timed to the feature's preview card on the map (drawn at once from the
    bundle) and to its first excerpt in the Streamlit panel (after the fragment rerun).
    ``measure=False`` skips the measure view (the scale benchmark).
    """
    res = Result(name)
    ctx, page, counters = _open(browser)
    try:
        page.goto(f"{url}/?lang=zh&basemap=none")
        page.locator(".cm-map-root[data-ready='1']").wait_for(timeout=timeout_ms)
        page.locator(f"path.cm-f-{targets[0].id}").first.wait_for(
            state="attached", timeout=timeout_ms
        )
        res.ready_s = time.monotonic() - started
        page.wait_for_load_state("networkidle", timeout=timeout_ms)
        _settle(page, counters, 1000)
        res.payload_kb = (counters.http + counters.ws) / 1024
        res.bundle_kb = counters.bundle / 1024
        root = page.locator(".cm-map-root").first
        leaflet = page.locator(".cm-map-root .leaflet-container").first
        panel = page.locator("[data-testid='stColumn'] .cm-excerpt .cm-quote")
        for i in range(clicks):
            target = targets[i % len(targets)]
            xy = root.evaluate(
                "(el, ll) => { el.__cmMap.setView(ll, 12, {animate: false});"
                " const p = el.__cmMap.latLngToContainerPoint(ll); return [p.x, p.y]; }",
                [target.lat, target.lon],
            )
            page.wait_for_timeout(400)
            box = leaflet.bounding_box()
            before_ws = counters.ws
            t0 = time.monotonic()
            page.mouse.click(box["x"] + xy[0], box["y"] + xy[1])
            page.locator(f".cm-preview[data-id='{target.id}']", has_text=target.name).wait_for(
                timeout=timeout_ms
            )
            res.clicks_s.append(time.monotonic() - t0)
            panel.filter(has_text=target.quote).first.wait_for(timeout=timeout_ms)
            res.panel_s.append(time.monotonic() - t0)
            _settle(page, counters)
            res.ws_per_click_kb.append((counters.ws - before_ws) / 1024)
        res.builds = int(page.evaluate("window.__cmBuilds || 0"))
        if measure:
            _measure_clicks(page, counters, res, url, clicks)
        res.outside = counters.outside
        return res
    finally:
        ctx.close()


def _measure_clicks(page, counters: _Counters, res: Result, url: str, clicks: int) -> None:
    """The measure view: a click adds a vertex (fragment rerun, the map not re-sent)."""
    page.goto(f"{url}/?lang=zh&basemap=none&view=measure")
    page.locator(".cm-map-root[data-ready='1']").wait_for(timeout=30_000)
    page.get_by_test_id("stMetricValue").first.wait_for(timeout=30_000)
    _settle(page, counters, 800)
    for i in range(clicks):
        box = page.locator(".cm-map-root .leaflet-container").first.bounding_box()
        before_ws = counters.ws
        t0 = time.monotonic()
        page.mouse.click(box["x"] + 200 + 15 * i, box["y"] + 200 + 10 * i)
        page.wait_for_function(
            "n => { const e = document.querySelector('[data-testid=stMetricValue]');"
            " return e && e.innerText == String(n); }",
            arg=i + 1,
            timeout=30_000,
        )
        res.measure_s.append(time.monotonic() - t0)
        _settle(page, counters)
        res.measure_ws_kb.append((counters.ws - before_ws) / 1024)


def _texts(page) -> str:
    return page.evaluate(
        "() => [...document.querySelectorAll('[data-testid=stText]')]"
        ".map(e => e.innerText).join('|')"
    )


def _drive_st_folium(browser, url: str, started: float, clicks: int, name: str) -> Result:
    """The plain pattern, or an app revision built on st_folium (``--before``)."""
    res = Result(name)
    ctx, page, counters = _open(browser)
    try:
        page.goto(url)
        frame = page.frame_locator('iframe[title="streamlit_folium.st_folium"]')
        selector = f"path.cm-f-{CORE_ID}" if name == "before" else "path.leaflet-interactive"
        frame.locator(selector).first.wait_for(state="attached", timeout=90_000)
        container = frame.locator(".leaflet-container")
        container.evaluate("el => window.map.getZoom()")
        res.ready_s = time.monotonic() - started
        page.wait_for_load_state("networkidle")
        _settle(page, counters, 1000)
        res.payload_kb = (counters.http + counters.ws) / 1024
        target = click_targets()[0]
        for i in range(clicks):
            xy = container.evaluate(
                "(el, ll) => { window.map.setView(ll, 12, {animate: false});"
                " const p = window.map.latLngToContainerPoint(ll); return [p.x, p.y]; }",
                [target.lat, target.lon],
            )
            page.wait_for_timeout(1500)
            if name == "before" and page.get_by_text(target.quote).count():
                # A second click on the selected zone changes nothing there: clear first.
                page.get_by_role("button", name="清除选择").click()
                page.get_by_text(target.quote).first.wait_for(state="detached", timeout=30_000)
                _settle(page, counters)
            before_ws = counters.ws
            previous = _texts(page)
            t0 = time.monotonic()
            # A few pixels apart: st_folium reruns only when its returned value changes.
            container.click(position={"x": xy[0] + i % 3, "y": xy[1] + i // 3})
            if name == "before":
                page.get_by_text(target.quote).first.wait_for(timeout=30_000)
            else:
                page.wait_for_function(
                    "prev => [...document.querySelectorAll('[data-testid=stText]')]"
                    ".map(e => e.innerText).join('|') !== prev",
                    arg=previous,
                    timeout=30_000,
                )
                page.get_by_text(target.quote).first.wait_for(timeout=30_000)
            res.clicks_s.append(time.monotonic() - t0)
            _settle(page, counters)
            res.ws_per_click_kb.append((counters.ws - before_ws) / 1024)
        res.outside = counters.outside
        return res
    finally:
        ctx.close()


def _drive_floor(browser, url: str, started: float, clicks: int) -> Result:
    res = Result("floor")
    ctx, page, counters = _open(browser)
    try:
        page.goto(url)
        button = page.get_by_role("button", name="go")
        button.wait_for(timeout=90_000)
        res.ready_s = time.monotonic() - started
        page.wait_for_load_state("networkidle")
        _settle(page, counters, 1000)
        res.payload_kb = (counters.http + counters.ws) / 1024
        for i in range(clicks):
            text = f"clicked #{i + 1}"
            before_ws = counters.ws
            res.clicks_s.append(
                _timed(
                    button.click, lambda t=text: page.get_by_text(t).first.wait_for(timeout=30_000)
                )
            )
            _settle(page, counters)
            res.ws_per_click_kb.append((counters.ws - before_ws) / 1024)
        res.outside = counters.outside
        return res
    finally:
        ctx.close()


@contextlib.contextmanager
def _worktree(rev: str):
    folder = Path(tempfile.mkdtemp(prefix="cm-before-"))
    subprocess.run(
        ["git", "-C", str(ROOT), "worktree", "add", "--detach", str(folder), rev],
        check=True,
        capture_output=True,
    )
    try:
        yield folder
    finally:
        subprocess.run(
            ["git", "-C", str(ROOT), "worktree", "remove", "--force", str(folder)],
            check=False,
            capture_output=True,
        )


def guarded(name: str, run: Callable[[], Result]) -> Result:
    """Run one driver; a failure is reported as that app's result, not a traceback."""
    try:
        return run()
    except Exception as exc:  # a benchmark must still print what the others measured
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else repr(exc)
        return Result(name, error=f"{type(exc).__name__}: {first}")


def measure_all(clicks: int, before: str | None, starts: int = 3) -> list[Result]:
    """Run every app in one Chromium and return their results (app first).

    Each app is started ``starts`` times, in turn with the others (app, plain, floor, app,
    …), so that no app pays alone for cold caches (the first Python imports, the
    browser's first page); start → interactive is the median, and the clicks are measured
    in the last session.
    """
    from playwright.sync_api import sync_playwright

    targets = click_targets()
    runs: dict[str, list[Result]] = {}
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as p:
        browser = launch_chromium(p)
        plain, floor = Path(tmp) / "plain_app.py", Path(tmp) / "floor_app.py"
        plain.write_text(PLAIN_APP, encoding="utf-8")
        floor.write_text(FLOOR_APP, encoding="utf-8")
        # Streamlit serves static/ next to the script: Leaflet for the plain app's map.
        ensure_static_assets(Path(tmp) / "static")

        def app(n: int) -> Result:
            with streamlit_app(ROOT / "app.py", cwd=ROOT, timeout_s=90) as server:
                return drive_app(browser, server.url, server.started, n, targets, measure=n > 0)

        def plain_app(n: int) -> Result:
            with streamlit_app(plain, cwd=ROOT, timeout_s=90) as server:
                return _drive_st_folium(browser, server.url, server.started, n, "plain")

        def floor_app(n: int) -> Result:
            with streamlit_app(floor, cwd=ROOT, timeout_s=90) as server:
                return _drive_floor(browser, server.url, server.started, n)

        def before_app(n: int) -> Result:
            assert before is not None
            with (
                _worktree(before) as tree,
                streamlit_app(tree / "app.py", cwd=tree, timeout_s=90) as server,
            ):
                return _drive_st_folium(browser, server.url, server.started, n, "before")

        drivers = {"app": app, "plain": plain_app, "floor": floor_app}
        if before:
            drivers["before"] = before_app
        for round_ in range(max(starts, 1)):
            last = round_ == max(starts, 1) - 1
            for name, driver in drivers.items():
                n = clicks if last else 0
                runs.setdefault(name, []).append(guarded(name, lambda d=driver, n=n: d(n)))
        browser.close()
    results = []
    for attempts in runs.values():
        final = attempts[-1]
        readies = [r.ready_s for r in attempts if r.error is None]
        final.starts_s = readies
        final.ready_s = _median(readies)
        if final.error is None:
            final.error = next((r.error for r in attempts if r.error), None)
        results.append(final)
    return results


def _verdict(value: float, target: float) -> str:
    if value != value:  # NaN: not measured
        return "not measured"
    return "PASS" if value <= target else "FAIL"


def report(results: list[Result]) -> None:
    """Print the figures, the ratios and the issue's targets."""
    by = {r.name: r for r in results}
    app, plain, floor = by["app"], by["plain"], by["floor"]
    names = [r.name for r in results]
    print(f"{'measure':46}" + "".join(f"{n:>10}" for n in names))
    rows = [
        ("start → interactive, median of starts (s)", [r.ready_s for r in results]),
        ("click → excerpt visible, median (s)", [r.click for r in results]),
        ("click → excerpt in the panel, median (s)", [r.panel for r in results]),
        ("websocket per selection, in+out (KB)", [r.ws_kb for r in results]),
        ("page payload, HTTP + websocket (KB)", [r.payload_kb for r in results]),
        ("  of which the map bundle (KB)", [r.bundle_kb for r in results]),
        ("measure-view click, median (s)", [r.measure for r in results]),
        ("websocket per measure click (KB)", [r.measure_kb for r in results]),
        ("outside requests blocked", [float(r.outside) for r in results]),
    ]
    for label, values in rows:
        print(f"{label:46}" + "".join(f"{v:10.3f}" for v in values))
    print(
        "(app: 'excerpt visible' is the preview card on the map (name, kind, one figure), "
        "drawn from the bundle "
        "before any rerun; the panel is the Streamlit fragment after the rerun. "
        "plain / floor: the excerpt written by the rerun.)"
    )
    print()
    checks = [
        ("click → excerpt ≤ 2 × floor", app.click / floor.click, 2.0),
        ("click → excerpt ≤ 1/3 × plain", app.click / plain.click, 1 / 3),
        ("  (panel) click → panel / floor, no target", app.panel / floor.click, float("inf")),
        ("  (panel) click → panel / plain, no target", app.panel / plain.click, float("inf")),
        ("websocket per selection ≤ 20 KB", app.ws_kb, 20.0),
        ("measure click ≤ 2 × floor", app.measure / floor.click, 2.0),
        ("start → interactive ≤ plain", app.ready_s / plain.ready_s, 1.0),
    ]
    for label, value, target in checks:
        shown = "—" if target == float("inf") else f"{target:.3g}"
        verdict = "" if target == float("inf") else _verdict(value, target)
        print(f"{label:46}{value:10.3f}  target {shown:>5}  {verdict}")
    if app.builds:
        print(f"map builds in the app page over {len(app.clicks_s)} selections: {app.builds}")
    if "before" in by:
        before = by["before"]
        print()
        print(
            f"before → after: click → excerpt {before.click:.3f} → {app.click:.3f} s "
            f"(panel {app.panel:.3f} s), websocket per selection "
            f"{before.ws_kb:.1f} → {app.ws_kb:.1f} KB"
        )
    for r in results:
        print(f"{r.name} starts (s): {[round(x, 3) for x in r.starts_s]}")
        print(f"{r.name} clicks (s): {[round(x, 3) for x in r.clicks_s]}")
        if r.panel_s:
            print(f"{r.name} panel (s): {[round(x, 3) for x in r.panel_s]}")
        if r.measure_s:
            print(f"{r.name} measure clicks (s): {[round(x, 3) for x in r.measure_s]}")
        if r.error:
            print(f"{r.name} FAILED to measure: {r.error}")
    print(
        "Shared machine (2 cores, other jobs running): compare the ratios of this run, "
        "not the absolute figures."
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clicks", type=int, default=5)
    parser.add_argument("--starts", type=int, default=3, help="server starts per app")
    parser.add_argument("--before", help="git revision of app.py to measure too (st_folium era)")
    args = parser.parse_args()
    _compile_sources()
    report(measure_all(args.clicks, args.before, args.starts))


def _compile_sources() -> None:
    """Write the package's bytecode, as an install does, before any server starts.

    Otherwise a machine with PYTHONDONTWRITEBYTECODE set (CI images, this sandbox) compiles
    every edited module again at each start, and the start measures the compiler.
    """
    import compileall

    compileall.compile_dir(ROOT / "corridor_map", quiet=1)


if __name__ == "__main__":
    main()
