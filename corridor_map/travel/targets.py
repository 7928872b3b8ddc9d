"""The documents' travel targets, evaluated on the routing core of
:mod:`corridor_map.travel.routing`.

* :func:`load_targets` reads ``layers/travel_targets.json``; :func:`target_features`
  expands a target's ``origins``/``destinations`` (ids or a selector);
* :func:`evaluate_targets` → list of :class:`TargetResult`, one per target, by one of the
  methods ``pair``, ``nearest_destination``, ``all_pairs``, ``ring_span`` (or
  ``not_evaluable``); :func:`sensitivity` → rows of one target's verdict per speed.

Every figure rests on the stated :class:`~corridor_map.travel.assumptions.SpeedAssumptions`, which
every result carries back.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, replace
from typing import Any

import numpy as np
from shapely.geometry import LineString
from shapely.geometry.base import BaseGeometry

from corridor_map.atlas.model import Atlas
from corridor_map.core import progress as job
from corridor_map.core.records import RingPoint, Source
from corridor_map.core.vocab import TARGETS_FILE
from corridor_map.travel import network as _graph
from corridor_map.travel.assumptions import SpeedAssumptions
from corridor_map.travel.data import (
    feature,
    network,
    rail_services,
    refused,
)
from corridor_map.travel.data import planned_links as planned_link_list
from corridor_map.travel.errors import TravelError
from corridor_map.travel.routing import (
    RouteResult,
    _access_legs,
    _arrive,
    _grow,
    _round,
    route,
    routes,
)

_RING_STEP_M = 2000.0


def load_targets(atlas: Atlas) -> list[dict[str, Any]]:
    """Return the travel-target records of ``layers/travel_targets.json`` as the atlas holds them.

    Each record has ``id``, ``name_zh``, ``name_en``, ``corridor``, ``sources`` (doc id +
    verbatim quote), ``threshold_min``, ``method`` (``pair``, ``nearest_destination``,
    ``ring_span``, ``all_pairs`` or ``not_evaluable``), ``origins`` (ids or a selector
    ``{"role": ..., "corridor": ...}``), ``destinations``, access modes and the evaluation
    text in Chinese and English.
    """
    data = atlas.travel_targets
    if data is None and TARGETS_FILE in atlas.refused:
        raise refused(atlas, TARGETS_FILE, "通达目标未载入 / travel targets refused")
    if data is None:
        raise TravelError(
            f"缺少通达目标文件 / targets file missing: {atlas.layers_dir / TARGETS_FILE}"
        )
    # checked by travel_targets.schema.json and corridor_map.atlas.validation; a copy, so that a
    # caller changing a record never changes the cached atlas
    return copy.deepcopy(list(data["targets"]))


def target_features(atlas: Atlas, selector: Any) -> list[str]:
    """Expand a target's ``origins``/``destinations``: a list of ids, or a selector.

    A selector is a dict of property values every feature must have (``{"role":
    "key_block", "corridor": "wenzhou-daluo"}``); ``role`` may list several roles, and
    ``within`` names a polygon feature (e.g. a ``ref_districts`` district) that must
    cover the feature's anchor point — so ``{"role": ["town", "street"], "within":
    "district-331081"}`` reads "every 镇/街道 seat of 温岭市" from a reference places layer.
    ``{"served_by": "动车", "include": [...]}`` gives every located station of
    :func:`rail_services` with that service, plus the ``include`` ids.
    """
    if selector is None:
        return []
    if isinstance(selector, str):
        return [selector]
    if isinstance(selector, list):
        return list(selector)
    if isinstance(selector, dict) and "served_by" in selector:
        wanted = dict(selector)
        service = wanted.pop("served_by")
        include = [str(i) for i in wanted.pop("include", [])]
        served = [s["feature"] for s in rail_services(atlas, service) if s.get("feature")]
        known = atlas.features
        return sorted(f for f in served if f in known) + include
    if isinstance(selector, dict):
        wanted = dict(selector)
        within = wanted.pop("within", None)
        roles = wanted.pop("role", None)
        roles = [roles] if isinstance(roles, str) else roles
        area = None
        if within is not None:
            area = feature(atlas, str(within)).geometry
            if area is None or area.geom_type not in {"Polygon", "MultiPolygon"}:
                return []
        found = []
        for f in atlas.features.values():
            if roles is not None and f.role not in roles:
                continue
            if not all(f.properties.get(k) == v for k, v in wanted.items()):
                continue
            if area is not None and (
                f.geometry is None or not _graph.point_in(area, _graph.anchor_point(f.geometry))
            ):
                continue
            found.append(f.id)
        return sorted(found)
    raise TravelError(f"无效的要素选择 / invalid feature selector {selector!r}")


@dataclass
class TargetResult:
    """One travel target evaluated under stated assumptions.

    ``status`` is ``met``, ``not_met`` or ``not_evaluable``; ``worst_minutes`` is the
    figure compared with ``threshold_min``; ``rows`` give every origin (and destination)
    evaluated; ``worst_case`` is the row of that figure and alone keeps its drawn ``path``
    (GeoJSON LineString); ``unlocated`` lists the features that could not be evaluated.
    ``evaluation_zh``/``evaluation_en`` state the reading: what was assumed where the
    document names no ends.
    """

    id: str
    name_zh: str
    name_en: str
    corridor: str | None
    sources: list[Source]
    threshold_min: float
    method: str
    evaluation_zh: str
    evaluation_en: str
    status: str
    worst_minutes: float | None
    worst_case: dict[str, Any] | None
    rows: list[dict[str, Any]]
    unlocated: list[str]
    notes: list[str]
    planned_links: bool
    assumptions: dict[str, Any]

    def to_dict(self) -> dict[str, Any]:
        """Return the result as a JSON-ready dict."""
        return asdict(self)


def evaluate_targets(
    atlas: Atlas,
    assumptions: SpeedAssumptions | None = None,
    planned_links: bool = True,
    target_ids: Iterable[str] | None = None,
    progress: job.Progress | None = None,
) -> list[TargetResult]:
    """Evaluate every travel target of ``layers/travel_targets.json``.

    Parameters
    ----------
    atlas
        The layers (their targets, features and network).
    assumptions
        Speeds and factors (defaults when None); returned with every result.
    planned_links
        Include the curated planned links (e.g. 太龙快速路).
    target_ids
        Only these targets (all when None).
    progress
        Told the routing step; its time limit is checked before each target
        (:class:`~corridor_map.core.progress.TimeLimitError`).
    """
    a = assumptions or SpeedAssumptions()
    wanted = set(target_ids) if target_ids is not None else None
    targets = [t for t in load_targets(atlas) if wanted is None or t["id"] in wanted]
    if wanted is not None and len(targets) < len(wanted):
        known = {t["id"] for t in load_targets(atlas)}
        raise TravelError(f"未知目标 / unknown target id(s): {sorted(wanted - known)}")
    job.step(progress, "routes")
    results = []
    for target in targets:
        if progress is not None:
            progress.check()
        results.append(_evaluate(atlas, target, a, planned_links))
    return results


def sensitivity(
    atlas: Atlas,
    target_id: str,
    speeds: Sequence[float] = (20, 25, 30, 40, 50, 60),
    assumptions: SpeedAssumptions | None = None,
    planned_links: bool = True,
    parameter: str = "network_kmh",
) -> list[dict[str, Any]]:
    """Show how one target's verdict changes with a speed assumption.

    Parameters
    ----------
    atlas
        The layers.
    target_id
        Id of a record in ``layers/travel_targets.json``.
    speeds
        Values to try, in km/h.
    assumptions
        The other assumptions, held fixed (defaults when None).
    planned_links
        Include the planned links.
    parameter
        ``"network_kmh"`` (the network's average speed), ``"access_kmh"``, or
        ``"planned_kmh"`` (the design speed of every planned link at once).

    Returns
    -------
    list of dict
        One row per value: ``parameter``, ``kmh``, ``worst_minutes``, ``threshold_min``,
        ``status``, ``planned_links``.
    """
    base = assumptions or SpeedAssumptions()
    if parameter not in {"network_kmh", "access_kmh", "planned_kmh"}:
        raise TravelError(
            f"未知参数 / unknown parameter {parameter!r}: network_kmh, access_kmh or planned_kmh"
        )
    rows = []
    for speed in speeds:
        if parameter == "planned_kmh":
            varied = replace(
                base,
                sweep=True,
                planned_kmh={link.id: float(speed) for link in planned_link_list(atlas)},
            )
        else:
            changed: dict[str, Any] = {parameter: float(speed)}
            varied = replace(base, sweep=True, **changed)
        result = evaluate_targets(atlas, varied, planned_links, [target_id])[0]
        rows.append(
            {
                "parameter": parameter,
                "kmh": float(speed),
                "worst_minutes": result.worst_minutes,
                "threshold_min": result.threshold_min,
                "status": result.status,
                "planned_links": planned_links,
            }
        )
    return rows


def _evaluate(
    atlas: Atlas, target: dict[str, Any], a: SpeedAssumptions, planned: bool
) -> TargetResult:
    method = target["method"]
    origins = target_features(atlas, target.get("origins"))
    destinations = target_features(atlas, target.get("destinations"))
    known = atlas.features
    missing = [f for f in dict.fromkeys(origins + destinations) if f not in known]
    unlocated = [
        f for f in dict.fromkeys(origins + destinations) if f in known and known[f].geometry is None
    ]
    notes: list[str] = []
    rows: list[dict[str, Any]] = []
    if missing:
        notes.append(f"图层中缺少要素 / features missing from the layers: {', '.join(missing)}")
    elif method == "not_evaluable":
        notes.append(target.get("not_evaluable_reason", ""))
    elif method != "ring_span" and (not origins or (method != "all_pairs" and not destinations)):
        notes.append(
            "没有起点要素 / no origin feature matches"
            if not origins
            else "没有终点要素 / no destination feature matches"
        )
        # a reading that needs a layer not (yet) in the layers says which
        notes.append(target.get("unmatched_reason", ""))
    else:
        rows, notes = _METHODS[method](atlas, target, origins, destinations, a, planned)
    threshold = float(target["threshold_min"])
    timed = [r for r in rows if r.get("reachable")]
    worst = max(timed, key=lambda r: r["minutes"]) if timed else None
    # only the worst case keeps its drawn path (the app and the comparison show it)
    for r in rows:
        if r is not worst:
            r.pop("path", None)
    failed = [r for r in rows if r.get("reachable") is False and not r.get("unlocated")]
    if worst is None:
        status = "not_evaluable"
    elif worst["minutes"] > threshold or failed:
        status = "not_met"
    else:
        status = "met"
    if unlocated:
        notes.append(f"未定位、未评估 / unlocated, not evaluated: {', '.join(unlocated)}")
    for key in ("origins", "destinations"):
        selector = target.get(key)
        if isinstance(selector, dict) and "served_by" in selector:
            missing_stations = [
                s["name_zh"]
                for s in rail_services(atlas, selector["served_by"])
                if not s.get("feature")
            ]
            if missing_stations:
                notes.append(
                    f"{selector['served_by']}停靠但参考数据中无点位、未计入的车站 / stations "
                    f"served by {selector['served_by']} trains with no point in the reference "
                    f"data, not counted: {'、'.join(missing_stations)}"
                )
    if failed:
        notes.append(f"{len(failed)} 项不可达 / {len(failed)} unreachable")
    if worst is not None and "planned" in (worst.get("legs") or {}):
        leg = worst["legs"]["planned"]
        notes.append(
            f"其中规划道路段 {leg['km']:.1f} km、{leg['minutes']:.1f} 分钟（设计车速假设）/ of "
            f"which the planned link: {leg['km']:.1f} km, {leg['minutes']:.1f} min "
            "(assumed design speed)"
        )
    if target.get("requires_planned_link") and not planned:
        notes.append(
            f"未计入规划道路 {target['requires_planned_link']} / evaluated without the planned "
            f"link {target['requires_planned_link']}"
        )
    return TargetResult(
        id=target["id"],
        name_zh=target["name_zh"],
        name_en=target["name_en"],
        corridor=target.get("corridor"),
        sources=target["sources"],
        threshold_min=threshold,
        method=method,
        evaluation_zh=target.get("evaluation_zh", ""),
        evaluation_en=target.get("evaluation_en", ""),
        status=status,
        worst_minutes=worst["minutes"] if worst else None,
        worst_case=worst,
        rows=rows,
        unlocated=unlocated,
        notes=[n for n in notes if n],
        planned_links=planned,
        assumptions=a.to_dict(),
    )


def _row(result: RouteResult) -> dict[str, Any]:
    return {
        "origin": result.from_id,
        "destination": result.to_id,
        "reachable": result.reachable,
        "minutes": result.minutes,
        "km": result.km,
        "reason": result.reason,
        "planned_links_used": result.planned_links_used,
        "legs": result.legs,
        "unlocated": result.reason_code == "unlocated",
        "path": result.path,
    }


def _every_pair(
    atlas: Atlas,
    target: dict,
    origins: list[str],
    destinations: list[str],
    a: SpeedAssumptions,
    planned: bool,
) -> list[RouteResult]:
    """Route every origin to every destination with the target's access modes."""
    return routes(
        atlas,
        [(o, d) for o in origins for d in destinations],
        a,
        planned,
        target.get("origin_access", "anchor"),
        target.get("destination_access", "anchor"),
    )


def _method_pair(
    atlas: Atlas,
    target: dict,
    origins: list[str],
    destinations: list[str],
    a: SpeedAssumptions,
    planned: bool,
) -> tuple[list[dict], list[str]]:
    found = _every_pair(atlas, target, origins, destinations, a, planned)
    return [_row(r) for r in found], []


def _method_nearest(
    atlas: Atlas,
    target: dict,
    origins: list[str],
    destinations: list[str],
    a: SpeedAssumptions,
    planned: bool,
) -> tuple[list[dict], list[str]]:
    found = _every_pair(atlas, target, origins, destinations, a, planned)
    rows = []
    for i in range(len(origins)):
        options = found[i * len(destinations) : (i + 1) * len(destinations)]
        reached = [r for r in options if r.reachable]
        best = min(reached, key=lambda r: r.minutes or 0.0) if reached else options[0]
        row = _row(best)
        row["alternatives"] = {r.to_id: r.minutes for r in options}
        rows.append(row)
    return rows, []


def _method_all_pairs(
    atlas: Atlas,
    target: dict,
    origins: list[str],
    destinations: list[str],
    a: SpeedAssumptions,
    planned: bool,
) -> tuple[list[dict], list[str]]:
    # Unlocated places are listed once in the result's ``unlocated``, not pair by pair.
    located = [o for o in origins if feature(atlas, o).geometry is not None]
    pairs = [(o, d) for i, o in enumerate(located) for d in located[i + 1 :]]
    return [_row(r) for r in routes(atlas, pairs, a, planned)], []


def _method_ring_span(
    atlas: Atlas,
    target: dict,
    origins: list[str],
    destinations: list[str],
    a: SpeedAssumptions,
    planned: bool,
) -> tuple[list[dict], list[str]]:
    ring_id = destinations[0]
    geometry = feature(atlas, ring_id).geometry
    if geometry is None:
        return [_row(route(atlas, ring_id, ring_id, a, planned))], []
    if geometry.geom_type not in {"Polygon", "MultiPolygon", "LineString", "MultiLineString"}:
        raise TravelError(
            f"{TARGETS_FILE} target {target['id']}: ring_span 需要面或线 / needs a polygon or "
            f"line, but {ring_id} is a {geometry.geom_type}"
        )
    step = float(target.get("ring_step_m", _RING_STEP_M))
    # The outer edge stands for the ring: a belt polygon's holes (the mountain, enclaves)
    # are not places one travels round.
    ring = _outer_ring(geometry)
    points = _graph.sample_line(ring, step)
    net = network(atlas, planned, a.rail)
    trees = _grow(net, [[p] for p in points], a)
    times = np.vstack([tree.times for tree in trees]) if trees else np.empty((0, 0))
    count = len(points)
    # arrival[i, j]: fastest from point i to point j by the network (inf when not reached)
    arrival = np.full((count, count), math.inf)
    ends = []
    for j, p in enumerate(points):
        legs = _access_legs(net, [p], a)
        ends.append(legs)
        for leg in legs:
            np.minimum(arrival[:, j], times[:, leg.node] + leg.minutes, out=arrival[:, j])
    flat = np.asarray(points, dtype=float).reshape(-1, 2)
    first, second = np.triu_indices(count, k=1)
    straight = _graph.geodesic_km_many(flat[first], flat[second, 0], flat[second, 1])
    direct = np.where(
        straight <= a.max_access_km, straight * a.access_detour * 60.0 / a.access_kmh, math.inf
    )
    best = np.minimum(arrival[first, second], direct)
    reached = np.isfinite(best)
    unreachable = int((~reached).sum())
    ring_km = _graph.to_metric(ring).length / 1e3
    notes = [
        f"环上取样 {len(points)} 点（每 {step / 1000:g} km）；环长 {ring_km:.1f} km，"
        "按路网车速绕行一周约 "
        f"{ring_km * 60 / a.network_kmh:.0f} 分钟 / {len(points)} ring points every "
        f"{step / 1000:g} km; the ring is {ring_km:.1f} km long, a full loop at the network "
        f"speed would take about {ring_km * 60 / a.network_kmh:.0f} min"
    ]
    if not reached.any():
        return [
            {
                "origin": ring_id,
                "destination": ring_id,
                "reachable": False,
                "minutes": None,
                "km": None,
                "reason": "环上各点之间不可达 / ring points not connected",
                "planned_links_used": [],
                "unlocated": False,
            }
        ], notes
    # the first pair (in i, then j order) with the longest time, as a scan would find it
    k = int(np.argmax(np.where(reached, best, -math.inf)))
    i, j = int(first[k]), int(second[k])
    trip, _ = _arrive(net, trees[i], [points[j]], a, ends[j])
    assert trip is not None  # the same pair was just reached
    row = {
        "origin": RingPoint(ring_id, *_round(points[i])).label(),
        "destination": RingPoint(ring_id, *_round(points[j])).label(),
        "reachable": True,
        "minutes": trip.minutes,
        "km": trip.km,
        "reason": None,
        "planned_links_used": trip.links_used,
        "legs": trip.legs,
        "unlocated": False,
        "path": {"type": "LineString", "coordinates": [_round(c) for c in trip.coords]},
    }
    if unreachable:
        notes.append(f"{unreachable} 对环上点不可达 / ring point pairs unreachable")
    return [row], notes


def _outer_ring(geometry: BaseGeometry) -> BaseGeometry:
    if geometry.geom_type == "Polygon":
        return LineString(geometry.exterior.coords)
    if geometry.geom_type == "MultiPolygon":
        return LineString(max(geometry.geoms, key=lambda g: g.area).exterior.coords)
    return geometry


_METHODS: dict[str, Any] = {
    "pair": _method_pair,
    "nearest_destination": _method_nearest,
    "all_pairs": _method_all_pairs,
    "ring_span": _method_ring_span,
    "not_evaluable": None,
}
