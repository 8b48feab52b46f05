"""``deploydocs new``: write a scaffolded record where it belongs, carrying over what the service's
latest record already knows (support team, escalation matrix, open known issues)."""

from __future__ import annotations

import argparse
import datetime as dt
import re
import sys
from pathlib import Path
from typing import Any

from deploydocs.core.catalog import load_catalog
from deploydocs.core.model import Record
from deploydocs.core.problems import Severity
from deploydocs.core.project import Settings, check_text, load_project, resolve_as_of
from deploydocs.core.rules import UNASSIGNED
from deploydocs.core.scaffold import ScaffoldRequest, scaffold
from deploydocs.core.schema import SEMVER
from deploydocs.core.suggest import closest, normalized

from .common import EXIT_OK, UsageError, add_repository_options, parse_date, require_setup, settings_from


def _latest(records: list[Record], service: str) -> Record | None:
    from deploydocs.site.portfolio import history_key

    return max((r for r in records if r.service == service), key=history_key, default=None)


def carried_sections(latest: Record | None) -> dict[str, Any]:
    if latest is None:
        return {}
    open_issues = [row for row in latest.tables.get("known_issues", []) if not row.get("resolved")]
    return {
        "support_team": latest.fields.get("support_team", {}),
        "escalation_matrix": latest.tables.get("escalation_matrix", []),
        "known_issues": open_issues,
    }


def create_record(settings: Settings, args: argparse.Namespace) -> Path:
    catalog = load_catalog()
    project = load_project(settings)
    if project.registry is None:
        raise UsageError(f"the services registry {settings.registry} has problems; run `deploydocs check`")
    if project.registry.get(args.service) is None:
        canonical = project.registry.canonical(args.service) or closest(args.service, list(project.registry.services))
        hint = f" (did you mean `--service {canonical}`?)" if canonical else ""
        raise UsageError(f"service `{args.service}` is not in {settings.registry}{hint}")
    environments = [term.key for term in catalog.environments]
    aliases = {alias: term.key for term in catalog.environments for alias in term.aliases}
    environment = aliases.get(args.environment, args.environment)
    if environment not in environments:
        raise UsageError(_unknown("--environment", args.environment, environments, aliases))
    types = [term.key for term in catalog.deployment_types]
    if args.type not in types:
        raise UsageError(_unknown("--type", args.type, types))
    if not re.fullmatch(SEMVER, args.version):
        raise UsageError(f"--version `{args.version}` is not a semantic version such as 2.3.0")
    if not args.deployed_by:
        raise UsageError("--deployed-by is required (git config user.name is not set)")
    if args.type == "rollback" and not args.rolls_back:
        raise UsageError("a rollback needs --rolls-back DEPLOY-<SERVICE>-<VERSION>")
    taken = {r.key for r in project.records}
    attempt = args.attempt
    if (args.service, environment, args.version, attempt) in taken and not args.force:
        following = attempt + 1
        while (args.service, environment, args.version, following) in taken:
            following += 1
        raise UsageError(
            f"{args.service} {args.version} in {environment} already has a record (attempt {attempt}); "
            f"for another deployment of the same version add `--attempt {following}`, or `--force` to overwrite"
        )
    request = ScaffoldRequest(
        service=args.service,
        version=args.version,
        environment=environment,
        type=args.type,
        date=args.date or resolve_as_of(settings.as_of) or dt.date.today(),
        deployed_by=(args.deployed_by, args.deployed_by_role),
        reviewed_by=(args.reviewed_by or UNASSIGNED, args.reviewed_by_role),
        changes=args.changes,
        rolls_back=args.rolls_back,
        attempt=attempt,
        carried=carried_sections(_latest(project.records, args.service)),
    )
    suffix = "" if attempt == 1 else f"-attempt-{attempt}"
    path = settings.root / settings.records_dir / args.service / f"{args.version}-{environment}{suffix}.yaml"
    if path.exists() and not args.force:
        raise UsageError(f"{path.relative_to(settings.root).as_posix()} exists; use --force to overwrite it")
    text = scaffold(request, catalog)
    # By construction: the new text goes through the same pipeline as `check` before it is written,
    # so whatever the arguments, `new` never writes a file that check rejects.
    display = path.relative_to(settings.root).as_posix()
    problems = check_text(project, display, text)
    errors = [p for p in problems if p.severity is Severity.ERROR]
    if errors:
        listed = "\n".join(f"  {p.format()}" for p in errors)
        raise UsageError(f"not written: with these arguments {display} would not pass `deploydocs check`:\n{listed}")
    for warning in problems:
        print(f"deploydocs: warning: {warning.format()}", file=sys.stderr)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def _unknown(option: str, value: str, choices: list[str], aliases: dict[str, str] | None = None) -> str:
    """``--environment PRODUCTION``: what is wrong, and the word it most likely means."""
    guess = None
    if aliases:
        guess = {normalized(alias): key for alias, key in aliases.items()}.get(normalized(value))
    guess = guess or closest(value, choices)
    hint = f"; did you mean `{option} {guess}`?" if guess else ""
    return f"{option} `{value}` is not one of {', '.join(choices)}{hint}"


def _attempt(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"`{text}` is not an attempt: write 1 (the default), 2, 3, ...")
    return value


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("new", help="scaffold a record with every item pending")
    parser.add_argument("--service", required=True)
    parser.add_argument("--version", required=True)
    parser.add_argument("--environment", required=True)
    parser.add_argument("--type", required=True)
    parser.add_argument("--date", type=parse_date, default=None, help="deployment date (default: today)")
    # Default resolved by `new` itself: asking git here would slow every other command's start.
    parser.add_argument(
        "--deployed-by", default=None, help="name of the deploying engineer (default: git config user.name)"
    )
    parser.add_argument("--deployed-by-role", default="Deploying Engineer")
    parser.add_argument("--reviewed-by", default=None, help="name of the reviewer")
    parser.add_argument("--reviewed-by-role", default="Tech Lead")
    parser.add_argument("--changes", default="", help="one line on what this version changes")
    parser.add_argument("--rolls-back", default="", help="for a rollback: the id of the deployment it reverses")
    parser.add_argument("--attempt", type=_attempt, default=1, help="2, 3, ... for a repeat of the same version")
    parser.add_argument("--force", action="store_true", help="overwrite an existing file")
    add_repository_options(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    settings = settings_from(args)
    require_setup(settings, records=False)
    if args.deployed_by is None:
        args.deployed_by = _git_user() or None
    path = create_record(settings, args)
    print(f"created {path.relative_to(settings.root).as_posix()}")
    return EXIT_OK


def _git_user() -> str:
    import subprocess  # only `new` asks git: every other command starts without it

    try:
        result = subprocess.run(["git", "config", "user.name"], capture_output=True, text=True, check=False)
    except OSError:
        return ""
    return result.stdout.strip()
