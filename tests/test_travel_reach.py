"""Reachable sets: the places inside an isochrone, by role, on the synthetic grid."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from corridor_map.atlas.model import load_atlas
from corridor_map.cli.main import main
from corridor_map.travel.assumptions import SpeedAssumptions
from corridor_map.travel.compare import Scenario
from corridor_map.travel.reach import reachable_from, reachable_in
from tests._travel_grid import TARGET_SOURCE, curated, make_grid, node, ref, write


def _place(fid: str, role: str, geometry: dict, corridor: str = "reference") -> dict:
    if corridor != "reference":
        return curated(fid, role, geometry)
    return {"type": "Feature", "properties": ref(fid, role), "geometry": geometry}


def _pt(lonlat: tuple[float, float]) -> dict:
    return {"type": "Point", "coordinates": list(lonlat)}


@pytest.fixture
def grid(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    layers = make_grid(tmp_path, monkeypatch)
    # a synthetic reference places layer, as layers/ref_places.geojson would be
    write(
        layers,
        "ref_places.geojson",
        [
            _place("town-near", "town", _pt(node(1, 0))),
            _place("street-near", "street", _pt(node(0, 1))),
            _place("seat-far", "county_seat", _pt(node(4, 4))),
            _place(
                "seat-as-line",
                "county_seat",
                {"type": "LineString", "coordinates": [node(0, 0), node(1, 0)]},
            ),
        ],
    )
    write(layers, "ref_stations.geojson", [_place("station-near", "station", _pt(node(1, 1)))])
    box = {
        "type": "Polygon",
        "coordinates": [
            [[120.9, 27.9], [121.2, 27.9], [121.2, 28.2], [120.9, 28.2], [120.9, 27.9]]
        ],
    }
    write(
        layers,
        "curated.geojson",
        [
            _place("whole-extent", "extent", box, corridor="taizhou-bay"),
            _place("platform-near", "platform", _pt(node(0, 2)), corridor="taizhou-bay"),
        ],
    )
    return layers


def test_places_inside_an_isochrone_are_listed_by_role(grid: Path) -> None:
    # 4 min at 40 km/h: 2.67 km of network, so nodes 1–2 km away are in, 8 km are not
    found = reachable_from(load_atlas(), "sw", 4.0, Scenario("A", SpeedAssumptions(), False))
    reach = found["reach"]
    ids = {p.id for p in reach.places}
    assert {"town-near", "street-near", "station-near", "platform-near"} <= ids
    assert not ids & {"seat-far", "village-near", "seat-as-line", "whole-extent", "sw"}
    assert reach.counts["town"] == 1 and reach.counts["street"] == 1
    assert reach.counts["station"] == 1 and reach.counts["platform"] == 1
    assert "county_seat" not in reach.counts
    assert reach.area_km2 == found["isochrone"]["properties"]["area_km2"]
    assert len(reach.points()["coordinates"]) == len(reach.places)
    # a longer budget reaches the far seat too
    longer = reachable_from(load_atlas(), "sw", 13.0, Scenario("A", SpeedAssumptions(), False))[
        "reach"
    ]
    assert "seat-far" in {p.id for p in longer.places}


def test_a_clicked_point_and_no_area(grid: Path) -> None:
    reach = reachable_from(load_atlas(), node(0, 0), 4.0, Scenario("A", SpeedAssumptions(), False))[
        "reach"
    ]
    # the point is not a feature, so the place standing there (sw) is listed
    assert "town-near" in {p.id for p in reach.places}
    assert reachable_in(load_atlas(), None).places == []


def test_cli_isochrone_reach(grid: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["isochrone", "sw", "4", "--no-planned", "--reach", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["reach"]["counts"]["town"] == 1
    assert main(["isochrone", "sw", "4", "--no-planned", "--reach"]) == 0
    assert "town 1: town-near" in capsys.readouterr().out


def test_a_target_reach_starts_at_its_worst_origin(grid: Path) -> None:
    from corridor_map.travel.reach import target_reach
    from corridor_map.travel.targets import evaluate_targets

    record = {
        "id": "t",
        "name_zh": "t",
        "name_en": "t",
        "sources": [TARGET_SOURCE],
        "threshold_min": 4,
        "method": "pair",
        "origins": ["sw"],
        "destinations": ["ne"],
    }
    (grid / "travel_targets.json").write_text(json.dumps({"targets": [record]}))
    scenario = Scenario("A", SpeedAssumptions(), False)
    [result] = evaluate_targets(load_atlas(), scenario.assumptions, False)
    found = target_reach(load_atlas(), result, scenario)
    assert found["origin"] == "sw" and found["minutes"] == 4.0
    direct = reachable_from(load_atlas(), "sw", 4.0, scenario)["reach"]
    assert [p.id for p in found["reach"].places] == [p.id for p in direct.places]


def test_cli_targets_reach(grid: Path, capsys: pytest.CaptureFixture[str]) -> None:
    test_a_target_reach_starts_at_its_worst_origin(grid)
    assert main(["targets", "--reach", "t", "--no-planned", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["origin"] == "sw" and data["reach"]["counts"]["town"] == 1
