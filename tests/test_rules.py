"""Every rule about records, one failing and one passing case each, checked to file:line:col.

The cases live side by side in one repository (each on its own service, version or environment, so
they cannot disturb each other) and `deploydocs check --as-of 2026-11-26` runs once over all of
them: a rule that misfires on a good record, or misses a bad one, fails its own test. Expected
positions are computed from the record text, never typed in.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from deploydocs.core.problems import Severity
from deploydocs.core.rules import RULES
from deploydocs.core.rules.signoffs import STATUS_SEVERITY

from repo_support import (
    AS_OF,
    DEPLOYER,
    SIGNERS,
    TODAY,
    Repo,
    Run,
    check,
    check_json,
    copy_repo,
    delete_item,
    expect_problem,
    expected_id,
    item_info,
    item_position,
    key_column,
    make_record,
    problem_lines,
    set_field,
    set_item,
    set_signoffs,
    sign_again,
    value_column,
)

# Rules about the files themselves and the schema are covered in test_load_errors.py; the registry
# and policy rules are about other files. Everything else in RULES is a record rule tested here.
NOT_RECORD_RULES = {
    "empty-file", "not-a-mapping", "not-utf8", "file-too-large", "not-yaml-file", "symlink-outside",
    "yaml-syntax", "yaml-tab-indentation", "yaml-duplicate-key", "yaml-custom-tag", "yaml-too-many-values",
    "yaml-too-deep", "yaml-complex-key", "yaml-merge-key", "unknown-key", "missing-key", "invalid-value",
    "invalid-state", "na-needs-reason", "value-not-string", "wrong-type", "invalid-format", "invalid-date",
    "invalid-characters",
    "empty-value", "schema", "registry-schema", "registry-duplicate-port", "registry-duplicate-alias",
    "policy-schema", "policy-invalid", "not-a-regular-file", "file-unreadable", "control-character",
    "yaml-number-too-long",
    "people-schema", "people-duplicate", "people-unknown-service", "signoff-not-approved",
}  # fmt: skip
# The record rules the project's brief names; RULES must keep every one of them.
NAMED_RECORD_RULES = {
    "id-mismatch", "unknown-service", "file-name-mismatch", "duplicate-record", "na-not-allowed",
    "required-item-incomplete", "item-parameter-missing", "waiver-expired", "waiver-unneeded",
    "deferral-not-allowed", "deferral-overdue", "placeholder-left", "status-too-early", "monitoring-overdue",
    "planned-date-passed", "outcome-reason-missing", "rollback-target", "promotion-missing", "signoff-missing",
    "signoff-separation-of-duties", "reviewer-is-deployer", "signoff-future-date", "signoff-duplicate-role",
}  # fmt: skip


@dataclass(frozen=True)
class Expect:
    """A failing case (``line`` set: this exact problem must be reported) or a passing one."""

    file: str
    rule: str
    line: int | None = None
    column: int | None = None
    fragments: tuple[str, ...] = ()
    warning: bool = False


Builder = Callable[[Repo, str], Expect]
CASES: dict[str, Builder] = {}


def case(name: str) -> Callable[[Builder], Builder]:
    def register(builder: Builder) -> Builder:
        assert name not in CASES
        CASES[name] = builder
        return builder

    return register


def days(n: int) -> str:
    """The date ``n`` days after (negative: before) 2026-11-26."""
    return (TODAY + dt.timedelta(days=n)).isoformat()


def field_position(repo: Repo, relative: str, key: str, needle: str | None = None) -> tuple[int, int]:
    line = repo.line_of(relative, rf"^{key}:")
    return line, value_column(repo, relative, line, needle)


# -- identity ------------------------------------------------------------------------------------


@case("id-mismatch/fail")
def _(repo: Repo, version: str) -> Expect:
    path = make_record(repo, "planned", version=version, environment="staging")
    wrong = expected_id("identity-service", version.replace(".0.0", ".0.1"))  # a typo in the id
    set_field(repo, path, "id", wrong)
    return Expect(
        path,
        "id-mismatch",
        *field_position(repo, path, "id"),
        (
            f"id `{wrong}` does not match service `identity-service` and version `{version}`",
            f"write `id: {expected_id('identity-service', version)}`",
        ),
    )


@case("id-mismatch/pass")
def _(repo: Repo, version: str) -> Expect:
    # A pre-release: the id carries the version in capitals (DEPLOY-...-2.0.0-RC.1).
    path = make_record(repo, "planned", version=f"{version}-rc.1", environment="staging")
    assert f"id: DEPLOY-IDENTITY-SERVICE-{version}-RC.1" in repo.read(path)
    return Expect(path, "id-mismatch")


@case("unknown-service/fail-alias")
def _(repo: Repo, version: str) -> Expect:
    path = make_record(repo, "planned", service="user-profile-service", version=version, environment="staging")
    return Expect(
        path,
        "unknown-service",
        *field_position(repo, path, "service"),
        (
            "service `user-profile-service` is not in records/services.yaml",
            "`user-profile-service` is an alias: write `service: user-profiles-service`",
        ),
    )


@case("unknown-service/fail-typo")
def _(repo: Repo, version: str) -> Expect:
    path = make_record(repo, "planned", service="tenancy-servce", version=version, environment="staging")
    return Expect(
        path,
        "unknown-service",
        *field_position(repo, path, "service"),
        ("service `tenancy-servce` is not in records/services.yaml", "did you mean `tenancy-service`?"),
    )


@case("unknown-service/pass")
def _(repo: Repo, version: str) -> Expect:
    path = make_record(repo, "planned", service="user-profiles-service", version=version, environment="staging")
    return Expect(path, "unknown-service")


@case("service-not-active/fail")
def _(repo: Repo, version: str) -> Expect:
    path = make_record(repo, "planned", service="physical-security-service", version=version, environment="staging")
    return Expect(
        path,
        "service-not-active",
        *field_position(repo, path, "service"),
        ("service `physical-security-service` is marked `future` in records/services.yaml",),
        warning=True,
    )


@case("service-not-active/pass")
def _(repo: Repo, version: str) -> Expect:
    path = make_record(repo, "planned", service="tenancy-service", version=version, environment="staging")
    return Expect(path, "service-not-active")


@case("file-name-mismatch/fail-name")
def _(repo: Repo, version: str) -> Expect:
    path = make_record(
        repo, "planned", version=version, environment="staging", relative="records/identity-service/prod.yaml"
    )
    return Expect(
        path,
        "file-name-mismatch",
        1,
        1,
        ("stored as `identity-service/prod.yaml`", f"move it to records/identity-service/{version}-staging.yaml"),
    )


@case("file-name-mismatch/fail-folder")
def _(repo: Repo, version: str) -> Expect:
    path = make_record(
        repo,
        "planned",
        service="tenancy-service",
        version=version,
        environment="staging",
        relative=f"records/identity-service/{version}-staging.yaml",
    )
    return Expect(
        path,
        "file-name-mismatch",
        1,
        1,
        (
            f"the record for tenancy-service {version} in staging is stored as "
            f"`identity-service/{version}-staging.yaml`",
            f"move it to records/tenancy-service/{version}-staging.yaml",
        ),
    )


@case("file-name-mismatch/pass")
def _(repo: Repo, version: str) -> Expect:
    make_record(repo, "aborted", version=version, environment="staging")
    path = make_record(repo, "planned", version=version, environment="staging", attempt=2)
    assert path.endswith(f"/{version}-staging-attempt-2.yaml")
    return Expect(path, "file-name-mismatch")


@case("duplicate-record/fail")
def _(repo: Repo, version: str) -> Expect:
    first = make_record(repo, "planned", service="notifications-service", version=version, environment="staging")
    copy = make_record(
        repo,
        "planned",
        service="notifications-service",
        version=version,
        environment="staging",
        relative=f"records/notifications-service/copy/{version}-staging.yaml",
    )
    return Expect(
        copy,
        "duplicate-record",
        *field_position(repo, copy, "version"),
        (f"{first} already records notifications-service {version} in staging", "needs `attempt: 2`"),
    )


@case("duplicate-record/pass")
def _(repo: Repo, version: str) -> Expect:
    make_record(repo, "aborted", service="notifications-service", version=version, environment="staging")
    second = make_record(
        repo, "planned", service="notifications-service", version=version, environment="staging", attempt=2
    )
    return Expect(second, "duplicate-record")


# -- items ---------------------------------------------------------------------------------------


@case("na-not-allowed/fail")
def _(repo: Repo, version: str) -> Expect:
    path = make_record(repo, "planned", version=version)
    item = "pre_deployment.code_and_configuration.secrets"
    set_item(repo, path, item, "{state: n/a, reason: the service has no secrets}")
    return Expect(
        path,
        "na-not-allowed",
        *item_position(repo, path, item, "n/a"),
        ("1.1.3 Secrets may not be n/a in production",),
    )


@case("na-not-allowed/pass-if-applicable")
def _(repo: Repo, version: str) -> Expect:
    path = make_record(repo, "planned", version=version)
    set_item(repo, path, "pre_deployment.infrastructure.dns", "{state: n/a, reason: no DNS change in this version}")
    return Expect(path, "na-not-allowed")


@case("na-not-allowed/pass-environment")
def _(repo: Repo, version: str) -> Expect:
    # Staging may skip its own deployment steps (policy: environments.staging.not_applicable_allowed).
    path = make_record(repo, "planned", version=version, environment="staging")
    set_item(repo, path, "deployment.deployment_steps.switch_traffic", "{state: n/a, reason: staging has one pool}")
    return Expect(path, "na-not-allowed")


def planned_rollback(repo: Repo, version: str) -> str:
    """A planned production rollback of marketplace-service to ``version``, from a later deployment."""
    newer = version.replace(".0.0", ".5.0")
    make_record(repo, "deployed", service="marketplace-service", version=newer, date=days(-1))
    return make_record(repo, "planned", service="marketplace-service", version=version, type="rollback",
                       rolls_back=expected_id("marketplace-service", newer))  # fmt: skip


@case("na-not-allowed/fail-rollback-outside-policy")
def _(repo: Repo, version: str) -> Expect:
    # A rollback may skip tests, not secrets: the fix names the types where n/a is allowed, if any.
    path = planned_rollback(repo, version)
    item = "deployment.pre_flight_checks.monitoring"
    set_item(repo, path, item, "{state: n/a, reason: the dashboards exist}")
    return Expect(
        path,
        "na-not-allowed",
        *item_position(repo, path, item, "n/a"),
        ("may not be n/a in production (a rollback deployment)",),
    )


@case("na-not-allowed/pass-initial-release")
def _(repo: Repo, version: str) -> Expect:
    # An initial release has no previous version (policy: deployment_types.initial).
    path = make_record(repo, "planned", service="analytics-service", version=version, type="initial")
    set_item(repo, path, "rollback_preparation.rollback_plan.previous_version", "{state: n/a, reason: first release}")
    return Expect(path, "na-not-allowed")


@case("na-not-allowed/pass-rollback-tests")
def _(repo: Repo, version: str) -> Expect:
    # A rollback redeploys a version tested when it first went out (policy: deployment_types.rollback).
    path = planned_rollback(repo, version)
    set_item(repo, path, "pre_deployment.testing_and_validation.unit_tests", "{state: n/a, reason: tested in 1.3.2}")
    return Expect(path, "na-not-allowed")


@case("evidence-invalid/fail")
def _(repo: Repo, version: str) -> Expect:
    item = "pre_deployment.testing_and_validation.unit_tests"
    path = make_record(repo, "planned", version=version, environment="staging")
    set_item(repo, path, item, "{state: done, evidence: jenkins}")
    return Expect(
        path,
        "evidence-invalid",
        *item_position(repo, path, item, "jenkins"),
        ("the evidence of 1.2.1 Unit Tests, `jenkins`, is neither a link nor a reference",
         "write a link (https://…) or a reference such as SEC-131 (ticket)"),
    )  # fmt: skip


@case("evidence-invalid/pass")
def _(repo: Repo, version: str) -> Expect:
    path = make_record(repo, "planned", version=version, environment="staging")
    evidence = {
        "pre_deployment.testing_and_validation.unit_tests": "'https://ci.smartedify.example/run/1'",
        "pre_deployment.testing_and_validation.integration_tests": "SEC-131",
        "pre_deployment.testing_and_validation.security_scan": "'#123'",
        "pre_deployment.testing_and_validation.performance_tests": "smartedify/identity-service#412",
        "pre_deployment.testing_and_validation.security_tests": "'DEPLOY-IDENTITY-SERVICE-2.3.0 (staging, 2026-11-03)'",
    }
    for item, value in evidence.items():
        set_item(repo, path, item, f"{{state: done, evidence: {value}}}")
    return Expect(path, "evidence-invalid")


@case("required-item-incomplete/fail")
def _(repo: Repo, version: str) -> Expect:
    item = "deployment.deployment_steps.smoke_tests"
    path = make_record(repo, "deployed", version=version, environment="staging", leave_pending=[item])
    return Expect(
        path,
        "required-item-incomplete",
        *item_position(repo, path, item),
        ("2.2.7 Step 7 is pending, but status `deployed` requires 2.2 Deployment Steps complete",),
    )


@case("required-item-incomplete/pass")
def _(repo: Repo, version: str) -> Expect:
    path = make_record(repo, "deployed", version=version, environment="staging")
    return Expect(path, "required-item-incomplete")


@case("item-parameter-missing/fail")
def _(repo: Repo, version: str) -> Expect:
    item = "next_steps.follow_up_tasks.plan_next_deployment"
    path = make_record(repo, "planned", version=version, environment="staging")
    set_item(repo, path, item, "done")
    return Expect(
        path,
        "item-parameter-missing",
        *item_position(repo, path, item),
        ("13.2.2", "is done but `criteria` is not filled in", "criteria: <criteria>"),
    )


@case("item-parameter-missing/pass")
def _(repo: Repo, version: str) -> Expect:
    item = "next_steps.follow_up_tasks.plan_next_deployment"
    path = make_record(repo, "planned", version=version, environment="staging")
    set_item(repo, path, item, "{state: done, criteria: error budget left after 2.3.0}")
    return Expect(path, "item-parameter-missing")


WAIVED = "deployment.deployment_steps.smoke_tests"


@case("waiver-expired/fail")
def _(repo: Repo, version: str) -> Expect:
    path = make_record(repo, "deployed", version=version, environment="staging", leave_pending=[WAIVED])
    set_item(
        repo,
        path,
        WAIVED,
        "{state: pending, waiver: {reason: suite broken upstream, approver: operations-manager, expires: 2026-11-01}}",
    )
    return Expect(
        path,
        "waiver-expired",
        *item_position(repo, path, WAIVED, "2026-11-01"),
        ("the waiver of 2.2.7 Step 7 expired on 2026-11-01",),
        warning=True,  # due: an error only in a pull request that changes the record (test_time.py)
    )


@case("waiver-expired/pass-final")
def _(repo: Repo, version: str) -> Expect:
    # A closed record is judged as of the day it was closed: a waiver valid then never expires on it.
    path = make_record(repo, "closed", version=version, environment="staging", date=days(-20), leave_pending=[WAIVED])
    set_field(repo, path, "closed_on", days(-9))
    set_item(
        repo,
        path,
        WAIVED,
        f"{{state: pending, waiver: {{reason: suite broken upstream, approver: operations-manager, "
        f"expires: {days(-5)}}}}}",
    )
    sign_again(repo, path)  # the edits above changed what the sign-offs cover
    return Expect(path, "waiver-expired")


@case("waiver-expired/pass")
def _(repo: Repo, version: str) -> Expect:
    # An unexpired waiver lets a required item stay undone: the record is clean.
    path = make_record(repo, "deployed", version=version, environment="staging", leave_pending=[WAIVED])
    set_item(
        repo,
        path,
        WAIVED,
        "{state: pending, waiver: {reason: suite broken upstream, approver: operations-manager, expires: 2026-12-31}}",
    )
    return Expect(path, "waiver-expired")


@case("waiver-unneeded/fail")
def _(repo: Repo, version: str) -> Expect:
    path = make_record(repo, "deployed", version=version, environment="staging")
    set_item(
        repo,
        path,
        WAIVED,
        "{state: done, waiver: {reason: suite broken upstream, approver: operations-manager, expires: 2026-12-31}}",
    )
    return Expect(
        path,
        "waiver-unneeded",
        *item_position(repo, path, WAIVED, "{reason"),
        ("2.2.7 Step 7 is done and still carries a waiver",),
        warning=True,
    )


@case("waiver-unneeded/pass")
def _(repo: Repo, version: str) -> Expect:
    path = make_record(repo, "deployed", version=version, environment="staging", leave_pending=[WAIVED])
    set_item(
        repo,
        path,
        WAIVED,
        "{state: pending, waiver: {reason: suite broken upstream, approver: operations-manager, expires: 2026-12-31}}",
    )
    return Expect(path, "waiver-unneeded")


DEFERRABLE = "pre_deployment.testing_and_validation.performance_tests"
NOT_DEFERRABLE = "pre_deployment.testing_and_validation.unit_tests"


def deferral(follow_up: str) -> str:
    return f"{{state: pending, deferred: {{justification: the outage cannot wait, follow_up: {follow_up}}}}}"


@case("deferral-not-allowed/fail")
def _(repo: Repo, version: str) -> Expect:
    path = make_record(repo, "planned", version=version, environment="staging", type="update")
    set_item(repo, path, NOT_DEFERRABLE, deferral(days(10)))
    return Expect(
        path,
        "deferral-not-allowed",
        *item_position(repo, path, NOT_DEFERRABLE, "{justification"),
        ("1.2.1 Unit Tests cannot be deferred in an update deployment",),
    )


@case("deferral-not-allowed/pass")
def _(repo: Repo, version: str) -> Expect:
    # A hotfix defers a deferrable item and still reaches in-progress with nothing else missing.
    path = make_record(
        repo, "in-progress", version=version, environment="staging", type="hotfix", leave_pending=[DEFERRABLE]
    )
    set_item(repo, path, DEFERRABLE, deferral(days(10)))
    return Expect(path, "deferral-not-allowed")


@case("deferral-overdue/fail")
def _(repo: Repo, version: str) -> Expect:
    path = make_record(
        repo, "in-progress", version=version, environment="staging", type="hotfix", leave_pending=[DEFERRABLE]
    )
    set_item(repo, path, DEFERRABLE, deferral(days(-6)))
    return Expect(
        path,
        "deferral-overdue",
        *item_position(repo, path, DEFERRABLE, days(-6)),
        (f"1.2.4 Performance Tests was deferred until {days(-6)} and is not done",),
        warning=True,
    )


@case("deferral-overdue/pass-rolled-back")
def _(repo: Repo, version: str) -> Expect:
    # A rolled-back hotfix will not do what it deferred: its deferrals never fall due.
    path = make_record(
        repo, "rolled-back", version=version, environment="staging", type="hotfix", leave_pending=[DEFERRABLE]
    )
    set_item(repo, path, DEFERRABLE, deferral(days(-6)))
    return Expect(path, "deferral-overdue")


@case("deferral-overdue/pass")
def _(repo: Repo, version: str) -> Expect:
    path = make_record(
        repo, "in-progress", version=version, environment="staging", type="hotfix", leave_pending=[DEFERRABLE]
    )
    set_item(repo, path, DEFERRABLE, deferral(days(0)))  # due today: not overdue yet
    return Expect(path, "deferral-overdue")


@case("placeholder-left/fail")
def _(repo: Repo, version: str) -> Expect:
    path = make_record(repo, "planned", version=version, environment="staging")
    repo.write(path, repo.read(path) + "support_team:\n  primary_on_call: '[Name and Contact]'\n")
    line = repo.line_of(path, r"^  primary_on_call:")
    return Expect(
        path,
        "placeholder-left",
        line,
        value_column(repo, path, line),
        ("the template placeholder `[Name and Contact]` is still in support_team.primary_on_call",),
    )


@case("placeholder-left/pass")
def _(repo: Repo, version: str) -> Expect:
    path = make_record(repo, "planned", version=version, environment="staging")
    repo.write(path, repo.read(path) + "support_team:\n  primary_on_call: 'Lucía Ramos, +51 999 111 222'\n")
    return Expect(path, "placeholder-left")


@case("invisible-character/fail")
def _(repo: Repo, version: str) -> Expect:
    path = make_record(repo, "planned", version=version, environment="staging")
    set_field(repo, path, "changes", "Approved by \u202eytiruces\u202c team")  # the characters themselves
    return Expect(
        path,
        "invisible-character",
        *field_position(repo, path, "changes", "\u202e"),
        ("changes holds the invisible character RIGHT-TO-LEFT OVERRIDE (U+202E)",),
        warning=True,
    )


@case("invisible-character/fail-escaped")
def _(repo: Repo, version: str) -> Expect:
    # Spelt as a YAML escape: reported at the value, the character is not in the file as such.
    path = make_record(repo, "planned", version=version, environment="staging")
    set_field(repo, path, "outcome_reason", '"Signed off\\u200b by ops"')
    return Expect(
        path,
        "invisible-character",
        *field_position(repo, path, "outcome_reason"),
        ("outcome_reason holds the invisible character ZERO WIDTH SPACE (U+200B)",),
        warning=True,
    )


@case("invisible-character/pass")
def _(repo: Repo, version: str) -> Expect:
    # Right-to-left text as such, and a bidirectional mark it may need (U+200F is not an override).
    path = make_record(repo, "planned", version=version, environment="staging")
    set_field(repo, path, "changes", "Hebrew labels \u05e9\u05dc\u05d5\u05dd\u200f (2.0)")
    return Expect(path, "invisible-character")


@case("secret-detected/fail")
def _(repo: Repo, version: str) -> Expect:
    item = "pre_deployment.code_and_configuration.secrets"
    path = make_record(repo, "planned", version=version, environment="staging")
    set_item(repo, path, item, '{state: done, note: "rotated: password=Hunter2!xq"}')
    return Expect(
        path,
        "secret-detected",
        *item_position(repo, path, item, "password="),
        (
            "checklists.pre_deployment.code_and_configuration.secrets.note contains what looks like a secret",
            "(rule `deploydocs-password-assignment`)",
        ),
    )


@case("secret-detected/pass")
def _(repo: Repo, version: str) -> Expect:
    item = "pre_deployment.code_and_configuration.secrets"
    path = make_record(repo, "planned", version=version, environment="staging")
    set_item(repo, path, item, '{state: done, note: "password rotated in Secrets Manager"}')
    return Expect(path, "secret-detected")


# -- lifecycle -----------------------------------------------------------------------------------


@case("status-too-early/fail-verified")
def _(repo: Repo, version: str) -> Expect:
    path = make_record(repo, "verified", version=version, environment="staging", date=days(0))
    return Expect(
        path,
        "status-too-early",
        *field_position(repo, path, "status"),
        (f"status `verified` cannot be claimed before {days(1)} (1 day(s) after the deployment on {days(0)})",),
    )


@case("status-too-early/fail-closed")
def _(repo: Repo, version: str) -> Expect:
    path = make_record(repo, "closed", version=version, environment="staging", date=days(-6))
    return Expect(
        path,
        "status-too-early",
        *field_position(repo, path, "status"),
        (f"status `closed` cannot be claimed before {days(1)} (7 day(s) after the deployment on {days(-6)})",),
    )


@case("status-too-early/pass-verified")
def _(repo: Repo, version: str) -> Expect:
    path = make_record(repo, "verified", version=version, environment="staging", date=days(-1))  # exactly 24 h
    return Expect(path, "status-too-early")


@case("status-too-early/pass-closed")
def _(repo: Repo, version: str) -> Expect:
    path = make_record(repo, "closed", version=version, environment="staging", date=days(-7))  # exactly 7 days
    return Expect(path, "status-too-early")


@case("monitoring-overdue/fail-deployed")
def _(repo: Repo, version: str) -> Expect:
    path = make_record(repo, "deployed", version=version, environment="staging", date=days(-5))
    return Expect(
        path,
        "monitoring-overdue",
        *field_position(repo, path, "status"),
        (f"the record is still `deployed`; `verified` was due on {days(-4)}",),
        warning=True,
    )


@case("monitoring-overdue/fail-verified")
def _(repo: Repo, version: str) -> Expect:
    path = make_record(repo, "verified", version=version, environment="staging", date=days(-12))
    return Expect(
        path,
        "monitoring-overdue",
        *field_position(repo, path, "status"),
        (f"the record is still `verified`; `closed` was due on {days(-5)}",),
        warning=True,
    )


@case("monitoring-overdue/pass")
def _(repo: Repo, version: str) -> Expect:
    path = make_record(repo, "deployed", version=version, environment="staging", date=days(-1))
    return Expect(path, "monitoring-overdue")


@case("planned-date-passed/fail")
def _(repo: Repo, version: str) -> Expect:
    path = make_record(repo, "planned", version=version, environment="staging", date=days(-3))
    return Expect(
        path,
        "planned-date-passed",
        *field_position(repo, path, "date"),
        (f"the deployment was planned for {days(-3)}, which has passed",),
        warning=True,
    )


@case("planned-date-passed/pass")
def _(repo: Repo, version: str) -> Expect:
    path = make_record(repo, "planned", version=version, environment="staging", date=days(0))  # today
    return Expect(path, "planned-date-passed")


@case("status-too-early/fail-closed-on")
def _(repo: Repo, version: str) -> Expect:
    # `closed_on` says when the status was claimed: 3 days after the deployment is too early for good.
    path = make_record(repo, "closed", version=version, environment="staging", date=days(-20))
    set_field(repo, path, "closed_on", days(-17))
    return Expect(
        path,
        "status-too-early",
        *field_position(repo, path, "status"),
        (f"status `closed` cannot be claimed before {days(-13)}", f"and `closed_on` says {days(-17)}"),
    )


@case("closed-on-invalid/fail-live")
def _(repo: Repo, version: str) -> Expect:
    path = make_record(repo, "verified", version=version, environment="staging")
    set_field(repo, path, "closed_on", days(0))
    return Expect(
        path,
        "closed-on-invalid",
        *field_position(repo, path, "closed_on"),
        ("`closed_on` is set but status `verified` is not final",),
    )


@case("closed-on-invalid/fail-future")
def _(repo: Repo, version: str) -> Expect:
    path = make_record(repo, "aborted", version=version, environment="staging")
    set_field(repo, path, "closed_on", days(3))
    return Expect(
        path,
        "closed-on-invalid",
        *field_position(repo, path, "closed_on"),
        (f"`closed_on: {days(3)}` is after today ({days(0)})",),
    )


@case("closed-on-invalid/fail-before-deployment")
def _(repo: Repo, version: str) -> Expect:
    path = make_record(repo, "rolled-back", version=version, environment="staging", date=days(-2))
    set_field(repo, path, "closed_on", days(-3))
    return Expect(
        path,
        "closed-on-invalid",
        *field_position(repo, path, "closed_on"),
        (f"`closed_on: {days(-3)}` is before the deployment on {days(-2)}",),
    )


@case("closed-on-invalid/pass")
def _(repo: Repo, version: str) -> Expect:
    path = make_record(repo, "closed", version=version, environment="staging", date=days(-10))
    set_field(repo, path, "closed_on", days(-2))
    sign_again(repo, path)  # `closed_on` is part of what the sign-offs cover
    return Expect(path, "closed-on-invalid")


@case("outcome-reason-missing/fail-aborted")
def _(repo: Repo, version: str) -> Expect:
    path = make_record(repo, "aborted", version=version, environment="staging", outcome_reason="")
    return Expect(
        path,
        "outcome-reason-missing",
        *field_position(repo, path, "status"),
        ("status `aborted` needs an `outcome_reason`",),
    )


@case("outcome-reason-missing/fail-rolled-back")
def _(repo: Repo, version: str) -> Expect:
    path = make_record(repo, "rolled-back", version=version, environment="staging", outcome_reason="")
    return Expect(
        path,
        "outcome-reason-missing",
        *field_position(repo, path, "status"),
        ("status `rolled-back` needs an `outcome_reason`",),
    )


@case("outcome-reason-missing/pass")
def _(repo: Repo, version: str) -> Expect:
    path = make_record(repo, "rolled-back", version=version, environment="staging", outcome_reason="Login errors")
    return Expect(path, "outcome-reason-missing")


# -- sign-offs -----------------------------------------------------------------------------------


def all_signoffs(date: str) -> list[dict[str, str]]:
    return [
        {"role": "deploying-engineer", "name": DEPLOYER, "date": date},
        *({"role": role, "name": name, "date": date} for role, name in SIGNERS.items()),
    ]


@case("signoff-missing/fail")
def _(repo: Repo, version: str) -> Expect:
    path = make_record(repo, "closed", service="documents-service", version=version)
    set_signoffs(repo, path, [s for s in all_signoffs(days(-10)) if s["role"] != "product-owner"])
    return Expect(
        path,
        "signoff-missing",
        (line := repo.line_of(path, r"^signoffs:")),
        key_column(repo, path, line),
        ("status `closed` in production needs the product-owner sign-off",),
    )


@case("signoff-missing/pass")
def _(repo: Repo, version: str) -> Expect:
    path = make_record(repo, "closed", service="documents-service", version=version)
    return Expect(path, "signoff-missing")


@case("signoff-missing/pass-development")
def _(repo: Repo, version: str) -> Expect:
    # Development needs only the deploying engineer's sign-off.
    path = make_record(repo, "closed", service="documents-service", version=version, environment="development")
    assert repo.read(path).count("role: ") == 3  # deployed_by, reviewed_by and one sign-off
    return Expect(path, "signoff-missing")


@case("signoff-separation-of-duties/fail")
def _(repo: Repo, version: str) -> Expect:
    path = make_record(repo, "closed", service="documents-service", version=version)
    entries = all_signoffs(days(-10))
    entries[1]["name"] = DEPLOYER.upper()  # same person, written differently
    set_signoffs(repo, path, entries)
    line = repo.line_of(path, r"^  - \{role: security-reviewer")
    return Expect(
        path,
        "signoff-separation-of-duties",
        line,
        value_column(repo, path, line, DEPLOYER.upper()),
        (f"{DEPLOYER.upper()} signs as security-reviewer and deploys this record (deployed_by)",),
    )


@case("signoff-separation-of-duties/pass")
def _(repo: Repo, version: str) -> Expect:
    path = make_record(repo, "closed", service="documents-service", version=version, environment="staging")
    return Expect(path, "signoff-separation-of-duties")


@case("reviewer-is-deployer/fail")
def _(repo: Repo, version: str) -> Expect:
    path = make_record(repo, "planned", service="finance-service", version=version, reviewed_by=DEPLOYER)
    line = repo.line_of(path, r"^reviewed_by:")
    return Expect(
        path,
        "reviewer-is-deployer",
        line,
        value_column(repo, path, line, DEPLOYER),
        (f"{DEPLOYER} both deploys and reviews a production deployment",),
    )


@case("reviewer-is-deployer/pass")
def _(repo: Repo, version: str) -> Expect:
    # The rule is about production: a staging deployment may be reviewed by its deployer.
    path = make_record(
        repo, "planned", service="finance-service", version=version, environment="staging", reviewed_by=DEPLOYER
    )
    return Expect(path, "reviewer-is-deployer")


@case("signoff-future-date/fail")
def _(repo: Repo, version: str) -> Expect:
    path = make_record(repo, "deployed", service="finance-service", version=version, environment="staging")
    set_signoffs(repo, path, [{"role": "security-reviewer", "name": "Marco Villanueva", "date": days(5)}])
    line = repo.line_of(path, r"^  - \{role: security-reviewer")
    return Expect(
        path,
        "signoff-future-date",
        line,
        value_column(repo, path, line, days(5)),
        (f"the security-reviewer sign-off is dated {days(5)}, after today ({AS_OF})",),
    )


@case("signoff-future-date/pass")
def _(repo: Repo, version: str) -> Expect:
    path = make_record(repo, "deployed", service="finance-service", version=version, environment="staging")
    set_signoffs(repo, path, [{"role": "security-reviewer", "name": "Marco Villanueva", "date": days(0)}])
    return Expect(path, "signoff-future-date")


@case("signoff-too-old/fail")
def _(repo: Repo, version: str) -> Expect:
    path = make_record(repo, "planned", version=version, environment="staging", date=days(4))
    set_signoffs(repo, path, [{"role": "security-reviewer", "name": SIGNERS["security-reviewer"], "date": days(-27)}])
    return Expect(
        path,
        "signoff-too-old",
        *item_position_signoff(repo, path, days(-27)),
        (f"the security-reviewer sign-off is dated {days(-27)}, 31 days before the deployment on {days(4)} "
         "(the policy allows 30)", "sign again: `deploydocs sign --role security-reviewer --name 'Marco Villanueva'"),
        warning=True,
    )  # fmt: skip


@case("signoff-too-old/pass")
def _(repo: Repo, version: str) -> Expect:
    path = make_record(repo, "planned", version=version, environment="staging", date=days(4))
    set_signoffs(repo, path, [{"role": "security-reviewer", "name": SIGNERS["security-reviewer"], "date": days(-26)}])
    return Expect(path, "signoff-too-old")


def item_position_signoff(repo: Repo, path: str, date: str) -> tuple[int, int]:
    line = repo.line_of(path, rf"date: {date}")
    return line, value_column(repo, path, line, date)


@case("signoff-duplicate-role/fail")
def _(repo: Repo, version: str) -> Expect:
    path = make_record(repo, "deployed", service="finance-service", version=version, environment="staging")
    set_signoffs(
        repo,
        path,
        [
            {"role": "product-owner", "name": "Carla Mendoza", "date": days(0)},
            {"role": "security-reviewer", "name": "Marco Villanueva", "date": days(0)},
            {"role": "product-owner", "name": "Luis Torres", "date": days(0)},
        ],
    )
    line = repo.line_of(path, r"^  - \{role: product-owner, name: Luis")
    return Expect(
        path,
        "signoff-duplicate-role",
        line,
        value_column(repo, path, line, "product-owner"),
        ("role `product-owner` signs twice (first in entry 1)",),
    )


@case("signoff-duplicate-role/pass")
def _(repo: Repo, version: str) -> Expect:
    path = make_record(repo, "deployed", service="finance-service", version=version, environment="staging")
    set_signoffs(
        repo,
        path,
        [
            {"role": "product-owner", "name": "Carla Mendoza", "date": days(0)},
            {"role": "security-reviewer", "name": "Marco Villanueva", "date": days(0)},
        ],
    )
    return Expect(path, "signoff-duplicate-role")


def signoff_line(repo: Repo, path: str, role: str) -> int:
    return repo.line_of(path, rf"^  - \{{role: {role},")


def with_signer(role: str, name: str, **extra: str) -> list[dict[str, str]]:
    """Every production sign-off, ``role`` given by ``name`` (and ``extra`` keys)."""
    entries = all_signoffs(days(-10))
    for entry in entries:
        if entry["role"] == role:
            entry.update(name=name, **extra)
    return entries


@case("signoff-not-deployer/fail")
def _(repo: Repo, version: str) -> Expect:
    path = make_record(repo, "closed", service="documents-service", version=version)
    set_signoffs(repo, path, with_signer("deploying-engineer", "Sofía Chávez"))
    line = signoff_line(repo, path, "deploying-engineer")
    return Expect(
        path,
        "signoff-not-deployer",
        line,
        value_column(repo, path, line, "Sofía Chávez"),
        (f"Sofía Chávez signs as deploying-engineer, but {DEPLOYER} deploys (deployed_by)",),
    )


@case("signoff-not-deployer/pass")
def _(repo: Repo, version: str) -> Expect:
    path = make_record(repo, "closed", service="documents-service", version=version)
    # The deployer's name spelt another way (case, spacing, full-width letters) is still the deployer.
    set_signoffs(repo, path, with_signer("deploying-engineer", "ＡＮＡ  quispe"))
    return Expect(path, "signoff-not-deployer")


@case("signoff-separation-of-duties/fail-fullwidth")
def _(repo: Repo, version: str) -> Expect:
    path = make_record(repo, "closed", service="documents-service", version=version)
    lookalike = "Ａｎａ Ｑｕｉｓｐｅ"  # NFKC: Ana Quispe
    set_signoffs(repo, path, with_signer("compliance-reviewer", lookalike))
    line = signoff_line(repo, path, "compliance-reviewer")
    return Expect(
        path,
        "signoff-separation-of-duties",
        line,
        value_column(repo, path, line, lookalike),
        (f"{lookalike} signs as compliance-reviewer and deploys this record (deployed_by)",),
    )


@case("signoff-several-roles/fail")
def _(repo: Repo, version: str) -> Expect:
    path = make_record(repo, "closed", service="documents-service", version=version)
    entries = with_signer("compliance-reviewer", "Rosa Huamán")
    entries = [{**e, "name": "Rosa Huamán"} if e["role"] == "operations-manager" else e for e in entries]
    set_signoffs(repo, path, entries)
    line = signoff_line(repo, path, "operations-manager")
    return Expect(
        path,
        "signoff-several-roles",
        line,
        value_column(repo, path, line, "Rosa Huamán"),
        ("Rosa Huamán already signs as compliance-reviewer; one person gives at most 1 reviewer sign-off(s)",),
    )


@case("signoff-several-roles/pass")
def _(repo: Repo, version: str) -> Expect:
    path = make_record(repo, "closed", service="documents-service", version=version)
    return Expect(path, "signoff-several-roles")


@case("person-unknown/fail")
def _(repo: Repo, version: str) -> Expect:
    path = make_record(repo, "closed", service="documents-service", version=version)
    set_signoffs(repo, path, with_signer("product-owner", "Made Up Person"))
    line = signoff_line(repo, path, "product-owner")
    return Expect(
        path,
        "person-unknown",
        line,
        value_column(repo, path, line, "Made Up Person"),
        ("Made Up Person (the product-owner sign-off) is not in records/people.yaml",),
    )


@case("person-unknown/fail-before-signoffs")
def _(repo: Repo, version: str) -> Expect:
    path = make_record(repo, "planned", service="documents-service", version=version, deployed_by="Nadie Conocido")
    line = repo.line_of(path, r"^deployed_by:")
    return Expect(
        path,
        "person-unknown",
        line,
        value_column(repo, path, line, "Nadie Conocido"),
        ("Nadie Conocido (deployed_by) is not in records/people.yaml",),
        warning=True,  # `planned` needs no sign-offs yet
    )


@case("person-unknown/pass")
def _(repo: Repo, version: str) -> Expect:
    path = make_record(repo, "closed", service="documents-service", version=version)
    return Expect(path, "person-unknown")


@case("name-hidden-character/fail")
def _(repo: Repo, version: str) -> Expect:
    path = make_record(
        repo, "planned", service="documents-service", version=version, reviewed_by='"Diego\\u200b Salas"'
    )
    line = repo.line_of(path, r"^reviewed_by:")
    return Expect(
        path,
        "name-hidden-character",
        line,
        value_column(repo, path, line, '"Diego'),
        ("contains invisible characters (U+200B)",),
    )


@case("name-hidden-character/pass")
def _(repo: Repo, version: str) -> Expect:
    path = make_record(repo, "closed", service="documents-service", version=version)
    return Expect(path, "name-hidden-character")


@case("signoff-login-mismatch/fail")
def _(repo: Repo, version: str) -> Expect:
    path = make_record(repo, "closed", service="documents-service", version=version)
    set_signoffs(repo, path, with_signer("security-reviewer", SIGNERS["security-reviewer"], github="someone-else"))
    line = signoff_line(repo, path, "security-reviewer")
    return Expect(
        path,
        "signoff-login-mismatch",
        line,
        value_column(repo, path, line, "someone-else"),
        ("names GitHub login someone-else; records/people.yaml gives Marco Villanueva the login mvillanueva",),
    )


@case("signoff-login-mismatch/pass")
def _(repo: Repo, version: str) -> Expect:
    path = make_record(repo, "closed", service="documents-service", version=version)
    # GitHub logins compare without case.
    set_signoffs(repo, path, with_signer("security-reviewer", SIGNERS["security-reviewer"], github="MVillanueva"))
    return Expect(path, "signoff-login-mismatch")


@case("signoff-role-not-allowed/fail")
def _(repo: Repo, version: str) -> Expect:
    path = make_record(repo, "closed", service="documents-service", version=version)
    set_signoffs(repo, path, with_signer("product-owner", "Camila Rojas"))  # product owner for Governance only
    line = signoff_line(repo, path, "product-owner")
    return Expect(
        path,
        "signoff-role-not-allowed",
        line,
        value_column(repo, path, line, "product-owner"),
        ("Camila Rojas may not sign as product-owner for documents-service", "(for Governance domain only)"),
    )


@case("signoff-role-not-allowed/pass")
def _(repo: Repo, version: str) -> Expect:
    path = make_record(repo, "closed", service="governance-service", version=version)
    set_signoffs(repo, path, with_signer("product-owner", "Camila Rojas"))
    return Expect(path, "signoff-role-not-allowed")


@case("signoff-unfingerprinted/fail")
def _(repo: Repo, version: str) -> Expect:
    path = make_record(repo, "closed", service="documents-service", version=version)
    line = signoff_line(repo, path, "security-reviewer")
    repo.edit(path, r"(role: security-reviewer.*), fingerprint: [^,}]+", r"\1")
    return Expect(
        path,
        "signoff-unfingerprinted",
        line,
        value_column(repo, path, line, SIGNERS["security-reviewer"]),
        (
            "the security-reviewer sign-off by Marco Villanueva has no fingerprint",
            f"`deploydocs sign --role security-reviewer --name 'Marco Villanueva' {path}`)",
        ),
    )


@case("signoff-unfingerprinted/fail-before-signoffs")
def _(repo: Repo, version: str) -> Expect:
    path = make_record(repo, "deployed", service="documents-service", version=version, environment="staging")
    set_signoffs(repo, path, [{"role": "security-reviewer", "name": "Marco Villanueva", "date": days(0)}], bind=False)
    line = signoff_line(repo, path, "security-reviewer")
    return Expect(
        path,
        "signoff-unfingerprinted",
        line,
        value_column(repo, path, line, "Marco Villanueva"),
        ("has no fingerprint",),
        warning=True,
    )


@case("signoff-unfingerprinted/pass")
def _(repo: Repo, version: str) -> Expect:
    path = make_record(repo, "closed", service="documents-service", version=version)
    return Expect(path, "signoff-unfingerprinted")


@case("reviewer-is-deployer/fail-pre-prod")
def _(repo: Repo, version: str) -> Expect:
    path = make_record(
        repo, "planned", service="finance-service", version=version, environment="pre-prod", reviewed_by=DEPLOYER
    )
    line = repo.line_of(path, r"^reviewed_by:")
    return Expect(
        path,
        "reviewer-is-deployer",
        line,
        value_column(repo, path, line, DEPLOYER),
        (f"{DEPLOYER} both deploys and reviews a pre-prod deployment",),
    )


def signed_text(tmp_root: Path, status: str, version: str) -> str:
    """A staging record signed by the security reviewer with the real `deploydocs sign`."""
    scratch = copy_repo(tmp_root, records=False)
    path = make_record(
        scratch, status, service="payroll-service", version=version, environment="staging", signoffs=False
    )
    run = scratch.cli("sign", path, "--role", "security-reviewer", "--name", "Marco Villanueva", "--date", days(-1))
    assert run.returncode == 0 and "Traceback" not in run.output, run.output
    assert "fingerprint: sha256:" in scratch.read(path)
    return scratch.read(path)


@case("signoff-stale/fail")
def _(repo: Repo, version: str) -> Expect:
    path = f"records/payroll-service/{version}-staging.yaml"
    # Signed at `deployed`; then 1.2.5 Security Tests (covered by the security reviewer) is reopened.
    text = signed_text(repo.root.parent / "sign-fail", "deployed", version)
    repo.write(path, text)
    item = "pre_deployment.testing_and_validation.security_tests"
    set_item(repo, path, item, "{state: done, note: re-run after the fix}")
    line = repo.line_of(path, r"role: security-reviewer")
    return Expect(
        path,
        "signoff-stale",
        line,
        value_column(repo, path, line, "sha256:"),
        ("the security-reviewer sign-off by Marco Villanueva", "is stale"),
        warning=True,  # `deployed` does not require sign-offs yet: a warning, not an error
    )


@case("signoff-stale/pass")
def _(repo: Repo, version: str) -> Expect:
    path = f"records/payroll-service/{version}-staging.yaml"
    repo.write(path, signed_text(repo.root.parent / "sign-pass", "deployed", version))
    # Items the security reviewer does not cover may change without making the sign-off stale.
    set_item(repo, path, "deployment.pre_flight_checks.maintenance_window", "{state: done, note: moved to 02:00}")
    return Expect(path, "signoff-stale")


# -- rollback and promotion ----------------------------------------------------------------------


@case("rollback-target/fail-missing")
def _(repo: Repo, version: str) -> Expect:
    path = make_record(repo, "planned", service="governance-service", version=version, type="rollback")
    return Expect(
        path,
        "rollback-target",
        *field_position(repo, path, "type"),
        ("a rollback does not say what it reverses", "add `rolls_back: DEPLOY-<SERVICE>-<VERSION>`"),
    )


@case("rollback-target/fail-not-a-rollback")
def _(repo: Repo, version: str) -> Expect:
    path = make_record(
        repo,
        "planned",
        service="governance-service",
        version=version,
        rolls_back=expected_id("governance-service", "9.9.9"),
    )
    return Expect(
        path,
        "rollback-target",
        *field_position(repo, path, "rolls_back"),
        ("`rolls_back` is set but the type is `update`",),
    )


@case("rollback-target/pass")
def _(repo: Repo, version: str) -> Expect:
    newer = version.replace(".0.0", ".1.0")
    make_record(repo, "deployed", service="governance-service", version=newer, environment="staging", date=days(-1))
    path = make_record(
        repo,
        "planned",
        service="governance-service",
        version=version,
        environment="staging",
        type="rollback",
        rolls_back=expected_id("governance-service", newer),
    )
    return Expect(path, "rollback-target")


@case("promotion-missing/fail")
def _(repo: Repo, version: str) -> Expect:
    path = make_record(repo, "deployed", service="streaming-service", version=version)
    return Expect(
        path,
        "promotion-missing",
        *field_position(repo, path, "environment"),
        (
            f"streaming-service {version} reaches production without a deployed record in staging or pre-prod",
            "or add `promotion_exception: {reason: <why>, approver: <role>}` to the record",
        ),
        warning=True,
    )


@case("promotion-missing/pass")
def _(repo: Repo, version: str) -> Expect:
    make_record(repo, "verified", service="streaming-service", version=version, environment="staging")
    path = make_record(repo, "deployed", service="streaming-service", version=version)
    return Expect(path, "promotion-missing")


@case("promotion-missing/pass-exception")
def _(repo: Repo, version: str) -> Expect:
    # The fix the warning names clears it: an explained, approved exception in the record.
    path = make_record(repo, "deployed", service="streaming-service", version=version)
    set_field(
        repo, path, "promotion_exception", "{reason: staging is down for the data-centre move, approver: product-owner}"
    )
    return Expect(path, "promotion-missing")


@case("promotion-missing/pass-hotfix")
def _(repo: Repo, version: str) -> Expect:
    path = make_record(repo, "deployed", service="streaming-service", version=version, type="hotfix")
    return Expect(path, "promotion-missing")


# -- the run -------------------------------------------------------------------------------------


@dataclass
class Zoo:
    repo: Repo
    run: Run
    expectations: dict[str, Expect]


@pytest.fixture(scope="module")
def zoo(tmp_path_factory: pytest.TempPathFactory) -> Zoo:
    root = tmp_path_factory.mktemp("rules")
    repo = copy_repo(root / "repo", records=False)
    expectations = {
        name: builder(repo, f"{index}.0.0") for index, (name, builder) in enumerate(sorted(CASES.items()), start=1)
    }
    run = check(repo, "--as-of", AS_OF)
    assert run.returncode == 1, run.output
    return Zoo(repo, run, expectations)


@pytest.mark.parametrize("name", sorted(CASES))
def test_rule(zoo: Zoo, name: str) -> None:
    expect = zoo.expectations[name]
    assert expect.rule in RULES, f"{expect.rule} is not a documented rule"
    if expect.line is not None:
        line = expect_problem(zoo.run, expect.file, expect.line, expect.column, expect.rule, *expect.fragments)
        assert line.endswith(" [warning]") is expect.warning, line
        # Reported once: the same rule does not fire elsewhere in the file for the same cause.
        assert len(problem_lines(zoo.run, expect.rule, expect.file)) == 1, zoo.run.output
    else:
        assert problem_lines(zoo.run, expect.rule, expect.file) == [], zoo.run.output
        # A passing case is a sound record: no error of any rule either.
        errors = [line for line in problem_lines(zoo.run, file=expect.file) if not line.endswith(" [warning]")]
        assert errors == [], errors


def test_every_record_rule_has_a_failing_and_a_passing_case() -> None:
    assert set(RULES) >= NAMED_RECORD_RULES
    record_rules = set(RULES) - NOT_RECORD_RULES
    failing = {name.split("/")[0] for name in CASES if "/fail" in name}
    passing = {name.split("/")[0] for name in CASES if "/pass" in name}
    assert record_rules - failing == set(), "record rules without a failing case"
    assert record_rules - passing == set(), "record rules without a passing case"
    assert (failing | passing) <= set(RULES)


def test_severities_follow_the_rule_table(zoo: Zoo) -> None:
    reported = problem_lines(zoo.run)
    rules = {line.split(": [", 1)[1].split("]", 1)[0] for line in reported}
    assert rules >= {name.split("/")[0] for name in CASES if "/fail" in name}
    for line in reported:
        rule = line.split(": [", 1)[1].split("]", 1)[0]
        if rule == "promotion-missing" or rule in STATUS_SEVERITY:
            continue  # their severity comes from the policy / the claimed status
        assert line.endswith(" [warning]") is (RULES[rule].severity is Severity.WARNING), line
    errors = sum(not line.endswith(" [warning]") for line in reported)
    files = [
        path for path in zoo.repo.path("records").rglob("*.yaml") if path.name not in ("services.yaml", "people.yaml")
    ]
    summary = f"{errors} error(s), {len(reported) - errors} warning(s) in {len(files)} record file(s)"
    assert zoo.run.stdout.splitlines()[-1] == summary


# -- severity and exit codes ---------------------------------------------------------------------


def test_warnings_do_not_fail_check_but_errors_do(empty_repo: Repo) -> None:
    planned = make_record(empty_repo, "planned", date=days(-3))  # planned-date-passed
    deployed = make_record(empty_repo, "deployed", service="tenancy-service", date=days(-5))  # overdue, promotion
    payload = check_json(empty_repo)
    rules = sorted(p["rule"] for p in payload["problems"])
    assert rules == ["monitoring-overdue", "planned-date-passed", "promotion-missing"], payload
    assert payload["errors"] == 0 and payload["warnings"] == 3
    assert {p["severity"] for p in payload["problems"]} == {"warning"}
    run = check(empty_repo)
    assert run.returncode == 0, run.output
    assert run.stdout.splitlines()[-1] == "0 error(s), 3 warning(s) in 2 record file(s)"

    # One error among the warnings: exit 1.
    set_field(empty_repo, deployed, "id", expected_id("tenancy-service", "2.3.1"))
    run = check(empty_repo)
    assert run.returncode == 1, run.output
    expect_problem(run, deployed, *field_position(empty_repo, deployed, "id"), "id-mismatch")
    assert run.stdout.splitlines()[-1] == "1 error(s), 3 warning(s) in 2 record file(s)"
    assert problem_lines(run, "planned-date-passed", planned), run.output


def test_warnings_do_not_fail_a_strict_build(empty_repo: Repo) -> None:
    path = make_record(empty_repo, "deployed", date=days(-5))  # monitoring-overdue, promotion-missing
    run = empty_repo.build()
    assert run.returncode == 0, run.output
    assert "Traceback" not in run.output
    line, column = field_position(empty_repo, path, "status")
    assert f"{path}:{line}:{column}: [monitoring-overdue]" in run.output
    page = empty_repo.site("deployments/identity-service/production/2.3.0/index.html")
    assert "DEPLOY-IDENTITY-SERVICE-2.3.0" in page


def test_as_of_moves_today_for_date_rules(empty_repo: Repo) -> None:
    path = make_record(empty_repo, "closed", date="2026-11-20")
    status = field_position(empty_repo, path, "status")
    # Default "today" is SOURCE_DATE_EPOCH (2026-11-26): six days after the deployment, too early.
    run = check(empty_repo)
    expect_problem(run, path, *status, "status-too-early", "cannot be claimed before 2026-11-27")
    assert run.returncode == 1
    # --as-of wins over SOURCE_DATE_EPOCH.
    run = check(empty_repo, "--as-of", "2026-11-27")
    assert problem_lines(run, "status-too-early") == [] and run.returncode == 0, run.output
    # Without --as-of, SOURCE_DATE_EPOCH is today: 2026-11-28T00:00:00Z.
    run = check(empty_repo, env={"SOURCE_DATE_EPOCH": "1795824000"})
    assert problem_lines(run, "status-too-early") == [] and run.returncode == 0, run.output
    # An item signed off in the future relative to --as-of: the sign-offs are dated 2026-11-20.
    run = check(empty_repo, "--as-of", "2026-11-19")
    expect_problem(run, path, *status, "status-too-early", "cannot be claimed before 2026-11-27")
    assert len(problem_lines(run, "signoff-future-date", path)) == 5, run.output


def test_na_with_reason_outside_policy_is_reported_once_per_item(empty_repo: Repo) -> None:
    """Every item not allowed n/a is reported on its own line, at its own state."""
    path = make_record(empty_repo, "planned")
    items = [
        "pre_deployment.code_and_configuration.secrets",
        "deployment.pre_flight_checks.monitoring",
        "post_deployment.verification_and_monitoring.performance",
    ]
    for item in items:
        set_item(empty_repo, path, item, "{state: n/a, reason: not needed}")
    run = check(empty_repo)
    assert run.returncode == 1
    for item in items:
        info = item_info(item)
        expect_problem(
            run, path, *item_position(empty_repo, path, item, "n/a"), "na-not-allowed",
            f"{info['number']} {info['title']} may not be n/a in production",
        )  # fmt: skip
    assert len(problem_lines(run, "na-not-allowed")) == len(items)


def test_missing_item_is_not_also_reported_as_incomplete(empty_repo: Repo) -> None:
    """A deleted required item is one missing-key problem, not a second required-item-incomplete."""
    item = "deployment.deployment_steps.smoke_tests"
    path = make_record(empty_repo, "deployed", environment="staging")
    delete_item(empty_repo, path, item)
    run = check(empty_repo)
    line = empty_repo.line_of(path, r"^    deployment_steps:")
    expect_problem(
        run, path, line, key_column(empty_repo, path, line), "missing-key", "`smoke_tests` (2.2.7 Step 7) is missing"
    )
    assert problem_lines(run, "required-item-incomplete") == [], run.output


def test_severity_enum_matches_rules() -> None:
    assert {info.severity for info in RULES.values()} <= set(Severity)


def test_an_invalid_item_is_reported_once(empty_repo: Repo) -> None:
    """Like a missing item (reported once, by the schema), an invalid one should not draw a second,
    contradictory message: `Done` is set (just misspelt), and n/a is a complete state once it has a reason."""
    path = make_record(empty_repo, "deployed", environment="staging")
    secrets = "pre_deployment.code_and_configuration.secrets"
    dns = "pre_deployment.infrastructure.dns"
    set_item(empty_repo, path, secrets, "Done")
    set_item(empty_repo, path, dns, "n/a")
    run = check(empty_repo)
    expect_problem(run, path, *item_position(empty_repo, path, secrets), "invalid-state", "did you mean `done`?")
    expect_problem(run, path, *item_position(empty_repo, path, dns), "na-needs-reason", "item `dns`")
    assert problem_lines(run, "required-item-incomplete") == [], run.output
