"""Coverage readings of the travel targets, and travel times from many points at once."""

from __future__ import annotations

import argparse
import csv
import json
from dataclasses import replace

import pytest

from corridor_map.travel.assumptions import SpeedAssumptions
from corridor_map.travel.coverage import (
    COVERAGE_COLUMNS,
    coverage_geojson,
    destination,
    target_coverage,
    time_field,
)
from corridor_map.travel.routing import route
from corridor_map.travel.targets import evaluate_targets


@pytest.fixture(scope="module")
def readings(atlas):
    return {c.id: c for c in target_coverage(atlas)}


@pytest.fixture(scope="module")
def results(atlas):
    return {r.id: r for r in evaluate_targets(atlas)}


def test_worst_place_is_the_targets_worst_case(readings, results):
    read = [tid for tid, c in readings.items() if c.places]
    assert len(read) >= 5
    for tid in read:
        assert readings[tid].worst_minutes == pytest.approx(results[tid].worst_minutes, abs=1e-6)


def test_places_meet_exactly_when_their_own_route_does(readings, results):
    # the ten seats of Wenling, each read as its trip from the city seat
    seats = readings["wenling-half-hour-circle"]
    rows = {r["destination"]: r["minutes"] for r in results["wenling-half-hour-circle"].rows}
    assert seats.place_kind == "destination" and len(seats.places) == len(rows)
    for place in seats.places:
        assert place.minutes == pytest.approx(rows[place.id], abs=1e-6)
        assert place.meets == (rows[place.id] <= 30)
    assert 0 < seats.places_met < len(seats.places)
    # the key blocks onto the ring: one origin each
    blocks = readings["wenzhou-1030-enter-ring-10min"]
    rows = results["wenzhou-1030-enter-ring-10min"].rows
    by_origin = {r["origin"]: r["minutes"] for r in rows if not r["unlocated"]}
    assert len(by_origin) < len(rows)  # unlocated key blocks are no place to read
    assert {p.id for p in blocks.places} == set(by_origin)
    assert blocks.places_met == sum(1 for m in by_origin.values() if m <= 10)


def test_area_share_reads_the_corridor_grid(readings, atlas):
    c = readings["wenzhou-1030-gateways-30min"]
    assert c.area_km2 and c.area_km2 > 100
    assert len(c.cells) == pytest.approx(c.area_km2 / 0.25, rel=0.05)  # 500 m cells
    assert 0 < c.area_share < 1
    # a cell reads its own trip to the nearest gateway, as a key block would
    from corridor_map.travel.targets import load_targets, target_features

    [target] = [t for t in load_targets(atlas) if t["id"] == c.id]
    gates = target_features(atlas, target["destinations"])
    assert "wenzhou-longwan-airport" in gates and len(gates) > 2
    field = time_field(atlas, [destination(atlas, g) for g in gates])
    sample = c.cells[:: len(c.cells) // 9]
    nearest = field.minutes([(p.lon, p.lat) for p in sample]).min(axis=1)
    for cell, minutes in zip(sample, nearest, strict=True):
        assert cell.minutes == pytest.approx(minutes, abs=1e-6)
        assert cell.meets == (minutes <= 30)


def test_faster_network_covers_more(readings, atlas):
    faster = replace(SpeedAssumptions(), network_kmh=80.0)
    fast = {c.id: c for c in target_coverage(atlas, faster)}
    for tid, slow in readings.items():
        if slow.places:
            assert fast[tid].places_met >= slow.places_met
            assert fast[tid].area_share >= slow.area_share


def test_not_evaluable_target_has_no_places(atlas):
    import copy

    from corridor_map.travel import coverage

    target = {"method": "not_evaluable", "origins": [], "destinations": []}
    assert coverage._reading(atlas, copy.deepcopy(target)) is None


def test_time_field_matches_route_from_feature_points(atlas):
    field = time_field(
        atlas,
        [
            destination(atlas, "taizhou-central-core"),
            destination(atlas, "wenzhou-longwan-airport"),
        ],
    )
    for fid in ("zju-taizhou-institute", "wenzhou-university", "yueqing-hitech-core"):
        g = atlas.get(fid).geometry
        got = field.minutes([(g.x, g.y)])[0]
        for k, target in enumerate(("taizhou-central-core", "wenzhou-longwan-airport")):
            assert got[k] == pytest.approx(route(atlas, fid, target).minutes, abs=1e-6)


def test_geojson_marks_which_meet(readings):
    data = coverage_geojson(readings["wenzhou-1030-enter-ring-10min"])
    kinds = {f["properties"]["kind"] for f in data["features"]}
    assert kinds == {"place", "cell"}
    assert {f["properties"]["meets"] for f in data["features"]} == {True, False}


def test_cli_coverage_json_and_csv(tmp_path, capsys):
    from corridor_map.cli import travel as travel_cli

    parser = argparse.ArgumentParser(prog="corridor-map")
    travel_cli.register(parser.add_subparsers(dest="command", required=True))
    out = tmp_path / "coverage.csv"
    args = parser.parse_args(["targets", "--coverage", "--json", "--coverage-csv", str(out)])
    assert args.handler(args) == 0
    printed = capsys.readouterr().out
    data = json.loads(printed[printed.index("[") :])
    assert all("coverage" in r and r["status"] for r in data)
    with out.open(encoding="utf-8-sig") as handle:
        rows = list(csv.DictReader(handle))
    assert [r["id"] for r in rows] == [r["id"] for r in data]
    assert set(COVERAGE_COLUMNS) <= set(rows[0])
    seats = next(r for r in rows if r["id"] == "wenling-half-hour-circle")
    assert seats["status"] == "not_met" and 0 < float(seats["coverage_place_share"]) < 1
