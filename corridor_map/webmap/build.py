"""The folium build: the one module that imports folium (and pandas behind it).

The map is built once per (basemap, language, data snapshot) and rendered into a map
bundle (:mod:`.bundles`); a start on a stored bundle never imports this module.

Everything drawn carries only the properties the browser needs (``id``), names reach the
page as JSON data written with ``textContent`` by the component, and the layer control's
group names (which Leaflet writes as HTML) go through :func:`corridor_map.core.markup.inert`.
Folium's template-literal ``Tooltip``/``Popup`` classes are not used at all.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import folium
from branca.element import Element, Figure, MacroElement
from folium.template import Template

from corridor_map.core import credits
from corridor_map.core.i18n import corridor_name
from corridor_map.core.markup import inert
from corridor_map.webmap import assets
from corridor_map.webmap.basemaps import (
    DEFAULT_BASEMAP,
    Basemap,
    basemap_tiles,
)
from corridor_map.webmap.bundles import MapBundle, assemble
from corridor_map.webmap.overlays import (
    corridor_features,
    display_feature,
    initial_bounds,
    merged_lines,
    shift_bounds,
)
from corridor_map.webmap.style import (
    CONTEXT_LAYERS,
    POINT_PANE,
    POINT_TYPES,
    ROLE_GROUPS,
    ZOOM_GATES,
    Feature,
    FeatureCollection,
    feature_style,
    point_style,
    role_group,
)


class OfflineMap(folium.Map):
    """A folium map that loads only Leaflet, from this app's own static files.

    folium's defaults pull jQuery, Bootstrap, Font Awesome and awesome-markers from CDNs;
    a plain vector map needs none of them, and the app must work without internet.
    """

    default_js = assets.local_js()
    default_css = assets.local_css()


class Attribution(MacroElement):
    """Adds a fixed credit to the map's attribution control (for OSM-derived overlays)."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
            {{ this._parent.get_name() }}.attributionControl.addAttribution(
                {{ this.text|tojson }});
        {% endmacro %}
        """
    )

    def __init__(self, text: str) -> None:
        super().__init__()
        self._name = "Attribution"
        self.text = text


class MetricScale(MacroElement):
    """A metric-only scale bar (folium's ``control_scale`` shows miles too)."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
            L.control.scale({imperial: false, metric: true, maxWidth: 160}).addTo(
                {{ this._parent.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(self) -> None:
        super().__init__()
        self._name = "MetricScale"


def _add_tiles(m: folium.Map, tiles: Basemap) -> None:

    options: dict[str, Any] = {"max_zoom": tiles.max_zoom}
    if tiles.subdomains:
        options["subdomains"] = tiles.subdomains
    folium.TileLayer(
        tiles=tiles.url, attr=tiles.attribution, name=tiles.id, control=False, **options
    ).add_to(m)
    if tiles.overlay_url:
        folium.TileLayer(
            tiles=tiles.overlay_url,
            attr=tiles.attribution,
            name=f"{tiles.id}-labels",
            control=False,
            overlay=True,
            **options,
        ).add_to(m)


def _geojson_layer(
    features: list[Feature],
    style_of: Any,
    *,
    name: str,
    point: bool,
    interactive: bool,
) -> folium.GeoJson:

    marker = folium.CircleMarker(radius=6, fill=True) if point else None
    pane: dict[str, Any] = {"pane": POINT_PANE} if point and interactive else {}
    return folium.GeoJson(
        {"type": "FeatureCollection", "features": features},
        name=name,
        style_function=style_of,
        marker=marker,
        zoom_on_click=False,
        interactive=interactive,
        **pane,
    )


def _gate_class(min_zoom: int) -> str:
    return f" cm-min{min_zoom}" if min_zoom > ZOOM_GATES[0] else ""


def _add_context(
    m: folium.Map, collections: Mapping[str, FeatureCollection], basemap: str, lang: str
) -> None:

    tiled = basemap != "none"
    for layer in CONTEXT_LAYERS:
        collection = collections.get(layer.stem)
        if not collection:
            continue
        features = [
            f
            for f in collection.get("features", [])
            if layer.roles is None or (f.get("properties") or {}).get("role") in layer.roles
        ]
        if layer.merge_lines:
            merged = merged_lines(features, layer.stem, basemap, layer.decimals)
            drawn = [merged] if merged else []
        else:
            drawn = [
                d
                for d in (
                    display_feature(f, basemap, layer.decimals, layer.simplify_deg)
                    for f in features
                )
                if d is not None
            ]
        if not drawn:
            continue
        style = dict(layer.style) | {
            "interactive": False,
            "className": f"cm-ctx cm-ctx-{layer.stem}{_gate_class(layer.min_zoom)}",
        }
        if layer.stem == "ref_districts" and tiled:
            # Over tiles the districts are outlines only: a land fill would hide the tiles.
            style |= {"fillOpacity": 0.0, "color": "#7f8c8d", "weight": 1.2}
        point = drawn[0]["geometry"]["type"] == "Point"
        # Over tiles, the roads and stations the tiles already show start hidden.
        shown = layer.shown and (not tiled or layer.stem in {"ref_districts", "ref_railways"})
        group = folium.FeatureGroup(name=inert(layer.names[lang]), show=shown)
        _geojson_layer(
            drawn,
            lambda _f, s=style: s,
            name=layer.stem,
            point=point,
            interactive=False,
        ).add_to(group)
        group.add_to(m)


def _add_corridors(
    m: folium.Map, collections: Mapping[str, FeatureCollection], basemap: str, lang: str
) -> None:

    grouped: dict[tuple[str, str], list[Feature]] = {}
    styles: dict[str, dict[str, Any]] = {}
    for feature in corridor_features(collections):
        props = feature.get("properties") or {}
        group_id = role_group(props.get("role"))
        drawn = display_feature(feature, basemap, 6)
        if group_id is None or drawn is None:
            continue
        style = feature_style(props)
        if drawn["geometry"]["type"] in {"Point", "MultiPoint"}:
            style = point_style(style, group_id)
        styles[drawn["id"]] = style
        grouped.setdefault((group_id, str(props.get("corridor"))), []).append(drawn)

    corridors = sorted({c for _, c in grouped})
    for group_id, _roles, group_names in ROLE_GROUPS:
        for corridor in corridors:
            members = grouped.get((group_id, corridor))
            if not members:
                continue
            # Leaflet's layer control writes names as HTML: a corridor id from a layer
            # file must not become markup there.
            label = inert(f"{corridor_name(corridor, lang)} · {group_names[lang]}")
            # One layer-control entry per group; its points sit in the point pane above
            # every polygon, so they stay clickable inside the zones they belong to.
            group = folium.FeatureGroup(name=label, show=True)
            for point in (False, True):
                part = [d for d in members if (d["geometry"]["type"] in POINT_TYPES) == point]
                if part:
                    _geojson_layer(
                        part,
                        lambda f: styles[f["id"]],
                        name=f"{corridor}-{group_id}{'-points' if point else ''}",
                        point=point,
                        interactive=True,
                    ).add_to(group)
            group.add_to(m)


def build_map(
    collections: Mapping[str, FeatureCollection],
    basemap: str = DEFAULT_BASEMAP,
    lang: str = "zh",
    env: Mapping[str, str] | None = None,
) -> folium.Map:
    """Build the map of all corridors over the context basemap (or tiles).

    Parameters
    ----------
    collections
        Layer name (file stem) → FeatureCollection, as loaded from ``layers/``.
    basemap
        One of :data:`BASEMAPS`; for ``gaode`` every overlay is shifted to GCJ-02.
    lang
        ``"zh"`` or ``"en"``: layer names.
    env
        Environment for the Tianditu key (defaults to ``os.environ``).

    Returns
    -------
    folium.Map
        A map that loads only local scripts, framed on the corridors.
    """

    tiles = basemap_tiles(basemap, env)
    m = OfflineMap(
        location=None,
        tiles=None,
        control_scale=False,
        prefer_canvas=False,
        zoom_control=True,
        min_zoom=6,
        max_zoom=18,
    )
    folium.map.CustomPane(POINT_PANE, z_index=640, pointer_events=True).add_to(m)
    if tiles is not None:
        _add_tiles(m, tiles)
    _add_context(m, collections, basemap, lang)
    _add_corridors(m, collections, basemap, lang)

    sources = [credits.DISTRICTS]
    if any(
        stem.startswith("ref_") and stem not in {"ref_districts", "ref_places"}
        for stem in collections
    ) and (tiles is None or credits.OSM not in tiles.attribution):
        # Said once: the OSM basemap's own credit already names the contributors.
        sources.insert(0, credits.OSM)
    if "ref_places" in collections:
        sources.append(credits.GEONAMES)
    Attribution(" | ".join(sources)).add_to(m)
    MetricScale().add_to(m)
    folium.LayerControl(collapsed=True, position="topright").add_to(m)

    box = initial_bounds(collections)
    if box is not None:
        m.fit_bounds(shift_bounds(box, basemap))
    return m


def _elements(element: Element) -> Iterable[Element]:
    yield element
    for child in list(getattr(element, "_children", {}).values()):
        yield from _elements(child)


def _renumber(m: folium.Map) -> None:
    """Give every element a deterministic id: the same map renders the same script."""
    for index, element in enumerate(_elements(m)):
        element._id = f"{index:04d}"


def map_bundle(m: folium.Map, meta: Mapping[str, Any], *, consume: bool = False) -> MapBundle:
    """Render a built map and its browser-side records into a :class:`MapBundle`.

    Parameters
    ----------
    m
        From :func:`build_map` (left unchanged: a copy is rendered).
    meta
        JSON-serialisable records for the component (labels, legend, previews, strings).
    consume
        Render ``m`` itself, not a copy (it is renumbered and rendered: of no further use),
        for a caller that built it for this bundle alone. The copy of every feature's
        GeoJSON was a third of a bundle's build, which a replica pays after each change.
    """

    fresh, root = _rendered(m, copy=not consume)
    script = root.script.render()
    layers = {}
    tile_names = []
    for element in _elements(fresh):
        if isinstance(element, folium.GeoJson):
            layers[element.layer_name] = element.get_name()
        elif isinstance(element, folium.TileLayer):
            tile_names.append(element.get_name())
    returned = ", ".join(f"{json.dumps(name)}: {var}" for name, var in layers.items())
    body = (
        "function (L) {\n"
        f"{script}\n"
        f"return {{map: {fresh.get_name()}, layers: {{{returned}}}, "
        f"tiles: [{', '.join(tile_names)}]}};\n}}"
    )
    full_meta = dict(meta) | {"mapId": fresh.get_name(), "zoomGates": list(ZOOM_GATES)}
    return assemble(body, fresh.get_name(), full_meta)


def stable_script(m: folium.Map) -> str:
    """Return the map's Leaflet script with deterministic ids (for cache/equality checks)."""
    return str(_rendered(m)[1].script.render())


def _rendered(m: folium.Map, *, copy: bool = True) -> tuple[folium.Map, Figure]:
    """Render a renumbered copy of ``m`` (left untouched), or ``m`` itself when not
    ``copy``; return it and its root figure."""
    import copy as copying

    fresh = copying.deepcopy(m) if copy else m
    _renumber(fresh)
    root = fresh.get_root()
    if not isinstance(root, Figure):  # folium puts every Map in a branca Figure
        raise TypeError(f"a folium.Map's root is a branca Figure, not {type(root).__name__}")
    root.render()
    return fresh, root


def page_links(m: folium.Map) -> Sequence[str]:
    """Return every script and stylesheet URL the map asks the browser to load."""
    links: list[str] = []
    for element in _elements(m):
        links.extend(url for _, url in getattr(element, "default_js", []))
        links.extend(url for _, url in getattr(element, "default_css", []))
    return list(dict.fromkeys(links))
