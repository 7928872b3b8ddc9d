"""Deterministic GeoJSON text for the layer files, writing it safely, and the one JSON
file reader (:func:`read_json`) every data loader uses.

The builders (``scripts/build_layers.py`` for the reference layers, the curation store's
publish for the curated ones, :mod:`corridor_map.curation.sourcetree`) render their layers
here, so that a rebuild from the same inputs gives identical bytes and a
failed build never leaves a half-written file: :func:`write_all_atomically` stages every
file beside its target (fsynced), renames them all or none (then fsyncs the folder),
removes its temporary files on SIGTERM/SIGINT and turns OS failures (a full disk) into one
:class:`LayerWriteError` naming the path.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import stat
import tempfile
import threading
from collections.abc import Mapping
from pathlib import Path
from types import FrameType
from typing import Any

import shapely
from shapely.geometry import mapping
from shapely.geometry.base import BaseGeometry

from corridor_map.core.errors import CorridorMapError

COORDINATE_DECIMALS = 6
LAYER_FILE_MODE = 0o644
#: Deepest nesting a data file may have. A GeoJSON MultiPolygon's positions sit 8 levels
#: down; a property nested hundreds of levels deep can only be hostile, and would make
#: every recursive consumer (the schema check, caches, renderers) fail with RecursionError.
MAX_JSON_DEPTH = 32
#: Largest data file read (the biggest shipped layer is about 1 MB; the 30,000-feature
#: scale benchmark's about 40 MB).
MAX_DATA_FILE_BYTES = 200_000_000


def json_depth(value: Any, limit: int = MAX_JSON_DEPTH) -> int:
    """Nesting depth of parsed JSON (a scalar is 0), counted without recursion.

    Stops early and returns ``limit + 1`` once the depth passes ``limit``.
    """
    deepest = 0
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children: Any = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        depth += 1
        if depth > limit:
            return depth
        deepest = max(deepest, depth)
        stack.extend((child, depth) for child in children if isinstance(child, dict | list))
    return deepest


_KINDS = (
    (stat.S_ISFIFO, "a named pipe (FIFO)"),
    (stat.S_ISCHR, "a device"),
    (stat.S_ISBLK, "a device"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISDIR, "a folder"),
)


def read_data_bytes(
    path: Path, limit: int = MAX_DATA_FILE_BYTES
) -> tuple[bytes | None, str | None]:
    """Read a data file only when it is a regular file of at most ``limit`` bytes.

    A FIFO would block the reader forever and a link to ``/dev/zero`` would fill memory:
    the file is opened without blocking, and what the open descriptor is (after symlinks)
    decides, so a swap between a check and the read changes nothing.

    Returns
    -------
    tuple
        ``(bytes, None)``, or ``(None, reason)``: ``file not found``, ``not a regular file
        (a named pipe (FIFO))``, ``too large: N bytes > limit L``, ``cannot read (…)``.
    """
    flags = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags)
    except FileNotFoundError:
        return None, "file not found"
    except OSError as exc:
        return None, f"cannot read ({exc.strerror})"
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            kind = next((name for test, name in _KINDS if test(info.st_mode)), "not a file")
            return None, f"not a regular file ({kind}); data files must be plain files"
        if info.st_size > limit:
            return None, f"too large: {info.st_size:,} bytes > limit {limit:,}"
        chunks: list[bytes] = []
        size = 0
        while size <= limit:
            chunk = os.read(fd, min(1 << 20, limit + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        if size > limit:  # it grew while being read
            return None, f"too large: more than {limit:,} bytes"
        return b"".join(chunks), None
    except OSError as exc:
        return None, f"cannot read ({exc.strerror})"
    finally:
        os.close(fd)


def read_json(path: Path) -> tuple[Any, str | None]:
    """Read a UTF-8 JSON file: ``(data, None)``, or ``(None, reason)`` when it cannot be.

    The reason is what a problem list or an error message says after the file's name:
    ``file not found``, ``not a regular file (…)``, ``too large: …``, ``not UTF-8 text
    (…)``, ``cannot read (…)``, ``malformed JSON: … at line L column C`` or ``malformed
    JSON: nested too deeply`` (deeper than :data:`MAX_JSON_DEPTH` levels). It never raises.
    """
    data, reason, _ = read_json_digest(path)
    return data, reason


def read_json_digest(path: Path) -> tuple[Any, str | None, str | None]:
    """:func:`read_json` and the SHA-256 of the bytes parsed (None when unreadable).

    The digest is of the very bytes the data was parsed from (one read), so a cache keyed
    on it (the validator's schema findings) can never pair data with another file state.
    """
    raw, reason = read_data_bytes(Path(path))
    if raw is None:
        return None, reason, None
    data, reason = parse_json_bytes(raw)
    return data, reason, hashlib.sha256(raw).hexdigest()


def parse_json_bytes(raw: bytes) -> tuple[Any, str | None]:
    """The JSON data of a file's bytes, or ``(None, reason)`` as :func:`read_json` says it."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return None, f"not UTF-8 text ({exc.reason} at byte {exc.start})"
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        return None, f"malformed JSON: {exc.msg} at line {exc.lineno} column {exc.colno}"
    except RecursionError:
        # json's decoder recurses per nesting level; no data file nests this deep
        return None, "malformed JSON: nested too deeply"
    if json_depth(data) > MAX_JSON_DEPTH:
        return None, f"malformed JSON: nested too deeply (more than {MAX_JSON_DEPTH} levels)"
    return data, None


def _round_coords(value: Any) -> Any:
    if isinstance(value, float):
        rounded = round(value, COORDINATE_DECIMALS)
        # -0.0 would print as "-0.0" and differ from a rebuild that lands on +0.0.
        return 0.0 if rounded == 0 else rounded
    if isinstance(value, (list, tuple)):
        return [_round_coords(v) for v in value]
    return value


def geometry_json(geometry: BaseGeometry | None) -> dict[str, Any] | None:
    """GeoJSON geometry with RFC 7946 winding and coordinates rounded to 6 decimals.

    Parameters
    ----------
    geometry
        A WGS84 shapely geometry, or None for an unlocated feature.

    Returns
    -------
    dict or None
        ``{"type", "coordinates"}``; polygons have counter-clockwise exterior rings.
    """
    if geometry is None:
        return None
    if geometry.geom_type in {"Polygon", "MultiPolygon"}:
        geometry = shapely.orient_polygons(geometry, exterior_cw=False)
    geo = mapping(geometry)
    return {"type": geo["type"], "coordinates": _round_coords(geo["coordinates"])}


class LayerWriteError(CorridorMapError):
    """A layer cannot be written: a value JSON cannot carry (NaN, Infinity) or an OS failure."""


def _dumps(obj: Any, where: str = "collection") -> str:
    try:
        # json would write NaN / Infinity, which no strict reader (nor RFC 8259) accepts
        return json.dumps(
            obj, ensure_ascii=False, sort_keys=True, separators=(",", ":"), allow_nan=False
        )
    except ValueError as exc:
        raise LayerWriteError(f"{where}: {exc} (NaN or Infinity)") from None


def render_collection(meta: dict[str, Any], features: list[dict[str, Any]]) -> str:
    """Render a FeatureCollection deterministically.

    Parameters
    ----------
    meta
        Top-level members besides ``type`` and ``features`` (``name``, ``description``...).
    features
        GeoJSON Feature dicts, each with ``properties["id"]``.

    Returns
    -------
    str
        Keys sorted, one feature per line, features sorted by id, final newline.

    Raises
    ------
    LayerWriteError
        Naming the feature (or top-level member) that holds a NaN or an infinity.
    """
    head = {**meta, "type": "FeatureCollection"}
    lines = ["{"]
    lines += [f"{_dumps(key)}:{_dumps(head[key], key)}," for key in sorted(head)]
    lines.append('"features":[')
    ordered = sorted(features, key=lambda f: f["properties"]["id"])
    lines.append(",\n".join(_dumps(f, f"feature {f['properties']['id']}") for f in ordered))
    lines.append("]}")
    return "\n".join(lines) + "\n"


def write_atomically(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file beside it, then rename.

    See :func:`write_all_atomically`, which this calls with one file.

    Parameters
    ----------
    path
        The file to replace; its directory must exist.
    text
        The whole new content (UTF-8).

    Raises
    ------
    LayerWriteError
        On an operating-system failure (disk full, permission, missing folder), naming
        the path; the old file is left as it was and no temporary file remains.
    """
    write_all_atomically({Path(path): text})


class _Interrupted(BaseException):
    """SIGTERM or SIGINT arrived while temporary files existed."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


_SIGNALS = (signal.SIGTERM, signal.SIGINT)


class _SignalGuard:
    """While staging, a signal aborts the write (and is then delivered as before);
    while renaming, it waits until every file is in place."""

    def __init__(self) -> None:
        self.previous: dict[int, Any] = {}
        self.replaced: dict[int, Any] = {}
        self.committing = False
        self.pending: int | None = None

    def __enter__(self) -> _SignalGuard:
        # Handlers can only be installed from the main thread; elsewhere the process's
        # own handling stays (and the cleanup below still runs on exceptions).
        if threading.current_thread() is threading.main_thread():
            for signum in _SIGNALS:
                self.previous[signum] = signal.signal(signum, self._handle)
        self.replaced = dict(self.previous)
        return self

    def _handle(self, signum: int, frame: FrameType | None) -> None:
        del frame
        if self.previous.get(signum) == signal.SIG_IGN:
            return
        if self.committing:
            self.pending = signum
            return
        raise _Interrupted(signum)

    def restore(self) -> None:
        for signum, handler in self.previous.items():
            signal.signal(signum, handler if handler is not None else signal.SIG_DFL)
        self.previous = {}

    def __exit__(self, *exc: object) -> None:
        self.restore()
        if self.pending is not None:
            _deliver(self.pending, self.replaced.get(self.pending, signal.SIG_DFL))


def _deliver(signum: int, handler: Any) -> None:
    """Deliver a signal as the handler that was installed before the write would have."""
    if callable(handler):
        handler(signum, None)  # e.g. KeyboardInterrupt for SIGINT
    elif handler != signal.SIG_IGN:
        signal.signal(signum, signal.SIG_DFL)
        os.kill(os.getpid(), signum)


def _os_error(path: Path, exc: OSError) -> LayerWriteError:
    reason = exc.strerror or type(exc).__name__
    return LayerWriteError(f"{path}: 无法写入 / cannot write: {reason}")


def _stage(path: Path, data: bytes, temps: list[Path]) -> Path:
    fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    tmp = Path(name)
    temps.append(tmp)
    try:
        # mkstemp makes the file private (0600); a shipped layer must stay readable.
        os.fchmod(fd, LAYER_FILE_MODE)
        view = memoryview(data)
        while view:
            written = os.write(fd, view)
            view = view[written:]
        os.fsync(fd)  # the bytes are on disk before the name points at them
    finally:
        os.close(fd)
    return tmp


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_all_atomically(texts: Mapping[Path, str]) -> None:
    """Replace several files all or nothing.

    Every text is first written to a temporary file beside its target and fsynced; only
    when all are written are they renamed over the targets (each rename atomic), then
    each folder is fsynced. If a rename fails, the files already replaced get their old
    content back. SIGTERM or SIGINT while staging removes the temporary files and is
    then delivered as the previous handler would have (the process ends); during the
    renames it waits until they are done. The previous handlers are restored.

    Parameters
    ----------
    texts
        Target path → whole new content (UTF-8). Folders must exist.

    Raises
    ------
    LayerWriteError
        On an operating-system failure (disk full, permission …), naming the path; no
        target is changed and no temporary file remains.
    """
    for path, text in texts.items():
        if not isinstance(text, str):
            raise TypeError(f"{path}: text must be str, not {type(text).__name__}")
    encoded = {Path(path): text.encode("utf-8") for path, text in texts.items()}
    temps: list[Path] = []
    backups: dict[Path, Path | None] = {}
    guard = _SignalGuard()
    try:
        with guard:
            try:
                staged = {}
                for path, data in encoded.items():
                    try:
                        staged[path] = _stage(path, data, temps)
                    except OSError as exc:
                        raise _os_error(path, exc) from None
                guard.committing = True
                _commit(staged, backups)
                for folder in {path.parent for path in staged}:
                    try:
                        _fsync_dir(folder)
                    except OSError as exc:
                        raise _os_error(folder, exc) from None
            finally:
                for tmp in temps:
                    tmp.unlink(missing_ok=True)
                for backup in backups.values():
                    if backup is not None:
                        backup.unlink(missing_ok=True)
    except _Interrupted as exc:
        # The temporary files are gone; now end as the signal would have.
        _deliver(exc.signum, guard.replaced.get(exc.signum, signal.SIG_DFL))
        raise LayerWriteError(f"write interrupted by signal {exc.signum}") from None


def _commit(staged: dict[Path, Path], backups: dict[Path, Path | None]) -> None:
    """Rename every staged file over its target; on a failure put the old ones back."""
    for path in staged:
        backups[path] = None
        if path.exists():
            backup = path.with_name(f".{path.name}.{os.getpid()}.bak")
            try:
                backup.unlink(missing_ok=True)
                os.link(path, backup)
            except OSError:
                shutil.copy2(path, backup)
            backups[path] = backup
    done: list[Path] = []
    try:
        for path, tmp in staged.items():
            try:
                tmp.replace(path)
            except OSError as exc:
                raise _os_error(path, exc) from None
            done.append(path)
    except BaseException:
        for path in done:
            saved = backups[path]
            if saved is None:
                path.unlink(missing_ok=True)
            else:
                saved.replace(path)
                backups[path] = None
        raise
