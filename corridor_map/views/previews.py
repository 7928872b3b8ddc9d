"""What the map itself shows of a feature: its preview card, its outline, where it lies."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from corridor_map.core.i18n import corridor_name, quantity_name, role_name, t
from corridor_map.views.panel import (
    ExcerptView,
    feature_panel,
    feature_props,
)


def preview_records(atlas: Any, lang: str, corpus: Any | None = None) -> dict[str, Any]:
    """Return, per located curated feature, the short card the map shows on a click.

    The records travel once inside the map bundle (a static file the browser caches), so a
    click shows the card without waiting for the server: the name, the kind (role and
    corridor), one key figure (the first the documents state, with its measured value)
    and how many excerpts the panel beside the map holds. The excerpts themselves are the
    panel's: the card does not repeat them. Plain data: the component writes it with
    ``textContent``, never as markup.

    Parameters
    ----------
    atlas
        A :class:`corridor_map.atlas.model.Atlas`.
    lang
        ``"zh"`` or ``"en"``: names, roles and labels.
    corpus
        Default :func:`corridor_map.documents.corpus.load_corpus`.
    """
    if corpus is None:
        from corridor_map.documents.corpus import load_corpus

        corpus = load_corpus()
    records: dict[str, Any] = {}
    for feature in atlas:
        if feature.corridor == "reference" or feature.geometry is None:
            continue
        view = feature_panel(atlas, feature.id, corpus)
        key = view.figures[0] if view.figures else None
        figure = (
            f"{quantity_name(key.quantity, lang)} {key.stated_text}"
            + (
                f" · {t('measured_drawing_short' if view.schematic else 'measured', lang)}"
                f" {key.measured:,.2f} {key.measured_unit}"
                if key.measured is not None
                else ""
            )
            if key is not None
            else ""
        )
        records[feature.id] = {
            "name": view.name(lang),
            "role": role_name(view.role, lang),
            "corridor": corridor_name(view.corridor, lang),
            "schematic": view.schematic,
            "figure": figure,
            "excerpts": len(view.excerpts),
        }
    return records


def citation_label_of(excerpt: ExcerptView) -> str:
    """Return a short citation: the document title and the section path."""
    path = " ".join(excerpt.heading_path[-2:])
    return f"《{excerpt.title}》{path}" if path else f"《{excerpt.title}》"


@dataclass(frozen=True)
class MapOutline:
    """What the map outlines for a selection: the feature, or what it lies within.

    ``within`` names the smallest known area of an unlocated place (a zone, a 街道/镇
    seat's district, a district), for the panel's "exact site not public" note.
    """

    selected: str | None
    context: tuple[str, ...] = ()
    within: tuple[str, ...] = ()


def _district_ids(atlas: Any, props: dict[str, Any]) -> tuple[str, ...]:
    codes = [d.get("code") for d in props.get("district") or [] if isinstance(d, dict)]
    return tuple(f"district-{c}" for c in codes if c and f"district-{c}" in atlas)


def map_outline(atlas: Any, feature_id: str | None) -> MapOutline:
    """Return the outline of a selection on the map.

    A located feature is outlined itself. A place the documents name but do not locate is
    shown by the smallest located area it is known to lie in: its ``within`` record where
    the layer gives one (a zone; for a 街道/镇 seat, the district around it, since a seat
    is a point), else its nearest located ancestor, else its districts; an enclave without
    a ``within`` is outlined nowhere.
    """
    if not feature_id or feature_id not in atlas:
        return MapOutline(None)
    feature = atlas.get(feature_id)
    if feature.geometry is not None:
        return MapOutline(feature.id)
    within = feature_props(feature).get("within")
    if isinstance(within, dict):
        target = within.get("id")
        if isinstance(target, str) and target in atlas:
            place = atlas.get(target)
            if place.corridor != "reference" and place.geometry is not None:
                return MapOutline(None, (target,), (target,))
            if place.role == "district":
                return MapOutline(None, (target,), (target,))
            around = _district_ids(atlas, feature_props(place))
            return MapOutline(None, around, (target, *around))
    if feature.role == "enclave":
        # An enclave (飞地) lies far from the corridor it belongs to: its parent says
        # nothing about where it is.
        return MapOutline(None)
    for parent in atlas.parents(feature.id):
        if parent.geometry is not None:
            return MapOutline(None, (parent.id,), (parent.id,))
    ids = _district_ids(atlas, feature_props(feature))
    return MapOutline(None, ids, ids)


def within_note(atlas: Any, feature_id: str, lang: str) -> str | None:
    """Return the panel's note for an unlocated place: where it lies, site not public."""
    outline = map_outline(atlas, feature_id)
    if outline.selected is not None or feature_id not in atlas:
        return None
    key = "name_zh" if lang == "zh" else "name_en"
    names = [str(getattr(atlas.get(i), key) or atlas.get(i).name_zh) for i in outline.within]
    joiner = "、" if lang == "zh" else ", "
    if not names:
        return t("unlocated_nowhere", lang)
    return t("unlocated_within", lang).format(where=joiner.join(names))
