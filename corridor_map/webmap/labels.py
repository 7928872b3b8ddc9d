"""The map's labels: corridors first, then zones, blocks and points as the user zooms.

Placed greedily in the browser (the component), in the rank order given here; reference
names (districts, towns, stations) last.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

from corridor_map.core.i18n import corridor_name
from corridor_map.webmap.basemaps import GCJ02_BASEMAPS
from corridor_map.webmap.overlays import corridor_features
from corridor_map.webmap.style import Feature, FeatureCollection, role_group

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

    if name_zh.endswith("火车站"):  # the city's railway station the line starts at
        return (
            "".join(lazy_pinyin(name_zh.removesuffix("火车站"))).capitalize() + " Railway Station"
        )
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


def identified_places(travel_targets: Mapping[str, Any] | None) -> dict[str, dict[str, str]]:
    """Places the data identifies by name: feature id → ``{"zh", "en"}`` of the named place.

    ``travel_targets.json``'s ``rail_services`` names the stations behind a document's
    "动车站" with their features in the layers (温州南 → ``wenzhou-south-station``); the
    map labels such a feature with both names.
    """
    block = (travel_targets or {}).get("rail_services")
    stations = block.get("stations") if isinstance(block, Mapping) else None
    out: dict[str, dict[str, str]] = {}
    for entry in stations if isinstance(stations, list) else []:
        if isinstance(entry, Mapping) and entry.get("feature") and entry.get("name_zh"):
            name_en = str(entry.get("name_en") or entry["name_zh"])
            out[str(entry["feature"])] = {
                "zh": f"{entry['name_zh']}站",
                "en": f"{name_en} Station",
            }
    return out


def label_records(
    collections: Mapping[str, FeatureCollection],
    basemap: str,
    lang: str,
    identified: Mapping[str, Mapping[str, str]] | None = None,
) -> list[dict[str, Any]]:
    """Return the map's labels in placement order: the component places them greedily.

    Each record has the display position, ``rank`` (smaller wins a collision: extents,
    cores and zones before key blocks and points, context last), ``minZoom`` (a shape is
    labelled once it is about 30 px across, points from a zoom that depends on their
    role), an optional ``maxZoom`` (corridor extents give way to their zones) and ``kind``
    (``area``: centred on the shape; ``point``: beside the symbol; ``context``).
    ``identified`` (from :func:`identified_places`) adds the named place to a feature's
    label: "动车站 · 温州南站".
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
        known = (identified or {}).get(str(props.get("id")))
        if known and known.get(lang) and known[lang] != text:
            text = f"{text} · {known[lang]}"  # the document's word, then the place
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
