"""The source documents: catalog, normalized text, paragraphs, excerpts and search.

The raw seed files in ``seeds/`` stay untouched; :func:`load_corpus` checks them against
``seeds/catalog.json`` (sha256), repairs the corrupted spans listed in the reviewed table
``seeds/corrections.json``, runs the normalization steps the catalog names for each
document (see :mod:`corridor_map.documents.normalize`) and splits the result into paragraphs.

Paragraph ids
-------------
The normalized text of a document is its paragraphs joined by ``"\\n"``; each paragraph is
one line. Paragraphs are numbered in reading order, ``p001``, ``p002``, … (three digits,
more only past 999). The numbering depends only on the seed file, the correction table and
the normalization steps, so it is identical across loads and machines; it changes only if
one of those does.

Heading paths
-------------
A paragraph that starts with ``一、`` (level 1), ``（一）``/``(一)`` (level 2) or ``1.``/``1、``
(level 3) is a heading; the paragraphs after it inherit it until a heading of the same or
a higher level. An inline enumeration ``一是…`` (level 4) heads only its own paragraph.
A heading's text is the paragraph up to its first full stop. :func:`citation_label`
turns a path into a short reference such as ``《…》四、(一) 1.``.

The closing lines after the body belong to no section: the trailing run of paragraphs that
are a closing courtesy (``感谢…``), a contact (``联系人``, ``联系电话``, ``联系科室``, ``邮编``),
an attachment note (``附件：``), the issuing office, the date or a distribution line
(``抄送：``) has an empty heading path, like the preamble before the first heading, so a
quote from them is cited by the document's title alone.
"""

from __future__ import annotations

import datetime
import hashlib
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from corridor_map.core import schemas
from corridor_map.core.errors import CorridorMapError
from corridor_map.core.paths import folder_snapshot, seeds_dir
from corridor_map.core.vocab import CORRIDORS
from corridor_map.documents.headings import heading_paths, marker
from corridor_map.documents.normalize import (
    AppliedCorrection,
    NormalizationError,
    normalize,
    parse_metadata_header,
    to_simplified,
)
from corridor_map.documents.search_index import (
    SearchIndex,
    grams,
    hit_snippet,
    merge_spans,
    occurrences,
    search_form,
)
from corridor_map.geo.geojson import read_data_bytes, read_json

__all__ = [
    "MAX_QUERY_CHARS",
    "Corpus",
    "CorpusError",
    "Document",
    "Excerpt",
    "ExcerptError",
    "Paragraph",
    "SearchHit",
    "SearchQueryError",
    "citation_label",
    "clear_cache",
    "load_corpus",
    "resolve",
    "search",
]

KINDS = ("plan", "action plan", "reply letter", "press conference")
SCRIPTS = ("zh-Hans", "zh-Hant")


class CorpusError(CorridorMapError):
    """The catalog, a seed file or the correction table is wrong, or an id is unknown.

    Attributes
    ----------
    file
        The file at fault (a seed, ``catalog.json`` or ``corrections.json``), when known.
    doc_id
        The document concerned, when known.
    """

    def __init__(
        self, message: str, *, file: Path | str | None = None, doc_id: str | None = None
    ) -> None:
        super().__init__(message)
        self.file = None if file is None else str(file)
        self.doc_id = doc_id


class SearchQueryError(CorridorMapError):
    """A search query the corpus refuses (too long); the message is bilingual."""


#: Longest search query, in characters: a long sentence. Matching costs grow with the
#: query (a 1 MB query held a CPU for 25 s), and no paragraph is longer than a page.
MAX_QUERY_CHARS = 200


class ExcerptError(CorridorMapError):
    """A quote does not appear exactly once, verbatim, in a document's normalized text."""


@dataclass(frozen=True)
class Paragraph:
    """One paragraph of a document's normalized text.

    Attributes
    ----------
    id
        Stable id, ``p001``… in reading order.
    text
        The paragraph's normalized text (``Document.text[start:end]``).
    heading_path
        Headings it sits under, outermost first (its own heading included).
    start, end
        Character offsets into ``Document.text``.
    """

    id: str
    text: str
    heading_path: tuple[str, ...]
    start: int
    end: int


@dataclass(frozen=True)
class Document:
    """A source document with its catalog metadata and normalized text."""

    id: str
    title: str
    title_en: str | None
    # the catalog's editorial label in both languages (a label: not part of the identity)
    short_title: Mapping[str, str] | None = field(hash=False, compare=False)
    issuer: str | None
    date: str | None
    date_text: str | None
    doc_number: str | None
    kind: str
    corridors: tuple[str, ...]
    script: str
    seed_file: str
    sha256: str
    notes: str | None
    text: str
    paragraphs: tuple[Paragraph, ...]
    corrections: tuple[AppliedCorrection, ...]
    steps: tuple[tuple[str, int], ...]
    # The publication header's key/value pairs (000 only); excluded from hashing so a
    # Document stays hashable (e.g. as a cache key).
    header: dict[str, str | None] = field(default_factory=dict, hash=False)

    def paragraph(self, paragraph_id: str) -> Paragraph:
        """Return the paragraph with this id.

        Raises
        ------
        CorpusError
            If the document has no such paragraph.
        """
        for paragraph in self.paragraphs:
            if paragraph.id == paragraph_id:
                return paragraph
        last = self.paragraphs[-1].id if self.paragraphs else "none"
        raise CorpusError(
            f"document {self.id!r} has no paragraph {paragraph_id!r} "
            f"(its paragraphs are p001…{last}) · 文件中没有该段落"
        )

    def paragraph_at(self, offset: int) -> Paragraph:
        """Return the paragraph containing a character offset of ``text``."""
        starts = [p.start for p in self.paragraphs]
        return self.paragraphs[max(bisect_right(starts, offset) - 1, 0)]


@dataclass(frozen=True)
class Excerpt:
    """Where a verbatim quote sits in a document.

    ``start``/``end`` are offsets into ``Document.text``; ``quote`` equals
    ``Document.text[start:end]``.
    """

    doc_id: str
    paragraph_id: str
    start: int
    end: int
    quote: str
    heading_path: tuple[str, ...]


@dataclass(frozen=True)
class SearchHit:
    """One paragraph matching a search.

    Attributes
    ----------
    spans
        ``(start, end)`` of matched text within the paragraph's text, sorted, merged.
    snippet, snippet_spans
        A window of the paragraph around the first match, and the spans within it.
    exact
        Whether every query term appears verbatim in the paragraph.
    score
        Ranking score (higher first); exact matches always outrank partial ones.
    """

    doc_id: str
    paragraph_id: str
    heading_path: tuple[str, ...]
    snippet: str
    snippet_spans: tuple[tuple[int, int], ...]
    spans: tuple[tuple[int, int], ...]
    exact: bool
    score: float


# --- headings ---------------------------------------------------------------------------


def citation_label(doc: Document | str, heading_path: tuple[str, ...] = ()) -> str:
    """Format a short citation such as ``《温岭市科技创新发展“十四五”规划》四、(一) 1.``.

    Parameters
    ----------
    doc
        The document or its id.
    heading_path
        A paragraph's heading path; unnumbered headings are left out.
    """
    document = load_corpus().document(doc) if isinstance(doc, str) else doc
    parts: list[str] = []
    for heading in heading_path:
        number = marker(heading)
        if not number:
            # An unnumbered heading is cited by its text; only the innermost one is kept.
            parts = [p for p in parts if marker(p)] + [heading]
            continue
        parts.append(number)
    label = ""
    for part in parts:
        # 四、(一) read as one unit; everything else is set off by a space.
        label += part if not label or label.endswith("、") else f" {part}"
    return f"《{document.title}》{label}"


# --- corpus -----------------------------------------------------------------------------


class Corpus:
    """All documents, with excerpt resolution and search.

    Use :func:`load_corpus` (cached) rather than building one directly.
    """

    def __init__(self, documents: dict[str, Document]) -> None:
        self.documents = documents
        self._index = SearchIndex(documents)

    def document(self, doc_id: str) -> Document:
        """Return a document by id.

        Raises
        ------
        CorpusError
            If the id is unknown (the message lists the known ids).
        """
        try:
            return self.documents[doc_id]
        except KeyError:
            known = ", ".join(self.documents)
            raise CorpusError(
                f"unknown document id {doc_id!r} (known: {known}) · 未知文件编号"
            ) from None

    def resolve(self, doc_id: str, quote: str, paragraph: str | None = None) -> Excerpt:
        """Locate a verbatim quote in a document's normalized text.

        Parameters
        ----------
        doc_id
            Document id.
        quote
            Text that must appear verbatim, within one paragraph.
        paragraph
            Optional paragraph id to look in; required when the quote occurs in more
            than one place.

        Returns
        -------
        Excerpt
            Paragraph id, offsets into ``Document.text`` and heading path. With
            ``paragraph`` given, the first occurrence in that paragraph.

        Raises
        ------
        ExcerptError
            If the quote is empty, absent, spans paragraphs, or is ambiguous.
        CorpusError
            If the document or paragraph id is unknown.
        """
        doc = self.document(doc_id)
        where = f"document {doc_id!r}"
        if not quote:
            raise ExcerptError(f"{where}: empty quote · 摘录为空")
        if "\n" in quote:
            raise ExcerptError(
                f"{where}: quote {quote!r} spans more than one paragraph; cite each "
                "paragraph separately · 摘录跨越段落"
            )
        if paragraph is not None:
            para = doc.paragraph(paragraph)
            offset = para.text.find(quote)
            if offset == -1:
                raise ExcerptError(
                    f"{where}, paragraph {paragraph}: quote {quote!r} not found verbatim"
                    f"{self._hint(doc, quote)} · 段落中未找到该摘录"
                )
            start = para.start + offset
            return Excerpt(doc.id, para.id, start, start + len(quote), quote, para.heading_path)
        spans = occurrences(doc.text, quote)
        if not spans:
            raise ExcerptError(
                f"{where}: quote {quote!r} not found verbatim in the normalized text"
                f"{self._hint(doc, quote)} · 文件中未找到该摘录"
            )
        if len(spans) > 1:
            ids = ", ".join(dict.fromkeys(doc.paragraph_at(s).id for s, _ in spans))
            raise ExcerptError(
                f"{where}: quote {quote!r} occurs {len(spans)} times (paragraphs {ids}); "
                "give a longer quote or the paragraph · 摘录出现多次"
            )
        start, end = spans[0]
        para = doc.paragraph_at(start)
        return Excerpt(doc.id, para.id, start, end, quote, para.heading_path)

    @staticmethod
    def _hint(doc: Document, quote: str) -> str:
        simplified = to_simplified(quote)
        if simplified != quote and simplified in doc.text:
            return f" (the simplified form {simplified!r} is present)"
        return ""

    def search(self, query: str, limit: int = 20) -> list[SearchHit]:
        """Search every paragraph by characters, not words.

        The query is converted to simplified characters (OpenCC t2s) and ASCII-lowercased,
        then split on whitespace into terms. Paragraphs containing every term verbatim
        rank first (by number of occurrences, then earliest occurrence); the rest rank by
        the share of the query's bigrams they contain and are dropped below one half.
        Ties keep catalog and reading order.

        Parameters
        ----------
        query
            Text in simplified or traditional characters, or ASCII such as ``1030``.
        limit
            Maximum number of hits.

        Raises
        ------
        SearchQueryError
            When the query is longer than :data:`MAX_QUERY_CHARS` characters.
        """
        if len(query) > MAX_QUERY_CHARS:
            raise SearchQueryError(
                f"检索词过长：{len(query):,} 个字符，上限 {MAX_QUERY_CHARS} / "
                f"search query too long: {len(query):,} characters > limit {MAX_QUERY_CHARS}"
            )
        terms = [t for t in search_form(query).split() if t]
        if not terms or limit <= 0:
            return []
        query_grams = set().union(*(grams(t, 2) if len(t) > 1 else {t} for t in terms))
        ranked = []
        for number in self._index.candidates(terms):
            entry = self._index.entries[number]
            folded = entry.folded
            exact_spans = [s for term in terms for s in occurrences(folded, term)]
            exact = all(term in folded for term in terms)
            if exact:
                first = min(s for s, _ in exact_spans)
                score = 1.0 + len(exact_spans) + 1.0 / (2 + first)
                spans = exact_spans
            else:
                present = {g for g in query_grams if g in folded}
                score = len(present) / len(query_grams)
                if score < 0.5:
                    continue
                spans = [s for g in present for s in occurrences(folded, g)]
            ranked.append((-int(exact), -score, number, entry, merge_spans(spans), exact))
        ranked.sort(key=lambda item: item[:3])
        hits = []
        for _, neg_score, _, entry, merged, exact in ranked[:limit]:
            snippet, snippet_spans = hit_snippet(entry.paragraph.text, merged)
            hits.append(
                SearchHit(
                    doc_id=entry.doc_id,
                    paragraph_id=entry.paragraph.id,
                    heading_path=entry.paragraph.heading_path,
                    snippet=snippet,
                    snippet_spans=snippet_spans,
                    spans=merged,
                    exact=exact,
                    score=round(-neg_score, 6),
                )
            )
        return hits


def _read_json(path: Path) -> Any:
    data, error = read_json(path)
    if error is not None:
        raise CorpusError(f"{path}: {error}", file=path)
    return data


def _iso_date(text: str) -> bool:
    try:
        return datetime.date.fromisoformat(text).isoformat() == text
    except ValueError:
        return False


def _require(entry: dict[str, Any], key: str, where: str) -> Any:
    if key not in entry:
        raise CorpusError(f"{where}: missing field {key!r}")
    return entry[key]


def _load_corrections(path: Path, ids: set[str]) -> dict[str, list[tuple[str, str, str]]]:
    table = _read_json(path)
    items = table.get("corrections") if isinstance(table, dict) else None
    if not isinstance(items, list):
        raise CorpusError(f"{path}: expected an object with a 'corrections' list")
    by_doc: dict[str, list[tuple[str, str, str]]] = defaultdict(list)
    for number, item in enumerate(items):
        where = f"{path} correction #{number + 1}"
        if not isinstance(item, dict):
            raise CorpusError(f"{where}: expected an object")
        doc, raw, replacement, reason = (
            _require(item, key, where) for key in ("doc", "raw", "replacement", "reason")
        )
        if not isinstance(doc, str) or doc not in ids:
            raise CorpusError(f"{where}: unknown document id {doc!r}")
        if not (isinstance(raw, str) and raw):
            raise CorpusError(f"{where}: 'raw' must be a non-empty string")
        if not isinstance(replacement, str):
            raise CorpusError(f"{where}: 'replacement' must be a string")
        if not (isinstance(reason, str) and reason.strip()):
            raise CorpusError(f"{where}: every correction needs a 'reason'")
        by_doc[doc].append((raw, replacement, reason))
    return by_doc


def _unmarked_headings(entry: dict[str, Any], lines: list[str], where: str) -> dict[str, int]:
    """Read the catalog's headings that carry no number (``规划建设…的战略考量``).

    Each is a whole normalized paragraph and a level (1 = like ``一、``, 2 = like ``（一）``).
    """
    unmarked: dict[str, int] = {}
    for item in entry.get("headings", []):
        text, level = item.get("text"), item.get("level")
        if level not in (1, 2, 3):
            raise CorpusError(f"{where}: heading {text!r} needs a level of 1, 2 or 3")
        if text not in lines:
            raise CorpusError(f"{where}: heading {text!r} is not a paragraph of the document")
        unmarked[text] = level
    return unmarked


def _build_document(entry: dict[str, Any], folder: Path, corrections: list[Any]) -> Document:
    doc_id = entry["id"]
    where = f"{folder / 'catalog.json'} document {doc_id!r}"
    seed_file = _require(entry, "seed_file", where)
    path = folder / seed_file
    data, reason = read_data_bytes(path)
    if data is None:
        if reason == "file not found":
            raise CorpusError(f"{path}: seed file of {doc_id!r} not found", file=path)
        raise CorpusError(f"{path}: seed file of {doc_id!r}: {reason}", file=path)
    digest = hashlib.sha256(data).hexdigest()
    expected = _require(entry, "sha256", where)
    if digest != expected:
        raise CorpusError(
            f"{path}: sha256 {digest} does not match the catalog ({expected}); the seed "
            "files must stay byte-for-byte copies",
            file=path,
        )
    try:
        raw = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise CorpusError(f"{path}: not valid UTF-8 ({exc})", file=path) from None
    steps = _require(entry, "normalize", where)
    try:
        lines, applied, done = normalize(raw, steps, corrections, where=f"{path.name} ({doc_id})")
    except NormalizationError as exc:
        raise CorpusError(str(exc), file=path) from None
    header = parse_metadata_header(raw)[1] if "metadata_header" in steps else {}
    paragraphs = []
    offset = 0
    width = max(3, len(str(len(lines))))
    unmarked = _unmarked_headings(entry, lines, where)
    paths = heading_paths(lines, unmarked)
    for number, (text, path_) in enumerate(zip(lines, paths, strict=True)):
        paragraphs.append(
            Paragraph(f"p{number + 1:0{width}d}", text, path_, offset, offset + len(text))
        )
        offset += len(text) + 1
    kind = _require(entry, "kind", where)
    script = _require(entry, "script", where)
    corridors = tuple(_require(entry, "corridors", where))
    if kind not in KINDS:
        raise CorpusError(f"{where}: kind {kind!r} is not one of {KINDS}")
    if script not in SCRIPTS:
        raise CorpusError(f"{where}: script {script!r} is not one of {SCRIPTS}")
    if not corridors or not set(corridors) <= set(CORRIDORS):
        raise CorpusError(f"{where}: corridors {corridors!r} must be among {CORRIDORS}")
    date = _require(entry, "date", where)
    if not isinstance(date, dict) or not all(
        isinstance(date.get(key), str | None) for key in ("iso", "text")
    ):
        raise CorpusError(
            f"{where}: date must be {{'iso': 'YYYY-MM-DD' or null, 'text': str or null}}, "
            f"not {date!r}"
        )
    if date.get("iso") is not None and not _iso_date(date["iso"]):
        raise CorpusError(f"{where}: date.iso {date['iso']!r} is not a YYYY-MM-DD date")
    title = _require(entry, "title", where)
    if not isinstance(title, str) or not title.strip():
        raise CorpusError(f"{where}: title must be a non-empty string")
    for key in ("issuer", "doc_number"):
        if not isinstance(entry.get(key), str | None):
            raise CorpusError(f"{where}: {key} must be a string or null")
    return Document(
        id=doc_id,
        title=title,
        title_en=entry.get("title_en"),
        short_title=entry.get("short_title"),
        issuer=_require(entry, "issuer", where),
        date=date.get("iso"),
        date_text=date.get("text"),
        doc_number=_require(entry, "doc_number", where),
        kind=kind,
        corridors=corridors,
        script=script,
        seed_file=seed_file,
        sha256=digest,
        notes=entry.get("notes"),
        text="\n".join(lines),
        paragraphs=tuple(paragraphs),
        corrections=applied,
        steps=done,
        header=header,
    )


@lru_cache(maxsize=4)
def _load(folder: str, snapshot: tuple[tuple[str, int, int], ...] = ()) -> Corpus:
    del snapshot  # only part of the cache key
    root = Path(folder)
    catalog_path = root / "catalog.json"
    catalog = _read_json(catalog_path)
    entries = catalog.get("documents") if isinstance(catalog, dict) else None
    if not isinstance(entries, list) or not entries:
        raise CorpusError(
            f"{catalog_path}: expected an object with a 'documents' list", file=catalog_path
        )
    ids = []
    for number, entry in enumerate(entries):
        if not isinstance(entry, dict) or not isinstance(entry.get("id"), str):
            raise CorpusError(
                f"{catalog_path}: document #{number + 1} has no 'id'", file=catalog_path
            )
        ids.append(entry["id"])
    if len(set(ids)) != len(ids):
        raise CorpusError(f"{catalog_path}: duplicate document ids", file=catalog_path)
    try:
        corrections = _load_corrections(root / "corrections.json", set(ids))
    except CorpusError as exc:
        exc.file = exc.file or str(root / "corrections.json")
        raise
    documents = {}
    for entry in entries:
        try:
            documents[entry["id"]] = _build_document(entry, root, corrections.get(entry["id"], []))
        except CorpusError as exc:
            # Name the file at fault: the seed when known, else its catalog entry.
            exc.file = exc.file or str(catalog_path)
            exc.doc_id = exc.doc_id or entry["id"]
            raise
    _check_catalog_schema(catalog, catalog_path)
    return Corpus(documents)


def _check_catalog_schema(catalog: Any, path: Path) -> None:
    """The rest of the published structure (``catalog.schema.json``), after the checks above.

    The checks above give the more specific message for what they cover; the schema adds
    the remaining fields' types (``title_en``, ``notes``, ``headings``, the sha256 form).
    """
    findings = schemas.check("catalog", catalog)
    if not findings:
        return
    where = findings[0].path
    doc_id = None
    if len(where) >= 2 and where[0] == "documents" and isinstance(where[1], int):
        doc_id = catalog["documents"][where[1]].get("id")
        where = where[2:]
    label = f" document {doc_id!r}" if doc_id else ""
    raise CorpusError(
        f"{path}{label}: {schemas.field_name(where) or '-'}: {findings[0].reason}",
        file=path,
        doc_id=doc_id,
    )


def _snapshot(folder: Path) -> tuple[tuple[str, int, int], ...]:
    """Name, size and modification time of each file: a changed seed is read again."""
    return folder_snapshot(folder)


def load_corpus(folder: Path | None = None) -> Corpus:
    """Load, check and normalize the documents (cached per folder while no file changes).

    Parameters
    ----------
    folder
        Folder holding ``catalog.json``, ``corrections.json`` and the seed files;
        defaults to :func:`corridor_map.core.paths.seeds_dir`.

    Raises
    ------
    CorpusError
        Naming the file, document or field when anything is inconsistent.
    """
    root = Path(folder or seeds_dir()).resolve()
    return _load(str(root), _snapshot(root))


def clear_cache() -> None:
    """Forget loaded corpora, so the next :func:`load_corpus` reads the files again."""
    _load.cache_clear()


def resolve(doc_id: str, quote: str, paragraph: str | None = None) -> Excerpt:
    """Locate a verbatim quote; see :meth:`Corpus.resolve`."""
    return load_corpus().resolve(doc_id, quote, paragraph)


def search(query: str, limit: int = 20) -> list[SearchHit]:
    """Search all documents; see :meth:`Corpus.search`."""
    return load_corpus().search(query, limit)
