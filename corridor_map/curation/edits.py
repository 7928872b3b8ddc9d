"""The changes a curator makes: a geometry, fields, an excerpt linked or unlinked, a revert.

Every change follows one path (:func:`apply_change`): inside one exclusive transaction of
the store, read the feature, build its new state, render the layer file(s) it changes,
run the one validator on them (:func:`corridor_map.curation.publish.check_candidate`),
then record the change with the state before and after, and keep the validation report
of the new state with it (replicas of a shared store load that state without checking
it again); after the commit the store's state is published into the layers folder,
where :func:`corridor_map.atlas.model.load_atlas` (keyed on the files' snapshot) picks
it up at once. A refused change writes nothing.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from shapely.geometry.base import BaseGeometry

from corridor_map.core.errors import CorridorMapError
from corridor_map.curation.publish import check_candidate, publish, render_with
from corridor_map.curation.store import (
    Change,
    CurationError,
    FeatureState,
    Store,
    StoreError,
    render_register,
)
from corridor_map.geo.geodesy import geodesic_area_km2, geodesic_measure
from corridor_map.geo.geojson import geometry_json

__all__ = [
    "Official",
    "Provenance",
    "apply_change",
    "describe_geometry",
    "link_excerpt",
    "pick_shape",
    "remeasured",
    "replace_geometry",
    "report_indicator",
    "revert_change",
    "set_fields",
    "state_summary",
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


def _publish_after(
    store: Store, layers_dir: Path, change: Change, lock_file: Path | None = None
) -> None:
    """Publish a committed change; a failure says the change is kept and will follow."""
    try:
        publish(store, layers_dir, lock_file)
    except CurationError as exc:
        raise StoreError(
            f"修改 #{change.id} 已保存，图层未能写出 / change #{change.id} is saved but the "
            f"layers could not be written ({exc}); the next command that can write them will"
        ) from None


def pick_shape(
    shapes: Iterable[tuple[Mapping[str, Any], BaseGeometry | None]], where: str | None, name: str
) -> BaseGeometry | None:
    """The one geometry of an imported file; ``FIELD=VALUE`` picks it among several.

    Parameters
    ----------
    shapes
        ``(properties, geometry)`` pairs (:attr:`corridor_map.analysis.uploads.Imported.shapes`).
    where
        ``FIELD=VALUE`` or None.
    name
        The file's name, for the messages.
    """
    items = list(shapes)
    if where:
        field, sep, value = where.partition("=")
        if not sep or not field:
            raise CurationError(f"--where {where!r}: expected FIELD=VALUE")
        items = [(p, g) for p, g in items if str(p.get(field)) == value]
        if not items:
            raise CurationError(f"{name}: no feature with {field} = {value!r}")
    if len(items) != 1:
        raise CurationError(f"{name}: {len(items)} features; pick one with --where FIELD=VALUE")
    return items[0][1]


def describe_geometry(official: Official | None, described: str, source: str) -> str:
    """The ``geometry_source`` text of a geometry read from a file.

    Parameters
    ----------
    official
        Who supplied it, when official.
    described
        How it was read, e.g. ``read from redline.zip (zip, EPSG:4549 …)``.
    source
        What the curator says it rests on.
    """
    if official is None:
        return f"{source} ({described})"
    return (
        f"Official boundary supplied by {official.supplier} ({official.reference}, "
        f"{official.date}), {described}. {source}"
    )


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
    # What a killed save left unpublished goes out first; a file edited outside the store
    # stops the change here rather than being overwritten by it.
    publish(store, layers_dir, lock_file)
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
        key, report = check_candidate(texts, layers_dir)
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
        store.keep_report(key, report)
    _publish_after(store, layers_dir, change, lock_file)
    return change


def remeasured(file: str, props: Mapping[str, Any], geometry: BaseGeometry | None) -> Any:
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
            props["measured"] = remeasured(current.file, props, geometry)
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
    if target.kind == "indicator" or (
        target.kind == "revert" and isinstance(target.before, dict) and "indicator" in target.before
    ):
        return _change_indicator(
            store,
            layers_dir,
            str(target.before["register"]),
            str(target.feature),
            lambda _: dict(target.before["indicator"]),
            kind="revert",
            provenance=replace(provenance, source=provenance.source or f"change #{change_id}"),
        )
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


INDICATORS = "indicators.json"


def _change_indicator(
    store: Store,
    layers_dir: Path,
    register: str,
    indicator_id: str,
    build: Callable[[dict[str, Any]], dict[str, Any]],
    *,
    kind: str,
    provenance: Provenance,
) -> Change:
    """One change of one indicator of a register, validated, recorded and published."""
    if not provenance.reason.strip():
        raise CurationError("--reason: 每项修改都须说明理由 / every change needs a reason")
    publish(store, layers_dir)  # as in apply_change
    with store.writing():
        data, version = store.register(register)
        records = data.get("indicators") if isinstance(data, dict) else None
        if not isinstance(records, list):
            raise CurationError(f"{register}: indicators: not a list")
        index = next(
            (
                i
                for i, r in enumerate(records)
                if isinstance(r, dict) and r.get("id") == indicator_id
            ),
            None,
        )
        if index is None:
            raise CurationError(f"{register}: {indicator_id}: no indicator with this id")
        before = copy.deepcopy(records[index])
        after = build(copy.deepcopy(before))
        if after == before:
            raise CurationError(f"{register}: {indicator_id}: 没有变化 / nothing changes")
        new_data = copy.deepcopy(data)
        new_data["indicators"][index] = after
        key, report = check_candidate({register: render_register(new_data)}, layers_dir)
        change = store.record(
            kind=kind,
            author=provenance.author,
            reason=provenance.reason,
            source=provenance.source,
            feature=indicator_id,
            before={"register": register, "indicator": before},
            after={"register": register, "indicator": after},
            states=[],
            registers={register: (new_data, version)},
        )
        store.keep_report(key, report)
    _publish_after(store, layers_dir, change)
    return change


def report_indicator(
    store: Store,
    layers_dir: Path,
    indicator_id: str,
    report: Mapping[str, Any],
    *,
    provenance: Provenance,
) -> Change:
    """Record a reported value of an indicator with the excerpt that reports it.

    Parameters
    ----------
    report
        ``{value, unit, text, date, scope, source: {doc, quote[, paragraph]}, note?}`` as
        ``indicators.schema.json`` describes a report; the excerpt must resolve verbatim.
    """
    source = report.get("source") or {}
    excerpt = _excerpt(str(source.get("doc")), str(source.get("quote")), source.get("paragraph"))
    entry = {**dict(report), "source": excerpt}

    def build(record: dict[str, Any]) -> dict[str, Any]:
        reported = list(record.get("reported") or [])
        if entry in reported:
            raise CurationError(f"{INDICATORS}: {indicator_id}: reported: already recorded")
        record["reported"] = [*reported, entry]
        return record

    return _change_indicator(
        store,
        layers_dir,
        INDICATORS,
        indicator_id,
        build,
        kind="indicator",
        provenance=replace(
            provenance, source=provenance.source or f"{excerpt['doc']}: {excerpt['quote']}"
        ),
    )


def state_summary(value: Any) -> str:
    """A short form of a change's before/after state (the history listings)."""
    if not isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False)[:80]
    if "indicator" in value:
        reported = value["indicator"].get("reported") or []
        return f"{value['indicator'].get('id')}: {len(reported)} report(s)"
    props = value.get("properties") or {}
    geometry = value.get("geometry")
    shape = "no geometry" if geometry is None else str(geometry.get("type"))
    measured = props.get("measured") or {}
    size = f" {measured['area_km2']} km²" if "area_km2" in measured else ""
    cited = len(props.get("sources") or [])
    return f"{props.get('geometry_basis')} {shape}{size}, {cited} source(s)"
