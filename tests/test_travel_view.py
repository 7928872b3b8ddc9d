"""The travel view's framing: a route is framed with room for the names of its ends."""

from __future__ import annotations

import pytest

from corridor_map.views import travel as travel_view


def test_a_route_is_framed_with_a_margin_on_every_side() -> None:
    line = {"type": "LineString", "coordinates": [[121.30, 28.35], [121.50, 28.40]]}
    (south, west), (north, east) = travel_view.frame_bounds(line)
    dlon = max(0.2 * travel_view.FRAME_MARGIN, 0.005)
    dlat = max(0.05 * travel_view.FRAME_MARGIN, 0.005)
    assert (west, east) == pytest.approx((121.30 - dlon, 121.50 + dlon))
    assert (south, north) == pytest.approx((28.35 - dlat, 28.40 + dlat))
    assert west < 121.30 and east > 121.50 and south < 28.35 and north > 28.40


def test_a_point_or_a_flat_line_still_gets_a_frame() -> None:
    point = {"type": "Point", "coordinates": [121.3, 28.35]}
    (south, west), (north, east) = travel_view.frame_bounds(point)
    assert south < 28.35 < north and west < 121.3 < east
    assert travel_view.frame_bounds({"type": "MultiPoint", "coordinates": []}) is None
