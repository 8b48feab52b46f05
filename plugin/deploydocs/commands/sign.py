"""``deploydocs sign``: add a sign-off bound to the content its role covers."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from deploydocs.core.catalog import load_catalog
from deploydocs.core.formats import is_web_link
from deploydocs.core.problems import Severity
from deploydocs.core.project import load_project
from deploydocs.core.suggest import closest

from .common import EXIT_OK, EXIT_PROBLEMS, UsageError, add_repository_options, parse_date, require_setup, settings_from
from .reporters import REPORTERS


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("sign", help="add a sign-off that becomes stale when what it covers changes")
    parser.add_argument("record", help="the record file to sign")
    parser.add_argument("--role", required=True, help="deploying-engineer, security-reviewer, ...")
    parser.add_argument("--name", required=True, help="who signs")
    parser.add_argument("--date", type=parse_date, default=None, help="default: today (or --as-of)")
    parser.add_argument("--review", default="", help="link to the pull-request review that approved it")
    add_repository_options(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from deploydocs.core.signing import sign_record  # ruamel.yaml's round-trip writer: only for this command

    settings = settings_from(args)
    require_setup(settings)
    path = Path(args.record).resolve()
    if not path.is_file():
        raise UsageError(f"{args.record}: no such file")
    try:
        display = path.relative_to(settings.root).as_posix()
    except ValueError:
        raise UsageError(f"{args.record} is outside the repository root {settings.root}") from None
    catalog = load_catalog()
    roles = [term.key for term in catalog.signoff_roles]
    if args.role not in roles:
        guess = closest(args.role, roles)
        hint = f"; did you mean `--role {guess}`?" if guess else ""
        raise UsageError(f"--role `{args.role}` is not one of {', '.join(roles)}{hint}")
    if args.review and not is_web_link(args.review):
        raise UsageError(f"--review `{args.review}` is not a link: give the http(s) address of the approving review")
    project = load_project(settings)
    record = next((r for r in project.records if r.path == display), None)
    blocking = [
        p
        for p in project.problems
        if p.file == display and p.severity is Severity.ERROR and p.rule not in ("signoff-stale", "signoff-missing")
    ]
    if record is None or blocking or project.policy is None:
        sys.stdout.write(REPORTERS["text"](blocking or [p for p in project.problems if p.file == display], 1))
        print(f"deploydocs: not signed: fix the problems of {display} first", file=sys.stderr)
        return EXIT_PROBLEMS
    date = args.date or project.as_of
    value = sign_record(path, args.role, args.name, date, project.policy, catalog, record.document.data, args.review)
    print(f"signed {display} as {args.role} ({args.name}, {date}); fingerprint {value}")
    return EXIT_OK
