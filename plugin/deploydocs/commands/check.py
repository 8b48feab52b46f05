"""``deploydocs check``: every problem of the repository, the same rules as the site build."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from deploydocs.core.project import Settings, check_project
from deploydocs.core.rules import DUE_RULES
from deploydocs.core.workers import configured_limit

from .common import EXIT_OK, EXIT_PROBLEMS, UsageError, add_repository_options, require_setup, settings_from
from .reporters import REPORTERS


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("check", help="validate records with the same rules as the site build")
    parser.add_argument("paths", nargs="*", help="report only on these files or folders (all are loaded)")
    parser.add_argument("--format", choices=sorted(REPORTERS), default="text")
    parser.add_argument(
        "--due",
        action="store_true",
        help="also exit 1 when anything is due (a waiver expired, a monitoring period, deferral or planned "
        "date passed): for a scheduled job",
    )
    add_repository_options(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    settings = settings_from(args)
    try:
        configured_limit()  # a bad DEPLOYDOCS_WORKERS is the user's to fix, before any file is read
    except ValueError as error:
        raise UsageError(str(error)) from None
    require_setup(settings)
    result = check_project(settings)  # the problems only, from cached verdicts where it can
    problems = result.problems
    files_checked = result.files_checked
    if args.paths:
        wanted = set()
        for raw in args.paths:
            path = Path(raw).resolve()
            if not path.exists():
                raise UsageError(f"{raw}: no such file or folder")
            try:
                wanted.add(path.relative_to(settings.root).as_posix())
            except ValueError:
                raise UsageError(f"{raw} is outside the repository root {settings.root}") from None
        record_files = set(result.record_paths) | {
            p.file
            for p in problems
            if p.file.startswith(settings.records_dir.rstrip("/") + "/") and p.file != settings.registry
        }
        _only_records(args.paths, record_files | set(result.record_files), settings)
        # Problems of the registry and the policy stop every record from being checked: always shown.
        problems = [
            p
            for p in problems
            if p.file not in record_files or any(p.file == w or p.file.startswith(w.rstrip("/") + "/") for w in wanted)
        ]
        files_checked = sum(
            1 for path in result.record_paths if any(path == w or path.startswith(w.rstrip("/") + "/") for w in wanted)
        ) or len(wanted)
    sys.stdout.write(REPORTERS[args.format](problems, files_checked))
    failed = any(p.severity.value == "error" or (args.due and p.rule in DUE_RULES) for p in problems)
    return EXIT_PROBLEMS if failed else EXIT_OK


def _only_records(raw: list[str], record_files: set[str], settings: Settings) -> None:
    """Each path given is a record file, the registry, the policy, or a folder holding records:
    anything else would be reported as "ok" without having been checked."""
    checked = {settings.registry, *([settings.policy] if settings.policy else [])}
    records_dir = settings.records_dir.rstrip("/")
    for given in raw:
        relative = Path(given).resolve().relative_to(settings.root).as_posix()
        relative = "" if relative == "." else relative
        if relative in record_files or relative in checked:
            continue
        inside = [f for f in record_files if not relative or f.startswith(relative + "/")]
        if (settings.root / relative).is_dir() and (inside or relative == records_dir):
            continue
        if (settings.root / relative).is_dir():
            raise UsageError(f"{given}: no record files in this folder (records are YAML files under {records_dir}/)")
        raise UsageError(f"{given}: not a record file (records are YAML files under {records_dir}/)")
