"""Subcommands of curation: ``edit geometry|set|link|unlink``, ``history``, ``revert``,
``publish`` and ``docs add``.

Every edit goes through :mod:`corridor_map.curation.edits` (validated, recorded with its
author, reason and source, then published into the data folder's layers). Heavy modules
are imported inside the handlers so that ``corridor-map --help`` stays fast.
"""

from __future__ import annotations

import argparse
import getpass
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from corridor_map.cli.commands import COMMANDS
from corridor_map.core.errors import CorridorMapError

if TYPE_CHECKING:
    from corridor_map.curation.edits import Provenance
    from corridor_map.curation.store import Change, Store


class CurationInputError(CorridorMapError):
    """A curation command's argument is malformed (named in the message)."""


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the curation subcommands to the corridor-map parser."""
    who = argparse.ArgumentParser(add_help=False)
    who.add_argument(
        "--author", default=None, help="who makes the change (default: the OS user name)"
    )
    why = argparse.ArgumentParser(add_help=False, parents=[who])
    why.add_argument("--reason", required=True, help="why (required, kept in the history)")

    edit = subparsers.add_parser(
        "edit",
        help=COMMANDS["edit"].help,
        description="Change a curated feature; every change passes the validator first, is "
        "recorded with author, reason and source, and is published at once.",
    )
    actions = edit.add_subparsers(dest="edit_command", required=True, metavar="ACTION")

    geometry = actions.add_parser(
        "geometry",
        parents=[why],
        help="用官方文件替换几何 / replace the geometry from a file",
        description="Replace (or place) a feature's geometry with one read from a file: "
        "zipped Shapefile, GeoPackage, KML/KMZ, CSV or GeoJSON, in any coordinate system "
        "the import reads (CGCS2000, Gauss-Krüger EPSG:4513-4554 …).",
    )
    geometry.add_argument("feature_id", metavar="FEATURE")
    geometry.add_argument("--file", type=Path, required=True, help="the file holding the shape")
    geometry.add_argument("--crs", default=None, help="its coordinate system if not declared")
    geometry.add_argument(
        "--where", default=None, metavar="FIELD=VALUE", help="pick the file's feature"
    )
    geometry.add_argument("--source", required=True, help="what the geometry rests on")
    geometry.add_argument(
        "--basis",
        default="official",
        choices=("official", "public_coordinates", "osm", "schematic"),
        help="geometry_basis of the new shape (default: official)",
    )
    geometry.add_argument("--supplier", default=None, help="organisation that supplied it")
    geometry.add_argument("--reference", default=None, help="its 文号 / reference")
    geometry.add_argument("--date", default=None, help="its date (YYYY, YYYY-MM, YYYY-MM-DD)")
    geometry.add_argument(
        "--precision", type=float, required=True, metavar="M", help="precision in metres"
    )
    geometry.add_argument("--expect-version", type=int, default=None, metavar="N")
    geometry.set_defaults(handler=_edit_geometry)

    setter = actions.add_parser(
        "set",
        parents=[why],
        help="修改属性 / set properties",
        description="Set properties: FIELD=TEXT sets a string, FIELD:=JSON any JSON value "
        "(numbers, null, lists, objects such as status, stated or within).",
    )
    setter.add_argument("feature_id", metavar="FEATURE")
    setter.add_argument("values", nargs="+", metavar="FIELD=VALUE")
    setter.add_argument("--source", default="", help="what the values rest on")
    setter.add_argument("--expect-version", type=int, default=None, metavar="N")
    setter.set_defaults(handler=_edit_set)

    for name, handler, text in (
        ("link", _edit_link, "引用原文 / cite a verbatim excerpt"),
        ("unlink", _edit_unlink, "取消引用 / stop citing an excerpt"),
    ):
        sub = actions.add_parser(name, parents=[why], help=text, description=text)
        sub.add_argument("feature_id", metavar="FEATURE")
        sub.add_argument("--doc", required=True, help="document id")
        sub.add_argument("--quote", required=True, help="the excerpt, verbatim")
        if name == "link":
            sub.add_argument("--paragraph", default=None, help="paragraph id, e.g. p007")
        sub.add_argument("--source", default="", help="default: the document and quote")
        sub.set_defaults(handler=handler)

    indicator = actions.add_parser(
        "indicator",
        parents=[why],
        help="记录指标报告值 / record an indicator's reported value",
        description="Record a value a document reports for an indicator (layers/"
        "indicators.json), with the excerpt that reports it (verbatim).",
    )
    indicator.add_argument("indicator_id", metavar="INDICATOR")
    indicator.add_argument("--value", type=float, default=None, help="the number (omit: none)")
    indicator.add_argument("--unit", required=True, help="e.g. 亿元, %%, 家")
    indicator.add_argument("--text", required=True, help="the figure as the document writes it")
    indicator.add_argument("--date", required=True, help="YYYY-MM-DD of the report")
    indicator.add_argument("--scope", required=True, help="what it covers, e.g. 温岭市")
    indicator.add_argument("--doc", required=True, help="document id")
    indicator.add_argument("--quote", required=True, help="the excerpt, verbatim")
    indicator.add_argument("--paragraph", default=None)
    indicator.add_argument("--note", default=None)
    indicator.add_argument("--source", default="")
    indicator.set_defaults(handler=_edit_indicator)

    history = subparsers.add_parser(
        "history",
        help=COMMANDS["history"].help,
        description="List the changes, oldest first: id, time, author, kind, feature, reason.",
    )
    history.add_argument("feature_id", nargs="?", metavar="FEATURE")
    history.add_argument("--json", action="store_true", help="print JSON with before/after")
    history.set_defaults(handler=_history)

    revert = subparsers.add_parser(
        "revert",
        parents=[why],
        help=COMMANDS["revert"].help,
    )
    revert.add_argument("change_id", type=int, metavar="CHANGE")
    revert.set_defaults(handler=_revert)

    publish = subparsers.add_parser(
        "publish",
        help=COMMANDS["publish"].help,
        description="Write the curated layers from the store into DIR (byte-stable).",
    )
    publish.add_argument("--out", type=Path, required=True, metavar="DIR")
    publish.add_argument(
        "--force",
        action="store_true",
        help="overwrite served layer files edited outside the store (the edit is lost)",
    )
    publish.set_defaults(handler=_publish)

    data = subparsers.add_parser(
        "data",
        help=COMMANDS["data"].help,
        description="Export the store as files a curator edits (YAML properties, GeoJSON "
        "geometries QGIS opens, declared recipes), or build: record each feature the files "
        "change as a validated change.",
    )
    steps = data.add_subparsers(dest="data_command", required=True, metavar="ACTION")
    export = steps.add_parser("export", help="写出数据文件 / write the tree")
    export.add_argument("folder", type=Path, metavar="DIR")
    export.set_defaults(handler=_data_export)
    build = steps.add_parser(
        "build", parents=[why], help="由数据文件生成修改 / record the tree's changes"
    )
    build.add_argument(
        "folder", type=Path, metavar="DIR", nargs="?", help="default: the data folder's curated/"
    )
    build.add_argument("--source", default="", help="what the edits rest on")
    build.set_defaults(handler=_data_build)
    check = steps.add_parser(
        "check", help="核对数据文件与图层 / do the served layers equal what the tree gives?"
    )
    check.add_argument(
        "folder", type=Path, metavar="DIR", nargs="?", help="default: the data folder's curated/"
    )
    check.set_defaults(handler=_data_check)
    aliases = steps.add_parser(
        "aliases", help="由规则生成别名 / write layers/aliases.json from the names and rules"
    )
    aliases.add_argument("--check", action="store_true", help="fail if the file would change")
    aliases.set_defaults(handler=_data_aliases)


def register_docs_add(actions: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``docs add`` to the ``docs`` subcommands."""
    add = actions.add_parser(
        "add",
        help="添加文件 / add a document (text, .docx, .pdf with text, .html)",
        description="Add a document: its text is extracted, normalized like the seeds, "
        "written into seeds/ with a catalog entry, and recorded in the history.",
    )
    add.add_argument("file", type=Path, metavar="FILE")
    add.add_argument("--title", required=True)
    add.add_argument("--issuer", required=True, help="issuing body")
    add.add_argument("--date", required=True, help="YYYY-MM-DD")
    add.add_argument("--number", default=None, help="文号")
    add.add_argument("--corridor", action="append", default=None, help="corridor id (repeat)")
    add.add_argument("--kind", default="plan", help="plan, action plan, reply letter …")
    add.add_argument("--id", dest="doc_id", default=None, help="document id (default: derived)")
    add.add_argument("--title-en", default=None)
    add.add_argument("--reason", default="", help="why (default: 'new document')")
    add.add_argument("--author", default=None)
    add.set_defaults(handler=_docs_add)


# --------------------------------------------------------------------------- helpers


def _author(args: argparse.Namespace) -> str:
    if args.author:
        return str(args.author)
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


def _open(reconcile: bool = True) -> tuple[Store, Path]:
    """The data folder's store and layers folder; publish what a killed save left."""
    from corridor_map.core.paths import data_root, layers_dir
    from corridor_map.core.settings import load_settings
    from corridor_map.curation.postgres import open_curation_store
    from corridor_map.curation.publish import publish

    store = open_curation_store(load_settings().db_url, data_root())
    if reconcile:
        publish(store, layers_dir())
    return store, layers_dir()


def _provenance(args: argparse.Namespace, source: str) -> Provenance:
    from corridor_map.curation.edits import Provenance

    return Provenance(_author(args), args.reason, source)


def _report(change: Change) -> int:
    print(
        f"change #{change.id}: {change.kind} {change.feature or '-'} "
        f"({change.author}, {change.time}) — {change.reason}"
    )
    return 0


# --------------------------------------------------------------------------- handlers


def _edit_geometry(args: argparse.Namespace) -> int:
    import hashlib

    from corridor_map.analysis.uploads import read_upload
    from corridor_map.curation.edits import (
        Official,
        describe_geometry,
        pick_shape,
        replace_geometry,
    )

    path: Path = args.file
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise CurationInputError(f"{path}: 无法读取 / cannot read: {exc.strerror}") from None
    imported = read_upload(data, path.name, args.crs)
    geometry = pick_shape(imported.shapes, args.where, path.name)
    official = None
    if args.basis == "official":
        missing = [n for n in ("supplier", "reference", "date") if not getattr(args, n)]
        if missing:
            raise CurationInputError(
                f"--{missing[0]}: an official geometry names its supplier, 文号 and date"
            )
        official = Official(args.supplier, args.reference, args.date)
    digest = hashlib.sha256(data).hexdigest()
    described = f"read from {path.name} ({imported.format}, {imported.source_crs})"
    geometry_source = describe_geometry(official, described, args.source)
    store, layers = _open()
    change = replace_geometry(
        store,
        layers,
        args.feature_id,
        geometry,
        basis=args.basis,
        precision_m=args.precision,
        geometry_source=geometry_source,
        provenance=_provenance(args, f"{args.source} [{path.name} sha256:{digest[:16]}]"),
        official=official,
        expected_version=args.expect_version,
    )
    return _report(change)


def _parse_value(item: str) -> tuple[str, Any]:
    field, sep, value = item.partition(":=")
    if sep and "=" not in field:
        try:
            return field, json.loads(value)
        except json.JSONDecodeError as exc:
            raise CurationInputError(f"{field}: not JSON ({exc.msg})") from None
    field, sep, value = item.partition("=")
    if not sep or not field:
        raise CurationInputError(f"{item!r}: expected FIELD=TEXT or FIELD:=JSON")
    return field, value


def _edit_set(args: argparse.Namespace) -> int:
    from corridor_map.curation.edits import set_fields

    values = dict(_parse_value(item) for item in args.values)
    store, layers = _open()
    change = set_fields(
        store,
        layers,
        args.feature_id,
        values,
        provenance=_provenance(args, args.source),
        expected_version=args.expect_version,
    )
    return _report(change)


def _edit_link(args: argparse.Namespace) -> int:
    from corridor_map.curation.edits import link_excerpt

    store, layers = _open()
    change = link_excerpt(
        store,
        layers,
        args.feature_id,
        args.doc,
        args.quote,
        paragraph=args.paragraph,
        provenance=_provenance(args, args.source),
    )
    return _report(change)


def _edit_unlink(args: argparse.Namespace) -> int:
    from corridor_map.curation.edits import unlink_excerpt

    store, layers = _open()
    change = unlink_excerpt(
        store,
        layers,
        args.feature_id,
        args.doc,
        args.quote,
        provenance=_provenance(args, args.source),
    )
    return _report(change)


def _edit_indicator(args: argparse.Namespace) -> int:
    from corridor_map.curation.edits import report_indicator

    value: float | int | None = args.value
    if value is not None and float(value).is_integer():
        value = int(value)  # 68, as the register writes whole numbers
    source = {"doc": args.doc, "quote": args.quote}
    if args.paragraph:
        source["paragraph"] = args.paragraph
    report = {
        "value": value,
        "unit": args.unit,
        "text": args.text,
        "date": args.date,
        "scope": args.scope,
        "source": source,
    }
    if args.note:
        report["note"] = args.note
    store, layers = _open()
    change = report_indicator(
        store, layers, args.indicator_id, report, provenance=_provenance(args, args.source)
    )
    return _report(change)


def _history(args: argparse.Namespace) -> int:
    from corridor_map.curation.edits import state_summary

    store, _ = _open(reconcile=False)
    if args.feature_id is not None and not store.history(args.feature_id):
        store.feature(args.feature_id)  # an unknown id is an error, not an empty list
    changes = store.history(args.feature_id)
    if args.json:
        print(json.dumps([c.as_dict() for c in changes], ensure_ascii=False, indent=1))
        return 0
    for c in changes:
        print(f"#{c.id}\t{c.time}\t{c.author}\t{c.kind}\t{c.feature or '-'}\t{c.reason}")
        print(f"\tsource: {c.source or '-'}")
        print(f"\tbefore: {state_summary(c.before)}")
        print(f"\tafter:  {state_summary(c.after)}")
    print(f"{len(changes)} change(s)")
    return 0


def _data_check(args: argparse.Namespace) -> int:
    from corridor_map.core.paths import layers_dir
    from corridor_map.curation.sourcetree import render_tree

    folder = _tree(args)
    stale = []
    for name, text in render_tree(folder).items():
        served = layers_dir() / name
        try:
            current = served.read_bytes()
        except OSError as exc:
            raise CorridorMapError(f"{served}: 无法读取 / cannot read: {exc.strerror}") from None
        if current != text.encode("utf-8"):
            stale.append(name)
    for name in stale:
        print(f"{name}: differs from {folder} (record it: corridor-map data build)")
    if not stale:
        print(f"layers equal {folder}")
    return 1 if stale else 0


def _revert(args: argparse.Namespace) -> int:
    from corridor_map.curation.edits import revert_change

    store, layers = _open()
    change = revert_change(store, layers, args.change_id, provenance=_provenance(args, ""))
    return _report(change)


def _publish(args: argparse.Namespace) -> int:
    from corridor_map.curation.publish import LOCK_FILE, publish

    out: Path = args.out
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise CurationInputError(f"{out}: 无法创建 / cannot create: {exc.strerror}") from None
    store, layers = _open(reconcile=False)
    publish(store, layers, force=args.force)
    # the data folder's lock: no file appears beside the chosen folder
    written = publish(store, out, layers.parent / LOCK_FILE, served=False)
    print(f"{out}: {len(written)} file(s) written, {len(store.layers()) - len(written)} unchanged")
    return 0


def _docs_add(args: argparse.Namespace) -> int:
    from corridor_map.core.paths import seeds_dir
    from corridor_map.curation.documents import NewDocument, add_document

    store, _ = _open(reconcile=False)
    doc = NewDocument(
        title=args.title,
        title_en=args.title_en,
        issuer=args.issuer,
        date=args.date,
        number=args.number,
        corridors=tuple(args.corridor or ()),
        kind=args.kind,
        doc_id=args.doc_id,
    )
    change = add_document(
        store,
        seeds_dir(),
        args.file,
        doc,
        author=_author(args),
        reason=args.reason or f"new document: {args.title}",
    )
    print(f"{change.after['entry']['id']}: {args.title} ({change.after['paragraphs']} paragraphs)")
    return _report(change)


def _data_export(args: argparse.Namespace) -> int:
    from corridor_map.curation.sourcetree import export_tree

    store, _ = _open()
    written = export_tree(store, args.folder)
    print(f"{args.folder}: {len(written)} file(s) written")
    return 0


def _tree(args: argparse.Namespace) -> Path:
    from corridor_map.core.paths import curated_dir

    return Path(args.folder) if args.folder is not None else curated_dir()


def _data_build(args: argparse.Namespace) -> int:
    from corridor_map.curation.sourcetree import apply_tree

    args.folder = _tree(args)
    store, layers = _open()
    changes = apply_tree(
        store, layers, args.folder, provenance=_provenance(args, args.source or str(args.folder))
    )
    for change in changes:
        _report(change)
    print(f"{len(changes)} change(s)")
    return 0


def _data_aliases(args: argparse.Namespace) -> int:
    from corridor_map.atlas.aliases import ALIASES_FILE, check
    from corridor_map.atlas.model import load_atlas
    from corridor_map.core.paths import layers_dir
    from corridor_map.curation.aliasrules import build_aliases
    from corridor_map.documents.corpus import load_corpus
    from corridor_map.geo.geojson import write_atomically

    data = build_aliases()
    ids = {f.id for f in load_atlas(strict=True).select(include_reference=False)}
    problems = check(data, ids, load_corpus())
    if problems:
        raise CorridorMapError("; ".join(": ".join(problem) for problem in problems))
    text = json.dumps(data, ensure_ascii=False, indent=1) + "\n"
    path = layers_dir() / ALIASES_FILE
    if args.check:
        try:
            same = path.read_text("utf-8") == text
        except (OSError, UnicodeDecodeError):
            same = False
        print("up to date" if same else f"{path} differs from the rules' output")
        return 0 if same else 1
    write_atomically(path, text)
    count = sum(len(v) for v in data["aliases"].values())
    print(f"wrote {path}: {count} aliases of {len(data['aliases'])} features")
    return 0
