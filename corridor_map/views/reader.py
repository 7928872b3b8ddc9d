"""The reader: a whole policy document as inert HTML, the cited paragraph marked."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from corridor_map.core.markup import inert
from corridor_map.views.panel import (
    mark_terms,
)


def reader_html(
    document: Any,
    paragraph_id: str | None,
    quote: str | Sequence[str] = "",
    names: Sequence[str] = (),
) -> str:
    """Return the whole document as inert HTML for the reader dialog.

    Every paragraph gets an anchor ``cm-p-<id>`` (its stable id); the cited one is
    highlighted (once, however many sources quote it), its quote(s) and the feature's
    names marked inside it. All document text is escaped; the dialog scrolls the cited
    paragraph into view.
    """
    quotes = [quote] if isinstance(quote, str) else list(quote)
    items = []
    for paragraph in document.paragraphs:
        cited = paragraph.id == paragraph_id
        terms = [*quotes, *names] if cited else []
        body = mark_terms(paragraph.text, terms) if cited else inert(paragraph.text)
        css = "cm-p cm-cited" if cited else "cm-p"
        items.append(
            f'<p id="cm-p-{inert(paragraph.id)}" class="{css}">'
            f'<span class="cm-pid">{inert(paragraph.id)}</span>{body}</p>'
        )
    meta = " · ".join(
        inert(x) for x in (document.title, document.issuer, document.date, document.doc_number) if x
    )
    return (
        "<style>.cm-reader{font-family:'Noto Sans CJK SC','Noto Sans SC',sans-serif;"
        "line-height:1.7;color:#222;font-size:15px;max-height:65vh;overflow-y:auto;"
        "padding-right:.5rem}.cm-reader h3{font-size:1rem;margin:.2rem 0 .6rem}"
        ".cm-p{margin:.35rem 0;padding:.15rem .4rem}"
        ".cm-cited{background:#fff7d6;border-left:4px solid #e0a800}"
        ".cm-pid{color:#aaa;font-size:.7rem;margin-right:.5rem}mark{background:#fde68a}</style>"
        f'<div class="cm-reader"><h3>{meta}</h3>{"".join(items)}</div>'
    )
