"""Benchmark printing: CPU seconds of ``corridor-map print`` (A4, A3) and ``brief`` (zone,
travel target) as a user runs them, each in a fresh process.

Each is run with an empty font cache (the first print after installing: the page fonts
are made) and again with the cache filled (every later print). The reference, measured in
the same run, is the floor any print pays: a fresh Python process importing matplotlib and
saving an empty A4 PDF. Target: ≤ 3 s CPU for an A4 map or a brief (issue 21).

Run: ``.venv/bin/python benchmarks/bench_print.py``.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import tempfile
from pathlib import Path

_CLI = [sys.executable, "-m", "corridor_map.cli.main"]
_REFERENCE = (
    "import matplotlib; from matplotlib.figure import Figure; "
    "Figure(figsize=(11.69, 8.27)).savefig({out!r})"
)


def _cpu(args: list[str], env: dict[str, str]) -> float:
    """CPU seconds (user + system) of one child process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(args, check=True, capture_output=True, env=env)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="bench-print-") as folder:
        base = Path(folder)
        env = {**os.environ, "CORRIDOR_MAP_CACHE": str(base / "cache")}
        reference = _cpu(
            [sys.executable, "-c", _REFERENCE.format(out=str(base / "empty.pdf"))], env
        )
        cases = {
            "print A4": ["print", "--out", str(base / "a4.pdf")],
            "print A3": ["print", "--paper", "A3", "--out", str(base / "a3.pdf")],
            "brief zone": ["brief", "taizhou-central-core", "--out", str(base / "z.pdf")],
            "brief target": ["brief", "wenling-tailong-15min", "--out", str(base / "t.pdf")],
        }
        print(f"reference (python + matplotlib + empty A4 PDF): {reference:.2f} s CPU")
        print(f"{'case':<14} {'cold s':>7} {'warm s':>7} {'warm / ref':>11} {'≤ 3 s':>6}")
        for name, args in cases.items():
            cold = _cpu([*_CLI, *args], env)
            warm = _cpu([*_CLI, *args], env)
            ok = "yes" if warm <= 3.0 else "no"
            print(f"{name:<14} {cold:>7.2f} {warm:>7.2f} {warm / reference:>11.1f} {ok:>6}")


if __name__ == "__main__":
    main()
