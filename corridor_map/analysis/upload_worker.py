"""The upload worker: ``python -m corridor_map.analysis.upload_worker``.

A long-lived process of :class:`corridor_map.analysis.upload_pool.WorkerPool`. It writes
one ready frame, then serves requests one at a time, each a length-prefixed pickle on its
standard input (the memory budget and the arguments of
:func:`corridor_map.analysis.uploads.parse_upload`). For each it says ``taken`` once the
request is read whole, caps its own address
space (soft ``RLIMIT_AS``: what it holds now plus the budget), parses, lifts the cap and
writes one length-prefixed pickle ``(outcome, keep)`` to its standard output, where the
outcome is ``("ok", Imported)``, ``("refused", error)``, ``("memory", None)`` or
``("crash", text)``. ``keep`` is false after a memory error or a crash, or when the
process has grown by :data:`MAX_GROWTH_BYTES` since it started: it then exits and the
pool starts a fresh one. It also exits after :data:`IDLE_EXIT_S` without a request, or at
the end of its input (the parent gone). The parent kills it at the time limit.
"""

from __future__ import annotations

import pickle
import resource
import select
import sys
from pathlib import Path
from typing import Any, BinaryIO

from corridor_map.analysis import upload_readers  # noqa: F401  (imported before the cap)
from corridor_map.analysis.upload_pool import HEADER_BYTES, IDLE_EXIT_S, read_exactly
from corridor_map.analysis.uploads import parse_upload
from corridor_map.core.errors import CorridorMapError

#: A worker whose address space grew this much since it started is not reused.
MAX_GROWTH_BYTES = 300_000_000


def _address_space() -> int:
    """This process's virtual memory size in bytes (``VmSize``)."""
    with Path("/proc/self/status").open(encoding="ascii") as status:
        for line in status:
            if line.startswith("VmSize:"):
                return int(line.split()[1]) * 1024
    return 0


def _write_frame(stream: BinaryIO, data: bytes) -> None:
    stream.write(len(data).to_bytes(HEADER_BYTES, "big") + data)
    stream.flush()


def _serve(memory: int, args: tuple[Any, ...]) -> tuple[str, Any]:
    """Parse one request under the memory cap; the cap is lifted again afterwards."""
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    try:
        cap = _address_space() + int(memory)
        if hard != resource.RLIM_INFINITY:
            cap = min(cap, hard)
        resource.setrlimit(resource.RLIMIT_AS, (cap, hard))
        return ("ok", parse_upload(*args))
    except MemoryError:
        return ("memory", None)
    except CorridorMapError as exc:
        return ("refused", exc)
    except BaseException as exc:  # a reader's crash becomes one message, not a traceback
        return ("crash", f"{type(exc).__name__}: {str(exc)[:200]}")
    finally:
        resource.setrlimit(resource.RLIMIT_AS, (hard, hard))


def main() -> int:
    """Serve requests until idle, told to stop or the input ends (see the module)."""
    import pyogrio  # noqa: F401  (GDAL's libraries mapped before the first cap)

    # The raw descriptor, not sys.stdin: a buffered reader could hold bytes select misses.
    stdin, stdout = sys.stdin.fileno(), sys.stdout.buffer
    started = _address_space()
    _write_frame(stdout, b"ready")
    while True:
        readable, _, _ = select.select([stdin], [], [], IDLE_EXIT_S)
        if not readable:
            return 0
        header = read_exactly(stdin, HEADER_BYTES)
        request = None if header is None else read_exactly(stdin, int.from_bytes(header, "big"))
        if request is None:
            return 0
        _write_frame(stdout, b"taken")  # from here on an exit is this request's doing
        memory, args = pickle.loads(request)  # from our own parent
        outcome = _serve(memory, args)
        keep = outcome[0] in ("ok", "refused") and _address_space() - started < MAX_GROWTH_BYTES
        try:
            data = pickle.dumps((outcome, keep))
        except Exception as exc:
            keep = False
            data = pickle.dumps((("crash", f"{type(exc).__name__}: {str(exc)[:200]}"), keep))
        _write_frame(stdout, data)
        if not keep:
            return 0


if __name__ == "__main__":
    sys.exit(main())
