"""How the map looks: corridor colours, role groups, feature and context styles, legend.

No folium here: the styles are data, used by the folium build (:mod:`.build`), the
component's legend and the printed map.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from corridor_map.core.i18n import corridor_name, t
from corridor_map.core.markup import inert
from corridor_map.core.vocab import CORRIDORS

Feature = dict[str, Any]


FeatureCollection = dict[str, Any]


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


POINT_TYPES = frozenset({"Point", "MultiPoint"})


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


def point_style(style: Mapping[str, Any], group: str) -> dict[str, Any]:
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
            style = point_style(style, group)
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
