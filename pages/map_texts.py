"""Map & texts: pan the corridors, click a zone, read the policy text behind it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import streamlit as st

from corridor_map.core.errors import CorridorMapError
from corridor_map.core.i18n import t
from corridor_map.core.markup import md_escape
from corridor_map.ui import data, mapview, state
from corridor_map.ui.reader import show_reader
from corridor_map.views import panel, previews, stylesheets

if TYPE_CHECKING:
    from corridor_map.atlas.model import Atlas

MAP_KEY = "cm_map"


def _doc_filter(atlas: Atlas, lang: str) -> Any:
    """The map's document filter as it stands (None: all features)."""
    from corridor_map.views import indicators as iv

    shown = iv.map_filter(atlas, st.session_state.get("doc_filter"), lang)
    if shown is None:
        st.session_state["doc_filter"] = None  # also a stale id from the URL
    return shown


def _doc_filter_widgets(shown: Any, lang: str) -> None:
    """The filter's picker, and a notice with "clear" while it is on."""
    from corridor_map.views import indicators as iv

    titles = iv.map_filter_documents(lang)
    key = f"map_doc_{lang}"
    # The picker follows the filter however it was set (timeline, indicators, URL). "All"
    # is "", not None: a None value is no choice at all, shown as Streamlit's placeholder
    # ("Choose an option", in English in both UIs).
    st.session_state[key] = shown.doc_id if shown else ""
    # The label beside the picker, on one line: one line less above the map.
    row = st.container(horizontal=True, vertical_alignment="center", gap="small")
    row.markdown(f"**{t('map_filter', lang)}**", width="content")
    row.selectbox(
        t("map_filter", lang),
        ["", *titles],
        format_func=lambda d: titles[d] if d else t("map_filter_none", lang),
        key=key,
        label_visibility="collapsed",
        on_change=lambda: state.filter_map(st.session_state.get(key)),
    )
    if shown is not None:
        sep = "：" if lang == "zh" else ": "
        cols = st.columns([4, 1], vertical_alignment="center")
        with cols[0], st.container(key="cm-doc-filter"):
            st.info(md_escape(shown.notice(lang)))
            if shown.unlocated:
                st.text(t("unlocated", lang) + sep + "、".join(shown.unlocated))
        cols[1].button(
            t("map_filter_clear", lang),
            key="map_filter_clear",
            on_click=state.filter_map,
            args=(None,),
        )


def _set_panel(closed: bool) -> None:
    st.session_state["panel_closed"] = closed


def _child_button(link: panel.Link, lang: str) -> None:
    st.button(
        f"↓ {panel.plain_label(link.label(lang))}",
        key=f"child-{link.id}",
        on_click=state.select,
        args=(link.id,),
    )


def _panel(atlas: Atlas, lang: str) -> None:
    selected = str(st.session_state.get("selected"))
    if selected not in atlas:
        st.warning(f"{t('unknown_feature', lang)}: {md_escape(selected)}")
        return
    opened = st.session_state.get("reader")
    view = panel.feature_panel(atlas, selected, data.corpus())
    names = [view.name_zh]
    st.html(stylesheets.panel_css())
    cols = st.columns(2, gap="small")
    cols[0].button(t("clear_selection", lang), key="clear", on_click=state.select, args=(None,))
    cols[1].button(
        t("panel_collapse", lang), key="panel_collapse", on_click=_set_panel, args=(True,)
    )
    st.html(panel.header_html(view, lang))

    if view.parents or view.children:
        st.markdown(f"**{t('hierarchy', lang)}**")
        for link in view.parents:
            st.button(
                f"↑ {t('parent', lang)}: {panel.plain_label(link.label(lang))}",
                key=f"par-{link.id}",
                on_click=state.select,
                args=(link.id,),
            )
        shown, folded = panel.split_children(view.children)
        for link in shown:
            _child_button(link, lang)
        if folded:
            label = t("hierarchy_show_all", lang).format(n=len(view.children))
            with st.expander(label, expanded=False):
                for link in folded:
                    _child_button(link, lang)

    note = previews.within_note(atlas, selected, lang)
    if note:
        st.info(md_escape(note))
    st.html(panel.facts_html(view, lang))
    source = panel.geometry_source_html(view)
    if source:
        with st.expander(t("geometry_source", lang), expanded=False):
            st.html(source)
    figures = panel.figures_html(view, lang)
    if figures:
        st.markdown(f"**{t('figures', lang)}**")
        st.html(figures)

    st.markdown(f"**{t('excerpts', lang)}** ({len(view.excerpts)})")
    for i, excerpt in enumerate(view.excerpts):
        st.html(panel.excerpt_html(excerpt, names, lang))
        slot = f"excerpt-{i}"
        st.button(
            t("read_document", lang),
            key=f"read-{i}",
            on_click=state.open_reader,
            args=(excerpt.doc_id, excerpt.paragraph_id, list(excerpt.all_quotes), slot),
        )
        if opened and opened.get("slot") == slot:
            show_reader(lang, names)


@st.fragment
def _map_view(lang: str, basemap: str) -> None:
    """The map and the panel: a selection reruns this fragment only, never the page.

    While nothing drawn depends on the atlas (no selection, document filter or frame: a
    page opened without them), the map's element is sent before the atlas is loaded, and
    the browser fetches the map's scripts while the server loads the data. A data error
    draws nothing here: the page lists it below and stops.
    """
    try:
        atlas = data.atlas() if state.map_needs_atlas() else None
        # The columns are always there (the map keeps its place in the page, so it is never
        # mounted again); the panel's column is folded away (PAGE_CSS) while nothing is
        # selected or the user hid it, and the map takes the whole width.
        left, right = st.columns([2.3, 1], gap="medium")
        is_open = bool(st.session_state.get("selected")) and not st.session_state.get(
            "panel_closed"
        )
        if not is_open:
            # Folded before the map is drawn: the map opens at its final width, not at the
            # columns' share first and the whole width once the atlas has loaded.
            right.container(key="cm-panel-closed").html("<span></span>")
        with left, st.container(key="cm-mapcol"):
            shown = _doc_filter(atlas, lang) if atlas is not None else None
            mapview.show_map(
                atlas, basemap, lang, key=MAP_KEY, visible=shown.ids if shown else None
            )
            atlas = atlas if atlas is not None else data.atlas()
            selected = st.session_state.get("selected")
            opened = st.session_state.get("reader")
            if opened and opened.get("slot") == "search":
                show_reader(lang, [])
            if not selected:
                st.info(t("panel_empty", lang))
            elif not is_open and selected in atlas:
                name = panel.plain_label(atlas.get(selected).name_zh)
                st.button(
                    t("panel_open", lang).format(name=name),
                    key="panel_open",
                    on_click=_set_panel,
                    args=(False,),
                )
            st.caption(mapview.credits(lang))
            missing = len(panel.unlocated(atlas))
            if missing:
                st.caption(t("unlocated_beside_map", lang).format(n=missing))
    except CorridorMapError:
        return
    if is_open:
        with right:
            _panel(atlas, lang)
    state.sync_query_params()


def main() -> None:
    """Notices, the document filter, then the map and its panel (sent before the atlas)."""
    lang = st.session_state["lang"]
    # The data's problems stand above the map, written once the atlas is loaded.
    notices = st.container()
    # The document filter stands above the map but outside its fragment: a selection
    # does not rebuild or send its list of documents again; a change of filter reruns
    # the page. Written once the map is sent.
    # Until it arrives, a blank of its height holds its place in one slot, which the
    # filter then replaces (never both at once): the map below does not move when the
    # filter comes after the atlas.
    slot = st.empty()
    slot.html('<div class="cm-filterbar-blank"></div>')
    _map_view(lang, st.session_state["basemap"])
    atlas = data.checked_atlas(notices, lang)
    with slot.container(key="cm-filterbar"):
        left, _ = st.columns([2.3, 1], gap="medium")
        with left:
            _doc_filter_widgets(_doc_filter(atlas, lang), lang)


main()
