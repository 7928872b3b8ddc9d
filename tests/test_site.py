"""Site check: parcels built here in CGCS2000 Gauss-Krüger (EPSG:4549) against the layers.

Every parcel is drawn in EPSG:4549 metres, as a planner would hand it in, and converted to
WGS84 with pyproj; expected areas and distances are computed here independently (the
intersection in the Gauss-Krüger plane, areas and distances with :class:`pyproj.Geod`).
"""

from __future__ import annotations

import math
import re
from dataclasses import replace

import pytest
import shapely
import shapely.ops
from pyproj import Geod, Transformer
from shapely.geometry import Point, box
from shapely.geometry.base import BaseGeometry

from corridor_map.analysis.site import check_site, check_sites
from corridor_map.analysis.site_records import relation_rows
from corridor_map.atlas.model import Atlas

GK = Transformer.from_crs("EPSG:4549", "EPSG:4326", always_xy=True)
TO_GK = Transformer.from_crs("EPSG:4326", "EPSG:4549", always_xy=True)
GEOD = Geod(ellps="WGS84")


def to_wgs84(geometry: BaseGeometry) -> BaseGeometry:
    return shapely.transform(geometry, GK.transform, interleaved=False)


def to_gk(geometry: BaseGeometry) -> BaseGeometry:
    return shapely.transform(geometry, TO_GK.transform, interleaved=False)


def gk_square(lon: float, lat: float, half_m: float) -> BaseGeometry:
    """A square of side 2 × half_m metres in EPSG:4549 centred on a WGS84 point."""
    x, y = TO_GK.transform(lon, lat)
    return box(x - half_m, y - half_m, x + half_m, y + half_m).segmentize(50)


def geod_area_km2(geometry_gk: BaseGeometry) -> float:
    """Geodesic area of a Gauss-Krüger polygon, ring by ring with Geod.polygon_area_perimeter."""
    total = 0.0
    for polygon in getattr(geometry_gk, "geoms", [geometry_gk]):
        if polygon.is_empty:
            continue
        rings = [polygon.exterior, *polygon.interiors]
        for k, ring in enumerate(rings):
            lon, lat = GK.transform(*ring.segmentize(50).xy)
            area, _ = GEOD.polygon_area_perimeter(lon, lat)
            total += abs(area) * (1 if k == 0 else -1)
    return total / 1e6


def relation(report, feature_id):
    found = [r for r in (*report.relations, *report.may_be_here) if r.feature_id == feature_id]
    assert found, f"{feature_id} not related: {[r.feature_id for r in report.relations]}"
    return found[0]


def test_parcel_in_the_core_names_core_and_corridor_with_geodesic_overlap(atlas, corpus):
    core = atlas.get("taizhou-central-core")
    anchor = core.geometry.representative_point()
    parcel_gk = gk_square(anchor.x, anchor.y, 600)
    report = check_site(to_wgs84(parcel_gk), atlas, corpus)
    inside = {r.feature_id: r for r in report.relations if r.verdict == "inside"}
    assert {"taizhou-central-core", "taizhou-bay-corridor"} <= set(inside)
    assert inside["taizhou-central-core"].name_zh == "中央创新核"
    expected = geod_area_km2(parcel_gk.intersection(to_gk(core.geometry)))
    assert inside["taizhou-central-core"].overlap_km2 == pytest.approx(expected, rel=0.005)
    assert report.area_km2 == pytest.approx(geod_area_km2(parcel_gk), rel=0.005)
    assert report.area_km2 == pytest.approx(1.44, rel=0.01)  # 1.2 km × 1.2 km in GK metres
    # the other corridors are outside, with their distance
    outside = {r.corridor for r in report.relations if r.verdict == "outside"}
    assert outside == {"wenzhou-daluo", "wenling-lakes"}
    assert [d[0] for d in report.districts] == ["district-331002"]


def _across_the_west_edge(core_gk):
    """An 8 × 4 km parcel (Gauss-Krüger metres) centred on the core's western edge."""
    west = shapely.Point(core_gk.bounds[0], core_gk.centroid.y)
    edge = shapely.ops.nearest_points(core_gk.exterior, west)[0]
    return box(edge.x - 4000, edge.y - 2000, edge.x + 4000, edge.y + 2000).segmentize(50)


def test_parcel_across_the_core_edge_shares_its_area(atlas, corpus):
    core = atlas.get("taizhou-central-core")
    core_gk = to_gk(core.geometry)
    parcel_gk = _across_the_west_edge(core_gk)
    report = check_site(to_wgs84(parcel_gk), atlas, corpus, travel=False)
    r = relation(report, "taizhou-central-core")
    assert r.verdict == "inside"
    expected = geod_area_km2(parcel_gk.intersection(core_gk))
    assert r.overlap_km2 == pytest.approx(expected, rel=0.005)
    assert 0.2 < r.parcel_share < 0.8
    assert r.parcel_share == pytest.approx(expected / geod_area_km2(parcel_gk), rel=0.005)
    assert r.feature_share == pytest.approx(expected / core.area_km2, rel=0.005)


@pytest.mark.parametrize("offset_m", [-1000, 1000])
def test_parcel_within_precision_of_a_schematic_edge_is_uncertain(atlas, corpus, offset_m):
    core = atlas.get("taizhou-central-core")
    assert core.geometry_basis == "schematic" and core.precision_m == 2500
    core_gk = to_gk(core.geometry)
    # a point 1 km inside / outside the core's edge, along the line west from its centre
    centre = core_gk.centroid
    edge = core_gk.exterior.intersection(
        shapely.LineString([(centre.x, centre.y), (centre.x - 20000, centre.y)])
    )
    x = (edge.x if edge.geom_type == "Point" else min(p.x for p in edge.geoms)) - offset_m
    parcel_gk = box(x - 100, centre.y - 100, x + 100, centre.y + 100)
    assert parcel_gk.within(core_gk) == (offset_m < 0)
    report = check_site(to_wgs84(parcel_gk), atlas, corpus, travel=False)
    r = relation(report, "taizhou-central-core")
    assert r.verdict == "uncertain"
    assert "2500" in r.note_en and "cannot tell" in r.note_en


def test_official_geometry_gives_a_firm_answer(atlas, corpus):
    core = atlas.get("taizhou-central-core")
    official = replace(core, geometry_basis="official", precision_m=1.0)
    features = {**atlas.features, core.id: official}
    other = Atlas(features=features, collections=atlas.collections, layers_dir=atlas.layers_dir)
    core_gk = to_gk(core.geometry)
    centre = core_gk.centroid
    edge = core_gk.exterior.intersection(
        shapely.LineString([(centre.x, centre.y), (centre.x - 20000, centre.y)])
    )
    x = edge.x if edge.geom_type == "Point" else min(p.x for p in edge.geoms)
    for shift, verdict in ((1000, "inside"), (-1000, "outside")):
        parcel = to_wgs84(box(x + shift - 100, centre.y - 100, x + shift + 100, centre.y + 100))
        report = check_site(parcel, other, corpus, travel=False)
        found = [r for r in report.relations if r.feature_id == core.id]
        assert [r.verdict for r in found] == ([verdict] if verdict == "inside" else [])


def test_outside_parcel_reports_the_distance_to_each_corridor(atlas, corpus):
    # a parcel in the hills west of Wenzhou, beyond the Daluo corridor and its gateways
    parcel_gk = gk_square(120.50, 28.02, 300)
    report = check_site(to_wgs84(parcel_gk), atlas, corpus, travel=False)
    assert not [r for r in report.relations if r.verdict in {"inside", "uncertain"}]
    rows = {r.feature_id: r for r in report.relations}
    assert set(rows) == {"taizhou-bay-corridor", "wenzhou-daluo-corridor", "wenling-lakes-corridor"}
    for fid, r in rows.items():
        assert r.verdict == "outside"
        extent_gk = to_gk(atlas.get(fid).geometry)
        a, b = shapely.ops.nearest_points(parcel_gk, extent_gk)
        (lon1, lon2), (lat1, lat2) = GK.transform([a.x, b.x], [a.y, b.y])
        _, _, metres = GEOD.inv(lon1, lat1, lon2, lat2)
        assert r.distance_km == pytest.approx(metres / 1e3, rel=0.005)
    assert (
        rows["wenzhou-daluo-corridor"].distance_km < 20 < rows["taizhou-bay-corridor"].distance_km
    )


def test_parcel_in_longwan_area_may_hold_the_china_eye_valley(atlas, corpus):
    block = atlas.get("zhenan-science-city-core")
    anchor = block.geometry.representative_point()
    report = check_site(to_wgs84(gk_square(anchor.x, anchor.y, 200)), atlas, corpus)
    eye = relation(report, "china-eye-valley")
    assert eye.verdict == "may_be_here" and eye.within == "longwan-area"
    assert "中国眼谷" in eye.note_zh and "龙湾区片区" in eye.note_zh
    assert atlas.get("china-eye-valley").geometry is None
    # places of areas the parcel is not in are not offered; of areas whose edge is within
    # their precision, with that said
    offered = {r.feature_id: r for r in report.may_be_here}
    assert "east-innovation-harbour" not in offered
    ouhai = relation(report, "ouhai-area")
    assert ("nanhu-innovation-town" in offered) == (ouhai.verdict == "uncertain")
    if ouhai.verdict == "uncertain":
        assert "near its edge" in offered["nanhu-innovation-town"].note_en


def test_excerpts_are_verbatim_most_specific_first(atlas, corpus):
    block = atlas.get("zhenan-science-city-core")
    anchor = block.geometry.representative_point()
    report = check_site(Point(anchor.x, anchor.y), atlas, corpus, travel=False)
    order = list(dict.fromkeys(x.feature_id for x in report.excerpts))
    chain = ["zhenan-science-city-core", "longwan-area", "wenzhou-daluo-corridor"]
    assert [f for f in order if f in chain] == chain
    for x in report.excerpts:
        assert x.error is None
        assert x.quote in corpus.document(x.doc).text
        assert x.citation.startswith("《")
    assert {i.corridor for i in report.indicators} == {"wenzhou-daluo"}


def test_travel_from_a_point_matches_the_router(atlas, corpus):
    from corridor_map.travel.routing import route

    point = atlas.get("zju-taizhou-institute").geometry
    report = check_site(point, atlas, corpus)
    times = {t.feature_id: t.minutes for t in report.travel}
    assert set(times) == {"taizhou-central-core"}
    expected = route(atlas, "zju-taizhou-institute", "taizhou-central-core").minutes
    assert times["taizhou-central-core"] == pytest.approx(expected, abs=1e-6)
    daluo = check_site(atlas.get("wenzhou-university").geometry, atlas, corpus)
    gates = {t.feature_id: t.minutes for t in daluo.travel}
    assert set(gates) == {"wenzhou-south-station", "wenzhou-longwan-airport"}
    for gate, minutes in gates.items():
        assert minutes == pytest.approx(route(atlas, "wenzhou-university", gate).minutes, abs=1e-6)


def test_bad_parcel_is_refused_with_its_name(atlas, corpus):
    from corridor_map.analysis.site import SiteError

    with pytest.raises(SiteError, match="lot-7"):
        check_site(Point(500000, 3100000), atlas, corpus, label="lot-7")
    with pytest.raises(SiteError, match="lot-8"):
        check_site(shapely.Polygon(), atlas, corpus, label="lot-8")


@pytest.mark.slow
def test_a_thousand_parcels_from_a_file(atlas, corpus, tmp_path):
    from corridor_map.analysis.uploads import read_upload

    extent = to_gk(atlas.get("taizhou-bay-corridor").geometry)
    x0, y0, x1, y1 = extent.bounds
    lines = ["name,x,y"]
    for i in range(1000):
        x = x0 + (x1 - x0) * ((i % 40) + 0.5) / 40
        y = y0 + (y1 - y0) * ((i // 40) + 0.5) / 25
        lines.append(f"p{i},{x:.2f},{y:.2f}")
    data = ("\n".join(lines) + "\n").encode()
    imported = read_upload(data, "parcels.csv", "EPSG:4549")
    parcels = [(str(props.get("name")), g) for props, g in imported.shapes]
    assert len(parcels) == 1000
    reports = check_sites(parcels, atlas, corpus)
    rows = relation_rows(reports)
    assert {r["parcel"] for r in rows} == {f"p{i}" for i in range(1000)}
    core = "taizhou-central-core"
    inside = {r["parcel"] for r in rows if r["feature_id"] == core and r["verdict"] == "inside"}
    deep = to_gk(atlas.get(core).geometry).buffer(-2600)
    points = [Point(float(x), float(y)) for _, x, y in (line.split(",") for line in lines[1:])]
    surely = {f"p{i}" for i, p in enumerate(points) if deep.contains(p)}
    assert surely and surely <= inside
    # the same answer one parcel at a time
    for report in reports[::97]:
        alone = check_site(report.geometry, atlas, corpus, label=report.parcel)
        assert [(r.feature_id, r.verdict) for r in alone.relations] == [
            (r.feature_id, r.verdict) for r in report.relations
        ]
        assert [t.minutes for t in alone.travel] == [t.minutes for t in report.travel]
    assert all(math.isfinite(t.minutes or 0) for rep in reports for t in rep.travel)


def test_many_vertex_parcel_distance_within_a_metre(atlas, corpus):
    import numpy as np

    # a 20,000-vertex circle of 1 km radius in EPSG:4549, far outside the Taizhou corridor
    x, y = TO_GK.transform(120.50, 28.02)
    angles = np.linspace(0, 2 * np.pi, 20_000, endpoint=False)
    circle_gk = shapely.Polygon(
        np.column_stack([x + 1000 * np.cos(angles), y + 1000 * np.sin(angles)])
    )
    report = check_site(to_wgs84(circle_gk), atlas, corpus, travel=False)
    assert report.area_km2 == pytest.approx(geod_area_km2(circle_gk), rel=0.005)
    rows = {r.feature_id: r for r in report.relations}
    extent_gk = to_gk(atlas.get("taizhou-bay-corridor").geometry)
    a, b = shapely.ops.nearest_points(circle_gk, extent_gk)
    (lon1, lon2), (lat1, lat2) = GK.transform([a.x, b.x], [a.y, b.y])
    _, _, metres = GEOD.inv(lon1, lat1, lon2, lat2)
    assert rows["taizhou-bay-corridor"].distance_km * 1000 == pytest.approx(
        metres, abs=1.0 + 5e-4 * metres
    )


def test_a_drawing_without_stated_precision_never_says_inside(atlas, corpus):
    core = atlas.get("taizhou-central-core")
    vague = replace(core, precision_m=None)
    other = Atlas(
        features={**atlas.features, core.id: vague},
        collections=atlas.collections,
        layers_dir=atlas.layers_dir,
    )
    anchor = core.geometry.representative_point()
    report = check_site(Point(anchor.x, anchor.y), other, corpus, travel=False)
    [r] = [r for r in report.relations if r.feature_id == core.id]
    assert r.verdict == "uncertain" and "no precision" in r.note_en
    # with its stated precision the same point is inside
    assert (
        relation(
            check_site(Point(anchor.x, anchor.y), atlas, corpus, travel=False), core.id
        ).verdict
        == "inside"
    )


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_relations_table_shows_figures_as_a_reader_reads_them(atlas, corpus, lang):
    from corridor_map.core.i18n import basis_name
    from corridor_map.views.tables import site_relation_table

    core = atlas.get("taizhou-central-core")
    core_gk = to_gk(core.geometry)
    parcel_gk = _across_the_west_edge(core_gk)
    report = check_site(to_wgs84(parcel_gk), atlas, corpus, travel=False)
    header, rows = site_relation_table(report, lang)
    assert len(header) == len(rows[0]) and len(rows) == len(report.relations)
    cells = [cell for row in rows for cell in row]
    assert "None" not in cells and not any(c.endswith("None") for c in cells)
    (row,) = [row for row, r in zip(rows, report.relations, strict=True) if r.feature_id == core.id]
    overlap, share, distance, basis = row[3], row[4], row[5], row[6]
    assert re.fullmatch(r"\d+\.\d{3}", overlap) and re.fullmatch(r"\d+\.\d%", share), row
    assert re.fullmatch(r"\d+\.\d{2}|—", distance), row
    # the basis in the UI language (the page printed the raw "schematic" in Chinese)
    assert basis.startswith(basis_name(core.properties["geometry_basis"], lang, short=True)), row


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_indicator_lines_show_a_stated_unit_once(atlas, corpus, lang):
    from corridor_map.core.i18n import UNIT_NAMES
    from corridor_map.views.tables import site_indicator_figures

    anchor = atlas.get("wenzhou-daluo-corridor").geometry.representative_point()
    report = check_site(anchor, atlas, corpus, travel=False)
    carrying = [i for i in report.indicators if i.unit and re.search(rf"\d{i.unit}", i.target_text)]
    assert carrying, "no indicator whose stated figure carries its unit"
    for i in carrying:
        line = site_indicator_figures(i, lang)
        # the review found "15家以上 家": the unit after a figure that already carries it
        assert not line.endswith(f" {i.unit}") and f"{i.target_text} {i.unit}" not in line, line
        assert line.startswith(f"{i.base_year}: " if i.base_text else f"{i.target_year}: "), line
        english = UNIT_NAMES.get(i.unit, {}).get("en")
        if lang == "en" and english and english != i.unit:
            assert line.endswith(f"{i.target_text} ({english})"), line
        else:
            assert line.endswith(f"{i.target_year}: {i.target_text}"), line
    lacking = [i for i in report.indicators if i.unit and i.unit not in i.target_text]
    assert {"20家以上", "110万平方米"} <= {i.target_text for i in carrying}
    for i in lacking:
        assert i.unit in site_indicator_figures(i, lang)


@pytest.mark.parametrize(
    ("lon", "lat", "swapped"),
    [
        (28.641, 121.402, True),  # the review's Zhejiang point typed lat, lon
        (27.9, 120.7, True),
        (121.402, 28.641, False),  # as it should be typed
        (120.7, 27.9, False),
        (45.0, 10.0, False),  # far from the corridors either way: no hint
    ],
)
def test_a_point_looks_swapped_only_when_swapping_brings_it_near_the_corridors(
    atlas, lon, lat, swapped
):
    from corridor_map.analysis.site_point import looks_swapped

    assert looks_swapped(lon, lat, atlas) is swapped


@pytest.mark.slow
def test_a_point_typed_in_cgcs2000_degrees_lands_where_wgs84_does(atlas):
    from corridor_map.analysis.site_point import typed_point

    anchor = atlas.get("taizhou-central-core").geometry.representative_point()
    point = typed_point(anchor.x, anchor.y, "EPSG:4490", "p")
    # CGCS2000 and WGS84 agree far below any precision of the layers
    assert point.distance(anchor) < 1e-6
    x, y = TO_GK.transform(anchor.x, anchor.y)
    assert typed_point(x, y, "EPSG:4549", "p").distance(anchor) < 1e-7
