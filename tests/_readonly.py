"""Run a command on a read-only copy of the checkout.

As root (CI) the copy is made read-only by a private mount namespace with a read-only bind
mount (``unshare -m``), which root cannot write through; otherwise by removing the write
bits, which an ordinary user cannot write through.
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


def copy_checkout(target: Path) -> Path:
    """Copy the files git tracks (and the untracked, not ignored ones) into ``target``."""
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout.split(b"\0")
    for name in filter(None, listed):
        source = ROOT / os.fsdecode(name)
        if not source.is_file():
            continue
        destination = target / os.fsdecode(name)
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, destination)
    return target


def _freeze(folder: Path) -> None:
    for path in [folder, *folder.rglob("*")]:
        mode = path.stat().st_mode
        path.chmod(mode & ~(stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH))


def run_read_only(
    checkout: Path, args: list[str], env: dict[str, str], timeout: float = 300
) -> subprocess.CompletedProcess[str]:
    """Run ``python args…`` with ``checkout`` first on the path and mounted read-only."""
    env = {**env, "PYTHONPATH": str(checkout), "PYTHONDONTWRITEBYTECODE": "1"}
    command = [sys.executable, *args]
    if os.geteuid() == 0:
        if shutil.which("unshare") is None:
            pytest.skip("running as root without unshare: cannot make the copy read-only")
        # cd after mounting: a working directory entered before is the writable tree.
        script = 'mount --bind "$0" "$0" && mount -o remount,bind,ro "$0" && cd "$0" && exec "$@"'
        command = ["unshare", "-m", "sh", "-c", script, str(checkout), *command]
    else:
        _freeze(checkout)
    return subprocess.run(
        command, cwd=checkout, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )
