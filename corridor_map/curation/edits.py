"""The changes a curator makes: a geometry, fields, an excerpt linked or unlinked, a revert.

Every change follows one path (:func:`apply_change`): inside one exclusive transaction of
the store, read the feature, build its new state, render the layer file(s) it changes,
run the one validator on them (:func:`corridor_map.curation.publish.check_candidate`),
then record the change with the state before and after; after the commit the store's
state is published into the layers folder, where :func:`corridor_map.atlas.model.
load_atlas` (keyed on the files' snapshot) picks it up at once. A refused change writes
nothing.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from shapely.geometry.base import BaseGeometry

from corridor_map.core.errors import CorridorMapError
from corridor_map.curation.publish import check_candidate, publish, render_with
from corridor_map.curation.store import Change, CurationError, FeatureState, Store
from corridor_map.geo.geodesy import geodesic_area_km2, geodesic_measure
from corridor_map.geo.geojson import geometry_json

__all__ = [
    "Official",
    "Provenance",
    "apply_change",
    "link_excerpt",
    "replace_geometry",
    "revert_change",
    "set_fields",
    "unlink_excerpt",
]

#: fields ``set`` may not write: the id is referenced elsewhere, the geometry has its
#: own edit, ``measured`` is derived from the geometry and ``sources`` from link/unlink.
PROTECTED_FIELDS = ("id", "measured", "sources", "geometry_official")
#: decimals of ``measured`` per layer (as the layers were built).
_MEASURE_DECIMALS = {"wenzhou_daluo.geojson": 2}


@dataclass(frozen=True)
class Provenance:
    """Who makes a change, why, and what it rests on."""

    author: str
    reason: str
    source: str


@dataclass(frozen=True)
class Official:
    """Who supplied an official geometry: organisation, 文号 and date."""

    supplier: str
    reference: str
    date: str

    def as_dict(self) -> dict[str, str]:
        """The ``geometry_official`` property."""
        return {"supplier": self.supplier, "reference": self.reference, "date": self.date}


def apply_change(
    store: Store,
    layers_dir: Path,
    *,
    kind: str,
    feature_id: str,
    build: Callable[[FeatureState], FeatureState],
    provenance: Provenance,
    expected_version: int | None = None,
    lock_file: Path | None = None,
) -> Change:
    """Validate, record and publish one change of one feature.

    Parameters
    ----------
    store, layers_dir
        The store and the layers folder it publishes into.
    kind
        One of :data:`corridor_map.curation.store.CHANGE_KINDS`.
    feature_id
        The feature changed.
    build
        Current state → new state (raise :class:`CurationError` to refuse).
    provenance
        Author, reason (required) and source.
    expected_version
        The version the editor saw; a different stored version is refused.

    Raises
    ------
    CurationError
        The change is refused (validation, stale version, bad input); nothing written.
    """
    if not provenance.reason.strip():
        raise CurationError("--reason: 每项修改都须说明理由 / every change needs a reason")
    with store.writing():
        current = store.feature(feature_id)
        if expected_version is not None and expected_version != current.version:
            raise CurationError(
                f"{current.file}: {feature_id}: 版本冲突 / version conflict: edited version "
                f"{expected_version}, the store holds version {current.version}"
            )
        new = build(current)
        new = replace(new, version=current.version)
        if new.record() == current.record():
            raise CurationError(f"{current.file}: {feature_id}: 没有变化 / nothing changes")
        texts = render_with(store, [new])
        check_candidate(texts, layers_dir)
        change = store.record(
            kind=kind,
            author=provenance.author,
            reason=provenance.reason,
            source=provenance.source,
            feature=feature_id,
            before=current.record(),
            after=new.record(),
            states=[new],
        )
    publish(store, layers_dir, lock_file)
    return change


def _measured(file: str, props: Mapping[str, Any], geometry: BaseGeometry | None) -> Any:
    """``measured`` for a new geometry: the same figures as before, measured again."""
    old = props.get("measured")
    if not isinstance(old, dict) or geometry is None:
        return None if geometry is None else old
    decimals = _MEASURE_DECIMALS.get(file, 3)
    figures: dict[str, float] = {}
    if "area_km2" in old and geometry.geom_type in {"Polygon", "MultiPolygon"}:
        figures["area_km2"] = round(geodesic_area_km2(geometry), decimals)
    if "length_km" in old and geometry.geom_type in {"LineString", "MultiLineString"}:
        figures["length_km"] = round(geodesic_measure(geometry).length_km, decimals)
    return figures or None


def replace_geometry(
    store: Store,
    layers_dir: Path,
    feature_id: str,
    geometry: BaseGeometry,
    *,
    basis: str,
    precision_m: float,
    geometry_source: str,
    provenance: Provenance,
    official: Official | None = None,
    expected_version: int | None = None,
) -> Change:
    """Replace (or place) a feature's geometry; the old one stays in the history.

    Parameters
    ----------
    geometry
        WGS84 shapely geometry (rounded to 6 decimals, RFC 7946 winding when written).
    basis
        The new ``geometry_basis`` (``official`` needs ``official``).
    precision_m
        How far the geometry can be trusted, in metres.
    geometry_source
        How the geometry was made, shown with the feature.
    """
    if basis == "official" and official is None:
        raise CurationError(
            "--supplier/--reference/--date: an official geometry names who "
            "supplied it, its 文号 and date"
        )
    if precision_m is None or not precision_m > 0:
        raise CurationError("--precision: the precision in metres must be a positive number")
    if geometry is None or geometry.is_empty:
        raise CurationError(f"{feature_id}: geometry: the file's feature has no geometry")

    def build(current: FeatureState) -> FeatureState:
        props = copy.deepcopy(current.properties)
        props["geometry_basis"] = basis
        props["geometry_source"] = geometry_source
        props["precision_m"] = precision_m
        if official is not None:
            props["geometry_official"] = official.as_dict()
        else:
            props.pop("geometry_official", None)
        if "measured" in props:
            props["measured"] = _measured(current.file, props, geometry)
        return replace(current, properties=props, geometry=geometry_json(geometry))

    return apply_change(
        store,
        layers_dir,
        kind="geometry",
        feature_id=feature_id,
        build=build,
        provenance=provenance,
        expected_version=expected_version,
    )


def set_fields(
    store: Store,
    layers_dir: Path,
    feature_id: str,
    values: Mapping[str, Any],
    *,
    provenance: Provenance,
    expected_version: int | None = None,
) -> Change:
    """Set properties (names, role, parent, status, stated figures, within …)."""
    if not values:
        raise CurationError("edit set: give at least one FIELD=VALUE")
    for name in values:
        if name in PROTECTED_FIELDS:
            raise CurationError(
                f"{feature_id}: {name}: 不能直接修改 / cannot be set directly "
                "(the id is referenced; measured follows the geometry; sources: edit link)"
            )

    def build(current: FeatureState) -> FeatureState:
        props = copy.deepcopy(current.properties)
        for name, value in values.items():
            if value is None and name not in props:
                continue
            props[name] = value
        return replace(current, properties=props)

    return apply_change(
        store,
        layers_dir,
        kind="set",
        feature_id=feature_id,
        build=build,
        provenance=provenance,
        expected_version=expected_version,
    )


def _excerpt(doc: str, quote: str, paragraph: str | None) -> dict[str, str]:
    """The excerpt as a layer cites it, after resolving it verbatim."""
    from corridor_map.documents.corpus import load_corpus

    try:
        load_corpus().resolve(doc, quote, paragraph)
    except CorridorMapError as exc:
        raise CurationError(f"--quote: 原文中找不到 / not found verbatim: {exc}") from None
    excerpt = {"doc": doc, "quote": quote}
    if paragraph is not None:
        excerpt["paragraph"] = paragraph
    return excerpt


def link_excerpt(
    store: Store,
    layers_dir: Path,
    feature_id: str,
    doc: str,
    quote: str,
    *,
    provenance: Provenance,
    paragraph: str | None = None,
) -> Change:
    """Cite one more verbatim excerpt for a feature."""
    excerpt = _excerpt(doc, quote, paragraph)

    def build(current: FeatureState) -> FeatureState:
        props = copy.deepcopy(current.properties)
        sources = list(props.get("sources") or [])
        if any(s.get("doc") == doc and s.get("quote") == quote for s in sources):
            raise CurationError(f"{current.file}: {feature_id}: sources: already cites this quote")
        props["sources"] = [*sources, excerpt]
        return replace(current, properties=props)

    return apply_change(
        store,
        layers_dir,
        kind="link",
        feature_id=feature_id,
        build=build,
        provenance=replace(provenance, source=provenance.source or f"{doc}: {quote}"),
    )


def unlink_excerpt(
    store: Store,
    layers_dir: Path,
    feature_id: str,
    doc: str,
    quote: str,
    *,
    provenance: Provenance,
) -> Change:
    """Stop citing an excerpt (the validator refuses leaving a feature with none)."""

    def build(current: FeatureState) -> FeatureState:
        props = copy.deepcopy(current.properties)
        sources = list(props.get("sources") or [])
        kept = [s for s in sources if not (s.get("doc") == doc and s.get("quote") == quote)]
        if len(kept) == len(sources):
            raise CurationError(f"{current.file}: {feature_id}: sources: does not cite this quote")
        props["sources"] = kept
        return replace(current, properties=props)

    return apply_change(
        store,
        layers_dir,
        kind="unlink",
        feature_id=feature_id,
        build=build,
        provenance=replace(provenance, source=provenance.source or f"{doc}: {quote}"),
    )


def revert_change(
    store: Store, layers_dir: Path, change_id: int, *, provenance: Provenance
) -> Change:
    """A new change that puts back the state before change ``change_id``."""
    target = store.change(change_id)
    if target.feature is None or not isinstance(target.before, dict):
        raise CurationError(
            f"change {change_id} ({target.kind}): 只能撤销要素的修改 / only a feature's change "
            "can be reverted"
        )
    before = target.before

    def build(current: FeatureState) -> FeatureState:
        return replace(
            current,
            file=before["file"],
            properties=before["properties"],
            geometry=before["geometry"],
        )

    return apply_change(
        store,
        layers_dir,
        kind="revert",
        feature_id=target.feature,
        build=build,
        provenance=replace(provenance, source=provenance.source or f"change #{change_id}"),
    )
