"""A replica of a shared deployment: its layers folder follows the database by itself.

Several app processes (hosts behind a load balancer) share one PostgreSQL store; the
process that saves a change publishes it into its own layers folder only. Each process
runs one background thread that brings its folder up to the database every
:data:`FOLLOW_EVERY_S` seconds (one query when nothing changed), so its readers see
another replica's change within a few seconds whether they rerun the page, click the map
(a fragment run) or do nothing at all. After a change it builds the new state (the
atlas, the map bundles served so far) itself; readers' runs are served the previous
state until it is ready, so no click waits for a rebuild. Nothing runs for the embedded
SQLite store, whose writers publish into the one data folder themselves.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import streamlit as st

from corridor_map.curation.db import is_postgres_url
from corridor_map.curation.postgres import PostgresStore, follow_store
from corridor_map.ui import data

__all__ = ["FOLLOW_EVERY_S", "Follower", "follow_in_background"]

#: Seconds between two looks at the shared database.
FOLLOW_EVERY_S = 2.0

_log = logging.getLogger(__name__)


@dataclass
class Follower:
    """The thread that keeps one layers folder equal to the shared store."""

    db_url: str
    layers: Path
    every_s: float = FOLLOW_EVERY_S
    #: run after a look that replaced files (the app builds the new state: data.warm)
    on_change: Callable[[], None] | None = None
    stop: threading.Event = field(default_factory=threading.Event)
    last_error: str | None = None
    # One connection for every look (a store's opening checks the schema under a lock);
    # opened anew after an error.
    _store: PostgresStore | None = field(default=None, repr=False)

    def start(self) -> Follower:
        """Follow once now (the first page shows the database's state), then every few s."""
        self.follow_once()
        threading.Thread(target=self._run, name="corridor-map-follower", daemon=True).start()
        return self

    def follow_once(self) -> list[str]:
        """One look at the database; the layer files replaced ([] when nothing changed)."""
        if self._store is None:
            self._store = PostgresStore(self.db_url, self.layers)
        try:
            replaced = follow_store(self._store, self.layers)
        except BaseException:
            self._close()
            raise
        self.last_error = None
        return replaced

    def _close(self) -> None:
        if self._store is not None:
            store, self._store = self._store, None
            store.close()

    def _run(self) -> None:
        try:
            while not self.stop.wait(self.every_s):
                try:
                    replaced = self.follow_once()
                except Exception as exc:  # the store's, the disk's or the driver's: go on
                    message = _first_line(exc)
                    if message != self.last_error:
                        _log.warning("following the shared store failed: %s", message)
                    self.last_error = message
                    continue
                if replaced:
                    _log.info("followed the shared store: %s", ", ".join(replaced))
                    self._changed()
        finally:
            self._close()

    def _changed(self) -> None:
        if self.on_change is None:
            return
        try:
            self.on_change()
        except Exception as exc:  # a reader's run meets it again and shows it
            _log.warning("loading the followed state failed: %s", _first_line(exc))


def _first_line(exc: BaseException) -> str:
    # Never a URL in a log (it may hold a password): the error's type and first line.
    lines = str(exc).splitlines()
    return f"{type(exc).__name__}: {lines[0] if lines else ''}"


@st.cache_resource(show_spinner=False)
def follow_in_background(db_url: str, data_root: str) -> Follower | None:
    """Start this process's follower once (whichever session comes first); None for SQLite."""
    if not is_postgres_url(db_url):
        return None
    # The new state is built by the follower, not in a reader's click (which is served
    # the previous state until it is ready: corridor_map.ui.data._newest).
    return Follower(db_url, Path(data_root) / "layers", on_change=data.warm).start()
