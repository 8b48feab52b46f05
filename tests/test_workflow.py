"""The pull-request loop: `new`, `sign` (fingerprints, staleness, comments kept) and `review` over
real git repositories."""

from __future__ import annotations

import json
import re

import pytest

from repo_support import Repo, gfm_text, git

NEW_ARGS = (
    "new",
    "--service",
    "identity-service",
    "--version",
    "2.4.0",
    "--environment",
    "staging",
    "--type",
    "update",
    "--date",
    "2026-11-30",
    "--deployed-by",
    "Ana Quispe",
    "--reviewed-by",
    "Diego Salas",
)
NEW_FILE = "records/identity-service/2.4.0-staging.yaml"
CLOSED_PROD = "records/identity-service/2.2.0-production.yaml"


def problems(repo: Repo, *extra: str) -> list[dict]:
    run = repo.cli("check", "--format", "json", *extra)
    assert "Traceback" not in run.output, run.output
    return json.loads(run.stdout)["problems"]


def test_new_scaffold_passes_check_and_carries_the_service_context(repo: Repo) -> None:
    run = repo.cli(*NEW_ARGS)
    assert run.returncode == 0, run.output
    assert f"created {NEW_FILE}" in run.stdout
    text = repo.read(NEW_FILE)
    assert text.startswith("# yaml-language-server: $schema=../../schemas/deployment-record.schema.json\n")
    assert "status: planned" in text and "id: DEPLOY-IDENTITY-SERVICE-2.4.0" in text
    assert re.search(r"^\s+code_version: pending\s+# 1\.1\.1 ", text, re.MULTILINE)
    assert text.count(": pending") + text.count("state: pending") >= 134
    # Carried from the service's latest record: support team, escalation matrix, open known issues.
    latest = repo.read("records/identity-service/2.3.1-production.yaml")
    assert "support_team:\n  primary_on_call:" in text
    assert "escalation_matrix:\n  - {" in text
    assert "KI-IDENTITY-1" in text and "KI-IDENTITY-1" in latest
    assert "KI-IDENTITY-2" not in text  # resolved in 2.3.0: not carried
    found = [p for p in problems(repo) if p["file"] == NEW_FILE and p["severity"] == "error"]
    assert found == []


def test_new_refuses_to_overwrite_or_duplicate(repo: Repo) -> None:
    assert repo.cli(*NEW_ARGS).returncode == 0
    again = repo.cli(*NEW_ARGS)
    assert again.returncode == 2
    assert "already has a record" in again.stderr and "--attempt 2" in again.stderr
    second = repo.cli(*NEW_ARGS, "--attempt", "2")
    assert second.returncode == 0, second.output
    assert repo.path("records/identity-service/2.4.0-staging-attempt-2.yaml").exists()
    unknown = repo.cli(
        "new",
        "--service",
        "user-profile-service",
        "--version",
        "1.0.0",
        "--environment",
        "dev",
        "--type",
        "initial",
        "--deployed-by",
        "Ana",
    )
    assert unknown.returncode == 2 and "user-profiles-service" in unknown.stderr


def _comment_lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.lstrip().startswith("#") or " # " in line]


def test_sign_keeps_every_comment_and_changes_only_the_signoffs(repo: Repo) -> None:
    assert repo.cli(*NEW_ARGS).returncode == 0
    before = repo.read(NEW_FILE)
    run = repo.cli(
        "sign",
        NEW_FILE,
        "--role",
        "security-reviewer",
        "--name",
        "Martín Quispe",
        "--review",
        "https://github.com/smartedify/deploy-records/pull/58#pullrequestreview-1",
    )
    assert run.returncode == 0, run.output
    after = repo.read(NEW_FILE)
    assert _comment_lines(before) == _comment_lines(after)
    before_lines, after_lines = before.splitlines(), after.splitlines()
    signoffs_at = before_lines.index("signoffs: []")
    assert after_lines[:signoffs_at] == before_lines[:signoffs_at]
    assert after_lines[signoffs_at] == "signoffs:"
    added = after_lines[signoffs_at + 1]
    assert re.fullmatch(
        r"  - \{role: security-reviewer, name: Martín Quispe, github: mquispe-sec, date: 2026-11-26, review: \S+, "
        r"fingerprint: sha256:[0-9a-f]{64}\}",
        added,
    ), added
    assert [p for p in problems(repo) if p["file"] == NEW_FILE and p["rule"].startswith("signoff")] == []


def test_sign_refuses_a_broken_record(repo: Repo) -> None:
    assert repo.cli(*NEW_ARGS).returncode == 0
    repo.edit(NEW_FILE, r"^environment: staging", "environment: stagin")
    before = repo.read(NEW_FILE)
    run = repo.cli("sign", NEW_FILE, "--role", "security-reviewer", "--name", "Martín Quispe")
    assert run.returncode == 1
    assert "not signed" in run.stderr and "[invalid-value]" in run.stdout
    assert len(run.stderr.splitlines()) == 1, run.stderr
    assert repo.read(NEW_FILE) == before


def _sign_closed_production(repo: Repo, role: str, name: str) -> None:
    run = repo.cli("sign", CLOSED_PROD, "--role", role, "--name", name, "--date", "2026-11-20")
    assert run.returncode == 0, run.output


def test_stale_signoff_is_an_error_where_the_status_needs_it(repo: Repo) -> None:
    signer = re.search(r"role: security-reviewer, name: ([^,}]+)", repo.read(CLOSED_PROD)).group(1).strip()
    _sign_closed_production(repo, "security-reviewer", signer)
    assert [p for p in problems(repo) if p["rule"] == "signoff-stale"] == []
    # Sections the security reviewer does not cover: still valid (the product owner's is stale).
    repo.edit(CLOSED_PROD, r"^(\s+)knowledge_base: .*$", r"\1knowledge_base: {state: done, note: Updated KB-112}")
    stale = [p for p in problems(repo) if p["rule"] == "signoff-stale"]
    assert [p["line"] for p in stale] == [repo.line_of(CLOSED_PROD, r"role: product-owner")], stale
    repo.edit(CLOSED_PROD, r"^(\s+)knowledge_base: .*$", r"\1knowledge_base: done")
    assert [p for p in problems(repo) if p["rule"] == "signoff-stale"] == []
    # A covered section (3.3 Security Validation) changes: stale, and an error for a closed production record.
    repo.edit(CLOSED_PROD, r"^(\s+)session_management: .*$", r"\1session_management: {state: done, note: re-tested}")
    stale = [p for p in problems(repo) if p["rule"] == "signoff-stale"]
    assert len(stale) == 1, stale
    line = repo.line_of(CLOSED_PROD, r"role: security-reviewer.*fingerprint")
    assert stale[0]["file"] == CLOSED_PROD and stale[0]["line"] == line and stale[0]["severity"] == "error"
    assert "sign again" in stale[0]["fix"]
    run = repo.build()
    assert run.returncode != 0 and "[signoff-stale]" in run.output
    # Signing again clears it.
    _sign_closed_production(repo, "security-reviewer", signer)
    assert [p for p in problems(repo) if p["rule"] == "signoff-stale"] == []


def test_stale_signoff_is_a_warning_before_it_is_needed(repo: Repo) -> None:
    assert repo.cli(*NEW_ARGS).returncode == 0
    assert repo.cli("sign", NEW_FILE, "--role", "deploying-engineer", "--name", "Ana Quispe").returncode == 0
    repo.edit(NEW_FILE, r"^(\s+)code_version: pending", r"\1code_version: done")
    stale = [p for p in problems(repo) if p["rule"] == "signoff-stale"]
    assert [(p["file"], p["severity"]) for p in stale] == [(NEW_FILE, "warning")]
    assert repo.cli("check").returncode == 0


@pytest.fixture
def git_repo(repo: Repo) -> Repo:
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "records")
    return repo


def test_review_describes_the_change_in_plain_words(git_repo: Repo) -> None:
    repo = git_repo
    record = "records/finance-service/3.1.0-production.yaml"
    repo.edit(
        record,
        r"^(\s+)smoke_tests: \w+",
        r"\1smoke_tests: {state: done, evidence: 'https://ci.smartedify.example/run/88'}",
    )
    repo.edit(record, r"^(\s+)configuration: [^\n]*", r"\1configuration: pending")
    assert repo.cli(*NEW_ARGS).returncode == 0
    git(repo, "rm", "-q", "records/reservation-service/2.0.0-development.yaml")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "progress")
    run = repo.cli("review", "HEAD~1", "HEAD")
    assert run.returncode == 1, run.output  # the changed record has an error: it blocks
    assert "\n### Added: " in run.stdout and "\n### Changed: " in run.stdout
    text = gfm_text(run.stdout)  # what reviewers read, as GitHub renders it
    assert "1 added, 1 changed, 1 removed." in text
    assert "Added: DEPLOY-IDENTITY-SERVICE-2.4.0 · staging" in text
    assert "Removed: DEPLOY-RESERVATION-SERVICE-2.0.0 · development" in text
    assert "Changed: DEPLOY-FINANCE-SERVICE-3.1.0 · production" in text
    assert re.search(r"Newly done \(1\):\n\n2\.2\.7 Step 7: Execute smoke tests", text), text
    assert "No longer done (1):\n\n1.1.2 Configuration (pending)" in text
    assert "2. Deployment Process" in text
    assert "Problems that block the merge" in text  # configuration undone breaks in-progress
    assert "[required-item-incomplete]" in text


def test_review_reports_signoffs_made_stale_and_writes_the_step_summary(git_repo: Repo) -> None:
    repo = git_repo
    signer = re.search(r"role: security-reviewer, name: ([^,}]+)", repo.read(CLOSED_PROD)).group(1).strip()
    _sign_closed_production(repo, "security-reviewer", signer)
    git(repo, "commit", "-q", "-am", "signed")
    repo.edit(CLOSED_PROD, r"^(\s+)session_management: .*$", r"\1session_management: {state: done, note: re-tested}")
    git(repo, "commit", "-q", "-am", "touch a covered section")
    summary = repo.path("summary.md")
    summary.write_text("# earlier step\n")
    run = repo.cli("review", "HEAD~1", "HEAD", "--output", str(summary))
    assert run.returncode == 1, run.output  # the stale sign-off is an error of the changed record
    text = summary.read_text()
    assert text.startswith("# earlier step\n")  # appended, as $GITHUB_STEP_SUMMARY wants
    assert f"Made stale by this change: security-reviewer ({signer})" in gfm_text(text)


def test_review_with_a_bad_revision_is_a_usage_error(git_repo: Repo) -> None:
    run = git_repo.cli("review", "no-such-branch", "HEAD")
    assert run.returncode == 2
    assert "git:" in run.stderr and "Traceback" not in run.output


@pytest.mark.parametrize(
    ("args", "reason"),
    [
        (("--role", "security-reviewer", "--name", "Made Up"), "Made Up is not in records/people.yaml"),
        (("--role", "product-owner", "--name", "Martín Quispe"), "[signoff-role-not-allowed] Martín Quispe may not"),
        (("--role", "security-reviewer", "--github", "aquispe"), "[signoff-separation-of-duties] Ana Quispe signs"),
        (("--role", "deploying-engineer", "--name", "Lucía Ramos"), "[signoff-not-deployer] Lucía Ramos signs as"),
        (("--role", "security-reviewer", "--name", "Martín Quispe", "--date", "2026-11-27"), "[signoff-future-date]"),
    ],
)
def test_sign_refuses_a_signoff_that_breaks_a_rule(repo: Repo, args: tuple[str, ...], reason: str) -> None:
    assert repo.cli(*NEW_ARGS).returncode == 0  # deployed by Ana Quispe
    before = repo.read(NEW_FILE)
    run = repo.cli("sign", NEW_FILE, *args)
    assert run.returncode == 1, run.output
    assert run.stderr.startswith("deploydocs: not signed: ") and reason in run.stderr, run.stderr
    assert len(run.stderr.splitlines()) == 1 and run.stdout == "", run.output
    assert repo.read(NEW_FILE) == before


def test_sign_refuses_a_second_reviewer_role_for_one_person(repo: Repo) -> None:
    assert repo.cli(*NEW_ARGS).returncode == 0
    assert repo.cli("sign", NEW_FILE, "--role", "operations-manager", "--name", "Rosa Huamán").returncode == 0
    run = repo.cli("sign", NEW_FILE, "--role", "compliance-reviewer", "--name", "rosa  HUAMÁN")
    assert run.returncode == 1 and "[signoff-several-roles] Rosa Huamán already signs as operations-manager" in (
        run.stderr
    ), run.output
    # Renewing her own role is not a second one; the name and login come from people.yaml.
    renewed = repo.cli("sign", NEW_FILE, "--role", "operations-manager", "--github", "RHUAMAN")
    assert renewed.returncode == 0, renewed.output
    assert "name: Rosa Huamán, github: rhuaman," in repo.read(NEW_FILE)
