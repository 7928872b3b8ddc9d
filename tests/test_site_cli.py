"""``corridor-map site``: a point, a GeoPackage of EPSG:4549 parcels, the PDF report and tables.

Run through :func:`corridor_map.cli.main.main`, as ``corridor-map site …`` is.
"""

from __future__ import annotations

import csv
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import shapely
from pyproj import Transformer
from shapely.geometry import box

from corridor_map.cli.main import main
from corridor_map.core.i18n import t

TO_GK = Transformer.from_crs("EPSG:4326", "EPSG:4549", always_xy=True)


def run(*argv: str) -> int:
    return main(["site", *argv])


def gk_box(lon: float, lat: float, half_m: float) -> shapely.Polygon:
    x, y = TO_GK.transform(lon, lat)
    return box(x - half_m, y - half_m, x + half_m, y + half_m)


def test_point_as_json_names_core_and_corridor(atlas, capsys):
    anchor = atlas.get("taizhou-central-core").geometry.representative_point()
    assert run(f"{anchor.x},{anchor.y}", "--json") == 0
    [report] = json.loads(capsys.readouterr().out)
    inside = {r["feature_id"] for r in report["relations"] if r["verdict"] == "inside"}
    assert {"taizhou-central-core", "taizhou-bay-corridor"} <= inside
    assert report["travel"][0]["feature_id"] == "taizhou-central-core"
    assert report["excerpts"][0]["feature_id"] == "taizhou-central-core"


def test_point_in_gauss_kruger_goes_through_the_upload_reader(atlas, capsys):
    anchor = atlas.get("taizhou-central-core").geometry.representative_point()
    x, y = TO_GK.transform(anchor.x, anchor.y)
    assert run(f"{x:.2f},{y:.2f}", "--crs", "EPSG:4549", "--json", "--no-travel") == 0
    [report] = json.loads(capsys.readouterr().out)
    lon, lat = report["point"]
    assert lon == pytest.approx(anchor.x, abs=1e-6) and lat == pytest.approx(anchor.y, abs=1e-6)
    assert report["travel"] == []


def _gpkg(tmp_path: Path, atlas) -> Path:
    import geopandas as gpd

    core = atlas.get("taizhou-central-core").geometry.representative_point()
    block = atlas.get("zhenan-science-city-core").geometry.representative_point()
    frame = gpd.GeoDataFrame(
        {"name": ["core-lot", "science-city-lot"]},
        geometry=[gk_box(core.x, core.y, 300), gk_box(block.x, block.y, 150)],
        crs="EPSG:4549",
    )
    path = tmp_path / "parcels.gpkg"
    frame.to_file(path, driver="GPKG")
    return path


def test_file_of_parcels_to_a_csv_table(atlas, corpus, tmp_path, capsys):
    from corridor_map.analysis.site import check_sites
    from corridor_map.analysis.site_records import relation_rows
    from corridor_map.analysis.uploads import read_upload

    path = _gpkg(tmp_path, atlas)
    out = tmp_path / "table.csv"
    assert run(str(path), "--out", str(out)) == 0
    printed = capsys.readouterr().out
    assert "core-lot" in printed and "science-city-lot" in printed
    with out.open(encoding="utf-8-sig") as handle:
        rows = list(csv.DictReader(handle))
    imported = read_upload(path.read_bytes(), path.name)
    parcels = [(str(p["name"]), g) for p, g in imported.shapes]
    expected = relation_rows(check_sites(parcels, atlas, corpus, travel=False))
    assert [(r["parcel"], r["feature_id"], r["verdict"]) for r in rows] == [
        (r["parcel"], r["feature_id"], r["verdict"]) for r in expected
    ]
    assert all("OpenStreetMap" in r["attribution"] for r in rows)
    core_rows = [r for r in rows if r["parcel"] == "core-lot"]
    assert float(core_rows[0]["minutes_to_taizhou-central-core"]) >= 0
    assert {"may_be_here", "inside"} <= {r["verdict"] for r in rows}


def test_file_of_parcels_to_a_geopackage(atlas, tmp_path):
    import pyogrio

    out = tmp_path / "table.gpkg"
    assert run(str(_gpkg(tmp_path, atlas)), "--out", str(out), "--no-travel") == 0
    frame = pyogrio.read_dataframe(out)
    assert frame.crs.to_epsg() == 4326
    assert set(frame["parcel"]) == {"core-lot", "science-city-lot"}
    assert "taizhou-central-core" in set(frame["feature_id"])


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")
@pytest.mark.slow
def test_pdf_report_reads_back(atlas, corpus, tmp_path):
    block = atlas.get("zhenan-science-city-core").geometry.representative_point()
    out = tmp_path / "report.pdf"
    assert run(f"{block.x},{block.y}", "--out", str(out), "--lang", "zh") == 0
    text = subprocess.run(
        ["pdftotext", str(out), "-"], capture_output=True, check=True
    ).stdout.decode()
    flat = "".join(text.split())
    assert "选址核查" in flat
    assert "温州浙南科技城核心区" in flat
    assert "中国眼谷" in flat  # may be here
    assert "龙湾机场" in flat  # travel time to a gateway
    quote = corpus.document("wenzhou-daluo-action-2020").text
    assert "龙湾区围绕温州浙南科技城核心区、中国眼谷" in quote
    assert "龙湾区围绕温州浙南科技城核心区、中国眼谷" in flat
    assert "OpenStreetMap" in flat and "示意" in flat
    pages = subprocess.run(["pdfinfo", str(out)], capture_output=True, check=True).stdout
    assert b"Pages:           2" in pages or b"Pages:           1" in pages
    count = int(re.search(rb"Pages:\s+(\d+)", pages)[1])
    # The schematic note once in each page's footer (the bilingual disclaimer repeated it).
    note = "".join(t("schematic_note", "zh").split())
    assert flat.count(note) == count, (flat.count(note), count)
    # No section heading left alone at the foot of a page.
    for page in text.split("\f")[:-1]:
        body = [line for line in page.splitlines() if line.strip()]
        footer_start = next(i for i, line in enumerate(body) if "OpenStreetMap" in line)
        assert body[footer_start - 1].strip() not in {
            t(key, "zh") for key in ("site_excerpts", "site_travel", "site_indicators")
        }
    # Chinese set in the SC face made for each page (it was drawn as empty boxes by a
    # fallback font, which text extraction alone does not show).
    fonts = subprocess.run(["pdffonts", str(out)], capture_output=True, text=True, check=True)
    assert "NotoSansCJKsc" in fonts.stdout and "LastResort" not in fonts.stdout


def test_many_parcels_refuse_a_single_pdf(atlas, tmp_path, capsys):
    assert run(str(_gpkg(tmp_path, atlas)), "--out", str(tmp_path / "r.pdf")) == 2
    assert "one parcel" in capsys.readouterr().err
    assert not (tmp_path / "r.pdf").exists()


def test_unreadable_file_is_named(tmp_path, capsys):
    assert run(str(tmp_path / "nothing.gpkg")) == 2
    [line] = capsys.readouterr().err.strip().splitlines()
    assert "nothing.gpkg" in line


def test_parcels_of_the_same_name_keep_their_own_rows(atlas, tmp_path):
    import geopandas as gpd

    core = atlas.get("taizhou-central-core").geometry.representative_point()
    block = atlas.get("zhenan-science-city-core").geometry.representative_point()
    frame = gpd.GeoDataFrame(
        {"name": ["lot", "lot"]},
        geometry=[gk_box(core.x, core.y, 100), gk_box(block.x, block.y, 100)],
        crs="EPSG:4549",
    )
    path = tmp_path / "same.gpkg"
    frame.to_file(path, driver="GPKG")
    out = tmp_path / "same.csv"
    assert run(str(path), "--out", str(out)) == 0
    with out.open(encoding="utf-8-sig") as handle:
        rows = list(csv.DictReader(handle))
    by_index = {r["parcel_index"]: r for r in rows if r["verdict"] == "inside"}
    assert set(by_index) == {"1", "2"}
    first = {r["feature_id"] for r in rows if r["parcel_index"] == "1"}
    second = {r["feature_id"] for r in rows if r["parcel_index"] == "2"}
    assert "taizhou-central-core" in first and "taizhou-central-core" not in second
    assert float(by_index["1"]["lat"]) == pytest.approx(core.y, abs=0.01)
    assert float(by_index["2"]["lat"]) == pytest.approx(block.y, abs=0.01)
