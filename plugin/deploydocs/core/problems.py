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
        text = f"{where}: [{self.rule}] {_one_line(self.message)}"
        if self.fix:
            text += f" ({_one_line(self.fix)})"
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


def _one_line(text: str) -> str:
    """Record values inside messages must not break the one-problem-per-line format."""
    return "".join(char if char.isprintable() else char.encode("unicode_escape").decode("ascii") for char in text)


def sort_problems(problems: list[Problem]) -> list[Problem]:
    """Stable, reader-friendly order: by file, then position, then rule."""
    return sorted(set(problems), key=lambda p: (p.file, p.line, p.column, p.rule, p.message))


def errors(problems: list[Problem]) -> list[Problem]:
    return [problem for problem in problems if problem.severity is Severity.ERROR]
