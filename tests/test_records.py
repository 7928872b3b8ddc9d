"""The typed records: a ring point's label is written and read by one place."""

from __future__ import annotations

import pytest

from corridor_map.atlas.model import load_atlas
from corridor_map.core.records import RingPoint


def test_a_ring_point_label_reads_back_to_the_same_point():
    point = RingPoint("daluo-innovation-ring", 120.712345, 27.951)
    assert point.label() == "daluo-innovation-ring@[120.712345, 27.951]"
    assert RingPoint.parse(point.label()) == point
    assert point.position == (120.712345, 27.951)


@pytest.mark.parametrize(
    "end", [None, 3, "jiulong-lake", "ring@", "ring@[1]", "ring@[1, 2, 3]", "ring@{}", "r@[a]"]
)
def test_anything_but_a_ring_point_label_is_not_a_ring_point(end):
    assert RingPoint.parse(end) is None


def test_the_ring_span_worst_case_names_its_ends_by_ring_point_labels():
    from corridor_map.travel import targets as travel_targets

    results = travel_targets.evaluate_targets(load_atlas())
    rings = [r for r in results if r.method == "ring_span" and r.worst_case]
    assert rings, "the shipped targets include the ring span (30分钟通环)"
    for result in rings:
        worst = result.worst_case or {}
        for end in (worst["origin"], worst["destination"]):
            point = RingPoint.parse(end)
            assert point is not None and point.label() == end
