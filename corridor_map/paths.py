"""One place that knows where the shipped data lives.

In a source checkout (or an editable install) the documents and layers sit at the
repository's top level, in ``seeds/`` and ``layers/``. A built wheel carries copies of
both inside the package, under ``corridor_map/_data/``. ``CORRIDOR_MAP_DATA`` overrides
both, which the tests use to point the code at deliberately broken inputs.
"""

from __future__ import annotations

import os
from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent


def data_root() -> Path:
    """Return the folder that holds ``seeds/`` and ``layers/``.

    Returns
    -------
    Path
        ``$CORRIDOR_MAP_DATA`` when set, else the wheel's ``_data`` folder when present,
        else the repository root.
    """
    override = os.environ.get("CORRIDOR_MAP_DATA")
    if override:
        return Path(override)
    bundled = _PACKAGE_DIR / "_data"
    if (bundled / "seeds").is_dir():
        return bundled
    return _PACKAGE_DIR.parent


def seeds_dir() -> Path:
    """Return the folder of source documents and their catalog."""
    return data_root() / "seeds"


def layers_dir() -> Path:
    """Return the folder of GeoJSON layers."""
    return data_root() / "layers"
