"""The documents' own quantified targets as a register, and the documents in time.

``layers/indicators.json`` (written by ``scripts/curation/indicators.py``) holds one record
per indicator a document sets: its corridor and scope, name, unit and kind, the base
figure and the target figure, figures that restate them elsewhere in the same document,
and figures a *later* document reports. Every figure carries the text it is stated in
(``"28.2"``, ``"900家以上"``) and the verbatim excerpt that text sits in, resolved by
:func:`corridor_map.documents.corpus.resolve` like every other excerpt. Nothing is computed: no
progress share, no "missed"; a target whose year has passed without a report of the same
scope is "no report" (:func:`status`).

Register schema (one object with an ``indicators`` list)::

    {"id", "corridor", "scope", "doc", "category", "name_zh", "name_en", "unit", "kind",
     "tags": [...], "note": str | null,
     "base":   figure | null,
     "target": figure,
     "restated": [figure, ...],
     "reported": [{"value", "unit", "text", "date", "scope", "source", "note"}, ...]}

    figure = {"year", "value", "text", "qualifier", "source", "year_source"}
    source = {"doc", "quote", "paragraph"}

``value`` is the figure written in ``text`` (null only when the text states no figure,
e.g. a milestone such as ``创成国家级高新区``); ``year`` appears in the figure's quote or in
``year_source`` (the table header or the sentence that gives the year).

:func:`check` returns every problem (file, indicator, field, reason) and never raises on
bad input; ``corridor-map validate`` reports them. :func:`load_register` raises
:class:`IndicatorError` naming file, indicator and field. :func:`features_citing` lists the
map features citing a document; :func:`corridor_map.analysis.timeline.timeline` puts the five
documents on a time axis with what each names (:class:`TimelineEntry`).
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeGuard

from corridor_map.core.errors import CorridorMapError, Problem
from corridor_map.core.numbers import finite_number as _finite
from corridor_map.core.paths import layers_dir
from corridor_map.core.vocab import CORRIDORS, REGISTER_FILE
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


class _Problems:
    def __init__(self, file: str) -> None:
        self.file = file
        self.found: list[tuple[str, str, str]] = []
        self._resolve: Any = None
        # A broken seed or catalog: its error once, and how many quotes it left unchecked.
        self.corpus_error: CorridorMapError | None = None
        self.unchecked = 0

    def add(self, indicator: str, where: str, reason: str) -> None:
        self.found.append((indicator, where, reason))

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


def _text(value: Any) -> TypeGuard[str]:
    return isinstance(value, str) and bool(value.strip())


def _check_source(p: _Problems, iid: str, where: str, source: Any) -> str | None:
    """Check one ``{doc, quote, paragraph}``; return the quote when it resolves."""
    if not isinstance(source, dict):
        p.add(iid, where, "must be an object {doc, quote, paragraph}")
        return None
    doc, quote, paragraph = source.get("doc"), source.get("quote"), source.get("paragraph")
    if not isinstance(doc, str):
        p.add(iid, f"{where}.doc", f"must be a document id, not {doc!r}")
        return None
    if not _text(quote):
        p.add(iid, f"{where}.quote", "missing or empty quote")
        return None
    if paragraph is not None and not isinstance(paragraph, str):
        p.add(iid, f"{where}.paragraph", "must be a paragraph id string or null")
        return None
    corpus = p.corpus()
    if corpus is None:  # the seed's own problem is reported once, not per quote
        p.unchecked += 1
        return str(quote)
    try:
        corpus.resolve(doc, quote, paragraph)
    except CorridorMapError as exc:
        p.add(iid, f"{where}.quote", f"does not resolve: {exc}")
        return None
    return str(quote)


def _check_value(p: _Problems, iid: str, where: str, value: Any, text: Any) -> None:
    figures = _FIGURE_RE.findall(text) if isinstance(text, str) else []
    if value is None:
        if figures:
            p.add(iid, f"{where}.value", f"null, but its text {text!r} states a figure")
        return
    if not _finite(value):
        p.add(iid, f"{where}.value", f"must be a finite number or null, not {value!r}")
        return
    if not figures:
        p.add(iid, f"{where}.value", f"{value!r} but its text {text!r} states no figure")
    elif float(figures[0]) != float(value):
        p.add(iid, f"{where}.value", f"{value!r} is not the figure its text {text!r} states")


def _check_figure(p: _Problems, iid: str, where: str, figure: Any) -> None:
    if not isinstance(figure, dict):
        p.add(iid, where, "must be an object {year, value, text, qualifier, source}")
        return
    text = figure.get("text")
    if not _text(text):
        p.add(iid, f"{where}.text", "missing or empty string")
    quote = _check_source(p, iid, f"{where}.source", figure.get("source"))
    if quote is not None and _text(text) and text not in quote:
        p.add(iid, f"{where}.text", f"{text!r} does not appear in its quote {quote!r}")
    _check_value(p, iid, where, figure.get("value"), text)
    qualifier = figure.get("qualifier")
    if qualifier is not None and qualifier not in QUALIFIERS:
        p.add(iid, f"{where}.qualifier", f"{qualifier!r} is not one of {QUALIFIERS} or null")
    year = figure.get("year")
    if not (isinstance(year, int) and not isinstance(year, bool)):
        p.add(iid, f"{where}.year", f"must be an integer year, not {year!r}")
        return
    if not YEAR_RANGE[0] <= year <= YEAR_RANGE[1]:
        p.add(
            iid,
            f"{where}.year",
            f"{year} is not a plausible year ({YEAR_RANGE[0]}–{YEAR_RANGE[1]})",
        )
        return
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


def _check_report(p: _Problems, iid: str, where: str, report: Any, set_by: Any) -> None:
    if not isinstance(report, dict):
        p.add(iid, where, "must be an object {value, unit, text, date, scope, source}")
        return
    text = report.get("text")
    if not _text(text):
        p.add(iid, f"{where}.text", "missing or empty string")
    quote = _check_source(p, iid, f"{where}.source", report.get("source"))
    if quote is not None and _text(text) and text not in quote:
        p.add(iid, f"{where}.text", f"{text!r} does not appear in its quote {quote!r}")
    _check_value(p, iid, where, report.get("value"), text)
    unit = report.get("unit")
    if not isinstance(unit, str) or unit not in UNITS:
        p.add(iid, f"{where}.unit", f"{unit!r} is not a known unit ({', '.join(UNITS)})")
    if not _text(report.get("scope")):
        p.add(iid, f"{where}.scope", "missing or empty string")
    date = report.get("date")
    try:
        day = datetime.date.fromisoformat(date) if isinstance(date, str) else None
    except ValueError:
        day = None
    if day is None or not YEAR_RANGE[0] <= day.year <= YEAR_RANGE[1]:
        p.add(iid, f"{where}.date", f"must be a YYYY-MM-DD date in {YEAR_RANGE}, not {date!r}")
        return
    source = report.get("source")
    if quote is None or not isinstance(source, dict):
        return
    if isinstance(set_by, str) and source.get("doc") == set_by:
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
        p.add(f"#{index}", "-", "indicator must be an object")
        return
    iid = _check_id(p, index, record.get("id"), seen)
    _check_labels(p, iid, record)
    doc = _check_doc(p, iid, record)
    _check_figures(p, iid, record, doc)


def _check_id(p: _Problems, index: int, iid: Any, seen: set[str]) -> str:
    """Check the id (a slug, unique); return it, or ``#index`` when it is not usable."""
    if not isinstance(iid, str) or not _ID_RE.match(iid):
        p.add(f"#{index}", "id", f"must be a slug of a-z, 0-9 and -, not {iid!r}")
        iid = f"#{index}"
    elif iid in seen:
        p.add(iid, "id", "duplicate id")
    seen.add(iid)
    return iid


def _check_labels(p: _Problems, iid: str, record: dict[str, Any]) -> None:
    """Corridor, scope, names, kind and unit."""
    if record.get("corridor") not in CORRIDORS:
        p.add(iid, "corridor", f"{record.get('corridor')!r} is not one of {CORRIDORS}")
    for key in ("scope", "name_zh", "name_en"):
        if not _text(record.get(key)):
            p.add(iid, key, "missing or empty string")
    kind = record.get("kind")
    if kind not in KINDS:
        p.add(iid, "kind", f"{kind!r} is not one of {', '.join(KINDS)}")
    unit = record.get("unit")
    if unit is None and kind != "milestone":
        p.add(iid, "unit", "missing (only a milestone has no unit)")
    elif unit is not None and (not isinstance(unit, str) or unit not in UNITS):
        p.add(iid, "unit", f"{unit!r} is not a known unit ({', '.join(UNITS)})")


def _check_doc(p: _Problems, iid: str, record: dict[str, Any]) -> Any:
    """Check the setting document (and the tags); return ``doc`` (None when no document
    has that id)."""
    doc = record.get("doc")
    corpus = p.corpus()
    try:
        corpus.document(doc) if isinstance(doc, str) and corpus is not None else None
    except CorridorMapError:
        doc = None
    if not isinstance(doc, str):
        p.add(iid, "doc", f"{record.get('doc')!r} is not a document id")
    for key in ("tags",):
        value = record.get(key, [])
        if not isinstance(value, list) or not all(_text(v) for v in value):
            p.add(iid, key, "must be a list of strings")
    return doc


def _check_figures(p: _Problems, iid: str, record: dict[str, Any], doc: Any) -> None:
    """Target, base (before the target year), restated figures and reports."""
    if "target" not in record:
        p.add(iid, "target", "missing")
    else:
        _check_figure(p, iid, "target", record["target"])
        target = record["target"]
        if (
            isinstance(target, dict)
            and doc
            and isinstance(target.get("source"), dict)
            and target["source"].get("doc") != doc
        ):
            p.add(iid, "target.source.doc", f"must be the indicator's doc {doc!r}")
    if record.get("base") is not None:
        _check_figure(p, iid, "base", record["base"])
        base, target = record["base"], record.get("target")
        if (
            isinstance(base, dict)
            and isinstance(target, dict)
            and isinstance(base.get("year"), int)
            and isinstance(target.get("year"), int)
            and base["year"] >= target["year"]
        ):
            p.add(iid, "base.year", f"{base['year']} is not before the target year")
    for key in ("restated", "reported"):
        items = record.get(key, [])
        if not isinstance(items, list):
            p.add(iid, key, "must be a list")
            continue
        for i, item in enumerate(items):
            if key == "restated":
                _check_figure(p, iid, f"{key}[{i}]", item)
            else:
                _check_report(p, iid, f"{key}[{i}]", item, doc)


def _problems(
    data: Any, file: str, on_unchecked: Callable[[int], None] | None = None
) -> list[tuple[str, str, str]]:
    p = _Problems(file)
    items = data.get("indicators") if isinstance(data, dict) else None
    if not isinstance(items, list):
        p.add("-", "indicators", "expected an object with an 'indicators' list")
        return p.found
    seen: set[str] = set()
    for index, record in enumerate(items):
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
