"""The csgraph router gives the same answers as a networkx Dijkstra on the shipped data."""

from __future__ import annotations

import math

import pytest

from corridor_map.atlas.model import load_atlas
from corridor_map.travel import network as _graph
from corridor_map.travel import targets as travel_targets
from corridor_map.travel.assumptions import SpeedAssumptions
from corridor_map.travel.isochrone import isochrone
from corridor_map.travel.routing import route
from corridor_map.travel.targets import evaluate_targets
from tests._nx_router import nx_shortest_trees

SCENARIOS = [
    (SpeedAssumptions(), True),
    (SpeedAssumptions(), False),
    (SpeedAssumptions(network_kmh=25.0, access_kmh=15.0, access_detour=1.6), True),
    (SpeedAssumptions(rail=True), True),
]


def _with_networkx(monkeypatch: pytest.MonkeyPatch, fn, *args, **kwargs):
    with monkeypatch.context() as patch:
        patch.setattr(_graph, "shortest_trees", nx_shortest_trees)
        return fn(*args, **kwargs)


def _same(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is b
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)


@pytest.mark.parametrize(("assumptions", "planned"), SCENARIOS)
def test_every_target_equals_the_networkx_router(
    monkeypatch: pytest.MonkeyPatch, assumptions: SpeedAssumptions, planned: bool
) -> None:
    fast = evaluate_targets(load_atlas(), assumptions, planned)
    reference = _with_networkx(monkeypatch, evaluate_targets, load_atlas(), assumptions, planned)
    assert [r.id for r in fast] == [t["id"] for t in travel_targets.load_targets(load_atlas())]
    for mine, theirs in zip(fast, reference, strict=True):
        assert mine.status == theirs.status, mine.id
        assert _same(mine.worst_minutes, theirs.worst_minutes), mine.id
        assert len(mine.rows) == len(theirs.rows), mine.id
        for a, b in zip(mine.rows, theirs.rows, strict=True):
            assert (a["origin"], a["destination"]) == (b["origin"], b["destination"])
            assert a["reachable"] == b["reachable"]
            assert _same(a["minutes"], b["minutes"]), (mine.id, a["origin"], a["destination"])


def test_routes_and_isochrones_equal_the_networkx_router(monkeypatch: pytest.MonkeyPatch) -> None:
    pairs = [("jiulong-lake", "longmen-lake"), ("wenzhou-south-station", "yueqing-hitech-core")]
    for origin, destination in [*pairs, ("rail-station-056", "rail-station-061")]:
        rail = SpeedAssumptions(rail=True)
        mine = route(load_atlas(), origin, destination, rail)
        theirs = _with_networkx(monkeypatch, route, load_atlas(), origin, destination, rail)
        assert mine.reachable and theirs.reachable
        assert _same(mine.minutes, theirs.minutes)
        assert _same(mine.km, theirs.km)
    mine_iso = isochrone(load_atlas(), "wenzhou-south-station", 20)
    theirs_iso = _with_networkx(monkeypatch, isochrone, load_atlas(), "wenzhou-south-station", 20)
    assert mine_iso["properties"]["reached_nodes"] == theirs_iso["properties"]["reached_nodes"]
    assert mine_iso["properties"]["area_km2"] == pytest.approx(
        theirs_iso["properties"]["area_km2"], rel=1e-6
    )
