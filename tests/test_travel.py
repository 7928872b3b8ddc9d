"""Travel times: exact answers on synthetic networks, and the real layers and targets."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
from shapely.geometry import Point, shape

from corridor_map.atlas.model import LayerError, load_atlas
from corridor_map.cli.main import main
from corridor_map.core.errors import CorridorMapError
from corridor_map.documents import corpus
from corridor_map.travel.assumptions import SpeedAssumptions
from corridor_map.travel.data import planned_links
from corridor_map.travel.errors import TravelError
from corridor_map.travel.isochrone import isochrone
from corridor_map.travel.routing import route
from corridor_map.travel.targets import (
    evaluate_targets,
    load_targets,
    sensitivity,
    target_features,
)
from tests._travel_grid import GEOD, LAT0, TARGET_SOURCE
from tests._travel_grid import add_planned as _add_planned
from tests._travel_grid import node as _node
from tests._travel_grid import point as _point
from tests._travel_grid import ref as _ref
from tests._travel_grid import write as _write


@pytest.fixture
def grid(travel_grid: Path) -> Path:
    """A 5 × 5 grid of 1 km edges, a detached 1-edge island, and points on nodes."""
    return travel_grid


def test_grid_times_are_exact(grid: Path) -> None:
    result = route(load_atlas(), "sw", "ne", planned_links=False)
    assert result.reachable
    # 8 edges of 1 km at 40 km/h; both ends sit on nodes, so the access legs are zero.
    assert result.km == pytest.approx(8.0, abs=1e-9)
    assert result.minutes == pytest.approx(12.0, abs=1e-9)
    assert result.legs["network"]["km"] == pytest.approx(8.0)
    fast = route(load_atlas(), "sw", "ne", SpeedAssumptions(network_kmh=60), planned_links=False)
    assert fast.minutes == pytest.approx(8.0, abs=1e-9)
    bent = route(
        load_atlas(), "sw", "ne", SpeedAssumptions(network_detour=1.25), planned_links=False
    )
    assert bent.km == pytest.approx(10.0) and bent.minutes == pytest.approx(15.0)
    side = route(load_atlas(), "sw", "se", planned_links=False)
    assert side.minutes == pytest.approx(6.0, abs=1e-9)
    coords = side.path["coordinates"]
    assert coords[0] == list(_node(0, 0)) and coords[-1] == list(_node(4, 0))


def test_access_leg_uses_detour_and_speed(grid: Path, tmp_path: Path) -> None:
    # A place 0.3 km due south of the south-west node, off the network.
    lon, lat, _ = GEOD.fwd(*_node(0, 0), 180, 300.0)
    lon, lat = round(lon, 6), round(lat, 6)  # layers hold ≤ 6 decimals (validate)
    _write(grid, "extra.geojson", [_point("south-of-sw", (lon, lat))])
    a = SpeedAssumptions(access_candidates=1)
    result = route(load_atlas(), "south-of-sw", "se", a, planned_links=False)
    access_km = GEOD.inv(*_node(0, 0), lon, lat)[2] / 1e3 * 1.3  # ≈ 0.3 km × 1.3
    assert result.legs["access"]["km"] == pytest.approx(access_km, rel=1e-6)
    assert result.minutes == pytest.approx(access_km / 25 * 60 + 6.0, rel=1e-6)


def test_planned_link_shortens_the_trip_only_when_on(grid: Path) -> None:
    _add_planned(grid, 80.0)
    off = route(load_atlas(), "sw", "ne", planned_links=False)
    on = route(load_atlas(), "sw", "ne", planned_links=True)
    diagonal_km = GEOD.line_length([_node(0, 0)[0], _node(4, 4)[0]], [LAT0, _node(4, 4)[1]]) / 1e3
    assert off.minutes == pytest.approx(12.0)
    assert on.minutes == pytest.approx(diagonal_km / 80 * 60, rel=1e-6)
    assert on.minutes < off.minutes
    assert on.planned_links_used == ["diagonal-link"] and off.planned_links_used == []
    # A slower assumed design speed than the grid route makes the link useless again.
    slow = route(load_atlas(), "sw", "ne", SpeedAssumptions(planned_kmh={"diagonal-link": 10.0}))
    assert slow.minutes == pytest.approx(12.0)


def test_unreachable_and_unlocated_give_a_result_not_an_exception(grid: Path) -> None:
    island = route(load_atlas(), "sw", "island")
    assert island.reachable is False and "not connected" in island.reason
    assert island.minutes is None and island.path is None
    far = route(load_atlas(), "sw", "far-away")
    assert far.reachable is False and "no road within 10 km" in far.reason
    nowhere = route(load_atlas(), "unlocated", "ne")
    assert nowhere.reachable is False and "unlocated" in nowhere.reason
    empty = isochrone(load_atlas(), "unlocated", 10)
    assert empty["geometry"] is None and "unlocated" in empty["properties"]["reason"]


def test_unknown_feature_and_bad_assumptions_raise_clear_errors(grid: Path) -> None:
    with pytest.raises(TravelError, match="no-such-place"):
        route(load_atlas(), "sw", "no-such-place")
    with pytest.raises(TravelError, match="network_kmh"):
        SpeedAssumptions(network_kmh=0)
    with pytest.raises(TravelError, match="access_detour"):
        SpeedAssumptions(access_detour=0.5)
    with pytest.raises(TravelError, match="network_detour"):
        SpeedAssumptions(network_detour=float("nan"))
    with pytest.raises(TravelError, match="minutes"):
        isochrone(load_atlas(), "sw", -5)


def test_broken_road_file_names_the_file_and_feature(grid: Path) -> None:
    (grid / "ref_roads.geojson").write_text(
        json.dumps(
            {
                "type": "FeatureCollection",
                "features": [
                    {"type": "Feature", "properties": {"id": "r", "u": 1}, "geometry": None}
                ],
            }
        )
    )
    # refused at load (the validated path), naming the file, the feature and the field
    with pytest.raises(CorridorMapError, match=r"ref_roads.geojson: r: name_zh: missing"):
        route(load_atlas(), "sw", "ne")


def test_isochrone_of_an_off_network_place_is_a_disc(grid: Path) -> None:
    minutes = 12.0
    result = isochrone(load_atlas(), "far-away", minutes)
    radius_km = minutes / 60 * 25 / 1.3
    assert result["properties"]["area_km2"] == pytest.approx(math.pi * radius_km**2, rel=0.01)
    lon, lat = result["geometry"]["coordinates"][0][0]
    assert 122 < lon < 124 and 24 < lat < 26


def test_isochrone_follows_the_network(grid: Path) -> None:
    small = isochrone(load_atlas(), "sw", 3.0, planned_links=False)
    large = isochrone(load_atlas(), "sw", 9.0, planned_links=False)
    small_shape, large_shape = shape(small["geometry"]), shape(large["geometry"])
    assert small["properties"]["area_km2"] < large["properties"]["area_km2"]
    assert large_shape.contains(small_shape.buffer(-1e-6))
    # 9 min at 40 km/h is 6 km of network: the node 3 km east + 2 km north is reached, the
    # opposite corner (8 km away on the network, 5.7 km as the crow flies) is not.
    assert large_shape.contains(Point(_node(3, 2)))
    assert not large_shape.contains(Point(_node(4, 4)))
    assert small_shape.contains(Point(_node(1, 0)))
    assert not small_shape.contains(Point(_node(3, 0)))


# ------------------------------------------------------------------ the real layers


def test_targets_cite_verbatim_excerpts_and_existing_features() -> None:
    atlas = load_atlas()
    targets = load_targets(load_atlas())
    assert len({t["id"] for t in targets}) == len(targets)
    for target in targets:
        assert target["sources"], target["id"]
        for source in target["sources"]:
            excerpt = corpus.resolve(source["doc"], source["quote"])
            assert excerpt.quote == source["quote"]
        for key in ("origins", "destinations"):
            for fid in target_features(load_atlas(), target.get(key)):
                assert fid in atlas, f"{target['id']}: {key} {fid} not in the layers"
        # a reading on a layer not shipped yet must say what it needs
        if target.get("unmatched_reason"):
            continue
        if target["method"] in {"nearest_destination", "all_pairs", "pair"}:
            assert target_features(load_atlas(), target.get("origins")), target["id"]
        if target["method"] != "not_evaluable":
            assert (
                target_features(load_atlas(), target.get("destinations"))
                or target["method"] == "all_pairs"
            )
    key_blocks = target_features(load_atlas(), {"role": "key_block", "corridor": "wenzhou-daluo"})
    assert len(key_blocks) == 12


def test_threshold_figures_appear_in_their_excerpts() -> None:
    words = {10: "10分钟", 15: "15分钟", 30: ("30分钟", "半小时")}
    for target in load_targets(load_atlas()):
        quotes = " ".join(s["quote"] for s in target["sources"])
        expected = words[int(target["threshold_min"])]
        options = expected if isinstance(expected, tuple) else (expected,)
        assert any(o in quotes for o in options), target["id"]


def test_tailong_expressway_brings_the_lakes_closer() -> None:
    with_link = route(
        load_atlas(),
        "jiulong-lake",
        "longmen-lake",
        origin_access="boundary",
        destination_access="boundary",
    )
    without = route(
        load_atlas(),
        "jiulong-lake",
        "longmen-lake",
        planned_links=False,
        origin_access="boundary",
        destination_access="boundary",
    )
    assert with_link.reachable and without.reachable
    assert with_link.planned_links_used == ["tailong-expressway"]
    assert with_link.minutes < without.minutes


def test_every_target_evaluates_with_its_assumptions() -> None:
    a = SpeedAssumptions(network_kmh=35)
    results = evaluate_targets(load_atlas(), a)
    assert {r.id for r in results} == {t["id"] for t in load_targets(load_atlas())}
    for result in results:
        assert result.assumptions["network_kmh"] == 35
        assert result.status in {"met", "not_met", "not_evaluable"}
        if result.status == "not_evaluable":
            assert result.notes
            continue
        timed = [r["minutes"] for r in result.rows if r["reachable"]]
        assert result.worst_minutes == max(timed)
        assert (result.status == "met") == (
            result.worst_minutes <= result.threshold_min
            and all(r["reachable"] or r["unlocated"] for r in result.rows)
        )


def test_faster_network_never_makes_a_target_slower() -> None:
    for target in load_targets(load_atlas()):
        if target["method"] == "not_evaluable":
            continue
        rows = sensitivity(load_atlas(), target["id"], speeds=(20, 40, 80))
        times = [r["worst_minutes"] for r in rows]
        if None in times:
            continue
        assert times[0] >= times[1] >= times[2], target["id"]


def test_cli_travel_and_targets_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["travel", "jiulong-lake", "longmen-lake", "--json", "--no-planned"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["planned_links"] is False and out["reachable"] is True
    assert out["path"]["type"] == "LineString"
    assert main(["targets", "--json", "--speed", "50"]) == 0
    results = json.loads(capsys.readouterr().out)
    assert all(r["assumptions"]["network_kmh"] == 50 for r in results)
    assert main(["travel", "jiulong-lake", "nowhere-at-all"]) == 2
    assert "nowhere-at-all" in capsys.readouterr().err
    assert main(["isochrone", "jiulong-lake", "10", "--json"]) == 0
    iso = json.loads(capsys.readouterr().out)
    assert iso["type"] == "Feature" and iso["properties"]["area_km2"] > 0


def test_isochrone_reaches_no_farther_than_an_access_leg(grid: Path) -> None:
    # 60 min at 25 km/h ÷ 1.3 would be a 19 km disc, but route() refuses access legs
    # longer than max_access_km (10 km) in a straight line: so must the isochrone.
    result = isochrone(load_atlas(), "far-away", 60.0)
    limit_km = SpeedAssumptions().max_access_km
    assert result["properties"]["area_km2"] == pytest.approx(math.pi * limit_km**2, rel=0.01)


@pytest.mark.parametrize(
    ("origin", "destination"),
    [
        ("jiulong-lake", "longmen-lake"),
        ("zheli-optics-valley", "jiaojiang-innovation-valley"),
        ("daluo-mountain", "ouhai-area"),
        ("yongning-river", "zju-taizhou-institute"),
    ],
)
def test_isochrone_of_a_route_time_contains_the_route_end(origin: str, destination: str) -> None:
    trip = route(load_atlas(), origin, destination)
    assert trip.reachable, trip.reason
    end = Point(trip.path["coordinates"][-1])
    assert shape(isochrone(load_atlas(), origin, trip.minutes)["geometry"]).contains(end)
    # and the isochrone is not a blanket: a minute less, the end lies outside
    assert not shape(isochrone(load_atlas(), origin, trip.minutes - 1.0)["geometry"]).contains(end)


def test_connectors_to_a_planned_link_follow_the_access_detour(grid: Path) -> None:
    # A planned link whose ends lie 0.3 km off the grid (south of sw, north of ne): a trip
    # from sw to ne that joins the network at sw alone must take both connectors.
    start = GEOD.fwd(*_node(0, 0), 180, 300.0)[:2]
    end = GEOD.fwd(*_node(4, 4), 0, 300.0)[:2]
    line = [[round(start[0], 6), round(start[1], 6)], [round(end[0], 6), round(end[1], 6)]]
    link = {
        "type": "Feature",
        "properties": _ref("offset-link", "road"),
        "geometry": {"type": "LineString", "coordinates": line},
    }
    _write(grid, "extra.geojson", [link])
    links = [{"feature": "offset-link", "design_speed_kmh": 80, "speed_basis": "assumption"}]
    _write(grid, "planned_links.geojson", [], links=links)
    link_km = GEOD.line_length([p[0] for p in line], [p[1] for p in line]) / 1e3
    for detour in (1.3, 2.0):
        a = SpeedAssumptions(access_candidates=1, access_detour=detour)
        trip = route(load_atlas(), "sw", "ne", a)
        assert trip.planned_links_used == ["offset-link"]
        connector_km = 2 * 0.3 * detour
        assert trip.legs["access"]["km"] == pytest.approx(connector_km, rel=1e-3)
        expected = connector_km / 25 * 60 + link_km / 80 * 60
        assert trip.minutes == pytest.approx(expected, rel=1e-3)


def test_a_very_short_isochrone_is_a_small_polygon_around_the_start(grid: Path) -> None:
    # 0.001 min at 25 km/h ÷ 1.3 is 0.3 m: every disc used to be dropped as under 1 m,
    # and building the union of no disc raised a ValueError
    result = isochrone(load_atlas(), "sw", 0.001)
    disc = shape(result["geometry"])
    assert disc.contains(Point(_node(0, 0)))
    # area_km2 rounds to 0.000 at this size: measure the spread of the polygon instead
    west, south, east, north = disc.bounds
    assert GEOD.inv(west, south, east, north)[2] < 50.0


@pytest.mark.parametrize("speed", [0, -80, "NaN"])
def test_a_planned_link_speed_that_is_not_positive_is_a_clear_error(
    grid: Path, speed: object
) -> None:
    # a zero speed divided by zero deep inside the router (ZeroDivisionError traceback);
    # now the file is refused at load: strict (the CLI) with the problem, lenient (the app)
    # routing without the link while the atlas lists the problem
    links = [{"feature": "diagonal-link", "design_speed_kmh": speed, "speed_basis": "assumption"}]
    _write(grid, "planned_links.geojson", [], links=links)
    message = r"planned_links.geojson: -: links\[0\]\.design_speed_kmh: must be a number > 0"
    with pytest.raises(LayerError, match=message):
        load_atlas(strict=True)
    assert route(load_atlas(), "sw", "ne").planned_links_used == []
    assert planned_links(load_atlas()) == []
    assert "planned_links.geojson" in load_atlas().refused


def _one_target(folder: Path, **changes: object) -> None:
    target = {
        "id": "t",
        "name_zh": "测试",
        "name_en": "test",
        "sources": [TARGET_SOURCE],
        "threshold_min": 15,
        "method": "pair",
        "origins": ["sw"],
        "destinations": ["ne"],
        **changes,
    }
    text = json.dumps({"targets": [target]}, allow_nan=True)
    (folder / "travel_targets.json").write_text(text, encoding="utf-8")


@pytest.mark.parametrize(
    "changes",
    [
        {"threshold_min": "a"},
        {"threshold_min": -5},
        {"threshold_min": float("nan")},
        {"threshold_min": True},
        {"method": "ring_span", "ring_step_m": 0},
    ],
)
def test_a_bad_target_number_is_a_clear_error(grid: Path, changes: dict) -> None:
    # these raised ValueError / ZeroDivisionError, or judged against a negative threshold
    _one_target(grid, **changes)
    key = next(k for k in changes if k != "method")
    with pytest.raises(TravelError, match=rf"travel_targets.json: t: {key}: "):
        evaluate_targets(load_atlas())


def test_a_ring_step_too_fine_to_finish_is_a_clear_error(grid: Path) -> None:
    # ring_span routes between every pair of ring samples: 1 mm steps would never finish
    _one_target(grid, method="ring_span", ring_step_m=0.001)
    with pytest.raises(TravelError, match=r"travel_targets.json: t: ring_step_m: .*≥ 100 m"):
        load_targets(load_atlas())


def test_a_target_record_that_is_not_an_object_is_a_clear_error(grid: Path) -> None:
    (grid / "travel_targets.json").write_text('{"targets": ["idthreshold_minmethod"]}')
    with pytest.raises(TravelError, match=r"travel_targets\.json: #0: -: target must be an object"):
        load_targets(load_atlas())


def test_ring_span_on_a_point_is_a_clear_error(grid: Path) -> None:
    _one_target(grid, method="ring_span", origins=[], destinations=["sw"])
    with pytest.raises(TravelError, match=r"ring_span .*sw is a Point"):
        evaluate_targets(load_atlas())


@pytest.mark.parametrize("node", [[1], {"a": 1}, None, True])
def test_a_road_node_id_that_is_not_an_id_names_the_file_and_feature(
    grid: Path, node: object
) -> None:
    # a list or dict id raised TypeError (unhashable) inside networkx
    roads = json.loads((grid / "ref_roads.geojson").read_text())
    roads["features"][3]["properties"]["u"] = node
    (grid / "ref_roads.geojson").write_text(json.dumps(roads))
    with pytest.raises(
        CorridorMapError, match=r"ref_roads.geojson: road-\S+: u: must be a node id"
    ):
        route(load_atlas(), "sw", "ne")


def test_a_missing_trip_carries_a_reason_code_beside_its_message(grid: Path) -> None:
    nowhere = route(load_atlas(), "sw", "unlocated")
    assert (nowhere.reachable, nowhere.reason_code) == (False, "unlocated")
    island = route(load_atlas(), "sw", "island")
    assert (island.reachable, island.reason_code) == (False, "unreachable")
    assert "unlocated" not in (island.reason or "")
    trip = route(load_atlas(), "sw", "ne")
    assert trip.reachable and trip.reason_code is None
    # The JSON record keeps its fields: the bilingual reason, no code.
    assert "reason_code" not in nowhere.to_dict() and nowhere.to_dict()["reason"]
