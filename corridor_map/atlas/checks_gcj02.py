"""GCJ-02 passed as WGS84: points on the GCJ-02 image of a reference point, and files
that fit their anchors (district boundaries, reference stations, the curation grid)
better after converting GCJ-02 → WGS84.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from corridor_map.atlas.checks_containment import Containment
from corridor_map.atlas.checks_geometry import in_region
from corridor_map.atlas.checks_quotes import Checker
from corridor_map.core.vocab import (
    DISTRICTS_FILE,
    PLANNED_LINKS_FILE,
)
from corridor_map.geo.gcj02 import gcj02_to_wgs84, gcj02_to_wgs84_geometry, wgs84_to_gcj02
from corridor_map.geo.geodesy import distance_km

# A point this close to the GCJ-02 image of a reference point, and this far from the
# point itself, was almost certainly read off a Gaode/AMap map.
_GCJ_MATCH_M = 60.0
_GCJ_MIN_SHIFT_M = 300.0


def _reference_points(
    parsed: list[tuple[str, list[tuple[str, dict[str, Any], BaseGeometry | None]]]],
) -> list[tuple[str, float, float]]:
    points = []
    for file, items in parsed:
        if not file.startswith("ref_"):
            continue
        for fid, _, geometry in items:
            if geometry is not None and geometry.geom_type == "Point":
                points.append((fid, geometry.x, geometry.y))
    return points


def check_known_points(
    checker: Checker,
    parsed: list[tuple[str, list[tuple[str, dict[str, Any], BaseGeometry | None]]]],
) -> None:
    refs = _reference_points(parsed)
    if not refs:
        return
    ref_lon = np.array([r[1] for r in refs])
    ref_lat = np.array([r[2] for r in refs])
    gcj_lon, gcj_lat = wgs84_to_gcj02(ref_lon, ref_lat)
    for file, items in parsed:
        if file.startswith("ref_"):
            continue
        for fid, _, geometry in items:
            if geometry is None or geometry.geom_type != "Point":
                continue
            x, y = geometry.x, geometry.y
            # Cheap degree pre-filter before geodesic distances (0.002° ≈ 200 m).
            near = np.flatnonzero((np.abs(gcj_lon - x) < 0.002) & (np.abs(gcj_lat - y) < 0.002))
            for i in near:
                to_gcj = distance_km(x, y, gcj_lon[i], gcj_lat[i]) * 1000
                to_ref = distance_km(x, y, ref_lon[i], ref_lat[i]) * 1000
                if to_gcj <= _GCJ_MATCH_M and to_ref >= _GCJ_MIN_SHIFT_M:
                    checker.add(
                        file,
                        fid,
                        "geometry",
                        f"looks like GCJ-02: {to_gcj:.0f} m from the GCJ-02 position of "
                        f"{refs[i][0]} but {to_ref:.0f} m from its WGS84 position; "
                        "convert with corridor_map.geo.gcj02.gcj02_to_wgs84",
                    )
                    break


# ---- GCJ-02 anchors: does the file fit the reference data better as given or converted?

#: A vertex this close to a district boundary or a reference point/line (other than the
#: road graph, too dense to tell chance from derivation) counts as anchored to it.
ANCHOR_NEAR_M = 100.0
#: Converted must beat "as given" by this factor, and by at least this many vertices,
#: for the file to count as GCJ-02.
_ANCHOR_FACTOR = 2.0
_ANCHOR_MIN_VERTICES = 5
#: The curation scripts place hand-derived points and shape centres on a 0.001° grid; a
#: position within 2 m of it in both coordinates is on the grid (by chance: ~0.2 %).
CURATION_GRID_DEG = 0.001
_GRID_TOLERANCE_DEG = 2e-5
_GRID_MIN = 3
#: Outside the (unbuffered) districts as given, at least this much and this many times
#: what remains after GCJ-02 → WGS84, marks a file as GCJ-02.
_FIT_MIN = {"km²": 0.1, "km": 0.2, "points": 2.0}
_FIT_FACTOR = 4.0
_NEAR_DEG = ANCHOR_NEAR_M / 111_320.0  # 1° of latitude; of longitude here ≥ 97 km


def anchor_tree(
    checker: Checker, districts: dict[str, tuple[str, BaseGeometry]]
) -> shapely.STRtree | None:
    """The district boundaries and reference stations, runways and stops a GCJ-02 shift
    is measured against (None: none)."""
    anchors = [geometry.boundary for _, geometry in districts.values()]
    for file, _, geometry in checker.features.values():
        if (
            file.startswith("ref_")
            and file not in (DISTRICTS_FILE, "ref_roads.geojson")
            and geometry is not None
        ):
            polygonal = geometry.geom_type in {"Polygon", "MultiPolygon"}
            anchors.append(geometry.boundary if polygonal else geometry)
    return shapely.STRtree(anchors) if anchors else None


def _near_anchor_count(tree: shapely.STRtree, lon: np.ndarray, lat: np.ndarray) -> int:
    if lon.size == 0:
        return 0
    hits = tree.query(shapely.points(lon, lat), predicate="dwithin", distance=_NEAR_DEG)
    return int(np.unique(hits[0]).size)


def check_gcj_anchors(
    checker: Checker,
    parsed: list[tuple[str, list[tuple[str, dict[str, Any], BaseGeometry | None]]]],
    checkable: dict[str, list[tuple[str, dict[str, Any], BaseGeometry, tuple[str, ...]]]],
    districts: dict[str, tuple[str, BaseGeometry]],
    anchors: Callable[[], shapely.STRtree | None] | None = None,
) -> None:
    """Catch a curated file shifted wholesale to GCJ-02, wherever it has an anchor.

    Three anchors, each compared as given and after converting GCJ-02 → WGS84: vertices
    that sit on a district boundary or a reference station, runway or stop; how much of
    the file lies outside its districts (unbuffered); and points and polygon centres on
    the 0.001° grid the curation scripts round positions to. A file with none gets a note
    for ``validate --explain``: a wholesale shift of it would pass. ``anchors`` gives
    the :func:`anchor_tree` (built here when not given; a caller checking files one by
    one builds it once).
    """
    tree = anchor_tree(checker, districts) if anchors is None else anchors()
    flat = Containment(districts, buffer_m=0.0)
    for file, items in parsed:
        if file.startswith("ref_") or file == PLANNED_LINKS_FILE:
            continue
        located = [
            geometry
            for _, props, geometry in items
            if geometry is not None
            and props.get("role") != "enclave"
            and all(in_region(x, y) for x, y in shapely.get_coordinates(geometry))
        ]
        if not located:
            continue
        already = any(
            p.file == file and p.feature_id == "-" and "GCJ-02" in p.reason
            for p in checker.problems
        )
        coords = np.concatenate([shapely.get_coordinates(g) for g in located])
        given = converted = 0
        if tree is not None:
            given = _near_anchor_count(tree, coords[:, 0], coords[:, 1])
            back_lon, back_lat = gcj02_to_wgs84(coords[:, 0], coords[:, 1])
            converted = _near_anchor_count(tree, np.asarray(back_lon), np.asarray(back_lat))
        fit_given: dict[str, float] = dict.fromkeys(_FIT_MIN, 0.0)
        fit_converted: dict[str, float] = dict.fromkeys(_FIT_MIN, 0.0)
        for _, _, geometry, codes in checkable.get(file, []):
            unit = {"Polygon": "km²", "MultiPolygon": "km²", "Point": "points"}.get(
                geometry.geom_type, "points" if geometry.geom_type == "MultiPoint" else "km"
            )
            fit_given[unit] += flat.outside(geometry, codes)[0]
            back = gcj02_to_wgs84_geometry(geometry)
            fit_converted[unit] += flat.outside(back, codes)[0] if back.is_valid else 0.0
        grid_given, grid_converted = _on_grid_counts(
            [g for _, _, g in items if g is not None and g.geom_type in {"Point", "Polygon"}]
        )
        reasons = []
        if grid_converted >= max(_GRID_MIN, _ANCHOR_FACTOR * grid_given + 2):
            reasons.append(
                f"{grid_converted} points or shape centres sit on the "
                f"{CURATION_GRID_DEG:g}° curation grid after converting GCJ-02 → WGS84, "
                f"{grid_given} as given"
            )
        if converted >= _ANCHOR_FACTOR * given + _ANCHOR_MIN_VERTICES:
            reasons.append(
                f"{converted} vertices lie within {ANCHOR_NEAR_M:.0f} m of a district "
                f"boundary or reference station after converting GCJ-02 → WGS84, {given} as "
                "given"
            )
        for unit, least in _FIT_MIN.items():
            if fit_given[unit] >= least and fit_given[unit] >= _FIT_FACTOR * fit_converted[unit]:
                reasons.append(
                    f"{fit_given[unit]:.2f} {unit} lie outside the listed districts as given, "
                    f"{fit_converted[unit]:.2f} {unit} after converting GCJ-02 → WGS84"
                )
        if reasons and not already:
            checker.add(
                file,
                "-",
                "geometry",
                "coordinates look like GCJ-02 (Gaode/AMap) rather than WGS84: "
                + "; ".join(reasons)
                + "; convert with corridor_map.geo.gcj02.gcj02_to_wgs84_geojson",
            )
        fits = any(max(fit_given[u], fit_converted[u]) > 0 for u in _FIT_MIN)
        gridded = max(grid_given, grid_converted) >= _GRID_MIN
        if max(given, converted) < _ANCHOR_MIN_VERTICES and not fits and not gridded:
            checker.notes.append(
                f"{file}: no GCJ-02 anchor: none of its {len(coords)} located vertices lies "
                f"within {ANCHOR_NEAR_M:.0f} m of a district boundary or reference station "
                "in either frame, every checked feature lies inside its districts both as "
                f"given and converted, and fewer than {_GRID_MIN} positions sit on the "
                f"{CURATION_GRID_DEG:g}° curation grid in either frame, so a wholesale "
                "GCJ-02 shift (~540 m) of this file would pass undetected"
            )
        else:
            checker.notes.append(
                f"{file}: GCJ-02 anchors (given/converted): {given}/{converted} vertices near "
                "a district boundary or reference station; "
                f"{grid_given}/{grid_converted} positions on the {CURATION_GRID_DEG:g}° "
                "curation grid; outside the districts "
                + ", ".join(f"{fit_given[u]:.2f}/{fit_converted[u]:.2f} {u}" for u in _FIT_MIN)
            )


def _on_grid_counts(geometries: list[BaseGeometry]) -> tuple[int, int]:
    """How many points / polygon centres lie on the curation grid, as given and converted."""
    if not geometries:
        return 0, 0
    centres = [g if g.geom_type == "Point" else g.centroid for g in geometries]
    lon = np.array([c.x for c in centres])
    lat = np.array([c.y for c in centres])
    back_lon, back_lat = gcj02_to_wgs84(lon, lat)

    def on_grid(x: np.ndarray, y: np.ndarray) -> int:
        def near(v: np.ndarray) -> np.ndarray:
            steps = v / CURATION_GRID_DEG
            return np.abs(steps - np.round(steps)) * CURATION_GRID_DEG < _GRID_TOLERANCE_DEG

        return int(np.count_nonzero(near(x) & near(y)))

    return on_grid(lon, lat), on_grid(np.asarray(back_lon), np.asarray(back_lat))
