"""Checks shared by the curated-layer tests (tests/test_layer_*.py)."""

from __future__ import annotations

from typing import Any


def ancestry(features: dict[str, dict[str, Any]], fid: str) -> list[str]:
    """``fid`` and its ancestors up to the root, asserting each parent exists, no cycle.

    Parameters
    ----------
    features
        Feature dicts of one layer by id.
    fid
        Where to start.

    Returns
    -------
    list of str
        The chain, ``fid`` first and the root last.
    """
    seen = [fid]
    parent = features[fid]["properties"]["parent"]
    while parent is not None:
        assert parent in features, f"{fid}: unknown parent {parent}"
        assert parent not in seen, f"{fid}: parent cycle {[*seen, parent]}"
        seen.append(parent)
        parent = features[parent]["properties"]["parent"]
    return seen
