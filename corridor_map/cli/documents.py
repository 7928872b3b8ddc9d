"""Subcommands of the corpus domain: ``docs list``, ``docs show`` and ``search``."""

from __future__ import annotations

import argparse
import json
from typing import Any

from corridor_map.cli.commands import COMMANDS
from corridor_map.documents.corpus import (
    Document,
    Paragraph,
    SearchHit,
    citation_label,
    load_corpus,
)


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add this domain's subcommands to the corridor-map parser."""
    docs = subparsers.add_parser(
        "docs",
        help=COMMANDS["docs"].help,
        description="List the source documents or show one's normalized text.",
    )
    actions = docs.add_subparsers(dest="docs_command", required=True, metavar="ACTION")

    listing = actions.add_parser(
        "list",
        help="列出文件 / list documents with their catalog metadata",
        description="List documents: id, date, document number, kind, corridors, title.",
    )
    listing.add_argument("--json", action="store_true", help="print JSON records")
    listing.set_defaults(handler=_list)

    show = actions.add_parser(
        "show",
        help="显示文件 / show a document's normalized text by paragraph",
        description=(
            "Print a document's metadata, the corrections applied to it and its paragraphs "
            "(id, citation label, text); with --paragraph only that paragraph."
        ),
    )
    show.add_argument("doc_id", metavar="DOC_ID", help="document id, e.g. wenling-14th-fyp")
    show.add_argument("--paragraph", metavar="PID", default=None, help="paragraph id, e.g. p007")
    show.add_argument("--json", action="store_true", help="print JSON")
    show.set_defaults(handler=_show)

    from corridor_map.cli.indicators import register_timeline

    register_timeline(actions)

    from corridor_map.cli.curation import register_docs_add

    register_docs_add(actions)

    find = subparsers.add_parser(
        "search",
        help=COMMANDS["search"].help,
        description=(
            "Search every paragraph by characters and character pairs; traditional input is "
            "converted to simplified first. Exact matches rank first."
        ),
    )
    find.add_argument("query", metavar="QUERY")
    find.add_argument("--limit", type=_positive_int, default=20, help="maximum hits (default 20)")
    find.add_argument("--json", action="store_true", help="print JSON hits")
    find.set_defaults(handler=_search)


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an integer: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1: {value}")
    return value


def _document_record(doc: Document) -> dict[str, Any]:
    return {
        "id": doc.id,
        "title": doc.title,
        "title_en": doc.title_en,
        "issuer": doc.issuer,
        "date": doc.date,
        "date_text": doc.date_text,
        "doc_number": doc.doc_number,
        "kind": doc.kind,
        "corridors": list(doc.corridors),
        "script": doc.script,
        "seed_file": doc.seed_file,
        "sha256": doc.sha256,
        "notes": doc.notes,
        "paragraphs": len(doc.paragraphs),
        "characters": len(doc.text),
    }


def _paragraph_record(doc: Document, paragraph: Paragraph) -> dict[str, Any]:
    return {
        "id": paragraph.id,
        "heading_path": list(paragraph.heading_path),
        "citation": citation_label(doc, paragraph.heading_path),
        "start": paragraph.start,
        "end": paragraph.end,
        "text": paragraph.text,
    }


def _hit_record(hit: SearchHit) -> dict[str, Any]:
    doc = load_corpus().document(hit.doc_id)
    return {
        "doc_id": hit.doc_id,
        "paragraph_id": hit.paragraph_id,
        "heading_path": list(hit.heading_path),
        "citation": citation_label(doc, hit.heading_path),
        "exact": hit.exact,
        "score": hit.score,
        "snippet": hit.snippet,
        "snippet_spans": [list(span) for span in hit.snippet_spans],
        "spans": [list(span) for span in hit.spans],
    }


def _dump(data: object) -> None:
    print(json.dumps(data, ensure_ascii=False, indent=1))


def _list(args: argparse.Namespace) -> int:
    documents = list(load_corpus().documents.values())
    if args.json:
        _dump([_document_record(doc) for doc in documents])
        return 0
    for doc in documents:
        date = doc.date or f"({doc.date_text})"
        number = doc.doc_number or "—"
        corridors = ",".join(doc.corridors)
        print(f"{doc.id:28} {date:12} {number:22} {doc.kind:16} {corridors:26} {doc.title}")
    return 0


def _show(args: argparse.Namespace) -> int:
    doc = load_corpus().document(args.doc_id)
    if args.paragraph is not None:
        paragraph = doc.paragraph(args.paragraph)
        if args.json:
            _dump({"doc_id": doc.id, **_paragraph_record(doc, paragraph)})
        else:
            print(f"{doc.id} {paragraph.id} {citation_label(doc, paragraph.heading_path)}")
            print(paragraph.text)
        return 0
    if args.json:
        record = _document_record(doc)
        record["header"] = doc.header
        record["normalization"] = [{"step": s, "count": n} for s, n in doc.steps]
        record["corrections"] = [
            {
                "raw": c.raw,
                "replacement": c.replacement,
                "reason": c.reason,
                "raw_offset": c.raw_offset,
            }
            for c in doc.corrections
        ]
        record["paragraphs"] = [_paragraph_record(doc, p) for p in doc.paragraphs]
        _dump(record)
        return 0
    print(f"《{doc.title}》 {doc.id}")
    print(f"发布 issuer: {doc.issuer or '—'} · 日期 date: {doc.date or '—'} ({doc.date_text})")
    print(f"文号 number: {doc.doc_number or '—'} · 类型 kind: {doc.kind} · {doc.script}")
    for correction in doc.corrections:
        print(f"修复 repaired: {correction.raw} → {correction.replacement}")
    print()
    for paragraph in doc.paragraphs:
        print(f"[{paragraph.id}] {paragraph.text}")
    return 0


def _search(args: argparse.Namespace) -> int:
    hits = load_corpus().search(args.query, limit=args.limit)
    if args.json:
        _dump([_hit_record(hit) for hit in hits])
        return 0
    if not hits:
        print(f"无结果 / no match for {args.query!r}")
        return 0
    for hit in hits:
        doc = load_corpus().document(hit.doc_id)
        marked = _highlight(hit.snippet, hit.snippet_spans)
        print(f"{hit.doc_id} {hit.paragraph_id} {citation_label(doc, hit.heading_path)}")
        print(f"  {marked}")
    return 0


def _highlight(text: str, spans: tuple[tuple[int, int], ...]) -> str:
    out = []
    last = 0
    for start, end in spans:
        out.append(text[last:start] + "【" + text[start:end] + "】")
        last = end
    return "".join(out) + text[last:]
