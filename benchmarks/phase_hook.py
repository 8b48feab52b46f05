"""An MkDocs hook that prints where a build's time goes: by phase, by 500 pages written, and in GC.

Add it to a generated repository's ``mkdocs.yml`` (before ``plugins:``) and build::

    hooks:
      - /path/to/benchmarks/phase_hook.py

The phases end at MkDocs' events: ``on_files`` (the plugin has loaded and checked the records and
rendered the pages by then), ``on_env`` (MkDocs has converted every page's Markdown), ``on_post_build``
(every page is written). FINDINGS.md's phase table came from this hook at 1,000 and 5,000 records.
"""

from __future__ import annotations

import gc
import resource
import sys
import time
from typing import Any

PAGES_PER_LINE = 500

_started = time.perf_counter()
_marks: list[tuple[str, float, float]] = []  # (event, seconds since start, GC seconds so far)
_gc_seconds = [0.0, 0.0, 0.0]  # by generation
_gc_counts = [0, 0, 0]
_gc_began = 0.0
_pages = 0
_last: tuple[float, float] | None = None
_lines: list[tuple[int, float, float]] = []  # (pages written, ms per page, GC ms per page)


def _gc_callback(phase: str, info: dict[str, Any]) -> None:
    global _gc_began
    if phase == "start":
        _gc_began = time.perf_counter()
    else:
        _gc_seconds[info["generation"]] += time.perf_counter() - _gc_began
        _gc_counts[info["generation"]] += 1


gc.callbacks.append(_gc_callback)


def _mark(event: str) -> None:
    _marks.append((event, time.perf_counter() - _started, sum(_gc_seconds)))


def on_files(files: Any, config: Any) -> None:
    _mark("files (the plugin's pages are ready)")


def on_env(env: Any, config: Any, files: Any) -> None:
    _mark("env (every page converted)")


def on_post_page(output: str, page: Any, config: Any) -> str:
    global _pages, _last
    _pages += 1
    now = (time.perf_counter(), sum(_gc_seconds))
    if _last is None:
        _last = now
    elif _pages % PAGES_PER_LINE == 0:
        seconds, collected = now[0] - _last[0], now[1] - _last[1]
        _lines.append((_pages, 1000 * seconds / PAGES_PER_LINE, 1000 * collected / PAGES_PER_LINE))
        _last = now
    return output


def on_post_build(config: Any) -> None:
    _mark("post_build (every page written)")
    lines = []
    previous = 0.0
    for event, seconds, collected in _marks:
        lines.append(f"{event:36s} {seconds:8.1f} s (+{seconds - previous:7.1f} s)  GC so far {collected:6.1f} s")
        previous = seconds
    for pages, per_page, gc_per_page in _lines:
        lines.append(f"pages up to {pages:5d}: {per_page:6.1f} ms/page, of which GC {gc_per_page:5.1f} ms")
    lines.append(f"GC runs by generation {_gc_counts}, seconds {[round(s, 1) for s in _gc_seconds]}")
    lines.append(f"peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")
    print("\n".join(f"PHASE {line}" for line in lines), file=sys.stderr)
