"""Lifecycle: a status is claimed no earlier than the policy allows, periods that have ended are
recorded, and records that did not end well say why."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from deploydocs.core.evaluate import Evaluation, is_final
from deploydocs.core.model import Record
from deploydocs.core.problems import Problem, Severity

from .base import Context, RuleInfo, define, problem

RULES = define(
    {
        "status-too-early": RuleInfo(
            "verified needs 24 hours after the deployment date, closed 7 days.", "status: closed  # deployed yesterday"
        ),
        "monitoring-overdue": RuleInfo(
            "A monitoring period that has ended is recorded.",
            "status: deployed  # ten days ago",
            Severity.WARNING,
            due=True,
        ),
        "planned-date-passed": RuleInfo(
            "A planned deployment whose date has passed is updated.",
            "status: planned\ndate: 2026-01-05",
            Severity.WARNING,
            due=True,
        ),
        "closed-on-invalid": RuleInfo(
            "`closed_on` is the day a record reached its final status (closed, rolled-back, aborted): on "
            "such a record only, not before the deployment, not after today.",
            "status: verified\nclosed_on: 2026-11-30",
        ),
        "outcome-reason-missing": RuleInfo(
            "Rolled-back and aborted records say why.", "status: rolled-back  # no outcome_reason"
        ),
    }
)


def lifecycle(record: Record, evaluation: Evaluation, context: Context) -> Iterator[Problem]:
    if record.status in ("rolled-back", "aborted") and not record.outcome_reason:
        yield problem(
            record,
            record.position("status"),
            "outcome-reason-missing",
            f"status `{record.status}` needs an `outcome_reason`",
            "add `outcome_reason: <what happened>`",
        )
    yield from _closed_on(record, context)
    if record.date is None or record.status not in {rule.status for rule in context.policy.lifecycle}:
        return
    rule = context.policy.rule(record.status)
    if rule.not_before_days is not None:
        earliest = record.date + dt.timedelta(days=rule.not_before_days)
        # Claimed on `closed_on` where the record says so; otherwise by today, which only ever
        # clears this problem as time passes.
        claimed = record.closed_on if record.closed_on is not None else context.as_of
        if claimed < earliest:
            yield problem(
                record,
                record.position("status"),
                "status-too-early",
                f"status `{record.status}` cannot be claimed before {earliest} "
                f"({rule.not_before_days} day(s) after the deployment on {record.date})"
                + (f", and `closed_on` says {claimed}" if record.closed_on is not None else ""),
                f"keep the previous status until {earliest}",
            )
    following = context.policy.next_status(record.status)
    days = context.policy.rule(following).not_before_days if following else None
    if days is not None and context.as_of > record.date + dt.timedelta(days=days):
        due = record.date + dt.timedelta(days=days)
        message = f"the record is still `{record.status}`; `{following}` was due on {due}"
        # Readers get plain words (the site and the JSON export); authors get keys and the fix.
        evaluation.attention.append(
            f"Moving to {_title(context, following)} was due on {due}; the record is still "
            f"{_title(context, record.status)}."
        )
        yield problem(
            record,
            record.position("status"),
            "monitoring-overdue",
            message,
            f"complete what `{following}` requires and set `status: {following}`",
        )
    if record.status == "planned" and record.date < context.as_of:
        message = f"the deployment was planned for {record.date}, which has passed"
        evaluation.attention.append(f"The deployment was planned for {record.date}, which has passed.")
        yield problem(
            record,
            record.position("date"),
            "planned-date-passed",
            message,
            "move the date, or update the status",
        )


def _title(context: Context, status: str) -> str:
    term = context.catalog.term("statuses", status)
    return term.title if term else status


def _closed_on(record: Record, context: Context) -> Iterator[Problem]:
    ended = record.closed_on
    if ended is None or record.status not in {rule.status for rule in context.policy.lifecycle}:
        return
    where = record.position("closed_on")
    if not is_final(record.status, context.policy):
        yield problem(
            record,
            where,
            "closed-on-invalid",
            f"`closed_on` is set but status `{record.status}` is not final",
            "remove `closed_on` until the record is closed, rolled back or aborted",
        )
    elif record.date is not None and ended < record.date:
        yield problem(
            record,
            where,
            "closed-on-invalid",
            f"`closed_on: {ended}` is before the deployment on {record.date}",
            "write the day the record reached its final status",
        )
    elif ended > context.as_of:
        yield problem(
            record,
            where,
            "closed-on-invalid",
            f"`closed_on: {ended}` is after today ({context.as_of})",
            "write the day the record reached its final status, not a future one",
        )
