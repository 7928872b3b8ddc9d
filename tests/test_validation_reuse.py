"""A layer file's checks are kept per content (:mod:`corridor_map.atlas.checks_geometry`):
validating again gives the same problems, a changed byte is checked again, and a file's
problems name the file and feature they are found in, whatever folder or name it has."""

from __future__ import annotations

import json
from pathlib import Path

from corridor_map.atlas import validation
from tests.test_validate_broken import _good, _layers


def _clockwise_extent() -> dict:
    data = _good()
    square = data["features"][0]["geometry"]["coordinates"][0]
    data["features"][0]["geometry"]["coordinates"][0] = square[::-1]  # now clockwise
    return data


def _problems(folder: Path) -> list:
    return list(validation._validated(folder.resolve()).problems)


def test_the_same_bytes_validated_again_give_the_same_problems(tmp_path):
    folder = _layers(tmp_path, {"t.geojson": _clockwise_extent()})
    first = _problems(folder)
    assert any(
        p.file == "t.geojson" and p.feature_id == "t-extent" and "winding" in p.reason
        for p in first
    ), first
    assert _problems(folder) == first


def test_a_changed_file_is_checked_again(tmp_path):
    folder = _layers(tmp_path, {"t.geojson": _clockwise_extent()})
    assert any("winding" in p.reason for p in _problems(folder))
    (folder / "t.geojson").write_text(json.dumps(_good(), ensure_ascii=False), "utf-8")
    assert not [p for p in _problems(folder) if p.file == "t.geojson"]
    data = _good()
    data["features"][1]["geometry"]["coordinates"] = [121.3851234567, 28.372]
    (folder / "t.geojson").write_text(json.dumps(data, ensure_ascii=False), "utf-8")
    assert [(p.feature_id, p.field) for p in _problems(folder) if p.file == "t.geojson"] == [
        ("t-core", "geometry")
    ]


def test_known_bytes_under_another_name_are_reported_under_that_name(tmp_path):
    broken = json.dumps(_clockwise_extent(), ensure_ascii=False)
    _problems(_layers(tmp_path / "a", {"t.geojson": broken}))
    again = _problems(_layers(tmp_path / "b", {"u.geojson": broken}))
    assert any(p.file == "u.geojson" and "winding" in p.reason for p in again), again
    assert not any(p.file == "t.geojson" for p in again)
