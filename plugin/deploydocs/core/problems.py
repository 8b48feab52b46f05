"""Problems found in records: where, which rule, what is wrong and how to fix it."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, order=True)
class Problem:
    """One problem, addressed as ``file:line:col`` (1-based; 0 means the whole file)."""

    file: str
    line: int
    column: int
    rule: str
    message: str
    fix: str = ""
    severity: Severity = Severity.ERROR

    def format(self) -> str:
        """``records/x.yaml:12:7: [rule-id] message (how to fix)``"""
        where = f"{self.file}:{self.line}:{self.column}" if self.line else self.file
        text = f"{printable(where)}: [{printable(self.rule)}] {printable(self.message)}"
        if self.fix:
            text += f" ({printable(self.fix)})"
        if self.severity is Severity.WARNING:
            text += " [warning]"
        return text

    def to_dict(self) -> dict[str, object]:
        return {
            "file": self.file,
            "line": self.line,
            "column": self.column,
            "rule": self.rule,
            "severity": self.severity.value,
            "message": self.message,
            "fix": self.fix,
        }


def printable(text: str) -> str:
    """Text for a terminal or a log, on one line: every character that is not printable (line breaks,
    escape sequences' ESC, C1 controls, bidirectional overrides, zero-width characters) is written as
    its Python escape (``\\x1b``, ``\\u202e``). File names and record values cannot then break the
    one-problem-per-line format, fake a problem line or run escape sequences in the reader's terminal.
    """
    if text.isprintable():
        return text
    return "".join(char if char.isprintable() else char.encode("unicode_escape").decode("ascii") for char in text)


def sort_problems(problems: list[Problem]) -> list[Problem]:
    """Stable, reader-friendly order: by file, then position, then rule."""
    return sorted(set(problems), key=lambda p: (p.file, p.line, p.column, p.rule, p.message))


def errors(problems: list[Problem]) -> list[Problem]:
    return [problem for problem in problems if problem.severity is Severity.ERROR]
