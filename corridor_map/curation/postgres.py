"""The curation store on PostgreSQL + PostGIS, for a deployment shared by several bureaus.

:class:`PostgresStore` implements the :class:`~corridor_map.curation.store.Store` protocol
with the same tables and the same guarantees as the SQLite store: a change and the states
it writes commit together; change ids have no gaps; a state based on a stale version is
refused. Several app processes (replicas behind a load balancer) and CLI runs share one
database; each reads the committed state on every call, so one sees another's change as
soon as it is committed.

Properties and geometries are kept as the JSON text the layer files hold (publishing
stays byte for byte); each feature's geometry is also a PostGIS ``geometry(Geometry,
4326)`` column, kept with it on every write, for spatial queries in the database.

:func:`open_curation_store` picks the backend from the settings' database URL
(``CORRIDOR_MAP_DB``): PostgreSQL when it is a ``postgresql://`` URL, the SQLite file in
the data folder when it is empty.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import socket
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from corridor_map.atlas.report_cache import Report, decode_report, encode_report
from corridor_map.atlas.validation import adopt_report
from corridor_map.curation.db import is_postgres_url
from corridor_map.curation.publish import publish
from corridor_map.curation.store import (
    CURATED_FILES,
    REGISTER_FILES,
    Change,
    CurationError,
    FeatureState,
    SqliteStore,
    StoreError,
    StoreReads,
    UnknownChangeError,
    VersionConflictError,
    _dump,
    _load,
    _now,
    _style_of,
    check_change,
    check_version,
    open_store,
    render_register,
)
from corridor_map.geo.geojson import read_json

__all__ = [
    "FOLLOW_MARK",
    "PostgresStore",
    "adopt_shared_report",
    "fetch_report",
    "follow_store",
    "open_curation_store",
]

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
    geom geometry(Geometry, 4326),
    version INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS features_geom ON features USING gist (geom);
CREATE TABLE IF NOT EXISTS changes (
    id BIGINT PRIMARY KEY,
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
CREATE TABLE IF NOT EXISTS registers (
    file TEXT PRIMARY KEY,
    data TEXT NOT NULL,
    version INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS published (
    replica TEXT NOT NULL,
    file TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    PRIMARY KEY (replica, file)
);
"""
# The validation reports of the latest published states (zlib-compressed JSON of
# corridor_map.atlas.report_cache.encode_report), by content key: a replica whose layers
# hold those bytes loads them with the writer's report instead of validating again.
_REPORTS_SCHEMA = """
CREATE TABLE IF NOT EXISTS reports (
    key TEXT PRIMARY KEY,
    change BIGINT NOT NULL,
    data BYTEA NOT NULL
);
"""
#: reports kept (the newest states'); a replica more changes behind validates itself.
KEPT_REPORTS = 8
# Held while the schema is created and filled: two processes starting on an empty
# database must not both fill it.
_INIT_LOCK = "corridor-map store init"
_GEOM = "CASE WHEN %s::text IS NULL THEN NULL ELSE ST_SetSRID(ST_GeomFromGeoJSON(%s), 4326) END"


class PostgresStore(StoreReads):
    """The curation store in a PostgreSQL + PostGIS database.

    Parameters
    ----------
    url
        ``postgresql://user@host:port/database``; the PostGIS extension must be
        installed in it (or the user allowed to create it).
    layers_dir
        Where today's curated layers are read from when the database is first used.
    """

    def __init__(self, url: str, layers_dir: Path) -> None:
        import psycopg

        self.url = url
        self.layers_dir = Path(layers_dir)
        # Each replica serves its own layers folder: what was published is kept per folder.
        self.replica = f"{socket.gethostname()}:{self.layers_dir.resolve()}"
        self._in_write = False
        self._in_txn = False
        self._txn: Any = None
        try:
            self._db: Any = psycopg.connect(url, autocommit=True)
            with self._db.transaction():
                self._db.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", (_INIT_LOCK,))
                if not self._db.execute(
                    "SELECT 1 FROM pg_extension WHERE extname = 'postgis'"
                ).fetchone():
                    self._db.execute("CREATE EXTENSION postgis")
                # DDL only on a database without the tables: CREATE … IF NOT EXISTS still
                # takes table locks, which deadlock with a writer already in a save.
                (last,) = self._db.execute("SELECT to_regclass('published')").fetchone() or (None,)
                if last is None:
                    self._db.execute(_SCHEMA)
                (reports,) = self._db.execute("SELECT to_regclass('reports')").fetchone() or (None,)
                if reports is None:  # a database made before reports were kept
                    self._db.execute(_REPORTS_SCHEMA)
                if not self._db.execute("SELECT 1 FROM layers LIMIT 1").fetchone():
                    self._initialise()
                if not self._db.execute("SELECT 1 FROM registers LIMIT 1").fetchone():
                    self._initialise_registers()
                if not self._db.execute(
                    "SELECT 1 FROM published WHERE replica = %s LIMIT 1", (self.replica,)
                ).fetchone():
                    self._adopt_folder()
        except psycopg.Error as exc:
            raise self._error(exc) from None

    def _where(self) -> str:
        # The URL's password never reaches a message (logs, pages).
        head, _, tail = self.url.partition("@")
        return self.url if not tail else head.split("//")[0] + "//…@" + tail

    def _error(self, exc: Exception) -> StoreError:
        detail = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        return StoreError(
            f"{self._where()}: 无法使用编辑库 / cannot use the curation store: {detail}"
        )

    def close(self) -> None:
        """Close the connection."""
        self._db.close()

    def _initialise(self) -> None:
        """Fill an empty database from today's curated layer files (inside the init lock)."""
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
            meta = {k: (None if k == "features" else v) for k, v in data.items()}
            if style == "lines":
                meta = {k: v for k, v in meta.items() if k not in {"type", "features"}}
            self._db.execute(
                "INSERT INTO layers (file, meta, style) VALUES (%s, %s, %s)",
                (name, _dump(meta), style),
            )
            for position, item in enumerate(data["features"]):
                props = item["properties"]
                geometry = None if item["geometry"] is None else _dump(item["geometry"])
                self._db.execute(
                    "INSERT INTO features (id, file, position, properties, geometry, geom, "
                    f"version) VALUES (%s, %s, %s, %s, %s, {_GEOM}, 1)",
                    (props["id"], name, position, _dump(props), geometry, geometry, geometry),
                )

    def _initialise_registers(self) -> None:
        """Fill the registers from the layers folder's files (inside the init lock)."""
        for name in REGISTER_FILES:
            path = self.layers_dir / name
            if not path.exists():
                continue
            text = path.read_text("utf-8")
            data = json.loads(text)
            if render_register(data) != text:
                raise CurationError(f"{path}: publish could not reproduce it byte for byte")
            self._db.execute(
                "INSERT INTO registers (file, data, version) VALUES (%s, %s, 1)",
                (name, _dump(data)),
            )

    def _adopt_folder(self) -> None:
        """A replica's first contact: its files as they are count as published to it."""
        for name in (*CURATED_FILES, *REGISTER_FILES):
            path = self.layers_dir / name
            if path.exists():
                self._db.execute(
                    "INSERT INTO published (replica, file, sha256) VALUES (%s, %s, %s)",
                    (self.replica, name, hashlib.sha256(path.read_bytes()).hexdigest()),
                )

    # ---- reads

    def published(self) -> dict[str, str]:
        """File → SHA-256 of the bytes last published into this replica's layers folder."""
        rows = self._query("SELECT file, sha256 FROM published WHERE replica = %s", (self.replica,))
        return {str(f): str(d) for f, d in rows}

    def mark_published(self, digests: dict[str, str]) -> None:
        """Remember what was published into this replica's folder (its own transaction)."""
        if not digests:
            return
        with self.writing():
            for name, digest in sorted(digests.items()):
                self._db.execute(
                    "INSERT INTO published (replica, file, sha256) VALUES (%s, %s, %s) "
                    "ON CONFLICT (replica, file) DO UPDATE SET sha256 = excluded.sha256",
                    (self.replica, name, digest),
                )

    def registers(self) -> list[str]:
        """The names of the registers the store holds."""
        return [r[0] for r in self._query("SELECT file FROM registers ORDER BY file")]

    def register(self, name: str) -> tuple[Any, int]:
        """A register's data and version."""
        rows = self._query("SELECT data, version FROM registers WHERE file = %s", (name,))
        if not rows:
            raise CurationError(f"{name}: not a register of the store")
        return json.loads(rows[0][0]), int(rows[0][1])

    def _query(self, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        import psycopg

        try:
            return list(self._db.execute(sql, params).fetchall())
        except psycopg.Error as exc:
            raise self._error(exc) from None

    _PARAM = "%s"  # psycopg's placeholder (StoreReads' queries)

    _CHANGE_SQL = (
        "SELECT id, author, time, reason, source, feature, kind, before, after FROM changes"
    )

    def history(self, feature_id: str | None = None) -> list[Change]:
        """The changes (of one feature), oldest first."""
        if feature_id is None:
            rows = self._query(self._CHANGE_SQL + " ORDER BY id")
        else:
            rows = self._query(self._CHANGE_SQL + " WHERE feature = %s ORDER BY id", (feature_id,))
        return [self._change(row) for row in rows]

    def change(self, change_id: int) -> Change:
        """One change; :class:`UnknownChangeError` when absent."""
        rows = self._query(self._CHANGE_SQL + " WHERE id = %s", (change_id,))
        if not rows:
            raise UnknownChangeError(f"未知的修改 / no change with id {change_id}")
        return self._change(rows[0])

    @staticmethod
    def _change(row: tuple[Any, ...]) -> Change:
        cid, author, time, reason, source, feature, kind, before, after = row
        return Change(
            int(cid), author, time, reason, source, feature, kind, _load(before), _load(after)
        )

    def latest_change(self) -> int:
        """The id of the newest change (0 for none): one cheap query, for replicas."""
        return int(self._query("SELECT coalesce(max(id), 0) FROM changes")[0][0])

    def within(self, lon: float, lat: float) -> list[str]:
        """Ids of the features whose geometry covers a WGS84 point (PostGIS), by id."""
        rows = self._query(
            "SELECT id FROM features WHERE geom IS NOT NULL AND "
            "ST_Covers(geom, ST_SetSRID(ST_MakePoint(%s, %s), 4326)) ORDER BY id",
            (lon, lat),
        )
        return [r[0] for r in rows]

    def keep_report(self, key: str, report: Report) -> None:
        """Keep the report of the state a change publishes (inside :meth:`writing`, so it
        commits with the change); only the newest :data:`KEPT_REPORTS` stay."""
        if not self._in_write:
            raise RuntimeError("keep_report() outside writing()")
        data = zlib.compress(encode_report(report, key), 1)
        self._db.execute(
            "INSERT INTO reports (key, change, data) VALUES "
            "(%s, (SELECT coalesce(max(id), 0) FROM changes), %s) "
            "ON CONFLICT (key) DO UPDATE SET change = excluded.change, data = excluded.data",
            (key, data),
        )
        self._db.execute(
            "DELETE FROM reports WHERE key NOT IN "
            "(SELECT key FROM reports ORDER BY change DESC, key LIMIT %s)",
            (KEPT_REPORTS,),
        )

    # ---- transactions

    @contextlib.contextmanager
    def reading(self) -> Iterator[None]:
        """A read-only snapshot (REPEATABLE READ): every read inside it sees one state."""
        if self._in_txn:
            yield
            return
        import psycopg

        self._in_txn = True
        try:
            with self._db.transaction():
                self._db.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                yield
        except psycopg.Error as exc:
            raise self._error(exc) from None
        finally:
            self._in_txn = False

    @contextlib.contextmanager
    def writing(self) -> Iterator[None]:
        """One writer at a time, all or nothing.

        The transaction first takes a lock on ``changes`` that writers share with nobody
        (readers are not blocked), so reads inside it see the state the write replaces,
        exactly as SQLite's ``BEGIN IMMEDIATE``.
        """
        if self._in_write:
            yield
            return
        if self._in_txn:
            raise RuntimeError("writing() inside reading()")
        import psycopg

        self._in_write = self._in_txn = True
        try:
            with self._db.transaction():
                self._db.execute("LOCK TABLE changes IN SHARE ROW EXCLUSIVE MODE")
                yield
        except psycopg.Error as exc:
            raise self._error(exc) from None
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
                "SELECT version FROM features WHERE id = %s", (state.id,)
            ).fetchone()
            stored = None if row is None else row[0]
            check_version(state, stored)
            geometry = None if state.geometry is None else _dump(state.geometry)
            if stored is None:
                position = self._db.execute(
                    "SELECT coalesce(max(position) + 1, 0) FROM features WHERE file = %s",
                    (state.file,),
                ).fetchone()[0]
                self._db.execute(
                    "INSERT INTO features (id, file, position, properties, geometry, geom, "
                    f"version) VALUES (%s, %s, %s, %s, %s, {_GEOM}, 1)",
                    (
                        state.id,
                        state.file,
                        position,
                        _dump(state.properties),
                        geometry,
                        geometry,
                        geometry,
                    ),
                )
            else:
                self._db.execute(
                    "UPDATE features SET file = %s, properties = %s, geometry = %s, "
                    f"geom = {_GEOM}, version = version + 1 WHERE id = %s",
                    (
                        state.file,
                        _dump(state.properties),
                        geometry,
                        geometry,
                        geometry,
                        state.id,
                    ),
                )
        for name, (data, based_on) in (registers or {}).items():
            row = self._db.execute(
                "SELECT version FROM registers WHERE file = %s", (name,)
            ).fetchone()
            if row is None or row[0] != based_on:
                raise VersionConflictError(
                    f"{name}: 版本冲突 / version conflict: the edit is based on version "
                    f"{based_on}, the store holds {None if row is None else row[0]}"
                )
            self._db.execute(
                "UPDATE registers SET data = %s, version = version + 1 WHERE file = %s",
                (_dump(data), name),
            )
        # Under the writers' lock max + 1 is safe, and unlike a sequence it leaves no gap
        # when a transaction rolls back.
        change_id = self._db.execute("SELECT coalesce(max(id), 0) + 1 FROM changes").fetchone()[0]
        self._db.execute(
            "INSERT INTO changes (id, author, time, reason, source, feature, kind, before, "
            "after) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)",
            (
                change_id,
                author,
                _now(),
                reason,
                source,
                feature,
                kind,
                _dump(before),
                _dump(after),
            ),
        )
        return self.change(int(change_id))


#: beside a replica's layers folder (``.layers.published-change``): the newest change its
#: files show.
FOLLOW_MARK = ".published-change"


def follow_store(store: PostgresStore, layers_dir: Path) -> list[str]:
    """Bring this replica's layers folder up to the shared database; return files replaced.

    App processes on several hosts share one database but each serves its own layers
    folder; the process that saves publishes into its own folder only. Every replica
    calls this every few seconds: one query when nothing changed, a publication (files
    equal to the state are not touched) when something did.
    """
    layers_dir = Path(layers_dir)
    # Beside the folder, not in it: every entry of the layers folder keys the app's caches.
    mark = layers_dir.parent / f".{layers_dir.name}{FOLLOW_MARK}"
    latest = store.latest_change()
    try:
        seen = int(mark.read_text("ascii").strip())
    except (OSError, ValueError):
        seen = -1
    if seen == latest:
        return []
    replaced = publish(store, layers_dir)
    try:
        mark.write_text(str(latest), "ascii")
    except OSError as exc:
        raise StoreError(f"{mark}: 无法写入 / cannot write: {exc.strerror}") from None
    return replaced


def fetch_report(db_url: str, key: str) -> Report | None:
    """The report a writer kept for content key ``key`` in the shared database, or None
    (none kept, or the database cannot be read: the caller validates, as without one)."""
    import psycopg

    try:
        with psycopg.connect(db_url, autocommit=True, connect_timeout=10) as db:
            (table,) = db.execute("SELECT to_regclass('reports')").fetchone() or (None,)
            if table is None:
                return None
            row = db.execute("SELECT data FROM reports WHERE key = %s", (key,)).fetchone()
    except psycopg.Error:
        return None
    if row is None:
        return None
    try:
        raw = zlib.decompress(bytes(row[0]))
    except zlib.error:
        return None
    return decode_report(raw, key)


def adopt_shared_report(db_url: str, layers_dir: Path) -> bool:
    """Load the layers folder's current state with the report its writer kept in the
    shared database, not validating it again; whether a report is held for it now.

    A change is checked once, by the process that saves it (the one validator, before
    the commit); the replicas that publish it compare content keys, not the whole atlas.
    """
    return adopt_report(layers_dir, lambda key: fetch_report(db_url, key))


def open_curation_store(db_url: str, data_root: Path) -> PostgresStore | SqliteStore:
    """The store of the settings: PostgreSQL when ``db_url`` (``CORRIDOR_MAP_DB``) is a
    ``postgresql://`` URL, the SQLite file of the data folder when it is empty.

    Raises
    ------
    StoreError
        ``db_url`` is neither empty nor a PostgreSQL URL, or the database cannot be used.
    """
    if not db_url:
        return open_store(data_root)
    if not is_postgres_url(db_url):
        raise StoreError(
            "CORRIDOR_MAP_DB: 只支持 postgresql:// / only postgresql:// URLs are supported "
            f"(leave it empty for SQLite in the data folder), not {db_url.partition(':')[0]!r}"
        )
    return PostgresStore(db_url, Path(data_root) / "layers")
