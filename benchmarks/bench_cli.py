"""CPU seconds of command-line runs, beside a bare interpreter start measured in the same run.

Each command runs ``--repeat`` times in a fresh process; the figure is the median of the
child's user + system CPU time (``resource.getrusage(RUSAGE_CHILDREN)`` around each run), so
other load on the machine changes it less than wall time. Targets (issue 20/21): ``--help``,
``docs list`` and ``search`` ≤ 0.5 s; ``print`` A4 and a brief ≤ 3 s.

Usage::

    python benchmarks/bench_cli.py [--repeat 3] [--skip-print]
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

TARGETS_S = {
    "--help": 0.5,
    "docs list": 0.5,
    "search 中央创新核": 0.5,
    "print A4": 3.0,
    "print A3": 3.0,
    "brief taizhou-central-core": 3.0,
}


def _cpu_of(command: list[str], env: dict[str, str]) -> float:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, check=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--skip-print", action="store_true", help="only the quick commands")
    args = parser.parse_args()
    out = Path(tempfile.mkdtemp(prefix="bench-cli-"))
    cli = [sys.executable, "-m", "corridor_map.cli.main"]
    commands: dict[str, list[str]] = {
        "python -c pass (reference)": [sys.executable, "-c", "pass"],
        "--help": [*cli, "--help"],
        "docs list": [*cli, "docs", "list"],
        "search 中央创新核": [*cli, "search", "中央创新核"],
    }
    if not args.skip_print:
        commands |= {
            "print A4": [*cli, "print", "--out", str(out / "a4.pdf")],
            "print A3": [*cli, "print", "--paper", "A3", "--out", str(out / "a3.pdf")],
            "brief taizhou-central-core": [
                *cli,
                "brief",
                "taizhou-central-core",
                "--out",
                str(out / "brief.pdf"),
            ],
        }
    env = dict(os.environ)
    # A warm start, as a user's second run: the validation report and fonts are cached.
    for command in commands.values():
        _cpu_of(command, env)
    reference = None
    print(f"{'command':32} {'CPU s (median)':>15} {'× python':>9} {'target':>7}")
    for name, command in commands.items():
        median = statistics.median(_cpu_of(command, env) for _ in range(args.repeat))
        reference = reference or median
        target = TARGETS_S.get(name)
        verdict = "" if target is None else ("PASS" if median <= target else "FAIL")
        limit = "" if target is None else f"≤ {target:g}"
        print(f"{name:32} {median:15.2f} {median / reference:9.1f} {limit:>7} {verdict}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
