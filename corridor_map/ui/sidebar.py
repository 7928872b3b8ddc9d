"""The sidebar every page shares: language, basemap, search, legend, lists, downloads."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import streamlit as st

from corridor_map.core.i18n import LANGUAGES, corridor_name, t
from corridor_map.core.markup import md_escape
from corridor_map.core.settings import load_settings
from corridor_map.ui import state, widgets
from corridor_map.views import panel, search
from corridor_map.webmap import basemaps as map_basemaps
from corridor_map.webmap import overlays
from corridor_map.webmap import style as map_style

if TYPE_CHECKING:
    from corridor_map.atlas.model import Atlas


def language_choice() -> str:
    """Draw the sidebar's first widget, the language, before the page; return the language.

    The sidebar is on the page from the first element on: when it arrived after the page
    (its other widgets are drawn after the map), the main column, the map with it, moved
    sideways by the sidebar's width as the page loaded.
    """
    lang = st.session_state["lang"]
    with st.sidebar:
        st.radio(
            t("language", lang),
            LANGUAGES,
            key="lang",
            format_func=lambda code: "中文" if code == "zh" else "English",
            horizontal=True,
        )
    return str(st.session_state["lang"])


def sidebar(atlas: Atlas, basemaps: Sequence[str]) -> None:
    """Draw the rest of the sidebar (after the page: its widgets hold their values in the
    session), under :func:`language_choice`."""
    lang = st.session_state["lang"]
    with st.sidebar:
        # One widget per language: Streamlit keeps a keyed widget's formatted options, so
        # the labels would not follow the language toggle otherwise.
        basemap_choice(basemaps, lang)

        from corridor_map.documents.corpus import MAX_QUERY_CHARS

        query = st.text_input(
            t("search", lang),
            key="q",
            placeholder=t("search_placeholder", lang),
            max_chars=MAX_QUERY_CHARS,
        )
        if query.strip():
            search_results(atlas, query, lang)

        # The sidebar's lists are drawn only while open (an opened one reruns the app): at
        # a page load the browser renders the map first, not 40 buttons nobody has asked
        # for. The map carries the same legend; here it is for the pages without a map.
        legend = widgets.lazy_expander(t("legend", lang), "sb_legend")
        if legend.open:
            legend.html(map_style.legend_html(lang))
        st.caption(t("schematic_note", lang))

        missing = panel.unlocated(atlas)
        if missing:
            listed = widgets.lazy_expander(
                f"{t('unlocated', lang)} ({len(missing)})", "sb_unlocated"
            )
            if listed.open:
                with listed:
                    st.caption(t("unlocated_note", lang))
                    for link in missing:
                        st.button(
                            panel.plain_label(link.label(lang)),
                            key=f"unloc-{link.id}",
                            on_click=state.select,
                            args=(link.id,),
                        )

        st.subheader(t("attribution", lang))
        st.caption(t("attribution_text", lang))
        downloads(atlas, lang)


def basemap_choice(basemaps: Sequence[str], lang: str) -> None:
    """The basemap picker; a basemap missing its settings is listed as such and, chosen,
    names the setting while the map draws the offline basemap."""
    missing = {b: map_basemaps.missing_settings(b) for b in basemaps}

    def label(basemap: str) -> str:
        name = t(f"basemap_{basemap}", lang)
        return t("basemap_not_set_up", lang).format(name=name) if missing[basemap] else name

    choices = list(basemaps)
    st.selectbox(
        t("basemap", lang),
        choices,
        index=choices.index(st.session_state["basemap"]),
        key=f"basemap_{lang}",
        format_func=label,
        on_change=state.copy_widget,
        args=(f"basemap_{lang}", "basemap"),
    )
    chosen = st.session_state["basemap"]
    if missing.get(chosen):
        st.warning(
            t(f"basemap_{chosen}_missing", lang).format(settings=", ".join(missing[chosen])),
            icon=":material/key_off:",
        )
    elif chosen in map_basemaps.GCJ02_BASEMAPS:
        st.caption(t("gcj_note", lang))


def downloads(atlas: Atlas, lang: str) -> None:
    """Download buttons: exports, the printed map and the selected feature's brief."""
    from corridor_map.core.vocab import LAYER_CORRIDORS as CORRIDORS
    from corridor_map.outputs import export

    box = widgets.lazy_expander(t("downloads", lang), "sb_downloads")
    if not box.open:
        return
    with box:
        selected = st.session_state.get("selected")
        selected = selected if selected in atlas else None
        scopes = ["all", *(c for c in CORRIDORS if c != "reference")]
        if selected:
            scopes.append(selected)

        def name(scope: str) -> str:
            if scope == "all":
                return t("download_scope_all", lang)
            if scope in CORRIDORS:
                return corridor_name(scope, lang)
            return panel.plain_label(atlas.get(scope).name_zh)

        scope = st.selectbox(
            t("download_scope", lang), scopes, key="download_scope", format_func=name
        )
        sketch = overlays.sketch_geometry(
            st.session_state.get("measure_pts") or [], st.session_state.get("measure_mode", "line")
        )
        widgets.download_buttons(
            export.downloads(scope, lang, selected, sketch),
            "dl",
            lang,
            load_settings().job_time_limit_s,
        )


def search_results(atlas: Atlas, query: str, lang: str) -> None:
    """Features and paragraphs matching ``query``: buttons that select or open the reader."""
    from corridor_map.documents.corpus import SearchQueryError

    features = search.search_features(atlas, query)
    try:
        texts = search.search_text(query, limit=10)
    except SearchQueryError as exc:
        st.warning(md_escape(str(exc)))
        return
    if not features and not texts:
        st.caption(t("no_results", lang))
        return
    if features:
        st.markdown(f"**{t('search_features', lang)}**")
        for hit in features:
            st.button(
                panel.plain_label(hit.link.label(lang)),
                key=f"hit-{hit.link.id}",
                on_click=state.select,
                args=(hit.link.id,),
                width="stretch",
            )
    if texts:
        st.markdown(f"**{t('search_text', lang)}**")
        for i, text_hit in enumerate(texts):
            st.html(f'<div style="font-size:.85rem">{text_hit.snippet_html}</div>')
            doc_id, paragraph_id = text_hit.doc_id, text_hit.paragraph_id
            st.button(
                f"{t('open', lang)} · {panel.plain_label(text_hit.title)} {paragraph_id}",
                key=f"text-{i}-{doc_id}-{paragraph_id}",
                on_click=state.open_reader,
                args=(doc_id, paragraph_id, query, "search"),
            )
