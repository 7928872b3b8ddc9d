"""Site check (选址 / 合规性审查): what the plan says about a parcel.

:func:`check_site` relates one parcel (any WGS84 shapely geometry: a point, a drawn shape,
an imported 红线) to the atlas and returns a :class:`SiteReport`:

* every curated feature the parcel lies in or touches, with the geodesic overlap area
  (:mod:`corridor_map.geo.geodesy`) and its share of the parcel and of the feature, and,
  for each corridor the parcel is not in, the distance to it;
* a verdict per relation that says what the geometry can tell. A schematic outline is only
  good to its ``precision_m``: a parcel that reaches more than that into the feature is
  ``inside``; one whose nearest approach stays within that distance of the drawn edge, on
  either side, is ``uncertain`` ("schematic boundary ± 1.5 km: cannot tell"); farther off
  it is ``outside``. An ``official`` geometry has no such band and answers firmly. A point
  or line feature is ``inside`` only when the parcel covers every place within its
  precision, ``uncertain`` when it comes within it;
* unlocated places whose ``within`` area holds the parcel (``may_be_here``);
* the excerpts of the features it lies in and of their ancestors, most specific first,
  verbatim with their citations; the indicators of those corridors;
* minutes from the parcel to the corridors' gateways and core, on the router of the travel
  page (:class:`corridor_map.travel.coverage.TimeField`, one tree per scenario).

Relations are computed in UTM 51N metres (:data:`corridor_map.geo.geodesy.METRIC_CRS`, the
one metric projection, for the precision bands), areas and distances geodesically on WGS84.
The spatial index (:class:`shapely.STRtree` over the located curated features) is built
once per atlas.
"""

from __future__ import annotations

import math
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import shapely
from shapely.geometry import Point
from shapely.geometry.base import BaseGeometry

from corridor_map.analysis.site_records import (
    ExcerptRef,
    IndicatorRef,
    Relation,
    SiteReport,
    TravelTime,
)
from corridor_map.atlas.indicators import Register, load_register
from corridor_map.atlas.model import Atlas, Feature
from corridor_map.core import progress as job
from corridor_map.core.errors import CorridorMapError
from corridor_map.core.vocab import CORRIDORS
from corridor_map.documents.corpus import Corpus, citation_label
from corridor_map.geo.geodesy import (
    TO_WGS84,
    WGS84,
    distances_km,
    geodesic_area_km2,
    to_metric,
)

__all__ = [
    "TRAVEL_ROLES",
    "SiteError",
    "SiteIndex",
    "check_site",
    "check_sites",
    "parcel_point",
    "site_index",
]

#: Roles a trip from the parcel goes to (the corridor's gateways and core).
TRAVEL_ROLES = ("gateway", "core")
_AREAL = {"Polygon", "MultiPolygon"}
_MANY_VERTICES = 10_000
_DISTANCE_TOLERANCE_M = 1.0


class SiteError(CorridorMapError):
    """A parcel that cannot be checked (empty, not WGS84 degrees)."""


# ------------------------------------------------------------------------------ index


@dataclass(frozen=True)
class _Indexed:
    feature: Feature
    metric: BaseGeometry
    inner: BaseGeometry  # the part surely inside (areal; shrunk by the precision)
    outer: BaseGeometry  # everything within the precision of the drawing
    precision_m: float
    area_km2: float
    # a drawing that states no precision and is not official cannot give a firm "inside"
    unstated: bool = False


class SiteIndex:
    """The atlas's located curated features in UTM 51N metres, with an STRtree.

    Build it with :func:`site_index` (cached per atlas object).
    """

    def __init__(self, atlas: Atlas) -> None:
        self.atlas = atlas
        items: list[_Indexed] = []
        for f in atlas:
            if f.corridor == "reference" or f.geometry is None or f.geometry.is_empty:
                continue
            items.append(_indexed(f))
        self.items = tuple(items)
        self.tree = shapely.STRtree([i.outer for i in items])
        self.extents = {
            i.feature.corridor: i for i in items if i.feature.role == "extent"
        }  # one extent per corridor
        districts = [
            f
            for f in atlas.districts().values()
            if f.geometry is not None and not f.geometry.is_empty
        ]
        self.districts = tuple(districts)
        # unlocated curated places with the located area their ``within`` chain ends at
        self.unlocated = tuple(
            (f, area)
            for f in atlas
            if f.corridor != "reference"
            and f.geometry is None
            and isinstance(f.properties.get("within"), dict)
            and (area := _area_of(atlas, str(f.properties["within"].get("id")), set())) is not None
        )
        for d in districts:
            shapely.prepare(d.geometry)


def _indexed(f: Feature) -> _Indexed:
    assert f.geometry is not None
    metric = to_metric(f.geometry)
    official = f.geometry_basis == "official"
    precision = 0.0 if official else float(f.precision_m or 0.0)
    areal = f.geometry.geom_type in _AREAL
    if areal:
        inner = metric.buffer(-precision) if precision else metric
        area = geodesic_area_km2(shapely.union_all(f.geometry))
    else:
        inner = shapely.Polygon()
        area = 0.0
    outer = metric.buffer(precision) if precision else metric
    for g in (metric, inner, outer, f.geometry):
        shapely.prepare(g)
    unstated = not official and f.precision_m is None
    return _Indexed(f, metric, inner, outer, precision, area, unstated)


_INDEXES: OrderedDict[int, tuple[Atlas, SiteIndex]] = OrderedDict()


def site_index(atlas: Atlas) -> SiteIndex:
    """Return the :class:`SiteIndex` of ``atlas``, built once per atlas object."""
    cached = _INDEXES.get(id(atlas))
    if cached is not None and cached[0] is atlas:
        return cached[1]
    index = SiteIndex(atlas)
    _INDEXES[id(atlas)] = (atlas, index)
    while len(_INDEXES) > 4:
        _INDEXES.popitem(last=False)
    return index


# ------------------------------------------------------------------------------ checking


def _checked(geometry: BaseGeometry, label: str) -> BaseGeometry:
    if geometry is None or geometry.is_empty:
        raise SiteError(f"{label}: 地块为空 / the parcel has no geometry")
    west, south, east, north = geometry.bounds
    finite = all(math.isfinite(v) for v in (west, south, east, north))
    if not finite or west < -180 or east > 180 or south < -90 or north > 90:
        raise SiteError(
            f"{label}: 坐标不是 WGS84 经纬度 / coordinates are not WGS84 degrees "
            f"(bounds {west:g}, {south:g}, {east:g}, {north:g})"
        )
    if not geometry.is_valid:
        geometry = shapely.make_valid(geometry)
    return geometry


def _area_km2(geometry: BaseGeometry) -> float:
    """Geodesic area of (multi)polygons, as :func:`geodesic_area_km2` measures it.

    Rings are handed to :meth:`pyproj.Geod.polygon_area_perimeter` as numpy arrays: the
    generic ``geometry_area_perimeter`` copies a 200,000-vertex parcel through Python lists,
    which costs more than the geodesy itself.
    """
    total = 0.0
    for polygon in shapely.get_parts(geometry):
        if polygon.geom_type != "Polygon" or polygon.is_empty:
            continue
        for k, ring in enumerate([polygon.exterior, *polygon.interiors]):
            xy = shapely.get_coordinates(ring)
            area, _ = WGS84.polygon_area_perimeter(xy[:, 0], xy[:, 1])
            total += abs(area) if k == 0 else -abs(area)
    return total / 1e6


def _nearest_km(parcel_m: BaseGeometry, other_m: BaseGeometry) -> float:
    """Geodesic km between the nearest points of two UTM geometries (0 when they meet)."""
    if other_m.intersects(parcel_m):
        return 0.0
    a, b = shapely.get_coordinates(shapely.shortest_line(parcel_m, other_m))
    lon, lat = TO_WGS84.transform(np.array([a[0], b[0]]), np.array([a[1], b[1]]))
    return float(distances_km([(lon[0], lat[0])], np.array([lon[1]]), np.array([lat[1]]))[0])


def _relate(
    label: str,
    parcel: BaseGeometry,
    parcel_m: BaseGeometry,
    parcel_km2: float,
    item: _Indexed,
    distance_m: BaseGeometry | None = None,
) -> Relation:
    f = item.feature
    p = item.precision_m
    areal = f.geometry is not None and f.geometry.geom_type in _AREAL
    # the feature's prepared geometries on the left: GEOS uses their index
    meets = item.metric.intersects(parcel_m)
    if areal:
        surely = item.inner.intersects(parcel_m) and not (p == 0 and item.metric.touches(parcel_m))
    else:
        surely = meets if p == 0 else item.outer.covered_by(parcel_m)
    verdict = "inside" if surely else "uncertain" if item.outer.intersects(parcel_m) else "outside"
    if p == 0 and verdict == "uncertain":  # an official edge touched: firm, not inside
        verdict = "outside"
    if item.unstated and verdict == "inside":
        verdict = "uncertain"
    overlap = parcel_share = feature_share = None
    if areal and meets and parcel_km2 > 0:
        assert f.geometry is not None
        if f.geometry.contains(parcel):  # prepared: the whole parcel, no intersection to build
            overlap = parcel_km2
        else:
            overlap = _area_km2(shapely.intersection(parcel, f.geometry))
        parcel_share = overlap / parcel_km2
        feature_share = overlap / item.area_km2 if item.area_km2 else None
    distance = (
        0.0 if meets else _nearest_km(parcel_m if distance_m is None else distance_m, item.metric)
    )
    note_zh = note_en = ""
    if verdict == "uncertain" and item.unstated:
        note_zh = "图形未注明精度，无法判断 / "
        note_en = "the drawing states no precision: cannot tell"
    elif verdict == "uncertain":
        note_zh = f"示意边界 ±{p:g} m，无法判断 / "
        note_en = f"schematic boundary ± {p:g} m: cannot tell"
    elif verdict == "inside" and f.geometry_basis == "official":
        note_zh, note_en = "官方边界 / ", "official boundary"
    return Relation(
        parcel=label,
        feature_id=f.id,
        name_zh=f.name_zh,
        name_en=f.name_en,
        corridor=f.corridor,
        role=f.role,
        verdict=verdict,
        overlap_km2=overlap,
        parcel_share=parcel_share,
        feature_share=feature_share,
        distance_km=distance,
        geometry_basis=f.geometry_basis,
        precision_m=f.precision_m,
        geometry_source=f.geometry_source,
        note_zh=note_zh.removesuffix(" / "),
        note_en=note_en,
    )


def _through_parts(found: list[Relation], atlas: Atlas) -> list[Relation]:
    """A feature whose part surely holds the parcel holds it too, whatever its own edge says.

    The documents make the core part of the corridor: a parcel inside the core is inside
    the corridor even where the corridor's own (coarser) outline cannot tell.
    """
    by_id = {r.feature_id: r for r in found}
    for r in list(found):
        if r.verdict != "inside":
            continue
        for parent in atlas.parents(r.feature_id):
            held = by_id.get(parent.id)
            if held is not None and held.verdict == "uncertain":
                by_id[parent.id] = replace(
                    held,
                    verdict="inside",
                    note_zh=f"因其组成部分{r.name_zh}而在内（{held.note_zh}）",
                    note_en=f"inside through its part {r.name_en} ({held.note_en})",
                )
    return [by_id[r.feature_id] for r in found]


def _corridors(relations: Sequence[Relation], verdicts: set[str]) -> tuple[str, ...]:
    found = {r.corridor for r in relations if r.verdict in verdicts}
    return tuple(c for c in CORRIDORS if c in found)


def _depth(atlas: Atlas, feature_id: str) -> int:
    return len(atlas.parents(feature_id))


def _relations(
    label: str, parcel: BaseGeometry, parcel_m: BaseGeometry, parcel_km2: float, index: SiteIndex
) -> list[Relation]:
    distance_m = None
    if shapely.get_num_coordinates(parcel_m) > _MANY_VERTICES:
        # GEOS's distance compares every pair of segments: measure from a copy simplified by
        # 1 m (a distance moves by at most that; every precision stated is 100 m or more)
        distance_m = shapely.simplify(parcel_m, _DISTANCE_TOLERANCE_M, preserve_topology=False)
    found: list[Relation] = []
    # envelopes from the tree, then the test on each feature's prepared band: the tree's
    # own predicate would test the (unprepared) parcel against every candidate
    for i in index.tree.query(parcel_m):
        item = index.items[int(i)]
        if not item.outer.intersects(parcel_m):
            continue
        relation = _relate(label, parcel, parcel_m, parcel_km2, item, distance_m)
        if relation.verdict != "outside":
            found.append(relation)
    rank = {"inside": 0, "uncertain": 1}
    atlas = index.atlas
    found = _through_parts(found, atlas)
    found.sort(key=lambda r: (-_depth(atlas, r.feature_id), rank[r.verdict], r.feature_id))
    near = {r.corridor for r in found}
    for corridor in CORRIDORS:
        extent = index.extents.get(corridor)
        if corridor in near or extent is None:
            continue
        found.append(_relate(label, parcel, parcel_m, parcel_km2, extent, distance_m))
    return found


def _area_of(atlas: Atlas, feature_id: str, seen: set[str]) -> Feature | None:
    """The located area an unlocated place's ``within`` chain ends at."""
    if feature_id in seen or feature_id not in atlas:
        return None
    seen.add(feature_id)
    f = atlas.get(feature_id)
    if f.geometry is not None and f.geometry.geom_type in _AREAL:
        return f
    within = f.properties.get("within")
    if f.geometry is None and isinstance(within, dict) and isinstance(within.get("id"), str):
        return _area_of(atlas, within["id"], seen)
    return None


def _may_be_here(
    label: str,
    related: dict[str, Relation],
    districts: set[str],
    unlocated: Sequence[tuple[Feature, Feature]],
) -> list[Relation]:
    """Unlocated places whose area holds the parcel (or comes within its precision)."""
    found = []
    for f, area in unlocated:
        here = related.get(area.id)
        if here is not None and here.verdict in {"inside", "uncertain"}:
            verdict_note = "（边界附近）" if here.verdict == "uncertain" else ""
            verdict_note_en = " (near its edge)" if here.verdict == "uncertain" else ""
        elif area.id in districts:
            verdict_note = verdict_note_en = ""
        else:
            continue
        found.append(
            Relation(
                parcel=label,
                feature_id=f.id,
                name_zh=f.name_zh,
                name_en=f.name_en,
                corridor=f.corridor,
                role=f.role,
                verdict="may_be_here",
                overlap_km2=None,
                parcel_share=None,
                feature_share=None,
                distance_km=None,
                geometry_basis=f.geometry_basis,
                precision_m=None,
                geometry_source=f.geometry_source,
                within=area.id,
                note_zh=f"{f.name_zh} 位于{area.name_zh}内某处（未定位）{verdict_note}",
                note_en=(
                    f"{f.name_en} lies somewhere in {area.name_en} (unlocated){verdict_note_en}"
                ),
            )
        )
    return found


def _excerpts(relations: Sequence[Relation], atlas: Atlas, corpus: Corpus) -> list[ExcerptRef]:
    """Excerpts of the features the parcel lies in and of their ancestors, deepest first."""
    chosen: dict[str, str] = {}
    for r in relations:
        if r.verdict not in {"inside", "uncertain"}:
            continue
        if r.feature_id not in chosen or r.verdict == "inside":
            chosen[r.feature_id] = r.verdict
        for parent in atlas.parents(r.feature_id):
            # an ancestor holds the parcel if its child does, with the child's certainty
            if chosen.get(parent.id) != "inside":
                chosen[parent.id] = r.verdict
    order = sorted(chosen, key=lambda fid: (-_depth(atlas, fid), chosen[fid] != "inside", fid))
    found = []
    for fid in order:
        f = atlas.get(fid)
        for source in f.sources:
            found.append(_excerpt(f, chosen[fid], source, corpus))
    return found


def _excerpt(f: Feature, verdict: str, source: Any, corpus: Corpus) -> ExcerptRef:
    doc_id, quote = str(source.get("doc", "")), str(source.get("quote", ""))
    base = {
        "feature_id": f.id,
        "feature_name_zh": f.name_zh,
        "feature_name_en": f.name_en,
        "verdict": verdict,
        "doc": doc_id,
        "quote": quote,
    }
    try:
        document = corpus.document(doc_id)
    except (CorridorMapError, KeyError) as exc:
        return ExcerptRef(
            **base,
            citation=doc_id,
            paragraph_id=None,
            issuer=None,
            date=None,
            doc_number=None,
            error=str(exc),
        )
    try:
        excerpt = corpus.resolve(doc_id, quote, source.get("paragraph"))
    except CorridorMapError as exc:
        return ExcerptRef(
            **base,
            citation=citation_label(document),
            paragraph_id=None,
            issuer=document.issuer,
            date=document.date,
            doc_number=document.doc_number,
            error=str(exc),
        )
    return ExcerptRef(
        **base,
        citation=citation_label(document, excerpt.heading_path),
        paragraph_id=excerpt.paragraph_id,
        issuer=document.issuer,
        date=document.date,
        doc_number=document.doc_number,
    )


def _indicators(corridors: Iterable[str], register: Register, corpus: Corpus) -> list[IndicatorRef]:
    found = []
    for corridor in corridors:
        for i in register.select(corridor=corridor):
            source = i.target.source
            try:
                excerpt = corpus.resolve(source.doc, source.quote, source.paragraph)
                citation = citation_label(corpus.document(source.doc), excerpt.heading_path)
            except CorridorMapError as exc:
                citation = f"{source.doc}: {exc}"
            found.append(
                IndicatorRef(
                    id=i.id,
                    corridor=i.corridor,
                    scope=i.scope,
                    name_zh=i.name_zh,
                    name_en=i.name_en,
                    unit=i.unit,
                    base_text=i.base.text if i.base else None,
                    base_year=i.base.year if i.base else None,
                    target_text=i.target.text,
                    target_year=i.target.year,
                    doc=source.doc,
                    quote=source.quote,
                    citation=citation,
                )
            )
    return found


def _travel_targets(atlas: Atlas, corridors: Sequence[str]) -> list[Feature]:
    return [
        f
        for f in atlas
        if f.corridor in corridors and f.role in TRAVEL_ROLES and f.geometry is not None
    ]


def _point_of(geometry: BaseGeometry) -> tuple[float, float]:
    """The one point a trip starts from: as routing's ``anchor`` access of a feature."""
    from corridor_map.travel.network import anchor_point

    if geometry.geom_type == "GeometryCollection" or geometry.geom_type.startswith("Multi"):
        if geometry.geom_type == "MultiPoint":
            return anchor_point(geometry.geoms[0])
        point = geometry.representative_point()
        return (point.x, point.y)
    return anchor_point(geometry)


def _travel(
    points: Sequence[tuple[float, float]],
    corridors_per_parcel: Sequence[tuple[str, ...]],
    atlas: Atlas,
    scenario: Any,
) -> list[list[TravelTime]]:
    """Minutes from each parcel's point to its corridors' gateways and core (one field)."""
    from corridor_map.travel.coverage import destination, time_field

    wanted = sorted({c for cs in corridors_per_parcel for c in cs})
    targets = _travel_targets(atlas, wanted)
    if not targets:
        return [[] for _ in points]
    field_ = time_field(
        atlas,
        [destination(atlas, f.id) for f in targets],
        scenario.assumptions,
        scenario.planned_links,
    )
    minutes = field_.minutes(points)
    rows = []
    for i, corridors in enumerate(corridors_per_parcel):
        row = []
        for k, f in enumerate(targets):
            if f.corridor not in corridors:
                continue
            value = float(minutes[i, k])
            ok = math.isfinite(value)
            row.append(
                TravelTime(
                    feature_id=f.id,
                    name_zh=f.name_zh,
                    name_en=f.name_en,
                    corridor=f.corridor,
                    role=f.role,
                    minutes=value if ok else None,
                    reason=None
                    if ok
                    else "路网不可达或起点附近没有道路 / not reachable on the network",
                )
            )
        rows.append(row)
    return rows


def check_sites(
    parcels: Sequence[tuple[str, BaseGeometry]],
    atlas: Atlas,
    corpus: Corpus,
    scenario: Any = None,
    *,
    register: Register | None = None,
    travel: bool = True,
    progress: job.Progress | None = None,
) -> list[SiteReport]:
    """Check many parcels against the atlas; see :func:`check_site`.

    Parameters
    ----------
    parcels
        ``(label, WGS84 geometry)`` pairs; the label names the parcel in rows and errors.
    atlas, corpus
        The loaded layers and documents.
    scenario
        A :class:`corridor_map.travel.compare.Scenario` (default: the travel page's
        defaults, planned links on).
    register
        The indicator register (default: the layers' ``indicators.json``).
    travel
        Compute travel times (one shortest-path tree per gateway and core, shared by all
        parcels).
    progress
        Told the steps; its time limit is checked at every parcel (default: no limit).

    Raises
    ------
    SiteError
        Naming the parcel when its geometry is empty or not in WGS84 degrees.
    TimeLimitError
        The progress's limit was met.
    """
    from corridor_map.travel.compare import Scenario

    scenario = scenario if scenario is not None else Scenario()
    register = register if register is not None else load_register()
    job.step(progress, "data")
    index = site_index(atlas)
    checked = [(label, _checked(g, label)) for label, g in parcels]
    partial = []
    job.step(progress, "sites")
    for label, parcel in checked:
        if progress is not None:
            progress.check()
        parcel_m = to_metric(parcel)
        area = _area_km2(parcel) if parcel.geom_type in _AREAL else 0.0
        relations = _relations(label, parcel, parcel_m, area, index)
        related = {r.feature_id: r for r in relations}
        districts = tuple(
            (d.id, d.name_zh, d.name_en)
            for d in index.districts
            if d.geometry is not None and d.geometry.intersects(parcel)
        )
        may = _may_be_here(label, related, {d[0] for d in districts}, index.unlocated)
        near = _corridors(relations, {"inside", "uncertain"})
        if not near:
            outside = [r for r in relations if r.verdict == "outside"]
            near = (min(outside, key=lambda r: r.distance_km or 0.0).corridor,) if outside else ()
        partial.append((label, parcel, relations, districts, may, near, area))
    points = [_point_of(parcel) for _, parcel, *_ in partial]
    if travel:
        job.step(progress, "routes")
    times = (
        _travel(points, [p[5] for p in partial], atlas, scenario)
        if travel
        else [[] for _ in partial]
    )
    reports = []
    for (label, parcel, relations, districts, may, near, area), point, trips in zip(
        partial, points, times, strict=True
    ):
        inside = _corridors(relations, {"inside", "uncertain"})
        notes = []
        if travel and not trips:
            notes.append(
                "该走廊图层中没有门户或核心，未计算出行时间 / no gateway or core in the "
                "corridor's layer: no travel time"
            )
        reports.append(
            SiteReport(
                parcel=label,
                geometry=parcel,
                geometry_type=parcel.geom_type,
                area_km2=area,
                point=point,
                districts=districts,
                relations=tuple(relations),
                may_be_here=tuple(may),
                excerpts=tuple(_excerpts(relations, atlas, corpus)),
                indicators=tuple(_indicators(inside, register, corpus)),
                travel=tuple(trips),
                travel_corridors=near,
                scenario=scenario.to_dict() if travel else None,
                notes=tuple(notes),
            )
        )
    return reports


def check_site(
    geometry_wgs84: BaseGeometry,
    atlas: Atlas,
    corpus: Corpus,
    scenario: Any = None,
    *,
    label: str = "parcel",
    register: Register | None = None,
    travel: bool = True,
) -> SiteReport:
    """Check one parcel (a WGS84 shapely geometry) against the atlas.

    Returns
    -------
    SiteReport
        Relations (inside / uncertain first, deepest feature first; then, for each
        corridor the parcel is not near, its extent as ``outside`` with the distance),
        unlocated places that may be here, excerpts, indicators and travel times.
    """
    parcels = [(label, geometry_wgs84)]
    return check_sites(parcels, atlas, corpus, scenario, register=register, travel=travel)[0]


def parcel_point(lon: float, lat: float) -> BaseGeometry:
    """A point parcel from WGS84 degrees (checked like any parcel)."""
    return _checked(Point(lon, lat), f"{lon},{lat}")
