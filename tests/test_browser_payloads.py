"""Injection payloads through every renderer, in a real headless Chromium.

One Streamlit server runs ``app.py`` on a temporary data folder (the real seeds and layers)
in which every field a user can see carries a payload: a feature's names and geometry
source, an excerpt (a paragraph added to a seed, its catalog checksum updated, so that
the quote resolves verbatim), the planned link's name and note, a travel target's names
and reading, an indicator's name and note, an upload's file name and the URL's
parameters. The payload mixes HTML (``<img onerror>``, ``</script><script>``), template
literal syntax (``${…}``, a backtick), Markdown links and images to an outside host and a
``javascript:`` link. The browser then drives the map (label, tooltip on hover, layer
control, legend), the panel, the search, the reader dialog, the measure view (an upload
with a payload name), the travel view and the indicators view, and checks after each:

- no dialog (alert/confirm/prompt) fired and ``window.__pwned`` is unset in every frame;
- no request to anything but this machine was attempted (a route handler records them);
- no ``<img>``, ``<a href>`` or ``<script>`` element came out of a payload;
- the payload is on the page as literal text.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from shapely.geometry import shape

from corridor_map.core.i18n import t
from corridor_map.core.paths import layers_dir, seeds_dir
from tests._appserver import CHROMIUM, is_local, launch_chromium, streamlit_app

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
CORE_ID = "taizhou-central-core"
PROBE_ID = "zz-payload-probe"
LINK_ID = "tailong-expressway"
TARGET_ID = "wenling-tailong-15min"
SEED_DOC = "wenling-reply-2025"
SEED_BEFORE = "感谢你们对科技工作的关心和支持!"
EVIL = "evil.example"

if not CHROMIUM.exists():
    pytest.skip(
        "/usr/bin/chromium not installed (apt-get install chromium)", allow_module_level=True
    )


def payload(tag: str) -> str:
    """A payload naming the field it sits in (``window.__pwned`` would say which ran)."""
    return (
        f"探针{tag}<img src=x onerror=window.__pwned='{tag}'>${{window.__pwned='{tag}'}}`"
        f"</script><script>window.__pwned='{tag}'</script>"
        f"[登录{tag}](https://{EVIL}/login)![x](https://{EVIL}/{tag}.png)"
        f"[点我](javascript:window.__pwned='{tag}')"
    )


def name_payload(tag: str) -> str:
    """The payload for a name: validate refuses names over 120 characters (issue 27), so a
    name carries the markup, the template literal and the Markdown link, not the script."""
    return (
        f"探针{tag}<img src=x onerror=window.__pwned='{tag}'>${{window.__pwned=1}}`"
        f"[{tag}](https://{EVIL}/login)"
    )


# Literal fragments that show a payload was written as text, not interpreted.
SHOWN = "onerror=window.__pwned="
SHOWN_MD = f"](https://{EVIL}/login)"


def _write_json(path: Path, data: Any) -> None:
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")


def _features(path: Path) -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
    data = json.loads(path.read_text(encoding="utf-8"))
    return data, {f["properties"]["id"]: f for f in data["features"]}


def _seed_with_payload(root: Path) -> str:
    """Add a payload paragraph to one seed (catalog checksum updated); return its quote."""
    from corridor_map.documents.corpus import load_corpus

    catalog_path = root / "seeds" / "catalog.json"
    catalog = json.loads(catalog_path.read_text(encoding="utf-8"))
    entry = next(d for d in catalog["documents"] if d["id"] == SEED_DOC)
    seed = root / "seeds" / entry["seed_file"]
    text = seed.read_text(encoding="utf-8")
    assert SEED_BEFORE in text
    text = text.replace(SEED_BEFORE, f"探针段落{payload('seed')}\n{SEED_BEFORE}", 1)
    seed.write_text(text, encoding="utf-8")
    entry["sha256"] = hashlib.sha256(seed.read_bytes()).hexdigest()
    _write_json(catalog_path, catalog)
    document = load_corpus(root / "seeds").document(SEED_DOC)
    (paragraph,) = [p for p in document.paragraphs if "探针段落" in p.text]
    return paragraph.text


def _probe(core: dict[str, Any], seed_quote: str) -> dict[str, Any]:
    # A small square inside the central core, so the probe is drawn, labelled, hoverable.
    centre = shape(core["geometry"]).representative_point()
    d = 0.004
    x, y = round(centre.x, 3), round(centre.y, 3)
    ring = [[x - d, y - d], [x + d, y - d], [x + d, y + d], [x - d, y + d], [x - d, y - d]]
    return {
        "type": "FeatureCollection",
        "name": "zz_payloads",
        "description": "browser payload probe",
        "features": [
            {
                "type": "Feature",
                "geometry": {
                    "type": "Polygon",
                    "coordinates": [[[round(a, 6) for a in p] for p in ring]],
                },
                "properties": {
                    "id": PROBE_ID,
                    "name_zh": name_payload("name"),
                    "name_en": name_payload("name_en"),
                    "corridor": "taizhou-bay",
                    "role": "key_block",
                    "parent": None,
                    "district": [{"name": "椒江区", "code": "331002"}],
                    "status": None,
                    "stated": [],
                    "geometry_basis": "schematic",
                    "geometry_source": payload("source"),
                    "precision_m": 1,
                    "sources": [
                        core["properties"]["sources"][0],
                        {"doc": SEED_DOC, "quote": seed_quote},
                    ],
                },
            }
        ],
    }


@pytest.fixture(scope="module")
def data_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("payload-data")
    shutil.copytree(seeds_dir(), root / "seeds")
    shutil.copytree(layers_dir(), root / "layers")
    layers = root / "layers"
    seed_quote = _seed_with_payload(root)

    _, taizhou = _features(layers / "taizhou_bay.geojson")
    _write_json(layers / "zz_payloads.geojson", _probe(taizhou[CORE_ID], seed_quote))

    data, wenling = _features(layers / "wenling_lakes.geojson")
    wenling[LINK_ID]["properties"]["name_zh"] = name_payload("link")
    wenling[LINK_ID]["properties"]["name_en"] = name_payload("link_en")
    _write_json(layers / "wenling_lakes.geojson", data)

    links = json.loads((layers / "planned_links.geojson").read_text(encoding="utf-8"))
    links["links"][0]["note"] = payload("note")
    _write_json(layers / "planned_links.geojson", links)

    targets = json.loads((layers / "travel_targets.json").read_text(encoding="utf-8"))
    target = next(t for t in targets["targets"] if t["id"] == TARGET_ID)
    target["name_zh"] = name_payload("target")
    target["name_en"] = name_payload("target_en")
    target["evaluation_zh"] = payload("reading")
    _write_json(layers / "travel_targets.json", targets)

    register = json.loads((layers / "indicators.json").read_text(encoding="utf-8"))
    first = register["indicators"][0]
    first["name_zh"] = name_payload("indicator")
    first["note"] = payload("ind_note_en")
    first["note_zh"] = payload("ind_note")  # the Chinese UI shows the Chinese note
    _write_json(layers / "indicators.json", register)

    # Every payload file must be valid, or it would be refused and the test prove little.
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("CORRIDOR_MAP_DATA", str(root))
        from corridor_map.atlas.validation import validate

        assert validate(layers) == []
    return root


@pytest.fixture(scope="module")
def server(data_root: Path) -> Iterator[str]:
    env = dict(os.environ, CORRIDOR_MAP_DATA=str(data_root))
    env.pop("TIANDITU_KEY", None)
    with streamlit_app(ROOT / "app.py", cwd=ROOT, env=env, timeout_s=90) as app:
        yield app.url


class Watch:
    """One page: outside requests aborted and recorded, dialogs recorded and dismissed."""

    def __init__(self, browser: Any, base_url: str) -> None:
        self.outside: list[str] = []
        self.dialogs: list[str] = []
        self.context = browser.new_context(viewport={"width": 1500, "height": 1000})
        self.context.add_init_script("window.__pwned = 0;")
        self.page = self.context.new_page()
        self.page.route("**/*", self._route)
        self.page.on("dialog", self._dialog)
        self.base_url = base_url

    def _route(self, route: Any) -> None:
        if is_local(route.request.url):
            route.continue_()
        else:
            self.outside.append(route.request.url)
            route.abort()

    def _dialog(self, dialog: Any) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def open(self, query: str, ready: str = ".cm-map-root[data-ready='1']") -> None:
        self.page.goto(f"{self.base_url}/{query}")
        self.page.locator(ready).first.wait_for(timeout=120_000)
        self.page.wait_for_load_state("networkidle")

    def text(self, fragment: str, timeout: float = 60_000) -> None:
        """Wait until ``fragment`` shows as text somewhere on the page."""
        shown = self.page.get_by_text(fragment, exact=False).locator("visible=true")
        shown.first.wait_for(timeout=timeout)

    def assert_inert(self, where: str) -> None:
        self.page.wait_for_timeout(500)  # an onerror or a fetch would have fired by now
        assert self.dialogs == [], (where, self.dialogs)
        pwned = [f.evaluate("window.__pwned") for f in self.page.frames]
        assert all(not flag for flag in pwned), (where, pwned)
        assert self.outside == [], (where, self.outside)
        made = self.page.evaluate(
            """() => ({
                img: [...document.querySelectorAll('img')]
                    .map(e => e.getAttribute('src') || '')
                    .filter(s => s === 'x' || s.includes('evil.example')),
                a: [...document.querySelectorAll('a[href]')]
                    .map(e => e.getAttribute('href'))
                    .filter(h => h.includes('evil.example') || /^\\s*javascript:/i.test(h)),
                script: [...document.querySelectorAll('script')]
                    .filter(s => !s.src && s.textContent.includes("window.__pwned='"))
                    .length,
            })"""
        )
        assert made == {"img": [], "a": [], "script": 0}, (where, made)
        assert self.page.locator(".stException").count() == 0, where
        assert self.page.get_by_text("Traceback").count() == 0, where

    def shot(self, name: str) -> None:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(ARTIFACTS / f"payload-{name}.png"), full_page=True)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = launch_chromium(p)
        yield b
        b.close()


@pytest.fixture
def watch(browser: Any, server: str) -> Iterator[Watch]:
    w = Watch(browser, server)
    yield w
    w.context.close()


def _root(watch: Watch) -> Any:
    return watch.page.locator(".cm-map-root").first


def test_map_panel_tooltip_label_layer_control_and_legend(watch: Watch, data_root: Path) -> None:
    page = watch.page
    watch.open(f"?sel={PROBE_ID}&lang=zh&basemap=none")
    # the panel: name, excerpt (the payload paragraph), geometry source
    column = page.locator("[data-testid='stColumn']")
    column.filter(has_text=f"探针name<img src=x {SHOWN}'name'>").first.wait_for(timeout=60_000)
    column.filter(has_text="探针段落探针seed").first.wait_for(timeout=30_000)
    page.get_by_text("坐标来源", exact=False).first.click()
    watch.text(f"探针source<img src=x {SHOWN}'source'>")
    assert page.get_by_text(SHOWN_MD, exact=False).count() >= 2  # Markdown left as text
    # the map: the probe drawn, its preview card, a label and a tooltip written as text
    probe = page.locator(f"path.cm-f-{PROBE_ID}").first
    probe.wait_for(state="attached", timeout=30_000)
    page.locator(".cm-preview", has_text=f"{SHOWN}'name'").wait_for(timeout=20_000)
    centre = json.loads((data_root / "layers" / "zz_payloads.geojson").read_text("utf-8"))
    ring = centre["features"][0]["geometry"]["coordinates"][0]
    lon = (ring[0][0] + ring[2][0]) / 2
    lat = (ring[0][1] + ring[2][1]) / 2
    _root(watch).evaluate(
        "(el, v) => el.__cmMap.setView([v[0], v[1]], 15, {animate: false})", [lat, lon]
    )
    page.wait_for_timeout(800)
    labels = _root(watch).locator(".leaflet-pane", has_text="探针name")
    labels.first.wait_for(state="attached", timeout=20_000)
    probe.hover(force=True)
    tooltip = page.locator(".leaflet-tooltip", has_text="探针name").first
    tooltip.wait_for(timeout=20_000)
    assert f"<img src=x {SHOWN}'name'>${{window.__pwned=1}}`" in tooltip.inner_text()
    # the layer control and the legend: ours only, nothing from a payload inside
    control = page.locator(".leaflet-control-layers").first
    control.hover()
    page.wait_for_timeout(300)
    # (Leaflet's own toggle is the one link: href="#")
    assert control.locator("img, script, a[href]:not([href='#'])").count() == 0
    assert control.locator("label").count() > 0
    legend = _root(watch).locator(".cm-legend-row")
    assert legend.count() > 0
    watch.shot("map")
    watch.assert_inert("map, panel, tooltip, label, layer control, legend")


def test_search_and_reader(watch: Watch) -> None:
    page = watch.page
    watch.open("?lang=zh&basemap=none")
    box = page.get_by_label("搜索地点或政策原文")
    box.fill("探针")
    box.press("Enter")
    # a feature hit (a button labelled with the name) and a text hit (the paragraph)
    sidebar = page.locator("[data-testid='stSidebar']")
    sidebar.get_by_role(
        "button", name=f"探针name<img src=x {SHOWN}'name'>", exact=False
    ).first.wait_for(timeout=60_000)
    sidebar.locator("div", has_text="探针段落").first.wait_for(timeout=30_000)
    watch.assert_inert("search results")
    # the text hit opens the reader at the payload paragraph
    sidebar.get_by_role("button", name="打开", exact=False).first.click()
    dialog = page.locator("[role='dialog']")
    dialog.filter(has_text="探针段落").first.wait_for(timeout=60_000)
    assert dialog.get_by_text(f"{SHOWN}'seed'", exact=False).count() >= 1
    assert dialog.get_by_text(SHOWN_MD, exact=False).count() >= 1
    watch.shot("reader")
    watch.assert_inert("reader dialog")


def _geometry_collection() -> bytes:
    return json.dumps(
        {
            "type": "GeometryCollection",
            "geometries": [
                {"type": "Point", "coordinates": [121.42, 28.66]},
                {"type": "LineString", "coordinates": [[121.4, 28.6], [121.5, 28.7]]},
            ],
        }
    ).encode()


def test_measure_view_upload_names(watch: Watch) -> None:
    page = watch.page
    watch.open("?view=measure&lang=zh&basemap=none")
    upload = page.locator("input[type=file]").first
    upload.wait_for(state="attached", timeout=120_000)
    # a file name cannot hold "/": the payload without its URLs, plus a Markdown link
    name = "探针file<img src=x onerror=alert(1)>${alert(2)}`[登录](evil.example)"
    dense = '{"type":"LineString","coordinates":[' + ",".join(["[1,2]"] * 200_001) + "]}"
    upload.set_input_files(
        files=[
            {"name": f"{name}.geojson", "mimeType": "application/json", "buffer": dense.encode()}
        ]
    )
    watch.text("顶点过多", timeout=90_000)  # refused, in the UI language
    errors = page.locator("[data-testid='stAlert']", has_text="顶点过多")
    assert (
        "<img src=x onerror=alert(1)>${alert(2)}`[登录](evil.example)" in errors.first.inner_text()
    )
    watch.assert_inert("measure view: refused upload")
    upload.set_input_files(
        files=[
            {
                "name": f"{name}.geojson",
                "mimeType": "application/json",
                "buffer": _geometry_collection(),
            }
        ]
    )
    watch.text("几何集合", timeout=90_000)  # measured, with its warning naming the file
    warning = page.locator("[data-testid='stAlert']", has_text="几何集合")
    assert "<img src=x onerror=alert(1)>" in warning.first.inner_text()
    watch.shot("measure")
    watch.assert_inert("measure view: measured upload")


def test_travel_view_link_target_and_reading(watch: Watch) -> None:
    page = watch.page
    watch.open("?view=travel&lang=zh&basemap=none")
    # the planned link's name in the toggle, the target's name and its reading
    watch.text(f"探针link<img src=x {SHOWN}'link'>", timeout=120_000)
    target = f"探针target<img src=x {SHOWN}'target'>"
    # the table is a canvas grid: its cells' accessible text is the literal name
    page.locator("[role='gridcell']", has_text=target).first.wait_for(
        state="attached", timeout=60_000
    )
    chosen = page.get_by_role("combobox", name="选择目标")
    assert chosen.input_value() == name_payload("target")  # the whole name, as text
    watch.text(f"探针reading<img src=x {SHOWN}'reading'>")
    page.locator("[data-testid='stExpander'] summary", has_text="速度假设").first.click()
    watch.text(f"探针note<img src=x {SHOWN}'note'>")
    watch.shot("travel")
    watch.assert_inert("travel view")


def test_indicators_view(watch: Watch) -> None:
    watch.open("?view=indicators&lang=zh", ready="[data-testid='stVerticalBlock']")
    watch.text(f"探针indicator<img src=x {SHOWN}'indicator'>", timeout=120_000)
    watch.text(f"探针ind_note<img src=x {SHOWN}'ind_note'>")
    watch.shot("indicators")
    watch.assert_inert("indicators view")


@pytest.mark.parametrize(
    "query",
    [
        f"?sel={quote(payload('url'))}&lang=zh&basemap=none",
        f"?sel={quote('[点我](javascript:window.__pwned=1)')}&lang=zh&basemap=none",
        f"?lang={quote(payload('lang'))}&basemap={quote(payload('basemap'))}"
        f"&view={quote(payload('view'))}&at={quote(payload('at'))}",
    ],
)
def test_url_parameters(watch: Watch, query: str) -> None:
    watch.open(query)
    if "sel=" in query:
        # The unknown id is named as text in the notice of what the link lost (shortened
        # to 40 characters: the start of the payload, its markup shown, not run).
        watch.text(t("url_dropped_ids", "zh").split("{n}")[0])
        probe = quote("探针") in query  # payload('url'), shown up to its 40th character
        watch.text("探针url<img src=x" if probe else "javascript:window.__pwned")
    watch.assert_inert(f"URL {query[:40]}")
