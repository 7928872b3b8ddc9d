"""The deterministic GeoJSON writer the reference-layer build and the curation store share."""

from __future__ import annotations

import errno
import json
import os
import signal
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from shapely.geometry import LinearRing, shape

from corridor_map.core.paths import layers_dir
from corridor_map.geo.geojson import (
    LayerWriteError,
    geometry_json,
    render_collection,
    write_all_atomically,
    write_atomically,
)

# Layers written by render_collection (wenzhou_daluo keeps its own indented format).
RENDERED = [
    "taizhou_bay.geojson",
    "wenling_lakes.geojson",
    "ref_districts.geojson",
    "ref_roads.geojson",
    "ref_rail_stations.geojson",
    "ref_aeroways.geojson",
    "ref_s1_stations.geojson",
]


@pytest.mark.parametrize("name", RENDERED)
def test_rendering_a_shipped_layer_again_gives_the_same_bytes(name):
    text = (layers_dir() / name).read_text(encoding="utf-8")
    collection = json.loads(text)
    features = collection.pop("features")
    collection.pop("type")
    # Order in the file must not matter: the writer sorts features by id.
    assert render_collection(collection, features[::-1]) == text


@pytest.mark.parametrize("name", RENDERED)
def test_geometries_of_a_shipped_layer_come_back_unchanged(name):
    collection = json.loads((layers_dir() / name).read_text(encoding="utf-8"))
    for feature in collection["features"][:200]:
        raw = feature["geometry"]
        again = geometry_json(None if raw is None else shape(raw))
        assert again == raw, feature["properties"]["id"]


def test_polygons_are_written_counter_clockwise_and_rounded():
    ring = [(121.4000004, 28.6), (121.41, 28.61), (121.42, 28.6)]  # clockwise
    written = geometry_json(shape({"type": "Polygon", "coordinates": [ring]}))
    exterior = written["coordinates"][0]
    assert exterior[0] == [121.4, 28.6]
    assert LinearRing(exterior).is_ccw


def test_atomic_write_replaces_readably_and_a_failed_write_leaves_the_old_file(tmp_path):
    target = tmp_path / "layer.geojson"
    target.write_text("old\n", encoding="utf-8")
    write_atomically(target, "new\n")
    assert target.read_text(encoding="utf-8") == "new\n"
    assert stat.S_IMODE(target.stat().st_mode) & 0o044 == 0o044  # group/other may read
    with pytest.raises(TypeError):
        write_atomically(target, None)  # type: ignore[arg-type]
    assert target.read_text(encoding="utf-8") == "new\n"
    assert [p.name for p in tmp_path.iterdir()] == [target.name]


@pytest.mark.parametrize("bad", [float("nan"), float("inf")])
def test_a_nan_or_infinity_is_refused_naming_the_feature(bad):
    # json.dumps writes these as NaN / Infinity: a layer no strict JSON reader accepts
    feature = {
        "type": "Feature",
        "properties": {"id": "odd-one", "precision_m": bad},
        "geometry": {"type": "Point", "coordinates": [121.4, 28.6]},
    }
    with pytest.raises(LayerWriteError, match="feature odd-one"):
        render_collection({"name": "t"}, [feature])
    with pytest.raises(LayerWriteError, match="description"):
        render_collection({"name": "t", "description": bad}, [])


# ------------------------------------------------------------ writes: OS errors, signals


def _old_files(tmp_path, *names):
    paths = []
    for name in names:
        path = tmp_path / name
        path.write_text(f"old {name}\n", encoding="utf-8")
        paths.append(path)
    return paths


def test_disk_full_is_one_message_naming_the_file_and_leaves_the_old_one(tmp_path, monkeypatch):
    (target,) = _old_files(tmp_path, "layer.geojson")

    def full(fd, data):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "write", full)
    with pytest.raises(LayerWriteError) as caught:
        write_atomically(target, "new\n")
    message = str(caught.value)
    assert str(target) in message and "No space left on device" in message
    assert "\n" not in message
    assert target.read_text(encoding="utf-8") == "old layer.geojson\n"
    assert [p.name for p in tmp_path.iterdir()] == [target.name]


def test_a_missing_folder_is_a_message_too(tmp_path):
    with pytest.raises(LayerWriteError, match="cannot write"):
        write_atomically(tmp_path / "nowhere" / "layer.geojson", "new\n")


def test_the_file_and_its_folder_are_fsynced_before_and_after_the_rename(tmp_path, monkeypatch):
    (target,) = _old_files(tmp_path, "layer.geojson")
    events = []
    real_fsync, real_replace = os.fsync, Path.replace

    def fsync(fd):
        events.append(("fsync", stat.S_ISDIR(os.fstat(fd).st_mode)))
        real_fsync(fd)

    def replace(self, other):
        events.append(("rename", None))
        return real_replace(self, other)

    monkeypatch.setattr(os, "fsync", fsync)
    monkeypatch.setattr(Path, "replace", replace)
    write_atomically(target, "new\n")
    assert events == [("fsync", False), ("rename", None), ("fsync", True)]


def test_a_multi_file_write_replaces_none_when_one_fails(tmp_path, monkeypatch):
    paths = _old_files(tmp_path, "a.geojson", "b.geojson", "c.geojson")
    real_write = os.write
    calls = []

    def third_is_full(fd, data):
        calls.append(fd)
        if len(calls) == 3:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real_write(fd, data)

    monkeypatch.setattr(os, "write", third_is_full)
    with pytest.raises(LayerWriteError, match=r"c\.geojson"):
        write_all_atomically({p: f"new {p.name}\n" for p in paths})
    assert [p.read_text(encoding="utf-8") for p in paths] == [f"old {p.name}\n" for p in paths]
    assert sorted(p.name for p in tmp_path.iterdir()) == [p.name for p in paths]


def test_a_failed_rename_puts_the_files_already_replaced_back(tmp_path, monkeypatch):
    paths = _old_files(tmp_path, "a.geojson", "b.geojson")
    new = tmp_path / "new.geojson"  # did not exist: removed again
    real_replace = Path.replace

    def second_fails(self, other):
        if Path(other).name == "b.geojson" and self.name.endswith(".tmp"):
            raise OSError(errno.EIO, os.strerror(errno.EIO))
        return real_replace(self, other)

    monkeypatch.setattr(Path, "replace", second_fails)
    with pytest.raises(LayerWriteError, match=r"b\.geojson"):
        write_all_atomically({paths[0]: "new a\n", new: "new\n", paths[1]: "new b\n"})
    assert [p.read_text(encoding="utf-8") for p in paths] == [f"old {p.name}\n" for p in paths]
    assert sorted(p.name for p in tmp_path.iterdir()) == [p.name for p in paths]


_SLOW_WRITER = """
import os, sys, time
from pathlib import Path
from corridor_map.geo import geojson as _geojson_io

real_write = os.write
def slow(fd, data):
    # one small chunk at a time, announcing the first, so the signal lands mid-write
    written = real_write(fd, bytes(data[:1000]))
    print("writing", flush=True)
    time.sleep(0.05)
    return written
os.write = slow
paths = [Path(p) for p in sys.argv[1:]]
_geojson_io.write_all_atomically({p: "x" * 200_000 for p in paths})
print("finished", flush=True)
"""


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_in_the_middle_of_a_write_leaves_no_temp_file_and_the_old_files(tmp_path, signum):
    paths = _old_files(tmp_path, "a.geojson", "b.geojson")
    process = subprocess.Popen(
        [sys.executable, "-c", _SLOW_WRITER, *map(str, paths)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdout.readline().strip() == "writing"
    assert any(p.name.endswith(".tmp") for p in tmp_path.iterdir())  # mid-write indeed
    process.send_signal(signum)
    out, err = process.communicate(timeout=60)
    assert "finished" not in out
    if signum == signal.SIGTERM:
        assert process.returncode == -signal.SIGTERM  # ended by the signal, as before
    else:
        assert "KeyboardInterrupt" in err  # Python's own SIGINT handler ran
    assert [p.read_text(encoding="utf-8") for p in paths] == [f"old {p.name}\n" for p in paths]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.geojson", "b.geojson"]


def test_the_previous_signal_handlers_are_restored(tmp_path):
    def mine(signum, frame):
        pass

    before = signal.signal(signal.SIGTERM, mine)
    try:
        write_atomically(tmp_path / "layer.geojson", "new\n")
        assert signal.getsignal(signal.SIGTERM) is mine
    finally:
        signal.signal(signal.SIGTERM, before)


def _build_layers_module():
    import importlib.util

    script = Path(__file__).resolve().parent.parent / "scripts" / "build_layers.py"
    spec = importlib.util.spec_from_file_location("build_layers_under_test", script)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _new_layer(name: str) -> str:
    # build_layers refuses to write what the layer schema rejects: a minimal valid layer
    return (
        json.dumps(
            {"type": "FeatureCollection", "name": name, "description": "new", "features": []}
        )
        + "\n"
    )


def test_build_layers_replaces_all_layers_or_none(tmp_path, monkeypatch, capsys):
    build_layers = _build_layers_module()
    names = ["ref_districts", "ref_roads", "ref_rail_stations", "ref_aeroways", "ref_s1_stations"]
    old = _old_files(tmp_path, *(f"{n}.geojson" for n in names))
    for builder in [n for n in vars(build_layers) if n.startswith("build_")]:
        monkeypatch.setattr(build_layers, builder, lambda *a, b=builder: _new_layer(b))
    monkeypatch.setattr(build_layers, "build_s1_stations", lambda *a: _new_layer("s1"))
    only = ["--only", *names]  # other helpers add layers; these five are enough here
    real_write = os.write
    calls = []

    def fourth_is_full(fd, data):
        calls.append(fd)
        if len(calls) == 4:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real_write(fd, data)

    monkeypatch.setattr(os, "write", fourth_is_full)
    assert build_layers.main(["--out", str(tmp_path), *only]) == 2
    err = capsys.readouterr().err
    assert "ref_aeroways.geojson" in err and "No space left on device" in err
    assert "Traceback" not in err
    assert [p.read_text(encoding="utf-8") for p in old] == [f"old {p.name}\n" for p in old]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(p.name for p in old)

    monkeypatch.setattr(os, "write", real_write)
    assert build_layers.main(["--out", str(tmp_path), *only]) == 0
    assert (tmp_path / "ref_s1_stations.geojson").read_text(encoding="utf-8") == _new_layer("s1")
