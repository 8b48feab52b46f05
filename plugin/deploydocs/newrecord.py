"""``deploydocs new``: write a scaffolded record where it belongs, carrying over what the service's
latest record already knows (support team, escalation matrix, open known issues)."""

from __future__ import annotations

import argparse
import datetime as dt
import re
from pathlib import Path
from typing import Any

from .catalog import load_catalog
from .model import Record
from .project import Settings, load_project, resolve_as_of
from .rules import UNASSIGNED
from .scaffold import ScaffoldRequest, scaffold
from .schema import SEMVER


class NewRecordError(Exception):
    pass


def _latest(records: list[Record], service: str) -> Record | None:
    from .portfolio import history_key

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
    from .cli import UsageError

    catalog = load_catalog()
    project = load_project(settings)
    if project.registry is None:
        raise UsageError(f"the services registry {settings.registry} has problems; run `deploydocs check`")
    if project.registry.get(args.service) is None:
        canonical = project.registry.canonical(args.service)
        hint = f" (did you mean {canonical}?)" if canonical else ""
        raise UsageError(f"service `{args.service}` is not in {settings.registry}{hint}")
    environments = {term.key for term in catalog.environments}
    aliases = {alias: term.key for term in catalog.environments for alias in term.aliases}
    environment = aliases.get(args.environment, args.environment)
    if environment not in environments:
        raise UsageError(f"--environment must be one of {', '.join(sorted(environments))}")
    if args.type not in {term.key for term in catalog.deployment_types}:
        raise UsageError(f"--type must be one of {', '.join(t.key for t in catalog.deployment_types)}")
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
            f"for another deployment of the same version use --attempt {following}, or --force to overwrite"
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
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(scaffold(request, catalog), encoding="utf-8")
    return path
