"""What a session keeps is released with it (issue 27's memory target)."""

from __future__ import annotations

import gc
import threading

import pytest

from corridor_map.analysis import uploads
from corridor_map.ui import memory


def test_trim_hands_memory_back_on_glibc():
    if memory._malloc_trim is None:
        pytest.skip("not glibc")
    assert memory.trim() is True


def test_a_freed_session_state_schedules_a_trim(monkeypatch: pytest.MonkeyPatch):
    trimmed = threading.Event()
    monkeypatch.setattr(memory, "_TRIM_DELAY_S", 0.0)
    monkeypatch.setattr(memory, "trim", trimmed.set)
    state: dict[str, object] = {}
    memory.watch_session_end(state)
    memory.watch_session_end(state)  # once per session
    assert not trimmed.is_set()
    del state
    gc.collect()
    assert trimmed.wait(5)


def test_an_upload_measured_for_a_session_is_not_kept_by_the_process():
    data = b'{"type": "Point", "coordinates": [121.4, 28.6]}'
    uploads.measure_upload(data, "kept-by-session.geojson", cache=False)
    assert not [k for k in uploads._CACHE if k[1] == "kept-by-session.geojson"]


def test_a_cached_refusal_holds_no_frames_with_the_file():
    data = b"lon,lat,note\n" + b"x" * 50_000 + b"\n"
    with pytest.raises(uploads.CorridorMapError):
        uploads.measure_upload(data, "refused-once.csv")
    (cached,) = [v for k, v in uploads._CACHE.items() if k[1] == "refused-once.csv"]
    assert cached.__traceback__ is None or all(
        data not in f.tb_frame.f_locals.values() for f in _frames(cached.__traceback__)
    )


def _frames(tb):  # type: ignore[no-untyped-def]
    while tb is not None:
        yield tb
        tb = tb.tb_next


class _Session:
    """Stands for an AppSession in Streamlit's session storage (only its id and shutdown)."""

    def __init__(self, session_id: str) -> None:
        self.id = session_id
        self.shut = False

    def shutdown(self) -> None:
        self.shut = True


def test_closed_sessions_past_their_reconnection_time_are_shut_down():
    from streamlit.runtime.memory_session_storage import MemorySessionStorage
    from streamlit.runtime.session_manager import SessionInfo

    class _Manager:
        def __init__(self, ttl: float) -> None:
            self._session_storage = MemorySessionStorage(ttl_seconds=ttl)  # type: ignore[arg-type]
            self._storage_lock = threading.Lock()

    class _Runtime:
        def __init__(self, ttl: float) -> None:
            self._session_mgr = _Manager(ttl)

    gone = _Runtime(0)
    old = _Session("old")
    gone._session_mgr._session_storage.save(SessionInfo(client=None, session=old))  # type: ignore[arg-type]
    assert memory.reap_expired_sessions(gone) == 1
    assert old.shut
    assert memory.reap_expired_sessions(gone) == 0

    kept = _Runtime(3600)
    recent = _Session("recent")
    kept._session_mgr._session_storage.save(SessionInfo(client=None, session=recent))  # type: ignore[arg-type]
    assert memory.reap_expired_sessions(kept) == 0
    assert not recent.shut


def test_an_unknown_session_manager_is_left_alone():
    assert memory.reap_expired_sessions(object()) is None
