"""Heading paths of a document's paragraphs and the section markers citations use.

A paragraph that starts with ``一、`` (level 1), ``（一）``/``(一)`` (level 2) or ``1.``/``1、``
(level 3) is a heading; the paragraphs after it inherit it until a heading of the same or
a higher level. An inline enumeration ``一是…`` (level 4) heads only its own paragraph.
The closing lines after the body (courtesy, contact, attachment note, office, date,
distribution) belong to no section.
"""

from __future__ import annotations

import re

__all__ = ["heading_paths", "marker"]

_HEADING_LEVELS = (
    (1, re.compile(r"^([一二三四五六七八九十]+)、")),
    (2, re.compile(r"^[（(]([一二三四五六七八九十]+)[）)]\s*")),
    (3, re.compile(r"^(\d{1,2})[.．、](?!\d)\s*")),
    (4, re.compile(r"^([一二三四五六七八九十]+)是")),
)


def _heading_level(text: str) -> int | None:
    for level, pattern in _HEADING_LEVELS:
        if pattern.match(text):
            return level
    return None


def _heading_text(text: str) -> str:
    head = text.split("。", 1)[0]
    return head.rstrip("，,；;：: ")


_NUMERAL = r"[\d〇○零一二三四五六七八九十]"
#: A closing line after the body (see the module docstring), matched on the whole paragraph.
_CLOSING_LINE = re.compile(
    r"(?:抄送|联系人|联系科室|联系电话|联系方式|邮\s*编|附件)\s*[:：].*"
    r"|(?:最后[，,])?感谢.{0,60}[!！。]"
    rf"|{_NUMERAL}{{4}}年{_NUMERAL}{{1,2}}月{_NUMERAL}{{1,3}}日"
    # An issuing office on a line of its own: a short name with no punctuation.
    r"|[\u4e00-\u9fff]{2,24}(?:局|办公室|委员会|人民政府)"
)


def heading_paths(
    texts: list[str], unmarked: dict[str, int] | None = None
) -> list[tuple[str, ...]]:
    stack: dict[int, str] = {}
    paths = []
    for text in texts:
        level = (unmarked or {}).get(text) or _heading_level(text)
        own: tuple[str, ...] = ()
        if level == 4:
            own = (_heading_text(text),)
        elif level is not None:
            stack = {k: v for k, v in stack.items() if k < level}
            stack[level] = _heading_text(text)
        paths.append(tuple(stack[k] for k in sorted(stack)) + own)
    # The sign-off block closes the document, not its last section.
    index = len(texts)
    while index > 0 and _CLOSING_LINE.fullmatch(texts[index - 1]):
        index -= 1
    return paths[:index] + [()] * (len(texts) - index)


def marker(heading: str) -> str:
    level = _heading_level(heading)
    for candidate, pattern in _HEADING_LEVELS:
        if candidate == level and (match := pattern.match(heading)):
            number = match.group(1)
            return {1: f"{number}、", 2: f"({number})", 3: f"{number}.", 4: f"{number}是"}[level]
    return ""
