"""WGS84 ⇄ GCJ-02: published reference pairs, round trips over the region, geometries."""

from __future__ import annotations

import json

import numpy as np
import pytest
from pyproj import Geod
from shapely.geometry import LineString, Point, Polygon, shape

from corridor_map.core.paths import layers_dir
from corridor_map.geo import gcj02

GEOD = Geod(ellps="WGS84")

# (wgs_lat, wgs_lng, gcj_lat, gcj_lng) from github googollee/eviltransform,
# go/transform_test.go (commit 1643645a2a2f2fa06811df676db42d02a0fb1f40), the `tests`
# table; the same three pairs appear in its C#, Haskell, PHP and Rust test suites.
EVILTRANSFORM_PAIRS = [
    (31.1774276, 121.5272106, 31.17530398364597, 121.531541859215),  # Shanghai
    (22.543847, 113.912316, 22.540796131694766, 113.9171764808363),  # Shenzhen
    (39.911954, 116.377817, 39.91334545536069, 116.38404722455657),  # Beijing
]


def _metres(lon1, lat1, lon2, lat2) -> np.ndarray:
    _, _, dist = GEOD.inv(lon1, lat1, lon2, lat2)
    return np.asarray(dist)


@pytest.mark.parametrize(("wgs_lat", "wgs_lng", "gcj_lat", "gcj_lng"), EVILTRANSFORM_PAIRS)
def test_forward_matches_eviltransform_vectors(wgs_lat, wgs_lng, gcj_lat, gcj_lng):
    lon, lat = gcj02.wgs84_to_gcj02(wgs_lng, wgs_lat)
    # The source prints them to full double precision; the formula is the same, so we
    # expect agreement to far better than a millimetre.
    assert _metres(lon, lat, gcj_lng, gcj_lat) < 0.001


@pytest.mark.parametrize(("wgs_lat", "wgs_lng", "gcj_lat", "gcj_lng"), EVILTRANSFORM_PAIRS)
def test_inverse_meets_eviltransform_exact_bound(wgs_lat, wgs_lng, gcj_lat, gcj_lng):
    lon, lat = gcj02.gcj02_to_wgs84(gcj_lng, gcj_lat)
    # eviltransform's TestGtoWExact demands < 0.5 m for its exact inverse.
    assert _metres(lon, lat, wgs_lng, wgs_lat) < 0.5


def test_forward_matches_coordtransform_example():
    # github wandergis/coordtransform, test/app.js
    # (commit 242324636adb54f9d1ef571035dc61f0ac8f0e8c):
    # wgs84togcj02(116.404, 39.915) -> [116.41024449916938, 39.91640428150164]
    lon, lat = gcj02.wgs84_to_gcj02(116.404, 39.915)
    assert _metres(lon, lat, 116.41024449916938, 39.91640428150164) < 0.001


def test_inverse_close_to_coordtransform_one_step_inverse():
    # Same file: gcj02towgs84(116.404, 39.915) -> [116.39775550083061, 39.91359571849836].
    # coordtransform subtracts the offset once (eviltransform's README puts that
    # approximation at 1-2 m), so we only expect agreement to its stated accuracy, while
    # our forward image must land back on the input.
    lon, lat = gcj02.gcj02_to_wgs84(116.404, 39.915)
    assert _metres(lon, lat, 116.39775550083061, 39.91359571849836) < 2.0
    back = gcj02.wgs84_to_gcj02(lon, lat)
    assert _metres(*back, 116.404, 39.915) < 0.01


def test_inverse_matches_gcoord():
    # github hujiulong/gcoord, test/unit/crs/GCJ02.spec.js
    # (commit 0f699318059b8607a1d6a598c02ce561c104afeb): GCJ02 -> WGS84 of [123, 45] is
    # [122.99395597, 44.99804071] to 5 decimals; [183, 45] (not in China) is unchanged.
    lon, lat = gcj02.gcj02_to_wgs84(123.0, 45.0)
    assert abs(lon - 122.99395597) < 1e-5
    assert abs(lat - 44.99804071) < 1e-5
    assert gcj02.gcj02_to_wgs84(183.0, 45.0) == (183.0, 45.0)
    assert gcj02.wgs84_to_gcj02(183.0, 45.0) == (183.0, 45.0)


def test_forward_matches_s1_station_pairs_in_region():
    # The 15 Taizhou S1 stations carry both the source's WGS84 point and its own GCJ-02
    # pair (github Jasonwang-git/taizhou-s1-passenger-flow, public/data/s1-stations.json,
    # kept in layers/ref_s1_stations.geojson). Geometry is rounded to 6 decimals (≤ 0.1 m).
    data = json.loads((layers_dir() / "ref_s1_stations.geojson").read_text("utf-8"))
    assert len(data["features"]) == 15
    for feature in data["features"]:
        lon, lat = feature["geometry"]["coordinates"]
        glon, glat = feature["properties"]["gcj02"]
        assert _metres(*gcj02.wgs84_to_gcj02(lon, lat), glon, glat) < 1.0
        assert _metres(*gcj02.gcj02_to_wgs84(glon, glat), lon, lat) < 1.0


def _region_grid():
    lon, lat = np.meshgrid(np.arange(120.2, 121.9001, 0.01), np.arange(27.5, 29.0001, 0.01))
    return lon.ravel(), lat.ravel()


def test_round_trip_within_one_metre_over_the_region():
    lon, lat = _region_grid()
    assert lon.size > 25_000
    glon, glat = gcj02.wgs84_to_gcj02(lon, lat)
    wlon, wlat = gcj02.gcj02_to_wgs84(glon, glat)
    assert _metres(lon, lat, wlon, wlat).max() < 1.0


def test_inverse_round_trip_from_gcj_side():
    lon, lat = _region_grid()
    wlon, wlat = gcj02.gcj02_to_wgs84(lon, lat)
    glon, glat = gcj02.wgs84_to_gcj02(wlon, wlat)
    assert _metres(lon, lat, glon, glat).max() < 1.0


def test_offset_is_about_500_m_in_the_region():
    lon, lat = _region_grid()
    glon, glat = gcj02.wgs84_to_gcj02(lon, lat)
    shift = _metres(lon, lat, glon, glat)
    assert shift.min() > 400 and shift.max() < 700
    assert 400 < gcj02.offset_m(121.42, 28.65) < 700


def test_scalar_and_array_forms_agree():
    lon, lat = gcj02.wgs84_to_gcj02(121.42, 28.65)
    assert isinstance(lon, float) and isinstance(lat, float)
    alon, alat = gcj02.wgs84_to_gcj02([121.42, 120.7], [28.65, 28.0])
    assert alon.shape == (2,)
    assert (alon[0], alat[0]) == (lon, lat)
    assert gcj02.out_of_china(8.68, 50.11) is True
    assert gcj02.out_of_china(121.42, 28.65) is False


def test_geometry_and_geojson_round_trip():
    polygon = Polygon([(121.40, 28.60), (121.45, 28.60), (121.45, 28.65), (121.40, 28.60)])
    line = LineString([(120.70, 28.00), (120.80, 27.95)])
    for geometry in (polygon, line, Point(121.3, 28.4)):
        shifted = gcj02.wgs84_to_gcj02_geometry(geometry)
        assert shifted.geom_type == geometry.geom_type
        assert 400 < shifted.hausdorff_distance(geometry) * 111_000 < 800
        back = gcj02.gcj02_to_wgs84_geometry(shifted)
        assert back.hausdorff_distance(geometry) < 1e-8

    collection = {
        "type": "FeatureCollection",
        "name": "t",
        "features": [
            {"type": "Feature", "properties": {"id": "a"}, "geometry": polygon.__geo_interface__},
            {"type": "Feature", "properties": {"id": "b"}, "geometry": None},
        ],
    }
    shifted = gcj02.wgs84_to_gcj02_geojson(collection)
    assert shifted["name"] == "t"
    assert shifted["features"][1]["geometry"] is None
    assert shifted["features"][0]["properties"] == {"id": "a"}
    assert collection["features"][0]["geometry"] == polygon.__geo_interface__  # untouched
    back = gcj02.gcj02_to_wgs84_geojson(shifted)
    assert shape(back["features"][0]["geometry"]).hausdorff_distance(polygon) < 1e-8
