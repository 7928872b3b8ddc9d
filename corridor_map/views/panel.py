"""Side-panel content: what the app shows about a selected feature, as data and inert HTML.

Nothing here calls Streamlit. :func:`feature_panel` gathers a feature's names, role,
hierarchy, districts, status, stated-versus-measured figures, geometry basis and every
cited excerpt (resolved in the normalized document, with its title, issuer, date, 文号 and
heading path). The ``*_html`` functions turn that into HTML in which every piece of text
from the data is escaped with :func:`corridor_map.core.markup.inert`, so a name or excerpt
can never become markup or script. Beside it: :mod:`~corridor_map.views.reader` (the whole
document), :mod:`~corridor_map.views.search`, :mod:`~corridor_map.views.tables` (measure and
travel rows), :mod:`~corridor_map.views.previews` (what the map shows of a feature) and
:mod:`~corridor_map.views.stylesheets` (the CSS files).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from corridor_map.core.i18n import (
    basis_name,
    corridor_name,
    display_name,
    quantity_name,
    role_name,
    status_name,
    t,
)
from corridor_map.core.markup import inert, md_escape
from corridor_map.core.records import RingPoint, Source, Status

# Stated units converted to km² so that a stated area can sit beside a measured one.
from corridor_map.core.vocab import AREA_UNITS_KM2 as _AREA_UNITS_KM2
from corridor_map.core.vocab import LENGTH_UNITS_KM as _LENGTH_UNITS_KM
from corridor_map.documents.normalize import to_simplified
from corridor_map.documents.snippets import snippet

#: Characters of the cited paragraph shown on each side of a quote in the panel.
CONTEXT_CHARS = 120

#: Child links shown at once; the rest wait behind a "show all (N)" expander.
CHILDREN_SHOWN = 8


def split_children(children: Sequence[Link]) -> tuple[Sequence[Link], Sequence[Link]]:
    """Return ``(shown, folded)``: the first :data:`CHILDREN_SHOWN` links, then the rest.

    A list of one more than the cap is shown whole: an expander hiding one button saves
    nothing.
    """
    if len(children) <= CHILDREN_SHOWN + 1:
        return children, ()
    return children[:CHILDREN_SHOWN], children[CHILDREN_SHOWN:]


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
        name = display_name(self, lang)
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
        return display_name(self, lang)


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


def feature_props(feature: Any) -> dict[str, Any]:
    return dict(getattr(feature, "properties", None) or {})


def feature_link(feature: Any) -> Link:
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
    props = feature_props(feature)
    districts = _district_refs(props.get("district") or [], atlas.districts())
    return PanelView(
        id=feature.id,
        name_zh=feature.name_zh,
        name_en=feature.name_en,
        role=feature.role,
        corridor=feature.corridor,
        parents=tuple(feature_link(p) for p in atlas.parents(feature.id)),
        children=tuple(feature_link(c) for c in atlas.children(feature.id)),
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
    return [feature_link(f) for f in atlas if f.geometry is None and f.corridor != "reference"]


# --------------------------------------------------------------------------- HTML


def _fmt(value: float | None, digits: int = 2) -> str:
    return "—" if value is None else f"{value:,.{digits}f}"


def header_html(view: PanelView, lang: str) -> str:
    """Return the panel's header: name, role, corridor, schematic badge (escaped).

    One language at a time: the Chinese UI shows the Chinese name only; the English UI
    keeps the Chinese name under the English one (it is the name the documents use).
    """
    first = display_name(view, lang)
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


def measured_heading(view: PanelView, lang: str) -> str:
    """The measured column's heading: a schematic shape's figure is a drawing's, not a check."""
    return t("measured_drawing" if view.schematic else "measured", lang)


def measured_text(row: FigureRow, schematic: bool, lang: str) -> str:
    """A measured figure with its share of the stated one, worded for what was measured.

    On a schematic shape the share says it compares a drawing (the review read a bare
    "(99%)" as a verification figure).
    """
    if row.measured is None:
        return "—"
    text = f"{_fmt(row.measured)} {row.measured_unit}"
    if row.ratio is None:
        return text
    if schematic:
        return f"{text} ({t('drawing_share', lang).format(p=f'{row.ratio:.0%}')})"
    return f"{text} ({row.ratio:.0%})"


def figures_html(view: PanelView, lang: str) -> str:
    """Return the stated-versus-measured table (escaped); empty string when no figures."""
    if not view.figures:
        return ""
    head = (
        f"<tr><th>{inert(t('quantity', lang))}</th><th>{inert(t('stated', lang))}</th>"
        f"<th>{inert(measured_heading(view, lang))}</th></tr>"
    )
    rows = []
    for row in view.figures:
        measured = measured_text(row, view.schematic, lang)
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


#: Speeds tried by the sensitivity table, per varied assumption (km/h). The network's
#: range spans congested town traffic to free-flowing arterials; a planned link's spans an
#: urban road to an expressway.
SENSITIVITY_SPEEDS: dict[str, tuple[float, ...]] = {
    "network_kmh": (20, 30, 40, 50, 60, 80),
    "access_kmh": (10, 15, 20, 25, 30, 40),
    "planned_kmh": (40, 60, 80, 100, 120),
}


def ring_points(worst_case: dict[str, Any] | None) -> list[RingPoint]:
    """Return the worst-case ends that are sampled points of a ring, not features.

    :mod:`corridor_map.travel.routing` names a sampled point of a ring ``"<feature id>@[lon, lat]"``
    (:meth:`~corridor_map.core.records.RingPoint.label`); such an end cannot be routed by
    feature id, only shown.
    """
    ends = ((worst_case or {}).get("origin"), (worst_case or {}).get("destination"))
    return [point for point in map(RingPoint.parse, ends) if point is not None]
