"""Deterministic GeoJSON text for the layer files, and writing it safely.

The build scripts (``scripts/build_layers.py`` and ``scripts/curation/*.py``) render
their layers here, so that a rebuild from the same inputs gives identical bytes and a
failed build never leaves a half-written file.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

import shapely
from shapely.geometry import mapping
from shapely.geometry.base import BaseGeometry

from corridor_map.errors import CorridorMapError

COORDINATE_DECIMALS = 6
LAYER_FILE_MODE = 0o644


def _round_coords(value: Any) -> Any:
    if isinstance(value, float):
        rounded = round(value, COORDINATE_DECIMALS)
        # -0.0 would print as "-0.0" and differ from a rebuild that lands on +0.0.
        return 0.0 if rounded == 0 else rounded
    if isinstance(value, (list, tuple)):
        return [_round_coords(v) for v in value]
    return value


def geometry_json(geometry: BaseGeometry | None) -> dict[str, Any] | None:
    """GeoJSON geometry with RFC 7946 winding and coordinates rounded to 6 decimals.

    Parameters
    ----------
    geometry
        A WGS84 shapely geometry, or None for an unlocated feature.

    Returns
    -------
    dict or None
        ``{"type", "coordinates"}``; polygons have counter-clockwise exterior rings.
    """
    if geometry is None:
        return None
    if geometry.geom_type in {"Polygon", "MultiPolygon"}:
        geometry = shapely.orient_polygons(geometry, exterior_cw=False)
    geo = mapping(geometry)
    return {"type": geo["type"], "coordinates": _round_coords(geo["coordinates"])}


class LayerWriteError(CorridorMapError):
    """A layer about to be written holds a value JSON cannot carry (NaN, Infinity)."""


def _dumps(obj: Any, where: str = "collection") -> str:
    try:
        # json would write NaN / Infinity, which no strict reader (nor RFC 8259) accepts
        return json.dumps(
            obj, ensure_ascii=False, sort_keys=True, separators=(",", ":"), allow_nan=False
        )
    except ValueError as exc:
        raise LayerWriteError(f"{where}: {exc} (NaN or Infinity)") from None


def render_collection(meta: dict[str, Any], features: list[dict[str, Any]]) -> str:
    """Render a FeatureCollection deterministically.

    Parameters
    ----------
    meta
        Top-level members besides ``type`` and ``features`` (``name``, ``description``...).
    features
        GeoJSON Feature dicts, each with ``properties["id"]``.

    Returns
    -------
    str
        Keys sorted, one feature per line, features sorted by id, final newline.

    Raises
    ------
    LayerWriteError
        Naming the feature (or top-level member) that holds a NaN or an infinity.
    """
    head = {**meta, "type": "FeatureCollection"}
    lines = ["{"]
    lines += [f"{_dumps(key)}:{_dumps(head[key], key)}," for key in sorted(head)]
    lines.append('"features":[')
    ordered = sorted(features, key=lambda f: f["properties"]["id"])
    lines.append(",\n".join(_dumps(f, f"feature {f['properties']['id']}") for f in ordered))
    lines.append("]}")
    return "\n".join(lines) + "\n"


def write_atomically(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file beside it, then rename.

    Parameters
    ----------
    path
        The file to replace; its directory must exist.
    text
        The whole new content (UTF-8).
    """
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        # mkstemp makes the file private (0600); a shipped layer must stay readable.
        Path(tmp).chmod(LAYER_FILE_MODE)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        Path(tmp).replace(path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
