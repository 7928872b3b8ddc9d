"""Downloads in the app (AppTest): the sidebar's exports, the travel view's routes,
isochrones and targets table, the measure view's sketch. Each button's file is made as a
click would make it and read back with pyogrio.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pyogrio
import shapely
from shapely.geometry import shape
from streamlit.testing.v1 import AppTest

from corridor_map.atlas.model import load_atlas
from corridor_map.travel import targets as travel_targets
from corridor_map.views import travel as travel_view

APP = str(Path(__file__).resolve().parent.parent / "app.py")


def _file(at: AppTest, deferred: dict[str, object], key: str, tmp_path: Path) -> Path:
    button = at.get("download_button")
    (proto,) = [b.proto for b in button if b.proto.id.endswith(f"-{key}")]
    data = deferred[proto.deferred_file_id]()  # type: ignore[operator]
    fmt = key.rsplit("-", 1)[-1]
    path = tmp_path / f"{key}.{fmt if fmt in ('geojson', 'gpkg', 'kml') else 'csv'}"
    path.write_bytes(data)
    return path


def _same(got: shapely.Geometry, want: dict) -> bool:
    got = shapely.force_2d(got)
    if got.geom_type.startswith("Multi") and len(got.geoms) == 1:
        got = got.geoms[0]  # a GeoPackage layer holds one type: promoted to Multi*
    return shapely.equals_exact(
        shapely.normalize(got), shapely.normalize(shape(want)), tolerance=1e-6
    )


def test_travel_view_downloads_the_shown_route_isochrone_and_table(deferred, tmp_path):
    target = "wenling-tailong-15min"
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params["view"] = "travel"
    at.run()
    at.selectbox(key="travel_target").set_value(target).run()
    at.selectbox(key="iso_from").set_value("jiulong-lake").run()
    at.selectbox(key="travel_dl_fmt").set_value("gpkg").run()
    assert not at.exception
    scenario = travel_view.scenario(40, True)
    shown = travel_targets.evaluate_targets(
        load_atlas(), scenario.assumptions, scenario.planned_links
    )
    worst = next(r for r in shown if r.id == target).worst_case
    routes = pyogrio.read_dataframe(_file(at, deferred, "dl-travel-routes-gpkg", tmp_path))
    row = routes[routes["target"] == target].iloc[0]
    assert row["scenario"] == "A" and row["from"] == worst["origin"]
    assert _same(row.geometry, worst["path"])
    assert "scgraph-data" in row["attribution"] and "示意" in row["note"]
    iso = travel_view.isochrones(load_atlas(), "jiulong-lake", 15, scenario, None)["a"]
    back = pyogrio.read_dataframe(_file(at, deferred, "dl-travel-isochrones-gpkg", tmp_path))
    assert _same(back.geometry[0], iso["geometry"])
    table = _file(at, deferred, "dl-travel-travel-targets", tmp_path)
    with table.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [r["id"] for r in rows] == [r.id for r in shown]
    assert all("40 km/h" in r["assumptions"] and r["verdict_zh"] for r in rows)


def test_compared_scenarios_download_both(deferred, tmp_path):
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params["view"] = "travel"
    at.run()
    at.toggle(key="travel_compare").set_value(True).run()
    at.slider(key="travel_speed_b").set_value(60).run()
    assert not at.exception
    routes = pyogrio.read_dataframe(_file(at, deferred, "dl-travel-routes-geojson", tmp_path))
    assert set(routes["scenario"]) == {"A", "B"}
    with _file(at, deferred, "dl-travel-travel-targets", tmp_path).open(
        encoding="utf-8-sig", newline=""
    ) as handle:
        rows = list(csv.DictReader(handle))
    assert {r["scenario"] for r in rows} == {"A", "B"}
    assert all("60 km/h" in r["assumptions"] for r in rows if r["scenario"] == "B")


def test_measure_view_downloads_the_sketch(deferred, tmp_path):
    points = [[121.3, 28.6], [121.4, 28.6], [121.4, 28.7]]
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["view"] = "measure"
    at.run()
    at.session_state["measure_pts"] = points
    at.radio(key="measure_mode").set_value("polygon").run()
    at.selectbox(key="measure_dl_fmt").set_value("kml").run()
    assert not at.exception
    back = pyogrio.read_dataframe(_file(at, deferred, "dl-measure-sketch-kml", tmp_path))
    ring = [*points, points[0]]
    assert _same(back.geometry[0], {"type": "Polygon", "coordinates": [ring]})


def test_sidebar_downloads_are_built_when_their_list_is_opened(deferred, tmp_path):
    from corridor_map.atlas.model import load_atlas

    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    # Closed: no button is sent with the page (it renders the map first).
    assert not [b for b in at.get("download_button") if b.proto.id.endswith("-dl-features-geojson")]
    at.session_state["sb_downloads"] = True
    at.run()
    assert not at.exception
    # a feature file is made by its button (a stop at the limit is told in one line)
    (make,) = [b for b in at.sidebar.button if b.key == "dl-features-geojson-make"]
    make.click()
    at.run()
    assert not at.exception
    path = tmp_path / "features.geojson"
    path.write_bytes(at.session_state["_cm_prepared"]["data"])
    assert [b for b in at.get("download_button") if b.proto.id.endswith("-dl-features-geojson")]
    back = pyogrio.read_dataframe(path)
    located = {f.id for f in load_atlas() if f.geometry is not None and f.corridor != "reference"}
    assert located <= set(back["id"])
