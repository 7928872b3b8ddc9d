"""Print cartography: every zone named (in place, moved with a leader line, or a numbered
callout in the key), a legend of what is drawn, paper-specific layouts, brief insets with
north arrow and legend, the 示意图 mark and the 审图号 from the settings, --crs."""

from __future__ import annotations

import dataclasses
import re
import shutil
import subprocess

import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.text import Text

from corridor_map.atlas.model import load_atlas
from corridor_map.core.i18n import t
from corridor_map.core.settings import load_settings
from corridor_map.outputs import cartography, furniture, printmap

needs_poppler = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils")


def _flat(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _text(pdf) -> str:
    return _flat(subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True).stdout.decode())


@pytest.mark.parametrize(("paper", "scope"), [("A4", None), ("A3", None), ("A4", "wenzhou-daluo")])
def test_every_zone_of_the_scope_is_named(paper, scope):
    atlas = load_atlas()
    features = printmap.select_features(atlas, scope)
    printmap.setup()
    fig = Figure(figsize=printmap.PAPER[paper])
    FigureCanvasAgg(fig)
    ax = fig.add_axes((0.03, 0.12, 0.94, 0.78))
    cartography.draw_map(ax, atlas, features, "zh", label_size=printmap.LAYOUT[paper]["labels"])
    shown = "\n".join(text.get_text() for text in ax.texts)
    named = [
        f
        for f in features
        if cartography.in_region(f) and f.role in {"extent", "core", "zone", "belt", "area"}
    ]
    assert named
    for f in named:
        assert f.name_zh in shown, f.id  # in place, moved, or in the key
    for text in ax.texts:
        if re.fullmatch(r"\d+", text.get_text()):  # a numbered callout: its name in the key
            assert re.search(rf"^{text.get_text()}  \S", shown, re.M)


def test_legend_lists_what_the_map_draws():
    atlas = load_atlas()
    features = atlas.select(include_reference=False)
    fig = Figure()
    labels = furniture.legend(fig.add_subplot(), features, "zh", overlays=["overlay:legend_route"])
    assert t("legend_water", "zh") in labels  # lakes (九龙湖, 龙门湖) drawn as water
    assert t("legend_terrain", "zh") in labels  # 大罗山
    assert t("print_legend_schematic", "zh") in labels
    assert t("print_legend_districts", "zh") in labels
    assert t("legend_route", "zh") in labels
    assert "平台" in labels and "门户枢纽" in labels  # the point symbols


def test_the_legend_stands_above_every_label_and_mark_of_the_map():
    # A brief's inset printed river names across the legend's rows (review finding 4).
    atlas = load_atlas()
    core = atlas.get("taizhou-central-core")
    context = atlas.by_corridor(core.corridor)
    fig = Figure(figsize=(8.27, 4))
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    frame = cartography.draw_map(ax, atlas, context, "en", focus=core, label_size=6.5)
    furniture.scale_bar(ax, frame, "en")
    furniture.north_arrow(ax, frame, "en")
    furniture.legend(ax, context, "en", size=5.5)
    key = ax.get_legend()
    drawn = [*ax.texts, *ax.patches, *ax.lines, *ax.collections]
    assert drawn and key.get_zorder() > max(a.get_zorder() for a in drawn)


@needs_poppler
@pytest.mark.slow
def test_a3_is_laid_out_for_a3_with_mark_and_approval_number(tmp_path):
    settings = dataclasses.replace(
        load_settings(), approval_number="浙S(2026)001号", schematic_mark=True
    )
    pdf = printmap.render_map(tmp_path / "a3.pdf", paper="A3", settings=settings)
    text = _text(pdf)
    assert "审图号：浙S(2026)001号" in text and "示意图" in text
    quiet = dataclasses.replace(settings, approval_number="", schematic_mark=False)
    text = _text(printmap.render_map(tmp_path / "a4.pdf", settings=quiet))
    assert "审图号" not in text and "示意图" not in text
    assert printmap.LAYOUT["A3"]["title"] > printmap.LAYOUT["A4"]["title"]


@needs_poppler
@pytest.mark.slow
def test_print_in_a_gauss_kruger_zone_names_it(tmp_path):
    from corridor_map.outputs.crs import resolve_crs

    pdf = printmap.render_map(tmp_path / "gk.pdf", scope="wenling-lakes", crs="auto")
    drawn = [
        f.geometry for f in load_atlas().by_corridor("wenling-lakes") if cartography.in_region(f)
    ]
    zone = resolve_crs("auto", drawn)
    # The Chinese page names the zone in Chinese (review finding 6).
    assert zone.projected and _flat(zone.label_in("zh")) in _text(pdf)
    pdf = printmap.render_map(tmp_path / "gk40.pdf", scope="wenling-lakes", crs="EPSG:4549")
    assert "中央经线120°E(EPSG:4549)" in _text(pdf)
    pdf = printmap.render_map(
        tmp_path / "gk40en.pdf", scope="wenling-lakes", crs="EPSG:4549", lang="en"
    )
    assert "CM120E(EPSG:4549)" in _text(pdf)
    pdf = printmap.render_map(tmp_path / "cgcs.pdf", scope="wenling-lakes", crs="EPSG:4490")
    # One system named: not "(WGS84)" beside CGCS2000 (review finding 13).
    assert "EPSG:4490" in _text(pdf) and _flat(t("print_projection", "zh")) not in _text(pdf)


@needs_poppler
@pytest.mark.slow
def test_brief_insets_have_north_arrow_and_legend(tmp_path):
    from corridor_map.outputs import brief

    text = _text(brief.render_brief(tmp_path / "z.pdf", "taizhou-central-core"))
    assert "北N" in text and t("legend", "zh") in text and t("legend_selected", "zh") in text
    text = _text(brief.render_brief(tmp_path / "t.pdf", "wenling-tailong-15min"))
    assert "北N" in text and t("legend_route", "zh") in text


@needs_poppler
@pytest.mark.slow
def test_briefs_speak_one_language(tmp_path):
    from corridor_map.outputs import brief

    zh = _text(brief.render_brief(tmp_path / "zh.pdf", "wenling-tailong-15min", lang="zh"))
    assert "接驳段" in zh and "accesslegs" not in zh and "ofwhichtheplannedlink" not in zh
    en = _text(brief.render_brief(tmp_path / "en.pdf", "wenling-tailong-15min", lang="en"))
    assert "accesslegs" in en and "接驳段" not in en
    assert "区县边界：高德地图" in zh and "districtboundaries" in en
    zone = _text(brief.render_brief(tmp_path / "z.pdf", "wenling-hitech-park", lang="zh"))
    assert not re.search(r"·p\d{3}", zone)  # 《title》 and section, not paragraph ids
    assert "《" in zone


def _label_boxes(fig: Figure, ax, name: str):  # type: ignore[no-untyped-def]
    """Data-space boxes of the texts reading ``name`` (the halo and the name itself)."""
    import shapely

    renderer = FigureCanvasAgg(fig).get_renderer()
    to_data = ax.transData.inverted()
    boxes = []
    for text in ax.texts:
        # the name itself (a moved name's halo is an annotation, boxed with its leader)
        if type(text) is Text and text.get_text() == name:
            extent = text.get_window_extent(renderer)
            (x0, y0), (x1, y1) = to_data.transform(extent.get_points())
            boxes.append(shapely.box(x0, y0, x1, y1))
    return boxes


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_corridors_name_keeps_off_the_uploaded_parcel(corpus, lang):
    import numpy as np
    import shapely
    from pyproj import Transformer

    from corridor_map.analysis.site import check_site
    from corridor_map.core.i18n import display_name
    from corridor_map.outputs.site_report import draw_site_map

    atlas = load_atlas()
    extent = atlas.get("taizhou-bay-corridor")
    # a 600 m lot right where the corridor's name went (near the site page's default point)
    to_gk = Transformer.from_crs("EPSG:4326", "EPSG:4549", always_xy=True)
    to_wgs = Transformer.from_crs("EPSG:4549", "EPSG:4326", always_xy=True)
    x, y = to_gk.transform(121.4022, 28.6487)
    lot = shapely.transform(
        shapely.box(x - 300, y - 300, x + 300, y + 300).segmentize(50),
        lambda xy: np.column_stack(to_wgs.transform(*xy.T)),
    )
    report = check_site(lot, atlas, corpus, travel=False)
    printmap.setup()
    fig = Figure(figsize=(7.0, 7.0 * 0.62))  # as site_map_png draws it
    FigureCanvasAgg(fig)
    ax = fig.add_axes((0.01, 0.01, 0.98, 0.98))
    frame = draw_site_map(ax, report, atlas, lang)
    parcel = shapely.box(*frame.project(report.geometry).bounds)
    name = display_name(extent, lang)
    boxes = _label_boxes(fig, ax, name)
    callout = any(name in text.get_text() and text.get_text() != name for text in ax.texts)
    assert boxes or callout, f"{name} is not on the map"
    assert not any(box.intersects(parcel) for box in boxes), name


@pytest.mark.parametrize(
    "feature_id", ["taizhou-central-core", "longmen-lake-innovation-belt", "longwan-area"]
)
def test_a_zone_briefs_map_keeps_the_corridors_name_off_the_zone(feature_id):
    import shapely

    from corridor_map.core.i18n import display_name
    from corridor_map.outputs.brief import draw_zone_inset
    from corridor_map.outputs.pageflow import A4_PORTRAIT

    atlas = load_atlas()
    feature = atlas.get(feature_id)
    (extent,) = [f for f in atlas.by_corridor(feature.corridor) if f.role == "extent"]
    printmap.setup()
    fig = Figure(figsize=A4_PORTRAIT)
    FigureCanvasAgg(fig)
    ax = fig.add_axes((0.06, 0.5, 0.88, 0.34))  # a brief's inset across the text width
    frame = draw_zone_inset(ax, atlas, feature, "zh")
    zone = shapely.box(*frame.project(feature.geometry).bounds)
    name = display_name(extent, "zh")
    boxes = _label_boxes(fig, ax, name)
    callout = any(name in text.get_text() and text.get_text() != name for text in ax.texts)
    assert boxes or callout, f"{name} is not on the map"  # moved or in the key, never dropped
    # the review saw 台州湾科创走廊 written across the central core
    assert not any(box.intersects(zone) for box in boxes), feature_id
