"""The one module that talks to Streamlit's map component (Custom Component v2).

The folium map is rendered once per (basemap, language, data snapshot) into a static,
content-addressed JavaScript file under ``maps/`` of the static folder
(:func:`corridor_map.webmap.assets.static_dir`, outside the source tree, served by
:func:`corridor_map.ui.data.static_url`); the component loads Leaflet and that file
once, then every rerun exchanges only small state: the selection, the outlines to draw,
overlays (sketch, route, isochrone) and the interaction mode. The component's own
script and style are package assets declared in ``pyproject.toml``
(``[tool.streamlit.component]``), so nothing comes from a CDN.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from corridor_map.core import paths
from corridor_map.core.files import write_bytes_atomically
from corridor_map.core.i18n import t
from corridor_map.core.settings import load_settings
from corridor_map.webmap import assets, bundles, overlays
from corridor_map.webmap import labels as map_labels
from corridor_map.webmap import style as map_style

COMPONENT_NAME = "corridor-map.map"
BUNDLE_SUBDIR = "maps"
#: Bundles kept on disk (older ones are removed: every data edit makes a new one).
_KEEP_BUNDLES = 24
#: The map reaches down to the viewport's bottom from where it starts (map.js: "fill").
MAP_HEIGHT = "fill"

_ASSET_DIR = Path(__file__).resolve().parent / "_component"


@dataclass(frozen=True)
class MapEvent:
    """What the user did on the map since the last run: selected a feature or a point."""

    kind: str
    feature_id: str | None = None
    lon: float | None = None
    lat: float | None = None


def _strings(lang: str) -> dict[str, str]:
    return {
        "legend": t("map_legend", lang),
        "close": t("map_close", lang),
        "more": t("map_preview_more", lang),
        "schematic": t("schematic_badge", lang),
        "tileError": t("map_tile_error", lang),
        "loading": t("map_loading", lang),
        "loadError": t("map_load_error", lang),
    }


def bundle_meta(
    collections: Mapping[str, Any],
    basemap: str,
    lang: str,
    previews: Mapping[str, Any],
    identified: Mapping[str, Mapping[str, str]] | None = None,
) -> dict[str, Any]:
    """Return the browser-side records of a map: labels, legend, previews, strings.

    ``identified``: :func:`corridor_map.webmap.labels.identified_places` of the data.
    """
    legend = [
        row | {"css": map_style.swatch_css(row["kind"], row["style"])}
        for row in map_style.legend_entries(lang)
    ]
    return {
        "labels": map_labels.label_records(collections, basemap, lang, identified),
        "initialBounds": overlays.opening_bounds(collections, basemap),
        "legend": legend,
        "previews": dict(previews),
        "strings": _strings(lang),
        "background": map_style.BACKGROUND_COLOR if basemap == "none" else "#ffffff",
        "highlightStyle": map_style.HIGHLIGHT_STYLE,
        "contextStyle": map_style.CONTEXT_HIGHLIGHT_STYLE,
    }


def build_bundle(
    collections: Mapping[str, Any],
    basemap: str,
    lang: str,
    previews: Mapping[str, Any],
    identified: Mapping[str, Mapping[str, str]] | None = None,
) -> bundles.MapBundle:
    """Build the folium map and render it with its records into a bundle."""
    # folium (and pandas behind it) only when a bundle is built: a start on a stored
    # bundle never imports it.
    from corridor_map.webmap import build as webmap

    m = webmap.build_map(collections, basemap, lang)
    meta = bundle_meta(collections, basemap, lang, previews, identified)
    return webmap.map_bundle(m, meta, consume=True)


#: Distributions whose code renders into a bundle (with this package's own sources).
_RENDERERS = ("folium", "branca", "jinja2", "xyzservices")


def _code_fingerprint() -> str:
    """Digest of the package's sources and the renderers' versions (once per process)."""
    return paths.code_digest((".py", ".js", ".css"), _RENDERERS)


def bundle_key(basemap: str, lang: str, layers_dir: Path, seeds_dir: Path | None = None) -> str:
    """Return the key of everything a bundle is built from.

    The basemap and language, the data (name, size and modification time of every file in
    the layers and seeds folders: the atlas, the previews' excerpts), the package's own
    sources and the renderers' versions, and the Tianditu key and node (in the tile URL).
    """
    settings = load_settings()
    seeds = paths.seeds_dir() if seeds_dir is None else seeds_dir
    parts = [
        basemap,
        lang,
        str(layers_dir),
        paths.folder_snapshot(layers_dir),
        str(seeds),
        paths.folder_snapshot(seeds),
        _code_fingerprint(),
        hashlib.sha256(f"{settings.tianditu_key}\n{settings.tianditu_url}".encode()).hexdigest(),
    ]
    return hashlib.sha256(json.dumps(parts).encode()).hexdigest()[:24]


def stored_bundle(
    key: str, build: Callable[[], bundles.MapBundle], root: Path, base_url: str
) -> tuple[str, str]:
    """Return ``(url, digest)`` of the bundle for ``key``, building it only when not on disk.

    A server restart on unchanged data and code serves the bundle written before instead
    of building the folium map again (the slowest part of a first page): ``key`` (from
    :func:`bundle_key`) names a small file holding the bundle's digest. ``root`` is the
    static folder, served at ``base_url``.
    """
    folder = root / BUNDLE_SUBDIR
    index = folder / f"key-{key}.txt"
    try:
        digest = index.read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError):
        digest = ""
    if digest.isalnum() and (folder / f"map-{digest}.js").is_file():
        return f"{base_url}/{BUNDLE_SUBDIR}/map-{digest}.js", digest
    bundle = build()
    url = write_bundle(bundle, root, base_url)
    write_bytes_atomically(index, bundle.digest.encode("ascii"))
    return url, bundle.digest


def write_bundle(bundle: bundles.MapBundle, root: Path, base_url: str) -> str:
    """Write a bundle under ``maps/`` of the static folder ``root`` (once); return its URL.

    The file name is the content's digest, so an existing file is already right; it is
    written beside its final name and renamed, so a browser never reads half a file.
    ``base_url`` is where ``root`` is served.
    """
    folder = root / BUNDLE_SUBDIR
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / bundle.filename
    if not target.is_file():
        write_bytes_atomically(target, bundle.script.encode("utf-8"))
        _prune(folder, keep=target)
    return f"{base_url}/{BUNDLE_SUBDIR}/{bundle.filename}"


def _prune(folder: Path, keep: Path) -> None:
    for pattern in ("map-*.js", "key-*.txt"):
        found = sorted(folder.glob(pattern), key=lambda p: p.stat().st_mtime, reverse=True)
        for old in found[_KEEP_BUNDLES:]:
            if old != keep:
                old.unlink(missing_ok=True)


def _component() -> Any:
    import streamlit as st

    kwargs: dict[str, Any] = {"html": None, "isolate_styles": False}
    try:
        return st.components.v2.component(COMPONENT_NAME, js="map.js", css="map.css", **kwargs)
    except Exception:
        # The same files inline: still served by this app, still offline.
        return st.components.v2.component(
            COMPONENT_NAME,
            js=(_ASSET_DIR / "map.js").read_text(encoding="utf-8"),
            css=(_ASSET_DIR / "map.css").read_text(encoding="utf-8"),
            **kwargs,
        )


_MOUNT: Any = None


def _mount() -> Any:
    global _MOUNT
    if _MOUNT is None:
        _MOUNT = _component()
    return _MOUNT


def overlay(
    geometries: Sequence[Mapping[str, Any] | None],
    basemap: str,
    style: Mapping[str, Any],
    kind: str,
) -> list[dict[str, Any]]:
    """Return overlay records (display coordinates) for :func:`show`."""
    out = []
    for geometry in geometries:
        shown = overlays.display_geometry(geometry, basemap)
        if shown is not None:
            out.append({"geometry": shown, "style": dict(style), "kind": kind})
    return out


def show(
    *,
    bundle_url: str,
    bundle_digest: str,
    static_url: str,
    key: str,
    lang: str,
    selected: str | None = None,
    context: Sequence[str] = (),
    frame: Mapping[str, Any] | None = None,
    overlays: Sequence[Mapping[str, Any]] = (),
    mode: str = "select",
    view: Sequence[float] | None = None,
    visible: Collection[str] | None = None,
    on_event: Callable[[MapEvent], None] | None = None,
) -> MapEvent | None:
    """Mount the map and return what the user did on it since the last run.

    Parameters
    ----------
    bundle_url, bundle_digest
        From :func:`write_bundle` and the bundle: the map the browser loads (once).
    static_url
        Where the static folder (Leaflet) is served.
    key
        Streamlit element key: the same key keeps the same map across reruns.
    lang
        UI language of the component's own strings.
    selected
        Feature id outlined as the selection.
    context
        Feature ids outlined as "lies within" (for a place with no known site).
    frame
        ``{"seq": n, "ids": [...]}`` or ``{"seq": n, "bounds": [[s, w], [n, e]]}``: the map
        frames it once per new ``seq`` (a selection made outside the map).
    overlays
        From :func:`overlay`.
    mode
        ``select`` (clicks select features), ``measure`` or ``pick`` (clicks are points).
    view
        ``(lat, lon, zoom)`` to open at (from the URL), else the corridors' extent.
    visible
        Ids of the curated features to show (e.g. those citing one document); the others
        and their labels are hidden in the browser, the bundle is not rebuilt. None: all.
    on_event
        Called with the :class:`MapEvent` before the rerun it causes.
    """
    data = {
        "bundleUrl": bundle_url,
        "bundleDigest": bundle_digest,
        "leafletJs": f"{static_url}/{assets.LEAFLET_JS}",
        "leafletCss": f"{static_url}/{assets.LEAFLET_CSS}",
        "selected": selected,
        "context": list(context),
        "frame": dict(frame) if frame else None,
        "overlays": list(overlays),
        "mode": mode,
        "view": list(view) if view else None,
        "visible": None if visible is None else sorted(visible),
        "height": MAP_HEIGHT,
        "strings": _strings(lang),
    }
    import streamlit as st

    def _callback() -> None:
        event = _event(st.session_state.get(key))
        if event is not None and on_event is not None:
            on_event(event)

    result = _mount()(
        key=key,
        # A list, not a dict: Streamlit scans a dict's values for dataframes, which
        # imports pandas (0.3 s on the first run after a start) for nothing.
        data=[data],
        on_select_change=_callback,
        on_point_change=_callback,
        height="content",
    )
    return _event(result)


def _event(result: Any) -> MapEvent | None:
    if result is None:
        return None
    select = _get(result, "select")
    if isinstance(select, Mapping) and isinstance(select.get("id"), str):
        return MapEvent("select", feature_id=select["id"])
    point = _get(result, "point")
    if isinstance(point, Mapping):
        try:
            lon, lat = float(point["lng"]), float(point["lat"])
        except (KeyError, TypeError, ValueError):
            return None
        return MapEvent("point", lon=lon, lat=lat)
    return None


def _get(result: Any, name: str) -> Any:
    if isinstance(result, Mapping):
        return result.get(name)
    return getattr(result, name, None)


def parse_view(text: str | None) -> tuple[float, float, int] | None:
    """Parse the URL's ``at=lat,lon,zoom``; None when absent or implausible."""
    if not text:
        return None
    try:
        lat_s, lon_s, zoom_s = text.split(",")
        lat, lon, zoom = float(lat_s), float(lon_s), int(float(zoom_s))
    except ValueError:
        return None
    if not (-85 <= lat <= 85 and -180 <= lon <= 180 and 3 <= zoom <= 19):
        return None
    return lat, lon, zoom


_SCROLL_JS = """
export default function ({ data: [data] }) {
  if (!data || !data.target) return;
  let tries = 0;
  const go = () => {
    const el = document.getElementById(data.target);
    if (el) el.scrollIntoView({ block: "center" });
    else if (tries++ < 20) setTimeout(go, 50);
  };
  go();
}
"""
_SCROLL: Any = None


def scroll_to(element_id: str | None) -> None:
    """Scroll an element of the page (e.g. a paragraph in the reader) into view."""
    global _SCROLL
    import streamlit as st

    if _SCROLL is None:
        _SCROLL = st.components.v2.component(
            "corridor-map.scroll", js=_SCROLL_JS, isolate_styles=False
        )
    # A list, not a dict: see show().
    _SCROLL(data=[{"target": element_id}], key=f"cm-scroll-{element_id}", height=0)
