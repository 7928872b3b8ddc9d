"""The travel view through AppTest: scenario B beside A, reachable places, click start."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from corridor_map.atlas.model import load_atlas
from corridor_map.core.i18n import t
from corridor_map.travel import (
    isochrone as travel_isochrone,
)
from corridor_map.travel import (
    targets as travel_targets,
)
from corridor_map.travel.assumptions import SpeedAssumptions
from corridor_map.travel.compare import compare_targets, default_scenarios
from corridor_map.travel.reach import reachable_from
from corridor_map.views import travel as travel_view

APP = str(Path(__file__).resolve().parent.parent / "app.py")


def _travel() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["view"] = "travel"
    return at.run()


def _same(a: object, b: float | None) -> bool:
    if b is None:
        return a is None or (isinstance(a, float) and math.isnan(a))
    return isinstance(a, int | float) and math.isclose(float(a), round(b, 1))


@pytest.mark.slow
def test_scenario_b_shows_both_verdicts_and_the_change() -> None:
    at = _travel()
    assert not at.exception
    at.toggle(key="travel_compare").set_value(True).run()
    assert not at.exception
    table = at.dataframe[0].value
    expected = compare_targets(load_atlas(), *default_scenarios())
    assert len(table) == len(expected)
    for i, row in enumerate(expected):
        assert table[t("verdict_a", "zh")][i] == t(f"verdict_{row.a.status}", "zh")
        assert table[t("verdict_b", "zh")][i] == t(f"verdict_{row.b.status}", "zh")
        assert _same(table[t("minutes_a", "zh")][i], row.a.worst_minutes)
        assert _same(table[t("minutes_b", "zh")][i], row.b.worst_minutes)
        assert _same(table[t("change_b_a", "zh")][i], row.change_min)


@pytest.mark.slow
def test_an_isochrone_lists_the_places_it_reaches() -> None:
    at = _travel()
    at.selectbox(key="iso_from").set_value("wenzhou-south-station").run()
    at.slider(key="iso_min").set_value(30).run()
    assert not at.exception
    reach = reachable_from(load_atlas(), "wenzhou-south-station", 30)["reach"]
    texts = [el.value for el in at.text]
    assert travel_view.reach_summary(reach, "zh") in texts
    table = at.dataframe[-1].value
    assert sorted(table["id"]) == sorted(p.id for p in reach.places)


def test_a_clicked_start_is_used_once_clicked() -> None:
    at = _travel()
    at.selectbox(key="iso_from").set_value("@click").run()
    assert not at.exception
    assert t("click_to_start", "zh") in [el.value for el in at.caption]
    at.session_state["iso_click"] = [120.58, 27.97]
    at.run()
    assert not at.exception
    expected = travel_isochrone.isochrone_at(load_atlas(), 120.58, 27.97, 15)["properties"][
        "area_km2"
    ]
    assert f"{t('isochrone', 'zh')} A: {expected:,.1f} km²" in [el.value for el in at.text]


def test_sliders_stay_inside_the_limits() -> None:
    assert travel_view.within_limits()


def test_the_rail_mode_toggle_evaluates_road_plus_rail() -> None:
    at = _travel()
    at.toggle(key="travel_rail").set_value(True).run()
    assert not at.exception
    table = at.dataframe[0].value
    expected = travel_targets.evaluate_targets(load_atlas(), SpeedAssumptions(rail=True))
    for i, result in enumerate(expected):
        assert _same(table[t("worst", "zh")][i], result.worst_minutes)
