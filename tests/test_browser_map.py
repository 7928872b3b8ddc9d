"""The map page in a real headless Chromium: the bugs of issue 22, each reproduced first.

(1) a language switch then a basemap change blanked the map, the filter and the panel;
(2) the reader's close button left the reader open; (3) the measure page opened right
after a load could build its map in an element with no height (zoom 0, blank); (4) a
language switch dropped the dashed "lies within" outline of an unlocated place. Outside
requests are blocked; one server on a copy of the shipped data.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from corridor_map.atlas.model import load_atlas
from corridor_map.core.i18n import t
from corridor_map.views import panel, previews
from tests._appserver import CHROMIUM, is_local, launch_chromium
from tests._support import app_server, copy_data

pytestmark = pytest.mark.browser

CORE_ID = "taizhou-central-core"

if not CHROMIUM.exists():
    pytest.skip("/usr/bin/chromium not installed", allow_module_level=True)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    root = copy_data(tmp_path_factory.mktemp("data"))
    with app_server(root, timeout_s=90) as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = launch_chromium(p)
        yield b
        b.close()


@pytest.fixture
def page(browser: object) -> Iterator[object]:
    context = browser.new_context(viewport={"width": 1440, "height": 900})  # type: ignore[attr-defined]
    pg = context.new_page()
    outside: list[str] = []

    def route(r: object) -> None:
        if is_local(r.request.url):  # type: ignore[attr-defined]
            r.continue_()  # type: ignore[attr-defined]
        else:
            outside.append(r.request.url)  # type: ignore[attr-defined]
            r.abort()  # type: ignore[attr-defined]

    pg.route("**/*", route)
    yield pg
    context.close()


def _ready(pg: object, builds: int = 1) -> None:
    pg.locator(".cm-map-root[data-ready='1']").first.wait_for(timeout=60_000)  # type: ignore[attr-defined]
    pg.wait_for_function(f"(window.__cmBuilds || 0) >= {builds}", timeout=60_000)  # type: ignore[attr-defined]
    pg.wait_for_load_state("networkidle")  # type: ignore[attr-defined]


def _map_state(pg: object) -> dict:
    return pg.evaluate(  # type: ignore[attr-defined]
        """() => {
          // The map on the screen (a page being left may still hold its own a moment).
          const roots = [...document.querySelectorAll('.cm-map-root')]
            .filter(r => r.offsetParent !== null);
          const map = roots.length ? roots[roots.length - 1].__cmMap : null;
          const el = map ? map.getContainer() : null;
          return {
            roots: roots.length,
            width: el ? el.clientWidth : 0,
            height: el ? el.clientHeight : 0,
            zoom: map ? map.getZoom() : null,
            paths: el ? el.querySelectorAll('path.leaflet-interactive').length : 0,
          };
        }"""
    )


def _english(pg: object) -> None:
    pg.locator("[data-testid=stSidebar]").get_by_text("English", exact=True).click()  # type: ignore[attr-defined]


def test_language_switch_then_basemap_change_keeps_map_filter_and_panel(
    server: str, page: object
) -> None:
    pg = page
    pg.goto(f"{server}/?lang=zh&basemap=none")  # type: ignore[attr-defined]
    _ready(pg)
    _english(pg)
    _ready(pg, builds=2)
    select = pg.locator("[data-testid=stSidebar] [data-testid=stSelectbox]").first  # type: ignore[attr-defined]
    select.click()
    pg.get_by_role("option", name=t("basemap_osm", "en")).first.click()  # type: ignore[attr-defined]
    _ready(pg, builds=3)
    state = _map_state(pg)
    assert state["roots"] == 1 and state["paths"] > 0, state
    assert state["width"] > 0 and state["height"] > 0 and state["zoom"] >= 6, state
    # The filter above the map and the panel beside it are still there.
    pg.get_by_text(t("map_filter", "en")).first.wait_for(timeout=10_000)  # type: ignore[attr-defined]
    pg.get_by_text(t("panel_empty", "en")).first.wait_for(timeout=10_000)  # type: ignore[attr-defined]


def test_the_close_button_closes_the_reader(server: str, page: object) -> None:
    pg = page
    pg.goto(f"{server}/?lang=zh&basemap=none&sel={CORE_ID}")  # type: ignore[attr-defined]
    _ready(pg)
    pg.get_by_role("button", name=t("read_document", "zh")).first.click()  # type: ignore[attr-defined]
    dialog = pg.locator("[role=dialog]")  # type: ignore[attr-defined]
    dialog.first.wait_for(timeout=20_000)
    pg.get_by_role("button", name=t("close_reader", "zh")).click()  # type: ignore[attr-defined]
    dialog.first.wait_for(state="detached", timeout=20_000)
    # The panel it was opened from is still there.
    pg.get_by_role("button", name=t("read_document", "zh")).first.wait_for(timeout=10_000)  # type: ignore[attr-defined]


@pytest.mark.parametrize("attempt", range(3))
def test_measure_chosen_right_after_load_has_a_sized_map(
    server: str, page: object, attempt: int
) -> None:
    del attempt  # the issue saw it 2 times in 3: three fresh pages
    pg = page
    pg.goto(f"{server}/?lang=zh&basemap=none")  # type: ignore[attr-defined]
    # No wait for the map: the page is chosen as soon as the navigation is there.
    pg.get_by_role("link", name=t("view_measure", "zh")).first.click()  # type: ignore[attr-defined]
    pg.get_by_text(t("measure_intro", "zh")).first.wait_for(timeout=60_000)  # type: ignore[attr-defined]
    _ready(pg)
    try:
        pg.wait_for_function(  # type: ignore[attr-defined]
            """() => { const shown = [...document.querySelectorAll('.cm-map-root')]
                         .filter(r => r.offsetParent !== null && r.__cmMap);
                       const m = shown.length ? shown[shown.length - 1].__cmMap : null;
                       return m && m._loaded && m.getContainer().clientHeight > 0; }""",
            timeout=60_000,
        )
    except Exception as exc:
        roots = pg.evaluate(  # type: ignore[attr-defined]
            """() => [...document.querySelectorAll('.cm-map-root')].map(r => ({
                 shown: r.offsetParent !== null, ready: r.dataset.ready || '',
                 height: r.offsetHeight, built: Boolean(r.__cmMap),
                 loaded: Boolean(r.__cmMap && r.__cmMap._loaded),
                 mapHeight: r.__cmMap ? r.__cmMap.getContainer().clientHeight : null,
                 text: r.textContent.slice(0, 60)}))"""
        )
        raise AssertionError(f"no sized map on the measure page: {roots}") from exc
    state = _map_state(pg)
    assert state["height"] >= 400 and state["zoom"] >= 6, state


def test_language_switch_keeps_the_outline_of_an_unlocated_place(server: str, page: object) -> None:
    atlas = load_atlas()
    unlocated = [
        link.id for link in panel.unlocated(atlas) if previews.map_outline(atlas, link.id).context
    ]
    if not unlocated:
        pytest.skip("no unlocated place with a known area around it")
    pg = page
    pg.goto(f"{server}/?lang=zh&basemap=none&sel={unlocated[0]}")  # type: ignore[attr-defined]
    _ready(pg)
    outline = pg.locator("path.cm-context-outline")  # type: ignore[attr-defined]
    outline.first.wait_for(state="attached", timeout=20_000)
    _english(pg)
    _ready(pg, builds=2)
    outline.first.wait_for(state="attached", timeout=20_000)
    assert outline.count() >= 1


ARTIFACTS = Path(__file__).resolve().parent / "artifacts"


def _map_box(pg: object) -> dict:
    return pg.evaluate(  # type: ignore[attr-defined]
        """() => { const r = document.querySelector('.cm-map-root .leaflet-container')
                     .getBoundingClientRect();
                   return {x: r.x, y: r.y, width: r.width, height: r.height,
                           vw: window.innerWidth, vh: window.innerHeight}; }"""
    )


@pytest.mark.parametrize("size", [(1440, 900), (1920, 1080)])
def test_the_map_is_the_page_and_the_screenshots(browser: object, server: str, size) -> None:
    width, height = size
    context = browser.new_context(viewport={"width": width, "height": height})  # type: ignore[attr-defined]
    pg = context.new_page()
    pg.route("**/*", lambda r: r.continue_() if is_local(r.request.url) else r.abort())
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    views = {
        "first-view": "/?lang=zh&basemap=none",
        "selected-zone": f"/?lang=zh&basemap=none&sel={CORE_ID}",
        "measure": "/measure?lang=zh&basemap=none",
        "travel": "/travel?lang=zh&basemap=none",
    }
    try:
        shares = {}
        for name, path in views.items():
            pg.goto(server + path)
            _ready(pg)
            if name == "selected-zone":
                pg.locator("[data-testid='stColumn'] .cm-head").first.wait_for(timeout=30_000)
            if name == "travel":
                pg.locator("[data-testid='stDataFrame']").first.wait_for(timeout=60_000)
            box = _map_box(pg)
            shares[name] = box["width"] * box["height"] / (box["vw"] * box["vh"])
            # Its bottom is on the screen: no scrolling to see the whole map.
            assert box["y"] >= 0 and box["y"] + box["height"] <= box["vh"], (name, box)
            pg.screenshot(path=str(ARTIFACTS / f"{name}-{width}x{height}.png"))
        # The map page gives the map most of the screen while nothing is selected (the
        # panel's column is folded away); a selection opens the panel beside it.
        assert shares["first-view"] >= 0.60, shares
        assert shares["selected-zone"] < shares["first-view"], shares
        if width == 1440:
            # The travel table fits beside the map: no column cut off on the right.
            grid = pg.locator("[data-testid='stDataFrame']").first.bounding_box()
            assert grid["x"] + grid["width"] <= width, grid
            inner = pg.evaluate(
                """() => { const g = document.querySelector('[data-testid=stDataFrame]');
                           const s = g.querySelector('.dvn-scroller');
                           return s ? [s.scrollWidth, s.clientWidth] : null; }"""
            )
            assert inner is None or inner[0] <= inner[1] + 1, inner
    finally:
        context.close()


def test_first_view_names_the_corridors_and_groups_the_layer_control(
    server: str, page: object
) -> None:
    from corridor_map.core.i18n import corridor_name
    from corridor_map.core.vocab import LAYER_CORRIDORS

    corridors = [c for c in LAYER_CORRIDORS if c != "reference"]
    pg = page
    pg.goto(f"{server}/?lang=zh&basemap=none")  # type: ignore[attr-defined]
    _ready(pg)
    shown = pg.evaluate(  # type: ignore[attr-defined]
        """() => [...document.querySelectorAll('.cm-label')]
                 .filter(e => e.style.display === 'block').map(e => e.textContent)"""
    )
    for corridor in corridors:
        assert corridor_name(corridor, "zh") in shown, (corridor, shown)
    every = pg.evaluate(  # type: ignore[attr-defined]
        "() => [...document.querySelectorAll('.cm-label')].map(e => e.textContent)"
    )
    assert not [x for x in every if "未命名" in x], "an unnamed station is labelled"
    groups = pg.evaluate(  # type: ignore[attr-defined]
        """() => [...document.querySelectorAll('.cm-layer-group')]
                 .map(d => [d.dataset.group, d.open, d.querySelectorAll('label').length])"""
    )
    names = [g[0] for g in groups]
    for corridor in corridors:
        assert corridor_name(corridor, "zh") in names, groups
    assert all(not is_open and count > 0 for _, is_open, count in groups), groups


def test_s1_stations_are_named_in_english(server: str, page: object) -> None:
    pg = page
    pg.goto(f"{server}/?lang=en&basemap=none")  # type: ignore[attr-defined]
    _ready(pg)
    every = pg.evaluate(  # type: ignore[attr-defined]
        "() => [...document.querySelectorAll('.cm-label')].map(e => e.textContent)"
    )
    assert not [x for x in every if "S1 station" in x], every
    assert "Guobozhongxin Station" in every


def test_the_preview_card_closes_on_a_drag_and_lets_it_through(server: str, page: object) -> None:
    pg = page
    pg.goto(f"{server}/?lang=zh&basemap=none")  # type: ignore[attr-defined]
    _ready(pg)
    root = pg.locator(".cm-map-root").first  # type: ignore[attr-defined]
    # The card as a click shows it (from the bundle, no server round trip).
    root.evaluate("el => el.__cmMap.setView([28.64, 121.40], 12, {animate: false})")
    pg.locator("path.cm-f-" + CORE_ID).first.dispatch_event("click")  # type: ignore[attr-defined]
    card = pg.locator(".cm-preview")  # type: ignore[attr-defined]
    card.first.wait_for(state="visible", timeout=10_000)
    box = card.first.bounding_box()
    before = root.evaluate("el => el.__cmMap.getCenter().lng")
    # A drag that starts on the card pans the map and closes the card.
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    pg.mouse.move(x, y)  # type: ignore[attr-defined]
    pg.mouse.down()  # type: ignore[attr-defined]
    pg.mouse.move(x + 120, y - 40, steps=8)  # type: ignore[attr-defined]
    pg.mouse.up()  # type: ignore[attr-defined]
    card.first.wait_for(state="hidden", timeout=5_000)
    assert root.evaluate("el => el.__cmMap.getCenter().lng") != before


def _apart(a: dict, b: dict) -> bool:
    """Whether two boxes (Playwright's bounding boxes) do not overlap."""
    return (
        a["x"] + a["width"] <= b["x"]
        or b["x"] + b["width"] <= a["x"]
        or a["y"] + a["height"] <= b["y"]
        or b["y"] + b["height"] <= a["y"]
    )


def test_the_preview_card_is_short_and_leaves_the_selected_feature_uncovered(
    server: str, page: object
) -> None:
    pg = page
    pg.goto(f"{server}/?lang=zh&basemap=none")  # type: ignore[attr-defined]
    _ready(pg)
    root = pg.locator(".cm-map-root").first  # type: ignore[attr-defined]
    # The zone brought to the lower left, where the card opens by default.
    root.evaluate(
        """el => { const m = el.__cmMap; m.setView([28.64, 121.40], 12, {animate: false});
                   const s = m.getSize();
                   m.panBy([s.x / 2 - 170, -(s.y / 2 - 140)], {animate: false}); }"""
    )
    zone = pg.locator("path.cm-f-" + CORE_ID).first  # type: ignore[attr-defined]
    zone.dispatch_event("click")
    card = pg.locator(f".cm-preview[data-id='{CORE_ID}']")  # type: ignore[attr-defined]
    card.wait_for(state="visible", timeout=10_000)
    shown, drawn = card.bounding_box(), zone.bounding_box()
    assert _apart(shown, drawn), (shown, drawn, card.get_attribute("data-corner"))
    # The panel opens beside the map, the map narrows: the card still leaves the zone free.
    pg.locator("[data-testid='stColumn'] .cm-head").first.wait_for(timeout=20_000)  # type: ignore[attr-defined]
    pg.wait_for_load_state("networkidle")  # type: ignore[attr-defined]
    pg.wait_for_function(  # type: ignore[attr-defined]
        """() => { const m = document.querySelector('.cm-map-root').__cmMap;
                   const el = m.getContainer();
                   const narrow = el.clientWidth < innerWidth * 0.7;
                   return narrow && m.getSize().x === el.clientWidth; }"""
    )
    shown, drawn = card.bounding_box(), zone.bounding_box()
    assert _apart(shown, drawn), (shown, drawn, card.get_attribute("data-corner"))
    # Short: name, kind, one figure, and where the rest is; the excerpts are the panel's.
    atlas = load_atlas()
    core = atlas.get(CORE_ID)
    words = card.inner_text()
    assert core.name_zh in words and "41平方公里" in words, words
    view = panel.feature_panel(atlas, CORE_ID)
    assert t("map_preview_more", "zh").format(n=len(view.excerpts)) in words, words
    assert all(e.quote[:12] not in words for e in view.excerpts), words
    assert len(words) < 120, words


def test_the_map_keeps_its_place_while_the_sidebar_and_the_filter_arrive(
    server: str, browser: object
) -> None:
    # Every animation frame from the first paint (a fresh context: nothing cached): where
    # the map's column and the map are, whether the sidebar is there, and whether the
    # page's style applies yet (before it, Streamlit may show the last page it drew).
    record = """
      window.__cmFrames = [];
      (function poll() {
        const col = document.querySelector('.st-key-cm-mapcol');
        const map = document.querySelector('.cm-map-root .leaflet-container');
        const side = document.querySelector('[data-testid=stSidebar]');
        const main = document.querySelector('[data-testid=stMainBlockContainer]');
        if (col && main) {
          const box = (el) => { const r = el.getBoundingClientRect();
            return [r.x, r.y, r.width, r.height].map(Math.round); };
          const frame = {col: box(col), map: map && map.clientHeight ? box(map) : null,
            sidebar: side ? Math.round(side.getBoundingClientRect().width) : 0,
            styled: getComputedStyle(main).getPropertyValue('--cm-page-style').trim() === '1'};
          const last = window.__cmFrames[window.__cmFrames.length - 1];
          if (!last || JSON.stringify(last) !== JSON.stringify(frame))
            window.__cmFrames.push(frame);
        }
        requestAnimationFrame(poll);
      })();
    """
    for width, height in ((1440, 900), (1920, 1080)):
        context = browser.new_context(viewport={"width": width, "height": height})  # type: ignore[attr-defined]
        pg = context.new_page()
        pg.add_init_script(record)
        pg.goto(f"{server}/?lang=zh&basemap=none")
        _ready(pg)
        pg.locator("[data-testid=stSidebar] [data-testid=stSelectbox]").first.wait_for()
        pg.get_by_text(t("map_filter", "zh")).first.wait_for(timeout=20_000)
        pg.wait_for_function(
            "() => [...document.querySelectorAll('.cm-label')]"
            ".some(e => e.style.display === 'block')"
        )
        frames = pg.evaluate("window.__cmFrames")
        context.close()
        styled = [f for f in frames if f["styled"]]
        drawn = [f for f in styled if f["map"]]
        assert drawn, frames
        # The sidebar is there before the page (and the map) is laid out, and the map's
        # column keeps its left edge, top and width from its first frame to the last.
        assert all(f["sidebar"] > 0 for f in styled), (width, frames)
        assert {tuple(f["col"][:3]) for f in styled} == {tuple(drawn[-1]["col"][:3])}, (
            width,
            frames,
        )
        # Once drawn, the map never moves or resizes.
        assert {tuple(f["map"]) for f in drawn} == {tuple(drawn[-1]["map"])}, (width, frames)
