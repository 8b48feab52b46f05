"""Identity: a record names a known service, its id and file name follow from service, version and
environment, and no two records claim the same deployment."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterator, Sequence

from deploydocs.core.evaluate import Evaluation
from deploydocs.core.model import Record, RecordHead
from deploydocs.core.problems import Problem, Severity
from deploydocs.core.schema import SEMVER

from .base import Context, RuleInfo, define, problem

RULES = define(
    {
        "id-mismatch": RuleInfo(
            "The id is DEPLOY-<SERVICE>-<VERSION> of the record's service and version.",
            "id: DEPLOY-IDENTITY-SERVICE-2.2.0  # version: 2.3.0",
        ),
        "unknown-service": RuleInfo(
            "The service is in records/services.yaml (by its canonical id).", "service: user-profile-service"
        ),
        "service-not-active": RuleInfo(
            "Deploying a service the registry marks future or retired is flagged.",
            "service: physical-security-service",
            Severity.WARNING,
        ),
        "file-name-mismatch": RuleInfo(
            "A record lives at records/<service>/<version>-<environment>.yaml.", "records/identity/prod.yaml"
        ),
        "duplicate-record": RuleInfo(
            "One record per service, environment, version and attempt.",
            "# two files for identity-service 2.3.0 production",
        ),
    }
)


def expected_id(service: str, version: str) -> str:
    return f"DEPLOY-{service.upper()}-{version.upper()}"


def identity(record: Record, evaluation: Evaluation, context: Context) -> Iterator[Problem]:
    service = context.registry.get(record.service) if record.service else None
    if record.service and service is None:
        canonical = context.registry.canonical(record.service)
        closest = difflib.get_close_matches(record.service, list(context.registry.services), n=1)
        fix = (
            f"`{record.service}` is an alias: write `service: {canonical}`"
            if canonical
            else f"did you mean `{closest[0]}`?"
            if closest
            else f"add it to {context.registry.path} first"
        )
        yield problem(
            record,
            record.position("service"),
            "unknown-service",
            f"service `{record.service}` is not in {context.registry.path}",
            fix,
        )
    elif service is not None and service.status != "active":
        yield problem(
            record,
            record.position("service"),
            "service-not-active",
            f"service `{record.service}` is marked `{service.status}` in {context.registry.path}",
            "set its status to active in the registry when it goes live",
        )
    # Id and file name derive from service, version and environment: only advise on them once those
    # are valid, or the advice would repeat (or contradict) the problem already reported.
    version_ok = bool(re.fullmatch(SEMVER, record.version))
    if service is not None and version_ok and record.id:
        wanted = expected_id(record.service, record.version)
        if record.id != wanted:
            yield problem(
                record,
                record.position("id"),
                "id-mismatch",
                f"id `{record.id}` does not match service `{record.service}` and version `{record.version}`",
                f"write `id: {wanted}`",
            )
    environment_ok = context.catalog.term("environments", record.environment) is not None
    parts = record.path.replace("\\", "/").split("/")
    if service is not None and version_ok and environment_ok and len(parts) >= 2:
        wanted = f"{record.service}/{record.expected_file_name}"
        if "/".join(parts[-2:]) != wanted:
            yield problem(
                record,
                (1, 1),
                "file-name-mismatch",
                f"the record for {record.service} {record.version} in {record.environment} is stored as "
                f"`{'/'.join(parts[-2:])}`",
                f"move it to records/{wanted}",
            )


def duplicates(heads: Sequence[RecordHead]) -> Iterator[Problem]:
    """Two records of the same service, environment, version and attempt (file order decides the first)."""
    by_key: dict[tuple[str, str, str, int], RecordHead] = {}
    for head in heads:
        if not (head.service and head.environment and head.version):
            continue
        if head.key in by_key:
            first = by_key[head.key]
            yield problem(
                head,
                head.position("version"),
                "duplicate-record",
                f"{first.path} already records {head.service} {head.version} in {head.environment}",
                "a second deployment of the same version needs `attempt: 2`",
            )
        by_key.setdefault(head.key, head)
