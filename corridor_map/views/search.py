"""Search for the sidebar: features by name, paragraphs by the corpus (its spans marked)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from corridor_map.core.markup import inert
from corridor_map.documents.normalize import to_simplified
from corridor_map.views.panel import (
    Link,
    feature_link,
)


@dataclass(frozen=True)
class FeatureHit:
    """A feature whose name or id matches a search."""

    link: Link
    score: int


@dataclass(frozen=True)
class TextHit:
    """A document paragraph that matches a search."""

    doc_id: str
    paragraph_id: str
    title: str
    snippet_html: str


def search_features(atlas: Any, query: str, limit: int = 20) -> list[FeatureHit]:
    """Return curated features whose Chinese/English name or id contains the query.

    Traditional input works (both sides are compared in simplified characters); exact
    names rank first, then names that start with the query.
    """
    needle = to_simplified(query.strip()).lower()
    if not needle:
        return []
    hits = []
    for feature in atlas:
        if feature.corridor == "reference":
            continue
        names = [to_simplified(feature.name_zh).lower(), feature.name_en.lower(), feature.id]
        if not any(needle in name for name in names):
            continue
        score = 0 if needle in names else (1 if any(n.startswith(needle) for n in names) else 2)
        hits.append(FeatureHit(feature_link(feature), score))
    hits.sort(key=lambda h: (h.score, len(h.link.name_zh)))
    return hits[:limit]


def search_text(query: str, limit: int = 20, corpus: Any | None = None) -> list[TextHit]:
    """Return document paragraphs matching the query (corpus search), snippets escaped.

    Each snippet is the corpus's own window around the first match, with every span the
    corpus matched (each term of a query of several) marked.
    """
    from corridor_map.documents import corpus as corpus_module

    query = query.strip()
    if not query:
        return []
    corpus = corpus_module.load_corpus() if corpus is None else corpus
    return [
        TextHit(
            doc_id=hit.doc_id,
            paragraph_id=hit.paragraph_id,
            title=corpus.document(hit.doc_id).title,
            snippet_html=marked_html(hit.snippet, hit.snippet_spans),
        )
        for hit in corpus.search(query, limit=limit)
    ]


def marked_html(text: str, spans: Sequence[tuple[int, int]]) -> str:
    """Return ``text`` escaped, each ``(start, end)`` span of it inside ``<mark>``."""
    out = []
    at = 0
    for start, end in sorted(spans):
        if start < at:
            continue
        out.append(inert(text[at:start]))
        out.append(f"<mark>{inert(text[start:end])}</mark>")
        at = end
    out.append(inert(text[at:]))
    return "".join(out)
