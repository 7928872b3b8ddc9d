"""The atlas: every ``layers/*.geojson`` loaded into typed features, and its validator.

The feature schema is the one in ``docs/architecture.md``. :func:`validate` never raises
on bad input: it returns every :class:`Problem` it finds (file, feature id, field,
reason), which ``corridor-map validate`` prints. :func:`load_atlas` loads the layers
through the same checks (cached on the data snapshot, since Streamlit reruns a lot):
files with a problem are refused and listed, or, strict, the load raises
:class:`LayerError` with the list.

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
  disappear once its coordinates are converted GCJ-02 → WGS84; or a file that fits its
  anchors better converted than as given: more vertices within 100 m of a district
  boundary or a reference station/runway (not the dense road graph), less of it outside
  its (unbuffered) districts, or more points and shape centres on the 0.001° grid the
  curation scripts round positions to. The shift is about 540 m here, so only anchored
  signals are reliable; a file with no anchor gets a note in ``validate --explain``
  (:func:`explain`) saying a wholesale shift of it would pass undetected.

:func:`load_atlas` runs these checks (one cached result per data snapshot) and refuses
every layer file with a problem; see its docstring and ``docs/architecture.md``.
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime
import functools
import json
import logging
import math
import os
import re
import threading
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
from corridor_map.gcj02 import gcj02_to_wgs84, gcj02_to_wgs84_geometry, wgs84_to_gcj02
from corridor_map.measure import (
    COORDINATE_DEPTH,
    distance_km,
    geodesic_area_km2,
    geodesic_measure,
)
from corridor_map.paths import layers_dir as default_layers_dir
from corridor_map.paths import seeds_dir

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
    "explain",
    "load_atlas",
    "refusal_message",
    "strict_loading",
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
    # reference seats (ref_places, GeoNames): 街道, 镇, 乡, county-level seat
    "street",
    "town",
    "township",
    "county_seat",
)
#: roles of the GeoNames seats in ref_places (a ``within`` of kind "place" names one).
PLACE_ROLES = ("street", "town", "township", "county_seat")
#: what a ``within`` may name: a curated feature, a ref_places seat or a district.
WITHIN_KINDS = ("feature", "place", "district")
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
PLANNED_LINKS_FILE = "planned_links.geojson"

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
    #: every problem found, as :func:`validate` reports it (empty when all is valid).
    problems: tuple[Problem, ...] = ()
    #: layer files left out because they (or a file they depend on) have a problem.
    refused: tuple[str, ...] = ()
    warned: bool = field(default=False, repr=False, compare=False)

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

#: How many problems a refusal message lists before "… and N more".
MAX_LISTED_PROBLEMS = 25

_STRICT: contextvars.ContextVar[bool] = contextvars.ContextVar("corridor_map_strict", default=False)
# Streamlit serves sessions from several threads: after a data change, one validates and
# the others wait for its result instead of validating the same snapshot in parallel.
_LOAD_LOCK = threading.RLock()
_LOG = logging.getLogger("corridor_map")


@contextlib.contextmanager
def strict_loading() -> Iterator[None]:
    """Make :func:`load_atlas` refuse any invalid data inside the ``with`` block.

    The command line runs every subcommand in this context, so a command that loads the
    layers indirectly (travel, measure) exits with the problem list rather than working
    on the valid files only.
    """
    token = _STRICT.set(True)
    try:
        yield
    finally:
        _STRICT.reset(token)


def _snapshot_of(folder: Path) -> tuple[tuple[str, int, int], ...]:
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except FileNotFoundError:
        return ()
    except NotADirectoryError:
        return ()
    found = []
    for entry in entries:
        try:
            info = entry.stat()
        except OSError:
            continue
        found.append((entry.name, info.st_size, info.st_mtime_ns))
    return tuple(found)


def _snapshot(directory: Path) -> tuple[Any, ...]:
    """The cache key: name, size and modification time of every file in layers/ and seeds/.

    The quotes are checked against the seeds, so a changed seed invalidates the result.
    """
    return (_snapshot_of(directory), _snapshot_of(seeds_dir()))


def load_atlas(layers_dir: Path | str | None = None, *, strict: bool | None = None) -> Atlas:
    """Load the layers through the checks of :func:`validate`.

    A layer file with any problem is refused as a whole, and so is a file that depends on
    a refused one (a parent, a planned link); the remaining files load. The problems are
    on :attr:`Atlas.problems` and the refused files on :attr:`Atlas.refused`.

    Parameters
    ----------
    layers_dir
        Folder of layers; default :func:`corridor_map.paths.layers_dir`.
    strict
        Refuse the whole atlas when any problem is found (the command line). ``None``
        means strict inside :func:`strict_loading`, otherwise lenient (the app, which
        shows :attr:`Atlas.problems` and keeps working on the valid files).

    Returns
    -------
    Atlas
        Cached while no file in the layers or seeds folder changes (name, size,
        modification time): a rerun pays a stat of each file.

    Raises
    ------
    LayerError
        When strict and any problem was found, or when no valid layer file is left (a
        missing or empty folder); the message lists the problems as ``validate`` does.
    """
    directory = Path(layers_dir) if layers_dir is not None else default_layers_dir()
    directory = directory.resolve()
    with _LOAD_LOCK:
        atlas = _load_cached(directory, _snapshot(directory))
    if atlas.problems and (_STRICT.get() if strict is None else strict):
        raise LayerError(refusal_message(atlas.problems, atlas.refused))
    if atlas.refused and not atlas.warned:
        atlas.warned = True
        _LOG.warning("%s", refusal_message(atlas.problems, atlas.refused))
    return atlas


def refusal_message(problems: Iterable[Problem], refused: Iterable[str] = ()) -> str:
    """One summary line, then one ``file: feature: field: reason`` line per problem."""
    problems = list(problems)
    refused = list(refused)
    head = f"{len(problems)} problem(s) in the layers / 图层有 {len(problems)} 个问题"
    if refused:
        head += f"; refused / 未载入: {', '.join(refused)}"
    lines = [head, *(f"  {p}" for p in problems[:MAX_LISTED_PROBLEMS])]
    if len(problems) > MAX_LISTED_PROBLEMS:
        lines.append(f"  … and {len(problems) - MAX_LISTED_PROBLEMS} more (corridor-map validate)")
    return "\n".join(lines)


@functools.lru_cache(maxsize=8)
def _load_cached(directory: Path, snapshot: tuple[Any, ...]) -> Atlas:
    del snapshot  # only part of the cache key
    report = _report(directory, _snapshot(directory))
    if report.fatal:
        raise LayerError(refusal_message(report.problems))
    checker = report.accepted
    features: dict[str, Feature] = {}
    for fid, (file, props, geometry) in checker.features.items():
        features[fid] = _to_feature(fid, file, props, geometry)
    if not features and not checker.collections:
        raise LayerError(refusal_message(report.problems, report.refused))
    return Atlas(
        features=features,
        collections=dict(checker.collections),
        layers_dir=directory,
        problems=tuple(report.problems),
        refused=tuple(report.refused),
    )


def _to_feature(
    feature_id: str, file: str, props: dict[str, Any], geometry: BaseGeometry | None
) -> Feature:
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
        self.notes: list[str] = []
        self.features: dict[str, tuple[str, dict[str, Any], BaseGeometry | None]] = {}
        self.collections: dict[str, dict[str, Any]] = {}
        self._resolve: Callable[..., Any] | None = None
        self._documents: frozenset[str] | None = None
        self._corpus_error: Problem | None = None
        self.unchecked_quotes = 0

    def add(self, file: str, feature_id: str, field_name: str, reason: str) -> None:
        self.problems.append(Problem(file, feature_id, field_name, reason))

    # ---- corpus

    def resolver(self) -> Callable[..., Any] | None:
        """The corpus's resolve, or None (and one problem at the seed) when it cannot load."""
        if self._resolve is None and self._corpus_error is None:
            try:
                from corridor_map.corpus import load_corpus

                corpus = load_corpus()
                self._resolve = corpus.resolve
                self._documents = frozenset(corpus.documents)
            except CorridorMapError as exc:
                # One problem at the broken seed or catalog, not one per quote.
                where = getattr(exc, "file", None)
                reason = str(exc)
                file = "seeds"
                if where is not None:
                    file = f"seeds/{Path(where).name}"
                    if reason.startswith(where):
                        reason = reason[len(where) :].lstrip(": ")
                self._corpus_error = Problem(file, getattr(exc, "doc_id", None) or "-", "-", reason)
            except Exception as exc:  # an absent or broken corpus module must not crash
                self._corpus_error = Problem(
                    "-", "-", "sources", f"corridor_map.corpus unavailable ({exc!r})"
                )
        return self._resolve

    def finish(self) -> None:
        """Add the corpus problem once, with the number of quotes it left unchecked."""
        if self._corpus_error is not None:
            error = self._corpus_error
            self.problems.append(
                Problem(
                    error.file,
                    error.feature_id,
                    error.field,
                    f"{error.reason}; {self.unchecked_quotes} quote(s) not checked",
                )
            )

    def check_quote(self, file: str, fid: str, where: str, source: Any) -> str | None:
        """Check one ``{"doc", "quote", "paragraph"?}``; return the quote when well formed."""
        if not isinstance(source, dict):
            self.add(file, fid, where, "must be an object with doc and quote")
            return None
        doc, quote = source.get("doc"), source.get("quote")
        # The catalog's documents when the corpus loads (a data folder may hold more than
        # the five shipped ones), else the shipped ids.
        resolve = self.resolver()
        known = DOC_IDS if self._documents is None else self._documents
        if not isinstance(doc, str) or doc not in known:
            self.add(file, fid, f"{where}.doc", f"unknown document id {doc!r}")
            return None
        if not isinstance(quote, str) or not quote.strip():
            self.add(file, fid, f"{where}.quote", "missing or empty quote")
            return None
        paragraph = source.get("paragraph")
        if paragraph is not None and not isinstance(paragraph, str):
            self.add(file, fid, f"{where}.paragraph", "must be a paragraph id string")
            paragraph = None
        if resolve is None:
            self.unchecked_quotes += 1
        else:
            try:
                resolve(doc, quote, paragraph)
            except CorridorMapError as exc:
                self.add(file, fid, f"{where}.quote", f"quote not found verbatim: {exc}")
            except Exception as exc:  # a corpus bug must not hide the other findings
                self.add(file, fid, f"{where}.quote", f"quote check failed: {exc!r}")
        return quote


def validate(layers_dir: Path | str | None = None) -> list[Problem]:
    """Check every layer file and return all problems found (empty when valid).

    These are the checks :func:`load_atlas` runs; both share one result per data
    snapshot (file names, sizes and modification times of the layers and seeds).

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
    directory = directory.resolve()
    with _LOAD_LOCK:
        return list(_report(directory, _snapshot(directory)).first_round)


def explain(layers_dir: Path | str | None = None) -> list[str]:
    """Say what the checks could not establish, e.g. curated files without a GCJ-02 anchor.

    Parameters
    ----------
    layers_dir
        Folder of layers; default :func:`corridor_map.paths.layers_dir`.

    Returns
    -------
    list of str
        One ``file: note`` line per limitation (``validate --explain`` prints them).
    """
    directory = Path(layers_dir) if layers_dir is not None else default_layers_dir()
    directory = directory.resolve()
    with _LOAD_LOCK:
        return list(_report(directory, _snapshot(directory)).notes)


@dataclass(frozen=True)
class _Report:
    first_round: tuple[Problem, ...]
    problems: tuple[Problem, ...]
    refused: tuple[str, ...]
    accepted: _Checker
    notes: tuple[str, ...]
    fatal: bool


@functools.lru_cache(maxsize=8)
def _report(directory: Path, snapshot: tuple[Any, ...]) -> _Report:
    """Validate, then refuse every layer file with a problem until the rest is clean.

    Refusing a file can break another (a parent or a planned link now missing), so the
    checks run again on the remaining files until no further file has a problem.
    """
    del snapshot  # only part of the cache key
    if not directory.is_dir():
        problem = Problem(str(directory), "-", "-", "layers folder not found")
        return _Report((problem,), (problem,), (), _Checker(directory), (), True)
    files = sorted(directory.glob("*.geojson"))
    if not files:
        problem = Problem(str(directory), "-", "-", "no *.geojson layer files")
        return _Report((problem,), (problem,), (), _Checker(directory), (), True)
    checker = _check_folder(directory, files)
    first = tuple(checker.problems)
    problems = list(first)
    refused: list[str] = []
    while True:
        names = {p.name for p in files}
        bad = sorted({p.file for p in checker.problems if p.file in names})
        if not bad:
            break
        refused.extend(bad)
        files = [p for p in files if p.name not in bad]
        checker = _check_folder(directory, files)
        note = f" (after refusing {', '.join(refused)})"
        known = set(problems)
        problems.extend(
            Problem(p.file, p.feature_id, p.field, p.reason + note)
            for p in checker.problems
            if p not in known and p.file in {f.name for f in files}
        )
    return _Report(first, tuple(problems), tuple(refused), checker, tuple(checker.notes), False)


def _check_folder(directory: Path, files: list[Path]) -> _Checker:
    checker = _Checker(directory)
    parsed: list[tuple[str, list[tuple[str, dict[str, Any], BaseGeometry | None]]]] = []
    links: list[tuple[str, Any]] = []
    for path in files:
        parsed.append((path.name, _check_file(checker, path, links)))
    _check_parents(checker)
    _check_links(checker, links)
    _check_targets(checker, directory / TARGETS_FILE)
    from corridor_map.indicators import validate_register

    checker.problems.extend(validate_register(directory))
    districts = _district_geometries(checker)
    curated = [name for name, _ in parsed if not name.startswith("ref_")]
    if curated and not districts:
        checker.add(DISTRICTS_FILE, "-", "-", "missing or empty: containment not checked")
    containment = _Containment(districts)
    checkable: dict[str, list[tuple[str, dict[str, Any], BaseGeometry, tuple[str, ...]]]] = {}
    for name, items in parsed:
        checkable[name] = _check_containment(checker, name, items, containment)
    _check_known_points(checker, parsed)
    _check_gcj_anchors(checker, parsed, checkable, districts)
    checker.finish()
    return checker


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
    checker.collections[name] = {k: v for k, v in data.items() if k != "features"}
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
    _check_within(checker, file, fid, props)
    measured = props.get("measured")
    if measured is not None and (
        not isinstance(measured, dict) or not all(_finite_number(v) for v in measured.values())
    ):
        add("measured", "must be an object of finite numbers, e.g. {'area_km2': 40.7}")


def _check_within(checker: _Checker, file: str, fid: str, props: dict[str, Any]) -> None:
    """``within``: the smallest known area holding the feature, with its evidence.

    ``{"kind": "feature"|"place"|"district", "id": ..., "source": {doc, quote}}`` or with
    ``"reason"`` (a sentence) instead of ``source``; the id is resolved across files by
    :func:`_check_within_targets`.
    """
    within = props.get("within")
    if within is None:
        return
    add = functools.partial(checker.add, file, fid)
    if not isinstance(within, dict):
        add("within", 'must be null or {"kind", "id", "source" | "reason"}')
        return
    if within.get("kind") not in WITHIN_KINDS:
        add("within.kind", f"{within.get('kind')!r} is not one of {', '.join(WITHIN_KINDS)}")
    if not isinstance(within.get("id"), str) or not within["id"]:
        add("within.id", "missing or not a feature id")
    elif within["id"] == fid:
        add("within.id", "a feature cannot lie within itself")
    has_source, has_reason = "source" in within, "reason" in within
    if has_source == has_reason:
        add("within", "needs exactly one of source {doc, quote} or reason")
    elif has_source:
        checker.check_quote(file, fid, "within.source", within["source"])
    elif not isinstance(within["reason"], str) or not within["reason"].strip():
        add("within.reason", "missing or empty string")


def _check_within_targets(checker: _Checker) -> None:
    for fid, (file, props, _) in checker.features.items():
        within = props.get("within")
        if not isinstance(within, dict) or not isinstance(within.get("id"), str):
            continue
        target = checker.features.get(within["id"])
        kind = within.get("kind")
        if target is None:
            checker.add(file, fid, "within.id", f"unknown feature {within['id']!r}")
            continue
        role, corridor = target[1].get("role"), target[1].get("corridor")
        if kind == "place" and role not in PLACE_ROLES:
            checker.add(file, fid, "within.id", f"{within['id']!r} is not a place (ref_places)")
        elif kind == "district" and role != "district":
            checker.add(file, fid, "within.id", f"{within['id']!r} is not a district")
        elif kind == "feature" and corridor == "reference":
            checker.add(file, fid, "within.id", f"{within['id']!r} is a reference feature")


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
    _check_within_targets(checker)


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
    return checkable


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


def _anchor_tree(
    checker: _Checker, districts: dict[str, tuple[str, BaseGeometry]]
) -> shapely.STRtree | None:
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


def _check_gcj_anchors(
    checker: _Checker,
    parsed: list[tuple[str, list[tuple[str, dict[str, Any], BaseGeometry | None]]]],
    checkable: dict[str, list[tuple[str, dict[str, Any], BaseGeometry, tuple[str, ...]]]],
    districts: dict[str, tuple[str, BaseGeometry]],
) -> None:
    """Catch a curated file shifted wholesale to GCJ-02, wherever it has an anchor.

    Three anchors, each compared as given and after converting GCJ-02 → WGS84: vertices
    that sit on a district boundary or a reference station, runway or stop; how much of
    the file lies outside its districts (unbuffered); and points and polygon centres on
    the 0.001° grid the curation scripts round positions to. A file with none gets a note
    for ``validate --explain``: a wholesale shift of it would pass.
    """
    tree = _anchor_tree(checker, districts)
    flat = _Containment(districts, buffer_m=0.0)
    for file, items in parsed:
        if file.startswith("ref_") or file == PLANNED_LINKS_FILE:
            continue
        located = [
            geometry
            for _, props, geometry in items
            if geometry is not None
            and props.get("role") != "enclave"
            and all(_in_region(x, y) for x, y in shapely.get_coordinates(geometry))
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
                + "; convert with corridor_map.gcj02.gcj02_to_wgs84_geojson",
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
