"""The one snippet builder: a window of a text around a match, and where it was cut.

Search hits (:func:`corridor_map.documents.corpus.search`), the panel's search results
(:func:`corridor_map.views.search.search_text`) and the panel's excerpts in their paragraph
(:func:`corridor_map.views.panel.excerpt_views`, :func:`corridor_map.views.panel.merge_excerpts`)
all cut their windows here. The window is a slice of the text: it never alters a
character; the ellipsis, if any, is added outside it.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Snippet", "snippet"]

ELLIPSIS = "…"


@dataclass(frozen=True)
class Snippet:
    """A window ``text[start:end]`` of a text, with the marks of where it was cut.

    ``prefix`` / ``suffix`` are the ellipsis when the text goes on before / after the
    window (within its bounds), else empty.
    """

    window: str
    start: int
    end: int
    clipped_before: bool
    clipped_after: bool
    prefix: str = ""
    suffix: str = ""

    @property
    def text(self) -> str:
        """Return the window with its ellipses."""
        return f"{self.prefix}{self.window}{self.suffix}"

    def spans(self, spans: tuple[tuple[int, int], ...]) -> tuple[tuple[int, int], ...]:
        """Return the spans (offsets in the whole text) that reach into the window, clipped
        to it and shifted to offsets in :attr:`text` (the prefix counted)."""
        shift = len(self.prefix) - self.start
        return tuple(
            (max(s, self.start) + shift, min(e, self.end) + shift)
            for s, e in spans
            if e > self.start and s < self.end
        )


def snippet(
    text: str,
    start: int,
    end: int,
    *,
    before: int,
    after: int,
    reach: int = 0,
    bounds: tuple[int, int] | None = None,
    ellipsis: str = ELLIPSIS,
) -> Snippet:
    """Cut the window of ``text`` around the match ``text[start:end]``.

    Parameters
    ----------
    text
        The whole text (offsets are into it).
    start, end
        The match (``start == end`` for none: ``0, 0`` cuts from the beginning).
    before, after
        Characters kept before the match's start and after its end.
    reach
        The window runs at least this many characters from the match's start (a short
        match still shows a line of text after it).
    bounds
        ``(low, high)`` offsets the window stays within (a paragraph of a document);
        default the whole text. Being clipped means the text goes on inside these bounds.
    ellipsis
        Written before / after the window where it is clipped (``""`` for none).

    Returns
    -------
    Snippet
        The window ``text[max(low, start - before) : min(high, max(end + after,
        start + reach))]`` and its clip marks.
    """
    low, high = (0, len(text)) if bounds is None else bounds
    lo = max(low, start - before)
    hi = min(high, max(end + after, start + reach))
    clipped_before, clipped_after = lo > low, hi < high
    return Snippet(
        window=text[lo:hi],
        start=lo,
        end=hi,
        clipped_before=clipped_before,
        clipped_after=clipped_after,
        prefix=ellipsis if clipped_before else "",
        suffix=ellipsis if clipped_after else "",
    )
