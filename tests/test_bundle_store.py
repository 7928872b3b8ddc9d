"""The map bundle is built once per data and code: a restart reuses the file on disk."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from corridor_map.ui import map_component
from corridor_map.webmap import bundles


def _bundle(text: str) -> bundles.MapBundle:
    digest = f"{abs(hash(text)):020d}"[:20]
    return bundles.MapBundle(digest, f"/* {text} */", "map_0000", {})


@pytest.fixture
def data(tmp_path: Path) -> tuple[Path, Path]:
    layers, seeds = tmp_path / "layers", tmp_path / "seeds"
    layers.mkdir()
    seeds.mkdir()
    (layers / "a.geojson").write_text('{"type": "FeatureCollection", "features": []}')
    (seeds / "catalog.json").write_text("{}")
    return layers, seeds


def test_a_stored_bundle_is_not_built_again(tmp_path: Path, data: tuple[Path, Path]) -> None:
    layers, seeds = data
    root = tmp_path / "static"
    built: list[str] = []

    def build() -> bundles.MapBundle:
        built.append("x")
        return _bundle("one")

    key = map_component.bundle_key("none", "zh", layers, seeds)
    first = map_component.stored_bundle(key, build, root, "/served")
    second = map_component.stored_bundle(key, build, root, "/served")
    assert first == second
    assert built == ["x"]
    url, digest = first
    assert url.endswith(f"/maps/map-{digest}.js")
    assert (root / "maps" / f"map-{digest}.js").read_text() == "/* one */"

    # The bundle file gone (pruned, static/ cleaned): built again, not a dead URL.
    shutil.rmtree(root / "maps")
    assert map_component.stored_bundle(key, build, root, "/served") == first
    assert built == ["x", "x"]


def test_the_key_follows_data_language_basemap_and_tianditu_key(
    data: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    layers, seeds = data
    monkeypatch.delenv("TIANDITU_KEY", raising=False)
    key = map_component.bundle_key("none", "zh", layers, seeds)
    assert map_component.bundle_key("none", "zh", layers, seeds) == key
    assert map_component.bundle_key("none", "en", layers, seeds) != key
    assert map_component.bundle_key("osm", "zh", layers, seeds) != key

    layer = layers / "a.geojson"
    stat = layer.stat()
    os.utime(layer, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))
    edited = map_component.bundle_key("none", "zh", layers, seeds)
    assert edited != key

    (seeds / "catalog.json").write_text('{"documents": []}')
    reseeded = map_component.bundle_key("none", "zh", layers, seeds)
    assert reseeded != edited

    monkeypatch.setenv("TIANDITU_KEY", "abc")
    assert map_component.bundle_key("none", "zh", layers, seeds) != reseeded


_PROBE = """
import sys
from streamlit.testing.v1 import AppTest
from corridor_map.ui import map_component

heavy = ("shapely", "pyproj", "jsonschema", "pandas", "folium")
loaded = []
show = map_component.show

def spy(**kwargs):
    loaded.append([m for m in heavy if m in sys.modules])
    return show(**kwargs)

map_component.show = spy
at = AppTest.from_file(sys.argv[1], default_timeout=120).run()
assert not at.exception, at.exception
print(loaded[0] if loaded else "no map")
"""


@pytest.mark.slow
def test_a_page_load_sends_the_map_before_the_atlas_and_geometry_libraries(
    tmp_path: Path,
) -> None:
    # The map's element is sent from the stored bundle; the atlas, its checks and the
    # geometry libraries load after it (pages/map_texts.py). Fresh interpreters: the first may
    # store the bundle, the second is a restart.
    probe = tmp_path / "probe.py"
    probe.write_text(_PROBE, encoding="utf-8")
    app = Path(__file__).resolve().parent.parent / "app.py"
    for _ in range(2):
        run = subprocess.run(
            [sys.executable, str(probe), str(app)],
            capture_output=True,
            text=True,
            timeout=300,
            cwd=app.parent,
        )
        assert run.returncode == 0, run.stderr[-2000:]
    assert run.stdout.strip().splitlines()[-1] == "[]"
