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

Where the checks live: :mod:`~corridor_map.atlas.checks_quotes` (excerpts, dates, figures,
parents, links, targets; the :class:`~corridor_map.atlas.checks_quotes.Checker`),
:mod:`~corridor_map.atlas.checks_geometry` (a file, its features and geometries),
:mod:`~corridor_map.atlas.checks_values` (names and plausible numbers),
:mod:`~corridor_map.atlas.checks_containment` and :mod:`~corridor_map.atlas.checks_gcj02`;
the report kept across restarts is :mod:`~corridor_map.atlas.report_cache` (JSON). This
module holds the refusal loop and the public API.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, TypeVar, cast

from shapely.geometry.base import BaseGeometry

from corridor_map.atlas.checks_containment import (
    Containment,
    check_containment,
    district_geometries,
)
from corridor_map.atlas.checks_gcj02 import anchor_tree, check_gcj_anchors, check_known_points
from corridor_map.atlas.checks_geometry import check_file, forget_checked_files
from corridor_map.atlas.checks_quotes import Checker, check_links, check_parents, check_targets
from corridor_map.atlas.report_cache import (
    Report,
    has_report,
    read_report,
    report_key,
    report_store,
    write_report,
)
from corridor_map.core import schemas
from corridor_map.core.errors import Problem
from corridor_map.core.paths import data_snapshot
from corridor_map.core.paths import layers_dir as default_layers_dir
from corridor_map.core.vocab import DISTRICTS_FILE, TARGETS_FILE

__all__ = [
    "adopt_report",
    "checked_report",
    "explain",
    "forget_reports",
    "refusal_message",
    "validate",
]

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


def _folder_report(layers_dir: Path | str | None) -> Report:
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


@functools.lru_cache(maxsize=8)
def _report(directory: Path, snapshot: tuple[Any, ...]) -> Report:
    """The validation report of a folder: from the report store, else :func:`_validated`.

    In this process it is cached per data snapshot (names, sizes, modification times); on
    disk (:func:`corridor_map.atlas.report_cache.report_store`, JSON) per content digest
    (:func:`corridor_map.atlas.report_cache.report_key`), so a restart on unchanged bytes
    does not validate again, and any changed byte validates again.
    """
    del snapshot  # only part of the cache key
    if not directory.is_dir():
        return _validated(directory)
    key = report_key(directory)
    store = report_store()
    with _LOAD_LOCK:
        known = _BY_KEY.get(key)
    if known is not None:
        # Held in this process since a time the store was off or elsewhere: the next
        # process (the CLI after the app, a restart) finds it stored.
        if store is not None and not has_report(store, key):
            write_report(store, key, known)
        return known
    report = None if store is None else read_report(store, key)
    if report is None:
        report = _validated(directory)
        if report.fatal:
            # A fatal report names its folder (no layers there): never another folder's.
            return report
        if store is not None:
            write_report(store, key, report)  # never raises: a cache cannot take the app down
    _remember(key, report)
    return report


def checked_report(layers_dir: Path | str) -> tuple[str, Report]:
    """The content key (:func:`report_key`) of a folder and its validation report.

    What a writer hands on with a change it checked (the report of the state it
    publishes), so that replicas holding the same bytes load it without validating.
    """
    directory = Path(layers_dir).resolve()
    report = _folder_report(directory)
    return report_key(directory), report


def adopt_report(layers_dir: Path | str, fetch: Callable[[str], Report | None]) -> bool:
    """Take the report of a folder's current bytes from ``fetch`` when this process does
    not hold it yet; whether a report is now held.

    ``fetch(key)`` gives the report a writer validated for that content key (None when
    it has none): a replica of a shared store loads a published change without checking
    it again, since the key covers every byte of the layers, the seeds and the code.
    """
    directory = Path(layers_dir).resolve()
    if not directory.is_dir():
        return False
    key = report_key(directory)
    with _LOAD_LOCK:
        if key in _BY_KEY:
            return True
    store = report_store()
    report = None if store is None else read_report(store, key)
    if report is None:
        report = fetch(key)
        if report is None:
            return False
        if store is not None:
            write_report(store, key, report)
    _remember(key, report)
    return True


def _remember(key: str, report: Report) -> None:
    with _LOAD_LOCK:
        if len(_BY_KEY) >= _BY_KEY_MAX:
            _BY_KEY.pop(next(iter(_BY_KEY)))  # the oldest
        _BY_KEY[key] = report


def forget_reports() -> None:
    """Forget every validation outcome this process holds, as a restart would (the
    report store on disk stays): for benchmarks of a cold load and tests of the store."""
    _report.cache_clear()
    with _LOAD_LOCK:
        _BY_KEY.clear()
    forget_checked_files()
    schemas.forget_findings()
    with _LOAD_LOCK:
        _PER_FILE.clear()


#: reports of this process by content key (:func:`report_key`): the folder a curator's
#: change was checked in (a candidate copy) and the layers folder it is then published
#: into hold the same bytes, so the second is not validated (or decoded) again.
_BY_KEY: dict[str, Report] = {}
_BY_KEY_MAX = 4


def _validated(directory: Path) -> Report:
    """Validate, then refuse every layer file with a problem until the rest is clean.

    Refusing a file can break another (a parent or a planned link now missing), so the
    checks run again on the remaining files until no further file has a problem.
    """
    if not directory.is_dir():
        problem = Problem(str(directory), "-", "-", "layers folder not found")
        return Report((problem,), (problem,), (), {}, {}, None, (), True)
    files = sorted(directory.glob("*.geojson"))
    if not files:
        problem = Problem(str(directory), "-", "-", "no *.geojson layer files")
        return Report((problem,), (problem,), (), {}, {}, None, (), True)
    checker = _check_folder(directory, files)
    # The aliases may name any feature of the folder's files, refused ones too.
    every_id = set(checker.raw_ids)
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
        checker = _check_folder(
            directory, files, targets=TARGETS_FILE not in refused, every_id=every_id
        )
        note = f" (after refusing {', '.join(refused)})"
        known = set(problems)
        listed = {f.name for f in files} | ({TARGETS_FILE} - set(refused))
        problems.extend(
            Problem(p.file, p.feature_id, p.field, p.reason + note)
            for p in checker.problems
            if p not in known and p.file in listed
        )
        targets = set()
    return Report(
        first_round=first,
        problems=tuple(problems),
        refused=tuple(refused),
        features=checker.features,
        collections=checker.collections,
        targets=checker.targets,
        notes=tuple(checker.notes),
        fatal=False,
    )


def _check_folder(
    directory: Path, files: list[Path], targets: bool = True, every_id: set[str] | None = None
) -> Checker:
    checker = Checker(directory)
    parsed: list[tuple[str, list[tuple[str, dict[str, Any], BaseGeometry | None]]]] = []
    links: list[tuple[str, Any]] = []
    for path in files:
        parsed.append((path.name, check_file(checker, path, links)))
    check_parents(checker)
    check_links(checker, links)
    if targets:
        check_targets(checker, directory / TARGETS_FILE)
    from corridor_map.atlas.aliases import validate_aliases
    from corridor_map.atlas.indicators import validate_register

    checker.resolver()  # a broken seed: one problem (finish), counting the register's quotes

    def unchecked(count: int) -> None:
        checker.unchecked_quotes += count

    checker.problems.extend(validate_register(directory, on_unchecked=unchecked))
    ids = checker.raw_ids if every_id is None else every_id
    checker.problems.extend(validate_aliases(directory, ids))
    districts = district_geometries(checker)
    curated = [name for name, _ in parsed if not name.startswith("ref_")]
    if curated and not districts:
        checker.add(DISTRICTS_FILE, "-", "-", "missing or empty: containment not checked")
    containment = Containment(districts)
    reference = _reference_key(checker)
    checkable: dict[str, list[tuple[str, dict[str, Any], BaseGeometry, tuple[str, ...]]]] = {}
    for name, items in parsed:
        checkable[name] = _per_file(
            checker,
            ("containment", name, reference),
            functools.partial(check_containment, checker, name, items, containment),
        )
    check_known_points(checker, parsed)
    tree = functools.cache(functools.partial(anchor_tree, checker, districts))
    for name, items in parsed:
        _per_file(
            checker,
            ("gcj02", name, reference),
            functools.partial(
                check_gcj_anchors, checker, [(name, items)], checkable, districts, anchors=tree
            ),
        )
    checker.finish()
    return checker


def _reference_key(checker: Checker) -> tuple[tuple[str, str], ...]:
    """The bytes the containment and GCJ-02 checks of a file measure it against: every
    file up to the last reference layer in the checking order (files checked earlier
    decide which reference features a duplicate id leaves out)."""
    names = sorted(checker.digests)
    last = max((n for n in names if n.startswith("ref_")), default="")
    return tuple((n, checker.digests[n]) for n in names if n <= last)


_T = TypeVar("_T")
# (check, file, reference key) + the file's digest → (problems, notes, result): a check
# of one file against the reference layers, which a curator's save does not change.
_PER_FILE: dict[tuple[Any, ...], tuple[tuple[Problem, ...], tuple[str, ...], Any]] = {}
_PER_FILE_MAX = 128


def _per_file(checker: Checker, what: tuple[Any, ...], check: Callable[[], _T]) -> _T:
    """Run ``check`` of one file (adding problems and notes), or replay what it added for
    the same file bytes and reference key."""
    digest = checker.digests.get(what[1])
    if digest is None:
        return check()
    key = (*what, digest)
    with _LOAD_LOCK:
        known = _PER_FILE.get(key)
    if known is not None:
        checker.problems.extend(known[0])
        checker.notes.extend(known[1])
        return cast(_T, known[2])
    problems, notes = len(checker.problems), len(checker.notes)
    result = check()
    with _LOAD_LOCK:
        if len(_PER_FILE) >= _PER_FILE_MAX:
            _PER_FILE.pop(next(iter(_PER_FILE)))  # the oldest
        _PER_FILE[key] = (
            tuple(checker.problems[problems:]),
            tuple(checker.notes[notes:]),
            result,
        )
    return result
