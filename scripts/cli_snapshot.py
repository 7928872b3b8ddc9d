"""Record the CLI's output for every subcommand on the shipped data into OUTDIR.

Run it before and after a refactoring and compare the two folders with ``diff -r``: an
empty diff shows the command line (and so the package behind it) is unchanged. Every
command's stdout, stderr and exit status go to one file named after its arguments; files
the command writes (``export``) are kept beside it. Binary print output (PDF/PNG) is not
recorded: its metadata carries the time of writing.

Usage::

    python scripts/cli_snapshot.py /tmp/cli_before
"""

from __future__ import annotations

import contextlib
import io
import json
import re
import sys
from pathlib import Path

from corridor_map.cli.main import main
from corridor_map.core.paths import layers_dir

# Curated layer files whose every feature gets its own ``measure`` record.
_CURATED = ("taizhou_bay", "wenzhou_daluo", "wenling_lakes")


def _feature_ids() -> list[str]:
    ids: list[str] = []
    for name in _CURATED:
        collection = json.loads((layers_dir() / f"{name}.geojson").read_text(encoding="utf-8"))
        ids.extend(f["properties"]["id"] for f in collection["features"])
    return ids


def _target_ids() -> list[str]:
    record = json.loads((layers_dir() / "travel_targets.json").read_text(encoding="utf-8"))
    return [t["id"] for t in record["targets"]]


def _doc_ids() -> list[str]:
    catalog = json.loads((layers_dir().parent / "seeds" / "catalog.json").read_text("utf-8"))
    documents = catalog["documents"] if isinstance(catalog, dict) else catalog
    return [d["id"] for d in documents]


def _commands(out: Path) -> list[list[str]]:
    targets = _target_ids()
    features = _feature_ids()
    files = out / "files"
    commands: list[list[str]] = [
        ["validate", "--json"],
        ["validate", "--json", "--explain"],
        ["validate"],
        ["features", "--json"],
        ["features", "--json", "--corridor", "reference"],
        ["features", "--json", "--role", "district"],
        ["features"],
        ["docs", "list", "--json"],
        ["docs", "timeline", "--json"],
        ["docs", "timeline"],
        ["search", "科创走廊", "--json"],
        ["search", "九龍湖", "--json", "--limit", "5"],
        ["search", "大罗山"],
        ["indicators", "--json"],
        ["indicators"],
        ["indicators", "--json", "--corridor", "wenling-lakes"],
        ["measure", "--stated", "--json"],
        ["measure", "--stated"],
        ["targets", "--json"],
        ["targets"],
        ["targets", "--json", "--rail"],
        ["targets", "--json", "--no-planned", "--speed", "30"],
        ["targets", "--json", "--compare"],
        ["targets", "--json", "--compare", "--b-speed", "50", "--b-rail", "on"],
        ["travel", "jiulong-lake", "wenzhou-daluo-corridor", "--json"],
        ["travel", "jiulong-lake", "feilong-lake", "--json", "--rail"],
        ["travel", "jiulong-lake", "feilong-lake", "--json", "--boundary"],
        ["travel", "jiulong-lake", "feilong-lake"],
        ["travel", "jiulong-lake", "no-such-feature", "--json"],
        ["isochrone", "jiulong-lake", "30", "--json"],
        ["isochrone", "jiulong-lake", "20", "--json", "--reach"],
        ["isochrone", "feilong-lake", "25", "--json", "--compare"],
        ["isochrone", "121.38,28.37", "15", "--json"],
        ["isochrone", "jiulong-lake", "30", "--reach"],
        ["export", "features", "--out", str(files / "features.geojson")],
        ["export", "features", "--scope", "wenling-lakes", "--out", str(files / "wl.csv")],
        ["export", "features", "--scope", "taizhou-bay", "--out", str(files / "tb.kml")],
        ["export", "targets", "--out", str(files / "targets.csv")],
        ["export", "route", "jiulong-lake", "feilong-lake", "--out", str(files / "r.geojson")],
        ["export", "isochrone", "jiulong-lake", "20", "--out", str(files / "iso.geojson")],
    ]
    for doc in _doc_ids():
        commands.append(["docs", "show", doc, "--json"])
    for target in targets:
        commands.append(["targets", "--json", "--sensitivity", target])
        commands.append(["targets", "--json", "--reach", target])
    commands.extend(["measure", feature, "--json"] for feature in features)
    return commands


def _name(argv: list[str], out: Path) -> str:
    text = "_".join(argv).replace(str(out), "OUTDIR").replace("/", "~")
    return re.sub(r"[^\w.,~=-]+", "-", text)[:150]


def snapshot(out: Path) -> int:
    """Run every command and write its output under ``out``; return the number run."""
    out.mkdir(parents=True, exist_ok=True)
    (out / "files").mkdir(exist_ok=True)
    commands = _commands(out)
    for argv in commands:
        stdout, stderr = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
            try:
                status = main(argv)
            except SystemExit as exc:
                status = int(exc.code or 0)
        record = stdout.getvalue().replace(str(out), "OUTDIR")
        errors = stderr.getvalue().replace(str(out), "OUTDIR")
        text = f"$ corridor-map {' '.join(argv)}\nexit {status}\n{record}\n--- stderr\n{errors}"
        (out / f"{_name(argv, out)}.txt").write_text(text.replace(str(out), "OUTDIR"), "utf-8")
    return len(commands)


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: python scripts/cli_snapshot.py OUTDIR")
    print(f"{snapshot(Path(sys.argv[1]))} commands recorded in {sys.argv[1]}")
