"""``deploydocs export --markdown DIR``: the site's pages as plain Markdown, for another generator."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from deploydocs.core.project import load_project

from .common import EXIT_OK, EXIT_PROBLEMS, UsageError, add_repository_options, require_setup, settings_from
from .reporters import REPORTERS


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("export", help="write the site's pages as plain Markdown files")
    parser.add_argument("--markdown", required=True, metavar="DIR")
    add_repository_options(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from deploydocs.site.export import ExportError, check_destination, export_markdown  # Jinja: only here

    settings = settings_from(args)
    require_setup(settings)
    try:
        check_destination(settings, Path(args.markdown))  # refused before any record is loaded
    except ExportError as error:
        raise UsageError(f"export: {error}") from None
    project = load_project(settings)
    if project.errors:
        sys.stdout.write(REPORTERS["text"](project.problems, project.files_checked))
        return EXIT_PROBLEMS
    try:
        count = export_markdown(project, Path(args.markdown))
    except ExportError as error:
        raise UsageError(f"export: {error}") from None
    print(f"wrote {count} page(s) to {args.markdown}")
    return EXIT_OK
