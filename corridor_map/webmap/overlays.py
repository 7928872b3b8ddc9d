"""Geometry for display: the drawn features (GCJ-02 shifted for Gaode), bounds, sketches.

What the map draws over the basemap is computed here without folium: the features' display
geometry, the opening bounds, uploaded and sketched shapes in WGS84 and back.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from corridor_map.webmap.basemaps import DEFAULT_BASEMAP, GCJ02_BASEMAPS
from corridor_map.webmap.style import Feature, FeatureCollection


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


def display_feature(
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


def merged_lines(
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
    return None if box is None else shift_bounds(box, basemap)


def shift_bounds(box: list[list[float]], basemap: str) -> list[list[float]]:
    if basemap not in GCJ02_BASEMAPS:
        return box
    (s, w), (n, e) = box
    from corridor_map.geo import gcj02  # numpy and shapely: not before the map is sent

    (w2, s2), (e2, n2) = gcj02.wgs84_to_gcj02(w, s), gcj02.wgs84_to_gcj02(e, n)
    return [[s2, w2], [n2, e2]]


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
