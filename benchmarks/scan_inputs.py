"""Worst-case inputs for every pattern the scans run over whole files or long values.

A backtracking engine is slow on text that almost matches, again and again: a prefix of a match,
repeated (a 200 KB file of `http://` or of `[Port number` took Python's re over a minute). For each
pattern this module derives such texts from the pattern itself (:func:`skeleton`: a text it matches,
built from its parse tree), so a new pattern or rule is covered by construction, and times the real
scan over 1 MiB (the largest file the loader reads) of each prefix repeated.

Used by tests/test_linear_scans.py (each under 2 s) and benchmarks/run.py (the worst case).
"""

from __future__ import annotations

import re
import time
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from re import _constants as sre  # type: ignore[attr-defined]
from re import _parser  # type: ignore[attr-defined]
from typing import Any

from deploydocs.core import load, secrets
from deploydocs.core.load import parse_document
from deploydocs.core.rules import content

MIB = 1 << 20
_CATEGORY = {sre.CATEGORY_DIGIT: "7", sre.CATEGORY_WORD: "k", sre.CATEGORY_SPACE: " "}


def skeleton(pattern: str, repeat_cap: int = 200) -> str:
    """A text ``pattern`` matches, or nearly: the first branch of each alternation, one member of each
    class, each repetition at its minimum (at least once). RE2's inline flags and ``\\z`` are read as
    Python's parser spells them; the parser only reads the pattern, the scans run it with RE2."""
    text = re.sub(r"\(\?[imsU]+\)", "", pattern).replace(r"\z", r"\Z")
    with warnings.catch_warnings():  # "possible nested set": RE2 reads `[[` as Python does today
        warnings.simplefilter("ignore", FutureWarning)
        return _walk(_parser.parse(text), repeat_cap)


def _walk(items: Any, cap: int) -> str:
    out = []
    for op, arg in items:
        if op is sre.LITERAL:
            out.append(chr(arg))
        elif op is sre.NOT_LITERAL:
            out.append("k" if chr(arg) != "k" else "q")
        elif op is sre.ANY:
            out.append("k")
        elif op is sre.IN:
            out.append(_member(arg))
        elif op in (sre.MAX_REPEAT, sre.MIN_REPEAT, getattr(sre, "POSSESSIVE_REPEAT", None)):
            low, _high, sub = arg
            out.append(_walk(sub, cap) * min(max(low, 1), cap))
        elif op is sre.SUBPATTERN:
            out.append(_walk(arg[-1], cap))
        elif op is sre.BRANCH:
            out.append(_walk(arg[1][0], cap))
        elif op in (sre.ATOMIC_GROUP,):
            out.append(_walk(arg, cap))
        # AT (anchors, \b), GROUPREF, ASSERT: nothing to write
    return "".join(out)


def _member(members: Any) -> str:
    negated = False
    for op, arg in members:
        if op is sre.NEGATE:
            negated = True
        elif negated:
            continue
        elif op is sre.LITERAL:
            return chr(arg)
        elif op is sre.RANGE:
            return chr(arg[0])
        elif op is sre.CATEGORY:
            return _CATEGORY.get(arg, "k")
    # a negated class: a letter it very likely lets through
    return "k"


def prefixes(example: str) -> list[str]:
    """Proper prefixes of a match (half of it, all but its last character) and the whole match:
    repeated, they are what makes a backtracking engine retry from every position."""
    cuts = sorted({max(1, len(example) // 2), max(1, len(example) - 1)})
    return [example[:cut] for cut in cuts] + [example]


def repeated(unit: str, size: int = MIB) -> str:
    return (unit * (size // max(1, len(unit)) + 1))[:size]


@dataclass(frozen=True)
class Probe:
    """One pattern, the texts to try it on, and the scan that runs it as the tool does."""

    name: str
    units: tuple[str, ...]
    scan: Callable[[str], Any]


def _scan_value(text: str) -> None:
    secrets.hot_rules([text])
    for _ in secrets.scan_text(text):
        pass


def _scan_placeholders(text: str) -> None:
    # As a file and as one value: the whole-file search, then the search of each value.
    content._PLACEHOLDER_IN_FILE.search(text)
    content.PLACEHOLDER.search(text)


def probes() -> Iterator[Probe]:
    """Every pattern the scans use: the secret rules (as run on values and on the joined values) and
    their allowlists, the placeholder patterns, and the loader's patterns over a file or a scalar."""
    rules = secrets.rule_set().rules
    for rule in rules:
        example = skeleton(rule.regex.pattern)
        # _scan_value runs the rule as the prefilter does (on joined values) and on the value.
        units = {*prefixes(example), *rule.keywords[:1]}
        yield Probe(f"secret rule {rule.id}", tuple(sorted(units)), _scan_value)
    seen: set[str] = set()
    for rule in rules:
        for allowlist in rule.allowlists:
            regex = allowlist.regex
            if regex is not None and regex.pattern not in seen:
                seen.add(regex.pattern)
                units = tuple(prefixes(skeleton(regex.pattern)))
                yield Probe(f"allowlist {regex.pattern[:40]}", units, regex.search)
    for name, pattern in (("PLACEHOLDER", content.PLACEHOLDER), ("placeholder in file", content._PLACEHOLDER_IN_FILE)):
        yield Probe(name, tuple(prefixes(skeleton(pattern.pattern))), _scan_placeholders)
    for name in ("_LEADING_TABS", "_NULL", "_BOOL", "_INT", "_FLOAT"):
        pattern = getattr(load, name)
        yield Probe(f"load.{name}", tuple(prefixes(skeleton(pattern.pattern))), pattern.search)


def document_probes() -> Iterator[tuple[str, str]]:
    """(name, YAML text) of 1 MiB files for the scans of whole documents (secrets and placeholders,
    positions of every finding): a literal block of each issue's case and of a match repeated."""
    cases = {
        "http:// repeated": "http://",
        "[Port number repeated": "[Port number",
        "a password assignment repeated": "password=Hunter2!x ",
        "a URL with credentials repeated": "redis://:SV20CtJt9Upda3muFz@cache ",
    }
    for name, unit in cases.items():
        yield name, "id: x\nnotes: |\n  " + repeated(unit, MIB - 64).replace("\n", " ") + "\n"


def time_probe(probe: Probe, size: int = MIB) -> tuple[float, str]:
    """The slowest of ``probe``'s texts (seconds) and the unit that took it."""
    worst = (0.0, "")
    for unit in probe.units:
        text = repeated(unit, size)
        start = time.perf_counter()
        probe.scan(text)
        worst = max(worst, (time.perf_counter() - start, unit))
    return worst


def time_document(text: str) -> float:
    """Seconds for the secret and placeholder scans of one parsed file (parsing not counted)."""
    document = parse_document(text, "records/x.yaml")
    start = time.perf_counter()
    secrets.secret_problems(document)
    content.placeholder_problems(document)
    return time.perf_counter() - start


def worst_case(size: int = MIB) -> dict[str, Any]:
    """The slowest scan over every probe and document probe: for the benchmark report."""
    worst = {"seconds": 0.0, "pattern": "", "unit": ""}
    count = 0
    for probe in probes():
        seconds, unit = time_probe(probe, size)
        count += len(probe.units)
        if seconds > worst["seconds"]:
            worst = {"seconds": seconds, "pattern": probe.name, "unit": unit}
    for name, text in document_probes():
        seconds = time_document(text)
        count += 1
        if seconds > worst["seconds"]:
            worst = {"seconds": seconds, "pattern": f"whole file: {name}", "unit": ""}
    return {**worst, "inputs": count, "size_bytes": size}
