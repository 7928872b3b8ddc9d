"""One data snapshot keys every cache: an edited travel_targets.json shows in the app."""

from __future__ import annotations

import json
from pathlib import Path

from streamlit.testing.v1 import AppTest

from corridor_map.core import paths
from corridor_map.core.i18n import t
from tests._travel_grid import TARGET_SOURCE

APP = str(Path(__file__).resolve().parent.parent / "app.py")


def _write_target(layers: Path, minutes: int) -> None:
    record = {
        "id": "corner-to-corner",
        "name_zh": "对角通达",
        "name_en": "Corner to corner",
        "sources": [TARGET_SOURCE],
        "threshold_min": minutes,
        "method": "pair",
        "origins": ["sw"],
        "destinations": ["ne"],
    }
    (layers / "travel_targets.json").write_text(json.dumps({"targets": [record]}), "utf-8")


def _table(at: AppTest) -> dict[str, list[object]]:
    assert not at.exception
    frame = at.dataframe[0].value
    return {column: list(frame[column]) for column in frame.columns}


def test_editing_travel_targets_changes_the_app_travel_table(travel_grid: Path) -> None:
    layers = travel_grid
    _write_target(layers, 10)
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["view"] = "travel"
    before = _table(at.run())
    # sw → ne is 8 km of 1 km edges: about 12 minutes at 40 km/h, over 10, within 30
    assert before[t("threshold", "zh")] == [10]
    worst = before[t("worst", "zh")][0]
    assert isinstance(worst, float) and worst > 10
    assert before[t("verdict", "zh")] == [t("verdict_not_met", "zh")]

    key = paths.data_key(layers)
    _write_target(layers, 30)  # same size: only the file's time tells the edit
    assert paths.data_key(layers) != key
    after = _table(at.run())
    assert after[t("threshold", "zh")] == [30]
    assert after[t("verdict", "zh")] == [t("verdict_met", "zh")]


def test_the_snapshot_covers_layers_targets_and_seeds(travel_grid: Path) -> None:
    layers = travel_grid
    folder, layer_files, seed_files = paths.data_snapshot(layers)
    assert folder == str(layers)
    assert {"ref_roads.geojson", "ref_districts.geojson"} <= {name for name, _, _ in layer_files}
    assert "catalog.json" in {name for name, _, _ in seed_files}
    _write_target(layers, 10)
    assert "travel_targets.json" in {name for name, _, _ in paths.data_snapshot(layers)[1]}
