"""``corridor-map sources``: write ``docs/sources/<layer>.md`` from the data.

The pages are generated (:mod:`corridor_map.curation.sourcedocs`) from the published layer
files, ``layers/source_notes.yaml`` and the curation store's history; ``--check`` says
which committed page differs from what the data gives, without writing.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from corridor_map.cli.commands import COMMANDS


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``sources`` to the corridor-map parser."""
    sources = subparsers.add_parser(
        "sources",
        help=COMMANDS["sources"].help,
        description="Write one Markdown page per curated layer from the data: the source "
        "notes, then every feature's geometry, basis, precision, supplier, figures, "
        "excerpts and recorded changes.",
    )
    sources.add_argument(
        "--out", type=Path, default=Path("docs/sources"), help="folder (default: docs/sources)"
    )
    sources.add_argument(
        "--check",
        action="store_true",
        help="write nothing; exit 1 naming each page that differs from the data's",
    )
    sources.set_defaults(handler=_sources)


def _sources(args: argparse.Namespace) -> int:
    from corridor_map.core.files import write_bytes_atomically
    from corridor_map.core.paths import data_root, layers_dir
    from corridor_map.core.settings import load_settings
    from corridor_map.curation.postgres import open_curation_store
    from corridor_map.curation.sourcedocs import render_pages
    from corridor_map.curation.store import CURATED_FILES, store_present

    settings = load_settings()
    changes = []
    if store_present(settings.db_url, data_root()):
        store = open_curation_store(settings.db_url, data_root())
        try:
            changes = store.history()
        finally:
            store.close()
    pages = render_pages(layers_dir(), CURATED_FILES, changes)
    out: Path = args.out
    if args.check:
        stale = [
            name
            for name, text in pages.items()
            if not (out / name).exists() or (out / name).read_text("utf-8") != text
        ]
        for name in stale:
            print(f"{out / name}: differs from the data (run corridor-map sources)")
        return 1 if stale else 0
    out.mkdir(parents=True, exist_ok=True)
    for name, text in pages.items():
        write_bytes_atomically(out / name, text.encode("utf-8"))
        print(out / name)
    return 0
