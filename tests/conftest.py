"""Shared fixtures: temporary copies of the repository, and real runs of mkdocs and deploydocs."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
AS_OF = "2026-11-26"
# Builds in tests are reproducible: "today" is fixed unless a test says otherwise.
SOURCE_DATE_EPOCH = "1795651200"  # 2026-11-26T00:00:00Z


@dataclass
class Run:
    returncode: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        return self.stdout + self.stderr


class Repo:
    """A throwaway copy of the repository (config, docs, records) to build and break."""

    def __init__(self, root: Path):
        self.root = root

    def path(self, relative: str) -> Path:
        return self.root / relative

    def read(self, relative: str) -> str:
        return self.path(relative).read_text(encoding="utf-8")

    def write(self, relative: str, text: str) -> Path:
        target = self.path(relative)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
        return target

    def edit(self, relative: str, pattern: str, replacement: str, count: int = 1) -> None:
        """Regex-replace in a file; fails the test if the pattern is not there."""
        text = self.read(relative)
        new, found = re.subn(pattern, replacement, text, count=count, flags=re.MULTILINE)
        assert found, f"{pattern!r} not found in {relative}"
        self.write(relative, new)

    def line_of(self, relative: str, pattern: str) -> int:
        """1-based number of the first line matching ``pattern``."""
        for number, line in enumerate(self.read(relative).splitlines(), start=1):
            if re.search(pattern, line):
                return number
        raise AssertionError(f"{pattern!r} not in {relative}")

    def _env(self, extra: dict[str, str] | None) -> dict[str, str]:
        env = dict(os.environ)
        env.update({"SOURCE_DATE_EPOCH": SOURCE_DATE_EPOCH, "NO_MKDOCS_2_WARNING": "1", "NO_COLOR": "1"})
        env.update(extra or {})
        return env

    def build(self, *args: str, env: dict[str, str] | None = None) -> Run:
        """A real `mkdocs build --strict` of this copy."""
        result = subprocess.run(
            [sys.executable, "-m", "mkdocs", "build", "--strict", *args],
            cwd=self.root, capture_output=True, text=True, env=self._env(env), timeout=600,
        )
        return Run(result.returncode, result.stdout, result.stderr)

    def cli(self, *args: str, env: dict[str, str] | None = None, input: str | None = None) -> Run:
        """A real run of the `deploydocs` command in this copy."""
        result = subprocess.run(
            [sys.executable, "-m", "deploydocs", *args],
            cwd=self.root, capture_output=True, text=True, env=self._env(env), timeout=600, input=input,
        )
        return Run(result.returncode, result.stdout, result.stderr)

    def site(self, relative: str) -> str:
        return (self.root / "site" / relative).read_text(encoding="utf-8")


def copy_repo(destination: Path, records: bool = True) -> Repo:
    destination.mkdir(parents=True, exist_ok=True)
    shutil.copy2(REPO / "mkdocs.yml", destination / "mkdocs.yml")
    shutil.copytree(REPO / "docs", destination / "docs")
    shutil.copytree(REPO / "schemas", destination / "schemas")
    if records:
        shutil.copytree(REPO / "records", destination / "records")
    else:
        (destination / "records").mkdir()
        shutil.copy2(REPO / "records" / "services.yaml", destination / "records" / "services.yaml")
    return Repo(destination)


@pytest.fixture
def repo(tmp_path: Path) -> Repo:
    """A fresh copy of the repository with the sample records."""
    return copy_repo(tmp_path / "repo")


@pytest.fixture
def empty_repo(tmp_path: Path) -> Repo:
    """A copy with the registry but no deployment records."""
    return copy_repo(tmp_path / "repo", records=False)


@pytest.fixture(scope="session")
def built_site(tmp_path_factory: pytest.TempPathFactory) -> Repo:
    """The sample repository built once per test session (read-only for tests)."""
    copy = copy_repo(tmp_path_factory.mktemp("built") / "repo")
    run = copy.build()
    assert run.returncode == 0, run.output
    return copy
