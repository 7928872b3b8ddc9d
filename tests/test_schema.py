"""The published JSON Schemas: valid Draft 2020-12, met by the shipped data, shared by the
validator, the travel loader and the CLI/app, with file/feature/field messages."""

from __future__ import annotations

import hashlib
import json
import math
import shutil
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from corridor_map.atlas import indicators
from corridor_map.atlas.checks_quotes import MIN_RING_STEP_M
from corridor_map.atlas.model import LayerError, load_atlas
from corridor_map.atlas.validation import validate
from corridor_map.cli import main as cli
from corridor_map.core import schemas
from corridor_map.core.errors import Problem
from corridor_map.core.markup import md_escape
from corridor_map.core.paths import layers_dir, seeds_dir
from corridor_map.core.vocab import (
    AREA_UNITS_KM2,
    GEOMETRY_BASES,
    ROLES,
    STATUS_VALUES,
    WITHIN_KINDS,
)
from corridor_map.core.vocab import LAYER_CORRIDORS as CORRIDORS
from corridor_map.documents import corpus
from corridor_map.travel import data as travel_data
from corridor_map.travel import routing as travel
from corridor_map.travel import targets as travel_targets
from tests.test_validate_broken import (
    _collection,
    _feature,
    _good,
    _layers,
    _point,
    _target,
)

REAL_LAYERS = layers_dir()
APP = str(Path(__file__).resolve().parent.parent / "app.py")
ROLE_LIST = ", ".join(ROLES)


# ------------------------------------------------------------------ the schemas themselves


@pytest.mark.parametrize("name", schemas.SCHEMA_NAMES)
def test_each_schema_is_a_valid_draft_2020_12_schema(name):
    schema = schemas.schema(name)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$id"] == f"urn:corridor-map:schema:{name}"
    Draft202012Validator.check_schema(schema)


def test_the_schemas_ship_inside_the_package():
    # found through importlib.resources, so they travel in the wheel with the package
    folder = Path(schemas.__file__).parent
    assert sorted(p.name for p in folder.glob("*.schema.json")) == sorted(
        f"{name}.schema.json" for name in schemas.SCHEMA_NAMES
    )
    pyproject = (Path(__file__).resolve().parent.parent / "pyproject.toml").read_text("utf-8")
    assert 'packages = ["corridor_map"]' in pyproject
    assert '"jsonschema' in pyproject


@pytest.mark.parametrize("path", sorted(REAL_LAYERS.glob("*.geojson")), ids=lambda p: p.name)
def test_each_shipped_layer_meets_the_layer_schema(path):
    assert schemas.check("layer", json.loads(path.read_text("utf-8"))) == []


@pytest.mark.parametrize(
    ("name", "path"),
    [
        ("travel_targets", REAL_LAYERS / "travel_targets.json"),
        ("indicators", REAL_LAYERS / "indicators.json"),
        ("catalog", seeds_dir() / "catalog.json"),
    ],
)
def test_each_shipped_data_file_meets_its_schema(name, path):
    assert schemas.check(name, json.loads(path.read_text("utf-8"))) == []


def _enum(schema: dict[str, Any], *path: str) -> list[Any]:
    node: Any = schema
    for step in path:
        node = node[step]
    return list(node["enum"])


def test_the_schemas_vocabulary_is_the_codes():
    layer = schemas.schema("layer")
    props = ("$defs", "properties", "properties")
    assert _enum(layer, *props, "corridor") == list(CORRIDORS)
    assert _enum(layer, *props, "role") == list(ROLES)
    assert _enum(layer, *props, "geometry_basis") == list(GEOMETRY_BASES)
    assert _enum(layer, *props, "status", "properties", "value") == list(STATUS_VALUES)
    assert _enum(layer, *props, "within", "properties", "kind") == list(WITHIN_KINDS)
    area = layer["$defs"]["stated"]["allOf"][0]["then"]["properties"]["unit"]
    assert area["enum"] == list(AREA_UNITS_KM2)
    target = schemas.schema("travel_targets")["$defs"]["target"]["properties"]
    assert sorted(_enum(target, "method")) == sorted(travel_targets._METHODS)
    assert target["ring_step_m"]["minimum"] == MIN_RING_STEP_M
    register = schemas.schema("indicators")["$defs"]["indicator"]["properties"]
    assert _enum(register, "kind") == list(indicators.KINDS)
    assert _enum(register, "unit") == [*indicators.UNITS, None]
    catalog = schemas.schema("catalog")["$defs"]["document"]["properties"]
    assert _enum(catalog, "kind") == list(corpus.KINDS)
    assert _enum(catalog, "script") == list(corpus.SCRIPTS)
    assert catalog["corridors"]["items"]["enum"] == list(corpus.CORRIDORS)


# ------------------------------------------------------ findings: path, field and reason


def test_a_file_that_is_not_a_feature_collection_is_one_finding():
    (finding,) = schemas.check("layer", {"type": "Feature", "features": 3})
    assert (finding.path, finding.reason) == (("type",), "not a GeoJSON FeatureCollection")


def test_a_failure_inside_a_whole_value_is_reported_at_the_value():
    data = _good()
    data["features"][0]["properties"]["measured"] = {"area_km2": math.inf}
    data["features"][1]["properties"]["district"] = [{"name": "温岭市", "code": 331081}]
    found = {schemas.field_name(f.path): f.reason for f in schemas.check("layer", data)}
    assert found == {
        "features[0].properties.measured": (
            "must be an object of finite numbers, e.g. {'area_km2': 40.7}"
        ),
        "features[1].properties.district[0]": 'must be {"name": "椒江区", "code": "331002"}',
    }


def test_a_feature_that_is_not_a_feature_hides_its_other_findings_only():
    data = _good()
    data["features"][0] = {"type": "Feture", "properties": None}
    data["features"][1]["properties"]["role"] = "hub"
    found = [(schemas.field_name(f.path), f.reason) for f in schemas.check("layer", data)]
    assert found == [
        ("features[0].type", "not a GeoJSON Feature"),
        ("features[1].properties.role", f"'hub' is not one of {ROLE_LIST}"),
    ]


# --------------------------------------------- broken fixtures: file, feature, field, reason


def _problem_set(folder: Path, file: str) -> set[tuple[str, str, str]]:
    return {(p.feature_id, p.field, p.reason) for p in validate(folder) if p.file == file}


def _break(change: str) -> dict[str, Any]:
    data = _good()
    core = data["features"][1]
    if change == "missing id":
        del core["properties"]["id"]
    elif change == "wrong type":
        core["properties"]["name_zh"] = 1
        core["properties"]["precision_m"] = "500"
    elif change == "unknown role":
        core["properties"]["role"] = "hub"
    elif change == "features null":
        data["features"] = None
    elif change == "features an object":
        data["features"] = {"a": 1}
    elif change == "NaN coordinate":
        core["geometry"] = _point(121.385, math.nan)
    return data


BROKEN = {
    "missing id": {("#1", "id", "missing or not a string")},
    "wrong type": {
        ("t-core", "name_zh", "missing or empty string"),
        ("t-core", "precision_m", "must be a positive number of metres"),
    },
    "unknown role": {("t-core", "role", f"'hub' is not one of {ROLE_LIST}")},
    "features null": {("-", "features", "must be a list")},
    "features an object": {("-", "features", "must be a list")},
    "NaN coordinate": {("t-core", "geometry", "malformed coordinates (e.g. [121.385, NaN])")},
}


@pytest.mark.parametrize("change", BROKEN)
def test_a_broken_layer_gets_the_expected_message(tmp_path, change):
    folder = _layers(tmp_path, {"t.geojson": _break(change)})
    assert _problem_set(folder, "t.geojson") == BROKEN[change]
    assert load_atlas(folder).refused == ("t.geojson",)


def _links(speed: Any) -> dict[str, Any]:
    return _collection(links=[{"feature": "t-road", "design_speed_kmh": speed}])


def test_a_design_speed_that_is_not_a_number_is_named(tmp_path):
    data = _good()
    line = {"type": "LineString", "coordinates": [[121.375, 28.37], [121.385, 28.372]]}
    data["features"].append(_feature("t-road", line, role="road", parent="t-extent"))
    folder = _layers(tmp_path, {"t.geojson": data, "planned_links.geojson": _links("fast")})
    assert _problem_set(folder, "planned_links.geojson") == {
        ("-", "links[0].design_speed_kmh", "must be a number > 0")
    }


def _targets(**changes: Any) -> dict[str, Any]:
    return {"targets": [_target(**changes)]}


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"threshold_min": math.nan}, ("threshold_min", "must be a finite number of minutes > 0")),
        ({"ring_step_m": math.inf}, ("ring_step_m", "must be a number ≥ 100 m, got inf")),
        (
            {"method": "fastest"},
            (
                "method",
                "'fastest' is not one of pair, nearest_destination, "
                "ring_span, all_pairs, not_evaluable",
            ),
        ),
        (
            {"sources": [{"doc": "wenling-reply-2025"}]},
            ("sources[0].quote", "missing or empty quote"),
        ),
    ],
)
def test_a_broken_target_gets_the_expected_message_and_is_refused(tmp_path, changes, expected):
    files = {"t.geojson": _good(), "travel_targets.json": _targets(**changes)}
    folder = _layers(tmp_path, files)
    assert _problem_set(folder, "travel_targets.json") == {("t-target", *expected)}
    atlas = load_atlas(folder)
    assert atlas.refused == ("travel_targets.json",)
    assert atlas.travel_targets is None
    assert "t-core" in atlas  # the layers still load


def test_valid_targets_are_kept_on_the_atlas(tmp_path):
    folder = _layers(tmp_path, {"t.geojson": _good(), "travel_targets.json": _targets()})
    atlas = load_atlas(folder)
    assert atlas.problems == ()
    assert atlas.travel_targets == _targets()


def test_a_target_naming_a_feature_of_a_refused_file_is_listed_not_refused(tmp_path):
    broken = _good()
    broken["features"][1]["properties"]["name_en"] = ""
    folder = _layers(tmp_path, {"t.geojson": broken, "travel_targets.json": _targets()})
    atlas = load_atlas(folder)
    assert atlas.refused == ("t.geojson",)
    assert atlas.travel_targets == _targets()  # travel reports its ends as missing
    later = [p for p in atlas.problems if p.file == "travel_targets.json"]
    assert {(p.feature_id, p.field) for p in later} == {
        ("t-target", "origins"),
        ("t-target", "destinations"),
    }
    assert all("(after refusing t.geojson)" in p.reason for p in later)


# ------------------------------------------------------- document ids from the catalog


def _data_with_a_sixth_document(tmp_path: Path) -> Path:
    """The real seeds plus a synthetic document ``extra-doc`` (catalog entry, seed file)."""
    root = tmp_path / "data"
    shutil.copytree(seeds_dir(), root / "seeds")
    seed = "005_extra.txt"
    text = "测试文件\n第六份文件只用于检查文件编号来自目录。\n"
    (root / "seeds" / seed).write_text(text, "utf-8")
    catalog = json.loads((root / "seeds" / "catalog.json").read_text("utf-8"))
    catalog["documents"].append(
        {
            "id": "extra-doc",
            "seed_file": seed,
            "sha256": hashlib.sha256(text.encode("utf-8")).hexdigest(),
            "title": "测试文件",
            "title_en": None,
            "issuer": None,
            "date": {"iso": None, "text": None},
            "doc_number": None,
            "kind": "plan",
            "corridors": ["wenling-lakes"],
            "script": "zh-Hans",
            "normalize": [],
            "notes": None,
        }
    )
    (root / "seeds" / "catalog.json").write_text(json.dumps(catalog, ensure_ascii=False), "utf-8")
    return root


def test_any_document_of_the_catalog_in_use_may_be_cited(tmp_path, monkeypatch):
    root = _data_with_a_sixth_document(tmp_path)
    monkeypatch.setenv("CORRIDOR_MAP_DATA", str(root))
    corpus.clear_cache()
    extra = {"doc": "extra-doc", "quote": "第六份文件只用于检查文件编号来自目录"}
    data = _good()
    data["features"][1]["properties"]["sources"] = [extra]
    data["features"][0]["properties"]["sources"] = [{"doc": "not-in-catalog", "quote": "x"}]
    folder = _layers(root, {"t.geojson": data})
    assert validate(folder) == [
        Problem("t.geojson", "t-extent", "sources[0].doc", "unknown document id 'not-in-catalog'")
    ]
    corpus.clear_cache()


# ----------------------------------------- the same refusal in the CLI (exit 2) and the app


def _real_data(tmp_path: Path, case: str) -> Path:
    root = tmp_path / "data"
    shutil.copytree(seeds_dir(), root / "seeds")
    shutil.copytree(REAL_LAYERS, root / "layers")
    name = "planned_links.geojson" if case == "fast" else "travel_targets.json"
    path = root / "layers" / name
    data = json.loads(path.read_text("utf-8"))
    if case == "fast":
        data["links"][0]["design_speed_kmh"] = "fast"
    else:
        data["targets"][0]["threshold_min"] = math.nan
    path.write_text(json.dumps(data, ensure_ascii=False), "utf-8")
    return root


EXPECTED = {
    "fast": "planned_links.geojson: -: links[0].design_speed_kmh: must be a number > 0",
    "NaN": (
        "travel_targets.json: wenling-tailong-15min: threshold_min: "
        "must be a finite number of minutes > 0"
    ),
}


@pytest.mark.slow
@pytest.mark.parametrize("case", EXPECTED)
@pytest.mark.parametrize("command", [["targets"], ["travel", "jiulong-lake", "longmen-lake"]])
def test_the_cli_refuses_with_one_message_and_exit_2(tmp_path, monkeypatch, capsys, case, command):
    monkeypatch.setenv("CORRIDOR_MAP_DATA", str(_real_data(tmp_path, case)))
    assert cli.main(command) == 2
    captured = capsys.readouterr()
    assert EXPECTED[case] in captured.err
    assert "Traceback" not in captured.err
    assert captured.out == ""


@pytest.mark.slow
def test_the_library_routes_without_a_refused_link_and_names_it(tmp_path, monkeypatch):
    monkeypatch.setenv("CORRIDOR_MAP_DATA", str(_real_data(tmp_path, "fast")))
    assert travel_data.planned_links(load_atlas()) == []
    # lenient: works, link left out
    result = travel.route(load_atlas(), "jiulong-lake", "longmen-lake")
    assert result.reachable and result.planned_links_used == []
    assert EXPECTED["fast"] in [str(p) for p in load_atlas().problems]
    with pytest.raises(LayerError, match=r"links\[0\]\.design_speed_kmh"):
        load_atlas(strict=True)


@pytest.mark.slow
@pytest.mark.parametrize("case", EXPECTED)
def test_the_app_lists_the_problem_and_the_travel_view_keeps_working(tmp_path, monkeypatch, case):
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("CORRIDOR_MAP_DATA", str(_real_data(tmp_path, case)))
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params["view"] = "travel"
    at.run()
    assert not at.exception
    (warning,) = at.warning
    assert md_escape(EXPECTED[case]) in warning.value
    if case == "fast":
        # the targets table is there, evaluated without the refused link
        assert len(at.dataframe[0].value) == len(travel_targets.load_targets(load_atlas()))
        assert at.toggle(key="travel_planned").disabled
    else:
        # no targets to evaluate: the view says why, with the same problem line
        assert any(EXPECTED["NaN"] in el.value for el in at.text)


# ------------------------------------------------- the writers check the same schema


def test_require_names_the_file_and_every_field():
    data = _good()
    data["features"][1]["properties"]["role"] = "hub"
    with pytest.raises(schemas.SchemaError) as refused:
        schemas.require("layer", data, "t.geojson")
    assert f"t.geojson: features[1].properties.role: 'hub' is not one of {ROLE_LIST}" in str(
        refused.value
    )
    schemas.require("layer", _good(), "t.geojson")  # a valid layer passes


@pytest.mark.slow
def test_building_the_tree_refuses_what_the_loader_would_refuse(data_copy, capsys):
    from corridor_map.cli.main import main

    features = data_copy / "curated" / "wenzhou_daluo" / "features"
    layer = data_copy / "layers" / "wenzhou_daluo.geojson"
    before = layer.read_bytes()
    station = features / "wenzhou-south-station.yaml"
    good = station.read_text("utf-8")
    # a figure JSON cannot carry, and a role the schema does not know
    station.write_text(good.replace("precision_m: 100", "precision_m: .nan"), "utf-8")
    assert main(["data", "build", "--reason", "t"]) == 2
    expected = "wenzhou-south-station.yaml: wenzhou-south-station: precision_m: must be a finite"
    assert expected in capsys.readouterr().err
    station.write_text(good.replace("role: gateway", "role: hub"), "utf-8")
    assert main(["data", "build", "--reason", "t"]) == 2
    expected = f"wenzhou-south-station: role: 'hub' is not one of {ROLE_LIST}"
    err = capsys.readouterr().err
    assert "wenzhou_daluo.geojson" in err and expected in err, err
    assert layer.read_bytes() == before
    station.write_text(good.replace("name_en: High-speed rail station", "name_en: HSR"), "utf-8")
    assert main(["data", "build", "--reason", "t"]) == 0  # a valid edit passes
    assert json.loads(layer.read_text("utf-8"))["features"] != json.loads(before)["features"]


def test_the_corpus_checks_the_catalog_against_its_schema_too(tmp_path):
    folder = tmp_path / "seeds"
    shutil.copytree(seeds_dir(), folder)
    path = folder / "catalog.json"
    path.chmod(0o644)
    catalog = json.loads(path.read_text("utf-8"))
    catalog["documents"][1]["title_en"] = 5
    path.write_text(json.dumps(catalog, ensure_ascii=False), "utf-8")
    with pytest.raises(corpus.CorpusError) as refused:
        corpus.load_corpus(folder)
    assert "document 'taizhou-bay-briefing': title_en: must be a string or null" in str(
        refused.value
    )
    assert refused.value.doc_id == "taizhou-bay-briefing"


# --------------------------------------- every finding carries the schema's own reason

ODD_VALUES = [None, 1, -1, 0, 1.5, math.nan, math.inf, True, "", "x", [], [1], {}, {"a": 1}]
# jsonschema's own English wording: a finding showing it lacks an x-message in the schema
GENERIC = ("is not of type", "is a required property", "is not valid under", "is too ")


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix]
    if isinstance(node, dict):
        for key, value in node.items():
            found += _paths(value, (*prefix, key))
    elif isinstance(node, list):
        for index, value in enumerate(node[:2]):
            found += _paths(value, (*prefix, index))
    return found


@pytest.mark.parametrize(
    ("name", "path"),
    [
        ("layer", REAL_LAYERS / "wenling_lakes.geojson"),
        ("layer", REAL_LAYERS / "planned_links.geojson"),
        ("travel_targets", REAL_LAYERS / "travel_targets.json"),
        pytest.param("indicators", REAL_LAYERS / "indicators.json", marks=pytest.mark.slow),
        ("catalog", seeds_dir() / "catalog.json"),
    ],
)
def test_odd_values_anywhere_get_a_reason_from_the_schema(name, path):
    import copy
    import random

    rng = random.Random(15)
    original = json.loads(path.read_text("utf-8"))
    where = _paths(original)[1:]
    for _ in range(150):
        data = copy.deepcopy(original)
        target = rng.choice(where)
        node = data
        for step in target[:-1]:
            node = node[step]
        node[target[-1]] = rng.choice(ODD_VALUES)
        for finding in schemas.check(name, data):  # never raises
            assert finding.reason and not any(g in finding.reason for g in GENERIC), (
                target,
                finding,
            )
