"""The checks of what a layer says: excerpts verbatim in their documents, dates,
stated figures, parents and ``within``, planned links and travel targets.

:class:`Checker` collects the problems of one validation run
(:mod:`corridor_map.atlas.validation`).
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable, Iterable
from dataclasses import replace
from pathlib import Path
from typing import Any

from shapely.geometry.base import BaseGeometry

from corridor_map.core import schemas
from corridor_map.core.errors import CorridorMapError, Problem
from corridor_map.core.numbers import finite_number as _finite_number
from corridor_map.core.paths import seeds_dir
from corridor_map.core.vocab import (
    PLACE_ROLES,
)
from corridor_map.geo.geojson import read_json as _read_json
from corridor_map.geo.geojson import read_json_digest

_AS_OF_RE = re.compile(r"^\d{4}(?:-\d{2}(?:-\d{2})?)?$")
_FIGURE_RE = re.compile(r"\d+(?:\.\d+)?")


class Checker:
    """Collects problems for one validation run."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.problems: list[Problem] = []
        self.notes: list[str] = []
        self.features: dict[str, tuple[str, dict[str, Any], BaseGeometry | None]] = {}
        self.collections: dict[str, dict[str, Any]] = {}
        #: the checked travel_targets.json (None when absent or not checked).
        self.targets: dict[str, Any] | None = None
        self._resolve: Callable[..., Any] | None = None
        self._corpus_error: Problem | None = None
        self._doc_ids: frozenset[str] | None = None
        self.unchecked_quotes = 0
        #: every string feature id of the layer files read, checked or not.
        self.raw_ids: set[str] = set()
        #: layer file name → SHA-256 of the bytes checked (files that could be read).
        self.digests: dict[str, str] = {}

    def structure(
        self, file: str, findings: Iterable[schemas.Finding], feature_id: str = "-"
    ) -> None:
        """Add the schema findings of one file or feature (field paths below its root)."""
        for finding in findings:
            self.add(file, feature_id, schemas.field_name(finding.path) or "-", finding.reason)

    def add(self, file: str, feature_id: str, field_name: str, reason: str) -> None:
        self.problems.append(Problem(file, feature_id, field_name, reason))

    # ---- corpus

    def resolver(self) -> Callable[..., Any] | None:
        """The corpus's resolve, or None (and one problem at the seed) when it cannot load."""
        if self._resolve is None and self._corpus_error is None:
            try:
                from corridor_map.documents.corpus import load_corpus

                self._resolve = load_corpus().resolve
            except CorridorMapError as exc:
                # One problem at the broken seed or catalog, not one per quote.
                where = getattr(exc, "file", None)
                reason = str(exc)
                file = "seeds"
                if where is not None:
                    file = f"seeds/{Path(where).name}"
                    if reason.startswith(where):
                        reason = reason[len(where) :].lstrip(": ")
                self._corpus_error = Problem(file, getattr(exc, "doc_id", None) or "-", "-", reason)
            except Exception as exc:  # an absent or broken corpus module must not crash
                self._corpus_error = Problem(
                    "-", "-", "sources", f"corridor_map.documents.corpus unavailable ({exc!r})"
                )
        return self._resolve

    def finish(self) -> None:
        """Add the corpus problem once, with the number of quotes it left unchecked."""
        if self._corpus_error is not None:
            error = self._corpus_error
            self.problems.append(
                Problem(
                    error.file,
                    error.feature_id,
                    error.field,
                    f"{error.reason}; {self.unchecked_quotes} quote(s) not checked",
                )
            )

    def doc_ids(self) -> frozenset[str] | None:
        """Ids of the documents in the catalog of the seeds folder in use (None: unreadable).

        Read from ``seeds/catalog.json`` even when a seed is broken, so that an unknown
        document id is still named; a catalog that cannot be read is one problem at the
        seed (:meth:`resolver`), and no id is judged.
        """
        if self._doc_ids is None:
            data, error = _read_json(seeds_dir() / "catalog.json")
            documents = data.get("documents") if isinstance(data, dict) else None
            if error is not None or not isinstance(documents, list):
                return None
            self._doc_ids = frozenset(
                d["id"] for d in documents if isinstance(d, dict) and isinstance(d.get("id"), str)
            )
        return self._doc_ids

    def check_quote(self, file: str, fid: str, where: str, source: Any) -> str | None:
        """Resolve one excerpt ``{"doc", "quote", "paragraph"?}``; return its quote.

        Its structure is the schema's (``$defs/excerpt``): a malformed excerpt was reported
        there and is skipped here. What a schema cannot know is checked: the document id
        is one of the catalog's, and the quote appears verbatim in that document.
        """
        if not isinstance(source, dict):
            return None
        doc, quote, paragraph = source.get("doc"), source.get("quote"), source.get("paragraph")
        if not isinstance(doc, str) or not isinstance(quote, str) or not quote.strip():
            return None
        if paragraph is not None and not isinstance(paragraph, str):
            return None
        known = self.doc_ids()
        if known is not None and doc not in known:
            self.add(file, fid, f"{where}.doc", f"unknown document id {doc!r}")
            return None
        resolve = self.resolver()
        if resolve is None:
            self.unchecked_quotes += 1
        else:
            try:
                resolve(doc, quote, paragraph)
            except CorridorMapError as exc:
                self.add(file, fid, f"{where}.quote", f"quote not found verbatim: {exc}")
            except Exception as exc:  # a corpus bug must not hide the other findings
                self.add(file, fid, f"{where}.quote", f"quote check failed: {exc!r}")
        return quote


def check_links(checker: Checker, links: list[tuple[str, Any]]) -> None:
    """Planned links (``planned_links.geojson``) must name a located line.

    Their structure (a list of ``{feature, design_speed_kmh > 0, ...}``) is the schema's
    ``$defs/planned_link``; here each named feature must exist and be a line, else travel
    would leave the link out and a mistyped id would silently change every travel time
    that uses the road.
    """
    for file, entries in links:
        if not isinstance(entries, list):
            continue
        for i, entry in enumerate(entries):
            fid = entry.get("feature") if isinstance(entry, dict) else None
            if not isinstance(fid, str):
                continue
            where = f"links[{i}].feature"
            if fid not in checker.features:
                checker.add(file, "-", where, f"{fid!r} is not a feature id")
                continue
            geometry = checker.features[fid][2]
            if geometry is None or geometry.geom_type not in {"LineString", "MultiLineString"}:
                kind = "unlocated" if geometry is None else f"a {geometry.geom_type}"
                checker.add(file, "-", where, f"{fid} is {kind}, not a road line")


# The smallest ring sampling step travel.py is asked to use: below it ring_span's pairwise
# routing grows quadratically without telling the planner anything new. The schema
# (travel_targets.schema.json) states the same minimum; a test keeps the two equal.
MIN_RING_STEP_M = 100.0


def check_targets(checker: Checker, path: Path) -> None:
    """Travel targets cite documents and features like layers do, so check them alike.

    The structure is ``travel_targets.schema.json``; here each target's excerpts must
    resolve verbatim and every feature id it names as origin or destination must exist.
    An absent file is fine (no targets to show). When its structure is sound the checked
    data is kept on the checker (:attr:`Checker.targets`); the atlas hands it to travel
    unless the file was refused.
    """
    if not path.exists():
        return
    name = path.name
    data, error, digest = read_json_digest(path)
    if error is not None:
        checker.add(name, "-", "-", error)
        return
    before = len(checker.problems)
    targets = data.get("targets") if isinstance(data, dict) else None
    for finding in schemas.check_digest("travel_targets", data, digest):
        where = finding.path
        if len(where) >= 2 and where[0] == "targets" and isinstance(where[1], int):
            checker.structure(
                name, [replace(finding, path=where[2:])], _target_id(targets, where[1])
            )
        else:
            checker.structure(name, [finding])
    structured = len(checker.problems) == before
    for index, record in enumerate(targets if isinstance(targets, list) else []):
        if isinstance(record, dict):
            _check_target(checker, name, _target_id(targets, index), record)
    if structured:  # a problem of its own refuses the file (see _report)
        checker.targets = data


def _check_target(checker: Checker, name: str, tid: str, record: dict[str, Any]) -> None:
    """One target's excerpts resolve and the features it names exist."""
    sources = record.get("sources")
    for i, source in enumerate(sources if isinstance(sources, list) else []):
        checker.check_quote(name, tid, f"sources[{i}]", source)
    for key in ("origins", "destinations"):
        ids = record.get(key)
        if isinstance(ids, str):
            ids = [ids]
        if not isinstance(ids, list):
            continue  # a role selector ({"role": ...}) or absent: nothing to look up
        for fid in ids:
            if not isinstance(fid, str) or fid not in checker.features:
                checker.add(name, tid, key, f"{fid!r} is not a feature id")


def _target_id(targets: Any, index: int) -> str:
    record = targets[index] if isinstance(targets, list) and index < len(targets) else None
    tid = record.get("id") if isinstance(record, dict) else None
    return tid if isinstance(tid, str) and tid else f"#{index}"


def check_properties(checker: Checker, file: str, fid: str, props: dict[str, Any]) -> None:
    """The property checks a schema cannot express: excerpts, dates, figures, within."""
    sources = props.get("sources")
    for i, source in enumerate(sources if isinstance(sources, list) else []):
        checker.check_quote(file, fid, f"sources[{i}]", source)
    status = props.get("status")
    if isinstance(status, dict):
        as_of = status.get("as_of")
        if isinstance(as_of, str) and _AS_OF_RE.match(as_of) and not _real_date(as_of):
            checker.add(file, fid, "status.as_of", "must be YYYY, YYYY-MM or YYYY-MM-DD")
        checker.check_quote(file, fid, "status.source", status.get("source"))
    _check_stated(checker, file, fid, props)
    within = props.get("within")
    if isinstance(within, dict):
        if within.get("id") == fid:
            checker.add(file, fid, "within.id", "a feature cannot lie within itself")
        if "source" in within and "reason" not in within:
            checker.check_quote(file, fid, "within.source", within["source"])


def _check_within_targets(checker: Checker) -> None:
    for fid, (file, props, _) in checker.features.items():
        within = props.get("within")
        if not isinstance(within, dict) or not isinstance(within.get("id"), str):
            continue
        target = checker.features.get(within["id"])
        kind = within.get("kind")
        if target is None:
            checker.add(file, fid, "within.id", f"unknown feature {within['id']!r}")
            continue
        role, corridor = target[1].get("role"), target[1].get("corridor")
        if kind == "place" and role not in PLACE_ROLES:
            checker.add(file, fid, "within.id", f"{within['id']!r} is not a place (ref_places)")
        elif kind == "district" and role != "district":
            checker.add(file, fid, "within.id", f"{within['id']!r} is not a district")
        elif kind == "feature" and corridor == "reference":
            checker.add(file, fid, "within.id", f"{within['id']!r} is a reference feature")


def _real_date(text: str) -> bool:
    if not _AS_OF_RE.match(text):
        return False
    parts = [int(part) for part in text.split("-")] + [1, 1]
    try:
        datetime.date(parts[0], parts[1], parts[2])
    except ValueError:
        return False
    return True


def _check_stated(checker: Checker, file: str, fid: str, props: dict[str, Any]) -> None:
    """Each stated figure's text is inside its quote, and its value is the text's figure."""
    stated = props.get("stated")
    for i, figure in enumerate(stated if isinstance(stated, list) else []):
        if not isinstance(figure, dict):
            continue
        where = f"stated[{i}]"
        quote = checker.check_quote(file, fid, f"{where}.source", figure.get("source"))
        text, value = figure.get("text"), figure.get("value")
        if quote is not None and isinstance(text, str) and text not in quote:
            checker.add(file, fid, f"{where}.text", f"{text!r} does not appear in its source quote")
        # text is checked against the quote, so value must be checked against text: else a
        # mistyped value would be shown as the document's figure
        figures = _FIGURE_RE.findall(text) if isinstance(text, str) else []
        if figures and _finite_number(value) and not any(float(f) == value for f in figures):
            checker.add(
                file,
                fid,
                f"{where}.value",
                f"{value!r} is not the figure its text {text!r} states",
            )


def check_parents(checker: Checker) -> None:
    for fid, (file, props, _) in checker.features.items():
        parent = props.get("parent")
        if not isinstance(parent, str):
            continue
        if parent == fid:
            checker.add(file, fid, "parent", "a feature cannot be its own parent")
        elif parent not in checker.features:
            checker.add(file, fid, "parent", f"unknown parent {parent!r}")
    for fid, (file, _, _) in checker.features.items():
        seen = [fid]
        current = checker.features[fid][1].get("parent")
        while isinstance(current, str) and current in checker.features:
            if current in seen:
                if current == fid:
                    checker.add(
                        file, fid, "parent", "parent cycle: " + " → ".join([*seen, current])
                    )
                break
            seen.append(current)
            current = checker.features[current][1].get("parent")
    _check_within_targets(checker)
