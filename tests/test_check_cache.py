"""`deploydocs check` from cached verdicts: the same problems as the full pipeline, and a verdict
used only for the content and the context (package, schema, policy, registry, date) it was made in.

Each test compares check_project, cold and warm, with load_project run from scratch (an in-memory
cache, so nothing is read from disk), and the real command's output with the full pipeline's.
"""

from __future__ import annotations

import datetime as dt
import json

import pytest

from deploydocs.commands.reporters import json_report, text_report
from deploydocs.core import load as load_module
from deploydocs.core import project as project_module
from deploydocs.core.cache import CachedPositions, RecordCache
from deploydocs.core.load import parse_document
from deploydocs.core.project import CheckResult, Settings, check_project, default_cache, load_project

from repo_support import (
    AS_OF,
    REPO,
    Repo,
    broken_repository,
    check,
    set_field,
)

LATER = "2027-06-01"  # the sample's verified records are overdue by then
SAMPLE_RECORDS = 17


def _settings(repo: Repo, as_of: str = AS_OF, policy: str | None = None) -> Settings:
    return Settings(root=repo.root, as_of=dt.date.fromisoformat(as_of), policy=policy)


def _check(settings: Settings) -> tuple[CheckResult, RecordCache]:
    """One `check` as a fresh process runs it: a new cache object over the repository's cache folder."""
    cache = default_cache(settings)
    return check_project(settings, cache), cache


def _expect_same_as_full_pipeline(result: CheckResult, settings: Settings) -> None:
    expected = load_project(settings, RecordCache())
    assert result.problems == expected.problems
    assert result.record_files == expected.record_files
    assert result.record_paths == [record.path for record in expected.records]


def _cold_then_warm(settings: Settings, files: int) -> CheckResult:
    cold, cache = _check(settings)
    assert cache.verdict_misses == files
    warm, cache = _check(settings)
    assert cache.verdict_misses == 0
    assert warm == cold
    _expect_same_as_full_pipeline(warm, settings)
    return warm


def _rules(result: CheckResult, file: str | None = None) -> set[str]:
    return {p.rule for p in result.problems if file is None or p.file == file}


def test_sample_repository_cold_and_warm(repo: Repo) -> None:
    today = _cold_then_warm(_settings(repo), SAMPLE_RECORDS)
    # A later date is another context: every verdict is made again, then reused.
    later = _cold_then_warm(_settings(repo, LATER), SAMPLE_RECORDS)
    assert {"planned-date-passed", "deferral-overdue"} <= _rules(later) - _rules(today)


def test_a_build_leaves_verdicts_for_check(repo: Repo) -> None:
    settings = _settings(repo)
    load_project(settings)  # what `mkdocs build` runs, with the repository's cache folder
    result, cache = _check(settings)
    assert cache.verdict_misses == 0
    _expect_same_as_full_pipeline(result, settings)


def test_broken_records_and_rules_across_records(repo: Repo) -> None:
    expected = broken_repository(repo)
    records = [
        path for path in repo.path("records").rglob("*.yaml") if path.name not in ("services.yaml", "people.yaml")
    ]
    for as_of in (AS_OF, LATER):
        result = _cold_then_warm(_settings(repo, as_of), len(records) - 1)  # huge.yaml is refused unread
        for file, rule in expected.items():
            assert rule in _rules(result, file), (file, rule, result.problems)
    # The command prints exactly what the full pipeline finds, cold and warm, in every format.
    project = load_project(_settings(repo), RecordCache())
    reports = {"text": text_report, "json": json_report}
    for fmt, report in reports.items():
        for _ in ("cold", "warm"):
            run = check(repo, "--format", fmt, "--as-of", AS_OF)
            assert run.returncode == 1
            assert run.stdout == report(project.problems, project.files_checked)
    # Reporting on one folder only: from the verdicts as without any cache.
    folder = ("--as-of", AS_OF, "records/identity-service")
    warm, uncached = check(repo, *folder), check(repo, "--no-cache", *folder)
    assert warm.stdout == uncached.stdout and "records/governance-service" not in warm.stdout


def test_editing_one_record_invalidates_only_its_verdict(repo: Repo) -> None:
    settings = _settings(repo)
    _check(settings)
    # The staging record goes back to planned: its own verdict changes, and the production record,
    # whose verdict is still valid, loses its promotion source (a rule across records).
    staging = "records/finance-service/3.1.0-staging.yaml"
    set_field(repo, staging, "status", "planned")
    result, cache = _check(settings)
    assert cache.verdict_misses == 1 and cache.misses == 1
    assert "planned-date-passed" in _rules(result, staging)
    assert "promotion-missing" in _rules(result, "records/finance-service/3.1.0-production.yaml")
    _expect_same_as_full_pipeline(result, settings)
    assert _check(settings)[1].verdict_misses == 0


def test_the_date_the_registry_the_policy_and_the_code_invalidate_verdicts(
    repo: Repo, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The date: warnings appear as monitoring periods end.
    def overdue(result: CheckResult) -> set[str]:
        return {p.file for p in result.problems if p.rule == "monitoring-overdue"}

    today = overdue(_cold_then_warm(_settings(repo), SAMPLE_RECORDS))
    later = overdue(_cold_then_warm(_settings(repo, LATER), SAMPLE_RECORDS))
    assert today < later and "records/finance-service/3.1.0-staging.yaml" in later - today
    # The registry: a retired service.
    repo.edit("records/services.yaml", r"(finance-service:\n(?:    .*\n)*?    status: )active", r"\1retired")
    retired = _cold_then_warm(_settings(repo), SAMPLE_RECORDS)
    assert {p.file for p in retired.problems if p.rule == "service-not-active"} == {
        "records/finance-service/3.1.0-production.yaml",
        "records/finance-service/3.1.0-staging.yaml",
    }
    # The policy: the packaged one copied is another file; then `closed` waits 30 days.
    policy = (REPO / "plugin/deploydocs/core/data/policy.yaml").read_text(encoding="utf-8")
    repo.write("team-policy.yaml", policy)
    team = _settings(repo, policy="team-policy.yaml")
    assert _cold_then_warm(team, SAMPLE_RECORDS).problems == retired.problems
    repo.write("team-policy.yaml", policy.replace("not_before_days: 7", "not_before_days: 30"))
    assert "status-too-early" in _rules(_cold_then_warm(team, SAMPLE_RECORDS))
    # The policy's promotion rules (used across records, from the cached setup) follow it too.
    repo.write("team-policy.yaml", policy.replace("    missing: warning", "    missing: error"))
    repo.path("records/finance-service/3.1.0-staging.yaml").unlink()
    promotion = [p for p in _cold_then_warm(team, SAMPLE_RECORDS - 1).problems if p.rule == "promotion-missing"]
    assert [p.severity.value for p in promotion] == ["error"]
    # The package's code: any change makes every verdict again.
    monkeypatch.setattr(project_module, "source_fingerprint", lambda: "edited")
    assert _check(team)[1].verdict_misses == SAMPLE_RECORDS - 1


def test_broken_registry_or_policy_cold_and_warm(repo: Repo) -> None:
    repo.edit("records/services.yaml", r"port: 3001", "port: three")
    result = _cold_then_warm(_settings(repo), SAMPLE_RECORDS)
    assert _rules(result) == {"registry-schema"}
    repo.write("team-policy.yaml", "lifecycle: planned\n")
    result = _cold_then_warm(_settings(repo, policy="team-policy.yaml"), SAMPLE_RECORDS)
    assert {"registry-schema", "policy-schema"} <= _rules(result)


def test_unreadable_verdicts_are_made_again(repo: Repo) -> None:
    settings = _settings(repo, LATER)
    before, _ = _check(settings)
    entries = [path for path in repo.path(".deploydocs-cache/verdicts").rglob("*") if path.is_file()]
    assert len(entries) == SAMPLE_RECORDS + 1  # and one for the policy and the registry
    for index, path in enumerate(entries):
        path.write_bytes(b"" if index % 2 else b"\x00garbage")
    after, cache = _check(settings)
    assert after == before and cache.verdict_misses == SAMPLE_RECORDS
    assert _check(settings)[1].verdict_misses == 0


def test_a_warm_check_imports_no_record_parsing_library_it_does_not_need(repo: Repo) -> None:
    check(repo)
    run = repo.cli("check", env={"PYTHONPROFILEIMPORTTIME": "1"})
    assert run.returncode == 0, run.output
    imported = {line.split("|")[-1].strip() for line in run.stderr.splitlines() if line.startswith("import time:")}
    assert "deploydocs.core.project" in imported  # the profile is there
    assert not imported & {"jsonschema", "fastjsonschema", "jinja2", "markdown_it", "deploydocs.core.registry"}


def test_cached_positions_answer_top_level_paths_without_parsing(monkeypatch: pytest.MonkeyPatch) -> None:
    path = "records/identity-service/2.3.0-production.yaml"
    document = parse_document((REPO / path).read_text(encoding="utf-8"), path)
    full = document.positions
    cached = CachedPositions.keeping_top(full, document.text, path)
    deep = ("checklists", "pre_deployment", "code_and_configuration", "secrets")
    with monkeypatch.context() as patch:
        patch.setattr(load_module, "parse_document", None)  # parsing again would fail
        for key in [(), ("nothing-here",), *{p[:1] for p in full.values}, *{p[:1] for p in full.keys}]:
            assert cached.of_value(key) == full.of_value(key), key
            assert cached.of_key(key) == full.of_key(key), key
        with pytest.raises(TypeError):
            cached.of_value(deep)
    assert cached.of_value(deep) == full.of_value(deep)  # deeper paths: the text is parsed again


def test_json_report_is_unchanged_by_the_cache(repo: Repo) -> None:
    # The documented JSON shape: same keys, same counts, cold and warm.
    payloads = [json.loads(check(repo, "--format", "json", "--as-of", LATER).stdout) for _ in range(2)]
    assert payloads[0] == payloads[1]
    assert set(payloads[0]) == {"version", "files_checked", "errors", "warnings", "problems"}
    assert payloads[0]["files_checked"] == SAMPLE_RECORDS and payloads[0]["warnings"] > 0
