"""The errors of travel queries."""

from __future__ import annotations

from corridor_map.core.errors import CorridorMapError, UnknownFeatureError


class TravelError(CorridorMapError):
    """A travel query cannot be answered: unknown feature, bad assumption or data file."""


class UnknownTravelFeatureError(UnknownFeatureError, TravelError):
    """A travel query names a feature id no layer holds."""
