"""A cold `deploydocs check` spread over forked workers finds exactly what one process finds."""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import threading
import time

import pytest

from deploydocs import workers
from deploydocs.cache import RecordCache
from deploydocs.project import Settings, check_project, default_cache, load_project
from deploydocs.reporters import text_report

from repo_support import AS_OF, Repo, broken_repository, check

pytestmark = pytest.mark.skipif("fork" not in workers.multiprocessing.get_all_start_methods(), reason="no fork")


def test_results_come_back_in_order_from_several_processes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(workers, "PARALLEL_MIN", 10)
    monkeypatch.setenv("DEPLOYDOCS_WORKERS", "3")
    parent = os.getpid()

    def slow(items: list[int]) -> list[tuple[int, int]]:
        time.sleep(0.3)  # long enough for every worker to take a slice
        return [(item, os.getpid()) for item in items]

    results = workers.map_in_workers(slow, list(range(95)))
    assert [item for item, _ in results] == list(range(95))
    pids = {pid for _, pid in results}
    assert len(pids) == 3 and parent not in pids


@pytest.mark.parametrize(("configured", "items", "expected"), [("1", 10_000, 1), ("4", 250, 2), ("4", 99, 1)])
def test_worker_count(monkeypatch: pytest.MonkeyPatch, configured: str, items: int, expected: int) -> None:
    monkeypatch.setenv("DEPLOYDOCS_WORKERS", configured)
    assert workers.worker_count(items) == expected


def test_a_process_running_other_threads_is_never_forked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DEPLOYDOCS_WORKERS", "4")
    assert workers.worker_count(10_000) == 4
    release = threading.Event()
    other = threading.Thread(target=release.wait)
    other.start()
    try:
        assert workers.worker_count(10_000) == 1
    finally:
        release.set()
        other.join()


def test_a_parallel_cold_check_equals_the_full_pipeline(repo: Repo, monkeypatch: pytest.MonkeyPatch) -> None:
    broken_repository(repo)
    settings = Settings(root=repo.root, as_of=dt.date.fromisoformat(AS_OF))
    expected = load_project(dataclasses.replace(settings, cache_dir=None), RecordCache())
    monkeypatch.setattr(workers, "PARALLEL_MIN", 5)
    monkeypatch.setenv("DEPLOYDOCS_WORKERS", "2")
    assert workers.worker_count(len(expected.record_files)) == 2
    spread = check_project(settings, default_cache(settings))
    assert spread.problems == expected.problems
    assert spread.record_files == expected.record_files
    assert spread.record_paths == [record.path for record in expected.records]
    # The workers wrote their verdicts to the cache folder: the next check reads every one of them.
    cache = default_cache(settings)
    assert check_project(settings, cache) == spread
    assert cache.verdict_misses == 0
    # And the real command, one process, cold, prints the same.
    run = check(repo, "--as-of", AS_OF, "--no-cache", env={"DEPLOYDOCS_WORKERS": "1"})
    assert run.stdout == text_report(expected.problems, expected.files_checked)
