"""The map as the pages show it: the stored bundle, the selection's outline, the frame."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import streamlit as st

from corridor_map.core.credits import GEONAMES, OSM
from corridor_map.core.i18n import t
from corridor_map.ui import data, map_component, state
from corridor_map.views import previews
from corridor_map.webmap import basemaps as map_basemaps

if TYPE_CHECKING:
    from corridor_map.atlas.model import Atlas


def show_map(
    atlas: Atlas | None,
    basemap: str,
    lang: str,
    *,
    key: str,
    mode: str = "select",
    overlays: list[dict[str, Any]] | None = None,
    frame: dict[str, Any] | None = None,
    on_event: Callable[[map_component.MapEvent], None] | None = None,
    visible: frozenset[str] | None = None,
) -> map_component.MapEvent | None:
    """Mount the map of ``basemap`` and ``lang`` with the session's selection.

    Parameters
    ----------
    atlas : Atlas or None
        None while nothing drawn depends on it (:func:`state.map_needs_atlas`): the map
        is sent from its stored bundle before the atlas is loaded.
    key : str
        The map element's key (one per page).
    mode : str
        ``select``, ``measure``, ``pick`` or ``none`` (see :func:`map_component.show`).
    overlays, frame, visible
        As :func:`map_component.show`; ``frame`` None frames the session's pending target.
    on_event : callable, optional
        Called with a map event; default: a click selects (``select`` mode).
    """
    # A basemap chosen without its settings is drawn as the offline one (the sidebar says
    # what to set), never as an empty tile layer.
    url, digest = data.bundle(map_basemaps.drawn_basemap(basemap), lang)
    selected = st.session_state.get("selected") if mode == "select" else None
    outline = (
        previews.map_outline(atlas, selected) if atlas is not None else previews.MapOutline(None)
    )
    if frame is None:
        frame = st.session_state.get("_cm_frame") if atlas is not None else None
        if frame and "select" in frame and atlas is not None:
            # Frame what is drawn: the feature, or what an unlocated place lies in.
            target = previews.map_outline(atlas, frame["select"])
            ids = [target.selected] if target.selected else list(target.context)
            frame = {"seq": frame["seq"], "ids": ids}
        elif frame and "doc" in frame:
            # Frame what a document filter leaves on the map.
            frame = {"seq": frame["seq"], "ids": sorted(visible or ())}
    return map_component.show(
        bundle_url=url,
        bundle_digest=digest,
        static_url=data.static_url(),
        key=key,
        lang=lang,
        selected=outline.selected,
        context=outline.context,
        frame=frame,
        overlays=overlays or [],
        mode=mode,
        view=st.session_state.get("_cm_view"),
        visible=visible,
        on_event=on_event or (state.on_map_event if mode == "select" else None),
    )


def credits(lang: str) -> str:
    """The line under every map: what it is and whose data it shows."""
    return f"{t('schematic_note', lang)} · {OSM} · {GEONAMES} · {t('districts_credit', lang)}"
