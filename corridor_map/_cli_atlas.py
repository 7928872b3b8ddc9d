"""Subcommands of the atlas domain (filled in by its issue)."""

from __future__ import annotations

import argparse


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add this domain's subcommands to the corridor-map parser."""
