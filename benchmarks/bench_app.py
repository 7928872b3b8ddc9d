"""Benchmark the map app against a plain folium + st_folium baseline, in a real browser.

Prints, for this app and for a baseline (a folium map of the same layers with folium's
defaults and a GeoJsonPopup, rendered by ``st_folium`` with default arguments, written to
a temporary app file) measured in the same run:

* time from starting the server process to the map being interactive in the browser;
* the median time from a click on a feature to the panel showing its excerpt;
* the size in KB of everything the page loads (HTTP bodies + websocket frames), and the
  map's share of it (Leaflet, the st_folium component files, the websocket messages that
  carry the map script and the page; the rest is Streamlit's own frontend).

Outside requests are blocked for both (this machine is offline). The baseline asks CDNs
for Leaflet, jQuery, Bootstrap and friends: Leaflet's two files are answered from the
local XStatic copy (so the baseline can run at all, as if the CDN were warm); the other
CDN scripts and styles are answered with an empty body (an aborted one would stop
st_folium from drawing at all) and counted, so the baseline's size is a lower bound.

Run: ``.venv/bin/python benchmarks/bench_app.py [--clicks N]``.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import statistics
import tempfile
import time
from pathlib import Path

import shapely

from corridor_map._appserver import is_local, launch_chromium, streamlit_app
from corridor_map.atlas import load_atlas

ROOT = Path(__file__).resolve().parent.parent

CORE_ID = "taizhou-central-core"

BASELINE_APP = """
import glob, json
from pathlib import Path
import folium
import streamlit as st
from streamlit_folium import st_folium
from corridor_map.paths import layers_dir

RANK = {"district": 0, "extent": 1, "core": 2, "zone": 3, "belt": 3, "area": 3, "enclave": 3,
        "key_block": 4, "road": 5, "platform": 6, "landmark": 6, "gateway": 7}
st.set_page_config(layout="wide")
m = folium.Map(location=[28.6, 121.2], zoom_start=9)
for path in sorted(layers_dir().glob("*.geojson")):
    # The layers the app draws by default (it hides the road graph and station points).
    if path.stem in {"ref_roads", "planned_links", "ref_rail_stations", "ref_s1_stations"}:
        continue
    data = json.loads(path.read_text(encoding="utf-8"))
    data["features"] = [f for f in data["features"] if f.get("geometry")]
    # Same drawing order as the app (large extents below, small blocks on top), so the
    # same click lands on the same feature.
    data["features"].sort(key=lambda f: RANK.get(f["properties"].get("role"), 9))
    if not data["features"]:
        continue
    folium.GeoJson(
        data,
        name=path.stem,
        popup=folium.GeoJsonPopup(fields=["name_zh", "name_en", "role"]),
        # Default pin icons come from a CDN (absent offline); circles keep points clickable.
        marker=folium.CircleMarker(radius=6),
    ).add_to(m)
out = st_folium(m, width=900, height=620)
drawing = (out or {}).get("last_active_drawing")
if drawing:
    props = drawing["properties"]
    st.header(props.get("name_zh"))
    for source in props.get("sources") or []:
        st.write(source["quote"])
"""


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
    ]
    free = area.difference(shapely.union_all(others)) if others else area
    p = free.representative_point()
    return p.y, p.x


def _second_target() -> tuple[str, str]:
    """Another located polygon with an excerpt, for alternating clicks."""
    atlas = load_atlas()
    for f in atlas:
        if (
            f.corridor != "reference"
            and f.id != CORE_ID
            and f.geometry is not None
            and f.geometry.geom_type.endswith("Polygon")
            and f.role in {"zone", "area", "key_block"}
            and f.sources
        ):
            return f.id, f.sources[0]["quote"][:10]
    raise SystemExit("no second polygon to click")


def _measure(browser, app: Path, cwd: Path, path_selector: str, clicks: int) -> dict:
    with streamlit_app(app, cwd=cwd, timeout_s=90) as server:
        return _drive(browser, app, server.url, server.started, path_selector, clicks)


def _drive(browser, app: Path, url: str, started: float, path_selector: str, clicks: int) -> dict:
    import xstatic.pkg.leaflet as xleaflet

    bytes_loaded = {"http": 0, "ws": 0, "map_http": 0, "cdn_leaflet": 0}
    aborted: list[str] = []
    ctx = browser.new_context(viewport={"width": 1500, "height": 1000})
    page = ctx.new_page()

    def route(r):
        u = r.request.url
        if is_local(u):
            r.continue_()
        elif u.endswith(("leaflet.js", "leaflet.css")):
            body = (Path(xleaflet.BASE_DIR) / u.rsplit("/", 1)[1]).read_bytes()
            bytes_loaded["http"] += len(body)
            bytes_loaded["cdn_leaflet"] += len(body)
            r.fulfill(
                body=body, content_type="text/css" if u.endswith("css") else "text/javascript"
            )
        elif "://" in u and r.request.resource_type in {"script", "stylesheet"}:
            # Another CDN library (jQuery, Bootstrap, …): not available offline. Aborting
            # it would stop st_folium before it draws, so answer empty and count it; the
            # baseline's size is then a lower bound.
            aborted.append(u)
            r.fulfill(body="", content_type="text/plain")
        else:
            aborted.append(u)
            r.abort()

    def finished(req):
        with contextlib.suppress(Exception):
            size = req.sizes()["responseBodySize"]
            bytes_loaded["http"] += size
            # The map's own share: Leaflet, the st_folium component, static files.
            if "/component/" in req.url or "/app/static/" in req.url:
                bytes_loaded["map_http"] += size

    def websocket(ws):
        ws.on(
            "framereceived",
            lambda payload: bytes_loaded.__setitem__("ws", bytes_loaded["ws"] + len(payload)),
        )

    page.route("**/*", route)
    page.on("requestfinished", finished)
    page.on("websocket", websocket)
    try:
        page.goto(url)
        frame = page.frame_locator('iframe[title="streamlit_folium.st_folium"]')
        frame.locator(path_selector).first.wait_for(state="attached", timeout=90_000)
        container = frame.locator(".leaflet-container")
        container.evaluate("el => window.map.getZoom()")
        ready = time.monotonic() - started
        page.wait_for_load_state("networkidle")
        page.wait_for_timeout(1000)
        size_kb = (bytes_loaded["http"] + bytes_loaded["ws"]) / 1024
        map_kb = (
            bytes_loaded["map_http"] + bytes_loaded["cdn_leaflet"] + bytes_loaded["ws"]
        ) / 1024
        breakdown = {k: round(v / 1024, 1) for k, v in bytes_loaded.items()}

        second_id, second_text = _second_target()
        targets = [(_free_point(CORE_ID), "41平方公里"), (_free_point(second_id), second_text)]
        times = []
        for i in range(clicks):
            (lat, lon), text = targets[i % 2]
            # Bring the target into view first (not timed); the baseline reruns on pans.
            xy = container.evaluate(
                "(el, ll) => { window.map.setView(ll, Math.max(window.map.getZoom(), 11),"
                " {animate: false}); const p = window.map.latLngToContainerPoint(ll); "
                "return [p.x, p.y]; }",
                [lat, lon],
            )
            page.wait_for_timeout(1500)
            t0 = time.monotonic()
            container.click(position={"x": xy[0], "y": xy[1]})
            try:
                page.get_by_text(text).first.wait_for(timeout=30_000)
            except Exception:
                shot = Path(tempfile.gettempdir()) / f"bench_fail_{app.stem}.png"
                page.screenshot(path=str(shot), full_page=True)
                print(f"no {text!r} after click {i} on {app.name}; screenshot {shot}")
                raise
            times.append(time.monotonic() - t0)
            # Let the other target's text leave the page before the next click.
            page.wait_for_timeout(300)
        return {
            "ready_s": ready,
            "click_median_s": statistics.median(times),
            "click_times_s": times,
            "size_kb": size_kb,
            "map_kb": map_kb,
            "size_breakdown_kb": breakdown,
            "aborted": aborted,
        }
    finally:
        ctx.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clicks", type=int, default=6)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as p:
        baseline = Path(tmp) / "baseline_app.py"
        baseline.write_text(BASELINE_APP, encoding="utf-8")
        browser = launch_chromium(p)
        ours = _measure(browser, ROOT / "app.py", ROOT, f"path.cm-f-{CORE_ID}", args.clicks)
        base = _measure(browser, baseline, ROOT, "path.leaflet-interactive", args.clicks)
        browser.close()

    rows = [
        ("start → map interactive (s)", ours["ready_s"], base["ready_s"]),
        ("click → panel shows excerpt, median (s)", ours["click_median_s"], base["click_median_s"]),
        ("page load size, all (KB)", ours["size_kb"], base["size_kb"]),
        ("  of which map: Leaflet+component+websocket", ours["map_kb"], base["map_kb"]),
    ]
    print(f"{'measure':42} {'app':>10} {'baseline':>10} {'app/baseline':>13}")
    for label, a, b in rows:
        print(f"{label:42} {a:10.2f} {b:10.2f} {a / b:13.2f}")
    print(f"size app (KB): {ours['size_breakdown_kb']}, baseline: {base['size_breakdown_kb']}")
    print(f"click times app (s): {[round(x, 3) for x in ours['click_times_s']]}")
    print(f"click times baseline (s): {[round(x, 3) for x in base['click_times_s']]}")
    print(f"outside requests blocked: app {len(ours['aborted'])}, baseline {len(base['aborted'])}")
    tiles = [u for u in base["aborted"] if "tile.openstreetmap.org" in u]
    libraries = [u for u in base["aborted"] if u not in tiles]
    print(f"  baseline: {len(tiles)} OSM tiles blocked; CDN files answered empty (not counted):")
    for url in libraries:
        print(f"    {url}")
    print(
        json.dumps(
            {
                "app": {k: v for k, v in ours.items() if k != "aborted"},
                "baseline": {k: v for k, v in base.items() if k != "aborted"},
            }
        )
    )


if __name__ == "__main__":
    main()
