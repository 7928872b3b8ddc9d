"""Plain helpers shared by test modules and ``tests/conftest.py`` (not fixtures)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from corridor_map.paths import layers_dir, seeds_dir

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
    from corridor_map._appserver import streamlit_app

    env = dict(os.environ, CORRIDOR_MAP_DATA=str(data_root))
    env.pop("TIANDITU_KEY", None)
    with streamlit_app(ROOT / "app.py", cwd=ROOT, env=env, timeout_s=timeout_s) as app:
        yield app.url
