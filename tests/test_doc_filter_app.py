"""Selecting a document filters the map to the features citing it (AppTest).

The map component receives the ids to show (``visible``); the browser hides the others
(tests/test_browser_outputs.py). A notice names the document and clears the filter.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from corridor_map.atlas.indicators import features_citing
from corridor_map.atlas.model import load_atlas
from corridor_map.core.i18n import t
from corridor_map.documents.corpus import load_corpus

APP = str(Path(__file__).resolve().parent.parent / "app.py")
DOC = "wenzhou-reply-2024"


def _run(**query: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    for key, value in query.items():
        at.query_params[key] = value
    return at.run()


def _map_data(at: AppTest) -> dict:
    (el,) = [e for e in at.get("bidi_component") if e.proto.component_name == "corridor-map.map"]
    (data,) = json.loads(el.proto.json)  # sent as a one-item list (map_component.show)
    return data


def _params(at: AppTest) -> dict:
    return {k: (v[0] if isinstance(v, list) else v) for k, v in at.query_params.items()}


@pytest.mark.slow
def test_timeline_document_filters_the_map_to_the_features_citing_it():
    atlas = load_atlas()
    cited = features_citing(atlas, DOC)
    other = next(f.id for f in atlas.select(include_reference=False) if f.id not in cited)
    at = _run(view="indicators")
    assert _map_data_missing(at)
    button = at.button(key=f"tl-map-{DOC}")
    assert button.label == t("timeline_show_on_map", "zh").format(n=len(cited))
    button.click().run()
    assert not at.exception
    assert at.session_state["page"] == "map"
    data = _map_data(at)
    assert set(data["visible"]) == cited and other not in data["visible"]
    # The map frames what is left on it.
    assert set(data["frame"]["ids"]) == cited
    title = load_corpus().document(DOC).title
    notices = [el.value for el in at.info if title in el.value]
    # Five of the six have no known site: the notice says so, and names them.
    missing = [atlas.get(i).name_zh for i in cited if atlas.get(i).geometry is None]
    assert len(missing) == 5
    assert notices == [
        t("map_filtered", "zh").format(title=title, n=len(cited))
        + t("map_filtered_unlocated", "zh").format(n=5)
    ]
    (names,) = [el.value for el in at.text if el.value.startswith(t("unlocated", "zh"))]
    assert all(name in names for name in missing)
    assert _params(at)["doc"] == DOC
    assert at.selectbox(key="map_doc_zh").value == DOC
    at.button(key="map_filter_clear").click().run()
    assert not at.exception
    assert _map_data(at)["visible"] is None
    assert at.selectbox(key="map_doc_zh").options[at.selectbox(key="map_doc_zh").index] == t(
        "map_filter_none", "zh"
    )
    assert not [el for el in at.info if title in el.value]
    assert "doc" not in _params(at)


def _map_data_missing(at: AppTest) -> bool:
    return not [e for e in at.get("bidi_component") if e.proto.component_name == "corridor-map.map"]


def test_map_view_picker_and_url_filter_in_english():
    atlas = load_atlas()
    at = _run(lang="en")
    assert _map_data(at)["visible"] is None
    # Unfiltered, the picker shows its own "all" choice (not an empty placeholder).
    picker = at.selectbox(key="map_doc_en")
    assert picker.index == 0 and picker.options[0] == t("map_filter_none", "en")
    at.selectbox(key="map_doc_en").set_value("wenling-14th-fyp").run()
    assert not at.exception
    cited = features_citing(atlas, "wenling-14th-fyp")
    assert set(_map_data(at)["visible"]) == cited
    title = load_corpus().document("wenling-14th-fyp").title_en
    assert any(
        # Markdown-escaped: compare without the escapes
        el.value.replace("\\", "").startswith(
            f"The map shows only the {len(cited)} features citing “{title}”; "
        )
        for el in at.info
    )
    # The filter is in the URL: a shared link opens filtered (and framed).
    again = _run(lang="en", doc="wenling-14th-fyp")
    assert set(_map_data(again)["visible"]) == cited
    assert set(_map_data(again)["frame"]["ids"]) == cited


def test_unknown_document_in_the_url_is_ignored():
    at = _run(doc="no-such-doc")
    assert not at.exception
    assert _map_data(at)["visible"] is None
    assert "doc" not in _params(at)


def test_choosing_a_document_among_the_indicators_filters_the_map_too():
    at = _run(view="indicators")
    at.selectbox(key="ind_corridor_zh").set_value("wenzhou-daluo").run()
    at.selectbox(key="ind_doc_zh_wenzhou-daluo").set_value(DOC).run()
    assert at.session_state["doc_filter"] == DOC
    at.switch_page("pages/map_texts.py").run()
    assert set(_map_data(at)["visible"]) == features_citing(load_atlas(), DOC)
