"""Offline static assets: the scripts and styles the map needs, served by this machine.

Leaflet comes from the installed XStatic-Leaflet package and is copied, with the map
bundles, into a static folder outside the source tree (:func:`static_dir`: a setting,
by default under the cache folder), so the app runs from a read-only checkout or
install. The app serves that folder itself (:mod:`corridor_map.ui.data`); the copy
always matches the installed version and is cheap and idempotent.
"""

from __future__ import annotations

import filecmp
import os
import tempfile
from pathlib import Path

from corridor_map.core.errors import CorridorMapError
from corridor_map.core.files import write_bytes_atomically
from corridor_map.core.settings import Settings, load_settings

#: URL prefix under which Streamlit serves a ``static/`` folder next to a script (the
#: plain folium pages of the benchmark; the app serves :func:`static_dir` elsewhere).
STATIC_URL = "/app/static"
#: Sub-folder of the static folder that holds copied third-party files.
VENDOR_SUBDIR = "vendor"
#: Leaflet's script and stylesheet, relative to the static folder.
LEAFLET_JS = f"{VENDOR_SUBDIR}/leaflet/leaflet.js"
LEAFLET_CSS = f"{VENDOR_SUBDIR}/leaflet/leaflet.css"

LEAFLET_JS_URL = f"{STATIC_URL}/{LEAFLET_JS}"
LEAFLET_CSS_URL = f"{STATIC_URL}/{LEAFLET_CSS}"

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


def static_dir(settings: Settings | None = None) -> Path:
    """Return the folder the generated static files (bundles, Leaflet) are written to.

    Parameters
    ----------
    settings : Settings, optional
        Default: :func:`corridor_map.core.settings.load_settings`.

    Returns
    -------
    Path
        ``static_dir`` of the settings when set, else ``static`` under the cache folder,
        else (cache off) a folder of this user under the system's temporary folder.
        Never the source tree.
    """
    settings = load_settings() if settings is None else settings
    if settings.static_dir is not None:
        return settings.static_dir
    if settings.cache_dir is not None:
        return settings.cache_dir / "static"
    return Path(tempfile.gettempdir()) / f"corridor-map-static-{os.getuid()}"


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
    # Written beside the target and renamed: a concurrent reader never sees half a file.
    write_bytes_atomically(target, source.read_bytes())
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
