"""The ``corridor-map`` command line.

Each domain registers its own subcommands from a private ``_cli_*`` module, so this file
only wires them together and turns :class:`~corridor_map.core.errors.CorridorMapError` into a
message on stderr and exit status 2. Every subcommand runs under
:func:`corridor_map.atlas.model.strict_loading`: invalid layers stop it with the problem list.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from corridor_map import __version__
from corridor_map.core.errors import CorridorMapError


def build_parser() -> argparse.ArgumentParser:
    """Build the argument parser with every domain's subcommands registered."""
    from corridor_map.cli import (
        atlas as _cli_atlas,
    )
    from corridor_map.cli import (
        curation as _cli_curation,
    )
    from corridor_map.cli import (
        documents as _cli_corpus,
    )
    from corridor_map.cli import (
        indicators as _cli_indicators,
    )
    from corridor_map.cli import (
        outputs as _cli_export,
    )
    from corridor_map.cli import (
        travel as _cli_travel,
    )

    parser = argparse.ArgumentParser(
        prog="corridor-map",
        description="Zhejiang S&T innovation corridors: documents, layers, measures, travel.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for module in (
        _cli_corpus,
        _cli_atlas,
        _cli_travel,
        _cli_indicators,
        _cli_export,
        _cli_curation,
    ):
        module.register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line and return its exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    from corridor_map.atlas.model import strict_loading

    try:
        with strict_loading():
            return int(args.handler(args) or 0)
    except CorridorMapError as exc:
        print(f"corridor-map: error: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        # The reader (e.g. `| head`) went away; stop quietly, like other Unix tools.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 141


if __name__ == "__main__":
    sys.exit(main())
