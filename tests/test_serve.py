"""`mkdocs serve`: a broken record shows its problems without killing the server, fixing it recovers
on the next save, and an edit re-reads that one record only."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from repo_support import Repo
from serve_support import Server

RECORD = "records/finance-service/3.1.0-staging.yaml"


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
