"""The documents' own quantified targets as a register, and the documents in time.

``layers/indicators.json`` (its own source: edited as data, a reported value recorded by
``corridor-map edit indicator`` through the curation store; :func:`check` is the one
validator of what it holds) holds one record
per indicator a document sets: its corridor and scope, name, unit and kind, the base
figure and the target figure, figures that restate them elsewhere in the same document,
and figures a *later* document reports. Every figure carries the text it is stated in
(``"28.2"``, ``"900家以上"``) and the verbatim excerpt that text sits in, resolved by
:func:`corridor_map.documents.corpus.resolve` like every other excerpt. Nothing is computed: no
progress share, no "missed"; a target whose year has passed without a report of the same
scope is "no report" (:func:`status`).

Register schema (one object with an ``indicators`` list)::

    {"id", "corridor", "scope", "doc", "category", "name_zh", "name_en", "unit", "kind",
     "tags": [...], "note": str | null, "note_zh": str | null,
     "base":   figure | null,
     "target": figure,
     "restated": [figure, ...],
     "reported": [{"value", "unit", "text", "date", "scope", "source", "note", "note_zh"},
                  ...]}

    figure = {"year", "value", "text", "qualifier", "source", "year_source"}
    source = {"doc", "quote", "paragraph"}

``note`` is a curator's explanatory note in English, ``note_zh`` the same note in Chinese
(the documents' words inside a note stay verbatim Chinese in both). The shipped register
has both; a note added with one only (``curation indicator --note``) is shown as written.
``value`` is the figure written in ``text`` (null only when the text states no figure,
e.g. a milestone such as ``创成国家级高新区``); ``year`` appears in the figure's quote or in
``year_source`` (the table header or the sentence that gives the year).

:func:`check` returns every problem (file, indicator, field, reason) and never raises on
bad input: the structure through the published schema (``indicators.schema.json``, via
:mod:`corridor_map.core.schemas`), the rest (excerpts, figures, years, dates) here.
``corridor-map validate`` reports them. :func:`load_register` raises :class:`IndicatorError`
naming file, indicator and field. :func:`features_citing` lists the map features citing a
document; :func:`corridor_map.analysis.timeline.timeline` puts the five documents on a time
axis with what each names (:class:`TimelineEntry`).
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from corridor_map.core import schemas
from corridor_map.core.errors import CorridorMapError, Problem
from corridor_map.core.paths import layers_dir
from corridor_map.core.vocab import REGISTER_FILE
from corridor_map.geo.geojson import read_json as _read

__all__ = [
    "KINDS",
    "QUALIFIERS",
    "STATUSES",
    "UNITS",
    "Figure",
    "Indicator",
    "IndicatorError",
    "Register",
    "Report",
    "Source",
    "TimelineEntry",
    "check",
    "features_citing",
    "load_register",
    "status",
    "validate_register",
]

#: What an indicator counts.
KINDS = ("count", "share", "amount", "rate", "density", "area", "milestone")
#: Units a figure may carry, with their English reading.
UNITS = {
    "亿元": "100 million yuan",
    "万元": "10,000 yuan",
    "%": "percent",
    "家": "organisations",
    "万家": "10,000 organisations",
    "个": "items",
    "项": "projects",
    "件": "patents",
    "名": "people",
    "人": "people",
    "万人": "10,000 people",
    "人年": "person-years",
    "万平方米": "10,000 m²",
    "万方": "10,000 m²",
}
#: How a figure bounds the target, as its text says (以上, 左右).
QUALIFIERS = ("at_least", "about")
#: Status of an indicator's target; see :func:`status`.
STATUSES = ("reported", "no_report", "not_due")
YEAR_RANGE = (2000, 2050)

_ID_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_FIGURE_RE = re.compile(r"\d+(?:\.\d+)?")


class IndicatorError(CorridorMapError):
    """The indicator register cannot be loaded (names the file, indicator and field)."""


@dataclass(frozen=True)
class Source:
    """A verbatim excerpt: document id, quote and (when the quote repeats) paragraph."""

    doc: str
    quote: str
    paragraph: str | None

    def as_dict(self) -> dict[str, Any]:
        """Return the excerpt as in the register file."""
        return {"doc": self.doc, "quote": self.quote, "paragraph": self.paragraph}


def _note_in(english: str | None, chinese: str | None, lang: str) -> str | None:
    return (chinese or english) if lang == "zh" else (english or chinese)


@dataclass(frozen=True)
class Figure:
    """A base or target figure as a document states it."""

    year: int
    value: float | None
    text: str
    qualifier: str | None
    source: Source
    year_source: Source | None


@dataclass(frozen=True)
class Report:
    """A figure a later document reports for the indicator (same or another scope)."""

    value: float | None
    unit: str
    text: str
    date: str
    scope: str
    source: Source
    note: str | None
    note_zh: str | None = None

    def note_in(self, lang: str) -> str | None:
        """Return the curator's note in ``lang`` (``zh``: Chinese, else English), or the
        one version there is."""
        return _note_in(self.note, self.note_zh, lang)


@dataclass(frozen=True)
class Indicator:
    """One quantified target of a document, with its base and any later reports."""

    id: str
    corridor: str
    scope: str
    doc: str
    category: str | None
    name_zh: str
    name_en: str
    unit: str | None
    kind: str
    base: Figure | None
    target: Figure
    restated: tuple[Figure, ...]
    reported: tuple[Report, ...]
    tags: tuple[str, ...]
    note: str | None
    note_zh: str | None = None

    def note_in(self, lang: str) -> str | None:
        """Return the curator's note in ``lang`` (``zh``: Chinese, else English), or the
        one version there is."""
        return _note_in(self.note, self.note_zh, lang)

    def figures(self) -> list[tuple[str, Figure | Report]]:
        """Return ``(role, figure)`` pairs: base, target, restated and reported figures."""
        found: list[tuple[str, Figure | Report]] = []
        if self.base is not None:
            found.append(("base", self.base))
        found.append(("target", self.target))
        found += [("restated", f) for f in self.restated]
        found += [("reported", r) for r in self.reported]
        return found

    def docs(self) -> set[str]:
        """Return the ids of every document any of its figures cites."""
        cited = {figure.source.doc for _, figure in self.figures()}
        return cited | {
            f.year_source.doc for _, f in self.figures() if isinstance(f, Figure) and f.year_source
        }

    def same_scope_reports(self) -> list[Report]:
        """Return the reports whose scope is the indicator's own."""
        return [r for r in self.reported if r.scope == self.scope]


@dataclass(frozen=True)
class Register:
    """Every indicator of the register file, in file order."""

    indicators: tuple[Indicator, ...]
    path: Path
    description: str = ""

    def __iter__(self) -> Any:
        return iter(self.indicators)

    def __len__(self) -> int:
        return len(self.indicators)

    def get(self, indicator_id: str) -> Indicator:
        """Return an indicator by id.

        Raises
        ------
        IndicatorError
            When the register holds no such id.
        """
        for indicator in self.indicators:
            if indicator.id == indicator_id:
                return indicator
        raise IndicatorError(f"{self.path.name}: no indicator {indicator_id!r}")

    def select(
        self,
        corridor: str | None = None,
        doc: str | None = None,
        kind: str | None = None,
        year: int | None = None,
    ) -> list[Indicator]:
        """Return the indicators matching every filter given.

        Parameters
        ----------
        corridor
            Corridor id.
        doc
            A document id any of the indicator's figures cites (setting or reporting).
        kind
            One of :data:`KINDS`.
        year
            The target year.
        """
        return [
            i
            for i in self.indicators
            if (corridor is None or i.corridor == corridor)
            and (doc is None or doc in i.docs())
            and (kind is None or i.kind == kind)
            and (year is None or i.target.year == year)
        ]


# ------------------------------------------------------------------------------ checking
#
# Structure (fields, types, enums, slugs, year range, date shape, excerpt shape) is the
# published schema's, checked by corridor_map.core.schemas; what a schema cannot express
# stays here: excerpts resolve verbatim, a text sits in its quote and its value is the
# figure the text states, a year appears in its quote, ids are unique, a report comes from
# a later document and carries its date.


class _Problems:
    def __init__(self, file: str) -> None:
        self.file = file
        self.found: list[tuple[str, str, str]] = []
        self._resolve: Any = None
        # A broken seed or catalog: its error once, and how many quotes it left unchecked.
        self.corpus_error: CorridorMapError | None = None
        self.unchecked = 0
        # paths (below one indicator) the schema found a problem at: no semantic check there
        self.broken: set[tuple[str | int, ...]] = set()

    def add(self, indicator: str, where: str, reason: str) -> None:
        self.found.append((indicator, where, reason))

    def sound(self, path: tuple[str | int, ...]) -> bool:
        """Tell whether the schema found nothing at or below ``path`` (or above it)."""
        return not any(b[: len(path)] == path or path[: len(b)] == b for b in self.broken)

    def corpus(self) -> Any:
        """The corpus, or None when it cannot load (then ``corpus_error`` says why)."""
        if self._resolve is None and self.corpus_error is None:
            from corridor_map.documents.corpus import load_corpus

            try:
                self._resolve = load_corpus()
            except CorridorMapError as exc:
                self.corpus_error = exc
        return self._resolve

    def doc_date(self, doc: str) -> str | None:
        corpus = self.corpus()
        return None if corpus is None else corpus.document(doc).date


def _indicator_id(record: Any, index: int) -> str:
    """The id problems are reported under: the record's id, or ``#index`` when unusable."""
    iid = record.get("id") if isinstance(record, dict) else None
    return iid if isinstance(iid, str) and _ID_RE.match(iid) else f"#{index}"


def _structure(p: _Problems, data: Any) -> bool:
    """Add the schema's findings; return False when there is no indicator list to check."""
    items = data.get("indicators") if isinstance(data, dict) else None
    for finding in schemas.check("indicators", data):
        path = finding.path
        if len(path) >= 2 and path[0] == "indicators" and isinstance(path[1], int):
            assert isinstance(items, list)
            iid = _indicator_id(items[path[1]], path[1])
            p.add(iid, schemas.field_name(path[2:]) or "-", finding.reason)
            p.broken.add(path[1:])
        else:
            p.add("-", schemas.field_name(path) or "-", finding.reason)
    return isinstance(items, list)


def _check_source(p: _Problems, iid: str, where: str, source: dict[str, Any]) -> str | None:
    """Resolve one excerpt (its shape is the schema's); return the quote when it resolves."""
    quote = str(source["quote"])
    corpus = p.corpus()
    if corpus is None:  # the seed's own problem is reported once, not per quote
        p.unchecked += 1
        return quote
    try:
        corpus.resolve(source["doc"], quote, source.get("paragraph"))
    except CorridorMapError as exc:
        p.add(iid, f"{where}.quote", f"does not resolve: {exc}")
        return None
    return quote


def _check_text(p: _Problems, iid: str, where: str, raw: dict[str, Any]) -> str | None:
    """The text is in its resolved quote and states the value; return the quote."""
    text = raw["text"]
    quote = _check_source(p, iid, f"{where}.source", raw["source"])
    if quote is not None and text not in quote:
        p.add(iid, f"{where}.text", f"{text!r} does not appear in its quote {quote!r}")
    figures = _FIGURE_RE.findall(text)
    value = raw.get("value")
    if value is None:
        if figures:
            p.add(iid, f"{where}.value", f"null, but its text {text!r} states a figure")
    elif not figures:
        p.add(iid, f"{where}.value", f"{value!r} but its text {text!r} states no figure")
    elif float(figures[0]) != float(value):
        p.add(iid, f"{where}.value", f"{value!r} is not the figure its text {text!r} states")
    return quote


def _check_figure(p: _Problems, iid: str, where: str, figure: dict[str, Any]) -> None:
    quote = _check_text(p, iid, where, figure)
    year = figure["year"]
    year_quote = None
    if figure.get("year_source") is not None:
        year_quote = _check_source(p, iid, f"{where}.year_source", figure["year_source"])
    stated_in = [q for q in (quote, year_quote) if q is not None]
    if stated_in and not any(re.search(rf"(?<!\d){year}(?!\d)", q) for q in stated_in):
        p.add(
            iid,
            f"{where}.year",
            f"{year} appears neither in its quote nor in its year_source",
        )


def _check_report(p: _Problems, iid: str, where: str, report: dict[str, Any], set_by: Any) -> None:
    quote = _check_text(p, iid, where, report)
    date = report["date"]
    try:
        day: datetime.date | None = datetime.date.fromisoformat(date)
    except ValueError:  # the schema checks the shape, not the calendar (2024-02-30)
        day = None
    if day is None or not YEAR_RANGE[0] <= day.year <= YEAR_RANGE[1]:
        p.add(iid, f"{where}.date", f"must be a YYYY-MM-DD date in {YEAR_RANGE}, not {date!r}")
        return
    source = report["source"]
    if quote is None:
        return
    if isinstance(set_by, str) and source["doc"] == set_by:
        p.add(iid, f"{where}.source.doc", "a report must come from a later document")
        return
    setting = p.doc_date(set_by) if isinstance(set_by, str) else None
    reporting = p.doc_date(source["doc"])
    if setting is not None and reporting is not None and reporting <= setting:
        p.add(
            iid,
            f"{where}.source.doc",
            f"{source['doc']} ({reporting}) is not later than {set_by} ({setting})",
        )
    if reporting is not None and date != reporting:
        p.add(iid, f"{where}.date", f"{date} is not the date of {source['doc']} ({reporting})")


def _check_indicator(p: _Problems, index: int, record: Any, seen: set[str]) -> None:
    if not isinstance(record, dict):
        return  # the schema's problem
    iid = _indicator_id(record, index)
    if iid == record.get("id"):
        if iid in seen:
            p.add(iid, "id", "duplicate id")
        seen.add(iid)
    doc = _check_doc(p, iid, record)
    _check_figures(p, index, iid, record, doc)


def _check_doc(p: _Problems, iid: str, record: dict[str, Any]) -> Any:
    """Check the setting document; return ``doc`` (None when no document has that id)."""
    doc = record.get("doc")
    if not isinstance(doc, str):
        return None  # the schema's problem
    corpus = p.corpus()
    try:
        if corpus is not None:
            corpus.document(doc)
    except CorridorMapError:
        p.add(iid, "doc", f"{doc!r} is not a document id")
        return None
    return doc


def _check_figures(p: _Problems, index: int, iid: str, record: dict[str, Any], doc: Any) -> None:
    """Target, base (before the target year), restated figures and reports."""
    target, base = record.get("target"), record.get("base")
    if not (isinstance(target, dict) and p.sound((index, "target"))):
        target = None
    if target is not None:
        _check_figure(p, iid, "target", target)
        if doc and target["source"]["doc"] != doc:
            p.add(iid, "target.source.doc", f"must be the indicator's doc {doc!r}")
    if isinstance(base, dict) and p.sound((index, "base")):
        _check_figure(p, iid, "base", base)
        if target is not None and base["year"] >= target["year"]:
            p.add(iid, "base.year", f"{base['year']} is not before the target year")
    for key in ("restated", "reported"):
        items = record.get(key, [])
        for i, item in enumerate(items if isinstance(items, list) else []):
            if not p.sound((index, key, i)):
                continue
            if key == "restated":
                _check_figure(p, iid, f"{key}[{i}]", item)
            else:
                _check_report(p, iid, f"{key}[{i}]", item, doc)


def _problems(
    data: Any, file: str, on_unchecked: Callable[[int], None] | None = None
) -> list[tuple[str, str, str]]:
    p = _Problems(file)
    if not _structure(p, data):
        return p.found
    seen: set[str] = set()
    for index, record in enumerate(data["indicators"]):
        _check_indicator(p, index, record, seen)
    if p.corpus_error is not None:
        if on_unchecked is not None:
            on_unchecked(p.unchecked)  # the caller reports the broken seed once
        else:
            p.add("-", "-", f"{p.corpus_error}; {p.unchecked} quote(s) not checked")
    return p.found


def check(data: Any, file: str = REGISTER_FILE) -> list[tuple[str, str, str]]:
    """Check register data; return ``(indicator id, field, reason)`` for every problem.

    Every excerpt resolves verbatim, every figure's text is inside its quote and its value
    is the figure its text states, years lie in 2000–2050 and appear in the figure's quote
    or its ``year_source``, units and kinds are known, a report comes from a later
    document and carries that document's date. Never raises on bad input.
    """
    return _problems(data, file)


def validate_register(
    directory: Path | str | None = None, *, on_unchecked: Callable[[int], None] | None = None
) -> list[Any]:
    """Check ``indicators.json`` in a layers folder for ``corridor-map validate``.

    Parameters
    ----------
    directory
        The layers folder (default: the shipped one).
    on_unchecked
        Called with the number of quotes left unchecked when the documents cannot load
        (a broken seed), by a caller that reports that seed once itself; without it the
        register gets one problem of its own saying so.

    Returns
    -------
    list of corridor_map.core.errors.Problem
        Empty when the register is valid or absent (no register, nothing to show).
    """
    folder = Path(directory) if directory is not None else layers_dir()
    path = folder / REGISTER_FILE
    if not path.exists():
        return []
    data, error = _read(path)
    if error is not None:
        return [Problem(path.name, "-", "-", error)]
    found = _problems(data, path.name, on_unchecked)
    return [Problem(path.name, iid, where, reason) for iid, where, reason in found]


def _source(raw: dict[str, Any]) -> Source:
    return Source(raw["doc"], raw["quote"], raw.get("paragraph"))


def _figure(raw: dict[str, Any]) -> Figure:
    year_source = raw.get("year_source")
    return Figure(
        year=raw["year"],
        value=raw.get("value"),
        text=raw["text"],
        qualifier=raw.get("qualifier"),
        source=_source(raw["source"]),
        year_source=_source(year_source) if year_source else None,
    )


def _report(raw: dict[str, Any]) -> Report:
    return Report(
        value=raw.get("value"),
        unit=raw["unit"],
        text=raw["text"],
        date=raw["date"],
        scope=raw["scope"],
        source=_source(raw["source"]),
        note=raw.get("note"),
        note_zh=raw.get("note_zh"),
    )


def parse(data: Any, file: str = REGISTER_FILE, path: Path | None = None) -> Register:
    """Check register data and build a :class:`Register`.

    Raises
    ------
    IndicatorError
        Naming the file, the indicator and the field of the first problems found.
    """
    found = check(data, file)
    if found:
        shown = "; ".join(f"{iid}: {where}: {reason}" for iid, where, reason in found[:3])
        more = f" (and {len(found) - 3} more)" if len(found) > 3 else ""
        raise IndicatorError(f"{file}: {shown}{more}")
    indicators = tuple(
        Indicator(
            id=r["id"],
            corridor=r["corridor"],
            scope=r["scope"],
            doc=r["doc"],
            category=r.get("category"),
            name_zh=r["name_zh"],
            name_en=r["name_en"],
            unit=r.get("unit"),
            kind=r["kind"],
            base=_figure(r["base"]) if r.get("base") else None,
            target=_figure(r["target"]),
            restated=tuple(_figure(f) for f in r.get("restated", [])),
            reported=tuple(_report(f) for f in r.get("reported", [])),
            tags=tuple(r.get("tags", [])),
            note=r.get("note"),
            note_zh=r.get("note_zh"),
        )
        for r in data["indicators"]
    )
    return Register(indicators, path or Path(file), str(data.get("description", "")))


_CACHE: dict[tuple[str, int, int], Register] = {}


def load_register(path: Path | str | None = None) -> Register:
    """Load and check the register (cached on the file's size and modification time).

    Parameters
    ----------
    path
        The register file; default ``indicators.json`` in the layers folder.

    Raises
    ------
    IndicatorError
        When the file is missing, unreadable or any check fails (naming file, indicator
        and field).
    """
    file = Path(path) if path is not None else layers_dir() / REGISTER_FILE
    try:
        stat = file.stat()
    except OSError:
        raise IndicatorError(f"{file}: indicator register not found") from None
    key = (str(file.resolve()), stat.st_mtime_ns, stat.st_size)
    if key not in _CACHE:
        data, error = _read(file)
        if error is not None:
            raise IndicatorError(f"{file.name}: {error}")
        _CACHE.clear()
        _CACHE[key] = parse(data, file.name, file)
    return _CACHE[key]


# -------------------------------------------------------------------------------- status


def status(indicator: Indicator, today: datetime.date | None = None) -> str:
    """Return the target's status: ``reported``, ``no_report`` or ``not_due``.

    ``reported`` when a later document reports a figure of the indicator's own scope;
    otherwise ``not_due`` while the target year has not ended, and ``no_report`` after it
    (never "missed": the documents say nothing either way). Reports of another scope (a
    city-wide figure for a corridor target) do not count.
    """
    if indicator.same_scope_reports():
        return "reported"
    day = today or datetime.date.today()
    return "not_due" if day.year <= indicator.target.year else "no_report"


# ------------------------------------------------------------------------------ timeline


@dataclass(frozen=True)
class TimelineEntry:
    """One document on the time axis, with what it names."""

    doc_id: str
    title: str
    title_en: str | None
    kind: str
    corridors: tuple[str, ...]
    date: str | None
    date_text: str | None
    year: int | None
    features: tuple[str, ...] = field(default=())
    indicators: tuple[str, ...] = field(default=())
    travel_targets: tuple[str, ...] = field(default=())

    def as_dict(self) -> dict[str, Any]:
        """Return a JSON-ready record (``year: null`` when the year is unknown)."""
        return {
            "doc": self.doc_id,
            "title": self.title,
            "title_en": self.title_en,
            "kind": self.kind,
            "corridors": list(self.corridors),
            "date": self.date,
            "date_text": self.date_text,
            "year": self.year,
            "year_known": self.year is not None,
            "features": list(self.features),
            "indicators": list(self.indicators),
            "travel_targets": list(self.travel_targets),
        }


def features_citing(atlas: Any, doc_id: str) -> set[str]:
    """Return the ids of the atlas features whose ``sources`` cite ``doc_id``.

    Parameters
    ----------
    atlas
        A :class:`corridor_map.atlas.model.Atlas`.
    doc_id
        A document id.
    """
    return {f.id for f in atlas if any(s.get("doc") == doc_id for s in f.sources)}
