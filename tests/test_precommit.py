"""The pre-commit hook as another repository uses it: the real `pre-commit try-repo` installs this
repository's package into its own environment (nothing built first) and checks a user's records,
keeping its cache under the git directory, never in the user's working tree.

One test, because pre-commit's first install of the hook takes about 40 s (pip from the index).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from repo_support import REPO

# What a clone would not have (top-level build output and local state; node_modules anywhere).
TOP_IGNORED = {".git", ".venv", "site", ".hypothesis", ".pytest_cache", ".ruff_cache", ".deploydocs-cache", "build"}


def _ignored(folder: str, names: list[str]) -> set[str]:
    top = Path(folder) == REPO
    return {n for n in names if n == "node_modules" or n.endswith(".egg-info") or (top and n in TOP_IGNORED)}


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def _git(cwd: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-c", "user.name=Test", "-c", "user.email=test@smartedify.example", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=True,
    ).stdout


def test_the_hook_declares_serial_runs_and_keeps_the_cache_out_of_the_working_tree() -> None:
    (hook,) = YAML(typ="safe").load((REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert hook["language"] == "python" and hook["require_serial"] is True
    assert "--cache-in-git-dir" in hook["entry"].split()
    own = YAML(typ="safe").load((REPO / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    (local,) = own["repos"][0]["hooks"]
    assert local["require_serial"] is True and (REPO / local["entry"]).is_file()
    assert "--cache-in-git-dir" in (REPO / local["entry"]).read_text(encoding="utf-8")


def test_try_repo_installs_the_hook_and_checks_another_repository(tmp_path: Path) -> None:
    try:
        import pre_commit  # noqa: F401
    except ImportError:
        if _in_ci():
            pytest.fail("the pre-commit package is missing (pip install -e '.[test]'); CI must run this test")
        pytest.skip("needs the pre-commit package (pip install -e '.[test]')")
    # try-repo runs the hook as committed (plus uncommitted changes, via a shadow commit): a clone
    # of this repository at its current state, so the test sees the working copy's hook.
    source = tmp_path / "hook-repo"
    shutil.copytree(REPO, source, ignore=_ignored)
    _git(source, "init", "-q", "-b", "main")
    _git(source, "add", "-A")
    _git(source, "commit", "-q", "-m", "hook")
    user = tmp_path / "user"
    shutil.copytree(REPO / "records", user / "records")
    _git(user, "init", "-q", "-b", "main")
    _git(user, "add", "-A")
    _git(user, "commit", "-q", "-m", "records")
    env = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home"), "NO_COLOR": "1"}
    env.pop("PYTHONPATH", None)  # the hook must run from its own environment, not this checkout

    def try_repo(*files: str) -> subprocess.CompletedProcess[str]:
        command = [sys.executable, "-m", "pre_commit", "try-repo", str(source), "deploydocs-check", "--files", *files]
        return subprocess.run(command, cwd=user, capture_output=True, text=True, env=env, timeout=600)

    record = "records/identity-service/2.3.0-production.yaml"
    passed = try_repo(record)
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert "deploydocs check" in passed.stdout and "Passed" in passed.stdout
    assert _git(user, "status", "--porcelain", "--ignored") == ""  # nothing left in the working tree
    assert (user / ".git" / "deploydocs-cache").is_dir()

    text = (user / record).read_text(encoding="utf-8").replace("environment: production", "environment: prodution")
    (user / record).write_text(text, encoding="utf-8")
    failed = try_repo(record)
    assert failed.returncode == 1, failed.stdout + failed.stderr
    assert f"{record}:7:14: [invalid-value]" in failed.stdout, failed.stdout
    assert _git(user, "status", "--porcelain", "--ignored").splitlines() == [f" M {record}"]
