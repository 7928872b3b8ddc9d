"""One connection to the curation database for the tables beside the store's own.

Comments and proposals live in the same database as the curation store (the SQLite file
in the data folder, or the PostgreSQL database of ``CORRIDOR_MAP_DB``) but in their own
tables, written only by :mod:`corridor_map.curation.comments` and
:mod:`corridor_map.curation.proposals`. :class:`Database` hides the two drivers' few
differences: ``?`` placeholders, ``BEGIN IMMEDIATE`` versus a table lock, the schema's
types. Both tables are append-only by convention of their modules: rows are inserted,
never updated or deleted; a status is the latest of a row's events.
"""

from __future__ import annotations

import contextlib
import datetime
import re
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from corridor_map.curation.store import STORE_FILE, StoreError

__all__ = ["Database", "is_postgres_url", "now_utc", "open_database"]


def is_postgres_url(url: str) -> bool:
    """Whether ``url`` names a PostgreSQL database (``postgresql://`` or ``postgres://``)."""
    return url.startswith(("postgresql://", "postgres://"))


def now_utc() -> str:
    """The time written into a trail: UTC, seconds, ISO 8601 with ``Z``."""
    return datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class Database:
    """A connection to SQLite (a file path) or PostgreSQL (a URL).

    Parameters
    ----------
    target
        A ``postgresql://`` URL, or the path of the SQLite file.
    """

    def __init__(self, target: str | Path) -> None:
        self.target = str(target)
        self.postgres = is_postgres_url(self.target)
        self._in_txn = False
        try:
            if self.postgres:
                import psycopg

                self._pg: Any = psycopg.connect(self.target, autocommit=True)
            else:
                self._lite = sqlite3.connect(self.target, timeout=60.0, isolation_level=None)
                self._lite.execute("PRAGMA busy_timeout = 60000")
                self._lite.execute("PRAGMA journal_mode = WAL")
        except Exception as exc:  # both drivers' connection errors, reported as one line
            raise StoreError(
                f"{self._where()}: 无法连接数据库 / cannot open the database: {exc}"
            ) from None

    def _where(self) -> str:
        # Never print a URL's password: it would reach logs and pages.
        if not self.postgres:
            return self.target
        head, _, tail = self.target.partition("@")
        return self.target if not tail else head.split("//")[0] + "//…@" + tail

    def close(self) -> None:
        """Close the connection."""
        (self._pg if self.postgres else self._lite).close()

    def ensure_schema(self, sqlite_schema: str, postgres_schema: str) -> None:
        """Create the tables (``IF NOT EXISTS``) of the running driver, unless they exist.

        ``CREATE … IF NOT EXISTS`` takes locks even when there is nothing to do (table
        locks in PostgreSQL, the write lock of the file in SQLite), which would queue every
        page run behind a save in progress; so the tables named in the schema are looked
        up first.
        """
        names = re.findall(r"CREATE TABLE IF NOT EXISTS (\w+)", postgres_schema)
        if self.postgres:
            found = self.query(
                "SELECT count(*) FROM unnest(?::text[]) AS n WHERE to_regclass(n) IS NOT NULL",
                (names,),
            )
        else:
            marks = ", ".join("?" for _ in names)
            found = self.query(
                f"SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN ({marks})",
                tuple(names),
            )
        if names and found[0][0] == len(names):
            return
        with self.transaction("schema"):
            if self.postgres:
                self._pg.execute(postgres_schema)
            else:
                for statement in sqlite_schema.split(";"):
                    if statement.strip():
                        self._lite.execute(statement)

    def query(self, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        """Run one statement with ``?`` placeholders; its rows (empty for none)."""
        try:
            if self.postgres:
                cursor = self._pg.execute(sql.replace("?", "%s"), params)
                return list(cursor.fetchall()) if cursor.description else []
            return self._lite.execute(sql, params).fetchall()
        except sqlite3.Error as exc:
            raise StoreError(f"{self._where()}: {exc}") from None
        except Exception as exc:
            if self.postgres and type(exc).__module__.startswith("psycopg"):
                raise StoreError(f"{self._where()}: {exc}") from None
            raise

    def insert(self, sql: str, params: tuple[Any, ...]) -> int:
        """Run an ``INSERT … RETURNING id``; the new row's id."""
        rows = self.query(sql, params)
        return int(rows[0][0])

    @contextlib.contextmanager
    def transaction(self, lock: str) -> Iterator[None]:
        """All or nothing, one writer of ``lock`` at a time (``lock`` names the tables).

        SQLite: ``BEGIN IMMEDIATE`` (one writer per file). PostgreSQL: a transaction
        holding the advisory lock of ``lock`` until it ends, so that checks made inside
        it (is the proposal still open?) hold until the commit.
        """
        if self._in_txn:
            yield
            return
        self._in_txn = True
        try:
            if self.postgres:
                with self._pg.transaction():
                    self._pg.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", (lock,))
                    yield
            else:
                self._lite.execute("BEGIN IMMEDIATE")
                try:
                    yield
                    self._lite.execute("COMMIT")
                except BaseException:
                    with contextlib.suppress(sqlite3.Error):
                        self._lite.execute("ROLLBACK")
                    raise
        except sqlite3.Error as exc:
            raise StoreError(f"{self._where()}: {exc}") from None
        finally:
            self._in_txn = False


def open_database(db_url: str, data_root: Path) -> Database:
    """The database of the settings: ``db_url`` when given, else the data folder's SQLite
    store file (:data:`corridor_map.curation.store.STORE_FILE`)."""
    if db_url:
        if not is_postgres_url(db_url):
            raise StoreError(
                f"CORRIDOR_MAP_DB: 只支持 postgresql:// / only postgresql:// URLs are "
                f"supported (leave it empty for SQLite in the data folder), not "
                f"{db_url.partition(':')[0]!r}"
            )
        return Database(db_url)
    return Database(Path(data_root) / STORE_FILE)
