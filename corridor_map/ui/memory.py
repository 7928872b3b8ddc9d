"""Memory a closed session leaves behind, handed back when the session is gone.

Streamlit keeps a closed tab's session for reconnection in a TTL cache
(``server.disconnectedSessionTTL``, 120 s by default), but reaps expired entries only when
the cache is next written (a new session closing), and never shuts the reaped session
down: its uploaded files and media stayed in the server's managers, and after a burst of
sessions nothing was released at all (+110 MB after 10 sessions, 150 s after they closed,
in ``benchmarks/load_hostile.py``). :func:`start_reaper` runs one thread per server that
reaps the expired sessions every :data:`REAP_EVERY_S` and shuts each down as Streamlit
does for a session that cannot resume. When a session's state is freed (a mark only it
holds is finalized), glibc's free heap is trimmed (``malloc_trim``): it otherwise keeps
the freed pages of its many thread arenas and the resident size stays up.

The reaper reads Streamlit's session manager through attributes that are not public API;
when they are not there (another Streamlit version) it does nothing and says so once in
the log.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
import logging
import threading
import weakref
from typing import Any

__all__ = [
    "MARK_KEY",
    "REAP_EVERY_S",
    "reap_expired_sessions",
    "start_reaper",
    "trim",
    "watch_session_end",
]

_LOG = logging.getLogger(__name__)
#: Seconds between two looks for expired sessions.
REAP_EVERY_S = 15.0

#: Session key of the mark whose finalization means the session is gone.
MARK_KEY = "_cm_session_mark"
#: Seconds between a session's end and the trim: the rest of its objects go first.
_TRIM_DELAY_S = 2.0

_libc_name = ctypes.util.find_library("c")
_malloc_trim: Any = getattr(ctypes.CDLL(_libc_name), "malloc_trim", None) if _libc_name else None
_pending = threading.Lock()


class _SessionMark:
    """An object only one session's state refers to."""


def trim() -> bool:
    """Collect cycles and hand free heap memory back to the system (glibc only).

    Returns
    -------
    bool
        Whether memory was trimmed (False: not glibc, or a trim is already under way).
    """
    if _malloc_trim is None or not _pending.acquire(blocking=False):
        return False
    try:
        gc.collect()
        _malloc_trim(0)
    finally:
        _pending.release()
    return True


def _session_ended() -> None:
    timer = threading.Timer(_TRIM_DELAY_S, trim)
    timer.daemon = True
    timer.start()


def watch_session_end(state: Any) -> None:
    """Trim the server's memory once ``state`` (a session's state, a mapping) is freed."""
    if MARK_KEY in state:
        return
    mark = _SessionMark()
    weakref.finalize(mark, _session_ended)
    state[MARK_KEY] = mark


def reap_expired_sessions(runtime: Any) -> int | None:
    """Shut down the sessions whose reconnection time has passed; how many (None: the
    session manager is not one this code knows)."""
    manager = getattr(runtime, "_session_mgr", None)
    storage = getattr(manager, "_session_storage", None)
    cache = getattr(storage, "_cache", None)
    lock = getattr(manager, "_storage_lock", None)
    if cache is None or lock is None or not callable(getattr(cache, "expire", None)):
        return None
    with lock:
        expired = cache.expire()
    for _, info in expired:
        session = getattr(info, "session", None)
        if session is not None:
            session.shutdown()  # its uploads and media go; its state goes with it
    return len(expired)


def _reap_forever(stop: threading.Event) -> None:
    from streamlit import runtime

    while not stop.wait(REAP_EVERY_S):
        if not runtime.exists():
            continue
        try:
            reaped = reap_expired_sessions(runtime.get_instance())
        except Exception:  # a failure here must not end the thread, nor the server
            _LOG.exception("reaping closed sessions failed")
            continue
        if reaped is None:
            _LOG.warning("closed sessions cannot be reaped with this Streamlit version")
            return
        if reaped:
            trim()


_reaper: threading.Thread | None = None
_reaper_lock = threading.Lock()


def start_reaper() -> None:
    """Start the server's one reaper thread (a daemon), once."""
    global _reaper
    with _reaper_lock:
        if _reaper is not None and _reaper.is_alive():
            return
        _reaper = threading.Thread(
            target=_reap_forever, args=(threading.Event(),), name="cm-reaper", daemon=True
        )
        _reaper.start()
