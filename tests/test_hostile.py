"""Hostile input: every bad file gets one clean `file:line:col` error (or a file-level one), fast,
and the other records' problems are still reported. Secrets never reach the site."""

from __future__ import annotations

import json
import os
import time
from html.parser import HTMLParser
from pathlib import Path

import pytest

from repo_support import Repo

GOOD = "records/identity-service/2.3.0-production.yaml"


def _check(repo: Repo, *paths: str) -> tuple[int, list[dict]]:
    run = repo.cli("check", "--format", "json", "--no-cache", *paths)
    assert "Traceback" not in run.output, run.output
    assert run.returncode in (0, 1), run.output
    return run.returncode, json.loads(run.stdout)["problems"]


def _with_broken_neighbour(repo: Repo, name: str, content: bytes) -> str:
    """Write a hostile file next to a record that has a known problem of its own."""
    repo.edit(GOOD, r"^changes: .*$", "changes: Passkeys\nchangez: typo")
    target = repo.path(f"records/identity-service/{name}")
    target.write_bytes(content)
    return f"records/identity-service/{name}"


BILLION_LAUGHS = (
    "a: &a [x, x, x, x, x, x, x, x, x]\n"
    + "".join(f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 9)}]\n" for i in range(8))
).encode()

CASES = {
    "empty.yaml": (b"", "empty-file", 1),
    "comments.yaml": (b"# only a comment\n# and another\n", "empty-file", 1),
    "latin1.yaml": ("id: DEPLOY-X-1.0.0\nchanges: acción\n".encode("latin-1"), "not-utf8", 2),
    "bomb.yaml": (BILLION_LAUGHS, "yaml-too-many-values", None),
    "deep.yaml": (b"a: " + b"[" * 60 + b"]" * 60 + b"\n", "yaml-too-deep", 1),
    "deeper.yaml": (b"a: " + b"[" * 5000 + b"]" * 5000 + b"\n", None, None),
    "tagged.yaml": (b"id: !!python/object/apply:os.system ['echo pwned']\n", "yaml-custom-tag", 1),
    "list.yaml": (b"- id: DEPLOY-IDENTITY-SERVICE-2.3.0\n- service: identity-service\n", "not-a-mapping", 1),
    "dupes.yaml": (b"id: a\nid: b\n", "yaml-duplicate-key", 2),
    "notes.txt": (b"remember the milk\n", "not-yaml-file", 0),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_hostile_file_gets_one_clean_error_and_others_still_reported(repo: Repo, name: str) -> None:
    content, rule, line = CASES[name]
    shown = _with_broken_neighbour(repo, name, content)
    started = time.monotonic()
    code, problems = _check(repo)
    assert time.monotonic() - started < 10  # includes interpreter start; the parse itself is bounded
    assert code == 1
    mine = [p for p in problems if p["file"] == shown]
    assert mine, problems
    if rule is not None:
        assert rule in {p["rule"] for p in mine}, mine
    if line is not None:
        assert any(p["line"] == line for p in mine if p["rule"] == rule), mine
    # The neighbour's own problem is still there.
    assert any(p["file"] == GOOD and p["rule"] == "unknown-key" for p in problems), problems
    # And no problem message carries a Python repr of an exception.
    assert all("Error(" not in p["message"] for p in problems)


def test_oversized_file_is_refused_without_reading(repo: Repo) -> None:
    shown = _with_broken_neighbour(repo, "huge.yaml", b"changes: " + b"x" * (1024 * 1024 + 10) + b"\n")
    _, problems = _check(repo)
    assert [p["rule"] for p in problems if p["file"] == shown] == ["file-too-large"]


def test_bom_crlf_and_tab_indentation_simply_work(repo: Repo) -> None:
    text = repo.read(GOOD)
    crlf = "\ufeff" + text.replace("\n", "\r\n")
    repo.path(GOOD).write_bytes(crlf.encode("utf-8"))
    tabbed = repo.read("records/identity-service/2.3.0-staging.yaml").replace("\n  ", "\n\t ")
    repo.write("records/identity-service/2.3.0-staging.yaml", tabbed)
    code, problems = _check(repo)
    assert [p for p in problems if p["severity"] == "error"] == []
    assert code == 0
    # Positions stay where the author sees them: break a line and look at the column.
    line = repo.line_of(GOOD, r"^environment: production")
    broken = crlf.replace("environment: production", "environment: prod")
    repo.path(GOOD).write_bytes(broken.encode("utf-8"))
    _, problems = _check(repo)
    assert any(p["line"] == line and p["column"] == 14 and p["rule"] == "invalid-value" for p in problems), problems


def test_symlink_leaving_the_repository_is_refused(repo: Repo, tmp_path: Path) -> None:
    outside = tmp_path / "outside.yaml"
    outside.write_text("id: stolen\n")
    os.symlink(outside, repo.path("records/identity-service/link.yaml"))
    _, problems = _check(repo)
    assert [(p["file"], p["rule"]) for p in problems if p["rule"] == "symlink-outside"] == [
        ("records/identity-service/link.yaml", "symlink-outside")
    ]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("service", "../../etc/passwd"),
        ("service", "identity/service"),
        ("version", "2.3.0/../../x"),
        ("version", '"2.3.0\\u0000"'),
        ("id", '"DEPLOY-IDENTITY-SERVICE-2.3.0\\nX"'),
        ("id", '"DEPLOY-IDENTITY-SERVICE-2.3.0\\n"'),
        ("service", '"identity-service\\n"'),
    ],
)
def test_path_characters_are_rejected_by_the_schema(repo: Repo, field: str, value: str) -> None:
    repo.edit(GOOD, rf"^{field}: .*$", f"{field}: {value}".replace("\\", "\\\\"))
    line = repo.line_of(GOOD, rf"^{field}: ")
    _, problems = _check(repo)
    assert any(p["file"] == GOOD and p["line"] == line and p["rule"] == "invalid-format" for p in problems), problems
    run = repo.build()
    assert run.returncode != 0
    assert "Traceback" not in run.output
    assert not (repo.root / "site").exists() or not any((repo.root / "site").rglob("passwd*"))


SECRETS = {
    "aws": "AKIA6RWJYAX6R5OAJ4XK",  # not AWS's documented example key, which gitleaks lets pass
    "jwt": "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
    "password": "db password=Hunter2-prod!",
    "url-token": "https://hooks.smartedify.example/cb?token=9fK2mQ7xLp3ZrT8vB1nW4sY6",
    "key-block": "-----BEGIN RSA PRIVATE KEY-----",
}


@pytest.mark.parametrize("kind", sorted(SECRETS))
def test_secret_fails_the_build_with_its_line(repo: Repo, kind: str) -> None:
    repo.edit(GOOD, r"^changes: .*$", f"changes: {json.dumps('Rotated: ' + SECRETS[kind])}")
    line = repo.line_of(GOOD, r"^changes: ")
    run = repo.build()
    assert run.returncode != 0
    assert f"{GOOD}:{line}:" in run.output and "[secret-detected]" in run.output, run.output
    assert "Traceback" not in run.output


def test_secret_allowance_comment(repo: Repo) -> None:
    value = json.dumps("Rotated: " + SECRETS["url-token"])
    repo.edit(GOOD, r"^changes: .*$", f"changes: {value}  # deploydocs: allow-secret")
    code, problems = _check(repo)
    assert not [p for p in problems if p["rule"] == "secret-detected"]


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.scripts: list[str] = []
        self.handlers: list[tuple[str, str]] = []
        self.hrefs: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name.startswith("on"):
                self.handlers.append((tag, name))
            if name in ("href", "src") and value:
                self.hrefs.append(value)
        self._in_script = tag == "script"

    def handle_data(self, data: str) -> None:
        if self._in_script:
            self.scripts.append(data)

    def handle_endtag(self, tag: str) -> None:
        self._in_script = False


def test_hostile_markup_comes_out_inert(repo: Repo) -> None:
    hostile = {
        "changes": "<script>alert('changes')</script> | broken | cell",
        "note": '[click](javascript:alert(1)) ![x](data:text/html;base64,PHNjcmlwdD4=) <img src=x onerror="alert(2)">'
        ' {: onclick="alert(3)"} "quoted" | pipe',
        "reason": '<a href="javascript:alert(4)">x</a>',
    }

    def literal(text: str) -> str:  # a replacement for Repo.edit's re.sub, taken as is
        return text.replace("\\", "\\\\")

    repo.edit(GOOD, r"^changes: .*$", literal(f"changes: {json.dumps(hostile['changes'])}"))
    note = literal(json.dumps(hostile["note"]))
    repo.edit(GOOD, r"^(\s+)integration_tests: .*$", r"\1integration_tests: {state: done, note: " + note + "}")
    reason = literal(json.dumps(hostile["reason"]))
    repo.edit(GOOD, r"^(\s+)dns: .*$", r"\1dns: {state: n/a, reason: " + reason + "}")
    run = repo.build()
    assert run.returncode == 0, run.output
    page = repo.site("deployments/identity-service/production/2.3.0/index.html")
    collector = _Collector()
    collector.feed(page)
    assert not any("alert(" in script for script in collector.scripts)
    assert collector.handlers == []
    assert not any(href.lower().lstrip().startswith(("javascript:", "data:")) for href in collector.hrefs)
    assert "&lt;script&gt;alert" in page
    assert "&lt;img src=x onerror" in page


def test_two_builds_are_byte_identical(tmp_path: Path) -> None:
    from repo_support import copy_repo

    sites = []
    for name in ("one", "two"):
        copy = copy_repo(tmp_path / name)
        run = copy.build()
        assert run.returncode == 0, run.output
        sites.append(copy.root / "site")
    files_one = sorted(p.relative_to(sites[0]) for p in sites[0].rglob("*") if p.is_file())
    files_two = sorted(p.relative_to(sites[1]) for p in sites[1].rglob("*") if p.is_file())
    assert files_one == files_two
    different = [str(p) for p in files_one if (sites[0] / p).read_bytes() != (sites[1] / p).read_bytes()]
    assert different == []
