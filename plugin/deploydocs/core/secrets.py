"""Find values that look like credentials before they are published.

The rules are data: gitleaks' default rule set (``data/gitleaks.toml``, copied unchanged from a
gitleaks release) and deploydocs' additions in the same format (``data/secret_rules.toml``), read by
one engine that follows gitleaks' semantics: a rule runs on a text only if one of its keywords is in
it (lower-cased), its secret is the first non-empty capture group, a finding needs more entropy than
the rule's threshold, and allowlists (global, per rule, and ``[[allowlists]]`` with ``targetRules``)
drop a finding whose secret, match or line they match, or whose secret holds a stopword.

Every pattern is compiled by RE2 (:func:`linear`), which runs in time linear in the text whatever the
pattern and the text: no record can make a scan slow. Why gitleaks' rules and not detect-secrets'
plugins, and what the scan finds and misses: docs/security.md.

Records are public to every reader of the site. A false positive is silenced on its own line with
the comment ``# deploydocs: allow-secret``; nothing else turns this off.
"""

from __future__ import annotations

import bisect
import functools
import math
import tomllib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from importlib import resources
from typing import Any

import re2

from .load import Document, iter_strings
from .problems import Problem

ALLOW_MARKER = "deploydocs: allow-secret"
MIN_SECRET_LENGTH = 8  # a shorter value holds no credential worth a rule; most values are "done"
RULE_FILES = ("gitleaks.toml", "secret_rules.toml")  # in core/data/; ids are unique across them

_OPTIONS = re2.Options()
_OPTIONS.max_mem = 64 << 20  # the DFA of gitleaks' largest patterns needs more than the 8 MiB default
_OPTIONS.log_errors = False
_SPANS = re2.Options()  # where matches are, without capture groups: RE2's automaton alone, no NFA
_SPANS.max_mem = _OPTIONS.max_mem
_SPANS.log_errors = False
_SPANS.never_capture = True


def linear(pattern: str) -> Any:
    """``pattern`` compiled by RE2: matching takes time linear in the text, never backtracking.

    Every scan of a file or of a value goes through here (tests/test_linear_scans.py times each
    pattern on 1 MiB of its own prefixes).
    """
    return re2.compile(pattern, _OPTIONS)


@dataclass(frozen=True)
class Finding:
    line: int
    column: int
    kind: str
    path: str


@dataclass(frozen=True)
class Allowlist:
    """gitleaks' ``[[rules.allowlists]]``: ``regexes`` against a part of the finding, or stopwords."""

    regex: Any  # its regexes as one alternation (one search, not one per regex), or None
    target: str  # "secret", "match" or "line"
    stopwords: tuple[str, ...]
    require_all: bool  # condition = "AND"

    def allows(self, secret: str, match: str, line: _Lines, span: tuple[int, int]) -> bool:
        checks = []
        if self.regex is not None:
            if self.target == "line":
                checks.append(line.matches(self.regex, span))
            else:
                checks.append(self.regex.search(match if self.target == "match" else secret) is not None)
        if self.stopwords:
            lowered = secret.lower()
            checks.append(any(word in lowered for word in self.stopwords))
        return bool(checks) and (all(checks) if self.require_all else any(checks))


@dataclass(frozen=True)
class Rule:
    id: str
    description: str
    regex: Any
    spans: Any  # the same pattern without capture groups: the same matches, several times faster
    keywords: tuple[str, ...]  # lower case
    secret_group: int
    entropy: float
    allowlists: tuple[Allowlist, ...]


@dataclass(frozen=True)
class RuleSet:
    rules: tuple[Rule, ...]
    keyword_set: Any  # re2.Set of every keyword: one pass over a file finds which rules can match
    keyword_rules: tuple[tuple[int, ...], ...]  # keyword index -> indexes of the rules it enables


def _allowlist(entry: dict[str, Any]) -> Allowlist | None:
    if entry.get("paths") or entry.get("commits"):
        # Path allowlists name files of source trees (lock files, vendored code), not records; their
        # regexes are left out too, so the rule finds more, never less.
        return None
    regexes = entry.get("regexes", ())
    return Allowlist(
        # RE2 scopes an inline flag such as (?i) to its group, so each regex keeps its own meaning.
        regex=linear("|".join(f"(?:{pattern})" for pattern in regexes)) if regexes else None,
        target=entry.get("regexTarget", "secret"),
        stopwords=tuple(word.lower() for word in entry.get("stopwords", ())),
        require_all=entry.get("condition", "OR").upper() == "AND",
    )


def _rule_files() -> list[dict[str, Any]]:
    data = resources.files("deploydocs.core").joinpath("data")
    return [tomllib.loads(data.joinpath(name).read_text(encoding="utf-8")) for name in RULE_FILES]


@functools.cache
def rule_set() -> RuleSet:
    """Every rule of RULE_FILES, compiled (once per process)."""
    configs = _rule_files()
    shared: list[Allowlist] = []  # the global [allowlist] of each file: every rule
    targeted: dict[str, list[Allowlist]] = {}  # [[allowlists]] with targetRules
    for config in configs:
        for entry in ([config["allowlist"]] if "allowlist" in config else []) + config.get("allowlists", []):
            allowlist = _allowlist(entry)
            if allowlist is None:
                continue
            for rule_id in entry.get("targetRules", ()):
                targeted.setdefault(rule_id, []).append(allowlist)
            if not entry.get("targetRules"):
                shared.append(allowlist)
    rules = []
    for config in configs:
        for entry in config.get("rules", []):
            if "regex" not in entry:
                continue  # a rule on file names only (`*.p12`): records are YAML
            own = [a for a in map(_allowlist, entry.get("allowlists", ())) if a is not None]
            rules.append(
                Rule(
                    id=entry["id"],
                    description=entry.get("description", entry["id"]),
                    regex=linear(entry["regex"]),
                    spans=re2.compile(entry["regex"], _SPANS),
                    keywords=tuple(keyword.lower() for keyword in entry.get("keywords", ())),
                    secret_group=entry.get("secretGroup", 0),
                    entropy=float(entry.get("entropy", 0.0)),
                    allowlists=(*own, *targeted.get(entry["id"], ()), *shared),  # the likeliest first
                )
            )
    if len({rule.id for rule in rules}) != len(rules):
        raise ValueError("two secret rules share an id")
    keywords = sorted({keyword for rule in rules for keyword in rule.keywords})
    keyword_set = re2.Set.SearchSet(_OPTIONS)
    for keyword in keywords:
        # In a file, a space of a keyword may stand as a line break (a folded value).
        keyword_set.Add(r"\s+".join(re2.escape(part) for part in keyword.split(" ")))
    keyword_set.Compile()
    index = {keyword: n for n, keyword in enumerate(keywords)}
    enabled: list[list[int]] = [[] for _ in keywords]
    for number, rule in enumerate(rules):
        if not rule.keywords:
            raise ValueError(f"secret rule {rule.id} has no keywords: the prefilter could not skip any file")
        for keyword in rule.keywords:
            enabled[index[keyword]].append(number)
    return RuleSet(tuple(rules), keyword_set, tuple(tuple(rules) for rules in enabled))


def _entropy(text: str) -> float:
    """Shannon entropy in bits per character, as gitleaks computes it."""
    counts = {char: text.count(char) for char in set(text)}
    return -sum(n / len(text) * math.log2(n / len(text)) for n in counts.values())


def _candidates(text: str) -> tuple[int, ...]:
    """Indexes of the rules one of whose keywords is in ``text`` (lower-cased): the only ones that can match.

    The keyword set is literal strings only, so RE2's automaton for it stays small whatever the text
    (a set of regexes could run out of memory and answer "no match").
    """
    rules = rule_set()
    found = rules.keyword_set.Match(text.lower()) or ()  # None when none is in it
    return tuple(sorted({rule for keyword in found for rule in rules.keyword_rules[keyword]}))


_ABSOLUTE_END = re2.compile(r"((?:^|[^\\])(?:\\\\)*)\\z")


@functools.cache
def _in_joined(number: int) -> Any:
    """Rule ``number``'s pattern as it matches a value standing on its own line among others.

    Values are joined by line breaks; with ``(?m)`` their starts and ends are ``^`` and ``$`` as
    the ends of a lone value are, and ``\\z`` becomes ``$``. Every other context a pattern tests
    (``\\b``, a class around the match) sees a line break or the value's own text, as it sees the
    value's end or text alone; RE2 has no look-around. So a pattern that matches in a value matches
    in the joined text (the converse need not hold: a match across two values only costs time).
    """
    pattern = rule_set().rules[number].regex.pattern
    if "\\A" in pattern:
        raise ValueError(f"secret rule {rule_set().rules[number].id}: \\A has no equivalent in joined values")
    return linear("(?m)" + _ABSOLUTE_END.sub(r"\1$", pattern))


def hot_rules(values: list[str]) -> tuple[int, ...]:
    """Indexes of the rules that may find something in one of ``values``: one of their keywords is in
    them, and their pattern matches their joined text. No other rule finds anything in any of them.

    Two passes over the text for most files (keywords, then the few rules they name), instead of a
    pass per value and rule; entropy and allowlists are left to the scan of each value.
    """
    joined = "\n".join(values)
    data = joined.encode("utf-8")
    return tuple(number for number in _candidates(joined) if _in_joined(number).search(data))


def _strings(data: Any) -> list[str]:
    """Every string value of loaded data that is long enough to hold a secret, in any order."""
    found: list[str] = []
    stack = [data]
    while stack:
        value = stack.pop()
        if isinstance(value, str):
            if len(value) >= MIN_SECRET_LENGTH:
                found.append(value)
        elif isinstance(value, dict):
            stack.extend(value.values())
        elif isinstance(value, list):
            stack.extend(value)
    return found


class _Lines:
    """The lines of a text for allowlists of lines, each searched once per regex: a finding's line is
    found by bisection, so many findings on one long line cost no more than the line."""

    def __init__(self, data: bytes):
        self.data = data
        self.breaks: list[int] | None = None
        self.verdicts: dict[tuple[int, int], bool] = {}

    def first(self, offset: int) -> int:
        """Where the line holding ``offset`` starts."""
        if self.breaks is None:
            self.breaks, at = [], self.data.find(b"\n")
            while at >= 0:
                self.breaks.append(at)
                at = self.data.find(b"\n", at + 1)
        index = bisect.bisect_left(self.breaks, offset)
        return self.breaks[index - 1] + 1 if index else 0

    def matches(self, regex: Any, span: tuple[int, int]) -> bool:
        first = self.first(span[0])
        key = (id(regex), first)
        if key not in self.verdicts:
            last = self.data.find(b"\n", max(first, span[1] - 1))  # a match may span lines: to its end
            self.verdicts[key] = regex.search(self.data[first : last if last >= 0 else len(self.data)]) is not None
        return self.verdicts[key]


def _rule_findings(rule: Rule, data: bytes) -> Iterator[tuple[int, int]]:
    """(start, end) in bytes of the findings of ``rule`` in ``data`` (UTF-8)."""
    verdicts: dict[tuple[bytes, int], bool] = {}  # a match written many times (on a line) is judged once
    lines = _Lines(data)
    by_line = any(allowlist.target == "line" for allowlist in rule.allowlists)
    for span_match in rule.spans.finditer(data):
        whole, span = span_match.group(0), span_match.span()
        key = (whole, lines.first(span[0]) if by_line else 0)
        finding = verdicts.get(key)
        if finding is None:
            finding = _judge(rule, rule.regex.search(data, span[0]), lines)
            verdicts[key] = finding
        if finding:
            # A pattern may begin with the character before a name (no look-behind in RE2): skip space.
            yield span[0] + len(whole) - len(whole.lstrip()), span[1]


def _judge(rule: Rule, match: Any, lines: _Lines) -> bool:
    """Whether a match is a finding: its secret's entropy, then the allowlists.

    ``match`` is the capturing pattern's match from the start of the span found without captures:
    the same match, leftmost from there (RE2 sees the whole text as context either way).
    """
    groups = match.groups()
    if rule.secret_group:
        found = groups[rule.secret_group - 1] or b""
    else:
        found = next((group for group in groups if group), match.group(0))
    secret = found.decode("utf-8")  # RE2 matches whole UTF-8 characters
    if rule.entropy and _entropy(secret) <= rule.entropy:
        return False
    whole, span = match.group(0).decode("utf-8"), match.span()
    return not any(allowlist.allows(secret, whole, lines, span) for allowlist in rule.allowlists)


def _scan(text: str, rules: Iterable[int]) -> Iterator[tuple[int, str]]:
    all_rules = rule_set().rules
    lowered = text.lower()
    # RE2 on the UTF-8 bytes: the binding's str path maps offsets back to characters at every match,
    # six times the cost of the match itself on a file of many matches.
    data = text.encode("utf-8")
    spans: list[tuple[int, int, str]] = []
    for number in rules:
        rule = all_rules[number]
        if any(keyword in lowered for keyword in rule.keywords):
            spans.extend((start, end, rule.id) for start, end in _rule_findings(rule, data))
    # One secret found by several rules (a PEM block: its header and its body) is one finding.
    end_of_last = -1
    at_byte = at_char = 0  # byte offsets to character offsets, in one pass (spans are sorted)
    for start, end, rule_id in sorted(spans, key=lambda span: (span[0], -span[1], span[2])):
        if start >= end_of_last:
            if len(data) != len(text):
                at_char += len(data[at_byte:start].decode("utf-8"))
                at_byte = start
            yield (at_char if len(data) != len(text) else start), rule_id
        end_of_last = max(end_of_last, end)


def scan_text(text: str) -> Iterator[tuple[int, str]]:
    """(offset, rule id) of everything in ``text`` (one value) that looks like a credential."""
    if len(text) < MIN_SECRET_LENGTH:
        return iter(())
    return _scan(text, _candidates(text))


def might_hold_secret(text: str) -> bool:
    """False only if :func:`scan_text` finds nothing in ``text`` (one value): the prefilter."""
    return len(text) >= MIN_SECRET_LENGTH and bool(hot_rules([text]))


def describe(rule_id: str) -> str:
    """What a rule finds, for messages."""
    rule = next((rule for rule in rule_set().rules if rule.id == rule_id), None)
    return rule.description if rule is not None else rule_id


def scan_document(document: Document) -> list[Finding]:
    """Findings in every string value of a document, with their line and column in the file."""
    rules = hot_rules(_strings(document.data))  # values as loaded: escapes and folding are undone
    if not rules:
        return []  # most files
    lines = document.text.split("\n")
    # Lines that carry the allowance, found once: asking per finding reads a long line again each time.
    allowed = {number for number, text in enumerate(lines, 1) if ALLOW_MARKER in text}
    findings: list[Finding] = []
    seen: set[tuple[int, int]] = set()
    for path, value in iter_strings(document.data):
        if len(value) < MIN_SECRET_LENGTH:
            continue
        found = list(_scan(value, rules))
        if not found:
            continue
        key_line = document.positions.of_key(path)[0]
        for line, column, rule_id in _locate(document, lines, path, value, found):
            if (line, column) in seen:
                continue
            if line in allowed or key_line in allowed:
                continue
            seen.add((line, column))
            findings.append(Finding(line, column, rule_id, ".".join(str(p) for p in path)))
    return findings


def _locate(
    document: Document, lines: list[str], path: tuple[Any, ...], value: str, found: list[tuple[int, str]]
) -> Iterator[tuple[int, int, str]]:
    """Where each matched text stands in the file: searched forwards from the value's position, one
    finding after the other, so the search is linear in the value; a value whose text the file spells
    otherwise (escapes, folding) gives the value's own position from then on."""
    line, column = document.positions.of_value(path)
    last = min(len(lines), line + value.count("\n") + 200)  # folding adds no lines beyond the value's
    number, start = line, column - 1
    lost = False
    for offset, rule_id in found:
        needle = value[offset : offset + 12].split("\n")[0]
        while not lost and number <= last:
            at = lines[number - 1].find(needle, start) if needle else -1
            if at >= 0:
                start = at + 1  # the next finding starts after this one (findings do not overlap)
                break
            number, start = number + 1, 0
        if lost or number > last:
            lost = True
            yield line, column, rule_id
        else:
            yield number, start, rule_id


def secret_problems(document: Document) -> list[Problem]:
    """Credential-looking values of any file that reaches the site (a record, the registry, a policy)."""
    return [
        Problem(
            document.path,
            finding.line,
            finding.column,
            "secret-detected",
            f"{finding.path} contains what looks like a secret (rule `{finding.kind}`); "
            "everything in this file is published to every reader",
            "remove it and rotate the credential; for a false positive add the comment "
            f"`# {ALLOW_MARKER}` at the end of the line",
        )
        for finding in scan_document(document)
    ]
