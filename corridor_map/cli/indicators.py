"""Subcommands of the indicator register: ``indicators`` and ``docs timeline``."""

from __future__ import annotations

import argparse
import datetime
import json
from typing import Any

from corridor_map.atlas.indicators import (
    KINDS,
    Figure,
    Indicator,
    Report,
    Source,
    load_register,
    status,
)
from corridor_map.cli.commands import COMMANDS
from corridor_map.core.verdicts import cli_word
from corridor_map.core.vocab import CORRIDORS
from corridor_map.documents.corpus import citation_label, load_corpus


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``indicators`` to the corridor-map parser."""
    parser = subparsers.add_parser(
        "indicators",
        help=COMMANDS["indicators"].help,
        description=(
            "List the indicator register: base → target as the documents state them, the "
            "target's status (reported, no report, target year not reached) and figures "
            "later documents report, each with its excerpt's paragraph."
        ),
    )
    parser.add_argument("--corridor", choices=CORRIDORS, default=None, help="one corridor")
    parser.add_argument("--doc", metavar="DOC_ID", default=None, help="figures citing a document")
    parser.add_argument("--kind", choices=KINDS, default=None, help="one kind of indicator")
    parser.add_argument("--year", type=int, default=None, help="target year")
    parser.add_argument("--json", action="store_true", help="print JSON records")
    parser.set_defaults(handler=_indicators)


def register_timeline(actions: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``timeline`` under ``docs`` (called from :mod:`corridor_map.cli.documents`)."""
    parser = actions.add_parser(
        "timeline",
        help="文件时间轴 / the documents in time, with what each names",
        description=(
            "The documents in catalog date order (a document without a year comes last, "
            "marked 'year unknown'), each with the features, indicators and travel targets "
            "citing it."
        ),
    )
    parser.add_argument("--json", action="store_true", help="print JSON records")
    parser.set_defaults(handler=_timeline)


def _source_record(source: Source) -> dict[str, Any]:
    excerpt = load_corpus().resolve(source.doc, source.quote, source.paragraph)
    return {
        **source.as_dict(),
        "paragraph": excerpt.paragraph_id,
        "citation": citation_label(source.doc, excerpt.heading_path),
    }


def _figure_record(figure: Figure | None) -> dict[str, Any] | None:
    if figure is None:
        return None
    return {
        "year": figure.year,
        "value": figure.value,
        "text": figure.text,
        "qualifier": figure.qualifier,
        "source": _source_record(figure.source),
        "year_source": _source_record(figure.year_source) if figure.year_source else None,
    }


def _report_record(report: Report, indicator: Indicator) -> dict[str, Any]:
    return {
        "value": report.value,
        "unit": report.unit,
        "text": report.text,
        "date": report.date,
        "scope": report.scope,
        "same_scope": report.scope == indicator.scope,
        "note": report.note,
        "note_zh": report.note_zh,
        "source": _source_record(report.source),
    }


def indicator_record(indicator: Indicator, today: datetime.date | None = None) -> dict[str, Any]:
    """Return one indicator as the CLI's JSON prints it (status and citations added)."""
    return {
        "id": indicator.id,
        "corridor": indicator.corridor,
        "scope": indicator.scope,
        "doc": indicator.doc,
        "category": indicator.category,
        "name_zh": indicator.name_zh,
        "name_en": indicator.name_en,
        "unit": indicator.unit,
        "kind": indicator.kind,
        "tags": list(indicator.tags),
        "note": indicator.note,
        "note_zh": indicator.note_zh,
        "status": status(indicator, today),
        "base": _figure_record(indicator.base),
        "target": _figure_record(indicator.target),
        "restated": [_figure_record(f) for f in indicator.restated],
        "reported": [_report_record(r, indicator) for r in indicator.reported],
    }


def _dump(data: object) -> None:
    print(json.dumps(data, ensure_ascii=False, indent=1))


def _short(figure: Figure | None, unit: str | None) -> str:
    if figure is None:
        return "—"
    shown = figure.text if unit is None or unit in figure.text else f"{figure.text} {unit}"
    return f"{figure.year}: {shown}"


def _indicators(args: argparse.Namespace) -> int:
    if args.doc is not None:
        load_corpus().document(args.doc)  # an unknown id is a CorpusError naming the ids
    chosen = load_register().select(args.corridor, args.doc, args.kind, args.year)
    if args.json:
        _dump([indicator_record(i) for i in chosen])
        return 0
    if not chosen:
        print("无指标 / no indicator matches")
        return 0
    for indicator in chosen:
        line = (
            f"{indicator.id:34} {_short(indicator.base, indicator.unit):16} → "
            f"{_short(indicator.target, indicator.unit):20} [{cli_word(status(indicator))}] "
            f"{indicator.name_zh}"
        )
        print(line)
        for report in indicator.reported:
            scope = "" if report.scope == indicator.scope else f" (scope {report.scope})"
            print(f"    reported {report.date} {report.text}{scope} · {report.source.doc}")
    return 0


def _timeline(args: argparse.Namespace) -> int:
    from corridor_map.analysis.timeline import timeline  # routing: only for this command
    from corridor_map.atlas.model import load_atlas

    entries = timeline(load_atlas(strict=True))
    if args.json:
        _dump([e.as_dict() for e in entries])
        return 0
    for entry in entries:
        when = entry.date or f"年份不详 year unknown ({entry.date_text or '—'})"
        print(
            f"{when:12} {entry.doc_id:28} features {len(entry.features):3} · indicators "
            f"{len(entry.indicators):3} · travel targets {len(entry.travel_targets):2} · "
            f"{entry.title}"
        )
    return 0
