"""The layers' validator: structure by the published JSON Schemas, meaning in Python.

The feature schema is the one in ``docs/architecture.md``; its structural rules (fields,
types, enums, nesting) are ``corridor_map/schemas/*.schema.json`` (JSON Schema Draft
2020-12, checked with :class:`jsonschema.Draft202012Validator`; see
:mod:`corridor_map.core.schemas`), the checks below that a schema cannot express stay here.
:func:`validate` never raises on bad input: it returns every :class:`Problem` it finds
(file, feature id, field, reason), which ``corridor-map validate`` prints;
:func:`corridor_map.atlas.model.load_atlas` loads the layers through the same checks (one
cached :func:`_report` per data snapshot) and refuses the files with a problem.

Validation rules and tolerances, chosen to catch real mistakes in schematic layers:

* schema: required fields, types and enums; ids unique across every file; parents exist
  and form no cycle; ``geometry`` null exactly when ``geometry_basis == "unlocated"``
  (and then ``precision_m`` is null); curated features cite ≥ 1 excerpt, each found
  verbatim by :func:`corridor_map.documents.corpus.resolve`; a stated figure's ``text`` appears in
  its own quote.
* geometry: valid (shapely, with ``explain_validity``), RFC 7946 winding (exterior rings
  counter-clockwise), ≤ 6 decimals, inside the region :data:`REGION` unless the role is
  ``enclave`` (or the layer is a reference layer). A coordinate that fits the region only
  after swapping is reported as "latitude/longitude look swapped".
* stated area: a polygon with a stated ``area`` must measure (geodesic, union of its
  parts) within ±10 % (:data:`AREA_TOLERANCE`); a ``measured.area_km2`` must match the
  geodesic area within 1 %.
* containment: a curated, non-enclave feature lies in the union of its listed districts
  from ``ref_districts.geojson`` grown by :data:`CONTAINMENT_BUFFER_M` (200 m, the
  schematic precision of curated layers and the ~30 m simplification of district
  boundaries): points inside it; lines and polygons with ≥ 95 % of their length or area
  inside (district boundaries are land-only, so coastal polygons need that slack).
* GCJ-02 passed as WGS84: a declared ``crs``/``coordinate_system`` that is not WGS84 /
  CRS84; a point sitting on the GCJ-02 position of a known reference point (an OSM
  station) rather than on the point itself; or a file whose containment failures mostly
  disappear once its coordinates are converted GCJ-02 → WGS84; or a file that fits its
  anchors better converted than as given: more vertices within 100 m of a district
  boundary or a reference station/runway (not the dense road graph), less of it outside
  its (unbuffered) districts, or more points and shape centres on the 0.001° grid the
  curation scripts round positions to. The shift is about 540 m here, so only anchored
  signals are reliable; a file with no anchor gets a note in ``validate --explain``
  (:func:`explain`) saying a wholesale shift of it would pass undetected.

:func:`load_atlas` runs these checks (one cached result per data snapshot) and refuses
every layer file with a problem; see its docstring and ``docs/architecture.md``.
"""

from __future__ import annotations

import datetime
import functools
import hashlib
import json
import logging
import math
import os
import pickle
import re
import tempfile
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
import shapely
from pyproj import Transformer
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry

from corridor_map.core import schemas
from corridor_map.core.errors import CorridorMapError, Problem
from corridor_map.core.numbers import finite_number as _finite_number
from corridor_map.core.paths import code_digest, data_snapshot, digest_files, seeds_dir
from corridor_map.core.paths import layers_dir as default_layers_dir
from corridor_map.core.settings import load_settings
from corridor_map.core.vocab import (
    AREA_TOLERANCE,
    CONTAINMENT_BUFFER_M,
    CONTAINMENT_SHARE,
    DISTRICTS_FILE,
    PLACE_ROLES,
    PLANNED_LINKS_FILE,
    REGION,
    TARGETS_FILE,
    area_in_km2,
)
from corridor_map.geo.gcj02 import gcj02_to_wgs84, gcj02_to_wgs84_geometry, wgs84_to_gcj02
from corridor_map.geo.geodesy import distance_km, geodesic_area_km2, geodesic_measure
from corridor_map.geo.geojson import read_json as _read_json

__all__ = [
    "explain",
    "refusal_message",
    "validate",
]

# The vocabulary lives in corridor_map.core.vocab; the names stay importable from here.

_AS_OF_RE = re.compile(r"^\d{4}(?:-\d{2}(?:-\d{2})?)?$")
_FIGURE_RE = re.compile(r"\d+(?:\.\d+)?")
_WGS84_CRS_NAMES = ("crs84", "4326", "wgs84", "wgs 84", "wgs_84", "wgs-84")
# A point this close to the GCJ-02 image of a reference point, and this far from the
# point itself, was almost certainly read off a Gaode/AMap map.
_GCJ_MATCH_M = 60.0
_GCJ_MIN_SHIFT_M = 300.0


MAX_LISTED_PROBLEMS = 25


# Streamlit serves sessions from several threads: after a data change, one validates and
# the others wait for its result instead of validating the same snapshot in parallel.
_LOAD_LOCK = threading.RLock()


def _snapshot(directory: Path) -> tuple[Any, ...]:
    """The cache key: :func:`corridor_map.core.paths.data_snapshot` (name, size and modification
    time of every file in layers/ and seeds/; the quotes are checked against the seeds)."""
    return data_snapshot(directory)


def refusal_message(problems: Iterable[Problem], refused: Iterable[str] = ()) -> str:
    """One summary line, then one ``file: feature: field: reason`` line per problem."""
    problems = list(problems)
    refused = list(refused)
    head = f"{len(problems)} problem(s) in the layers / 图层有 {len(problems)} 个问题"
    if refused:
        head += f"; refused / 未载入: {', '.join(refused)}"
    lines = [head, *(f"  {p}" for p in problems[:MAX_LISTED_PROBLEMS])]
    if len(problems) > MAX_LISTED_PROBLEMS:
        lines.append(f"  … and {len(problems) - MAX_LISTED_PROBLEMS} more (corridor-map validate)")
    return "\n".join(lines)


# --------------------------------------------------------------------------- validation


class _Checker:
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


def _folder_report(layers_dir: Path | str | None) -> _Report:
    """The one cached report of a layers folder (default: the shipped one)."""
    directory = Path(layers_dir) if layers_dir is not None else default_layers_dir()
    directory = directory.resolve()
    with _LOAD_LOCK:
        return _report(directory, _snapshot(directory))


def validate(layers_dir: Path | str | None = None) -> list[Problem]:
    """Check every layer file and return all problems found (empty when valid).

    These are the checks :func:`load_atlas` runs; both share one result per data
    snapshot (file names, sizes and modification times of the layers and seeds).

    Parameters
    ----------
    layers_dir
        Folder of layers; default :func:`corridor_map.core.paths.layers_dir`.

    Returns
    -------
    list of Problem
        Each names the file, the feature id (``-`` for file-level problems, ``#n`` for a
        feature without an id), the field and the reason. Bad input never raises.
    """
    return list(_folder_report(layers_dir).first_round)


def explain(layers_dir: Path | str | None = None) -> list[str]:
    """Say what the checks could not establish, e.g. curated files without a GCJ-02 anchor.

    Parameters
    ----------
    layers_dir
        Folder of layers; default :func:`corridor_map.core.paths.layers_dir`.

    Returns
    -------
    list of str
        One ``file: note`` line per limitation (``validate --explain`` prints them).
    """
    return list(_folder_report(layers_dir).notes)


@dataclass(frozen=True)
class _Report:
    first_round: tuple[Problem, ...]
    problems: tuple[Problem, ...]
    refused: tuple[str, ...]
    accepted: _Checker
    notes: tuple[str, ...]
    fatal: bool


@functools.lru_cache(maxsize=8)
def _report(directory: Path, snapshot: tuple[Any, ...]) -> _Report:
    """The validation report of a folder: from the report store, else :func:`_validated`.

    In this process it is cached per data snapshot (names, sizes, modification times); on
    disk (:func:`report_store`) per content digest (:func:`report_key`), so a restart on
    unchanged bytes does not validate again, and any changed byte validates again.
    """
    del snapshot  # only part of the cache key
    store = report_store()
    if store is None or not directory.is_dir():
        return _validated(directory)
    key = report_key(directory)
    stored = _read_stored(store, key)
    if stored is not None:
        return stored
    report = _validated(directory)
    if not report.fatal:
        _write_stored(store, key, report)
    return report


# --------------------------------------------------------------------------- report store

_LOG = logging.getLogger(__name__)
#: Reports kept on disk (older ones are removed: every data or code edit makes a new one).
_KEEP_REPORTS = 16
#: Libraries whose behaviour decides a check (with this package's own sources).
_CHECKERS = ("jsonschema", "shapely", "pyproj", "numpy")


def report_store() -> Path | None:
    """Return the folder validation reports are kept in across restarts (None: off).

    Returns
    -------
    Path or None
        ``$CORRIDOR_MAP_CACHE`` when set (``off`` or an empty value turns the store
        off), else ``corridor-map`` in ``$XDG_CACHE_HOME`` (default ``~/.cache``).
    """
    return load_settings().cache_dir


def _code_digest() -> str:
    """Digest of this package's sources and schemas and the checkers' versions."""
    return code_digest((".py", ".json"), _CHECKERS)


def report_key(directory: Path) -> str:
    """Return the content key of a folder's validation report.

    The layers folder's path and the bytes of every file in it, the seeds folder's path
    and the bytes of every file in it (the excerpts are checked against the documents),
    and :func:`_code_digest` (the checks themselves).
    """
    h = hashlib.sha256(_code_digest().encode())
    for folder in (directory, seeds_dir().resolve()):
        h.update(str(folder).encode() + b"\0")
        try:
            files = [p for p in folder.iterdir() if p.is_file()]
        except OSError:
            files = []
        digest_files(h, folder, files)
    return h.hexdigest()[:32]


def _trusted(path: Path) -> bool:
    """Whether ``path`` is owned by this user and writable by nobody else.

    A pickle runs code when loaded, so only a file that only this user could have written
    (in a folder only this user can change) is read; anything else is validated again.
    """
    try:
        for item in (path.parent, path):
            info = item.stat()
            if info.st_uid != os.getuid() or info.st_mode & 0o022:
                return False
    except OSError:
        return False
    return True


def _read_stored(store: Path, key: str) -> _Report | None:
    """The stored report for ``key``, or None (absent, unreadable, not this key's, or in a
    file another user could have written)."""
    path = store / f"report-{key}.pickle"
    if not path.exists():
        return None
    if not _trusted(path):
        _LOG.warning("validation report store: %s not trusted (owner or mode); ignored", path)
        return None
    try:
        with path.open("rb") as handle:
            # Written by _write_stored of this package into the user's own cache folder.
            stored_key, report = pickle.load(handle)
    except FileNotFoundError:
        return None
    except Exception as exc:  # a damaged or foreign file: validate again
        _LOG.debug("validation report store: %s unreadable (%r)", key, exc)
        return None
    if stored_key != key or not isinstance(report, _Report):
        return None
    return report


def _write_stored(store: Path, key: str, report: _Report) -> None:
    """Store a report (the accepted data, problems and notes; no corpus), never half."""
    accepted = _Checker(report.accepted.directory)
    accepted.features = report.accepted.features
    accepted.collections = report.accepted.collections
    accepted.targets = report.accepted.targets
    accepted.problems = list(report.accepted.problems)
    accepted.notes = list(report.accepted.notes)
    accepted.unchecked_quotes = report.accepted.unchecked_quotes
    slim = replace(report, accepted=accepted)
    try:
        store.mkdir(mode=0o700, parents=True, exist_ok=True)
        handle, tmp_name = tempfile.mkstemp(dir=store, prefix=f".report-{key}.")  # mode 0600
        tmp = Path(tmp_name)
        try:
            with os.fdopen(handle, "wb") as out:
                pickle.dump((key, slim), out, protocol=pickle.HIGHEST_PROTOCOL)
            tmp.replace(store / f"report-{key}.pickle")
        finally:
            tmp.unlink(missing_ok=True)
        found = sorted(store.glob("report-*.pickle"), key=lambda p: p.stat().st_mtime, reverse=True)
        for old in found[_KEEP_REPORTS:]:
            old.unlink(missing_ok=True)
    except OSError as exc:  # a read-only or full disk: the report is still used
        _LOG.debug("validation report store: not written (%r)", exc)


def _validated(directory: Path) -> _Report:
    """Validate, then refuse every layer file with a problem until the rest is clean.

    Refusing a file can break another (a parent or a planned link now missing), so the
    checks run again on the remaining files until no further file has a problem.
    """
    if not directory.is_dir():
        problem = Problem(str(directory), "-", "-", "layers folder not found")
        return _Report((problem,), (problem,), (), _Checker(directory), (), True)
    files = sorted(directory.glob("*.geojson"))
    if not files:
        problem = Problem(str(directory), "-", "-", "no *.geojson layer files")
        return _Report((problem,), (problem,), (), _Checker(directory), (), True)
    checker = _check_folder(directory, files)
    first = tuple(checker.problems)
    problems = list(first)
    refused: list[str] = []
    # travel_targets.json is refused like a layer for a problem of its own (travel then has
    # no targets); one that only names a feature of a refused file is listed, not refused
    # (travel reports such a target's ends as missing).
    targets = {TARGETS_FILE}
    while True:
        names = {p.name for p in files} | targets
        bad = sorted({p.file for p in checker.problems if p.file in names})
        if not bad:
            break
        refused.extend(bad)
        files = [p for p in files if p.name not in bad]
        checker = _check_folder(directory, files, targets=TARGETS_FILE not in refused)
        note = f" (after refusing {', '.join(refused)})"
        known = set(problems)
        listed = {f.name for f in files} | ({TARGETS_FILE} - set(refused))
        problems.extend(
            Problem(p.file, p.feature_id, p.field, p.reason + note)
            for p in checker.problems
            if p not in known and p.file in listed
        )
        targets = set()
    return _Report(first, tuple(problems), tuple(refused), checker, tuple(checker.notes), False)


def _check_folder(directory: Path, files: list[Path], targets: bool = True) -> _Checker:
    checker = _Checker(directory)
    parsed: list[tuple[str, list[tuple[str, dict[str, Any], BaseGeometry | None]]]] = []
    links: list[tuple[str, Any]] = []
    for path in files:
        parsed.append((path.name, _check_file(checker, path, links)))
    _check_parents(checker)
    _check_links(checker, links)
    if targets:
        _check_targets(checker, directory / TARGETS_FILE)
    from corridor_map.atlas.indicators import validate_register

    checker.resolver()  # a broken seed: one problem (finish), counting the register's quotes

    def unchecked(count: int) -> None:
        checker.unchecked_quotes += count

    checker.problems.extend(validate_register(directory, on_unchecked=unchecked))
    districts = _district_geometries(checker)
    curated = [name for name, _ in parsed if not name.startswith("ref_")]
    if curated and not districts:
        checker.add(DISTRICTS_FILE, "-", "-", "missing or empty: containment not checked")
    containment = _Containment(districts)
    checkable: dict[str, list[tuple[str, dict[str, Any], BaseGeometry, tuple[str, ...]]]] = {}
    for name, items in parsed:
        checkable[name] = _check_containment(checker, name, items, containment)
    _check_known_points(checker, parsed)
    _check_gcj_anchors(checker, parsed, checkable, districts)
    checker.finish()
    return checker


def _check_file(
    checker: _Checker, path: Path, links: list[tuple[str, Any]]
) -> list[tuple[str, dict[str, Any], BaseGeometry | None]]:
    name = path.name
    data, error = _read_json(path)
    if error is not None:
        checker.add(name, "-", "-", error)
        return []
    findings = schemas.check("layer", data)
    per_feature: dict[int, list[schemas.Finding]] = {}
    for finding in findings:
        if len(finding.path) >= 2 and finding.path[0] == "features":
            index = finding.path[1]
            if isinstance(index, int):
                per_feature.setdefault(index, []).append(finding)
                continue
        checker.structure(name, [finding])
        if finding.gate == 0:  # not a FeatureCollection, or features not a list
            return []
    checker.collections[name] = {k: v for k, v in data.items() if k != "features"}
    _check_collection(checker, name, data)
    if "links" in data:
        links.append((name, data["links"]))
    items = []
    for index, raw in enumerate(data["features"]):
        item = _check_feature(checker, name, index, raw, per_feature.get(index, []))
        if item is not None:
            items.append(item)
    return items


def _check_collection(checker: _Checker, name: str, data: dict[str, Any]) -> None:
    """A declared CRS other than WGS84, and OSM geometry without its attribution."""
    declared = _declared_crs(data)
    if declared is not None:
        checker.add(
            name,
            "-",
            "crs",
            f"declares coordinates in {declared}; layers must hold WGS84 "
            "(convert GCJ-02 with corridor_map.geo.gcj02.gcj02_to_wgs84_geojson)",
        )
    osm_based = any(
        isinstance(f, dict)
        and isinstance(f.get("properties"), dict)
        and f["properties"].get("geometry_basis") == "osm"
        for f in data["features"]
    )
    if osm_based and "OpenStreetMap contributors" not in str(data.get("attribution", "")):
        checker.add(
            name,
            "-",
            "attribution",
            "features with geometry_basis 'osm' need the FeatureCollection attribution "
            "'© OpenStreetMap contributors' (ODbL)",
        )


def _check_links(checker: _Checker, links: list[tuple[str, Any]]) -> None:
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


def _check_targets(checker: _Checker, path: Path) -> None:
    """Travel targets cite documents and features like layers do, so check them alike.

    The structure is ``travel_targets.schema.json``; here each target's excerpts must
    resolve verbatim and every feature id it names as origin or destination must exist.
    An absent file is fine (no targets to show). When its structure is sound the checked
    data is kept on the checker (:attr:`_Checker.targets`); the atlas hands it to travel
    unless the file was refused.
    """
    if not path.exists():
        return
    name = path.name
    data, error = _read_json(path)
    if error is not None:
        checker.add(name, "-", "-", error)
        return
    before = len(checker.problems)
    targets = data.get("targets") if isinstance(data, dict) else None
    for finding in schemas.check("travel_targets", data):
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


def _check_target(checker: _Checker, name: str, tid: str, record: dict[str, Any]) -> None:
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


def _declared_crs(data: dict[str, Any]) -> str | None:
    """Return the declared CRS name when it is something other than WGS84."""
    names = []
    crs = data.get("crs")
    if isinstance(crs, dict):
        props = crs.get("properties")
        names.append(str(props.get("name", "")) if isinstance(props, dict) else str(crs))
    elif crs is not None:
        names.append(str(crs))
    for key in ("coordinate_system", "coordinateSystem", "crs_name"):
        if data.get(key) is not None:
            names.append(str(data[key]))
    for declared in names:
        lowered = declared.lower()
        if not any(ok in lowered for ok in _WGS84_CRS_NAMES) or "gcj" in lowered:
            return declared
    return None


def _check_feature(
    checker: _Checker, file: str, index: int, raw: Any, findings: list[schemas.Finding]
) -> tuple[str, dict[str, Any], BaseGeometry | None] | None:
    """Report the schema's findings for one feature, then check what it cannot say."""
    props = raw.get("properties") if isinstance(raw, dict) else None
    fid = props.get("id") if isinstance(props, dict) else None
    if not isinstance(fid, str) or not fid:
        fid = f"#{index}"
    fields: set[str] = set()
    for finding in findings:
        below = finding.path[2:]
        if below[:1] == ("properties",) and len(below) > 1:
            below = below[1:]
        field_name = schemas.field_name(below) or "-"
        fields.add(field_name)
        checker.add(file, fid, field_name, finding.reason)
        if finding.gate is not None:  # not a Feature, or properties not an object
            return None
    assert isinstance(raw, dict) and isinstance(props, dict)  # else a gate finding
    if fid in checker.features:
        checker.add(file, fid, "id", f"duplicate id (first used in {checker.features[fid][0]})")
        return None
    _check_properties(checker, file, fid, props)
    geometry = None if "geometry" in fields else _check_geometry(checker, file, fid, props, raw)
    _check_area(checker, file, fid, props, geometry)
    checker.features[fid] = (file, props, geometry)
    return fid, props, geometry


def _check_properties(checker: _Checker, file: str, fid: str, props: dict[str, Any]) -> None:
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


def _check_within_targets(checker: _Checker) -> None:
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


def _check_stated(checker: _Checker, file: str, fid: str, props: dict[str, Any]) -> None:
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


# ---- geometry


def _decimals_ok(value: float) -> bool:
    return round(value, 6) == value


def _iter_positions(coords: Any) -> Iterator[Any]:
    if isinstance(coords, list) and coords and all(isinstance(c, (int, float)) for c in coords):
        yield coords
    elif isinstance(coords, list):
        for part in coords:
            yield from _iter_positions(part)
    else:
        yield coords


def _in_region(lon: float, lat: float) -> bool:
    return REGION[0] <= lon <= REGION[2] and REGION[1] <= lat <= REGION[3]


def _check_geometry(
    checker: _Checker, file: str, fid: str, props: dict[str, Any], raw: dict[str, Any]
) -> BaseGeometry | None:
    """Check a geometry the schema accepted (type, null exactly when unlocated).

    Here: every position 2–3 finite numbers (the position walker is much faster than a
    schema walk over the reference layers' ~20,000 positions), ≤ 6 decimals, rings closed,
    no latitude/longitude swap, inside the region, shapely-valid, RFC 7946 winding.
    """
    geo = raw.get("geometry")
    if not isinstance(geo, dict):
        return None
    add = functools.partial(checker.add, file, fid, "geometry")
    positions = list(_iter_positions(geo.get("coordinates")))
    bad = [p for p in positions if not _position_ok(p)]
    if not positions or bad:
        shown = bad[0] if bad else geo.get("coordinates")
        add(f"malformed coordinates (e.g. {json.dumps(shown)[:80]})")
        return None
    if not all(_decimals_ok(c) for p in positions for c in p[:2]):
        add("coordinates carry more than 6 decimals")
    open_ring = _open_ring(geo)
    if open_ring is not None:
        # shapely closes rings silently, so an unclosed ring would pass every later check
        add(
            f"polygon ring {open_ring} is not closed (RFC 7946: at least 4 positions, "
            "the last equal to the first)"
        )
        return None
    if not _check_positions(add, props, positions):
        return None
    return _build_geometry(add, geo)


def _check_positions(
    add: Callable[[str], None], props: dict[str, Any], positions: list[Any]
) -> bool:
    """Swapped or impossible positions (False: stop) and positions outside the region."""
    swapped = [p for p in positions if not _in_region(p[0], p[1]) and _in_region(p[1], p[0])]
    if swapped:
        add(
            f"latitude/longitude look swapped: {swapped[0][:2]} reads as lon {swapped[0][0]}, "
            f"lat {swapped[0][1]}; GeoJSON order is [longitude, latitude]"
        )
        return False
    lats_invalid = [p for p in positions if not -90 <= p[1] <= 90]
    if lats_invalid:
        add(f"invalid latitude {lats_invalid[0][1]} (must be within ±90)")
        return False
    if props.get("role") != "enclave" and props.get("corridor") != "reference":
        outside = [p for p in positions if not _in_region(p[0], p[1])]
        if outside:
            add(
                f"{len(outside)} coordinate(s) outside the region lon {REGION[0]}–{REGION[2]}, "
                f"lat {REGION[1]}–{REGION[3]} (e.g. {outside[0][:2]}); "
                "only role 'enclave' may lie elsewhere"
            )
    return True


def _build_geometry(add: Callable[[str], None], geo: dict[str, Any]) -> BaseGeometry | None:
    """The shapely geometry, checked for validity and RFC 7946 winding."""
    try:
        geometry = shape(geo)
    except Exception as exc:  # shapely raises several types on malformed rings
        add(f"cannot build geometry: {exc}")
        return None
    if geometry.is_empty:
        add("empty geometry")
        return None
    if not geometry.is_valid:
        add(f"invalid {geometry.geom_type}: {shapely.is_valid_reason(geometry)}")
    if geometry.geom_type in {"Polygon", "MultiPolygon"}:
        polygons = list(getattr(geometry, "geoms", [geometry]))
        if any(not p.exterior.is_ccw for p in polygons) or any(
            ring.is_ccw for p in polygons for ring in p.interiors
        ):
            add(
                "ring winding violates RFC 7946 (exterior rings must be counter-clockwise, "
                "holes clockwise)"
            )
    return geometry


def _open_ring(geo: dict[str, Any]) -> int | None:
    """Index of the first polygon ring that is not closed, or None."""
    if geo["type"] == "Polygon":
        rings = geo["coordinates"]
    elif geo["type"] == "MultiPolygon":
        rings = [ring for polygon in geo["coordinates"] for ring in polygon]
    else:
        return None
    for i, ring in enumerate(rings):
        if not isinstance(ring, list) or len(ring) < 4 or ring[0] != ring[-1]:
            return i
    return None


def _position_ok(position: Any) -> bool:
    return (
        isinstance(position, list)
        and len(position) in (2, 3)
        and all(
            isinstance(c, (int, float)) and not isinstance(c, bool) and math.isfinite(c)
            for c in position
        )
    )


def _check_area(
    checker: _Checker,
    file: str,
    fid: str,
    props: dict[str, Any],
    geometry: BaseGeometry | None,
) -> None:
    if geometry is None or geometry.geom_type not in {"Polygon", "MultiPolygon"}:
        return
    if not geometry.is_valid:
        return
    measured_km2 = geodesic_area_km2(shapely.union_all(geometry))
    for i, figure in enumerate(props.get("stated") or []):
        if not isinstance(figure, dict) or figure.get("quantity") != "area":
            continue
        value = figure.get("value")
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
            continue
        stated_km2 = area_in_km2(float(value), str(figure.get("unit")))
        if stated_km2 is None:
            continue
        ratio = measured_km2 / stated_km2
        if abs(ratio - 1) > AREA_TOLERANCE:
            checker.add(
                file,
                fid,
                f"stated[{i}]",
                f"geodesic area {measured_km2:.2f} km² is {100 * (ratio - 1):+.0f} % off the "
                f"stated {figure.get('text') or value} ({stated_km2:.2f} km²); "
                f"tolerance ±{AREA_TOLERANCE:.0%}",
            )
    measured = props.get("measured")
    if isinstance(measured, dict) and isinstance(measured.get("area_km2"), (int, float)):
        recorded = float(measured["area_km2"])
        if abs(recorded - measured_km2) > max(0.01 * measured_km2, 0.01):
            checker.add(
                file,
                fid,
                "measured.area_km2",
                f"records {recorded} km² but the geometry measures {measured_km2:.2f} km²",
            )


# ---- cross-feature checks


def _check_parents(checker: _Checker) -> None:
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


def _district_geometries(checker: _Checker) -> dict[str, tuple[str, BaseGeometry]]:
    found: dict[str, tuple[str, BaseGeometry]] = {}
    for file, props, geometry in checker.features.values():
        if (
            file == DISTRICTS_FILE
            and props.get("role") == "district"
            and geometry is not None
            and isinstance(props.get("code"), str)
        ):
            found[props["code"]] = (str(props.get("name_zh")), geometry)
    return found


@functools.lru_cache(maxsize=1)
def _utm() -> tuple[Transformer, Transformer]:
    # UTM 51N spans lon 120–126°: the whole region, so metre buffers are faithful here.
    forward = Transformer.from_crs("EPSG:4326", "EPSG:32651", always_xy=True)
    back = Transformer.from_crs("EPSG:32651", "EPSG:4326", always_xy=True)
    return forward, back


def _buffer_m(geometry: BaseGeometry, metres: float) -> BaseGeometry:
    forward, back = _utm()

    def _apply(transformer: Transformer) -> Callable[[np.ndarray], np.ndarray]:
        return lambda xy: np.column_stack(transformer.transform(xy[:, 0], xy[:, 1]))

    projected = shapely.transform(geometry, _apply(forward))
    return shapely.transform(projected.buffer(metres), _apply(back))


class _Containment:
    """Union of listed districts, grown by the buffer, cached per district set."""

    def __init__(
        self,
        districts: dict[str, tuple[str, BaseGeometry]],
        buffer_m: float = CONTAINMENT_BUFFER_M,
    ) -> None:
        self.districts = districts
        self.buffer_m = buffer_m
        self._cache: dict[tuple[str, ...], BaseGeometry] = {}

    def area(self, codes: tuple[str, ...]) -> BaseGeometry:
        if codes not in self._cache:
            union = shapely.union_all([self.districts[c][1] for c in codes])
            grown = _buffer_m(union, self.buffer_m) if self.buffer_m else union
            shapely.prepare(grown)
            self._cache[codes] = grown
        return self._cache[codes]

    def outside(self, geometry: BaseGeometry, codes: tuple[str, ...]) -> tuple[float, float]:
        """Outside the districts and in all: (points, points), (km, km) or (km², km²)."""
        area = self.area(codes)
        kind = geometry.geom_type
        if kind in {"Point", "MultiPoint"}:
            points = list(getattr(geometry, "geoms", [geometry]))
            return float(sum(not area.covers(p) for p in points)), float(len(points))
        whole = geodesic_measure(geometry)
        outside = geodesic_measure(geometry.difference(area))
        if kind in {"Polygon", "MultiPolygon"}:
            return outside.area_km2, whole.area_km2
        return outside.length_km, whole.length_km

    def outside_share(self, geometry: BaseGeometry, codes: tuple[str, ...]) -> float:
        """Share of the geometry (points, length or area) outside the grown districts."""
        area = self.area(codes)
        kind = geometry.geom_type
        if kind in {"Point", "MultiPoint"}:
            points = list(getattr(geometry, "geoms", [geometry]))
            return sum(not area.covers(p) for p in points) / len(points)
        whole = geodesic_measure(geometry)
        outside = geodesic_measure(geometry.difference(area))
        if kind in {"Polygon", "MultiPolygon"}:
            return outside.area_km2 / whole.area_km2 if whole.area_km2 else 0.0
        return outside.length_km / whole.length_km if whole.length_km else 0.0


def _contain_failures(
    containment: _Containment,
    items: list[tuple[str, dict[str, Any], BaseGeometry | None, tuple[str, ...]]],
    convert: Callable[[BaseGeometry], BaseGeometry] | None = None,
) -> list[tuple[str, float, tuple[str, ...]]]:
    failures = []
    for fid, _, geometry, codes in items:
        if geometry is None:
            continue
        shifted = geometry if convert is None else convert(geometry)
        share = containment.outside_share(shifted, codes)
        limit = 0.0 if geometry.geom_type in {"Point", "MultiPoint"} else 1 - CONTAINMENT_SHARE
        if share > limit + 1e-9:
            failures.append((fid, share, codes))
    return failures


def _check_containment(
    checker: _Checker,
    file: str,
    items: list[tuple[str, dict[str, Any], BaseGeometry | None]],
    containment: _Containment,
) -> list[tuple[str, dict[str, Any], BaseGeometry, tuple[str, ...]]]:
    """Check each feature lies in its districts; return those that could be checked."""
    districts = containment.districts
    checkable: list[tuple[str, dict[str, Any], BaseGeometry, tuple[str, ...]]] = []
    if file.startswith("ref_") or not districts:
        return checkable
    for fid, props, geometry in items:
        if geometry is None or not geometry.is_valid or props.get("role") == "enclave":
            continue
        if props.get("corridor") == "reference":
            continue
        listed = props.get("district")
        entries = [d for d in listed if isinstance(d, dict)] if isinstance(listed, list) else []
        codes = []
        for entry in entries:
            code = str(entry.get("code"))
            if code not in districts:
                checker.add(
                    file,
                    fid,
                    "district",
                    f"{entry.get('name')} {code} is not in {DISTRICTS_FILE}; "
                    "containment cannot be checked",
                )
            elif entry.get("name") != districts[code][0]:
                checker.add(
                    file,
                    fid,
                    "district",
                    f"code {code} is {districts[code][0]}, not {entry.get('name')}",
                )
                codes.append(code)
            else:
                codes.append(code)
        # Positions outside the region were reported already; skip the costly check.
        if (
            codes
            and len(codes) == len(entries)
            and all(_in_region(x, y) for x, y in shapely.get_coordinates(geometry))
        ):
            checkable.append((fid, props, geometry, tuple(sorted(codes))))
    failures = _contain_failures(containment, checkable)
    for fid, share, failed in failures:
        names = "、".join(districts[c][0] for c in failed)
        checker.add(
            file,
            fid,
            "district",
            f"{share:.0%} lies outside {names} (+{CONTAINMENT_BUFFER_M:.0f} m); "
            f"at most {1 - CONTAINMENT_SHARE:.0%} of a line or polygon and no point may",
        )
    # One stray feature proves nothing; a file-wide ~540 m shift shows up as several.
    if len(failures) >= 2:
        converted = _contain_failures(containment, checkable, gcj02_to_wgs84_geometry)
        if len(converted) <= len(failures) // 2:
            checker.add(
                file,
                "-",
                "geometry",
                f"coordinates look like GCJ-02 (Gaode/AMap) rather than WGS84: "
                f"{len(failures)} feature(s) fall outside their districts as given, "
                f"{len(converted)} after converting GCJ-02 → WGS84",
            )
    return checkable


def _reference_points(
    parsed: list[tuple[str, list[tuple[str, dict[str, Any], BaseGeometry | None]]]],
) -> list[tuple[str, float, float]]:
    points = []
    for file, items in parsed:
        if not file.startswith("ref_"):
            continue
        for fid, _, geometry in items:
            if geometry is not None and geometry.geom_type == "Point":
                points.append((fid, geometry.x, geometry.y))
    return points


def _check_known_points(
    checker: _Checker,
    parsed: list[tuple[str, list[tuple[str, dict[str, Any], BaseGeometry | None]]]],
) -> None:
    refs = _reference_points(parsed)
    if not refs:
        return
    ref_lon = np.array([r[1] for r in refs])
    ref_lat = np.array([r[2] for r in refs])
    gcj_lon, gcj_lat = wgs84_to_gcj02(ref_lon, ref_lat)
    for file, items in parsed:
        if file.startswith("ref_"):
            continue
        for fid, _, geometry in items:
            if geometry is None or geometry.geom_type != "Point":
                continue
            x, y = geometry.x, geometry.y
            # Cheap degree pre-filter before geodesic distances (0.002° ≈ 200 m).
            near = np.flatnonzero((np.abs(gcj_lon - x) < 0.002) & (np.abs(gcj_lat - y) < 0.002))
            for i in near:
                to_gcj = distance_km(x, y, gcj_lon[i], gcj_lat[i]) * 1000
                to_ref = distance_km(x, y, ref_lon[i], ref_lat[i]) * 1000
                if to_gcj <= _GCJ_MATCH_M and to_ref >= _GCJ_MIN_SHIFT_M:
                    checker.add(
                        file,
                        fid,
                        "geometry",
                        f"looks like GCJ-02: {to_gcj:.0f} m from the GCJ-02 position of "
                        f"{refs[i][0]} but {to_ref:.0f} m from its WGS84 position; "
                        "convert with corridor_map.geo.gcj02.gcj02_to_wgs84",
                    )
                    break


# ---- GCJ-02 anchors: does the file fit the reference data better as given or converted?

#: A vertex this close to a district boundary or a reference point/line (other than the
#: road graph, too dense to tell chance from derivation) counts as anchored to it.
ANCHOR_NEAR_M = 100.0
#: Converted must beat "as given" by this factor, and by at least this many vertices,
#: for the file to count as GCJ-02.
_ANCHOR_FACTOR = 2.0
_ANCHOR_MIN_VERTICES = 5
#: The curation scripts place hand-derived points and shape centres on a 0.001° grid; a
#: position within 2 m of it in both coordinates is on the grid (by chance: ~0.2 %).
CURATION_GRID_DEG = 0.001
_GRID_TOLERANCE_DEG = 2e-5
_GRID_MIN = 3
#: Outside the (unbuffered) districts as given, at least this much and this many times
#: what remains after GCJ-02 → WGS84, marks a file as GCJ-02.
_FIT_MIN = {"km²": 0.1, "km": 0.2, "points": 2.0}
_FIT_FACTOR = 4.0
_NEAR_DEG = ANCHOR_NEAR_M / 111_320.0  # 1° of latitude; of longitude here ≥ 97 km


def _anchor_tree(
    checker: _Checker, districts: dict[str, tuple[str, BaseGeometry]]
) -> shapely.STRtree | None:
    anchors = [geometry.boundary for _, geometry in districts.values()]
    for file, _, geometry in checker.features.values():
        if (
            file.startswith("ref_")
            and file not in (DISTRICTS_FILE, "ref_roads.geojson")
            and geometry is not None
        ):
            polygonal = geometry.geom_type in {"Polygon", "MultiPolygon"}
            anchors.append(geometry.boundary if polygonal else geometry)
    return shapely.STRtree(anchors) if anchors else None


def _near_anchor_count(tree: shapely.STRtree, lon: np.ndarray, lat: np.ndarray) -> int:
    if lon.size == 0:
        return 0
    hits = tree.query(shapely.points(lon, lat), predicate="dwithin", distance=_NEAR_DEG)
    return int(np.unique(hits[0]).size)


def _check_gcj_anchors(
    checker: _Checker,
    parsed: list[tuple[str, list[tuple[str, dict[str, Any], BaseGeometry | None]]]],
    checkable: dict[str, list[tuple[str, dict[str, Any], BaseGeometry, tuple[str, ...]]]],
    districts: dict[str, tuple[str, BaseGeometry]],
) -> None:
    """Catch a curated file shifted wholesale to GCJ-02, wherever it has an anchor.

    Three anchors, each compared as given and after converting GCJ-02 → WGS84: vertices
    that sit on a district boundary or a reference station, runway or stop; how much of
    the file lies outside its districts (unbuffered); and points and polygon centres on
    the 0.001° grid the curation scripts round positions to. A file with none gets a note
    for ``validate --explain``: a wholesale shift of it would pass.
    """
    tree = _anchor_tree(checker, districts)
    flat = _Containment(districts, buffer_m=0.0)
    for file, items in parsed:
        if file.startswith("ref_") or file == PLANNED_LINKS_FILE:
            continue
        located = [
            geometry
            for _, props, geometry in items
            if geometry is not None
            and props.get("role") != "enclave"
            and all(_in_region(x, y) for x, y in shapely.get_coordinates(geometry))
        ]
        if not located:
            continue
        already = any(
            p.file == file and p.feature_id == "-" and "GCJ-02" in p.reason
            for p in checker.problems
        )
        coords = np.concatenate([shapely.get_coordinates(g) for g in located])
        given = converted = 0
        if tree is not None:
            given = _near_anchor_count(tree, coords[:, 0], coords[:, 1])
            back_lon, back_lat = gcj02_to_wgs84(coords[:, 0], coords[:, 1])
            converted = _near_anchor_count(tree, np.asarray(back_lon), np.asarray(back_lat))
        fit_given: dict[str, float] = dict.fromkeys(_FIT_MIN, 0.0)
        fit_converted: dict[str, float] = dict.fromkeys(_FIT_MIN, 0.0)
        for _, _, geometry, codes in checkable.get(file, []):
            unit = {"Polygon": "km²", "MultiPolygon": "km²", "Point": "points"}.get(
                geometry.geom_type, "points" if geometry.geom_type == "MultiPoint" else "km"
            )
            fit_given[unit] += flat.outside(geometry, codes)[0]
            back = gcj02_to_wgs84_geometry(geometry)
            fit_converted[unit] += flat.outside(back, codes)[0] if back.is_valid else 0.0
        grid_given, grid_converted = _on_grid_counts(
            [g for _, _, g in items if g is not None and g.geom_type in {"Point", "Polygon"}]
        )
        reasons = []
        if grid_converted >= max(_GRID_MIN, _ANCHOR_FACTOR * grid_given + 2):
            reasons.append(
                f"{grid_converted} points or shape centres sit on the "
                f"{CURATION_GRID_DEG:g}° curation grid after converting GCJ-02 → WGS84, "
                f"{grid_given} as given"
            )
        if converted >= _ANCHOR_FACTOR * given + _ANCHOR_MIN_VERTICES:
            reasons.append(
                f"{converted} vertices lie within {ANCHOR_NEAR_M:.0f} m of a district "
                f"boundary or reference station after converting GCJ-02 → WGS84, {given} as "
                "given"
            )
        for unit, least in _FIT_MIN.items():
            if fit_given[unit] >= least and fit_given[unit] >= _FIT_FACTOR * fit_converted[unit]:
                reasons.append(
                    f"{fit_given[unit]:.2f} {unit} lie outside the listed districts as given, "
                    f"{fit_converted[unit]:.2f} {unit} after converting GCJ-02 → WGS84"
                )
        if reasons and not already:
            checker.add(
                file,
                "-",
                "geometry",
                "coordinates look like GCJ-02 (Gaode/AMap) rather than WGS84: "
                + "; ".join(reasons)
                + "; convert with corridor_map.geo.gcj02.gcj02_to_wgs84_geojson",
            )
        fits = any(max(fit_given[u], fit_converted[u]) > 0 for u in _FIT_MIN)
        gridded = max(grid_given, grid_converted) >= _GRID_MIN
        if max(given, converted) < _ANCHOR_MIN_VERTICES and not fits and not gridded:
            checker.notes.append(
                f"{file}: no GCJ-02 anchor: none of its {len(coords)} located vertices lies "
                f"within {ANCHOR_NEAR_M:.0f} m of a district boundary or reference station "
                "in either frame, every checked feature lies inside its districts both as "
                f"given and converted, and fewer than {_GRID_MIN} positions sit on the "
                f"{CURATION_GRID_DEG:g}° curation grid in either frame, so a wholesale "
                "GCJ-02 shift (~540 m) of this file would pass undetected"
            )
        else:
            checker.notes.append(
                f"{file}: GCJ-02 anchors (given/converted): {given}/{converted} vertices near "
                "a district boundary or reference station; "
                f"{grid_given}/{grid_converted} positions on the {CURATION_GRID_DEG:g}° "
                "curation grid; outside the districts "
                + ", ".join(f"{fit_given[u]:.2f}/{fit_converted[u]:.2f} {u}" for u in _FIT_MIN)
            )


def _on_grid_counts(geometries: list[BaseGeometry]) -> tuple[int, int]:
    """How many points / polygon centres lie on the curation grid, as given and converted."""
    if not geometries:
        return 0, 0
    centres = [g if g.geom_type == "Point" else g.centroid for g in geometries]
    lon = np.array([c.x for c in centres])
    lat = np.array([c.y for c in centres])
    back_lon, back_lat = gcj02_to_wgs84(lon, lat)

    def on_grid(x: np.ndarray, y: np.ndarray) -> int:
        def near(v: np.ndarray) -> np.ndarray:
            steps = v / CURATION_GRID_DEG
            return np.abs(steps - np.round(steps)) * CURATION_GRID_DEG < _GRID_TOLERANCE_DEG

        return int(np.count_nonzero(near(x) & near(y)))

    return on_grid(lon, lat), on_grid(np.asarray(back_lon), np.asarray(back_lat))
