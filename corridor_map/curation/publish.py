"""Writing the store's current state as layer files, and checking a candidate state.

:func:`publish` renders every curated layer from one consistent read of the store and
replaces the files that differ, all or none (:func:`corridor_map.geo.geojson.
write_all_atomically`), under a lock so that two savers never publish out of order: each
publishes what the store holds when it gets the lock, not what it wrote itself.
:func:`check_candidate` runs the one validator on a copy of the layers folder holding
the candidate files, and refuses with the problems the change would add.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import shutil
import tempfile
from collections.abc import Iterator, Mapping
from pathlib import Path

from corridor_map.atlas.report_cache import Report
from corridor_map.atlas.validation import checked_report, validate
from corridor_map.core.errors import Problem
from corridor_map.curation.store import (
    CurationError,
    FeatureState,
    Store,
    StoreError,
    render_layer,
    render_register,
)
from corridor_map.geo.geojson import LayerWriteError, write_all_atomically

__all__ = [
    "LOCK_FILE",
    "OutsideEditError",
    "check_candidate",
    "publish",
    "render_all",
    "render_with",
]

#: the publishers' lock, in the folder above the layers folder published into.
LOCK_FILE = "curation.lock"
#: where candidate layers folders are validated (in the data folder, cleaned by the next
#: writer when a killed one left one behind).
WORK_DIR = ".curation-work"


def render_all(store: Store) -> dict[str, str]:
    """Every curated layer file's text from one consistent read of the store."""
    with store.reading():
        texts = {
            name: render_layer(layer, store.features(name))
            for name, layer in store.layers().items()
        }
        for name in store.registers():
            texts[name] = render_register(store.register(name)[0])
    return texts


def render_with(store: Store, changed: list[FeatureState]) -> dict[str, str]:
    """The texts of the layer files ``changed`` touches, with those states put in."""
    by_id = {state.id: state for state in changed}
    layers = store.layers()
    texts = {}
    for name in sorted({state.file for state in changed}):
        if name not in layers:
            raise CurationError(f"{name}: not a curated layer of the store")
        current = [by_id.pop(f.id, f) for f in store.features(name)]
        current += [s for s in by_id.values() if s.file == name]
        texts[name] = render_layer(layers[name], current)
    return texts


@contextlib.contextmanager
def _lock(path: Path) -> Iterator[None]:
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        raise StoreError(f"{path}: 无法加锁 / cannot lock: {exc.strerror}") from None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing releases the lock


def _remove_leftovers(folder: Path, names: Mapping[str, str]) -> None:
    """Remove the writer's temporary and backup files a killed publisher left behind.

    Only publishers (holding the lock) write these files, so any present now is stale.
    """
    for name in names:
        for pattern in (f".{name}.*.tmp", f".{name}.*.bak"):
            for leftover in folder.glob(pattern):
                leftover.unlink(missing_ok=True)


def publish(
    store: Store,
    folder: Path,
    lock_file: Path | None = None,
    *,
    served: bool = True,
    force: bool = False,
) -> list[str]:
    """Write the store's current state into ``folder``; return the files replaced.

    Files already equal to the state are not touched (their modification time, which
    keys every cache, stays). Run after every change and when a store is opened, so a
    process killed between its commit and its publication is made good by the next one.

    Parameters
    ----------
    store
        The store.
    folder
        A layers folder (the data folder's ``layers/`` or ``publish --out``).
    lock_file
        Serialises publishers of one folder (default: ``curation.lock`` beside it, in
        the data folder, so that nothing but layers appears in a layers folder).
    served
        ``folder`` is the layers folder the app serves: a file there that is neither what
        was last published nor the store's state was edited outside the store, and is
        not overwritten (unless ``force``).

    Raises
    ------
    OutsideEditError
        Naming the files edited outside the store.
    """
    folder = Path(folder)
    with _lock(lock_file or folder.parent / LOCK_FILE):
        texts = render_all(store)
        _remove_leftovers(folder, texts)
        known = store.published() if served else {}
        changed: dict[Path, str] = {}
        outside = []
        for name, text in texts.items():
            path = folder / name
            try:
                digest = hashlib.sha256(path.read_bytes()).hexdigest()
            except OSError:
                digest = None
            if digest == hashlib.sha256(text.encode("utf-8")).hexdigest():
                continue
            if served and not force and digest is not None and digest != known.get(name):
                outside.append(name)
                continue
            changed[path] = text
        if outside:
            raise OutsideEditError(
                f"{folder}: {', '.join(outside)}: 在编辑库之外被修改 / changed outside the "
                "curation store; make the edit with corridor-map edit (or data build), or "
                "discard it with corridor-map publish --force"
            )
        try:
            write_all_atomically(changed)
        except LayerWriteError as exc:
            raise StoreError(str(exc)) from None
        if served:
            digests = {
                name: hashlib.sha256(text.encode("utf-8")).hexdigest()
                for name, text in texts.items()
            }
            store.mark_published({n: d for n, d in digests.items() if known.get(n) != d})
    return sorted(p.name for p in changed)


class OutsideEditError(CurationError):
    """A served layer file was changed outside the store; it is not overwritten."""


def _problem_lines(problems: list[Problem]) -> str:
    head = f"修改未保存 / change refused: {problems[0]}"
    rest = [f"  {p}" for p in problems[1:25]]
    return "\n".join([head, *rest])


def check_candidate(texts: Mapping[str, str], layers_dir: Path) -> tuple[str, Report]:
    """Validate ``layers_dir`` with ``texts`` in place of its files; refuse new problems.

    The candidate folder is made in :data:`WORK_DIR` beside ``layers_dir`` (the other
    files linked, not copied); call it inside the store's write transaction. Problems the
    published folder already has are not this change's doing and do not refuse it.

    Returns
    -------
    tuple
        The candidate's content key and validation report
        (:func:`corridor_map.atlas.validation.checked_report`): the layers folder holds
        the same bytes once the change is published, and loads with this report.

    Raises
    ------
    CurationError
        ``file: feature: field: reason`` of each problem the change would add.
    """
    layers_dir = Path(layers_dir)
    before = set(validate(layers_dir))
    work = layers_dir.parent / WORK_DIR
    try:
        work.mkdir(exist_ok=True)
        # Called by the one writer (inside the store's write transaction): any candidate
        # folder here was left by a killed process.
        for stale in work.iterdir():
            shutil.rmtree(stale, ignore_errors=True)
    except OSError as exc:
        raise StoreError(f"{work}: 无法写入 / cannot write: {exc.strerror}") from None
    with tempfile.TemporaryDirectory(prefix="candidate-", dir=work) as tmp:
        folder = Path(tmp)
        for entry in sorted(layers_dir.iterdir()):
            if entry.name in texts or entry.name.startswith("."):
                continue
            try:
                (folder / entry.name).symlink_to(entry.resolve())
            except OSError:
                shutil.copy2(entry, folder / entry.name)
        for name, text in texts.items():
            (folder / name).write_text(text, "utf-8")
        key, report = checked_report(folder)
    problems = [p for p in report.first_round if p not in before]
    if problems:
        raise CurationError(_problem_lines(problems))
    return key, report
