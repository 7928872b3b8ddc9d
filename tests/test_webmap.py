"""Map construction over the real layers: offline links, styling, GCJ-02 shift, framing."""

from __future__ import annotations

import hashlib
import html
import json
import re

import pytest
from shapely.geometry import shape

from corridor_map.atlas.model import load_atlas
from corridor_map.core import i18n
from corridor_map.geo import gcj02
from corridor_map.geo.geodesy import distance_km
from corridor_map.webmap import basemaps, overlays
from corridor_map.webmap import build as webmap
from corridor_map.webmap import labels as map_labels
from corridor_map.webmap import style as map_style


@pytest.fixture(scope="module")
def collections(atlas):
    return overlays.layer_collections(atlas)


@pytest.fixture(scope="module")
def base(collections):
    return webmap.build_map(collections, "none", "zh")


def _curated(atlas):
    return [f for f in atlas if f.corridor != "reference"]


def test_inert_survives_html_and_template_literals():
    nasty = "<img src=x onerror=alert(1)>${alert(1)}`\\ & \"'"
    from corridor_map.core.markup import inert

    out = inert(nasty)
    for raw in ("<", ">", "${", "`", "\\", '"'):
        assert raw not in out
    assert html.unescape(out) == nasty


def test_map_loads_only_local_scripts(base):
    links = webmap.page_links(base)
    assert links, "the map must load Leaflet"
    assert all(url.startswith("/app/static/vendor/") for url in links), links
    assert any(url.endswith("leaflet.js") for url in links)
    script = webmap.stable_script(base)
    assert not re.search(r"https?://", script), "no remote URL in the offline map script"


def test_every_located_curated_feature_is_drawn_with_its_class(atlas, base):
    script = webmap.stable_script(base)
    curated = _curated(atlas)
    if not curated:
        pytest.skip("no curated layer in layers/ yet")
    for feature in curated:
        drawn = map_style.role_group(feature.role) is not None and feature.geometry is not None
        assert (map_style.feature_class(feature.id) in script) == drawn, feature.id


def test_schematic_features_are_dashed_and_others_not():
    dashed = map_style.feature_style(
        {"corridor": "taizhou-bay", "role": "zone", "geometry_basis": "schematic", "id": "a"}
    )
    solid = map_style.feature_style(
        {"corridor": "taizhou-bay", "role": "zone", "geometry_basis": "osm", "id": "b"}
    )
    assert dashed["dashArray"] == map_style.SCHEMATIC_DASH
    assert "dashArray" not in solid
    assert (
        dashed["color"]
        != map_style.feature_style({"corridor": "wenzhou-daluo", "role": "zone", "id": "c"})[
            "color"
        ]
    )


def test_legend_uses_the_map_colours():
    legend = map_style.legend_html("en")
    for corridor in ("taizhou-bay", "wenzhou-daluo", "wenling-lakes"):
        assert map_style.CORRIDOR_COLORS[corridor] in legend
    assert "dashed" in legend
    assert "Taizhou Bay" in map_style.legend_html("en") and "台州湾" in map_style.legend_html("zh")
    # Everything drawn in a look of its own has a row: every context layer, water and
    # terrain, the selection and "lies within" outlines, the route and the isochrone.
    for layer in map_style.CONTEXT_LAYERS:
        assert layer.style["color"] in legend, layer.stem
    for style in (
        map_style.HIGHLIGHT_STYLE,
        map_style.CONTEXT_HIGHLIGHT_STYLE,
        map_style.ROUTE_STYLE,
        map_style.ISOCHRONE_STYLE,
        *map_style.SURFACE_STYLES.values(),
    ):
        assert style["color"] in legend, style
    for key in ("legend_selected", "legend_route", "legend_isochrone", "legend_water"):
        assert i18n.t(key, "en") in legend and i18n.t(key, "zh") in map_style.legend_html("zh")


def test_legend_rows_are_the_drawn_styles():
    rows = {row["key"]: row for row in map_style.legend_entries("zh")}
    zone = map_style.feature_style({"corridor": "wenling-lakes", "role": "zone"})
    assert rows["corridor:wenling-lakes"]["style"]["color"] == zone["color"]
    assert rows["corridor:wenling-lakes"]["style"]["fillOpacity"] == zone["fillOpacity"]
    platform = rows["role:platforms"]
    assert platform["kind"] == "point" and platform["style"]["fill"] is True
    assert 2 * platform["style"]["radius"] >= 12  # the click target of a point


def test_points_are_filled_discs_in_a_pane_above_polygons(atlas, base):
    script = webmap.stable_script(base)
    for feature in _curated(atlas):
        if feature.geometry is None or feature.geometry.geom_type != "Point":
            continue
        group = map_style.role_group(feature.role)
        style = map_style.point_style(map_style.feature_style(feature.properties), group)
        assert style["fill"] is True and style["fillOpacity"] > 0.5
        assert style["pane"] == map_style.POINT_PANE and 2 * style["radius"] >= 12
    assert (
        f'"{map_style.POINT_PANE}"' in script
        and "pointerEvents" not in script.split(map_style.POINT_PANE)[1][:300]
    )


def test_landmarks_are_styled_as_water_or_terrain():
    assert map_style.surface_kind({"role": "landmark", "name_zh": "九龙湖"}) == "water"
    assert map_style.surface_kind({"role": "landmark", "name_zh": "永宁江"}) == "water"
    assert map_style.surface_kind({"role": "landmark", "name_zh": "三垟湿地城市公园"}) == "wetland"
    assert map_style.surface_kind({"role": "landmark", "name_zh": "大罗山"}) == "terrain"
    assert map_style.surface_kind({"role": "zone", "name_zh": "九龙湖科创中心"}) is None
    lake = map_style.feature_style(
        {"role": "landmark", "name_zh": "九龙湖", "corridor": "wenling-lakes"}
    )
    zone = map_style.feature_style(
        {"role": "zone", "name_zh": "九龙湖科创中心", "corridor": "wenling-lakes"}
    )
    assert lake["fillColor"] == map_style.SURFACE_STYLES["water"]["fillColor"] != zone["fillColor"]


def test_labels_rank_zones_before_points_and_gate_by_zoom(collections):
    labels = map_labels.label_records(collections, "none", "zh")
    ranks = [label["rank"] for label in labels]
    assert ranks == sorted(ranks)
    by_id = {label["id"]: label for label in labels}
    core = by_id["taizhou-central-core"]
    assert core["text"] == "中央创新核" and core["kind"] == "area"
    assert 7 <= core["minZoom"] <= 13
    english = {label["id"]: label for label in map_labels.label_records(collections, "none", "en")}
    assert english["taizhou-central-core"]["text"] != core["text"]
    # The label anchor lies inside its shape (pole of inaccessibility, not the centroid).
    from shapely.geometry import Point

    geometry = load_atlas().get("taizhou-central-core").geometry
    assert geometry.contains(Point(core["lon"], core["lat"]))
    assert any(label["kind"] == "context" for label in labels)  # district names


def test_bundle_is_content_addressed_and_stable(collections):
    meta = {"labels": map_labels.label_records(collections, "none", "zh")}
    first = webmap.map_bundle(webmap.build_map(collections, "none", "zh"), meta)
    second = webmap.map_bundle(webmap.build_map(collections, "none", "zh"), meta)
    english = webmap.map_bundle(webmap.build_map(collections, "none", "en"), meta)
    consumed = webmap.map_bundle(webmap.build_map(collections, "none", "zh"), meta, consume=True)
    assert first.digest == second.digest and first.script == second.script
    assert consumed.script == first.script  # rendering the map itself, not a copy
    assert english.digest != first.digest
    assert first.filename == f"map-{first.digest}.js"
    assert f"[{json.dumps(first.digest)}]" in first.script
    assert "</script" not in first.script.lower()
    assert not re.search(r"https?://(?!.*openstreetmap)", first.script.split("meta:")[0])


def test_gaode_overlays_are_shifted_to_gcj02_for_display_only(atlas):
    runway = next(f for f in atlas if f.file == "ref_aeroways.geojson" and f.geometry)
    raw = json.loads(json.dumps(runway.geometry.__geo_interface__))
    shown = overlays.display_geometry(raw, "gaode")
    lon, lat = raw["coordinates"][0]
    slon, slat = shown["coordinates"][0]
    expect = gcj02.wgs84_to_gcj02(lon, lat)
    assert slon == pytest.approx(expect[0], abs=2e-6) and slat == pytest.approx(expect[1], abs=2e-6)
    # Around Taizhou/Wenzhou the offset is a few hundred metres, never zero.
    assert 0.2 < distance_km(lon, lat, slon, slat) < 1.0
    # The original is untouched and other basemaps draw WGS84 as is.
    assert runway.geometry.__geo_interface__["coordinates"][0] == (lon, lat)
    assert overlays.display_geometry(raw, "osm")["coordinates"][0] == [lon, lat]


def test_base_map_script_is_identical_between_builds(collections):
    first = webmap.build_map(collections, "none", "zh")
    second = webmap.build_map(collections, "none", "zh")
    english = webmap.build_map(collections, "none", "en")
    h1, h2 = (hashlib.sha256(webmap.stable_script(m).encode()).hexdigest() for m in (first, second))
    assert h1 == h2
    assert hashlib.sha256(webmap.stable_script(english).encode()).hexdigest() != h1


def test_tianditu_is_offered_and_names_its_missing_setting():
    assert "tianditu" in basemaps.BASEMAPS
    assert basemaps.missing_settings("tianditu", {}) == ("TIANDITU_KEY",)
    assert basemaps.drawn_basemap("tianditu", {}) == basemaps.DEFAULT_BASEMAP
    assert basemaps.basemap_tiles("tianditu", {}) is None
    # A template with a {key} still needs the token; one without it needs none.
    with_key = {"CORRIDOR_MAP_TIANDITU_URL": "https://gis.example.gov.cn/{z}/{x}/{y}?tk={key}"}
    assert basemaps.missing_settings("tianditu", with_key) == ("TIANDITU_KEY",)
    intranet = {"CORRIDOR_MAP_TIANDITU_URL": "https://gis.example.gov.cn/vec/{z}/{x}/{y}.png"}
    assert basemaps.missing_settings("tianditu", intranet) == ()
    assert basemaps.drawn_basemap("tianditu", intranet) == "tianditu"
    tiles = basemaps.basemap_tiles("tianditu", intranet)
    assert tiles is not None and tiles.url == intranet["CORRIDOR_MAP_TIANDITU_URL"]
    keyed = basemaps.basemap_tiles("tianditu", {**with_key, "TIANDITU_KEY": "k9"})
    assert keyed is not None and keyed.url.endswith("tk=k9")
    for other in ("none", "osm", "gaode"):
        assert basemaps.missing_settings(other, {}) == ()
        assert basemaps.drawn_basemap(other, {}) == other


def test_tianditu_with_a_key():
    assert basemaps.missing_settings("tianditu", {"TIANDITU_KEY": "k123"}) == ()
    tiles = basemaps.basemap_tiles("tianditu", {"TIANDITU_KEY": "k123"})
    assert tiles is not None and tiles.url.endswith("tk=k123") and "天地图" in tiles.attribution
    assert "OpenStreetMap" in basemaps.basemap_tiles("osm", {}).attribution
    assert basemaps.basemap_tiles("none", {}) is None


def test_tile_basemap_keeps_its_attribution(collections):
    m = webmap.build_map(collections, "gaode", "zh", env={})
    script = webmap.stable_script(m)
    assert "autonavi.com" in script and "Gaode" in script
    assert "OpenStreetMap contributors" in script  # OSM-derived reference layers credited


def test_openstreetmap_is_credited_once_on_its_own_basemap(collections):
    from corridor_map.core import credits

    for basemap in ("osm", "none"):
        script = webmap.stable_script(webmap.build_map(collections, basemap, "zh", env={}))
        # Each credit is written once into the page (the tile layer's or the overlays').
        assert script.count(credits.OSM.removeprefix("© ")) == 1, basemap


def test_display_features_carry_only_their_id(collections):
    for name, collection in collections.items():
        for feature in collection["features"][:5]:
            drawn = overlays.display_feature(feature, "none", 6)
            if feature.get("geometry") is None:
                assert drawn is None
                continue
            assert set(drawn["properties"]) == {"id"}, name
            assert shape(drawn["geometry"]).is_valid or drawn["geometry"]["type"] != "Polygon"


def test_opening_view_frames_the_corridors_but_not_far_enclaves(atlas, collections):
    box = overlays.initial_bounds(collections)
    (south, west), (north, east) = box
    for feature in _curated(atlas):
        if feature.geometry is None:
            continue
        minx, miny, maxx, maxy = feature.geometry.bounds
        inside = south <= miny and maxy <= north and west <= minx and maxx <= east
        if feature.role != "enclave":
            assert inside, feature.id
    # The opening view stays regional: a few tens of km, not the Yangtze delta.
    assert north - south < 2.0 and east - west < 2.0


def test_sketch_geometry_closes_polygons_and_measures_on_wgs84():
    points = [[121.3, 28.6], [121.4, 28.6], [121.4, 28.7]]
    polygon = overlays.sketch_geometry(points, "polygon")
    assert (
        polygon["type"] == "Polygon"
        and polygon["coordinates"][0][0] == polygon["coordinates"][0][-1]
    )
    assert overlays.sketch_geometry(points, "line")["type"] == "LineString"
    assert overlays.sketch_geometry(points[:1], "polygon")["type"] == "MultiPoint"
    assert overlays.sketch_geometry([], "line") is None
    # Clicked over Gaode tiles (GCJ-02) → back to WGS84 within a metre.
    shown = [list(gcj02.wgs84_to_gcj02(x, y)) for x, y in points]
    back = overlays.to_wgs84_points(shown, "gaode")
    for (x, y), (bx, by) in zip(points, back, strict=True):
        assert distance_km(x, y, bx, by) < 0.001
    assert overlays.to_wgs84_points(points, "none") == points


def test_static_assets_are_copied_once_and_match_the_urls(tmp_path):
    from pathlib import Path

    import xstatic.pkg.leaflet as xleaflet

    from corridor_map.webmap import assets

    written = assets.ensure_static_assets(tmp_path)
    assert written, "first call copies Leaflet"
    assert assets.ensure_static_assets(tmp_path) == []  # idempotent
    for _, url in assets.local_js() + assets.local_css():
        relative = url.removeprefix(assets.STATIC_URL + "/")
        copied = tmp_path / relative
        original = Path(xleaflet.BASE_DIR) / copied.name
        assert copied.read_bytes() == original.read_bytes()
    # A changed copy is repaired.
    (tmp_path / "vendor" / "leaflet" / "leaflet.js").write_text("broken")
    assert [p.name for p in assets.ensure_static_assets(tmp_path)] == ["leaflet.js"]


def test_geojson_geometries_flattens_what_the_measurer_accepts():
    from corridor_map.analysis import measure

    square = {
        "type": "Polygon",
        "coordinates": [[[121.3, 28.6], [121.4, 28.6], [121.4, 28.7], [121.3, 28.6]]],
    }
    line = {"type": "LineString", "coordinates": [[121.3, 28.6], [121.4, 28.7]]}
    upload = {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "properties": {}, "geometry": square},
            {"type": "Feature", "properties": {}, "geometry": None},
            {"type": "Feature", "properties": {}, "geometry": line},
        ],
    }
    measured = measure.measure_geojson(upload)
    drawn = overlays.geojson_geometries(upload)
    assert drawn == [square, line]
    # Everything measured is drawn: the drawn geometries carry the same totals (the
    # feature without geometry counts but measures nothing).
    again = measure.measure_geojson(
        {
            "type": "FeatureCollection",
            "features": [{"type": "Feature", "properties": {}, "geometry": g} for g in drawn],
        }
    )
    totals = {k: v for k, v in measured["totals"].items() if k != "count"}
    assert {k: v for k, v in again["totals"].items() if k != "count"} == totals
    assert overlays.geojson_geometries(square) == [square]
    assert overlays.geojson_geometries({"type": "Feature", "geometry": line}) == [line]
    nested = {"type": "GeometryCollection", "geometries": [square, line]}
    assert overlays.geojson_geometries(nested) == [square, line]


def test_layer_control_names_from_the_data_are_escaped(collections):
    # A corridor id that is not one of ours passes through corridor_name unchanged; the
    # layer control writes group names as HTML, so it must arrive escaped.
    nasty = "<img src=x onerror=alert(1)>"
    hacked = json.loads(json.dumps(collections))
    for feature in hacked["taizhou_bay"]["features"]:
        feature["properties"]["corridor"] = nasty
    script = webmap.stable_script(webmap.build_map(hacked, "none", "zh"))
    # Decode the JS string literals (tojson writes < and & as \\u escapes) to see what
    # Leaflet receives as the layer name.
    literal = r'"(?:[^"\\]|\\.)*onerror(?:[^"\\]|\\.)*"'
    names = [json.loads(m) for m in re.findall(literal, script)]
    assert names, "the hacked corridor never reached the layer control"
    for name in names:
        assert "<img" not in name and "&lt;img src=x onerror=alert(1)&gt;" in name


def test_s1_stations_are_named_in_pinyin_and_identified_places_labelled(atlas):
    assert map_labels.s1_station_english("国博中心站") == "Guobozhongxin Station"
    assert map_labels.s1_station_english("台州火车站") == "Taizhou Railway Station"
    identified = map_labels.identified_places(atlas.travel_targets)
    assert identified["wenzhou-south-station"] == {"zh": "温州南站", "en": "Wenzhou South Station"}
    collections = overlays.layer_collections(atlas)
    for lang, expected in (("zh", "动车站 · 温州南站"), ("en", "Wenzhou South Station")):
        texts = {
            r["id"]: r["text"]
            for r in map_labels.label_records(collections, "none", lang, identified)
        }
        assert expected in texts["wenzhou-south-station"]
        # Stations OSM leaves unnamed are not labelled; S1 stations not by number.
        assert not [x for x in texts.values() if "未命名" in x or "unnamed" in x]
        assert not [x for x in texts.values() if "S1 station" in x]
    # One label per corridor, first in placement order.
    records = map_labels.label_records(collections, "none", "zh")
    corridors = [r for r in records if r["kind"] == "corridor"]
    assert {r["corridor"] for r in corridors} == {
        f.corridor for f in atlas if f.corridor != "reference"
    }
    assert records[: len(corridors)] == corridors
