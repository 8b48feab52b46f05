"""Lifecycle: a status is claimed no earlier than the policy allows, periods that have ended are
recorded, and records that did not end well say why."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from deploydocs.core.evaluate import Evaluation
from deploydocs.core.model import Record
from deploydocs.core.problems import Problem, Severity

from .base import Context, RuleInfo, define, problem

RULES = define(
    {
        "status-too-early": RuleInfo(
            "verified needs 24 hours after the deployment date, closed 7 days.", "status: closed  # deployed yesterday"
        ),
        "monitoring-overdue": RuleInfo(
            "A monitoring period that has ended is recorded.", "status: deployed  # ten days ago", Severity.WARNING
        ),
        "planned-date-passed": RuleInfo(
            "A planned deployment whose date has passed is updated.",
            "status: planned\ndate: 2026-01-05",
            Severity.WARNING,
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
    if record.date is None or record.status not in {rule.status for rule in context.policy.lifecycle}:
        return
    rule = context.policy.rule(record.status)
    if rule.not_before_days is not None:
        earliest = record.date + dt.timedelta(days=rule.not_before_days)
        if context.as_of < earliest:
            yield problem(
                record,
                record.position("status"),
                "status-too-early",
                f"status `{record.status}` cannot be claimed before {earliest} "
                f"({rule.not_before_days} day(s) after the deployment on {record.date})",
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


# Rules whose finding also reaches readers, in plain words, through `evaluation.attention`: pages show
# that note instead of the author-facing problem.
ATTENTION_RULES = frozenset({"monitoring-overdue", "planned-date-passed"})


def _title(context: Context, status: str) -> str:
    term = context.catalog.term("statuses", status)
    return term.title if term else status
