"""One place that knows where the shipped data lives.

In a source checkout (or an editable install) the documents and layers sit at the
repository's top level, in ``seeds/`` and ``layers/``. A built wheel carries copies of
both inside the package, under ``corridor_map/_data/``. ``CORRIDOR_MAP_DATA`` overrides
both, which the tests use to point the code at deliberately broken inputs.
"""

from __future__ import annotations

import functools
import hashlib
import os
import sys
from collections.abc import Iterable
from importlib import metadata
from pathlib import Path
from typing import Any

from corridor_map.core.settings import load_settings

_PACKAGE_DIR = Path(__file__).resolve().parent.parent


def data_root() -> Path:
    """Return the folder that holds ``seeds/`` and ``layers/``.

    Returns
    -------
    Path
        ``$CORRIDOR_MAP_DATA`` when set, else the wheel's ``_data`` folder when present,
        else the repository root.
    """
    override = load_settings().data_dir
    if override is not None:
        return override
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


def curated_dir() -> Path:
    """Return the curated data tree, the source of the curated layers.

    One folder per curated layer (``layer.yaml``, ``order.yaml``, ``features/<id>.yaml``,
    ``geometries.geojson``, ``recipes.yaml``: :mod:`corridor_map.curation.sourcetree`);
    ``corridor-map data build`` records what it changes and publishes into ``layers/``.
    """
    return data_root() / "curated"


Snapshot = tuple[tuple[str, int, int], ...]


def folder_snapshot(folder: Path) -> Snapshot:
    """Return name, size and modification time (ns) of every entry of ``folder``, by name.

    A missing or unreadable folder gives ``()``; an entry that vanishes while it is read
    is left out.
    """
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except OSError:
        return ()
    found = []
    for entry in entries:
        try:
            info = entry.stat()
        except OSError:
            continue
        found.append((entry.name, info.st_size, info.st_mtime_ns))
    return tuple(found)


def data_snapshot(layers: Path | None = None) -> tuple[str, Snapshot, Snapshot]:
    """The one data snapshot every cache is keyed by: the layers folder and the state of
    every file in it (layers, ``travel_targets.json``, ``indicators.json``…) and in
    ``seeds/`` (the quotes are checked against the documents).

    Parameters
    ----------
    layers
        The layers folder (default :func:`layers_dir`).
    """
    folder = layers if layers is not None else layers_dir()
    return (str(folder), folder_snapshot(folder), folder_snapshot(seeds_dir()))


def data_key(layers: Path | None = None) -> str:
    """:func:`data_snapshot` as a short string (for caches keyed by text, e.g. Streamlit's)."""
    digest = hashlib.sha256(repr(data_snapshot(layers)).encode("utf-8")).hexdigest()
    return f"{layers if layers is not None else layers_dir()}:{digest[:16]}"


def digest_files(h: Any, folder: Path, files: Iterable[Path]) -> None:
    """Feed each file's path (relative to ``folder``) and content digest into ``h``."""
    for path in sorted(files):
        try:
            content = path.read_bytes()
        except OSError:
            content = b"\0unreadable"
        h.update(path.relative_to(folder).as_posix().encode() + b"\0")
        h.update(hashlib.sha256(content).digest())


@functools.cache
def code_digest(suffixes: tuple[str, ...], distributions: tuple[str, ...]) -> str:
    """Digest of what a stored result was computed by: the package's own files with these
    suffixes (not the shipped data copy), Python's version and these distributions' versions.

    The one code fingerprint of every store kept across restarts (the map bundle, the
    validation report); computed once per process.
    """
    h = hashlib.sha256(sys.version.encode())
    sources = [
        p
        for p in _PACKAGE_DIR.rglob("*")
        if p.suffix in suffixes and p.is_file() and "_data" not in p.parts
    ]
    digest_files(h, _PACKAGE_DIR, sources)
    for name in distributions:
        try:
            h.update(f"{name}={metadata.version(name)}".encode())
        except metadata.PackageNotFoundError:
            h.update(f"{name}=-".encode())
    return h.hexdigest()
