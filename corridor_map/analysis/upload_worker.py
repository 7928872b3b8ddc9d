"""The upload worker: ``python -m corridor_map.analysis.upload_worker``.

Reads one pickled request from its standard input (the memory budget and the arguments
of :func:`corridor_map.analysis.uploads.parse_upload`; written by
:func:`corridor_map.analysis.uploads.read_upload`), caps its own address space
(``RLIMIT_AS``: what it holds after importing the readers, plus the budget), parses, and
writes one pickled outcome to its standard output: ``("ok", Imported)``, ``("refused",
error)``, ``("memory", None)`` or ``("crash", text)``. The parent kills it at the time limit.
"""

from __future__ import annotations

import pickle
import resource
import sys
from pathlib import Path
from typing import Any

from corridor_map.analysis import upload_readers  # noqa: F401  (imported before the cap)
from corridor_map.analysis.uploads import parse_upload
from corridor_map.core.errors import CorridorMapError


def _address_space() -> int:
    """This process's virtual memory size in bytes (``VmSize``)."""
    with Path("/proc/self/status").open(encoding="ascii") as status:
        for line in status:
            if line.startswith("VmSize:"):
                return int(line.split()[1]) * 1024
    return 0


def main() -> int:
    """Serve one request (see the module's docstring)."""
    import pyogrio  # noqa: F401  (GDAL's libraries mapped before the cap)

    memory, args = pickle.loads(sys.stdin.buffer.read())  # from our own parent
    outcome: tuple[str, Any]
    try:
        cap = _address_space() + int(memory)
        resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
        outcome = ("ok", parse_upload(*args))
    except MemoryError:
        outcome = ("memory", None)
    except CorridorMapError as exc:
        outcome = ("refused", exc)
    except BaseException as exc:  # a reader's crash becomes one message, not a traceback
        outcome = ("crash", f"{type(exc).__name__}: {str(exc)[:200]}")
    try:
        data = pickle.dumps(outcome)
    except Exception as exc:
        data = pickle.dumps(("crash", f"{type(exc).__name__}: {str(exc)[:200]}"))
    sys.stdout.buffer.write(data)
    sys.stdout.buffer.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
