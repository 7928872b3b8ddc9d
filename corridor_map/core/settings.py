"""The one reader of the environment: every setting of the app and the CLI.

Each ``CORRIDOR_MAP_*`` variable (and ``TIANDITU_KEY``) is read here and nowhere else; the
README lists them. Callers at the edge (the app's frame, the CLI's ``main``) call
:func:`load_settings` and pass what they need down.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

__all__ = ["ENVIRONMENT", "Settings", "load_settings"]

#: variable → what it sets (the README's table is written from this).
ENVIRONMENT: dict[str, str] = {
    "CORRIDOR_MAP_DATA": "data folder holding seeds/ and layers/ (default: the checkout or "
    "the wheel's copy)",
    "CORRIDOR_MAP_CACHE": "cache folder (validation reports, map bundles, vendored scripts); "
    "'off' turns the report store off (default: $XDG_CACHE_HOME/corridor-map)",
    "CORRIDOR_MAP_STATIC": "folder the app's generated static files go to (default: "
    "static/ under the cache folder)",
    "TIANDITU_KEY": "Tianditu (天地图) token; without it the Tianditu basemap says what is missing",
    "CORRIDOR_MAP_TIANDITU_URL": "Tianditu tile template for an intranet node, with {x} {y} "
    "{z} and {key} (default: the public t0-t7 WMTS nodes)",
    "CORRIDOR_MAP_APPROVAL_NUMBER": "审图号 printed on maps (default: none)",
    "CORRIDOR_MAP_SCHEMATIC_MARK": "'on' prints the 示意图 mark on maps (default: on)",
    "CORRIDOR_MAP_CURATION": "'on' lets the app's curation page change the data (default: "
    "off, read-only)",
}


@dataclass(frozen=True)
class Settings:
    """Every setting, read once from the environment.

    Attributes
    ----------
    data_dir : Path or None
        ``CORRIDOR_MAP_DATA``; None means the shipped data.
    cache_dir : Path or None
        Where caches live; None when ``CORRIDOR_MAP_CACHE`` is ``off`` or empty.
    static_dir : Path or None
        ``CORRIDOR_MAP_STATIC``; None means ``static`` under the cache folder.
    tianditu_key : str
        Empty when unset.
    tianditu_url : str
        Empty for the public nodes.
    approval_number : str
        The 审图号, empty when unset.
    schematic_mark : bool
        Whether printed maps carry the 示意图 mark.
    curation : bool
        Whether the app's curation page may change the data (``CORRIDOR_MAP_CURATION``).
    """

    data_dir: Path | None
    cache_dir: Path | None
    static_dir: Path | None
    tianditu_key: str
    tianditu_url: str
    approval_number: str
    schematic_mark: bool
    curation: bool = False


def _cache_dir(env: Mapping[str, str]) -> Path | None:
    override = env.get("CORRIDOR_MAP_CACHE")
    if override is not None:
        return None if override.strip() in {"", "off"} else Path(override)
    base = env.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "corridor-map"


def load_settings(env: Mapping[str, str] | None = None) -> Settings:
    """Return the settings of ``env`` (default: this process's environment).

    Parameters
    ----------
    env : Mapping, optional
        The variables to read; ``os.environ`` when omitted.
    """
    env = os.environ if env is None else env
    data = env.get("CORRIDOR_MAP_DATA", "").strip()
    static = env.get("CORRIDOR_MAP_STATIC", "").strip()
    mark = env.get("CORRIDOR_MAP_SCHEMATIC_MARK", "on").strip().lower()
    return Settings(
        data_dir=Path(data) if data else None,
        cache_dir=_cache_dir(env),
        static_dir=Path(static) if static else None,
        tianditu_key=env.get("TIANDITU_KEY", "").strip(),
        tianditu_url=env.get("CORRIDOR_MAP_TIANDITU_URL", "").strip(),
        approval_number=env.get("CORRIDOR_MAP_APPROVAL_NUMBER", "").strip(),
        schematic_mark=mark not in {"off", "0", "no", "false"},
        curation=env.get("CORRIDOR_MAP_CURATION", "").strip().lower() in {"on", "1", "yes", "true"},
    )
