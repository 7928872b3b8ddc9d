"""The indicators view in a real headless Chromium: a card's excerpt opens the reader.

One Streamlit server runs ``app.py`` on a copy of the real seeds and layers in which one
indicator's name carries markup (it must show literally). Every request to anything but
this machine is aborted and recorded; the charts (Vega, bundled with Streamlit) must not
need any. Screenshots go to ``tests/artifacts/`` (git-ignored) for a person to look at.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from corridor_map.core.i18n import corridor_name
from tests._appserver import CHROMIUM
from tests._support import app_server, blocking_page, copy_data

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
PROBE_ID = "wz-future-communities"
PROBE_NAME = "<img src=x onerror=window.__pwned=1>${window.__pwned=2}`探针"

if not CHROMIUM.exists():
    pytest.skip(
        "/usr/bin/chromium not installed (apt-get install chromium)", allow_module_level=True
    )


@pytest.fixture(scope="module")
def data_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = copy_data(tmp_path_factory.mktemp("data"))
    path = root / "layers" / "indicators.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    probe = next(i for i in data["indicators"] if i["id"] == PROBE_ID)
    probe["name_zh"] = PROBE_NAME
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def server(data_root: Path) -> Iterator[str]:
    with app_server(data_root) as url:
        yield url


@pytest.fixture(scope="module")
def page(server: str) -> Iterator[tuple[object, list[str]]]:
    with blocking_page(server, {"width": 1400, "height": 1100}, "window.__pwned = 0;") as opened:
        yield opened


def _reader_paragraph(pg: object, paragraph: str) -> object:
    """The cited paragraph inside the reader dialog."""
    for frame in pg.frames:  # type: ignore[attr-defined]
        locator = frame.locator(f"[role=dialog] p#cm-p-{paragraph}.cm-cited")
        if locator.count():
            return locator.first
    return None


def test_card_excerpt_opens_reader_at_paragraph(page: tuple[object, list[str]]) -> None:
    pg, outside = page
    # The server's root (the page's URL now holds the page's path too).
    base = "/".join(pg.url.split("/")[:3])  # type: ignore[attr-defined]
    pg.goto(f"{base}/?view=indicators&lang=zh")  # type: ignore[attr-defined]
    card = pg.locator(".cm-ind", has_text="全社会R&D经费投入").first  # type: ignore[attr-defined]
    card.wait_for(timeout=60_000)
    # The card shows the table's figures as written, base → target.
    text = card.inner_text()
    assert "28.2" in text and "58" in text and "无报告" in text
    # named by the document's short title (the catalog's), never by its id
    button = pg.get_by_role("button", name="温岭科创“十四五”规划 p039").first  # type: ignore[attr-defined]
    button.click()
    cited = None
    for _ in range(60):
        cited = _reader_paragraph(pg, "p039")
        if cited is not None:
            break
        pg.wait_for_timeout(500)  # type: ignore[attr-defined]
    assert cited is not None, "the reader did not open at p039"
    assert "28.2" in cited.inner_text() and "全社会R&D经费投入" in cited.inner_text()
    ARTIFACTS.mkdir(exist_ok=True)
    cited.scroll_into_view_if_needed()
    pg.screenshot(path=str(ARTIFACTS / "indicators-reader.png"), full_page=False)  # type: ignore[attr-defined]
    assert outside == [], f"requests to outside hosts: {outside}"


def test_other_corridor_charts_offline_and_names_inert(page: tuple[object, list[str]]) -> None:
    pg, outside = page
    # The server's root (the page's URL now holds the page's path too).
    base = "/".join(pg.url.split("/")[:3])  # type: ignore[attr-defined]
    pg.goto(f"{base}/?view=indicators&lang=en")  # type: ignore[attr-defined]
    pg.locator(".cm-ind", has_text="Gross R&D expenditure").first.wait_for(timeout=60_000)  # type: ignore[attr-defined]
    # The timeline chart (Vega, bundled) draws without any outside request.
    pg.locator("canvas, svg.marks").first.wait_for(timeout=30_000)  # type: ignore[attr-defined]
    pg.get_by_text("Base and target", exact=False).first.wait_for(timeout=30_000)  # type: ignore[attr-defined]
    pg.wait_for_timeout(1500)  # type: ignore[attr-defined]
    pg.screenshot(path=str(ARTIFACTS / "indicators-en-charts.png"), full_page=True)  # type: ignore[attr-defined]
    # Daluo corridor: the probe's name shows literally and runs nothing.
    # In view first: focusing a select at the window's edge scrolls the page, and a scroll
    # closes the list it opens.
    corridor = pg.get_by_test_id("stMain").get_by_test_id("stSelectbox").first  # type: ignore[attr-defined]
    corridor.evaluate("e => e.scrollIntoView({block: 'center'})")
    corridor.locator("input").click()
    pg.get_by_role("option", name=corridor_name("wenzhou-daluo", "en")).click()  # type: ignore[attr-defined]
    pg.get_by_text("${window.__pwned=2}", exact=False).first.wait_for(timeout=30_000)  # type: ignore[attr-defined]
    assert "<img src=x" in pg.locator(".cm-ind", has_text="探针").first.inner_text()  # type: ignore[attr-defined]
    # A city-wide figure of the 2024 reply is shown apart from the corridor's target.
    assert "4326" in pg.locator(".cm-ind", has_text="900").first.inner_text()  # type: ignore[attr-defined]
    pg.locator(".cm-ind", has_text="900").first.scroll_into_view_if_needed()  # type: ignore[attr-defined]
    pg.screenshot(path=str(ARTIFACTS / "indicators-daluo.png"), full_page=False)  # type: ignore[attr-defined]
    assert all(not f.evaluate("window.__pwned") for f in pg.frames)  # type: ignore[attr-defined]
    assert outside == [], f"requests to outside hosts: {outside}"
