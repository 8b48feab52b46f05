"""Inputs that used to crash or hang: huge numbers, control characters, link loops, dangling links,
FIFOs, links leaving a git revision. Each gives one located problem, in `check`, `mkdocs build`,
`review` and `sign`, while every other record's problems are still reported; and no bytes, text or
kind of file makes the loader raise or point outside the file (property tests)."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import signal
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from deploydocs.core import gfm
from deploydocs.core.cache import RecordCache
from deploydocs.core.catalog import load_catalog
from deploydocs.core.load import MAX_NUMBER_LENGTH
from deploydocs.core.problems import Problem
from deploydocs.core.project import Settings, check_document, check_project, load_project
from deploydocs.core.rules import RULES

from repo_support import REPO, Repo, copy_repo, git

GOOD = "records/identity-service/2.3.0-production.yaml"
FOLDER = "records/identity-service"
TEXT = (REPO / GOOD).read_text(encoding="utf-8")


def located(problem: Problem, raw: bytes) -> bool:
    """A problem points inside its file: a line that exists and a column on it (or 0:0, the whole file)."""
    if (problem.line, problem.column) == (0, 0):
        return True
    try:
        lines: list = raw.decode("utf-8-sig").replace("\r\n", "\n").split("\n")
    except UnicodeDecodeError:
        lines = raw.split(b"\n")  # not UTF-8: the position of the first bad byte, in bytes
    return 1 <= problem.line <= len(lines) and 1 <= problem.column <= len(lines[problem.line - 1]) + 1


# name -> (content written, the one rule it must get, its line:col)
CONTENT_CASES = {
    "nul.yaml": ("id: DEPLOY-X\nchanges: a\x00b\n", "control-character", (2, 11)),
    "escape.yaml": ("id: DEPLOY-X\n\nchanges: \x1b[31mred\n", "control-character", (3, 10)),
    "carriage.yaml": ("id: DEPLOY-X\rchanges: x\n", "control-character", (1, 13)),
    "separator.yaml": ("id: DEPLOY-X\nchanges: a\u2028b\n", "control-character", (2, 11)),
    "hex.yaml": ("id: DEPLOY-X\nversion: 0x" + "f" * 200_000 + "\n", "yaml-number-too-long", (2, 10)),
}


def _hostile_repository(repo: Repo) -> dict[str, tuple[str, tuple[int, int] | None]]:
    """Every crashing or hanging kind of input in one records folder, beside a record with a problem
    of its own; returns what each hostile file must get."""
    repo.edit(GOOD, r"^changes: .*$", "changes: Passkeys\nchangez: typo")
    folder = repo.path(FOLDER)
    expected: dict[str, tuple[str, tuple[int, int] | None]] = {}
    lines = TEXT.split("\n")
    at = next(index for index, line in enumerate(lines) if line.startswith("changes: "))
    lines.insert(at, "attempt: " + "9" * 5000)  # beyond Python's 4,300 digits
    (folder / "2.3.0-production-long-number.yaml").write_text("\n".join(lines))
    expected["2.3.0-production-long-number.yaml"] = ("yaml-number-too-long", (at + 1, 10))
    for name, (content, rule, position) in CONTENT_CASES.items():
        (folder / name).write_bytes(content.encode("utf-8"))
        expected[name] = (rule, position)
    os.symlink("loop.yaml", folder / "loop.yaml")
    expected["loop.yaml"] = ("file-unreadable", None)
    os.symlink("missing.yaml", folder / "dangling.yaml")
    expected["dangling.yaml"] = ("file-unreadable", None)
    os.mkfifo(folder / "pipe.yaml")
    expected["pipe.yaml"] = ("not-a-regular-file", None)
    os.symlink("/etc/hostname", folder / "absolute.yaml")
    expected["absolute.yaml"] = ("symlink-outside", None)
    return {f"{FOLDER}/{name}": rule for name, rule in expected.items()}


def _assert_each_located_once(problems: list[dict], expected: dict, repo: Repo) -> None:
    for file, (rule, position) in expected.items():
        mine = [p for p in problems if p["file"] == file and p["rule"] == rule]
        assert len(mine) == 1, (file, rule, [p for p in problems if p["file"] == file])
        assert (mine[0]["line"], mine[0]["column"]) == (position or (0, 0)), mine
    assert any(p["file"] == GOOD and p["rule"] == "unknown-key" for p in problems), problems


def test_check_and_build_report_each_hostile_file_once_and_the_rest(repo: Repo) -> None:
    expected = _hostile_repository(repo)
    for extra in ((), ("--no-cache",), ()):  # cold, uncached, then from the cached verdicts
        run = repo.cli("check", "--format", "json", *extra)
        assert run.returncode == 1 and "Traceback" not in run.output, run.output
        _assert_each_located_once(json.loads(run.stdout)["problems"], expected, repo)
    build = repo.build()
    assert build.returncode == 1 and "Traceback" not in build.output, build.output
    for file, (rule, position) in expected.items():
        where = f"{file}:{position[0]}:{position[1]}:" if position else f"{file}:"
        assert f"{where} [{rule}]" in build.output, (file, build.output)
    assert "[unknown-key] unknown key `changez`" in build.output


def test_sign_works_beside_hostile_files(repo: Repo) -> None:
    _hostile_repository(repo)
    other = "records/identity-service/2.2.0-production.yaml"
    signer = re.search(r"role: security-reviewer, name: ([^,}]+)", repo.read(other)).group(1).strip()
    run = repo.cli("sign", other, "--role", "security-reviewer", "--name", signer, "--date", "2026-11-20")
    assert run.returncode == 0 and "Traceback" not in run.output, run.output
    refused = repo.cli("sign", f"{FOLDER}/pipe.yaml", "--role", "product-owner", "--name", "Carla Mendoza")
    assert refused.returncode in (1, 2) and "Traceback" not in refused.output, refused.output


def test_review_over_a_commit_holding_hostile_files(repo: Repo) -> None:
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "records")
    expected = _hostile_repository(repo)
    os.unlink(repo.path(f"{FOLDER}/pipe.yaml"))  # git keeps no FIFO
    del expected[f"{FOLDER}/pipe.yaml"]
    os.symlink("../../../../../etc", repo.path(f"{FOLDER}/up.yaml"))
    expected[f"{FOLDER}/up.yaml"] = ("symlink-outside", None)
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "hostile")
    run = repo.cli("review", "HEAD~1", "HEAD")
    # The hostile files are errors of files the pull request adds: they block it (exit 1).
    assert run.returncode == 1 and "Traceback" not in run.output, run.output
    for file, (rule, position) in expected.items():
        where = f"{file}:{position[0]}:{position[1]}" if position else f"{file}:0:0"
        assert f"- {gfm.text(where)} [{rule}]" in run.stdout, (file, run.stdout)
    assert "[unknown-key] unknown key \\`changez\\`" in run.stdout  # values escaped for GitHub's Markdown


# -- property tests -------------------------------------------------------------------------------

CATALOG = load_catalog()
SPECIAL = st.sampled_from(
    ["\x00", "\x1b", "\r", "\r\n", "\t", "\x7f", "\x85", "\u2028", "\u2029", "\ufeff", "\ud7ff", "\U0001f600"]
    + ["0x" + "f" * 300, "9" * (MAX_NUMBER_LENGTH + 1), "!!int " + "7" * 5000, "-" + "1" * 4400, "1e99999"]
    + ["- ", ": ", "\n  ", "\n\t", "[", "{", "'", '"', "\\", "&a ", "*a", "#", "---\n", "...\n", "? "]
)


@st.composite
def record_bytes(draw: st.DrawFn) -> bytes:
    """Bytes of every kind: arbitrary, or a real record with hostile pieces put anywhere."""
    if draw(st.booleans()):
        return draw(st.binary(max_size=300))
    text = TEXT
    for _ in range(draw(st.integers(min_value=1, max_value=4))):
        at = draw(st.integers(min_value=0, max_value=len(text)))
        piece = draw(st.one_of(SPECIAL, st.text(max_size=8), st.lists(SPECIAL, max_size=4).map("".join)))
        text = text[:at] + piece + text[at:]
    prefix = draw(st.sampled_from([b"", b"\xef\xbb\xbf"]))
    return prefix + text.encode("utf-8", "surrogatepass")


@settings(max_examples=200, deadline=None)
@given(raw=record_bytes())
def test_no_bytes_make_the_loader_raise_or_point_outside_the_file(raw: bytes) -> None:
    _, problems = check_document(raw, "records/x.yaml", CATALOG)
    for problem in problems:
        assert problem.rule in RULES, problem
        assert located(problem, raw), (problem, raw[:200])
        problem.format()  # prints: no number too long for Python to print


@contextmanager
def _deadline(seconds: int) -> Iterator[None]:
    """Fail instead of hanging (a FIFO opened for reading waits for a writer forever)."""

    def expire(*_: object) -> None:
        raise TimeoutError("the check hung")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


KINDS = ("fifo", "loop", "dangling", "outside", "folder", "link-to-record", "link-to-folder", "empty", "nul")


def _make(path: Path, kind: str, outside: Path) -> None:
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "loop":
        os.symlink(path.name, path)
    elif kind == "dangling":
        os.symlink("no-such-file.yaml", path)
    elif kind == "outside":
        os.symlink(outside, path)
    elif kind == "folder":
        path.mkdir()
        (path / "inner.yaml").write_text("id: x\n")
    elif kind == "link-to-record":
        os.symlink("2.3.0-staging.yaml", path)
    elif kind == "link-to-folder":
        os.symlink("..", path)
    elif kind == "empty":
        path.write_bytes(b"")
    elif kind == "nul":
        path.write_bytes(b"id: x\x00\n")


_FILES_ROOT: list[Path] = []


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(kinds=st.lists(st.sampled_from(KINDS), min_size=1, max_size=5))
def test_no_kind_of_file_makes_check_or_build_raise_or_hang(tmp_path_factory, kinds: list[str]) -> None:  # noqa: ANN001
    if not _FILES_ROOT:
        base = tmp_path_factory.mktemp("kinds")
        copy_repo(base / "repo")
        (base / "outside.yaml").write_text("id: stolen\n")
        _FILES_ROOT.append(base)
    base = _FILES_ROOT[0]
    root = base / "repo"
    folder = root / FOLDER
    made = [folder / f"hostile-{index}.yaml" for index in range(len(kinds))]
    for path, kind in zip(made, kinds, strict=True):
        _make(path, kind, base / "outside.yaml")
    try:
        settings_ = Settings(root=root, as_of=dt.date(2026, 11, 26), cache_dir=None)
        with _deadline(60):
            project = load_project(settings_, RecordCache())
            checked = check_project(settings_, RecordCache())
        assert checked.problems == project.problems
        for path, kind in zip(made, kinds, strict=True):
            display = path.relative_to(root).as_posix()
            mine = [p for p in project.problems if p.file == display or p.file.startswith(display + "/")]
            if kind not in ("folder", "link-to-folder"):
                assert mine, (kind, project.problems)
            for problem in mine:
                assert problem.rule in RULES
                target = root / problem.file
                assert located(problem, target.read_bytes() if target.is_file() else b""), problem
    finally:
        for path in made:
            if path.is_dir() and not path.is_symlink():
                for child in path.iterdir():
                    child.unlink()
                path.rmdir()
            else:
                path.unlink()


@pytest.mark.parametrize("kind", ["fifo", "dangling", "loop"])
def test_a_registry_that_cannot_be_read_is_one_problem(empty_repo: Repo, kind: str, tmp_path: Path) -> None:
    registry = empty_repo.path("records/services.yaml")
    registry.unlink()
    _make(registry, kind, tmp_path)
    run = empty_repo.cli("check", "--format", "json", "--no-cache")
    assert run.returncode == 1 and "Traceback" not in run.output, run.output
    problems = json.loads(run.stdout)["problems"]
    assert [p["file"] for p in problems] == ["records/services.yaml"], problems
