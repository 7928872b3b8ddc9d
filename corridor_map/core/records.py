"""Typed records the modules pass each other: cited sources, stated figures, status, ring points.

The layer records (:class:`Source`, :class:`StatedFigure`, :class:`Status`) are
``TypedDict``\\ s: at run time they are the very dicts of the GeoJSON properties (checked
by :mod:`corridor_map.atlas.validation` before the atlas loads them), so JSON written from them
is unchanged; the types tell a reader and mypy which keys they carry.

A sampled point of a ring (:class:`RingPoint`, built by the ``ring_span`` travel target)
has no feature id of its own. In a worst case (and so in every JSON output) it is written
``"<feature id>@[lon, lat]"``; :meth:`RingPoint.label` writes that form and
:meth:`RingPoint.parse` is the one reader of it.
"""

# No ``from __future__ import annotations`` here: Python 3.11 only sees ``NotRequired``
# in a TypedDict's evaluated annotations (``__required_keys__`` would be wrong).
import json
from dataclasses import dataclass
from typing import NotRequired, TypedDict

__all__ = ["RingPoint", "Source", "StatedFigure", "Status"]


class Source(TypedDict):
    """A verbatim excerpt of a document of ``seeds/catalog.json``."""

    #: document id of the catalog
    doc: str
    #: the excerpt, verbatim in the normalized document
    quote: str
    #: paragraph id (``p012``) when the quote alone is ambiguous
    paragraph: NotRequired[str]


class StatedFigure(TypedDict):
    """A figure exactly as a document states it (``stated`` of a feature)."""

    #: ``area``, ``length``, ``floor_area``, ``travel_time`` …
    quantity: str
    #: the number as written (int or float)
    value: float
    #: the unit as written (``平方公里``, ``亩``, ``km`` …)
    unit: str
    #: the figure as the document writes it, inside ``source.quote``
    text: str
    source: Source


class Status(TypedDict):
    """A feature's status as a document gives it."""

    #: one of :data:`corridor_map.core.vocab.STATUS_VALUES`
    value: str
    #: ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD`` (null when the document gives no date)
    as_of: NotRequired[str | None]
    source: Source


#: Separator between the feature id and the coordinates of a ring point's label.
_AT = "@"


@dataclass(frozen=True)
class RingPoint:
    """A sampled point of a ring feature (WGS84), an end of a ``ring_span`` worst case."""

    feature_id: str
    lon: float
    lat: float

    @property
    def position(self) -> tuple[float, float]:
        """Return ``(lon, lat)``."""
        return self.lon, self.lat

    def label(self) -> str:
        """Return the end as a worst case names it: ``"<feature id>@[lon, lat]"``."""
        return f"{self.feature_id}{_AT}{[self.lon, self.lat]}"

    @classmethod
    def parse(cls, end: object) -> "RingPoint | None":
        """Read a label of :meth:`label`; None for anything else (a feature id, None …)."""
        if not isinstance(end, str) or _AT not in end:
            return None
        feature_id, _, position = end.partition(_AT)
        try:
            lon, lat = json.loads(position)
            return cls(feature_id, float(lon), float(lat))
        except (ValueError, TypeError):
            return None
