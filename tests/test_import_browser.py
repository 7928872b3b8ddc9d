"""The measure view's upload in a real headless Chromium: formats, CRSs, refusals, downloads.

Every request to anything but this machine is aborted and recorded.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import geopandas as gpd
import pytest
import shapely

from tests._appserver import CHROMIUM, is_local, launch_chromium, streamlit_app

pytestmark = pytest.mark.browser
ROOT = Path(__file__).resolve().parent.parent

if not CHROMIUM.exists():
    pytest.skip("/usr/bin/chromium not installed", allow_module_level=True)


def _gk_zip(folder: Path) -> bytes:
    square = shapely.box(40_499_500, 3_160_000, 40_500_500, 3_161_000)
    frame = gpd.GeoDataFrame({"name": ["一平方公里"]}, geometry=[square], crs="EPSG:4528")
    frame.to_file(folder / "square.shp", encoding="utf-8")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path in folder.glob("square.*"):
            archive.write(path, path.name)
    return buffer.getvalue()


def test_upload_shapefile_and_refusal_in_ui_language(tmp_path):
    from playwright.sync_api import sync_playwright

    outside: list[str] = []

    def route(r) -> None:
        if is_local(r.request.url):
            r.continue_()
        else:
            outside.append(r.request.url)
            r.abort()

    with streamlit_app(ROOT / "app.py", cwd=ROOT) as server, sync_playwright() as pw:
        browser = launch_chromium(pw)
        try:
            page = browser.new_page(viewport={"width": 1500, "height": 1000})
            page.route("**/*", route)
            page.goto(f"{server.url}/?view=measure&basemap=none&lang=zh")
            upload = page.locator("input[type=file]").first
            upload.wait_for(state="attached", timeout=120_000)
            upload.set_input_files(
                files=[
                    {
                        "name": "notes.docx",
                        "mimeType": "application/octet-stream",
                        "buffer": b"not a map",
                    }
                ]
            )
            page.get_by_text("不支持的文件类型", exact=False).first.wait_for(timeout=90_000)
            upload.set_input_files(
                files=[
                    {
                        "name": "square.zip",
                        "mimeType": "application/zip",
                        "buffer": _gk_zip(tmp_path),
                    }
                ]
            )
            page.get_by_text("3-degree Gauss-Kruger zone 40", exact=False).first.wait_for(
                timeout=90_000
            )
            # a GeometryCollection is drawn member by member, the view keeps working
            collection = (
                '{"type":"GeometryCollection","geometries":[{"type":"Point","coordinates":'
                '[121.42,28.66]},{"type":"LineString","coordinates":[[121.4,28.6],[121.5,28.7]]}]}'
            )
            upload.set_input_files(
                files=[
                    {
                        "name": "gc.geojson",
                        "mimeType": "application/geo+json",
                        "buffer": collection.encode(),
                    }
                ]
            )
            page.get_by_text("几何集合", exact=False).first.wait_for(timeout=90_000)
            assert page.get_by_text("Traceback").count() == 0
            # the downloads sit in the sidebar and are built on click; a printed map is
            # prepared first, its steps shown, then offered
            page.get_by_text("下载", exact=True).first.click()
            page.get_by_role("button", name="打印地图（PDF，A4 横向）", exact=True).click()
            ready = page.get_by_role("button", name="打印地图（PDF，A4 横向） ↓")
            ready.wait_for(timeout=120_000)
            assert page.get_by_text("嵌入字体并写入文件").count() >= 1
            with page.expect_download(timeout=120_000) as info:
                ready.click()
            pdf = Path(info.value.path()).read_bytes()
            assert pdf.startswith(b"%PDF") and info.value.suggested_filename == (
                "corridor-map-all-A4.pdf"
            )
            # feature files too are made first (within the time limit), then offered
            page.get_by_role("button", name="要素（GPKG）", exact=True).click()
            made = page.get_by_role("button", name="要素（GPKG） ↓")
            made.wait_for(timeout=120_000)
            with page.expect_download(timeout=120_000) as info:
                made.click()
            assert Path(info.value.path()).read_bytes().startswith(b"SQLite format 3")
            artifacts = ROOT / "tests" / "artifacts"
            artifacts.mkdir(exist_ok=True)
            page.wait_for_timeout(1500)
            page.screenshot(path=str(artifacts / "measure-upload.png"), full_page=True)
        finally:
            browser.close()
    assert outside == []
