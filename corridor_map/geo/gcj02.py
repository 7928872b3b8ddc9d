"""WGS84 ⇄ GCJ-02, the "China offset" used by Gaode/AMap tiles and Chinese map services.

GCJ-02 is WGS84 plus a deliberate, smoothly varying shift (about 500 m around Taizhou and
Wenzhou). The forward formula below is the standard public one (Krasovsky ellipsoid
constants, as in eviltransform / coordtransform / gcoord). There is no closed-form
inverse, so GCJ-02 → WGS84 iterates the forward transform to a fixed point; the shift
changes by well under 1 % per 500 m, so a few iterations reach sub-millimetre agreement.

Every layer file holds WGS84. Shift to GCJ-02 only to draw over Gaode tiles, and always
measure on the WGS84 originals.

BD-09 (Baidu Maps) is GCJ-02 shifted once more by a small rotation and offset, with the
public formula used by the same libraries (x_pi = π·3000/180). Its inverse here is the
published one-step formula (a few centimetres from an exact inverse), then GCJ-02 → WGS84.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, overload

import numpy as np
import shapely
from numpy.typing import ArrayLike, NDArray
from shapely.geometry import mapping, shape
from shapely.geometry.base import BaseGeometry

from corridor_map.geo.geodesy import distance_km

__all__ = [
    "bd09_to_gcj02",
    "bd09_to_wgs84",
    "bd09_to_wgs84_geometry",
    "gcj02_to_bd09",
    "gcj02_to_wgs84",
    "gcj02_to_wgs84_geojson",
    "gcj02_to_wgs84_geometry",
    "offset_m",
    "out_of_china",
    "wgs84_to_bd09",
    "wgs84_to_gcj02",
    "wgs84_to_gcj02_geojson",
    "wgs84_to_gcj02_geometry",
]

# Krasovsky 1940 semi-major axis and first eccentricity squared, as the public formula uses.
_A = 6378245.0
_EE = 0.00669342162296594323

# The formula is defined only inside this rough box around China; outside it the
# reference implementations return the input unchanged, and so do we.
_LON_MIN, _LON_MAX = 72.004, 137.8347
_LAT_MIN, _LAT_MAX = 0.8293, 55.8271

# Iterating the inverse stops once the forward image is this close to the target
# (degrees; 1e-10° ≈ 0.01 mm), or after this many rounds.
_INVERSE_TOLERANCE_DEG = 1e-10
_INVERSE_MAX_ITER = 30


def _transform_lat(x: NDArray[np.float64], y: NDArray[np.float64]) -> NDArray[np.float64]:
    ret = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * np.sqrt(np.abs(x))
    ret += (20.0 * np.sin(6.0 * x * np.pi) + 20.0 * np.sin(2.0 * x * np.pi)) * 2.0 / 3.0
    ret += (20.0 * np.sin(y * np.pi) + 40.0 * np.sin(y / 3.0 * np.pi)) * 2.0 / 3.0
    ret += (160.0 * np.sin(y / 12.0 * np.pi) + 320.0 * np.sin(y * np.pi / 30.0)) * 2.0 / 3.0
    return ret


def _transform_lon(x: NDArray[np.float64], y: NDArray[np.float64]) -> NDArray[np.float64]:
    ret = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * np.sqrt(np.abs(x))
    ret += (20.0 * np.sin(6.0 * x * np.pi) + 20.0 * np.sin(2.0 * x * np.pi)) * 2.0 / 3.0
    ret += (20.0 * np.sin(x * np.pi) + 40.0 * np.sin(x / 3.0 * np.pi)) * 2.0 / 3.0
    ret += (150.0 * np.sin(x / 12.0 * np.pi) + 300.0 * np.sin(x / 30.0 * np.pi)) * 2.0 / 3.0
    return ret


def _in_china(lon: NDArray[np.float64], lat: NDArray[np.float64]) -> NDArray[np.bool_]:
    return (lon >= _LON_MIN) & (lon <= _LON_MAX) & (lat >= _LAT_MIN) & (lat <= _LAT_MAX)


def _offset(
    lon: NDArray[np.float64], lat: NDArray[np.float64]
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Return the GCJ-02 shift (dlon, dlat) in degrees at WGS84 points (zero outside China)."""
    dlat = _transform_lat(lon - 105.0, lat - 35.0)
    dlon = _transform_lon(lon - 105.0, lat - 35.0)
    radlat = lat / 180.0 * np.pi
    magic = 1.0 - _EE * np.sin(radlat) ** 2
    sqrtmagic = np.sqrt(magic)
    dlat = (dlat * 180.0) / ((_A * (1.0 - _EE)) / (magic * sqrtmagic) * np.pi)
    dlon = (dlon * 180.0) / (_A / sqrtmagic * np.cos(radlat) * np.pi)
    inside = _in_china(lon, lat)
    return np.where(inside, dlon, 0.0), np.where(inside, dlat, 0.0)


def _as_arrays(lon: ArrayLike, lat: ArrayLike) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    lon_a = np.asarray(lon, dtype=np.float64)
    lat_a = np.asarray(lat, dtype=np.float64)
    # numpy types broadcast_arrays as a tuple of any length; two inputs give two arrays
    return np.broadcast_arrays(lon_a, lat_a)  # type: ignore[return-value]


def _as_given(lon: NDArray[np.float64], lat: NDArray[np.float64]) -> tuple[Any, Any]:
    """Undo :func:`_as_arrays` for the result: floats for scalar input, else the arrays."""
    if lon.ndim == 0:
        return float(lon), float(lat)
    return lon, lat


def out_of_china(lon: ArrayLike, lat: ArrayLike) -> NDArray[np.bool_] | bool:
    """Return True where the GCJ-02 formula does not apply (the point is left unchanged).

    Parameters
    ----------
    lon, lat
        Longitude and latitude in degrees (numbers or arrays).

    Returns
    -------
    bool or numpy.ndarray of bool
        A plain bool for scalar input.
    """
    lon_a, lat_a = _as_arrays(lon, lat)
    result = ~_in_china(lon_a, lat_a)
    return bool(result) if result.ndim == 0 else result


@overload
def wgs84_to_gcj02(lon: float, lat: float) -> tuple[float, float]: ...
@overload
def wgs84_to_gcj02(
    lon: ArrayLike, lat: ArrayLike
) -> tuple[NDArray[np.float64], NDArray[np.float64]]: ...
def wgs84_to_gcj02(lon: Any, lat: Any) -> tuple[Any, Any]:
    """Shift WGS84 longitude/latitude to GCJ-02.

    Parameters
    ----------
    lon, lat
        WGS84 degrees; Python numbers or array-likes (vectorized with numpy).

    Returns
    -------
    tuple
        ``(lon, lat)`` in GCJ-02: floats for scalar input, arrays otherwise. Points
        outside China come back unchanged, as in the reference implementations.
    """
    lon_a, lat_a = _as_arrays(lon, lat)
    dlon, dlat = _offset(lon_a, lat_a)
    return _as_given(lon_a + dlon, lat_a + dlat)


@overload
def gcj02_to_wgs84(lon: float, lat: float) -> tuple[float, float]: ...
@overload
def gcj02_to_wgs84(
    lon: ArrayLike, lat: ArrayLike
) -> tuple[NDArray[np.float64], NDArray[np.float64]]: ...
def gcj02_to_wgs84(lon: Any, lat: Any) -> tuple[Any, Any]:
    """Undo the GCJ-02 shift by fixed-point iteration of the forward transform.

    Parameters
    ----------
    lon, lat
        GCJ-02 degrees; Python numbers or array-likes.

    Returns
    -------
    tuple
        ``(lon, lat)`` in WGS84 whose forward image matches the input to about 1e-10°
        (≈ 0.01 mm), far below the 1 m this project needs.
    """
    target_lon, target_lat = _as_arrays(lon, lat)
    # Start one forward offset back: that is already within a few metres.
    dlon, dlat = _offset(target_lon, target_lat)
    wgs_lon, wgs_lat = target_lon - dlon, target_lat - dlat
    for _ in range(_INVERSE_MAX_ITER):
        dlon, dlat = _offset(wgs_lon, wgs_lat)
        err_lon = wgs_lon + dlon - target_lon
        err_lat = wgs_lat + dlat - target_lat
        wgs_lon = wgs_lon - err_lon
        wgs_lat = wgs_lat - err_lat
        if max(np.max(np.abs(err_lon), initial=0.0), np.max(np.abs(err_lat), initial=0.0)) < (
            _INVERSE_TOLERANCE_DEG
        ):
            break
    return _as_given(wgs_lon, wgs_lat)


def _coords_fn(
    convert: Callable[[NDArray[np.float64], NDArray[np.float64]], tuple[Any, Any]],
) -> Callable[[NDArray[np.float64]], NDArray[np.float64]]:
    def apply(coords: NDArray[np.float64]) -> NDArray[np.float64]:
        lon, lat = convert(coords[:, 0], coords[:, 1])
        return np.column_stack([lon, lat])

    return apply


def wgs84_to_gcj02_geometry(geometry: BaseGeometry) -> BaseGeometry:
    """Return a copy of a WGS84 shapely geometry shifted to GCJ-02 (for display only)."""
    return shapely.transform(geometry, _coords_fn(wgs84_to_gcj02))


def gcj02_to_wgs84_geometry(geometry: BaseGeometry) -> BaseGeometry:
    """Return a copy of a GCJ-02 shapely geometry converted back to WGS84."""
    return shapely.transform(geometry, _coords_fn(gcj02_to_wgs84))


def _geojson(
    obj: dict[str, Any], convert: Callable[[BaseGeometry], BaseGeometry]
) -> dict[str, Any]:
    kind = obj.get("type")
    if kind == "FeatureCollection":
        return {**obj, "features": [_geojson(f, convert) for f in obj.get("features", [])]}
    if kind == "Feature":
        geometry = obj.get("geometry")
        return {**obj, "geometry": None if geometry is None else _geojson(geometry, convert)}
    return dict(mapping(convert(shape(obj))))


def wgs84_to_gcj02_geojson(obj: dict[str, Any]) -> dict[str, Any]:
    """Shift a GeoJSON geometry, Feature or FeatureCollection (dicts) to GCJ-02.

    Properties and top-level members are kept; the input is not modified.
    """
    return _geojson(obj, wgs84_to_gcj02_geometry)


def gcj02_to_wgs84_geojson(obj: dict[str, Any]) -> dict[str, Any]:
    """Convert a GCJ-02 GeoJSON geometry, Feature or FeatureCollection (dicts) to WGS84."""
    return _geojson(obj, gcj02_to_wgs84_geometry)


def offset_m(lon: float, lat: float) -> float:
    """Return the size of the GCJ-02 shift at a WGS84 point, in metres (geodesic)."""
    glon, glat = wgs84_to_gcj02(lon, lat)
    return distance_km(lon, lat, glon, glat) * 1000.0


# BD-09: the public formula's constant (π · 3000 / 180) and offsets in degrees.
_X_PI = np.pi * 3000.0 / 180.0
_BD_DLON, _BD_DLAT = 0.0065, 0.006


@overload
def gcj02_to_bd09(lon: float, lat: float) -> tuple[float, float]: ...
@overload
def gcj02_to_bd09(
    lon: ArrayLike, lat: ArrayLike
) -> tuple[NDArray[np.float64], NDArray[np.float64]]: ...
def gcj02_to_bd09(lon: Any, lat: Any) -> tuple[Any, Any]:
    """Shift GCJ-02 longitude/latitude to BD-09 (Baidu Maps).

    Parameters
    ----------
    lon, lat
        GCJ-02 degrees; Python numbers or array-likes.

    Returns
    -------
    tuple
        ``(lon, lat)`` in BD-09: floats for scalar input, arrays otherwise.
    """
    x, y = _as_arrays(lon, lat)
    z = np.sqrt(x * x + y * y) + 0.00002 * np.sin(y * _X_PI)
    theta = np.arctan2(y, x) + 0.000003 * np.cos(x * _X_PI)
    return _as_given(z * np.cos(theta) + _BD_DLON, z * np.sin(theta) + _BD_DLAT)


@overload
def bd09_to_gcj02(lon: float, lat: float) -> tuple[float, float]: ...
@overload
def bd09_to_gcj02(
    lon: ArrayLike, lat: ArrayLike
) -> tuple[NDArray[np.float64], NDArray[np.float64]]: ...
def bd09_to_gcj02(lon: Any, lat: Any) -> tuple[Any, Any]:
    """Convert BD-09 longitude/latitude to GCJ-02 (the published inverse formula).

    Parameters
    ----------
    lon, lat
        BD-09 degrees; Python numbers or array-likes.

    Returns
    -------
    tuple
        ``(lon, lat)`` in GCJ-02, within a few centimetres of the exact inverse.
    """
    lon_a, lat_a = _as_arrays(lon, lat)
    x, y = lon_a - _BD_DLON, lat_a - _BD_DLAT
    z = np.sqrt(x * x + y * y) - 0.00002 * np.sin(y * _X_PI)
    theta = np.arctan2(y, x) - 0.000003 * np.cos(x * _X_PI)
    return _as_given(z * np.cos(theta), z * np.sin(theta))


@overload
def wgs84_to_bd09(lon: float, lat: float) -> tuple[float, float]: ...
@overload
def wgs84_to_bd09(
    lon: ArrayLike, lat: ArrayLike
) -> tuple[NDArray[np.float64], NDArray[np.float64]]: ...
def wgs84_to_bd09(lon: Any, lat: Any) -> tuple[Any, Any]:
    """Shift WGS84 longitude/latitude to BD-09 (through GCJ-02)."""
    return gcj02_to_bd09(*wgs84_to_gcj02(lon, lat))


@overload
def bd09_to_wgs84(lon: float, lat: float) -> tuple[float, float]: ...
@overload
def bd09_to_wgs84(
    lon: ArrayLike, lat: ArrayLike
) -> tuple[NDArray[np.float64], NDArray[np.float64]]: ...
def bd09_to_wgs84(lon: Any, lat: Any) -> tuple[Any, Any]:
    """Convert BD-09 longitude/latitude to WGS84 (through GCJ-02)."""
    return gcj02_to_wgs84(*bd09_to_gcj02(lon, lat))


def bd09_to_wgs84_geometry(geometry: BaseGeometry) -> BaseGeometry:
    """Return a copy of a BD-09 shapely geometry converted to WGS84."""
    return shapely.transform(geometry, _coords_fn(bd09_to_wgs84))
