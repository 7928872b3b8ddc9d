"""The atlas: every ``layers/*.geojson`` loaded into typed features.

:func:`load_atlas` is the only way views read the layers. It loads them through the checks
of :mod:`corridor_map.atlas.validation` (cached on the data snapshot, since Streamlit reruns a
lot): files with a problem are refused and listed, or, strict, the load raises
:class:`LayerError` with the list. The feature schema is the one in
``docs/architecture.md`` and ``corridor_map/schemas/layer.schema.json``.

The validator's names (:func:`validate`, :func:`explain`, :class:`Problem`,
:func:`refusal_message`, the vocabulary and tolerances) stay importable from here.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

import shapely
from shapely.geometry.base import BaseGeometry

from corridor_map.atlas.validation import (
    _LOAD_LOCK,
    _report,
    _snapshot,
    refusal_message,
)
from corridor_map.core.errors import CorridorMapError, Problem, UnknownFeatureError
from corridor_map.core.paths import layers_dir as default_layers_dir
from corridor_map.core.records import Source, StatedFigure, Status
from corridor_map.core.vocab import (
    TARGETS_FILE,
)
from corridor_map.geo.geodesy import geodesic_area_km2, geodesic_measure

__all__ = [
    "Atlas",
    "Feature",
    "LayerError",
    "load_atlas",
]


class LayerError(CorridorMapError):
    """A layer file that cannot be loaded (names the file, feature and reason)."""


class UnknownAtlasFeatureError(UnknownFeatureError, LayerError):
    """:meth:`Atlas.get` of an id no layer holds."""


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
    def stated(self) -> list[StatedFigure]:
        """Figures exactly as the documents state them."""
        return cast("list[StatedFigure]", _dicts(self.properties.get("stated")))

    @property
    def sources(self) -> list[Source]:
        """Cited excerpts (empty for reference layers)."""
        return cast("list[Source]", _dicts(self.properties.get("sources")))

    @property
    def status(self) -> Status | None:
        """Status as the document gives it, or None."""
        status = self.properties.get("status")
        return cast("Status", status) if isinstance(status, dict) else None

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
    #: ``travel_targets.json`` as checked (None when absent or refused); travel reads it.
    travel_targets: dict[str, Any] | None = field(default=None, repr=False, compare=False)
    #: the data snapshot it was loaded from (:func:`corridor_map.core.paths.data_snapshot`:
    #: every data file's name, size and modification time); the explicit, hashable key of
    #: what is derived from the atlas (e.g. the travel networks). Empty when built by hand.
    snapshot: tuple[Any, ...] = field(default=(), repr=False, compare=False)
    warned: bool = field(default=False, repr=False, compare=False)
    # Indexes built on first use (the features do not change after loading): the panel of
    # every feature asks for children and districts, which a scan made quadratic.
    _children: dict[str | None, list[Feature]] | None = field(
        default=None, init=False, repr=False, compare=False
    )
    _districts: dict[str, Feature] | None = field(
        default=None, init=False, repr=False, compare=False
    )

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
            raise UnknownAtlasFeatureError(
                feature_id, f"no feature with id {feature_id!r} in {self.layers_dir}"
            ) from None

    def children(self, feature_id: str) -> list[Feature]:
        """Return the features whose parent is ``feature_id``, in file order."""
        if self._children is None:
            index: dict[str | None, list[Feature]] = {}
            for f in self.features.values():
                index.setdefault(f.parent, []).append(f)
            self._children = index
        return list(self._children.get(feature_id, ()))

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
        if self._districts is None:
            self._districts = {
                str(f.properties.get("code")): f
                for f in self.features.values()
                if f.corridor == "reference" and f.role == "district"
            }
        return dict(self._districts)

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

_LOG = logging.getLogger("corridor_map")


def load_atlas(layers_dir: Path | str | None = None, *, strict: bool = False) -> Atlas:
    """Load the layers through the checks of :func:`validate`.

    A layer file with any problem is refused as a whole, and so is a file that depends on
    a refused one (a parent, a planned link); the remaining files load. The problems are
    on :attr:`Atlas.problems` and the refused files on :attr:`Atlas.refused`.

    Parameters
    ----------
    layers_dir
        Folder of layers; default :func:`corridor_map.core.paths.layers_dir`.
    strict
        Refuse the whole atlas when any problem is found: the command line loads it so
        and passes it on, so a command exits with the problem list rather than working on
        the valid files only. Lenient by default (the app, which shows
        :attr:`Atlas.problems` and keeps working on the valid files).

    Returns
    -------
    Atlas
        Cached while no file in the layers or seeds folder changes (name, size,
        modification time): a rerun pays a stat of each file. Across restarts the
        validation report comes from :func:`corridor_map.atlas.report_cache.report_store` while
        the bytes of the data and the code are unchanged.

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
    if atlas.problems and strict:
        raise LayerError(refusal_message(atlas.problems, atlas.refused))
    if atlas.refused and not atlas.warned:
        atlas.warned = True
        _LOG.warning("%s", refusal_message(atlas.problems, atlas.refused))
    return atlas


@functools.lru_cache(maxsize=8)
def _load_cached(directory: Path, snapshot: tuple[Any, ...]) -> Atlas:
    report = _report(directory, snapshot)
    if report.fatal:
        raise LayerError(refusal_message(report.problems))
    features: dict[str, Feature] = {}
    for fid, (file, props, geometry) in report.features.items():
        features[fid] = _to_feature(fid, file, props, geometry)
    if not features and not report.collections:
        raise LayerError(refusal_message(report.problems, report.refused))
    return Atlas(
        features=features,
        collections=dict(report.collections),
        layers_dir=directory,
        problems=tuple(report.problems),
        refused=tuple(report.refused),
        travel_targets=None if TARGETS_FILE in report.refused else report.targets,
        snapshot=snapshot,
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
