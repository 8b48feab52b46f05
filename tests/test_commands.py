"""Commands behave as docs/cli.md says: `new` writes only what `check` accepts, spellings get "did
you mean" in any case, paths that are not records are usage errors, exit codes, `--version`,
`schema` to stdout, one problem per fault, and every command a message suggests runs as printed."""

from __future__ import annotations

import datetime as dt
import json
import re
import shlex
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from deploydocs import __version__
from deploydocs.commands.main import build_parser, main
from deploydocs.core.catalog import load_catalog
from deploydocs.core.load import parse_document
from deploydocs.core.project import Settings, check_project
from deploydocs.core.schema import record_schema
from deploydocs.core.suggest import closest, command
from deploydocs.core.validate import schema_problems

from repo_support import REPO, Repo, copy_repo, make_record, set_signoffs

RECORD = "records/identity-service/2.3.0-staging.yaml"
ORIGINAL = (REPO / RECORD).read_text(encoding="utf-8")
CATALOG = load_catalog()
ENVIRONMENTS = [term.key for term in CATALOG.environments]
ROLES = [term.key for term in CATALOG.signoff_roles]
SCHEMA = record_schema(CATALOG)
SUGGESTED = re.compile(r"`(deploydocs [^`]+)`")


def case_variant(word: str) -> st.SearchStrategy[str]:
    """``word`` with any letters in capitals, hyphens maybe written as spaces or underscores."""
    return st.tuples(
        st.lists(st.booleans(), min_size=len(word), max_size=len(word)), st.sampled_from(["-", " ", "_"])
    ).map(
        lambda spec: "".join(
            (c.upper() if up else c) if c != "-" else spec[1] for c, up in zip(word, spec[0], strict=True)
        )
    )


def schema_fixes(text: str) -> list[tuple[str, str]]:
    document = parse_document(text, RECORD)
    return [(p.rule, p.fix) for p in schema_problems(document, SCHEMA)]


# -- did you mean, in any case ----------------------------------------------------------------------


@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_any_case_variant_of_a_term_gets_it_suggested(data: st.DataObject) -> None:
    environment = data.draw(st.sampled_from(ENVIRONMENTS))
    written = data.draw(case_variant(environment))
    assume(written != environment)
    assert closest(written, ENVIRONMENTS) == environment
    text = re.sub(r"^environment: .*$", f'environment: "{written}"', ORIGINAL, count=1, flags=re.MULTILINE)
    assert ("invalid-value", f"did you mean `{environment}`? allowed: {', '.join(ENVIRONMENTS)}") in schema_fixes(text)
    role = data.draw(st.sampled_from(ROLES))
    written_role = data.draw(case_variant(role))
    assume(written_role != role)
    assert closest(written_role, ROLES) == role
    state = data.draw(st.sampled_from(["done", "pending"]))
    written_state = data.draw(case_variant(state))
    assume(written_state != state)
    text = re.sub(r"^(\s+)(\w+): done\b", rf"\1\2: {written_state}", ORIGINAL, count=1, flags=re.M)
    assert text != ORIGINAL
    assert ("invalid-state", f"did you mean `{state}`?") in schema_fixes(text)


def test_new_and_sign_suggest_the_word_in_any_case(repo: Repo) -> None:
    run = repo.cli(
        "new", "--service", "identity-service", "--version", "9.0.0", "--environment", "PRODUCTION",
        "--type", "Update", "--deployed-by", "Ana",
    )  # fmt: skip
    assert run.returncode == 2 and "did you mean `--environment production`?" in run.stderr, run.output
    run = repo.cli("sign", RECORD, "--role", "Security Reviewer", "--name", "Rosa")
    assert run.returncode == 2 and "did you mean `--role security-reviewer`?" in run.stderr, run.output
    assert not repo.path("records/identity-service/9.0.0-production.yaml").exists()


# -- new writes only what check accepts --------------------------------------------------------------

NEW = ["new", "--service", "identity-service", "--deployed-by", "Ana Quispe", "--reviewed-by", "Diego Salas"]


@pytest.fixture(scope="module")
def scratch(tmp_path_factory: pytest.TempPathFactory) -> Repo:
    return copy_repo(tmp_path_factory.mktemp("new") / "repo")


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    environment=st.sampled_from([*ENVIRONMENTS, "prod", "dev", "Staging", "qa"]),
    kind=st.sampled_from(["initial", "update", "hotfix", "rollback", "patch"]),
    version=st.sampled_from(["9.1.0", "9.1.0-rc.1", "v9", "9.1"]),
    attempt=st.integers(min_value=-1, max_value=3),
    rolls_back=st.sampled_from(["", "DEPLOY-IDENTITY-SERVICE-2.2.0", "nonsense"]),
    date=st.sampled_from(["2026-11-30", "2026-01-05"]),
)
def test_new_writes_nothing_that_check_rejects(
    scratch: Repo, capsys: pytest.CaptureFixture[str], **args: object
) -> None:
    before = set(scratch.path("records").rglob("*.yaml"))
    argv = [*NEW, "--root", str(scratch.root), "--as-of", "2026-11-26", "--force"]
    for key, value in args.items():
        argv += [f"--{key.replace('_', '-')}".replace("--kind", "--type"), str(value)]
    code = main(argv)
    output = capsys.readouterr()
    assert "Traceback" not in output.err
    written = set(scratch.path("records").rglob("*.yaml")) - before
    if code != 0:
        assert code == 2, output.err
        assert written == set(), "a refused `new` wrote a file"
        return
    paths = [line.removeprefix("created ") for line in output.out.splitlines() if line.startswith("created ")]
    assert len(paths) == 1
    result = check_project(Settings(root=scratch.root, as_of=dt.date(2026, 11, 26), cache_dir=None))
    errors = [p.format() for p in result.errors if p.file == paths[0]]
    assert errors == []
    scratch.path(paths[0]).unlink()


def test_new_refuses_attempt_zero_and_a_bad_rollback_target(repo: Repo) -> None:
    base = [*NEW, "--version", "9.0.0", "--environment", "staging", "--type", "update"]
    run = repo.cli(*base, "--attempt", "0")
    assert run.returncode == 2 and "`0` is not an attempt" in run.stderr, run.output
    run = repo.cli(*base, "--rolls-back", "nonsense")
    assert run.returncode == 2 and "would not pass `deploydocs check`" in run.stderr, run.output
    assert "[invalid-format]" in run.stderr
    assert list(repo.path("records/identity-service").glob("9.0.0-*")) == []


# -- paths, exit codes, --version, schema -----------------------------------------------------------


def test_check_on_what_is_not_a_record_is_a_usage_error(repo: Repo) -> None:
    repo.write("notes/readme.md", "# not a record\n")
    for path, says in (("notes/readme.md", "not a record file"), ("notes", "no record files in this folder")):
        run = repo.cli("check", path)
        assert run.returncode == 2 and says in run.stderr, run.output
        assert "ok:" not in run.stdout
    assert repo.cli("check", RECORD).returncode == 0
    assert repo.cli("check", "records/identity-service").returncode == 0
    assert repo.cli("check", "records/services.yaml").returncode == 0


def test_missing_files_and_folders_are_usage_errors(repo: Repo) -> None:
    for args, says in (
        (("--policy", "no-policy.yaml"), "--policy no-policy.yaml: no such file"),
        (("--records", "nowhere"), "--records nowhere: no such folder"),
        (("--registry", "records/none.yaml"), "--registry records/none.yaml: no such file"),
    ):
        run = repo.cli("check", *args)
        assert run.returncode == 2 and says in run.stderr, run.output
    assert repo.cli("check", "records/nope.yaml").returncode == 2
    assert repo.cli("sign", "records/nope.yaml", "--role", "product-owner", "--name", "X").returncode == 2
    assert repo.cli("no-such-command").returncode == 2


def test_version(repo: Repo) -> None:
    run = repo.cli("--version")
    assert run.returncode == 0 and run.stdout.strip() == f"deploydocs {__version__}"


def test_schema_prints_to_stdout_unless_told_to_write(repo: Repo, tmp_path: Path) -> None:
    repo.path("schemas/deployment-record.schema.json").write_text("{}")  # the old default overwrote it
    before = {p.name: p.read_text() for p in repo.path("schemas").iterdir()}
    run = repo.cli("schema")
    assert run.returncode == 0, run.output
    assert json.loads(run.stdout)["title"] == "SmartEdify deployment record"
    assert json.loads(repo.cli("schema", "policy").stdout)["$id"].endswith("policy.schema.json")
    assert {p.name: p.read_text() for p in repo.path("schemas").iterdir()} == before
    wrong = repo.cli("schema", "polcy")
    assert wrong.returncode == 2 and "did you mean `policy`?" in wrong.stderr
    out = tmp_path / "out"
    assert repo.cli("schema", "--write", str(out)).returncode == 0
    assert (out / "deployment-record.schema.json").read_text() == run.stdout


# -- one problem per fault -----------------------------------------------------------------------------


@settings(max_examples=80, deadline=None)
@given(
    key=st.sampled_from(["date", "version", "environment", "id", "attempt", "rolls_back"]),
    value=st.one_of(
        st.text(st.characters(exclude_categories=["Cc", "Cs"]), max_size=20),
        st.integers(),
        st.booleans(),
        st.floats(allow_nan=False, allow_infinity=False),
    ),
)
def test_a_bad_value_is_one_problem(key: str, value: object) -> None:
    written = json.dumps(value, ensure_ascii=False)
    text = re.sub(rf"^{key}: .*$", lambda _: f"{key}: {written}", ORIGINAL, count=1, flags=re.MULTILINE)
    if f"\n{key}:" not in text:
        text = text.replace("\ndate:", f"\n{key}: {written}\ndate:", 1)
    document = parse_document(text, RECORD)
    line = next(i for i, row in enumerate(text.split("\n"), start=1) if row.startswith(f"{key}:"))
    at_value = [p for p in schema_problems(document, SCHEMA) if p.line == line]
    assert len(at_value) <= 1, at_value


def test_a_bad_date_is_one_invalid_date() -> None:
    text = ORIGINAL.replace("\ndate: ", "\ndate: 20/11/2026\n_was: ", 1)
    text = re.sub(r"^_was: .*\n", "", text, flags=re.MULTILINE)
    rules = [rule for rule, _ in schema_fixes(text)]
    assert rules == ["invalid-date"]


# -- suggested commands run as printed -------------------------------------------------------------


def parses(suggestion: str) -> object:
    """The suggested command through the real parser: it must be accepted as printed."""
    argv = shlex.split(suggestion)
    assert argv[0] == "deploydocs", suggestion
    try:
        return build_parser().parse_args(argv[1:])
    except SystemExit as exit_:  # argparse refusing it
        raise AssertionError(f"does not run as printed: {suggestion}") from exit_


names = st.text(
    alphabet=st.characters(codec="utf-8", categories=["L", "Zs", "Pd", "Po"], exclude_characters="`"),
    min_size=1,
    max_size=24,
).filter(lambda name: name.strip() and not name.startswith("-"))


@settings(max_examples=60, deadline=None)
@given(name=names, role=st.sampled_from(ROLES))
def test_a_suggested_sign_command_runs_with_any_name(name: str, role: str) -> None:
    args = parses(command("sign", "--role", role, "--name", name, "records/a b/it's.yaml"))
    assert (args.role, args.name, args.record) == (role, name, "records/a b/it's.yaml")


def test_every_command_in_messages_runs_as_printed(empty_repo: Repo) -> None:
    repo = empty_repo
    # A stale sign-off by someone with a quote and spaces in the name, and missing sign-offs.
    closed = make_record(repo, "closed", environment="staging", date=dt.date(2026, 11, 10))
    signers = [
        {"role": "deploying-engineer", "name": "Ana Quispe", "date": "2026-11-18"},
        {"role": "security-reviewer", "name": '"Rosa O\'Brien Huamán"', "date": "2026-11-18",
         "fingerprint": "sha256:" + "0" * 64},
    ]  # fmt: skip
    set_signoffs(repo, closed, signers)
    # Listed in people.yaml, so her sign-off is judged (stale), not refused as someone unknown.
    people = repo.path("records/people.yaml")
    people.write_text(
        people.read_text(encoding="utf-8")
        + '  - {name: "Rosa O\'Brien Huamán", github: robrien, roles: [security-reviewer]}\n',
        encoding="utf-8",
    )
    make_record(repo, "closed", version="2.4.0", environment="production", signoffs=False)
    run = repo.cli("check", "--format", "json")
    texts = [p["message"] + " " + p["fix"] for p in json.loads(run.stdout)["problems"]]
    # A usage error that names a command.
    again = repo.cli(
        "new", "--service", "identity-service", "--version", "2.4.0", "--environment", "production",
        "--type", "update", "--deployed-by", "Ana",
    )  # fmt: skip
    texts.append(again.stderr)
    suggestions = [found for text in texts for found in SUGGESTED.findall(text)]
    assert any("Brien" in s for s in suggestions), texts
    assert any("--role product-owner" in s for s in suggestions), suggestions
    for suggestion in suggestions:
        parses(suggestion)
    stale = next(s for s in suggestions if "Brien" in s)
    assert parses(stale).name == "Rosa O'Brien Huamán"
    # Options suggested on their own (`--attempt 2`) complete the command they were given to.
    options = [found for found in re.findall(r"`(--[a-z-]+(?: [^`]+)?)`", again.stderr)]
    assert "--attempt 2" in options
    for option in options:
        parses(shlex.join(["deploydocs", *again_args(), *shlex.split(option)]))


def again_args() -> list[str]:
    return [
        "new", "--service", "identity-service", "--version", "2.4.0", "--environment", "production",
        "--type", "update", "--deployed-by", "Ana",
    ]  # fmt: skip


def test_sign_refuses_a_review_that_is_not_a_link(repo: Repo) -> None:
    before = repo.read(RECORD)
    run = repo.cli("sign", RECORD, "--role", "security-reviewer", "--name", "Rosa", "--review", "PR 57")
    assert run.returncode == 2 and "is not a link" in run.stderr, run.output
    assert repo.read(RECORD) == before


def test_a_promotion_exception_is_shown_on_the_guide_page(tmp_path: Path) -> None:
    repo = copy_repo(tmp_path / "repo", records=False)
    path = make_record(repo, "deployed", service="streaming-service", version="1.0.0")
    exception = "promotion_exception: {reason: Staging is <b>down</b>, approver: product-owner}"
    repo.write(path, repo.read(path).replace("\nchecklists:", f"\n{exception}\nchecklists:", 1))
    run = repo.build()
    assert run.returncode == 0 and "[promotion-missing]" not in run.output, run.output
    page = repo.site("deployments/streaming-service/production/1.0.0/index.html")
    assert "Promotion exception" in page and "Staging is &lt;b&gt;down" in page and "<b>down" not in page
