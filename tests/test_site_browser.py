"""The site page in a real headless Chromium: upload a parcel, read the answer, get the report.

The page is served on its own (``streamlit run pages/site.py``): it is not wired into the
app's navigation yet. Every request to anything but this machine is aborted and recorded.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import geopandas as gpd
import pytest
from pyproj import Transformer
from shapely.geometry import box

from tests._appserver import CHROMIUM, is_local, launch_chromium, streamlit_app

pytestmark = [pytest.mark.browser, pytest.mark.slow]
ROOT = Path(__file__).resolve().parent.parent

if not CHROMIUM.exists():
    pytest.skip("/usr/bin/chromium not installed", allow_module_level=True)


def _parcel_gpkg(folder: Path, atlas) -> bytes:
    anchor = atlas.get("taizhou-central-core").geometry.representative_point()
    x, y = Transformer.from_crs("EPSG:4326", "EPSG:4549", always_xy=True).transform(
        anchor.x, anchor.y
    )
    frame = gpd.GeoDataFrame(
        {"name": ["红线-1"]}, geometry=[box(x - 400, y - 300, x + 400, y + 300)], crs="EPSG:4549"
    )
    path = folder / "parcel.gpkg"
    frame.to_file(path, driver="GPKG")
    return path.read_bytes()


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")
def test_upload_parcel_see_relations_excerpts_travel_and_download_report(tmp_path, atlas, corpus):
    from playwright.sync_api import sync_playwright

    outside: list[str] = []

    def route(r) -> None:
        if is_local(r.request.url):
            r.continue_()
        else:
            outside.append(r.request.url)
            r.abort()

    quote = "在中央创新核设立飞地创新平台"
    assert quote in corpus.document("taizhou-bay-briefing").text
    with streamlit_app(ROOT / "pages" / "site.py", cwd=ROOT) as server, sync_playwright() as pw:
        browser = launch_chromium(pw)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.route("**/*", route)
            page.goto(server.url)
            page.get_by_text("上传文件", exact=True).click(timeout=120_000)
            upload = page.locator("input[type=file]").first
            upload.wait_for(state="attached", timeout=60_000)
            upload.set_input_files(
                files=[
                    {
                        "name": "parcel.gpkg",
                        "mimeType": "application/geopackage+sqlite3",
                        "buffer": _parcel_gpkg(tmp_path, atlas),
                    }
                ]
            )
            page.get_by_text("与走廊要素的关系").first.wait_for(timeout=120_000)
            # travel time to the core, the may-be-here list and the excerpts
            page.get_by_text("出行时间（到门户与核心）").first.wait_for(timeout=30_000)
            page.get_by_text("中央创新核").first.wait_for(timeout=30_000)
            page.get_by_text("位于台州湾科创走廊内某处", exact=False).first.wait_for(timeout=30_000)
            page.get_by_text(quote, exact=False).first.wait_for(timeout=30_000)
            assert page.get_by_text("红线-1", exact=False).count() > 0
            page.get_by_role("button", name="下载报告（PDF）").click()
            link = page.get_by_role("button", name="PDF ↓")
            link.wait_for(timeout=180_000)
            with page.expect_download(timeout=60_000) as info:
                link.click()
            pdf = tmp_path / "report.pdf"
            info.value.save_as(pdf)
        finally:
            browser.close()
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, check=True).stdout
    flat = "".join(text.decode().split())
    assert "选址核查" in flat and "红线-1" in flat
    assert "中央创新核" in flat and quote in flat
    assert "OpenStreetMap" in flat
    assert outside == []
