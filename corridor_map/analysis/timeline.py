"""The documents on a time axis, each with the features, indicators and targets citing it.

It reads the atlas, the indicator register and the travel targets, so it sits above all
three (``indicators`` itself is below the atlas, whose validation checks the register).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from corridor_map.atlas.indicators import Register, TimelineEntry, features_citing, load_register
from corridor_map.atlas.model import Atlas, load_atlas
from corridor_map.documents.corpus import load_corpus
from corridor_map.travel.targets import load_targets

__all__ = [
    "timeline",
]


def _targets_citing(targets: Iterable[dict[str, Any]], doc_id: str) -> list[str]:
    return [
        str(t.get("id"))
        for t in targets
        if any(isinstance(s, dict) and s.get("doc") == doc_id for s in t.get("sources") or [])
    ]


def timeline(
    atlas: Atlas | None = None,
    register: Register | None = None,
    targets: list[dict[str, Any]] | None = None,
) -> list[TimelineEntry]:
    """Put the documents on a time axis, each with the features, indicators and targets
    that cite it.

    Documents are ordered by their catalog date; one whose catalog date is null (the
    Taizhou Bay briefing gives a day but no year) comes last with ``year`` None, never a
    guessed year.

    Parameters
    ----------
    atlas, register, targets
        Default: :func:`corridor_map.atlas.model.load_atlas`,
        :func:`corridor_map.atlas.indicators.load_register` and
        :func:`corridor_map.travel.targets.load_targets`.
    """
    if atlas is None:
        atlas = load_atlas()
    if register is None:
        register = load_register()
    if targets is None:
        targets = load_targets(atlas)
    entries = []
    for doc in load_corpus().documents.values():
        entries.append(
            TimelineEntry(
                doc_id=doc.id,
                title=doc.title,
                title_en=doc.title_en,
                kind=doc.kind,
                corridors=doc.corridors,
                date=doc.date,
                date_text=doc.date_text,
                year=int(doc.date[:4]) if doc.date else None,
                features=tuple(sorted(features_citing(atlas, doc.id))),
                indicators=tuple(i.id for i in register.select(doc=doc.id)),
                travel_targets=tuple(_targets_citing(targets, doc.id)),
            )
        )
    return sorted(entries, key=lambda e: (e.date is None, e.date or "", e.doc_id))
