"""BD-09 (Baidu) ⇄ GCJ-02 ⇄ WGS84: published reference pairs and round trips."""

from __future__ import annotations

import numpy as np
import pytest
from pyproj import Geod

from corridor_map.geo import gcj02

GEOD = Geod(ellps="WGS84")

# github wandergis/coordtransform, test/app.js
# (commit 242324636adb54f9d1ef571035dc61f0ac8f0e8c), "//result" block:
#   bd09togcj02:   [ 116.39762729119315, 39.90865673957631 ]
#   gcj02tobd09:   [ 116.41036949371029, 39.92133699351021 ]
# for the input (116.404, 39.915) in both directions.
INPUT = (116.404, 39.915)
BD09_TO_GCJ02 = (116.39762729119315, 39.90865673957631)
GCJ02_TO_BD09 = (116.41036949371029, 39.92133699351021)


def _metres(lon1, lat1, lon2, lat2):
    return np.asarray(GEOD.inv(lon1, lat1, lon2, lat2)[2])


def test_bd09_to_gcj02_matches_coordtransform():
    lon, lat = gcj02.bd09_to_gcj02(*INPUT)
    assert _metres(lon, lat, *BD09_TO_GCJ02) < 0.001


def test_gcj02_to_bd09_matches_coordtransform():
    lon, lat = gcj02.gcj02_to_bd09(*INPUT)
    assert _metres(lon, lat, *GCJ02_TO_BD09) < 0.001


def test_bd09_round_trip_over_the_region_within_a_metre():
    lon, lat = np.meshgrid(np.linspace(120.2, 121.9, 30), np.linspace(27.5, 29.0, 30))
    blon, blat = gcj02.wgs84_to_bd09(lon.ravel(), lat.ravel())
    # BD-09 sits about 1 km from WGS84 here (GCJ-02's ~500 m plus Baidu's own shift)
    assert _metres(blon, blat, lon.ravel(), lat.ravel()).min() > 500
    back_lon, back_lat = gcj02.bd09_to_wgs84(blon, blat)
    assert _metres(back_lon, back_lat, lon.ravel(), lat.ravel()).max() < 1.0


def test_scalar_in_scalar_out():
    lon, lat = gcj02.bd09_to_wgs84(121.4, 28.6)
    assert isinstance(lon, float) and isinstance(lat, float)
    assert lon == pytest.approx(121.4, abs=0.02)
