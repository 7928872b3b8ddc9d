"""The scale benchmark measures a valid atlas: the synthetic generator's 1k output validates.

``benchmarks/synthetic_atlas.py`` copies the real curated features (ids ``syn-…``) and
documents into a temporary data folder; this checks that ``validate`` finds no problem
there, that the copies are marked and cite the synthetic documents, and that nothing was
written into the real data.
"""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType

import pytest

from corridor_map.atlas.model import load_atlas
from corridor_map.atlas.validation import validate
from corridor_map.documents.corpus import load_corpus

ROOT = Path(__file__).resolve().parent.parent


def _generator() -> ModuleType:
    path = ROOT / "benchmarks" / "synthetic_atlas.py"
    spec = importlib.util.spec_from_file_location("synthetic_atlas", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look the module up by name
    spec.loader.exec_module(module)
    return module


def _snapshot(folder: Path) -> dict[str, int]:
    return {p.name: p.stat().st_mtime_ns for p in sorted(folder.iterdir())}


@pytest.mark.slow
def test_1k_synthetic_atlas_validates(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real = {name: _snapshot(ROOT / name) for name in ("layers", "seeds")}
    out = tmp_path / "syn1k"
    summary = _generator().write_synthetic(out, features=1000, documents=10)
    assert summary.features == 1000
    assert summary.documents == 10

    monkeypatch.setenv("CORRIDOR_MAP_DATA", str(out))
    assert validate(out / "layers") == []
    atlas = load_atlas(out / "layers", strict=True)
    curated = [f for f in atlas if f.corridor != "reference"]
    assert len(curated) == 1000
    synthetic = [f for f in curated if f.id.startswith("syn-")]
    assert len(synthetic) == 1000 - 84
    documents = load_corpus().documents
    assert len(documents) == 10
    for feature in synthetic:
        assert "合成" in feature.name_zh and "synthetic" in feature.name_en
        for source in feature.sources:
            assert source["doc"].startswith("syn-") and source["doc"] in documents

    assert {name: _snapshot(ROOT / name) for name in ("layers", "seeds")} == real
    catalog = json.loads((ROOT / "seeds" / "catalog.json").read_text(encoding="utf-8"))
    assert len(catalog["documents"]) == 5


def test_generator_refuses_the_real_data_folder(tmp_path: Path) -> None:
    generator = _generator()
    for target in (ROOT, ROOT / "layers", ROOT / "seeds" / "x"):
        with pytest.raises(ValueError, match="real"):
            generator.write_synthetic(target, features=100, documents=5)
    assert (ROOT / "layers" / "taizhou_bay.geojson").is_file()
