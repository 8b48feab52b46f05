"""What every rule module shares: a rule's description, the context rules consult, and problems."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from deploydocs.core.catalog import Catalog
from deploydocs.core.evaluate import Evaluation
from deploydocs.core.model import Record, RecordHead
from deploydocs.core.policy import Policy
from deploydocs.core.problems import Problem, Severity

if TYPE_CHECKING:  # the registry module imports jsonschema, which `deploydocs check` loads only when needed
    from deploydocs.core.people import People
    from deploydocs.core.registry import Registry


@dataclass(frozen=True)
class RuleInfo:
    summary: str
    example: str  # a YAML fragment that breaks the rule
    severity: Severity = Severity.ERROR
    # Made true by the passing of time alone (a waiver expires, a date passes): a warning, an
    # error only in a pull request that changes the record, and what `check --due` fails on.
    due: bool = False


_SEVERITY: dict[str, Severity] = {}


def define(rules: dict[str, RuleInfo]) -> dict[str, RuleInfo]:
    """A module's rules: their severities become known to :func:`problem` (the package orders the table)."""
    for rule, info in rules.items():
        if rule in _SEVERITY:
            raise ValueError(f"rule {rule} is defined twice")
        _SEVERITY[rule] = info.severity
    return rules


@dataclass
class Context:
    """What the rules about one record may consult besides the record: never other records, so that
    what they find can be cached per file (see cross_record_problems for the rules that do)."""

    catalog: Catalog
    policy: Policy
    registry: Registry
    as_of: dt.date
    people: People | None = None  # None when people.yaml did not load (its problems are reported)


Check = Callable[[Record, Evaluation, Context], Iterator[Problem]]
"""A rule about one record: it may consult the context, never other records (so verdicts cache per file)."""


def problem(record: Record | RecordHead, position: tuple[int, int], rule: str, message: str, fix: str = "") -> Problem:
    return Problem(record.path, position[0], position[1], rule, message, fix, _SEVERITY[rule])
