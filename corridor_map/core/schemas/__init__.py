"""The published JSON Schemas (Draft 2020-12) of the data files, and their one checker.

``layer.schema.json`` (every ``layers/*.geojson`` FeatureCollection and its feature
properties, including ``planned_links.geojson``'s ``links``), ``travel_targets.schema.json``,
``indicators.schema.json`` (structure only) and ``catalog.schema.json`` (``seeds/``) hold
the structural rules: fields, types, enums, nesting. :func:`check` validates data with
:class:`jsonschema.Draft202012Validator` and turns each :class:`jsonschema.ValidationError`
into a :class:`Finding` (instance path, field, reason) from which
:mod:`corridor_map.atlas.validation` builds its ``file: feature: field: reason`` problems. The
checks a schema cannot express (quotes, containment, GCJ-02 detection, tolerances) stay in
Python.

Project keywords, annotations any other validator ignores:

* ``"format": "finite"``: a number other than NaN or ±Infinity (Python's JSON reader
  accepts them, JSON has none);
* ``x-message`` (the reason reported when this subschema fails), ``x-messages``
  (``{keyword: reason}``), ``x-missing`` (the reason when a required property is absent;
  on an object, ``{property: reason}``). Reasons are :meth:`str.format` templates over
  ``value`` (the value at that node), ``value_json``, ``value_type``, ``enum`` (the allowed
  values, comma separated) and ``enum_tuple``;
* ``x-whole``: a failure anywhere inside this value is reported at the value itself (e.g.
  ``measured``, ``geometry``, one ``district`` entry);
* ``x-gate``: ``n``: a failure here hides every other finding whose path starts with the
  same first ``n`` steps (a file that is not a FeatureCollection is one problem; so is a
  feature that is not a Feature);
* ``x-field``: the field named for a failure of the value itself (``type``).
"""

from __future__ import annotations

import functools
import json
import math
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from importlib import resources
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker, ValidationError
from referencing import Registry, Resource

from corridor_map.core.errors import CorridorMapError

__all__ = [
    "SCHEMA_NAMES",
    "Finding",
    "SchemaError",
    "check",
    "check_digest",
    "field_name",
    "forget_findings",
    "require",
    "schema",
    "validator",
]

#: The shipped schemas, by the data file they describe.
SCHEMA_NAMES = ("layer", "travel_targets", "indicators", "catalog", "aliases")

_FORMATS = FormatChecker(formats=())


@_FORMATS.checks("finite")
def _finite(value: object) -> bool:
    # only numbers are judged; "type" reports anything else
    return not isinstance(value, float) or math.isfinite(value)


@functools.cache
def schema(name: str) -> dict[str, Any]:
    """Return the parsed schema ``corridor_map/schemas/<name>.schema.json``."""
    if name not in SCHEMA_NAMES:
        raise ValueError(f"unknown schema {name!r}: one of {', '.join(SCHEMA_NAMES)}")
    text = resources.files(__name__).joinpath(f"{name}.schema.json").read_text("utf-8")
    loaded: dict[str, Any] = json.loads(text)
    return loaded


@functools.cache
def _by_id() -> dict[str, dict[str, Any]]:
    return {schema(name)["$id"]: schema(name) for name in SCHEMA_NAMES}


@functools.cache
def validator(name: str) -> Draft202012Validator:
    """Return the Draft 2020-12 validator of one schema, asserting ``format: finite``.

    The schemas refer to each other by ``$id`` (``urn:corridor-map:schema:<name>``), e.g.
    the targets' excerpts are the layers' ``$defs/excerpt``.
    """
    registry: Registry[Any] = Registry().with_resources(
        (uri, Resource.from_contents(contents)) for uri, contents in _by_id().items()
    )
    return Draft202012Validator(schema(name), format_checker=_FORMATS, registry=registry)


@functools.cache
def _fast_validator(name: str) -> tuple[dict[str, Any], Draft202012Validator]:
    """The same schema with every ``$ref`` replaced by its target, and its validator.

    Equivalent (the schemas have no recursive reference), and about a tenth faster over
    the ~2,800 reference features, since no reference is resolved per instance.
    """
    inlined = _inline(schema(name), schema(name))
    return inlined, Draft202012Validator(inlined, format_checker=_FORMATS)


def _inline(node: Any, document: dict[str, Any]) -> Any:
    if isinstance(node, list):
        return [_inline(item, document) for item in node]
    if not isinstance(node, dict):
        return node
    if "$ref" not in node:
        return {k: (v if k == "enum" else _inline(v, document)) for k, v in node.items()}
    base, _, pointer = str(node["$ref"]).partition("#")
    target_document = _by_id()[base] if base else document
    target: Any = target_document
    for part in pointer[1:].split("/"):
        target = target[part.replace("~1", "/").replace("~0", "~")]
    resolved = _inline(target, target_document)
    rest = {k: _inline(v, document) for k, v in node.items() if k != "$ref"}
    clash = {k for k in rest if k in resolved and not k.startswith("x-") and k != "description"}
    if clash:  # both constrain the same keyword: keep both, as $ref's allOf semantics do
        return {"allOf": [resolved, {k: rest[k] for k in clash}]} | {
            k: v for k, v in rest.items() if k not in clash
        }
    return resolved | rest  # the referring node's messages win, as in the lookup below


@dataclass(frozen=True)
class Finding:
    """One structural problem: where (instance path, field path below it) and why."""

    #: path from the document root to the value the finding is reported at.
    path: tuple[str | int, ...]
    reason: str
    #: a gate finding hides the others whose path starts with ``path[:gate]``.
    gate: int | None = None


def field_name(path: tuple[str | int, ...] | list[str | int]) -> str:
    """Format an instance path as a field: ``("sources", 0, "doc")`` → ``sources[0].doc``."""
    text = ""
    for step in path:
        text += f"[{step}]" if isinstance(step, int) else (f".{step}" if text else str(step))
    return text


def check(name: str, data: Any) -> list[Finding]:
    """Validate ``data`` against one schema; return one finding per reported field.

    Findings keep the validator's order; a field gets one finding (its first), and a gate
    finding hides the rest of its scope (see the module docstring).
    """
    root, fast = _fast_validator(name)
    findings: list[Finding] = []
    for error in fast.iter_errors(data):
        findings.extend(_findings(root, data, error))
    gates = [(i, f) for i, f in enumerate(findings) if f.gate is not None]
    kept: list[Finding] = []
    seen: set[tuple[str | int, ...]] = set()
    for index, finding in enumerate(findings):
        hidden = any(
            j != index
            and finding.path[: g.gate] == g.path[: g.gate]
            and (finding.gate is None or j < index)
            for j, g in gates
            if g.gate is not None
        )
        if hidden or finding.path in seen:
            continue
        seen.add(finding.path)
        kept.append(finding)
    return kept


#: findings by (schema name, SHA-256 of the file's bytes): the reference layers (most of
#: the data) do not change when a curator saves, so a save's validation does not walk
#: them through the schema again. Bounded: every saved version adds an entry.
_BY_DIGEST: dict[tuple[str, str], tuple[Finding, ...]] = {}
_BY_DIGEST_MAX = 256
_BY_DIGEST_LOCK = threading.Lock()


def check_digest(name: str, data: Any, digest: str | None) -> list[Finding]:
    """:func:`check` of data parsed from bytes whose SHA-256 is ``digest`` (remembered).

    The same bytes parse to the same data, and :func:`check` is a function of the data
    alone, so the findings of a digest already checked are returned as they were.
    ``digest`` None: checked every time.
    """
    if digest is None:
        return check(name, data)
    with _BY_DIGEST_LOCK:
        known = _BY_DIGEST.get((name, digest))
    if known is None:
        known = tuple(check(name, data))
        with _BY_DIGEST_LOCK:
            if len(_BY_DIGEST) >= _BY_DIGEST_MAX:
                _BY_DIGEST.pop(next(iter(_BY_DIGEST)))  # the oldest entry
            _BY_DIGEST[(name, digest)] = known
    return list(known)


def forget_findings() -> None:
    """Forget the findings :func:`check_digest` remembers (a cold validation)."""
    with _BY_DIGEST_LOCK:
        _BY_DIGEST.clear()


class SchemaError(CorridorMapError, ValueError):
    """Data that does not meet its published schema (names the file and every field)."""


#: How many findings a :class:`SchemaError` lists before "… and N more".
MAX_LISTED = 10


def require(name: str, data: Any, file: str) -> None:
    """Raise :class:`SchemaError` unless ``data`` meets schema ``name``.

    What the curation scripts and ``scripts/build_layers.py`` call before they write a
    file, so that nothing is written that the validated load path would refuse.
    """
    findings = check(name, data)
    if findings:
        lines = [f"{file}: {field_name(f.path) or '-'}: {f.reason}" for f in findings]
        more = len(lines) - MAX_LISTED
        shown = "; ".join(lines[:MAX_LISTED]) + (f"; … and {more} more" if more > 0 else "")
        raise SchemaError(f"{len(lines)} schema problem(s) / 不符合数据结构: {shown}")


# ------------------------------------------------------------------- error → finding


@dataclass(frozen=True)
class _Node:
    schema: dict[str, Any]
    depth: int
    #: the schema document the node belongs to (for its local ``#/`` references)
    root: dict[str, Any]


# keywords whose subschema applies to a member / an item (one instance step deeper)
_BY_KEY = {"properties", "patternProperties"}
_BY_INDEX = {"prefixItems"}
_ONE_STEP = {"items", "additionalProperties", "unevaluatedItems", "unevaluatedProperties"}
_SAME_PLACE_LIST = {"allOf", "anyOf", "oneOf"}
_SAME_PLACE = {"if", "then", "else", "not", "contains", "propertyNames"}


def _deref(node: Any, chain: list[_Node], depth: int) -> Any:
    """Follow ``$ref`` s from ``node`` and record each schema reached.

    A ``$ref`` is ``#/pointer`` inside the schema holding it (each recorded node keeps its
    document) or ``urn:corridor-map:schema:<name>#/pointer`` into another shipped schema.
    """
    while isinstance(node, dict) and "$ref" in node:
        base, _, pointer = str(node["$ref"]).partition("#")
        document = _by_id().get(base) if base else (chain[-1].root if chain else None)
        if document is None or not pointer.startswith("/"):
            break
        target: Any = document
        for part in pointer[1:].split("/"):
            target = target[part.replace("~1", "/").replace("~0", "~")]
        node = target
        chain.append(_Node(node, depth, document))
    return node


def _chain(root: dict[str, Any], error: ValidationError) -> list[_Node]:
    """Every schema on the way from the root to the failing keyword, with its depth."""
    steps = list(error.absolute_schema_path)[:-1]  # the last step is the keyword
    node: Any = root
    depth = 0
    chain = [_Node(root, 0, root)]
    i = 0
    while i < len(steps):
        key = steps[i]
        if isinstance(node, dict) and key not in node:
            node = _deref(node, chain, depth)
        if key in _BY_KEY or key in _BY_INDEX:
            node, depth, i = node[key][steps[i + 1]], depth + 1, i + 2
        elif key in _SAME_PLACE_LIST or key in ("$defs", "dependentSchemas"):
            node, i = node[key][steps[i + 1]], i + 2
        elif key in _ONE_STEP:
            node, depth, i = node[key], depth + 1, i + 1
        elif key in _SAME_PLACE:
            node, i = node[key], i + 1
        else:  # an unknown step: stop here rather than guess
            break
        chain.append(_Node(node, depth, chain[-1].root))
    keyword = error.validator
    if isinstance(node, dict) and keyword not in node:
        _deref(node, chain, depth)
    return chain


def _value_at(data: Any, path: tuple[str | int, ...]) -> Any:
    for step in path:
        data = data[step]
    return data


def _template(text: str, value: Any, node: dict[str, Any]) -> str:
    enum = node.get("enum") or []
    try:
        shown = json.dumps(value, ensure_ascii=False)[:80]
    except (TypeError, ValueError):
        shown = repr(value)[:80]
    try:
        return text.format(
            value=value,
            value_json=shown,
            value_type=type(value).__name__,
            enum=", ".join(map(str, enum)),
            enum_tuple=repr(tuple(enum)),
        )
    except (KeyError, IndexError, ValueError):
        return text


def _missing(error: ValidationError) -> list[str]:
    # a "required" error's validator_value is the list of required names
    required: list[str] = list(error.validator_value)  # type: ignore[arg-type]
    found = re.match(r"^(.*) is a required property$", error.message)
    if found:
        name = next((p for p in required if repr(p) == found.group(1)), None)
        if name is not None:
            return [name]
    instance = error.instance if isinstance(error.instance, dict) else {}
    return [p for p in required if p not in instance]


def _findings(root: dict[str, Any], data: Any, error: ValidationError) -> Iterator[Finding]:
    chain = _chain(root, error)
    path = tuple(error.absolute_path)
    depth = len(path)
    if error.validator == "required":
        for name in _missing(error):
            virtual: list[_Node] = []
            for node in [n for n in chain if n.depth == depth]:
                prop = node.schema.get("properties", {}).get(name)
                if isinstance(prop, dict):
                    virtual.append(_Node(prop, depth + 1, node.root))
                    _deref(prop, virtual, depth + 1)
            yield _finding(data, error, [*chain, *virtual], (*path, name), missing=name)
        return
    yield _finding(data, error, chain, path)


def _finding(
    data: Any,
    error: ValidationError,
    chain: list[_Node],
    path: tuple[str | int, ...],
    missing: str | None = None,
) -> Finding:
    depth = len(path)
    whole = min((n.depth for n in chain if n.schema.get("x-whole")), default=None)
    lowest = depth if whole is None else min(whole, depth)
    reason: str | None = None
    field_extra: tuple[str, ...] = ()
    gate: int | None = None
    for level in range(depth, lowest - 1, -1):
        nodes = [n.schema for n in chain if n.depth == level]
        value = None if (missing is not None and level == depth) else _value_at(data, path[:level])
        for node in nodes:
            text = _reason_of(node, error, missing, level == depth)
            if text is not None:
                reason = _template(text, value, node)
                if "x-field" in node and level == depth and missing is None:
                    field_extra = (node["x-field"],)
                break
        if reason is not None:
            break
    if missing is not None and reason is None:
        for node in (n.schema for n in chain if n.depth == depth - 1):
            table = node.get("x-missing")
            if isinstance(table, dict) and missing in table:
                reason = _template(table[missing], None, node)
                break
    for node in (n.schema for n in chain if n.depth == depth):
        if "x-gate" in node:
            gate = int(node["x-gate"])
            break
    reported = path[: lowest if whole is not None else depth] + field_extra
    return Finding(reported, reason or error.message, gate)


def _reason_of(
    node: dict[str, Any], error: ValidationError, missing: str | None, at_failure: bool
) -> str | None:
    if missing is not None and at_failure:
        text = node.get("x-missing")
        if isinstance(text, str):
            return text
        return node.get("x-message") if isinstance(node.get("x-message"), str) else None
    if at_failure:
        keyed = node.get("x-messages")
        if isinstance(keyed, dict) and error.validator in keyed:
            return str(keyed[error.validator])
    text = node.get("x-message")
    return text if isinstance(text, str) else None
