"""The corpus's search index: unigram and bigram postings over every paragraph, and the
span helpers ranking and snippets use (:meth:`corridor_map.documents.corpus.Corpus.search`).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import TYPE_CHECKING

from corridor_map.documents import snippets
from corridor_map.documents.normalize import to_simplified

if TYPE_CHECKING:
    from corridor_map.documents.corpus import Document, Paragraph

__all__ = ["SearchIndex", "grams", "hit_snippet", "merge_spans", "occurrences", "search_form"]


def search_form(text: str) -> str:
    """Fold text for matching: simplified characters, ASCII case-insensitive."""
    return to_simplified(text).lower()


def grams(text: str, n: int) -> set[str]:
    return {text[i : i + n] for i in range(len(text) - n + 1)}


@dataclass(frozen=True)
class _Entry:
    doc_id: str
    order: int
    paragraph: Paragraph
    folded: str


class SearchIndex:
    """Unigram and bigram postings over every paragraph, built once at load."""

    def __init__(self, documents: dict[str, Document]) -> None:
        self.entries: list[_Entry] = []
        self.unigrams: dict[str, set[int]] = defaultdict(set)
        self.bigrams: dict[str, set[int]] = defaultdict(set)
        for doc in documents.values():
            for order, paragraph in enumerate(doc.paragraphs):
                number = len(self.entries)
                # Paragraph text is already simplified; only fold ASCII case.
                folded = paragraph.text.lower()
                self.entries.append(_Entry(doc.id, order, paragraph, folded))
                for gram in grams(folded, 1):
                    self.unigrams[gram].add(number)
                for gram in grams(folded, 2):
                    self.bigrams[gram].add(number)

    def candidates(self, terms: list[str]) -> set[int]:
        found: set[int] = set()
        for term in terms:
            wanted = grams(term, 2) if len(term) > 1 else {term}
            postings = self.bigrams if len(term) > 1 else self.unigrams
            for gram in wanted:
                found |= postings.get(gram, set())
        return found


def occurrences(haystack: str, needle: str) -> list[tuple[int, int]]:
    spans = []
    start = haystack.find(needle)
    while start != -1:
        spans.append((start, start + len(needle)))
        start = haystack.find(needle, start + 1)
    return spans


def merge_spans(spans: list[tuple[int, int]]) -> tuple[tuple[int, int], ...]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return tuple(merged)


def hit_snippet(
    text: str, spans: tuple[tuple[int, int], ...], width: int = 36
) -> tuple[str, tuple[tuple[int, int], ...]]:
    # ``width`` before the first span, at least ``2 × width`` from its start
    first = spans[0] if spans else (0, 0)
    cut = snippets.snippet(text, *first, before=width, after=0, reach=width * 2)
    return cut.text, cut.spans(spans)
