"""The secret and placeholder scans skip a file when one search of its text finds nothing they need.

These tests hold that shortcut to never hide a finding: values that hold secrets and placeholders,
written in every YAML style PyYAML emits (plain, quoted, folded, literal, wrapped at narrow widths),
must give the same findings with the shortcut as string by string without it. The secrets are every
positive line of the recall corpus (tests/data/secrets_corpus.yaml), so a kind added there is covered
here too.
"""

from __future__ import annotations

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from deploydocs.core import secrets
from deploydocs.core.load import iter_strings, parse_document
from deploydocs.core.rules import PLACEHOLDER, placeholder_problems, secret_problems

from repo_support import REPO

CORPUS = yaml.safe_load((REPO / "tests" / "data" / "secrets_corpus.yaml").read_text(encoding="utf-8"))
FRAGMENTS = [
    *(row["text"] for row in CORPUS["positives"]),
    *(row["text"] for row in CORPUS["negatives"]),
    "password=hunter2!x",
    "Client_Secret: s3cr3t-value-123",
    "secret_key = 'abcdef123456'",
    "api-key:ZXhhbXBsZS1rZXk=",
    "AKIAABCDEFGHIJKLMNOP",
    "ghp_" + "a1B2" * 9,
    "xoxb-1234567890-abcdef",
    "AIza" + "Sy" * 17 + "A",
    "sk_live_" + "4eC39HqLyjWDarjtT1zdp7dc",
    "eyJhbGciOiJIUzI1.eyJzdWIiOiIxMjM0.SflKxwRJSMeKKF2QT4",
    "-----BEGIN RSA PRIVATE KEY-----",
    "https://deploy:pa55word@registry.example/v2",
    "https://grafana.example/d/x?var-env=prod&token=Zx8kq2LmP9sT4vB7nR1w",
    "https://grafana.example/d/x?var-env=prod&from=1764104400000",
    "[Name and Role]",
    "[Contact Information]",
    "[X] hours",
    "[Date]",
    "[x] done",
]
FILLER = st.text(alphabet=" \n\tabcxyz:#'\"-=[]{},&?@/\\.é", max_size=12)


@st.composite
def values(draw: st.DrawFn) -> str:
    parts = draw(st.lists(st.one_of(st.sampled_from(FRAGMENTS), FILLER), min_size=1, max_size=5))
    separators = draw(st.lists(st.sampled_from([" ", "\n", "", " \n  ", ": ", "'", '"']), min_size=len(parts)))
    return "".join(part + separator for part, separator in zip(parts, separators, strict=False)).strip()


def _written(value: str, style: str | None, width: int) -> str:
    return yaml.dump({"id": "x", "notes": [value, {"evidence": value}]}, default_style=style, width=width)


def _reference_secrets(document) -> bool:  # noqa: ANN001
    return any(
        True
        for _, value in iter_strings(document.data)
        if len(value) >= secrets.MIN_SECRET_LENGTH
        for _ in secrets.scan_text(value)
    )


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(value=values(), style=st.sampled_from([None, "'", '"', "|", ">"]), width=st.sampled_from([20, 40, 80, 400]))
def test_the_shortcut_never_hides_a_secret_or_a_placeholder(value: str, style: str | None, width: int) -> None:
    document = parse_document(_written(value, style, width), "records/x.yaml")
    assert document.data["notes"][0] == value  # the value went through YAML unchanged
    assert bool(secret_problems(document)) == _reference_secrets(document)
    expected = [path for path, text in iter_strings(document.data) if PLACEHOLDER.search(text)]
    assert len(placeholder_problems(document)) == len(expected)


@given(value=values())
def test_every_string_with_a_secret_passes_the_string_gate(value: str) -> None:
    if any(True for _ in secrets.scan_text(value)):
        assert secrets.might_hold_secret(value)


def test_the_shortcut_skips_an_ordinary_record() -> None:
    text = (
        "id: x\n"
        "notes: All required secrets configured in AWS Secrets Manager; see\n"
        "  https://grafana.example/d/x?var-env=prod&from=1764104400000 [x] done\n"
    )
    assert not secrets.might_hold_secret(text)


def test_the_sample_records_give_the_same_findings_with_and_without_the_shortcut(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    documents = [
        parse_document(path.read_text(encoding="utf-8"), path.name)
        for path in sorted((REPO / "records").rglob("*.yaml"))  # the registry too: it is scanned
    ]
    shortcut = [secrets.scan_document(document) for document in documents]
    every_rule = tuple(range(len(secrets.rule_set().rules)))
    monkeypatch.setattr(secrets, "hot_rules", lambda values: every_rule)
    assert shortcut == [secrets.scan_document(document) for document in documents]


def test_a_folded_secret_is_still_found() -> None:
    text = "id: x\nnotes: >\n  deploy with password\n  =hunter2!x today\n"
    document = parse_document(text, "records/x.yaml")
    assert document.data["notes"] == "deploy with password =hunter2!x today\n"
    assert [problem.rule for problem in secret_problems(document)] == ["secret-detected"]


def test_every_name_of_an_assignment_passes_the_gate() -> None:
    rule = next(rule for rule in secrets.rule_set().rules if rule.id == "deploydocs-password-assignment")
    assert "client_secret" in " ".join(rule.keywords) or "secret" in rule.keywords
    for name in rule.keywords:
        for written in (name, name.upper(), name.title(), f"DB_{name.upper()}", f'"{name}"'):
            text = f"{written} = Hunter2!xyz"
            assert [kind for _, kind in secrets.scan_text(text)] == ["deploydocs-password-assignment"], text
            assert secrets.might_hold_secret(text), text


def test_a_file_without_keywords_is_settled_by_one_search() -> None:
    document = parse_document("id: x\nnotes: [deployed on time, nothing to report]\n", "records/x.yaml")
    assert secrets.hot_rules(secrets._strings(document.data)) == ()
