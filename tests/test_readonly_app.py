"""The app runs from a read-only copy of the checkout and writes nothing into it.

A copy of the checkout (the package, ``app.py``, ``pages/``, the data) is made read-only
and its app run in a separate Python whose imports come from that copy: every page,
through AppTest. The copy's files are compared before and after; the map bundles and the
vendored Leaflet land in the static folder of the settings (here under the cache folder).
"""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

_RUN_EVERY_PAGE = """
import ast, sys
from pathlib import Path
from streamlit.testing.v1 import AppTest

import corridor_map
app = Path(sys.argv[1])
assert Path(corridor_map.__file__).is_relative_to(app.parent), corridor_map.__file__
tree = ast.parse(app.read_text(encoding="utf-8"))
(pages,) = [n.value for n in tree.body if isinstance(n, ast.Assign)
            and getattr(n.targets[0], "id", "") == "PAGES"]
at = AppTest.from_file(str(app), default_timeout=120).run()
assert not at.exception, at.exception
for _, script, _ in ast.literal_eval(pages)[1:]:
    at.switch_page(script).run()
    assert not at.exception, (script, at.exception)
print("pages ok")
"""


def _snapshot(root: Path) -> dict[str, tuple[int, int]]:
    return {
        str(p.relative_to(root)): (p.stat().st_size, p.stat().st_mtime_ns)
        for p in sorted(root.rglob("*"))
    }


def _read_only(root: Path) -> None:
    for p in [root, *root.rglob("*")]:
        mode = p.stat().st_mode
        p.chmod(mode & ~(stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH))


@pytest.mark.slow
def test_the_app_runs_from_a_read_only_checkout(tmp_path: Path) -> None:
    copy = tmp_path / "checkout"
    copy.mkdir()
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for name in ("corridor_map", "pages", "seeds", "layers", ".streamlit"):
        shutil.copytree(ROOT / name, copy / name, ignore=ignore)
    for name in ("app.py", "pyproject.toml"):
        shutil.copy2(ROOT / name, copy / name)
    _read_only(copy)
    before = _snapshot(copy)
    cache = tmp_path / "cache"
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("CORRIDOR_MAP_") and k != "TIANDITU_KEY"
    }
    env |= {
        "PYTHONPATH": str(copy),
        "PYTHONDONTWRITEBYTECODE": "1",
        "CORRIDOR_MAP_CACHE": str(cache),
    }
    try:
        done = subprocess.run(
            [sys.executable, "-c", _RUN_EVERY_PAGE, str(copy / "app.py")],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
        assert "pages ok" in done.stdout
        # Nothing written into the checkout (root ignores the read-only mode: compare).
        assert _snapshot(copy) == before
        static = cache / "static"
        assert list((static / "maps").glob("map-*.js"))
        assert (static / "vendor" / "leaflet" / "leaflet.js").is_file()
    finally:
        for p in [copy, *copy.rglob("*")]:
            p.chmod(p.stat().st_mode | stat.S_IWUSR)
