"""Time a curated change until the atlas shows it, and a feature's history; prints figures.

Run with ``.venv/bin/python benchmarks/bench_curation.py`` (on a private copy of the data).

* save → visible: ``edit set`` (validated on a candidate copy, recorded, published) until
  ``load_atlas`` returns the new name; against the reference of the same run: writing the
  layer file by hand and loading it (today's path: no check before the file is served, one
  validation when it is loaded). Target ≤ 1 s.
* geometry → visible: the same for a new polygon (the heaviest check: containment).
* history: ``Store.history(feature)`` of one feature among HISTORY_CHANGES changes.
  Target ≤ 0.1 s.
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RUNS = 5
HISTORY_CHANGES = 500
CORE = "taizhou-central-core"


def _median(values: list[float]) -> float:
    return statistics.median(values)


def main() -> int:
    work = Path(tempfile.mkdtemp(prefix="bench-curation-"))
    shutil.copytree(ROOT / "seeds", work / "seeds")
    shutil.copytree(ROOT / "layers", work / "layers")
    os.environ["CORRIDOR_MAP_DATA"] = str(work)
    os.environ["CORRIDOR_MAP_CACHE"] = str(work / "cache")

    from shapely import affinity
    from shapely.geometry import shape

    from corridor_map.atlas.model import load_atlas
    from corridor_map.curation.edits import Provenance, replace_geometry, set_fields
    from corridor_map.curation.store import open_store
    from corridor_map.geo.geojson import render_collection, write_atomically

    layers = work / "layers"
    load_atlas()  # corpus and reference layers read once, outside the timings
    store = open_store(work)
    who = Provenance("bench", "benchmark", "none")

    reference = []
    for run in range(RUNS):
        path = layers / "taizhou_bay.geojson"
        data = json.loads(path.read_text("utf-8"))
        for feature in data["features"]:
            if feature["properties"]["id"] == CORE:
                feature["properties"]["name_en"] = f"by hand {run}"
        meta = {k: v for k, v in data.items() if k not in {"type", "features"}}
        start = time.perf_counter()
        write_atomically(path, render_collection(meta, data["features"]))
        assert load_atlas().get(CORE).name_en == f"by hand {run}"
        reference.append(time.perf_counter() - start)
    # the store starts from the hand-edited file's last state
    store.close()
    (work / "curation.sqlite").unlink()
    store = open_store(work)

    saves = []
    for run in range(RUNS):
        start = time.perf_counter()
        set_fields(store, layers, CORE, {"name_en": f"curated {run}"}, provenance=who)
        assert load_atlas().get(CORE).name_en == f"curated {run}"
        saves.append(time.perf_counter() - start)

    geometries = []
    original = shape(store.feature(CORE).geometry)
    for run in range(RUNS):
        polygon = affinity.scale(original, 0.97 + 0.005 * run, 0.97 + 0.005 * run)
        start = time.perf_counter()
        replace_geometry(
            store,
            layers,
            CORE,
            polygon,
            basis="schematic",
            precision_m=2500,
            geometry_source="benchmark polygon",
            provenance=who,
        )
        assert load_atlas().get(CORE).geometry.equals_exact(polygon, 1e-6)
        geometries.append(time.perf_counter() - start)

    # many changes of other features (written straight through the store: the history
    # query is what is measured, not the saves)
    others = [f for f in store.features() if f.id != CORE]
    with store.writing():
        for i in range(HISTORY_CHANGES):
            state = others[i % len(others)]
            current = store.feature(state.id)
            props = dict(current.properties, name_en=f"{state.id} {i}")
            store.record(
                kind="set",
                author="bench",
                reason="history benchmark",
                source="none",
                feature=state.id,
                before=current.record(),
                after={**current.record(), "properties": props},
                states=[type(current)(current.id, current.file, props, current.geometry,
                                      current.version)],
            )  # fmt: skip
    history = []
    for _ in range(RUNS * 4):
        start = time.perf_counter()
        changes = store.history(CORE)
        history.append(time.perf_counter() - start)
    total = len(store.history())

    ref, save, geo, hist = (_median(v) for v in (reference, saves, geometries, history))
    print(f"bench_curation ({RUNS} runs each, median; python {sys.version.split()[0]})")
    print(f"  reference: hand-edited layer file → load_atlas   {ref:7.3f} s")
    print(
        f"  edit set → visible in load_atlas                 {save:7.3f} s  "
        f"({save / ref:.2f} × reference; target ≤ 1 s: {'pass' if save <= 1 else 'FAIL'})"
    )
    print(
        f"  edit geometry → visible in load_atlas            {geo:7.3f} s  "
        f"({geo / ref:.2f} × reference; target ≤ 1 s: {'pass' if geo <= 1 else 'FAIL'})"
    )
    print(
        f"  history of one feature ({len(changes)} of {total} changes)    {hist * 1000:7.2f} ms "
        f"(target ≤ 100 ms: {'pass' if hist <= 0.1 else 'FAIL'})"
    )
    shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
