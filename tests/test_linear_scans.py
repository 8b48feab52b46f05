"""Every scan of a file or a value runs in time linear in its length.

A 200 KB file of `http://` or `[Port number` repeated took Python's re over a minute in the secret
and placeholder scans (each start retried to the end of the text). By construction, every pattern
of those scans is compiled by RE2 (secrets.linear), which never backtracks. Proved here: for each
pattern, 1 MiB (the largest file the loader reads) of each prefix of a text it matches, repeated,
is scanned in under 2 seconds. The texts are derived from the patterns themselves
(benchmarks/scan_inputs.py), so a rule added to the rule files is covered without a line here.
"""

from __future__ import annotations

import random
import sys

import pytest

from deploydocs.core import secrets
from deploydocs.core.rules import content

from repo_support import REPO

sys.path.insert(0, str(REPO / "benchmarks"))
import scan_inputs  # noqa: E402

LIMIT = 2.0  # seconds for 1 MiB
PROBES = list(scan_inputs.probes())


def test_every_scan_pattern_is_compiled_by_re2() -> None:
    re2_type = type(secrets.linear("x"))
    patterns = [rule.regex for rule in secrets.rule_set().rules]
    patterns += [allowlist.regex for rule in secrets.rule_set().rules for allowlist in rule.allowlists]
    patterns += [secrets._in_joined(n) for n in range(len(secrets.rule_set().rules))]
    patterns += [content.PLACEHOLDER, content._PLACEHOLDER_IN_FILE]
    assert all(isinstance(pattern, re2_type) for pattern in patterns if pattern is not None)
    assert len(PROBES) > len(secrets.rule_set().rules)  # one probe per rule at least, and the others


@pytest.mark.parametrize("probe", PROBES, ids=[probe.name for probe in PROBES])
def test_a_mebibyte_of_a_patterns_prefixes_is_scanned_in_under_two_seconds(probe: scan_inputs.Probe) -> None:
    assert probe.units
    seconds, unit = scan_inputs.time_probe(probe)
    assert seconds < LIMIT, f"{probe.name}: {seconds:.2f} s for 1 MiB of {unit!r} repeated"


@pytest.mark.parametrize(("name", "text"), list(scan_inputs.document_probes()))
def test_a_mebibyte_file_is_scanned_in_under_two_seconds(name: str, text: str) -> None:
    seconds = scan_inputs.time_document(text)
    assert seconds < LIMIT, f"{name}: {seconds:.2f} s"


def test_the_issues_cases_take_milliseconds() -> None:
    for unit in ("http://", "[Port number"):
        text = scan_inputs.repeated(unit, 200_000)
        seconds, _ = scan_inputs.time_probe(scan_inputs.Probe(unit, (unit,), scan_inputs._scan_placeholders), 200_000)
        assert seconds < 0.5, (unit, seconds)
        assert not list(secrets.scan_text(text))


def test_the_keyword_prefilter_finds_a_keyword_after_a_mebibyte_of_noise() -> None:
    """RE2 answers "no match" when a set's automaton runs out of memory; the keyword set is literal
    strings only, whose automaton is small whatever the text: noise cannot hide a keyword."""
    rng = random.Random(5)
    noise = "".join(rng.choice("abcdefghijklmnopqrstuvwxyz0123456789_-=:/ \n") for _ in range(scan_inputs.MIB))
    secret = "ghp_vBprmdAin7XTN0aV2osgdYRPUTjbYxI2fxnl"
    found = [secrets.rule_set().rules[n].id for n in secrets.hot_rules([noise + " " + secret])]
    assert "github-pat" in found
    assert any(kind == "github-pat" for _, kind in secrets.scan_text(noise + " " + secret))
