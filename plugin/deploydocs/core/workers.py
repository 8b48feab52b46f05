"""Spread independent work over the CPUs: forked worker processes where the system has them.

A cold `deploydocs check` judges every file on its own (YAML, schema, secrets, the rules about one
record), so its files can be split between processes. Forked workers start with everything the
parent holds (the catalog, the policy, the compiled schema check, the files' contents), so nothing
but the results is pickled. Where ``fork`` does not exist (Windows, macOS' default) or fails, the
work runs here, in one process, with the same results; so does it in a process that runs other
threads (`mkdocs serve`, say), which a fork could leave holding a lock forever.

``DEPLOYDOCS_WORKERS`` sets how many processes to use at most (``1``: never fork); by default, the
CPUs this process may run on.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")

PARALLEL_MIN = 100
"""Items per worker below which forking costs more than it saves (a process starts in ~50 ms;
a record file takes 3-7 ms to judge)."""

_job: tuple[Callable[[Any], list[Any]], Sequence[Any]] | None = None  # what forked workers inherit


def configured_limit() -> int | None:
    """The most processes ``DEPLOYDOCS_WORKERS`` allows, None when unset; ValueError saying what to write
    for any other value (the command line reports it as a usage error)."""
    configured = os.environ.get("DEPLOYDOCS_WORKERS", "").strip()
    if not configured:
        return None
    if not configured.isdigit() or int(configured) < 1:
        raise ValueError(
            f"DEPLOYDOCS_WORKERS={configured!r} is not a number of processes: set a whole number such as 2 "
            "(1 checks in one process), or unset it to use every CPU"
        )
    return int(configured)


def worker_count(items: int) -> int:
    """How many processes to spread ``items`` over: 1 means "here"."""
    cpus = configured_limit()
    if cpus is None:
        cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    if "fork" not in multiprocessing.get_all_start_methods() or threading.active_count() > 1:
        return 1  # forking a process that runs other threads can deadlock the child (a lock held mid-fork)
    return max(1, min(cpus, items // PARALLEL_MIN))


def _run_slice(bounds: tuple[int, int]) -> list[Any]:
    assert _job is not None  # set by map_in_workers before the fork
    function, items = _job
    return function(items[bounds[0] : bounds[1]])


def map_in_workers(function: Callable[[Sequence[Item]], list[Result]], items: Sequence[Item]) -> list[Result]:
    """``function(items)``, computed by splitting ``items`` into consecutive slices, one per worker;
    the results come back in the order of ``items``. ``function`` may be a closure: workers are forked,
    so it is inherited, not pickled. Its results must pickle."""
    global _job
    workers = worker_count(len(items))
    if workers < 2:
        return function(items)
    size = -(-len(items) // workers)
    slices = [(start, min(start + size, len(items))) for start in range(0, len(items), size)]
    _job = (function, items)
    try:
        with multiprocessing.get_context("fork").Pool(len(slices)) as pool:
            parts = pool.map(_run_slice, slices)
    except OSError:  # no process could be forked (limits, memory): do it here
        return function(items)
    finally:
        _job = None
    return [result for part in parts for result in part]
