"""Small widgets the pages share: lazy expanders, download buttons, the format choice."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import streamlit as st

from corridor_map.core.i18n import t

if TYPE_CHECKING:
    from corridor_map.outputs import export


def lazy_expander(label: str, key: str) -> Any:
    """An expander whose content the caller writes only while it is open (``.open``)."""
    return st.expander(label, key=key, on_change="rerun")


def download_buttons(items: list[export.Download], prefix: str) -> None:
    """One download button per file; files are built on click, not on every rerun."""
    for item in items:
        st.download_button(
            item.label,
            item.make,
            file_name=item.file_name,
            mime=item.mime,
            key=f"{prefix}-{item.key}",
            on_click="ignore",
        )


def format_choice(lang: str, key: str) -> str:
    """The download format picker; returns the chosen format's key."""
    from corridor_map.outputs import export

    return str(
        st.selectbox(
            t("download_format", lang),
            list(export.FORMATS),
            format_func=export.format_label,
            key=key,
        )
    )
