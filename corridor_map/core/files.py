"""The one writer of a single file that no reader ever sees half written.

The bytes go to a temporary file beside the target, are flushed to disk, get their final
mode (``mkstemp`` makes files private: a served or shared file must stay readable), and
only then replace the target; on any failure the temporary file is removed and the old
target stays. Several files at once, all or none: :func:`corridor_map.geo.geojson.
write_all_atomically`; a writer that needs a path of its own (GDAL, matplotlib):
:func:`corridor_map.outputs.common.atomic_path`.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

__all__ = ["write_bytes_atomically"]


def write_bytes_atomically(path: Path, data: bytes, mode: int = 0o644) -> None:
    """Replace ``path`` with ``data`` in one step.

    Parameters
    ----------
    path
        The file to write; its folder must exist.
    data
        The whole content.
    mode
        The file's permissions (``0o600`` for a private cache entry).

    Raises
    ------
    OSError
        The file could not be written (the old one, if any, is left as it was).
    """
    handle, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name[:40]}.", suffix=".tmp")
    tmp = Path(name)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        tmp.chmod(mode)
        tmp.replace(path)
    finally:
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)
