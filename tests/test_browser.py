"""End to end in a real headless Chromium: the app offline, a click on the map, inert text.

Two Streamlit servers run ``app.py``: one on a copy of the real seeds and layers (what a
user sees; the screenshots in tests/artifacts/ come from it), one on the same plus probe
layers whose names and excerpts carry markup and template-literal syntax (one of them
refused, so that server shows the data-problems notice). Every request to anything but
this machine is aborted and recorded.
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

from corridor_map.core.paths import layers_dir, seeds_dir
from tests._appserver import CHROMIUM, is_local, launch_chromium, streamlit_app

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parent.parent
CORE_ID = "taizhou-central-core"
PROBE_ID = "zz-probe-inert-text"
PROBE_NAME = "<img src=x onerror=window.__pwned=1>${window.__pwned=2}`探针"
PROBE_QUOTE = "<b>粗</b>${window.__pwned=3}`引文"
PROBE_CORRIDOR = "<img src=x onerror=window.__pwned=4>"
ARTIFACTS = ROOT / "tests" / "artifacts"
POINT_ID = "wenzhou-south-station"

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
    second = [[x + 0.006, y] for x, y in ring]
    return {
        "type": "FeatureCollection",
        "name": "zz_probe",
        "description": "browser test probe",
        "features": [
            {
                # A corridor id that is not ours: the layer control writes group names
                # as HTML.
                "type": "Feature",
                "geometry": {"type": "Polygon", "coordinates": [second]},
                "properties": {
                    "id": PROBE_ID + "-corridor",
                    "name_zh": "走廊探针",
                    "name_en": "corridor probe",
                    "corridor": PROBE_CORRIDOR,
                    "role": "key_block",
                    "parent": None,
                    "district": [],
                    "status": None,
                    "stated": [],
                    "geometry_basis": "schematic",
                    "geometry_source": "test probe",
                    "precision_m": 1,
                    "sources": [core["properties"]["sources"][0]],
                },
            },
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
                    "status": None,
                    "stated": [],
                    "geometry_basis": "schematic",
                    "geometry_source": "test probe",
                    "precision_m": 1,
                    # A quote the document lacks (shown bare, with the corpus's error) and
                    # a real one (shown inside its paragraph, the probe's name as a term).
                    # Valid apart from its name, so the app draws it (an invalid layer file
                    # is refused whole, and the refusal is shown as text: see the corridor
                    # probe above).
                    "district": [{"name": "椒江区", "code": "331002"}],
                    "sources": [core["properties"]["sources"][0]],
                },
            },
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
    return root


@pytest.fixture(scope="module")
def probe_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("probe-data")
    shutil.copytree(seeds_dir(), root / "seeds")
    shutil.copytree(layers_dir(), root / "layers")
    probe = _probe_layer(_real_core())
    # The corridor probe is invalid (an id that is not ours): its file is refused whole
    # and listed, so it goes in a file of its own; the name probe is valid and drawn.
    corridor_probe = dict(probe, features=probe["features"][:1])
    probe = dict(probe, features=probe["features"][1:])
    (root / "layers" / "zz_probe.geojson").write_text(
        json.dumps(probe, ensure_ascii=False), encoding="utf-8"
    )
    (root / "layers" / "zz_probe_corridor.geojson").write_text(
        json.dumps(corridor_probe, ensure_ascii=False), encoding="utf-8"
    )
    return root


def _serve(root: Path) -> Iterator[str]:
    env = dict(os.environ, CORRIDOR_MAP_DATA=str(root))
    env.pop("TIANDITU_KEY", None)
    with streamlit_app(ROOT / "app.py", cwd=ROOT, env=env, timeout_s=60) as app:
        yield app.url


@pytest.fixture(scope="module")
def server(data_root: Path) -> Iterator[str]:
    yield from _serve(data_root)


@pytest.fixture(scope="module")
def probe_server(probe_root: Path) -> Iterator[str]:
    yield from _serve(probe_root)


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = launch_chromium(p)
        yield b
        b.close()


class Session:
    """A page with outside requests blocked, dialogs recorded, websocket frames counted."""

    def __init__(
        self, browser: object, base_url: str, width: int = 1500, height: int = 1000
    ) -> None:
        self.outside: list[str] = []
        self.dialogs: list[str] = []
        self.context = browser.new_context(viewport={"width": width, "height": height})  # type: ignore[attr-defined]
        self.context.add_init_script("window.__pwned = 0;")
        self.page = self.context.new_page()
        self.page.route("**/*", self._route)
        self.page.on("dialog", self._dialog)
        self.sent: list[int] = []
        self.received: list[int] = []
        self.page.on("websocket", self._socket)
        self.base_url = base_url

    def _socket(self, ws: object) -> None:
        ws.on("framesent", lambda payload: self.sent.append(len(payload)))  # type: ignore[attr-defined]
        ws.on("framereceived", lambda payload: self.received.append(len(payload)))  # type: ignore[attr-defined]

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

    def open(self, query: str = "") -> None:
        self.page.goto(f"{self.base_url}/{query}")
        self.wait_for_map()

    def wait_for_map(self) -> None:
        self.page.locator(".cm-map-root[data-ready='1']").wait_for(timeout=60_000)
        self.page.locator(f"path.cm-f-{CORE_ID}").first.wait_for(state="attached", timeout=30_000)
        # Streamlit's first run settles (the sidebar, the panel) before we interact.
        self.page.wait_for_load_state("networkidle")

    def root(self) -> object:
        return self.page.locator(".cm-map-root").first

    def screen_point(self, lat: float, lon: float) -> tuple[float, float]:
        """Page coordinates of a WGS84 position on the live map (offline basemap)."""
        box = self.page.locator(".cm-map-root .leaflet-container").first.bounding_box()
        x, y = self.root().evaluate(
            "(el, ll) => { const p = el.__cmMap.latLngToContainerPoint(ll); return [p.x, p.y]; }",
            [lat, lon],
        )
        return box["x"] + x, box["y"] + y

    def centre(self, lat: float, lon: float, zoom: int) -> None:
        """Move the live map without animation (pans never reach the server)."""
        self.root().evaluate(
            "(el, v) => el.__cmMap.setView([v[0], v[1]], v[2], {animate: false})", [lat, lon, zoom]
        )
        self.page.wait_for_timeout(300)

    def builds(self) -> int:
        return int(self.page.evaluate("window.__cmBuilds || 0"))

    def pwned(self) -> list[object]:
        return [f.evaluate("window.__pwned") for f in self.page.frames]


def _feature(feature_id: str, layers: Path) -> dict:
    for path in sorted(layers.glob("*.geojson")):
        for feature in json.loads(path.read_text(encoding="utf-8")).get("features", []):
            if (feature.get("properties") or {}).get("id") == feature_id:
                return feature
    pytest.skip(f"{feature_id} is not in the layers")
    raise AssertionError  # unreachable


def _free_point(feature_id: str, layers: Path) -> tuple[float, float]:
    """Return (lat, lon) inside a feature but outside every other drawn feature on top."""
    target = _feature(feature_id, layers)
    area = shape(target["geometry"])
    others = []
    for path in sorted(layers.glob("*.geojson")):
        if path.name.startswith("ref_"):
            continue
        for feature in json.loads(path.read_text(encoding="utf-8")).get("features", []):
            props = feature.get("properties") or {}
            geom = feature.get("geometry")
            if props.get("id") == feature_id or not geom or props.get("role") == "extent":
                continue
            g = shape(geom)
            if g.contains(area):
                continue  # a container drawn below (a zone around a block)
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


@pytest.fixture(scope="module")
def probe_session(browser: object, probe_server: str) -> Iterator[Session]:
    s = Session(browser, probe_server)
    yield s
    s.context.close()


def _shot(session: Session, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    session.page.screenshot(path=str(ARTIFACTS / f"{name}.png"))


def _panel_has(session: Session, text: str, timeout: float = 20_000) -> None:
    session.page.locator(".st-key-cm-panel, [data-testid='stColumn']").filter(
        has_text=text
    ).first.wait_for(timeout=timeout)


def test_click_selects_without_rebuilding_the_map(session: Session, data_root: Path) -> None:
    page = session.page
    session.open("?lang=zh&basemap=none")
    _shot(session, "first-view")
    # Panning and zooming never reach the server.
    box = page.locator(".cm-map-root .leaflet-container").first.bounding_box()
    before = len(session.sent)
    page.mouse.move(box["x"] + 200, box["y"] + 200)
    page.mouse.down()
    page.mouse.move(box["x"] + 260, box["y"] + 240, steps=5)
    page.mouse.up()
    session.root().evaluate("el => { el.__cmMap.zoomIn(); }")
    page.wait_for_timeout(400)
    session.root().evaluate("el => { el.__cmMap.zoomOut(); }")
    page.wait_for_timeout(1200)
    assert len(session.sent) == before, "a pan or zoom reached the server"
    assert "at=" in page.url  # the view is in the URL all the same
    session.root().evaluate("el => { el.__keep = 42; }")
    builds = session.builds()

    # First zone: the preview shows at once from data in the page, the panel follows.
    lat, lon = _free_point(CORE_ID, data_root / "layers")
    sent_before, received_before = len(session.sent), len(session.received)
    session.centre(lat, lon, 12)
    page.mouse.click(*session.screen_point(lat, lon))
    page.locator(".cm-preview", has_text="41平方公里").wait_for(timeout=5_000)
    _panel_has(session, "中央创新核")
    page.get_by_text("41平方公里").first.wait_for(timeout=20_000)
    page.locator("path.cm-selection-outline").first.wait_for(state="attached", timeout=10_000)
    page.wait_for_function("() => location.search.includes('sel=taizhou-central-core')")
    _shot(session, "selected-zone")

    # Second zone in a row: the panel follows again, the map is the same element.
    second = "jiaojiang-innovation-valley"
    name = _feature(second, data_root / "layers")["properties"]["name_zh"]
    lat, lon = _free_point(second, data_root / "layers")
    session.centre(lat, lon, 12)
    page.mouse.click(*session.screen_point(lat, lon))
    page.locator(".cm-preview", has_text=name).wait_for(timeout=5_000)
    page.locator("[data-testid='stColumn'] .cm-head", has_text=name).first.wait_for(timeout=20_000)
    page.wait_for_function(f"() => location.search.includes('sel={second}')")
    assert session.root().evaluate("el => el.__keep") == 42
    assert session.builds() == builds, "a selection rebuilt the map"
    # What went over the websocket for two selections: a few kB, never the map.
    received = sum(session.received[received_before:])
    assert received < 2 * 40_000, f"{received} bytes for two selections"
    assert len(session.sent) > sent_before
    assert session.outside == [], f"requests to outside hosts: {session.outside}"


def test_a_point_is_selected_by_a_click_at_its_centre(session: Session, data_root: Path) -> None:
    page = session.page
    session.open("?lang=zh&basemap=none&at=27.98,120.60,12")
    feature = _feature(POINT_ID, data_root / "layers")
    name = feature["properties"]["name_zh"]
    lon, lat = feature["geometry"]["coordinates"][:2]
    session.centre(lat, lon, 13)
    page.mouse.click(*session.screen_point(lat, lon))
    page.locator(".cm-preview", has_text=name).wait_for(timeout=5_000)
    page.locator("[data-testid='stColumn'] .cm-head", has_text=name).first.wait_for(timeout=20_000)
    # No focus rectangle around the clicked symbol.
    outline = page.evaluate(
        "() => document.activeElement && getComputedStyle(document.activeElement).outlineStyle"
    )
    assert outline in (None, "none", "")
    _shot(session, "selected-point")


def test_first_view_labels_legend_and_context(session: Session) -> None:
    page = session.page
    session.open("?lang=zh&basemap=none")
    # Labels are placed after the first paint; on a loaded machine that can take > 0.5 s.
    page.wait_for_function(
        "() => [...document.querySelectorAll('.cm-label')].some(e => e.style.display === 'block')",
        timeout=20_000,
    )
    page.wait_for_timeout(300)
    visible = page.evaluate(
        "() => [...document.querySelectorAll('.cm-label')]"
        ".filter(e => e.style.display === 'block')"
        ".map(e => ({text: e.textContent, rank: +e.dataset.rank}))"
    )
    # The opening view names the three corridors first (issue 22), then the zones that
    # find room beside them; more zones come as the user zooms in.
    corridors = [v for v in visible if v["rank"] == 0]
    assert len(corridors) == 3, visible
    zones = [v for v in visible if 1 <= v["rank"] <= 4]
    assert len(zones) >= 2, visible
    # Labels never overlap.
    boxes = page.evaluate(
        "() => [...document.querySelectorAll('.cm-label')].filter(e => e.style.display === 'block')"
        ".map(e => { const r = e.getBoundingClientRect();"
        " return [r.left, r.top, r.right, r.bottom]; })"
    )
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            assert not (a[0] < b[2] and a[2] > b[0] and a[1] < b[3] and a[3] > b[1]), (a, b)
    # The legend on the map shows exactly the drawn styles.
    rows = page.evaluate(
        "() => Object.fromEntries([...document.querySelectorAll('.cm-legend-row')]"
        ".map(r => [r.dataset.key, {color: r.dataset.color, fill: r.dataset.fill}]))"
    )

    def drawn(selector: str, attribute: str) -> str:
        return page.locator(selector).first.get_attribute(attribute) or ""

    for corridor, feature_id in (
        ("taizhou-bay", "jiaojiang-innovation-valley"),
        ("wenzhou-daluo", "longwan-area"),
        ("wenling-lakes", "jiulong-lake-innovation-center"),
    ):
        assert rows[f"corridor:{corridor}"]["color"] == drawn(f"path.cm-f-{feature_id}", "stroke")
        assert rows[f"corridor:{corridor}"]["fill"] == drawn(f"path.cm-f-{feature_id}", "fill")
    assert rows["surface:water"]["fill"] == drawn("path.cm-surface-water", "fill")
    assert rows["surface:terrain"]["fill"] == drawn("path.cm-surface-terrain", "fill")
    assert rows["context:ref_districts"]["fill"] == drawn("path.cm-ctx-ref_districts", "fill")
    assert rows["context:ref_roads"]["color"] == drawn("path.cm-ctx-ref_roads", "stroke")
    # A point is a filled disc at least 12 px across.
    disc = page.locator(f"path.cm-f-{POINT_ID}").first.bounding_box()
    assert disc["width"] >= 12 and drawn(f"path.cm-f-{POINT_ID}", "fill") not in ("", "none")
    # Roads are zoom-gated: hidden at the opening zoom, shown from zoom 10.
    assert not page.locator("path.cm-ctx-ref_roads").first.is_visible()
    session.root().evaluate("el => el.__cmMap.setView([28.38, 121.43], 12)")
    page.wait_for_timeout(600)
    assert page.locator("path.cm-ctx-ref_roads").first.is_visible()
    # No label under the map's controls (zoom, layers, legend, scale, attribution).
    covered = page.evaluate(
        "() => { const boxes = [...document.querySelectorAll('.leaflet-control')]"
        ".map(c => c.getBoundingClientRect()).filter(b => b.width && b.height);"
        " return [...document.querySelectorAll('.cm-label')]"
        ".filter(e => e.style.display === 'block').filter(e => {"
        " const r = e.getBoundingClientRect();"
        " return boxes.some(b => b.left < r.right && b.right > r.left"
        " && b.top < r.bottom && b.bottom > r.top); }).map(e => e.textContent); }"
    )
    assert covered == [], covered
    _shot(session, "wenling-zoom12")
    # Metric scale only, not hidden under the attribution.
    scale = page.locator(".leaflet-control-scale").first.inner_text()
    assert ("km" in scale or " m" in scale) and "mi" not in scale and "ft" not in scale
    a = page.locator(".leaflet-control-scale").first.bounding_box()
    b = page.locator(".leaflet-control-attribution").first.bounding_box()
    assert a["y"] + a["height"] <= b["y"] or a["x"] + a["width"] <= b["x"], (a, b)


def test_the_map_stays_in_view_while_the_panel_scrolls(session: Session) -> None:
    page = session.page
    session.open("?lang=zh&basemap=none&sel=taizhou-bay-corridor&at=28.64,121.38,10")
    _panel_has(session, "台州湾科创走廊")
    heading = page.get_by_text("政策原文摘录", exact=False).first
    heading.wait_for(timeout=20_000)
    before = heading.bounding_box()["y"]
    box = page.locator(".cm-map-root").first.bounding_box()
    page.mouse.move(box["x"] + box["width"] + 150, 600)
    page.mouse.wheel(0, 1200)
    page.wait_for_timeout(800)
    assert heading.bounding_box()["y"] < before - 200, "the panel did not scroll"
    box = page.locator(".cm-map-root").first.bounding_box()
    assert box["y"] >= 0 and box["y"] + box["height"] <= 1000 + 1, box


def test_english_ui(session: Session) -> None:
    page = session.page
    session.open("?lang=en&basemap=none&sel=taizhou-central-core")
    page.locator(
        "[data-testid='stColumn'] .cm-head", has_text="Central Innovation Core"
    ).first.wait_for(timeout=30_000)
    page.get_by_text("Policy excerpts").first.wait_for(timeout=10_000)
    page.locator("path.cm-selection-outline").first.wait_for(state="attached", timeout=10_000)
    labels = page.evaluate(
        "() => [...document.querySelectorAll('.cm-label')].map(e => e.textContent)"
    )
    assert "Central Innovation Core" in " ".join(labels) or any(
        "corridor" in x.lower() for x in labels
    )
    _shot(session, "english-ui")
    assert session.outside == [], f"requests to outside hosts: {session.outside}"


def test_names_and_excerpts_are_inert(probe_session: Session) -> None:
    session = probe_session
    page = session.page
    session.open(f"?sel={PROBE_ID}&lang=zh&basemap=none")
    # The panel shows the probe's name and excerpt literally.
    column = page.locator("[data-testid='stColumn']")
    column.filter(has_text="${window.__pwned=2}").first.wait_for(timeout=30_000)
    # The refused corridor probe is listed with its markup as text.
    page.get_by_text("onerror=window.__pwned=4", exact=False).first.wait_for(timeout=10_000)
    real = _real_core()["properties"]["sources"][0]["quote"]
    span = page.locator(".cm-quote .cm-span", has_text=real).first
    span.wait_for(timeout=10_000)
    assert span.inner_text() == real
    # The map's preview card, label and tooltip write it as text too.
    page.locator(".cm-preview", has_text="onerror=window.__pwned=1").wait_for(timeout=10_000)
    probe = page.locator(f"path.cm-f-{PROBE_ID}").first
    probe.hover(force=True)
    tooltip = page.locator(".leaflet-tooltip").first
    tooltip.wait_for(timeout=10_000)
    assert "onerror=window.__pwned=1>${window.__pwned=2}`" in tooltip.inner_text()
    assert page.locator(".leaflet-control-layers img").count() == 0
    _shot(session, "probe")
    assert session.dialogs == []
    assert all(not flag for flag in session.pwned()), session.pwned()
    assert session.outside == [], f"requests to outside hosts: {session.outside}"


@pytest.mark.parametrize(
    "payload", ["[请重新登录](https://evil.example/login)", "![x](http://evil.example/u.png)"]
)
def test_a_link_in_the_url_shows_as_text(session: Session, payload: str) -> None:
    from urllib.parse import quote

    page = session.page
    session.open(f"?sel={quote(payload)}&lang=zh")
    page.get_by_text("evil.example", exact=False).first.wait_for(timeout=20_000)
    assert page.locator("a[href*='evil.example']").count() == 0
    assert page.locator("img[src*='evil.example']").count() == 0
    assert session.outside == [], f"requests to outside hosts: {session.outside}"


@pytest.mark.parametrize("basemap", ["osm", "gaode"])
def test_an_online_basemap_that_cannot_load_says_so(
    browser: object, server: str, basemap: str
) -> None:
    from corridor_map.core.i18n import t

    # A session of its own: its blocked tile requests are the point of this test.
    s = Session(browser, server)
    try:
        page = s.page
        s.open(f"?lang=zh&basemap={basemap}")
        notice = page.locator(".cm-map-notice")
        notice.wait_for(state="visible", timeout=30_000)
        assert notice.inner_text() == t("map_tile_error", "zh")
        box = notice.bounding_box()
        assert box["width"] > 100 and box["height"] > 20
        assert s.outside, "no tile was requested"
        assert all(not is_local(u) for u in s.outside)
        # The layers still work: a zone is drawn and labelled.
        assert page.locator(f"path.cm-f-{CORE_ID}").count() >= 1
        if basemap == "osm":
            _shot(s, "tile-failure")
    finally:
        s.context.close()


def _badge_colours(page: object) -> list[tuple[str, str]]:
    return page.evaluate(  # type: ignore[attr-defined]
        "() => [...document.querySelectorAll('.cm-verdict')]"
        ".map(e => [e.textContent, getComputedStyle(e).color])"
    )


def _rgb(colour: str) -> str:
    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgb({r}, {g}, {b})"


def test_travel_view_puts_the_map_beside_the_table(session: Session) -> None:
    from corridor_map.core import verdicts

    page = session.page
    session.open("?lang=zh&basemap=none&view=travel")
    grid = page.locator("[data-testid='stDataFrame']").first
    grid.wait_for(timeout=60_000)
    page.locator(".cm-verdict").first.wait_for(timeout=30_000)
    page.wait_for_timeout(800)
    map_box = page.locator(".cm-map-root").first.bounding_box()
    table = grid.bounding_box()
    # Side by side: the table right of the map, both starting in the first screen.
    assert table["x"] >= map_box["x"] + map_box["width"] - 1, (map_box, table)
    assert map_box["y"] < 400 and table["y"] < 600, (map_box, table)
    assert map_box["height"] >= 420
    # The chosen target's verdict: a badge with its word, in the verdict's colour.
    words = {v.zh: code for code, v in verdicts.VERDICTS.items()}
    badges = _badge_colours(page)
    assert badges
    for text, colour in badges:
        word = text.strip().split(" ")[-1]
        assert word in words, text
        assert colour == _rgb(verdicts.colour(words[word]))
    _shot(session, "travel-view")
    # The map stays in view while the column beside it scrolls.
    page.mouse.move(table["x"] + 100, 700)
    page.mouse.wheel(0, 900)
    page.wait_for_timeout(800)
    assert grid.bounding_box()["y"] < table["y"] - 300, "the column did not scroll"
    map_box = page.locator(".cm-map-root").first.bounding_box()
    assert map_box["y"] >= 0 and map_box["y"] + map_box["height"] <= 1000 + 1, map_box


def test_a_narrow_screen_puts_the_panel_below_a_usable_map(browser: object, server: str) -> None:
    s = Session(browser, server, width=800, height=1000)
    try:
        page = s.page
        s.open("?lang=zh&basemap=none&sel=taizhou-central-core")
        head = page.locator("[data-testid='stColumn'] .cm-head").first
        head.wait_for(timeout=30_000)
        map_box = page.locator(".cm-map-root").first.bounding_box()
        main = page.locator("[data-testid='stMainBlockContainer']").first.bounding_box()
        # The map takes the main column's whole width (beside the sidebar) and stays tall.
        assert map_box["width"] >= 0.9 * (main["width"] - 2 * 16), (map_box, main)
        assert map_box["width"] >= 400 and map_box["height"] >= 420, map_box
        assert map_box["x"] >= 0 and map_box["x"] + map_box["width"] <= 800 + 1
        assert head.bounding_box()["y"] >= map_box["y"] + map_box["height"] - 1
        page.wait_for_timeout(500)
        _shot(s, "narrow-screen")
        # Still usable: a point is selected by a click at its centre.
        feature = _feature(POINT_ID, layers_dir())
        lon, lat = feature["geometry"]["coordinates"][:2]
        s.centre(lat, lon, 13)
        page.mouse.click(*s.screen_point(lat, lon))
        name = feature["properties"]["name_zh"]
        page.locator(".cm-preview", has_text=name).wait_for(timeout=5_000)
        page.locator("[data-testid='stColumn'] .cm-head", has_text=name).first.wait_for(
            timeout=20_000
        )
        # The travel view stacks too: the map first, the table under it.
        s.open("?lang=zh&basemap=none&view=travel")
        grid = page.locator("[data-testid='stDataFrame']").first
        grid.wait_for(timeout=60_000)
        page.wait_for_timeout(500)
        map_box = page.locator(".cm-map-root").first.bounding_box()
        assert grid.bounding_box()["y"] >= map_box["y"] + map_box["height"] - 1
        assert map_box["width"] >= 400
        _shot(s, "narrow-travel")
        assert s.outside == [], f"requests to outside hosts: {s.outside}"
    finally:
        s.context.close()


def test_quotes_of_one_paragraph_show_as_one_excerpt(session: Session, data_root: Path) -> None:
    from corridor_map.core.i18n import t

    feature_id = "jiaojiang-innovation-valley"
    sources = _feature(feature_id, data_root / "layers")["properties"]["sources"]
    page = session.page
    session.open(f"?lang=zh&basemap=none&sel={feature_id}")
    page.locator(".cm-quote").first.wait_for(timeout=30_000)
    blocks = page.evaluate(
        "() => [...document.querySelectorAll('.cm-quote')]"
        ".map(b => [...b.querySelectorAll('.cm-span')].map(s => s.textContent))"
    )
    assert len(blocks) < len(sources), blocks  # two of its sources quote one paragraph
    merged = next(b for b in blocks if len(b) > 1)
    quotes = [s["quote"] for s in sources]
    assert sum(any(q in span for span in merged) for q in quotes) >= 2
    page.get_by_text(t("excerpts_merged", "zh").format(n=2)).first.wait_for(timeout=5_000)
    _shot(session, "merged-excerpt")
    # The reader shows that paragraph once, with both quotes marked.
    index = blocks.index(merged)
    page.locator(f".st-key-read-{index} button").click()
    dialog = page.locator("[role='dialog']").first
    dialog.wait_for(timeout=20_000)
    cited = dialog.locator(".cm-cited")
    cited.first.wait_for(timeout=10_000)
    assert cited.count() == 1
    marks = " ".join(cited.first.locator("mark").all_inner_texts())
    assert sum(q in marks for q in quotes) >= 2, marks
    _shot(session, "merged-reader")
    page.keyboard.press("Escape")


def test_a_sidebar_list_opens_on_a_click_and_selects(session: Session, data_root: Path) -> None:
    # The sidebar's lists are sent only while open (a page load renders the map first):
    # opening one reruns the app and fills it; the map is not rebuilt.
    from corridor_map.atlas.model import load_atlas
    from corridor_map.core.i18n import t
    from corridor_map.views import panel

    missing = panel.unlocated(load_atlas(data_root / "layers"))
    if not missing:
        pytest.skip("every place is located")
    page = session.page
    session.open("?lang=zh&basemap=none")
    builds = session.builds()
    sidebar = page.locator("[data-testid='stSidebar']")
    first = panel.plain_label(missing[0].label("zh"))
    assert sidebar.get_by_role("button", name=first, exact=True).count() == 0
    sidebar.get_by_text(f"{t('unlocated', 'zh')} ({len(missing)})").click()
    sidebar.get_by_role("button", name=first, exact=True).wait_for(timeout=20_000)
    assert sidebar.get_by_role("button").filter(has_text=first).count() >= 1
    _shot(session, "sidebar-unlocated-open")
    sidebar.get_by_role("button", name=first, exact=True).click()
    page.locator("[data-testid='stColumn'] .cm-head", has_text=missing[0].name_zh).first.wait_for(
        timeout=20_000
    )
    assert session.builds() == builds
    assert not session.outside
