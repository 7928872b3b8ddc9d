"""The indicators view through AppTest: cards, filters, the reader, both languages."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from corridor_map.atlas.indicators import load_register
from corridor_map.core.i18n import t

APP = str(Path(__file__).resolve().parent.parent / "app.py")


def _run(**query: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    for key, value in query.items():
        at.query_params[key] = value
    return at.run()


def _cards(at: AppTest) -> str:
    body = "\n".join(el.proto.body for el in at.get("html"))
    return html.unescape(re.sub(r"<[^>]+>", " ", body))


def _card_ids(at: AppTest) -> list[str]:
    body = "\n".join(el.proto.body for el in at.get("html"))
    return re.findall(r'class="cm-ind" data-indicator="([^"]+)"', body)


def test_view_shows_the_first_corridor_cards_and_the_timeline():
    at = _run(view="indicators")
    assert not at.exception
    register = load_register()
    expected = [i.id for i in register.select(corridor="wenling-lakes")]
    assert _card_ids(at) == expected
    text = _cards(at)
    assert "28.2 亿元" in text and "58 亿元" in text and t("ind_status_no_report", "zh") in text
    timeline = at.dataframe[0].value
    assert list(timeline[t("timeline_date", "zh")])[-1].startswith(t("timeline_year_unknown", "zh"))
    assert at.session_state["page"] == "indicators"
    # Each document lists what it names; the undated briefing names the central core.
    from corridor_map.atlas.model import load_atlas

    core = load_atlas().get("taizhou-central-core").name_zh
    lines = [el.value for el in at.text if el.value.startswith(t("timeline_features", "zh"))]
    assert len(lines) == 5 and core in lines[-1]
    assert at.session_state["doc_filter"] is None


def test_card_button_opens_the_reader_at_the_figures_paragraph():
    at = _run(view="indicators")
    at.button(key="ind-read-wl-rd-expenditure-0").click().run()
    assert not at.exception
    reader = at.session_state["reader"]
    assert (reader["doc"], reader["p"]) == ("wenling-14th-fyp", "p039")
    # The reader is a dialog over the page.
    page = "\n".join(el.proto.body for el in at.get("html"))
    assert '<p id="cm-p-p039" class="cm-p cm-cited">' in page


@pytest.mark.slow
def test_filters_by_corridor_document_year_and_kind():
    at = _run(view="indicators")
    at.selectbox(key="ind_corridor_zh").set_value("wenzhou-daluo").run()
    assert len(_card_ids(at)) == 18
    at.selectbox(key="ind_doc_zh_wenzhou-daluo").set_value("wenzhou-reply-2024").run()
    assert at.session_state["doc_filter"] == "wenzhou-reply-2024"
    ids = _card_ids(at)
    assert ids == [i.id for i in load_register() if i.reported]
    text = _cards(at)
    assert "4326家" in text and t("ind_other_scope", "zh") in text
    at.selectbox(key="ind_kind_zh_wenzhou-daluo").set_value("rate").run()
    assert _card_ids(at) == []
    assert any(t("ind_none", "zh") in el.value for el in at.info)
    # Another corridor starts from its own options (no stale filter value).
    at.selectbox(key="ind_corridor_zh").set_value("taizhou-bay").run()
    assert not at.exception
    assert len(_card_ids(at)) == 3
    at.selectbox(key="ind_year_zh_taizhou-bay").set_value(2035).run()
    assert _card_ids(at) == ["tz-corridor-fully-built"]


def test_english_labels():
    at = _run(view="indicators", lang="en")
    assert not at.exception
    text = _cards(at)
    assert "Gross R&D expenditure" in text and t("ind_status_no_report", "en") in text
    assert at.selectbox(key="ind_corridor_en").label == t("ind_corridor", "en")
    labels = [b.label for b in at.button if str(b.key).startswith("ind-read-")]
    assert any(label.startswith(t("ind_open", "en")) for label in labels)
