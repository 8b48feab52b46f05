"""Profile the plugin build of N generated records in-process under cProfile.

    .venv/bin/python benchmarks/profile.py --count 1000            # cold cache (default)
    .venv/bin/python benchmarks/profile.py --count 1000 --cache warm
    .venv/bin/python benchmarks/profile.py --count 1000 --rebuild  # `mkdocs serve` after one edit

Prints the top functions by cumulative and by own ("total") time, then the split: time inside
deploydocs (its own code and Jinja templates; and everything its MkDocs hooks call) against the
rest (MkDocs, Markdown, the theme, search). Records come from ``benchmarks/generate.py`` in
``benchmarks/work/repo-N`` (generated when missing or out of date). ``--save FILE`` keeps the raw
profile for snakeviz / pstats.
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
# This file is named profile.py, like the standard library module that cProfile imports: keep
# benchmarks/ off the front of sys.path so that `import cProfile` gets the real one.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]

import argparse  # noqa: E402
import cProfile  # noqa: E402
import functools  # noqa: E402
import io  # noqa: E402
import logging  # noqa: E402
import os  # noqa: E402
import pstats  # noqa: E402
import re  # noqa: E402
import shutil  # noqa: E402
import time  # noqa: E402

sys.path.append(str(HERE))
import generate  # noqa: E402

Key = tuple[str, int, str]


def _is_deploydocs(filename: str, package: Path) -> bool:
    return filename.startswith(str(package))


def _label(key: Key, package: Path) -> str:
    filename, line, name = key
    if filename.startswith(str(package)):
        filename = "deploydocs/" + Path(filename).relative_to(package).as_posix()
    elif "site-packages/" in filename:
        filename = filename.split("site-packages/", 1)[1]
    return f"{filename}:{line}({name})"


def _table(rows: list[tuple[Key, tuple]], package: Path, total: float, title: str) -> str:
    out = [title, f"{'ncalls':>12} {'own s':>9} {'cum s':>9} {'cum %':>6}  function"]
    for key, (cc, nc, tt, ct, _callers) in rows:
        calls = f"{nc}/{cc}" if nc != cc else str(nc)
        out.append(f"{calls:>12} {tt:9.3f} {ct:9.3f} {100 * ct / total:5.1f}%  {_label(key, package)}")
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="cProfile of the plugin build of N records.")
    parser.add_argument("--count", "-n", type=int, default=1000)
    parser.add_argument("--repo", type=Path, default=None, help="default: benchmarks/work/repo-N (generated)")
    parser.add_argument("--cache", choices=("cold", "warm"), default="cold", help="disk cache removed or kept")
    parser.add_argument("--rebuild", action="store_true", help="profile a serve-style rebuild after one edit")
    parser.add_argument("--top", type=int, default=30)
    parser.add_argument("--save", type=Path, default=None, help="write the raw profile (pstats format)")
    parser.add_argument("--load", type=Path, default=None, help="print the report of a profile saved with --save")
    args = parser.parse_args(argv)
    if args.load:
        stats = pstats.Stats(str(args.load), stream=io.StringIO())
        print_report(stats.stats, str(args.load), args.top)  # type: ignore[attr-defined]
        return 0

    as_of = generate.as_of_default()
    os.environ["SOURCE_DATE_EPOCH"] = str(generate.epoch_of(as_of))
    os.environ["NO_MKDOCS_2_WARNING"] = "1"
    os.environ["NO_COLOR"] = "1"
    repo = (args.repo or HERE / "work" / f"repo-{args.count}").resolve()
    if args.repo is None:
        summary = generate.generate(args.count, repo, generate.DEFAULT_SEED, as_of)
        print(f"{'reused' if summary['reused'] else 'generated'} {summary['count']} records in {repo}")
    site = HERE / "work" / f"site-{args.count}-profile"
    cache = repo / ".deploydocs-cache"

    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    started_up: list[str] = []

    def configured(command: str):  # noqa: ANN202
        config = load_config(config_file=str(repo / "mkdocs.yml"), site_dir=str(site))
        if not started_up:  # once, as `mkdocs serve` does: the plugin instances persist across configs
            config.plugins.on_startup(command=command, dirty=False)
            started_up.append(command)
        return config

    edited: tuple[Path, str] | None = None
    if args.cache == "cold" and not args.rebuild:
        shutil.rmtree(cache, ignore_errors=True)
    try:
        if args.rebuild:
            # As `mkdocs serve` does: a first build, then a new config (the plugin instance persists) after an edit.
            first = configured("serve")
            started = time.perf_counter()
            build(first)
            print(f"first build (not profiled): {time.perf_counter() - started:.1f} s")
            record = sorted((repo / "records").rglob("*.yaml"))[len(list((repo / "records").rglob("*.yaml"))) // 3]
            text = record.read_text(encoding="utf-8")
            edited = (record, text)
            changed, found = re.subn(r"^(changes: .*?)(\"?)$", r"\1 (edited)\2", text, count=1, flags=re.M)
            if not found:
                raise SystemExit(f"{record}: no `changes:` line")
            record.write_text(changed, encoding="utf-8")
            print(f"edited {record.relative_to(repo)}")
        config = configured("serve" if args.rebuild else "build")
        rebuild = functools.partial(build, config)
        if args.rebuild:
            # What the live-reload server calls after the edit: the builder the plugin put in its place
            # in on_serve (an update of the pages the edit changed, plugin/preview.py), else MkDocs' own.
            server = _Server(rebuild)
            first.plugins.on_serve(server, config=first, builder=rebuild)
            rebuild = server.builder
        profiler = cProfile.Profile()
        started = time.perf_counter()
        profiler.enable()
        rebuild()
        profiler.disable()
        wall = time.perf_counter() - started
        config.plugins.on_shutdown()
    finally:
        if edited is not None:
            edited[0].write_text(edited[1], encoding="utf-8")

    if args.save:
        profiler.dump_stats(str(args.save))
    what = "rebuild after one edit" if args.rebuild else f"build, {args.cache} cache"
    stats = pstats.Stats(profiler, stream=io.StringIO())
    print_report(stats.stats, f"the plugin {what}: {args.count} records, {wall:.1f} s wall under cProfile", args.top)  # type: ignore[attr-defined]
    return 0


class _Server:
    """What a plugin's on_serve sees of MkDocs' live-reload server: ``watch`` and ``builder``."""

    def __init__(self, builder) -> None:  # noqa: ANN001
        self.builder = builder

    def watch(self, path: str) -> None:
        pass


PHASES = (
    ("mkdocs/structure/pages.py", "render", "Markdown -> HTML of every page (MkDocs + Python-Markdown)"),
    ("mkdocs/commands/build.py", "_build_page", "theme templates per page, incl. search indexing"),
    ("material/plugins/search/plugin.py", "on_page_context", "search indexing (HTML parsing of every page)"),
    ("deploydocs/core/project.py", "load_project", "deploydocs: load, schema, rules, evaluate"),
    ("deploydocs/site/render.py", "pages", "deploydocs: render the generated pages (Jinja, markdown-it)"),
)


def print_report(raw: dict[Key, tuple], title: str, top: int) -> None:
    plugin = next((k[0] for k in raw if k[0].endswith("/deploydocs/plugin/plugin.py")), None)
    if plugin is None:
        raise SystemExit("no deploydocs code in this profile")
    package = Path(plugin).parents[1]
    # The build's cumulative time is the whole profiled run (the sum of own times under-counts it).
    total = max(v[3] for v in raw.values())
    own = sum(v[2] for k, v in raw.items() if _is_deploydocs(k[0], package))
    hooks = {k: v for k, v in raw.items() if k[0] == plugin and k[2].startswith("on_")}
    inclusive = sum(v[3] for v in hooks.values())
    rest = total - inclusive

    print(f"\nProfile of {title}")
    print(f"(profiled total {total:.1f} s; cProfile slows Python code down: compare shares, not seconds)\n")
    print(f"deploydocs' own code and templates         : {own:8.1f} s  {100 * own / total:5.1f} %")
    print(f"deploydocs' hooks, with all they call      : {inclusive:8.1f} s  {100 * inclusive / total:5.1f} %")
    for key, value in sorted(hooks.items(), key=lambda kv: -kv[1][3]):
        if value[3] >= 0.05:
            print(f"    {_label(key, package):60s} {value[3]:8.1f} s")
    print(f"the rest (MkDocs, Markdown, theme, search) : {rest:8.1f} s  {100 * rest / total:5.1f} %\n")
    print("Phases (cumulative; they can nest):")
    for suffix, name, label in PHASES:
        found = [v for k, v in raw.items() if k[0].endswith(suffix) and k[2] == name]
        if found:
            seconds = sum(v[3] for v in found)
            print(f"    {label:62s} {seconds:8.1f} s  {100 * seconds / total:5.1f} %")
    print()
    by_cum = sorted(raw.items(), key=lambda kv: -kv[1][3])[:top]
    by_own = sorted(raw.items(), key=lambda kv: -kv[1][2])[:top]
    print(_table(by_cum, package, total, f"Top {top} by cumulative time (all code)"))
    print()
    print(_table(by_own, package, total, f"Top {top} by own time (all code)"))
    print()
    mine = [(k, v) for k, v in raw.items() if _is_deploydocs(k[0], package)]
    print(
        _table(
            sorted(mine, key=lambda kv: -kv[1][3])[:top], package, total, f"deploydocs: top {top} by cumulative time"
        )
    )
    print()
    print(_table(sorted(mine, key=lambda kv: -kv[1][2])[:top], package, total, f"deploydocs: top {top} by own time"))


if __name__ == "__main__":
    sys.exit(main())
