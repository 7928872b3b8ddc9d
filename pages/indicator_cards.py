"""Indicators: the documents' figures by corridor, document, year and kind, and a timeline."""

from __future__ import annotations

from typing import TYPE_CHECKING

import streamlit as st

from corridor_map.core.errors import CorridorMapError
from corridor_map.core.i18n import t
from corridor_map.ui import data, state
from corridor_map.ui.reader import show_reader

if TYPE_CHECKING:
    from corridor_map.atlas.model import Atlas


def _indicators_view(atlas: Atlas, lang: str) -> None:
    from corridor_map.analysis.timeline import timeline
    from corridor_map.atlas.indicators import load_register
    from corridor_map.core.i18n import corridor_name
    from corridor_map.core.markup import md_escape
    from corridor_map.travel import targets as travel_targets
    from corridor_map.views import indicators as iv

    st.caption(t("ind_intro", lang))
    try:
        register = load_register()
        targets = travel_targets.load_targets(atlas)
        entries = timeline(atlas, register, targets)
    except CorridorMapError as exc:
        st.error(md_escape(str(exc)))
        return
    corpus = data.corpus()
    with st.expander(t("timeline", lang), expanded=True):
        st.caption(t("timeline_intro", lang))
        titles = iv.doc_titles(corpus, lang)
        st.altair_chart(iv.timeline_chart(entries, lang, titles), width="stretch")
        st.dataframe(iv.timeline_rows(entries, lang), hide_index=True, width="stretch")
        for entry in entries:
            when = entry.date or t("timeline_year_unknown", lang)
            title = entry.title if lang == "zh" or not entry.title_en else entry.title_en
            with st.expander(md_escape(f"{when} · {title}"), expanded=False):
                for heading, names in iv.timeline_details(entry, atlas, register, targets, lang):
                    st.text(f"{heading} ({len(names)}): " + ("、".join(names) or "—"))
                shown = iv.map_filter(atlas, entry.doc_id, lang, corpus)
                st.button(
                    t("timeline_show_on_map", lang).format(n=len(shown.ids) if shown else 0),
                    key=f"tl-map-{entry.doc_id}",
                    on_click=state.filter_map,
                    args=(entry.doc_id, True),
                    disabled=not (shown and shown.ids),
                )
    titles = iv.doc_titles(corpus, lang)
    cols = st.columns(4)
    corridor = cols[0].selectbox(
        t("ind_corridor", lang),
        iv.corridors(register),
        format_func=lambda c: corridor_name(c, lang),
        key=f"ind_corridor_{lang}",
    )
    doc = cols[1].selectbox(
        t("ind_doc", lang),
        [None, *iv.doc_options(register, corridor)],
        format_func=lambda d: t("ind_all", lang) if d is None else titles[d],
        key=f"ind_doc_{lang}_{corridor}",
        # Choosing a document here also filters the map to the features citing it.
        on_change=lambda: state.filter_map(st.session_state.get(f"ind_doc_{lang}_{corridor}")),
    )
    year = cols[2].selectbox(
        t("ind_year", lang),
        [None, *iv.year_options(register, corridor)],
        format_func=lambda y: t("ind_all", lang) if y is None else str(y),
        key=f"ind_year_{lang}_{corridor}",
    )
    kind = cols[3].selectbox(
        t("ind_kind", lang),
        [None, *sorted({i.kind for i in register.select(corridor=corridor)})],
        format_func=lambda k: t("ind_all", lang) if k is None else iv.kind_name(k, lang),
        key=f"ind_kind_{lang}_{corridor}",
    )
    chosen = register.select(corridor, doc, kind, year)
    st.caption(t("ind_count", lang).format(n=len(chosen)))
    if not chosen:
        st.info(t("ind_none", lang))
        return
    charts = iv.charts(chosen, lang)
    if charts:
        st.markdown(f"**{t('ind_chart', lang)}**")
        for _, chart in charts:
            st.altair_chart(chart, width="stretch")
    st.html(iv.CARD_CSS)
    opened = st.session_state.get("reader")
    for indicator in chosen:
        with st.container(border=True):
            st.html(iv.card_html(indicator, lang))
            for i, link in enumerate(iv.figure_links(indicator, lang, titles)):
                slot = f"ind-{indicator.id}-{i}"
                st.button(
                    md_escape(link.label),
                    key=f"ind-read-{indicator.id}-{i}",
                    on_click=state.open_reader,
                    args=(link.doc, link.paragraph, link.quote, slot),
                )
                if opened and opened.get("slot") == slot:
                    show_reader(lang, [])


def main() -> None:
    """Notices, then the indicators."""
    lang = st.session_state["lang"]
    atlas = data.checked_atlas(st.container(), lang)
    _indicators_view(atlas, lang)


main()
