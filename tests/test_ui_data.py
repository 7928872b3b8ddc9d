"""The app's served data (corridor_map/ui/data.py): the previous state while a change is
being built, never another folder's."""

from __future__ import annotations

import threading

import pytest

from corridor_map.ui import data


@pytest.fixture(autouse=True)
def _fresh_board() -> None:
    data._served.clear()


def _held_build(value: str) -> tuple[threading.Event, threading.Event, object]:
    started, release = threading.Event(), threading.Event()

    def make() -> str:
        started.set()
        assert release.wait(timeout=30)
        return value

    return started, release, make


def test_a_run_during_a_rebuild_gets_the_previous_state_and_the_next_gets_the_new() -> None:
    slot = ("atlas", "/data/layers")
    assert data._newest(slot, "k1", lambda: "state 1") == "state 1"
    started, release, make = _held_build("state 2")
    builder = threading.Thread(target=lambda: data._newest(slot, "k2", make))
    builder.start()
    assert started.wait(timeout=30)
    # Another run sees the changed data while it is being built: no wait, the old state.
    assert data._newest(slot, "k2", lambda: pytest.fail("built twice")) == "state 1"
    release.set()
    builder.join(timeout=30)
    assert data._newest(slot, "k2", lambda: pytest.fail("built twice")) == "state 2"


def test_the_first_run_to_see_a_change_builds_it_itself() -> None:
    """The curator who saved sees the change in the very next run."""
    slot = ("bundle", "/data/layers", "none", "zh")
    assert data._newest(slot, "k1", lambda: "bundle 1") == "bundle 1"
    assert data._newest(slot, "k2", lambda: "bundle 2") == "bundle 2"
    assert data._newest(slot, "k1", lambda: "bundle 1 again") == "bundle 1 again"


def test_a_folder_is_never_served_another_folders_state() -> None:
    assert data._newest(("atlas", "/a/layers"), "ka", lambda: "atlas of a") == "atlas of a"
    started, release, make = _held_build("atlas of b")
    builder = threading.Thread(target=lambda: data._newest(("atlas", "/b/layers"), "kb", make))
    builder.start()
    assert started.wait(timeout=30)
    # Nothing of /b/layers built yet: this run waits for it rather than show /a's.
    waiter: list[str] = []
    second = threading.Thread(
        target=lambda: waiter.append(data._newest(("atlas", "/b/layers"), "kb", lambda: "b2"))
    )
    second.start()
    release.set()
    builder.join(timeout=30)
    second.join(timeout=30)
    assert waiter and waiter[0] in {"atlas of b", "b2"}


def test_a_failed_build_leaves_the_previous_state_and_is_tried_again() -> None:
    slot = ("atlas", "/data/layers")
    data._newest(slot, "k1", lambda: "state 1")

    def broken() -> str:
        raise RuntimeError("the layers cannot be read")

    with pytest.raises(RuntimeError):
        data._newest(slot, "k2", broken)
    assert data._newest(slot, "k2", lambda: "state 2") == "state 2"
