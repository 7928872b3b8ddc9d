"""Targets read under an explicit reading: seats within a district from a places layer."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from corridor_map.atlas.model import load_atlas
from corridor_map.travel.targets import evaluate_targets, target_features
from tests._travel_grid import TARGET_SOURCE, make_grid, node, ref, write

DISTRICT = {
    "type": "Polygon",
    "coordinates": [
        [
            [120.995, 27.995],
            [121.045, 27.995],
            [121.045, 28.045],
            [120.995, 28.045],
            [120.995, 27.995],
        ]
    ],
}


def _place(fid: str, role: str, lonlat: tuple[float, float]) -> dict:
    props = ref(fid, "county_seat" if role == "seat" else role)
    return {
        "type": "Feature",
        "properties": props,
        "geometry": {"type": "Point", "coordinates": list(lonlat)},
    }


def _target(layers: Path) -> None:
    record = {
        "id": "seat-circle",
        "name_zh": "半小时交通圈",
        "name_en": "Half-hour circle",
        "sources": [TARGET_SOURCE],
        "threshold_min": 10,
        "method": "pair",
        "origins": {"role": "county_seat", "within": "district-x"},
        "destinations": {"role": ["town", "street"], "within": "district-x"},
        "unmatched_reason": "needs ref_places",
    }
    (layers / "travel_targets.json").write_text(json.dumps({"targets": [record]}))


@pytest.fixture
def grid(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    layers = make_grid(tmp_path, monkeypatch)
    district = {
        "type": "Feature",
        "geometry": DISTRICT,
        "properties": ref("district-x", "district", code="999999") | {"name_zh": "X"},
    }
    write(layers, "ref_districts.geojson", [district])
    _target(layers)
    return layers


def test_without_a_places_layer_the_reading_says_what_it_needs(grid: Path) -> None:
    [result] = evaluate_targets(load_atlas(), planned_links=False)
    assert result.status == "not_evaluable"
    assert "needs ref_places" in result.notes


def test_seat_to_every_town_and_street_seat_inside_the_district(grid: Path) -> None:
    write(
        grid,
        "ref_places.geojson",
        [
            _place("seat", "seat", node(0, 0)),
            _place("town-east", "town", node(2, 0)),  # 2 km: 3 min
            _place("street-north", "street", node(0, 3)),  # 3 km: 4.5 min
            _place("town-corner", "town", node(4, 4)),  # 8 km: 12 min, the worst
            _place("town-outside", "town", (121.5, 28.0)),  # outside the district: left out
            _place("village", "station", node(1, 1)),  # not a seat role: left out
        ],
    )
    assert target_features(load_atlas(), {"role": ["town", "street"], "within": "district-x"}) == [
        "street-north",
        "town-corner",
        "town-east",
    ]
    [result] = evaluate_targets(load_atlas(), planned_links=False)
    assert [r["destination"] for r in result.rows] == ["street-north", "town-corner", "town-east"]
    assert result.worst_minutes == pytest.approx(12.0)
    assert result.worst_case["destination"] == "town-corner"
    assert result.status == "not_met"  # 12 > 10


def test_served_by_reads_every_located_station_and_lists_the_rest(grid: Path) -> None:
    path = grid / "travel_targets.json"
    data = json.loads(path.read_text())
    data["rail_services"] = {
        "stations": [
            {"name_zh": "东站", "feature": "se", "services": ["动车"]},
            {"name_zh": "北站", "feature": "ne", "services": ["动车", "高铁"]},
            {"name_zh": "无点位站", "feature": None, "services": ["动车"]},
            {"name_zh": "普速站", "feature": "island", "services": ["普速"]},
        ]
    }
    data["targets"][0].update(
        method="nearest_destination",
        origins=["sw"],
        destinations={"served_by": "动车", "include": ["far-away"]},
    )
    path.write_text(json.dumps(data))
    assert target_features(load_atlas(), data["targets"][0]["destinations"]) == [
        "ne",
        "se",
        "far-away",
    ]
    [result] = evaluate_targets(load_atlas(), planned_links=False)
    # the nearest served station: se, 4 km on the grid = 6 min
    assert result.worst_case["destination"] == "se"
    assert result.worst_minutes == pytest.approx(6.0)
    assert any("无点位站" in note for note in result.notes)
    assert not any("普速站" in note for note in result.notes)
