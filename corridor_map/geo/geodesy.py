"""Geodesy on WGS84 longitude/latitude: the leaf every measuring module builds on.

Areas, perimeters, lengths and distances are geodesic on the WGS84 ellipsoid
(:class:`pyproj.Geod`), so no projection distorts the figures (Web Mercator would overstate
areas by about 35 % at these latitudes). Where a computation needs metres in a plane
(buffers, interpolation along a line, isochrone hulls) it uses the one metric projection
here, UTM zone 51N. :data:`COORDINATE_DEPTH` and :func:`iter_positions` are the one walker
over GeoJSON positions.

This module imports nothing from the package but :mod:`corridor_map.core.errors` and
:mod:`corridor_map.core.numbers`.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import shapely
from pyproj import Geod, Transformer
from shapely.geometry.base import BaseGeometry

from corridor_map.core.errors import CorridorMapError
from corridor_map.core.numbers import finite_number

__all__ = [
    "COORDINATE_DEPTH",
    "METRIC_CRS",
    "TO_METRIC",
    "TO_WGS84",
    "WGS84",
    "GeodesicMeasure",
    "PositionError",
    "distance_km",
    "distances_km",
    "geodesic_area_km2",
    "geodesic_length_km",
    "geodesic_measure",
    "iter_positions",
    "to_metric",
    "to_wgs84",
]

WGS84 = Geod(ellps="WGS84")

# UTM zone 51N spans 120°E–126°E, which holds all three corridors (Wenzhou ≈ 120.6°E,
# Taizhou ≈ 121.4°E); a transverse Mercator zone keeps scale error below 0.1 % here, unlike
# Web Mercator (≈ +13 % in length at 28°N).
METRIC_CRS = "EPSG:32651"
TO_METRIC = Transformer.from_crs("EPSG:4326", METRIC_CRS, always_xy=True)
TO_WGS84 = Transformer.from_crs(METRIC_CRS, "EPSG:4326", always_xy=True)

#: GeoJSON geometry types that carry coordinates, and how deeply positions nest in them.
COORDINATE_DEPTH = {
    "Point": 0,
    "MultiPoint": 1,
    "LineString": 1,
    "MultiLineString": 2,
    "Polygon": 2,
    "MultiPolygon": 3,
}


@dataclass(frozen=True)
class GeodesicMeasure:
    """Area, perimeter and length of one geometry, in km² and km."""

    area_km2: float
    perimeter_km: float
    length_km: float


def geodesic_measure(geometry: BaseGeometry | None) -> GeodesicMeasure:
    """Measure a shapely geometry given in WGS84 lon/lat.

    Parameters
    ----------
    geometry
        Any shapely geometry in EPSG:4326, or None (measures as zero).

    Returns
    -------
    GeodesicMeasure
        Polygons carry area and perimeter (the absolute value of the signed area, so
        ring orientation does not matter); lines carry length; points measure zero.
    """
    if geometry is None or geometry.is_empty:
        return GeodesicMeasure(0.0, 0.0, 0.0)
    kind = geometry.geom_type
    if kind in {"Polygon", "MultiPolygon"}:
        area_m2, perimeter_m = WGS84.geometry_area_perimeter(geometry)
        return GeodesicMeasure(abs(area_m2) / 1e6, perimeter_m / 1e3, 0.0)
    if kind in {"LineString", "MultiLineString", "LinearRing"}:
        return GeodesicMeasure(0.0, 0.0, WGS84.geometry_length(geometry) / 1e3)
    if kind == "GeometryCollection":
        parts = [geodesic_measure(part) for part in getattr(geometry, "geoms", ())]
        return GeodesicMeasure(
            sum(p.area_km2 for p in parts),
            sum(p.perimeter_km for p in parts),
            sum(p.length_km for p in parts),
        )
    return GeodesicMeasure(0.0, 0.0, 0.0)


def geodesic_area_km2(geometry: BaseGeometry | None) -> float:
    """Return the geodesic area of a WGS84 geometry in km²."""
    return geodesic_measure(geometry).area_km2


def geodesic_length_km(geometry: BaseGeometry | None) -> float:
    """Return the geodesic length of a WGS84 line geometry in km."""
    return geodesic_measure(geometry).length_km


def distance_km(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    """Return the geodesic distance between two WGS84 points in km."""
    _, _, metres = WGS84.inv(lon1, lat1, lon2, lat2)
    return float(metres) / 1e3


def distances_km(
    points: Sequence[tuple[float, float]] | np.ndarray, lon: np.ndarray, lat: np.ndarray
) -> np.ndarray:
    """Return the geodesic distances in km from each (lon, lat) point to ``lon[i], lat[i]``."""
    start = np.asarray(points, dtype=float).reshape(-1, 2)
    _, _, metres = WGS84.inv(start[:, 0], start[:, 1], np.asarray(lon), np.asarray(lat))
    return np.asarray(metres, dtype=float) / 1e3


def to_metric(geometry: BaseGeometry) -> BaseGeometry:
    """Project a WGS84 geometry to UTM 51N metres."""
    return shapely.transform(geometry, TO_METRIC.transform, interleaved=False)


def to_wgs84(geometry: BaseGeometry) -> BaseGeometry:
    """Project a UTM 51N geometry back to WGS84 lon/lat."""
    return shapely.transform(geometry, TO_WGS84.transform, interleaved=False)


# ---------------------------------------------------------------------------- positions


class PositionError(CorridorMapError, ValueError):
    """A GeoJSON ``coordinates`` member does not hold positions as its type requires.

    ``reason`` is a code: ``"position"`` (a position is not 2+ finite numbers; ``value``
    is that position) or ``"nesting"`` (lists nested to the wrong depth).
    """

    def __init__(self, reason: str, value: Any) -> None:
        super().__init__(f"{reason}: {value!r}")
        self.reason = reason
        self.value = value


def _is_position(value: Any) -> bool:
    return isinstance(value, list | tuple) and len(value) >= 2 and all(map(finite_number, value))


def iter_positions(coordinates: Any, depth: int) -> Iterator[tuple[float, float]]:
    """Yield the (lon, lat) of every position of a GeoJSON ``coordinates`` member.

    Parameters
    ----------
    coordinates
        The member as parsed from JSON.
    depth
        How deeply positions nest (:data:`COORDINATE_DEPTH` of the geometry type).

    Raises
    ------
    PositionError
        On the first position that is not a list of at least two finite numbers, or
        when the lists do not nest ``depth`` deep.
    """
    if depth == 0:
        if not _is_position(coordinates):
            raise PositionError("position", coordinates)
        yield (float(coordinates[0]), float(coordinates[1]))
        return
    if not isinstance(coordinates, list | tuple):
        raise PositionError("nesting", coordinates)
    for item in coordinates:
        yield from iter_positions(item, depth - 1)
