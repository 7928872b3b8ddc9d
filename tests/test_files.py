"""core.files.write_bytes_atomically: whole files, their mode, and the old file on failure."""

from __future__ import annotations

import stat
import subprocess
import sys
from pathlib import Path

from corridor_map.core.files import write_bytes_atomically


def test_writes_the_bytes_with_the_mode_asked(tmp_path: Path) -> None:
    shared, private = tmp_path / "shared.js", tmp_path / "private.json"
    write_bytes_atomically(shared, b"served")
    write_bytes_atomically(private, b"cache", mode=0o600)
    assert shared.read_bytes() == b"served" and private.read_bytes() == b"cache"
    assert stat.S_IMODE(shared.stat().st_mode) == 0o644  # mkstemp alone would give 0600
    assert stat.S_IMODE(private.stat().st_mode) == 0o600
    assert sorted(p.name for p in tmp_path.iterdir()) == ["private.json", "shared.js"]


_FULL_DISK = """
import resource, signal, sys
from pathlib import Path
from corridor_map.core.files import write_bytes_atomically
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a full disk: the write fails with EFBIG
resource.setrlimit(resource.RLIMIT_FSIZE, (1000, 1000))
try:
    write_bytes_atomically(Path(sys.argv[1]), b"x" * 100_000)
except OSError as exc:
    print("refused", exc.errno)
"""


def test_a_failed_write_leaves_the_old_file_and_no_temporary(tmp_path: Path) -> None:
    target = tmp_path / "layer.geojson"
    target.write_bytes(b"old and good")
    done = subprocess.run(
        [sys.executable, "-c", _FULL_DISK, str(target)],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert done.stdout.startswith("refused"), done.stdout + done.stderr
    assert target.read_bytes() == b"old and good"
    assert [p.name for p in tmp_path.iterdir()] == ["layer.geojson"]
