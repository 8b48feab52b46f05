"""Rollbacks: a rollback names the deployment it reverses, of the same service and environment, earlier."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from deploydocs.core.model import Record, RecordHead
from deploydocs.core.problems import Problem

from .base import RuleInfo, define, problem

RULES = define(
    {
        "rollback-target": RuleInfo(
            "A rollback names the deployment it reverses: it exists, same service and environment, earlier.",
            "type: rollback  # no rolls_back",
        ),
    }
)


def rollback_problems(head: RecordHead, by_id: dict[str, list[RecordHead]]) -> Iterator[Problem]:
    if head.type != "rollback":
        if head.rolls_back:
            yield problem(
                head,
                head.position("rolls_back"),
                "rollback-target",
                f"`rolls_back` is set but the type is `{head.type}`",
                "set `type: rollback` or remove rolls_back",
            )
        return
    if not head.rolls_back:
        yield problem(
            head,
            head.position("type"),
            "rollback-target",
            "a rollback does not say what it reverses",
            "add `rolls_back: DEPLOY-<SERVICE>-<VERSION>` naming the deployment being reverted",
        )
        return
    same_id = [r for r in by_id.get(head.rolls_back, []) if r is not head]
    where = head.position("rolls_back")
    if not same_id:
        yield problem(
            head,
            where,
            "rollback-target",
            f"`{head.rolls_back}` is not the id of any record",
            "name an existing deployment of this service",
        )
        return
    targets = [r for r in same_id if r.service == head.service and r.environment == head.environment]
    if not targets:
        other = same_id[0]
        yield problem(
            head,
            where,
            "rollback-target",
            f"`{head.rolls_back}` is a deployment of {other.service} in {other.environment}, not of "
            f"{head.service} in {head.environment}",
            "a rollback reverses a deployment of the same service in the same environment",
        )
        return
    if head.date is not None and all(t.date is not None and t.date > head.date for t in targets):
        yield problem(
            head,
            where,
            "rollback-target",
            f"`{head.rolls_back}` was deployed on {targets[0].date}, after this rollback ({head.date})",
            "a rollback reverses an earlier deployment",
        )


def rollback_target(record: Record, records: list[Record]) -> Record | None:
    """The record a rollback reverses: same id, service and environment, the latest not after it."""
    candidates = [
        r
        for r in records
        if r is not record
        and r.id == record.rolls_back
        and r.service == record.service
        and r.environment == record.environment
        and (record.date is None or r.date is None or r.date <= record.date)
    ]
    return max(candidates, key=lambda r: (r.date or dt.date.min, r.attempt), default=None)
