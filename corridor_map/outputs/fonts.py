"""Chinese text in printed maps and briefs: the Simplified Chinese face of Noto Sans CJK,
embedded in a form every PDF engine reads.

Debian's ``fonts-noto-cjk`` ships CFF (PostScript) outlines in a ``.ttc`` collection whose
first face is Japanese. matplotlib embeds any font it is given as ``/CIDFontType2`` with
``/FontFile2``, which the PDF specification reserves for TrueType outlines: poppler
tolerates CFF there, Ghostscript and MuPDF (print queues, RIPs) do not. So the text of a
page is set in a small TrueType font made from the collection's **SC** face: the glyphs of
the characters the page uses, their cubic outlines converted to quadratic ones with
fontTools (``cu2qu``, within 1 font unit). matplotlib then embeds and subsets a real
TrueType font (valid ``/FontFile2``, searchable text through its ``/ToUnicode`` map).

A page's font is made once per set of characters and kept in the cache folder (the font
file named by a hash of its source and characters); building one for a page of a brief
takes about a millisecond per character, reading a cached one nothing. Subsetting the whole
collection on every print, as before, cost seconds.
"""

from __future__ import annotations

import functools
import hashlib
import tempfile
from collections.abc import Iterable
from pathlib import Path

from matplotlib import font_manager
from matplotlib.figure import Figure, SubFigure
from matplotlib.font_manager import FontProperties
from matplotlib.text import Text

from corridor_map.core.files import write_bytes_atomically
from corridor_map.outputs.common import PrintError

__all__ = ["FAMILY", "FontError", "cjk_font", "embed_fonts", "page_font", "source_face"]

#: The face used: Simplified Chinese glyph forms (温, 角, 解 as printed in the mainland).
FAMILY = "Noto Sans CJK SC"
_VERSION = "2"  # bump when the conversion changes: cached fonts are rebuilt
_ASCII = "".join(chr(c) for c in range(0x20, 0x7F))
_MAX_ERR = 1.0  # font units (of 1000 per em): invisible at any print size


class FontError(PrintError):
    """No Simplified Chinese font to print with."""


@functools.lru_cache(maxsize=2)
def source_face(bold: bool = False) -> tuple[str, int]:
    """Return (file, face index) of Noto Sans CJK SC (regular or bold).

    Raises
    ------
    FontError
        When the SC face is not installed (Debian/Ubuntu: ``apt install fonts-noto-cjk``).
    """
    weight = 700 if bold else 400
    for entry in font_manager.fontManager.ttflist:
        if entry.name == FAMILY and entry.weight == weight and entry.style == "normal":
            return str(entry.fname), int(getattr(entry, "index", 0))
    if bold:  # a regular face still prints; bold only emphasises
        return source_face(False)
    raise FontError(
        f"找不到简体中文字体 {FAMILY}，无法打印中文 / no Simplified Chinese font ({FAMILY}) "
        "found: install fonts-noto-cjk (apt install fonts-noto-cjk) and retry"
    )


def cjk_font(size: float = 8.0, bold: bool = False) -> FontProperties:
    """Font properties for page text: set in :data:`FAMILY` by :func:`embed_fonts`.

    Until then the text carries only its size and weight (nothing is measured with it:
    layout that needs widths estimates them, and matplotlib lays out at save time).
    """
    return FontProperties(size=size, weight="bold" if bold else "normal")


def _is_bold(properties: FontProperties) -> bool:
    weight = properties.get_weight()
    return weight in {"bold", "heavy", "black", "extra bold", "semibold", "demibold"} or (
        isinstance(weight, int | float) and weight >= 600
    )


def _texts(figure: Figure | SubFigure) -> list[Text]:
    return [t for t in figure.findobj(Text) if isinstance(t, Text) and t.get_text()]


def embed_fonts(figure: Figure, cache_dir: Path | None) -> None:
    """Set every text of ``figure`` in a TrueType SC font made for its characters.

    Call once the page is complete, just before saving it.

    Parameters
    ----------
    cache_dir
        The cache folder (fonts go to ``fonts/`` under it); None builds them in a
        temporary folder for this process.
    """
    texts = _texts(figure)
    for bold in (False, True):
        chosen = [t for t in texts if _is_bold(t.get_fontproperties()) == bold]
        if not chosen:
            continue
        path = page_font("".join(t.get_text() for t in chosen), bold, cache_dir)
        for text in chosen:
            size = text.get_fontproperties().get_size_in_points()
            text.set_fontproperties(FontProperties(fname=path, size=size))


def _folder(cache_dir: Path | None) -> Path:
    if cache_dir is not None:
        folder = Path(cache_dir) / "fonts"
        try:
            folder.mkdir(parents=True, exist_ok=True)
            return folder
        except OSError:
            pass  # an unwritable cache still prints, from a temporary folder
    return _process_folder()


@functools.lru_cache(maxsize=1)
def _process_folder() -> Path:
    return Path(tempfile.mkdtemp(prefix="corridor-map-fonts-"))


def page_font(text: Iterable[str] | str, bold: bool, cache_dir: Path | None) -> str:
    """Return the path of a TrueType font with the SC glyphs of the characters in ``text``.

    Parameters
    ----------
    text
        The characters to cover (any order, repeats ignored); characters the face lacks
        are left out (they print as the empty glyph).
    bold
        The bold face (falls back to regular when it is not installed).
    cache_dir
        See :func:`embed_fonts`.
    """
    source, index = source_face(bold)
    # Printable ASCII always: matplotlib measures strings of its own ("lp" for a legend
    # row's height) in the same font.
    chars = "".join(sorted((set("".join(text)) | set(_ASCII)) - {"\n"}))
    stat = Path(source).stat()
    key = hashlib.sha256(
        f"{_VERSION}|{source}|{index}|{stat.st_size}|{stat.st_mtime_ns}|{chars}".encode()
    ).hexdigest()[:20]
    path = _folder(cache_dir) / f"NotoSansCJKsc-{'Bold' if bold else 'Regular'}-{key}.ttf"
    if not path.is_file():
        data = _build(source, index, chars)
        # Written atomically: another process printing at once reads whole files only.
        try:
            write_bytes_atomically(path, data)
        except OSError as exc:
            raise FontError(
                f"{path.parent}: 无法写入字体缓存 / cannot write the page font: "
                f"{exc.strerror or exc}"
            ) from None
    return str(path)


def _build(source: str, index: int, chars: str) -> bytes:
    """A TrueType font of ``chars`` from face ``index`` of ``source`` (CFF outlines)."""
    import io

    from fontTools.fontBuilder import FontBuilder
    from fontTools.pens.cu2quPen import Cu2QuPen
    from fontTools.pens.ttGlyphPen import TTGlyphPen
    from fontTools.ttLib import TTFont

    font = TTFont(source, fontNumber=index, lazy=True)
    cmap = font.getBestCmap()
    wanted = {ord(c): cmap[ord(c)] for c in chars if ord(c) in cmap}
    # Glyphs named by the Adobe Glyph List convention (uni6D59), not the collection's
    # cid12345: text extractors that read names (Ghostscript's txtwrite) find the text.
    renamed: dict[str, str] = {".notdef": ".notdef"}
    for code, source_name in sorted(wanted.items()):
        if source_name != ".notdef":
            renamed.setdefault(source_name, f"uni{code:04X}" if code <= 0xFFFF else f"u{code:05X}")
    order = list(renamed.values())
    glyph_set = font.getGlyphSet()
    hmtx = font["hmtx"]
    glyphs = {}
    advances = {}
    for source_name, name in renamed.items():
        pen = TTGlyphPen(None)
        glyph_set[source_name].draw(Cu2QuPen(pen, _MAX_ERR, reverse_direction=True))
        glyphs[name] = pen.glyph()
        advances[name] = hmtx[source_name][0]
    head, hhea, os2 = font["head"], font["hhea"], font["OS/2"]
    builder = FontBuilder(head.unitsPerEm, isTTF=True)
    builder.setupGlyphOrder(order)
    builder.setupCharacterMap({code: renamed[name] for code, name in wanted.items()})
    builder.setupGlyf(glyphs)
    built = builder.font["glyf"]
    builder.setupHorizontalMetrics(
        {name: (advances[name], getattr(built[name], "xMin", 0)) for name in order}
    )
    builder.setupHorizontalHeader(ascent=hhea.ascent, descent=hhea.descent, lineGap=hhea.lineGap)
    style = "Bold" if "Bold" in Path(source).name else "Regular"
    names = font["name"]
    builder.setupNameTable(
        {
            "familyName": FAMILY,
            "styleName": style,
            "uniqueFontIdentifier": f"{FAMILY} {style} corridor-map subset",
            "fullName": f"{FAMILY} {style}",
            "psName": f"NotoSansCJKsc-{style}",
            "copyright": names.getDebugName(0) or "",
            "licenseDescription": names.getDebugName(13) or "SIL Open Font License 1.1",
        }
    )
    builder.setupOS2(
        usWeightClass=os2.usWeightClass,
        sTypoAscender=os2.sTypoAscender,
        sTypoDescender=os2.sTypoDescender,
        sTypoLineGap=os2.sTypoLineGap,
        usWinAscent=os2.usWinAscent,
        usWinDescent=os2.usWinDescent,
        fsType=0,  # OFL: installable embedding
        ulCodePageRange1=os2.ulCodePageRange1,
        ulUnicodeRange1=os2.ulUnicodeRange1,
        ulUnicodeRange2=os2.ulUnicodeRange2,
        ulUnicodeRange3=os2.ulUnicodeRange3,
        ulUnicodeRange4=os2.ulUnicodeRange4,
    )
    builder.setupPost()
    out = io.BytesIO()
    builder.save(out)
    return out.getvalue()
