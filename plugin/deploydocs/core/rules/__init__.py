"""The rules a record must follow beyond its schema, one module per concern, each rule with an id that
every message names.

``RULES`` documents every rule id the tool can report (schema, loading and these checks alike), in the
order of the docs' rule reference, which is generated from it; a test keeps it in step with the code.
"""

from __future__ import annotations

from deploydocs.core.evaluate import Evaluation
from deploydocs.core.model import Record
from deploydocs.core.problems import Problem

from . import content, files, identity, items, lifecycle, rollbacks, signoffs
from .across import LIVE_STATUSES, cross_record_problems
from .across import RULES as _ACROSS_RULES
from .base import Check, Context, RuleInfo
from .content import PLACEHOLDER, UNASSIGNED, invisible_character_problems, placeholder_problems, secret_problems
from .identity import expected_id
from .rollbacks import rollback_target

# The rule reference's sections, one per concern, in its order. One heading each keeps every section of
# that page short in the search index (Zensical limits a field's length; docs/architecture.md).
RULE_GROUPS: tuple[tuple[str, dict[str, RuleInfo]], ...] = (
    ("Files and schema", files.RULES),
    ("Identity", identity.RULES),
    ("Checklist items", items.RULES),
    ("Content", content.RULES),
    ("Lifecycle", lifecycle.RULES),
    ("Rollbacks", rollbacks.RULES),
    ("Across records", _ACROSS_RULES),
    ("Sign-offs and people", signoffs.RULES),
)

RULES: dict[str, RuleInfo] = {rule: info for _, group in RULE_GROUPS for rule, info in group.items()}

DUE_RULES: frozenset[str] = frozenset(rule for rule, info in RULES.items() if info.due)
"""Rules that time alone makes true: warnings in `check`, errors in a pull request that changes the
record (core.review), and what `check --due` fails on."""
# Every due rule also tells readers, in plain words, through `evaluation.attention`: pages show that
# note instead of the author-facing problem (site.render.reader_notes).
ATTENTION_RULES: frozenset[str] = DUE_RULES

RECORD_CHECKS: tuple[Check, ...] = (
    identity.identity,
    items.items,
    items.completeness,
    lifecycle.lifecycle,
    signoffs.signoffs,
    signoffs.signoff_age,
    content.reviewer_assigned,
)


def record_problems(record: Record, evaluation: Evaluation, context: Context) -> list[Problem]:
    """Every rule about one record, in a fixed order."""
    problems: list[Problem] = []
    for run in RECORD_CHECKS:
        problems.extend(run(record, evaluation, context))
    return problems


__all__ = [
    "ATTENTION_RULES",
    "DUE_RULES",
    "LIVE_STATUSES",
    "PLACEHOLDER",
    "RULES",
    "UNASSIGNED",
    "Context",
    "RuleInfo",
    "cross_record_problems",
    "expected_id",
    "invisible_character_problems",
    "placeholder_problems",
    "record_problems",
    "rollback_target",
    "secret_problems",
]
