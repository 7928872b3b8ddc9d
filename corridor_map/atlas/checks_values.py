"""Checks of names and numbers a schema cannot express well: names that look like other
names (invisible or direction-changing characters), names too long to show, and numbers
outside a plausible range (``precision_m = 1e308`` is finite, and absurd).
"""

from __future__ import annotations

import math
import unicodedata
from typing import Any

from corridor_map.atlas.checks_quotes import Checker

__all__ = ["MAX_NAME_CHARS", "PLAUSIBLE", "check_values", "invisible_characters"]

#: Longest name, in characters (the longest shipped is 77; a card shows about 40).
MAX_NAME_CHARS = 120
#: Name fields checked.
NAME_FIELDS = ("name_zh", "name_en")
#: Characters that draw nothing yet are not format characters (Unicode category Cf):
#: Hangul fillers, the braille blank.
_INVISIBLE_LETTERS = frozenset("\u115f\u1160\u3164\uffa0\u2800")
#: field → (lowest, highest) plausible; the schema already refuses zero, negative and
#: non-finite values, so the highest is what is checked here.
#: precision_m: from a surveyed 1 m to a whole prefecture (the shipped data: 10–20,000).
#: measured areas and lengths: Zhejiang is 105,500 km² and about 500 km across.
PLAUSIBLE: dict[str, tuple[float, float]] = {
    "precision_m": (0.0, 100_000.0),
    "measured.area_km2": (0.0, 110_000.0),
    "measured.length_km": (0.0, 2_000.0),
    "measured.perimeter_km": (0.0, 5_000.0),
}


def invisible_characters(text: str) -> list[tuple[int, str]]:
    """Positions and names of characters that change how text looks without being seen:
    zero-width spaces and joiners, direction marks, embeddings, overrides and isolates
    (category Cf), control characters (Cc) and blank letters."""
    found = []
    for index, char in enumerate(text):
        if unicodedata.category(char) in {"Cf", "Cc"} or char in _INVISIBLE_LETTERS:
            found.append((index, f"U+{ord(char):04X} {unicodedata.name(char, 'control')}"))
    return found


def check_values(checker: Checker, file: str, fid: str, props: dict[str, Any]) -> None:
    """Names: no invisible or direction-changing characters, not blank, not too long;
    numbers within :data:`PLAUSIBLE`."""
    for field in NAME_FIELDS:
        name = props.get(field)
        if not isinstance(name, str):
            continue  # the schema reports a missing or non-text name
        hidden = invisible_characters(name)
        if hidden:
            index, what = hidden[0]
            checker.add(
                file,
                fid,
                field,
                f"holds {len(hidden)} invisible or direction-changing character(s) (e.g. "
                f"{what} at {index}); such a name can look exactly like another",
            )
        hidden_at = {index for index, _ in hidden}
        shown = "".join(c for index, c in enumerate(name) if index not in hidden_at)
        if hidden and not shown.strip():  # a blank name is the schema's to report
            checker.add(
                file, fid, field, "is empty once invisible characters and spaces are removed"
            )
        if len(name) > MAX_NAME_CHARS:
            checker.add(
                file, fid, field, f"is {len(name):,} characters long; the limit is {MAX_NAME_CHARS}"
            )
    for path, (low, high) in PLAUSIBLE.items():
        value: Any = props
        for part in path.split("."):
            value = value.get(part) if isinstance(value, dict) else None
        if isinstance(value, bool) or not isinstance(value, int | float):
            continue  # absent, null or not a number: the schema's to say
        # Not finite, zero or negative: the schema's finding already (one line per fault).
        if math.isfinite(value) and value > high:
            checker.add(
                file,
                fid,
                path,
                f"{value!r} is outside the plausible range ({low:g}, {high:g}]",
            )
