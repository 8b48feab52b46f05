"""``deploydocs review BASE HEAD``: what a pull request changes in meaning, as Markdown for reviewers
or as JSON for programs (``--format json``, shaped by schemas/review.schema.json); with ``--reviews``,
whether every sign-off it adds or renews is approved there."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .common import EXIT_OK, EXIT_PROBLEMS, UsageError, add_repository_options, settings_from
from .reporters import REPORTERS


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "review",
        help="describe what changed in meaning between two git revisions; exit 1 when the records it changes "
        "have errors",
    )
    parser.add_argument("base", help="the base revision, e.g. origin/main")
    parser.add_argument("head", help="the head revision, e.g. HEAD")
    parser.add_argument(
        "--format",
        choices=("markdown", "json"),
        default="markdown",
        help="markdown (default, for reviewers) or json (schemas/review.schema.json)",
    )
    parser.add_argument("--output", default=None, help="append the output to this file (e.g. $GITHUB_STEP_SUMMARY)")
    parser.add_argument(
        "--reviews",
        default=None,
        metavar="FILE",
        help="the pull request's reviews as GitHub's REST API lists them "
        "(gh api --paginate repos/OWNER/REPO/pulls/N/reviews); exit 1 unless every sign-off added or renewed "
        "is approved by its signer on matching content",
    )
    parser.add_argument(
        "--author", default="", help="the pull request author's login (their own deploying-engineer sign-off)"
    )
    parser.add_argument(
        "--annotations",
        action="store_true",
        help="print unapproved sign-offs as GitHub workflow commands (on the diff) instead of text",
    )
    add_repository_options(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from deploydocs.core.review import ReviewError, markdown, review_revisions, to_json

    settings = settings_from(args)
    hook = None
    found: list = []
    if args.reviews:
        from deploydocs.core import approvals

        try:
            reviews = approvals.parse_reviews(Path(args.reviews).read_text(encoding="utf-8"), args.reviews)
        except approvals.ReviewsError as error:
            raise UsageError(str(error)) from None

        def hook(base, head) -> str:  # noqa: ANN001 - core.project.Project, imported lazily
            if head.policy is None:
                return "### Sign-off approvals\n\nThe policy does not load: see the problems above.\n"
            domains = {s.id: s.domain for s in head.registry.services.values()} if head.registry else {}
            # Who may approve is the base's people.yaml: a pull request cannot approve itself by
            # adding a login or a role (that change takes effect once merged). Only where the base
            # has no people yet (the file is being introduced) does the head's count.
            people = base.people if base.people is not None and base.people.people else head.people
            checked = approvals.check_approvals(
                base.evaluations,
                head.evaluations,
                reviews,
                people,
                head.policy,
                head.catalog,
                settings.root,
                domains,
                args.author,
            )
            found.extend(approvals.problems(checked))
            changed = [
                path
                for path, evaluation in head.evaluations.items()
                if path not in base.evaluations
                or base.evaluations[path].record.document.data != evaluation.record.document.data
            ]
            return approvals.approvals_markdown(checked, head.evaluations, people, head.policy, domains, changed)

    try:
        result = review_revisions(settings, args.base, args.head, hook)
    except ReviewError as error:
        raise UsageError(f"git: {error}") from None
    text = to_json(result) if args.format == "json" else markdown(result)
    if args.output:
        with open(args.output, "a", encoding="utf-8") as stream:  # $GITHUB_STEP_SUMMARY is appended to
            stream.write(text)
    else:
        sys.stdout.write(text)
    if found:
        if args.annotations:
            sys.stdout.write(REPORTERS["github"](found, len(found)).rsplit("\n", 2)[0] + "\n")
        for problem in found:
            print(problem.format(), file=sys.stderr)
        print(f"deploydocs: {len(found)} sign-off(s) not approved in this pull request", file=sys.stderr)
    # Errors of the records the pull request changes block it, and unapproved sign-offs; the errors it
    # inherits from records it does not change are shown, never blocking.
    return EXIT_PROBLEMS if found or result.blocks else EXIT_OK
