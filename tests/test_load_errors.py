"""Broken records: each mistake is reported at its own file:line:col with its rule id, by
`deploydocs check` and by a real `mkdocs build --strict` (which then fails, publishes nothing and
shows no traceback). Also: record text is never published as live HTML.

Every case starts from a clean record written by `deploydocs new` and breaks it the way a person
would; expected lines and columns are computed from the resulting text.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from html.parser import HTMLParser

import pytest
from ruamel.yaml import YAML

from repo_support import (
    Repo,
    Run,
    check,
    copy_repo,
    delete_item,
    expect_problem,
    expected_id,
    item_position,
    key_column,
    line_of_key,
    make_record,
    problem_lines,
    set_field,
    set_item,
    value_column,
)


@dataclass(frozen=True)
class Expect:
    file: str
    line: int
    column: int
    rule: str
    fragments: tuple[str, ...] = ()

    @property
    def where(self) -> str:
        return f"{self.file}:{self.line}:{self.column}: [{self.rule}] "


Breaker = Callable[[Repo], list[Expect]]


def field_at(repo: Repo, path: str, key: str, needle: str | None = None) -> tuple[int, int]:
    line = repo.line_of(path, rf"^{key}:")
    return line, value_column(repo, path, line, needle)


# -- the sample records build -------------------------------------------------------------------


def test_the_sample_records_check_and_build(repo: Repo, built_site: Repo) -> None:
    """The committed records pass `deploydocs check` and `mkdocs build --strict` (the session build)."""
    run = check(repo)
    assert run.returncode == 0, run.output
    assert errors_in(run) == []
    yaml = YAML(typ="safe", pure=True)
    records = sorted(
        path for path in repo.path("records").rglob("*.y*ml") if path.name not in ("services.yaml", "people.yaml")
    )
    assert records, "no sample records"
    assert run.stdout.splitlines()[-1].endswith(f" in {len(records)} record file(s)") or run.stdout.startswith(
        f"ok: {len(records)} record file(s)"
    ), run.output
    for path in records:
        data = yaml.load(path.read_text(encoding="utf-8"))
        slug = data["version"] + (f"-attempt-{data['attempt']}" if data.get("attempt", 1) > 1 else "")
        page = built_site.path(f"site/deployments/{data['service']}/{data['environment']}/{slug}/index.html")
        assert page.is_file(), f"no page for {path.relative_to(repo.root)}"
        assert data["id"] in page.read_text(encoding="utf-8")


def errors_in(run: Run) -> list[str]:
    return [line for line in problem_lines(run) if not line.endswith(" [warning]")]


# -- the issue's broken inputs -------------------------------------------------------------------


def malformed_yaml(repo: Repo) -> list[Expect]:
    path = make_record(repo)
    line = set_field(repo, path, "changes", "Fixes: login with passkeys")  # an unquoted ': ' inside a value
    return [
        Expect(
            path,
            line,
            value_column(repo, path, line, ": login"),
            "yaml-syntax",
            ("mapping values are not allowed", "quote a value that contains ': '"),
        )
    ]


def duplicate_key(repo: Repo) -> list[Expect]:
    path = make_record(repo)
    first = repo.line_of(path, r"^version:")
    repo.edit(path, r"^(status:.*)$", r"\1\nversion: 2.3.1")
    second = repo.line_of(path, r"^version: 2\.3\.1")
    assert second > first
    return [
        Expect(
            path,
            second,
            key_column(repo, path, second),
            "yaml-duplicate-key",
            (f"duplicate key `version` (first written on line {first})",),
        )
    ]


def misspelt_key(repo: Repo) -> list[Expect]:
    path = make_record(repo)
    repo.edit(path, r"^(\s+)secrets:", r"\1secrest:")
    line = repo.line_of(path, r"^\s+secrest:")
    parent = line_of_key(repo, path, "checklists.pre_deployment.code_and_configuration")
    return [
        Expect(
            path,
            line,
            key_column(repo, path, line),
            "unknown-key",
            ("unknown key `secrest` in checklists.pre_deployment.code_and_configuration", "did you mean `secrets`?"),
        ),
        Expect(path, parent, key_column(repo, path, parent), "missing-key", ("`secrets` (1.1.3 Secrets) is missing",)),
    ]


def wrong_enum(repo: Repo) -> list[Expect]:
    path = make_record(repo)
    set_field(repo, path, "environment", "prod")
    return [
        Expect(
            path,
            *field_at(repo, path, "environment"),
            "invalid-value",
            ("`prod` is not allowed for environment", "did you mean `production`?"),
        )
    ]


def na_without_reason(repo: Repo) -> list[Expect]:
    path = make_record(repo)
    item = "pre_deployment.infrastructure.dns"
    set_item(repo, path, item, "n/a")
    return [
        Expect(
            path,
            *item_position(repo, path, item),
            "na-needs-reason",
            ("item `dns` is n/a without a reason", "dns: {state: n/a, reason: <why it does not apply>}"),
        )
    ]


def missing_item(repo: Repo) -> list[Expect]:
    path = make_record(repo)
    delete_item(repo, path, "deployment.deployment_steps.smoke_tests")
    parent = line_of_key(repo, path, "checklists.deployment.deployment_steps")
    return [
        Expect(
            path,
            parent,
            key_column(repo, path, parent),
            "missing-key",
            (
                "`smoke_tests` (2.2.7 Step 7) is missing in checklists.deployment.deployment_steps",
                "add `smoke_tests: pending`",
            ),
        )
    ]


def unknown_service(repo: Repo) -> list[Expect]:
    # Written with the alias everywhere, as someone copying the architecture document would.
    path = make_record(repo, service="user-profile-service")
    assert path == "records/user-profile-service/2.3.0-production.yaml"
    return [
        Expect(
            path,
            *field_at(repo, path, "service"),
            "unknown-service",
            (
                "service `user-profile-service` is not in records/services.yaml",
                "write `service: user-profiles-service`",
            ),
        )
    ]


def id_mismatch(repo: Repo) -> list[Expect]:
    path = make_record(repo)
    set_field(repo, path, "id", "DEPLOY-IDENTITY-SERVICE-2.2.0")
    return [
        Expect(
            path,
            *field_at(repo, path, "id"),
            "id-mismatch",
            (
                "id `DEPLOY-IDENTITY-SERVICE-2.2.0` does not match service `identity-service` and version `2.3.0`",
                "write `id: DEPLOY-IDENTITY-SERVICE-2.3.0`",
            ),
        )
    ]


def numeric_version(repo: Repo) -> list[Expect]:
    path = make_record(repo, version="1.10.0", relative="records/identity-service/1.10-production.yaml")
    set_field(repo, path, "version", "1.10")
    return [
        Expect(
            path,
            *field_at(repo, path, "version"),
            "value-not-string",
            ("`version` is written as the number 1.10", 'quote it: `version: "1.10"`'),
        )
    ]


ISSUE_CASES: dict[str, Breaker] = {
    "malformed-yaml": malformed_yaml,
    "duplicate-key": duplicate_key,
    "misspelt-key": misspelt_key,
    "wrong-enum": wrong_enum,
    "na-without-reason": na_without_reason,
    "missing-item": missing_item,
    "unknown-service": unknown_service,
    "id-mismatch": id_mismatch,
    "numeric-version": numeric_version,
}


def assert_reported(run: Run, expected: list[Expect]) -> None:
    for expect in expected:
        expect_problem(run, expect.file, expect.line, expect.column, expect.rule, *expect.fragments)


def test_the_starting_record_is_clean(empty_repo: Repo) -> None:
    path = make_record(empty_repo)
    run = check(empty_repo)
    assert run.returncode == 0, run.output
    assert run.stdout == "ok: 1 record file(s), no problems\n"
    assert path == "records/identity-service/2.3.0-production.yaml"


@pytest.mark.parametrize("name", sorted(ISSUE_CASES))
def test_check_reports_the_mistake_where_it_is(empty_repo: Repo, name: str) -> None:
    expected = ISSUE_CASES[name](empty_repo)
    run = check(empty_repo)
    assert run.returncode == 1, run.output
    assert_reported(run, expected)
    # Nothing else is an error: the other lines of the record are fine.
    errors = [line for line in problem_lines(run) if not line.endswith(" [warning]")]
    extra = [line for line in errors if not any(line.startswith(e.where) for e in expected)]
    assert extra == [], run.output


@pytest.mark.parametrize("name", sorted(ISSUE_CASES))
def test_build_fails_with_the_same_message_and_publishes_nothing(empty_repo: Repo, name: str) -> None:
    expected = ISSUE_CASES[name](empty_repo)
    run = empty_repo.build()
    assert run.returncode != 0, run.output
    assert "Traceback" not in run.output, run.output
    assert not empty_repo.path("site").exists(), "a failed build left a site behind"
    for expect in expected:
        lines = [line for line in run.output.splitlines() if expect.where in line]
        assert len(lines) == 1, f"{expect.where!r} not in:\n{run.output}"
        assert lines[0].startswith("ERROR"), lines[0]
        assert all(fragment in lines[0] for fragment in expect.fragments), lines[0]
    files = len({expect.file for expect in expected})
    assert f"problem(s) in {files} file(s); nothing was published" in run.output


def test_wrong_environment_does_not_advise_renaming_the_file_after_it(empty_repo: Repo) -> None:
    """`environment: prod` in 2.3.0-production.yaml: the file is named right, the value is wrong."""
    wrong_enum(empty_repo)
    run = check(empty_repo)
    assert "2.3.0-prod.yaml" not in run.output, run.output
    assert problem_lines(run, "file-name-mismatch") == [], run.output


def test_alias_service_advice_is_consistent(empty_repo: Repo) -> None:
    """The record is filed under the canonical service and has its id; only `service:` uses the alias.
    Every fix offered must lead to user-profiles-service, none back to the alias."""
    path = make_record(empty_repo, service="user-profiles-service")
    set_field(empty_repo, path, "service", "user-profile-service")
    run = check(empty_repo)
    expect_problem(
        run, path, *field_at(empty_repo, path, "service"), "unknown-service", "write `service: user-profiles-service`"
    )
    assert expected_id("user-profile-service", "2.3.0") not in run.output, run.output
    assert "records/user-profile-service/" not in run.output, run.output


def test_every_problem_of_several_broken_files_is_reported_in_one_run(empty_repo: Repo) -> None:
    expected = [
        *misspelt_key(empty_repo),  # identity-service 2.3.0
        *na_without_reason_in(empty_repo, "tenancy-service"),
        *numeric_version_in(empty_repo, "documents-service"),
        *malformed_in(empty_repo, "finance-service"),
    ]
    good = make_record(empty_repo, service="payroll-service")
    run = check(empty_repo)
    assert run.returncode == 1
    assert_reported(run, expected)
    assert problem_lines(run, file=good) == []
    assert run.stdout.splitlines()[-1] == f"{len(expected)} error(s), 0 warning(s) in 5 record file(s)"

    build = empty_repo.build()
    assert build.returncode != 0 and "Traceback" not in build.output
    assert not empty_repo.path("site").exists()
    for expect in expected:
        assert expect.where in build.output, f"{expect.where!r} not in:\n{build.output}"
    assert f"deploydocs: {len(expected)} problem(s) in 4 file(s); nothing was published" in build.output


def na_without_reason_in(repo: Repo, service: str) -> list[Expect]:
    path = make_record(repo, service=service)
    repo.edit(path, r"^(\s+)backup: pending", r"\1backup: {state: n/a}")
    line = repo.line_of(path, r"^\s+backup: \{state: n/a\}")
    return [Expect(path, line, value_column(repo, path, line, "{"), "na-needs-reason", ("has no reason",))]


def numeric_version_in(repo: Repo, service: str) -> list[Expect]:
    path = make_record(repo, service=service, version="2.0.0", relative=f"records/{service}/2.0-production.yaml")
    set_field(repo, path, "version", "2.0")
    return [Expect(path, *field_at(repo, path, "version"), "value-not-string", ('quote it: `version: "2.0"`',))]


def malformed_in(repo: Repo, service: str) -> list[Expect]:
    path = make_record(repo, service=service)
    line = set_field(repo, path, "changes", "Rollback: tested")
    return [Expect(path, line, value_column(repo, path, line, ": tested"), "yaml-syntax", ("mapping values",))]


def test_unclosed_list_is_reported_where_it_opens(empty_repo: Repo) -> None:
    path = make_record(empty_repo)
    item = "pre_deployment.infrastructure.dns"
    line = set_item(empty_repo, path, item, "[pending")  # the last item of 1.4; a comment line follows
    run = check(empty_repo)
    [reported] = problem_lines(run, "yaml-syntax", path)
    # Either the position is the line of the `[`, or the message says where the list opened.
    assert reported.startswith(f"{path}:{line}:") or f"line {line}" in reported, reported


def test_a_fixed_file_is_checked_again(empty_repo: Repo) -> None:
    """Results are cached by content: fixing the file clears its problem on the next run."""
    expected = misspelt_key(empty_repo)
    assert_reported(check(empty_repo), expected)
    empty_repo.edit(expected[0].file, r"^(\s+)secrest:", r"\1secrets:")
    run = check(empty_repo)
    assert run.returncode == 0, run.output
    empty_repo.edit(expected[0].file, r"^(\s+)secrets:", r"\1secrest:")
    assert_reported(check(empty_repo), expected)


# -- the other loading and schema rules, side by side in one run ---------------------------------


def schema_zoo(repo: Repo) -> dict[str, Expect]:
    found: dict[str, Expect] = {}

    def record(name: str, service: str = "identity-service") -> str:
        return make_record(repo, version=f"{len(found) + 1}.0.0", service=service, environment="staging")

    path = record("wrong-type")
    set_field(repo, path, "deployed_by", "Ana Quispe")
    found["wrong-type"] = Expect(
        path, *field_at(repo, path, "deployed_by"), "wrong-type", ("deployed_by must be a mapping",)
    )

    path = record("invalid-state")
    item = "pre_deployment.code_and_configuration.secrets"
    set_item(repo, path, item, "Done")
    found["invalid-state"] = Expect(
        path, *item_position(repo, path, item), "invalid-state", ("`Done` is not an item state for `secrets`",)
    )

    path = record("invalid-format")
    set_field(repo, path, "rolls_back", "identity-service 2.2.0")
    found["invalid-format"] = Expect(
        path, *field_at(repo, path, "rolls_back"), "invalid-format", ("`identity-service 2.2.0` is not a valid",)
    )

    path = record("invalid-date")
    set_field(repo, path, "date", "2026-02-30")
    found["invalid-date"] = Expect(
        path, *field_at(repo, path, "date"), "invalid-date", ("`2026-02-30` is not a valid date",)
    )

    path = record("empty-value")
    set_field(repo, path, "changes", '""')
    found["empty-value"] = Expect(path, *field_at(repo, path, "changes"), "empty-value", ("changes is empty",))

    path = record("invalid-characters")
    set_field(repo, path, "deployed_by", '{name: "Ana\\n\\n[x](javascript:alert(1))", role: SRE}')
    found["invalid-characters"] = Expect(
        path,
        *field_at(repo, path, "deployed_by", '"Ana'),
        "invalid-characters",
        ("deployed_by.name holds a line break (U+000A) at character 4", "write it on one line"),
    )

    path = record("schema")
    set_field(repo, path, "attempt", "1")
    found["schema"] = Expect(path, *field_at(repo, path, "attempt"), "schema", ("attempt",))

    path = record("missing-key")
    repo.edit(path, r"^reviewed_by:.*\n", "")
    # A missing top-level key has no line of its own: the file is reported at 1:1.
    found["missing-key"] = Expect(path, 1, 1, "missing-key", ("`reviewed_by` (Reviewed by) is missing",))

    path = record("unknown-key")
    repo.edit(path, r"^(date:.*)$", r"\1\nchanegs: Passkeys")
    found["unknown-key"] = Expect(
        path,
        (line := repo.line_of(path, r"^chanegs:")),
        key_column(repo, path, line),
        "unknown-key",
        ("unknown key `chanegs`", "did you mean `changes`?"),
    )

    path = record("yaml-custom-tag")
    set_field(repo, path, "changes", "!!python/object/apply:os.system ['id']")
    found["yaml-custom-tag"] = Expect(
        path, *field_at(repo, path, "changes"), "yaml-custom-tag", ("is not allowed in records",)
    )

    path = record("yaml-merge-key")
    repo.edit(path, r"^deployed_by: (.*)$", r"deployed_by: &who \1\nreviewed_by:\n  <<: *who")
    repo.edit(path, r"^reviewed_by: \{.*\}\n", "")
    found["yaml-merge-key"] = Expect(
        path,
        (line := repo.line_of(path, r"^  <<: \*who")),
        key_column(repo, path, line),
        "yaml-merge-key",
        ("merge keys (`<<`) are not supported",),
    )

    path = record("yaml-complex-key")
    repo.write(path, repo.read(path) + "? [a, b]\n: value\n")
    found["yaml-complex-key"] = Expect(
        path,
        (line := repo.line_of(path, r"^\? \[a, b\]")),
        value_column(repo, path, line, "[a, b]"),
        "yaml-complex-key",
        ("a key must be a plain word",),
    )

    path = "records/identity-service/notes-staging.yaml"
    repo.write(path, "- id: DEPLOY-IDENTITY-SERVICE-2.3.0\n- service: identity-service\n")
    found["not-a-mapping"] = Expect(path, 1, 1, "not-a-mapping", ("the record is a list, not a mapping",))

    path = "records/identity-service/empty-staging.yaml"
    repo.write(path, "# nothing written yet\n")
    found["empty-file"] = Expect(path, 1, 1, "empty-file", ("holds no YAML document",))
    return found


@pytest.fixture(scope="module")
def zoo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Run, dict[str, Expect]]:
    repo = copy_repo(tmp_path_factory.mktemp("schema") / "repo", records=False)
    expected = schema_zoo(repo)
    run = check(repo)
    assert run.returncode == 1
    return run, expected


@pytest.mark.parametrize(
    "name",
    [
        "wrong-type",
        "invalid-state",
        "invalid-format",
        "invalid-date",
        "invalid-characters",
        "empty-value",
        "schema",
        "missing-key",
        "unknown-key",
        "yaml-custom-tag",
        "yaml-merge-key",
        "yaml-complex-key",
        "not-a-mapping",
        "empty-file",
    ],
)
def test_schema_and_loading_rules(zoo: tuple[Run, dict[str, Expect]], name: str) -> None:
    run, expected = zoo
    expect = expected[name]
    assert expect.rule == name
    line = expect_problem(run, expect.file, expect.line, expect.column, expect.rule, *expect.fragments)
    assert not line.endswith("[warning]")


# -- registry and policy files -------------------------------------------------------------------


def test_registry_problems_are_reported_in_the_registry(empty_repo: Repo) -> None:
    registry = "records/services.yaml"
    make_record(empty_repo)
    empty_repo.edit(registry, r"^(    port: )3002$", r"\g<1>3001")
    empty_repo.edit(registry, r"^(    aliases: \[)reservations-service\]", r"\1reservations-service, tenancy-service]")
    run = check(empty_repo)
    assert run.returncode == 1
    port = empty_repo.line_of(registry, r"^    port: 3001$")
    second_port = [n for n, text in enumerate(empty_repo.read(registry).splitlines(), 1) if text == "    port: 3001"][1]
    assert second_port > port
    expect_problem(
        run,
        registry,
        second_port,
        value_column(empty_repo, registry, second_port),
        "registry-duplicate-port",
        "port 3001 of `user-profiles-service` is already used",
    )
    alias = empty_repo.line_of(registry, r"tenancy-service\]$")
    column = value_column(empty_repo, registry, alias, "tenancy-service]")
    expect_problem(run, registry, alias, column, "registry-duplicate-alias", "alias `tenancy-service`")


def test_registry_schema_problem_is_reported_with_its_position(empty_repo: Repo) -> None:
    registry = "records/services.yaml"
    make_record(empty_repo)
    empty_repo.write(registry, empty_repo.read(registry).replace("    port: 3003", "    port: three"))
    run = check(empty_repo)
    assert run.returncode == 1
    line = empty_repo.line_of(registry, r"^    port: three")
    [reported] = problem_lines(run, file=registry)
    assert reported.startswith(f"{registry}:{line}:{value_column(empty_repo, registry, line)}: ["), reported
    assert "services.tenancy-service.port must be a whole number" in reported


def test_registry_schema_problem_has_the_registry_rule_id(empty_repo: Repo) -> None:
    registry = "records/services.yaml"
    make_record(empty_repo)
    empty_repo.write(registry, empty_repo.read(registry).replace("    port: 3003", "    port: three"))
    run = check(empty_repo)
    line = empty_repo.line_of(registry, r"^    port: three")
    expect_problem(run, registry, line, value_column(empty_repo, registry, line), "registry-schema")


def test_policy_problems_are_reported_in_the_policy(empty_repo: Repo) -> None:
    from importlib import resources

    text = resources.files("deploydocs.core").joinpath("data/policy.yaml").read_text(encoding="utf-8")
    empty_repo.write(
        "policy.yaml", text.replace("      - deployment.pre_flight_checks\n", "      - deploy.pre_flight\n")
    )
    make_record(empty_repo)
    run = check(empty_repo, "--policy", "policy.yaml")
    assert run.returncode == 1
    line = empty_repo.line_of("policy.yaml", r"^      - deploy\.pre_flight$")
    expect_problem(
        run,
        "policy.yaml",
        line,
        value_column(empty_repo, "policy.yaml", line, "deploy."),
        "policy-invalid",
        "`deploy.pre_flight` is not a section",
    )

    empty_repo.write("policy.yaml", text.replace("not_before_days: 1", "not_before_days: one"))
    run = check(empty_repo, "--policy", "policy.yaml")
    assert run.returncode == 1
    line = empty_repo.line_of("policy.yaml", r"not_before_days: one")
    [reported] = problem_lines(run, file="policy.yaml")
    column = value_column(empty_repo, "policy.yaml", line, "one")
    assert reported.startswith(f"policy.yaml:{line}:{column}: ["), reported
    assert "not_before_days must be a whole number" in reported


def test_policy_schema_problem_has_the_policy_rule_id(empty_repo: Repo) -> None:
    from importlib import resources

    text = resources.files("deploydocs.core").joinpath("data/policy.yaml").read_text(encoding="utf-8")
    empty_repo.write("policy.yaml", text.replace("not_before_days: 1", "not_before_days: one"))
    make_record(empty_repo)
    run = check(empty_repo, "--policy", "policy.yaml")
    line = empty_repo.line_of("policy.yaml", r"not_before_days: one")
    expect_problem(run, "policy.yaml", line, value_column(empty_repo, "policy.yaml", line, "one"), "policy-schema")


# -- record text never becomes markup ------------------------------------------------------------


class Page(HTMLParser):
    """Collects what would run in a browser: scripts, event-handler attributes, images."""

    def __init__(self) -> None:
        super().__init__()
        self.scripts: list[str] = []
        self.handlers: list[tuple[str, str]] = []
        self.images: list[str] = []
        self.text: list[str] = []
        self._script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._script = tag == "script"
        if tag == "script":
            self.scripts.append(dict(attrs).get("src") or "")
        if tag == "img":
            self.images.append(dict(attrs).get("src") or "")
        self.handlers += [(tag, name) for name, _ in attrs if name.lower().startswith("on")]

    def handle_data(self, data: str) -> None:
        if self._script:
            self.scripts[-1] += data
        else:
            self.text.append(data)

    def handle_endtag(self, tag: str) -> None:
        self._script = False


def test_html_in_record_text_is_escaped_on_the_built_pages(empty_repo: Repo) -> None:
    script = "<script>alert(1)</script>"
    image = "<img src=x onerror=alert(1)>"
    path = make_record(empty_repo)
    set_item(empty_repo, path, "pre_deployment.code_and_configuration.secrets", f'{{state: done, note: "{script}"}}')
    set_field(empty_repo, path, "changes", f'"Passkeys {image}"')
    empty_repo.edit(
        path,
        r"^known_issues: \[\].*$",
        f'known_issues:\n  - {{issue: "Slow login {image}", impact: low, workaround: "{script}"}}',
    )
    run = empty_repo.build()
    assert run.returncode == 0, run.output
    assert "Traceback" not in run.output
    pages = sorted(empty_repo.path("site").rglob("*.html"))
    guide = empty_repo.path("site/deployments/identity-service/production/2.3.0/index.html")
    assert guide in pages
    for page in pages:
        parsed = Page()
        parsed.feed(page.read_text(encoding="utf-8"))
        assert not any("alert(1)" in body for body in parsed.scripts), page
        assert parsed.handlers == [], page
        assert "x" not in parsed.images, page
        if page == guide:
            text = "".join(parsed.text)
            # The text is shown as written, as text: once in the note, once in the known issue.
            assert text.count(script) >= 2, text
            assert text.count(image) >= 2, text
    html = guide.read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert not re.search(r"<script>alert\(1\)", html)
