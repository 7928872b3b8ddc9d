"""The one snippet builder (corridor_map.documents.snippets): windows, bounds, ellipses, spans."""

from __future__ import annotations

from corridor_map.documents.snippets import snippet

TEXT = "台州湾科创走廊以椒江、路桥为核心，建设湾区创新高地。"  # 26 CJK characters


def test_a_window_keeps_the_characters_before_and_after_the_match():
    at = TEXT.index("椒江")
    cut = snippet(TEXT, at, at + 2, before=3, after=4)
    assert cut.window == "走廊以椒江、路桥为"
    assert (cut.start, cut.end) == (at - 3, at + 6)
    assert cut.text == "…走廊以椒江、路桥为…"
    assert cut.clipped_before and cut.clipped_after


def test_a_match_at_the_start_has_no_leading_ellipsis():
    cut = snippet(TEXT, 0, 3, before=10, after=2)
    assert cut.text == "台州湾科创…"
    assert not cut.clipped_before and cut.prefix == ""


def test_a_match_at_the_end_has_no_trailing_ellipsis():
    end = len(TEXT)
    cut = snippet(TEXT, end - 4, end, before=2, after=10)
    assert cut.text == "…区创新高地。"
    assert not cut.clipped_after and cut.suffix == ""


def test_a_window_larger_than_the_text_is_the_whole_text_without_ellipsis():
    cut = snippet(TEXT, 5, 7, before=500, after=500)
    assert cut.text == TEXT == cut.window
    assert not (cut.clipped_before or cut.clipped_after)


def test_no_match_cuts_from_the_beginning():
    cut = snippet(TEXT, 0, 0, before=0, after=5)
    assert cut.text == "台州湾科创…"
    assert snippet("短", 0, 0, before=0, after=5).text == "短"
    assert snippet("", 0, 0, before=3, after=3).text == ""


def test_reach_runs_the_window_from_the_match_start():
    # a short match still shows ``reach`` characters; a long one is shown whole
    assert snippet(TEXT, 0, 1, before=0, after=0, reach=6).window == TEXT[:6]
    assert snippet(TEXT, 0, 10, before=0, after=0, reach=6).window == TEXT[:10]


def test_bounds_keep_the_window_inside_a_paragraph_and_decide_the_clip_marks():
    text = "前一段。" + TEXT + "后一段。"
    low, high = 4, 4 + len(TEXT)
    cut = snippet(text, low + 1, low + 3, before=50, after=50, bounds=(low, high))
    assert cut.window == TEXT and not cut.clipped_before and not cut.clipped_after
    cut = snippet(text, low + 10, low + 12, before=2, after=2, bounds=(low, high), ellipsis="")
    assert cut.clipped_before and cut.clipped_after and cut.text == cut.window
    assert cut.window == text[low + 8 : low + 14]


def test_spans_are_clipped_to_the_window_and_shifted_past_the_ellipsis():
    cut = snippet(TEXT, 8, 10, before=2, after=2)  # window TEXT[6:12], prefix "…"
    assert cut.spans(((8, 10), (0, 2), (11, 15), (20, 22))) == ((3, 5), (6, 7))
    for s, e in cut.spans(((8, 10),)):
        assert cut.text[s:e] == TEXT[8:10]
