"""Reopen a finished temporary file with the reader its users use, before it replaces the
old one: a write that failed half-way (disk full, a size limit, a GDAL error that only
printed a warning) must never rename a truncated file over a good one.

Each check raises :class:`~corridor_map.outputs.common.ExportError` with one line naming
the file; :func:`corridor_map.outputs.common.atomic_path` then removes the temporary file
and the old file stays as it was.
"""

from __future__ import annotations

import csv
from collections.abc import Mapping
from pathlib import Path

from corridor_map.outputs.common import ExportError

__all__ = ["check_csv", "check_layers", "check_pdf", "check_png"]


def _fail(path: Path, what: str) -> ExportError:
    return ExportError(
        f"{path.name}: 写入不完整，原文件未改动 / incomplete write, nothing replaced: {what}"
    )


def check_csv(path: Path, rows: int, columns: int) -> None:
    """A CSV (UTF-8 with BOM) of a header and ``rows`` rows of ``columns`` cells each."""
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            read = list(csv.reader(handle))
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise _fail(path, str(exc)) from None
    if len(read) != rows + 1 or any(len(r) != columns for r in read):
        raise _fail(path, f"{len(read) - 1} of {rows} rows")


def check_layers(path: Path | str, expected: Mapping[str, int], driver: str | None = None) -> None:
    """A vector file GDAL opens with these layers and feature counts.

    Parameters
    ----------
    path
        A file, or a GDAL virtual path (``/vsizip/…``).
    expected
        Layer name → number of features (all layers' total when the name is ``"*"``).
    """
    import pyogrio

    shown = Path(str(path))
    try:
        layers = [str(name) for name, _ in pyogrio.list_layers(path)]
        counts = {name: int(pyogrio.read_info(path, layer=name)["features"]) for name in layers}
    except Exception as exc:  # GDAL raises several types for one cause: an unreadable file
        raise _fail(shown, f"GDAL: {exc}") from None
    for name, count in expected.items():
        found = sum(counts.values()) if name == "*" else counts.get(name)
        if found != count:
            raise _fail(shown, f"layer {name}: {found} of {count} features")


def check_pdf(path: Path, pages: int | None = None) -> None:
    """A PDF pypdf reads to its end (every page's content), with ``pages`` pages if given."""
    import pypdf

    try:
        reader = pypdf.PdfReader(path, strict=True)
        count = len(reader.pages)
        for page in reader.pages:
            page.get_contents()
    except Exception as exc:  # pypdf's errors have no common base beyond Exception
        raise _fail(path, f"PDF: {exc}") from None
    if count == 0 or (pages is not None and count != pages):
        raise _fail(path, f"PDF with {count} pages")


def check_png(path: Path) -> None:
    """A PNG that PIL decodes whole."""
    from PIL import Image

    try:
        with Image.open(path) as image:
            image.load()
    except Exception as exc:  # PIL raises OSError, SyntaxError, ValueError for bad files
        raise _fail(path, f"PNG: {exc}") from None
