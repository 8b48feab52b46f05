"""Content: nothing a record publishes is a credential or a template placeholder left unfilled."""

from __future__ import annotations

from collections.abc import Iterator

from deploydocs.core.evaluate import Evaluation
from deploydocs.core.load import Document, iter_strings, may_hide_characters
from deploydocs.core.model import Record
from deploydocs.core.problems import Problem
from deploydocs.core.secrets import linear
from deploydocs.core.secrets import secret_problems as secret_problems  # the rule's check, for every file

from .base import Context, RuleInfo, define, problem

RULES = define(
    {
        "secret-detected": RuleInfo(
            "No credentials in a file that is published (a record, the services registry, a team's policy); "
            "rules: gitleaks' and deploydocs' own (docs/security.md). A false positive carries "
            "`# deploydocs: allow-secret`.",
            'note: "rotated: password=Hunter2!"',
        ),
        "placeholder-left": RuleInfo(
            "No template placeholder ([Name], [Contact], [X] hours, [criteria]) survives.",
            "primary_on_call: '[Name and Contact]'",
        ),
    }
)

UNASSIGNED = "To be assigned"
# The template's bracketed placeholders, as it writes them (case matters: a Markdown task list's
# `[x]` is not the template's `[X] hours`). RE2 (secrets.linear): a file of `[Port number` repeated,
# with no `]`, takes Python's re quadratic time.
PLACEHOLDER = linear(
    r"\[(?:Name(?: and (?:Role|Contact))?|Contact(?: Information)?|Date|Signature|Version|Timeline|Release|"
    r"Workaround if available|Issue description|High/Medium/Low|Feature/Improvement description|"
    r"Brief description|Success/Issues/Failure|Port number[^\]]*|Name of the service[^\]]*|"
    r"Version to be deployed|Definitions of terms[^\]]*|Detailed [^\]]*|Common issues[^\]]*|"
    r"Links to configuration[^\]]*|criteria)\]|\[X\] (?:hours|days)"
)


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
_PLACEHOLDER_IN_FILE = linear(PLACEHOLDER.pattern.replace(" ", r"\s+"))


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
