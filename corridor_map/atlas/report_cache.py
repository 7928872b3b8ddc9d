"""The validation report kept across restarts: plain JSON data, never code.

A report (:class:`Report`) is stored as one JSON file per content key
(:func:`report_key`) in the user's cache folder (:func:`report_store`). Loading it runs
nothing: it is parsed with :func:`json.loads` and rebuilt field by field, geometries from
WKB. So no trust check is needed to stay safe; what is still checked keeps the *data*
honest and the app up:

* the folder must be a directory this user owns that no one else may write (else the
  store is not used: validation runs each time), created ``0700``;
* an entry is opened without following a symlink and checked on the open descriptor
  (regular file, this user's, not group/world-writable, bounded size), so a swap between
  a check and the read cannot slip another file in;
* an entry that is truncated, foreign (another key or format) or malformed in any way is
  ignored and the folder is validated again, which writes a good entry over it;
* entries are written to a temporary file in the same folder and renamed over the old
  one (atomic), and no exception while writing can reach the caller.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import shapely
from shapely.geometry.base import BaseGeometry

from corridor_map.core.errors import Problem
from corridor_map.core.files import write_bytes_atomically
from corridor_map.core.paths import code_digest, digest_files, seeds_dir
from corridor_map.core.settings import load_settings
from corridor_map.geo.geojson import MAX_DATA_FILE_BYTES

__all__ = [
    "Report",
    "decode_report",
    "encode_report",
    "has_report",
    "read_report",
    "report_key",
    "report_store",
    "write_report",
]

_LOG = logging.getLogger(__name__)
#: The entry format; an entry of any other format is ignored (and rewritten).
FORMAT = "corridor-map/validation-report/2"
#: Reports kept on disk (older ones are removed: every data or code edit makes a new one).
_KEEP_REPORTS = 16
#: An entry larger than this is not read (the shipped data's report is about 5 MB).
MAX_ENTRY_BYTES = 512_000_000
#: Libraries whose behaviour decides a check (with this package's own sources).
_CHECKERS = ("jsonschema", "shapely", "pyproj", "numpy")

#: feature id → (file, properties, geometry or None)
Features = dict[str, tuple[str, dict[str, Any], BaseGeometry | None]]


@dataclass(frozen=True)
class Report:
    """The outcome of validating one layers folder.

    Attributes
    ----------
    first_round
        The problems of the first pass (what ``validate`` prints).
    problems
        Those and the problems found after refusing files (``(after refusing …)``).
    refused
        The files refused, in the order they were refused.
    features, collections, targets
        The accepted data: features, each file's top-level members, the checked
        ``travel_targets.json`` (None when absent or not sound).
    notes
        What the checks could not establish (``validate --explain``).
    fatal
        No folder or no layer file: nothing to load (never stored).
    """

    first_round: tuple[Problem, ...]
    problems: tuple[Problem, ...]
    refused: tuple[str, ...]
    features: Features
    collections: dict[str, dict[str, Any]]
    targets: dict[str, Any] | None
    notes: tuple[str, ...]
    fatal: bool


def report_store() -> Path | None:
    """Return the folder validation reports are kept in across restarts (None: off).

    Returns
    -------
    Path or None
        ``$CORRIDOR_MAP_CACHE`` when set (``off`` or an empty value turns the store
        off), else ``corridor-map`` in ``$XDG_CACHE_HOME`` (default ``~/.cache``).
    """
    return load_settings().cache_dir


def _regular_bounded(path: Path) -> bool:
    """A regular file (after symlinks) small enough to read: FIFOs and devices never are."""
    try:
        info = path.stat()
    except OSError:
        return False
    return stat.S_ISREG(info.st_mode) and info.st_size <= MAX_DATA_FILE_BYTES


def report_key(directory: Path) -> str:
    """Return the content key of a folder's validation report.

    The names and bytes of every file in the layers folder and in the seeds folder (the
    excerpts are checked against the documents), and the digest of the package's sources,
    schemas and checkers' versions. Not the folders' paths: a report speaks of file names
    only, so the same bytes elsewhere have the same report — a curation change checked in a
    candidate folder is not checked again when the published folder loads. An entry that is
    not a regular file or is too large to be read counts by its name, type and size only
    (validation refuses it, by name: two folders that differ in such entries differ).
    """
    h = hashlib.sha256(code_digest((".py", ".json"), _CHECKERS).encode())
    for folder in (directory, seeds_dir().resolve()):
        h.update(b"\0")  # the two folders' files stay apart
        try:
            entries = sorted(folder.iterdir())
        except OSError:
            entries = []
        digest_files(h, folder, [p for p in entries if _regular_bounded(p)])
        for path in entries:
            if not _regular_bounded(path):
                h.update(f"{path.name}\0{_kind(path)}".encode() + b"\0")
    return h.hexdigest()[:32]


def _kind(path: Path) -> str:
    """An irregular entry's type and size (``lstat``: a link is described, not followed)."""
    try:
        info = path.lstat()
    except OSError:
        return "gone"
    return f"{stat.S_IFMT(info.st_mode):o}:{info.st_size}"


def _own_folder(store: Path, create: bool) -> Path | None:
    """The store's real folder when this user owns it and no one else may write to it."""
    try:
        if create:
            store.mkdir(mode=0o700, parents=True, exist_ok=True)
        real = store.resolve(strict=True)
        info = real.stat()
    except OSError:
        return None
    if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.getuid() or info.st_mode & 0o022:
        _LOG.warning("validation report store %s: not a private folder of this user; unused", store)
        return None
    return real


def _entry(folder: Path, key: str) -> Path:
    return folder / f"report-{key}.json"


def has_report(store: Path, key: str) -> bool:
    """Whether the store holds an entry for ``key`` (not read or checked)."""
    folder = _own_folder(store, create=False)
    return folder is not None and _entry(folder, key).is_file()


def read_report(store: Path, key: str) -> Report | None:
    """The stored report for ``key``, or None (absent, unreadable, foreign or malformed).

    Never raises: whatever is in the folder, the worst outcome is validating again.
    """
    folder = _own_folder(store, create=False)
    if folder is None:
        return None
    try:
        raw = _read_entry(_entry(folder, key))
        if raw is None:
            return None
        return _decode(json.loads(raw), key)
    except Exception as exc:  # any damage to a cache entry means: validate again
        _LOG.info("validation report store: entry %s ignored (%r)", key, exc)
        return None


def _read_entry(path: Path) -> bytes | None:
    flags = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags)
    except FileNotFoundError:
        return None
    with os.fdopen(fd, "rb") as handle:
        # Checked on the open descriptor: what is read is what was checked.
        info = os.fstat(handle.fileno())
        if (
            not stat.S_ISREG(info.st_mode)
            or info.st_uid != os.getuid()
            or info.st_mode & 0o022
            or info.st_size > MAX_ENTRY_BYTES
        ):
            _LOG.warning("validation report store: %s is not this user's private file", path)
            return None
        return handle.read(MAX_ENTRY_BYTES + 1)


def _problems(value: Any) -> tuple[Problem, ...]:
    if not isinstance(value, list):
        raise TypeError("problems: not a list")
    out = []
    for item in value:
        if (
            not isinstance(item, list)
            or len(item) != 4
            or not all(isinstance(s, str) for s in item)
        ):
            raise TypeError("problem: not four strings")
        out.append(Problem(*item))
    return tuple(out)


def _strings(value: Any) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(s, str) for s in value):
        raise TypeError("not a list of strings")
    return tuple(value)


def _decode(data: Any, key: str) -> Report | None:
    if not isinstance(data, dict) or data.get("format") != FORMAT or data.get("key") != key:
        return None
    rows, blobs = data["features"], data["geometries"]
    if not isinstance(rows, list) or not isinstance(blobs, list) or len(rows) != len(blobs):
        raise TypeError("features and geometries do not match")
    if not all(b is None or isinstance(b, str) for b in blobs):
        raise TypeError("geometries: not WKB text")
    geometries = shapely.from_wkb(blobs)  # None stays None (an unlocated feature)
    features: Features = {}
    for row, geometry in zip(rows, geometries, strict=True):
        if not (
            isinstance(row, list)
            and len(row) == 3
            and isinstance(row[0], str)
            and isinstance(row[1], str)
            and isinstance(row[2], dict)
        ):
            raise TypeError("feature: not [id, file, properties]")
        features[row[0]] = (row[1], row[2], geometry)
    collections, targets = data["collections"], data["targets"]
    if not isinstance(collections, dict) or not all(
        isinstance(v, dict) for v in collections.values()
    ):
        raise TypeError("collections: not an object of objects")
    if targets is not None and not isinstance(targets, dict):
        raise TypeError("targets: not an object")
    return Report(
        first_round=_problems(data["first_round"]),
        problems=_problems(data["problems"]),
        refused=_strings(data["refused"]),
        features=features,
        collections=collections,
        targets=targets,
        notes=_strings(data["notes"]),
        fatal=False,
    )


def _encode(report: Report, key: str) -> bytes:
    ids = list(report.features)
    geometries = [report.features[fid][2] for fid in ids]
    blobs = shapely.to_wkb(geometries, hex=True) if geometries else []
    data = {
        "format": FORMAT,
        "key": key,
        "first_round": [[p.file, p.feature_id, p.field, p.reason] for p in report.first_round],
        "problems": [[p.file, p.feature_id, p.field, p.reason] for p in report.problems],
        "refused": list(report.refused),
        "notes": list(report.notes),
        "collections": report.collections,
        "targets": report.targets,
        "features": [[fid, report.features[fid][0], report.features[fid][1]] for fid in ids],
        "geometries": [None if b is None else str(b) for b in blobs],
    }
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def encode_report(report: Report, key: str) -> bytes:
    """A report as the JSON bytes of a store entry (what a shared store hands replicas)."""
    return _encode(report, key)


def decode_report(raw: bytes, key: str) -> Report | None:
    """The report of :func:`encode_report`'s bytes for ``key``, or None (foreign, another
    key, malformed). Never raises: the worst outcome is validating again."""
    try:
        return _decode(json.loads(raw), key)
    except Exception as exc:  # damaged data means: validate again
        _LOG.info("validation report %s ignored (%r)", key, exc)
        return None


def write_report(store: Path, key: str, report: Report) -> None:
    """Store a report atomically; any failure is logged, never raised.

    A cache is an optimisation: a full disk, a read-only folder, a folder of another user
    or data the encoder cannot carry leave the report unstored and the app running.
    """
    try:
        folder = _own_folder(store, create=True)
        if folder is None:
            return
        _write_entry(folder, key, _encode(report, key))
        found = sorted(folder.glob("report-*.json"), key=lambda p: p.stat().st_mtime, reverse=True)
        for old in found[_KEEP_REPORTS:]:
            old.unlink(missing_ok=True)
    except Exception as exc:  # a cache must never take the app down
        _LOG.warning("validation report store: report not written (%r)", exc)


def _write_entry(folder: Path, key: str, data: bytes) -> None:
    write_bytes_atomically(_entry(folder, key), data, mode=0o600)  # this user's only
