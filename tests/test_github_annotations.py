"""`check --format github`: errors are annotated before warnings (GitHub keeps the first of each kind
it is given), and a notice says how many GitHub's limit per step (10 of each kind) leaves out."""

from __future__ import annotations

import re

from repo_support import Repo

RECORD = "records/identity-service/2.3.0-production.yaml"
WAIVER = "{state: done, waiver: {reason: Kept for audit, approver: security-reviewer, expires: 2027-06-30}}"


def _break(repo: Repo, errors: int, warnings: int) -> None:
    """``errors`` items misspelt (schema errors) and ``warnings`` done items with a waiver."""
    lines = repo.read(RECORD).splitlines(keepends=True)
    done = [i for i, line in enumerate(lines) if re.match(r"^\s+(?!state:)\w+: done\s", line)]
    assert len(done) >= errors + warnings
    for i in done[:errors]:
        lines[i] = lines[i].replace(": done", ": doen", 1)
    for i in done[errors : errors + warnings]:
        lines[i] = re.sub(r": done", ": " + WAIVER, lines[i], count=1)
    repo.write(RECORD, "".join(lines))


def _annotations(repo: Repo) -> list[str]:
    run = repo.cli("check", "--format", "github", "--no-cache")
    assert run.returncode == 1 and "Traceback" not in run.output, run.output
    return [line.split(" ", 1)[0] for line in run.stdout.splitlines() if line.startswith("::")]


def test_errors_come_first_and_a_notice_counts_what_github_hides(repo: Repo) -> None:
    _break(repo, errors=12, warnings=13)
    run = repo.cli("check", "--format", "github", "--no-cache")
    kinds = [line.split(" ", 1)[0] for line in run.stdout.splitlines() if line.startswith("::")]
    errors, warnings = kinds.count("::error"), kinds.count("::warning")
    assert errors >= 12 and warnings >= 13, run.stdout
    assert kinds == ["::error"] * errors + ["::warning"] * warnings + ["::notice"], run.stdout
    (notice,) = [line for line in run.stdout.splitlines() if line.startswith("::notice")]
    assert f"{errors - 10} of {errors} errors and {warnings - 10} of {warnings} warnings are not shown" in notice
    assert "GitHub shows 10 of each kind per step" in notice


def test_no_notice_while_everything_fits(repo: Repo) -> None:
    _break(repo, errors=2, warnings=7)  # with the sample records' own warnings: under 10
    kinds = _annotations(repo)
    assert "::notice" not in kinds and kinds.index("::warning") > kinds.index("::error")
