"""The records of a site check: relations, excerpts, indicators, travel times, the report.

:func:`corridor_map.analysis.site.check_site` builds them; the CLI, the PDF report and the
page only present them. :func:`relation_rows` flattens many reports into one row per
parcel–feature relation (the CSV / GeoPackage table).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import Any

import shapely
from shapely.geometry.base import BaseGeometry

from corridor_map.core.vocab import CORRIDORS

__all__ = [
    "ROW_FIELDS",
    "VERDICTS",
    "ExcerptRef",
    "IndicatorRef",
    "Relation",
    "SiteReport",
    "TravelTime",
    "relation_rows",
]

#: Verdicts of a relation, and ``may_be_here`` for an unlocated place.
VERDICTS = ("inside", "uncertain", "outside", "may_be_here")


@dataclass(frozen=True)
class Relation:
    """How one parcel relates to one feature.

    ``overlap_km2`` (geodesic) and the shares are None for point and line features and
    for a parcel without area; ``distance_km`` is 0 where the parcel touches the drawn
    geometry. ``within`` names the area a ``may_be_here`` place lies somewhere in.
    """

    parcel: str
    feature_id: str
    name_zh: str
    name_en: str
    corridor: str
    role: str
    verdict: str
    overlap_km2: float | None
    parcel_share: float | None
    feature_share: float | None
    distance_km: float | None
    geometry_basis: str
    precision_m: float | None
    geometry_source: str
    within: str | None = None
    note_zh: str = ""
    note_en: str = ""

    def to_dict(self) -> dict[str, Any]:
        """Return the relation as a JSON-ready dict."""
        return asdict(self)


@dataclass(frozen=True)
class ExcerptRef:
    """One excerpt a feature the parcel lies in cites, verbatim, with its citation."""

    feature_id: str
    feature_name_zh: str
    feature_name_en: str
    verdict: str
    doc: str
    quote: str
    citation: str
    paragraph_id: str | None
    issuer: str | None
    date: str | None
    doc_number: str | None
    error: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """Return the excerpt as a JSON-ready dict."""
        return asdict(self)


@dataclass(frozen=True)
class IndicatorRef:
    """An indicator of a corridor the parcel lies in: the target as the document states it."""

    id: str
    corridor: str
    scope: str
    name_zh: str
    name_en: str
    unit: str | None
    base_text: str | None
    base_year: int | None
    target_text: str
    target_year: int
    doc: str
    quote: str
    citation: str

    def to_dict(self) -> dict[str, Any]:
        """Return the indicator as a JSON-ready dict."""
        return asdict(self)


@dataclass(frozen=True)
class TravelTime:
    """Minutes from the parcel's point to one gateway or core (None: no trip)."""

    feature_id: str
    name_zh: str
    name_en: str
    corridor: str
    role: str
    minutes: float | None
    reason: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """Return the travel time as a JSON-ready dict."""
        return asdict(self)


@dataclass(frozen=True)
class SiteReport:
    """Everything the plan says about one parcel (see the module docstring)."""

    parcel: str
    geometry: BaseGeometry = field(repr=False)
    geometry_type: str
    area_km2: float
    point: tuple[float, float]
    districts: tuple[tuple[str, str, str], ...]
    relations: tuple[Relation, ...]
    may_be_here: tuple[Relation, ...]
    excerpts: tuple[ExcerptRef, ...]
    indicators: tuple[IndicatorRef, ...]
    travel: tuple[TravelTime, ...]
    travel_corridors: tuple[str, ...]
    scenario: dict[str, Any] | None
    notes: tuple[str, ...] = ()

    @property
    def corridors(self) -> tuple[str, ...]:
        """Corridors the parcel is inside or may be inside, in :data:`CORRIDORS` order."""
        found = {r.corridor for r in self.relations if r.verdict in {"inside", "uncertain"}}
        return tuple(c for c in CORRIDORS if c in found)

    def to_dict(self) -> dict[str, Any]:
        """Return the report as a JSON-ready dict (the geometry as GeoJSON)."""
        return {
            "parcel": self.parcel,
            "geometry": shapely.geometry.mapping(self.geometry),
            "geometry_type": self.geometry_type,
            "area_km2": self.area_km2,
            "point": list(self.point),
            "districts": [{"id": i, "name_zh": z, "name_en": e} for i, z, e in self.districts],
            "corridors": list(self.corridors),
            "relations": [r.to_dict() for r in self.relations],
            "may_be_here": [r.to_dict() for r in self.may_be_here],
            "excerpts": [x.to_dict() for x in self.excerpts],
            "indicators": [i.to_dict() for i in self.indicators],
            "travel": [t.to_dict() for t in self.travel],
            "travel_corridors": list(self.travel_corridors),
            "scenario": self.scenario,
            "notes": list(self.notes),
        }


#: Columns of :func:`relation_rows`, in order.
ROW_FIELDS = (
    "parcel",
    "feature_id",
    "name_zh",
    "name_en",
    "corridor",
    "role",
    "verdict",
    "overlap_km2",
    "parcel_share",
    "feature_share",
    "distance_km",
    "geometry_basis",
    "precision_m",
    "within",
    "note_zh",
    "note_en",
)


def relation_rows(reports: Iterable[SiteReport]) -> list[dict[str, Any]]:
    """One row per parcel–feature relation (unlocated places that may be here included)."""
    rows = []
    for report in reports:
        for r in (*report.relations, *report.may_be_here):
            record = r.to_dict()
            rows.append({k: record[k] for k in ROW_FIELDS})
    return rows
