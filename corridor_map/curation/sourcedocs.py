"""``docs/sources/<layer>.md``: written from the data, never by hand.

Each page is made of the published layer file (what the app serves: every feature's
geometry, basis, precision, supplier of an official geometry, stated figures, status,
``within`` and verbatim excerpts), the layer's source notes (``layers/source_notes.yaml``:
the research prose and the one-line note per feature that are nowhere else in the data)
and, when a curation store exists, each feature's recorded changes. Geometry types,
geodesic measures, bases and precisions are always the data's own: a note can be stale,
a figure in the table cannot.

The notes are the curators' own Markdown and are written as they are; every text that
comes from the layers or the history is escaped (:func:`corridor_map.core.markup.md_escape`).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry

from corridor_map.core.errors import CorridorMapError
from corridor_map.core.markup import md_escape
from corridor_map.geo.geodesy import geodesic_measure

if TYPE_CHECKING:
    from corridor_map.curation.store import Change

__all__ = [
    "NOTES_FILE",
    "SourceNotesError",
    "load_notes",
    "render_notes",
    "render_page",
    "render_pages",
]

#: the source notes' file in the layers folder.
NOTES_FILE = "source_notes.yaml"
_HEADER = ("feature id", "geometry", "basis · precision", "where the position came from")


class SourceNotesError(CorridorMapError):
    """The source notes do not fit the layers (named file, layer and feature)."""


def _literal(dumper: yaml.SafeDumper, text: str) -> yaml.ScalarNode:
    # Paragraphs as block text: the notes stay readable and diffable in a text editor.
    style = "|" if "\n" in text else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", text, style=style)


class _NotesDumper(yaml.SafeDumper):
    pass


_NotesDumper.add_representer(str, _literal)


def render_notes(notes: Mapping[str, Any]) -> str:
    """The text of ``source_notes.yaml`` for ``notes`` (layer file → before, rows, after)."""
    return yaml.dump(
        dict(notes), Dumper=_NotesDumper, allow_unicode=True, sort_keys=False, width=100
    )


def load_notes(layers_dir: Path) -> dict[str, Any]:
    """The source notes of the layers folder (empty when it has none)."""
    path = layers_dir / NOTES_FILE
    if not path.exists():
        return {}
    try:
        notes = yaml.safe_load(path.read_text("utf-8")) or {}
    except yaml.YAMLError as exc:
        raise SourceNotesError(f"{path}: not YAML ({exc})") from exc
    if not isinstance(notes, dict):
        raise SourceNotesError(f"{path}: expected a mapping of layer files")
    return notes


def _geometry_cell(geometries: Sequence[BaseGeometry | None]) -> str:
    if all(g is None for g in geometries):
        return "null"
    if len(geometries) > 1 and all(g is not None and g.equals(geometries[0]) for g in geometries):
        return f"{geometries[0].geom_type} (shared)"  # type: ignore[union-attr]
    cells = []
    for geometry in geometries:
        if geometry is None:
            cells.append("null")
            continue
        measure = geodesic_measure(geometry)
        if geometry.geom_type.endswith("Polygon"):
            cells.append(f"{geometry.geom_type} {measure.area_km2:,.1f} km²")
        elif geometry.geom_type.endswith("LineString"):
            cells.append(f"{geometry.geom_type} {measure.length_km:,.1f} km")
        else:
            cells.append(geometry.geom_type)
    return " / ".join(dict.fromkeys(cells))


def _basis_cell(props: Sequence[Mapping[str, Any]]) -> str:
    cells = []
    for p in props:
        basis = str(p.get("geometry_basis"))
        precision = p.get("precision_m")
        cells.append(basis if precision is None else f"{basis} · {precision:g} m")
    return " / ".join(dict.fromkeys(cells))


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _excerpt(source: Mapping[str, Any]) -> str:
    where = f"`{source.get('doc')}`"
    if source.get("paragraph"):
        where += f" ¶ `{source['paragraph']}`"
    return f"{where}: “{md_escape(source.get('quote'))}”"


def _feature_section(
    props: Mapping[str, Any], geometry: BaseGeometry | None, changes: Sequence[Change]
) -> list[str]:
    names = md_escape(f"{props.get('name_zh')} / {props.get('name_en')}")
    lines = [f"### `{props['id']}` {names}", ""]
    facts = [
        f"role `{props.get('role')}`",
        f"parent `{props.get('parent')}`" if props.get("parent") else "no parent",
        "district " + (md_escape("、".join(d["name"] for d in props.get("district") or [])) or "—"),
    ]
    lines.append("- " + " · ".join(facts))
    lines.append(f"- geometry: {_geometry_cell([geometry])} · {_basis_cell([props])}")
    official = props.get("geometry_official")
    if isinstance(official, Mapping):
        lines.append(
            "- supplied by "
            + md_escape(
                f"{official.get('supplier')} ({official.get('reference')}, {official.get('date')})"
            )
        )
    if props.get("geometry_source"):
        lines.append(f"- how it was made: {md_escape(props['geometry_source'])}")
    within = props.get("within")
    if isinstance(within, Mapping):
        lines.append(
            f"- lies within {within.get('kind')} `{within.get('id')}`, "
            + _excerpt(within.get("source") or {})
        )
    status = props.get("status")
    if isinstance(status, Mapping):
        lines.append(
            f"- status `{status.get('value')}` as of {status.get('as_of') or '—'}, "
            + _excerpt(status.get("source") or {})
        )
    for stated in props.get("stated") or []:
        lines.append(
            f"- stated {stated.get('quantity')} {md_escape(stated.get('text'))}, "
            + _excerpt(stated.get("source") or {})
        )
    for source in props.get("sources") or []:
        lines.append(f"- excerpt {_excerpt(source)}")
    if changes:
        for change in changes:
            lines.append(
                f"- change #{change.id} {change.time} {change.kind} by "
                + f"{md_escape(change.author)}: {md_escape(change.reason)}"
            )
    else:
        lines.append("- no change recorded in the curation store")
    return [*lines, ""]


def render_page(
    layer_file: str,
    collection: Mapping[str, Any],
    notes: Mapping[str, Any],
    history: Mapping[str, Sequence[Change]],
) -> str:
    """The Markdown page of one layer file.

    Parameters
    ----------
    layer_file
        The layer's file name, e.g. ``taizhou_bay.geojson``.
    collection
        The published layer (a GeoJSON FeatureCollection).
    notes
        The layer's source notes: ``before`` and ``after`` (Markdown around the table) and
        ``rows`` (``ids`` and ``note``: one table row for one or several features).
    history
        Feature id → its recorded changes, oldest first.
    """
    features = {f["properties"]["id"]: f for f in collection.get("features", [])}
    rows = list(notes.get("rows") or [])
    noted = [i for row in rows for i in row.get("ids") or []]
    unknown = [i for i in noted if i not in features]
    if unknown:
        raise SourceNotesError(f"{NOTES_FILE}: {layer_file}: no feature {unknown[0]!r}")
    # A feature nobody wrote a note for still gets its row: the data's own description.
    rows += [
        {"ids": [fid], "note": md_escape(f["properties"].get("geometry_source"))}
        for fid, f in features.items()
        if fid not in noted
    ]
    lines = [f"# Sources: `layers/{layer_file}`", ""]
    lines += [
        "<!-- Generated by `corridor-map sources` from the layer file, layers/source_notes.yaml"
        " and the curation store's history. Do not edit: change the data. -->",
        "",
    ]
    if notes.get("before"):
        lines += [str(notes["before"]).rstrip("\n"), ""]
    lines += ["| " + " | ".join(_HEADER) + " |", "|" + "---|" * len(_HEADER)]
    for row in rows:
        ids = list(row["ids"])
        geometries = [_shape(features[i]) for i in ids]
        props = [features[i]["properties"] for i in ids]
        lines.append(
            "| "
            + " | ".join(
                [
                    ", ".join(f"`{i}`" for i in ids),
                    _geometry_cell(geometries),
                    _basis_cell(props),
                    _cell(str(row.get("note") or "")),
                ]
            )
            + " |"
        )
    lines.append("")
    if notes.get("after"):
        lines += [str(notes["after"]).rstrip("\n"), ""]
    lines += ["## Every feature, from the data", ""]
    for fid, feature in features.items():
        lines += _feature_section(feature["properties"], _shape(feature), history.get(fid, ()))
    return "\n".join(lines).rstrip("\n") + "\n"


def _shape(feature: Mapping[str, Any]) -> BaseGeometry | None:
    geometry = feature.get("geometry")
    return None if geometry is None else shape(geometry)


def render_pages(
    layers_dir: Path, files: Iterable[str], changes: Iterable[Change] = ()
) -> dict[str, str]:
    """``<layer>.md`` → its text, for each layer file of ``files`` in ``layers_dir``.

    ``changes`` is the store's history (none when there is no store).
    """
    history: dict[str, list[Change]] = {}
    for change in changes:
        if change.feature:
            history.setdefault(change.feature, []).append(change)
    notes = load_notes(layers_dir)
    pages = {}
    for name in files:
        path = layers_dir / name
        try:
            collection = json.loads(path.read_text("utf-8"))
        except (OSError, ValueError) as exc:
            raise SourceNotesError(f"{path}: cannot read the layer ({exc})") from exc
        page = Path(name).with_suffix(".md").name
        pages[page] = render_page(name, collection, notes.get(name) or {}, history)
    return pages
