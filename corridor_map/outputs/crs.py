"""The coordinate systems files and printed maps can be written in: WGS84 (EPSG:4326, the
default and what GeoJSON and KML mean), CGCS2000 (EPSG:4490) and the CGCS2000 3-degree
Gauss-Krüger zones (EPSG:4513-4533 with the zone number before the easting, 4534-4554
without), by code or ``auto``: the zone of the data's central longitude.

CGCS2000 and WGS84 agree to a few centimetres, far below any precision in the atlas, so
EPSG:4490 coordinates are the WGS84 ones; the Gauss-Krüger zones are projected with pyproj.
Areas and lengths in every file stay geodesic (measured on the ellipsoid), whatever the
file's coordinates.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import shapely
from pyproj import Transformer
from shapely.geometry.base import BaseGeometry

from corridor_map.core.i18n import t
from corridor_map.outputs.common import ExportError

__all__ = ["CHOICES", "OutputCrs", "resolve_crs"]

#: What ``--crs`` accepts, for help texts.
CHOICES = "EPSG:4326 (WGS84), EPSG:4490 (CGCS2000), EPSG:4513-4554 (CGCS2000 3° GK), auto"
_GK_PREFIXED = range(4513, 4534)  # zones 25-45, easting with the zone number
_GK_PLAIN = range(4534, 4555)  # central meridians 75°E-135°E, no zone number


@dataclass(frozen=True)
class OutputCrs:
    """A coordinate system to write in.

    Attributes
    ----------
    epsg : int
        Its EPSG code.
    name : str
        Its name as pyproj gives it (e.g. ``CGCS2000 / 3-degree Gauss-Kruger CM 120E``).
    """

    epsg: int
    name: str

    @property
    def code(self) -> str:
        """``EPSG:<n>``."""
        return f"EPSG:{self.epsg}"

    @property
    def projected(self) -> bool:
        """True for the Gauss-Krüger zones (metres), False for longitude/latitude."""
        return self.epsg not in {4326, 4490}

    @property
    def label(self) -> str:
        """The name and code, as files and maps name it."""
        return f"{self.name} ({self.code})"

    def label_in(self, lang: str) -> str:
        """The name and code in the UI language (a Gauss-Krüger zone named in Chinese)."""
        if found := re.fullmatch(r"CGCS2000 / 3-degree Gauss-Kruger CM (\d+)E", self.name):
            return f"{t('print_gk_cm', lang).format(cm=found[1])} ({self.code})"
        if found := re.fullmatch(r"CGCS2000 / 3-degree Gauss-Kruger zone (\d+)", self.name):
            return f"{t('print_gk_zone', lang).format(zone=found[1])} ({self.code})"
        return self.label

    def transform(self, geometry: BaseGeometry | None) -> BaseGeometry | None:
        """Return a WGS84 geometry in this system (unchanged for EPSG:4326 and 4490)."""
        if geometry is None or not self.projected:
            return geometry
        forward = _transformer(self.epsg)

        def apply(xy: np.ndarray) -> np.ndarray:
            return np.column_stack(forward.transform(xy[:, 0], xy[:, 1]))

        return shapely.transform(geometry, apply)


@functools.lru_cache(maxsize=8)
def _transformer(epsg: int) -> Transformer:
    return Transformer.from_crs("EPSG:4326", f"EPSG:{epsg}", always_xy=True)


@functools.lru_cache(maxsize=64)
def _named(epsg: int) -> OutputCrs:
    from pyproj import CRS

    return OutputCrs(epsg, CRS.from_epsg(epsg).name)


def resolve_crs(spec: str | None, geometries: Iterable[BaseGeometry | None] = ()) -> OutputCrs:
    """Return the system ``spec`` names.

    Parameters
    ----------
    spec
        None or ``EPSG:4326`` / ``4326`` / ``wgs84``; ``EPSG:4490`` / ``cgcs2000``; a
        Gauss-Krüger zone code ``EPSG:4513``-``4554``; or ``auto``.
    geometries
        The WGS84 geometries to be written: ``auto`` takes the 3-degree zone of their
        central longitude (zone n spans 3n ± 1.5°, central meridian 3n), the variant
        without the zone number in the easting.

    Raises
    ------
    ExportError
        Any other system, or ``auto`` with nothing located.
    """
    text = (spec or "EPSG:4326").strip().upper()
    if text in {"WGS84", "EPSG:4326", "4326"}:
        return _named(4326)
    if text in {"CGCS2000", "EPSG:4490", "4490"}:
        return _named(4490)
    if text == "AUTO":
        located = [g for g in geometries if g is not None and not g.is_empty]
        if not located:
            raise ExportError("--crs auto: 没有已定位的要素 / nothing located to choose a zone by")
        west, _, east, _ = shapely.total_bounds(np.array(located, dtype=object))
        # Zone n spans 3n ± 1.5°: floor, not round (Python rounds 40.5 to 40).
        zone = math.floor(((west + east) / 2 + 1.5) / 3)
        epsg = _GK_PLAIN.start + zone - 25
        if epsg not in _GK_PLAIN:
            raise ExportError(
                f"--crs auto: 经度超出 CGCS2000 分带 / longitude outside zones: {zone}"
            )
        return _named(epsg)
    code = text.removeprefix("EPSG:")
    if code.isdigit() and (int(code) in _GK_PREFIXED or int(code) in _GK_PLAIN):
        return _named(int(code))
    raise ExportError(f"未支持的坐标系 / unsupported --crs {spec!r}: use {CHOICES}")
