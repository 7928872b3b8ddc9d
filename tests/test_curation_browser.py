"""One curation sequence as a user goes through it, in Chromium (issue 23's "must show").

A curator (signed in through the trusted intranet proxy's headers, the roles file making
them curator) opens the curation page of an app whose data is a copy and whose curation is
switched on (``CORRIDOR_MAP_CURATION=on``), uploads a zipped Shapefile in EPSG:4549 made
here, picks its shape by its attributes, gives the supplier's reference, the reason and
the source, and saves. Then, in the same browser: a click on 中央创新核 on the map opens a
panel saying 官方 with the reference, the panel's measured area is the new polygon's
(measured here independently with pyproj.Geod), the GeoJSON download holds the new
shape, the history lists before and after, and a revert from the page brings the layer
files back byte for byte. Every request leaving this machine is aborted.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import shapely
from shapely.geometry import Polygon, shape

from corridor_map.core.i18n import basis_name, t
from corridor_map.curation.store import CURATED_FILES
from tests._appserver import CHROMIUM, is_local, launch_chromium, streamlit_app
from tests._support import ROOT, copy_data, geodesic_km2, official_core_zip

pytestmark = [pytest.mark.browser, pytest.mark.slow]

if not CHROMIUM.exists():
    pytest.skip("/usr/bin/chromium not installed", allow_module_level=True)

CORE = "taizhou-central-core"
CURATOR = "wu@bureau.example"
SUPPLIER = "台州市自然资源和规划局"
REFERENCE = "台自然资规〔2026〕12号"
TIMEOUT_MS = 90_000


def _layers(data: Path) -> dict[str, bytes]:
    return {name: (data / "layers" / name).read_bytes() for name in CURATED_FILES}


def _free_point(data: Path, area: Polygon) -> tuple[float, float]:
    """(lat, lon) inside ``area`` and off every other curated feature drawn over it."""
    others = []
    for name in CURATED_FILES:
        for feature in json.loads((data / "layers" / name).read_text("utf-8"))["features"]:
            props, geometry = feature["properties"], feature["geometry"]
            if props["id"] == CORE or geometry is None or props.get("role") == "extent":
                continue
            other = shape(geometry)
            if other.contains(area):
                continue  # a container drawn below
            others.append(other if other.geom_type.endswith("Polygon") else other.buffer(0.004))
    point = area.difference(shapely.union_all(others)).representative_point()
    return point.y, point.x


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    root = tmp_path_factory.mktemp("curseq")
    data = copy_data(root / "data")
    roles = root / "roles.toml"
    roles.write_text(f'[roles]\n"{CURATOR}" = "curator"\n', encoding="utf-8")
    env = dict(
        os.environ,
        CORRIDOR_MAP_DATA=str(data),
        CORRIDOR_MAP_CURATION="on",
        CORRIDOR_MAP_ROLES_FILE=str(roles),
        # The browser connects from 127.0.0.1, as the intranet's proxy on this host would.
        CORRIDOR_MAP_TRUSTED_PROXY="127.0.0.1",
    )
    for name in ("CORRIDOR_MAP_DB", "TIANDITU_KEY", "CORRIDOR_MAP_SIGN_IN_TO_READ"):
        env.pop(name, None)
    with streamlit_app(ROOT / "app.py", cwd=ROOT, env=env, timeout_s=90) as app:
        yield {"url": app.url, "data": data, "root": root}


@pytest.fixture(scope="module")
def page(served: dict[str, Any]) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    outside: list[str] = []

    def route(r: Any) -> None:
        if is_local(r.request.url):
            r.continue_()
        else:
            outside.append(r.request.url)
            r.abort()

    with sync_playwright() as p:
        browser = launch_chromium(p)
        context = browser.new_context(
            viewport={"width": 1500, "height": 1000},
            accept_downloads=True,
            extra_http_headers={"X-Remote-User": "wu", "X-Remote-Email": CURATOR},
        )
        pg = context.new_page()
        pg.route("**/*", route)
        pg.set_default_timeout(TIMEOUT_MS)
        yield pg
        context.close()
        browser.close()
    assert outside == [], f"requests to outside hosts: {outside}"


def _open_curation(pg: Any, url: str) -> None:
    """The curation page as a user reaches it: the app, then its navigation."""
    pg.goto(f"{url}/?lang=zh&basemap=none")
    pg.get_by_role("link", name=t("view_curation", "zh")).first.click()
    pg.get_by_text(t("curate_title", "zh")).first.wait_for()


def _pick_core(pg: Any, basis: str, version: int) -> None:
    """Choose the core on the curation page; wait for its state line (basis, version)."""
    main = pg.locator("[data-testid='stMain']")
    box = main.locator("[data-testid='stSelectbox']").filter(has_text=t("curate_feature", "zh"))
    box.first.click()
    pg.keyboard.type(CORE)
    pg.keyboard.press("Enter")
    named = re.escape(basis_name(basis, "zh"))
    line = f"{t('geometry', 'zh')}: {named} · ±[0-9.]+ m · {t('curate_version', 'zh')} {version}"
    pg.get_by_text(re.compile(line)).first.wait_for()


def _grid_text(pg: Any) -> str:
    """The history table's cells as the grid's accessible table holds them."""
    grid = pg.locator("[data-testid='stDataFrame']").last
    grid.wait_for()
    return str(grid.locator("table").first.inner_text())


def test_official_shapefile_through_the_page_map_panel_export_history_revert(
    served: dict[str, Any], page: Any
) -> None:
    pg, data = page, served["data"]
    before = _layers(data)
    archive, expected = official_core_zip(data, served["root"], 0.96, decoy_first=True)
    expected_km2 = geodesic_km2(expected)

    # The curation page: the curator is signed in through the proxy's headers.
    _open_curation(pg, served["url"])
    pg.locator("section[data-testid='stSidebar']").get_by_text("已登录").wait_for()
    _pick_core(pg, "schematic", 1)
    pg.locator("[data-testid='stFileUploader'] input[type=file]").first.set_input_files(archive)
    pg.get_by_text(t("curate_preview", "zh")).wait_for()
    form = pg.locator("[data-testid='stForm']").filter(has_text=t("curate_save", "zh"))
    picker = form.locator("[data-testid='stSelectbox']").filter(has_text=t("curate_pick", "zh"))
    picker.click()
    pg.get_by_role("option", name=re.compile("name=中央创新核")).click()
    form.get_by_label(t("curate_supplier", "zh"), exact=True).fill(SUPPLIER)
    form.get_by_label(t("curate_reference", "zh"), exact=True).fill(REFERENCE)
    form.get_by_label(t("curate_date", "zh"), exact=True).fill("2026-03-01")
    form.get_by_label(t("curate_reason", "zh"), exact=True).fill("市局提供的红线")
    form.get_by_label(t("curate_source", "zh"), exact=True).fill("台州市自然资源和规划局 红线数据")
    form.get_by_role("button", name=t("curate_save", "zh")).click()
    pg.get_by_text(f"{t('curate_saved', 'zh')} #1").wait_for()
    published = json.loads((data / "layers" / "taizhou_bay.geojson").read_text("utf-8"))
    core = next(f for f in published["features"] if f["properties"]["id"] == CORE)
    assert core["properties"]["geometry_official"]["reference"] == REFERENCE
    assert geodesic_km2(shape(core["geometry"])) == pytest.approx(expected_km2, rel=1e-3)

    # The map: a click on the new shape opens the panel, official with its reference.
    pg.goto(f"{served['url']}/?lang=zh&basemap=none")
    root = pg.locator(".cm-map-root[data-ready='1']").first
    root.wait_for()
    pg.locator(f"path.cm-f-{CORE}").first.wait_for(state="attached")
    pg.wait_for_load_state("networkidle")
    # The map draws the new outline (the old one is 4 % larger: ~150 m on each side).
    drawn = root.evaluate(
        """(el, id) => Object.values(el.__cmMap._layers)
             .filter((l) => l._path && l._path.classList.contains('cm-f-' + id) && l.getBounds)
             .map((l) => { const b = l.getBounds();
                           return [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()]; })""",
        CORE,
    )
    assert drawn and all(
        got == pytest.approx(want, abs=5e-4)
        for bounds in drawn
        for got, want in zip(bounds, expected.bounds, strict=True)
    ), (drawn, expected.bounds)
    lat, lon = _free_point(data, expected)
    root.evaluate("(el, v) => el.__cmMap.setView([v[0], v[1]], 12, {animate: false})", [lat, lon])
    box = pg.locator(".cm-map-root .leaflet-container").first.bounding_box()
    x, y = root.evaluate(
        "(el, ll) => { const p = el.__cmMap.latLngToContainerPoint(ll); return [p.x, p.y]; }",
        [lat, lon],
    )
    pg.mouse.click(box["x"] + x, box["y"] + y)
    pg.wait_for_function(f"() => location.search.includes('sel={CORE}')")
    facts = pg.locator("table.cm-facts").first
    facts.get_by_text(basis_name("official", "zh")).wait_for()
    assert "官方" in facts.inner_text()
    pg.get_by_text(t("geometry_source", "zh"), exact=True).first.click()
    source = pg.locator(".cm-source").first
    source.get_by_text(REFERENCE).wait_for()
    assert SUPPLIER in source.inner_text()
    # The panel's measured area beside the stated 41 km²: the new polygon's.
    figures = pg.locator("table.cm-figures").first.inner_text()
    measured = re.search(r"([\d.]+) km²", figures.split("41平方公里", 1)[1])
    assert measured is not None, figures
    assert float(measured.group(1)) == pytest.approx(expected_km2, abs=0.006)

    # The export: the sidebar's GeoJSON of every feature holds the new shape.
    pg.get_by_text(t("downloads", "zh"), exact=True).first.click()
    label = t("download_features", "zh").format(fmt="GeoJSON")
    pg.get_by_role("button", name=label, exact=True).click()  # made first, then offered
    made = pg.get_by_role("button", name=f"{label} ↓")
    made.wait_for(timeout=120_000)
    with pg.expect_download() as info:
        made.click()
    exported = json.loads(Path(info.value.path()).read_text("utf-8"))
    row = next(f for f in exported["features"] if f["properties"]["id"] == CORE)
    assert row["properties"]["geometry_basis"] == "official"
    assert geodesic_km2(shape(row["geometry"])) == pytest.approx(expected_km2, rel=1e-3)

    # The history: before (schematic) and after (official), then a revert from the page.
    _open_curation(pg, served["url"])
    _pick_core(pg, "official", 2)
    history = _grid_text(pg)
    assert "schematic Polygon 40.738 km²" in history, history
    assert "official Polygon" in history and CURATOR in history, history
    revert = pg.locator("[data-testid='stForm']").filter(has_text=t("curate_revert_button", "zh"))
    revert.get_by_label(t("curate_reason", "zh"), exact=True).fill("文件有误，恢复示意范围")
    revert.get_by_role("button", name=t("curate_revert_button", "zh")).click()
    pg.get_by_text(f"{t('curate_saved', 'zh')} #2").wait_for()
    assert _layers(data) == before
