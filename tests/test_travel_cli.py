"""Numeric arguments of the travel commands are bounded, with one line naming the range."""

from __future__ import annotations

import json

import pytest

from corridor_map.atlas.model import load_atlas
from corridor_map.cli.main import main
from corridor_map.travel.assumptions import LIMITS, SpeedAssumptions, check_limit
from corridor_map.travel.errors import TravelError

CASES = [
    (["targets", "--access-speed", "1e-300"], "access_kmh", "2–60 km/h"),
    (["isochrone", "jiulong-lake", "1e308"], "minutes", "> 0 and ≤ 180 min"),
    (["isochrone", "jiulong-lake", "0"], "minutes", "> 0 and ≤ 180 min"),
    (["isochrone", "jiulong-lake", "nan"], "minutes", "> 0 and ≤ 180 min"),
    (["isochrone", "200,28", "20"], "lon", "lon −180–180"),
    (
        ["travel", "jiulong-lake", "longmen-lake", "--rail", "--rail-speed", "1000"],
        "rail_kmh",
        "30–350 km/h",
    ),
    (["targets", "--rail", "--station-min", "-1"], "station_min", "0–60 min"),
    (["travel", "jiulong-lake", "longmen-lake", "--speed", "1e308"], "network_kmh", "5–120"),
    (["travel", "jiulong-lake", "longmen-lake", "--speed", "inf"], "network_kmh", "5–120"),
    (["targets", "--speed", "-40"], "network_kmh", "5–120 km/h"),
    (
        ["targets", "--sensitivity", "wenling-tailong-15min", "--speeds", "20", "500"],
        "network_kmh",
        "5–400 km/h (sensitivity sweep)",
    ),
    (
        [
            "targets",
            "--sensitivity",
            "wenling-tailong-15min",
            "--vary",
            "planned_kmh",
            "--speeds",
            "1000",
        ],
        "planned_kmh[tailong-expressway]",
        "5–400 km/h",
    ),
]


@pytest.mark.parametrize(("argv", "name", "range_text"), CASES)
def test_an_implausible_number_is_refused_with_its_range(
    capsys: pytest.CaptureFixture[str], argv: list[str], name: str, range_text: str
) -> None:
    assert main(argv) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1, lines
    assert f"{name}=" in lines[0]
    assert range_text in lines[0]
    assert "Traceback" not in captured.err


def test_the_ends_of_each_range_are_accepted_and_just_beyond_refused() -> None:
    for name, limit in LIMITS.items():
        assert check_limit(name, limit.high) == limit.high
        with pytest.raises(TravelError, match=name):
            check_limit(name, limit.high * 1.01)
        if limit.low_open:
            with pytest.raises(TravelError):
                check_limit(name, limit.low)
        else:
            assert check_limit(name, limit.low) == limit.low
            with pytest.raises(TravelError):
                check_limit(name, limit.low - 0.01)
    with pytest.raises(TravelError, match="5–120"):
        SpeedAssumptions(planned_kmh={"x": 300.0})
    with pytest.raises(TravelError, match="access_candidates"):
        SpeedAssumptions(access_candidates=0)


def test_help_names_the_ranges(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["targets", "--help"])
    out = capsys.readouterr().out
    assert LIMITS["network_kmh"].describe() in out
    assert LIMITS["access_kmh"].describe() in out


def test_an_isochrone_from_a_point_equals_the_api(capsys: pytest.CaptureFixture[str]) -> None:
    from corridor_map.travel.isochrone import isochrone_at

    assert main(["isochrone", "120.58,27.97", "20", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["properties"]["origin"] == [120.58, 27.97]
    assert (
        data["properties"]["area_km2"]
        == isochrone_at(load_atlas(), 120.58, 27.97, 20)["properties"]["area_km2"]
    )


@pytest.mark.slow
def test_targets_name_the_worst_case_ends_not_their_ids(capsys: pytest.CaptureFixture[str]) -> None:
    atlas = load_atlas()
    assert main(["targets"]) == 0
    lines = [line for line in capsys.readouterr().out.splitlines() if "worst case:" in line]
    assert lines
    ids = {f.id for f in atlas}
    for line in lines:
        ends = line.split("worst case:", 1)[1].split(" → ")
        assert len(ends) == 2 and not {e.strip().split(" @ ")[0] for e in ends} & ids, line
        assert not any(end.strip() in ids or "@[" in end for end in ends), line
    jiulong, longmen = atlas.get("jiulong-lake"), atlas.get("longmen-lake")
    assert f"{jiulong.name_zh} / {jiulong.name_en} → {longmen.name_zh} / {longmen.name_en}" in (
        "\n".join(lines)
    )
    ring = atlas.get("daluo-innovation-ring")
    assert any(f"{ring.name_zh} / {ring.name_en} @ " in line for line in lines)
