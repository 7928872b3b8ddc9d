"""URL parameters read within limits (issue 27): a link of 10,000 ids is not echoed back.

Unit tests of the codec in :mod:`corridor_map.ui.state`, then the app through AppTest with
a huge query string.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from corridor_map.core.i18n import t
from corridor_map.ui import state

APP = str(Path(__file__).resolve().parent.parent / "app.py")
KNOWN = {"taizhou-central-core", "jiulong-lake"}


def _plain(markdown: str) -> str:
    return re.sub(r"\\(.)", r"\1", markdown).replace("\u2060", "")


# ------------------------------------------------------------------------ the codec


def test_a_list_of_ten_thousand_ids_is_read_up_to_the_cap():
    ids = [f"id-{i}" for i in range(10_000)]
    reading = state.read_params({"sel": [",".join(ids)]})
    assert reading.values["sel"].split(",") == ids[: state.MAX_URL_IDS]
    assert reading.ids_unread == 10_000 - state.MAX_URL_IDS


def test_repeated_keys_count_as_one_list():
    reading = state.read_params({"sel": ["a"] * 500})
    assert len(reading.values["sel"].split(",")) == state.MAX_URL_IDS
    assert reading.ids_unread == 500 - state.MAX_URL_IDS


def test_an_over_long_id_is_dropped_not_shortened():
    long_id = "x" * (state.MAX_ID_CHARS + 1)
    reading = state.read_params({"sel": [f"{long_id},jiulong-lake"]})
    assert reading.values["sel"] == "jiulong-lake"
    assert reading.ids_dropped == [long_id]


def test_the_selection_is_the_first_id_the_atlas_holds():
    reading = state.read_params({"sel": ["nope,jiulong-lake,taizhou-central-core"]})
    assert state.decode_selection(reading, KNOWN) == "jiulong-lake"
    assert reading.ids_dropped == ["nope", "taizhou-central-core"]


def test_no_known_id_selects_nothing():
    reading = state.read_params({"sel": ["nope"]})
    assert state.decode_selection(reading, KNOWN) is None
    assert reading.ids_dropped == ["nope"]


def test_a_known_single_id_drops_nothing():
    reading = state.read_params({"sel": ["jiulong-lake"], "lang": ["en"]})
    assert state.decode_selection(reading, KNOWN) == "jiulong-lake"
    assert not reading.anything_dropped
    assert reading.values["lang"] == "en"


@pytest.mark.parametrize("name", ["doc", "tt", "io", "at", "basemap", "lang", "view"])
def test_an_over_long_parameter_is_dropped_whole(name):
    reading = state.read_params({name: ["a" * (state.MAX_PARAM_CHARS + 1)]})
    assert name not in reading.values
    assert reading.dropped == [name]


def test_a_sketch_with_too_many_points_is_not_restored():
    points = [[120.0 + i * 1e-4, 28.0] for i in range(state.MAX_SKETCH_POINTS + 1)]
    text = state.encode_sketch(points, "line")
    assert state.decode_sketch(text) is None
    fits = state.encode_sketch(points[: state.MAX_SKETCH_POINTS], "line")
    decoded = state.decode_sketch(fits)
    assert decoded is not None and len(decoded[0]) == state.MAX_SKETCH_POINTS
    assert "sketch" in state.read_params({"sketch": [fits]}).values


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_notice_counts_names_and_escapes_what_was_dropped(lang):
    payload = "[登录](https://evil.example/x)"
    ids = [payload, *(f"id-{i}" for i in range(30))]
    reading = state.read_params({"sel": [",".join(ids)], "doc": ["d" * 999]})
    state.decode_selection(reading, KNOWN)
    notice = state.dropped_notice(reading, lang)
    assert payload in _plain(notice)
    assert "](" not in notice.replace("\\]\\(", "")  # the link syntax is escaped
    assert "31" in notice and "doc" in notice
    assert t("url_dropped_more", lang).format(n=28) in _plain(notice)
    assert len(notice) < 600


# ------------------------------------------------------------------------ the app


@pytest.mark.slow
def test_a_huge_query_string_is_capped_and_not_echoed():
    at = AppTest.from_file(APP, default_timeout=60)
    ids = ",".join(f"zz-{i:05d}" for i in range(10_000))
    at.query_params["sel"] = ids
    at.query_params["doc"] = "d" * 5_000
    at.query_params["lang"] = "en"
    at.run()
    assert not at.exception
    notices = [w.value for w in at.warning if "of the link were not used" in _plain(w.value)]
    assert len(notices) == 1
    assert len(notices[0]) < 600 and "10000" in notices[0] and "doc" in notices[0]
    assert at.session_state["selected"] is None
    # Nothing of the link is written back into the URL, nor shown anywhere else.
    assert "sel" not in at.query_params and "doc" not in at.query_params
    shown = "\n".join(str(el.value) for el in [*at.warning, *at.markdown, *at.caption])
    assert "zz-00025" not in shown


def test_a_known_id_among_many_is_selected():
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["sel"] = ",".join(["no-such", "taizhou-central-core", *["x"] * 50])
    at.run()
    assert not at.exception
    assert at.session_state["selected"] == "taizhou-central-core"
    assert at.query_params["sel"] in (["taizhou-central-core"], "taizhou-central-core")
