"""`mkdocs serve`: a broken record shows its problems without killing the server, fixing it recovers
on the next save, and an edit re-reads that one record only."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from repo_support import SOURCE_DATE_EPOCH, Repo

RECORD = "records/finance-service/3.1.0-staging.yaml"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Server:
    def __init__(self, repo: Repo, log: Path):
        self.port = _free_port()
        self.log = log
        self.stream = log.open("w")
        env = dict(os.environ, SOURCE_DATE_EPOCH=SOURCE_DATE_EPOCH, NO_MKDOCS_2_WARNING="1", NO_COLOR="1")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "mkdocs", "serve", "-a", f"127.0.0.1:{self.port}", "--livereload"],
            cwd=repo.root,
            stdout=self.stream,
            stderr=subprocess.STDOUT,
            env=env,
        )

    def text(self) -> str:
        return self.log.read_text()

    def wait_for(self, needle: str, after: int = 0, timeout: float = 60) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            text = self.text()
            if needle in text[after:]:
                return text
            assert self.process.poll() is None, f"the server died:\n{text}"
            time.sleep(0.2)
        raise AssertionError(f"{needle!r} not in the log after {timeout} s:\n{self.text()[after:]}")

    def get(self, path: str = "/") -> str:
        with urllib.request.urlopen(f"http://127.0.0.1:{self.port}{path}", timeout=10) as response:
            return response.read().decode("utf-8")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.stream.close()


@pytest.fixture
def server(repo: Repo, tmp_path: Path) -> Iterator[Server]:
    running = Server(repo, tmp_path / "serve.log")
    try:
        running.wait_for("Serving on")
        yield running
    finally:
        running.stop()


def _rebuilt(server: Server, mark: int) -> str:
    # Livereload logs this once the builder has returned without an error. (MkDocs' own "Documentation
    # built in" line went missing from one CI run's log although the rebuild completed.)
    return server.wait_for("Reloading browsers", after=mark)


def test_broken_record_shows_problems_and_recovers(repo: Repo, server: Server) -> None:
    assert "What runs where" in server.get("/")
    original = repo.read(RECORD)

    mark = len(server.text())
    repo.write(RECORD, original.replace("environment: staging", "environment: stagin", 1))
    log = _rebuilt(server, mark)[mark:]
    line = repo.line_of(RECORD, r"^environment: stagin")
    assert f"{RECORD}:{line}:14: [invalid-value]" in log
    assert "Traceback" not in log
    page = server.get("/")
    assert "Records have problems" in page and f"{RECORD}:{line}:14" in page

    mark = len(server.text())
    repo.write(RECORD, original)
    log = _rebuilt(server, mark)[mark:]
    # The restored text is in the disk cache already: at most that one file is read again.
    assert re.search(r"record\(s\), [01] read and checked anew, 0 error\(s\)", log), log
    assert "What runs where" in server.get("/")


def test_an_edit_rereads_only_that_record(repo: Repo, server: Server) -> None:
    first = server.text()
    count = len(list(repo.path("records").glob("*/*.yaml")))
    assert f"{count} record(s), {count} read and checked anew" in first
    mark = len(first)
    repo.edit(RECORD, r"^changes: (.*)$", r"changes: \1 (edited)")
    log = _rebuilt(server, mark)[mark:]
    assert "1 read and checked anew" in log, log
    assert "(edited)" in server.get("/deployments/finance-service/staging/3.1.0/")
