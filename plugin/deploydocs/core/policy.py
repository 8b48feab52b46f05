"""The completeness policy: which parts of the guide each status, environment and type requires.

The policy is data (``data/policy.yaml`` by default, or a team's own file); this module reads it,
checks every path in it against the catalog, and answers questions about it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from .catalog import Catalog, Item
from .load import Document, LoadError, load_document, parse_document
from .problems import Problem
from .secrets import secret_problems

SIGNOFFS_PART = "signoffs"
RECORD_PART = "record"  # the document information, in sign-off coverage
DEFAULT_POLICY = "data/policy.yaml"
PACKAGED_POLICY = "deploydocs/" + DEFAULT_POLICY  # how problems name the packaged policy


@dataclass(frozen=True)
class StatusRule:
    status: str
    requires: tuple[str, ...]
    inherits: str | None = None
    not_before_days: int | None = None


@dataclass(frozen=True)
class EnvironmentRule:
    signoffs: tuple[str, ...] = ()
    not_required: tuple[str, ...] = ()
    not_applicable_allowed: tuple[str, ...] = ()


@dataclass(frozen=True)
class Promotion:
    sources: tuple[str, ...]
    missing: str  # "warning" or "error"


@dataclass(frozen=True)
class EvidenceReference:
    """A kind of reference evidence may be instead of a link: a ticket key, a pull request, ..."""

    name: str
    pattern: re.Pattern[str]  # matched against the whole evidence
    example: str


@dataclass(frozen=True)
class Policy:
    source: str
    lifecycle: tuple[StatusRule, ...]
    environments: dict[str, EnvironmentRule]
    deferrable_parts: dict[str, tuple[str, ...]] = field(default_factory=dict)
    type_not_applicable: dict[str, tuple[str, ...]] = field(default_factory=dict)
    promotion: dict[str, Promotion] = field(default_factory=dict)
    signoff_coverage: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # Problems that do not keep the policy from applying: secrets in a team's own policy file, which
    # is published like the records (its roles and environments stand on pages).
    problems: tuple[Problem, ...] = ()
    reviewer_roles_per_person: int = 1  # reviewer sign-offs one person may give on one record
    evidence_references: tuple[EvidenceReference, ...] = ()
    signoff_max_days_before: int | None = None  # a sign-off older than this before the deployment warns

    def rule(self, status: str) -> StatusRule:
        for rule in self.lifecycle:
            if rule.status == status:
                return rule
        raise KeyError(status)

    def chain(self, status: str) -> list[StatusRule]:
        """The statuses a record passes through to reach ``status``, in order, ``status`` last."""
        rule = self.rule(status)
        if rule.inherits:
            return [*self.chain(rule.inherits), rule]
        main_line = [r for r in self.lifecycle if r.inherits is None]
        index = main_line.index(rule)
        return main_line[: index + 1]

    def next_status(self, status: str) -> str | None:
        """The following status on the main line (None at the end or for terminal statuses)."""
        main_line = [r.status for r in self.lifecycle if r.inherits is None]
        if status not in main_line:
            return None
        index = main_line.index(status)
        return main_line[index + 1] if index + 1 < len(main_line) else None

    def required_parts(self, status: str, environment: str) -> list[tuple[str, str]]:
        """(part, status that introduces it) for everything ``status`` requires in ``environment``."""
        skipped = self.environments[environment].not_required
        parts = []
        for rule in self.chain(status):
            for part in rule.requires:
                if not _covered(part, skipped):
                    parts.append((part, rule.status))
        return parts

    def never_required(self, path: str, environment: str) -> bool:
        """True when ``path`` lies in a part ``environment`` never requires."""
        return _covered(path, self.environments[environment].not_required)

    def required_signoffs(self, environment: str) -> tuple[str, ...]:
        return self.environments[environment].signoffs

    def not_applicable_allowed(self, item: Item, environment: str, deployment_type: str) -> bool:
        if item.if_applicable:
            return True
        allowed = (
            *self.environments[environment].not_applicable_allowed,
            *self.type_not_applicable.get(deployment_type, ()),
        )
        return _covered(item.path, allowed)

    def types_allowing_not_applicable(self, item: Item) -> list[str]:
        """The deployment types whose policy lets ``item`` be n/a (for the fix of na-not-allowed)."""
        return [name for name, parts in self.type_not_applicable.items() if _covered(item.path, parts)]

    def evidence_reference(self, evidence: str) -> EvidenceReference | None:
        """The kind of reference ``evidence`` is, or None."""
        return next((ref for ref in self.evidence_references if ref.pattern.fullmatch(evidence)), None)

    def deferrable(self, item: Item, deployment_type: str) -> bool:
        return _covered(item.path, self.deferrable_parts.get(deployment_type, ()))


def _covered(path: str, parts: tuple[str, ...] | list[str]) -> bool:
    """True when ``path`` is one of ``parts`` or lies inside one of them."""
    return any(path == part or path.startswith(part + ".") for part in parts)


def load_policy(path: Path | None, catalog: Catalog, display: str | None = None, raw: bytes | None = None) -> Policy:
    """Load and check a policy file (the packaged default when ``path`` is None; ``raw``: its bytes,
    read already)."""
    if path is None:
        text = resources.files("deploydocs.core").joinpath(DEFAULT_POLICY).read_text(encoding="utf-8")
        document = parse_document(text, PACKAGED_POLICY)
    else:
        document = load_document(path, display or str(path), raw)
    problems = check_policy(document, catalog)
    found = secret_problems(document) if path is not None else []  # the packaged policy holds none
    if problems:
        raise LoadError([*problems, *found])
    return build_policy(document, tuple(found))


@cache
def default_policy() -> Policy:
    """The packaged policy, read once per process."""
    from .catalog import load_catalog

    return load_policy(None, load_catalog())


def check_policy(document: Document, catalog: Catalog) -> list[Problem]:
    """Schema check, then every path, status, environment and role against the catalog."""
    from .schema import policy_schema
    from .validate import schema_problems

    problems = document.problems + schema_problems(document, policy_schema(catalog), "policy")
    if problems:
        return problems
    data = document.data

    def bad(path: tuple[Any, ...], message: str, fix: str) -> None:
        line, column = document.positions.of_value(path)
        problems.append(Problem(document.path, line, column, "policy-invalid", message, fix))

    def check_part(path: tuple[Any, ...], part: str, allow_signoffs: bool = True) -> None:
        if part == SIGNOFFS_PART and allow_signoffs:
            return
        if catalog.find(part) is None:
            bad(
                path,
                f"`{part}` is not a section, subsection or item of the catalog",
                "use a dotted catalog path such as `deployment.pre_flight_checks`",
            )

    statuses = [entry["status"] for entry in data["lifecycle"]]
    for expected in (term.key for term in catalog.statuses):
        if expected not in statuses:
            bad(("lifecycle",), f"status `{expected}` has no entry", f"add `- status: {expected}`")
    for index, entry in enumerate(data["lifecycle"]):
        for part_index, part in enumerate(entry.get("requires", [])):
            check_part(("lifecycle", index, "requires", part_index), part)
        if entry.get("inherits") and entry["inherits"] not in statuses:
            bad(
                ("lifecycle", index, "inherits"),
                f"`{entry['inherits']}` is not a status of the lifecycle",
                "name a status listed above",
            )
    for environment in (term.key for term in catalog.environments):
        if environment not in data["environments"]:
            bad(("environments",), f"environment `{environment}` has no entry", f"add `{environment}:`")
    for environment, rules in data["environments"].items():
        for key in ("not_required", "not_applicable_allowed"):
            for index, part in enumerate(rules.get(key, [])):
                check_part(("environments", environment, key, index), part, allow_signoffs=key == "not_required")
    for role, parts in data.get("signoff_coverage", {}).items():
        for index, part in enumerate(parts):
            if part != RECORD_PART:
                check_part(("signoff_coverage", role, index), part, allow_signoffs=False)
    for deployment_type, rules in data.get("deployment_types", {}).items():
        for key in ("deferrable", "not_applicable_allowed"):
            for index, part in enumerate(rules.get(key, [])):
                check_part(("deployment_types", deployment_type, key, index), part, allow_signoffs=False)
    for index, reference in enumerate(data.get("evidence", {}).get("references", [])):
        try:
            pattern = re.compile(reference["pattern"])
        except re.error as error:
            bad(
                ("evidence", "references", index, "pattern"),
                f"`{reference['pattern']}` is not a regular expression: {error}",
                "write a Python regular expression matching the whole reference",
            )
            continue
        if not pattern.fullmatch(reference["example"]):
            bad(
                ("evidence", "references", index, "example"),
                f"the example `{reference['example']}` does not match its own pattern",
                "fix the pattern or the example",
            )
    return problems


def build_policy(document: Document, problems: tuple[Problem, ...] = ()) -> Policy:
    """The policy of a document that passed :func:`load_policy`'s checks, with the ``problems`` that
    did not keep it from loading."""
    data = document.data
    lifecycle = tuple(
        StatusRule(
            status=entry["status"],
            requires=tuple(entry.get("requires", ())),
            inherits=entry.get("inherits"),
            not_before_days=entry.get("not_before_days"),
        )
        for entry in data["lifecycle"]
    )
    environments = {
        name: EnvironmentRule(
            signoffs=tuple(rules.get("signoffs", ())),
            not_required=tuple(rules.get("not_required", ())),
            not_applicable_allowed=tuple(rules.get("not_applicable_allowed", ())),
        )
        for name, rules in data["environments"].items()
    }
    types = data.get("deployment_types", {})
    return Policy(
        source=document.path,
        lifecycle=lifecycle,
        environments=environments,
        deferrable_parts={name: tuple(rules.get("deferrable", ())) for name, rules in types.items()},
        type_not_applicable={name: tuple(rules.get("not_applicable_allowed", ())) for name, rules in types.items()},
        signoff_coverage={role: tuple(parts) for role, parts in data.get("signoff_coverage", {}).items()},
        reviewer_roles_per_person=data.get("reviewer_roles_per_person", 1),
        promotion={
            name: Promotion(sources=tuple(rules["from"]), missing=rules["missing"])
            for name, rules in data.get("promotion", {}).items()
        },
        evidence_references=tuple(
            EvidenceReference(ref["name"], re.compile(ref["pattern"]), ref["example"])
            for ref in data.get("evidence", {}).get("references", [])
        ),
        signoff_max_days_before=data.get("signoff_age", {}).get("max_days_before_deployment"),
        problems=problems,
    )
