"""Folium map construction: styles, layer groups, legend, basemaps, highlight and framing.

The map is built once per (basemap, language) and cached by the app; the selection travels
to the browser separately (``feature_group_to_add``, ``center``, ``zoom`` of ``st_folium``)
so selecting a feature never reloads the map.

Everything drawn carries only the properties the browser needs (``id`` and a pre-escaped
tooltip), so names from the layer files can never become markup or script: the tooltip
HTML is escaped here, and GeoJSON is embedded with ``tojson`` (which escapes ``<``).
Folium's template-literal ``Tooltip``/``Popup`` classes are not used at all.
"""

from __future__ import annotations

import copy
import json
import math
import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import folium
from branca.element import MacroElement
from folium.template import Template

from corridor_map import assets, gcj02
from corridor_map.i18n import corridor_name, role_name, t
from corridor_map.markup import inert

Feature = dict[str, Any]
FeatureCollection = dict[str, Any]

OSM_ATTRIBUTION = "© OpenStreetMap contributors"

#: Basemap ids, in the order the selector lists them. ``none`` works offline.
BASEMAPS = ("none", "osm", "gaode", "tianditu")
DEFAULT_BASEMAP = "none"

#: Basemaps whose tiles are in GCJ-02, so overlays must be shifted to match them.
GCJ02_BASEMAPS = frozenset({"gaode"})

MAP_HEIGHT_PX = 680
# Framing assumes roughly this many pixels of map: st_folium fills the left column, about
# 600 px wide in a 1500 px window with the sidebar open.
_FRAME_PX = (600, MAP_HEIGHT_PX)
_MIN_FRAME_ZOOM, _MAX_FRAME_ZOOM = 8, 15
# Framing a selection steps this many zoom levels out from "fits the map" to keep context.
_CONTEXT_ZOOM_OUT = 1
#: Zoom for a selected point: a few kilometres across, streets and neighbours in view.
POINT_ZOOM = 14

CORRIDOR_COLORS: dict[str, str] = {
    "taizhou-bay": "#c0392b",
    "wenzhou-daluo": "#1f6f8b",
    "wenling-lakes": "#2e8b57",
    "reference": "#7f8c8d",
}
_FALLBACK_COLOR = "#8e44ad"

#: Layer-control groups by role, drawn in this order (later groups lie on top, so the
#: small blocks and points stay clickable above the large extents).
ROLE_GROUPS: tuple[tuple[str, tuple[str, ...], dict[str, str]], ...] = (
    ("extent", ("extent",), {"zh": "范围", "en": "extent"}),
    ("core", ("core",), {"zh": "核心", "en": "core"}),
    ("zones", ("zone", "belt", "area", "enclave"), {"zh": "片区", "en": "zones"}),
    ("key_blocks", ("key_block",), {"zh": "重点地块", "en": "key blocks"}),
    ("roads", ("road",), {"zh": "道路", "en": "roads"}),
    ("platforms", ("platform", "landmark"), {"zh": "平台", "en": "platforms"}),
    ("gateways", ("gateway",), {"zh": "门户枢纽", "en": "gateways"}),
)
_ROLE_TO_GROUP = {role: group for group, roles, _ in ROLE_GROUPS for role in roles}

# Per-role look; the corridor decides the colour. Dashes mark schematic geometry.
_ROLE_STYLE: dict[str, dict[str, Any]] = {
    "extent": {"weight": 3, "fillOpacity": 0.04},
    "core": {"weight": 2.5, "fillOpacity": 0.30},
    "zones": {"weight": 2, "fillOpacity": 0.18},
    "key_blocks": {"weight": 1.5, "fillOpacity": 0.45},
    "roads": {"weight": 4, "fillOpacity": 0.0},
    "platforms": {"weight": 2, "fillOpacity": 0.85, "radius": 6},
    "gateways": {"weight": 3, "fillOpacity": 0.95, "radius": 8},
}
SCHEMATIC_DASH = "6 4"

# The simplified road graph (ref_roads, ~1 MB) is for routing, not drawn on the base map.
_REFERENCE_LAYERS: tuple[tuple[str, dict[str, str], bool, dict[str, Any]], ...] = (
    # (layer file stem, group name, shown by default, style)
    (
        "ref_districts",
        {"zh": "参考 · 区县边界", "en": "Reference · districts"},
        True,
        {"color": "#95a5a6", "weight": 1, "fillColor": "#ecf0f1", "fillOpacity": 0.35},
    ),
    (
        "ref_aeroways",
        {"zh": "参考 · 机场跑道（OSM）", "en": "Reference · runways (OSM)"},
        True,
        {"color": "#34495e", "weight": 2, "opacity": 0.9},
    ),
    (
        "ref_rail_stations",
        {"zh": "参考 · 铁路车站（OSM）", "en": "Reference · rail stations (OSM)"},
        False,
        {"color": "#34495e", "weight": 1, "fillColor": "#ffffff", "fillOpacity": 1, "radius": 3},
    ),
    (
        "ref_s1_stations",
        {"zh": "参考 · 市域铁路 S1 车站", "en": "Reference · S1 line stations"},
        False,
        {"color": "#6c3483", "weight": 1, "fillColor": "#ffffff", "fillOpacity": 1, "radius": 4},
    ),
)

HIGHLIGHT_STYLE: dict[str, Any] = {
    "color": "#f1c40f",
    "weight": 6,
    "opacity": 1.0,
    "fillOpacity": 0.0,
    "radius": 12,
    "interactive": False,
    "className": "cm-highlight",
}

# Overlays sent with the map in the measure and travel views.
SKETCH_STYLE: dict[str, Any] = {"color": "#6c3483", "weight": 3, "fillOpacity": 0.15}
ROUTE_STYLE: dict[str, Any] = {"color": "#d35400", "weight": 5, "opacity": 0.9}
ISOCHRONE_STYLE: dict[str, Any] = {"color": "#2471a3", "weight": 2, "fillOpacity": 0.15}

# Reference geometry is drawn rounded: the sources are no better than ~10 m anyway,
# and it keeps the page small.
_DISPLAY_DECIMALS = 5
# Background district outlines are also simplified for drawing (≈ 40 m: under two pixels
# at zoom 12, and no one measures them here); this halves the page.
_BACKGROUND_SIMPLIFY_DEG = 0.0004
_BACKGROUND_DECIMALS = 4


# --------------------------------------------------------------------------- escaping


# --------------------------------------------------------------------------- styling


def feature_class(feature_id: str) -> str:
    """Return the CSS class given to a feature's SVG path (used by tests and tools)."""
    safe = "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in feature_id)
    return f"cm-f-{safe}"


def role_group(role: str | None) -> str | None:
    """Return the layer-control role group of a feature role (None: not drawn as overlay)."""
    return _ROLE_TO_GROUP.get(role or "")


def is_schematic(props: Mapping[str, Any]) -> bool:
    """Return True when a feature's geometry is schematic (drawn dashed)."""
    return props.get("geometry_basis") == "schematic"


def feature_style(props: Mapping[str, Any]) -> dict[str, Any]:
    """Return the Leaflet path style of one curated feature.

    The colour follows the corridor, weight and fill the role group; schematic geometry
    is dashed. ``className`` tags the SVG path with :func:`feature_class`.
    """
    color = CORRIDOR_COLORS.get(props.get("corridor") or "", _FALLBACK_COLOR)
    group = role_group(props.get("role")) or "zones"
    style: dict[str, Any] = {"color": color, "fillColor": color, "opacity": 0.95}
    style.update(_ROLE_STYLE[group])
    style.pop("radius", None)
    if group in {"platforms", "gateways"}:
        style["fillColor"] = "#ffffff" if group == "platforms" else color
    if is_schematic(props):
        style["dashArray"] = SCHEMATIC_DASH
    style["className"] = f"cm-feature {feature_class(str(props.get('id', '')))}"
    return style


def legend_entries(lang: str) -> list[tuple[str, dict[str, Any]]]:
    """Return ``(label, style)`` pairs for the legend, built from the same styles as the map."""
    entries: list[tuple[str, dict[str, Any]]] = []
    for corridor in ("taizhou-bay", "wenzhou-daluo", "wenling-lakes"):
        entries.append(
            (corridor_name(corridor, lang), feature_style({"corridor": corridor, "role": "zone"}))
        )
    for group, roles, names in ROLE_GROUPS:
        style = feature_style({"corridor": "reference", "role": roles[0]})
        entries.append((names[lang if lang in names else "zh"], style | {"group": group}))
    entries.append(
        (
            t("schematic_badge", lang),
            feature_style({"corridor": "reference", "role": "zone", "geometry_basis": "schematic"}),
        )
    )
    for stem, names, _shown, style in _REFERENCE_LAYERS:
        if stem in {"ref_districts", "ref_aeroways"}:  # the reference layers shown by default
            line = {"group": "roads"} if stem == "ref_aeroways" else {}
            entries.append((names[lang], dict(style) | line))
    overlays = (
        ("legend_selected", HIGHLIGHT_STYLE | {"fillOpacity": 0.0}),
        ("legend_route", ROUTE_STYLE | {"group": "roads"}),
        ("legend_isochrone", ISOCHRONE_STYLE),
    )
    for key, style in overlays:
        entries.append((t(key, lang), {k: v for k, v in style.items() if k != "className"}))
    return entries


def _rgba(color: str, alpha: float) -> str:
    red, green, blue = (int(color[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgba({red},{green},{blue},{alpha})"


def legend_html(lang: str) -> str:
    """Return the legend as inert HTML: a CSS swatch per style (same colours, dashes)."""
    rows = []
    for label, style in legend_entries(lang):
        color = style.get("color", "#000000")
        fill = _rgba(style.get("fillColor", color), float(style.get("fillOpacity", 0.2)))
        border = "dashed" if style.get("dashArray") else "solid"
        group = style.get("group")
        if group in {"platforms", "gateways"}:
            swatch = (
                f"width:12px;height:12px;border-radius:50%;border:2px solid {color};"
                f"background:{fill};margin:0 6px"
            )
        elif group == "roads":
            weight = min(int(style.get("weight", 4)), 5)
            swatch = f"width:24px;height:0;border-top:{weight}px {border} {color};margin-top:2px"
        else:
            swatch = f"width:24px;height:12px;border:2px {border} {color};background:{fill}"
        rows.append(
            '<div style="display:flex;align-items:center;gap:8px;font-size:0.85rem;'
            'line-height:1.7">'
            f'<span style="display:inline-block;flex:none;{swatch}"></span>'
            f"<span>{inert(label)}</span></div>"
        )
    return f'<div class="cm-legend">{"".join(rows)}</div>'


# --------------------------------------------------------------------------- geometry


def _round_coords(coords: Any, decimals: int) -> Any:
    if isinstance(coords, (int, float)):
        return round(float(coords), decimals)
    return [_round_coords(c, decimals) for c in coords]


def display_geometry(
    geometry: Mapping[str, Any] | None, basemap: str, decimals: int = 6
) -> dict[str, Any] | None:
    """Return a geometry as drawn over ``basemap``: GCJ-02 for Gaode, WGS84 otherwise.

    The layer files hold WGS84; the shift is for display only.
    """
    if not geometry:
        return None
    shown = dict(geometry)
    if basemap in GCJ02_BASEMAPS:
        shown = gcj02.wgs84_to_gcj02_geojson(shown)
    shown["coordinates"] = _round_coords(shown["coordinates"], decimals)
    return shown


def tooltip_html(props: Mapping[str, Any], lang: str) -> str:
    """Return a feature's tooltip: Chinese name, English name, role; all escaped."""
    name_zh = inert(props.get("name_zh"))
    name_en = inert(props.get("name_en"))
    role = inert(role_name(props.get("role"), lang))
    badge = (
        f' <span style="color:#b9770e">[{inert(t("schematic_badge", lang))}]</span>'
        if is_schematic(props)
        else ""
    )
    first, second = (name_zh, name_en) if lang == "zh" else (name_en, name_zh)
    return f"<b>{first}</b><br>{second}<br><small>{role}{badge}</small>"


def _display_feature(
    feature: Feature, basemap: str, lang: str, decimals: int, simplify: float = 0.0
) -> Feature | None:
    props = feature.get("properties") or {}
    raw = feature.get("geometry")
    if raw and simplify:
        from shapely.geometry import mapping, shape

        raw = mapping(shape(raw).simplify(simplify, preserve_topology=True))
    geometry = display_geometry(raw, basemap, decimals)
    if geometry is None or not props.get("id"):
        return None
    fid = str(props["id"])
    return {
        "type": "Feature",
        "id": fid,
        "geometry": geometry,
        "properties": {"id": fid, "tip": tooltip_html(props, lang)},
    }


def _reference_precision(stem: str) -> tuple[int, float]:
    if stem == "ref_districts":
        return _BACKGROUND_DECIMALS, _BACKGROUND_SIMPLIFY_DEG
    return _DISPLAY_DECIMALS, 0.0


def bounds_of(features: Iterable[Feature]) -> list[list[float]] | None:
    """Return ``[[south, west], [north, east]]`` of the features' WGS84 geometry, or None."""
    lons: list[float] = []
    lats: list[float] = []

    def walk(coords: Any) -> None:
        if coords and isinstance(coords[0], (int, float)):
            lons.append(float(coords[0]))
            lats.append(float(coords[1]))
        else:
            for c in coords:
                walk(c)

    for feature in features:
        geometry = feature.get("geometry")
        if geometry:
            walk(geometry["coordinates"])
    if not lons:
        return None
    return [[min(lats), min(lons)], [max(lats), max(lons)]]


def frame(
    feature: Feature, basemap: str = DEFAULT_BASEMAP, size_px: tuple[int, int] = _FRAME_PX
) -> tuple[tuple[float, float], int] | None:
    """Return ``((lat, lon), zoom)`` that frames a feature on the map, or None if unlocated.

    A line or polygon is shown one zoom level out from the largest Web-Mercator level at
    which its bounds fit in ``size_px``, so it fills between a quarter and a half of the
    map and its neighbours and district lines stay in view. A point (or a cluster of points
    a few metres across) gets :data:`POINT_ZOOM`, a street-level view with its surroundings.
    """
    geometry = display_geometry(feature.get("geometry"), basemap)
    if geometry is None:
        return None
    box = bounds_of([{"geometry": geometry}])
    if box is None:
        return None
    (south, west), (north, east) = box
    center = ((south + north) / 2, (west + east) / 2)
    width_px, height_px = size_px
    lon_span = east - west
    merc_span = math.log(math.tan(math.pi / 4 + math.radians(north) / 2)) - math.log(
        math.tan(math.pi / 4 + math.radians(south) / 2)
    )
    fits = [
        math.log2(width_px * 360 / (256 * lon_span)) if lon_span > 0 else math.inf,
        math.log2(height_px * 2 * math.pi / (256 * merc_span)) if merc_span > 0 else math.inf,
    ]
    fit = math.floor(min(fits)) if min(fits) < math.inf else math.inf
    if geometry["type"] in {"Point", "MultiPoint"} and fit >= POINT_ZOOM:
        return center, POINT_ZOOM
    zoom = fit - _CONTEXT_ZOOM_OUT
    return center, int(max(_MIN_FRAME_ZOOM, min(_MAX_FRAME_ZOOM, zoom)))


# --------------------------------------------------------------------------- the map


class OfflineMap(folium.Map):
    """A folium map that loads only Leaflet, from this app's own static files.

    folium's defaults pull jQuery, Bootstrap, Font Awesome and awesome-markers from CDNs;
    a plain vector map needs none of them, and the app must work without internet.
    """

    default_js = assets.local_js()
    default_css = assets.local_css()


class _Attribution(MacroElement):
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


@dataclass(frozen=True)
class Basemap:
    """A tile basemap: URL template, attribution and Leaflet options."""

    id: str
    url: str
    attribution: str
    subdomains: str | None = None
    max_zoom: int = 18
    overlay_url: str | None = None


def available_basemaps(env: Mapping[str, str] | None = None) -> list[str]:
    """Return the basemap ids the user can choose; Tianditu only when a key is set."""
    env = os.environ if env is None else env
    return [b for b in BASEMAPS if b != "tianditu" or env.get("TIANDITU_KEY")]


def basemap_tiles(basemap: str, env: Mapping[str, str] | None = None) -> Basemap | None:
    """Return the tile source of a basemap id (None for the offline ``none`` basemap).

    URLs and credits come from xyzservices where it has the provider; Tianditu is not in
    xyzservices, so its WMTS template is written here (its key from ``TIANDITU_KEY``).
    """
    import xyzservices.providers as xyz

    env = os.environ if env is None else env
    if basemap == "osm":
        p = xyz.OpenStreetMap.Mapnik
        return Basemap("osm", p.build_url(), OSM_ATTRIBUTION, max_zoom=19)
    if basemap == "gaode":
        p = xyz.Gaode.Normal
        return Basemap(
            "gaode",
            p.url,
            "© 高德地图 Gaode/AMap (GCJ-02)",
            subdomains="".join(p.get("subdomains", "1234")),
        )
    if basemap == "tianditu":
        key = env.get("TIANDITU_KEY")
        if not key:
            return None
        wmts = (
            "https://t{s}.tianditu.gov.cn/{layer}_w/wmts?SERVICE=WMTS&REQUEST=GetTile"
            "&VERSION=1.0.0&LAYER={layer}&STYLE=default&TILEMATRIXSET=w&FORMAT=tiles"
            "&TILEMATRIX={z}&TILEROW={y}&TILECOL={x}&tk="
        )
        return Basemap(
            "tianditu",
            wmts.replace("{layer}", "vec") + key,
            "© 天地图 Tianditu (国家地理信息公共服务平台)",
            subdomains="01234567",
            overlay_url=wmts.replace("{layer}", "cva") + key,
        )
    return None


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
    style_of: Callable[[Feature], dict[str, Any]],
    *,
    name: str,
    point_radius: float | None,
    interactive: bool,
) -> folium.GeoJson:
    marker = None
    if point_radius is not None:
        marker = folium.CircleMarker(radius=point_radius)
    return folium.GeoJson(
        {"type": "FeatureCollection", "features": features},
        name=name,
        style_function=style_of,
        marker=marker,
        zoom_on_click=False,
        interactive=interactive,
        # ``tip`` is escaped by tooltip_html; GeoJsonTooltip writes it as innerHTML.
        tooltip=folium.GeoJsonTooltip(fields=["tip"], labels=False, sticky=True)
        if interactive
        else None,
    )


def corridor_features(collections: Mapping[str, FeatureCollection]) -> list[Feature]:
    """Return the curated (non-reference) features of all layer collections."""
    out = []
    for name, collection in collections.items():
        if name.startswith("ref_"):
            continue
        for feature in collection.get("features", []):
            if (feature.get("properties") or {}).get("corridor") != "reference":
                out.append(feature)
    return out


def initial_bounds(collections: Mapping[str, FeatureCollection]) -> list[list[float]] | None:
    """Return the WGS84 bounds that frame every corridor (the app's opening view).

    Enclaves (飞地, e.g. in Hangzhou or Shanghai) are left out: framing them would shrink
    the corridors themselves to a few pixels.
    """
    box = bounds_of(
        f
        for f in corridor_features(collections)
        if (f.get("properties") or {}).get("role") != "enclave"
    )
    if box is None:
        box = bounds_of(f for c in collections.values() for f in c.get("features", []))
    return box


def _shift_bounds(box: list[list[float]], basemap: str) -> list[list[float]]:
    if basemap not in GCJ02_BASEMAPS:
        return box
    (s, w), (n, e) = box
    (w2, s2), (e2, n2) = gcj02.wgs84_to_gcj02(w, s), gcj02.wgs84_to_gcj02(e, n)
    return [[s2, w2], [n2, e2]]


def build_map(
    collections: Mapping[str, FeatureCollection],
    basemap: str = DEFAULT_BASEMAP,
    lang: str = "zh",
    env: Mapping[str, str] | None = None,
) -> folium.Map:
    """Build the base map of all corridors: overlays grouped by corridor and role.

    Parameters
    ----------
    collections
        Layer name (file stem) → FeatureCollection, as loaded from ``layers/``.
    basemap
        One of :data:`BASEMAPS`; for ``gaode`` every overlay is shifted to GCJ-02.
    lang
        ``"zh"`` or ``"en"``: tooltips and layer names.
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
        control_scale=True,
        prefer_canvas=False,
        zoom_control=True,
    )
    if tiles is not None:
        _add_tiles(m, tiles)

    for stem, names, shown, style in _REFERENCE_LAYERS:
        collection = collections.get(stem)
        if not collection:
            continue
        drawn = [
            f
            for f in (
                _display_feature(x, basemap, lang, *_reference_precision(stem))
                for x in collection.get("features", [])
                # Of the airports only the runways: 194 taxiways are noise at corridor scale.
                if stem != "ref_aeroways" or (x.get("properties") or {}).get("role") == "runway"
            )
            if f is not None
        ]
        if not drawn:
            continue
        is_point = drawn[0]["geometry"]["type"] == "Point"
        group = folium.FeatureGroup(name=inert(names[lang]), show=shown)
        _geojson_layer(
            drawn,
            lambda _f, s=style: (
                {k: v for k, v in s.items() if k != "radius"} | {"interactive": False}
            ),
            name=stem,
            point_radius=style.get("radius") if is_point else None,
            interactive=is_point,
        ).add_to(group)
        group.add_to(m)

    grouped: dict[tuple[str, str], list[Feature]] = {}
    styles: dict[str, dict[str, Any]] = {}
    for feature in corridor_features(collections):
        props = feature.get("properties") or {}
        group_id = role_group(props.get("role"))
        drawn = _display_feature(feature, basemap, lang, 6)
        if group_id is None or drawn is None:
            continue
        styles[drawn["id"]] = feature_style(props)
        grouped.setdefault((group_id, str(props.get("corridor"))), []).append(drawn)

    corridors = sorted({c for _, c in grouped})
    for group_id, _roles, group_names in ROLE_GROUPS:
        for corridor in corridors:
            drawn = grouped.get((group_id, corridor))
            if not drawn:
                continue
            # Points in polygon groups (city-level enclaves, zone points) get a circle too:
            # Leaflet's default marker is a 25 × 41 px image that covers its neighbours.
            radius = _ROLE_STYLE[group_id].get("radius", _ROLE_STYLE["platforms"]["radius"])
            # Leaflet's layer control writes names as HTML: a corridor id from a layer
            # file must not become markup there.
            label = inert(f"{corridor_name(corridor, lang)} · {group_names[lang]}")
            group = folium.FeatureGroup(name=label, show=True)
            _geojson_layer(
                drawn,
                lambda f: styles[f["id"]],
                name=f"{corridor}-{group_id}",
                point_radius=radius,
                interactive=True,
            ).add_to(group)
            group.add_to(m)

    if any(stem.startswith("ref_") and stem != "ref_districts" for stem in collections):
        _Attribution(OSM_ATTRIBUTION).add_to(m)
    folium.LayerControl(collapsed=True, position="topright").add_to(m)

    box = initial_bounds(collections)
    if box is not None:
        m.fit_bounds(_shift_bounds(box, basemap))
    return m


def highlight_group(feature: Feature | None, basemap: str = DEFAULT_BASEMAP) -> folium.FeatureGroup:
    """Return the feature group that outlines the selected feature (empty when none).

    It is sent with ``feature_group_to_add`` so that selecting only redraws this group.
    """
    group = folium.FeatureGroup(name="selection", control=False)
    if feature is None:
        return group
    geometry = display_geometry(feature.get("geometry"), basemap)
    if geometry is None:
        return group
    fid = str((feature.get("properties") or {}).get("id", ""))
    data = {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "id": fid, "geometry": geometry, "properties": {"id": fid}}
        ],
    }
    marker = folium.CircleMarker(radius=HIGHLIGHT_STYLE["radius"])
    folium.GeoJson(
        data,
        style_function=lambda _f: {k: v for k, v in HIGHLIGHT_STYLE.items() if k != "radius"},
        marker=marker if geometry["type"] in {"Point", "MultiPoint"} else None,
        interactive=False,
        zoom_on_click=False,
    ).add_to(group)
    return group


# --------------------------------------------------------------------------- streamlit


RETURNED_OBJECTS = ("last_active_drawing", "last_object_clicked")


def show_map(
    m: folium.Map,
    highlight: folium.FeatureGroup,
    view: tuple[tuple[float, float], int] | None,
    *,
    key: str,
    state: Any,
    on_select: Callable[[str], None] | None = None,
    height: int = MAP_HEIGHT_PX,
) -> str | None:
    """Render the cached map with ``st_folium`` and return the id of a newly clicked feature.

    Only the selection outline, centre and zoom change between reruns, so the component
    keeps its map. Panning and zooming do not rerun the script: only a click on a feature
    (``last_active_drawing`` / ``last_object_clicked``) is returned.

    Parameters
    ----------
    m
        The cached base map from :func:`build_map` (left unchanged).
    highlight
        From :func:`highlight_group`.
    view
        ``((lat, lon), zoom)`` from :func:`frame`, or None to leave the view alone.
    key
        Streamlit widget key.
    state
        A mutable mapping (the session state) used to tell a new click from an old one.
    on_select
        Called with the clicked feature's id *before* the script reruns (st_folium's
        ``on_change``), so the highlight and panel follow the click in the same run.
    height
        Map height in pixels.

    Returns
    -------
    str or None
        The id of the feature the user just clicked, else None.
    """

    def _on_change() -> None:
        fid = clicked_feature_id(state.get(key), state)
        if fid and on_select is not None:
            on_select(fid)

    out = _st_folium(
        m,
        highlight,
        key=key,
        returned=RETURNED_OBJECTS,
        height=height,
        view=view,
        on_change=_on_change,
    )
    return clicked_feature_id(out, state)


def _st_folium(
    m: folium.Map,
    group: folium.FeatureGroup,
    *,
    key: str,
    returned: Sequence[str],
    height: int,
    view: tuple[tuple[float, float], int] | None,
    on_change: Callable[[], None] | None = None,
) -> Mapping[str, Any] | None:
    from streamlit_folium import st_folium

    center, zoom = view if view is not None else (None, None)
    # Rendering mutates folium elements (ids, children), and a re-rendered map emits stale
    # references; a fresh copy of the cached map renders the same script every rerun, so
    # the component keeps its map and only the group sent alongside it changes.
    return st_folium(
        copy.deepcopy(m),
        key=key,
        height=height,
        use_container_width=True,
        returned_objects=list(returned),
        feature_group_to_add=group,
        center=center,
        zoom=zoom,
        on_change=on_change,
    )


def clicked_feature_id(out: Mapping[str, Any] | None, state: dict[str, Any]) -> str | None:
    """Return the id of a feature clicked since the last call, from ``st_folium``'s value."""
    if not out:
        return None
    drawing = out.get("last_active_drawing")
    signature = json.dumps(
        [out.get("last_object_clicked"), drawing], sort_keys=True, ensure_ascii=False
    )
    if state.get("_cm_last_click") == signature:
        return None
    state["_cm_last_click"] = signature
    if not drawing:
        return None
    fid = (drawing.get("properties") or {}).get("id")
    return str(fid) if fid else None


def stable_script(m: folium.Map) -> str:
    """Return the map's Leaflet script as st_folium sends it (for cache/no-remount checks)."""
    from streamlit_folium import _get_map_string

    fresh = copy.deepcopy(m)
    fresh.get_root().render()
    return _get_map_string(fresh)


def page_links(m: folium.Map) -> Sequence[str]:
    """Return every script and stylesheet URL the map asks the browser to load."""
    from branca.element import Element

    links: list[str] = []

    def walk(element: Element) -> None:
        links.extend(url for _, url in getattr(element, "default_js", []))
        links.extend(url for _, url in getattr(element, "default_css", []))
        for child in getattr(element, "_children", {}).values():
            walk(child)

    walk(m)
    return list(dict.fromkeys(links))


def layer_collections(atlas: Any) -> dict[str, FeatureCollection]:
    """Return an atlas's layers as GeoJSON dicts keyed by file stem (for :func:`build_map`)."""
    from shapely.geometry import mapping

    collections: dict[str, FeatureCollection] = {}
    for feature in atlas:
        stem = feature.file.removesuffix(".geojson")
        collection = collections.setdefault(stem, {"type": "FeatureCollection", "features": []})
        geometry = None if feature.geometry is None else mapping(feature.geometry)
        collection["features"].append(
            {"type": "Feature", "geometry": geometry, "properties": feature.properties}
        )
    return collections


def find_feature(atlas: Any, feature_id: str | None) -> Feature | None:
    """Return one atlas feature as a GeoJSON dict (for highlight/framing), or None."""
    from shapely.geometry import mapping

    if not feature_id or feature_id not in atlas:
        return None
    feature = atlas.get(feature_id)
    geometry = None if feature.geometry is None else mapping(feature.geometry)
    return {"type": "Feature", "geometry": geometry, "properties": feature.properties}


# --------------------------------------------------------------------------- overlays


def overlay_group(
    geometries: Sequence[Mapping[str, Any] | None],
    basemap: str,
    style: Mapping[str, Any],
    name: str = "overlay",
) -> folium.FeatureGroup:
    """Return a non-interactive feature group drawing WGS84 geometries over ``basemap``.

    Used for routes, isochrones and sketches sent with ``feature_group_to_add``.
    """
    group = folium.FeatureGroup(name=name, control=False)
    for index, geometry in enumerate(geometries):
        shown = display_geometry(geometry, basemap)
        if shown is None:
            continue
        point = shown["type"] in {"Point", "MultiPoint"}
        folium.GeoJson(
            {"type": "Feature", "id": f"{name}-{index}", "geometry": shown, "properties": {}},
            style_function=lambda _f: dict(style) | {"interactive": False},
            marker=folium.CircleMarker(radius=4) if point else None,
            interactive=False,
        ).add_to(group)
    return group


def geojson_geometries(data: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Return the geometries of a GeoJSON FeatureCollection, Feature or bare geometry.

    For drawing an upload that :func:`corridor_map.measure.measure_geojson` has already
    accepted; features without geometry are skipped.
    """
    kind = data.get("type")
    if kind == "FeatureCollection":
        return [g for f in data.get("features") or [] for g in geojson_geometries(f)]
    if kind == "Feature":
        geometry = data.get("geometry")
        return [dict(geometry)] if isinstance(geometry, Mapping) else []
    if kind == "GeometryCollection":
        return [g for part in data.get("geometries") or [] for g in geojson_geometries(part)]
    return [dict(data)] if "coordinates" in data else []


def sketch_geometry(points: Sequence[Sequence[float]], mode: str) -> dict[str, Any] | None:
    """Return the GeoJSON geometry of clicked ``(lon, lat)`` points: line or closed polygon.

    Fewer than two points (three for a polygon) give the points themselves.
    """
    coords = [[float(x), float(y)] for x, y in points]
    if mode == "polygon" and len(coords) >= 3:
        return {"type": "Polygon", "coordinates": [[*coords, coords[0]]]}
    if len(coords) >= 2:
        return {"type": "LineString", "coordinates": coords}
    if coords:
        return {"type": "MultiPoint", "coordinates": coords}
    return None


def to_wgs84_points(points: Sequence[Sequence[float]], basemap: str) -> list[list[float]]:
    """Return map-clicked ``(lon, lat)`` points in WGS84 (undoing the Gaode display shift)."""
    if basemap not in GCJ02_BASEMAPS:
        return [[float(x), float(y)] for x, y in points]
    return [list(gcj02.gcj02_to_wgs84(float(x), float(y))) for x, y in points]


def clicked_point(
    out: Mapping[str, Any] | None, state: Any, key: str
) -> tuple[float, float] | None:
    """Return a new map click as ``(lon, lat)`` in display coordinates, else None."""
    if not out or not out.get("last_clicked"):
        return None
    clicked = out["last_clicked"]
    signature = json.dumps(clicked, sort_keys=True)
    if state.get(key) == signature:
        return None
    state[key] = signature
    return float(clicked["lng"]), float(clicked["lat"])


def show_overlay_map(
    m: folium.Map,
    overlay: folium.FeatureGroup,
    *,
    key: str,
    returned: Sequence[str] = (),
    height: int = MAP_HEIGHT_PX,
    view: tuple[tuple[float, float], int] | None = None,
) -> Mapping[str, Any] | None:
    """Render the cached base map with an overlay group; return st_folium's value.

    ``returned`` limits what reruns the script (``()``: nothing does; ``last_clicked``
    for sketching). ``view`` (from :func:`frame`) recentres the map on what is shown.
    """
    return _st_folium(m, overlay, key=key, returned=returned, height=height, view=view)
