"""Plain helpers shared by test modules and ``tests/conftest.py`` (not fixtures)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from corridor_map.core.paths import layers_dir, seeds_dir

ROOT = Path(__file__).resolve().parent.parent


def copy_data(root: Path, layers: bool = True) -> Path:
    """Copy the shipped ``seeds/`` (and ``layers/``) into ``root``; return ``root``."""
    shutil.copytree(seeds_dir(), root / "seeds")
    if layers:
        shutil.copytree(layers_dir(), root / "layers")
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
