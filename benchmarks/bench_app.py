"""Benchmark the map app against the plain st_folium pattern and Streamlit's own floor.

Three apps measured in one run, in the same headless Chromium (outside requests blocked):

* **app** — this project's ``app.py`` (map host: a Custom Component v2 with a cached map
  bundle; the panel in a fragment);
* **plain** — the least a folium + ``st_folium`` round trip costs: a map of the 中央创新核
  polygon alone, whose click writes the excerpt with ``st.write``;
* **floor** — Streamlit's own rerun floor: a button whose click writes a text.

Optionally **before** (``--before REV``): ``app.py`` as it was at a git revision, run from
a temporary worktree, so that before/after come from the same run.

For each: start → interactive, click → excerpt visible (median of ``--clicks``; for the
app both the instant preview on the map and the full Streamlit panel), websocket bytes
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
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import shapely

from corridor_map._appserver import is_local, launch_chromium, streamlit_app
from corridor_map.atlas import load_atlas

ROOT = Path(__file__).resolve().parent.parent
CORE_ID = "taizhou-central-core"
CORE_TEXT = "41平方公里"
SECOND_ID = "jiaojiang-innovation-valley"

PLAIN_APP = """
import json
import folium
import streamlit as st
from streamlit_folium import st_folium
from corridor_map.atlas import load_atlas
from shapely.geometry import mapping

core = load_atlas().get("taizhou-central-core")
m = folium.Map(location=[28.64, 121.40], zoom_start=12, tiles=None)
folium.GeoJson(
    {"type": "Feature", "properties": {"id": core.id}, "geometry": mapping(core.geometry)}
).add_to(m)
out = st_folium(m, width=800, height=600, returned_objects=["last_active_drawing"])
if (out or {}).get("last_active_drawing"):
    st.session_state["n"] = st.session_state.get("n", 0) + 1
    st.write(f"{core.sources[0]['quote']} #{st.session_state['n']}")
"""

FLOOR_APP = """
import streamlit as st
if st.button("go"):
    st.session_state["n"] = st.session_state.get("n", 0) + 1
    st.write(f"中央创新核 41平方公里 #{st.session_state['n']}")
"""


@dataclass
class Result:
    """What one app measured."""

    name: str
    ready_s: float = 0.0
    payload_kb: float = 0.0
    clicks_s: list[float] = field(default_factory=list)
    panel_s: list[float] = field(default_factory=list)
    ws_per_click_kb: list[float] = field(default_factory=list)
    measure_s: list[float] = field(default_factory=list)
    outside: int = 0

    @property
    def click(self) -> float:
        return statistics.median(self.clicks_s) if self.clicks_s else float("nan")

    @property
    def panel(self) -> float:
        return statistics.median(self.panel_s) if self.panel_s else self.click

    @property
    def ws_kb(self) -> float:
        return statistics.median(self.ws_per_click_kb) if self.ws_per_click_kb else float("nan")

    @property
    def measure(self) -> float:
        return statistics.median(self.measure_s) if self.measure_s else float("nan")


class _Counters:
    def __init__(self, page) -> None:
        self.http = 0
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
            self.http += request.sizes()["responseBodySize"]

    def _socket(self, ws) -> None:
        ws.on("framereceived", lambda payload: setattr(self, "ws", self.ws + len(payload)))


def _free_point(fid: str) -> tuple[float, float]:
    atlas = load_atlas()
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


def _open(browser, url: str):
    ctx = browser.new_context(viewport={"width": 1500, "height": 1000})
    page = ctx.new_page()
    return ctx, page, _Counters(page)


def _drive_app(browser, url: str, started: float, clicks: int) -> Result:
    res = Result("app")
    ctx, page, counters = _open(browser, url)
    try:
        page.goto(f"{url}/?lang=zh&basemap=none")
        page.locator(".cm-map-root[data-ready='1']").wait_for(timeout=90_000)
        page.locator(f"path.cm-f-{CORE_ID}").first.wait_for(state="attached", timeout=30_000)
        res.ready_s = time.monotonic() - started
        page.wait_for_load_state("networkidle")
        _settle(page, counters, 1000)
        res.payload_kb = (counters.http + counters.ws) / 1024
        root = page.locator(".cm-map-root").first
        leaflet = page.locator(".cm-map-root .leaflet-container").first
        second = load_atlas().get(SECOND_ID).name_zh
        targets = [
            (_free_point(CORE_ID), CORE_TEXT, "中央创新核"),
            (_free_point(SECOND_ID), second, second),
        ]
        for i in range(clicks):
            (lat, lon), preview_text, panel_text = targets[i % 2]
            xy = root.evaluate(
                "(el, ll) => { el.__cmMap.setView(ll, 12, {animate: false});"
                " const p = el.__cmMap.latLngToContainerPoint(ll); return [p.x, p.y]; }",
                [lat, lon],
            )
            page.wait_for_timeout(400)
            box = leaflet.bounding_box()
            before_ws = counters.ws
            t0 = time.monotonic()
            page.mouse.click(box["x"] + xy[0], box["y"] + xy[1])
            page.locator(".cm-preview", has_text=preview_text).wait_for(timeout=10_000)
            res.clicks_s.append(time.monotonic() - t0)
            page.locator("[data-testid='stColumn'] .cm-head", has_text=panel_text).first.wait_for(
                timeout=30_000
            )
            res.panel_s.append(time.monotonic() - t0)
            _settle(page, counters)
            res.ws_per_click_kb.append((counters.ws - before_ws) / 1024)
        # The measure view: a click adds a vertex (fragment rerun, the map not re-sent).
        page.goto(f"{url}/?lang=zh&basemap=none&view=measure")
        page.locator(".cm-map-root[data-ready='1']").wait_for(timeout=30_000)
        page.get_by_test_id("stMetricValue").first.wait_for(timeout=30_000)
        _settle(page, counters, 800)
        for i in range(clicks):
            box = page.locator(".cm-map-root .leaflet-container").first.bounding_box()
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
        res.outside = counters.outside
        return res
    finally:
        ctx.close()


def _drive_st_folium(browser, url: str, started: float, clicks: int, name: str) -> Result:
    """The plain pattern, or an app revision built on st_folium (``--before``)."""
    res = Result(name)
    ctx, page, counters = _open(browser, url)
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
        lat, lon = _free_point(CORE_ID)
        for i in range(clicks):
            xy = container.evaluate(
                "(el, ll) => { window.map.setView(ll, 12, {animate: false});"
                " const p = window.map.latLngToContainerPoint(ll); return [p.x, p.y]; }",
                [lat, lon],
            )
            page.wait_for_timeout(1500)
            if name == "before" and page.get_by_text(CORE_TEXT).count():
                # A second click on the selected zone changes nothing there: clear first.
                page.get_by_role("button", name="清除选择").click()
                page.get_by_text(CORE_TEXT).first.wait_for(state="detached", timeout=30_000)
                _settle(page, counters)
            before_ws = counters.ws
            wanted = page.get_by_text(CORE_TEXT if name == "before" else f"#{i + 1}")
            t0 = time.monotonic()
            container.click(position={"x": xy[0], "y": xy[1]})
            wanted.first.wait_for(timeout=30_000)
            res.clicks_s.append(time.monotonic() - t0)
            _settle(page, counters)
            res.ws_per_click_kb.append((counters.ws - before_ws) / 1024)
        res.outside = counters.outside
        return res
    finally:
        ctx.close()


def _drive_floor(browser, url: str, started: float, clicks: int) -> Result:
    res = Result("floor")
    ctx, page, counters = _open(browser, url)
    try:
        page.goto(url)
        button = page.get_by_role("button", name="go")
        button.wait_for(timeout=90_000)
        res.ready_s = time.monotonic() - started
        page.wait_for_load_state("networkidle")
        _settle(page, counters, 1000)
        res.payload_kb = (counters.http + counters.ws) / 1024
        for i in range(clicks):
            text = f"41平方公里 #{i + 1}"
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


def measure_all(clicks: int, before: str | None) -> list[Result]:
    """Run every app in one Chromium and return their results (app first)."""
    from playwright.sync_api import sync_playwright

    results: list[Result] = []
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as p:
        browser = launch_chromium(p)
        plain, floor = Path(tmp) / "plain_app.py", Path(tmp) / "floor_app.py"
        plain.write_text(PLAIN_APP, encoding="utf-8")
        floor.write_text(FLOOR_APP, encoding="utf-8")
        with streamlit_app(ROOT / "app.py", cwd=ROOT, timeout_s=90) as server:
            results.append(_drive_app(browser, server.url, server.started, clicks))
        with streamlit_app(plain, cwd=ROOT, timeout_s=90) as server:
            results.append(_drive_st_folium(browser, server.url, server.started, clicks, "plain"))
        with streamlit_app(floor, cwd=ROOT, timeout_s=90) as server:
            results.append(_drive_floor(browser, server.url, server.started, clicks))
        if before:
            with (
                _worktree(before) as tree,
                streamlit_app(tree / "app.py", cwd=tree, timeout_s=90) as server,
            ):
                results.append(
                    _drive_st_folium(browser, server.url, server.started, clicks, "before")
                )
        browser.close()
    return results


def report(results: list[Result]) -> None:
    """Print the figures, the ratios and the issue's targets."""
    by = {r.name: r for r in results}
    app, plain, floor = by["app"], by["plain"], by["floor"]
    names = [r.name for r in results]
    print(f"{'measure':44}" + "".join(f"{n:>10}" for n in names))
    rows = [
        ("start → interactive (s)", [r.ready_s for r in results]),
        ("click → excerpt visible, median (s)", [r.click for r in results]),
        ("click → full panel, median (s)", [r.panel for r in results]),
        ("websocket per selection, median (KB)", [r.ws_kb for r in results]),
        ("page payload (KB)", [r.payload_kb for r in results]),
        ("measure-view click, median (s)", [r.measure for r in results]),
        ("outside requests blocked", [float(r.outside) for r in results]),
    ]
    for label, values in rows:
        print(f"{label:44}" + "".join(f"{v:10.3f}" for v in values))
    print()
    checks = [
        ("click → excerpt ≤ 2 × floor", app.click / floor.click, 2.0),
        ("click → excerpt ≤ 1/3 × plain", app.click / plain.click, 1 / 3),
        ("click → full panel / floor (no target)", app.panel / floor.click, float("inf")),
        ("websocket per selection ≤ 20 KB", app.ws_kb, 20.0),
        ("measure click ≤ 2 × floor", app.measure / floor.click, 2.0),
        ("start → interactive ≤ plain", app.ready_s / plain.ready_s, 1.0),
    ]
    for label, value, target in checks:
        verdict = "met" if value <= target else "NOT met"
        print(f"{label:44}{value:10.3f}  target {target:.3g}: {verdict}")
    if "before" in by:
        before = by["before"]
        print()
        print(
            f"before → after: click → excerpt {before.click:.3f} → {app.click:.3f} s "
            f"(full panel {app.panel:.3f} s), websocket per selection "
            f"{before.ws_kb:.1f} → {app.ws_kb:.1f} KB"
        )
    for r in results:
        print(f"{r.name} clicks (s): {[round(x, 3) for x in r.clicks_s]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clicks", type=int, default=5)
    parser.add_argument("--before", help="git revision of app.py to measure too (st_folium era)")
    args = parser.parse_args()
    report(measure_all(args.clicks, args.before))


if __name__ == "__main__":
    main()
