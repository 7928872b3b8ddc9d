"""A point typed in for the site check: its coordinate system and a hint when its two
numbers look swapped.

A point in WGS84 is taken as it is; in any other system it goes through the upload reader
(:func:`corridor_map.analysis.uploads.read_upload`) like a one-row CSV, so that typed and
uploaded coordinates are converted and checked by the same code.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import shapely
from shapely.geometry.base import BaseGeometry

__all__ = ["POINT_CRS_CHOICES", "looks_swapped", "projected_choice", "typed_point"]

#: The systems a point may be typed in, as the rest of the app names them: WGS84, CGCS2000
#: and CGCS2000 3-degree Gauss-Krüger zone 40 (with the zone number, and without: CM 120°E).
POINT_CRS_CHOICES = ("EPSG:4326", "EPSG:4490", "EPSG:4528", "EPSG:4549")

#: Degrees added around the layers' extent for "near the corridors": the swap hint only
#: needs to tell Zhejiang from the sea off Somalia, not to draw a border.
_NEAR_DEG = 1.0


def projected_choice(crs: str) -> bool:
    """True for a choice typed as easting, northing in metres (the Gauss-Krüger zones)."""
    return crs not in ("EPSG:4326", "EPSG:4490")


def typed_point(x: float, y: float, crs: str | None, label: str) -> BaseGeometry:
    """The WGS84 point of coordinates typed in ``crs`` (None or "auto": WGS84).

    Raises
    ------
    corridor_map.core.errors.CorridorMapError
        Coordinates that do not fit the system (the upload reader's one-line message), or
        a WGS84 point outside the degrees' range.
    """
    from corridor_map.analysis.site import parcel_point
    from corridor_map.analysis.uploads import read_upload

    if crs in (None, "auto", "EPSG:4326"):
        return parcel_point(x, y)
    data = f"x,y\n{x!r},{y!r}\n".encode()
    imported = read_upload(data, f"{label}.csv", crs)
    (point,) = [g for _, g in imported.shapes if g is not None]
    return point


def _near(features: Iterable[Any]) -> tuple[float, float, float, float] | None:
    geometries = [f.geometry for f in features if f.geometry is not None]
    if not geometries:
        return None
    west, south, east, north = (float(v) for v in shapely.total_bounds(geometries))
    return west - _NEAR_DEG, south - _NEAR_DEG, east + _NEAR_DEG, north + _NEAR_DEG


def looks_swapped(lon: float, lat: float, atlas: Iterable[Any]) -> bool:
    """True when degrees typed as ``lon, lat`` lie near the corridors only once swapped.

    "Near" is the extent of the layers' located features (corridors and reference data)
    grown by one degree; the point as typed must be outside it and the swapped one inside.
    """
    box = _near(atlas)
    if box is None:
        return False
    west, south, east, north = box

    def inside(x: float, y: float) -> bool:
        return west <= x <= east and south <= y <= north

    return inside(lat, lon) and not inside(lon, lat)
