"""The coordinate system of an upload: the file's own or the one declared, checked
against the coordinates (degrees or metres, where the system is used), and a converter
to WGS84 (pyproj; GCJ-02 and BD-09 through :mod:`corridor_map.geo.gcj02`).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import shapely
from pyproj import CRS, Transformer
from pyproj.exceptions import CRSError, ProjError
from shapely.geometry.base import BaseGeometry

from corridor_map.analysis.upload_notes import Note, UploadError
from corridor_map.geo import gcj02

__all__ = ["OFFSET_SYSTEMS", "declared_crs", "describe_crs", "resolve_crs"]

OFFSET_SYSTEMS = ("GCJ-02", "BD-09")
WGS84 = CRS.from_epsg(4326)


def declared_crs(crs: str | None, name: str) -> str | CRS | None:
    if crs is None or crs.strip().lower() in {"", "auto"}:
        return None
    text = crs.strip()
    for system in OFFSET_SYSTEMS:
        if text.upper().replace("_", "-").replace("BD09", "BD-09").replace("GCJ02", "GCJ-02") == (
            system
        ):
            return system
    try:
        return CRS.from_user_input(text)
    except CRSError:
        raise UploadError(
            name,
            f"无法识别所选坐标系 {text!r}"
            "（可用 EPSG:4326、EPSG:4490、GCJ-02、BD-09、EPSG:4528 等）",
            f"unknown coordinate system {text!r} (use EPSG:4326, EPSG:4490, GCJ-02, BD-09, "
            "EPSG:4528 …)",
        ) from None


def describe_crs(crs: CRS) -> str:
    """Return ``"EPSG:4528 CGCS2000 / 3-degree Gauss-Kruger zone 40"`` (or the name only)."""
    epsg = crs.to_epsg(min_confidence=70)
    return f"EPSG:{epsg} {crs.name}" if epsg else crs.name


def _bounds(
    features: list[tuple[dict[str, Any], BaseGeometry | None]],
) -> tuple[float, float, float, float] | None:
    geoms = [g for _, g in features if g is not None and not g.is_empty]
    if not geoms:
        return None
    box = shapely.total_bounds(np.array(geoms, dtype=object))
    return float(box[0]), float(box[1]), float(box[2]), float(box[3])


def _num(value: float) -> str:
    if abs(value) >= 1e9 or not math.isfinite(value):
        return f"{value:.6g}"
    return f"{value:.0f}" if abs(value) >= 1000 else f"{value:.6f}".rstrip("0").rstrip(".")


def _found(box: tuple[float, float, float, float]) -> tuple[str, str]:
    x0, y0, x1, y1 = box
    text = f"x {_num(x0)}…{_num(x1)}, y {_num(y0)}…{_num(y1)}"
    return f"坐标范围 {text}", f"coordinates span {text}"


def _in_degrees(box: tuple[float, float, float, float]) -> bool:
    x0, y0, x1, y1 = box
    return x0 >= -180 and x1 <= 180 and y0 >= -90 and y1 <= 90


def _guess(box: tuple[float, float, float, float]) -> tuple[str, str]:
    """What the numbers look like, as a hint for the user."""
    x0, y0, x1, y1 = box
    if _in_degrees(box):
        return "看起来是经纬度", "looks like longitude/latitude degrees"
    if _in_degrees((y0, x0, y1, x1)):
        return (
            "看起来是经纬度但顺序颠倒（纬度, 经度）",
            "looks like degrees in (lat, lon) order: swap the columns",
        )
    zone = int(x0 // 1_000_000)
    if 13 <= zone <= 45 and zone == int(x1 // 1_000_000) and 1e6 <= y0 <= 6.5e6:
        code = 4513 + zone - 25 if zone >= 25 else None
        where = f" EPSG:{code}" if code else ""
        return (
            f"看起来是带带号的 3 度带高斯-克吕格坐标（{zone} 带{where}）",
            f"looks like 3-degree Gauss-Krüger metres with zone prefix {zone}{where}",
        )
    if x0 > 0 and x1 < 1_000_000 and 1e6 <= y0 <= 6.5e6:
        return (
            "看起来是投影坐标（米），如 CGCS2000 3 度带中央经线 120°E（EPSG:4549）或 UTM 51N"
            "（EPSG:32651）",
            "looks like projected metres, e.g. CGCS2000 3-degree Gauss-Krüger CM 120°E "
            "(EPSG:4549) or UTM 51N (EPSG:32651)",
        )
    return "不像经纬度，也不像常见投影坐标", "neither degrees nor a usual projection"


def resolve_crs(
    name: str,
    kind: str,
    file_crs: CRS | None,
    declared: str | CRS | None,
    features: list[tuple[dict[str, Any], BaseGeometry | None]],
    prj_text: str = "",
) -> tuple[str, Any, list[Note]]:
    """Choose the source CRS, check the coordinates fit it, return a converter to WGS84."""
    notes: list[Note] = []
    box = _bounds(features)
    offset = declared if isinstance(declared, str) else None
    if offset is not None:
        if file_crs is not None and not file_crs.is_geographic:
            raise UploadError(
                name,
                f"声明为 {offset}，但文件坐标系是投影坐标系 {describe_crs(file_crs)}",
                f"declared {offset}, but the file's coordinate system is the projected "
                f"{describe_crs(file_crs)}",
            )
        crs = WGS84
    elif isinstance(declared, CRS):
        crs = declared
        if file_crs is not None and kind != "geojson" and not file_crs.equals(declared):
            notes.append(
                Note(
                    f"文件声明坐标系 {describe_crs(file_crs)}，"
                    f"按所选 {describe_crs(declared)} 处理",
                    f"the file says {describe_crs(file_crs)}; read as the chosen "
                    f"{describe_crs(declared)}",
                )
            )
    elif file_crs is None:
        found_zh, found_en = _found(box) if box else ("无坐标", "no coordinates")
        guess_zh, guess_en = _guess(box) if box else ("", "")
        what = "CSV 不带坐标系" if kind == "csv" else "文件没有坐标系信息（如缺少 .prj）"
        what_en = (
            "a CSV carries no coordinate system"
            if kind == "csv"
            else "the file has no coordinate system (e.g. no .prj)"
        )
        if prj_text:
            what = f"无法识别 .prj 中的坐标系（{prj_text[:60]}）"
            what_en = f"the .prj cannot be read as a coordinate system ({prj_text[:60]})"
        raise UploadError(
            name,
            f"{what}；{found_zh}，{guess_zh}；"
            "请选择坐标系（WGS84、CGCS2000、高德 GCJ-02、百度 BD-09 或投影带）",
            f"{what_en}; {found_en}, {guess_en}; choose its coordinate system (WGS84, "
            "CGCS2000, Gaode GCJ-02, Baidu BD-09 or a projected zone)",
        )
    else:
        crs = file_crs
    if box is not None:
        _check_fit(name, crs, box, offset)
    try:
        if not (crs.is_geographic or crs.is_projected):
            raise ProjError("neither geographic nor projected")
        to_wgs = Transformer.from_crs(crs, WGS84, always_xy=True)
    except ProjError:
        raise UploadError(
            name,
            f"坐标系 {describe_crs(crs)} 无法换算到 WGS84（本地或工程坐标系？）；请选择坐标系",
            f"the coordinate system {describe_crs(crs)} cannot be converted to WGS84 (a local "
            "or engineering system?); choose its coordinate system",
        ) from None
    identity = crs.equals(WGS84)

    def convert(geometry: BaseGeometry) -> BaseGeometry:
        out = geometry
        if not identity:
            out = shapely.transform(out, lambda xy: np.column_stack(to_wgs.transform(*xy.T)))
        if offset == "GCJ-02":
            out = gcj02.gcj02_to_wgs84_geometry(out)
        elif offset == "BD-09":
            out = gcj02.bd09_to_wgs84_geometry(out)
        return out

    source = offset or describe_crs(crs)
    if box is not None and not crs.equals(WGS84):
        # Coordinates must land where the CRS is used (grown by half a 3-degree zone).
        _check_landing(name, crs, box, convert)
    return source, convert, notes


def _check_fit(
    name: str, crs: CRS, box: tuple[float, float, float, float], offset: str | None
) -> None:
    label = offset or describe_crs(crs)
    if crs.is_geographic and not _in_degrees(box):
        found_zh, found_en = _found(box)
        guess_zh, guess_en = _guess(box)
        raise UploadError(
            name,
            f"坐标不符合 {label}（经纬度）：{found_zh}，{guess_zh}",
            f"coordinates do not fit {label} (degrees): {found_en}, {guess_en}",
        )
    if crs.is_projected and _in_degrees(box):
        found_zh, found_en = _found(box)
        raise UploadError(
            name,
            f"坐标不符合投影坐标系 {label}（应为米）：{found_zh}，看起来是经纬度",
            f"coordinates do not fit the projected {label} (metres): {found_en}, "
            "which look like degrees",
        )


def _check_landing(
    name: str, crs: CRS, box: tuple[float, float, float, float], convert: Any
) -> None:
    area = crs.area_of_use
    corners = shapely.MultiPoint([(box[0], box[1]), (box[2], box[3])])
    landed = convert(corners)
    xs = [p.x for p in landed.geoms]
    ys = [p.y for p in landed.geoms]
    ok = all(math.isfinite(v) for v in xs + ys)
    if ok and area is not None:
        margin = 1.5
        ok = (
            min(xs) >= area.west - margin
            and max(xs) <= area.east + margin
            and min(ys) >= area.south - margin
            and max(ys) <= area.north + margin
        )
    if ok:
        return
    found_zh, found_en = _found(box)
    guess_zh, guess_en = _guess(box)
    where = (
        "" if area is None else f"{area.west:g}–{area.east:g}°E, {area.south:g}–{area.north:g}°N"
    )
    landed_text = ", ".join(f"({x:.4g}, {y:.4g})" for x, y in zip(xs, ys, strict=True))
    raise UploadError(
        name,
        f"坐标不符合 {describe_crs(crs)}：{found_zh}，换算后落在 {landed_text}，"
        f"超出其适用范围 {where}；{guess_zh}",
        f"coordinates do not fit {describe_crs(crs)}: {found_en} land at {landed_text}, "
        f"outside its area of use {where}; {guess_en}",
    )
