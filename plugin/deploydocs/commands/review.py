"""``deploydocs review BASE HEAD``: what a pull request changes in meaning, as Markdown for reviewers
or as JSON for programs (``--format json``, shaped by schemas/review.schema.json)."""

from __future__ import annotations

import argparse
import sys

from .common import EXIT_OK, UsageError, add_repository_options, settings_from


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("review", help="describe what changed in meaning between two git revisions")
    parser.add_argument("base", help="the base revision, e.g. origin/main")
    parser.add_argument("head", help="the head revision, e.g. HEAD")
    parser.add_argument(
        "--format",
        choices=("markdown", "json"),
        default="markdown",
        help="markdown (default, for reviewers) or json (schemas/review.schema.json)",
    )
    parser.add_argument("--output", default=None, help="append the output to this file (e.g. $GITHUB_STEP_SUMMARY)")
    add_repository_options(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from deploydocs.core.review import ReviewError, markdown, review_revisions, to_json

    settings = settings_from(args)
    try:
        result = review_revisions(settings, args.base, args.head)
    except ReviewError as error:
        raise UsageError(f"git: {error}") from None
    text = to_json(result) if args.format == "json" else markdown(result)
    if args.output:
        with open(args.output, "a", encoding="utf-8") as stream:  # $GITHUB_STEP_SUMMARY is appended to
            stream.write(text)
    else:
        sys.stdout.write(text)
    return EXIT_OK
