"""``corridor-map docs link DOC|FILE``: propose links between a document and the atlas.

Registered under the ``docs`` group by :mod:`corridor_map.cli.documents`. Heavy modules
(the atlas, the linker) are imported inside the handler so ``corridor-map --help`` stays
fast.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from corridor_map.analysis.link_results import LinkResult


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``link`` to the ``docs`` group's subcommands."""
    link = subparsers.add_parser(
        "link",
        help="提议关联 / propose links between a document and the atlas's places",
        description=(
            "Find the places a document names: each mention of a curated feature with its "
            "paragraph, verbatim span, confidence and reason, and the command that accepts "
            "it (corridor-map edit link …). Names of places the atlas does not hold are "
            "listed as candidates; nothing is written."
        ),
    )
    link.add_argument(
        "document",
        metavar="DOC|FILE",
        help="a document id (e.g. wenling-14th-fyp) or a UTF-8 text file, one paragraph a line",
    )
    link.add_argument(
        "--doc-id",
        default=None,
        help="id to give a text file's proposals (default: the file name without suffix)",
    )
    link.add_argument(
        "--min-confidence",
        type=float,
        default=0.0,
        metavar="X",
        help="show only proposals of at least this confidence (0–1)",
    )
    link.add_argument("--json", action="store_true", help="print JSON")
    link.set_defaults(handler=_link)


def _link(args: argparse.Namespace) -> int:
    from corridor_map.analysis.link_results import LinkInput, text_input
    from corridor_map.analysis.linker import Linker
    from corridor_map.atlas.aliases import load_aliases
    from corridor_map.atlas.model import load_atlas
    from corridor_map.core.errors import CorridorMapError
    from corridor_map.documents.corpus import Document, load_corpus

    corpus = load_corpus()
    path = Path(args.document)
    source: Document | LinkInput
    if args.document in corpus.documents:
        source = corpus.document(args.document)
    elif path.is_file():
        try:
            text = path.read_text("utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise CorridorMapError(f"{path}: cannot read as UTF-8 text ({exc})") from None
        source = text_input(text, args.doc_id or path.stem, path.name)
    else:
        known = ", ".join(corpus.documents)
        raise CorridorMapError(
            f"{args.document!r} is neither a document id ({known}) nor a file · "
            "既不是文件编号也不是文件"
        )
    linker = Linker(load_atlas(), load_aliases())
    result = linker.link(source)
    result.proposals = [p for p in result.proposals if p.confidence >= args.min_confidence]
    if args.json:
        print(json.dumps(result.as_dict(), ensure_ascii=False, indent=1))
        return 0
    _print(result)
    return 0


def _print(result: LinkResult) -> None:
    corridors = ", ".join(result.corridors) or "—"
    print(f"《{result.title}》 {result.doc_id} · 走廊 corridors: {corridors}")
    print(f"提议 {len(result.proposals)} proposal(s)")
    for p in result.proposals:
        print(
            f"{p.paragraph_id} [{p.start}:{p.end}] 【{p.span}】 → {p.feature_id} "
            f"{p.feature_name} · {p.confidence:.2f} · {p.why}"
        )
        print(f"    {p.command}")
    if not result.in_corpus:
        print(
            "注：该文本尚未收入文库；先添加（docs add）并使用相同编号后再执行上述命令。"
            " Note: this text is not in the corpus; add it (docs add) under the same id "
            "before running the commands above."
        )
    if result.ignored:
        print(f"未提议 {len(result.ignored)} ignored")
        for i in result.ignored:
            ids = ", ".join(i.features)
            print(f"{i.paragraph_id} [{i.start}:{i.end}] 【{i.span}】 {ids}: {i.why}")
    if result.new_places:
        print(
            "图集中没有的地名（候选，未创建） new-place candidates (not in the atlas, not created)"
        )
        seen: set[str] = set()
        for n in result.new_places:
            if n.text not in seen:
                seen.add(n.text)
                print(f"{n.paragraph_id} [{n.start}:{n.end}] {n.text} ({n.kind})")
