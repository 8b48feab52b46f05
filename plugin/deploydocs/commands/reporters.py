"""Ways to print problems: for people (text), for programs (json), for GitHub pull requests (github).

Reporters only format; the checking happens in the core. File names and messages hold values from the
repository: every reporter writes them with their control characters escaped (core.problems.printable,
or JSON's \\u escapes), so no output runs an escape sequence in a terminal or fakes a line.
"""

from __future__ import annotations

import json
from collections.abc import Callable

from deploydocs.core.problems import Problem, Severity, printable

JSON_FORMAT_VERSION = 1


def text_report(problems: list[Problem], files_checked: int) -> str:
    lines = [problem.format() for problem in problems]
    error_count = sum(problem.severity is Severity.ERROR for problem in problems)
    warning_count = len(problems) - error_count
    if problems:
        lines.append(f"{error_count} error(s), {warning_count} warning(s) in {files_checked} record file(s)")
    else:
        lines.append(f"ok: {files_checked} record file(s), no problems")
    return "\n".join(lines) + "\n"


def json_report(problems: list[Problem], files_checked: int) -> str:
    """Stable shape, documented in docs/cli.md: bump JSON_FORMAT_VERSION on any change."""
    payload = {
        "version": JSON_FORMAT_VERSION,
        "files_checked": files_checked,
        "errors": sum(problem.severity is Severity.ERROR for problem in problems),
        "warnings": sum(problem.severity is Severity.WARNING for problem in problems),
        "problems": [problem.to_dict() for problem in problems],
    }
    return _json_printable(json.dumps(payload, indent=2, ensure_ascii=False)) + "\n"


def _json_printable(text: str) -> str:
    """JSON with every character that is not printable written as a \\u escape (json.dumps escapes C0
    controls only; C1 controls and bidirectional overrides would reach the terminal as they are)."""

    def escape(char: str) -> str:
        code = ord(char)
        if code > 0xFFFF:  # a surrogate pair, as JSON writes it
            code -= 0x10000
            return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"
        return f"\\u{code:04x}"

    return "".join(char if char.isprintable() or char == "\n" else escape(char) for char in text)


def _escape_data(text: str) -> str:
    # GitHub workflow command escaping: https://github.com/actions/toolkit (core/src/command.ts)
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


# GitHub shows at most 10 error, 10 warning and 10 notice annotations per step (and 50 per job); the
# rest stay in the log only (actions/toolkit, docs/problem-matchers.md, "Limitations").
ANNOTATIONS_PER_STEP = 10


def github_report(problems: list[Problem], files_checked: int) -> str:
    """One ``::error``/``::warning`` workflow command per problem, so they show on the PR diff:
    errors first (GitHub keeps the first ones it is given of each kind), then a notice when
    GitHub's limit per step hides some."""
    errors = [problem for problem in problems if problem.severity is Severity.ERROR]
    warnings = [problem for problem in problems if problem.severity is not Severity.ERROR]
    lines = []
    for problem in errors + warnings:
        command = "error" if problem.severity is Severity.ERROR else "warning"
        properties = [f"file={_escape_property(printable(problem.file))}"]
        if problem.line:
            properties += [f"line={problem.line}", f"col={problem.column}"]
        properties.append(f"title={_escape_property(printable(problem.rule))}")
        message = problem.message + (f" ({problem.fix})" if problem.fix else "")
        # Controls escaped first (no ESC, no line break left), then the workflow command's own escapes.
        lines.append(f"::{command} {','.join(properties)}::{_escape_data(printable(message))}")
    hidden = [
        f"{len(found) - ANNOTATIONS_PER_STEP} of {len(found)} {kind}"
        for found, kind in ((errors, "errors"), (warnings, "warnings"))
        if len(found) > ANNOTATIONS_PER_STEP
    ]
    if hidden:
        lines.append(
            f"::notice title=More problems than annotations::{' and '.join(hidden)} are not shown as annotations "
            f"(GitHub shows {ANNOTATIONS_PER_STEP} of each kind per step): every problem is in this step's log"
        )
    lines.append(text_report(problems, files_checked).splitlines()[-1])
    return "\n".join(lines) + "\n"


REPORTERS: dict[str, Callable[[list[Problem], int], str]] = {
    "text": text_report,
    "json": json_report,
    "github": github_report,
}
