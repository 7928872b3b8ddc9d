"""The validation report kept across restarts: reused on unchanged bytes, never when stale.

A "restart" is simulated by clearing the in-process caches (``validation._report`` and
``atlas._load_cached``); the store is a private folder (``CORRIDOR_MAP_CACHE``).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from corridor_map.atlas import model as atlas_module
from corridor_map.atlas import validation
from corridor_map.atlas.model import load_atlas
from corridor_map.atlas.validation import validate


def _restart() -> None:
    validation._report.cache_clear()
    atlas_module._load_cached.cache_clear()


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    folder = tmp_path / "cache"
    monkeypatch.setenv("CORRIDOR_MAP_CACHE", str(folder))
    _restart()
    yield folder
    _restart()


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


def test_restart_on_unchanged_data_does_not_validate(
    data_copy: Path, store: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = load_atlas(strict=False)
    assert list(store.glob("report-*.pickle")), "the report was not stored"
    _restart()

    def refuse(directory: Path) -> validation._Report:
        raise AssertionError(f"validated {directory} again")

    monkeypatch.setattr(validation, "_validated", refuse)
    again = load_atlas(strict=False)
    assert [f.id for f in again] == [f.id for f in first]
    assert again.problems == first.problems
    assert again.get("taizhou-central-core").geometry.equals(
        first.get("taizhou-central-core").geometry
    )
    assert again.collections == first.collections
    assert again.travel_targets == first.travel_targets


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


def test_a_damaged_store_file_is_not_trusted(data_copy: Path, store: Path) -> None:
    load_atlas(strict=False)
    (stored,) = store.glob("report-*.pickle")
    stored.write_bytes(b"not a report")
    _restart()
    atlas = load_atlas(strict=False)
    assert "taizhou-central-core" in atlas
    assert stored.read_bytes() != b"not a report"  # validated and written again


def test_the_store_can_be_turned_off(
    data_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CORRIDOR_MAP_CACHE", "off")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    _restart()
    try:
        assert validation.report_store() is None
        assert "taizhou-central-core" in load_atlas(strict=False)
        assert not (tmp_path / "xdg").exists()
    finally:
        _restart()


def test_a_store_file_others_could_write_is_not_loaded(
    data_copy: Path, store: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    load_atlas(strict=False)
    (stored,) = store.glob("report-*.pickle")
    assert stored.stat().st_mode & 0o077 == 0 and store.stat().st_mode & 0o077 == 0
    stored.chmod(0o666)  # e.g. a shared cache folder: a pickle there could run anyone's code
    _restart()
    calls: list[Path] = []
    real = validation._validated

    def counted(directory: Path) -> validation._Report:
        calls.append(directory)
        return real(directory)

    monkeypatch.setattr(validation, "_validated", counted)
    load_atlas(strict=False)
    assert calls, "a group/world-writable report was trusted"
