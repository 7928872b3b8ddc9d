"""The data path helper finds the shipped data, and the override points elsewhere."""

from __future__ import annotations

from pathlib import Path

import pytest

from corridor_map.core import paths

REPO_ROOT = Path(__file__).resolve().parent.parent


def test_source_checkout_uses_repository_folders(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CORRIDOR_MAP_DATA", raising=False)
    assert paths.seeds_dir() == REPO_ROOT / "seeds"
    assert paths.layers_dir() == REPO_ROOT / "layers"
    assert sorted(p.name[:3] for p in paths.seeds_dir().glob("*.txt")) == [
        "000",
        "001",
        "002",
        "003",
        "004",
    ]


def test_environment_override(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("CORRIDOR_MAP_DATA", str(tmp_path))
    assert paths.seeds_dir() == tmp_path / "seeds"
    assert paths.layers_dir() == tmp_path / "layers"


def test_code_digest_follows_the_files_and_versions_it_names() -> None:
    from corridor_map.core import paths

    python_only = paths.code_digest((".py",), ())
    assert python_only == paths.code_digest((".py",), ())  # stable in a process
    assert python_only != paths.code_digest((".py", ".json"), ())  # the schemas count
    assert python_only != paths.code_digest((".py",), ("jsonschema",))  # a version counts
