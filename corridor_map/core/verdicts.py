"""One vocabulary of verdicts: every status code a target can have, its words and colour.

Travel targets (:func:`corridor_map.travel.targets.evaluate_targets`) end ``met``, ``not_met`` or
``not_evaluable``; indicator targets (:func:`corridor_map.atlas.indicators.status`) are
``reported``, ``no_report`` or ``not_due``. :data:`VERDICTS` is the only place these codes
are worded: the UI strings (``verdict_<code>`` and ``ind_status_<code>`` in
:mod:`corridor_map.core.i18n`), the tables, badges, PDF briefs, CSV exports and the CLI all take
their words from here, so the same result reads the same everywhere.

The colour is never the only carrier: every badge writes the word (and a mark) as text.

This module imports only :mod:`corridor_map.core.markup`; everything can depend on it.
"""

from __future__ import annotations

from dataclasses import dataclass

from corridor_map.core.markup import inert

__all__ = [
    "INDICATOR_CODES",
    "TRAVEL_CODES",
    "VERDICTS",
    "Verdict",
    "badge_html",
    "cell_css",
    "cli_word",
    "colour",
    "word",
]


@dataclass(frozen=True)
class Verdict:
    """How one status code is worded and coloured.

    Attributes
    ----------
    zh, en
        The word in each UI language.
    colour
        Text/border colour of its badge (contrast ≥ 4.5:1 on white and on its tint).
    tint
        Background of its badge and table cell.
    mark
        A one-character sign written before the word in a badge (not colour alone).
    """

    zh: str
    en: str
    colour: str
    tint: str
    mark: str


VERDICTS: dict[str, Verdict] = {
    # travel targets
    "met": Verdict("达标", "met", "#1b6e35", "#e3f3e8", "✓"),
    "not_met": Verdict("未达标", "not met", "#a2281c", "#fbe5e2", "✗"),
    "not_evaluable": Verdict("无法评估", "not evaluable", "#4d5560", "#eceef1", "?"),
    # indicator targets: nothing is computed from the figures, a later report only exists
    "reported": Verdict("已有报告", "reported", "#1d5b8f", "#e2eef8", "●"),
    "no_report": Verdict("无报告", "no report", "#7a5200", "#fbf0d9", "–"),
    "not_due": Verdict("目标年未到", "target year not reached", "#4d5560", "#eceef1", "…"),
}
TRAVEL_CODES = ("met", "not_met", "not_evaluable")
INDICATOR_CODES = ("reported", "no_report", "not_due")


def word(code: str, lang: str) -> str:
    """Return the verdict word of ``code`` in ``lang`` (Chinese unless ``"en"``).

    Raises
    ------
    KeyError
        When ``code`` is not a known verdict.
    """
    entry = VERDICTS[code]
    return entry.en if lang == "en" else entry.zh


def cli_word(code: str) -> str:
    """Return the CLI's wording: the Chinese word, then the English one (``达标 met``)."""
    entry = VERDICTS[code]
    return f"{entry.zh} {entry.en}"


def colour(code: str) -> str:
    """Return the verdict's colour (``#rrggbb``)."""
    return VERDICTS[code].colour


def badge_html(code: str, lang: str) -> str:
    """Return an inert HTML badge: mark and word on the verdict's tint, coloured border.

    The word is the text (and the ``title``), so the badge reads the same without colour.
    """
    entry = VERDICTS[code]
    text = inert(word(code, lang))
    return (
        f'<span class="cm-verdict cm-verdict-{inert(code)}" title="{text}" '
        f'style="color:{entry.colour};background:{entry.tint};border:1px solid {entry.colour};'
        'border-radius:999px;padding:0 .5em;font-size:.85em;white-space:nowrap">'
        f'<span aria-hidden="true">{inert(entry.mark)} </span>{text}</span>'
    )


def _by_word() -> dict[str, Verdict]:
    found: dict[str, Verdict] = {}
    for entry in VERDICTS.values():
        found.setdefault(entry.zh, entry)
        found.setdefault(entry.en, entry)
    return found


_BY_WORD = _by_word()


def cell_css(value: object) -> str:
    """Return the CSS of a table cell holding a verdict word ("" for any other value).

    For ``pandas.io.formats.style.Styler.map``: the cell keeps its word and gets the
    verdict's colour and tint.
    """
    entry = _BY_WORD.get(value) if isinstance(value, str) else None
    if entry is None:
        return ""
    return f"color:{entry.colour};background-color:{entry.tint};font-weight:600"
