"""The travel data comes from the atlas the caller passes: cached on its snapshot, no pin."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from corridor_map.atlas.model import load_atlas
from corridor_map.travel.data import network
from corridor_map.travel.routing import route
from tests._travel_grid import GEOD, edge, node


def test_the_network_is_cached_on_the_snapshot_of_the_atlas_passed_in(travel_grid: Path) -> None:
    atlas = load_atlas()
    first = network(atlas, planned=False)
    assert network(atlas, planned=False) is first
    assert route(atlas, "sw", "ne", planned_links=False).minutes == pytest.approx(12.0)
    # an atlas built by hand has no snapshot: its network is built for the call, never kept
    bare = dataclasses.replace(atlas, snapshot=())
    assert network(bare, planned=False) is not network(bare, planned=False)
    assert route(bare, "sw", "ne", planned_links=False).minutes == pytest.approx(12.0)

    # a diagonal road from the south-west to the north-east corner edited into the file
    roads_file = travel_grid / "ref_roads.geojson"
    roads = json.loads(roads_file.read_text(encoding="utf-8"))
    diagonal_km = GEOD.inv(*node(0, 0), *node(4, 4))[2] / 1000
    roads["features"].append(edge((0, 0), (4, 4), round(diagonal_km, 3)))
    roads_file.write_text(json.dumps(roads, ensure_ascii=False), encoding="utf-8")
    edited = load_atlas()
    assert edited.snapshot != atlas.snapshot and not edited.problems
    assert network(edited, planned=False) is not first
    shortcut = route(edited, "sw", "ne", planned_links=False)
    assert shortcut.minutes == pytest.approx(round(diagonal_km, 3) * 60 / 40, rel=1e-6)
    # the first atlas still answers from its own data, not from whatever the files hold now
    assert route(atlas, "sw", "ne", planned_links=False).minutes == pytest.approx(12.0)
