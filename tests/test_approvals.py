"""Pull-request approvals (`deploydocs review BASE HEAD --reviews FILE`) over real git repositories,
with reviews in the JSON shape GitHub's REST API documents for "list reviews for a pull request"."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from repo_support import REPO, Repo, Run, copy_repo, git, set_signoffs

RECORD = "records/identity-service/2.4.0-staging.yaml"
NEW_ARGS = (
    "new", "--service", "identity-service", "--version", "2.4.0", "--environment", "staging", "--type", "update",
    "--date", "2026-11-30", "--deployed-by", "Ana Quispe", "--reviewed-by", "Diego Salas",
)  # fmt: skip
OWNER_REPO = "smartedify/deploy-records"
PULL = 61
DEPLOYER, SECURITY = "aquispe", "mquispe-sec"  # people.yaml: Ana Quispe, Martín Quispe


def shown(markdown: str) -> str:
    """The summary as its reader sees the text: CommonMark's backslash escapes removed."""
    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", markdown)


def github_review(review_id: int, login: str, state: str, commit: str, submitted_at: str) -> dict:
    """A review object exactly as GitHub's REST API returns it (GET /repos/{owner}/{repo}/pulls/{n}/reviews)."""
    html = f"https://github.com/{OWNER_REPO}/pull/{PULL}#pullrequestreview-{review_id}"
    api = f"https://api.github.com/repos/{OWNER_REPO}/pulls/{PULL}"
    return {
        "id": review_id,
        "node_id": f"PRR_kwDOTest{review_id}",
        "user": {
            "login": login,
            "id": 1000 + review_id,
            "node_id": f"U_kgDOTest{review_id}",
            "avatar_url": f"https://avatars.githubusercontent.com/u/{1000 + review_id}?v=4",
            "gravatar_id": "",
            "url": f"https://api.github.com/users/{login}",
            "html_url": f"https://github.com/{login}",
            "followers_url": f"https://api.github.com/users/{login}/followers",
            "following_url": f"https://api.github.com/users/{login}/following{{/other_user}}",
            "gists_url": f"https://api.github.com/users/{login}/gists{{/gist_id}}",
            "starred_url": f"https://api.github.com/users/{login}/starred{{/owner}}{{/repo}}",
            "subscriptions_url": f"https://api.github.com/users/{login}/subscriptions",
            "organizations_url": f"https://api.github.com/users/{login}/orgs",
            "repos_url": f"https://api.github.com/users/{login}/repos",
            "events_url": f"https://api.github.com/users/{login}/events{{/privacy}}",
            "received_events_url": f"https://api.github.com/users/{login}/received_events",
            "type": "User",
            "site_admin": False,
        },
        "body": "Checked the rollback plan and the security tests.",
        "state": state,
        "html_url": html,
        "pull_request_url": api,
        "author_association": "MEMBER",
        "_links": {"html": {"href": html}, "pull_request": {"href": api}},
        "submitted_at": submitted_at,
        "commit_id": commit,
    }


@pytest.fixture(scope="module")
def prepared(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    """A pull request, made once: the base adds a planned record; the head has the deployer's and the
    security reviewer's sign-offs, made with `deploydocs sign`."""
    repo = copy_repo(tmp_path_factory.mktemp("pull") / "repo", records=False)  # one record: fast
    git(repo, "init", "-q", "-b", "main")
    assert repo.cli(*NEW_ARGS).returncode == 0
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "planned record")
    base = git(repo, "rev-parse", "HEAD")
    for role, login in (("deploying-engineer", DEPLOYER), ("security-reviewer", SECURITY)):
        run = repo.cli("sign", RECORD, "--role", role, "--github", login)
        assert run.returncode == 0, run.output
    git(repo, "commit", "-q", "-am", "sign-offs")
    return repo.root, {"base": base, "head": git(repo, "rev-parse", "HEAD")}


@pytest.fixture
def repo(prepared: tuple[Path, dict[str, str]], tmp_path: Path) -> Repo:
    """A fresh copy of the prepared pull request's repository (git history included)."""
    shutil.copytree(prepared[0], tmp_path / "repo", symlinks=True)
    return Repo(tmp_path / "repo")


@pytest.fixture
def pull(prepared: tuple[Path, dict[str, str]]) -> dict[str, str]:
    return prepared[1]


def review(repo: Repo, base: str, reviews: list | str, *extra: str) -> Run:
    path = repo.path("reviews.json")
    path.write_text(reviews if isinstance(reviews, str) else json.dumps(reviews, indent=2), encoding="utf-8")
    run = repo.cli("review", base, "HEAD", "--reviews", str(path), "--author", DEPLOYER, *extra)
    assert "Traceback" not in run.output, run.output
    return run


def not_approved(run: Run) -> list[str]:
    return [line for line in run.stderr.splitlines() if "[signoff-not-approved]" in line]


def signoff_at(repo: Repo, role: str) -> str:
    """``file:line:col`` of a sign-off's `github:` value, as the problems name it."""
    line = repo.line_of(RECORD, rf"role: {role}")
    text = repo.read(RECORD).splitlines()[line - 1]
    return f"{RECORD}:{line}:{text.index('github: ') + len('github: ') + 1}"


def test_approved_by_the_right_people_on_the_right_content_is_green(repo: Repo, pull: dict[str, str]) -> None:
    reviews = [
        github_review(11, "plefevre", "COMMENTED", pull["head"], "2026-11-30T10:00:00Z"),
        github_review(12, SECURITY, "APPROVED", pull["head"], "2026-11-30T11:00:00Z"),
        github_review(13, SECURITY, "COMMENTED", pull["head"], "2026-11-30T12:00:00Z"),  # a comment withdraws nothing
    ]
    run = review(repo, pull["base"], reviews)
    assert run.returncode == 0, run.output
    assert "### Sign-off approvals" in shown(run.stdout)
    link = f"https://github.com/{OWNER_REPO}/pull/{PULL}#pullrequestreview-12"
    assert f"| security-reviewer | Martín Quispe (@mquispe-sec) | ✅ [approved at {pull['head'][:7]}](<{link}>) |" in (
        shown(run.stdout)
    ), run.stdout
    assert "| deploying-engineer | Ana Quispe (@aquispe) | ✅ pushed by the author" in shown(run.stdout)
    assert not_approved(run) == []


def test_pages_of_gh_paginate_are_read_as_one_list(repo: Repo, pull: dict[str, str]) -> None:
    first = [github_review(1, "plefevre", "COMMENTED", pull["head"], "2026-11-30T09:00:00Z")]
    second = [github_review(2, SECURITY, "APPROVED", pull["head"], "2026-11-30T11:00:00Z")]
    run = review(repo, pull["base"], json.dumps(first) + json.dumps(second))  # what `gh api --paginate` writes
    assert run.returncode == 0, run.output
    slurped = review(repo, pull["base"], [first, second])  # `gh api --paginate --slurp`
    assert slurped.returncode == 0, slurped.output


def test_no_review_from_the_signer(repo: Repo, pull: dict[str, str]) -> None:
    # Approved by someone else: it does not approve Martín Quispe's sign-off.
    run = review(repo, pull["base"], [github_review(5, "plefevre", "APPROVED", pull["head"], "2026-11-30T11:00:00Z")])
    assert run.returncode == 1
    assert not_approved(run) == [
        f"{signoff_at(repo, 'security-reviewer')}: [signoff-not-approved] the security-reviewer sign-off by "
        "Martín Quispe is not approved: no review from @mquispe-sec on this pull request "
        "(@mquispe-sec approves the pull request after reviewing it)"
    ], run.stderr
    assert "❌ no review from @mquispe&#45;sec" not in shown(run.stdout)  # hyphens are not markup: kept as they are
    assert "❌ no review from @mquispe-sec on this pull request" in shown(run.stdout)


def test_approval_of_an_earlier_commit_before_the_covered_sections_changed(repo: Repo, pull: dict[str, str]) -> None:
    # 1.2.5 Security Tests (covered by the security reviewer) changes after the approval; the
    # sign-off is renewed, but the approval was for the content before.
    repo.edit(RECORD, r"^(\s+)security_tests: pending", r"\1security_tests: {state: done, note: pen test passed}")
    assert repo.cli("sign", RECORD, "--role", "security-reviewer", "--github", SECURITY).returncode == 0
    assert repo.cli("sign", RECORD, "--role", "deploying-engineer", "--github", DEPLOYER).returncode == 0
    git(repo, "commit", "-q", "-am", "security tests done")
    reviews = [github_review(7, SECURITY, "APPROVED", pull["head"], "2026-11-30T11:00:00Z")]
    run = review(repo, pull["base"], reviews)
    assert run.returncode == 1
    [line] = not_approved(run)
    assert line.startswith(f"{signoff_at(repo, 'security-reviewer')}: [signoff-not-approved]"), line
    assert f"@mquispe-sec approved an earlier commit ({pull['head'][:7]}) and what the security-reviewer role" in line
    # An approval of the new head approves it; so does one of an earlier commit with the same covered
    # content (a change the role does not cover, e.g. 6.1.4, would not matter).
    head = git(repo, "rev-parse", "HEAD")
    reviews.append(github_review(8, SECURITY, "APPROVED", head, "2026-11-30T12:00:00Z"))
    assert review(repo, pull["base"], reviews).returncode == 0


@pytest.mark.parametrize(
    ("state", "reason"),
    [
        ("CHANGES_REQUESTED", "@mquispe-sec requested changes after approving"),
        ("DISMISSED", "@mquispe-sec's approval was dismissed"),
    ],
)
def test_changes_requested_or_dismissed_after_approving(
    repo: Repo, pull: dict[str, str], state: str, reason: str
) -> None:
    reviews = [
        github_review(21, SECURITY, "APPROVED", pull["head"], "2026-11-30T11:00:00Z"),
        github_review(22, SECURITY, state, pull["head"], "2026-11-30T13:00:00Z"),
    ]
    run = review(repo, pull["base"], reviews)
    assert run.returncode == 1
    [line] = not_approved(run)
    assert line.startswith(f"{signoff_at(repo, 'security-reviewer')}: [signoff-not-approved]"), line
    assert reason in line, line
    link = f"https://github.com/{OWNER_REPO}/pull/{PULL}#pullrequestreview-22"
    assert line.endswith(f"{reason} ({link}) (@mquispe-sec approves the pull request after reviewing it)"), line
    assert f"| ❌ {reason} ([review](<{link}>)) |" in shown(run.stdout), run.stdout
    # Reviews are judged by time, not by their order in the file.
    assert review(repo, pull["base"], reviews[::-1]).returncode == 1


def test_the_login_is_not_allowed_the_role(repo: Repo, pull: dict[str, str]) -> None:
    # Rosa Huamán (operations-manager, compliance-reviewer) signs as security reviewer and approves.
    text = repo.read(RECORD)
    deploying = re.search(r"^  - \{role: deploying-engineer.*\}$", text, re.MULTILINE).group(0)
    set_signoffs(repo, RECORD, [{"role": "security-reviewer", "name": "Rosa Huamán", "date": "2026-11-26"}])
    repo.edit(RECORD, r"^signoffs:\n", lambda m: m.group(0) + deploying + "\n")
    git(repo, "commit", "-q", "-am", "security sign-off by Rosa")
    head = git(repo, "rev-parse", "HEAD")
    run = review(repo, pull["base"], [github_review(31, "rhuaman", "APPROVED", head, "2026-11-30T11:00:00Z")])
    assert run.returncode == 1
    [line] = not_approved(run)
    assert line.startswith(f"{signoff_at(repo, 'security-reviewer')}: [signoff-not-approved]"), line
    assert "@rhuaman is not allowed the security-reviewer role" in line


def test_the_login_is_the_deployers(repo: Repo, pull: dict[str, str]) -> None:
    # The deployer signs as security reviewer with their own login (which `sign` refuses to write).
    refused = repo.cli("sign", RECORD, "--role", "security-reviewer", "--github", DEPLOYER)
    assert refused.returncode == 1 and "[signoff-separation-of-duties]" in refused.stderr
    text = repo.read(RECORD)
    deploying = re.search(r"^  - \{role: deploying-engineer.*\}$", text, re.MULTILINE).group(0)
    set_signoffs(repo, RECORD, [{"role": "security-reviewer", "name": "Ana Quispe", "date": "2026-11-26"}])
    repo.edit(RECORD, r"^signoffs:\n", lambda m: m.group(0) + deploying + "\n")
    git(repo, "commit", "-q", "-am", "deployer signs as reviewer")
    head = git(repo, "rev-parse", "HEAD")
    run = review(repo, pull["base"], [github_review(41, DEPLOYER, "APPROVED", head, "2026-11-30T11:00:00Z")])
    assert run.returncode == 1
    [line] = not_approved(run)
    assert line.startswith(f"{signoff_at(repo, 'security-reviewer')}: [signoff-not-approved]"), line
    assert "@aquispe is the deployer's login (deployed_by)" in line


def test_annotations_and_the_step_summary(repo: Repo, pull: dict[str, str]) -> None:
    summary = repo.path("summary.md")
    summary.write_text("# earlier step\n", encoding="utf-8")
    run = review(repo, pull["base"], [], "--annotations", "--output", str(summary))
    assert run.returncode == 1
    text = summary.read_text(encoding="utf-8")
    assert text.startswith("# earlier step\n") and "### Sign-off approvals" in text
    annotations = [line for line in run.stdout.splitlines() if line.startswith("::error ")]
    assert len(annotations) == 1, run.stdout
    assert annotations[0].startswith(f"::error file={RECORD},line=") and "title=signoff-not-approved" in annotations[0]


def test_a_file_that_is_not_githubs_reviews_is_a_usage_error(repo: Repo, pull: dict[str, str]) -> None:
    for content in ('{"message": "Not Found"}', '[{"id": 1, "state": "LGTM"}]', "not json"):
        run = review(repo, pull["base"], content)
        assert run.returncode == 2, run.output
        assert run.stderr.startswith("deploydocs: error: ") and len(run.stderr.splitlines()) == 1, run.stderr


def test_codeowners_follows_people_and_roles(repo: Repo, tmp_path: Path) -> None:
    run = repo.cli("codeowners", "--check")
    assert run.returncode == 1 and "out of date" in run.stderr  # the copy has no .github/CODEOWNERS
    run = repo.cli("codeowners")
    assert run.returncode == 0, run.output
    text = repo.read(".github/CODEOWNERS")
    lines = {line.split()[0]: line.split()[1:] for line in text.splitlines() if line and not line.startswith("#")}
    # Product owners are limited to their domains: Camila Rojas (Governance) owns governance records only.
    assert "@crojas" in lines["/records/governance-service/"]
    assert "@crojas" not in lines["/records/identity-service/"]
    assert "@aparedes" in lines["/records/identity-service/"]
    assert "@mquispe-sec" in lines["/records/identity-service/"]
    assert "@aquispe" not in lines["/records/identity-service/"]  # deployers do not review
    assert repo.cli("codeowners", "--check").returncode == 0


def test_the_committed_codeowners_is_up_to_date() -> None:
    run = subprocess.run(
        [sys.executable, "-m", "deploydocs", "codeowners", "--check", "--root", str(REPO)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 0, run.stdout + run.stderr


def test_a_pull_request_cannot_make_its_own_approver(repo: Repo, pull: dict[str, str]) -> None:
    # The pull request gives Rosa Huamán the security-reviewer role and has her sign: who may approve
    # comes from the base's people.yaml, so her approval does not count here.
    repo.edit(
        "records/people.yaml", r"roles: \[operations-manager, compliance-reviewer\]", "roles: [security-reviewer]"
    )
    assert repo.cli("sign", RECORD, "--role", "security-reviewer", "--name", "Rosa Huamán").returncode == 0
    git(repo, "commit", "-q", "-am", "Rosa may review security now")
    head = git(repo, "rev-parse", "HEAD")
    run = review(repo, pull["base"], [github_review(51, "rhuaman", "APPROVED", head, "2026-11-30T11:00:00Z")])
    assert run.returncode == 1
    [line] = not_approved(run)
    assert "@rhuaman is not allowed the security-reviewer role" in line, line


def test_the_summary_lists_the_roles_still_needed_and_who_may_give_them(repo: Repo, pull: dict[str, str]) -> None:
    # The pull request's base already has the sign-offs; this change drops the security reviewer's.
    text = repo.read(RECORD)
    repo.write(RECORD, re.sub(r"^  - \{role: security-reviewer.*\n", "", text, flags=re.MULTILINE))
    git(repo, "commit", "-q", "-am", "drop the security sign-off")
    run = review(repo, pull["head"], [])
    assert run.returncode == 0, run.output  # nothing added or renewed: nothing to approve
    assert "| deploying-engineer | Ana Quispe (@aquispe) | not changed in this pull request |" in shown(run.stdout)
    assert "Still to sign (required at `closed`):" in shown(run.stdout), run.stdout
    [needed] = [line for line in shown(run.stdout).splitlines() if line.startswith("- security-reviewer: ")]
    assert "Martín Quispe (@mquispe&#45;sec)" not in needed and "Martín Quispe (@mquispe-sec)" in needed
    assert "Pierre Lefèvre (@plefevre)" in needed and "Ana Quispe" not in needed
