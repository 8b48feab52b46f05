"""Fixtures shared by the tests; the helpers behind them live in repo_support.py."""

from __future__ import annotations

from pathlib import Path

import pytest

from repo_support import Repo, copy_repo


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
