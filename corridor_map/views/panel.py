"""Side-panel content: what the app shows about a selected feature, as data and inert HTML.

Nothing here calls Streamlit. :func:`feature_panel` gathers a feature's names, role,
hierarchy, districts, status, stated-versus-measured figures, geometry basis and every
cited excerpt (resolved in the normalized document, with its title, issuer, date, 文号 and
heading path). The ``*_html`` functions turn that into HTML in which every piece of text
from the data is escaped with :func:`corridor_map.webmap.build.inert`, so a name or excerpt can
never become markup or script.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from corridor_map.core.i18n import (
    basis_name,
    corridor_name,
    quantity_name,
    role_name,
    status_name,
    t,
)
from corridor_map.core.markup import inert, md_escape
from corridor_map.core.records import RingPoint, Source, Status
from corridor_map.core.verdicts import word as verdict_word

# Stated units converted to km² so that a stated area can sit beside a measured one.
from corridor_map.core.vocab import AREA_UNITS_KM2 as _AREA_UNITS_KM2
from corridor_map.core.vocab import LENGTH_UNITS_KM as _LENGTH_UNITS_KM
from corridor_map.documents.normalize import to_simplified
from corridor_map.documents.snippets import snippet

#: Characters of the cited paragraph shown on each side of a quote in the panel.
CONTEXT_CHARS = 120


# --------------------------------------------------------------------------- data


@dataclass(frozen=True)
class Link:
    """A clickable reference to another feature."""

    id: str
    name_zh: str
    name_en: str
    role: str

    def label(self, lang: str) -> str:
        """Return the link text: the name in ``lang`` and the role."""
        name = self.name_zh if lang == "zh" else (self.name_en or self.name_zh)
        return f"{name} · {role_name(self.role, lang)}"


@dataclass(frozen=True)
class DistrictRef:
    """A county-level division a feature lies in, named as ``ref_districts.geojson`` does."""

    name_zh: str
    name_en: str
    code: str

    def label(self, lang: str) -> str:
        """Return the name in ``lang`` with the 6-digit code (Chinese kept beside English)."""
        if lang == "zh" or not self.name_en:
            return f"{self.name_zh}（{self.code}）" if self.code else self.name_zh
        inner = ", ".join(x for x in (self.name_zh, self.code) if x)
        return f"{self.name_en} ({inner})"


@dataclass(frozen=True)
class FigureRow:
    """One stated figure beside what the geometry measures (geodesic)."""

    quantity: str
    stated_text: str
    stated_value: float | None
    unit: str
    measured: float | None
    measured_unit: str
    source_doc: str
    source_quote: str

    @property
    def ratio(self) -> float | None:
        """Return measured / stated in the same unit, when both exist."""
        if self.measured is None or not self.stated_value:
            return None
        factor = _AREA_UNITS_KM2.get(self.unit) or _LENGTH_UNITS_KM.get(self.unit)
        if factor is None:
            return None
        return self.measured / (self.stated_value * factor)


@dataclass(frozen=True)
class ExcerptView:
    """One cited excerpt, located in its document."""

    doc_id: str
    quote: str
    paragraph_id: str | None
    heading_path: tuple[str, ...]
    title: str
    issuer: str | None
    date: str | None
    doc_number: str | None
    error: str | None = None
    #: Verbatim text of the cited paragraph just before and after the quote (at most
    #: :data:`CONTEXT_CHARS` each), and whether the paragraph goes on beyond that window.
    before: str = ""
    after: str = ""
    clipped_before: bool = False
    clipped_after: bool = False
    #: Offsets of the quote in the normalized document text (None when not resolved).
    start: int | None = None
    end: int | None = None
    #: Set when several sources quote the same paragraph (:func:`merge_excerpts`): every
    #: quote of the block, in source order, and the window between ``before`` and
    #: ``after`` as ``("quote" | "text" | "more", text)`` pieces ("more" = an elided gap).
    quotes: tuple[str, ...] = ()
    segments: tuple[tuple[str, str], ...] = ()

    @property
    def all_quotes(self) -> tuple[str, ...]:
        """Return every quote this block shows (one unless merged)."""
        return self.quotes or (self.quote,)

    @property
    def pieces(self) -> tuple[tuple[str, str], ...]:
        """Return the window between ``before`` and ``after``: the quote(s) and the gaps."""
        return self.segments or (("quote", self.quote),)

    @property
    def context(self) -> str:
        """Return the shown window of the paragraph, verbatim (``…`` where a gap is elided)."""
        middle = "".join("…" if kind == "more" else text for kind, text in self.pieces)
        return f"{self.before}{middle}{self.after}"


@dataclass(frozen=True)
class PanelView:
    """Everything the side panel shows about one feature."""

    id: str
    name_zh: str
    name_en: str
    role: str
    corridor: str
    parents: tuple[Link, ...]
    children: tuple[Link, ...]
    districts: tuple[DistrictRef, ...]
    status: Status | None
    figures: tuple[FigureRow, ...]
    geometry_basis: str
    geometry_source: str
    precision_m: float | None
    located: bool
    excerpts: tuple[ExcerptView, ...] = field(default_factory=tuple)

    @property
    def schematic(self) -> bool:
        """Return True when the geometry is schematic."""
        return self.geometry_basis == "schematic"

    def name(self, lang: str) -> str:
        """Return the name in ``lang`` (falling back to Chinese)."""
        return self.name_zh if lang == "zh" else (self.name_en or self.name_zh)


# --------------------------------------------------------------------------- text helpers


def mark_terms(text: str, terms: Iterable[str]) -> str:
    """Escape ``text`` and wrap every occurrence of a term in ``<mark>``.

    Matching also works across scripts: a simplified term finds its traditional spelling
    (the Taizhou briefing is in traditional characters) when the conversion keeps the
    text's length, which OpenCC's character mapping does for these documents.
    """
    wanted = sorted({term for term in terms if term}, key=len, reverse=True)
    if not wanted:
        return inert(text)
    haystack = to_simplified(text)
    if len(haystack) != len(text):
        haystack = text
    needles = [to_simplified(term) for term in wanted]
    spans: list[tuple[int, int]] = []
    for needle in needles:
        start = haystack.find(needle)
        while start != -1:
            end = start + len(needle)
            if not any(s < end and start < e for s, e in spans):
                spans.append((start, end))
            start = haystack.find(needle, end)
    spans.sort()
    pieces: list[str] = []
    cursor = 0
    for start, end in spans:
        pieces.append(inert(text[cursor:start]))
        pieces.append(f"<mark>{inert(text[start:end])}</mark>")
        cursor = end
    pieces.append(inert(text[cursor:]))
    return "".join(pieces)


def plain_label(text: str) -> str:
    """Backslash-escape Markdown so a button label shows text literally (see md_escape)."""
    return md_escape(text)


# --------------------------------------------------------------------------- building


def _props(feature: Any) -> dict[str, Any]:
    return dict(getattr(feature, "properties", None) or {})


def _link(feature: Any) -> Link:
    return Link(feature.id, feature.name_zh, feature.name_en, feature.role)


def _measured_area_km2(feature: Any) -> float | None:
    geometry = getattr(feature, "geometry", None)
    if geometry is None or geometry.geom_type not in {"Polygon", "MultiPolygon"}:
        return None
    return float(feature.area_km2)


def _measured_length_km(feature: Any) -> float | None:
    geometry = getattr(feature, "geometry", None)
    if geometry is None or "LineString" not in geometry.geom_type:
        return None
    return float(feature.length_km)


def figure_rows(feature: Any) -> tuple[FigureRow, ...]:
    """Return the feature's stated figures, each beside its geodesic measure when comparable.

    Areas are compared in km² and lengths in km; a floor area, a travel time or a figure
    of a geometry that cannot carry it (a point's area) has no measured value.
    """
    rows = []
    for item in feature.stated:
        quantity = str(item.get("quantity", ""))
        unit = str(item.get("unit", ""))
        measured: float | None = None
        measured_unit = ""
        if quantity == "area" and unit in _AREA_UNITS_KM2:
            measured, measured_unit = _measured_area_km2(feature), "km²"
        elif quantity == "length" and unit in _LENGTH_UNITS_KM:
            measured, measured_unit = _measured_length_km(feature), "km"
        source = item.get("source") or {}
        value = item.get("value")
        rows.append(
            FigureRow(
                quantity=quantity,
                stated_text=str(item.get("text", "")),
                stated_value=float(value) if isinstance(value, (int, float)) else None,
                unit=unit,
                measured=measured,
                measured_unit=measured_unit,
                source_doc=str(source.get("doc", "")),
                source_quote=str(source.get("quote", "")),
            )
        )
    return tuple(rows)


def excerpt_views(sources: Sequence[Source], corpus: Any) -> tuple[ExcerptView, ...]:
    """Resolve each cited source in the corpus: paragraph, heading path, document metadata.

    A quote the corpus cannot find is kept, verbatim, with the corpus's error message, so
    the panel shows the problem instead of hiding the citation.
    """
    from corridor_map.core.errors import CorridorMapError

    views = []
    for source in sources:
        doc_id = str(source.get("doc", ""))
        quote = str(source.get("quote", ""))
        try:
            document = corpus.document(doc_id)
        except (CorridorMapError, KeyError) as exc:
            views.append(ExcerptView(doc_id, quote, None, (), doc_id, None, None, None, str(exc)))
            continue
        paragraph_id = None
        heading: tuple[str, ...] = ()
        error = None
        context: dict[str, Any] = {}
        try:
            excerpt = corpus.resolve(doc_id, quote, source.get("paragraph"))
            paragraph_id = excerpt.paragraph_id
            heading = tuple(excerpt.heading_path)
            context = _context(document, excerpt)
            context.update(start=excerpt.start, end=excerpt.end)
        except CorridorMapError as exc:
            error = str(exc)
        views.append(
            ExcerptView(
                doc_id=doc_id,
                quote=quote,
                paragraph_id=paragraph_id,
                heading_path=heading,
                title=document.title,
                issuer=document.issuer,
                date=document.date,
                doc_number=document.doc_number,
                error=error,
                **context,
            )
        )
    return tuple(views)


def _context(document: Any, excerpt: Any, width: int = CONTEXT_CHARS) -> dict[str, Any]:
    # Slices of the normalized text only: the window never alters a character.
    paragraph = document.paragraph(excerpt.paragraph_id)
    return _window(document.text, excerpt.start, excerpt.end, paragraph, width)


def _window(text: str, first: int, last: int, paragraph: Any, width: int) -> dict[str, Any]:
    cut = snippet(
        text, first, last, before=width, after=width, bounds=(paragraph.start, paragraph.end)
    )
    return {
        "before": text[cut.start : first],
        "after": text[last : cut.end],
        "clipped_before": cut.clipped_before,
        "clipped_after": cut.clipped_after,
    }


def merge_excerpts(
    views: Sequence[ExcerptView], corpus: Any, width: int = CONTEXT_CHARS
) -> tuple[ExcerptView, ...]:
    """Merge the excerpts that quote the same paragraph into one block, in first-seen order.

    A block shows the paragraph once: its window runs from ``width`` characters before the
    first quote to ``width`` after the last; overlapping or touching quotes become one
    highlighted span, and a gap longer than ``2 × width`` between two quotes is elided in
    its middle. Excerpts with an error or without a paragraph stay as they are.
    """
    groups: dict[tuple[str, str], list[ExcerptView]] = {}
    order: list[ExcerptView | tuple[str, str]] = []
    for view in views:
        if view.error or view.paragraph_id is None or view.start is None or view.end is None:
            order.append(view)
            continue
        key = (view.doc_id, view.paragraph_id)
        if key not in groups:
            order.append(key)
        groups.setdefault(key, []).append(view)
    merged = []
    for item in order:
        if isinstance(item, ExcerptView):
            merged.append(item)
            continue
        group = groups[item]
        if len(group) == 1:
            merged.append(group[0])
            continue
        document = corpus.document(item[0])
        paragraph = document.paragraph(item[1])
        merged.append(_merged_view(group, document.text, paragraph, width))
    return tuple(merged)


def _merged_view(group: list[ExcerptView], text: str, paragraph: Any, width: int) -> ExcerptView:
    spans: list[list[int]] = []
    ranges = sorted((v.start, v.end) for v in group if v.start is not None and v.end is not None)
    for start, end in ranges:
        if spans and start <= spans[-1][1]:
            spans[-1][1] = max(spans[-1][1], end)
        else:
            spans.append([start, end])
    segments: list[tuple[str, str]] = []
    for i, (start, end) in enumerate(spans):
        if i:
            gap_start = spans[i - 1][1]
            if start - gap_start > 2 * width:
                segments += [
                    ("text", text[gap_start : gap_start + width]),
                    ("more", ""),
                    ("text", text[start - width : start]),
                ]
            elif start > gap_start:
                segments.append(("text", text[gap_start:start]))
        segments.append(("quote", text[start:end]))
    first, last = spans[0][0], spans[-1][1]
    return replace(
        group[0],
        quotes=tuple(v.quote for v in group),
        segments=tuple(segments),
        **_window(text, first, last, paragraph, width),
        start=first,
        end=last,
    )


def feature_panel(atlas: Any, feature_id: str, corpus: Any | None = None) -> PanelView:
    """Gather what the side panel shows about one feature.

    Parameters
    ----------
    atlas
        A :class:`corridor_map.atlas.model.Atlas`.
    feature_id
        The selected feature's id.
    corpus
        A :class:`corridor_map.documents.corpus.Corpus`; default
        :func:`corridor_map.documents.corpus.load_corpus`.

    Raises
    ------
    corridor_map.atlas.model.LayerError
        When no layer holds ``feature_id``.
    """
    feature = atlas.get(feature_id)
    if corpus is None:
        from corridor_map.documents.corpus import load_corpus

        corpus = load_corpus()
    props = _props(feature)
    districts = _district_refs(props.get("district") or [], atlas.districts())
    return PanelView(
        id=feature.id,
        name_zh=feature.name_zh,
        name_en=feature.name_en,
        role=feature.role,
        corridor=feature.corridor,
        parents=tuple(_link(p) for p in atlas.parents(feature.id)),
        children=tuple(_link(c) for c in atlas.children(feature.id)),
        districts=districts,
        status=feature.status,
        figures=figure_rows(feature),
        geometry_basis=feature.geometry_basis,
        geometry_source=feature.geometry_source,
        precision_m=feature.precision_m,
        located=feature.geometry is not None,
        excerpts=merge_excerpts(excerpt_views(feature.sources, corpus), corpus),
    )


def _district_refs(listed: Sequence[Any], known: dict[str, Any]) -> tuple[DistrictRef, ...]:
    # English names come only from the reference layer: a division it lacks (an enclave's
    # city elsewhere) keeps its Chinese name and code.
    refs = []
    for item in listed:
        if not isinstance(item, dict):
            continue
        code = str(item.get("code") or "")
        reference = known.get(code)
        name_zh = str(item.get("name") or (reference.name_zh if reference else "") or code)
        name_en = reference.name_en if reference is not None else ""
        refs.append(DistrictRef(name_zh, name_en or "", code))
    return tuple(refs)


def unlocated(atlas: Any) -> list[Link]:
    """Return the places the documents name but the layers could not locate."""
    return [_link(f) for f in atlas if f.geometry is None and f.corridor != "reference"]


# --------------------------------------------------------------------------- HTML


def _fmt(value: float | None, digits: int = 2) -> str:
    return "—" if value is None else f"{value:,.{digits}f}"


def header_html(view: PanelView, lang: str) -> str:
    """Return the panel's header: name, role, corridor, schematic badge (escaped).

    One language at a time: the Chinese UI shows the Chinese name only; the English UI
    keeps the Chinese name under the English one (it is the name the documents use).
    """
    first = view.name_zh if lang == "zh" else (view.name_en or view.name_zh)
    second = "" if lang == "zh" else view.name_zh
    badge = (
        f'<span class="cm-badge">{inert(t("schematic_badge", lang))}</span>'
        if view.schematic
        else ""
    )
    return (
        f'<div class="cm-head"><div class="cm-name">{inert(first)} {badge}</div>'
        + (f'<div class="cm-name2">{inert(second)}</div>' if second else "")
        + f'<div class="cm-meta">{inert(role_name(view.role, lang))} · '
        f"{inert(corridor_name(view.corridor, lang))}</div></div>"
    )


def facts_rows(view: PanelView, lang: str) -> list[tuple[str, str]]:
    """Return ``(label, value)`` plain-text rows: district, status, geometry basis, precision."""
    joiner = "、" if lang == "zh" else "; "
    districts = joiner.join(d.label(lang) for d in view.districts)
    rows = [(t("district", lang), districts or t("unknown", lang))]
    if view.status:
        as_of = view.status.get("as_of")
        status = status_name(view.status.get("value"), lang)
        rows.append((t("status", lang), f"{status}（{as_of}）" if as_of else status))
    else:
        rows.append((t("status", lang), t("unknown", lang)))
    rows.append((t("geometry", lang), basis_name(view.geometry_basis, lang)))
    precision = (
        f"± {view.precision_m:,.0f} m" if view.precision_m is not None else t("unknown", lang)
    )
    rows.append((t("precision", lang), precision))
    return rows


def geometry_source_html(view: PanelView) -> str:
    """Return the research note on where the coordinates come from (escaped; may be empty).

    It is long and often in English, so the app shows it collapsed, apart from the facts.
    """
    if not view.geometry_source:
        return ""
    return f'<div class="cm-source">{inert(view.geometry_source)}</div>'


def facts_html(view: PanelView, lang: str) -> str:
    """Return :func:`facts_rows` as an escaped two-column table."""
    body = "".join(
        f"<tr><th>{inert(label)}</th><td>{inert(value)}</td></tr>"
        for label, value in facts_rows(view, lang)
    )
    return f'<table class="cm-facts">{body}</table>'


def figures_html(view: PanelView, lang: str) -> str:
    """Return the stated-versus-measured table (escaped); empty string when no figures."""
    if not view.figures:
        return ""
    head = (
        f"<tr><th>{inert(t('quantity', lang))}</th><th>{inert(t('stated', lang))}</th>"
        f"<th>{inert(t('measured', lang))}</th></tr>"
    )
    rows = []
    for row in view.figures:
        measured = f"{_fmt(row.measured)} {row.measured_unit}" if row.measured is not None else "—"
        if row.ratio is not None:
            measured += f" ({row.ratio:.0%})"
        rows.append(
            f"<tr><td>{inert(quantity_name(row.quantity, lang))}</td>"
            f"<td>{inert(row.stated_text)}</td><td>{inert(measured)}</td></tr>"
        )
    return f'<table class="cm-figures">{head}{"".join(rows)}</table>'


_ELLIPSIS = '<span class="cm-more">…</span>'


def context_html(excerpt: ExcerptView, names: Sequence[str]) -> str:
    """Return the quote inside its paragraph window: quote emphasised, names marked, escaped.

    Each quoted span (several when sources quoting one paragraph were merged) is wrapped
    in ``<span class="cm-span">``; text before, between and after is the paragraph's own
    (at most :data:`CONTEXT_CHARS` each side), and an ellipsis outside the document's
    characters says where the paragraph goes on or a long gap is left out.
    """
    middle = [
        _ELLIPSIS
        if kind == "more"
        else f'<span class="cm-span">{mark_terms(text, names)}</span>'
        if kind == "quote"
        else mark_terms(text, names)
        for kind, text in excerpt.pieces
    ]
    return "".join(
        [
            _ELLIPSIS if excerpt.clipped_before else "",
            mark_terms(excerpt.before, names),
            *middle,
            mark_terms(excerpt.after, names),
            _ELLIPSIS if excerpt.clipped_after else "",
        ]
    )


def excerpt_html(excerpt: ExcerptView, names: Sequence[str], lang: str) -> str:
    """Return one excerpt: the quote in its paragraph (names marked), then where it is from."""
    meta = [excerpt.title]
    if excerpt.issuer:
        meta.append(excerpt.issuer)
    if excerpt.date:
        meta.append(excerpt.date)
    if excerpt.doc_number:
        meta.append(excerpt.doc_number)
    heading = " › ".join(excerpt.heading_path)
    parts = [
        f'<blockquote class="cm-quote">{context_html(excerpt, names)}</blockquote>',
        f'<div class="cm-cite">{inert(" · ".join(meta))}</div>',
    ]
    if len(excerpt.all_quotes) > 1:
        merged = t("excerpts_merged", lang).format(n=len(excerpt.all_quotes))
        parts.append(f'<div class="cm-heading">{inert(merged)}</div>')
    if heading:
        parts.append(
            f'<div class="cm-heading">{inert(t("heading_path", lang))}: {inert(heading)}</div>'
        )
    if excerpt.error:
        parts.append(f'<div class="cm-error">{inert(excerpt.error)}</div>')
    return f'<div class="cm-excerpt">{"".join(parts)}</div>'


#: Below this viewport width (px) the map and the panel (or travel table) stack, map first.
NARROW_PX = 900

#: Page-level tweaks: a smaller title below the header, so the map starts higher.
PAGE_CSS = """
<style>
/* Below the fixed header (with the pages' navigation), little margin: the map fills. */
[data-testid="stMainBlockContainer"]{padding:4.1rem 1.5rem 1rem}
/* The map stays in view while the panel (or the travel table) beside it scrolls, on a
   wide screen; below NARROW_PX the columns stack: the map first, the panel below it. */
@media (min-width: 900px){
  [data-testid="stHorizontalBlock"]:has(> [data-testid="stColumn"] .st-key-cm-mapcol){
    align-items:flex-start}
  [data-testid="stColumn"]:has(.st-key-cm-mapcol){position:sticky;top:2.5rem;z-index:2}
}
@media (max-width: 899.98px){
  [data-testid="stHorizontalBlock"]:has(> [data-testid="stColumn"] .st-key-cm-mapcol){
    flex-direction:column;flex-wrap:nowrap}
  [data-testid="stHorizontalBlock"]:has(> [data-testid="stColumn"] .st-key-cm-mapcol)
    > [data-testid="stColumn"]{width:100% !important;flex:1 1 auto !important;min-width:0}
}
/* The panel's column folded away (nothing selected, or hidden): the map takes the width. */
[data-testid="stColumn"]:has(.st-key-cm-panel-closed){display:none}
.cm-verdict-line{font-size:.95rem;margin:.2rem 0 .4rem}
[data-testid="stMainBlockContainer"] h1{font-size:1.3rem;padding:0}
[data-testid="stSidebarUserContent"]{padding-top:1rem}
</style>
"""


PANEL_CSS = """
<style>
.cm-head{overflow-wrap:anywhere;word-break:break-word}
.cm-head .cm-name{font-size:1.35rem;font-weight:700;line-height:1.3}
.cm-head .cm-name2{color:#555;font-size:1rem}
.cm-head .cm-meta{color:#666;font-size:.9rem;margin-top:.2rem}
.cm-badge{font-size:.75rem;border:1px dashed #b9770e;color:#b9770e;border-radius:4px;
  padding:0 .3rem;vertical-align:middle}
table.cm-facts,table.cm-figures{font-size:.88rem;border-collapse:collapse;width:100%}
table.cm-facts td{overflow-wrap:anywhere;font-size:.85rem}
table.cm-facts th{text-align:left;color:#666;font-weight:500;padding:2px 8px 2px 0;
  white-space:nowrap;vertical-align:top}
table.cm-figures th,table.cm-figures td{border-bottom:1px solid #eee;padding:3px 6px;
  text-align:left}
.cm-quote{overflow-wrap:anywhere;margin:.2rem 0;padding:.4rem .7rem;
  border-left:4px solid #1f6f8b;background:#f6fafb;
  font-size:.95rem;line-height:1.6}
.cm-quote{color:#5d6d7e}
.cm-quote .cm-span{color:#17202a;font-weight:600;background:#e3f1f6;
  box-shadow:inset 0 -2px 0 #1f6f8b;padding:0 1px}
.cm-quote .cm-more{color:#999;padding:0 2px}
.cm-quote mark,.cm-reader mark{background:#fde68a;padding:0 1px}
.cm-cite{font-size:.8rem;color:#555}
.cm-source{font-size:.82rem;color:#444;line-height:1.55;overflow-wrap:anywhere}
.cm-heading{font-size:.8rem;color:#777}
.cm-error{font-size:.8rem;color:#b03a2e}
</style>
"""


def reader_html(
    document: Any,
    paragraph_id: str | None,
    quote: str | Sequence[str] = "",
    names: Sequence[str] = (),
) -> str:
    """Return the whole document as inert HTML for the reader dialog.

    Every paragraph gets an anchor ``cm-p-<id>`` (its stable id); the cited one is
    highlighted (once, however many sources quote it), its quote(s) and the feature's
    names marked inside it. All document text is escaped; the dialog scrolls the cited
    paragraph into view.
    """
    quotes = [quote] if isinstance(quote, str) else list(quote)
    items = []
    for paragraph in document.paragraphs:
        cited = paragraph.id == paragraph_id
        terms = [*quotes, *names] if cited else []
        body = mark_terms(paragraph.text, terms) if cited else inert(paragraph.text)
        css = "cm-p cm-cited" if cited else "cm-p"
        items.append(
            f'<p id="cm-p-{inert(paragraph.id)}" class="{css}">'
            f'<span class="cm-pid">{inert(paragraph.id)}</span>{body}</p>'
        )
    meta = " · ".join(
        inert(x) for x in (document.title, document.issuer, document.date, document.doc_number) if x
    )
    return (
        "<style>.cm-reader{font-family:'Noto Sans CJK SC','Noto Sans SC',sans-serif;"
        "line-height:1.7;color:#222;font-size:15px;max-height:65vh;overflow-y:auto;"
        "padding-right:.5rem}.cm-reader h3{font-size:1rem;margin:.2rem 0 .6rem}"
        ".cm-p{margin:.35rem 0;padding:.15rem .4rem}"
        ".cm-cited{background:#fff7d6;border-left:4px solid #e0a800}"
        ".cm-pid{color:#aaa;font-size:.7rem;margin-right:.5rem}mark{background:#fde68a}</style>"
        f'<div class="cm-reader"><h3>{meta}</h3>{"".join(items)}</div>'
    )


# --------------------------------------------------------------------------- search


@dataclass(frozen=True)
class FeatureHit:
    """A feature whose name or id matches a search."""

    link: Link
    score: int


@dataclass(frozen=True)
class TextHit:
    """A document paragraph that matches a search."""

    doc_id: str
    paragraph_id: str
    title: str
    snippet_html: str


def search_features(atlas: Any, query: str, limit: int = 20) -> list[FeatureHit]:
    """Return curated features whose Chinese/English name or id contains the query.

    Traditional input works (both sides are compared in simplified characters); exact
    names rank first, then names that start with the query.
    """
    needle = to_simplified(query.strip()).lower()
    if not needle:
        return []
    hits = []
    for feature in atlas:
        if feature.corridor == "reference":
            continue
        names = [to_simplified(feature.name_zh).lower(), feature.name_en.lower(), feature.id]
        if not any(needle in name for name in names):
            continue
        score = 0 if needle in names else (1 if any(n.startswith(needle) for n in names) else 2)
        hits.append(FeatureHit(_link(feature), score))
    hits.sort(key=lambda h: (h.score, len(h.link.name_zh)))
    return hits[:limit]


def search_text(query: str, limit: int = 20, corpus: Any | None = None) -> list[TextHit]:
    """Return document paragraphs matching the query (corpus search), snippets escaped.

    Each snippet is the corpus's own window around the first match, with every span the
    corpus matched (each term of a query of several) marked.
    """
    from corridor_map.documents import corpus as corpus_module

    query = query.strip()
    if not query:
        return []
    corpus = corpus_module.load_corpus() if corpus is None else corpus
    return [
        TextHit(
            doc_id=hit.doc_id,
            paragraph_id=hit.paragraph_id,
            title=corpus.document(hit.doc_id).title,
            snippet_html=marked_html(hit.snippet, hit.snippet_spans),
        )
        for hit in corpus.search(query, limit=limit)
    ]


def marked_html(text: str, spans: Sequence[tuple[int, int]]) -> str:
    """Return ``text`` escaped, each ``(start, end)`` span of it inside ``<mark>``."""
    out = []
    at = 0
    for start, end in sorted(spans):
        if start < at:
            continue
        out.append(inert(text[at:start]))
        out.append(f"<mark>{inert(text[start:end])}</mark>")
        at = end
    out.append(inert(text[at:]))
    return "".join(out)


# --------------------------------------------------------------------------- measure/travel


def measure_rows(result: dict[str, Any], lang: str) -> list[dict[str, Any]]:
    """Return a measuring result (``analysis.measure.measure_geojson``) as table rows."""
    rows = []
    for row in result.get("features", []):
        rows.append(
            {
                "#": row["index"],
                t("name", lang): row.get("name") or row.get("id") or "",
                t("geometry_type", lang): row.get("geometry_type") or "",
                t("area_km2", lang): round(row["area_km2"], 4),
                t("perimeter_km", lang): round(row["perimeter_km"], 3),
                t("length_km", lang): round(row["length_km"], 3),
            }
        )
    return rows


#: What a table shows for a figure that cannot be given (a target that is not evaluable).
#: Pass it as ``st.dataframe(placeholder=...)``: the cell stays missing, the column numeric.
NO_VALUE = "—"


def target_rows(results: Sequence[Any], lang: str) -> list[dict[str, Any]]:
    """Return evaluated travel targets (:class:`corridor_map.travel.targets.TargetResult`) as rows.

    A target that is not evaluable has no worst time: its cell is None, shown as
    :data:`NO_VALUE`.
    """
    rows = []
    for result in results:
        worst = result.worst_minutes
        rows.append(
            {
                t("target", lang): result.name_zh if lang == "zh" else result.name_en,
                t("verdict", lang): verdict_word(result.status, lang),
                t("threshold", lang): result.threshold_min,
                t("worst", lang): None if worst is None else round(worst, 1),
                t("evaluation", lang): result.evaluation_zh
                if lang == "zh"
                else result.evaluation_en,
            }
        )
    return rows


#: Speeds tried by the sensitivity table, per varied assumption (km/h). The network's
#: range spans congested town traffic to free-flowing arterials; a planned link's spans an
#: urban road to an expressway.
SENSITIVITY_SPEEDS: dict[str, tuple[float, ...]] = {
    "network_kmh": (20, 30, 40, 50, 60, 80),
    "access_kmh": (10, 15, 20, 25, 30, 40),
    "planned_kmh": (40, 60, 80, 100, 120),
}


def sensitivity_rows(
    rows: Sequence[dict[str, Any]], lang: str, current: float | None = None
) -> list[dict[str, Any]]:
    """Return :func:`~corridor_map.travel.targets.sensitivity` rows (current speed flagged).

    The threshold is the same on every row, so the view states it once, beside the table.
    """
    table = []
    for row in rows:
        worst = row.get("worst_minutes")
        speed = f"{row['kmh']:g}"
        if current is not None and math.isclose(row["kmh"], current):
            speed += f" ({t('current', lang)})"
        table.append(
            {
                t("speed_kmh", lang): speed,
                t("worst", lang): None if worst is None else round(worst, 1),
                t("verdict", lang): verdict_word(row["status"], lang),
            }
        )
    return table


def sensitivity_summary(rows: Sequence[dict[str, Any]], lang: str) -> str:
    """Say in one line whether, and between which speeds, the verdict changes."""
    ordered = sorted(rows, key=lambda r: r["kmh"])
    if not ordered:
        return ""
    flips = [
        t("verdict_flips", lang).format(
            low=a["kmh"],
            high=b["kmh"],
            a=verdict_word(a["status"], lang),
            b=verdict_word(b["status"], lang),
        )
        for a, b in itertools.pairwise(ordered)
        if a["status"] != b["status"]
    ]
    if not flips:
        return t("verdict_stable", lang).format(verdict=verdict_word(ordered[0]["status"], lang))
    return "；".join(flips) if lang == "zh" else "; ".join(flips)


def ring_points(worst_case: dict[str, Any] | None) -> list[RingPoint]:
    """Return the worst-case ends that are sampled points of a ring, not features.

    :mod:`corridor_map.travel.routing` names a sampled point of a ring ``"<feature id>@[lon, lat]"``
    (:meth:`~corridor_map.core.records.RingPoint.label`); such an end cannot be routed by
    feature id, only shown.
    """
    ends = ((worst_case or {}).get("origin"), (worst_case or {}).get("destination"))
    return [point for point in map(RingPoint.parse, ends) if point is not None]


# --------------------------------------------------------------------------- map previews


def preview_records(atlas: Any, lang: str, corpus: Any | None = None) -> dict[str, Any]:
    """Return, per located curated feature, what the map shows the instant it is clicked.

    The records travel once inside the map bundle (a static file the browser caches), so a
    click shows the name, role, stated figures and the first excerpt without waiting for
    the server; the full panel follows. Plain data: the component writes it with
    ``textContent``, never as markup.

    Parameters
    ----------
    atlas
        A :class:`corridor_map.atlas.model.Atlas`.
    lang
        ``"zh"`` or ``"en"``: names, roles and labels.
    corpus
        Default :func:`corridor_map.documents.corpus.load_corpus`.
    """
    if corpus is None:
        from corridor_map.documents.corpus import load_corpus

        corpus = load_corpus()
    records: dict[str, Any] = {}
    for feature in atlas:
        if feature.corridor == "reference" or feature.geometry is None:
            continue
        view = feature_panel(atlas, feature.id, corpus)
        first = next((e for e in view.excerpts if not e.error), None)
        figures = [
            f"{quantity_name(row.quantity, lang)} {row.stated_text}"
            + (
                f" · {t('measured', lang)} {row.measured:,.2f} {row.measured_unit}"
                if row.measured is not None
                else ""
            )
            for row in view.figures
        ]
        records[feature.id] = {
            "name": view.name(lang),
            "role": role_name(view.role, lang),
            "corridor": corridor_name(view.corridor, lang),
            "schematic": view.schematic,
            "figures": figures,
            "quote": first.quote if first else "",
            "cite": citation_label_of(first) if first else "",
            "excerpts": len(view.excerpts),
        }
    return records


def citation_label_of(excerpt: ExcerptView) -> str:
    """Return a short citation: the document title and the section path."""
    path = " ".join(excerpt.heading_path[-2:])
    return f"《{excerpt.title}》{path}" if path else f"《{excerpt.title}》"


@dataclass(frozen=True)
class MapOutline:
    """What the map outlines for a selection: the feature, or what it lies within.

    ``within`` names the smallest known area of an unlocated place (a zone, a 街道/镇
    seat's district, a district), for the panel's "exact site not public" note.
    """

    selected: str | None
    context: tuple[str, ...] = ()
    within: tuple[str, ...] = ()


def _district_ids(atlas: Any, props: dict[str, Any]) -> tuple[str, ...]:
    codes = [d.get("code") for d in props.get("district") or [] if isinstance(d, dict)]
    return tuple(f"district-{c}" for c in codes if c and f"district-{c}" in atlas)


def map_outline(atlas: Any, feature_id: str | None) -> MapOutline:
    """Return the outline of a selection on the map.

    A located feature is outlined itself. A place the documents name but do not locate is
    shown by the smallest located area it is known to lie in: its ``within`` record where
    the layer gives one (a zone; for a 街道/镇 seat, the district around it, since a seat
    is a point), else its nearest located ancestor, else its districts; an enclave without
    a ``within`` is outlined nowhere.
    """
    if not feature_id or feature_id not in atlas:
        return MapOutline(None)
    feature = atlas.get(feature_id)
    if feature.geometry is not None:
        return MapOutline(feature.id)
    within = _props(feature).get("within")
    if isinstance(within, dict):
        target = within.get("id")
        if isinstance(target, str) and target in atlas:
            place = atlas.get(target)
            if place.corridor != "reference" and place.geometry is not None:
                return MapOutline(None, (target,), (target,))
            if place.role == "district":
                return MapOutline(None, (target,), (target,))
            around = _district_ids(atlas, _props(place))
            return MapOutline(None, around, (target, *around))
    if feature.role == "enclave":
        # An enclave (飞地) lies far from the corridor it belongs to: its parent says
        # nothing about where it is.
        return MapOutline(None)
    for parent in atlas.parents(feature.id):
        if parent.geometry is not None:
            return MapOutline(None, (parent.id,), (parent.id,))
    ids = _district_ids(atlas, _props(feature))
    return MapOutline(None, ids, ids)


def within_note(atlas: Any, feature_id: str, lang: str) -> str | None:
    """Return the panel's note for an unlocated place: where it lies, site not public."""
    outline = map_outline(atlas, feature_id)
    if outline.selected is not None or feature_id not in atlas:
        return None
    key = "name_zh" if lang == "zh" else "name_en"
    names = [str(getattr(atlas.get(i), key) or atlas.get(i).name_zh) for i in outline.within]
    joiner = "、" if lang == "zh" else ", "
    if not names:
        return t("unlocated_nowhere", lang)
    return t("unlocated_within", lang).format(where=joiner.join(names))
