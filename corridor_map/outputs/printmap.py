"""Printable maps (专题图): PNG or PDF, A4/A3 landscape, rendered with matplotlib offline.

The page has a title, the corridors drawn in the on-screen colours over the district
outlines (:mod:`corridor_map.outputs.cartography`), labels, a legend, a metric scale bar
measured geodesically, a north arrow, the attribution, the schematic note and the date
(:mod:`corridor_map.outputs.furniture`). Chinese text is set in the Simplified Chinese
face of Noto Sans CJK, embedded as TrueType (:mod:`corridor_map.outputs.fonts`).
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from pathlib import Path

import matplotlib
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.text import Text

from corridor_map.atlas.model import Atlas, load_atlas
from corridor_map.core import progress as job
from corridor_map.core.i18n import corridor_name, display_name, t
from corridor_map.core.settings import Settings, load_settings
from corridor_map.outputs.cartography import draw_map, in_region
from corridor_map.outputs.common import PrintError, atomic_path, select_features
from corridor_map.outputs.crs import resolve_crs
from corridor_map.outputs.fonts import cjk_font, embed_fonts, source_face
from corridor_map.outputs.furniture import footer_lines, legend, north_arrow, scale_bar
from corridor_map.outputs.verify import check_pdf, check_png
from corridor_map.webmap.style import CORRIDOR_COLORS

__all__ = ["LAYOUT", "PAPER", "fit_left_of", "render_map", "save_figure", "setup"]

#: Landscape page sizes in inches.
PAPER = {"A4": (11.69, 8.27), "A3": (16.54, 11.69)}
# The 示意图 mark: a dark red that no corridor uses (colours on the map mean corridors).
_MARK = "#7b241c"
#: Each paper's own layout: margins in inches, text sizes in points. A3 is not A4 scaled
#: up: wider margins, larger type for reading at arm's length, and the extra room goes to
#: the map (labels that crowd A4 fit in place on A3).
LAYOUT: dict[str, dict[str, float]] = {
    "A4": {"margin": 0.35, "title": 16, "labels": 6.5, "legend": 7.5, "footer": 7},
    "A3": {"margin": 0.5, "title": 22, "labels": 8, "legend": 9.5, "footer": 8.5},
}


def fit_left_of(text: Text, other: Text, gap_px: float, smallest: float = 0.5) -> None:
    """Shrink ``text`` until it ends ``gap_px`` before ``other`` begins.

    A long title (an English corridor name) would otherwise run under the 示意图 mark
    on the same line; it keeps at least ``smallest`` of its size.
    """
    figure = text.get_figure()
    assert figure is not None
    renderer = FigureCanvasAgg(figure).get_renderer()  # type: ignore[arg-type]
    limit = other.get_window_extent(renderer).x0 - gap_px
    size = start = float(text.get_fontsize())
    while text.get_window_extent(renderer).x1 > limit and size > start * smallest:
        size *= 0.95
        text.set_fontsize(size)


def setup() -> None:
    """Refuse before drawing anything when the font is missing; set matplotlib's output."""
    source_face(False)
    # TrueType/CID embedding keeps the PDF's text searchable (pdftotext finds it).
    matplotlib.rcParams["pdf.fonttype"] = 42
    matplotlib.rcParams["svg.fonttype"] = "none"
    matplotlib.rcParams["axes.unicode_minus"] = False
    # Names and excerpts are text: a "$…$" in them is not a formula to typeset.
    matplotlib.rcParams["text.parse_math"] = False


def save_figure(
    fig: Figure,
    path: Path,
    cache_dir: Path | None = None,
    fits: Sequence[tuple[Text, Text]] = (),
) -> Path:
    """Save ``fig`` as PNG or PDF (from the ending) atomically, its text in the SC font.

    Parameters
    ----------
    cache_dir
        The settings' cache folder, where page fonts are kept (None: a temporary one).
    fits
        Pairs ``(text, other)`` on one line: ``text`` shrinks to end before ``other``
        (:func:`fit_left_of`), measured in the page font once it is set.
    """
    suffix = Path(path).suffix.lower()
    if suffix not in {".png", ".pdf"}:
        raise PrintError(f"{path}: 仅支持 .png 或 .pdf / only .png or .pdf can be printed")
    # A bare Figure (no pyplot): no global state, safe in Streamlit's threads.
    with atomic_path(Path(path)) as tmp:
        embed_fonts(fig, cache_dir)
        for text, other in fits:
            fit_left_of(text, other, gap_px=fig.dpi * 0.15)
        fig.savefig(
            tmp,
            format=suffix[1:],
            dpi=200 if suffix == ".png" else "figure",
            metadata={"Title": fig.get_label() or "corridor-map"},
        )
        if suffix == ".pdf":
            check_pdf(tmp, pages=1)
        else:
            check_png(tmp)
    return Path(path)


def render_map(
    path: Path | str,
    scope: str | None = None,
    paper: str = "A4",
    lang: str = "zh",
    title: str | None = None,
    atlas: Atlas | None = None,
    settings: Settings | None = None,
    crs: str | None = None,
    progress: job.Progress | None = None,
) -> Path:
    """Print the corridors (all, one corridor, or a feature with its children).

    Parameters
    ----------
    path
        ``.png`` or ``.pdf``.
    scope
        As :func:`corridor_map.outputs.common.select_features`.
    paper
        ``"A4"`` or ``"A3"``, landscape.
    lang
        ``"zh"`` or ``"en"`` for titles, labels and legend.
    title
        Defaults to the app's title (and the scope's name).
    crs
        Draw in a CGCS2000 Gauss-Krüger zone (``EPSG:4513``-``4554`` or ``auto``, see
        :func:`corridor_map.outputs.crs.resolve_crs`), named in the footer; WGS84 and
        CGCS2000 longitude/latitude keep the local equal-area drawing.
    settings
        The cache folder (page fonts), the 审图号 and the 示意图 mark (default: the
        environment's, :func:`corridor_map.core.settings.load_settings`).
    progress
        Told each step; its time limit is checked between them (default: no limit).

    Raises
    ------
    PrintError
        Unknown paper, file type, no CJK font, nothing to draw.
    TimeLimitError
        The progress's limit was met; nothing was written.
    """
    if paper not in PAPER:
        raise PrintError(f"未知纸张 / unknown paper {paper!r}: use {', '.join(PAPER)}")
    if Path(path).suffix.lower() not in {".png", ".pdf"}:
        raise PrintError(f"{path}: 仅支持 .png 或 .pdf / only .png or .pdf can be printed")
    job.step(progress, "data")
    setup()
    settings = settings or load_settings()
    atlas = atlas or load_atlas()
    features = select_features(atlas, scope)
    outside = [f for f in features if f.geometry is not None and not in_region(f)]
    system = resolve_crs(crs, [f.geometry for f in features if in_region(f)])
    epsg = system.epsg if system.projected else None
    projection = (
        f"{t('print_drawn_in', lang)} {system.label_in(lang)}"
        if epsg
        else t("print_projection_cgcs2000", lang)
        if system.epsg == 4490
        else None
    )
    if title is None:
        title = t("title", lang)
        if scope and scope != "all":
            title += " · " + (
                corridor_name(scope, lang)
                if scope in CORRIDOR_COLORS
                else display_name(atlas.get(scope), lang)
            )
    layout = LAYOUT[paper]
    width, height = PAPER[paper]
    margin = layout["margin"]
    footer = footer_lines(atlas, lang, outside=outside, projection=projection)
    line = layout["footer"] * 1.6 / 72  # inches per footer line
    bottom = margin + line * (len(footer) + 0.6)
    top = margin + layout["title"] * 2.0 / 72
    fig = Figure(figsize=(width, height))
    fig.set_label(title)
    ax = fig.add_axes(
        (margin / width, bottom / height, 1 - 2 * margin / width, 1 - (bottom + top) / height)
    )
    job.step(progress, "draw")
    frame = draw_map(ax, atlas, features, lang, label_size=layout["labels"], epsg=epsg)
    job.step(progress, "furniture")
    legend(ax, features, lang, size=layout["legend"])
    scale_bar(ax, frame, lang, size=layout["legend"] * 0.95)
    north_arrow(ax, frame, lang)
    title_y = 1 - (margin + layout["title"] * 1.2 / 72) / height
    # The 示意图 mark on the title line, outside the map where no label can meet it (the
    # date is in the footer).
    mark = fig.text(
        1 - margin / width,
        title_y,
        t("print_schematic_mark", lang)
        if settings.schematic_mark
        else datetime.date.today().isoformat(),
        fontproperties=cjk_font(layout["title"] * 0.75, bold=settings.schematic_mark),
        color=_MARK if settings.schematic_mark else "black",
        ha="right",
        bbox={"boxstyle": "square,pad=0.3", "facecolor": "white", "edgecolor": _MARK}
        if settings.schematic_mark
        else None,
    )
    heading = fig.text(
        margin / width, title_y, title, fontproperties=cjk_font(layout["title"], bold=True)
    )
    for i, text in enumerate(footer):
        fig.text(
            margin / width,
            (bottom - line * (i + 0.9)) / height,
            text,
            fontproperties=cjk_font(layout["footer"]),
            ha="left",
            va="top",
            wrap=True,
        )
    if settings.approval_number:
        fig.text(
            1 - margin / width,
            (bottom - line * 0.9) / height,
            f"{t('print_approval', lang)}{settings.approval_number}",
            fontproperties=cjk_font(layout["footer"] + 1, bold=True),
            ha="right",
            va="top",
        )
    job.step(progress, "write")
    return save_figure(fig, Path(path), settings.cache_dir, fits=[(heading, mark)])
