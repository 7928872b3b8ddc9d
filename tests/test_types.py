"""mypy on the package and app.py (configuration in pyproject.toml, ``[tool.mypy]``)."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.skipif(importlib.util.find_spec("mypy") is None, reason="mypy not installed")
@pytest.mark.slow
def test_mypy_finds_no_error_in_the_package_and_the_app() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "mypy", "corridor_map", "app.py"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
