"""Views across records: a service's history, what runs where, known issues over time.

All of it is computed from the records in one pass per build (grouping once, then looking up), so the
cost stays linear in the number of records.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from deploydocs.core.evaluate import Evaluation
from deploydocs.core.model import Record
from deploydocs.core.project import Project
from deploydocs.core.rules import LIVE_STATUSES, rollback_target

_NUMBER = re.compile(r"\d+")


def version_key(version: str) -> tuple[Any, ...]:
    """Order versions as versions: 2.10.0 after 2.9.0, 2.0.0-rc.1 before 2.0.0."""
    core, _, prerelease = version.partition("-")
    numbers = tuple(int(part) if part.isdigit() else 0 for part in core.split("."))
    if not prerelease:
        return (numbers, 1, ())
    parts = tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in prerelease.split("."))
    return (numbers, 0, parts)


def history_key(record: Record) -> tuple[Any, ...]:
    """Chronological: by date; on the same day a rollback comes after what it reverses, then by
    version and attempt. Callers wanting newest first sort with reverse=True."""
    return (
        record.date or dt.date.min,
        record.type == "rollback",
        version_key(record.version),
        record.attempt,
        record.environment,
    )


@dataclass
class KnownIssue:
    """One known issue followed across a service's deployments."""

    id: str
    service: str
    issue: str
    impact: str
    workaround: str
    resolution: str
    opened: dt.date | None
    resolved: dt.date | None
    first_seen: Record
    last_seen: Record

    @property
    def is_open(self) -> bool:
        return self.resolved is None

    def age_days(self, as_of: dt.date) -> int | None:
        if self.opened is None:
            return None
        return ((self.resolved or as_of) - self.opened).days


@dataclass
class ServiceView:
    service_id: str
    history: list[Evaluation]  # newest first
    live: dict[str, Evaluation] = field(default_factory=dict)  # environment -> live deployment
    latest: dict[str, Evaluation] = field(default_factory=dict)  # environment -> newest record
    known_issues: list[KnownIssue] = field(default_factory=list)
    versions: dict[str, dict[str, Evaluation]] = field(default_factory=dict)  # version -> env -> latest


@dataclass
class Portfolio:
    project: Project
    services: dict[str, ServiceView]
    rollbacks: dict[str, Record]  # rollback record path -> target record
    rolled_back_by: dict[str, Record]  # target record path -> rollback record

    def service(self, service_id: str) -> ServiceView:
        return self.services.get(service_id) or ServiceView(service_id, [])

    @property
    def open_issues(self) -> list[KnownIssue]:
        impact_order = {"high": 0, "medium": 1, "low": 2}
        issues = [issue for view in self.services.values() for issue in view.known_issues if issue.is_open]
        return sorted(issues, key=lambda i: (impact_order.get(i.impact, 3), i.opened or dt.date.min, i.id))

    def recent(self, count: int = 10) -> list[Evaluation]:
        every = [e for view in self.services.values() for e in view.history]
        return sorted(every, key=lambda e: (history_key(e.record), e.record.service), reverse=True)[:count]


def _row_date(value: Any) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


def _known_issues(history_oldest_first: list[Evaluation]) -> list[KnownIssue]:
    issues: dict[str, KnownIssue] = {}
    for evaluation in history_oldest_first:
        record = evaluation.record
        for index, row in enumerate(record.tables.get("known_issues", [])):
            key = row.get("id") or f"{record.id}#{index + 1}"
            resolved = _row_date(row.get("resolved"))
            existing = issues.get(key)
            issues[key] = KnownIssue(
                id=str(key),
                service=record.service,
                issue=str(row.get("issue", "")),
                impact=str(row.get("impact", "")),
                workaround=str(row.get("workaround", "")),
                resolution=str(row.get("resolution", "")),
                opened=_row_date(row.get("opened")) or (existing.opened if existing else record.date),
                resolved=resolved,
                first_seen=existing.first_seen if existing else record,
                last_seen=record,
            )
    return sorted(issues.values(), key=lambda i: (i.is_open is False, i.opened or dt.date.min, i.id))


def build_portfolio(project: Project) -> Portfolio:
    grouped: dict[str, list[Evaluation]] = defaultdict(list)
    for record in project.records:
        evaluation = project.evaluations.get(record.path)
        if evaluation is not None:
            grouped[record.service].append(evaluation)
    services: dict[str, ServiceView] = {}
    for service_id in sorted(grouped):
        oldest_first = sorted(grouped[service_id], key=lambda e: history_key(e.record))
        view = ServiceView(service_id, list(reversed(oldest_first)), known_issues=_known_issues(oldest_first))
        for evaluation in oldest_first:
            record = evaluation.record
            view.versions.setdefault(record.version, {})[record.environment] = evaluation
            view.latest[record.environment] = evaluation
            if record.status in LIVE_STATUSES:
                view.live[record.environment] = evaluation
            elif record.status == "rolled-back" and view.live.get(record.environment) is evaluation:
                view.live.pop(record.environment)
        view.versions = dict(sorted(view.versions.items(), key=lambda kv: version_key(kv[0]), reverse=True))
        services[service_id] = view
    rollbacks: dict[str, Record] = {}
    rolled_back_by: dict[str, Record] = {}
    for record in project.records:
        if record.type == "rollback" and record.rolls_back:
            target = rollback_target(record, project.records)
            if target is not None:
                rollbacks[record.path] = target
                rolled_back_by[target.path] = record
    return Portfolio(project, services, rollbacks, rolled_back_by)
