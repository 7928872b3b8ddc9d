"""Fixtures and helpers shared by the test modules.

- ``atlas`` / ``corpus``: the shipped layers and documents, loaded once per session.
- ``data_copy``: a private copy of ``seeds/`` and ``layers/`` that the app, the CLI and the
  library read (``CORRIDOR_MAP_DATA`` points at it), for tests that edit the data.
- the validation report store: a private temporary folder for the whole run.
- ``travel_grid``: the synthetic 5 × 5 road grid of :mod:`tests._travel_grid`.

:mod:`tests._support` holds the plain helpers behind them (``copy_data``, ``app_server``)
for module-scoped fixtures, e.g. browser tests that copy the data once and serve the app.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

from corridor_map.atlas.model import Atlas, load_atlas
from corridor_map.documents.corpus import Corpus, load_corpus
from tests._support import copy_data
from tests._travel_grid import make_grid

# The validation report store (validation.report_key) of the test run lives in a private
# folder, inherited by the app servers the browser tests start: never the user's cache.
os.environ.setdefault("CORRIDOR_MAP_CACHE", tempfile.mkdtemp(prefix="corridor-map-cache-"))


@pytest.fixture(scope="session")
def atlas() -> Atlas:
    """The shipped layers."""
    return load_atlas()


@pytest.fixture(scope="session")
def corpus() -> Corpus:
    """The shipped documents."""
    return load_corpus()


@pytest.fixture
def data_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private copy of the shipped data that everything reads; returns its root."""
    copy_data(tmp_path)
    monkeypatch.setenv("CORRIDOR_MAP_DATA", str(tmp_path))
    return tmp_path


@pytest.fixture
def travel_grid(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The synthetic road grid (:func:`tests._travel_grid.make_grid`); returns its layers."""
    return make_grid(tmp_path, monkeypatch)


@pytest.fixture
def deferred(monkeypatch: pytest.MonkeyPatch) -> dict[str, object]:
    """The callables the app's download buttons register, by their deferred file id."""
    from streamlit.runtime.media_file_manager import MediaFileManager

    made: dict[str, object] = {}
    original = MediaFileManager.add_deferred

    def record(self, data_callable, *args, **kwargs):  # type: ignore[no-untyped-def]
        file_id = original(self, data_callable, *args, **kwargs)
        made[file_id] = data_callable
        return file_id

    monkeypatch.setattr(MediaFileManager, "add_deferred", record)
    return made
