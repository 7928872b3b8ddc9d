"""The validation report kept across restarts: JSON data that runs no code, reused on
unchanged bytes, never when stale, ignored and rebuilt when damaged or foreign.

A "restart" is simulated by clearing the in-process caches (``validation._report`` and
``atlas._load_cached``); the store is a private folder (``CORRIDOR_MAP_CACHE``).
"""

from __future__ import annotations

import errno
import json
import os
import pickle
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from corridor_map.atlas import model as atlas_module
from corridor_map.atlas import validation
from corridor_map.atlas.model import load_atlas
from corridor_map.atlas.validation import validate


def _restart() -> None:
    validation.forget_reports()
    atlas_module._load_cached.cache_clear()


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    folder = tmp_path / "cache"
    monkeypatch.setenv("CORRIDOR_MAP_CACHE", str(folder))
    _restart()
    yield folder
    _restart()


def _entries(store: Path) -> list[Path]:
    return sorted(p for p in store.glob("report-*") if p.is_file())


def _count_validations(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    calls: list[Path] = []
    real = validation._validated

    def counted(directory: Path) -> object:
        calls.append(directory)
        return real(directory)

    monkeypatch.setattr(validation, "_validated", counted)
    return calls


def _break_quote(layer: Path) -> str:
    """Reverse one excerpt in place: same bytes long, no longer verbatim in its document."""
    data = json.loads(layer.read_text(encoding="utf-8"))
    quote = next(
        f["properties"]["sources"][0]["quote"]
        for f in data["features"]
        if f["properties"].get("sources") and len(f["properties"]["sources"][0]["quote"]) > 6
    )
    text = layer.read_text(encoding="utf-8")
    encoded = json.dumps(quote, ensure_ascii=False)[1:-1]
    assert text.count(encoded) >= 1
    layer.write_text(text.replace(encoded, encoded[::-1], 1), encoding="utf-8")
    return quote


class _Payload:
    """A pickle that creates a folder when loaded: proof that code ran."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[object, tuple[str]]:
        return (os.mkdir, (str(self.marker),))


def test_the_store_holds_json_and_restart_does_not_validate(
    data_copy: Path, store: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = load_atlas(strict=False)
    (entry,) = _entries(store)
    assert entry.suffix == ".json"
    assert json.loads(entry.read_bytes())["features"], "the accepted features are stored"
    assert entry.stat().st_mode & 0o077 == 0 and store.stat().st_mode & 0o077 == 0
    _restart()

    def refuse(directory: Path) -> object:
        raise AssertionError(f"validated {directory} again")

    monkeypatch.setattr(validation, "_validated", refuse)
    again = load_atlas(strict=False)
    assert [f.id for f in again] == [f.id for f in first]
    assert [f.properties for f in again] == [f.properties for f in first]
    assert again.problems == first.problems
    assert all(
        (a.geometry is None and b.geometry is None) or a.geometry.equals_exact(b.geometry, 0)
        for a, b in zip(again, first, strict=True)
    )
    assert again.collections == first.collections
    assert again.travel_targets == first.travel_targets


@pytest.mark.slow
def test_a_changed_byte_validates_again(data_copy: Path, store: Path) -> None:
    assert validate() == []
    layer = data_copy / "layers" / "wenling_lakes.geojson"
    before = layer.stat()
    quote = _break_quote(layer)
    # Same size and modification time: only the content says the data changed.
    os.utime(layer, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert layer.stat().st_size == before.st_size
    _restart()
    problems = validate()
    assert any(p.file == layer.name and "quote" in p.field for p in problems), problems
    atlas = load_atlas(strict=False)
    assert layer.name in atlas.refused
    assert quote  # the excerpt that was broken


def test_a_pickle_in_the_store_never_runs(
    data_copy: Path, store: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Today's store would load it (the user's own private folder was "trusted")."""
    load_atlas(strict=False)
    marker = tmp_path / "code-ran"
    for entry in _entries(store):
        entry.write_bytes(pickle.dumps(_Payload(marker)))
    _restart()
    calls = _count_validations(monkeypatch)
    assert "taizhou-central-core" in load_atlas(strict=False)
    assert not marker.exists(), "loading the cache ran code"
    assert calls, "a pickle was taken for a report"


def _key_and_entry(store: Path) -> tuple[str, Path]:
    (entry,) = _entries(store)
    return entry.stem.removeprefix("report-"), entry


def _foreign(good: dict, case: str) -> bytes:
    data = json.loads(json.dumps(good))
    if case == "truncated":
        return json.dumps(good).encode()[: len(json.dumps(good)) // 2]
    if case == "other key":
        data["key"] = "0" * 32
    elif case == "other format":
        data["format"] = "corridor-map/validation-report/1"
    elif case == "features not rows":
        data["features"] = [1, 2, 3]
    elif case == "geometry not WKB":
        data["geometries"][0] = "not hex at all"
    elif case == "fewer geometries":
        data["geometries"] = data["geometries"][:-1]
    elif case == "problem not strings":
        data["problems"] = [[1, 2, 3, 4]]
    elif case == "a list":
        data = [data]
    elif case == "binary":
        return os.urandom(4096)
    return json.dumps(data).encode()


FOREIGN = [
    "truncated",
    "other key",
    "other format",
    "features not rows",
    "geometry not WKB",
    "fewer geometries",
    "problem not strings",
    "a list",
    "binary",
]


@pytest.mark.parametrize(
    "case", [FOREIGN[0], *(pytest.param(c, marks=pytest.mark.slow) for c in FOREIGN[1:])]
)
def test_a_bad_or_foreign_entry_is_ignored_and_rebuilt(
    data_copy: Path, store: Path, monkeypatch: pytest.MonkeyPatch, case: str
) -> None:
    load_atlas(strict=False)
    key, entry = _key_and_entry(store)
    good = json.loads(entry.read_bytes())
    bad = _foreign(good, case)
    entry.write_bytes(bad)
    _restart()
    calls = _count_validations(monkeypatch)
    atlas = load_atlas(strict=False)
    assert "taizhou-central-core" in atlas and not atlas.problems
    assert calls, f"a {case} entry was used"
    rebuilt = json.loads(entry.read_bytes())
    assert rebuilt["key"] == key and len(rebuilt["features"]) == len(good["features"])


@pytest.mark.slow
def test_an_entry_swapped_while_it_is_read_never_runs_code(
    data_copy: Path, store: Path, tmp_path: Path
) -> None:
    """A writer keeps swapping the entry between a good report and a pickle (atomic
    renames, as an attacker in a shared folder would): every read gives the report or
    nothing, and no read runs code."""
    from corridor_map.atlas import report_cache

    load_atlas(strict=False)
    key, entry = _key_and_entry(store)
    good = entry.read_bytes()
    marker = tmp_path / "code-ran"
    evil = pickle.dumps(_Payload(marker))
    stop = threading.Event()

    def swap() -> None:
        flip = False
        while not stop.is_set():
            staged = store / ".swap"
            staged.write_bytes(evil if flip else good)
            staged.replace(entry)
            flip = not flip

    writer = threading.Thread(target=swap)
    writer.start()
    outcomes = {"report": 0, "none": 0}
    try:
        for _ in range(400):
            report = report_cache.read_report(store, key)
            outcomes["report" if report is not None else "none"] += 1
            assert report is None or "taizhou-central-core" in report.features
    finally:
        stop.set()
        writer.join()
    assert not marker.exists()
    assert outcomes["report"] + outcomes["none"] == 400


@pytest.mark.parametrize("where", ["folder", "entry"])
@pytest.mark.slow
def test_a_store_others_could_write_is_not_used(
    data_copy: Path, store: Path, monkeypatch: pytest.MonkeyPatch, where: str
) -> None:
    """A report others could have written could make the app show features that no
    layer holds; it is neither read nor written."""
    load_atlas(strict=False)
    _, entry = _key_and_entry(store)
    (entry.parent if where == "folder" else entry).chmod(0o777 if where == "folder" else 0o666)
    _restart()
    calls = _count_validations(monkeypatch)
    assert "taizhou-central-core" in load_atlas(strict=False)
    assert calls, "a group/world-writable report was used"
    if where == "folder":
        store.chmod(0o700)


@pytest.mark.slow
def test_a_symlinked_store_to_a_shared_folder_is_not_used(
    data_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o777)
    link = tmp_path / "cache-link"
    link.symlink_to(shared)
    monkeypatch.setenv("CORRIDOR_MAP_CACHE", str(link))
    _restart()
    try:
        assert "taizhou-central-core" in load_atlas(strict=False)
        assert not list(shared.iterdir()), "a report was written into a shared folder"
    finally:
        _restart()


def test_no_exception_while_saving_takes_the_app_down(
    data_copy: Path, store: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from corridor_map.atlas import report_cache

    def explode(*args: object) -> bytes:
        raise RecursionError("maximum recursion depth exceeded while encoding")

    monkeypatch.setattr(report_cache, "_encode", explode)
    atlas = load_atlas(strict=False)
    assert "taizhou-central-core" in atlas
    assert not _entries(store)
    assert not list(store.glob(".report-*")), "a temporary file was left"


@pytest.mark.slow
def test_a_full_disk_while_saving_is_not_an_error(
    data_copy: Path, store: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from corridor_map.atlas import report_cache

    def full(fd: int) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(report_cache.os, "fsync", full)
    assert "taizhou-central-core" in load_atlas(strict=False)
    assert not list(store.iterdir()), "a partial entry or a temporary file was left"


def test_the_store_can_be_turned_off(
    data_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from corridor_map.atlas import report_cache

    monkeypatch.setenv("CORRIDOR_MAP_CACHE", "off")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    _restart()
    try:
        assert report_cache.report_store() is None
        assert "taizhou-central-core" in load_atlas(strict=False)
        assert not (tmp_path / "xdg").exists()
    finally:
        _restart()


@pytest.mark.slow
def test_a_report_held_while_the_store_was_off_is_stored_once_it_is_on(
    store: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The next process (the CLI after the app, a restart) must not validate again; on a
    # full disk it would also print the store's warning beside the user's one error.
    monkeypatch.setenv("CORRIDOR_MAP_CACHE", "off")
    validate()
    assert not _entries(store)
    monkeypatch.setenv("CORRIDOR_MAP_CACHE", str(store))
    atlas_module._load_cached.cache_clear()
    validation._report.cache_clear()  # a new data snapshot; the report held by content key
    validate()
    assert len(_entries(store)) == 1
