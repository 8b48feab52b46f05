"""The secret scanner: recall on a corpus of every kind, false positives it must not raise, and every
published file scanned (records, the services registry, a team's policy) with `file:line:col`.

The corpus (tests/data/secrets_corpus.yaml) is the recall table of docs/security.md.
"""

from __future__ import annotations

import json

import pytest
import yaml

from deploydocs.core import secrets
from deploydocs.core.load import parse_document

from repo_support import REPO, Repo, check, check_json, problem_lines

CORPUS = yaml.safe_load((REPO / "tests" / "data" / "secrets_corpus.yaml").read_text(encoding="utf-8"))
POSITIVES = [(row["kind"], row["text"]) for row in CORPUS["positives"]]
NEGATIVES = [(row["kind"], row["text"]) for row in CORPUS["negatives"]]


@pytest.mark.parametrize(("kind", "text"), POSITIVES, ids=[kind for kind, _ in POSITIVES])
def test_every_kind_of_secret_is_found(kind: str, text: str) -> None:
    assert list(secrets.scan_text(text)), f"{kind} missed: {text!r}"
    assert secrets.might_hold_secret(text)


@pytest.mark.parametrize(("kind", "text"), NEGATIVES, ids=[kind for kind, _ in NEGATIVES])
def test_no_false_positive(kind: str, text: str) -> None:
    assert not list(secrets.scan_text(text)), f"{kind} flagged: {text!r}"


@pytest.mark.parametrize(("kind", "text"), POSITIVES, ids=[kind for kind, _ in POSITIVES])
def test_a_secret_in_a_record_points_at_its_line(kind: str, text: str) -> None:
    """As a record value, double-quoted (JSON) or as a literal block: the problem names the line
    where the matched text starts."""
    block = "".join(f"  {line}\n" for line in text.splitlines())
    for source, first_line in ((f"id: x\nnotes: {json.dumps(text)}\n", 2), (f"id: x\nnotes: |\n{block}", 3)):
        problems = secrets.secret_problems(parse_document(source, "records/x.yaml"))
        assert [p.rule for p in problems][:1] == ["secret-detected"], (kind, source)
        lines = source.split("\n")
        assert first_line <= problems[0].line <= len(lines) and problems[0].column >= 1, (kind, source)


def test_the_rule_set_is_gitleaks_own_plus_deploydocs_additions() -> None:
    ids = [rule.id for rule in secrets.rule_set().rules]
    assert {"generic-api-key", "private-key", "slack-webhook-url", "gitlab-pat", "npm-access-token"} <= set(ids)
    own = [rule_id for rule_id in ids if rule_id.startswith("deploydocs-")]
    assert own and len(ids) - len(own) > 200  # the vendored file is read whole, not a hand-kept excerpt
    assert all(rule.keywords for rule in secrets.rule_set().rules)


def test_the_allowance_comment_silences_one_line() -> None:
    text = 'id: x\nnotes:\n  - "password=Hunter2!x"  # deploydocs: allow-secret\n  - "password=Hunter2!y"\n'
    problems = secrets.secret_problems(parse_document(text, "records/x.yaml"))
    assert [(p.line, p.column) for p in problems] == [(4, 6)]


def test_many_findings_in_one_value_are_each_located() -> None:
    text = "id: x\nnotes: |\n" + "".join(f"  line {n}: password=Hunter2!{n}\n" for n in range(300))
    problems = secrets.secret_problems(parse_document(text, "records/x.yaml"))
    assert [p.line for p in problems] == list(range(3, 303))
    assert {p.column for p in problems} == {len("  line 0: ") + 1, len("  line 10: ") + 1, len("  line 100: ") + 1}


# -- every published file ----------------------------------------------------------------------------

REGISTRY = "records/services.yaml"


def test_a_secret_in_the_registry_is_reported_with_its_position(repo: Repo) -> None:
    repo.edit(
        REGISTRY,
        r'(  identity-service:\n    name: Identity Service\n    port: 3001\n    domain: Core\n)    purpose: ".*"',
        r'\1    purpose: "IdP; admin console at https://admin:Zp4qR8wL2m@idp.smartedify.internal"',
    )
    line = (
        repo.read(REGISTRY)
        .split("\n")
        .index('    purpose: "IdP; admin console at https://admin:Zp4qR8wL2m@idp.smartedify.internal"')
    )
    column = len('    purpose: "IdP; admin console at ') + 1
    run = check(repo)
    assert run.returncode == 1
    found = problem_lines(run, "secret-detected")
    assert len(found) == 1 and found[0].startswith(f"{REGISTRY}:{line + 1}:{column}: [secret-detected] "), run.output
    # The registry still loads: every record's own rules still run (no registry problem hides them).
    assert not [p for p in check_json(repo)["problems"] if p["rule"] == "registry-schema"]


def test_a_secret_in_the_registry_fails_the_build(repo: Repo) -> None:
    repo.edit(
        REGISTRY,
        r'purpose: "OIDC/OAuth 2\.1 identity provider',
        'purpose: "token ghp_vBprmdAin7XTN0aV2osgdYRPUTjbYxI2fxnl',
    )
    run = repo.build()
    assert run.returncode != 0
    assert f"{REGISTRY}:" in run.output and "[secret-detected]" in run.output, run.output
    assert "Traceback" not in run.output


def test_the_allowance_comment_works_in_the_registry(repo: Repo) -> None:
    repo.edit(
        REGISTRY,
        r'(purpose: "OIDC/OAuth 2\.1 identity provider)([^"]*")',
        r"\1 see https://demo:demo-pass-1@idp.example\2  # deploydocs: allow-secret",
    )
    assert not [p for p in check_json(repo)["problems"] if p["rule"] == "secret-detected"]


def test_a_secret_in_a_team_policy_is_reported(repo: Repo) -> None:
    policy = (REPO / "plugin" / "deploydocs" / "core" / "data" / "policy.yaml").read_text(encoding="utf-8")
    # An unknown key fails the policy's schema too: the secret is reported along with that problem.
    text = policy + '\nnotes: "ops password=Vk9#mQ2x!Lp7Rz4w"\n'
    repo.write("team-policy.yaml", text)
    line = text.split("\n").index('notes: "ops password=Vk9#mQ2x!Lp7Rz4w"') + 1
    run = check(repo, "--policy", "team-policy.yaml")
    assert run.returncode == 1
    assert [ln for ln in problem_lines(run, "secret-detected") if ln.startswith(f"team-policy.yaml:{line}:")], (
        run.output
    )
