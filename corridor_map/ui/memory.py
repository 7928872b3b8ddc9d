"""Memory a closed session leaves behind, handed back when the session is gone.

Streamlit drops a session's state ``server.disconnectedSessionTTL`` seconds (120 by
default) after its tab closed; Python frees its objects then, but glibc keeps the freed
pages of its many thread arenas for reuse, and the server's resident memory stays up
(+110 MB after 10 sessions in ``benchmarks/load_hostile.py``). A mark only the session's
state holds is finalized with it; a moment later the free memory is trimmed
(``malloc_trim``) so the server returns near its size before the sessions.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
import threading
import weakref
from typing import Any

__all__ = ["MARK_KEY", "trim", "watch_session_end"]

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
