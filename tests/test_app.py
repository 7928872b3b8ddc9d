"""The Streamlit app through AppTest: start, select, search, language, URL state."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from corridor_map.atlas.model import load_atlas
from corridor_map.core.i18n import t
from corridor_map.views import tables

APP = str(Path(__file__).resolve().parent.parent / "app.py")


@pytest.fixture(scope="module")
def feature():
    found = [f for f in load_atlas() if f.corridor != "reference" and f.sources]
    if not found:
        pytest.skip("no curated layer in layers/ yet")
    core = [f for f in found if f.id == "taizhou-central-core"]
    return (core or found)[0]


def _run(**query: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    for key, value in query.items():
        at.query_params[key] = value
    return at.run()


def _plain(markdown: str) -> str:
    """The text a Markdown-escaped message shows (escapes and word joiners removed)."""
    return re.sub(r"\\(.)", r"\1", markdown).replace("\u2060", "")


def _html(at: AppTest) -> str:
    return "\n".join(el.proto.body for el in at.get("html"))


def test_app_starts_in_chinese_without_exceptions():
    at = _run()
    assert not at.exception
    assert at.title[0].value == t("title", "zh")
    assert any(t("panel_empty", "zh") in el.value for el in at.info)


def test_selecting_fills_the_panel_with_excerpts(feature):
    at = _run()
    at.session_state["selected"] = feature.id
    at.run()
    assert not at.exception
    body = _html(at)
    for source in feature.sources:
        # The quote is shown verbatim (escaped, the name marked inside it).
        plain = html.unescape(body.replace("<mark>", "").replace("</mark>", ""))
        assert source["quote"] in plain
    # ... inside the verbatim window of its paragraph.
    from corridor_map.views import panel

    visible = html.unescape(re.sub(r"<[^>]+>", "", body))
    excerpts = panel.feature_panel(load_atlas(), feature.id).excerpts
    assert any(excerpt.context != excerpt.quote for excerpt in excerpts)
    for excerpt in excerpts:
        assert excerpt.context in visible
    assert at.query_params["sel"] == [feature.id] or at.query_params["sel"] == feature.id


def test_search_returns_and_selects(feature):
    at = _run()
    at.text_input(key="q").input(feature.name_zh).run()
    button = at.button(key=f"hit-{feature.id}")
    button.click().run()
    assert not at.exception
    assert at.session_state["selected"] == feature.id
    assert feature.sources[0]["quote"][:8] in _html(at).replace("<mark>", "").replace("</mark>", "")


@pytest.mark.slow
def test_language_toggle_changes_labels(feature):
    at = _run(sel=feature.id)
    at.radio(key="lang").set_value("en").run()
    assert not at.exception
    assert at.title[0].value == t("title", "en")
    assert at.selectbox(key="basemap_en").label == t("basemap", "en")
    assert feature.name_en in _html(at)
    assert t("excerpts", "en") in "\n".join(m.value for m in at.markdown)


def test_query_parameters_restore_selection_basemap_and_language(feature):
    at = _run(sel=feature.id, basemap="osm", lang="en")
    assert not at.exception
    assert at.session_state["selected"] == feature.id
    assert at.selectbox(key="basemap_en").value == "osm"
    assert at.session_state["basemap"] == "osm"
    assert at.radio(key="lang").value == "en"
    assert feature.name_en in _html(at)


def test_unknown_selection_in_the_url_is_reported_not_raised():
    at = _run(sel="no-such-feature")
    assert not at.exception
    assert any("no-such-feature" in _plain(w.value) for w in at.warning)


@pytest.mark.parametrize(
    "payload",
    ["[请重新登录](https://evil.example/login)", "![x](http://evil.example/u.png)", ":red[**x**]"],
)
def test_a_selection_from_the_url_is_shown_as_text_not_markdown(payload):
    from markdown_it import MarkdownIt

    at = _run(sel=payload)
    assert not at.exception
    (warning,) = [w.value for w in at.warning if "evil" in w.value or "red" in w.value]
    rendered = MarkdownIt("gfm-like").render(warning)
    assert "<a" not in rendered and "<img" not in rendered and "<strong" not in rendered
    assert payload in _plain(warning)


@pytest.mark.parametrize("basemap", ["none", "gaode"])
@pytest.mark.slow
def test_measure_view_measures_clicked_points_geodesically(basemap):
    # Clicks are stored in WGS84 when made; on the Gaode basemap measuring must not shift
    # them again (that moved every point ~500 m and changed this area by 0.125 km²).
    from shapely.geometry import Polygon

    from corridor_map.geo.geodesy import geodesic_area_km2

    at = _run(view="measure", basemap=basemap)
    points = [[121.3, 28.6], [121.4, 28.6], [121.4, 28.7]]
    at.session_state["measure_pts"] = points
    at.radio(key="measure_mode").set_value("polygon").run()
    assert not at.exception
    metrics = {m.label: m.value for m in at.metric}
    expected = geodesic_area_km2(Polygon(points))
    assert float(metrics[t("area_km2", "zh")].replace(",", "")) == pytest.approx(expected, abs=1e-3)
    at.button(key="measure_undo").click().run()
    assert len(at.session_state["measure_pts"]) == 2


@pytest.mark.slow
def test_travel_view_lists_every_target_with_a_verdict():
    from corridor_map.travel import targets as travel_targets

    at = _run()
    at.switch_page("pages/travel_targets.py").run()
    assert not at.exception
    table = at.dataframe[0].value
    assert len(table) == len(travel_targets.load_targets(load_atlas()))
    verdicts = {t(f"verdict_{s}", "zh") for s in ("met", "not_met", "not_evaluable")}
    assert set(table[t("verdict", "zh")]) <= verdicts


def test_excerpt_opens_the_reader_at_its_paragraph(feature):
    from corridor_map.documents.corpus import resolve

    at = _run(sel=feature.id)
    at.button(key="read-0").click().run()
    assert not at.exception
    source = feature.sources[0]
    expected = resolve(source["doc"], source["quote"], source.get("paragraph"))
    reader = at.session_state["reader"]
    assert (reader["doc"], reader["p"]) == (expected.doc_id, expected.paragraph_id)
    # The reader is a dialog over the page (not a frame in the narrow column).
    assert not at.get("iframe")
    page = _html(at)
    assert f'<p id="cm-p-{expected.paragraph_id}" class="cm-p cm-cited">' in page
    at.button(key="close_reader").click().run()
    assert at.session_state["reader"] is None and "cm-cited" not in _html(at)


def test_text_search_result_opens_the_paragraph():
    at = _run()
    at.text_input(key="q").input("平方公里").run()
    buttons = [b for b in at.button if str(b.key).startswith("text-")]
    assert buttons
    _, _, rest = buttons[0].key.partition("text-0-")
    buttons[0].click().run()
    assert not at.exception
    reader = at.session_state["reader"]
    assert rest == f"{reader['doc']}-{reader['p']}"
    assert "平方公里" in _html(at) and f'id="cm-p-{reader["p"]}" class="cm-p cm-cited"' in _html(at)


def test_unlocated_places_are_listed_and_selectable():
    from corridor_map.views import panel

    missing = panel.unlocated(load_atlas())
    if not missing:
        pytest.skip("every place is located")
    at = _run()
    # Their count is also given beside the map, pointing to the sidebar list.
    beside = t("unlocated_beside_map", "zh").format(n=len(missing))
    assert any(c.value == beside for c in at.caption)
    # The list is drawn only while its expander is open (a page load renders the map
    # first, not 40 buttons); opening it lists every unlocated place.
    keys = {f"unloc-{link.id}" for link in missing}
    assert not keys & {b.key for b in at.button}
    at.session_state["sb_unlocated"] = True
    at.run()
    assert keys <= {b.key for b in at.button}
    at.button(key=f"unloc-{missing[0].id}").click().run()
    assert not at.exception
    assert at.session_state["selected"] == missing[0].id
    assert missing[0].name_zh in html.unescape(_html(at))


def test_view_is_kept_in_the_url():
    at = _run(view="travel")
    assert not at.exception
    # An old ?view= link lands on its page; the page is the URL's path, not a parameter.
    assert at.session_state["page"] == "travel"
    at.switch_page("pages/map_texts.py").run()
    assert at.session_state["page"] == "map"
    assert "view" not in at.query_params


def test_a_broken_layer_file_is_reported_by_name_not_as_a_traceback(tmp_path, monkeypatch):
    import shutil

    from corridor_map.core.paths import seeds_dir

    shutil.copytree(seeds_dir(), tmp_path / "seeds")
    (tmp_path / "layers").mkdir()
    (tmp_path / "layers" / "broken_layer.geojson").write_text('{"type": "FeatureCollection", ')
    monkeypatch.setenv("CORRIDOR_MAP_DATA", str(tmp_path))
    at = _run()
    assert not at.exception
    assert any("broken_layer.geojson" in _plain(e.value) for e in at.error)


def test_geometry_source_sits_in_a_collapsed_expander(feature):
    from corridor_map.views import panel

    at = _run(sel=feature.id)
    assert not at.exception
    expanders = [e for e in at.expander if e.label == t("geometry_source", "zh")]
    assert len(expanders) == 1
    assert not expanders[0].proto.expanded
    inside = "\n".join(el.proto.body for el in expanders[0].get("html"))
    assert html.unescape(inside).count(feature.properties["geometry_source"]) == 1
    facts = panel.facts_html(panel.feature_panel(load_atlas(), feature.id), "zh")
    assert feature.properties["geometry_source"] not in html.unescape(facts)


def _travel_table(at: AppTest) -> dict[str, float | None]:
    table = at.dataframe[0].value
    return dict(zip(table[t("target", "zh")], table[t("worst", "zh")], strict=True))


@pytest.mark.slow
def test_travel_view_shows_every_target_route_and_sensitivity():
    from corridor_map.travel import targets as travel_targets
    from corridor_map.views import panel

    at = _run(view="travel")
    assert not at.exception
    for target in travel_targets.load_targets(load_atlas()):
        at.selectbox(key="travel_target").set_value(target["id"]).run()
        assert not at.exception, target["id"]
        radio = at.radio(key=f"sens_param-{target['id']}")
        # The first choice follows the trip: a planned link's speed when it rides one.
        evaluated = travel_targets.evaluate_targets(load_atlas(), target_ids=[target["id"]])[0]
        on_link = bool((evaluated.worst_case or {}).get("planned_links_used"))
        assert radio.value == ("planned_kmh" if on_link else "network_kmh")
        for parameter, speeds in panel.SENSITIVITY_SPEEDS.items():
            at.radio(key=f"sens_param-{target['id']}").set_value(parameter).run()
            assert not at.exception, (target["id"], parameter)
            table = at.dataframe[1].value
            assert len(table) == len(speeds)
            shown = [float(str(s).split()[0]) for s in table[t("speed_kmh", "zh")]]
            assert shown == [float(s) for s in speeds]


@pytest.mark.slow
def test_travel_speed_and_planned_links_change_the_estimates():
    import math

    from corridor_map.travel import data as travel
    from corridor_map.travel import targets as travel_targets

    at = _run(view="travel")
    slow = _travel_table(at)
    at.slider(key="travel_speed").set_value(80).run()
    assert not at.exception
    fast = _travel_table(at)
    # A faster network never makes a trip longer, and some trips must get shorter.
    pairs = [(slow[k], fast[k]) for k in slow if slow[k] is not None and not math.isnan(slow[k])]
    assert pairs and all(f <= s + 1e-9 for s, f in pairs)
    assert any(f < s for s, f in pairs)
    if not travel.planned_links(load_atlas()):
        return
    at.slider(key="travel_speed").set_value(40).run()
    at.toggle(key="travel_planned").set_value(False).run()
    assert not at.exception
    without = _travel_table(at)
    # Without the planned links no trip is faster; the one that uses 太龙快速路 is slower.
    uses = [
        r.name_zh
        for r in travel_targets.evaluate_targets(load_atlas())
        if r.worst_case and r.worst_case.get("planned_links_used")
    ]
    for name in uses:
        assert without[name] is None or math.isnan(without[name]) or without[name] > slow[name]


@pytest.mark.slow
def test_travel_tables_show_a_dash_not_none_for_a_missing_time(data_copy):
    import math

    from pandas.api.types import is_numeric_dtype

    from corridor_map.travel import targets as travel_targets

    # Without the reference places Wenling's half-hour circle has no ends: no worst time.
    (data_copy / "layers" / "ref_places.geojson").unlink()
    at = _run(view="travel")
    assert not at.exception
    missing = [r for r in travel_targets.evaluate_targets(load_atlas()) if r.worst_minutes is None]
    assert missing, "no target without a worst time in the data: nothing to check"
    worst = _travel_table(at)
    for result in missing:
        # The cell stays missing (the column stays numeric, so it sorts as numbers) ...
        assert worst[result.name_zh] is None or math.isnan(worst[result.name_zh])
    assert is_numeric_dtype(at.dataframe[0].value[t("worst", "zh")])
    # ... and the grid is told to draw the dash there instead of the word "None".
    assert at.dataframe[0].proto.placeholder == tables.NO_VALUE == "—"
    # The sensitivity table of that target has no times at all: dashes there too.
    at.selectbox(key="travel_target").set_value(missing[0].id).run()
    assert not at.exception
    assert at.dataframe[1].value[t("worst", "zh")].isna().all()
    assert at.dataframe[1].proto.placeholder == tables.NO_VALUE


def test_measure_view_shows_only_what_the_shape_has():
    from shapely.geometry import LineString

    from corridor_map.geo.geodesy import geodesic_length_km

    at = _run(view="measure")
    points = [[121.3, 28.6], [121.4, 28.6]]
    at.session_state["measure_pts"] = points
    at.run()
    assert not at.exception
    metrics = {m.label: m.value for m in at.metric}
    # A line: its geodesic length, and no area.
    assert t("area_km2", "zh") not in metrics
    expected = geodesic_length_km(LineString(points))
    assert float(metrics[t("length_km", "zh")]) == pytest.approx(expected, abs=1e-3)
    at.radio(key="measure_mode").set_value("polygon").run()
    assert any(t("polygon_needs_three", "zh") in c.value for c in at.caption)


def test_every_page_has_a_url_path_apart_from_its_file_name():
    # With a pages/ folder, Streamlit's first run of a process (and every AppTest run)
    # resolves a URL path equal to a file's name to that file alone, without the frame
    # (no language, no sidebar): a page named like its file breaks its first request.
    import ast

    tree = ast.parse(Path(APP).read_text(encoding="utf-8"))
    (pages,) = [
        node.value
        for node in tree.body
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", "") == "PAGES"
    ]
    rows = ast.literal_eval(pages)
    assert rows and rows[0][0] == "map"
    for name, script, _ in rows:
        assert (Path(APP).parent / script).is_file(), script
        assert Path(script).stem != name, f"{script}: rename the file or the page"


@pytest.mark.slow
def test_the_sketch_is_kept_in_the_url_and_restored():
    at = _run(view="measure")
    points = [[121.3, 28.6], [121.4, 28.6], [121.4, 28.7]]
    at.session_state["measure_pts"] = points
    at.radio(key="measure_mode").set_value("polygon").run()
    assert not at.exception
    area = {m.label: m.value for m in at.metric}[t("area_km2", "zh")]
    sketch = at.query_params["sketch"]
    sketch = sketch[0] if isinstance(sketch, list) else sketch
    assert sketch.startswith("p:")
    # A link (or a reload) with it draws and measures the same shape.
    again = _run(view="measure", sketch=sketch)
    assert not again.exception
    assert again.session_state["measure_pts"] == points
    assert {m.label: m.value for m in again.metric}[t("area_km2", "zh")] == area
    # A malformed sketch is ignored, not raised.
    assert not _run(view="measure", sketch="p:121.3,abc").exception


@pytest.mark.slow
def test_the_travel_settings_are_kept_in_the_url_and_restored():
    at = _run(view="travel")
    at.slider(key="travel_speed").set_value(60).run()
    at.toggle(key="travel_rail").set_value(True).run()
    assert not at.exception
    params = {k: (v[0] if isinstance(v, list) else v) for k, v in at.query_params.items()}
    assert params["tv"] == "60" and params["tr"] == "1"
    table = at.dataframe[0].value
    again = _run(**{k: v for k, v in params.items() if k != "at"}, view="travel")
    assert not again.exception
    assert again.slider(key="travel_speed").value == 60
    assert again.toggle(key="travel_rail").value is True
    assert again.dataframe[0].value.equals(table)


@pytest.mark.slow
@pytest.mark.parametrize("page", ["pages/curate.py", "pages/review.py"])
def test_a_page_with_nothing_to_show_keeps_the_sidebar_and_the_url_state(
    page, data_copy, monkeypatch
):
    # Read-only and no store: the page says so and ends early; the frame still draws the
    # sidebar and writes the state into the URL (st.stop() in a page stopped both).
    monkeypatch.delenv("CORRIDOR_MAP_CURATION", raising=False)
    at = _run(lang="en")
    at.switch_page(page).run()
    assert not at.exception
    assert at.info, "the page says why it shows nothing"
    assert at.sidebar.selectbox or at.sidebar.radio, "no sidebar drawn"
    assert at.query_params["lang"] == ["en"] or at.query_params["lang"] == "en"


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_long_child_list_shows_eight_and_folds_the_rest(lang):
    from corridor_map.views import panel

    atlas = load_atlas()
    parent = "wenzhou-daluo-corridor"
    children = [c.id for c in atlas.children(parent)]
    assert len(children) > panel.CHILDREN_SHOWN + 1  # the review counted 13 buttons
    at = _run(sel=parent, lang=lang)
    assert not at.exception
    label = t("hierarchy_show_all", lang).format(n=len(children))
    (folded,) = [e for e in at.expander if e.label == label]
    assert not folded.proto.expanded
    inside = [b.key for b in folded.button]
    everywhere = [b.key for b in at.button if str(b.key).startswith("child-")]
    assert everywhere == [f"child-{c}" for c in children]  # every child once, in order
    assert inside == everywhere[panel.CHILDREN_SHOWN :]
    folded.button[0].click().run()
    assert at.session_state["selected"] == children[panel.CHILDREN_SHOWN]
