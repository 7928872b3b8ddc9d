"""Long work in a request under a time limit, its steps shown (issue 27, issue 21).

The limit comes from the settings (``CORRIDOR_MAP_JOB_TIME_LIMIT``); a job past it stops
with one line and writes nothing; the app shows the steps in a status box.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from corridor_map.core.i18n import t
from corridor_map.core.progress import STEPS, Progress, TimeLimitError
from corridor_map.core.settings import DEFAULT_JOB_TIME_LIMIT_S, load_settings

APP = str(Path(__file__).resolve().parent.parent / "app.py")


def _clock(*times: float) -> Callable[[], float]:
    """A clock that reads ``times`` in turn, then stays at the last."""
    it: Iterator[float] = iter(times)
    last = [0.0]

    def now() -> float:
        last[0] = next(it, last[0])
        return last[0]

    return now


# ------------------------------------------------------------------ the settings


def test_the_limit_comes_from_the_settings():
    assert load_settings({}).job_time_limit_s == DEFAULT_JOB_TIME_LIMIT_S
    assert load_settings({"CORRIDOR_MAP_JOB_TIME_LIMIT": " 7.5 "}).job_time_limit_s == 7.5
    for bad in ("", "soon", "0", "-3", "inf", "nan"):
        got = load_settings({"CORRIDOR_MAP_JOB_TIME_LIMIT": bad}).job_time_limit_s
        assert got == DEFAULT_JOB_TIME_LIMIT_S, bad


# ------------------------------------------------------------------ the progress


def test_steps_are_reported_until_the_deadline_passes():
    seen: list[str] = []
    progress = Progress("map.pdf", 10, seen.append, clock=_clock(0, 1, 5, 11))
    progress.step("data")
    progress.step("draw")
    with pytest.raises(TimeLimitError) as caught:
        progress.step("write")
    assert seen == ["data", "draw"]
    assert caught.value.step == "write"
    for lang in ("zh", "en"):
        message = caught.value.message(lang)
        assert "\n" not in message and "map.pdf" in message and "10" in message
    assert "nothing was written" in caught.value.message("en")
    assert "未写入" in caught.value.message("zh")


def test_no_limit_never_stops_and_unknown_steps_are_refused():
    progress = Progress("x", None, clock=_clock(0, 1e9))
    progress.step("data")
    with pytest.raises(ValueError):
        progress.step("dreaming")


def test_every_step_has_its_name_in_both_languages():
    for name in STEPS:
        zh, en = t(f"job_step_{name}", "zh"), t(f"job_step_{name}", "en")
        assert zh and en and zh != en


# ------------------------------------------------------------------ the renderers


@pytest.mark.slow
def test_a_print_stopped_before_writing_leaves_the_old_file(tmp_path: Path):
    from corridor_map.outputs.printmap import render_map

    target = tmp_path / "map.pdf"
    target.write_bytes(b"%PDF- a good old file")
    seen: list[str] = []
    # data, draw and furniture within the limit; the check before writing is past it.
    progress = Progress("map.pdf", 1, seen.append, clock=_clock(0, 0, 0, 0, 9))
    with pytest.raises(TimeLimitError):
        render_map(target, "all", "A4", "en", progress=progress)
    assert seen == ["data", "draw", "furniture"]
    assert target.read_bytes() == b"%PDF- a good old file"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["map.pdf"]


@pytest.mark.slow
def test_a_brief_reports_its_steps_and_stops_at_the_limit(tmp_path: Path):
    from corridor_map.outputs.brief import render_brief

    seen: list[str] = []
    done = render_brief(
        tmp_path / "b.pdf", "taizhou-central-core", "en", progress=Progress("b", 600, seen.append)
    )
    assert done.exists() and seen[0] == "data" and "write" in seen
    with pytest.raises(TimeLimitError):
        render_brief(
            tmp_path / "c.pdf",
            "taizhou-central-core",
            "en",
            progress=Progress("c", 1, clock=_clock(0, 0, 9)),
        )
    assert not (tmp_path / "c.pdf").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["b.pdf"]


def test_a_travel_batch_stops_at_the_limit():
    from corridor_map.atlas.model import load_atlas
    from corridor_map.travel.targets import evaluate_targets

    with pytest.raises(TimeLimitError) as caught:
        evaluate_targets(load_atlas(), progress=Progress("targets", 1, clock=_clock(0, 0, 9)))
    assert caught.value.step == "routes"


# ------------------------------------------------------------------ the app


def _sidebar_with_downloads(selected: str | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params["lang"] = "en"
    if selected:
        at.query_params["sel"] = selected
    at.run()
    at.session_state["sb_downloads"] = True
    return at.run()


def _button(at: AppTest, key: str):  # type: ignore[no-untyped-def]
    (button,) = [b for b in at.sidebar.button if b.key == key]
    return button


@pytest.mark.slow
def test_printing_in_the_app_shows_its_steps_then_offers_the_file():
    at = _sidebar_with_downloads()
    assert not at.exception
    _button(at, "dl-print-A4.pdf-make").click()
    at.run()
    assert not at.exception
    (status,) = [s for s in at.sidebar.status if s.label.startswith(t("download_print", "en"))]
    assert status.state == "complete"
    assert t("job_done", "en") in status.label
    shown = [c.value for c in status.caption]
    assert t("job_step_draw", "en") in shown and t("job_step_write", "en") in shown
    held = at.session_state["_cm_prepared"]
    assert held["data"].startswith(b"%PDF")
    buttons = [b.proto for b in at.get("download_button")]
    assert any(p.id.endswith("-dl-print-A4.pdf") for p in buttons)


@pytest.mark.slow
def test_a_print_over_the_limit_says_so_in_one_line_and_keeps_nothing(
    monkeypatch: pytest.MonkeyPatch,
):
    monkeypatch.setenv("CORRIDOR_MAP_JOB_TIME_LIMIT", "0.000001")
    at = _sidebar_with_downloads()
    _button(at, "dl-print-A4.pdf-make").click()
    at.run()
    assert not at.exception
    (status,) = [s for s in at.sidebar.status if s.label.startswith(t("download_print", "en"))]
    assert status.state == "error"
    errors = [e.value for e in at.sidebar.error]
    assert len(errors) == 1 and "\n" not in errors[0]
    assert "time limit" in errors[0] and "nothing was written" in errors[0]
    assert "_cm_prepared" not in at.session_state
    assert not [b for b in at.get("download_button") if b.proto.id.endswith("-dl-print-A4.pdf")]


@pytest.mark.slow
def test_the_travel_page_over_the_limit_says_so(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("CORRIDOR_MAP_JOB_TIME_LIMIT", "0.000001")
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params["lang"] = "en"
    # A speed no other test asks for: the shared results cache has not got it.
    at.query_params["tv"] = "33.3"
    at.run()
    at.switch_page("pages/travel_targets.py").run()
    assert not at.exception
    (status,) = [s for s in at.status if s.label.startswith(t("job_travel", "en"))]
    assert status.state == "error"
    assert any("time limit" in e.value for e in at.error)


def test_a_feature_export_stopped_at_the_limit_leaves_the_old_file(tmp_path: Path):
    from corridor_map.outputs.export import write_features

    target = tmp_path / "plan.gpkg"
    target.write_bytes(b"a good old file")
    with pytest.raises(TimeLimitError) as caught:
        write_features(
            target, "all", "gpkg", progress=Progress("plan.gpkg", 1, clock=_clock(0, 0, 0, 9))
        )
    assert caught.value.step == "write"
    assert target.read_bytes() == b"a good old file"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plan.gpkg"]


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_feature_export_over_the_limit_says_so_in_one_line(
    monkeypatch: pytest.MonkeyPatch, lang: str
):
    # The review met Streamlit's generic "Failed to generate file for download" here: the
    # export ran inside the download's deferred callable, where no message can be shown.
    monkeypatch.setenv("CORRIDOR_MAP_JOB_TIME_LIMIT", "0.000001")
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params["lang"] = lang
    at.run()
    at.session_state["sb_downloads"] = True
    at.run()
    assert not [b for b in at.get("download_button") if b.proto.id.endswith("-dl-features-gpkg")]
    _button(at, "dl-features-gpkg-make").click()
    at.run()
    assert not at.exception
    errors = [re.sub(r"\\(.)", r"\1", e.value) for e in at.sidebar.error]  # Markdown escapes
    assert len(errors) == 1 and "\n" not in errors[0]
    limit = f"{0.000001:g}"  # as the message writes the limit
    if lang == "zh":
        assert "超过时间上限" in errors[0] and f"{limit} 秒" in errors[0], errors
    else:
        assert f"time limit of {limit} s" in errors[0] and "nothing was written" in errors[0]
    assert "_cm_prepared" not in at.session_state
    assert not [b for b in at.get("download_button") if b.proto.id.endswith("-dl-features-gpkg")]
