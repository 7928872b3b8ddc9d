"""Issue 15's cases that had no test of their own: writes of the curated tree and the
register, the app on an empty data folder, a seed reported once on the command line, a dense upload
refused before it is built, Gaode tiles over TLS.

The other cases are proved where their code is tested (see the audit table in the
report of the reliability work and README's *Invalid data* section).
"""

from __future__ import annotations

import errno
import os
import re
import shutil
from pathlib import Path

import pytest

from corridor_map.analysis import uploads as imports
from corridor_map.analysis.upload_notes import UploadError
from corridor_map.atlas.validation import validate
from corridor_map.cli import main as cli
from corridor_map.core.i18n import t
from corridor_map.core.markup import md_escape
from corridor_map.core.paths import layers_dir, seeds_dir
from corridor_map.webmap import basemaps, overlays
from corridor_map.webmap import build as webmap

ROOT = Path(__file__).resolve().parent.parent


def _one_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1, lines
    assert "Traceback" not in err
    return lines[0]


def _disk_full(fd: int, data: object) -> int:
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


def _no_permission(*args: object, **kwargs: object) -> tuple[int, str]:
    raise PermissionError(errno.EACCES, os.strerror(errno.EACCES))


# ------------------------------------------------ writes: the curated tree and the register


@pytest.mark.parametrize(
    ("target", "replacement", "reason"),
    [
        ("os.write", _disk_full, "No space left on device"),
        ("tempfile.mkstemp", _no_permission, "Permission denied"),
    ],
)
def test_a_tree_export_that_cannot_write_says_so_in_one_line(
    data_copy: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    target: str,
    replacement: object,
    reason: str,
) -> None:
    folder = tmp_path / "tree"
    shutil.copytree(data_copy / "curated", folder)
    before = {p: p.read_bytes() for p in folder.rglob("*") if p.is_file()}
    monkeypatch.setattr(target, replacement)
    assert cli.main(["data", "export", str(folder)]) == 2
    line = _one_line(capsys.readouterr().err)
    assert str(folder) in line and reason in line
    # all or nothing: every file as it was, no temporary file left
    assert {p: p.read_bytes() for p in folder.rglob("*") if p.is_file()} == before


def test_a_tree_that_cannot_be_read_says_so_in_one_line(
    data_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = data_copy / "curated" / "taizhou_bay" / "features" / "feilong-lake.yaml"
    broken.write_bytes(b"\xff\xfe not utf-8")
    assert cli.main(["data", "check"]) == 2
    line = _one_line(capsys.readouterr().err)
    assert str(broken) in line and "cannot read" in line


@pytest.mark.slow
def test_a_register_edit_that_cannot_write_says_so_in_one_line(
    data_copy: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    register = data_copy / "layers" / "indicators.json"
    before = register.read_bytes()
    monkeypatch.setattr(os, "write", _disk_full)
    status = cli.main(
        ["edit", "indicator", "wz-hitech-enterprises", "--value", "4326", "--unit", "家",
         "--text", "4326家", "--date", "2024-06-27", "--scope", "温州市",
         "--doc", "wenzhou-reply-2024", "--quote", "高新技术企业累计4326家",
         "--paragraph", "p008", "--reason", "the city-wide figure again"]
    )  # fmt: skip
    assert status == 2
    line = _one_line(capsys.readouterr().err)
    assert str(register) in line and "No space left on device" in line
    assert register.read_bytes() == before
    assert sorted(p.name for p in register.parent.iterdir()) == sorted(
        p.name for p in layers_dir().iterdir()
    )  # no temporary file left beside the served files


# ------------------------------------------------------------- an empty data folder


def test_the_app_on_an_empty_layers_folder_stops_with_the_message(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from streamlit.testing.v1 import AppTest

    root = tmp_path / "data"
    shutil.copytree(seeds_dir(), root / "seeds")
    (root / "layers").mkdir()
    monkeypatch.setenv("CORRIDOR_MAP_DATA", str(root))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.run()
    assert not at.exception
    (error,) = at.error
    assert t("data_error", "zh") in error.value
    assert md_escape("no *.geojson layer files") in error.value
    # Stopped under the page's title: no map (not even an empty one), no panel, and of the
    # sidebar only the language choice (drawn first, so the message can be read in English).
    assert not [e for e in at.get("bidi_component") if e.proto.component_name == "corridor-map.map"]
    assert [w.key for w in at.sidebar.children.values()] == ["lang"] and not at.info


@pytest.mark.parametrize(
    "command",
    [
        ["targets"],
        ["isochrone", "jiulong-lake", "20"],
        ["measure", "taizhou-central-core"],
        ["travel", "jiulong-lake", "longmen-lake"],
        ["features"],
        ["export", "features", "--out", "x.geojson"],
    ],
)
def test_every_command_on_an_empty_layers_folder_exits_2_with_the_message(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    command: list[str],
) -> None:
    root = tmp_path / "data"
    shutil.copytree(seeds_dir(), root / "seeds")
    (root / "layers").mkdir()
    monkeypatch.setenv("CORRIDOR_MAP_DATA", str(root))
    monkeypatch.chdir(tmp_path)
    assert cli.main(command) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "Traceback" not in captured.err
    # the folder named: "no *.geojson layer files" (the travel commands may first miss
    # the road network file in it)
    assert f"{root / 'layers'}" in captured.err and "error:" in captured.err
    assert not (tmp_path / "x.geojson").exists()  # nothing half-written either


# -------------------------------------------------------------- a seed, reported once


@pytest.mark.slow
def test_a_broken_seed_is_one_line_of_validate_not_one_per_quote(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    root = tmp_path / "data"
    shutil.copytree(seeds_dir(), root / "seeds")
    shutil.copytree(layers_dir(), root / "layers")
    seed = next((root / "seeds").glob("001_*.txt"))
    seed.write_bytes(seed.read_bytes() + b"x")
    monkeypatch.setenv("CORRIDOR_MAP_DATA", str(root))
    problems = validate(root / "layers")
    assert [p.file for p in problems] == [f"seeds/{seed.name}"]
    assert cli.main(["validate"]) == 1
    out = capsys.readouterr().out
    lines = [line for line in out.splitlines() if line.startswith(("seeds/", "taizhou"))]
    assert lines == [str(problems[0])], out
    assert "quote(s) not checked" in lines[0]


def test_the_indicator_register_alone_reports_a_broken_seed_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from corridor_map.atlas.indicators import validate_register

    root = tmp_path / "data"
    shutil.copytree(seeds_dir(), root / "seeds")
    shutil.copytree(layers_dir(), root / "layers")
    seed = next((root / "seeds").glob("004_*.txt"))
    seed.write_bytes(seed.read_bytes()[:-1])
    monkeypatch.setenv("CORRIDOR_MAP_DATA", str(root))
    (problem,) = validate_register(root / "layers")
    assert problem.file == "indicators.json" and seed.name in problem.reason
    assert "quote(s) not checked" in problem.reason


# ----------------------------------------------------------------- a dense upload


@pytest.mark.slow
def test_a_dense_upload_is_refused_before_any_geometry_is_built(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # 820 000 vertices in under 5 MB: the file, in both UI languages
    count = 820_000
    text = '{"type":"LineString","coordinates":[' + ",".join(["[1,2]"] * count) + "]}"
    data = text.encode()
    assert len(data) < imports.DEFAULT_MAX_BYTES

    def built(*args: object, **kwargs: object) -> None:
        raise AssertionError("a geometry was built from a refused upload")

    monkeypatch.setattr(imports, "shape", built)
    with pytest.raises(UploadError) as refused:
        imports.read_upload(data, "<img src=x onerror=alert(1)>.geojson")
    zh = imports.error_text(refused.value, "zh")
    en = imports.error_text(refused.value, "en")
    assert "顶点过多" in zh and f"{imports.DEFAULT_MAX_VERTICES:,}" in zh
    assert "too many vertices" in en
    assert "<img src=x onerror=alert(1)>.geojson" in zh  # named; the app escapes it


# ------------------------------------------------------------------ Gaode over TLS


def test_gaode_tiles_are_requested_over_https() -> None:
    tiles = basemaps.basemap_tiles("gaode", {})
    assert tiles is not None
    assert tiles.url.startswith("https://") and "autonavi.com" in tiles.url
    for basemap in basemaps.BASEMAPS:
        source = basemaps.basemap_tiles(basemap, {"TIANDITU_KEY": "k"})
        if source is not None:
            assert source.url.startswith("https://"), source.url
            assert source.overlay_url is None or source.overlay_url.startswith("https://")


def test_no_plain_http_tile_url_reaches_the_map_bundle() -> None:
    from corridor_map.atlas.model import load_atlas

    collections = overlays.layer_collections(load_atlas())
    script = webmap.stable_script(webmap.build_map(collections, "gaode", "zh", env={}))
    assert re.search(r"https://webrd0[1-4{]", script)
    assert "http://webrd" not in script


# ------------------------------------------------------------------ text limits (issue 27)


def test_a_search_query_over_the_limit_is_one_clear_message(capsys: pytest.CaptureFixture[str]):
    """A 1 MB query held the server's CPU for about 25 s."""
    from corridor_map.documents.corpus import MAX_QUERY_CHARS, SearchQueryError, load_corpus

    corpus = load_corpus()
    with pytest.raises(SearchQueryError, match="search query too long: 1,000,000 characters"):
        corpus.search("温岭" * 500_000)
    corpus.search("温" * MAX_QUERY_CHARS)  # the limit itself is accepted
    assert cli.main(["search", "科创" * 200]) == 2
    err = capsys.readouterr().err
    assert _one_line(err).endswith(f"400 characters > limit {MAX_QUERY_CHARS}")
