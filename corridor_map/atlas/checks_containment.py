"""Containment: a curated feature lies in the districts it lists (grown by
:data:`corridor_map.core.vocab.CONTAINMENT_BUFFER_M`), and a file whose failures mostly
disappear after GCJ-02 → WGS84 is reported as GCJ-02.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import numpy as np
import shapely
from pyproj import Transformer
from shapely.geometry.base import BaseGeometry

from corridor_map.atlas.checks_geometry import in_region
from corridor_map.atlas.checks_quotes import Checker
from corridor_map.core.vocab import (
    CONTAINMENT_BUFFER_M,
    CONTAINMENT_SHARE,
    DISTRICTS_FILE,
)
from corridor_map.geo.gcj02 import gcj02_to_wgs84_geometry
from corridor_map.geo.geodesy import geodesic_measure


def district_geometries(checker: Checker) -> dict[str, tuple[str, BaseGeometry]]:
    found: dict[str, tuple[str, BaseGeometry]] = {}
    for file, props, geometry in checker.features.values():
        if (
            file == DISTRICTS_FILE
            and props.get("role") == "district"
            and geometry is not None
            and isinstance(props.get("code"), str)
        ):
            found[props["code"]] = (str(props.get("name_zh")), geometry)
    return found


@functools.lru_cache(maxsize=1)
def _utm() -> tuple[Transformer, Transformer]:
    # UTM 51N spans lon 120–126°: the whole region, so metre buffers are faithful here.
    forward = Transformer.from_crs("EPSG:4326", "EPSG:32651", always_xy=True)
    back = Transformer.from_crs("EPSG:32651", "EPSG:4326", always_xy=True)
    return forward, back


def _buffer_m(geometry: BaseGeometry, metres: float) -> BaseGeometry:
    forward, back = _utm()

    def _apply(transformer: Transformer) -> Callable[[np.ndarray], np.ndarray]:
        return lambda xy: np.column_stack(transformer.transform(xy[:, 0], xy[:, 1]))

    projected = shapely.transform(geometry, _apply(forward))
    return shapely.transform(projected.buffer(metres), _apply(back))


class Containment:
    """Union of listed districts, grown by the buffer, cached per district set."""

    def __init__(
        self,
        districts: dict[str, tuple[str, BaseGeometry]],
        buffer_m: float = CONTAINMENT_BUFFER_M,
    ) -> None:
        self.districts = districts
        self.buffer_m = buffer_m
        self._cache: dict[tuple[str, ...], BaseGeometry] = {}

    def area(self, codes: tuple[str, ...]) -> BaseGeometry:
        if codes not in self._cache:
            union = shapely.union_all([self.districts[c][1] for c in codes])
            grown = _buffer_m(union, self.buffer_m) if self.buffer_m else union
            shapely.prepare(grown)
            self._cache[codes] = grown
        return self._cache[codes]

    def outside(self, geometry: BaseGeometry, codes: tuple[str, ...]) -> tuple[float, float]:
        """Outside the districts and in all: (points, points), (km, km) or (km², km²)."""
        area = self.area(codes)
        kind = geometry.geom_type
        if kind in {"Point", "MultiPoint"}:
            points = list(getattr(geometry, "geoms", [geometry]))
            return float(sum(not area.covers(p) for p in points)), float(len(points))
        whole = geodesic_measure(geometry)
        outside = geodesic_measure(geometry.difference(area))
        if kind in {"Polygon", "MultiPolygon"}:
            return outside.area_km2, whole.area_km2
        return outside.length_km, whole.length_km

    def outside_share(self, geometry: BaseGeometry, codes: tuple[str, ...]) -> float:
        """Share of the geometry (points, length or area) outside the grown districts."""
        area = self.area(codes)
        kind = geometry.geom_type
        if kind in {"Point", "MultiPoint"}:
            points = list(getattr(geometry, "geoms", [geometry]))
            return sum(not area.covers(p) for p in points) / len(points)
        whole = geodesic_measure(geometry)
        outside = geodesic_measure(geometry.difference(area))
        if kind in {"Polygon", "MultiPolygon"}:
            return outside.area_km2 / whole.area_km2 if whole.area_km2 else 0.0
        return outside.length_km / whole.length_km if whole.length_km else 0.0


def _contain_failures(
    containment: Containment,
    items: list[tuple[str, dict[str, Any], BaseGeometry | None, tuple[str, ...]]],
    convert: Callable[[BaseGeometry], BaseGeometry] | None = None,
) -> list[tuple[str, float, tuple[str, ...]]]:
    failures = []
    for fid, _, geometry, codes in items:
        if geometry is None:
            continue
        shifted = geometry if convert is None else convert(geometry)
        share = containment.outside_share(shifted, codes)
        limit = 0.0 if geometry.geom_type in {"Point", "MultiPoint"} else 1 - CONTAINMENT_SHARE
        if share > limit + 1e-9:
            failures.append((fid, share, codes))
    return failures


def check_containment(
    checker: Checker,
    file: str,
    items: list[tuple[str, dict[str, Any], BaseGeometry | None]],
    containment: Containment,
) -> list[tuple[str, dict[str, Any], BaseGeometry, tuple[str, ...]]]:
    """Check each feature lies in its districts; return those that could be checked."""
    districts = containment.districts
    checkable: list[tuple[str, dict[str, Any], BaseGeometry, tuple[str, ...]]] = []
    if file.startswith("ref_") or not districts:
        return checkable
    for fid, props, geometry in items:
        if geometry is None or not geometry.is_valid or props.get("role") == "enclave":
            continue
        if props.get("corridor") == "reference":
            continue
        listed = props.get("district")
        entries = [d for d in listed if isinstance(d, dict)] if isinstance(listed, list) else []
        codes = []
        for entry in entries:
            code = str(entry.get("code"))
            if code not in districts:
                checker.add(
                    file,
                    fid,
                    "district",
                    f"{entry.get('name')} {code} is not in {DISTRICTS_FILE}; "
                    "containment cannot be checked",
                )
            elif entry.get("name") != districts[code][0]:
                checker.add(
                    file,
                    fid,
                    "district",
                    f"code {code} is {districts[code][0]}, not {entry.get('name')}",
                )
                codes.append(code)
            else:
                codes.append(code)
        # Positions outside the region were reported already; skip the costly check.
        if (
            codes
            and len(codes) == len(entries)
            and all(in_region(x, y) for x, y in shapely.get_coordinates(geometry))
        ):
            checkable.append((fid, props, geometry, tuple(sorted(codes))))
    failures = _contain_failures(containment, checkable)
    for fid, share, failed in failures:
        names = "、".join(districts[c][0] for c in failed)
        checker.add(
            file,
            fid,
            "district",
            f"{share:.0%} lies outside {names} (+{CONTAINMENT_BUFFER_M:.0f} m); "
            f"at most {1 - CONTAINMENT_SHARE:.0%} of a line or polygon and no point may",
        )
    # One stray feature proves nothing; a file-wide ~540 m shift shows up as several.
    if len(failures) >= 2:
        converted = _contain_failures(containment, checkable, gcj02_to_wgs84_geometry)
        if len(converted) <= len(failures) // 2:
            checker.add(
                file,
                "-",
                "geometry",
                f"coordinates look like GCJ-02 (Gaode/AMap) rather than WGS84: "
                f"{len(failures)} feature(s) fall outside their districts as given, "
                f"{len(converted)} after converting GCJ-02 → WGS84",
            )
    return checkable
