"""Road + rail: access by road, a timed ride, station time at both ends (synthetic)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from shapely.geometry import Point, shape

from corridor_map.atlas.model import load_atlas
from corridor_map.travel.assumptions import SpeedAssumptions
from corridor_map.travel.isochrone import isochrone
from corridor_map.travel.routing import route
from tests._travel_grid import GEOD, make_grid, node, point, ref, write

RAIL_KM = 50.0
ISLAND = (121.5, 28.0)


def _services(layers: Path, stations: list[dict]) -> None:
    data = {"targets": [], "rail_services": {"stations": stations}}
    (layers / "travel_targets.json").write_text(json.dumps(data))


@pytest.fixture
def grid(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The grid, a 50 km railway from its north-west corner to the island, two stations."""
    layers = make_grid(tmp_path, monkeypatch)
    rail = {
        "type": "Feature",
        "properties": ref("rail-1", "railway", u=1, v=2, length_km=RAIL_KM),
        "geometry": {"type": "LineString", "coordinates": [list(node(0, 4)), list(ISLAND)]},
    }
    write(layers, "ref_railways.geojson", [rail])
    write(
        layers,
        "stations.geojson",
        [point("station-nw", node(0, 4)), point("station-island", ISLAND)],
    )
    _services(
        layers,
        [
            {"name_zh": "西北站", "feature": "station-nw", "services": ["动车"]},
            {"name_zh": "岛站", "feature": "station-island", "services": ["动车"]},
        ],
    )
    return layers


def test_a_ride_is_access_plus_station_time_plus_line_time(grid: Path) -> None:
    road = route(load_atlas(), "sw", "island", planned_links=False)
    assert not road.reachable  # the island has no road to the grid
    a = SpeedAssumptions(rail=True, rail_kmh=150.0, station_min=10.0)
    trip = route(load_atlas(), "sw", "island", a, planned_links=False)
    assert trip.reachable
    # 4 km of grid road at 40 km/h (6 min), 5 + 5 min at the stations, 50 km at 150 km/h
    assert trip.legs["network"]["minutes"] == pytest.approx(6.0)
    assert trip.legs["station"]["minutes"] == pytest.approx(10.0)
    assert trip.legs["rail"]["minutes"] == pytest.approx(RAIL_KM / 150 * 60)
    assert trip.legs["rail"]["km"] == pytest.approx(RAIL_KM)
    assert trip.minutes == pytest.approx(6.0 + 10.0 + 20.0, abs=1e-6)
    slower = route(load_atlas(), "sw", "island", SpeedAssumptions(rail=True, rail_kmh=100.0), False)
    assert slower.minutes == pytest.approx(6.0 + 10.0 + 30.0, abs=1e-6)
    longer_wait = route(
        load_atlas(), "sw", "island", SpeedAssumptions(rail=True, station_min=30.0), False
    )
    assert longer_wait.minutes - trip.minutes == pytest.approx(20.0)


def test_road_only_mode_ignores_the_railway(grid: Path) -> None:
    assert route(
        load_atlas(), "sw", "ne", SpeedAssumptions(rail=True), False
    ).minutes == pytest.approx(12.0)
    assert not route(load_atlas(), "sw", "island", SpeedAssumptions(rail=False), False).reachable


def test_a_station_without_a_d_train_is_not_a_boarding_point(grid: Path) -> None:
    _services(grid, [{"name_zh": "西北站", "feature": "station-nw", "services": ["动车"]}])
    trip = route(load_atlas(), "sw", "island", SpeedAssumptions(rail=True), False)
    assert not trip.reachable


def test_the_isochrone_jumps_along_the_railway(grid: Path) -> None:
    a = SpeedAssumptions(rail=True)
    iso = shape(isochrone(load_atlas(), "sw", 40.0, a, planned_links=False)["geometry"])
    # 36 min to the island station, 4 min left: a disc of 4/60 × 25 / 1.3 km ≈ 1.28 km
    assert iso.contains(Point(ISLAND))
    _, _, metres = GEOD.inv(*ISLAND, ISLAND[0] + 0.02, ISLAND[1])
    assert metres > 1.5e3 and not iso.contains(Point(ISLAND[0] + 0.02, ISLAND[1]))
    # nothing along the track between stations
    assert not iso.contains(Point(121.25, 28.02))
    road = shape(
        isochrone(load_atlas(), "sw", 40.0, SpeedAssumptions(), planned_links=False)["geometry"]
    )
    assert not road.contains(Point(ISLAND))


def test_the_s1_line_joins_its_stations_in_order(grid: Path) -> None:
    layers = grid
    s1 = [
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": list(node(*ij))},
            "properties": ref(f"s1-{k}", "station", line="S1", order=k),
        }
        for k, ij in enumerate([(0, 0), (4, 0), (4, 4)], start=1)
    ]
    write(layers, "ref_s1_stations.geojson", s1)
    legs_km = [
        GEOD.inv(*node(0, 0), *node(4, 0))[2] / 1e3,
        GEOD.inv(*node(4, 0), *node(4, 4))[2] / 1e3,
    ]
    a = SpeedAssumptions(rail=True, s1_kmh=60.0, station_min=0.0)
    trip = route(load_atlas(), "s1-1", "s1-3", a, planned_links=False)
    assert trip.legs["s1"]["km"] == pytest.approx(sum(legs_km))
    assert trip.minutes == pytest.approx(sum(legs_km) / 60 * 60, rel=1e-6)
    # with 10 min at the stations the grid road (12 min) is faster than the S1 (≈ 17.8)
    road_wins = route(
        load_atlas(), "s1-1", "s1-3", SpeedAssumptions(rail=True), planned_links=False
    )
    assert road_wins.minutes == pytest.approx(12.0) and "s1" not in road_wins.legs
