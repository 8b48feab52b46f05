"""The ``deploydocs`` command: the same core and rules as the MkDocs plugin, without building a site.

Each subcommand is one module of this package with ``register`` (its options) and ``run``; they import
what only they need inside ``run``, so `deploydocs check` starts without Jinja, git or ruamel's writer.
Exit codes: 0 no errors (warnings allowed), 1 problems found, 2 usage or I/O error.
"""

from __future__ import annotations

import argparse
import sys

from deploydocs import __version__
from deploydocs.core.problems import printable

from . import check, codeowners, export, new, review, schema, sign
from .common import EXIT_USAGE, UsageError

COMMANDS = (check, new, sign, review, codeowners, schema, export)  # in the order `--help` lists them


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="deploydocs",
        description="SmartEdify deployment records: check, scaffold, export.",
    )
    parser.add_argument("--version", action="version", version=f"deploydocs {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)
    for command in COMMANDS:
        command.register(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
        return args.run(args)
    except UsageError as error:  # may name a file or a value: escaped like every problem line
        print(f"deploydocs: error: {printable(str(error))}", file=sys.stderr)
        return EXIT_USAGE
    except OSError as error:
        print(f"deploydocs: error: {printable(str(error))}", file=sys.stderr)
        return EXIT_USAGE
    except SystemExit as exit_:  # argparse: exit 2 on usage errors already
        return int(exit_.code or 0)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
