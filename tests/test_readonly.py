"""The command line runs from a read-only checkout: nothing is written into the source tree."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from tests._readonly import copy_checkout, run_read_only

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def checkout(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return copy_checkout(tmp_path_factory.mktemp("checkout"))


def _tree(folder: Path) -> dict[str, tuple[int, int]]:
    return {
        str(p.relative_to(folder)): (p.stat().st_size, p.stat().st_mtime_ns)
        for p in folder.rglob("*")
    }


def test_validate_and_export_from_a_read_only_checkout(checkout: Path, tmp_path: Path) -> None:
    before = _tree(checkout)
    out = tmp_path / "out" / "features.geojson"
    out.parent.mkdir()
    env = {**os.environ, "CORRIDOR_MAP_CACHE": str(tmp_path / "cache")}
    env.pop("CORRIDOR_MAP_DATA", None)
    for args in (
        ["-m", "corridor_map.cli.main", "validate"],
        ["-m", "corridor_map.cli.main", "export", "features", "--out", str(out)],
    ):
        done = run_read_only(checkout, args, env)
        assert done.returncode == 0, done.stderr
    written = json.loads(out.read_text(encoding="utf-8"))
    assert len(written["features"]) > 40
    assert _tree(checkout) == before


def test_the_read_only_copy_refuses_writes(checkout: Path) -> None:
    probe = "from pathlib import Path; Path('written-by-probe').write_text('x')"
    done = run_read_only(checkout, ["-c", probe], dict(os.environ))
    assert done.returncode != 0
    assert "Read-only file system" in done.stderr or "Permission denied" in done.stderr
    assert not (checkout / "written-by-probe").exists()
