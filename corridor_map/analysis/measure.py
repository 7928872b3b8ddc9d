"""Measuring features and uploads: geodesic figures beside the documents' stated ones.

The geodesy itself (:class:`pyproj.Geod` on WGS84, the metric projection, the position
walker) lives in :mod:`corridor_map.geo.geodesy`; its names are re-exported here for callers
that import them from this module.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import Any

import shapely
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry

from corridor_map.atlas.model import Atlas, Feature, load_atlas
from corridor_map.core.errors import CorridorMapError, UnknownFeatureError
from corridor_map.core.records import StatedFigure
from corridor_map.core.vocab import AREA_UNITS_KM2 as _AREA_UNITS_KM2
from corridor_map.core.vocab import LENGTH_UNITS_KM as _LENGTH_UNITS_KM
from corridor_map.geo.geodesy import (
    COORDINATE_DEPTH,
    PositionError,
    geodesic_measure,
    iter_positions,
)

__all__ = [
    "DEFAULT_MAX_BYTES",
    "MeasureInputError",
    "feature_properties",
    "measure_all",
    "measure_feature",
    "measure_geojson",
    "measure_shapes",
    "stated_vs_measured",
]

# ---------------------------------------------------------------------------- features


class MeasureInputError(CorridorMapError):
    """An uploaded or drawn GeoJSON cannot be measured; the message says why and where."""


DEFAULT_MAX_BYTES = 5_000_000

_NOT_COMPARABLE = {
    "floor_area": (
        "建筑面积不是用地面积，无法与图形面积比较",
        "a floor area is not a land area: not comparable with the mapped shape",
    ),
    "travel_time": (
        "通行时间由出行目标评估（corridor-map targets）",
        "a travel time is evaluated by the travel targets (corridor-map targets)",
    ),
}


def _layer_features(atlas: Atlas | None) -> dict[str, Feature]:
    return (atlas if atlas is not None else load_atlas()).features


def _dissolved(geometry: BaseGeometry | None) -> BaseGeometry | None:
    """Merge overlapping polygon parts so that no area counts twice (as the atlas does)."""
    if geometry is not None and geometry.geom_type == "MultiPolygon":
        return shapely.union_all(geometry)
    return geometry


def measure_feature(feature_id: str, atlas: Atlas | None = None) -> dict[str, Any]:
    """Measure one feature of the layers geodesically.

    ``atlas`` is the layers (default :func:`~corridor_map.atlas.model.load_atlas`).

    Returns
    -------
    dict
        ``id``, ``name_zh``, ``name_en``, ``layer``, ``geometry_type`` (None when
        unlocated), ``area_km2``, ``perimeter_km``, ``length_km``, ``geometry_basis``,
        ``precision_m``, ``stated`` (the feature's stated figures, unchanged).

    Raises
    ------
    UnknownFeatureError
        When no feature has this id.
    """
    features = _layer_features(atlas)
    if feature_id not in features:
        raise UnknownFeatureError(feature_id)
    found = features[feature_id]
    m = geodesic_measure(_dissolved(found.geometry))
    props = found.properties
    return {
        "id": feature_id,
        "name_zh": props.get("name_zh"),
        "name_en": props.get("name_en"),
        "layer": found.file,
        "geometry_type": found.geometry.geom_type if found.geometry is not None else None,
        "area_km2": m.area_km2,
        "perimeter_km": m.perimeter_km,
        "length_km": m.length_km,
        "geometry_basis": props.get("geometry_basis"),
        "precision_m": props.get("precision_m"),
        "stated": found.stated,
    }


def measure_all(
    include_reference: bool = False, atlas: Atlas | None = None
) -> list[dict[str, Any]]:
    """Measure every feature of the curated layers (and the reference ones if asked).

    Returns one :func:`measure_feature` dict per feature, in layer and file order.
    """
    return [
        measure_feature(fid, atlas)
        for fid, found in _layer_features(atlas).items()
        if include_reference or found.properties.get("corridor") != "reference"
    ]


def stated_vs_measured(atlas: Atlas | None = None) -> list[dict[str, Any]]:
    """Put every figure the documents state on a feature beside the geodesic measure.

    ``atlas`` is the layers (default :func:`~corridor_map.atlas.model.load_atlas`).

    Returns
    -------
    list of dict
        One row per stated figure: ``feature_id``, ``name_zh``, ``name_en``,
        ``quantity``, ``stated_value``, ``unit``, ``stated_text``, ``source``,
        ``measured_value`` and ``measured_unit`` (None when not comparable),
        ``difference_pct`` ((measured − stated) / stated × 100), ``comparable``, and
        ``target_ids`` (travel times only: the targets that evaluate it), and
        ``note_zh`` / ``note_en``: why a figure is not compared (a floor area is not a land
        area; a travel time is evaluated by the targets; an unlocated feature has nothing to
        measure), or how far the geometry can be trusted (``geometry_basis``,
        ``precision_m``: a schematic outline gives an indicative difference only).
    """
    rows = []
    atlas = atlas if atlas is not None else load_atlas()
    for fid, found in atlas.features.items():
        for stated in found.stated:
            rows.append(_compare(atlas, fid, found.properties, found.geometry, stated))
    return rows


def _compare(
    atlas: Atlas,
    fid: str,
    props: dict[str, Any],
    geometry: BaseGeometry | None,
    stated: StatedFigure,
) -> dict[str, Any]:
    quantity = stated.get("quantity")
    unit = stated.get("unit")
    value = stated.get("value")
    row: dict[str, Any] = {
        "feature_id": fid,
        "name_zh": props.get("name_zh"),
        "name_en": props.get("name_en"),
        "quantity": quantity,
        "stated_value": value,
        "unit": unit,
        "stated_text": stated.get("text"),
        "source": stated.get("source"),
        "measured_value": None,
        "measured_unit": None,
        "difference_pct": None,
        "comparable": False,
        "geometry_basis": props.get("geometry_basis"),
        "precision_m": props.get("precision_m"),
        "note_zh": "",
        "note_en": "",
    }
    if quantity in _NOT_COMPARABLE:
        row["note_zh"], row["note_en"] = _NOT_COMPARABLE[quantity]
        if quantity == "travel_time":
            row["target_ids"] = _targets_for(atlas, fid, stated)
        return row
    if geometry is None or geometry.is_empty:
        row["note_zh"] = "要素未定位，无法量算"
        row["note_en"] = "the feature is unlocated: nothing to measure"
        return row
    measure = geodesic_measure(_dissolved(geometry))
    polygonal = geometry.geom_type in {"Polygon", "MultiPolygon"}
    # A figure that is not a number (validate refuses it) is not compared.
    number = value if isinstance(value, int | float) else None
    if number is not None and quantity == "area" and unit in _AREA_UNITS_KM2 and polygonal:
        stated_km = float(number) * _AREA_UNITS_KM2[unit]
        measured, measured_unit = measure.area_km2, "km²"
    elif (
        number is not None
        and quantity == "length"
        and unit in _LENGTH_UNITS_KM
        and measure.length_km > 0
    ):
        stated_km = float(number) * _LENGTH_UNITS_KM[unit]
        measured, measured_unit = measure.length_km, "km"
    else:
        row["note_zh"] = f"{quantity}（{unit}）无法与 {geometry.geom_type} 几何比较"
        row["note_en"] = f"{quantity} in {unit} cannot be compared with a {geometry.geom_type}"
        return row
    # Report the measure in the stated unit's scale so the two figures sit side by side.
    scale = _AREA_UNITS_KM2.get(unit, 1.0) if quantity == "area" else _LENGTH_UNITS_KM[unit]
    row["measured_value"] = round(measured / scale, 3)
    row["measured_unit"] = unit if unit else measured_unit
    row["difference_pct"] = round((measured - stated_km) / stated_km * 100.0, 2)
    row["comparable"] = True
    basis = props.get("geometry_basis")
    if basis != "admin_boundary":
        row["note_zh"] = (
            f"几何为 {basis}（精度约 {props.get('precision_m')} m）；示意轮廓若按文件面积绘制，"
            "相符是必然的，差值仅供参考"
        )
        row["note_en"] = (
            f"geometry is {basis} (about {props.get('precision_m')} m); a schematic outline "
            "sized to the stated figure agrees by construction: the difference is indicative only"
        )
    return row


def _targets_for(atlas: Atlas, fid: str, stated: StatedFigure) -> list[str]:
    """Ids of the travel targets that evaluate a stated travel time (same excerpt and value)."""
    from corridor_map.travel.targets import load_targets, target_features

    source = stated.get("source") or {}
    found = []
    for target in load_targets(atlas):
        if stated.get("value") is not None and float(stated["value"]) != float(
            target["threshold_min"]
        ):
            continue
        quoted = any(
            s.get("doc") == source.get("doc") and str(source.get("quote", "")) in s.get("quote", "")
            for s in target.get("sources") or []
        )
        named = fid == target.get("requires_planned_link") or fid in target_features(
            atlas, target.get("origins")
        ) + target_features(atlas, target.get("destinations"))
        if quoted or named:
            found.append(target["id"])
    return found


# ---------------------------------------------------------------------------- uploads


def measure_geojson(
    data: bytes | str | dict[str, Any],
    max_bytes: int = DEFAULT_MAX_BYTES,
    name: str = "upload",
) -> dict[str, Any]:
    """Validate and measure an uploaded GeoJSON file or a drawn shape.

    Parameters
    ----------
    data
        The raw bytes or text of a file, or an already parsed GeoJSON dict (a
        FeatureCollection, a Feature or a bare geometry). Coordinates must be WGS84
        lon/lat: shapes drawn over GCJ-02 tiles are converted back before measuring.
    max_bytes
        Larger inputs are refused before parsing (a dict: its compact JSON size).
    name
        What to call the input in messages (e.g. the uploaded file's name).

    Returns
    -------
    dict
        ``features``: one dict per feature (``index``, ``id``, ``name``,
        ``geometry_type``, ``area_km2``, ``perimeter_km``, ``length_km``, ``warnings``);
        ``totals`` (``count``, ``area_km2``, ``perimeter_km``, ``length_km``);
        ``warnings``; ``method``.

    Raises
    ------
    MeasureInputError
        With a message naming the input and the feature index / field at fault: too large,
        not UTF-8, not JSON, not GeoJSON, a bad coordinate, out of the WGS84 range (with a
        hint when lat/lon look swapped or the numbers look like projected metres).
    """
    parsed = _parse_upload(data, max_bytes, name)
    features = _upload_features(parsed, name)
    shapes = []
    for index, raw in enumerate(features):
        where = f"{name} feature #{index}"
        props = feature_properties(raw, where)
        shapes.append((props, _upload_geometry(raw.get("geometry"), where)))
    return measure_shapes(shapes, name)


def feature_properties(raw: Any, where: str) -> dict[str, Any]:
    """Return an uploaded Feature's properties (its top-level ``id`` kept), or refuse it."""
    if not isinstance(raw, dict) or raw.get("type") != "Feature":
        raise MeasureInputError(f"{where}: 不是 Feature / not a GeoJSON Feature")
    props = raw.get("properties") or {}
    if not isinstance(props, dict):
        raise MeasureInputError(f"{where}: properties 必须是对象 / properties must be an object")
    if "id" not in props and raw.get("id") is not None:
        props = {**props, "id": raw["id"]}
    return props


def measure_shapes(
    features: Iterable[tuple[dict[str, Any], BaseGeometry | None]], name: str = "upload"
) -> dict[str, Any]:
    """Measure already checked WGS84 geometries with their properties (as
    :func:`measure_geojson` returns); :mod:`corridor_map.analysis.uploads` calls it directly."""
    rows = []
    warnings: list[str] = []
    for index, (props, geometry) in enumerate(features):
        where = f"{name} feature #{index}"
        own_warnings = []
        if geometry is None:
            own_warnings.append(f"{where}: 无几何 / no geometry")
        elif not geometry.is_valid:
            from shapely.validation import explain_validity

            own_warnings.append(
                f"{where}: 几何自相交或无效，面积可能不准 / invalid geometry, the area may be "
                f"wrong: {explain_validity(geometry)}"
            )
        m = geodesic_measure(geometry)
        rows.append(
            {
                "index": index,
                "id": props.get("id"),
                "name": props.get("name_zh") or props.get("name"),
                "geometry_type": geometry.geom_type if geometry is not None else None,
                "area_km2": m.area_km2,
                "perimeter_km": m.perimeter_km,
                "length_km": m.length_km,
                "warnings": own_warnings,
            }
        )
        warnings.extend(own_warnings)
    return {
        "name": name,
        "features": rows,
        "totals": {
            "count": len(rows),
            "area_km2": sum(r["area_km2"] for r in rows),
            "perimeter_km": sum(r["perimeter_km"] for r in rows),
            "length_km": sum(r["length_km"] for r in rows),
        },
        "warnings": warnings,
        "method": "pyproj.Geod(ellps='WGS84') geodesic area / perimeter / length",
    }


def _parse_upload(data: bytes | str | dict[str, Any], max_bytes: int, name: str) -> Any:
    if isinstance(data, dict):
        # A drawn shape arrives parsed; its serialized size stands in for a file's.
        try:
            size = len(json.dumps(data, separators=(",", ":")).encode("utf-8"))
        except (TypeError, ValueError) as exc:
            raise MeasureInputError(f"{name}: 不是 JSON 数据 / not JSON data: {exc}") from exc
        if size > max_bytes:
            raise MeasureInputError(
                f"{name}: 图形过大 / shape too large: {size:,} bytes > limit {max_bytes:,}"
            )
        return data
    if isinstance(data, str):
        data = data.encode("utf-8")
    if not isinstance(data, bytes | bytearray):
        raise MeasureInputError(
            f"{name}: 不支持的输入类型 / unsupported input {type(data).__name__}"
        )
    if len(data) > max_bytes:
        raise MeasureInputError(
            f"{name}: 文件过大 / file too large: {len(data):,} bytes > limit {max_bytes:,}"
        )
    if not data.strip():
        raise MeasureInputError(f"{name}: 文件为空 / file is empty")
    try:
        text = bytes(data).decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise MeasureInputError(f"{name}: 不是 UTF-8 文本 / not UTF-8 text ({exc.reason})") from exc
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise MeasureInputError(
            f"{name}: 不是有效的 JSON / not valid JSON: {exc.msg} "
            f"(line {exc.lineno}, column {exc.colno})"
        ) from exc
    except RecursionError:
        # json's decoder recurses per nesting level; no GeoJSON nests this deep
        raise MeasureInputError(
            f"{name}: 不是有效的 JSON / not valid JSON: nested too deeply"
        ) from None


_GEOMETRY_TYPES = {*COORDINATE_DEPTH, "GeometryCollection"}


def _upload_features(parsed: Any, name: str) -> list[Any]:
    if not isinstance(parsed, dict) or "type" not in parsed:
        raise MeasureInputError(f"{name}: 不是 GeoJSON 对象 / not a GeoJSON object (no 'type')")
    crs = parsed.get("crs")
    if crs is not None:
        crs_name = (
            str((crs.get("properties") or {}).get("name", "")) if isinstance(crs, dict) else ""
        )
        if not any(key in crs_name for key in ("CRS84", "4326")):
            raise MeasureInputError(
                f"{name}: 坐标系 {crs_name or crs!r} 不是 WGS84 / crs is not WGS84 lon/lat "
                "(EPSG:4326); reproject before uploading"
            )
    kind = parsed["type"]
    if not isinstance(kind, str):
        raise MeasureInputError(f"{name}: 未知 GeoJSON 类型 / unknown GeoJSON type {kind!r}")
    if kind == "FeatureCollection":
        features = parsed.get("features")
        if not isinstance(features, list):
            raise MeasureInputError(
                f"{name}: FeatureCollection 缺少 features 列表 / no features list"
            )
        return features
    if kind == "Feature":
        return [parsed]
    if kind in _GEOMETRY_TYPES:
        return [{"type": "Feature", "properties": {}, "geometry": parsed}]
    raise MeasureInputError(f"{name}: 未知 GeoJSON 类型 / unknown GeoJSON type {kind!r}")


def _upload_geometry(raw: Any, where: str) -> BaseGeometry | None:
    if raw is None:
        return None
    _check_geometry_type(raw, where)
    positions = list(_positions(raw, where))
    _check_range(positions, where)
    try:
        geometry = shape(raw)
    except (ValueError, TypeError, AttributeError, KeyError, IndexError) as exc:
        raise MeasureInputError(f"{where}: 几何无法构建 / malformed geometry: {exc}") from exc
    return geometry


def _check_geometry_type(raw: Any, where: str) -> None:
    kind = raw.get("type") if isinstance(raw, dict) else type(raw).__name__
    if not isinstance(kind, str) or kind not in _GEOMETRY_TYPES:
        raise MeasureInputError(f"{where}: 未知几何类型 / unknown geometry type {kind!r}")
    if kind == "GeometryCollection" and not isinstance(raw.get("geometries"), list):
        raise MeasureInputError(
            f"{where}: GeometryCollection 缺少 geometries 列表 / has no geometries list"
        )


def _positions(raw: dict[str, Any], where: str) -> Iterator[tuple[float, float]]:
    if raw["type"] == "GeometryCollection":
        for part in raw["geometries"]:
            # shapely cannot build a collection with a null or malformed member either
            _check_geometry_type(part, where)
            yield from _positions(part, where)
        return
    depth = COORDINATE_DEPTH[raw["type"]]
    if "coordinates" not in raw:
        raise MeasureInputError(f"{where}: {raw['type']} 缺少 coordinates / has no coordinates")

    try:
        yield from iter_positions(raw["coordinates"], depth)
    except PositionError as exc:
        if exc.reason == "position":
            raise MeasureInputError(
                f"{where}: 坐标无效 / invalid position {exc.value!r}: expected [lon, lat] numbers"
            ) from None
        raise MeasureInputError(
            f"{where}: coordinates 嵌套层级不对 / coordinates nested wrongly for {raw['type']}"
        ) from None


def _check_range(positions: list[tuple[float, float]], where: str) -> None:
    bad = [(x, y) for x, y in positions if not (-180 <= x <= 180 and -90 <= y <= 90)]
    if not bad:
        return
    x, y = bad[0]
    if all(abs(px) <= 90 and abs(py) <= 180 for px, py in positions):
        hint = (
            "看起来是 (纬度, 经度) 顺序；GeoJSON 要求 (经度, 纬度) / looks like (lat, lon): "
            "GeoJSON wants (lon, lat) — swap the two numbers"
        )
    elif any(abs(px) > 1000 or abs(py) > 1000 for px, py in positions):
        hint = (
            "数值像投影坐标（米），不是 WGS84 经纬度 / numbers look like projected metres, "
            "not WGS84 degrees — reproject to EPSG:4326"
        )
    else:
        hint = "经度须在 ±180、纬度须在 ±90 之间 / lon must be within ±180 and lat within ±90"
    raise MeasureInputError(
        f"{where}: 坐标超出 WGS84 范围 / coordinate out of WGS84 range ({x}, {y}); {hint}"
    )
