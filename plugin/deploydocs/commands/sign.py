"""``deploydocs sign``: add a sign-off bound to the content its role covers and to who gives it.

The name and the GitHub login come from people.yaml (``--name`` or ``--github`` finds the person);
the command refuses, exit 1 with one line saying why, to write a sign-off that would break a rule.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from deploydocs.core.catalog import load_catalog
from deploydocs.core.formats import is_web_link
from deploydocs.core.model import Record, Signoff
from deploydocs.core.problems import Severity
from deploydocs.core.project import load_project
from deploydocs.core.suggest import closest

from .common import EXIT_OK, EXIT_PROBLEMS, UsageError, add_repository_options, parse_date, require_setup, settings_from
from .reporters import REPORTERS


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("sign", help="add a sign-off that becomes stale when what it covers changes")
    parser.add_argument("record", help="the record file to sign")
    parser.add_argument("--role", required=True, help="deploying-engineer, security-reviewer, ...")
    who = parser.add_mutually_exclusive_group(required=True)
    who.add_argument("--name", help="who signs, as records/people.yaml names them")
    who.add_argument("--github", help="who signs, by GitHub login (as in records/people.yaml)")
    parser.add_argument("--date", type=parse_date, default=None, help="default: today (or --as-of)")
    parser.add_argument("--review", default="", help="link to the pull-request review that approved it")
    add_repository_options(parser)
    parser.set_defaults(run=run)


def _lines_of_entry(record: Record, role: str) -> range:
    """The lines of the record's sign-off entry for ``role`` (empty when there is none)."""
    entry = next((s for s in record.signoffs if s.role == role), None)
    if entry is None:
        return range(0)
    start = record.position("signoffs", entry.index)[0]
    if entry.index + 1 < len(record.signoffs):
        return range(start, record.position("signoffs", entry.index + 1)[0])
    return range(start, start + 6)  # the last entry: a block-style one spans at most its six keys


def _refuse(reason: str) -> int:
    print(f"deploydocs: not signed: {reason}", file=sys.stderr)
    return EXIT_PROBLEMS


def run(args: argparse.Namespace) -> int:
    from deploydocs.core.rules import Context
    from deploydocs.core.rules.signoffs import SIGNOFF_STANDING, new_signoff_problems
    from deploydocs.core.signing import SignError, sign_record  # the sign-off writer: only for this command

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
    # What signing settles never keeps anyone from signing: missing, stale or unbound sign-offs, and
    # whatever is wrong with the sign-off this one replaces.
    replaced = _lines_of_entry(record, args.role) if record is not None else range(0)
    # A malformed fingerprint (one from an older version) is renewed by signing, as a stale one.
    bindings = {record.position("signoffs", s.index, "fingerprint") for s in record.signoffs} if record else set()
    blocking = [
        p
        for p in project.problems
        if p.file == display
        and p.severity is Severity.ERROR
        and p.rule not in SIGNOFF_STANDING
        and p.line not in replaced
        and (p.line, p.column) not in bindings
    ]
    if record is None or blocking or project.policy is None or project.registry is None:
        shown = blocking or [p for p in project.problems if p.file == display]
        sys.stdout.write(REPORTERS["text"](shown, 1))
        first = f"; first: {shown[0].format()}" if shown else ""
        return _refuse(f"{display} has {len(shown)} error(s): fix them first{first}")
    people = project.people
    if people is None:
        setup = [p for p in project.problems if p.file == settings.people]
        return _refuse(f"{settings.people} does not load: {setup[0].format() if setup else 'fix it first'}")
    person = people.by_name(args.name) if args.name else people.by_login(args.github)
    if person is None:
        given = args.name if args.name else f"GitHub login {args.github}"
        return _refuse(f"{given} is not in {people.path}; add them there with their login and roles")
    date = args.date or project.as_of
    signoff = Signoff(
        index=next((s.index for s in record.signoffs if s.role == args.role), len(record.signoffs)),
        role=args.role,
        name=person.name,
        date=date,
        review=args.review,
        fingerprint="pending",  # written below; only its presence matters to the rules
        github=person.github,
    )
    context = Context(
        catalog=catalog, policy=project.policy, registry=project.registry, as_of=project.as_of, people=people
    )
    refused = new_signoff_problems(record, context, signoff)
    if refused:
        first = refused[0]
        return _refuse(f"[{first.rule}] {first.message}" + (f" ({first.fix})" if first.fix else ""))
    try:
        value = sign_record(
            path,
            args.role,
            person.name,
            date,
            project.policy,
            catalog,
            record.document.data,
            args.review,
            github=person.github,
        )
    except SignError as error:
        return _refuse(f"{display}: {error}")
    print(f"signed {display} as {args.role} ({person.name}, @{person.github}, {date}); fingerprint {value}")
    return EXIT_OK
