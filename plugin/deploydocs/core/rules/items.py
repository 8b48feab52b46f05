"""Items: each checklist item's state is allowed for this deployment, filled in when done, waived or
deferred within the policy; and what the status requires is complete."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from deploydocs.core.catalog import Catalog
from deploydocs.core.evaluate import Evaluation
from deploydocs.core.formats import is_web_link
from deploydocs.core.model import NOT_APPLICABLE, Record
from deploydocs.core.problems import Problem, Severity
from deploydocs.core.suggest import command

from .base import Context, RuleInfo, define, problem

RULES = define(
    {
        "na-not-allowed": RuleInfo(
            "n/a only where the template says 'if applicable' or the policy allows it.",
            "secrets: {state: n/a, reason: later}",
        ),
        "evidence-invalid": RuleInfo(
            "Evidence is a link (http or https) or a reference of a kind the policy names (ticket, pull "
            "request, deployment record).",
            "unit_tests: {state: done, evidence: jenkins}",
        ),
        "required-item-incomplete": RuleInfo(
            "Every item the claimed status requires is done, n/a, waived or deferred.",
            "status: deployed\n# smoke_tests: pending",
        ),
        "item-parameter-missing": RuleInfo(
            "A done item fills in the template's placeholders.", "plan_next_deployment: done  # criteria?"
        ),
        "waiver-expired": RuleInfo(
            "Waivers expire. On a live record an expired waiver is due (a warning; an error in a pull "
            "request that changes the record); a final record is judged as of the day it ended.",
            "waiver: {reason: ..., approver: operations-manager, expires: 2026-01-01}",
            Severity.WARNING,
            due=True,
        ),
        "waiver-unneeded": RuleInfo(
            "A waiver sits on an item that is not done.", "code_version: {state: done, waiver: {...}}", Severity.WARNING
        ),
        "deferral-not-allowed": RuleInfo(
            "Only hotfixes defer, and only the items the policy names.",
            "type: update\nunit_tests: {state: pending, deferred: {...}}",
        ),
        "deferral-overdue": RuleInfo(
            "A deferred item is done by its follow-up date (due, like an expired waiver; not on rolled-back or "
            "aborted records).",
            "deferred: {justification: ..., follow_up: 2026-01-01}",
            Severity.WARNING,
            due=True,
        ),
    }
)


# Deployments that never completed: what they deferred will not be done on them (the next attempt
# or the version rolled back to carries the work), so their deferrals never fall due.
ENDED_EARLY = ("rolled-back", "aborted")


def items(record: Record, evaluation: Evaluation, context: Context) -> Iterator[Problem]:
    as_of = evaluation.as_of or context.as_of  # a final record: the day it ended
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
                f"{item.number} {item.title} may not be n/a in {record.environment} ({_article(record.type)} "
                "deployment)",
                "mark it done or pending, or waive it with an approver and expiry date"
                + _where_allowed(context.policy.types_allowing_not_applicable(item)),
            )
        if entry.evidence and not is_web_link(entry.evidence) and not context.policy.evidence_reference(entry.evidence):
            kinds = ", ".join(f"{ref.example} ({ref.name})" for ref in context.policy.evidence_references)
            yield problem(
                record,
                record.position(*path, "evidence"),
                "evidence-invalid",
                f"the evidence of {item.number} {item.title}, `{_shorten(entry.evidence)}`, is neither a link nor a "
                "reference",
                "write a link (https://…)" + (f" or a reference such as {kinds}" if kinds else ""),
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
            elif entry.waiver.expires is not None and entry.waiver.expires < as_of:
                message = f"the waiver of {item.number} {item.title} expired on {entry.waiver.expires}"
                # Readers get a sentence (the site and the JSON export); authors get the key and the fix.
                evaluation.attention.append(message[0].upper() + message[1:] + ".")
                yield problem(
                    record,
                    record.position(*path, "waiver", "expires"),
                    "waiver-expired",
                    message,
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
            elif (
                entry.deferred.follow_up is not None
                and entry.deferred.follow_up < as_of
                and record.status not in ENDED_EARLY
            ):
                message = f"{item.number} {item.title} was deferred until {entry.deferred.follow_up} and is not done"
                evaluation.attention.append(f"{message}.")
                yield problem(
                    record,
                    record.position(*path, "deferred", "follow_up"),
                    "deferral-overdue",
                    message,
                    "do it and mark it done, or move the follow-up date with a justification",
                )


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
                f"add `- {{role: {gap.role}, name: <name>, date: <YYYY-MM-DD>}}` under signoffs, or run "
                f"`{command('sign', '--role', gap.role, '--name', 'NAME', record.path)}` with the signer's name",
            )


def _article(word: str) -> str:
    word = word or "unknown"
    return f"a{'n' if word[:1] in 'aeiou' else ''} {word}"


def _where_allowed(types: list[str]) -> str:
    return f" (the policy allows n/a here in {', '.join(types)} deployments)" if types else ""


def _shorten(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


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
