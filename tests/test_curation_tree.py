"""The curated data as files: export → read gives today's layers byte for byte; an edit
made in the files (a geometry as QGIS would save it, a name) becomes a recorded change;
declared recipes give the shapes they declare."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
from pyproj import Geod
from shapely import affinity
from shapely.geometry import shape

from corridor_map.cli.main import main
from corridor_map.curation.recipes import evaluate_recipes, recipe_shape
from corridor_map.curation.sourcetree import export_tree, read_tree
from corridor_map.curation.store import (
    CURATED_FILES,
    CurationError,
    FeatureState,
    open_store,
    render_layer,
)

CORE = "taizhou-central-core"


def geodesic_km2(geometry) -> float:
    area, _ = Geod(ellps="WGS84").geometry_area_perimeter(geometry)
    return abs(area) / 1e6


def test_export_then_read_gives_todays_layers(data_copy: Path, tmp_path: Path) -> None:
    tree = tmp_path / "curated"
    export_tree(open_store(data_copy), tree)
    assert (
        (tree / "taizhou_bay" / "features" / f"{CORE}.yaml")
        .read_text("utf-8")
        .startswith("corridor: taizhou-bay")
    )
    layers = read_tree(tree)
    assert set(layers) == set(CURATED_FILES)
    for name, (layer, features) in layers.items():
        states = [FeatureState(f.id, f.file, f.properties, f.geometry, 1) for f in features]
        assert (
            render_layer(layer, states).encode("utf-8")
            == (data_copy / "layers" / name).read_bytes()
        ), name


@pytest.mark.slow
def test_an_edit_in_the_files_becomes_a_change(data_copy: Path, tmp_path: Path, capsys) -> None:
    tree = tmp_path / "curated"
    assert main(["data", "export", str(tree)]) == 0
    # as QGIS would save a moved vertex: more decimals than the layers keep
    geometries = tree / "taizhou_bay" / "geometries.geojson"
    data = json.loads(geometries.read_text("utf-8"))
    item = next(f for f in data["features"] if f["properties"]["id"] == CORE)
    moved = affinity.scale(shape(item["geometry"]), 0.98, 0.98)
    item["geometry"] = json.loads(json.dumps(moved.__geo_interface__))
    geometries.write_text(json.dumps(data), "utf-8")
    capsys.readouterr()
    assert main(["data", "build", str(tree), "--reason", "core redrawn in QGIS"]) == 0
    out = capsys.readouterr().out
    # the extent is declared as the union of the core and the zones: it follows
    assert "geometry taizhou-central-core" in out and "2 change(s)" in out
    assert "geometry taizhou-bay-corridor" in out
    change = open_store(data_copy).history(CORE)[0]
    assert change.reason == "core redrawn in QGIS"
    assert change.after["geometry"] != change.before["geometry"]
    # a second build of the same files changes nothing
    assert main(["data", "build", str(tree), "--reason", "again"]) == 0
    assert "0 change(s)" in capsys.readouterr().out


def test_recipes_give_the_declared_shapes() -> None:
    ellipse = recipe_shape(
        {"kind": "ellipse", "lon": 121.4, "lat": 28.65, "a_m": 3000, "b_m": 1500,
         "rotation_deg": 30},
        {},
        "recipes.yaml: recipe #1",
    )  # fmt: skip
    assert geodesic_km2(ellipse) == pytest.approx(math.pi * 3000 * 1500 / 1e6, rel=0.01)
    seat = shape({"type": "Point", "coordinates": [121.4, 28.65]})
    ring = recipe_shape(
        {"kind": "buffer", "of": "seat", "metres": 500}, {"seat": seat}, "recipe #2"
    )
    assert geodesic_km2(ring) == pytest.approx(3.14159 * 0.25, rel=0.01)
    with pytest.raises(Exception, match="recipe #3: of: 'nowhere' has no geometry"):
        recipe_shape({"kind": "buffer", "of": "nowhere", "metres": 5}, {}, "recipe #3")


@pytest.mark.parametrize(
    ("recipe", "message"),
    [
        ({"kind": "clip", "districts": ["999999"], "polygon": [[0, 0], [1, 0], [1, 1]]},
         r"x.yaml: r: districts: \['999999'\] not in ref_districts"),
        ({"kind": "ellipse", "method": "degrees_per_km", "lon": 121.4, "lat": 28.6, "a_km": -1,
          "b_km": 1}, r"x.yaml: r: a_km: must be positive"),
        ({"kind": "ellipse", "method": "degrees_per_km", "lon": 121.4, "lat": 28.6,
          "area_km2": 2}, r"x.yaml: r: proportions: \[a, b\] is needed"),
        ({"kind": "ellipse", "method": "mercator", "lon": 121.4, "lat": 28.6},
         r"x.yaml: r: method: 'mercator' is not one of"),
        ({"kind": "point", "at": {"layer": "ref_places", "id": "place-0"}},
         r"x.yaml: r: at: no point 'place-0' in ref_places.geojson"),
        ({"kind": "union", "of": ["a"]}, r"x.yaml: r: of: a list of at least two"),
        ({"kind": "spline"}, r"x.yaml: r: kind: 'spline' is not one of buffer, ellipse"),
        ({"kind": "ellipse", "lon": 121.4, "lat": 28.6, "a_m": 900, "b_m": 600,
          "keeps": [[121.5, 28.6]]}, r"x.yaml: r: keeps #1: the shape leaves out \(121.5, 28.6\)"),
    ],
)  # fmt: skip
def test_a_recipe_that_cannot_be_made_names_file_id_and_field(recipe: dict, message: str) -> None:
    with pytest.raises(CurationError, match=message):
        evaluate_recipes([{"id": "r", **recipe}], {}, Path("x.yaml"))
