"""Curation through the CLI: replace a geometry from an official file, see it everywhere,
read the history, revert byte for byte; refusals; a store that cannot be written."""

from __future__ import annotations

import json
import os
import sqlite3
import stat
import subprocess
from pathlib import Path

import pytest
from shapely.geometry import shape

from corridor_map.atlas.model import load_atlas
from corridor_map.cli.main import main
from corridor_map.curation.publish import render_all
from corridor_map.curation.store import CURATED_FILES, open_store
from corridor_map.views.panel import feature_panel
from tests._support import geodesic_km2, official_core_zip

CORE = "taizhou-central-core"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def layer_bytes(root: Path) -> dict[str, bytes]:
    return {name: (root / "layers" / name).read_bytes() for name in CURATED_FILES}


def edit_core(capsys, archive: Path) -> tuple[int, str, str]:
    return run(
        capsys,
        "edit", "geometry", CORE,
        "--file", str(archive),
        "--where", "name=中央创新核",
        "--reason", "红线 supplied by the city",
        "--source", "台州市自然资源和规划局 红线数据",
        "--supplier", "台州市自然资源和规划局",
        "--reference", "台自然资规〔2026〕12号",
        "--date", "2026-03-01",
        "--precision", "5",
        "--author", "planner-a",
    )  # fmt: skip


@pytest.mark.slow
def test_official_geometry_sequence(data_copy: Path, tmp_path: Path, capsys) -> None:
    before = layer_bytes(data_copy)
    archive, expected = official_core_zip(data_copy, tmp_path, 0.97, decoy_first=False)
    code, _, err = run(capsys, "measure", CORE, "--json")
    assert code == 0, err

    code, out, err = edit_core(capsys, archive)
    assert code == 0, err
    assert "change #1: geometry taizhou-central-core" in out
    assert layer_bytes(data_copy)["taizhou_bay.geojson"] != before["taizhou_bay.geojson"]
    # only the edited file changed
    assert layer_bytes(data_copy)["wenzhou_daluo.geojson"] == before["wenzhou_daluo.geojson"]

    code, out, err = run(capsys, "measure", CORE, "--json")
    assert code == 0, err
    measured = json.loads(out)
    assert measured["geometry_basis"] == "official"
    assert measured["area_km2"] == pytest.approx(geodesic_km2(expected), rel=1e-3)

    code, out, err = run(capsys, "features", "--json")
    assert code == 0, err
    record = next(r for r in json.loads(out) if r["id"] == CORE)
    assert record["geometry_basis"] == "official"
    assert record["precision_m"] == 5
    assert record["geometry_official"] == {
        "supplier": "台州市自然资源和规划局",
        "reference": "台自然资规〔2026〕12号",
        "date": "2026-03-01",
    }

    view = feature_panel(load_atlas(), CORE)  # the panel: official, with its reference
    assert view.geometry_basis == "official"
    assert "台州市自然资源和规划局 (台自然资规〔2026〕12号, 2026-03-01)" in view.geometry_source

    exported = tmp_path / "core.geojson"
    code, _, err = run(capsys, "export", "features", "--scope", CORE, "--out", str(exported))
    assert code == 0, err
    row = next(
        f
        for f in json.loads(exported.read_text("utf-8"))["features"]
        if f["properties"]["id"] == CORE
    )
    assert row["properties"]["geometry_basis"] == "official"
    assert geodesic_km2(shape(row["geometry"])) == pytest.approx(geodesic_km2(expected), rel=1e-3)

    code, out, err = run(capsys, "history", CORE)
    assert code == 0, err
    assert "#1\t" in out and "planner-a\tgeometry" in out
    assert "before: schematic Polygon 40.738 km²" in out
    assert "after:  official Polygon" in out
    code, out, _ = run(capsys, "history", CORE, "--json")
    (change,) = json.loads(out)
    assert change["before"]["properties"]["geometry_basis"] == "schematic"
    official = change["after"]["properties"]["geometry_official"]
    assert official["reference"] == "台自然资规〔2026〕12号"

    code, out, err = run(capsys, "revert", "1", "--reason", "wrong file", "--author", "planner-b")
    assert code == 0, err
    assert "change #2: revert taizhou-central-core" in out
    assert layer_bytes(data_copy) == before
    code, out, _ = run(capsys, "measure", CORE, "--json")
    assert json.loads(out)["geometry_basis"] == "schematic"

    published = tmp_path / "published"
    code, _, err = run(capsys, "publish", "--out", str(published))
    assert code == 0, err
    assert {n: (published / n).read_bytes() for n in CURATED_FILES} == before


def test_publish_of_a_fresh_store_reproduces_todays_files(data_copy: Path, tmp_path) -> None:
    store = open_store(data_copy)
    texts = render_all(store)
    assert set(texts) == {*CURATED_FILES, "indicators.json"}
    for name, text in texts.items():
        assert text.encode("utf-8") == (data_copy / "layers" / name).read_bytes(), name


@pytest.mark.slow
def test_refused_change_names_file_feature_field_and_writes_nothing(
    data_copy: Path, capsys
) -> None:
    before = layer_bytes(data_copy)
    code, _, err = run(capsys, "edit", "set", CORE, "role=bogus", "--reason", "try")
    assert code == 2
    assert "taizhou_bay.geojson: taizhou-central-core: role:" in err
    assert layer_bytes(data_copy) == before
    code, out, _ = run(capsys, "history")
    assert "0 change(s)" in out


@pytest.mark.slow
def test_set_link_unlink(data_copy: Path, capsys) -> None:
    code, _, err = run(capsys, "edit", "set", CORE, "name_en=Central Innovation Core (CIC)",
                       "--reason", "the city's English name")  # fmt: skip
    assert code == 0, err
    quote = "“一核聚能”是指规划面积41平方公里的中央创新核"
    code, _, err = run(capsys, "edit", "link", CORE, "--doc", "taizhou-bay-briefing",
                       "--quote", "不是原文里的话", "--reason", "x")  # fmt: skip
    assert code == 2 and "not found verbatim" in err
    code, _, err = run(capsys, "edit", "unlink", CORE, "--doc", "taizhou-bay-briefing",
                       "--quote", quote, "--reason", "duplicate of the stated figure")  # fmt: skip
    assert code == 0, err
    code, _, err = run(capsys, "edit", "link", CORE, "--doc", "taizhou-bay-briefing",
                       "--quote", quote, "--reason", "cite it again")  # fmt: skip
    assert code == 0, err
    code, out, _ = run(capsys, "features", "--json")
    assert next(r for r in json.loads(out) if r["id"] == CORE)["name_en"] == (
        "Central Innovation Core (CIC)"
    )
    code, out, _ = run(capsys, "history", CORE)
    assert [line.split("\t")[3] for line in out.splitlines() if line.startswith("#")] == [
        "set",
        "unlink",
        "link",
    ]


@pytest.mark.slow
def test_reason_is_required(data_copy: Path, capsys) -> None:
    code, _, err = run(capsys, "edit", "set", CORE, "name_en=X", "--reason", "  ")
    assert code == 2 and "reason" in err


def _freeze(paths: list[Path]) -> list[Path]:
    """Make ``paths`` unwritable, even for root (chattr +i); return what to thaw."""
    if os.geteuid() != 0:
        for path in paths:
            path.chmod(path.stat().st_mode & ~(stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH))
        return paths
    frozen = []
    for path in paths:
        if subprocess.run(["chattr", "+i", str(path)], check=False).returncode != 0:
            _thaw(frozen)
            pytest.skip("cannot make a file read-only for root here (chattr)")
        frozen.append(path)
    return frozen


def _thaw(paths: list[Path]) -> None:
    for path in paths:
        if os.geteuid() == 0:
            subprocess.run(["chattr", "-i", str(path)], check=True)
        else:
            path.chmod(path.stat().st_mode | stat.S_IWUSR)


@pytest.mark.slow
def test_read_only_store_gives_one_clear_line(data_copy: Path, capsys) -> None:
    run(capsys, "history")  # creates the store
    db = data_copy / "curation.sqlite"
    frozen = _freeze([db, data_copy])
    try:
        code, _, err = run(capsys, "edit", "set", CORE, "name_en=X", "--reason", "r")
    finally:
        _thaw(frozen)
    assert code == 2
    assert len(err.strip().splitlines()) == 1, err
    assert "cannot" in err and ("curation.sqlite" in err or "curation.lock" in err)
    code, out, _ = run(capsys, "history")
    assert "0 change(s)" in out


@pytest.mark.slow
def test_change_ids_have_no_gaps_after_refusals(data_copy: Path, capsys) -> None:
    run(capsys, "edit", "set", CORE, "name_en=A", "--reason", "r")
    run(capsys, "edit", "set", CORE, "role=bogus", "--reason", "r")
    run(capsys, "edit", "set", CORE, "name_en=B", "--reason", "r")
    with sqlite3.connect(data_copy / "curation.sqlite") as db:
        assert [r[0] for r in db.execute("SELECT id FROM changes ORDER BY id")] == [1, 2]


@pytest.mark.slow
def test_layers_that_cannot_be_written_keep_the_change_and_catch_up(
    data_copy: Path, tmp_path: Path, capsys
) -> None:
    before = layer_bytes(data_copy)
    run(capsys, "history")  # creates the store
    frozen = _freeze([data_copy / "layers"])
    try:
        code, _, err = run(capsys, "edit", "set", CORE, "name_en=Core", "--reason", "r")
        assert layer_bytes(data_copy) == before  # nothing half-written
    finally:
        _thaw(frozen)
    assert code == 2
    assert len(err.strip().splitlines()) == 1
    assert "change #1 is saved but the layers could not be written" in err
    code, _, err = run(capsys, "publish", "--out", str(tmp_path / "out"))
    assert code == 0, err
    texts = render_all(open_store(data_copy))
    for name in CURATED_FILES:
        assert (data_copy / "layers" / name).read_text("utf-8") == texts[name]
    assert layer_bytes(data_copy)["taizhou_bay.geojson"] != before["taizhou_bay.geojson"]


@pytest.mark.slow
def test_a_layer_edited_outside_the_store_is_not_overwritten(
    data_copy: Path, tmp_path: Path, capsys
) -> None:
    run(capsys, "history")  # creates the store
    path = data_copy / "layers" / "taizhou_bay.geojson"
    original = path.read_bytes()
    edited = original.replace(b'"name_en":"Central Innovation Core"', b'"name_en":"By hand"')
    assert edited != original
    path.write_bytes(edited)
    code, _, err = run(capsys, "edit", "set", "wenling-lakes-corridor", "name_en=X",
                       "--reason", "r")  # fmt: skip
    assert code == 2 and len(err.strip().splitlines()) == 1
    assert "taizhou_bay.geojson: 在编辑库之外被修改 / changed outside the curation store" in err
    assert path.read_bytes() == edited  # the outside edit is not lost
    code, _, err = run(capsys, "publish", "--out", str(tmp_path / "out"), "--force")
    assert code == 0, err
    assert path.read_bytes() == original
