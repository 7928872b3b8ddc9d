"""Text, tables and figures flowing down A4 portrait PDF pages: the briefs and the site report.

:class:`PageFlow` keeps a cursor on the current matplotlib page and starts a further page
(titled as a continuation) rather than cutting text; every page gets the footer lines and
its Chinese text set in the page's own TrueType font
(:func:`corridor_map.outputs.fonts.embed_fonts`: without it the glyphs print as empty
boxes). :class:`FlowStyle` holds what the documents lay out differently. :func:`wrap`
breaks text by the width of its characters.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from matplotlib.backends.backend_pdf import PdfPages
from matplotlib.figure import Figure

from corridor_map.core import progress as job
from corridor_map.outputs.fonts import cjk_font, embed_fonts

__all__ = ["A4_PORTRAIT", "FlowStyle", "PageFlow", "wrap"]

A4_PORTRAIT = (8.27, 11.69)  # inches
#: Headings and table headers in this colour where a style sets no bold face.
HEADING_COLOUR = "#1a237e"


def _em(ch: str) -> float:
    """Width of a character in ems (CJK full width, Latin about half)."""
    return 1.0 if ord(ch) >= 0x2E80 else 0.55


def wrap(text: str, width_em: float) -> list[str]:
    """Break text into lines of at most ``width_em`` ems, keeping every character.

    Lines break at any CJK character or at a space between Latin words.
    """
    lines: list[str] = []
    for paragraph in str(text).split("\n"):
        line, used = "", 0.0
        for word in _tokens(paragraph):
            w = sum(_em(c) for c in word)
            if used + w > width_em and line:
                lines.append(line.rstrip())
                line, used = word.lstrip(), sum(_em(c) for c in word.lstrip())
            else:
                line += word
                used += w
        lines.append(line.rstrip())
    return lines


def _tokens(text: str) -> list[str]:
    tokens: list[str] = []
    for ch in text:
        if tokens and ord(ch) < 0x2E80 and not ch.isspace() and ord(tokens[-1][-1]) < 0x2E80:
            tokens[-1] += ch
        else:
            tokens.append(ch)
    return tokens


@dataclass(frozen=True)
class FlowStyle:
    """How one kind of document lays out its pages (fractions are of the page)."""

    #: continuation title of page n ≥ 2, a :meth:`str.format` template over title, count.
    continued: str = "{title}（{count}）"
    continued_size: float = 9.0
    footer_size: float = 6.5
    #: footer lines are wrapped at this many ems.
    footer_em: float = 78
    footer_step: float = 0.011
    #: room kept free above the footer.
    bottom: float = 0.055
    #: bold text in the bold face; else in :data:`HEADING_COLOUR` (one embedded face:
    #: each extra face costs seconds).
    bold_face: bool = True
    gap_points: float = 6.0
    #: space after a table row, in lines.
    row_gap: float = 0.25
    #: a table shorter than this (of the page) is kept on one page with its caption.
    keep_together: float = 0.4
    margin: float = 0.07
    #: line height in font sizes.
    line: float = 1.45


class PageFlow:
    """A flow of text, tables and figures on A4 portrait pages of ``pdf``.

    Parameters
    ----------
    pdf
        Where each finished page is saved.
    title
        The document's title (continuation pages repeat it, the figures carry it as label).
    footer
        Lines at the foot of every page.
    cache_dir
        Folder of the page fonts (:func:`corridor_map.outputs.fonts.embed_fonts`).
    style
        The document's :class:`FlowStyle`.
    progress
        Told "write" as each page is finished (its time limit checked then).
    """

    def __init__(
        self,
        pdf: PdfPages,
        title: str,
        footer: Sequence[str],
        cache_dir: Path | None,
        style: FlowStyle,
        progress: job.Progress | None = None,
    ) -> None:
        self.pdf, self.title, self.footer = pdf, title, list(footer)
        self.cache_dir = cache_dir
        self.style = style
        self.progress = progress
        self.fig: Figure | None = None
        self.count = 0
        self.y = 0.0
        self._new()

    def _step(self, size: float) -> float:
        return size * self.style.line / 72 / A4_PORTRAIT[1]

    def _new(self) -> None:
        if self.fig is not None:
            self._finish()
        self.fig = Figure(figsize=A4_PORTRAIT)
        self.fig.set_label(self.title)
        self.count += 1
        self.y = 1 - self.style.margin
        if self.count > 1:
            heading = self.style.continued.format(title=self.title, count=self.count)
            self.text(heading, self.style.continued_size, color="#555555")

    def _finish(self) -> None:
        assert self.fig is not None
        style = self.style
        y = style.margin * 0.95
        for line in self.footer:
            for part in wrap(line, style.footer_em):
                self.fig.text(
                    style.margin,
                    y,
                    part,
                    fontproperties=cjk_font(style.footer_size),
                    color="#444444",
                )
                y -= style.footer_step
        # Each page's fonts are subset and embedded: the slow part of a document.
        job.step(self.progress, "write")
        embed_fonts(self.fig, self.cache_dir)
        self.pdf.savefig(self.fig)

    def room(self, height: float) -> None:
        """Start a new page unless ``height`` (of the page) is left above the footer."""
        if self.y - height < self.style.margin + self.style.bottom:
            self._new()

    def text(
        self,
        text: str,
        size: float = 9.0,
        bold: bool = False,
        color: str | None = None,
        indent: float = 0.0,
    ) -> None:
        """Write wrapped text at the cursor."""
        if bold and not self.style.bold_face:
            color = color or HEADING_COLOUR
        margin = self.style.margin
        width_em = A4_PORTRAIT[0] * (1 - 2 * margin - indent) * 72 / size
        step = self._step(size)
        font = cjk_font(size, bold and self.style.bold_face)
        for line in wrap(text, width_em):
            self.room(step)
            assert self.fig is not None
            self.fig.text(
                margin + indent, self.y, line, fontproperties=font, color=color or "black", va="top"
            )
            self.y -= step

    def heading(self, text: str, size: float = 11.0) -> None:
        """Write a bold heading, on a new page unless a few lines fit below it."""
        self.room(self._step(size) * 4)
        self.text(text, size, bold=True)

    def gap(self, points: float | None = None) -> None:
        """Leave a blank space (default: the style's)."""
        self.y -= (self.style.gap_points if points is None else points) / 72 / A4_PORTRAIT[1]

    def table(
        self,
        rows: Sequence[Sequence[str]],
        widths: Sequence[float],
        size: float = 8,
        caption: str | None = None,
    ) -> None:
        """Write a simple table, the first row its header; ``widths`` are fractions of the
        text width. A short table (and its bold ``caption``) is kept on one page."""
        style = self.style
        text_width = 1 - 2 * style.margin
        step = self._step(size)
        wrapped = [
            [
                wrap(str(cell), A4_PORTRAIT[0] * text_width * w * 72 / size - 1)
                for cell, w in zip(row, widths, strict=True)
            ]
            for row in rows
        ]
        heights = [step * max(len(c) for c in cells) for cells in wrapped]
        total = sum(h + step * style.row_gap for h in heights) + (step * 1.2 if caption else 0)
        if total < style.keep_together:
            self.room(total)
        if caption:
            self.text(caption, size + 0.5, bold=True)
        for r, (cells, height) in enumerate(zip(wrapped, heights, strict=True)):
            self.room(height)
            assert self.fig is not None
            header = r == 0
            x = style.margin
            for lines, w in zip(cells, widths, strict=True):
                for i, line in enumerate(lines):
                    self.fig.text(
                        x,
                        self.y - i * step,
                        line,
                        fontproperties=cjk_font(size, header and style.bold_face),
                        color=HEADING_COLOUR if header and not style.bold_face else "black",
                        va="top",
                    )
                x += text_width * w
            self.y -= height + step * style.row_gap

    def axes(self, height: float) -> Any:
        """Return axes of ``height`` (of the page) across the text width at the cursor."""
        self.room(height)
        assert self.fig is not None
        margin = self.style.margin
        ax = self.fig.add_axes((margin, self.y - height, 1 - 2 * margin, height))
        self.y -= height + 0.01
        return ax

    def close(self) -> None:
        """Finish the last page."""
        self._finish()
        self.fig = None
