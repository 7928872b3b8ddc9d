"""The app's data: the atlas, the corpus and the map bundle, loaded once per server.

Every page reads the data through these functions, so the map page can send the map
(from its stored bundle) before the atlas is loaded, and no page imports the geometry
libraries before it needs them.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

import streamlit as st
import streamlit.components.v1 as components

from corridor_map.core.errors import CorridorMapError
from corridor_map.core.i18n import t
from corridor_map.core.markup import md_escape
from corridor_map.core.paths import data_key as folder_data_key
from corridor_map.ui import map_component
from corridor_map.views import previews
from corridor_map.webmap import assets, bundles, overlays
from corridor_map.webmap import labels as map_labels

if TYPE_CHECKING:
    from corridor_map.atlas.model import Atlas
    from corridor_map.documents.corpus import Corpus


#: Name of the (never drawn) component that serves the static folder.
_STATIC_COMPONENT = "static"


def static_root() -> Path:
    """The folder of the generated static files (from the settings; never the source tree)."""
    return assets.static_dir()


@st.cache_resource(show_spinner=False)
def _vendored(root: str) -> list[str]:
    return [str(p) for p in assets.ensure_static_assets(Path(root))]


def static_url() -> str:
    """Put Leaflet in the static folder (once per server), serve it; return its URL.

    Streamlit serves only ``static/`` next to the app; a component declared with a path
    is served from that path (``/component/<name>/<file>``, cached by the browser), so
    the folder can live anywhere. The component is registered, never drawn: each run
    (the registry belongs to the server, which may be new in tests).
    """
    root = static_root()
    _vendored(str(root))
    served = components.declare_component(_STATIC_COMPONENT, path=str(root))
    return f"/component/{served.name}"


@dataclass
class _Served:
    """What this process serves, per slot (a layers folder's atlas; its bundle per basemap
    and language): the newest value built and its data key, and the (slot, key) pairs
    being built. A folder never serves another folder's values (tests switch folders)."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    values: dict[Hashable, tuple[str, Any]] = field(default_factory=dict)
    building: set[tuple[Hashable, str]] = field(default_factory=set)


@st.cache_resource(show_spinner=False)
def _served() -> _Served:
    return _Served()


def _newest(slot: Hashable, key: str, make: Callable[[], Any]) -> Any:
    """The value of ``slot`` for data ``key``; the previous one while another thread builds it.

    After a change of the data the first run to see it builds the new value (the curator
    who saved sees the change in that run); runs that come while it is being built are
    served the previous one rather than wait: on a replica following a shared store
    (:mod:`corridor_map.ui.replica` builds it as soon as it publishes a change), readers'
    clicks never queue behind a rebuild, and see the change on their next run.
    """
    claimed, value = _claim(slot, key)
    return _fill(slot, key, make) if claimed else value


def _claim(slot: Hashable, key: str) -> tuple[bool, Any]:
    """``(False, value)`` when ``slot`` has a value to serve for ``key`` now, else
    ``(True, None)``: the caller builds it (and must :func:`_fill` it)."""
    served = _served()
    with served.lock:
        known = served.values.get(slot)
        if known is not None and (known[0] == key or (slot, key) in served.building):
            return False, known[1]
        served.building.add((slot, key))
    return True, None


def _fill(slot: Hashable, key: str, make: Callable[[], Any]) -> Any:
    served = _served()
    try:
        value = make()
    finally:
        with served.lock:
            served.building.discard((slot, key))
    with served.lock:
        served.values[slot] = (key, value)
    return value


def atlas() -> Atlas:
    """The atlas, lenient: files with problems are refused and listed, the others shown.

    A replica of a shared PostgreSQL store first takes the report the writer of the
    current state kept (once per data snapshot), so that a published change loads
    without being validated again in every app process.
    """
    return _newest(("atlas", str(layers_dir())), data_key(), _load_atlas)


def _load_atlas() -> Atlas:
    from corridor_map.atlas.model import load_atlas
    from corridor_map.core.settings import load_settings
    from corridor_map.curation.db import is_postgres_url

    db_url = load_settings().db_url
    if is_postgres_url(db_url):
        _shared_report(db_url, str(layers_dir()), data_key())
    return load_atlas(strict=False)


def warm() -> None:
    """Build what this process serves for the data as it is now (the atlas and every map
    bundle served so far), so that no reader's run waits for it: called by a replica's
    follower right after it publishes a change."""
    key, folder = data_key(), str(layers_dir())
    with _served().lock:
        bundles = [
            slot
            for slot in _served().values
            if isinstance(slot, tuple) and slot[:2] == ("bundle", folder)
        ]
    # Every slot claimed first: a run that comes while the atlas is being loaded is
    # served the previous bundle too, not left to build the new one itself.
    claimed = [slot for slot in [("atlas", folder), *bundles] if _claim(slot, key)[0]]
    try:
        for slot in claimed:
            if slot[0] == "atlas":
                _fill(slot, key, _load_atlas)
            else:
                _fill(slot, key, partial(_bundle, str(slot[2]), str(slot[3]), key))
    finally:  # a failure leaves nothing claimed: the next run builds (and shows) it
        with _served().lock:
            _served().building.difference_update((slot, key) for slot in claimed)


@st.cache_resource(max_entries=8, show_spinner=False)
def _shared_report(db_url: str, folder: str, data_key: str) -> bool:
    # Keyed by the data snapshot: one look-up per published state and process.
    del data_key
    from corridor_map.curation.postgres import adopt_shared_report

    return adopt_shared_report(db_url, Path(folder))


def corpus() -> Corpus:
    """The policy documents."""
    from corridor_map.documents.corpus import load_corpus

    return load_corpus()


def layers_dir() -> Path:
    """The layers folder in use (resolved: one key per folder)."""
    from corridor_map.core.paths import layers_dir as current

    return current().resolve()


def data_key() -> str:
    """Key of the one data snapshot: every file of layers/ (targets too) and seeds/."""
    return folder_data_key(layers_dir())


@st.cache_resource(max_entries=16, show_spinner=False)
def _bundle(basemap: str, lang: str, data_key: str) -> tuple[str, str]:
    # Keyed by basemap + language (+ the data snapshot, so edited layers show up); on
    # disk too (map_component.stored_bundle): a restart does not build it again, and
    # needs no atlas to show the map.
    del data_key

    def build() -> bundles.MapBundle:
        loaded = atlas()
        collections = overlays.layer_collections(loaded)
        cards = previews.preview_records(loaded, lang, corpus())
        identified = map_labels.identified_places(loaded.travel_targets)
        return map_component.build_bundle(collections, basemap, lang, cards, identified)

    key = map_component.bundle_key(basemap, lang, layers_dir())
    return map_component.stored_bundle(key, build, static_root(), static_url())


def bundle(basemap: str, lang: str) -> tuple[str, str]:
    """``(url, digest)`` of the map bundle for this basemap and language (the previous
    one while another run builds the bundle of changed data: see :func:`_newest`)."""
    key = data_key()
    result: tuple[str, str] = _newest(
        ("bundle", str(layers_dir()), basemap, lang), key, lambda: _bundle(basemap, lang, key)
    )
    return result


def checked_atlas(notices: Any, lang: str) -> Atlas:
    """The atlas (and the corpus), their problems listed in ``notices``; stops on a fatal one."""
    from corridor_map.atlas.validation import refusal_message

    try:
        loaded = atlas()
        corpus()
    except CorridorMapError as exc:
        lines = [md_escape(line) for line in str(exc).splitlines()]
        notices.error("\n\n".join([f"{t('data_error', lang)}:", *lines]))
        st.stop()
    if loaded.problems:
        listed = refusal_message(loaded.problems, loaded.refused).splitlines()
        notices.warning("\n\n".join([t("data_problems", lang), *map(md_escape, listed)]))
    return loaded
