"""The passage of time never breaks a build or blocks an unrelated pull request.

A record in a final status is judged as of the day it ended; on live records what time alone makes
true (an expired waiver, a passed monitoring period, deferral or planned date) is a warning and an
attention item, an error only in a pull request that changes the record, and what `check --due` fails on.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from deploydocs.core.cache import RecordCache
from deploydocs.core.project import Settings, load_project
from deploydocs.core.rules import DUE_RULES, RULES

from repo_support import TODAY, Repo, copy_repo, gfm_text, git, make_record, set_field, set_item, sign_again

WAIVED = "deployment.deployment_steps.smoke_tests"
DEFERRABLE = "pre_deployment.testing_and_validation.performance_tests"


def waiver(expires: dt.date) -> str:
    return (
        "{state: pending, waiver: {reason: suite broken upstream, approver: operations-manager, "
        f"expires: {expires.isoformat()}}}}}"
    )


def deferral(follow_up: dt.date) -> str:
    return (
        f"{{state: pending, deferred: {{justification: the outage cannot wait, follow_up: {follow_up.isoformat()}}}}}"
    )


def problems_at(root: Path, as_of: dt.date) -> list:
    return load_project(Settings(root=root, as_of=as_of, cache_dir=None), RecordCache(None)).problems


def test_due_rules_are_the_date_rules_and_warnings() -> None:
    expected = {"waiver-expired", "deferral-overdue", "monitoring-overdue", "planned-date-passed"}
    assert expected == DUE_RULES
    assert {RULES[rule].severity.value for rule in DUE_RULES} == {"warning"}


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Repo:
    return copy_repo(tmp_path_factory.mktemp("time") / "repo")


@pytest.mark.parametrize("years", [0, 1, 3, 10, 100])
def test_the_sample_records_have_no_error_at_any_later_date(sample: Repo, years: int) -> None:
    as_of = TODAY.replace(year=TODAY.year + years)
    found = problems_at(sample.root, as_of)
    errors = [p.format() for p in found if p.severity.value == "error"]
    assert errors == []
    # Beyond the attention items, nothing depends on the date: the same warnings' rules at any date.
    assert {p.rule for p in found} <= DUE_RULES | {"promotion-missing", "signoff-stale", "waiver-unneeded"}


def test_the_sample_builds_ten_years_from_now(tmp_path: Path) -> None:
    repo = copy_repo(tmp_path / "repo")
    later = dt.datetime(TODAY.year + 10, 6, 1, tzinfo=dt.UTC)
    run = repo.build(env={"SOURCE_DATE_EPOCH": str(int(later.timestamp()))})
    assert run.returncode == 0, run.output
    assert "[waiver-expired]" in run.output  # the attention items are still there, as warnings


@pytest.fixture(scope="module")
def final_records(tmp_path_factory: pytest.TempPathFactory) -> Repo:
    """Final records carrying waivers and deferrals that fall due after they ended."""
    repo = copy_repo(tmp_path_factory.mktemp("final") / "repo", records=False)
    closed = make_record(repo, "closed", version="1.0.0", environment="staging", leave_pending=[WAIVED])
    set_item(repo, closed, WAIVED, waiver(TODAY + dt.timedelta(days=3)))
    dated = make_record(repo, "closed", version="1.1.0", environment="staging", date=TODAY - dt.timedelta(days=30))
    set_field(repo, dated, "closed_on", (TODAY - dt.timedelta(days=20)).isoformat())
    for status in ("rolled-back", "aborted"):
        path = make_record(
            repo, status, version=f"2.{int(status == 'aborted')}.0", environment="staging", type="hotfix",
            leave_pending=[DEFERRABLE],
        )  # fmt: skip
        set_item(repo, path, DEFERRABLE, deferral(TODAY + dt.timedelta(days=1)))
        sign_again(repo, path)
    sign_again(repo, closed)
    sign_again(repo, dated)
    return repo


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(later=st.integers(min_value=0, max_value=365 * 50))
def test_no_date_after_a_final_record_ended_turns_it_red(final_records: Repo, later: int) -> None:
    found = problems_at(final_records.root, TODAY + dt.timedelta(days=later))
    assert [p.format() for p in found] == []


@pytest.fixture
def live(repo: Repo) -> tuple[Repo, str]:
    """The sample repository plus a live staging record whose waiver expires in three days."""
    path = make_record(
        repo, "deployed", service="streaming-service", version="1.0.0", environment="staging", leave_pending=[WAIVED]
    )
    set_item(repo, path, WAIVED, waiver(TODAY + dt.timedelta(days=3)))
    return repo, path


def test_an_expired_waiver_on_a_live_record_is_due_not_an_error(live: tuple[Repo, str]) -> None:
    repo, path = live
    later = (TODAY + dt.timedelta(days=10)).isoformat()
    run = repo.cli("check", "--format", "json", "--as-of", later)
    assert run.returncode == 0, run.output
    mine = [p for p in json.loads(run.stdout)["problems"] if p["file"] == path]
    # Ten days on, its monitoring period has passed too: both due, both warnings, no error.
    assert sorted((p["rule"], p["severity"]) for p in mine) == [
        ("monitoring-overdue", "warning"),
        ("waiver-expired", "warning"),
    ]
    # `--due` is for the scheduled job: anything due fails it.
    assert repo.cli("check", "--due", "--as-of", later, path).returncode == 1
    assert repo.cli("check", "--due", "--as-of", TODAY.isoformat(), path).returncode == 0
    assert repo.cli("check", "--as-of", later, path).returncode == 0
    # The dashboard lists it among the items that need attention.
    project = load_project(Settings(root=repo.root, as_of=TODAY + dt.timedelta(days=10), cache_dir=None))
    assert any("expired on" in note for note in project.evaluations[path].attention)


def test_a_pull_request_blocks_on_what_is_due_in_the_records_it_changes(live: tuple[Repo, str]) -> None:
    repo, path = live
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "records")
    later = (TODAY + dt.timedelta(days=10)).isoformat()
    # An unrelated change: the expired waiver is shown, not blocking.
    repo.edit("records/finance-service/3.1.0-production.yaml", r"^changes: .*$", "changes: Ledger exports in CSV")
    git(repo, "commit", "-q", "-am", "unrelated")
    run = repo.cli("review", "HEAD~1", "HEAD", "--as-of", later)
    assert run.returncode == 0, run.output
    assert "No errors in what this pull request changes." in run.stdout
    assert "[waiver-expired]" in run.stdout.split("Warnings:", 1)[1]
    # A change to the record itself: it answers for its expired waiver.
    set_field(repo, path, "changes", "Live captions")
    git(repo, "commit", "-q", "-am", "touch the record")
    run = repo.cli("review", "HEAD~1", "HEAD", "--as-of", later)
    assert run.returncode == 1, run.output
    blocking = run.stdout.split("### Problems that block the merge", 1)[1].split("Warnings:", 1)[0]
    assert f"{path}:" in gfm_text(blocking) and "[waiver-expired]" in blocking
    # The JSON says the same: the due warning is raised to an error among what blocks.
    data = json.loads(repo.cli("review", "HEAD~1", "HEAD", "--as-of", later, "--format", "json").stdout)
    assert ("waiver-expired", "error") in {(p["rule"], p["severity"]) for p in data["blocking"] if p["file"] == path}
    assert ("waiver-expired", "warning") in {(p["rule"], p["severity"]) for p in data["problems"]}
