"""``deploydocs export --markdown DIR``: the site's pages as plain Markdown, for another generator."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from deploydocs.core.project import load_project

from .common import EXIT_OK, EXIT_PROBLEMS, add_repository_options, require_setup, settings_from
from .reporters import REPORTERS


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("export", help="write the site's pages as plain Markdown files")
    parser.add_argument("--markdown", required=True, metavar="DIR")
    add_repository_options(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from deploydocs.site.export import export_markdown  # Jinja and markdown-it: only for this command

    settings = settings_from(args)
    require_setup(settings)
    project = load_project(settings)
    if project.errors:
        sys.stdout.write(REPORTERS["text"](project.problems, project.files_checked))
        return EXIT_PROBLEMS
    count = export_markdown(project, Path(args.markdown))
    print(f"wrote {count} page(s) to {args.markdown}")
    return EXIT_OK
