"""The curation store: the current state of every curated feature and the trail of changes.

:class:`Store` is the interface the edits, the CLI and the app use; :class:`SqliteStore`
is the embedded implementation (one SQLite file in the data folder, WAL journal, nothing
to install). A PostgreSQL implementation for shared deployments can follow the same
protocol: every method is a plain read, and every write happens inside :meth:`writing`,
one exclusive transaction that records a change and the new states together.

Tables
------
``layers``
    One row per curated layer file: its top-level members (name, description,
    attribution) and the text style it is written in, so that publishing an unchanged
    store reproduces today's files byte for byte.
``features``
    One row per feature: layer file, position in it, properties and geometry (GeoJSON
    text) and a version that grows by one with each change (optimistic concurrency).
``registers``
    Whole JSON files the store holds besides the layers (``indicators.json``: reported
    values are recorded into it), with a version.
``published``
    The SHA-256 of each file as last published into the data folder's layers: a file
    that matches neither it nor the store's state was edited outside the store.
``changes``
    Append-only: id, author, time (UTC), reason, the source the change rests on, the
    feature, the kind and the state before and after (JSON). Ids have no gaps: a change
    and the states it writes commit together or not at all.
"""

from __future__ import annotations

import contextlib
import datetime
import hashlib
import json
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from corridor_map.atlas.report_cache import Report
from corridor_map.core.errors import CorridorMapError, UnknownFeatureError
from corridor_map.geo.geojson import LayerWriteError, read_json, render_collection

__all__ = [
    "CHANGE_KINDS",
    "CURATED_FILES",
    "Change",
    "CurationError",
    "FeatureState",
    "Layer",
    "SqliteStore",
    "Store",
    "StoreError",
    "StoreReads",
    "UnknownChangeError",
    "check_change",
    "check_version",
    "render_layer",
    "render_register",
]

#: the layer files the store holds (the curated corridors; reference layers are derived).
CURATED_FILES = ("taizhou_bay.geojson", "wenling_lakes.geojson", "wenzhou_daluo.geojson")
#: what a change may be.
CHANGE_KINDS = ("geometry", "set", "link", "unlink", "document", "indicator", "revert")
#: registers the store holds whole (JSON written with indent=1), e.g. the indicators.
REGISTER_FILES = ("indicators.json",)
#: the store's file name in the data folder.
STORE_FILE = "curation.sqlite"

# "lines": render_collection (keys sorted, one feature per line, sorted by id);
# "indent1": json.dumps(indent=1) in the file's own key and feature order.
_STYLES = ("lines", "indent1")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS layers (
    file TEXT PRIMARY KEY,
    meta TEXT NOT NULL,
    style TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS features (
    id TEXT PRIMARY KEY,
    file TEXT NOT NULL REFERENCES layers(file),
    position INTEGER NOT NULL,
    properties TEXT NOT NULL,
    geometry TEXT,
    version INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS changes (
    id INTEGER PRIMARY KEY,
    author TEXT NOT NULL,
    time TEXT NOT NULL,
    reason TEXT NOT NULL CHECK (length(trim(reason)) > 0),
    source TEXT NOT NULL,
    feature TEXT,
    kind TEXT NOT NULL,
    before TEXT,
    after TEXT
);
CREATE INDEX IF NOT EXISTS changes_feature ON changes(feature, id);
CREATE TABLE IF NOT EXISTS published (
    file TEXT PRIMARY KEY,
    sha256 TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS registers (
    file TEXT PRIMARY KEY,
    data TEXT NOT NULL,
    version INTEGER NOT NULL
);
"""


class CurationError(CorridorMapError):
    """A change that cannot be made; the message names the file, feature and field."""


class StoreError(CurationError):
    """The store cannot be opened, read or written (read-only folder, full disk …)."""


class UnknownChangeError(CurationError, LookupError):
    """No change has this id."""


class VersionConflictError(CurationError):
    """The feature changed since the version the edit was based on."""


@dataclass(frozen=True)
class FeatureState:
    """One curated feature as the store holds it.

    Attributes
    ----------
    id, file
        The feature id and the layer file it is published in.
    properties, geometry
        GeoJSON properties and geometry (None when unlocated), as published.
    version
        Grows by one with every change of the feature.
    """

    id: str
    file: str
    properties: dict[str, Any]
    geometry: dict[str, Any] | None
    version: int

    def record(self) -> dict[str, Any]:
        """The state as kept in a change's before/after: file, properties, geometry."""
        return {"file": self.file, "properties": self.properties, "geometry": self.geometry}


@dataclass(frozen=True)
class Change:
    """One entry of the trail."""

    id: int
    author: str
    time: str
    reason: str
    source: str
    feature: str | None
    kind: str
    before: Any
    after: Any

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form (``history --json``)."""
        return {
            "id": self.id,
            "author": self.author,
            "time": self.time,
            "reason": self.reason,
            "source": self.source,
            "feature": self.feature,
            "kind": self.kind,
            "before": self.before,
            "after": self.after,
        }


@dataclass(frozen=True)
class Layer:
    """A curated layer file's own members and text style."""

    file: str
    meta: dict[str, Any]
    style: str


class Store(Protocol):
    """What the edits need from a store (SQLite now, PostgreSQL to follow)."""

    def layers(self) -> dict[str, Layer]:
        """Every curated layer by file name."""
        ...

    def features(self, file: str | None = None) -> list[FeatureState]:
        """Every feature (of one file), in file order."""
        ...

    def feature(self, feature_id: str) -> FeatureState:
        """One feature; :class:`UnknownFeatureError` when absent."""
        ...

    def registers(self) -> list[str]:
        """The names of the registers the store holds (:data:`REGISTER_FILES`)."""
        ...

    def register(self, name: str) -> tuple[Any, int]:
        """A register's data and version."""
        ...

    def published(self) -> dict[str, str]:
        """File → SHA-256 of the bytes last published into the data folder's layers."""
        ...

    def mark_published(self, digests: dict[str, str]) -> None:
        """Remember what was published (its own transaction)."""
        ...

    def history(self, feature_id: str | None = None) -> list[Change]:
        """The changes (of one feature), oldest first."""
        ...

    def change(self, change_id: int) -> Change:
        """One change; :class:`UnknownChangeError` when absent."""
        ...

    def reading(self) -> contextlib.AbstractContextManager[None]:
        """One consistent snapshot for several reads (e.g. rendering every layer)."""
        ...

    def keep_report(self, key: str, report: Report) -> None:
        """Keep the validation report of the state a change publishes (inside
        :meth:`writing`), for replicas that load it without validating again."""
        ...

    def writing(self) -> contextlib.AbstractContextManager[None]:
        """One exclusive transaction: reads inside it see the state the write replaces."""
        ...

    def record(
        self,
        *,
        kind: str,
        author: str,
        reason: str,
        source: str,
        feature: str | None,
        before: Any,
        after: Any,
        states: list[FeatureState],
        registers: dict[str, tuple[Any, int]] | None = None,
    ) -> Change:
        """Append a change and write the new states (inside :meth:`writing`).

        Each state's ``version`` is the version it was based on; a feature whose stored
        version differs raises :class:`VersionConflictError` and nothing is written. So do
        ``registers``: name → (new data, the version it was based on).
        """
        ...


def _now() -> str:
    return datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _dump(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, allow_nan=False)


def _load(text: str | None) -> Any:
    return None if text is None else json.loads(text)


def render_layer(layer: Layer, features: list[FeatureState]) -> str:
    """A layer file's text, in its own style (byte-stable).

    Parameters
    ----------
    layer
        The layer's members and style.
    features
        Its features in file order.
    """
    items = [
        {"type": "Feature", "properties": f.properties, "geometry": f.geometry} for f in features
    ]
    if layer.style == "lines":
        return render_collection(layer.meta, items)
    collection: dict[str, Any] = {}
    for key, value in layer.meta.items():
        collection[key] = items if key == "features" else value
    if "features" not in collection:
        collection["features"] = items
    try:
        return json.dumps(collection, ensure_ascii=False, indent=1, allow_nan=False) + "\n"
    except ValueError as exc:  # NaN or Infinity: no strict reader accepts them
        raise LayerWriteError(f"{layer.file}: {exc} (NaN or Infinity)") from None


def render_register(data: Any) -> str:
    """A register file's text (``indicators.json``: ``json.dumps`` with ``indent=1``)."""
    return json.dumps(data, ensure_ascii=False, indent=1, allow_nan=False) + "\n"


def _style_of(text: str, data: dict[str, Any]) -> str | None:
    """The style that reproduces ``text`` exactly, or None."""
    meta = {k: v for k, v in data.items() if k not in {"type", "features"}}
    if render_collection(meta, data["features"]) == text:
        return "lines"
    if json.dumps(data, ensure_ascii=False, indent=1) + "\n" == text:
        return "indent1"
    return None


class StoreReads:
    """The reads both backends answer alike; a backend gives :meth:`_query` and the
    placeholder its driver writes parameters with (``?`` SQLite, ``%s`` psycopg)."""

    _PARAM = "?"

    def _query(self, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        raise NotImplementedError

    def layers(self) -> dict[str, Layer]:
        """Every curated layer by file name."""
        rows = self._query("SELECT file, meta, style FROM layers ORDER BY file")
        return {f: Layer(f, json.loads(m), s) for f, m, s in rows}

    def features(self, file: str | None = None) -> list[FeatureState]:
        """Every feature (of one file), in file order."""
        sql = "SELECT id, file, properties, geometry, version FROM features"
        if file is None:
            rows = self._query(sql + " ORDER BY file, position")
        else:
            rows = self._query(sql + f" WHERE file = {self._PARAM} ORDER BY position", (file,))
        return [FeatureState(i, f, json.loads(p), _load(g), v) for i, f, p, g, v in rows]

    def feature(self, feature_id: str) -> FeatureState:
        """One feature; :class:`UnknownFeatureError` when the store has none by this id."""
        rows = self._query(
            "SELECT id, file, properties, geometry, version FROM features "
            f"WHERE id = {self._PARAM}",
            (feature_id,),
        )
        if not rows:
            raise UnknownFeatureError(
                feature_id, f"未知的可编辑要素 / no curated feature with id {feature_id!r}"
            )
        i, f, p, g, v = rows[0]
        return FeatureState(i, f, json.loads(p), _load(g), v)


class SqliteStore(StoreReads):
    """The embedded store: one SQLite file (WAL) in the data folder.

    Parameters
    ----------
    path
        The database file.
    layers_dir
        Where today's curated layers are read from when the store is first used.
    """

    def __init__(self, path: Path, layers_dir: Path) -> None:
        self.path = Path(path)
        self.layers_dir = Path(layers_dir)
        self._in_write = False
        self._in_txn = False
        try:
            self._db = sqlite3.connect(self.path, timeout=60.0, isolation_level=None)
            self._db.execute("PRAGMA busy_timeout = 60000")
            self._db.execute("PRAGMA journal_mode = WAL")
            self._db.execute("PRAGMA synchronous = FULL")
            self._db.executescript(_SCHEMA)
            if self._db.execute("SELECT count(*) FROM layers").fetchone()[0] == 0:
                self._initialise()
            if self._db.execute("SELECT count(*) FROM registers").fetchone()[0] == 0:
                self._initialise_registers()
        except sqlite3.Error as exc:
            raise self._error(exc) from None

    def _error(self, exc: sqlite3.Error) -> StoreError:
        return StoreError(f"{self.path}: 无法使用编辑库 / cannot use the curation store: {exc}")

    def close(self) -> None:
        """Close the connection."""
        self._db.close()

    def _initialise(self) -> None:
        """Fill an empty store from today's curated layer files (one transaction)."""
        with self.writing():
            if self._db.execute("SELECT count(*) FROM layers").fetchone()[0]:
                return  # another process did it while this one waited
            for name in CURATED_FILES:
                path = self.layers_dir / name
                data, error = read_json(path)
                if error is not None or not isinstance(data, dict):
                    raise CurationError(f"{path}: cannot start the store from it: {error}")
                style = _style_of(path.read_text("utf-8"), data)
                if style is None:
                    raise CurationError(
                        f"{path}: not written by the layer writer; publish could not "
                        "reproduce it byte for byte"
                    )
                self._db.execute(
                    "INSERT OR REPLACE INTO published (file, sha256) VALUES (?, ?)",
                    (name, hashlib.sha256(path.read_bytes()).hexdigest()),
                )
                meta = {k: (None if k == "features" else v) for k, v in data.items()}
                if style == "lines":
                    meta = {k: v for k, v in meta.items() if k not in {"type", "features"}}
                self._db.execute(
                    "INSERT INTO layers (file, meta, style) VALUES (?, ?, ?)",
                    (name, _dump(meta), style),
                )
                for position, item in enumerate(data["features"]):
                    props = item["properties"]
                    self._db.execute(
                        "INSERT INTO features (id, file, position, properties, geometry, "
                        "version) VALUES (?, ?, ?, ?, ?, 1)",
                        (props["id"], name, position, _dump(props), _dump(item["geometry"])),
                    )

    def _initialise_registers(self) -> None:
        with self.writing():
            if self._db.execute("SELECT count(*) FROM registers").fetchone()[0]:
                return
            for name in REGISTER_FILES:
                path = self.layers_dir / name
                if not path.exists():
                    continue
                text = path.read_text("utf-8")
                data = json.loads(text)
                if render_register(data) != text:
                    raise CurationError(f"{path}: publish could not reproduce it byte for byte")
                self._db.execute(
                    "INSERT INTO registers (file, data, version) VALUES (?, ?, 1)",
                    (name, _dump(data)),
                )
                self._db.execute(
                    "INSERT OR REPLACE INTO published (file, sha256) VALUES (?, ?)",
                    (name, hashlib.sha256(text.encode("utf-8")).hexdigest()),
                )

    # ---- reads

    def registers(self) -> list[str]:
        """The names of the registers the store holds."""
        return [r[0] for r in self._query("SELECT file FROM registers ORDER BY file")]

    def register(self, name: str) -> tuple[Any, int]:
        """A register's data and version."""
        rows = self._query("SELECT data, version FROM registers WHERE file = ?", (name,))
        if not rows:
            raise CurationError(f"{name}: not a register of the store")
        return json.loads(rows[0][0]), rows[0][1]

    def published(self) -> dict[str, str]:
        """File → SHA-256 of the bytes last published into the data folder's layers."""
        return dict(self._query("SELECT file, sha256 FROM published"))

    def mark_published(self, digests: dict[str, str]) -> None:
        """Remember what was published (its own transaction)."""
        if not digests:
            return
        with self.writing():
            self._db.executemany(
                "INSERT INTO published (file, sha256) VALUES (?, ?) "
                "ON CONFLICT(file) DO UPDATE SET sha256 = excluded.sha256",
                sorted(digests.items()),
            )

    def history(self, feature_id: str | None = None) -> list[Change]:
        """The changes (of one feature), oldest first."""
        sql = "SELECT id, author, time, reason, source, feature, kind, before, after FROM changes"
        if feature_id is None:
            rows = self._query(sql + " ORDER BY id")
        else:
            rows = self._query(sql + " WHERE feature = ? ORDER BY id", (feature_id,))
        return [self._change(row) for row in rows]

    def change(self, change_id: int) -> Change:
        """One change; :class:`UnknownChangeError` when absent."""
        rows = self._query(
            "SELECT id, author, time, reason, source, feature, kind, before, after "
            "FROM changes WHERE id = ?",
            (change_id,),
        )
        if not rows:
            raise UnknownChangeError(f"未知的修改 / no change with id {change_id}")
        return self._change(rows[0])

    @staticmethod
    def _change(row: tuple[Any, ...]) -> Change:
        cid, author, time, reason, source, feature, kind, before, after = row
        return Change(cid, author, time, reason, source, feature, kind, _load(before), _load(after))

    def _query(self, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        try:
            return self._db.execute(sql, params).fetchall()
        except sqlite3.Error as exc:
            raise self._error(exc) from None

    # ---- writes

    def keep_report(self, key: str, report: Report) -> None:
        """Nothing to keep: the SQLite store's readers serve the folder its writers
        publish into, and find the report in the report store (or this process)."""
        del key, report

    @contextlib.contextmanager
    def reading(self) -> Iterator[None]:
        """A deferred transaction: every read inside it sees one committed state."""
        if self._in_txn:
            yield
            return
        try:
            self._db.execute("BEGIN DEFERRED")
        except sqlite3.Error as exc:
            raise self._error(exc) from None
        self._in_txn = True
        try:
            yield
        finally:
            self._in_txn = False
            with contextlib.suppress(sqlite3.Error):
                self._db.execute("COMMIT")

    @contextlib.contextmanager
    def writing(self) -> Iterator[None]:
        """``BEGIN IMMEDIATE`` … ``COMMIT``: one writer at a time, all or nothing."""
        if self._in_write:
            yield
            return
        if self._in_txn:
            raise RuntimeError("writing() inside reading()")
        try:
            self._db.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as exc:
            raise self._error(exc) from None
        self._in_write = self._in_txn = True
        try:
            yield
            self._db.execute("COMMIT")
        except BaseException as exc:
            with contextlib.suppress(sqlite3.Error):
                self._db.execute("ROLLBACK")
            if isinstance(exc, sqlite3.Error):
                raise self._error(exc) from None
            raise
        finally:
            self._in_write = self._in_txn = False

    def record(
        self,
        *,
        kind: str,
        author: str,
        reason: str,
        source: str,
        feature: str | None,
        before: Any,
        after: Any,
        states: list[FeatureState],
        registers: dict[str, tuple[Any, int]] | None = None,
    ) -> Change:
        """Append a change and write the new states; see :meth:`Store.record`."""
        if not self._in_write:
            raise RuntimeError("record() outside writing()")
        check_change(kind, reason)
        for state in states:
            row = self._db.execute(
                "SELECT version FROM features WHERE id = ?", (state.id,)
            ).fetchone()
            stored = None if row is None else row[0]
            check_version(state, stored)
            if stored is None:
                position = self._db.execute(
                    "SELECT coalesce(max(position) + 1, 0) FROM features WHERE file = ?",
                    (state.file,),
                ).fetchone()[0]
                self._db.execute(
                    "INSERT INTO features (id, file, position, properties, geometry, version) "
                    "VALUES (?, ?, ?, ?, ?, 1)",
                    (
                        state.id,
                        state.file,
                        position,
                        _dump(state.properties),
                        _dump(state.geometry),
                    ),
                )
            else:
                self._db.execute(
                    "UPDATE features SET file = ?, properties = ?, geometry = ?, "
                    "version = version + 1 WHERE id = ?",
                    (state.file, _dump(state.properties), _dump(state.geometry), state.id),
                )
        for name, (data, based_on) in (registers or {}).items():
            row = self._db.execute("SELECT version FROM registers WHERE file = ?", (name,))
            stored = row.fetchone()
            if stored is None or stored[0] != based_on:
                raise VersionConflictError(
                    f"{name}: 版本冲突 / version conflict: the edit is based on version "
                    f"{based_on}, the store holds {None if stored is None else stored[0]}"
                )
            self._db.execute(
                "UPDATE registers SET data = ?, version = version + 1 WHERE file = ?",
                (_dump(data), name),
            )
        cursor = self._db.execute(
            "INSERT INTO changes (author, time, reason, source, feature, kind, before, after) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (author, _now(), reason, source, feature, kind, _dump(before), _dump(after)),
        )
        change_id = cursor.lastrowid
        assert change_id is not None
        return self.change(change_id)


def check_change(kind: str, reason: str) -> None:
    """Refuse a change of an unknown kind or without a reason (every backend's record)."""
    if kind not in CHANGE_KINDS:
        raise CurationError(f"change kind {kind!r} is not one of {CHANGE_KINDS}")
    if not reason.strip():
        raise CurationError("--reason: 每项修改都须说明理由 / every change needs a reason")


def check_version(state: FeatureState, stored: int | None) -> None:
    """Refuse a save based on another version than the stored one (no lost update)."""
    if stored is not None and stored != state.version:
        raise VersionConflictError(
            f"{state.file}: {state.id}: 版本冲突 / version conflict: the edit is based "
            f"on version {state.version}, the store holds version {stored}"
        )


def store_present(db_url: str, data_root: Path) -> bool:
    """Whether a store is there to read: a database URL, or the SQLite file already made.

    A page that only reads must not make one (a read-only install has no place for it).
    """
    return bool(db_url) or (Path(data_root) / STORE_FILE).exists()


def open_store(data_root: Path) -> SqliteStore:
    """The store of a data folder (created from its curated layers on first use).

    Parameters
    ----------
    data_root
        The folder holding ``seeds/`` and ``layers/`` (:func:`corridor_map.core.paths.data_root`).
    """
    return SqliteStore(Path(data_root) / STORE_FILE, Path(data_root) / "layers")
