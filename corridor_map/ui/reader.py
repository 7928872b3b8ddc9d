"""The document reader: a dialog over the page, open at the cited paragraph."""

from __future__ import annotations

import streamlit as st

from corridor_map.core.errors import CorridorMapError
from corridor_map.core.i18n import t
from corridor_map.core.markup import md_escape
from corridor_map.ui import data, map_component, state
from corridor_map.views import reader as reader_view


def show_reader(lang: str, names: list[str]) -> None:
    """Show the reader the session has open (``st.session_state["reader"]``), if any.

    Parameters
    ----------
    lang : str
        UI language.
    names : list of str
        Names to mark in the text (the selected feature's).
    """
    opened = st.session_state.get("reader")
    if not opened:
        return
    try:
        document = data.corpus().document(opened["doc"])
    except (CorridorMapError, KeyError) as exc:
        st.error(md_escape(exc))
        return

    @st.dialog(t("reader", lang), width="large", on_dismiss=state.close_reader)
    def _dialog() -> None:
        st.html(reader_view.reader_html(document, opened["p"], opened.get("quote", ""), names))
        map_component.scroll_to(f"cm-p-{opened['p']}" if opened["p"] else None)
        # The dialog is a fragment: a button in it reruns only the dialog, which would draw
        # it again. A full rerun without the reader is what closes it.
        if st.button(t("close_reader", lang), key="close_reader"):
            state.close_reader()
            st.rerun()

    _dialog()
