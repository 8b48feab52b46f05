"""What every ``deploydocs`` command shares: exit codes, usage errors, the repository options."""

from __future__ import annotations

import argparse
import datetime as dt
import os
import subprocess
from pathlib import Path

from deploydocs.core.project import Settings

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2


class UsageError(Exception):
    """A mistake in how the command was called; printed without a traceback, exit 2."""


def parse_date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"`{text}` is not a date; write YYYY-MM-DD") from None


def settings_from(args: argparse.Namespace) -> Settings:
    root = Path(args.root).resolve()
    if not root.is_dir():
        raise UsageError(f"--root {args.root}: no such folder")
    return Settings(
        root=root,
        records_dir=args.records,
        registry=args.registry,
        people=args.people,
        policy=args.policy,
        as_of=args.as_of,
        cache_dir=None if args.no_cache else _git_cache_dir(root) if args.cache_in_git_dir else CACHE_DIR,
    )


CACHE_DIR = ".deploydocs-cache"  # in the working tree (gitignored here), kept between CI runs
GIT_CACHE_DIR = "deploydocs-cache"  # under the git directory, with --cache-in-git-dir


def _git_cache_dir(root: Path) -> str | None:
    """``$(git rev-parse --git-dir)/deploydocs-cache``: out of the working tree, so a pre-commit hook
    run in another repository never leaves a folder there to be committed. No cache outside git."""
    try:
        result = subprocess.run(
            ["git", "rev-parse", "--absolute-git-dir"], cwd=root, capture_output=True, text=True, check=False
        )
    except OSError:  # no git on this machine
        return None
    if result.returncode != 0 or not result.stdout.strip():
        return None
    return str(Path(result.stdout.strip()) / GIT_CACHE_DIR)


def require_setup(settings: Settings, records: bool = True) -> None:
    """The files every command reads: a missing one is a usage error (exit 2), not a problem found."""
    wanted = ([(settings.records_dir, "--records", True)] if records else []) + [
        (settings.registry, "--registry", False)
    ]
    if settings.policy:
        wanted.append((settings.policy, "--policy", False))
    for relative, option, folder in wanted:
        path = settings.root / relative
        # A file that is there but cannot be read as one (a FIFO, a dangling or looping link) is a
        # problem the check reports (core.load.read_file), not a usage error: only absence is.
        if not (path.is_dir() if folder else os.path.lexists(path)):
            kind = "folder" if folder else "file"
            raise UsageError(f"{option} {relative}: no such {kind} under {settings.root}")


def add_repository_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--root", default=".", help="repository root (default: the current folder)")
    parser.add_argument("--records", default="records", help="records folder, relative to the root")
    parser.add_argument("--registry", default="records/services.yaml", help="services registry file")
    parser.add_argument("--people", default="records/people.yaml", help="who may sign off (names, logins, roles)")
    parser.add_argument("--policy", default=None, help="policy file (default: the packaged policy)")
    parser.add_argument(
        "--no-cache", action="store_true", help="neither read nor write the record cache (.deploydocs-cache/)"
    )
    parser.add_argument(
        "--cache-in-git-dir",
        action="store_true",
        help="keep the record cache in $(git rev-parse --git-dir)/deploydocs-cache, out of the working tree "
        "(what the pre-commit hook does)",
    )
    parser.add_argument(
        "--as-of",
        type=parse_date,
        default=None,
        help="today's date for date rules (default: SOURCE_DATE_EPOCH, else today)",
    )
