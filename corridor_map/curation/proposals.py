"""Proposals and review: a contributor proposes, a curator accepts or rejects with a note.

A proposal is a change not yet made: new fields or a new geometry for one feature, with
the reason and the source it rests on (an excerpt, a file, a 文号), based on the version
of the feature the contributor saw. A curator sees the state before and the state after
(:func:`review`, with the diff of attributes) and

- accepts it: the change is made through the store's one path
  (:mod:`corridor_map.curation.edits`: validated, recorded with its before and after,
  published), against the version the proposal was based on, so a feature that changed
  meanwhile is refused with both states (:class:`ProposalConflictError`), never
  overwritten;
- or rejects it, with a note: nothing changes on the map.

The trail is append-only: ``proposals`` holds what was proposed, ``proposal_events``
every decision with who, when and why (and the change an acceptance made). Every function
that writes checks the server-resolved user itself (:func:`corridor_map.core.roles.
require`); texts shown to a reviewer are user input and go through
:mod:`corridor_map.core.markup` when rendered.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from shapely.geometry import shape

from corridor_map.core.roles import PermissionRefusedError, Role, User, require
from corridor_map.core.vocab import REGION
from corridor_map.curation.db import Database, now_utc
from corridor_map.curation.edits import (
    PROTECTED_FIELDS,
    Official,
    Provenance,
    replace_geometry,
    set_fields,
)
from corridor_map.curation.store import Change, CurationError, FeatureState, Store

__all__ = [
    "Proposal",
    "ProposalConflictError",
    "ProposalError",
    "Review",
    "accept",
    "ensure_proposal_tables",
    "proposal",
    "proposals",
    "propose_fields",
    "propose_geometry",
    "reject",
    "review",
]

_SQLITE = """
CREATE TABLE IF NOT EXISTS proposals (
    id INTEGER PRIMARY KEY,
    feature TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('set', 'geometry')),
    payload TEXT NOT NULL,
    base_version INTEGER NOT NULL,
    base TEXT NOT NULL,
    author TEXT NOT NULL,
    author_label TEXT NOT NULL,
    time TEXT NOT NULL,
    reason TEXT NOT NULL CHECK (length(trim(reason)) > 0),
    source TEXT NOT NULL CHECK (length(trim(source)) > 0)
);
CREATE TABLE IF NOT EXISTS proposal_events (
    id INTEGER PRIMARY KEY,
    proposal INTEGER NOT NULL REFERENCES proposals(id),
    status TEXT NOT NULL CHECK (status IN ('open', 'accepted', 'rejected')),
    author TEXT NOT NULL,
    time TEXT NOT NULL,
    note TEXT NOT NULL,
    change INTEGER
);
CREATE INDEX IF NOT EXISTS proposal_events_proposal ON proposal_events(proposal, id)
"""
_POSTGRES = (
    _SQLITE.replace("id INTEGER PRIMARY KEY", "id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY")
    .replace("proposal INTEGER", "proposal BIGINT")
    .replace("change INTEGER", "change BIGINT")
)
_LOCK = "corridor-map proposals"
#: the source of a change an accepted proposal made starts with this (then the id).
SOURCE_PREFIX = "proposal #"


class ProposalError(CurationError):
    """A proposal that cannot be made or decided; the message names the field."""


class ProposalConflictError(ProposalError):
    """The feature changed after the proposal was made: both states, for a merge.

    Attributes
    ----------
    proposal : Proposal
    based_on : dict
        The feature's state (file, properties, geometry) the proposal was made against.
    current : FeatureState
        The state the store holds now.
    """

    def __init__(self, proposal: Proposal, current: FeatureState) -> None:
        self.proposal = proposal
        self.based_on = proposal.base
        self.current = current
        changed = sorted(
            k
            for k in set(proposal.base["properties"]) | set(current.properties)
            if proposal.base["properties"].get(k) != current.properties.get(k)
        )
        if proposal.base.get("geometry") != current.geometry:
            changed.append("geometry")
        super().__init__(
            f"{current.file}: {current.id}: 版本冲突 / version conflict: proposal "
            f"{proposal.id} is based on version {proposal.base_version}, the store holds "
            f"version {current.version} (changed since: {', '.join(changed) or 'nothing'})"
        )


@dataclass(frozen=True)
class Proposal:
    """A proposal with its current status (its latest event)."""

    id: int
    feature: str
    kind: str
    payload: dict[str, Any]
    base_version: int
    base: dict[str, Any]
    author: str
    author_label: str
    time: str
    reason: str
    source: str
    status: str
    decided_by: str
    decided_at: str
    note: str
    change: int | None


@dataclass(frozen=True)
class Review:
    """What a curator weighs: the state now, the state after, and what differs.

    Attributes
    ----------
    before, after : dict
        ``{"file", "properties", "geometry"}`` of the feature now and if accepted.
    diff : list of (field, before, after)
        Every property that differs, by name.
    geometry_changed : bool
    stale : bool
        The feature changed since the proposal was made (accepting will be refused).
    """

    proposal: Proposal
    before: dict[str, Any]
    after: dict[str, Any]
    diff: list[tuple[str, Any, Any]]
    geometry_changed: bool
    stale: bool


def ensure_proposal_tables(db: Database) -> None:
    """Create the proposal tables if the database has none."""
    db.ensure_schema(_SQLITE, _POSTGRES)


def _check_texts(reason: str, source: str) -> tuple[str, str]:
    if not reason.strip():
        raise ProposalError("reason: 每项提案都须说明理由 / every proposal needs a reason")
    if not source.strip():
        raise ProposalError(
            "source: 须注明依据（原文摘录、文件或文号）/ name the excerpt, file or 文号 it rests on"
        )
    return reason.strip(), source.strip()


def _insert(
    db: Database,
    user: User,
    current: FeatureState,
    kind: str,
    payload: dict[str, Any],
    reason: str,
    source: str,
) -> Proposal:
    time = now_utc()
    with db.transaction(_LOCK):
        proposal_id = db.insert(
            "INSERT INTO proposals (feature, kind, payload, base_version, base, author, "
            "author_label, time, reason, source) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
            "RETURNING id",
            (
                current.id,
                kind,
                json.dumps(payload, ensure_ascii=False),
                current.version,
                json.dumps(current.record(), ensure_ascii=False),
                user.author,
                user.label,
                time,
                reason,
                source,
            ),
        )
        db.query(
            "INSERT INTO proposal_events (proposal, status, author, time, note) "
            "VALUES (?, 'open', ?, ?, '')",
            (proposal_id, user.author, time),
        )
    return proposal(db, proposal_id)


def propose_fields(
    db: Database,
    store: Store,
    user: User | None,
    feature_id: str,
    values: dict[str, Any],
    *,
    reason: str,
    source: str,
) -> Proposal:
    """Propose new values for a feature's properties; contributors and above.

    Raises
    ------
    PermissionRefusedError, ProposalError, UnknownFeatureError
    """
    author = require(Role.CONTRIBUTOR, user)
    reason, source = _check_texts(reason, source)
    if not values:
        raise ProposalError("values: 没有要修改的字段 / no field to change")
    for name in values:
        if name in PROTECTED_FIELDS or name == "geometry":
            raise ProposalError(f"{feature_id}: {name}: 不能直接修改 / cannot be set directly")
    current = store.feature(feature_id)
    if all(current.properties.get(k) == v for k, v in values.items()):
        raise ProposalError(f"{current.file}: {feature_id}: 没有变化 / nothing changes")
    return _insert(db, author, current, "set", {"values": values}, reason, source)


def propose_geometry(
    db: Database,
    store: Store,
    user: User | None,
    feature_id: str,
    geometry: dict[str, Any],
    *,
    basis: str,
    precision_m: float,
    geometry_source: str,
    reason: str,
    source: str,
    official: Official | None = None,
) -> Proposal:
    """Propose a new (or first) geometry for a feature; contributors and above.

    Parameters
    ----------
    geometry
        A GeoJSON geometry in WGS84, inside the mapped region.

    Raises
    ------
    PermissionRefusedError, ProposalError, UnknownFeatureError
    """
    author = require(Role.CONTRIBUTOR, user)
    reason, source = _check_texts(reason, source)
    try:
        shapely_geometry = shape(geometry)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise ProposalError(
            f"{feature_id}: geometry: 不是 GeoJSON 几何 / not a GeoJSON geometry: {exc}"
        ) from None
    if shapely_geometry.is_empty or not shapely_geometry.is_valid:
        raise ProposalError(f"{feature_id}: geometry: 几何为空或无效 / empty or invalid")
    lon_min, lat_min, lon_max, lat_max = REGION
    x0, y0, x1, y1 = shapely_geometry.bounds
    if x0 < lon_min or y0 < lat_min or x1 > lon_max or y1 > lat_max:
        raise ProposalError(
            f"{feature_id}: geometry: 超出地图范围（须为 WGS84 经纬度）/ outside the mapped "
            "region (WGS84 longitude, latitude expected)"
        )
    if basis == "official" and official is None:
        raise ProposalError(
            f"{feature_id}: geometry_official: 官方几何须注明提供单位、文号与日期 / "
            "an official geometry names its supplier, 文号 and date"
        )
    if not precision_m or precision_m <= 0:
        raise ProposalError(f"{feature_id}: precision_m: 须为正数 / must be a positive number")
    if not geometry_source.strip():
        raise ProposalError(f"{feature_id}: geometry_source: 须说明几何来源 / say how it was made")
    current = store.feature(feature_id)
    payload = {
        "geometry": geometry,
        "basis": basis,
        "precision_m": precision_m,
        "geometry_source": geometry_source.strip(),
        "official": None if official is None else official.as_dict(),
    }
    return _insert(db, author, current, "geometry", payload, reason, source)


_SELECT = (
    "SELECT p.id, p.feature, p.kind, p.payload, p.base_version, p.base, p.author, "
    "p.author_label, p.time, p.reason, p.source, e.status, e.author, e.time, e.note, e.change "
    "FROM proposals p JOIN proposal_events e ON e.proposal = p.id "
    "WHERE e.id = (SELECT max(id) FROM proposal_events WHERE proposal = p.id)"
)


def _row(row: tuple[Any, ...]) -> Proposal:
    (pid, feature, kind, payload, base_version, base, author, label, time, reason, source,
     status, by, at, note, change) = row  # fmt: skip
    return Proposal(
        id=int(pid),
        feature=str(feature),
        kind=str(kind),
        payload=json.loads(payload),
        base_version=int(base_version),
        base=json.loads(base),
        author=str(author),
        author_label=str(label),
        time=str(time),
        reason=str(reason),
        source=str(source),
        status=str(status),
        decided_by="" if status == "open" else str(by),
        decided_at="" if status == "open" else str(at),
        note=str(note),
        change=None if change is None else int(change),
    )


def proposal(db: Database, proposal_id: int) -> Proposal:
    """One proposal; :class:`ProposalError` when there is none by this id."""
    rows = db.query(_SELECT + " AND p.id = ?", (proposal_id,))
    if not rows:
        raise ProposalError(f"proposal {proposal_id}: 未知提案 / no such proposal")
    return _row(rows[0])


def proposals(
    db: Database, *, status: str | None = None, feature: str | None = None
) -> list[Proposal]:
    """The proposals (with one status, of one feature), oldest first. Reading needs no role."""
    sql = _SELECT
    params: tuple[Any, ...] = ()
    if status is not None:
        sql += " AND e.status = ?"
        params += (status,)
    if feature is not None:
        sql += " AND p.feature = ?"
        params += (feature,)
    return [_row(r) for r in db.query(sql + " ORDER BY p.id", params)]


def _after(proposal: Proposal, current: FeatureState) -> dict[str, Any]:
    """The state the proposal would write (for showing; accepting builds it in edits)."""
    props = copy.deepcopy(current.properties)
    geometry = current.geometry
    if proposal.kind == "set":
        props.update(proposal.payload["values"])
    else:
        payload = proposal.payload
        props["geometry_basis"] = payload["basis"]
        props["geometry_source"] = payload["geometry_source"]
        props["precision_m"] = payload["precision_m"]
        if payload.get("official"):
            props["geometry_official"] = payload["official"]
        else:
            props.pop("geometry_official", None)
        geometry = payload["geometry"]
    return {"file": current.file, "properties": props, "geometry": geometry}


def review(db: Database, store: Store, proposal_id: int) -> Review:
    """Before, after and the attribute diff of a proposal, against the store's state now."""
    item = proposal(db, proposal_id)
    current = store.feature(item.feature)
    before = current.record()
    after = _after(item, current)
    names = sorted(set(before["properties"]) | set(after["properties"]))
    diff = [
        (n, before["properties"].get(n), after["properties"].get(n))
        for n in names
        if before["properties"].get(n) != after["properties"].get(n)
    ]
    return Review(
        proposal=item,
        before=before,
        after=after,
        diff=diff,
        geometry_changed=before["geometry"] != after["geometry"],
        stale=current.version != item.base_version,
    )


def _decide(
    db: Database, item: Proposal, reviewer: User, status: str, note: str, change: int | None
) -> Proposal:
    with db.transaction(_LOCK):
        latest = proposal(db, item.id)
        if latest.status != "open":
            raise ProposalError(
                f"proposal {item.id}: 已被 {latest.decided_by} 处理 / already {latest.status} "
                f"by {latest.decided_by}"
            )
        db.query(
            "INSERT INTO proposal_events (proposal, status, author, time, note, change) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (item.id, status, reviewer.author, now_utc(), note, change),
        )
    return proposal(db, item.id)


def _open_for(db: Database, user: User | None, proposal_id: int) -> tuple[User, Proposal]:
    reviewer = require(Role.CURATOR, user)
    item = proposal(db, proposal_id)
    if item.status != "open":
        raise ProposalError(
            f"proposal {proposal_id}: 已被 {item.decided_by} 处理 / already {item.status} "
            f"by {item.decided_by}"
        )
    # Four eyes: a curator does not review their own proposal (an administrator may).
    if item.author == reviewer.author and reviewer.role < Role.ADMINISTRATOR:
        raise PermissionRefusedError(Role.ADMINISTRATOR, reviewer)
    return reviewer, item


def _made_change(store: Store, item: Proposal) -> Change | None:
    """The change an earlier, interrupted acceptance of ``item`` already made."""
    prefix = f"{SOURCE_PREFIX}{item.id}:"
    return next((c for c in store.history(item.feature) if c.source.startswith(prefix)), None)


def accept(
    db: Database,
    store: Store,
    layers_dir: Path,
    user: User | None,
    proposal_id: int,
    note: str = "",
) -> tuple[Proposal, Change]:
    """Make the proposed change (curators and above) and record the acceptance.

    The change goes through :mod:`corridor_map.curation.edits` against the version the
    proposal was based on; its author names the proposer and the reviewer, its reason is
    the proposal's, its source ``proposal #ID: SOURCE``.

    Raises
    ------
    PermissionRefusedError
        Not a curator, or the curator's own proposal.
    ProposalConflictError
        The feature changed since the proposal was made (both states attached).
    ProposalError, CurationError
        Already decided, or the change is refused by the validator (nothing written).
    """
    reviewer, item = _open_for(db, user, proposal_id)
    change = _made_change(store, item)
    if change is None:
        current = store.feature(item.feature)
        if current.version != item.base_version:
            raise ProposalConflictError(item, current)
        provenance = Provenance(
            author=f"{item.author}; accepted by {reviewer.author}",
            reason=item.reason,
            source=f"{SOURCE_PREFIX}{item.id}: {item.source}",
        )
        try:
            change = _apply(store, layers_dir, item, provenance)
        except CurationError as exc:
            latest = store.feature(item.feature)
            if latest.version != item.base_version:  # lost a race with another save
                raise ProposalConflictError(item, latest) from exc
            raise
    decided = _decide(db, item, reviewer, "accepted", note.strip(), change.id)
    return decided, change


def _apply(store: Store, layers_dir: Path, item: Proposal, provenance: Provenance) -> Change:
    if item.kind == "set":
        return set_fields(
            store,
            layers_dir,
            item.feature,
            item.payload["values"],
            provenance=provenance,
            expected_version=item.base_version,
        )
    payload = item.payload
    official = payload.get("official")
    return replace_geometry(
        store,
        layers_dir,
        item.feature,
        shape(payload["geometry"]),
        basis=payload["basis"],
        precision_m=payload["precision_m"],
        geometry_source=payload["geometry_source"],
        provenance=provenance,
        official=None if not official else Official(**official),
        expected_version=item.base_version,
    )


def reject(db: Database, user: User | None, proposal_id: int, note: str) -> Proposal:
    """Reject a proposal with a note (curators and above); nothing changes on the map.

    Raises
    ------
    PermissionRefusedError, ProposalError
        Not a curator; no note; already decided.
    """
    reviewer, item = _open_for(db, user, proposal_id)
    if not note.strip():
        raise ProposalError("note: 驳回须说明理由 / a rejection needs a note")
    return _decide(db, item, reviewer, "rejected", note.strip(), None)
