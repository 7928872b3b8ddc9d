"""Errors that reach a user as a clear message rather than a traceback, and the record
of one validation finding (:class:`Problem`), shared by every checker.

This module imports nothing from the package: every other module may import it.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["CorridorMapError", "Problem", "UnknownFeatureError"]


class CorridorMapError(Exception):
    """Base class for every error the CLI and the app report as a plain message."""


class UnknownFeatureError(CorridorMapError, LookupError):
    """No layer holds a feature with this id (the one error type for that condition).

    Domains whose callers catch their own error class raise a subclass that is also that
    class (e.g. ``travel.UnknownTravelFeatureError`` is a ``TravelError``).

    Parameters
    ----------
    feature_id
        The id asked for; kept as :attr:`feature_id`.
    message
        The bilingual message shown to the user (default: names the id).
    """

    def __init__(self, feature_id: str, message: str | None = None) -> None:
        self.feature_id = feature_id
        super().__init__(message or f"未知要素 / unknown feature id: {feature_id!r}")

    def __str__(self) -> str:
        return str(self.args[0])


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
