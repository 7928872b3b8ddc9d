"""Offline static assets: the scripts and styles the map needs, served by Streamlit.

Streamlit serves files under ``static/`` next to ``app.py`` at ``/app/static/...`` when
``server.enableStaticServing`` is on (see ``.streamlit/config.toml``). Leaflet comes from
the installed XStatic-Leaflet package and is copied into ``static/vendor/`` at start-up
rather than committed: the copy always matches the installed version, the repository
stays free of vendored minified code, and the copy is cheap and idempotent.
"""

from __future__ import annotations

import filecmp
import os
import shutil
import tempfile
from pathlib import Path

from corridor_map.core.errors import CorridorMapError

#: URL prefix under which Streamlit serves ``static/``.
STATIC_URL = "/app/static"
#: Sub-folder of ``static/`` that holds copied third-party files (git-ignored).
VENDOR_SUBDIR = "vendor"

LEAFLET_JS_URL = f"{STATIC_URL}/{VENDOR_SUBDIR}/leaflet/leaflet.js"
LEAFLET_CSS_URL = f"{STATIC_URL}/{VENDOR_SUBDIR}/leaflet/leaflet.css"

# What the map needs from XStatic-Leaflet: the minified library, its stylesheet and the
# control images the stylesheet refers to (layers.png for the layer control).
_LEAFLET_FILES = (
    "leaflet.js",
    "leaflet.css",
    "images/layers.png",
    "images/layers-2x.png",
    "images/marker-icon.png",
    "images/marker-icon-2x.png",
    "images/marker-shadow.png",
)


class AssetError(CorridorMapError):
    """A static asset the map needs is missing from the installed packages."""


def static_dir() -> Path:
    """Return the ``static/`` folder Streamlit serves (next to ``app.py``).

    Returns
    -------
    Path
        ``$CORRIDOR_MAP_STATIC`` when set, else ``static/`` at the repository root.
    """
    override = os.environ.get("CORRIDOR_MAP_STATIC")
    if override:
        return Path(override)
    return Path(__file__).resolve().parents[2] / "static"


def _leaflet_source() -> Path:
    try:
        from xstatic.pkg import leaflet
    except ImportError as exc:  # pragma: no cover - a declared dependency
        raise AssetError(
            "XStatic-Leaflet 未安装 / is not installed: pip install xstatic-leaflet"
        ) from exc
    return Path(leaflet.BASE_DIR)


def _copy_if_changed(source: Path, target: Path) -> bool:
    """Copy one file atomically unless an identical copy is already there."""
    if not source.is_file():
        raise AssetError(f"缺少静态文件 / missing static file: {source}")
    if target.is_file() and filecmp.cmp(source, target, shallow=False):
        return False
    target.parent.mkdir(parents=True, exist_ok=True)
    # Write beside the target and rename, so a concurrent reader never sees half a file.
    handle, tmp_name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.")
    os.close(handle)
    tmp = Path(tmp_name)
    try:
        shutil.copyfile(source, tmp)
        tmp.replace(target)
    finally:
        tmp.unlink(missing_ok=True)
    return True


def ensure_static_assets(root: Path | None = None) -> list[Path]:
    """Copy Leaflet into ``static/vendor/leaflet`` when absent or different.

    Parameters
    ----------
    root
        The folder Streamlit serves; defaults to :func:`static_dir`.

    Returns
    -------
    list of Path
        The files written this time (empty when everything was already in place).
    """
    root = static_dir() if root is None else root
    source = _leaflet_source()
    written = []
    for name in _LEAFLET_FILES:
        target = root / VENDOR_SUBDIR / "leaflet" / name
        if _copy_if_changed(source / name, target):
            written.append(target)
    return written


def local_js() -> list[tuple[str, str]]:
    """Return the ``(name, url)`` scripts a map loads: only Leaflet, served locally."""
    return [("leaflet", LEAFLET_JS_URL)]


def local_css() -> list[tuple[str, str]]:
    """Return the ``(name, url)`` stylesheets a map loads: only Leaflet's, served locally."""
    return [("leaflet_css", LEAFLET_CSS_URL)]
