"""The ``corridor-map`` command line.

Each domain registers its own subcommands from its module under :mod:`corridor_map.cli`
(listed in :mod:`corridor_map.cli.commands`); this file imports only the one that runs and
turns :class:`~corridor_map.core.errors.CorridorMapError` into a message on stderr and exit
status 2. Every subcommand that reads the layers loads them strictly
(``load_atlas(strict=True)``) and passes them on: invalid layers stop it with the problem list.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence

from corridor_map import __version__
from corridor_map.cli.commands import COMMANDS
from corridor_map.core.errors import CorridorMapError


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """Build the parser: the full subcommand of ``command``, the others by name and help.

    Parameters
    ----------
    command : str, optional
        The subcommand about to run. Only its module is imported (it registers its
        commands with their options); without one (``--help``, a typo) every command is
        listed from :data:`~corridor_map.cli.commands.COMMANDS` and nothing is imported.
    """
    parser = argparse.ArgumentParser(
        prog="corridor-map",
        description="Zhejiang S&T innovation corridors: documents, layers, measures, travel.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    if command in COMMANDS:
        module = importlib.import_module(f"corridor_map.cli.{COMMANDS[command].module}")
        module.register(subparsers)
    else:
        for name, entry in COMMANDS.items():
            subparsers.add_parser(name, help=entry.help)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line and return its exit status."""
    arguments = list(sys.argv[1:] if argv is None else argv)
    # Top-level options take no value, so the first plain word is the subcommand.
    command = next((a for a in arguments if not a.startswith("-")), None)
    args = build_parser(command).parse_args(arguments)
    try:
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
