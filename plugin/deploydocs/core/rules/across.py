"""The rules across records: duplicates, rollbacks and promotion, over records' heads only (so
`deploydocs check` runs them from its cache), each indexed once: linear time."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence

from deploydocs.core.model import RecordHead
from deploydocs.core.policy import Promotion
from deploydocs.core.problems import Problem, Severity

from .base import RuleInfo, define
from .identity import duplicates
from .rollbacks import rollback_problems

RULES = define(
    {
        "promotion-missing": RuleInfo(
            "Production follows a deployed staging or pre-prod record of the same version, or the record "
            "carries a `promotion_exception: {reason, approver}`.",
            "environment: production  # no staging record",
            Severity.WARNING,
        ),
    }
)

LIVE_STATUSES = ("deployed", "verified", "closed")


def cross_record_problems(heads: Sequence[RecordHead], promotion: Mapping[str, Promotion]) -> Iterator[Problem]:
    """Problems between records, in file order; ``promotion`` is the policy's (Policy.promotion)."""
    yield from duplicates(heads)
    by_id: dict[str, list[RecordHead]] = {}
    live: set[tuple[str, str, str]] = set()
    for head in heads:
        by_id.setdefault(head.id, []).append(head)
        if head.service and head.environment and head.version and head.status in LIVE_STATUSES:
            live.add((head.service, head.environment, head.version))
    for head in heads:
        yield from rollback_problems(head, by_id)
        yield from _promotion(head, promotion, live)


def _promotion(
    head: RecordHead, promotion: Mapping[str, Promotion], live: set[tuple[str, str, str]]
) -> Iterator[Problem]:
    rule = promotion.get(head.environment)
    if rule is None or head.type in ("rollback", "hotfix") or head.status in ("planned", "aborted"):
        return
    if head.promotion_exception:
        return  # approved and explained in the record (shown on its page)
    if any((head.service, source, head.version) in live for source in rule.sources):
        return
    severity = Severity.ERROR if rule.missing == "error" else Severity.WARNING
    line, column = head.position("environment")
    yield Problem(
        head.path,
        line,
        column,
        "promotion-missing",
        f"{head.service} {head.version} reaches {head.environment} without a deployed record in "
        f"{' or '.join(rule.sources)}",
        f"deploy it to {rule.sources[0]} first, or add `promotion_exception: {{reason: <why>, approver: <role>}}` "
        "to the record",
        severity,
    )
