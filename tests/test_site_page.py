"""The site page (pages/site.py) run headless with Streamlit's AppTest (no browser).

The page is not wired into the app's navigation yet (the lead does that); the browser test
of the issue needs it there.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

PAGE = Path(__file__).resolve().parent.parent / "pages" / "site.py"


def _page(**state: object) -> AppTest:
    at = AppTest.from_file(str(PAGE), default_timeout=180)
    for key, value in state.items():
        at.session_state[key] = value
    return at.run()


@pytest.mark.slow
def test_point_shows_relations_excerpts_and_travel(corpus):
    at = _page(lang="en")
    assert not at.exception
    assert [s.value for s in at.subheader] == [
        "Relations to the corridors' features",
        "Travel time (to gateways and core)",
        "Policy that applies (verbatim, most specific first)",
    ]
    table = at.dataframe[0].value
    assert "Central Innovation Core" in set(table["Feature"])
    assert [m.label for m in at.metric] == ["Central Innovation Core"]
    quote = "在中央创新核设立飞地创新平台"
    assert quote in corpus.document("taizhou-bay-briefing").text
    assert any(quote in m.value for m in at.markdown)


@pytest.mark.slow
def test_drawn_polygon_from_the_measure_view(atlas):
    core = atlas.get("taizhou-central-core").geometry.representative_point()
    pts = [[core.x - 0.01, core.y - 0.01], [core.x + 0.01, core.y - 0.01], [core.x, core.y + 0.01]]
    at = _page(lang="zh", measure_pts=pts, measure_mode="polygon", site_input="draw")
    assert not at.exception
    table = at.dataframe[0].value
    inside = set(table.loc[table["判断"] == "在内", "要素"])
    assert {"中央创新核", "台州湾科创走廊"} <= inside
    assert any("km²" in m.value and "Polygon" in m.value for m in at.markdown)


@pytest.mark.slow
def test_coverage_table_and_map():
    at = _page(lang="en", site_coverage=True)
    assert not at.exception
    table = at.dataframe[-1].value
    assert "wenzhou-1030-gateways-30min" in set(table["id"])
    assert "Places meeting it" in table.columns
    images = [e for e in at.main if getattr(e, "type", "") == "image"]
    assert len(images) >= 2  # the parcel's map and the coverage map
