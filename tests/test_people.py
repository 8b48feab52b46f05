"""records/people.yaml: its problems are reported in it, all at once, at file:line:col; while it does
not load, no sign-off is judged against it (its problems say why)."""

from __future__ import annotations

from repo_support import Repo, check, expect_problem, make_record, problem_lines, value_column

PEOPLE = "records/people.yaml"


def _line(repo: Repo, needle: str) -> int:
    return repo.line_of(PEOPLE, needle)


def test_people_problems_are_reported_in_people_yaml_all_at_once(empty_repo: Repo) -> None:
    make_record(empty_repo, "closed")
    empty_repo.write(
        PEOPLE,
        empty_repo.read(PEOPLE)
        + '  - {name: "  lucía\\u00a0RAMOS ", github: lramos-2, roles: [deploying-engineer]}\n'
        + "  - {name: Otra Persona, github: JMendoza, roles: []}\n"
        + "  - {name: Lim Itado, github: limitado, roles: [security-reviewer], services: [user-profile-service]}\n"
        + '  - {name: "Zero\\u200bWidth", github: zwidth, roles: []}\n',
    )
    run = check(empty_repo)
    assert run.returncode == 1, run.output
    line = _line(empty_repo, "lramos-2")
    expect_problem(
        run, PEOPLE, line, value_column(empty_repo, PEOPLE, line, '"  lucía'), "people-duplicate",
        "is already listed (entry 1): names compare ignoring case, spacing and Unicode spelling",
    )  # fmt: skip
    line = _line(empty_repo, "JMendoza")
    expect_problem(
        run, PEOPLE, line, value_column(empty_repo, PEOPLE, line, "JMendoza"), "people-duplicate",
        "GitHub login JMendoza is already listed",
    )  # fmt: skip
    line = _line(empty_repo, "limitado")
    expect_problem(
        run, PEOPLE, line, value_column(empty_repo, PEOPLE, line, "user-profile-service"), "people-unknown-service",
        "service `user-profile-service` is not in the services registry",
    )  # fmt: skip
    line = _line(empty_repo, "zwidth")
    expect_problem(
        run, PEOPLE, line, value_column(empty_repo, PEOPLE, line, '"Zero'), "name-hidden-character", "(U+200B)",
    )  # fmt: skip
    assert problem_lines(run, "people-schema") == [], run.output  # the hidden character is reported once
    # While people.yaml does not load, the records are not judged against it.
    assert problem_lines(run, "person-unknown") == [], run.output


def test_a_person_without_a_login_is_a_schema_problem(empty_repo: Repo) -> None:
    make_record(empty_repo, "planned")
    empty_repo.write(PEOPLE, empty_repo.read(PEOPLE) + "  - {name: Sin Login, roles: []}\n")
    run = check(empty_repo)
    assert run.returncode == 1
    line = _line(empty_repo, "Sin Login")
    [reported] = problem_lines(run, "people-schema", PEOPLE)
    assert reported.startswith(f"{PEOPLE}:{line}:"), reported
    assert "github" in reported, reported


def test_without_people_yaml_nobody_is_known(empty_repo: Repo) -> None:
    path = make_record(empty_repo, "closed")
    empty_repo.path(PEOPLE).unlink()
    run = check(empty_repo)
    assert run.returncode == 1
    unknown = problem_lines(run, "person-unknown", path)
    assert len(unknown) == 7, run.output  # deployed_by, reviewed_by and five sign-offs: all errors at `closed`
    assert all(not line.endswith("[warning]") for line in unknown)
