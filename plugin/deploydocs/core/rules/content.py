"""Content: nothing a record publishes is a credential or a template placeholder left unfilled."""

from __future__ import annotations

import bisect
import re
import unicodedata
from collections.abc import Iterator

from deploydocs.core.evaluate import Evaluation
from deploydocs.core.load import Document, iter_strings, may_hide_characters
from deploydocs.core.model import Record
from deploydocs.core.problems import Problem, Severity
from deploydocs.core.schema import INVISIBLE_CHARACTERS, RECORD_NAME_KEYS
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
        "invisible-character": RuleInfo(
            "Free text holds no bidirectional override or zero-width character: it can make text read "
            "differently from what it says (names, roles and ids refuse them: `invalid-characters`).",
            'note: "approved by \\u202eytiruces"',
            Severity.WARNING,
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


_INVISIBLE = re.compile(f"[{INVISIBLE_CHARACTERS}]")


def invisible_character_problems(document: Document) -> list[Problem]:
    """A warning for each free-text value holding an invisible character, at the character where the
    file shows it (or at the value, when an escape such as ``\\u202e`` spells it)."""
    if not may_hide_characters(document.text) and not _INVISIBLE.search(document.text):
        return []  # no value can hold one
    values = [(path, value) for path, value in iter_strings(document.data) if path and path[-1] not in RECORD_NAME_KEYS]
    found = [(path, match.group(0)) for path, value in values if (match := _INVISIBLE.search(value))]
    if not found:
        return []
    line_starts = [0] + [m.end() for m in re.finditer("\n", document.text)]

    def offset(position: tuple[int, int]) -> int:
        line, column = position
        return line_starts[min(line, len(line_starts)) - 1] + column - 1

    # A value's text runs from where it starts to where the next value starts.
    starts = sorted(offset(document.positions.of_value(path)) for path, _ in iter_strings(document.data))
    problems = []
    for path, char in found:
        start = offset(document.positions.of_value(path))
        following = bisect.bisect_right(starts, start)
        at = document.text.find(char, start, starts[following] if following < len(starts) else len(document.text))
        if at == -1:
            line, column = document.positions.of_value(path)
        else:
            line = bisect.bisect_right(line_starts, at)
            column = at - line_starts[line - 1] + 1
        problems.append(
            Problem(
                document.path,
                line,
                column,
                "invisible-character",
                f"{'.'.join(map(str, path))} holds the invisible character {unicodedata.name(char)} "
                f"(U+{ord(char):04X}), which can make the text read differently from what it says",
                "remove it, unless the text really needs it",
                Severity.WARNING,
            )
        )
    return problems
