"""Find values that look like credentials before they are published.

Records are public to every reader of the site. A false positive is silenced on its own line with
the comment ``# deploydocs: allow-secret`` (documented in docs/security.md); nothing else turns
this off.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from .load import Document, iter_strings, may_hide_characters

ALLOW_MARKER = "deploydocs: allow-secret"
MIN_SECRET_LENGTH = 8  # nothing shorter matches any pattern below; most values are "done"


@dataclass(frozen=True)
class Finding:
    line: int
    column: int
    kind: str
    path: str


_ASSIGNED_NAMES = (
    r"password|passwd|pwd|secret|client[_-]?secret|api[_-]?key|access[_-]?key|secret[_-]?key|auth[_-]?token|"
    r"access[_-]?token|private[_-]?key"
)

_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("a private key block", re.compile(r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----")),
    ("an AWS access key id", re.compile(r"\b(?:AKIA|ASIA|AGPA|AIDA|AROA|ANPA)[0-9A-Z]{16}\b")),
    ("a GitHub token", re.compile(r"\b(?:gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{60,})\b")),
    ("a Slack token", re.compile(r"\bxox[abposr]-[A-Za-z0-9-]{10,}")),
    ("a Google API key", re.compile(r"\bAIza[0-9A-Za-z_-]{35}\b")),
    ("a Stripe secret key", re.compile(r"\b[rs]k_live_[0-9A-Za-z]{16,}\b")),
    ("a JSON Web Token", re.compile(r"\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}")),
    (
        "a password or secret assignment",
        re.compile(
            rf"(?i)(?<![:/\w-])(?:{_ASSIGNED_NAMES})\b\s*[=:]\s*['\"]?"
            r"(?![<{\[$%]|\*{3}|x{3})([^\s'\",;]{6,})"
        ),
    ),
    ("credentials inside a URL", re.compile(r"\b[a-z][a-z0-9+.-]*://[^\s/:@]+:[^\s/@]{3,}@[^\s/]+", re.IGNORECASE)),
)

# What every finding of scan_text needs in the text it is found in (for a URL token: a query value of
# at least 16 characters). Text with none of it holds no finding, so these searches settle most records
# and most strings; the patterns themselves run only where something is found. Each search starts
# with a literal, which the regex engine skips ahead to: one regex of them all, or one ignoring case,
# is several times slower. The names of assignments are searched for in the lower-cased text.
_NEEDED = tuple(
    re.compile(pattern)
    for pattern in (
        r"-----BEGIN",
        r"A(?:KIA|SIA|GPA|IDA|ROA|NPA)[0-9A-Z]{16}",
        r"gh[pousr]_",
        r"github_pat_",
        r"xox[abposr]-",
        r"AIza",
        r"k_live_",
        r"eyJ",
        r"://[^\s/:@]+:[^\s/@]{3,}@",
        r"""https?://[^\s<>"')\]]*\?[^\s<>"')\]#]*=[^\s<>"')\]&#]{16,}""",
    )
)
_NEEDED_IN_LOWERCASE = tuple(
    re.compile(name + r"\b\s*[=:]")
    for name in (
        r"passw(?:or)?d",
        r"pwd",
        r"secret(?:[_-]?key)?",  # client_secret too: no look-behind here
        r"api[_-]?key",
        r"access[_-]?(?:key|token)",
        r"auth[_-]?token",
        r"private[_-]?key",
    )
)
_SECRET_PARAMS = re.compile(r"(?i)^(?:token|access_token|auth|key|api_key|apikey|sig|signature|secret|password|code)$")
_URL = re.compile(r"https?://[^\s<>\"')\]]+")


def _entropy(text: str) -> float:
    counts = {char: text.count(char) for char in set(text)}
    return -sum(n / len(text) * math.log2(n / len(text)) for n in counts.values())


def _url_tokens(text: str) -> Iterator[tuple[int, str]]:
    """High-entropy values of secret-looking query parameters (``?token=…``, ``&sig=…``)."""
    for match in _URL.finditer(text):
        query = urlsplit(match.group(0)).query
        for name, value in parse_qsl(query, keep_blank_values=True):
            entropy = _entropy(value) if len(value) >= 16 else 0.0
            if entropy >= 4.0 or (entropy >= 3.5 and _SECRET_PARAMS.match(name)):
                yield match.start() + match.group(0).find(value), "a high-entropy token in a URL"


def _looks_secret(value: str) -> bool:
    """An assigned value worth flagging: not a plain word such as "rotated" or "configured"."""
    return len(value) >= 12 or bool(re.search(r"[\d!#%&*+/=?@^_~-]", value))


def scan_text(text: str) -> Iterator[tuple[int, str]]:
    """(offset, kind) of everything in ``text`` that looks like a credential."""
    for kind, pattern in _PATTERNS:
        for match in pattern.finditer(text):
            if match.groups() and not _looks_secret(match.group(1)):
                continue
            yield match.start(), kind
    yield from _url_tokens(text)


def might_hold_secret(text: str) -> bool:
    """False only if no string written in this text (a YAML file, or one value) holds a finding of
    :func:`scan_text`.

    Text that may spell characters it does not show (load.may_hide_characters) is always scanned
    string by string; line folding only turns whitespace into other whitespace, which the patterns
    match alike.
    """
    if may_hide_characters(text) or any(pattern.search(text) for pattern in _NEEDED):
        return True
    lowered = text.lower()
    return any(pattern.search(lowered) for pattern in _NEEDED_IN_LOWERCASE)


def scan_document(document: Document) -> list[Finding]:
    """Findings in every string value of a document, with their line and column in the file."""
    if not might_hold_secret(document.text):
        return []
    lines = document.text.split("\n")
    findings: list[Finding] = []
    for path, value in iter_strings(document.data):
        if len(value) < MIN_SECRET_LENGTH or not might_hold_secret(value):
            continue
        for offset, kind in scan_text(value):
            line, column = _locate(document, lines, path, value, offset)
            key_line = document.positions.of_key(path)[0]
            if any(0 < n <= len(lines) and ALLOW_MARKER in lines[n - 1] for n in (line, key_line)):
                continue
            findings.append(Finding(line, column, kind, ".".join(str(p) for p in path)))
    seen: set[tuple[int, int]] = set()
    unique = []
    for finding in findings:
        if (finding.line, finding.column) not in seen:
            seen.add((finding.line, finding.column))
            unique.append(finding)
    return unique


def _locate(document: Document, lines: list[str], path: tuple[Any, ...], value: str, offset: int) -> tuple[int, int]:
    """Where the matched text stands in the file: search from the value's position onwards."""
    line, column = document.positions.of_value(path)
    needle = value[offset : offset + 12]
    for number in range(line, min(len(lines), line + value.count("\n") + 200) + 1):
        start = lines[number - 1].find(needle, column - 1 if number == line else 0)
        if start >= 0:
            return number, start + 1
    return line, column
