"""``deploydocs review BASE HEAD``: what a pull request changes in meaning, as Markdown for reviewers."""

from __future__ import annotations

import argparse
import sys

from .common import EXIT_OK, EXIT_PROBLEMS, UsageError, add_repository_options, settings_from


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "review",
        help="describe what changed in meaning between two git revisions; exit 1 when the records it changes "
        "have errors",
    )
    parser.add_argument("base", help="the base revision, e.g. origin/main")
    parser.add_argument("head", help="the head revision, e.g. HEAD")
    parser.add_argument("--output", default=None, help="append the Markdown to this file (e.g. $GITHUB_STEP_SUMMARY)")
    add_repository_options(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from deploydocs.core.review import ReviewError, review

    settings = settings_from(args)
    try:
        result = review(settings, args.base, args.head)
    except ReviewError as error:
        raise UsageError(f"git: {error}") from None
    markdown = result.markdown
    if args.output:
        with open(args.output, "a", encoding="utf-8") as stream:  # $GITHUB_STEP_SUMMARY is appended to
            stream.write(markdown)
    else:
        sys.stdout.write(markdown)
    # Errors of the records the pull request changes block it; those it inherits do not.
    return EXIT_PROBLEMS if result.blocking else EXIT_OK
