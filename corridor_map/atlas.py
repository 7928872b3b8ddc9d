"""The atlas: every ``layers/*.geojson`` loaded into typed features, and its validator.

The feature schema is the one in ``docs/architecture.md``. :func:`load_atlas` reads the
layers (cached on the files' modification times, since Streamlit reruns a lot) and raises
:class:`LayerError` naming the file and feature on bad input. :func:`validate` never
raises on bad input: it returns every :class:`Problem` it finds (file, feature id, field,
reason), which ``corridor-map validate`` prints.

Validation rules and tolerances, chosen to catch real mistakes in schematic layers:

* schema: required fields, types and enums; ids unique across every file; parents exist
  and form no cycle; ``geometry`` null exactly when ``geometry_basis == "unlocated"``
  (and then ``precision_m`` is null); curated features cite ≥ 1 excerpt, each found
  verbatim by :func:`corridor_map.corpus.resolve`; a stated figure's ``text`` appears in
  its own quote.
* geometry: valid (shapely, with ``explain_validity``), RFC 7946 winding (exterior rings
  counter-clockwise), ≤ 6 decimals, inside the region :data:`REGION` unless the role is
  ``enclave`` (or the layer is a reference layer). A coordinate that fits the region only
  after swapping is reported as "latitude/longitude look swapped".
* stated area: a polygon with a stated ``area`` must measure (geodesic, union of its
  parts) within ±10 % (:data:`AREA_TOLERANCE`); a ``measured.area_km2`` must match the
  geodesic area within 1 %.
* containment: a curated, non-enclave feature lies in the union of its listed districts
  from ``ref_districts.geojson`` grown by :data:`CONTAINMENT_BUFFER_M` (200 m, the
  schematic precision of curated layers and the ~30 m simplification of district
  boundaries): points inside it; lines and polygons with ≥ 95 % of their length or area
  inside (district boundaries are land-only, so coastal polygons need that slack).
* GCJ-02 passed as WGS84: a declared ``crs``/``coordinate_system`` that is not WGS84 /
  CRS84; a point sitting on the GCJ-02 position of a known reference point (an OSM
  station) rather than on the point itself; or a file whose containment failures mostly
  disappear once its coordinates are converted GCJ-02 → WGS84. The shift is about 540 m
  here, so only those signals are reliable; a file that is wrong but still contained in
  its districts cannot be told apart.
"""

from __future__ import annotations

import datetime
import functools
import json
import math
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import shapely
from pyproj import Transformer
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry

from corridor_map.errors import CorridorMapError
from corridor_map.gcj02 import gcj02_to_wgs84_geometry, wgs84_to_gcj02
from corridor_map.measure import (
    COORDINATE_DEPTH,
    distance_km,
    geodesic_area_km2,
    geodesic_measure,
)
from corridor_map.paths import layers_dir as default_layers_dir

__all__ = [
    "AREA_TOLERANCE",
    "CONTAINMENT_BUFFER_M",
    "CORRIDORS",
    "GEOMETRY_BASES",
    "REGION",
    "ROLES",
    "Atlas",
    "Feature",
    "LayerError",
    "Problem",
    "area_in_km2",
    "load_atlas",
    "validate",
]

CORRIDORS = ("taizhou-bay", "wenzhou-daluo", "wenling-lakes", "reference")
ROLES = (
    "extent",
    "core",
    "zone",
    "belt",
    "area",
    "key_block",
    "platform",
    "landmark",
    "road",
    "railway",
    "gateway",
    "enclave",
    "district",
    "station",
    "runway",
    "taxiway",
)
GEOMETRY_BASES = ("admin_boundary", "osm", "public_coordinates", "schematic", "unlocated")
STATUS_VALUES = ("planned", "under_construction", "in_use")
DOC_IDS = (
    "wenling-reply-2025",
    "taizhou-bay-briefing",
    "wenzhou-daluo-action-2020",
    "wenzhou-reply-2024",
    "wenling-14th-fyp",
)
#: lon_min, lat_min, lon_max, lat_max of the mapped region (WGS84 degrees).
REGION = (120.2, 27.5, 121.9, 29.0)
#: allowed relative difference between a stated area and the geodesic area.
AREA_TOLERANCE = 0.10
#: how far outside its districts a curated feature may reach (schematic slack).
CONTAINMENT_BUFFER_M = 200.0
#: share of a line's length / polygon's area that must lie inside its districts.
CONTAINMENT_SHARE = 0.95
#: units a stated ``area`` may use, with their size in km².
AREA_UNITS_KM2 = {
    "km²": 1.0,
    "平方公里": 1.0,
    "m²": 1e-6,
    "万m²": 1e-2,
    "ha": 1e-2,
    "公顷": 1e-2,
    "亩": 1.0 / 1500.0,
    "万亩": 10_000.0 / 1500.0,
}
DISTRICTS_FILE = "ref_districts.geojson"
TARGETS_FILE = "travel_targets.json"

_ID_RE = re.compile(r"^[a-z0-9]+(?:[-_][a-z0-9]+)*$")
_CODE_RE = re.compile(r"^\d{6}$")
_AS_OF_RE = re.compile(r"^\d{4}(?:-\d{2}(?:-\d{2})?)?$")
_FIGURE_RE = re.compile(r"\d+(?:\.\d+)?")
_WGS84_CRS_NAMES = ("crs84", "4326", "wgs84", "wgs 84", "wgs_84", "wgs-84")
# A point this close to the GCJ-02 image of a reference point, and this far from the
# point itself, was almost certainly read off a Gaode/AMap map.
_GCJ_MATCH_M = 60.0
_GCJ_MIN_SHIFT_M = 300.0


class LayerError(CorridorMapError):
    """A layer file that cannot be loaded (names the file, feature and reason)."""


@dataclass(frozen=True)
class Problem:
    """One validation finding."""

    file: str
    feature_id: str
    field: str
    reason: str

    def __str__(self) -> str:
        return f"{self.file}: {self.feature_id}: {self.field}: {self.reason}"

    def as_dict(self) -> dict[str, str]:
        """Return the problem as a JSON-ready dict."""
        return {
            "file": self.file,
            "feature_id": self.feature_id,
            "field": self.field,
            "reason": self.reason,
        }


@dataclass(frozen=True)
class Feature:
    """One layer feature: the schema fields typed, everything else kept in ``properties``."""

    id: str
    name_zh: str
    name_en: str
    corridor: str
    role: str
    parent: str | None
    district_codes: tuple[str, ...]
    geometry_basis: str
    geometry_source: str
    precision_m: float | None
    geometry: BaseGeometry | None
    file: str
    properties: dict[str, Any] = field(repr=False, compare=False, hash=False)

    @property
    def stated(self) -> list[dict[str, Any]]:
        """Figures exactly as the documents state them."""
        return _dicts(self.properties.get("stated"))

    @property
    def sources(self) -> list[dict[str, Any]]:
        """Cited excerpts (empty for reference layers)."""
        return _dicts(self.properties.get("sources"))

    @property
    def status(self) -> dict[str, Any] | None:
        """Status as the document gives it, or None."""
        status = self.properties.get("status")
        return status if isinstance(status, dict) else None

    @property
    def anchor(self) -> tuple[float, float] | None:
        """Return (lon, lat) of a point on the feature (representative point), or None."""
        if self.geometry is None or self.geometry.is_empty:
            return None
        point = self.geometry.representative_point()
        return point.x, point.y

    @property
    def area_km2(self) -> float:
        """Geodesic area of the union of the feature's polygons, in km² (0 otherwise)."""
        if self.geometry is None or self.geometry.geom_type not in {"Polygon", "MultiPolygon"}:
            return 0.0
        return geodesic_area_km2(shapely.union_all(self.geometry))

    @property
    def length_km(self) -> float:
        """Geodesic length of the feature's lines, in km (0 otherwise)."""
        return geodesic_measure(self.geometry).length_km


def _dicts(value: Any) -> list[dict[str, Any]]:
    """The objects of a list-valued property; anything malformed counts as absent."""
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


@dataclass
class Atlas:
    """All layers: features by id with parent/child navigation."""

    features: dict[str, Feature]
    collections: dict[str, dict[str, Any]]
    layers_dir: Path

    def __iter__(self) -> Iterator[Feature]:
        return iter(self.features.values())

    def __len__(self) -> int:
        return len(self.features)

    def __contains__(self, feature_id: object) -> bool:
        return feature_id in self.features

    def get(self, feature_id: str) -> Feature:
        """Return the feature with this id.

        Raises
        ------
        LayerError
            When no layer holds that id.
        """
        try:
            return self.features[feature_id]
        except KeyError:
            raise LayerError(f"no feature with id {feature_id!r} in {self.layers_dir}") from None

    def children(self, feature_id: str) -> list[Feature]:
        """Return the features whose parent is ``feature_id``, in file order."""
        return [f for f in self.features.values() if f.parent == feature_id]

    def descendants(self, feature_id: str) -> list[Feature]:
        """Return every feature below ``feature_id`` (depth first)."""
        found: list[Feature] = []
        for child in self.children(feature_id):
            found.append(child)
            found.extend(self.descendants(child.id))
        return found

    def parents(self, feature_id: str) -> list[Feature]:
        """Return the chain of parents of ``feature_id``, nearest first."""
        chain: list[Feature] = []
        seen = {feature_id}
        current = self.get(feature_id).parent
        while current is not None and current in self.features and current not in seen:
            seen.add(current)
            chain.append(self.features[current])
            current = self.features[current].parent
        return chain

    def select(
        self,
        corridor: str | None = None,
        role: str | None = None,
        *,
        include_reference: bool = True,
    ) -> list[Feature]:
        """Return features filtered by corridor and/or role, in file order."""
        return [
            f
            for f in self.features.values()
            if (corridor is None or f.corridor == corridor)
            and (role is None or f.role == role)
            and (include_reference or f.corridor != "reference")
        ]

    def by_corridor(self, corridor: str) -> list[Feature]:
        """Return the features of one corridor (or ``"reference"``)."""
        return self.select(corridor=corridor)

    def by_role(self, role: str) -> list[Feature]:
        """Return the features of one role."""
        return self.select(role=role)

    def districts(self) -> dict[str, Feature]:
        """Return the reference districts by code (e.g. ``"331002"``)."""
        return {
            str(f.properties.get("code")): f
            for f in self.features.values()
            if f.corridor == "reference" and f.role == "district"
        }

    def to_geodataframe(self, features: Iterable[Feature] | None = None) -> Any:
        """Return a GeoDataFrame (EPSG:4326) of the given features (default: all)."""
        import geopandas as gpd

        chosen = list(self.features.values() if features is None else features)
        rows = [
            {
                "id": f.id,
                "name_zh": f.name_zh,
                "name_en": f.name_en,
                "corridor": f.corridor,
                "role": f.role,
                "parent": f.parent,
                "district": ",".join(f.district_codes),
                "geometry_basis": f.geometry_basis,
                "precision_m": f.precision_m,
                "file": f.file,
                "geometry": f.geometry,
            }
            for f in chosen
        ]
        return gpd.GeoDataFrame(rows, geometry="geometry", crs="EPSG:4326")


# ------------------------------------------------------------------------------ loading


def _layer_files(directory: Path) -> list[Path]:
    if not directory.is_dir():
        raise LayerError(f"layers folder not found: {directory}")
    return sorted(directory.glob("*.geojson"))


def _signature(directory: Path) -> tuple[tuple[str, int, int], ...]:
    return tuple((p.name, p.stat().st_mtime_ns, p.stat().st_size) for p in _layer_files(directory))


def load_atlas(layers_dir: Path | str | None = None) -> Atlas:
    """Load every ``*.geojson`` in the layers folder.

    Parameters
    ----------
    layers_dir
        Folder of layers; default :func:`corridor_map.paths.layers_dir`.

    Returns
    -------
    Atlas
        Cached while no file in the folder changes (name, size, modification time).

    Raises
    ------
    LayerError
        On unreadable JSON, a missing id or an unparsable geometry (naming file and
        feature). Run :func:`validate` for the full list of problems.
    """
    directory = Path(layers_dir) if layers_dir is not None else default_layers_dir()
    directory = directory.resolve()
    return _load_cached(directory, _signature(directory))


@functools.lru_cache(maxsize=8)
def _load_cached(directory: Path, signature: tuple[tuple[str, int, int], ...]) -> Atlas:
    del signature  # only part of the cache key
    features: dict[str, Feature] = {}
    collections: dict[str, dict[str, Any]] = {}
    for path in _layer_files(directory):
        data, error = _read_json(path)
        if error is not None:
            raise LayerError(f"{path.name}: {error}")
        if not isinstance(data, dict) or data.get("type") != "FeatureCollection":
            raise LayerError(f"{path.name}: not a GeoJSON FeatureCollection")
        collections[path.name] = {k: v for k, v in data.items() if k != "features"}
        for index, raw in enumerate(data.get("features") or []):
            feature = _to_feature(path.name, index, raw)
            if feature.id in features:
                raise LayerError(
                    f"{path.name}: {feature.id}: id already used in {features[feature.id].file}"
                )
            features[feature.id] = feature
    return Atlas(features=features, collections=collections, layers_dir=directory)


def _to_feature(file: str, index: int, raw: Any) -> Feature:
    props = raw.get("properties") if isinstance(raw, dict) else None
    if not isinstance(props, dict) or not isinstance(props.get("id"), str):
        raise LayerError(f"{file}: feature #{index}: properties.id missing")
    feature_id = props["id"]
    try:
        geometry = None if raw.get("geometry") is None else shape(raw["geometry"])
    except Exception as exc:  # shapely raises several types on malformed geometry
        raise LayerError(f"{file}: {feature_id}: geometry: {exc}") from None
    districts = props.get("district")
    codes = tuple(
        str(d.get("code"))
        for d in (districts if isinstance(districts, list) else [])
        if isinstance(d, dict) and d.get("code")
    )
    precision = props.get("precision_m")
    return Feature(
        id=feature_id,
        name_zh=str(props.get("name_zh") or ""),
        name_en=str(props.get("name_en") or ""),
        corridor=str(props.get("corridor") or ""),
        role=str(props.get("role") or ""),
        parent=props["parent"] if isinstance(props.get("parent"), str) else None,
        district_codes=codes,
        geometry_basis=str(props.get("geometry_basis") or ""),
        geometry_source=str(props.get("geometry_source") or ""),
        precision_m=float(precision) if isinstance(precision, (int, float)) else None,
        geometry=geometry,
        file=file,
        properties=props,
    )


def _read_json(path: Path) -> tuple[Any, str | None]:
    try:
        text = path.read_text("utf-8")
    except UnicodeDecodeError as exc:
        return None, f"not UTF-8 text ({exc.reason} at byte {exc.start})"
    except OSError as exc:
        return None, f"cannot read ({exc.strerror})"
    try:
        return json.loads(text), None
    except json.JSONDecodeError as exc:
        return None, f"malformed JSON: {exc.msg} at line {exc.lineno} column {exc.colno}"
    except RecursionError:
        # json's decoder recurses per nesting level; no GeoJSON layer nests this deep
        return None, "malformed JSON: nested too deeply"


# --------------------------------------------------------------------------- validation


def area_in_km2(value: float, unit: str) -> float | None:
    """Convert a stated area to km², or None for a unit that is not an area."""
    factor = AREA_UNITS_KM2.get(unit)
    return None if factor is None else value * factor


class _Checker:
    """Collects problems for one validation run."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.problems: list[Problem] = []
        self.features: dict[str, tuple[str, dict[str, Any], BaseGeometry | None]] = {}
        self._resolve: Callable[..., Any] | None = None
        self._corpus_error: str | None = None

    def add(self, file: str, feature_id: str, field_name: str, reason: str) -> None:
        self.problems.append(Problem(file, feature_id, field_name, reason))

    # ---- corpus

    def resolver(self) -> Callable[..., Any] | None:
        if self._resolve is None and self._corpus_error is None:
            try:
                from corridor_map.corpus import resolve

                self._resolve = resolve
            except Exception as exc:  # an absent or broken corpus module must not crash
                self._corpus_error = f"{type(exc).__name__}: {exc}"
                self.add(
                    "-",
                    "-",
                    "sources",
                    f"quotes not checked: corridor_map.corpus unavailable ({self._corpus_error})",
                )
        return self._resolve

    def check_quote(self, file: str, fid: str, where: str, source: Any) -> str | None:
        """Check one ``{"doc", "quote", "paragraph"?}``; return the quote when well formed."""
        if not isinstance(source, dict):
            self.add(file, fid, where, "must be an object with doc and quote")
            return None
        doc, quote = source.get("doc"), source.get("quote")
        if doc not in DOC_IDS:
            self.add(file, fid, f"{where}.doc", f"unknown document id {doc!r}")
            return None
        if not isinstance(quote, str) or not quote.strip():
            self.add(file, fid, f"{where}.quote", "missing or empty quote")
            return None
        paragraph = source.get("paragraph")
        if paragraph is not None and not isinstance(paragraph, str):
            self.add(file, fid, f"{where}.paragraph", "must be a paragraph id string")
            paragraph = None
        resolve = self.resolver()
        if resolve is not None:
            try:
                resolve(doc, quote, paragraph)
            except CorridorMapError as exc:
                self.add(file, fid, f"{where}.quote", f"quote not found verbatim: {exc}")
            except Exception as exc:  # a corpus bug must not hide the other findings
                self.add(file, fid, f"{where}.quote", f"quote check failed: {exc!r}")
        return quote


def validate(layers_dir: Path | str | None = None) -> list[Problem]:
    """Check every layer file and return all problems found (empty when valid).

    Parameters
    ----------
    layers_dir
        Folder of layers; default :func:`corridor_map.paths.layers_dir`.

    Returns
    -------
    list of Problem
        Each names the file, the feature id (``-`` for file-level problems, ``#n`` for a
        feature without an id), the field and the reason. Bad input never raises.
    """
    directory = Path(layers_dir) if layers_dir is not None else default_layers_dir()
    checker = _Checker(directory)
    if not directory.is_dir():
        checker.add(str(directory), "-", "-", "layers folder not found")
        return checker.problems
    files = sorted(directory.glob("*.geojson"))
    if not files:
        checker.add(str(directory), "-", "-", "no *.geojson layer files")
        return checker.problems
    parsed: list[tuple[str, list[tuple[str, dict[str, Any], BaseGeometry | None]]]] = []
    links: list[tuple[str, Any]] = []
    for path in files:
        parsed.append((path.name, _check_file(checker, path, links)))
    _check_parents(checker)
    _check_links(checker, links)
    _check_targets(checker, directory / TARGETS_FILE)
    districts = _district_geometries(checker)
    curated = [name for name, _ in parsed if not name.startswith("ref_")]
    if curated and not districts:
        checker.add(DISTRICTS_FILE, "-", "-", "missing or empty: containment not checked")
    containment = _Containment(districts)
    for name, items in parsed:
        _check_containment(checker, name, items, containment)
    _check_known_points(checker, parsed)
    return checker.problems


def _check_file(
    checker: _Checker, path: Path, links: list[tuple[str, Any]]
) -> list[tuple[str, dict[str, Any], BaseGeometry | None]]:
    name = path.name
    data, error = _read_json(path)
    if error is not None:
        checker.add(name, "-", "-", error)
        return []
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection":
        checker.add(name, "-", "type", "not a GeoJSON FeatureCollection")
        return []
    if not isinstance(data.get("features"), list):
        checker.add(name, "-", "features", "must be a list")
        return []
    declared = _declared_crs(data)
    if declared is not None:
        checker.add(
            name,
            "-",
            "crs",
            f"declares coordinates in {declared}; layers must hold WGS84 "
            "(convert GCJ-02 with corridor_map.gcj02.gcj02_to_wgs84_geojson)",
        )
    for key in ("name", "description"):
        if not isinstance(data.get(key), str) or not data[key].strip():
            checker.add(name, "-", key, "FeatureCollection needs a non-empty string")
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
    if "links" in data:
        links.append((name, data["links"]))
    items = []
    for index, raw in enumerate(data["features"]):
        item = _check_feature(checker, name, index, raw)
        if item is not None:
            items.append(item)
    return items


def _check_links(checker: _Checker, links: list[tuple[str, Any]]) -> None:
    """Planned links (``planned_links.geojson``) must name a located line and a speed.

    travel.py leaves out a link whose feature is missing, unlocated or not a line, so a
    mistyped id would silently change every travel time that uses the road.
    """
    for file, entries in links:
        if not isinstance(entries, list):
            checker.add(file, "-", "links", "must be a list of {feature, design_speed_kmh}")
            continue
        for i, entry in enumerate(entries):
            where = f"links[{i}]"
            if not isinstance(entry, dict):
                checker.add(file, "-", where, "must be {feature, design_speed_kmh, ...}")
                continue
            fid = entry.get("feature")
            if not _finite_number(entry.get("design_speed_kmh")) or not (
                entry["design_speed_kmh"] > 0
            ):
                checker.add(file, "-", f"{where}.design_speed_kmh", "must be a number > 0")
            if not isinstance(fid, str) or fid not in checker.features:
                checker.add(file, "-", f"{where}.feature", f"{fid!r} is not a feature id")
                continue
            geometry = checker.features[fid][2]
            if geometry is None or geometry.geom_type not in {"LineString", "MultiLineString"}:
                kind = "unlocated" if geometry is None else f"a {geometry.geom_type}"
                checker.add(file, "-", f"{where}.feature", f"{fid} is {kind}, not a road line")


# The smallest ring sampling step travel.py is asked to use: below it ring_span's pairwise
# routing grows quadratically without telling the planner anything new.
MIN_RING_STEP_M = 100.0


def _check_targets(checker: _Checker, path: Path) -> None:
    """Travel targets cite documents and features like layers do, so check them alike.

    Each target's excerpts must resolve verbatim and every feature id it names as origin or
    destination must exist; an absent file is fine (no targets to show).
    """
    if not path.exists():
        return
    name = path.name
    data, error = _read_json(path)
    if error is not None:
        checker.add(name, "-", "-", error)
        return
    targets = data.get("targets") if isinstance(data, dict) else None
    if not isinstance(targets, list):
        checker.add(name, "-", "targets", "must be a list of target records")
        return
    for index, record in enumerate(targets):
        if not isinstance(record, dict):
            checker.add(name, f"#{index}", "-", "target must be an object")
            continue
        tid = record.get("id") if isinstance(record.get("id"), str) else f"#{index}"
        sources = record.get("sources")
        if not isinstance(sources, list) or not sources:
            checker.add(name, tid, "sources", "needs at least one {doc, quote} excerpt")
        else:
            for i, source in enumerate(sources):
                checker.check_quote(name, tid, f"sources[{i}]", source)
        for key in ("origins", "destinations"):
            ids = record.get(key)
            if isinstance(ids, str):
                ids = [ids]
            if not isinstance(ids, list):
                continue  # a role selector ({"role": ...}) or absent: nothing to look up
            for fid in ids:
                if not isinstance(fid, str) or fid not in checker.features:
                    checker.add(name, tid, key, f"{fid!r} is not a feature id")
        step = record.get("ring_step_m")
        if step is not None and not (_finite_number(step) and step >= MIN_RING_STEP_M):
            checker.add(
                name, tid, "ring_step_m", f"must be a number ≥ {MIN_RING_STEP_M:g} m, got {step!r}"
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
    checker: _Checker, file: str, index: int, raw: Any
) -> tuple[str, dict[str, Any], BaseGeometry | None] | None:
    if not isinstance(raw, dict) or raw.get("type") != "Feature":
        checker.add(file, f"#{index}", "type", "not a GeoJSON Feature")
        return None
    props = raw.get("properties")
    if not isinstance(props, dict):
        checker.add(file, f"#{index}", "properties", "missing or not an object")
        return None
    fid = props.get("id")
    if not isinstance(fid, str) or not fid:
        checker.add(file, f"#{index}", "id", "missing or not a string")
        fid = f"#{index}"
    elif not _ID_RE.match(fid):
        checker.add(file, fid, "id", "must be a slug of a-z, 0-9 and - (e.g. taizhou-bay-core)")
    if fid in checker.features:
        checker.add(file, fid, "id", f"duplicate id (first used in {checker.features[fid][0]})")
        return None
    _check_properties(checker, file, fid, props)
    geometry = _check_geometry(checker, file, fid, props, raw)
    _check_area(checker, file, fid, props, geometry)
    checker.features[fid] = (file, props, geometry)
    return fid, props, geometry


def _check_properties(checker: _Checker, file: str, fid: str, props: dict[str, Any]) -> None:
    add = functools.partial(checker.add, file, fid)
    reference = props.get("corridor") == "reference"
    for key in ("name_zh", "name_en", "geometry_source"):
        if not isinstance(props.get(key), str) or not props[key].strip():
            add(key, "missing or empty string")
    for key, allowed in (
        ("corridor", CORRIDORS),
        ("role", ROLES),
        ("geometry_basis", GEOMETRY_BASES),
    ):
        if key not in props:
            add(key, f"missing (one of {', '.join(allowed)})")
        elif props[key] not in allowed:
            add(key, f"{props[key]!r} is not one of {', '.join(allowed)}")
    parent = props.get("parent")
    if parent is not None and not isinstance(parent, str):
        add("parent", "must be a feature id or null")
    if "precision_m" not in props:
        add("precision_m", "missing (metres, or null when unlocated)")
    else:
        precision = props["precision_m"]
        unlocated = props.get("geometry_basis") == "unlocated"
        if unlocated and precision is not None:
            add("precision_m", "must be null when geometry_basis is unlocated")
        if not unlocated and (not _finite_number(precision) or not precision > 0):
            add("precision_m", "must be a positive number of metres")
    districts = props.get("district", [])
    if not isinstance(districts, list):
        add("district", 'must be a list of {"name", "code"}')
    else:
        for i, entry in enumerate(districts):
            if (
                not isinstance(entry, dict)
                or not isinstance(entry.get("name"), str)
                or not isinstance(entry.get("code"), str)
                or not _CODE_RE.match(entry["code"])
            ):
                add(f"district[{i}]", 'must be {"name": "椒江区", "code": "331002"}')
    if not reference and not districts and props.get("role") != "enclave":
        add("district", "curated features must list the district(s) they lie in")
    _check_sources(checker, file, fid, props, reference)
    _check_status(checker, file, fid, props)
    _check_stated(checker, file, fid, props)
    measured = props.get("measured")
    if measured is not None and (
        not isinstance(measured, dict) or not all(_finite_number(v) for v in measured.values())
    ):
        add("measured", "must be an object of finite numbers, e.g. {'area_km2': 40.7}")


def _finite_number(value: Any) -> bool:
    # json.loads accepts NaN and Infinity, and NaN slips through every comparison
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _check_sources(
    checker: _Checker, file: str, fid: str, props: dict[str, Any], reference: bool
) -> None:
    sources = props.get("sources")
    if not isinstance(sources, list):
        checker.add(file, fid, "sources", "missing or not a list of {doc, quote}")
        return
    if not sources and not reference:
        checker.add(file, fid, "sources", "needs at least one excerpt {doc, quote}")
    for i, source in enumerate(sources):
        checker.check_quote(file, fid, f"sources[{i}]", source)


def _check_status(checker: _Checker, file: str, fid: str, props: dict[str, Any]) -> None:
    status = props.get("status")
    if status is None:
        return
    if not isinstance(status, dict):
        checker.add(file, fid, "status", "must be null or {value, as_of, source}")
        return
    if status.get("value") not in STATUS_VALUES:
        checker.add(file, fid, "status.value", f"{status.get('value')!r} not in {STATUS_VALUES}")
    as_of = status.get("as_of")
    if as_of is not None and not (isinstance(as_of, str) and _real_date(as_of)):
        checker.add(file, fid, "status.as_of", "must be YYYY, YYYY-MM or YYYY-MM-DD")
    checker.check_quote(file, fid, "status.source", status.get("source"))


def _real_date(text: str) -> bool:
    if not _AS_OF_RE.match(text):
        return False
    parts = [int(part) for part in text.split("-")] + [1, 1]
    try:
        datetime.date(parts[0], parts[1], parts[2])
    except ValueError:
        return False
    return True


def _check_stated(checker: _Checker, file: str, fid: str, props: dict[str, Any]) -> None:
    stated = props.get("stated", [])
    if stated is None:
        return
    if not isinstance(stated, list):
        checker.add(file, fid, "stated", "must be a list of figures")
        return
    for i, figure in enumerate(stated):
        where = f"stated[{i}]"
        if not isinstance(figure, dict):
            checker.add(file, fid, where, "must be {quantity, value, unit, text, source}")
            continue
        value = figure.get("value")
        if not _finite_number(value):
            checker.add(file, fid, f"{where}.value", "must be a finite number")
        for key in ("quantity", "unit", "text"):
            if not isinstance(figure.get(key), str) or not figure[key].strip():
                checker.add(file, fid, f"{where}.{key}", "missing or empty string")
        unit = figure.get("unit")
        if figure.get("quantity") == "area" and not (
            isinstance(unit, str) and unit in AREA_UNITS_KM2
        ):
            checker.add(
                file,
                fid,
                f"{where}.unit",
                f"{figure.get('unit')!r} is not an area unit ({', '.join(AREA_UNITS_KM2)})",
            )
        quote = checker.check_quote(file, fid, f"{where}.source", figure.get("source"))
        text = figure.get("text")
        if quote is not None and isinstance(text, str) and text not in quote:
            checker.add(file, fid, f"{where}.text", f"{text!r} does not appear in its source quote")
        # text is checked against the quote, so value must be checked against text: else a
        # mistyped value would be shown as the document's figure
        figures = _FIGURE_RE.findall(text) if isinstance(text, str) else []
        if figures and _finite_number(value) and not any(float(f) == value for f in figures):
            checker.add(
                file,
                fid,
                f"{where}.value",
                f"{value!r} is not the figure its text {text!r} states",
            )


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


def _in_region(lon: float, lat: float) -> bool:
    return REGION[0] <= lon <= REGION[2] and REGION[1] <= lat <= REGION[3]


def _check_geometry(
    checker: _Checker, file: str, fid: str, props: dict[str, Any], raw: dict[str, Any]
) -> BaseGeometry | None:
    add = functools.partial(checker.add, file, fid)
    geo = raw.get("geometry")
    unlocated = props.get("geometry_basis") == "unlocated"
    if geo is None:
        if not unlocated:
            add("geometry", "null geometry is allowed only with geometry_basis 'unlocated'")
        return None
    if unlocated:
        add("geometry", "geometry_basis 'unlocated' requires geometry null")
    if (
        not isinstance(geo, dict)
        or not isinstance(geo.get("type"), str)
        or geo["type"] not in COORDINATE_DEPTH
    ):
        kind = geo.get("type") if isinstance(geo, dict) else type(geo).__name__
        add("geometry", f"unsupported geometry type {kind!r}")
        return None
    positions = list(_iter_positions(geo.get("coordinates")))
    bad = [p for p in positions if not _position_ok(p)]
    if not positions or bad:
        shown = bad[0] if bad else geo.get("coordinates")
        add("geometry", f"malformed coordinates (e.g. {json.dumps(shown)[:80]})")
        return None
    if not all(_decimals_ok(c) for p in positions for c in p[:2]):
        add("geometry", "coordinates carry more than 6 decimals")
    open_ring = _open_ring(geo)
    if open_ring is not None:
        # shapely closes rings silently, so an unclosed ring would pass every later check
        add(
            "geometry",
            f"polygon ring {open_ring} is not closed (RFC 7946: at least 4 positions, "
            "the last equal to the first)",
        )
        return None
    lats_invalid = [p for p in positions if not -90 <= p[1] <= 90]
    enclave = props.get("role") == "enclave"
    reference = props.get("corridor") == "reference"
    swapped = [p for p in positions if not _in_region(p[0], p[1]) and _in_region(p[1], p[0])]
    if swapped:
        add(
            "geometry",
            f"latitude/longitude look swapped: {swapped[0][:2]} reads as lon {swapped[0][0]}, "
            f"lat {swapped[0][1]}; GeoJSON order is [longitude, latitude]",
        )
        return None
    if lats_invalid:
        add("geometry", f"invalid latitude {lats_invalid[0][1]} (must be within ±90)")
        return None
    if not enclave and not reference:
        outside = [p for p in positions if not _in_region(p[0], p[1])]
        if outside:
            add(
                "geometry",
                f"{len(outside)} coordinate(s) outside the region lon {REGION[0]}–{REGION[2]}, "
                f"lat {REGION[1]}–{REGION[3]} (e.g. {outside[0][:2]}); "
                "only role 'enclave' may lie elsewhere",
            )
    try:
        geometry = shape(geo)
    except Exception as exc:  # shapely raises several types on malformed rings
        add("geometry", f"cannot build geometry: {exc}")
        return None
    if geometry.is_empty:
        add("geometry", "empty geometry")
        return None
    if not geometry.is_valid:
        add("geometry", f"invalid {geometry.geom_type}: {shapely.is_valid_reason(geometry)}")
    if geometry.geom_type in {"Polygon", "MultiPolygon"}:
        polygons = list(getattr(geometry, "geoms", [geometry]))
        if any(not p.exterior.is_ccw for p in polygons) or any(
            ring.is_ccw for p in polygons for ring in p.interiors
        ):
            add(
                "geometry",
                "ring winding violates RFC 7946 (exterior rings must be counter-clockwise, "
                "holes clockwise)",
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
    checker: _Checker,
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


# ---- cross-feature checks


def _check_parents(checker: _Checker) -> None:
    for fid, (file, props, _) in checker.features.items():
        parent = props.get("parent")
        if not isinstance(parent, str):
            continue
        if parent == fid:
            checker.add(file, fid, "parent", "a feature cannot be its own parent")
        elif parent not in checker.features:
            checker.add(file, fid, "parent", f"unknown parent {parent!r}")
    for fid, (file, _, _) in checker.features.items():
        seen = [fid]
        current = checker.features[fid][1].get("parent")
        while isinstance(current, str) and current in checker.features:
            if current in seen:
                if current == fid:
                    checker.add(
                        file, fid, "parent", "parent cycle: " + " → ".join([*seen, current])
                    )
                break
            seen.append(current)
            current = checker.features[current][1].get("parent")


def _district_geometries(checker: _Checker) -> dict[str, tuple[str, BaseGeometry]]:
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


class _Containment:
    """Union of listed districts, grown by the buffer, cached per district set."""

    def __init__(self, districts: dict[str, tuple[str, BaseGeometry]]) -> None:
        self.districts = districts
        self._cache: dict[tuple[str, ...], BaseGeometry] = {}

    def area(self, codes: tuple[str, ...]) -> BaseGeometry:
        if codes not in self._cache:
            union = shapely.union_all([self.districts[c][1] for c in codes])
            grown = _buffer_m(union, CONTAINMENT_BUFFER_M)
            shapely.prepare(grown)
            self._cache[codes] = grown
        return self._cache[codes]

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
    containment: _Containment,
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


def _check_containment(
    checker: _Checker,
    file: str,
    items: list[tuple[str, dict[str, Any], BaseGeometry | None]],
    containment: _Containment,
) -> None:
    districts = containment.districts
    if file.startswith("ref_") or not districts:
        return
    checkable = []
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
            and all(_in_region(x, y) for x, y in shapely.get_coordinates(geometry))
        ):
            checkable.append((fid, props, geometry, tuple(sorted(codes))))
    failures = _contain_failures(containment, checkable)
    for fid, share, codes in failures:
        names = "、".join(districts[c][0] for c in codes)
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


def _check_known_points(
    checker: _Checker,
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
                        "convert with corridor_map.gcj02.gcj02_to_wgs84",
                    )
                    break
