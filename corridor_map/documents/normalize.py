"""Normalization steps that turn a raw seed file into display and search text.

Each step is a small pure function ``(text) -> (text, count)`` named in the catalog's
``normalize`` list for the documents it applies to, so which repairs touch which document
is data a reader can review, not a hidden branch in code. A step that finds nothing to do
raises: the seeds are fixed byte-for-byte copies, so a step matching nothing means the
input is not the file the step was written for.

Repairs of corrupted spans are not steps: they come from the reviewed table
``seeds/corrections.json`` and are applied first, on the raw text (see
:func:`apply_corrections`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from corridor_map.core.errors import CorridorMapError


class NormalizationError(CorridorMapError):
    """A seed file does not look like what its catalog entry says it is."""


@dataclass(frozen=True)
class AppliedCorrection:
    """One repair from ``seeds/corrections.json`` as applied to a document.

    Attributes
    ----------
    raw
        The corrupted text exactly as it appears in the raw seed file.
    replacement
        What replaces it (in the raw file's script, before any conversion).
    reason
        Why the replacement is right, as written in the reviewed table.
    raw_offset
        Character offset of ``raw`` in the raw file (before any other normalization).
    """

    raw: str
    replacement: str
    reason: str
    raw_offset: int


# Tone-marked pinyin in parentheses right after a Han character: ``創(chuàng)``. At least
# one tone-marked vowel is required so ``(一)``, ``(臺州)`` or ``(以下簡稱…)`` survive.
_TONE_VOWELS = "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜ"
PINYIN_ANNOTATION = re.compile(
    rf"(?<=[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff])"
    rf"\([a-zü]*[{_TONE_VOWELS}][a-zü{_TONE_VOWELS}]*\)"
)
_BOOKMARK = re.compile(r"\[bookmark: [^\]\n]*\]")
_HEADER_LINE = re.compile(r"^- (.*)$")
# Lines of the reposting site (www.0798ci.com) around the Wenzhou notice; each must match
# exactly one line.
_SITE_BOILERPLATE = (
    re.compile(r"^浏览量:.*时间:\s*\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\s*$"),
    re.compile(r"^郑州外资企业服务中心微信公众号\s*$"),
    re.compile(r"^扫描二维码 关注我们\s*$"),
    re.compile(r"^本文链接:.*$"),
    re.compile(r"^本文关键词:.*$"),
)
_DECORATION = re.compile(r"^[\s▼▲◆●■★]+$")
_SPLIT_TITLE = re.compile(
    r"^[ \t\u3000]*(关于[^\n。，；]*的)[ \t\u3000]*\n"
    r"[ \t\u3000]*([\u4e00-\u9fff](?:[ \u3000]*[\u4e00-\u9fff]){0,5})[ \t\u3000]*$",
    re.MULTILINE,
)

# Sentence-final punctuation: a line ending in one of these is complete.
_FINAL = set("。！？；：!?;:")
HEADING_MARKER = re.compile(
    r"^(?:[一二三四五六七八九十]+、|[（(][一二三四五六七八九十]+[）)]|\d{1,2}[.．、](?!\d)|专栏\s*\d|表\s*\d)"
)
# ``新型研发机构：…`` starts a new item of a column (专栏) list.
_LABEL_ITEM = re.compile(r"^[\u4e00-\u9fffA-Za-z0-9 ]{2,12}[：:]")


def apply_corrections(
    text: str, corrections: Iterable[tuple[str, str, str]], *, where: str
) -> tuple[str, tuple[AppliedCorrection, ...]]:
    """Replace corrupted spans listed in the reviewed table.

    Parameters
    ----------
    text
        Raw seed text.
    corrections
        ``(raw, replacement, reason)`` triples for this document, in table order.
    where
        Name of the document for error messages.

    Returns
    -------
    tuple
        The repaired text and the corrections as applied, with their raw offsets.

    Raises
    ------
    NormalizationError
        If a corrupted span is not found exactly once (a correction that matches nothing,
        or matches more than one place, must be reviewed, not applied blindly).
    """
    applied = []
    for raw, replacement, reason in corrections:
        count = text.count(raw)
        if count != 1:
            found = "not found" if count == 0 else f"found {count} times"
            raise NormalizationError(
                f"{where}: correction raw text {raw!r} {found} in the seed file "
                "(seeds/corrections.json); each corrupted span must occur exactly once"
            )
        offset = text.index(raw)
        applied.append(AppliedCorrection(raw, replacement, reason, offset))
    # Offsets refer to the unrepaired raw file, so replace only after locating them all.
    for item in applied:
        text = text.replace(item.raw, item.replacement, 1)
    return text, tuple(applied)


def parse_metadata_header(text: str) -> tuple[str, dict[str, str | None]]:
    """Split a leading ``- 索引号:`` style key/value header from the body.

    The header alternates ``- key:`` lines and ``- value`` lines; a key directly followed
    by another key (``- 文号:`` then ``- 成文日期:``) has no value (None).
    """
    lines = text.split("\n")
    items = []
    index = 0
    while index < len(lines) and (match := _HEADER_LINE.match(lines[index].strip())):
        items.append(match.group(1).strip())
        index += 1
    metadata: dict[str, str | None] = {}
    key: str | None = None
    for item in items:
        if item.endswith((":", "：")):
            key = item[:-1].strip()
            metadata[key] = None
        elif key is not None and metadata[key] is None:
            metadata[key] = item
        else:
            raise NormalizationError(f"metadata header: value {item!r} has no key")
    return "\n".join(lines[index:]), metadata


def _strip_metadata_header(text: str) -> tuple[str, int]:
    body, metadata = parse_metadata_header(text)
    return body, len(metadata)


def _drop_site_boilerplate(text: str) -> tuple[str, int]:
    lines = text.split("\n")
    keep = []
    hits = [0] * len(_SITE_BOILERPLATE)
    for line in lines:
        matched = [i for i, pattern in enumerate(_SITE_BOILERPLATE) if pattern.match(line)]
        for i in matched:
            hits[i] += 1
        if not matched:
            keep.append(line)
    missing = [p.pattern for p, n in zip(_SITE_BOILERPLATE, hits, strict=True) if n != 1]
    if missing:
        raise NormalizationError(f"site boilerplate lines not found exactly once: {missing}")
    return "\n".join(keep), sum(hits)


def _remove_bookmarks(text: str) -> tuple[str, int]:
    return _BOOKMARK.subn("", text)


def _remove_emphasis(text: str) -> tuple[str, int]:
    count = text.count("**")
    return text.replace("**", ""), count


def _strip_pinyin(text: str) -> tuple[str, int]:
    return PINYIN_ANNOTATION.subn("", text)


def _drop_decorations(text: str) -> tuple[str, int]:
    lines = text.split("\n")
    keep = [line for line in lines if not (line.strip() and _DECORATION.match(line))]
    return "\n".join(keep), len(lines) - len(keep)


@lru_cache(maxsize=1)
def _converter(config: str) -> Any:  # opencc ships no type information
    import opencc

    return opencc.OpenCC(config)


def to_simplified(text: str, config: str = "t2s") -> str:
    """Convert Chinese text to simplified characters with OpenCC."""
    return str(_converter(config).convert(text))


def _traditional_to_simplified(text: str) -> tuple[str, int]:
    # tw2s, not t2s: the source uses Taiwan forms (沿著, 標誌著) that t2s leaves as 著,
    # while tw2sp would also rewrite vocabulary (核心 → 内核), which is not a script change.
    converted = to_simplified(text, "tw2s")
    changed = sum(a != b for a, b in zip(text, converted, strict=False))
    return converted, changed


def _join_split_title(text: str) -> tuple[str, int]:
    """Join a document title split over two lines (``…157号提案的`` / ``答 复 函``).

    The first line is a ``关于…的`` title (a title never ends in 的); the second is a short
    run of Han characters, letter-spaced for display, whose spacing is closed up. Only the
    first such pair is joined: the title comes first.
    """
    return _SPLIT_TITLE.subn(lambda m: m.group(1) + re.sub(r"\s", "", m.group(2)), text, 1)


def _is_block_line(line: str) -> bool:
    """Whether a line stands on its own (heading, title, date, signature, table row)."""
    if "\t" in line:
        return True
    if HEADING_MARKER.match(line) and "。" not in line:
        return True
    # Titles, dates and signatures are short and contain no full stop.
    return len(line) < 30 and "。" not in line


def _starts_block(line: str) -> bool:
    return "\t" in line or bool(HEADING_MARKER.match(line) or _LABEL_ITEM.match(line))


def _rejoin_broken_lines(text: str) -> tuple[str, int]:
    """Rejoin lines that a page break split mid-word or mid-sentence.

    A line is continued by the next non-blank line when it does not end with
    sentence-final punctuation, is not a heading/title/table row, and the next line does
    not itself start a heading, table row or ``label：`` list item. A fragment of at most
    four characters with no punctuation (``合体`` after a split heading) cannot stand
    alone and is always joined to the line before.
    """
    lines = [line for line in text.split("\n") if line.strip()]
    out: list[str] = []
    joins = 0
    for line in lines:
        if out:
            previous = out[-1]
            fragment = len(line) <= 4 and not _FINAL.intersection(line) and "\t" not in line
            continues = (
                previous[-1] not in _FINAL
                and not _is_block_line(previous)
                and not _starts_block(line)
            )
            if fragment or continues:
                out[-1] = previous + line
                joins += 1
                continue
        out.append(line)
    return "\n".join(out), joins


STEPS: dict[str, Callable[[str], tuple[str, int]]] = {
    "metadata_header": _strip_metadata_header,
    "site_boilerplate": _drop_site_boilerplate,
    "bookmarks": _remove_bookmarks,
    "split_title": _join_split_title,
    "emphasis": _remove_emphasis,
    "pinyin": _strip_pinyin,
    "decorations": _drop_decorations,
    "to_simplified": _traditional_to_simplified,
    "rejoin_lines": _rejoin_broken_lines,
}
"""Named steps, applied in the order a catalog entry lists them."""


def clean_lines(text: str) -> list[str]:
    """Strip each line (ASCII, full-width and ideographic spaces) and drop blank lines."""
    return [
        stripped for line in text.split("\n") if (stripped := line.strip(" \t\u3000\ufeff\xa0"))
    ]


def normalize(
    raw: str,
    steps: Iterable[str],
    corrections: Iterable[tuple[str, str, str]],
    *,
    where: str,
) -> tuple[list[str], tuple[AppliedCorrection, ...], tuple[tuple[str, int], ...]]:
    """Run the repairs and the listed steps; return paragraphs (one per line).

    Returns
    -------
    tuple
        The paragraph texts, the corrections applied, and ``(step, count)`` pairs saying
        how much each step changed.
    """
    text = raw.replace("\r\n", "\n").replace("\r", "\n")
    text, applied = apply_corrections(text, corrections, where=where)
    done = []
    for name in steps:
        step = STEPS.get(name)
        if step is None:
            raise NormalizationError(
                f"{where}: unknown normalization step {name!r} in seeds/catalog.json "
                f"(known: {', '.join(STEPS)})"
            )
        if name == "rejoin_lines":
            # Joining needs stripped lines to see where each one really ends.
            text = "\n".join(clean_lines(text))
        text, count = step(text)
        if count == 0:
            raise NormalizationError(
                f"{where}: normalization step {name!r} found nothing to change; "
                "is this the seed file the catalog describes?"
            )
        done.append((name, count))
    return clean_lines(text), applied, tuple(done)
