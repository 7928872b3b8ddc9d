"""End to end in a real headless Chromium: the app offline, a click on the map, inert text.

One Streamlit server per module runs ``app.py`` on a data folder made of the real seeds
and layers plus one probe layer whose name and excerpt carry markup and template-literal
syntax. Every request to anything but this machine is aborted and recorded.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
import shapely
from shapely.geometry import shape

from corridor_map._appserver import CHROMIUM, is_local, launch_chromium, streamlit_app
from corridor_map.paths import layers_dir, seeds_dir

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parent.parent
CORE_ID = "taizhou-central-core"
PROBE_ID = "zz-probe-inert-text"
PROBE_NAME = "<img src=x onerror=window.__pwned=1>${window.__pwned=2}`探针"
PROBE_QUOTE = "<b>粗</b>${window.__pwned=3}`引文"

if not CHROMIUM.exists():
    pytest.skip(
        "/usr/bin/chromium not installed (apt-get install chromium)", allow_module_level=True
    )


def _probe_layer(core: dict) -> dict:
    # A small square inside the central core, so the probe is drawn and hoverable.
    centre = shape(core["geometry"]).representative_point()
    d = 0.002
    ring = [
        [round(centre.x - d, 6), round(centre.y - d, 6)],
        [round(centre.x + d, 6), round(centre.y - d, 6)],
        [round(centre.x + d, 6), round(centre.y + d, 6)],
        [round(centre.x - d, 6), round(centre.y + d, 6)],
        [round(centre.x - d, 6), round(centre.y - d, 6)],
    ]
    return {
        "type": "FeatureCollection",
        "name": "zz_probe",
        "features": [
            {
                "type": "Feature",
                "geometry": {"type": "Polygon", "coordinates": [ring]},
                "properties": {
                    "id": PROBE_ID,
                    "name_zh": PROBE_NAME,
                    "name_en": PROBE_NAME,
                    "corridor": "taizhou-bay",
                    "role": "key_block",
                    "parent": None,
                    "district": [],
                    "status": None,
                    "stated": [],
                    "geometry_basis": "schematic",
                    "geometry_source": "test probe",
                    "precision_m": 1,
                    # A quote the document lacks (shown bare, with the corpus's error) and
                    # a real one (shown inside its paragraph, the probe's name as a term).
                    "sources": [
                        {"doc": "taizhou-bay-briefing", "quote": PROBE_QUOTE},
                        core["properties"]["sources"][0],
                    ],
                },
            }
        ],
    }


def _real_core() -> dict:
    for path in sorted(layers_dir().glob("*.geojson")):
        for feature in json.loads(path.read_text(encoding="utf-8")).get("features", []):
            if (feature.get("properties") or {}).get("id") == CORE_ID:
                return feature
    pytest.skip(f"{CORE_ID} is not in layers/ yet")
    raise AssertionError  # unreachable


@pytest.fixture(scope="module")
def data_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("data")
    shutil.copytree(seeds_dir(), root / "seeds")
    shutil.copytree(layers_dir(), root / "layers")
    probe = _probe_layer(_real_core())
    (root / "layers" / "zz_probe.geojson").write_text(
        json.dumps(probe, ensure_ascii=False), encoding="utf-8"
    )
    return root


@pytest.fixture(scope="module")
def server(data_root: Path) -> Iterator[str]:
    env = dict(os.environ, CORRIDOR_MAP_DATA=str(data_root))
    env.pop("TIANDITU_KEY", None)
    with streamlit_app(ROOT / "app.py", cwd=ROOT, env=env, timeout_s=60) as app:
        yield app.url


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = launch_chromium(p)
        yield b
        b.close()


class Session:
    """A page with outside requests blocked and every dialog recorded."""

    def __init__(self, browser: object, base_url: str) -> None:
        self.outside: list[str] = []
        self.dialogs: list[str] = []
        self.context = browser.new_context(viewport={"width": 1500, "height": 1000})  # type: ignore[attr-defined]
        self.context.add_init_script("window.__pwned = 0;")
        self.page = self.context.new_page()
        self.page.route("**/*", self._route)
        self.page.on("dialog", self._dialog)
        self.sent: list[int] = []
        self.page.on(
            "websocket",
            lambda ws: ws.on("framesent", lambda payload: self.sent.append(len(payload))),
        )
        self.base_url = base_url

    def _route(self, route: object) -> None:
        url = route.request.url  # type: ignore[attr-defined]
        if is_local(url):
            route.continue_()  # type: ignore[attr-defined]
        else:
            self.outside.append(url)
            route.abort()  # type: ignore[attr-defined]

    def _dialog(self, dialog: object) -> None:
        self.dialogs.append(dialog.message)  # type: ignore[attr-defined]
        dialog.dismiss()  # type: ignore[attr-defined]

    def map_frame(self) -> object:
        return self.page.frame_locator('iframe[title="streamlit_folium.st_folium"]')

    def wait_for_map(self) -> None:
        frame = self.map_frame()
        frame.locator(f"path.cm-f-{CORE_ID}").first.wait_for(state="attached", timeout=60_000)

    def pwned(self) -> list[object]:
        return [f.evaluate("window.__pwned") for f in self.page.frames]


def _click_point(core: dict, layers: Path) -> tuple[float, float]:
    """Return (lat, lon) inside the core but outside every other drawn feature (probe too)."""
    area = shape(core["geometry"])
    others = []
    for path in sorted(layers.glob("*.geojson")):
        if path.name.startswith("ref_"):
            continue
        for feature in json.loads(path.read_text(encoding="utf-8")).get("features", []):
            props = feature.get("properties") or {}
            geom = feature.get("geometry")
            if props.get("id") == CORE_ID or not geom or props.get("role") == "extent":
                continue
            g = shape(geom)
            # Points and lines are drawn with a few pixels of width: keep clear of them.
            others.append(g if g.geom_type.endswith("Polygon") else g.buffer(0.004))
    free = area.difference(shapely.union_all(others)) if others else area
    point = free.representative_point()
    return point.y, point.x


@pytest.fixture(scope="module")
def session(browser: object, server: str) -> Iterator[Session]:
    s = Session(browser, server)
    yield s
    s.context.close()


def test_click_core_shows_excerpt_offline(
    session: Session, data_root: Path, tmp_path: Path
) -> None:
    page = session.page
    page.goto(session.base_url)
    session.wait_for_map()
    core = _real_core()
    lat, lon = _click_point(core, data_root / "layers")
    from playwright.sync_api import Error as PlaywrightError

    frame = session.map_frame()
    container = frame.locator(".leaflet-container")
    # Streamlit may still be finishing its first run when the map appears; a click landing
    # while the component frame is replaced is lost, so one retry is allowed (and counted).
    # Panning and zooming must not rerun the script: no message goes back to the server.
    box = container.bounding_box()
    before = len(session.sent)
    page.mouse.move(box["x"] + 200, box["y"] + 200)
    page.mouse.down()
    page.mouse.move(box["x"] + 260, box["y"] + 240, steps=5)
    page.mouse.up()
    container.evaluate("el => window.map.zoomIn()")
    container.evaluate("el => window.map.zoomOut()")
    page.wait_for_timeout(1500)  # longer than st_folium's debounce: proving an absence
    assert len(session.sent) == before, "a pan or zoom reran the app"
    # Tag the live map; a map reloaded on selection would come back without the tag.
    container.evaluate("el => { window.__cmKeep = 42; }")
    attempts = 0
    while True:
        attempts += 1
        try:
            xy = container.evaluate(
                "(el, ll) => { const p = window.map.latLngToContainerPoint(ll);"
                " return [p.x, p.y]; }",
                [lat, lon],
            )
            container.click(position={"x": xy[0], "y": xy[1]})
            page.get_by_text("41平方公里").first.wait_for(timeout=20_000)
            break
        except PlaywrightError:
            page.screenshot(path=str(tmp_path / f"after-click-{attempts}.png"), full_page=True)
            if attempts >= 2:
                raise
            session.wait_for_map()
    assert "sel=taizhou-central-core" in page.url
    # The selection outline arrived without reloading the map.
    frame.locator("path.cm-highlight").first.wait_for(state="attached", timeout=10_000)
    if attempts == 1:
        assert container.evaluate("el => window.__cmKeep") == 42
    page.screenshot(path=str(tmp_path / "zh-selected.png"), full_page=True)

    page.get_by_text("English", exact=True).click()
    name_en = core["properties"]["name_en"]
    page.get_by_text(name_en).first.wait_for(timeout=30_000)
    page.get_by_text("Policy excerpts").first.wait_for(timeout=10_000)
    # The map is rebuilt for English tooltips and still frames the selection.
    session.wait_for_map()
    frame.locator("path.cm-highlight").first.wait_for(state="attached", timeout=10_000)
    page.screenshot(path=str(tmp_path / "en-selected.png"), full_page=True)
    assert session.outside == [], f"requests to outside hosts: {session.outside}"


def test_names_and_excerpts_are_inert(session: Session, tmp_path: Path) -> None:
    page = session.page
    page.goto(f"{session.base_url}/?sel={PROBE_ID}&lang=zh&basemap=none")
    session.wait_for_map()
    # The panel shows the probe's name and excerpt literally.
    page.get_by_text("${window.__pwned=2}", exact=False).first.wait_for(timeout=30_000)
    page.get_by_text("<b>粗</b>", exact=False).first.wait_for(timeout=10_000)
    # The real quote sits in its paragraph: the span emphasised, context around it.
    real = _real_core()["properties"]["sources"][0]["quote"]
    span = page.locator(".cm-quote .cm-span", has_text=real).first
    span.wait_for(timeout=10_000)
    assert span.inner_text() == real
    block = page.locator(".cm-quote", has=page.locator(".cm-span", has_text=real)).first
    assert real in block.inner_text() and len(block.inner_text()) > len(real)
    # Hover the probe on the map so its tooltip renders too.
    frame = session.map_frame()
    probe = frame.locator(f"path.cm-f-{PROBE_ID}").first
    probe.hover(force=True)
    tooltip = frame.locator(".leaflet-tooltip").first
    tooltip.wait_for(timeout=10_000)
    assert "onerror=window.__pwned=1>${window.__pwned=2}`" in tooltip.inner_text()
    page.screenshot(path=str(tmp_path / "probe.png"), full_page=True)
    assert session.dialogs == []
    assert all(not flag for flag in session.pwned()), session.pwned()
    assert session.outside == [], f"requests to outside hosts: {session.outside}"
