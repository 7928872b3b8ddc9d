"""Plain helpers shared by test modules and ``tests/conftest.py`` (not fixtures)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from corridor_map.core.paths import curated_dir, layers_dir, seeds_dir

ROOT = Path(__file__).resolve().parent.parent


def copy_data(root: Path, layers: bool = True) -> Path:
    """Copy the shipped ``seeds/`` (and ``layers/``, ``curated/``) into ``root``."""
    shutil.copytree(seeds_dir(), root / "seeds")
    if layers:
        shutil.copytree(layers_dir(), root / "layers")
        shutil.copytree(curated_dir(), root / "curated")
    return root


@contextmanager
def app_server(data_root: Path, timeout_s: float = 60) -> Iterator[str]:
    """Serve ``app.py`` on ``data_root`` (no Tianditu key) and yield its URL."""
    from tests._appserver import streamlit_app

    env = dict(os.environ, CORRIDOR_MAP_DATA=str(data_root))
    env.pop("TIANDITU_KEY", None)
    with streamlit_app(ROOT / "app.py", cwd=ROOT, env=env, timeout_s=timeout_s) as app:
        yield app.url


@contextmanager
def blocking_page(
    url: str, viewport: dict[str, int], init_script: str | None = None
) -> Iterator[tuple[object, list[str]]]:
    """A Chromium page on ``url`` that blocks (and records) every non-local request."""
    from playwright.sync_api import sync_playwright

    from tests._appserver import is_local, launch_chromium

    outside: list[str] = []

    def route(r: object) -> None:
        request_url = r.request.url  # type: ignore[attr-defined]
        if is_local(request_url):
            r.continue_()  # type: ignore[attr-defined]
        else:
            outside.append(request_url)
            r.abort()  # type: ignore[attr-defined]

    with sync_playwright() as p:
        browser = launch_chromium(p)
        context = browser.new_context(viewport=viewport)
        if init_script:
            context.add_init_script(init_script)
        pg = context.new_page()
        pg.route("**/*", route)
        pg.goto(url)
        try:
            yield pg, outside
        finally:
            context.close()
            browser.close()


def geodesic_km2(geometry: Any) -> float:
    """Area on the WGS84 ellipsoid (pyproj.Geod), the reference for measured areas."""
    from pyproj import Geod

    area, _ = Geod(ellps="WGS84").geometry_area_perimeter(geometry)
    return abs(area) / 1e6


def official_core_zip(
    root: Path, folder: Path, scale: float, decoy_first: bool
) -> tuple[Path, Any]:
    """A bureau's red line for the Taizhou central core, as it would arrive: a zipped
    Shapefile in EPSG:4549 (CGCS2000 / 3-degree GK CM 120E) holding the core's outline
    scaled by ``scale`` about its centre and a decoy parcel (listed first or second).

    Returns the archive and the scaled outline in WGS84 (what the import must give).
    """
    import json
    import zipfile

    import geopandas as gpd
    import numpy as np
    import shapely
    from pyproj import Transformer
    from shapely import affinity
    from shapely.geometry import shape

    def on_array(fn: Any, geometry: Any) -> Any:
        return shapely.transform(geometry, lambda xy: np.column_stack(fn(xy[:, 0], xy[:, 1])))

    layer = json.loads((root / "layers" / "taizhou_bay.geojson").read_text("utf-8"))
    current = next(
        shape(f["geometry"])
        for f in layer["features"]
        if f["properties"]["id"] == "taizhou-central-core"
    )
    to_gk = Transformer.from_crs("EPSG:4326", "EPSG:4549", always_xy=True).transform
    core_gk = affinity.scale(on_array(to_gk, current), scale, scale, origin="centroid")
    rows = [("中央创新核", "A-1", core_gk), ("其他地块", "B-2", core_gk.centroid.buffer(500))]
    if decoy_first:
        rows.reverse()
    frame = gpd.GeoDataFrame(
        {"name": [r[0] for r in rows], "code": [r[1] for r in rows]},
        geometry=[r[2] for r in rows],
        crs="EPSG:4549",
    )
    shp = folder / "shp"
    shp.mkdir()
    frame.to_file(shp / "redline.shp", engine="pyogrio", encoding="utf-8")
    archive = folder / "redline.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for part in sorted(shp.iterdir()):
            zf.write(part, part.name)
    back = Transformer.from_crs("EPSG:4549", "EPSG:4326", always_xy=True).transform
    return archive, on_array(back, core_gk)
