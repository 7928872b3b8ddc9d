"""Printed PDFs read by every engine a planner or print shop uses: Ghostscript (Linux print
queues, RIPs), MuPDF (SumatraPDF, mutool) and poppler (evince, pdftoppm), not poppler alone.

Each PDF is rendered by the three engines and the images compared; the text is extracted
by MuPDF and poppler. The fonts are TrueType outlines declared as such (no "mismatch
between font type and embedded font file"), in the Simplified Chinese face.

The renders are kept under tests/artifacts/ (git-ignored) for a person to look at.
"""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

from corridor_map.core.i18n import corridor_name, t
from corridor_map.outputs import brief, fonts, printmap

ARTIFACTS = Path(__file__).parent / "artifacts"
_TOOLS = ("gs", "mutool", "pdftoppm", "pdftotext", "pdffonts")
pytestmark = [
    pytest.mark.skipif(
        any(shutil.which(tool) is None for tool in _TOOLS),
        reason="ghostscript, mupdf-tools and poppler-utils are needed",
    ),
]


def _flat(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _run(*args: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(args, capture_output=True, check=True, timeout=120)


def _renders(pdf: Path, stem: str, dpi: int = 60) -> dict[str, np.ndarray]:
    """Page 1 rendered by each engine, as grey levels in 0..1."""
    from PIL import Image

    ARTIFACTS.mkdir(exist_ok=True)
    out = {
        "gs": ARTIFACTS / f"{stem}-gs.png",
        "mupdf": ARTIFACTS / f"{stem}-mupdf.png",
        "poppler": ARTIFACTS / f"{stem}-poppler.png",
    }
    _run(
        "gs",
        "-q",
        "-dNOPAUSE",
        "-dBATCH",
        "-dSAFER",
        "-dFirstPage=1",
        "-dLastPage=1",
        "-sDEVICE=png16m",
        "-dTextAlphaBits=4",
        "-dGraphicsAlphaBits=4",
        f"-r{dpi}",
        f"-sOutputFile={out['gs']}",
        str(pdf),
    )
    _run("mutool", "draw", "-q", "-r", str(dpi), "-o", str(out["mupdf"]), str(pdf), "1")
    _run("pdftoppm", "-r", str(dpi), "-f", "1", "-l", "1", "-png", "-singlefile", str(pdf),
         str(out["poppler"].with_suffix("")))  # fmt: skip
    return {
        name: np.asarray(Image.open(path).convert("L"), dtype=float) / 255
        for name, path in out.items()
    }


def _texts(pdf: Path) -> dict[str, str]:
    mupdf = _run("mutool", "draw", "-q", "-F", "txt", "-o", "-", str(pdf)).stdout
    poppler = _run("pdftotext", str(pdf), "-").stdout
    return {"mupdf": _flat(mupdf.decode()), "poppler": _flat(poppler.decode())}


def _assert_engines_agree(pdf: Path, stem: str, expected: list[str]) -> None:
    fonts_report = _run("pdffonts", str(pdf))
    assert b"Mismatch" not in fonts_report.stderr, fonts_report.stderr
    listed = fonts_report.stdout.decode()
    assert "CID TrueType" in listed and "Type 0C" not in listed, listed
    assert "NotoSansCJKsc" in listed, listed
    for engine, text in _texts(pdf).items():
        for wanted in expected:
            assert _flat(wanted) in text, (engine, wanted)
    images = _renders(pdf, stem)
    # Page sizes round to whole pixels differently: at most one pixel apart.
    height = min(image.shape[0] for image in images.values())
    width = min(image.shape[1] for image in images.values())
    assert all(i.shape[0] - height <= 1 and i.shape[1] - width <= 1 for i in images.values())
    ink = {name: 1 - image[:height, :width] for name, image in images.items()}
    reference = ink["poppler"]
    band = slice(0, height // 9)  # the title
    assert reference[band].sum() > 200
    for engine in ("gs", "mupdf"):
        # Antialiasing differs a little between engines; missing or scrambled text (the
        # CFF-as-TrueType fonts of before: correlation 0.73-0.81, title ink 1-50 %) a lot.
        assert np.corrcoef(_blocks(ink[engine]).ravel(), _blocks(reference).ravel())[0, 1] > 0.95
        assert ink[engine][band].sum() == pytest.approx(reference[band].sum(), rel=0.2), engine


def _blocks(ink: np.ndarray, n: int = 6) -> np.ndarray:
    """Mean ink of n × n pixel blocks: compares layouts, not antialiasing."""
    h, w = ink.shape[0] // n * n, ink.shape[1] // n * n
    return ink[:h, :w].reshape(h // n, n, w // n, n).mean(axis=(1, 3))


@pytest.mark.slow
def test_a4_map_renders_alike_in_ghostscript_mupdf_and_poppler(tmp_path):
    pdf = printmap.render_map(tmp_path / "map.pdf", paper="A4", lang="zh")
    expected = [t("title", "zh"), t("legend", "zh"), t("print_legend_districts", "zh")]
    expected += [corridor_name(c, "zh") for c in ("taizhou-bay", "wenzhou-daluo")]
    _assert_engines_agree(pdf, "engines-map-A4", expected)


@pytest.mark.slow
def test_a3_english_map_renders_alike(tmp_path):
    pdf = printmap.render_map(tmp_path / "map.pdf", paper="A3", lang="en")
    _assert_engines_agree(pdf, "engines-map-A3", [t("title", "en"), t("legend", "en")])


@pytest.mark.slow
def test_briefs_render_alike_with_their_body_text(tmp_path):
    from corridor_map.atlas.model import load_atlas

    feature = load_atlas().get("taizhou-central-core")
    pdf = brief.render_brief(tmp_path / "zone.pdf", feature.id)
    quote = feature.sources[0]["quote"]
    _assert_engines_agree(
        pdf, "engines-brief-zone", [feature.name_zh, t("brief_role", "zh"), quote[:30]]
    )
    pdf = brief.render_brief(tmp_path / "target.pdf", "wenling-tailong-15min")
    _assert_engines_agree(
        pdf, "engines-brief-target", [t("brief_method", "zh"), t("brief_assumptions", "zh")]
    )


def test_page_font_has_simplified_chinese_glyph_forms(tmp_path):
    """角 and 温 differ between the collection's Japanese first face and its SC face."""
    from fontTools.ttLib import TTFont

    path = fonts.page_font("角温解", bold=False, cache_dir=tmp_path)
    built = TTFont(path)
    source, index = fonts.source_face(False)
    assert index != 0  # the collection's first face is Japanese
    for char in "角温解":
        glyph = built["glyf"][built.getBestCmap()[ord(char)]]
        glyph.recalcBounds(built["glyf"])
        bounds = (glyph.xMin, glyph.yMin, glyph.xMax, glyph.yMax)
        faces = {}
        for face in (0, index):
            font = TTFont(source, fontNumber=face, lazy=True)
            pen_bounds = _bounds(font, font.getBestCmap()[ord(char)])
            faces[face] = pen_bounds
        if faces[0] != faces[index]:
            assert _close(bounds, faces[index]) and not _close(bounds, faces[0]), char
    assert Path(path).parent == tmp_path / "fonts"
    # The same characters reuse the cached file.
    assert fonts.page_font("温角解", bold=False, cache_dir=tmp_path) == path


def _bounds(font, name):
    from fontTools.pens.boundsPen import BoundsPen

    pen = BoundsPen(font.getGlyphSet())
    font.getGlyphSet()[name].draw(pen)
    return pen.bounds


def _close(a, b, tol=2):
    return all(abs(x - y) <= tol for x, y in zip(a, b, strict=True))


def test_embedded_font_is_truetype_with_searchable_text(tmp_path):
    import pypdf

    pdf = printmap.render_map(tmp_path / "m.pdf", scope="wenling-lakes")
    reader = pypdf.PdfReader(pdf)
    font_files = []
    for font in reader.pages[0]["/Resources"]["/Font"].values():
        font = font.get_object()
        descendant = font["/DescendantFonts"][0].get_object()
        assert descendant["/Subtype"] == "/CIDFontType2"
        data = descendant["/FontDescriptor"].get_object()["/FontFile2"].get_object().get_data()
        font_files.append(data)
    from fontTools.ttLib import TTFont

    for data in font_files:
        assert "glyf" in TTFont(io.BytesIO(data))  # TrueType outlines, as /FontFile2 requires
    assert _flat(t("title", "zh")) in _flat(reader.pages[0].extract_text())
