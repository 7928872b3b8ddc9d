"""The checks of one layer file and its features: structure by the schema, declared CRS,
coordinates (finite, ≤ 6 decimals, closed rings, no swap, in the region), shapely
validity, RFC 7946 winding and stated areas.
"""

from __future__ import annotations

import functools
import hashlib
import json
import math
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import shapely
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry

from corridor_map.atlas.checks_quotes import Checker, check_properties
from corridor_map.atlas.checks_values import check_values
from corridor_map.core import schemas
from corridor_map.core.errors import Problem
from corridor_map.core.paths import folder_snapshot, seeds_dir
from corridor_map.core.vocab import (
    AREA_TOLERANCE,
    REGION,
    area_in_km2,
)
from corridor_map.geo.geodesy import geodesic_area_km2
from corridor_map.geo.geojson import parse_json_bytes, read_data_bytes

_WGS84_CRS_NAMES = ("crs84", "4326", "wgs84", "wgs 84", "wgs_84", "wgs-84")


Items = list[tuple[str, dict[str, Any], BaseGeometry | None]]


@dataclass(frozen=True)
class _Checked:
    """What checking one file's bytes added to a checker (see :func:`check_file`)."""

    problems: tuple[Problem, ...]
    items: tuple[tuple[str, dict[str, Any], BaseGeometry | None], ...]
    collection: dict[str, Any] | None
    links: Any
    ids: frozenset[str]


# file name, SHA-256 of its bytes, seeds snapshot → what checking it added. A curator's
# save changes one file; the others (the reference layers: most of the data) are not
# checked again. Bounded; each saved version of a file adds an entry.
_CHECKED: dict[tuple[str, str, Any], _Checked] = {}
_CHECKED_MAX = 64
_CHECKED_LOCK = threading.Lock()
_NO_LINKS = object()


def check_file(checker: Checker, path: Path, links: list[tuple[str, Any]]) -> Items:
    """Check one layer file into ``checker``; return its accepted ``(id, props, geometry)``.

    The checks of a file depend on its bytes, the documents (``seeds/``) and, for
    duplicate ids, the features of the files checked before it. So when no id of the
    file is already in ``checker`` and the documents load, the outcome for the same bytes
    and seeds is remembered and replayed, not computed again.
    """
    name = path.name
    raw, error = read_data_bytes(path)
    if raw is None:
        checker.add(name, "-", "-", str(error))
        return []
    key = (name, hashlib.sha256(raw).hexdigest(), folder_snapshot(seeds_dir()))
    checker.digests[name] = key[1]
    with _CHECKED_LOCK:
        known = _CHECKED.get(key)
    if known is not None and not (known.ids & checker.features.keys()):
        return _replay(checker, name, known, links)
    data, error = parse_json_bytes(raw)
    if error is not None:
        checker.add(name, "-", "-", error)
        return []
    ids = raw_ids(data)
    memo = not (ids & checker.features.keys()) and checker.resolver() is not None
    problems_before, unchecked_before = len(checker.problems), checker.unchecked_quotes
    links_before = len(links)
    items = _check_data(checker, name, data, key[1], ids, links)
    if memo and checker.unchecked_quotes == unchecked_before:
        checked = _Checked(
            problems=tuple(checker.problems[problems_before:]),
            items=tuple(items),
            collection=checker.collections.get(name),
            links=links[links_before][1] if len(links) > links_before else _NO_LINKS,
            ids=frozenset(ids),
        )
        with _CHECKED_LOCK:
            if len(_CHECKED) >= _CHECKED_MAX:
                _CHECKED.pop(next(iter(_CHECKED)))  # the oldest entry
            _CHECKED[key] = checked
    return items


def forget_checked_files() -> None:
    """Forget the remembered outcomes of :func:`check_file` (a cold validation)."""
    with _CHECKED_LOCK:
        _CHECKED.clear()


def _replay(checker: Checker, name: str, known: _Checked, links: list[tuple[str, Any]]) -> Items:
    checker.raw_ids.update(known.ids)
    checker.problems.extend(known.problems)
    if known.collection is not None:
        checker.collections[name] = known.collection
    if known.links is not _NO_LINKS:
        links.append((name, known.links))
    for fid, props, geometry in known.items:
        checker.features[fid] = (name, props, geometry)
    return list(known.items)


def _check_data(
    checker: Checker,
    name: str,
    data: Any,
    digest: str,
    ids: set[str],
    links: list[tuple[str, Any]],
) -> Items:
    checker.raw_ids.update(ids)
    findings = schemas.check_digest("layer", data, digest)
    per_feature: dict[int, list[schemas.Finding]] = {}
    for finding in findings:
        if len(finding.path) >= 2 and finding.path[0] == "features":
            index = finding.path[1]
            if isinstance(index, int):
                per_feature.setdefault(index, []).append(finding)
                continue
        checker.structure(name, [finding])
        if finding.gate == 0:  # not a FeatureCollection, or features not a list
            return []
    checker.collections[name] = {k: v for k, v in data.items() if k != "features"}
    _check_collection(checker, name, data)
    if "links" in data:
        links.append((name, data["links"]))
    items = []
    for index, raw in enumerate(data["features"]):
        item = _check_feature(checker, name, index, raw, per_feature.get(index, []))
        if item is not None:
            items.append(item)
    return items


def raw_ids(data: Any) -> set[str]:
    """Every string id a parsed layer's features carry, checked or not (what the aliases
    may name: a feature with a problem keeps its id)."""
    features = data.get("features") if isinstance(data, dict) else None
    ids: set[str] = set()
    for feature in features if isinstance(features, list) else []:
        props = feature.get("properties") if isinstance(feature, dict) else None
        if isinstance(props, dict) and isinstance(props.get("id"), str):
            ids.add(props["id"])
    return ids


def _check_collection(checker: Checker, name: str, data: dict[str, Any]) -> None:
    """A declared CRS other than WGS84, and OSM geometry without its attribution."""
    declared = _declared_crs(data)
    if declared is not None:
        checker.add(
            name,
            "-",
            "crs",
            f"declares coordinates in {declared}; layers must hold WGS84 "
            "(convert GCJ-02 with corridor_map.geo.gcj02.gcj02_to_wgs84_geojson)",
        )
    osm_based = any(
        isinstance(f, dict)
        and isinstance(f.get("properties"), dict)
        and f["properties"].get("geometry_basis") == "osm"
        for f in data["features"]
    )
    if osm_based and "OpenStreetMap contributors" not in str(data.get("attribution", "")):
        checker.add(
            name,
            "-",
            "attribution",
            "features with geometry_basis 'osm' need the FeatureCollection attribution "
            "'© OpenStreetMap contributors' (ODbL)",
        )


def _declared_crs(data: dict[str, Any]) -> str | None:
    """Return the declared CRS name when it is something other than WGS84."""
    names = []
    crs = data.get("crs")
    if isinstance(crs, dict):
        props = crs.get("properties")
        names.append(str(props.get("name", "")) if isinstance(props, dict) else str(crs))
    elif crs is not None:
        names.append(str(crs))
    for key in ("coordinate_system", "coordinateSystem", "crs_name"):
        if data.get(key) is not None:
            names.append(str(data[key]))
    for declared in names:
        lowered = declared.lower()
        if not any(ok in lowered for ok in _WGS84_CRS_NAMES) or "gcj" in lowered:
            return declared
    return None


def _check_feature(
    checker: Checker, file: str, index: int, raw: Any, findings: list[schemas.Finding]
) -> tuple[str, dict[str, Any], BaseGeometry | None] | None:
    """Report the schema's findings for one feature, then check what it cannot say."""
    props = raw.get("properties") if isinstance(raw, dict) else None
    fid = props.get("id") if isinstance(props, dict) else None
    if not isinstance(fid, str) or not fid:
        fid = f"#{index}"
    fields: set[str] = set()
    for finding in findings:
        below = finding.path[2:]
        if below[:1] == ("properties",) and len(below) > 1:
            below = below[1:]
        field_name = schemas.field_name(below) or "-"
        fields.add(field_name)
        checker.add(file, fid, field_name, finding.reason)
        if finding.gate is not None:  # not a Feature, or properties not an object
            return None
    assert isinstance(raw, dict) and isinstance(props, dict)  # else a gate finding
    if fid in checker.features:
        checker.add(file, fid, "id", f"duplicate id (first used in {checker.features[fid][0]})")
        return None
    check_properties(checker, file, fid, props)
    check_values(checker, file, fid, props)
    geometry = None if "geometry" in fields else _check_geometry(checker, file, fid, props, raw)
    _check_area(checker, file, fid, props, geometry)
    checker.features[fid] = (file, props, geometry)
    return fid, props, geometry


# ---- geometry


def _decimals_ok(value: float) -> bool:
    return round(value, 6) == value


def _iter_positions(coords: Any) -> Iterator[Any]:
    if isinstance(coords, list) and coords and all(isinstance(c, (int, float)) for c in coords):
        yield coords
    elif isinstance(coords, list):
        for part in coords:
            yield from _iter_positions(part)
    else:
        yield coords


def in_region(lon: float, lat: float) -> bool:
    return REGION[0] <= lon <= REGION[2] and REGION[1] <= lat <= REGION[3]


def _check_geometry(
    checker: Checker, file: str, fid: str, props: dict[str, Any], raw: dict[str, Any]
) -> BaseGeometry | None:
    """Check a geometry the schema accepted (type, null exactly when unlocated).

    Here: every position 2–3 finite numbers (the position walker is much faster than a
    schema walk over the reference layers' ~20,000 positions), ≤ 6 decimals, rings closed,
    no latitude/longitude swap, inside the region, shapely-valid, RFC 7946 winding.
    """
    geo = raw.get("geometry")
    if not isinstance(geo, dict):
        return None
    add = functools.partial(checker.add, file, fid, "geometry")
    positions = list(_iter_positions(geo.get("coordinates")))
    bad = [p for p in positions if not _position_ok(p)]
    if not positions or bad:
        shown = bad[0] if bad else geo.get("coordinates")
        add(f"malformed coordinates (e.g. {json.dumps(shown)[:80]})")
        return None
    if not all(_decimals_ok(c) for p in positions for c in p[:2]):
        add("coordinates carry more than 6 decimals")
    open_ring = _open_ring(geo)
    if open_ring is not None:
        # shapely closes rings silently, so an unclosed ring would pass every later check
        add(
            f"polygon ring {open_ring} is not closed (RFC 7946: at least 4 positions, "
            "the last equal to the first)"
        )
        return None
    if not _check_positions(add, props, positions):
        return None
    return _build_geometry(add, geo)


def _check_positions(
    add: Callable[[str], None], props: dict[str, Any], positions: list[Any]
) -> bool:
    """Swapped or impossible positions (False: stop) and positions outside the region."""
    swapped = [p for p in positions if not in_region(p[0], p[1]) and in_region(p[1], p[0])]
    if swapped:
        add(
            f"latitude/longitude look swapped: {swapped[0][:2]} reads as lon {swapped[0][0]}, "
            f"lat {swapped[0][1]}; GeoJSON order is [longitude, latitude]"
        )
        return False
    lats_invalid = [p for p in positions if not -90 <= p[1] <= 90]
    if lats_invalid:
        add(f"invalid latitude {lats_invalid[0][1]} (must be within ±90)")
        return False
    if props.get("role") != "enclave" and props.get("corridor") != "reference":
        outside = [p for p in positions if not in_region(p[0], p[1])]
        if outside:
            add(
                f"{len(outside)} coordinate(s) outside the region lon {REGION[0]}–{REGION[2]}, "
                f"lat {REGION[1]}–{REGION[3]} (e.g. {outside[0][:2]}); "
                "only role 'enclave' may lie elsewhere"
            )
    return True


def _build_geometry(add: Callable[[str], None], geo: dict[str, Any]) -> BaseGeometry | None:
    """The shapely geometry, checked for validity and RFC 7946 winding."""
    try:
        geometry = shape(geo)
    except Exception as exc:  # shapely raises several types on malformed rings
        add(f"cannot build geometry: {exc}")
        return None
    if geometry.is_empty:
        add("empty geometry")
        return None
    if not geometry.is_valid:
        add(f"invalid {geometry.geom_type}: {shapely.is_valid_reason(geometry)}")
    if geometry.geom_type in {"Polygon", "MultiPolygon"}:
        polygons = list(getattr(geometry, "geoms", [geometry]))
        if any(not p.exterior.is_ccw for p in polygons) or any(
            ring.is_ccw for p in polygons for ring in p.interiors
        ):
            add(
                "ring winding violates RFC 7946 (exterior rings must be counter-clockwise, "
                "holes clockwise)"
            )
    return geometry


def _open_ring(geo: dict[str, Any]) -> int | None:
    """Index of the first polygon ring that is not closed, or None."""
    if geo["type"] == "Polygon":
        rings = geo["coordinates"]
    elif geo["type"] == "MultiPolygon":
        rings = [ring for polygon in geo["coordinates"] for ring in polygon]
    else:
        return None
    for i, ring in enumerate(rings):
        if not isinstance(ring, list) or len(ring) < 4 or ring[0] != ring[-1]:
            return i
    return None


def _position_ok(position: Any) -> bool:
    return (
        isinstance(position, list)
        and len(position) in (2, 3)
        and all(
            isinstance(c, (int, float)) and not isinstance(c, bool) and math.isfinite(c)
            for c in position
        )
    )


def _check_area(
    checker: Checker,
    file: str,
    fid: str,
    props: dict[str, Any],
    geometry: BaseGeometry | None,
) -> None:
    if geometry is None or geometry.geom_type not in {"Polygon", "MultiPolygon"}:
        return
    if not geometry.is_valid:
        return
    measured_km2 = geodesic_area_km2(shapely.union_all(geometry))
    for i, figure in enumerate(props.get("stated") or []):
        if not isinstance(figure, dict) or figure.get("quantity") != "area":
            continue
        value = figure.get("value")
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
            continue
        stated_km2 = area_in_km2(float(value), str(figure.get("unit")))
        if stated_km2 is None:
            continue
        ratio = measured_km2 / stated_km2
        if abs(ratio - 1) > AREA_TOLERANCE:
            checker.add(
                file,
                fid,
                f"stated[{i}]",
                f"geodesic area {measured_km2:.2f} km² is {100 * (ratio - 1):+.0f} % off the "
                f"stated {figure.get('text') or value} ({stated_km2:.2f} km²); "
                f"tolerance ±{AREA_TOLERANCE:.0%}",
            )
    measured = props.get("measured")
    if isinstance(measured, dict) and isinstance(measured.get("area_km2"), (int, float)):
        recorded = float(measured["area_km2"])
        if abs(recorded - measured_km2) > max(0.01 * measured_km2, 0.01):
            checker.add(
                file,
                fid,
                "measured.area_km2",
                f"records {recorded} km² but the geometry measures {measured_km2:.2f} km²",
            )
