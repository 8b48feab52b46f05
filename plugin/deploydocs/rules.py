"""The rules a record must follow beyond its schema, each with an id that every message names.

``RULES`` documents every rule id the tool can report (schema, loading and these checks alike); the
docs' rule reference is generated from it, and a test keeps it in step with the code.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .catalog import Catalog
from .evaluate import Evaluation
from .load import Document, iter_strings, may_hide_characters
from .model import NOT_APPLICABLE, Record, RecordHead
from .policy import Policy, Promotion
from .problems import Problem, Severity
from .schema import SEMVER
from .secrets import ALLOW_MARKER, scan_document

if TYPE_CHECKING:  # the registry module imports jsonschema, which `deploydocs check` loads only when needed
    from .registry import Registry


@dataclass(frozen=True)
class RuleInfo:
    summary: str
    example: str  # a YAML fragment that breaks the rule
    severity: Severity = Severity.ERROR


RULES: dict[str, RuleInfo] = {
    # Loading
    "empty-file": RuleInfo("A record file holds a YAML document.", "# only a comment"),
    "not-a-mapping": RuleInfo(
        "A record is a mapping of keys to values, not a list or a scalar.", "- id: DEPLOY-X-1.0.0"
    ),
    "not-utf8": RuleInfo("Files are UTF-8 (a byte-order mark is accepted).", "<Latin-1 bytes>"),
    "file-too-large": RuleInfo("A record is at most 1 MiB.", "<a 2 MiB file>"),
    "not-yaml-file": RuleInfo("Files in records/ end in .yaml or .yml.", "records/identity-service/2.3.0.txt"),
    "symlink-outside": RuleInfo(
        "A symbolic link in records/ may not point outside the repository.", "records/x.yaml -> /etc/passwd"
    ),
    "yaml-syntax": RuleInfo("The file is valid YAML.", "changes: fixes: login"),
    "yaml-duplicate-key": RuleInfo("A key appears once per mapping.", "version: 2.3.0\nversion: 2.3.1"),
    "yaml-custom-tag": RuleInfo("No YAML tags such as !!python/object.", "changes: !!python/object:os.system {}"),
    "yaml-too-many-values": RuleInfo(
        "A file expands to at most 50,000 values (stops alias bombs).", "a: &a [*b, *b, ...]"
    ),
    "yaml-too-deep": RuleInfo("Values nest at most 40 levels.", "a: [[[[[[[[ ... ]]]]]]]]"),
    "yaml-complex-key": RuleInfo("Keys are plain words.", "? [a, b]\n: value"),
    "yaml-merge-key": RuleInfo("Merge keys (<<) are not used in records.", "<<: *defaults"),
    # Schema
    "unknown-key": RuleInfo("Only keys of the schema; a misspelt key names the closest valid one.", "secrest: done"),
    "missing-key": RuleInfo("Every required key is present, every checklist item among them.", "# secrets: left out"),
    "invalid-value": RuleInfo("Closed vocabularies: environment, type, status, roles, impact.", "environment: prod"),
    "invalid-state": RuleInfo("Items are done, pending, or n/a with a reason.", "secrets: complete"),
    "na-needs-reason": RuleInfo("n/a always carries a reason.", "dns: n/a"),
    "value-not-string": RuleInfo(
        "Versions and other text are strings: quote what YAML reads as a number.", "version: 1.10"
    ),
    "wrong-type": RuleInfo("Values have the type the schema gives.", "checklists: done"),
    "invalid-format": RuleInfo("Ids, versions and links follow their pattern.", "version: v2"),
    "invalid-date": RuleInfo("Dates are ISO dates.", "date: 20/11/2026"),
    "empty-value": RuleInfo("Text values are not empty.", 'changes: ""'),
    "schema": RuleInfo("Any other schema constraint.", "attempt: 1"),
    # Registry and policy files
    "registry-schema": RuleInfo("The services registry follows its schema.", "port: three"),
    "registry-duplicate-port": RuleInfo(
        "No two services share a port.", "finance-service: {port: 3007}\nbff: {port: 3007}"
    ),
    "registry-duplicate-alias": RuleInfo("An alias belongs to one service.", "aliases: [identity-service]"),
    "policy-schema": RuleInfo("The policy follows its schema.", "lifecycle: planned"),
    "policy-invalid": RuleInfo("Policy paths name catalog sections, subsections or items.", "requires: [pre_deploy]"),
    # Identity
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
        "One record per service, environment, version and attempt.", "# two files for identity-service 2.3.0 production"
    ),
    # Items
    "na-not-allowed": RuleInfo(
        "n/a only where the template says 'if applicable' or the policy allows it.",
        "secrets: {state: n/a, reason: later}",
    ),
    "required-item-incomplete": RuleInfo(
        "Every item the claimed status requires is done, n/a, waived or deferred.",
        "status: deployed\n# smoke_tests: pending",
    ),
    "item-parameter-missing": RuleInfo(
        "A done item fills in the template's placeholders.", "plan_next_deployment: done  # criteria?"
    ),
    "waiver-expired": RuleInfo(
        "Waivers expire; an expired waiver is an error.",
        "waiver: {reason: ..., approver: operations-manager, expires: 2026-01-01}",
    ),
    "waiver-unneeded": RuleInfo(
        "A waiver sits on an item that is not done.", "code_version: {state: done, waiver: {...}}", Severity.WARNING
    ),
    "deferral-not-allowed": RuleInfo(
        "Only hotfixes defer, and only the items the policy names.",
        "type: update\nunit_tests: {state: pending, deferred: {...}}",
    ),
    "deferral-overdue": RuleInfo(
        "A deferred item is done by its follow-up date.",
        "deferred: {justification: ..., follow_up: 2026-01-01}",
        Severity.WARNING,
    ),
    "secret-detected": RuleInfo(
        "No credentials in records: they are published. A false positive carries `# deploydocs: allow-secret`.",
        'note: "rotated: password=Hunter2!"',
    ),
    "placeholder-left": RuleInfo(
        "No template placeholder ([Name], [Contact], [X] hours, [criteria]) survives.",
        "primary_on_call: '[Name and Contact]'",
    ),
    # Lifecycle
    "status-too-early": RuleInfo(
        "verified needs 24 hours after the deployment date, closed 7 days.", "status: closed  # deployed yesterday"
    ),
    "monitoring-overdue": RuleInfo(
        "A monitoring period that has ended is recorded.", "status: deployed  # ten days ago", Severity.WARNING
    ),
    "planned-date-passed": RuleInfo(
        "A planned deployment whose date has passed is updated.", "status: planned\ndate: 2026-01-05", Severity.WARNING
    ),
    "outcome-reason-missing": RuleInfo(
        "Rolled-back and aborted records say why.", "status: rolled-back  # no outcome_reason"
    ),
    "rollback-target": RuleInfo(
        "A rollback names the deployment it reverses: it exists, same service and environment, earlier.",
        "type: rollback  # no rolls_back",
    ),
    "promotion-missing": RuleInfo(
        "Production follows a deployed staging or pre-prod record of the same version.",
        "environment: production  # no staging record",
        Severity.WARNING,
    ),
    # Sign-offs
    "signoff-missing": RuleInfo(
        "Where the status requires sign-offs, every role the environment needs has signed.",
        "status: closed\nsignoffs: []",
    ),
    "signoff-separation-of-duties": RuleInfo(
        "One person does not sign as deploying engineer and as a reviewer.",
        "- {role: deploying-engineer, name: Ana}\n- {role: security-reviewer, name: Ana}",
    ),
    "reviewer-is-deployer": RuleInfo(
        "In production the reviewer is not the deployer.",
        "deployed_by: {name: Ana, ...}\nreviewed_by: {name: Ana, ...}",
    ),
    "signoff-stale": RuleInfo(
        "A sign-off made with `deploydocs sign` still matches the sections its role covers; an error where "
        "the status needs it.",
        "# 3.3 changed after the security-reviewer signed",
    ),
    "signoff-future-date": RuleInfo("No sign-off is dated after today.", "date: 2099-01-01"),
    "signoff-duplicate-role": RuleInfo(
        "Each role signs once.", "- {role: product-owner, ...}\n- {role: product-owner, ...}"
    ),
}

UNASSIGNED = "To be assigned"
# The template's bracketed placeholders, as it writes them (case matters: a Markdown task list's
# `[x]` is not the template's `[X] hours`).
PLACEHOLDER = re.compile(
    r"\[(?:Name(?: and (?:Role|Contact))?|Contact(?: Information)?|Date|Signature|Version|Timeline|Release|"
    r"Workaround if available|Issue description|High/Medium/Low|Feature/Improvement description|"
    r"Brief description|Success/Issues/Failure|Port number[^\]]*|Name of the service[^\]]*|"
    r"Version to be deployed|Definitions of terms[^\]]*|Detailed [^\]]*|Common issues[^\]]*|"
    r"Links to configuration[^\]]*|criteria)\]|\[X\] (?:hours|days)"
)


@dataclass
class Context:
    """What the rules about one record may consult besides the record: never other records, so that
    what they find can be cached per file (see cross_record_problems for the rules that do)."""

    catalog: Catalog
    policy: Policy
    registry: Registry
    as_of: dt.date


Check = Callable[[Record, Evaluation, Context], Iterator[Problem]]
RECORD_CHECKS: list[Check] = []


def check(function: Check) -> Check:
    RECORD_CHECKS.append(function)
    return function


def problem(record: Record | RecordHead, position: tuple[int, int], rule: str, message: str, fix: str = "") -> Problem:
    return Problem(record.path, position[0], position[1], rule, message, fix, RULES[rule].severity)


def expected_id(service: str, version: str) -> str:
    return f"DEPLOY-{service.upper()}-{version.upper()}"


@check
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


@check
def items(record: Record, evaluation: Evaluation, context: Context) -> Iterator[Problem]:
    for entry in record.items.values():
        item = entry.item
        path = ("checklists", item.section_key, item.subsection_key, item.key)
        if (
            entry.state == NOT_APPLICABLE
            and entry.reason
            and not context.policy.not_applicable_allowed(item, record.environment, record.type)
        ):
            yield problem(
                record,
                record.position(*path, "state")
                if not isinstance(
                    record.document.data["checklists"][item.section_key][item.subsection_key][item.key], str
                )
                else record.position(*path),
                "na-not-allowed",
                f"{item.number} {item.title} may not be n/a in {record.environment}",
                "mark it done or pending, or waive it with an approver and expiry date",
            )
        if entry.state == "done":
            for parameter in item.parameters:
                if parameter.default is None and parameter.key not in (entry.parameters or {}):
                    yield problem(
                        record,
                        record.position(*path),
                        "item-parameter-missing",
                        f"{item.number} '{item.display_title(entry.parameters)}' is done but `{parameter.key}` "
                        "is not filled in",
                        f"write `{item.key}: {{state: done, {parameter.key}: <{parameter.title.lower()}>}}`",
                    )
        if entry.waiver is not None:
            if entry.state == "done":
                yield problem(
                    record,
                    record.position(*path, "waiver"),
                    "waiver-unneeded",
                    f"{item.number} {item.title} is done and still carries a waiver",
                    "remove the waiver",
                )
            elif entry.waiver.expires is not None and entry.waiver.expires < context.as_of:
                yield problem(
                    record,
                    record.position(*path, "waiver", "expires"),
                    "waiver-expired",
                    f"the waiver of {item.number} {item.title} expired on {entry.waiver.expires}",
                    "do the item, or renew the waiver with its approver",
                )
        if entry.deferred is not None and entry.state != "done":
            if not context.policy.deferrable(item, record.type):
                yield problem(
                    record,
                    record.position(*path, "deferred"),
                    "deferral-not-allowed",
                    f"{item.number} {item.title} cannot be deferred in a{'n' if record.type[:1] in 'aeiou' else ''} "
                    f"{record.type or 'unknown'} deployment",
                    "only hotfixes defer, and only the items the policy lists as deferrable",
                )
            elif entry.deferred.follow_up is not None and entry.deferred.follow_up < context.as_of:
                yield problem(
                    record,
                    record.position(*path, "deferred", "follow_up"),
                    "deferral-overdue",
                    f"{item.number} {item.title} was deferred until {entry.deferred.follow_up} and is not done",
                    "do it and mark it done, or move the follow-up date with a justification",
                )


@check
def completeness(record: Record, evaluation: Evaluation, context: Context) -> Iterator[Problem]:
    for gap in evaluation.gaps:
        if gap.item is not None:
            item = gap.item.item
            path = ("checklists", item.section_key, item.subsection_key, item.key)
            if item.key not in _mapping_at(record.document.data, path[:-1]):
                continue  # the schema already reports the missing key
            if gap.item.state is None or (gap.item.state == NOT_APPLICABLE and not gap.item.reason):
                continue  # the schema already reports the malformed value
            state = gap.item.state or "not set"
            yield problem(
                record,
                record.position(*path),
                "required-item-incomplete",
                f"{item.number} {gap.item.title} is {state}, but status `{record.status}` requires "
                f"{_part_label(gap.part, context.catalog)} complete",
                "mark it done (with evidence), n/a with a reason where allowed, or waive it; or set the status back",
            )
        else:
            yield problem(
                record,
                record.key_position("signoffs") if "signoffs" in record.document.data else (1, 1),
                "signoff-missing",
                f"status `{record.status}` in {record.environment} needs the {gap.role} sign-off",
                f"add `- {{role: {gap.role}, name: <name>, date: <YYYY-MM-DD>}}` under signoffs "
                "(or run `deploydocs sign`)",
            )


def _mapping_at(data: Any, path: tuple[str, ...]) -> dict[str, Any]:
    for key in path:
        data = data.get(key) if isinstance(data, dict) else None
    return data if isinstance(data, dict) else {}


def _part_label(part: str, catalog: Catalog) -> str:
    found = catalog.find(part)
    if found is None:
        return part
    number = found.number
    return f"{'section' if '.' not in number else ''} {number} {found.title}".strip()


@check
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
        evaluation.attention.append(message)
        yield problem(
            record,
            record.position("status"),
            "monitoring-overdue",
            message,
            f"complete what `{following}` requires and set `status: {following}`",
        )
    if record.status == "planned" and record.date < context.as_of:
        message = f"the deployment was planned for {record.date}, which has passed"
        evaluation.attention.append(message)
        yield problem(
            record,
            record.position("date"),
            "planned-date-passed",
            message,
            "move the date, or update the status",
        )


@check
def signoffs(record: Record, evaluation: Evaluation, context: Context) -> Iterator[Problem]:
    seen: dict[str, int] = {}
    deploying = {s.name.strip().casefold() for s in record.signoffs if s.role == "deploying-engineer" and s.name}
    for signoff in record.signoffs:
        if signoff.role in seen:
            yield problem(
                record,
                record.position("signoffs", signoff.index, "role"),
                "signoff-duplicate-role",
                f"role `{signoff.role}` signs twice (first in entry {seen[signoff.role] + 1})",
                "keep one sign-off per role",
            )
        seen.setdefault(signoff.role, signoff.index)
        if signoff.role != "deploying-engineer" and signoff.name.strip().casefold() in deploying:
            yield problem(
                record,
                record.position("signoffs", signoff.index, "name"),
                "signoff-separation-of-duties",
                f"{signoff.name} signs as {signoff.role} and as deploying-engineer",
                "a reviewer must be someone other than the deploying engineer",
            )
        if signoff.date is not None and signoff.date > context.as_of:
            yield problem(
                record,
                record.position("signoffs", signoff.index, "date"),
                "signoff-future-date",
                f"the {signoff.role} sign-off is dated {signoff.date}, after today ({context.as_of})",
                "sign-offs are dated the day they are given",
            )
    needed_now = evaluation.signoffs_required_now(context.policy) if evaluation.required_roles else False
    for signoff in record.signoffs:
        if signoff.role in evaluation.stale_roles:
            needed = needed_now and signoff.role in evaluation.required_roles
            yield Problem(
                record.path,
                *record.position("signoffs", signoff.index, "fingerprint"),
                "signoff-stale",
                f"the {signoff.role} sign-off by {signoff.name} ({signoff.date}) is stale: what this role covers "
                "changed after it was signed",
                f"ask {signoff.name or 'the signer'} to review the change and sign again: "
                f"deploydocs sign --role {signoff.role} --name '{signoff.name}' {record.path}",
                Severity.ERROR if needed else Severity.WARNING,
            )
    if (
        record.environment == "production"
        and record.deployed_by
        and record.reviewed_by
        and record.deployed_by.name.strip().casefold() == record.reviewed_by.name.strip().casefold()
    ):
        yield problem(
            record,
            record.position("reviewed_by", "name"),
            "reviewer-is-deployer",
            f"{record.reviewed_by.name} both deploys and reviews a production deployment",
            "name a different reviewer",
        )


@check
def reviewer_assigned(record: Record, evaluation: Evaluation, context: Context) -> Iterator[Problem]:
    # `deploydocs new` writes this when no reviewer is named yet: fine while planned, not after.
    if record.reviewed_by and record.reviewed_by.name == UNASSIGNED and record.status != "planned":
        yield problem(
            record,
            record.position("reviewed_by", "name"),
            "placeholder-left",
            f"the reviewer is still `{UNASSIGNED}` at status `{record.status}`",
            "name the person who reviews this deployment",
        )


# PLACEHOLDER as it may stand in a file: a value folded over lines has line breaks where it has spaces.
_PLACEHOLDER_IN_FILE = re.compile(PLACEHOLDER.pattern.replace(" ", r"\s+"))


def placeholder_problems(document: Document) -> list[Problem]:
    """Template placeholders left in any value: depends on the file alone (checked and cached with the schema)."""
    if not may_hide_characters(document.text) and not _PLACEHOLDER_IN_FILE.search(document.text):
        return []  # no value can hold one
    found: list[Problem] = []
    for path, value in iter_strings(document.data):
        match = PLACEHOLDER.search(value) if "[" in value else None
        if match:
            line, column = document.positions.of_value(path)
            found.append(
                Problem(
                    document.path,
                    line,
                    column,
                    "placeholder-left",
                    f"the template placeholder `{match.group(0)}` is still in {'.'.join(map(str, path))}",
                    "replace it with the real value",
                )
            )
    return found


def secret_problems(document: Document) -> list[Problem]:
    """Credential-looking values: depends on the file alone, so it runs (and is cached) with the schema."""
    return [
        Problem(
            document.path,
            finding.line,
            finding.column,
            "secret-detected",
            f"{finding.path} contains what looks like {finding.kind}; records are published to every reader",
            "remove it and rotate the credential; for a false positive add the comment "
            f"`# {ALLOW_MARKER}` at the end of the line",
        )
        for finding in scan_document(document)
    ]


def cross_record_problems(heads: Sequence[RecordHead], promotion: Mapping[str, Promotion]) -> Iterator[Problem]:
    """Rules over several records: duplicates, rollbacks, promotion (indexed once: linear time).

    They read only records' heads, in file order, so `deploydocs check` can run them from its cache;
    ``promotion`` is the policy's (Policy.promotion).
    """
    by_key: dict[tuple[str, str, str, int], RecordHead] = {}
    by_id: dict[str, list[RecordHead]] = {}
    live: set[tuple[str, str, str]] = set()
    for head in heads:
        by_id.setdefault(head.id, []).append(head)
        if not (head.service and head.environment and head.version):
            continue
        if head.status in LIVE_STATUSES:
            live.add((head.service, head.environment, head.version))
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
    for head in heads:
        yield from _rollback(head, by_id)
        yield from _promotion(head, promotion, live)


def _rollback(head: RecordHead, by_id: dict[str, list[RecordHead]]) -> Iterator[Problem]:
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


LIVE_STATUSES = ("deployed", "verified", "closed")


def _promotion(
    head: RecordHead, promotion: Mapping[str, Promotion], live: set[tuple[str, str, str]]
) -> Iterator[Problem]:
    rule = promotion.get(head.environment)
    if rule is None or head.type in ("rollback", "hotfix") or head.status in ("planned", "aborted"):
        return
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
        f"deploy it to {rule.sources[0]} first, or record why in a note",
        severity,
    )


def record_problems(record: Record, evaluation: Evaluation, context: Context) -> list[Problem]:
    problems: list[Problem] = []
    for run in RECORD_CHECKS:
        problems.extend(run(record, evaluation, context))
    return problems
