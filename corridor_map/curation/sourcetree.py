"""The curated data as files a curator edits without Python, and their one builder.

Layout of a tree (one folder per curated layer)::

    <tree>/<layer>/layer.yaml            name, description, attribution, text style
    <tree>/<layer>/features/<id>.yaml    every property, in the layer's order
    <tree>/<layer>/geometries.geojson    WGS84, one feature per located id (QGIS opens
                                         and saves it; only ``id`` is read as a property)
    <tree>/<layer>/recipes.yaml          optional: derived shapes (buffer, ellipse, clip,
                                         difference, union, centroid, point) and their
                                         checks: :mod:`corridor_map.curation.recipes`
    <tree>/<layer>/checks.yaml           optional: the layer's containment policy and
                                         status dates (:func:`~corridor_map.curation.
                                         recipes.check_layer`)

:func:`export_tree` writes a store's state as such a tree; :func:`read_tree` reads one
back (geometries rounded and wound as the layers are: :func:`corridor_map.geo.geojson.
geometry_json`); :func:`apply_tree` turns each feature the tree changes into one change of
the store, through the same validated and recorded path as every edit, so an edit made in
QGIS or a text editor enters the history with its reason. Exporting an unchanged store and
reading it back gives the same layer files byte for byte (tested).
"""

from __future__ import annotations

import copy
import json
import math
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import yaml
from shapely.geometry import shape

from corridor_map.curation.edits import Provenance, apply_change, remeasured
from corridor_map.curation.publish import check_candidate, publish, render_with
from corridor_map.curation.recipes import check_layer, evaluate_recipes
from corridor_map.curation.store import (
    Change,
    CurationError,
    FeatureState,
    Layer,
    Store,
    render_layer,
)
from corridor_map.geo.geojson import geometry_json, write_all_atomically

__all__ = ["TreeFeature", "apply_tree", "export_tree", "read_tree", "render_tree"]

_GEOMETRIES = "geometries.geojson"


@dataclass(frozen=True)
class TreeFeature:
    """One feature as the tree gives it."""

    id: str
    file: str
    properties: dict[str, Any]
    geometry: dict[str, Any] | None


def _yaml(value: Any) -> str:
    return yaml.safe_dump(value, allow_unicode=True, sort_keys=False, width=100)


def export_tree(store: Store, folder: Path) -> list[Path]:
    """Write the store's current state as a tree under ``folder``; return the files written.

    A layer's ``recipes.yaml`` already in ``folder`` is kept, and the shapes its recipes
    make are left out of ``geometries.geojson`` (the recipe stays their source).
    """
    texts: dict[Path, str] = {}
    with store.reading():
        layers = store.layers()
        states = {name: store.features(name) for name in layers}
    for name, layer in layers.items():
        base = folder / Path(name).stem
        texts[base / "layer.yaml"] = _yaml(
            {"file": name, "style": layer.style, "members": layer.meta}
        )
        order = []
        for state in states[name]:
            texts[base / "features" / f"{state.id}.yaml"] = _yaml(state.properties)
            order.append(state.id)
        texts[base / "order.yaml"] = _yaml(order)
        # a tree's declared recipes stay its source of the shapes they make
        recipes = base / "recipes.yaml"
        derived = {
            r.get("id")
            for r in (_read_yaml(recipes) if recipes.exists() else None) or []
            if isinstance(r, dict)
        }
        located = [
            {"type": "Feature", "properties": {"id": s.id}, "geometry": s.geometry}
            for s in states[name]
            if s.geometry is not None and s.id not in derived
        ]
        collection = {"type": "FeatureCollection", "name": Path(name).stem, "features": located}
        texts[base / _GEOMETRIES] = json.dumps(collection, ensure_ascii=False, indent=1) + "\n"
    for path in texts:
        path.parent.mkdir(parents=True, exist_ok=True)
    write_all_atomically(texts)
    return sorted(texts)


def _read_yaml(path: Path) -> Any:
    try:
        return yaml.safe_load(path.read_text("utf-8"))
    except OSError as exc:
        raise CurationError(f"{path}: 无法读取 / cannot read: {exc.strerror}") from None
    except UnicodeDecodeError as exc:
        raise CurationError(f"{path}: 无法读取 / cannot read: not UTF-8 ({exc.reason})") from None
    except yaml.YAMLError as exc:
        where = getattr(exc, "problem_mark", None)
        line = f" at line {where.line + 1}" if where is not None else ""
        raise CurationError(f"{path}: malformed YAML{line}: {exc}") from None


def _geometries(path: Path) -> dict[str, dict[str, Any]]:
    if not path.exists():
        return {}
    try:
        data = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError) as exc:
        raise CurationError(f"{path}: cannot read GeoJSON: {exc}") from None
    found: dict[str, dict[str, Any]] = {}
    for number, item in enumerate(data.get("features") or []):
        fid = (item.get("properties") or {}).get("id")
        if not isinstance(fid, str):
            raise CurationError(f"{path}: feature #{number + 1}: id: missing")
        if fid in found:
            raise CurationError(f"{path}: {fid}: id: appears twice")
        try:
            geometry = geometry_json(shape(item["geometry"]))
        except Exception as exc:  # shapely's errors for a malformed geometry vary
            raise CurationError(f"{path}: {fid}: geometry: {exc}") from None
        if geometry is not None:
            found[fid] = geometry
    return found


def _refuse_non_finite(value: Any, where: str, field: str = "") -> None:
    """A YAML ``.nan`` or ``.inf`` is no figure; no strict JSON reader accepts it."""
    if isinstance(value, float) and not math.isfinite(value):
        raise CurationError(f"{where}: {field or '-'}: must be a finite number, not {value}")
    items = (
        value.items()
        if isinstance(value, dict)
        else enumerate(value)
        if isinstance(value, list)
        else ()
    )
    for key, item in items:
        name = f"{field}[{key}]" if isinstance(key, int) else f"{field}.{key}" if field else key
        _refuse_non_finite(item, where, str(name))


def read_tree(
    folder: Path, layers_dir: Path | None = None
) -> dict[str, tuple[Layer, list[TreeFeature]]]:
    """Read a tree: layer file name → (layer, features in order).

    ``layers_dir`` holds the reference layers recipes use (default: the data folder's).

    Raises
    ------
    CurationError
        Naming the file (and feature, field) that cannot be read.
    """
    layers: dict[str, tuple[Layer, list[TreeFeature]]] = {}
    try:
        bases = sorted(p for p in Path(folder).iterdir() if (p / "layer.yaml").is_file())
    except OSError as exc:
        raise CurationError(f"{folder}: 无法读取 / cannot read: {exc.strerror}") from None
    if not bases:
        raise CurationError(f"{folder}: no layer folder (<layer>/layer.yaml) in it")
    for base in bases:
        head = _read_yaml(base / "layer.yaml")
        if not isinstance(head, dict) or "file" not in head:
            raise CurationError(f"{base / 'layer.yaml'}: file: missing")
        name = str(head["file"])
        layer = Layer(name, dict(head.get("members") or {}), str(head.get("style") or "lines"))
        geometries = _geometries(base / _GEOMETRIES)
        listed = _read_yaml(base / "order.yaml") if (base / "order.yaml").exists() else []
        files = {p.stem: p for p in (base / "features").glob("*.yaml")}
        recipes_file = base / "recipes.yaml"
        if recipes_file.exists():
            recipes = _read_yaml(recipes_file)
            plain = {fid: shape(g) for fid, g in geometries.items()}
            made = evaluate_recipes(recipes, plain, recipes_file, layers_dir)
            helpers = {r["id"] for r in recipes if r.get("helper") is True}
            for rid, geometry in made.items():
                if (rid in files) == (rid in helpers):
                    raise CurationError(
                        f"{recipes_file}: {rid}: helper: a recipe makes a feature of "
                        "features/ or is marked `helper: true`, not both or neither"
                    )
                written = geometry_json(geometry)
                if rid in files and written is not None:
                    geometries[rid] = written
        order = [i for i in listed or [] if i in files] + sorted(set(files) - set(listed or []))
        features = []
        for fid in order:
            props = _read_yaml(files[fid])
            if not isinstance(props, dict):
                raise CurationError(f"{files[fid]}: not a mapping of properties")
            if props.get("id") != fid:
                raise CurationError(f"{files[fid]}: id: {props.get('id')!r} is not the file's name")
            _refuse_non_finite(props, f"{files[fid]}: {fid}")
            features.append(TreeFeature(fid, name, props, geometries.get(fid)))
        checks_file = base / "checks.yaml"
        if checks_file.exists():
            built = [
                (f.id, f.properties, None if f.geometry is None else shape(f.geometry))
                for f in features
            ]
            check_layer(_read_yaml(checks_file), built, checks_file, layers_dir)
        layers[name] = (layer, features)
    return layers


def render_tree(folder: Path, layers_dir: Path | None = None) -> dict[str, str]:
    """Every layer file the tree gives, as its text (byte-stable, in each layer's style).

    ``measured`` is taken from the features' files; :func:`apply_tree` measures a changed
    geometry again.
    """
    return {
        name: render_layer(
            layer, [FeatureState(f.id, f.file, f.properties, f.geometry, 1) for f in features]
        )
        for name, (layer, features) in read_tree(folder, layers_dir).items()
    }


def apply_tree(
    store: Store, layers_dir: Path, folder: Path, *, provenance: Provenance
) -> list[Change]:
    """Record each feature the tree changes as one validated change of the store.

    A feature whose geometry changes is a ``geometry`` change, else ``set``. Features the
    tree lacks or adds are refused (adding and removing features is not a curation edit).
    All the tree's changes are validated together first; a refusal records none of them.
    """
    tree = read_tree(folder)
    pending: list[tuple[TreeFeature, FeatureState]] = []
    for name, (_, features) in tree.items():
        for item in features:
            try:
                current = store.feature(item.id)
            except LookupError:
                raise CurationError(f"{name}: {item.id}: not a feature of the store") from None
            props = copy.deepcopy(item.properties)
            if "measured" in props:
                # derived from the geometry, never typed in: kept while the geometry is,
                # measured again when it changes
                if item.geometry == current.geometry:
                    props["measured"] = current.properties.get("measured")
                else:
                    geometry = None if item.geometry is None else shape(item.geometry)
                    props["measured"] = remeasured(item.file, props, geometry)
            if (props, item.geometry) == (current.properties, current.geometry):
                continue
            pending.append((item, replace(current, properties=props, geometry=item.geometry)))
    if len(pending) > 1:
        # The tree's changes are checked together before any is recorded: a derived shape
        # and its parts change at once, and a refusal must leave nothing half-applied.
        publish(store, layers_dir)
        with store.writing():
            check_candidate(render_with(store, [new for _, new in pending]), layers_dir)
    changes = []
    for item, new in pending:

        def build(state: FeatureState, new: FeatureState = new) -> FeatureState:
            return replace(state, properties=new.properties, geometry=new.geometry)

        changes.append(
            apply_change(
                store,
                layers_dir,
                kind="geometry" if new.geometry != store.feature(item.id).geometry else "set",
                feature_id=item.id,
                build=build,
                provenance=provenance,
            )
        )
    return changes
