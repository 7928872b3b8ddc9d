"""docs/sources is generated from the data: the committed pages are the generator's output,
a recorded change shows on the page, notes that name no feature are refused, and text from
the layers is escaped."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from corridor_map.cli.main import main
from corridor_map.curation.sourcedocs import (
    NOTES_FILE,
    SourceNotesError,
    load_notes,
    render_notes,
    render_page,
)

ROOT = Path(__file__).resolve().parent.parent
CORE = "taizhou-central-core"


def test_committed_pages_are_the_generators_output(
    data_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # The copy has no curation store: the committed pages record no change.
    code = main(["sources", "--check", "--out", str(ROOT / "docs" / "sources")])
    out, _ = capsys.readouterr()
    assert code == 0, out


def test_check_names_a_stale_page(data_copy: Path, tmp_path: Path, capsys) -> None:
    out = tmp_path / "sources"
    assert main(["sources", "--out", str(out)]) == 0
    page = out / "wenling_lakes.md"
    page.write_text(page.read_text("utf-8") + "hand-written line\n", "utf-8")
    capsys.readouterr()
    assert main(["sources", "--check", "--out", str(out)]) == 1
    assert capsys.readouterr().out.splitlines() == [
        f"{page}: differs from the data (run corridor-map sources)"
    ]


def test_the_notes_file_reads_back_as_written(data_copy: Path) -> None:
    text = (data_copy / "layers" / NOTES_FILE).read_text("utf-8")
    assert render_notes(load_notes(data_copy / "layers")) == text


@pytest.mark.slow
def test_a_recorded_change_is_on_the_page(data_copy: Path, tmp_path: Path, capsys) -> None:
    out = tmp_path / "sources"
    assert main(["sources", "--out", str(out)]) == 0
    before = (out / "taizhou_bay.md").read_text("utf-8")
    assert "Central Core" not in before
    code = main(
        ["edit", "set", CORE, "name_en=Central Core", "--reason", "shorter", "--author", "wu"]
    )
    assert code == 0, capsys.readouterr().err
    assert main(["sources", "--out", str(out)]) == 0
    after = (out / "taizhou_bay.md").read_text("utf-8")
    section = after.split(f"### `{CORE}`", 1)[1].split("\n### ", 1)[0]
    assert section.startswith(" 中央创新核 / Central Core\n")
    assert "- change #1 " in section and "set by wu: shorter" in section
    # the other layers' pages did not change
    assert main(["sources", "--check", "--out", str(ROOT / "docs" / "sources")]) == 1
    assert "taizhou_bay.md" in capsys.readouterr().out


def _layer(name_en: str, geometry: dict | None) -> dict:
    props = {
        "id": "probe",
        "name_zh": "探针",
        "name_en": name_en,
        "role": "zone",
        "parent": None,
        "district": [],
        "geometry_basis": "schematic" if geometry else "unlocated",
        "precision_m": 500 if geometry else None,
        "geometry_source": "[link](http://evil.example) <b>x</b>",
        "sources": [{"doc": "d", "quote": "*引文*"}],
        "stated": [],
        "status": None,
    }
    return {"type": "FeatureCollection", "features": [{"properties": props, "geometry": geometry}]}


def test_text_from_the_layers_is_escaped_and_figures_are_measured() -> None:
    square = {
        "type": "Polygon",
        "coordinates": [
            [[121.0, 28.0], [121.01, 28.0], [121.01, 28.01], [121.0, 28.01], [121.0, 28.0]]
        ],
    }
    page = render_page("probe.geojson", _layer("[A](http://x.example)", square), {}, {})
    assert "[A](http" not in page and "\\[A\\]" in page
    assert "[link](http" not in page and "<b>" not in page
    assert "“\\*引文\\*”" in page
    # a feature without a note gets a row of its own, its figure measured from the shape
    row = next(line for line in page.splitlines() if line.startswith("| `probe`"))
    assert row.split(" | ")[1:3] == ["Polygon 1.1 km²", "schematic · 500 m"]
    empty = render_page("probe.geojson", _layer("P", None), {}, {})
    row = next(line for line in empty.splitlines() if line.startswith("| `probe`"))
    assert row.split(" | ")[1:3] == ["null", "unlocated"]


def test_notes_naming_no_feature_are_refused() -> None:
    notes = {"rows": [{"ids": ["probe", "ghost"], "note": "n"}]}
    with pytest.raises(SourceNotesError, match=r"source_notes.yaml: probe.geojson: .*'ghost'"):
        render_page("probe.geojson", _layer("P", None), notes, {})


def test_notes_are_verbatim_in_the_page(data_copy: Path) -> None:
    notes = load_notes(data_copy / "layers")["wenzhou_daluo.geojson"]
    page = (ROOT / "docs" / "sources" / "wenzhou_daluo.md").read_text("utf-8")
    assert notes["before"].rstrip("\n") in page and notes["after"].rstrip("\n") in page
    for row in notes["rows"]:
        assert f" | {row['note']} |" in page
    layer = json.loads((data_copy / "layers" / "wenzhou_daluo.geojson").read_text("utf-8"))
    for feature in layer["features"]:
        assert f"### `{feature['properties']['id']}`" in page


def test_an_official_geometry_names_its_supplier_and_reference() -> None:
    layer = _layer("P", {"type": "Point", "coordinates": [121.0, 28.0]})
    props = layer["features"][0]["properties"]
    props.update(
        geometry_basis="official",
        precision_m=5,
        geometry_official={
            "supplier": "台州市自然资源和规划局",
            "reference": "台自然资规〔2026〕12号",
            "date": "2026-03-01",
        },
    )
    page = render_page("probe.geojson", layer, {}, {})
    supplied = "- supplied by 台州市自然资源和规划局 \\(台自然资规〔2026〕12号, 2026\\-03\\-01\\)"
    assert supplied in page
    row = next(line for line in page.splitlines() if line.startswith("| `probe`"))
    assert row.split(" | ")[1:3] == ["Point", "official · 5 m"]
