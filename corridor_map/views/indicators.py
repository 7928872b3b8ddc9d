"""View models of the indicators view: cards, excerpt links, charts and the timeline.

``app.py`` only lays these out. Everything rendered as HTML is escaped with
:func:`corridor_map.core.markup.inert`; charts are Altair specifications that Streamlit draws
with the Vega build bundled in its own frontend (nothing from a CDN). Charts show only the
documents' figures of the indicator's own scope: base, target and a later report of the
same scope, one chart per unit (no normalisation, no computed progress).
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from corridor_map.atlas.indicators import (
    KINDS,
    Figure,
    Indicator,
    Register,
    Report,
    TimelineEntry,
    status,
)
from corridor_map.core.i18n import (
    corridor_name,
    display_name,
    short_title,
    stated_figure,
    t,
    unit_name,
)
from corridor_map.core.markup import inert
from corridor_map.core.verdicts import colour as verdict_colour

__all__ = [
    "FigureLink",
    "MapFilter",
    "card_html",
    "chart_rows",
    "charts",
    "corridors",
    "doc_options",
    "doc_titles",
    "figure_links",
    "figure_text",
    "kind_name",
    "map_filter",
    "map_filter_documents",
    "status_name",
    "timeline_chart",
    "timeline_details",
    "timeline_rows",
    "year_options",
]


@dataclass(frozen=True)
class FigureLink:
    """A button that opens the reader at the paragraph of one or more figures."""

    label: str
    doc: str
    paragraph: str | None
    quote: str


def kind_name(kind: str | None, lang: str) -> str:
    """Return the display name of an indicator kind."""
    return t(f"ind_kind_{kind}", lang) if kind in KINDS else str(kind)


def status_name(value: str, lang: str) -> str:
    """Return the display name of a target status."""
    return t(f"ind_status_{value}", lang)


def figure_text(figure: Figure | Report, unit: str | None) -> str:
    """The figure as the document writes it, with the unit when the text lacks it."""
    return stated_figure(figure.text, unit, "zh")


def corridors(register: Register) -> list[str]:
    """Corridor ids present in the register, in register order."""
    return list(dict.fromkeys(i.corridor for i in register))


def doc_options(register: Register, corridor: str | None = None) -> list[str]:
    """Document ids cited by the register's indicators (of one corridor), first seen first."""
    found: dict[str, None] = {}
    for indicator in register.select(corridor=corridor):
        for _, figure in indicator.figures():
            found[figure.source.doc] = None
    return list(found)


def year_options(register: Register, corridor: str | None = None) -> list[int]:
    """Target years of the register's indicators (of one corridor), ascending."""
    return sorted({i.target.year for i in register.select(corridor=corridor)})


def _role(role: str, figure: Figure | Report, lang: str) -> str:
    if isinstance(figure, Report):
        return f"{t('ind_reported', lang)} {figure.date}"
    key = {"base": "ind_base", "target": "ind_target", "restated": "ind_restated"}[role]
    return f"{t(key, lang)} {figure.year}"


def doc_titles(corpus: Any, lang: str) -> dict[str, str]:
    """Document id → short title in ``lang`` (the id stays the link target only)."""
    return {
        d.id: short_title(d.title, d.title_en, d.short_title, lang)
        for d in corpus.documents.values()
    }


def figure_links(
    indicator: Indicator, lang: str, titles: Mapping[str, str] | None = None
) -> list[FigureLink]:
    """One link per cited paragraph: base, target, restatements and reports.

    Figures quoting the same excerpt (a table row holds both the base and the target)
    share one link, labelled with every role it carries and its document's short title
    from ``titles`` (:func:`doc_titles`).
    """
    titles = titles or {}
    grouped: dict[tuple[str, str | None, str], list[str]] = {}
    for role, figure in indicator.figures():
        key = (figure.source.doc, figure.source.paragraph, figure.source.quote)
        grouped.setdefault(key, []).append(
            f"{_role(role, figure, lang)}: {figure_text(figure, indicator.unit)}"
        )
    return [
        FigureLink(
            label=f"{t('ind_open', lang)} · {titles.get(doc, doc)} {paragraph or ''} · "
            + "；".join(roles),
            doc=doc,
            paragraph=paragraph,
            quote=quote,
        )
        for (doc, paragraph, quote), roles in grouped.items()
    ]


def _figure_cell(figure: Figure | None, unit: str | None, label: str, lang: str) -> str:
    if figure is None:
        return (
            f'<div class="cm-ind-fig"><span class="cm-ind-k">{inert(label)}</span>'
            f'<span class="cm-ind-none">{inert(t("ind_no_base", lang))}</span></div>'
        )
    return (
        f'<div class="cm-ind-fig"><span class="cm-ind-k">{inert(label)} {figure.year}</span>'
        f'<span class="cm-ind-v">{inert(figure_text(figure, unit))}</span></div>'
    )


CARD_CSS = (
    "<style>.cm-ind{font-size:.92rem;line-height:1.5}"
    ".cm-ind h4{margin:.1rem 0 .2rem;font-size:1.02rem}"
    ".cm-ind .cm-ind-en{color:#666;font-size:.85rem}"
    ".cm-ind .cm-ind-row{display:flex;gap:1.2rem;align-items:flex-end;margin:.35rem 0}"
    ".cm-ind .cm-ind-fig{display:flex;flex-direction:column}"
    ".cm-ind .cm-ind-k{color:#666;font-size:.8rem}"
    ".cm-ind .cm-ind-v{font-size:1.25rem;font-weight:600}"
    ".cm-ind .cm-ind-none{color:#888;font-style:italic}"
    ".cm-ind .cm-ind-arrow{font-size:1.2rem;color:#888}"
    ".cm-ind .cm-ind-status{border-radius:.6rem;padding:.05rem .5rem;color:#fff;"
    "font-size:.78rem}"
    ".cm-ind ul{margin:.2rem 0 .2rem 1rem;padding:0}"
    ".cm-ind .cm-ind-note{color:#555;font-size:.82rem}</style>"
)


def card_html(indicator: Indicator, lang: str, today: datetime.date | None = None) -> str:
    """Return one indicator's card: names, scope, base → target, status and later figures.

    All text is escaped. Reports of another scope are listed under their own heading and
    never shown as the target's report.
    """
    value = status(indicator, today)
    colour = verdict_colour(value)
    first, second = (
        (indicator.name_zh, indicator.name_en)
        if lang == "zh"
        else (indicator.name_en, indicator.name_zh)
    )
    meta = " · ".join(
        inert(x)
        for x in (
            indicator.scope,
            indicator.category,
            kind_name(indicator.kind, lang),
            unit_name(indicator.unit, lang),
            " ".join(indicator.tags),
        )
        if x
    )
    parts = [
        f'<div class="cm-ind" data-indicator="{inert(indicator.id)}">',
        f"<h4>{inert(first)} "
        f'<span class="cm-ind-status" style="background:{colour}">'
        f"{inert(status_name(value, lang))}</span></h4>",
        f'<div class="cm-ind-en">{inert(second)}</div>',
        f'<div class="cm-ind-note">{meta}</div>',
        '<div class="cm-ind-row">',
        _figure_cell(indicator.base, indicator.unit, t("ind_base", lang), lang),
        '<span class="cm-ind-arrow">→</span>',
        _figure_cell(indicator.target, indicator.unit, t("ind_target", lang), lang),
        "</div>",
    ]
    same = indicator.same_scope_reports()
    other = [r for r in indicator.reported if r.scope != indicator.scope]
    for heading, reports in ((t("ind_reported", lang), same), (t("ind_other_scope", lang), other)):
        if not reports:
            continue
        items = "".join(
            f"<li>{inert(r.date)} · {inert(figure_text(r, r.unit))} · {inert(r.scope)}"
            + (
                f' <span class="cm-ind-note">{inert(note)}</span>'
                if (note := r.note_in(lang))
                else ""
            )
            + "</li>"
            for r in reports
        )
        parts.append(f"<div><b>{inert(heading)}</b><ul>{items}</ul></div>")
    if not same:
        parts.append(f'<div class="cm-ind-note">{inert(t(f"ind_why_{value}", lang))}</div>')
    if indicator.restated:
        items = "".join(
            f"<li>{f.year} · {inert(figure_text(f, indicator.unit))}</li>"
            for f in indicator.restated
        )
        parts.append(f"<div><b>{inert(t('ind_restated', lang))}</b><ul>{items}</ul></div>")
    note = indicator.note_in(lang)
    if note:
        parts.append(f'<div class="cm-ind-note">{inert(t("ind_note", lang))}: ')
        parts.append(f"{inert(note)}</div>")
    parts.append("</div>")
    return "".join(parts)


def chart_rows(indicators: list[Indicator], lang: str) -> dict[str, list[dict[str, Any]]]:
    """Rows for the base/target charts, by unit: only figures with a value, own scope only.

    Returns
    -------
    dict
        Unit → rows ``{"indicator", "series", "value", "text"}``; a unit with a single
        figure in all is left out (a chart of one bar shows nothing).
    """
    by_unit: dict[str, list[dict[str, Any]]] = {}
    for indicator in indicators:
        if indicator.unit is None:
            continue
        name = display_name(indicator, lang)
        figures: list[tuple[str, Figure | Report]] = []
        if indicator.base is not None:
            figures.append((f"{t('ind_base', lang)} {indicator.base.year}", indicator.base))
        figures.append((f"{t('ind_target', lang)} {indicator.target.year}", indicator.target))
        figures += [
            (f"{t('ind_reported', lang)} {r.date[:4]}", r)
            for r in indicator.same_scope_reports()
            if r.unit == indicator.unit
        ]
        for series, figure in figures:
            if figure.value is None:
                continue
            by_unit.setdefault(indicator.unit, []).append(
                {
                    "indicator": name,
                    "series": series,
                    "value": figure.value,
                    "text": figure_text(figure, indicator.unit),
                }
            )
    return {unit: rows for unit, rows in by_unit.items() if len(rows) > 1}


def charts(indicators: list[Indicator], lang: str) -> list[tuple[str, Any]]:
    """Grouped horizontal bar charts (Altair), one per unit: ``(unit, chart)``."""
    import altair as alt
    import pandas as pd

    out = []
    for unit, rows in chart_rows(indicators, lang).items():
        frame = pd.DataFrame(rows)
        frame["row"] = frame["indicator"] + " · " + frame["series"]
        chart = (
            alt.Chart(frame)
            .mark_bar()
            .encode(
                y=alt.Y(
                    "row:N", sort=list(frame["row"]), title=None, axis=alt.Axis(labelLimit=420)
                ),
                x=alt.X("value:Q", title=unit_name(unit, lang)),
                color=alt.Color("series:N", title=None, legend=alt.Legend(orient="bottom")),
                tooltip=["indicator:N", "series:N", "text:N"],
            )
            .properties(height=alt.Step(20))
        )
        out.append((unit, chart))
    return out


def timeline_rows(entries: list[TimelineEntry], lang: str) -> list[dict[str, Any]]:
    """The timeline as table rows: date (or "year unknown"), document, what it names."""
    rows = []
    for entry in entries:
        when = entry.date or f"{t('timeline_year_unknown', lang)} ({entry.date_text or '—'})"
        title = entry.title if lang == "zh" or not entry.title_en else entry.title_en
        rows.append(
            {
                t("timeline_date", lang): when,
                t("timeline_doc", lang): f"{title} [{entry.doc_id}]",
                t("corridor", lang): "、".join(corridor_name(c, lang) for c in entry.corridors),
                t("timeline_features", lang): len(entry.features),
                t("timeline_indicators", lang): len(entry.indicators),
                t("timeline_targets", lang): len(entry.travel_targets),
            }
        )
    return rows


def timeline_chart(
    entries: list[TimelineEntry], lang: str, titles: Mapping[str, str] | None = None
) -> Any:
    """A time axis (Altair) of the dated documents; undated ones are not placed on it.
    ``titles`` are the documents' short titles (:func:`doc_titles`)."""
    import altair as alt
    import pandas as pd

    rows = [
        {
            "date": entry.date,
            "doc": (titles or {}).get(entry.doc_id)
            or short_title(entry.title, entry.title_en, None, lang),
            "title": entry.title if lang == "zh" or not entry.title_en else entry.title_en,
            "indicators": len(entry.indicators),
        }
        for entry in entries
        if entry.date
    ]
    frame = pd.DataFrame(rows)
    base = alt.Chart(frame).encode(
        x=alt.X("date:T", title=None, axis=alt.Axis(format="%Y-%m")),
        y=alt.Y(
            "doc:N", title=None, sort=[str(r["doc"]) for r in rows], axis=alt.Axis(labelLimit=260)
        ),
        tooltip=["date:T", "title:N", "indicators:Q"],
    )
    return base.mark_point(size=140, filled=True).properties(height=36 * max(len(rows), 1) + 40)


def timeline_details(
    entry: TimelineEntry,
    atlas: Any,
    register: Register,
    targets: list[dict[str, Any]],
    lang: str,
) -> list[tuple[str, list[str]]]:
    """What one document names: ``(heading, names)`` for features, indicators, targets."""
    by_target = {str(target.get("id")): target for target in targets}
    features = sorted(display_name(atlas.get(fid), lang) or fid for fid in entry.features)
    indicators = [display_name(register.get(iid), lang) for iid in entry.indicators]
    travel = [display_name(by_target[tid], lang) or tid for tid in entry.travel_targets]
    return [
        (t("timeline_features", lang), features),
        (t("timeline_indicators", lang), indicators),
        (t("timeline_targets", lang), travel),
    ]


@dataclass(frozen=True)
class MapFilter:
    """The map filtered to the features that cite one document."""

    doc_id: str
    title: str
    ids: frozenset[str]
    #: Names of the citing features that have no known site (not drawn), sorted.
    unlocated: tuple[str, ...] = ()

    def notice(self, lang: str) -> str:
        """One line saying what the map shows (plain text, not Markdown)."""
        line = t("map_filtered", lang).format(title=self.title, n=len(self.ids))
        if self.unlocated:
            line += t("map_filtered_unlocated", lang).format(n=len(self.unlocated))
        return line


def _title(document: Any, lang: str) -> str:
    return str(document.title if lang == "zh" or not document.title_en else document.title_en)


def map_filter(atlas: Any, doc_id: str | None, lang: str, corpus: Any = None) -> MapFilter | None:
    """Return the filter for ``doc_id`` (the features whose excerpts cite it).

    None when ``doc_id`` is None or names no document of the corpus (e.g. a stale URL).
    """
    from corridor_map.atlas.indicators import features_citing
    from corridor_map.documents.corpus import load_corpus

    corpus = corpus or load_corpus()
    if not doc_id or doc_id not in corpus.documents:
        return None
    document = corpus.document(doc_id)
    ids = features_citing(atlas, doc_id)
    unlocated = sorted(
        display_name(atlas.get(i), lang) for i in ids if atlas.get(i).geometry is None
    )
    return MapFilter(doc_id, _title(document, lang), frozenset(ids), tuple(unlocated))


def map_filter_documents(lang: str, corpus: Any = None) -> dict[str, str]:
    """Documents a map filter may name, oldest first (an undated one last): id → title."""
    from corridor_map.documents.corpus import load_corpus

    corpus = corpus or load_corpus()
    ordered = sorted(corpus.documents.values(), key=lambda d: (d.date is None, d.date or ""))
    return {d.id: _title(d, lang) for d in ordered}
