"""Faults during saves: processes killed (SIGKILL) at random moments leave the store
consistent and the published layers equal to its state once the next command runs."""

from __future__ import annotations

import itertools
import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from corridor_map.atlas.model import load_atlas
from corridor_map.curation.publish import render_all
from corridor_map.curation.store import CURATED_FILES, open_store

CORE = "taizhou-central-core"
#: kills per run (the issue asks for 100; CORRIDOR_MAP_TEST_KILLS overrides the default).
KILLS = int(os.environ.get("CORRIDOR_MAP_TEST_KILLS", "30"))


def _cli(root: Path, *argv: str) -> subprocess.Popen[bytes]:
    env = dict(os.environ, CORRIDOR_MAP_DATA=str(root))
    return subprocess.Popen(
        [sys.executable, "-m", "corridor_map.cli.main", *argv],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def _served_name(root: Path) -> str:
    layer = json.loads((root / "layers" / "taizhou_bay.geojson").read_text("utf-8"))
    return next(
        f["properties"]["name_en"] for f in layer["features"] if f["properties"]["id"] == CORE
    )


@pytest.mark.slow
def test_kills_during_saves_leave_the_store_consistent(data_copy: Path) -> None:
    rng = random.Random(23)
    # One save run to the end says how long a save takes on this machine now; the kills
    # then fall anywhere from start-up to just past the end of a save.
    started = time.monotonic()
    first = _cli(data_copy, "edit", "set", CORE, "name_en=Central Innovation Core (first)",
                 "--reason", "first", "--author", "fault-test")  # fmt: skip
    assert first.wait() == 0
    if first.stderr:
        first.stderr.close()
    span = time.monotonic() - started
    finished = killed = 0
    for attempt in range(KILLS):
        proc = _cli(
            data_copy, "edit", "set", CORE, f"name_en=Central Innovation Core {attempt}",
            "--reason", f"attempt {attempt}", "--author", "fault-test",
        )  # fmt: skip
        deadline = time.monotonic() + rng.uniform(0.1, 1.1 * span)
        while proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.02)
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            killed += 1
        else:
            assert proc.returncode == 0, proc.stderr.read() if proc.stderr else ""
            finished += 1
        proc.wait()
        if proc.stderr:
            proc.stderr.close()
        # Whatever moment the kill hit, what is served is a state the store holds or held
        # last: the change's after (published) or its before (not yet published).
        with sqlite3.connect(data_copy / "curation.sqlite") as db:
            rows = db.execute("SELECT before, after FROM changes ORDER BY id DESC LIMIT 1")
            last = rows.fetchone()
        served = _served_name(data_copy)
        names = {json.loads(s)["properties"]["name_en"] for s in last}
        assert served in names

    store = open_store(data_copy)
    changes = store.history()
    assert [c.id for c in changes] == list(range(1, len(changes) + 1))  # no gap
    for earlier, later in itertools.pairwise(changes):
        assert earlier.after == later.before  # each change starts where the last ended
    if changes:
        assert store.feature(CORE).record() == changes[-1].after
        assert store.feature(CORE).version == len(changes) + 1

    done = subprocess.run(
        [sys.executable, "-m", "corridor_map.cli.main", "publish", "--out", str(data_copy / "o")],
        env=dict(os.environ, CORRIDOR_MAP_DATA=str(data_copy)),
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    texts = render_all(store)
    for name in CURATED_FILES:
        assert (data_copy / "layers" / name).read_text("utf-8") == texts[name]
        assert (data_copy / "o" / name).read_text("utf-8") == texts[name]
    assert not [p.name for p in (data_copy / "layers").iterdir() if p.name.endswith(".tmp")]
    assert len(list((data_copy / ".curation-work").iterdir())) <= 1  # the last kill's at most
    atlas = load_atlas(data_copy / "layers")
    assert not atlas.problems
    print(f"{KILLS} runs: {killed} killed, {finished} finished, {len(changes)} changes kept")


@pytest.mark.slow
def test_two_editors_of_one_version_one_wins_the_other_is_told(data_copy: Path) -> None:
    subprocess.run(
        [sys.executable, "-m", "corridor_map.cli.main", "history"],
        env=dict(os.environ, CORRIDOR_MAP_DATA=str(data_copy)),
        check=True,
        capture_output=True,
    )
    editors = [
        _cli(data_copy, "edit", "set", CORE, f"name_en=Core by {who}", "--expect-version", "1",
             "--reason", f"{who}'s name", "--author", who)
        for who in ("alice", "bob")
    ]  # fmt: skip
    codes, errors = [], []
    for proc in editors:
        codes.append(proc.wait())
        assert proc.stderr is not None
        errors.append(proc.stderr.read().decode())
        proc.stderr.close()
    assert sorted(codes) == [0, 2], errors
    loser = errors[codes.index(2)]
    assert "version conflict" in loser and len(loser.strip().splitlines()) == 1
    store = open_store(data_copy)
    (change,) = store.history()
    assert store.feature(CORE).properties["name_en"] == f"Core by {change.author}"
