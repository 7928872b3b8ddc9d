"""The travel view's framing: a route is framed with room for the names of its ends."""

from __future__ import annotations

import pytest

from corridor_map import travel_view


def test_a_route_is_framed_with_a_margin_on_every_side() -> None:
    line = {"type": "LineString", "coordinates": [[121.30, 28.35], [121.50, 28.40]]}
    (south, west), (north, east) = travel_view.frame_bounds(line)
    margin = travel_view.FRAME_MARGIN
    assert west == pytest.approx(121.30 - 0.2 * margin) and east == pytest.approx(
        121.50 + 0.2 * margin
    )
    assert south == pytest.approx(28.35 - 0.05 * margin) and north == pytest.approx(
        28.40 + 0.05 * margin
    )


def test_a_point_or_a_flat_line_still_gets_a_frame() -> None:
    point = {"type": "Point", "coordinates": [121.3, 28.35]}
    (south, west), (north, east) = travel_view.frame_bounds(point)
    assert south < 28.35 < north and west < 121.3 < east
    assert travel_view.frame_bounds({"type": "MultiPoint", "coordinates": []}) is None
