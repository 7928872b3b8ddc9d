"""What the linker hands out: its input (a corpus document or a text) and its findings.

:class:`Proposal` carries exactly what accepting a link needs (document id, feature id, a
quote found once in the document, or the paragraph when none is) and the command that does
it; :class:`Ignored`/:class:`Ambiguous` say why a matched name is not proposed;
:class:`NewPlace` is a candidate name the atlas lacks. :mod:`corridor_map.analysis.linker`
finds them.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass, field
from typing import Any

from corridor_map.documents.corpus import Document, Paragraph
from corridor_map.documents.normalize import to_simplified

__all__ = [
    "Ambiguous",
    "Ignored",
    "LinkInput",
    "LinkResult",
    "NewPlace",
    "Proposal",
    "text_input",
]

#: How each reason reads (zh and en): the command's --reason and the CLI output.
REASON_TEXT = {
    "exact": "全称 exact name",
    "alias": "别名 alias",
    "prefix_dropped": "省略前缀 prefix dropped",
    "short_in_document": "文内简称 short form of a name the document uses",
    "variant": "变体 variant (same beginning, other kind of place)",
    "landmark_in_name": "名称中的地标 landmark named in a longer name (环…)",
}


@dataclass(frozen=True)
class LinkInput:
    """A document to link: id, title, corridors and paragraphs of normalized text."""

    id: str
    title: str
    corridors: tuple[str, ...]
    paragraphs: tuple[Paragraph, ...]
    text: str
    #: whether the id is a corpus document (an accepted link can then be written at once).
    in_corpus: bool = True

    @classmethod
    def of(cls, doc: Document) -> LinkInput:
        """The corpus document as linker input."""
        return cls(doc.id, doc.title, doc.corridors, doc.paragraphs, doc.text, True)


def text_input(text: str, doc_id: str = "text", title: str | None = None) -> LinkInput:
    """Make linker input of a plain text: simplified, one paragraph per non-empty line.

    Corridors are left empty; :meth:`Linker.link` infers them from the text.
    """
    lines = [line.strip() for line in to_simplified(text).splitlines()]
    lines = [line for line in lines if line]
    paragraphs = []
    offset = 0
    width = max(3, len(str(len(lines))))
    for number, line in enumerate(lines):
        paragraphs.append(
            Paragraph(f"p{number + 1:0{width}d}", line, (), offset, offset + len(line))
        )
        offset += len(line) + 1
    return LinkInput(doc_id, title or doc_id, (), tuple(paragraphs), "\n".join(lines), False)


@dataclass(frozen=True)
class Proposal:
    """One proposed link: a feature mentioned in a paragraph.

    ``start``/``end`` are offsets of ``span`` in the paragraph's normalized text;
    ``quote`` is the shortest text around the span that occurs once in the document (what
    ``edit link --quote`` needs).
    """

    doc_id: str
    paragraph_id: str
    feature_id: str
    feature_name: str
    start: int
    end: int
    span: str
    quote: str
    confidence: float
    reason: str  # exact | alias | prefix_dropped
    rule: str | None
    context: str | None
    namesakes: tuple[str, ...] = ()
    #: False when no text of the paragraph occurs only once in the document (a heading
    #: repeated word for word): the quote then needs the paragraph id too.
    quote_unique: bool = True

    @property
    def why(self) -> str:
        """One line: how the mention was found and which context decided it."""
        parts = [REASON_TEXT[self.reason]]
        if self.rule:
            parts.append(self.rule)
        if self.context:
            parts.append(f"context: {self.context}")
        return "; ".join(parts)

    @property
    def command(self) -> str:
        """The living-data command that accepts this proposal."""
        paragraph = "" if self.quote_unique else f" --paragraph {self.paragraph_id}"
        return (
            f"corridor-map edit link {shlex.quote(self.feature_id)} --doc "
            f"{shlex.quote(self.doc_id)} --quote {shlex.quote(self.quote)}{paragraph} "
            f"--reason {shlex.quote('linker: ' + self.why)}"
        )

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready record."""
        return {
            "doc": self.doc_id,
            "paragraph": self.paragraph_id,
            "feature": self.feature_id,
            "feature_name": self.feature_name,
            "start": self.start,
            "end": self.end,
            "span": self.span,
            "quote": self.quote,
            "confidence": self.confidence,
            "reason": self.reason,
            "rule": self.rule,
            "context": self.context,
            "namesakes": list(self.namesakes),
            "quote_unique": self.quote_unique,
            "why": self.why,
            "command": self.command,
        }


@dataclass(frozen=True)
class Ignored:
    """A matched name that is not proposed, and why (outside the region, no context)."""

    paragraph_id: str
    start: int
    end: int
    span: str
    features: tuple[str, ...]
    why: str

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready record."""
        return {
            "paragraph": self.paragraph_id,
            "start": self.start,
            "end": self.end,
            "span": self.span,
            "features": list(self.features),
            "why": self.why,
        }


@dataclass(frozen=True)
class Ambiguous(Ignored):
    """Namesakes the context does not separate (listed for the curator, not proposed)."""


@dataclass(frozen=True)
class NewPlace:
    """A name of a place the atlas does not hold (a candidate; nothing is created)."""

    paragraph_id: str
    start: int
    end: int
    text: str
    kind: str

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready record."""
        return {
            "paragraph": self.paragraph_id,
            "start": self.start,
            "end": self.end,
            "text": self.text,
            "kind": self.kind,
        }


@dataclass
class LinkResult:
    """Everything the linker found in one document."""

    doc_id: str
    title: str
    corridors: tuple[str, ...]
    in_corpus: bool
    proposals: list[Proposal] = field(default_factory=list)
    ignored: list[Ignored] = field(default_factory=list)
    new_places: list[NewPlace] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready record."""
        return {
            "doc": self.doc_id,
            "title": self.title,
            "corridors": list(self.corridors),
            "in_corpus": self.in_corpus,
            "proposals": [p.as_dict() for p in self.proposals],
            "ignored": [i.as_dict() for i in self.ignored],
            "new_places": [n.as_dict() for n in self.new_places],
        }
