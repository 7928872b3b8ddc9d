"""Errors that reach a user as a clear message rather than a traceback."""

from __future__ import annotations


class CorridorMapError(Exception):
    """Base class for every error the CLI and the app report as a plain message."""
