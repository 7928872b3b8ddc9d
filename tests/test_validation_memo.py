"""The validator remembers what it checked (a save re-checks only what changed): every
remembered outcome is keyed on all it depends on, so a change anywhere is checked again.

Each test validates a private copy of the data once (outcomes remembered), changes one
input the remembered checks of *another* file depend on, and expects the problem that
change causes: a replay keyed too narrowly would miss it.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from corridor_map.atlas.validation import validate

CORE_FILE = "taizhou_bay.geojson"


@pytest.mark.slow
def test_a_changed_district_layer_checks_the_curated_files_again(data_copy: Path) -> None:
    layers = data_copy / "layers"
    assert not [p for p in validate(layers) if p.file == CORE_FILE]
    districts = layers / "ref_districts.geojson"
    data = json.loads(districts.read_text("utf-8"))
    data["features"] = [
        f for f in data["features"] if f["properties"].get("code") != "331002"
    ]  # 椒江区, where the 台州湾 core lies
    districts.write_text(json.dumps(data, ensure_ascii=False), "utf-8")
    found = [p for p in validate(layers) if p.file == CORE_FILE and p.field == "district"]
    assert any("331002" in p.reason and "containment cannot be checked" in p.reason for p in found)


@pytest.mark.slow
def test_a_changed_catalog_checks_the_quotes_of_unchanged_layers_again(
    data_copy: Path,
) -> None:
    layers = data_copy / "layers"
    assert not [p for p in validate(layers) if p.file == CORE_FILE]
    data = json.loads((layers / CORE_FILE).read_text("utf-8"))
    doc = next(s["doc"] for f in data["features"] for s in f["properties"].get("sources") or [])
    catalog_path = data_copy / "seeds" / "catalog.json"
    catalog = json.loads(catalog_path.read_text("utf-8"))
    catalog["documents"] = [d for d in catalog["documents"] if d.get("id") != doc]
    catalog_path.write_text(json.dumps(catalog, ensure_ascii=False), "utf-8")
    found = [p for p in validate(layers) if p.file == CORE_FILE]
    assert any(f"unknown document id {doc!r}" in p.reason for p in found)
