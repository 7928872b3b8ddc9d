"""One verdict vocabulary: the UI, the tables, the badges and the CLI say the same word."""

from __future__ import annotations

import re

import pytest

from corridor_map.atlas.indicators import STATUSES, load_register, status
from corridor_map.atlas.model import load_atlas
from corridor_map.cli.main import main
from corridor_map.core import i18n, verdicts
from corridor_map.travel import targets as travel_targets
from corridor_map.views import tables
from corridor_map.views import travel as travel_view


def test_every_status_the_code_can_return_has_one_entry() -> None:
    assert set(STATUSES) == set(verdicts.INDICATOR_CODES)
    statuses = {r.status for r in travel_targets.evaluate_targets(load_atlas())}
    assert statuses <= set(verdicts.TRAVEL_CODES)
    assert set(verdicts.VERDICTS) == {*verdicts.TRAVEL_CODES, *verdicts.INDICATOR_CODES}


@pytest.mark.parametrize("lang", i18n.LANGUAGES)
def test_words_are_distinct_and_the_ui_strings_are_the_table_s(lang: str) -> None:
    words = [verdicts.word(code, lang) for code in verdicts.VERDICTS]
    assert len(set(words)) == len(words)
    for code in verdicts.TRAVEL_CODES:
        assert i18n.t(f"verdict_{code}", lang) == verdicts.word(code, lang)
    for code in verdicts.INDICATOR_CODES:
        assert i18n.t(f"ind_status_{code}", lang) == verdicts.word(code, lang)


def test_colours_are_distinct_within_a_family_and_dark_enough() -> None:
    for family in (verdicts.TRAVEL_CODES, verdicts.INDICATOR_CODES):
        assert len({verdicts.colour(c) for c in family}) == len(family)
    for entry in verdicts.VERDICTS.values():
        r, g, b = (int(entry.colour[i : i + 2], 16) / 255 for i in (1, 3, 5))

        def lin(c: float) -> float:
            return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

        luminance = 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b)
        # WCAG contrast against white ≥ 4.5:1 (white text on the indicator badge too).
        assert (1.05) / (luminance + 0.05) >= 4.5, entry


def test_a_badge_writes_its_word_and_colour() -> None:
    html = verdicts.badge_html("not_met", "zh")
    assert "未达标" in html and verdicts.colour("not_met") in html
    assert 'title="未达标"' in html
    assert "not met" in verdicts.badge_html("not_met", "en")


def test_the_travel_table_colours_verdict_cells_only() -> None:
    results = travel_targets.evaluate_targets(load_atlas())
    rows = tables.target_rows(results, "zh")
    styled = travel_view.coloured(rows)
    html = styled.to_html()
    column = i18n.t("verdict", "zh")
    assert list(styled.data[column]) == [verdicts.word(r.status, "zh") for r in results]
    for result in results:
        assert verdicts.colour(result.status) in html
    assert verdicts.cell_css("温岭") == "" and verdicts.cell_css(None) == ""
    assert verdicts.colour("met") in verdicts.cell_css(verdicts.word("met", "en"))


def test_the_cli_prints_the_same_words(capsys: pytest.CaptureFixture[str]) -> None:
    results = travel_targets.evaluate_targets(load_atlas())
    assert main(["targets"]) == 0
    out = capsys.readouterr().out
    for result in results:
        assert verdicts.cli_word(result.status) in out
        word = verdicts.VERDICTS[result.status]
        assert word.zh in verdicts.cli_word(result.status)
        assert word.en in verdicts.cli_word(result.status)
    assert main(["indicators"]) == 0
    out = capsys.readouterr().out
    shown = re.findall(r"\[([^\]]+)\]", out)
    expected = {verdicts.cli_word(status(i)) for i in load_register()}
    assert set(shown) & expected == expected


@pytest.mark.parametrize("lang", i18n.LANGUAGES)
def test_travel_notes_are_shown_in_one_language_with_names_not_ids(lang: str) -> None:
    from corridor_map.atlas.model import load_atlas

    atlas = load_atlas()
    labels = {f.id: (f.name_zh if lang == "zh" else f.name_en) for f in atlas}
    notes = set()
    for kmh in (20, 40):
        for planned in (True, False):
            scenario = travel_view.scenario(kmh, planned, rail=not planned)
            for result in travel_targets.evaluate_targets(
                load_atlas(), scenario.assumptions, scenario.planned_links
            ):
                notes.update(result.notes)
    assert notes, "the shipped targets give no notes: nothing to check"
    cjk = re.compile(r"[\u4e00-\u9fff]")
    for note in notes:
        shown = travel_view.note_text(note, lang, labels)
        assert shown and " / " not in shown, shown
        assert not any(re.search(rf"\b{re.escape(i)}\b", shown) for i in labels if "-" in i)
        if lang == "zh":
            assert not re.search(r"\b(the|of|not|points)\b", shown), shown
        else:
            # The English side only (names of stations or trains may stay Chinese).
            assert shown[0].isascii() and not cjk.search(shown[:8]), shown


def test_the_chosen_target_shows_one_badge_per_scenario() -> None:
    from corridor_map.travel.compare import default_scenarios

    a, b = default_scenarios()
    first = travel_targets.evaluate_targets(load_atlas(), a.assumptions, a.planned_links)[0]
    second = travel_targets.evaluate_targets(load_atlas(), b.assumptions, b.planned_links)[0]
    alone = travel_view.verdict_line(first, "zh")
    assert alone.count('class="cm-verdict ') == 1 and i18n.t("verdict", "zh") in alone
    both = travel_view.verdict_line(first, "en", second)
    assert both.count('class="cm-verdict ') == 2
    assert i18n.t("verdict_a", "en") in both and i18n.t("verdict_b", "en") in both
    assert verdicts.word(first.status, "en") in both and verdicts.word(second.status, "en") in both
