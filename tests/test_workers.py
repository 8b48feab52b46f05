"""A cold `deploydocs check` spread over forked workers finds exactly what one process finds.

A process that runs other threads never forks (workers.py), and a pytest worker may hold some (the
browser tests' site server lives for the whole session): the tests that fork run their code in a
fresh interpreter, which has one thread, as the `deploydocs` command does.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import threading
from typing import Any

import pytest

from deploydocs.core import workers

from repo_support import AS_OF, Repo, broken_repository, check

pytestmark = pytest.mark.skipif("fork" not in workers.multiprocessing.get_all_start_methods(), reason="no fork")


def _in_fresh_process(code: str, workers_env: str) -> Any:
    """Run ``code`` in a new interpreter (DEPLOYDOCS_WORKERS set); it prints one JSON value."""
    result = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "DEPLOYDOCS_WORKERS": workers_env},
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_results_come_back_in_order_from_several_processes() -> None:
    result = _in_fresh_process(
        """
        import json, os, time
        from deploydocs.core import workers
        workers.PARALLEL_MIN = 10

        def slow(items):
            time.sleep(0.3)  # long enough for every worker to take a slice
            return [(item, os.getpid()) for item in items]

        print(json.dumps({"parent": os.getpid(), "results": workers.map_in_workers(slow, list(range(95)))}))
        """,
        "3",
    )
    assert [item for item, _ in result["results"]] == list(range(95))
    pids = {pid for _, pid in result["results"]}
    assert len(pids) == 3 and result["parent"] not in pids


@pytest.mark.parametrize(("configured", "items", "expected"), [("1", 10_000, 1), ("4", 250, 2), ("4", 99, 1)])
def test_worker_count(configured: str, items: int, expected: int) -> None:
    code = f"import json; from deploydocs.core import workers; print(json.dumps(workers.worker_count({items})))"
    assert _in_fresh_process(code, configured) == expected


def test_a_process_running_other_threads_is_never_forked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DEPLOYDOCS_WORKERS", "4")
    release = threading.Event()
    other = threading.Thread(target=release.wait)
    other.start()
    try:
        assert workers.worker_count(10_000) == 1
    finally:
        release.set()
        other.join()


@pytest.mark.parametrize("configured", ["two", "0", "-1", "1.5"])
def test_a_bad_worker_setting_is_a_usage_error_that_says_what_to_write(repo: Repo, configured: str) -> None:
    run = check(repo, env={"DEPLOYDOCS_WORKERS": configured})
    assert run.returncode == 2 and run.stdout == ""
    assert f"DEPLOYDOCS_WORKERS={configured!r} is not a number of processes: set a whole number such as 2" in run.stderr


def test_a_parallel_cold_check_equals_the_full_pipeline(repo: Repo) -> None:
    broken_repository(repo)
    result = _in_fresh_process(
        f"""
        import dataclasses, datetime as dt, json
        from pathlib import Path
        from deploydocs.core import workers
        from deploydocs.core.cache import RecordCache
        from deploydocs.core.project import Settings, check_project, default_cache, load_project
        from deploydocs.commands.reporters import json_report

        workers.PARALLEL_MIN = 5
        settings = Settings(root=Path({str(repo.root)!r}), as_of=dt.date.fromisoformat({AS_OF!r}))
        expected = load_project(dataclasses.replace(settings, cache_dir=None), RecordCache())
        spread = check_project(settings, default_cache(settings))
        cache = default_cache(settings)
        again = check_project(settings, cache)  # reads the verdicts the workers wrote
        print(json.dumps({{
            "workers": workers.worker_count(len(expected.record_files)),
            "expected": json.loads(json_report(expected.problems, expected.files_checked)),
            "spread": json.loads(json_report(spread.problems, spread.files_checked)),
            "same_files": spread.record_files == expected.record_files,
            "same_records": spread.record_paths == [record.path for record in expected.records],
            "again_equal": again == spread,
            "again_misses": cache.verdict_misses,
        }}))
        """,
        "2",
    )
    assert result["workers"] == 2
    assert result["spread"] == result["expected"] and result["expected"]["errors"] > 0
    assert result["same_files"] and result["same_records"]
    # The workers wrote their verdicts to the cache folder: the next check reads every one of them.
    assert result["again_equal"] and result["again_misses"] == 0
    # And the real command, one process, cold, prints the same problems.
    run = check(repo, "--as-of", AS_OF, "--no-cache", "--format", "json", env={"DEPLOYDOCS_WORKERS": "1"})
    assert json.loads(run.stdout) == result["expected"]


def test_a_parallel_cold_build_loads_what_one_process_loads(repo: Repo) -> None:
    # A cold build judges its files in workers first; they leave documents and verdicts in the cache
    # folder, and the build reads them back. Its project, and the pages made of it, must be those
    # of a build in one process with no cache at all.
    result = _in_fresh_process(
        f"""
        import dataclasses, datetime as dt, json
        from pathlib import Path
        from deploydocs.core import workers
        from deploydocs.core.cache import RecordCache
        from deploydocs.core.project import Settings, default_cache, load_project
        from deploydocs.site.render import Renderer

        from deploydocs.core import project as project_module

        workers.PARALLEL_MIN = 5
        spread_over = []  # how many files each call spread over the workers
        real_map = project_module.map_in_workers

        def spy(function, items):
            spread_over.append(len(items))
            return real_map(function, items)

        project_module.map_in_workers = spy

        def summary(project):
            pages = Renderer(project).problem_pages() if project.errors else Renderer(project).pages()
            return {{
                "problems": [problem.format() for problem in project.problems],
                "records": [(record.path, record.document.text) for record in project.records],
                "evaluations": [
                    (path, repr(e.overall), sorted(e.stale_roles), e.attention, [gap.label for gap in e.gaps])
                    for path, e in sorted(project.evaluations.items())
                ],
                "pages": {{page.src_uri: page.content for page in pages}},
            }}

        settings = Settings(root=Path({str(repo.root)!r}), as_of=dt.date.fromisoformat({AS_OF!r}))
        expected = summary(load_project(dataclasses.replace(settings, cache_dir=None), RecordCache()))
        cache = default_cache(settings)
        spread = summary(load_project(settings, cache))
        print(json.dumps({{
            "workers": workers.worker_count(len(expected["records"])),
            "checked_anew": cache.misses,
            "spread_over": spread_over,
            "equal": spread == expected,
            "records": len(expected["records"]),
        }}))
        """,
        "2",
    )
    assert result["workers"] == 2 and result["records"] >= 10
    assert len(result["spread_over"]) == 1  # one call: the unjudged files, spread over the workers
    assert result["spread_over"][0] >= result["records"]  # every file, the broken ones too
    assert result["checked_anew"] >= result["records"]
    assert result["equal"]
