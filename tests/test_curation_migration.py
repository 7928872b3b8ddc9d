"""The committed data tree (``curated/``) is the source of the curated layers: building it
gives today's layer files byte for byte, its derived shapes are declared (not pasted), and a
recipe or feature the checks refuse names file, feature and field and changes nothing."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml
from shapely.geometry import mapping, shape

from corridor_map.cli.main import main
from corridor_map.core.paths import curated_dir, layers_dir
from corridor_map.curation.sourcetree import render_tree
from corridor_map.curation.store import CURATED_FILES, CurationError, open_store

# The derived shapes each layer declares: the scripts computed these, the tree says how.
DERIVED = {
    "taizhou_bay": {"taizhou-bay-corridor", "feilong-lake"},
    "wenling_lakes": {
        "wenling-lakes-corridor",
        "jiulong-lake",
        "longmen-lake",
        "jiulong-lake-innovation-center",
        "longmen-lake-innovation-belt",
        "xincheng-smart-valley",
    },
    "wenzhou_daluo": {
        "wenzhou-daluo-corridor",
        "daluo-innovation-ring",
        "daluo-mountain",
        "longwan-area",
        "zhenan-industrial-cluster",
        "ouhai-area",
        "ruian-area",
        "yueqing-area",
        "oujiangkou-industrial-cluster",
        "zhenan-science-city-core",
        "ouhai-life-health-town",
        "chashan-higher-education-park",
    },
}


def _recipes(tree: Path, layer: str) -> list[dict]:
    return yaml.safe_load((tree / layer / "recipes.yaml").read_text("utf-8"))


def _edit_recipe(tree: Path, layer: str, rid: str, **fields: object) -> None:
    recipes = _recipes(tree, layer)
    next(r for r in recipes if r["id"] == rid).update(fields)
    (tree / layer / "recipes.yaml").write_text(
        yaml.safe_dump(recipes, allow_unicode=True, sort_keys=False), "utf-8"
    )


def test_building_the_committed_tree_gives_todays_layers_byte_for_byte() -> None:
    texts = render_tree(curated_dir())
    assert set(texts) == set(CURATED_FILES)
    for name, text in texts.items():
        assert text.encode("utf-8") == (layers_dir() / name).read_bytes(), name


def test_derived_shapes_are_declared_not_pasted() -> None:
    for layer, derived in DERIVED.items():
        made = {r["id"] for r in _recipes(curated_dir(), layer) if not r.get("helper")}
        assert made == derived, layer
        pasted = json.loads((curated_dir() / layer / "geometries.geojson").read_text("utf-8"))
        assert not {f["properties"]["id"] for f in pasted["features"]} & derived, layer


def test_a_recipe_check_refuses_in_one_line_and_changes_nothing(
    data_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    tree = data_copy / "curated"
    # the 塘下 cut's south edge moved past 汀田站 (汀田街道, not 塘下镇)
    ring = [[120.648, 27.78], [120.8, 27.78], [120.8, 27.9], [120.648, 27.9]]
    _edit_recipe(tree, "wenzhou_daluo", "ruian-area", polygon=ring)
    before = {n: (data_copy / "layers" / n).read_bytes() for n in CURATED_FILES}
    assert main(["data", "build", "--reason", "moved the 塘下 cut"]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    assert "wenzhou_daluo/recipes.yaml: ruian-area: excludes #1" in err
    assert "rail-station-031" in err
    assert {n: (data_copy / "layers" / n).read_bytes() for n in CURATED_FILES} == before
    assert open_store(data_copy).history() == []


def _geometry(tree: Path, fid: str) -> dict:
    """A feature's geometry as the tree's Taizhou Bay geometries.geojson holds it."""
    data = json.loads((tree / "taizhou_bay" / "geometries.geojson").read_text("utf-8"))
    return next(f["geometry"] for f in data["features"] if f["properties"]["id"] == fid)


def _redraw(tree: Path, fid: str, redraw) -> None:  # type: ignore[no-untyped-def]
    """Replace a feature's geometry in the tree's Taizhou Bay geometries.geojson."""
    path = tree / "taizhou_bay" / "geometries.geojson"
    data = json.loads(path.read_text("utf-8"))
    feature = next(f for f in data["features"] if f["properties"]["id"] == fid)
    feature["geometry"] = redraw(feature["geometry"])
    path.write_text(json.dumps(data), "utf-8")


def test_a_union_refuses_overlapping_parts_and_a_shape_off_its_published_area(
    tmp_path: Path,
) -> None:
    tree = tmp_path / "curated"
    shutil.copytree(curated_dir(), tree)
    # a zone drawn over the core: the extent would count the overlap twice
    core = _geometry(tree, "taizhou-central-core")
    _redraw(
        tree,
        "jiaojiang-innovation-valley",
        lambda zone: mapping(shape(zone).union(shape(core).buffer(-0.01))),
    )
    with pytest.raises(
        CurationError, match=r"taizhou_bay/recipes.yaml: taizhou-bay-corridor: of: "
    ):
        render_tree(tree)
    shutil.rmtree(tree)
    shutil.copytree(curated_dir(), tree)
    # the 科创带 narrowed: no longer the published 230.5 km²
    _edit_recipe(tree, "wenzhou_daluo", "daluo-ring-outer", a_km=9.0, b_km=7.2)
    with pytest.raises(CurationError, match=r"daluo-innovation-ring: area_km2: measures"):
        render_tree(tree)


@pytest.mark.slow
def test_aliases_are_derived_by_the_rules_and_rewritten_by_the_cli(
    data_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = data_copy / "layers" / "aliases.json"
    shipped = path.read_bytes()
    assert main(["data", "aliases", "--check"]) == 0
    data = json.loads(shipped)
    data["aliases"]["wenzhou-daluo-corridor"].pop()  # an alias the rules give, deleted by hand
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", "utf-8")
    assert main(["data", "aliases", "--check"]) == 1
    assert main(["data", "aliases"]) == 0
    assert path.read_bytes() == shipped


def test_a_layers_declared_checks_refuse_a_point_off_its_district_and_a_wrong_status_date(
    tmp_path: Path,
) -> None:
    tree = tmp_path / "curated"
    shutil.copytree(curated_dir(), tree)
    # moved to 黄岩's seat, still claiming 椒江
    _redraw(
        tree,
        "zheli-optics-valley",
        lambda _: {"type": "Point", "coordinates": [121.27106, 28.6473]},
    )
    with pytest.raises(
        CurationError,
        match=r"taizhou_bay/checks.yaml: zheli-optics-valley: geometry: only 0.0% inside",
    ):
        render_tree(tree)
    shutil.rmtree(tree)
    shutil.copytree(curated_dir(), tree)
    feature = tree / "wenling_lakes" / "features" / "longmen-incubation-park.yaml"
    props = yaml.safe_load(feature.read_text("utf-8"))
    assert props["status"]["as_of"]
    props["status"]["as_of"] = "2019-01-01"
    feature.write_text(yaml.safe_dump(props, allow_unicode=True, sort_keys=False), "utf-8")
    with pytest.raises(CurationError, match=r"longmen-incubation-park: status.as_of: "):
        render_tree(tree)


@pytest.mark.parametrize("made", [False, True], ids=["missing", "empty"])
def test_a_folder_that_is_no_tree_is_refused_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], made: bool
) -> None:
    folder = tmp_path / "nothing"
    if made:
        folder.mkdir()
    assert main(["data", "check", str(folder)]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and str(folder) in err and "Traceback" not in err
