"""The deterministic GeoJSON writer the build and curation scripts share."""

from __future__ import annotations

import json
import stat

import pytest
from shapely.geometry import LinearRing, shape

from corridor_map._geojson_io import (
    LayerWriteError,
    geometry_json,
    render_collection,
    write_atomically,
)
from corridor_map.paths import layers_dir

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
