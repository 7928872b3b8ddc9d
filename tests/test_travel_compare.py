"""Scenario comparison: known differences on the synthetic grid, and the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from shapely.geometry import Point, shape

from corridor_map.atlas.model import load_atlas
from corridor_map.cli.main import main
from corridor_map.travel.assumptions import SpeedAssumptions
from corridor_map.travel.compare import (
    Scenario,
    compare_isochrones,
    compare_targets,
    default_scenarios,
)
from corridor_map.travel.isochrone import isochrone
from tests._travel_grid import GEOD, LAT0, TARGET_SOURCE, add_planned, make_grid, node


def _targets(layers: Path) -> None:
    record = {
        "id": "corner-to-corner-10min",
        "name_zh": "对角 10 分钟",
        "name_en": "Corner to corner in 10 minutes",
        "sources": [TARGET_SOURCE],
        "threshold_min": 10,
        "method": "pair",
        "origins": ["sw"],
        "destinations": ["ne"],
    }
    (layers / "travel_targets.json").write_text(json.dumps({"targets": [record]}))


@pytest.fixture
def grid(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    layers = make_grid(tmp_path, monkeypatch)
    add_planned(layers, 80.0)
    _targets(layers)
    return layers


def _diagonal_km() -> float:
    return GEOD.line_length([node(0, 0)[0], node(4, 4)[0]], [LAT0, node(4, 4)[1]]) / 1e3


def test_planned_link_on_versus_off_flips_the_verdict(grid: Path) -> None:
    a, b = default_scenarios()
    [row] = compare_targets(load_atlas(), a, b)
    assert row.a.status == "met" and row.b.status == "not_met"
    assert row.a.worst_minutes == pytest.approx(_diagonal_km() / 80 * 60, rel=1e-6)
    assert row.b.worst_minutes == pytest.approx(12.0)
    assert row.change_min == pytest.approx(12.0 - _diagonal_km() / 80 * 60, rel=1e-6)
    assert row.verdict_changed
    # both worst-case routes are drawn: A rides the diagonal (2 points + access), B the grid
    path_a = row.a.worst_case["path"]["coordinates"]
    path_b = row.b.worst_case["path"]["coordinates"]
    assert path_a[0] == path_b[0] == list(node(0, 0))
    assert len(path_b) > len(path_a)
    assert row.to_dict()["status_b"] == "not_met"


def test_a_speed_scenario_changes_minutes_not_the_network(grid: Path) -> None:
    a = Scenario("A", SpeedAssumptions(), False)
    b = Scenario("B", SpeedAssumptions(network_kmh=60.0), False)
    [row] = compare_targets(load_atlas(), a, b)
    assert row.a.worst_minutes == pytest.approx(12.0)
    assert row.b.worst_minutes == pytest.approx(8.0)
    assert row.change_min == pytest.approx(-4.0)
    assert (row.a.status, row.b.status) == ("not_met", "met") and row.verdict_changed
    same = compare_targets(
        load_atlas(), a, Scenario("B", SpeedAssumptions(network_kmh=45.0), False)
    )[0]
    assert same.b.worst_minutes == pytest.approx(8 / 45 * 60) and not same.verdict_changed


def test_isochrone_overlay_splits_into_a_only_b_only_both(grid: Path) -> None:
    a = Scenario("A", SpeedAssumptions(), True)
    b = Scenario("B", SpeedAssumptions(), False)
    result = compare_isochrones(load_atlas(), "sw", 6.0, a, b)
    parts = {f["properties"]["part"]: f for f in result["parts"]["features"]}
    # the diagonal at 80 km/h reaches the far corner (≈ 4.4 min); the grid at 40 does not
    assert "a_only" in parts and "b_only" not in parts
    assert shape(parts["a_only"]["geometry"]).contains(Point(node(4, 4)))
    area_a = result["a"]["properties"]["area_km2"]
    area_b = result["b"]["properties"]["area_km2"]
    both = parts["both"]["properties"]["area_km2"]
    assert both == pytest.approx(area_b, rel=1e-3)
    assert parts["a_only"]["properties"]["area_km2"] + both == pytest.approx(area_a, rel=1e-3)
    # a clicked point gives the same isochrone as a feature standing there
    point = compare_isochrones(load_atlas(), node(0, 0), 6.0, a, b)
    assert point["b"]["properties"]["area_km2"] == pytest.approx(
        isochrone(load_atlas(), "sw", 6.0, planned_links=False)["properties"]["area_km2"], rel=1e-9
    )
    assert point["b"]["properties"]["origin"] == list(node(0, 0))


def test_cli_compare_defaults_to_planned_on_versus_off(
    grid: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["targets", "--compare", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert [s["planned_links"] for s in data["scenarios"]] == [True, False]
    [row] = data["targets"]
    assert (row["status_a"], row["status_b"]) == ("met", "not_met")
    assert main(["targets", "--compare", "--no-planned", "--b-speed", "60"]) == 0
    out = capsys.readouterr().out
    assert "B − A -4.0 min" in out
    assert main(["targets", "--compare", "--b-speed", "1e9"]) == 2
    assert "5–120" in capsys.readouterr().err
    assert main(["isochrone", "sw", "6", "--compare"]) == 0
    assert "a_only" in capsys.readouterr().out
