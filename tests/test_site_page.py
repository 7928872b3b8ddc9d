"""The site page (pages/site.py) run headless with Streamlit's AppTest (no browser).

The page is not wired into the app's navigation yet (the lead does that); the browser test
of the issue needs it there.
"""

from __future__ import annotations

import re
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


def _plain(markdown: str) -> str:
    """The text an escaped Markdown line shows (escapes and word joiners removed)."""
    return re.sub(r"\\(.)", r"\1", markdown).replace("\u2060", "")


def _warnings(at: AppTest) -> list[str]:
    return [_plain(w.value) for w in at.warning]


@pytest.mark.slow
@pytest.mark.parametrize("crs", ["EPSG:4549", "EPSG:4528"])
def test_a_point_typed_in_gauss_krueger_is_checked_where_it_lies(atlas, crs):
    from pyproj import Transformer

    anchor = atlas.get("taizhou-central-core").geometry.representative_point()
    x, y = Transformer.from_crs("EPSG:4326", crs, always_xy=True).transform(anchor.x, anchor.y)
    at = _page(lang="en", site_point_crs=crs, site_lonlat=f"{x:.2f},{y:.2f}")
    assert not at.exception and not at.error
    assert at.text_input(key="site_lonlat").label == "easting,northing (m)"
    assert "Central Innovation Core" in set(at.dataframe[0].value["Feature"])


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_point_typed_lat_lon_gets_a_swap_hint(lang):
    from corridor_map.core.i18n import t

    at = _page(lang=lang, site_lonlat="28.641,121.402")
    assert not at.exception
    hint = t("site_swapped", lang).format(swapped="121.402,28.641")
    assert hint in _warnings(at), _warnings(at)
    assert at.error  # the point as typed is refused, in one line
    # the right order gets no hint
    at.text_input(key="site_lonlat").set_value("121.402,28.641").run()
    assert not at.exception and not _warnings(at) and not at.error


@pytest.mark.slow
def test_an_uploaded_file_names_the_coordinate_system_found_in_it(atlas, tmp_path):
    import geopandas as gpd
    from pyproj import Transformer
    from shapely.geometry import box

    anchor = atlas.get("taizhou-central-core").geometry.representative_point()
    x, y = Transformer.from_crs("EPSG:4326", "EPSG:4549", always_xy=True).transform(
        anchor.x, anchor.y
    )
    path = tmp_path / "lot.gpkg"
    gpd.GeoDataFrame(
        {"name": ["lot"]}, geometry=[box(x - 200, y - 200, x + 200, y + 200)], crs="EPSG:4549"
    ).to_file(path, driver="GPKG")
    at = _page(lang="en", site_input="upload")
    at.file_uploader(key="site_upload").upload("lot.gpkg", path.read_bytes()).run()
    assert not at.exception
    lines = [_plain(c.value) for c in at.caption if "Coordinate system detected" in c.value]
    assert len(lines) == 1 and "EPSG:4549" in lines[0], [c.value for c in at.caption]
    assert "Central Innovation Core" in set(at.dataframe[0].value["Feature"])
