"""A record's life, status by status, against the completeness policy; environments, hotfix
deferrals and rollbacks; and the command line's output formats and exit codes.

What each status requires is computed by the tests from data/policy.yaml and data/catalog.yaml read
as plain YAML (conftest.required_items), not through deploydocs' code.
"""

from __future__ import annotations

import json
import re

import pytest

from repo_support import (
    DEPLOYER,
    REVIEWER,
    SIGNERS,
    Repo,
    Run,
    catalog_items,
    check,
    check_json,
    copy_repo,
    done_value,
    expect_problem,
    expected_id,
    item_info,
    item_position,
    key_column,
    key_lines,
    make_record,
    problem_lines,
    required_items,
    set_field,
    set_item,
    set_signoffs,
    signoff_roles,
    step_items,
    value_column,
    with_items,
)

PATH = "records/identity-service/2.3.0-production.yaml"
MAIN_LINE = ["in-progress", "deployed", "verified", "closed"]
# "Today" at each step of a deployment dated 2026-11-10 (moved with --as-of).
AS_OF_AT = {
    "planned": "2026-11-09",
    "in-progress": "2026-11-10",
    "deployed": "2026-11-10",
    "verified": "2026-11-11",
    "closed": "2026-11-17",
}


def title_of(path: str) -> str:
    """An item's title as messages show it: placeholders filled with their defaults."""
    info = item_info(path)
    defaults = {p["key"]: p["default"] for p in info.get("parameters") or [] if p.get("default") is not None}
    return info["title"].format(**defaults) if defaults else info["title"]


def errors_of(run: Run) -> list[str]:
    return [line for line in problem_lines(run) if not line.endswith(" [warning]")]


def assert_passes(run: Run, allowed_warnings: tuple[str, ...] = ("promotion-missing",)) -> None:
    assert run.returncode == 0, run.output
    assert errors_of(run) == [], run.output
    for line in problem_lines(run):
        assert any(f"[{rule}]" in line for rule in allowed_warnings), line


def expect_incomplete(repo: Repo, run: Run, path: str, item: str, status: str) -> None:
    info = item_info(item)
    assert run.returncode == 1, run.output
    expect_problem(
        run,
        path,
        *item_position(repo, path, item),
        "required-item-incomplete",
        f"{info['number']} {title_of(item)} is pending, but status `{status}` requires",
    )


# -- one production record, one step at a time --------------------------------------------------


def test_production_record_moves_through_its_lifecycle(empty_repo: Repo) -> None:
    run = empty_repo.cli(
        "new", "--service", "identity-service", "--version", "2.3.0", "--environment", "production",
        "--type", "update", "--date", "2026-11-10", "--deployed-by", DEPLOYER, "--reviewed-by", REVIEWER,
    )  # fmt: skip
    assert run.returncode == 0 and run.stdout.strip() == f"created {PATH}", run.output
    assert "status: planned" in empty_repo.read(PATH)

    # planned: nothing is required yet; every item is pending.
    run = check(empty_repo, "--as-of", AS_OF_AT["planned"])
    assert run.returncode == 0 and run.stdout == "ok: 1 record file(s), no problems\n", run.output

    for status in MAIN_LINE:
        as_of = AS_OF_AT[status]
        items = step_items(status, "production")
        assert items, status
        held = items[len(items) // 2]
        set_field(empty_repo, PATH, "status", status)
        empty_repo.write(PATH, with_items(empty_repo.read(PATH), {p: done_value(p) for p in items if p != held}))

        # One item this step requires is still pending: named, at its line, with the rule.
        run = check(empty_repo, "--as-of", as_of)
        expect_incomplete(empty_repo, run, PATH, held, status)
        assert len(problem_lines(run, "required-item-incomplete")) == 1, run.output

        set_item(empty_repo, PATH, held, done_value(held))
        if status == "closed":
            # Every item is done; the sign-offs the environment needs come last.
            run = check(empty_repo, "--as-of", as_of)
            signoffs_line = empty_repo.line_of(PATH, r"^signoffs:")
            for role in signoff_roles("production"):
                expect_problem(
                    run,
                    PATH,
                    signoffs_line,
                    key_column(empty_repo, PATH, signoffs_line),
                    "signoff-missing",
                    f"needs the {role} sign-off",
                )
            names = {"deploying-engineer": DEPLOYER, **SIGNERS}
            entries = [{"role": r, "name": names[r], "date": as_of} for r in signoff_roles("production")]
            set_signoffs(empty_repo, PATH, [entry for entry in entries if entry["role"] != "product-owner"])
            run = check(empty_repo, "--as-of", as_of)
            signoffs_line = empty_repo.line_of(PATH, r"^signoffs:")
            expect_problem(
                run,
                PATH,
                signoffs_line,
                key_column(empty_repo, PATH, signoffs_line),
                "signoff-missing",
                "product-owner",
            )
            assert len(problem_lines(run, "signoff-missing")) == 1
            set_signoffs(empty_repo, PATH, entries)

        # Exactly what the policy requires for this step is complete: the check passes.
        run = check(empty_repo, "--as-of", as_of)
        assert_passes(run)
        # ... and nothing beyond it was needed: every other item is still pending.
        text = empty_repo.read(PATH)
        lines, where = text.splitlines(), key_lines(text)
        for path in all_item_paths():
            value = lines[where[("checklists", *path.split("."))] - 1].split("#")[0].split(":", 1)[1]
            assert ("pending" in value) is (path not in required_items(status, "production")), (status, path)


def all_item_paths() -> list[str]:
    return [item["path"] for item in catalog_items()]


# -- each status requires exactly the policy's items, in every environment -----------------------

ENVIRONMENTS = ["development", "staging", "pre-prod", "production"]
STATUS_DATE = {"in-progress": "2026-11-26", "deployed": "2026-11-26", "verified": "2026-11-24", "closed": "2026-11-16"}
STATUS_DATE |= {"rolled-back": "2026-11-26", "aborted": "2026-11-26", "planned": "2026-11-30"}


@pytest.fixture(scope="module")
def all_pending(tmp_path_factory: pytest.TempPathFactory) -> tuple[Repo, Run, dict[tuple[str, str], str]]:
    """Records claiming every status in every environment with every item pending, checked once."""
    repo = copy_repo(tmp_path_factory.mktemp("pending") / "repo", records=False)
    paths = {}
    for e_index, environment in enumerate(ENVIRONMENTS):
        for s_index, status in enumerate(STATUS_DATE):
            paths[(environment, status)] = make_record(
                repo,
                status,
                version=f"{e_index + 1}.{s_index}.0",
                environment=environment,
                date=STATUS_DATE[status],
                leave_pending=all_item_paths(),
                signoffs=False,
            )
    return repo, check(repo, "--as-of", "2026-11-26"), paths


@pytest.mark.parametrize("environment", ENVIRONMENTS)
@pytest.mark.parametrize("status", list(STATUS_DATE))
def test_status_requires_exactly_what_the_policy_says(all_pending, environment: str, status: str) -> None:
    repo, run, paths = all_pending
    path = paths[(environment, status)]
    reported = problem_lines(run, "required-item-incomplete", path)
    expected = {
        f"{path}:{line}:{column}: [required-item-incomplete] "
        for line, column in (item_position(repo, path, item) for item in required_items(status, environment))
    }
    assert {line.split("] ")[0] + "] " for line in reported} == expected
    assert len(reported) == len(expected)
    signoffs = problem_lines(run, "signoff-missing", path)
    needed = signoff_roles(environment) if status == "closed" else []
    assert len(signoffs) == len(needed)
    for role in needed:
        assert any(f"needs the {role} sign-off" in line for line in signoffs), signoffs


def test_development_is_lighter_than_production(empty_repo: Repo) -> None:
    operational = "operational_tasks.service_management.capacity_planning"
    compliance = "pre_deployment.compliance_and_security_review.privacy_review"
    dev = make_record(empty_repo, "closed", environment="development", leave_pending=[operational, compliance])
    prod = make_record(empty_repo, "closed", leave_pending=[operational])
    staging = make_record(empty_repo, "in-progress", environment="staging", leave_pending=[compliance])
    run = check(empty_repo)
    # development never requires operational tasks, nor the compliance review of section 1.5 ...
    assert problem_lines(run, file=dev) == [], run.output
    # ... production and staging do.
    expect_incomplete(empty_repo, run, prod, operational, "closed")
    expect_incomplete(empty_repo, run, staging, compliance, "in-progress")
    assert len(errors_of(run)) == 2, run.output


# -- hotfix deferrals ----------------------------------------------------------------------------

DEFERRABLE = "pre_deployment.testing_and_validation.performance_tests"
NOT_DEFERRABLE = "pre_deployment.testing_and_validation.unit_tests"
DEFERRED = "{state: pending, deferred: {justification: login outage, follow_up: 2026-12-03}}"


def test_hotfix_defers_only_what_the_policy_allows(empty_repo: Repo) -> None:
    good = make_record(empty_repo, "in-progress", type="hotfix", leave_pending=[DEFERRABLE])
    set_item(empty_repo, good, DEFERRABLE, DEFERRED)
    run = check(empty_repo)
    assert_passes(run)

    bad = make_record(
        empty_repo, "in-progress", service="tenancy-service", type="hotfix", leave_pending=[NOT_DEFERRABLE]
    )
    set_item(empty_repo, bad, NOT_DEFERRABLE, DEFERRED)
    update = make_record(empty_repo, "in-progress", service="finance-service", leave_pending=[DEFERRABLE])
    set_item(empty_repo, update, DEFERRABLE, DEFERRED)
    run = check(empty_repo)
    assert run.returncode == 1
    assert [line for line in errors_of(run) if line.startswith(good + ":")] == [], run.output
    expect_problem(
        run, bad, *item_position(empty_repo, bad, NOT_DEFERRABLE, "{justification"), "deferral-not-allowed",
        "1.2.1 Unit Tests cannot be deferred in a hotfix deployment",
    )  # fmt: skip
    expect_incomplete(empty_repo, run, bad, NOT_DEFERRABLE, "in-progress")  # so it still blocks the status
    expect_problem(
        run, update, *item_position(empty_repo, update, DEFERRABLE, "{justification"), "deferral-not-allowed",
        "1.2.4 Performance Tests cannot be deferred in an update deployment",
    )  # fmt: skip
    expect_incomplete(empty_repo, run, update, DEFERRABLE, "in-progress")
    assert len(errors_of(run)) == 4, run.output


# -- rollbacks -----------------------------------------------------------------------------------


def test_rollback_must_name_an_earlier_deployment_of_the_same_service_and_environment(empty_repo: Repo) -> None:
    make_record(empty_repo, "closed", version="2.2.0", date="2026-11-01")
    make_record(empty_repo, "rolled-back", version="2.3.0", date="2026-11-10")
    # The real `deploydocs new` files the second deployment of 2.2.0 as attempt 2.
    run = empty_repo.cli(
        "new", "--service", "identity-service", "--version", "2.2.0", "--environment", "production",
        "--type", "rollback", "--rolls-back", "DEPLOY-IDENTITY-SERVICE-2.3.0", "--date", "2026-11-12", "--attempt", "2",
        "--deployed-by", DEPLOYER, "--reviewed-by", REVIEWER,
    )  # fmt: skip
    rollback = "records/identity-service/2.2.0-production-attempt-2.yaml"
    assert run.returncode == 0 and run.stdout.strip() == f"created {rollback}", run.output
    assert re.search(r"^attempt: 2$", empty_repo.read(rollback), re.MULTILINE)
    assert re.search(r"^rolls_back: DEPLOY-IDENTITY-SERVICE-2\.3\.0$", empty_repo.read(rollback), re.MULTILINE)

    # Broken rollbacks, each on its own service.
    missing = make_record(empty_repo, "planned", service="tenancy-service", type="rollback")
    unknown = make_record(
        empty_repo, "planned", service="tenancy-service", version="2.4.0", type="rollback",
        rolls_back=expected_id("tenancy-service", "9.9.9"),
    )  # fmt: skip
    other_service = make_record(
        empty_repo, "planned", service="documents-service", type="rollback",
        rolls_back=expected_id("identity-service", "2.3.0"),
    )  # fmt: skip
    other_environment = make_record(
        empty_repo, "planned", environment="staging", type="rollback",
        rolls_back=expected_id("identity-service", "2.3.0"),
    )  # fmt: skip
    make_record(empty_repo, "deployed", service="finance-service", version="1.1.0", date="2026-11-20")
    later = make_record(
        empty_repo, "planned", service="finance-service", version="1.0.0", type="rollback", date="2026-11-15",
        rolls_back=expected_id("finance-service", "1.1.0"),
    )  # fmt: skip

    run = check(empty_repo)
    assert run.returncode == 1
    assert problem_lines(run, "rollback-target", rollback) == [], run.output

    def at(path: str, key: str) -> tuple[int, int]:
        line = empty_repo.line_of(path, rf"^{key}:")
        return line, value_column(empty_repo, path, line)

    expect_problem(run, missing, *at(missing, "type"), "rollback-target", "a rollback does not say what it reverses")
    expect_problem(
        run, unknown, *at(unknown, "rolls_back"), "rollback-target",
        "`DEPLOY-TENANCY-SERVICE-9.9.9` is not the id of any record",
    )  # fmt: skip
    expect_problem(
        run, other_service, *at(other_service, "rolls_back"), "rollback-target",
        "`DEPLOY-IDENTITY-SERVICE-2.3.0` is a deployment of identity-service in production, "
        "not of documents-service in production",
    )  # fmt: skip
    expect_problem(
        run, other_environment, *at(other_environment, "rolls_back"), "rollback-target",
        "not of identity-service in staging",
    )  # fmt: skip
    expect_problem(
        run, later, *at(later, "rolls_back"), "rollback-target",
        "`DEPLOY-FINANCE-SERVICE-1.1.0` was deployed on 2026-11-20, after this rollback (2026-11-15)",
    )  # fmt: skip
    assert len(problem_lines(run, "rollback-target")) == 5, run.output


def test_rolled_back_needs_only_what_in_progress_needs(empty_repo: Repo) -> None:
    """rolled-back branches off in-progress: later items may stay pending, but it must say why."""
    path = make_record(empty_repo, "rolled-back", outcome_reason="")
    run = check(empty_repo)
    line = empty_repo.line_of(path, r"^status:")
    expect_problem(
        run,
        path,
        line,
        value_column(empty_repo, path, line),
        "outcome-reason-missing",
        "status `rolled-back` needs an `outcome_reason`",
    )
    assert len(errors_of(run)) == 1, run.output
    set_field(empty_repo, path, "outcome_reason", "Error rate above the SLO after the switch")
    assert_passes(check(empty_repo))
    held = step_items("in-progress", "production")[0]
    set_item(empty_repo, path, held, "pending")
    expect_incomplete(empty_repo, check(empty_repo), path, held, "rolled-back")


# -- output formats and exit codes ---------------------------------------------------------------


@pytest.fixture
def mixed(empty_repo: Repo) -> Repo:
    """Errors and warnings in two files, one with a comma in its name."""
    broken = make_record(empty_repo, "deployed", date="2026-11-20")  # monitoring-overdue, promotion-missing
    set_field(empty_repo, broken, "id", "DEPLOY-IDENTITY-SERVICE-2.3.1")
    odd = make_record(empty_repo, "planned", service="tenancy-service", relative="records/tenancy-service/a,b.yaml")
    set_item(empty_repo, odd, "pre_deployment.infrastructure.dns", "n/a")
    return empty_repo


def test_json_report_shape(mixed: Repo) -> None:
    run = check(mixed, "--format", "json")
    assert run.returncode == 1
    payload = json.loads(run.stdout)
    assert list(payload) == ["version", "files_checked", "errors", "warnings", "problems"]
    assert payload["version"] == 1
    assert payload["files_checked"] == 2
    problems = payload["problems"]
    assert payload["errors"] == sum(p["severity"] == "error" for p in problems) == 3
    assert payload["warnings"] == sum(p["severity"] == "warning" for p in problems) == 2
    for problem in problems:
        assert list(problem) == ["file", "line", "column", "rule", "severity", "message", "fix"]
        assert isinstance(problem["line"], int) and isinstance(problem["column"], int)
        assert problem["severity"] in ("error", "warning")
        assert isinstance(problem["message"], str) and problem["message"]
        assert isinstance(problem["fix"], str)
    rules = sorted((p["file"], p["rule"]) for p in problems)
    assert rules == [
        (PATH, "id-mismatch"),
        (PATH, "monitoring-overdue"),
        (PATH, "promotion-missing"),
        ("records/tenancy-service/a,b.yaml", "file-name-mismatch"),
        ("records/tenancy-service/a,b.yaml", "na-needs-reason"),
    ]
    id_problem = next(p for p in problems if p["rule"] == "id-mismatch")
    assert (id_problem["line"], id_problem["column"]) == (mixed.line_of(PATH, r"^id:"), 5)
    assert id_problem["fix"] == "write `id: DEPLOY-IDENTITY-SERVICE-2.3.0`"
    # Same problems, same order, as the text report.
    text = check(mixed)
    lines = problem_lines(text)
    assert len(lines) == len(problems)
    for line, problem in zip(lines, problems, strict=True):
        expected = f"{problem['file']}:{problem['line']}:{problem['column']}: [{problem['rule']}] {problem['message']}"
        expected += f" ({problem['fix']})" if problem["fix"] else ""
        expected += " [warning]" if problem["severity"] == "warning" else ""
        assert line == expected
    assert text.stdout.splitlines()[-1] == "3 error(s), 2 warning(s) in 2 record file(s)"


def test_github_report_lines(mixed: Repo) -> None:
    problems = check_json(mixed)["problems"]
    run = check(mixed, "--format", "github")
    assert run.returncode == 1
    lines = run.stdout.splitlines()
    assert len(lines) == len(problems) + 1
    problems.sort(key=lambda p: p["severity"] != "error")  # errors first, each kind in check's order
    for line, problem in zip(lines[:-1], problems, strict=True):
        command = "error" if problem["severity"] == "error" else "warning"
        file = problem["file"].replace("%", "%25").replace(":", "%3A").replace(",", "%2C")
        message = problem["message"] + (f" ({problem['fix']})" if problem["fix"] else "")
        assert line == (
            f"::{command} file={file},line={problem['line']},col={problem['column']},title={problem['rule']}::{message}"
        )
    assert "::error file=records/tenancy-service/a%2Cb.yaml,line=1,col=1,title=file-name-mismatch::" in run.stdout
    assert re.match(r"^::error file=[^,]+,line=\d+,col=\d+,title=id-mismatch::id `", lines[0]), lines[0]
    assert lines[-1] == "3 error(s), 2 warning(s) in 2 record file(s)"


def test_exit_codes(mixed: Repo) -> None:
    # 1: errors.
    assert check(mixed).returncode == 1
    # 0: only the files asked about are reported; the clean planned record has none of its own.
    clean = make_record(mixed, "planned", service="documents-service")
    run = check(mixed, clean)
    assert run.returncode == 0 and run.stdout == "ok: 1 record file(s), no problems\n", run.output
    # 1 again when the path asked about has an error.
    run = check(mixed, PATH)
    assert run.returncode == 1 and all(line.startswith(PATH + ":") for line in problem_lines(run)), run.output
    # 2: a path that does not exist, a bad date, an unknown format, no command at all.
    for args, says in [
        (("check", "records/nope.yaml"), "deploydocs: error: records/nope.yaml: no such file or folder"),
        (("check", "--as-of", "2026-13-01"), "is not a date"),
        (("check", "--format", "xml"), "invalid choice"),
        ((), "the following arguments are required"),
    ]:
        run = mixed.cli(*args)
        assert run.returncode == 2, (args, run.output)
        assert says in run.stderr, (args, run.stderr)
        assert "Traceback" not in run.output
        assert run.stdout == "", (args, run.stdout)


def test_checking_one_file_does_not_pass_when_nothing_could_be_checked(empty_repo: Repo) -> None:
    path = make_record(empty_repo, "planned", service="tenancy-service")
    set_field(empty_repo, path, "id", "DEPLOY-TENANCY-SERVICE-9.9.9")  # an error of its own
    empty_repo.edit("records/services.yaml", r"^(    port: )3002$", r"\g<1>3001")  # and a broken registry
    full = check(empty_repo)
    assert full.returncode == 1 and problem_lines(full, "registry-duplicate-port"), full.output
    run = check(empty_repo, path)
    assert run.returncode == 1, run.output
    assert "no problems" not in run.output


def test_text_report_keeps_one_problem_per_line(empty_repo: Repo) -> None:
    path = make_record(empty_repo, "planned", environment="staging")
    # A quoted key with a line break that looks like another problem.
    forged = "records/x.yaml:1:1: [id-mismatch] forged"
    empty_repo.write(path, empty_repo.read(path) + f'"note\\n{forged}": x\n')
    payload = check_json(empty_repo)
    assert payload["errors"] == 1, payload
    run = check(empty_repo)
    assert len(run.stdout.splitlines()) == len(payload["problems"]) + 1, run.stdout
    assert not any(line.startswith(forged) for line in run.stdout.splitlines()), run.stdout
