"""The ``deploydocs`` command: the same core and rules as the MkDocs plugin, without building a site.

Exit codes: 0 no errors (warnings allowed), 1 problems found, 2 usage or I/O error.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

from .catalog import load_catalog
from .project import Settings, check_project, load_project
from .reporters import REPORTERS
from .workers import configured_limit

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2


class UsageError(Exception):
    """A mistake in how the command was called; printed without a traceback, exit 2."""


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"`{text}` is not a date; write YYYY-MM-DD") from None


def _settings(args: argparse.Namespace) -> Settings:
    root = Path(args.root).resolve()
    if not root.is_dir():
        raise UsageError(f"--root {args.root}: no such folder")
    return Settings(
        root=root,
        records_dir=args.records,
        registry=args.registry,
        policy=args.policy,
        as_of=args.as_of,
        cache_dir=None if args.no_cache else ".deploydocs-cache",
    )


def _add_common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--root", default=".", help="repository root (default: the current folder)")
    parser.add_argument("--records", default="records", help="records folder, relative to the root")
    parser.add_argument("--registry", default="records/services.yaml", help="services registry file")
    parser.add_argument("--policy", default=None, help="policy file (default: the packaged policy)")
    parser.add_argument(
        "--no-cache", action="store_true", help="neither read nor write the record cache (.deploydocs-cache/)"
    )
    parser.add_argument(
        "--as-of", type=_date, default=None, help="today's date for date rules (default: SOURCE_DATE_EPOCH, else today)"
    )


def cmd_check(args: argparse.Namespace) -> int:
    settings = _settings(args)
    try:
        configured_limit()  # a bad DEPLOYDOCS_WORKERS is the user's to fix, before any file is read
    except ValueError as error:
        raise UsageError(str(error)) from None
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
    return EXIT_PROBLEMS if any(p.severity.value == "error" for p in problems) else EXIT_OK


def cmd_new(args: argparse.Namespace) -> int:
    from .newrecord import create_record

    settings = _settings(args)
    if args.deployed_by is None:
        args.deployed_by = _git_user() or None
    path = create_record(settings, args)
    print(f"created {path.relative_to(settings.root).as_posix()}")
    return EXIT_OK


def cmd_schema(args: argparse.Namespace) -> int:
    from .schema import all_schemas, dump

    folder = Path(args.write)
    folder.mkdir(parents=True, exist_ok=True)
    for name, schema in all_schemas(load_catalog()).items():
        (folder / name).write_text(dump(schema), encoding="utf-8")
        print(f"wrote {folder / name}")
    return EXIT_OK


def cmd_export(args: argparse.Namespace) -> int:
    from .export import export_markdown

    settings = _settings(args)
    project = load_project(settings)
    if project.errors:
        sys.stdout.write(REPORTERS["text"](project.problems, project.files_checked))
        return EXIT_PROBLEMS
    count = export_markdown(project, Path(args.markdown))
    print(f"wrote {count} page(s) to {args.markdown}")
    return EXIT_OK


def cmd_sign(args: argparse.Namespace) -> int:
    from .problems import Severity
    from .signing import sign_record

    settings = _settings(args)
    path = Path(args.record).resolve()
    if not path.is_file():
        raise UsageError(f"{args.record}: no such file")
    try:
        display = path.relative_to(settings.root).as_posix()
    except ValueError:
        raise UsageError(f"{args.record} is outside the repository root {settings.root}") from None
    catalog = load_catalog()
    if args.role not in {term.key for term in catalog.signoff_roles}:
        raise UsageError(f"--role must be one of {', '.join(t.key for t in catalog.signoff_roles)}")
    project = load_project(settings)
    record = next((r for r in project.records if r.path == display), None)
    blocking = [
        p
        for p in project.problems
        if p.file == display and p.severity is Severity.ERROR and p.rule not in ("signoff-stale", "signoff-missing")
    ]
    if record is None or blocking or project.policy is None:
        sys.stdout.write(REPORTERS["text"](blocking or [p for p in project.problems if p.file == display], 1))
        print(f"deploydocs: not signed: fix the problems of {display} first", file=sys.stderr)
        return EXIT_PROBLEMS
    date = args.date or project.as_of
    value = sign_record(path, args.role, args.name, date, project.policy, catalog, record.document.data, args.review)
    print(f"signed {display} as {args.role} ({args.name}, {date}); fingerprint {value}")
    return EXIT_OK


def cmd_review(args: argparse.Namespace) -> int:
    from .review import ReviewError, review

    settings = _settings(args)
    try:
        markdown = review(settings, args.base, args.head)
    except ReviewError as error:
        raise UsageError(f"git: {error}") from None
    if args.output:
        with open(args.output, "a", encoding="utf-8") as stream:  # $GITHUB_STEP_SUMMARY is appended to
            stream.write(markdown)
    else:
        sys.stdout.write(markdown)
    return EXIT_OK


def _git_user() -> str:
    import subprocess  # only `new` asks git: every other command starts without it

    try:
        result = subprocess.run(["git", "config", "user.name"], capture_output=True, text=True, check=False)
    except OSError:
        return ""
    return result.stdout.strip()


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="deploydocs",
        description="SmartEdify deployment records: check, scaffold, export.",
    )
    commands = parser.add_subparsers(dest="command", required=True)

    check = commands.add_parser("check", help="validate records with the same rules as the site build")
    check.add_argument("paths", nargs="*", help="report only on these files or folders (all are loaded)")
    check.add_argument("--format", choices=sorted(REPORTERS), default="text")
    _add_common(check)
    check.set_defaults(run=cmd_check)

    new = commands.add_parser("new", help="scaffold a record with every item pending")
    new.add_argument("--service", required=True)
    new.add_argument("--version", required=True)
    new.add_argument("--environment", required=True)
    new.add_argument("--type", required=True)
    new.add_argument("--date", type=_date, default=None, help="deployment date (default: today)")
    # Default resolved by `new` itself: asking git here would slow every other command's start.
    new.add_argument(
        "--deployed-by", default=None, help="name of the deploying engineer (default: git config user.name)"
    )
    new.add_argument("--deployed-by-role", default="Deploying Engineer")
    new.add_argument("--reviewed-by", default=None, help="name of the reviewer")
    new.add_argument("--reviewed-by-role", default="Tech Lead")
    new.add_argument("--changes", default="", help="one line on what this version changes")
    new.add_argument("--rolls-back", default="", help="for a rollback: the id of the deployment it reverses")
    new.add_argument("--attempt", type=int, default=1, help="2, 3, ... for a repeat of the same version")
    new.add_argument("--force", action="store_true", help="overwrite an existing file")
    _add_common(new)
    new.set_defaults(run=cmd_new)

    sign = commands.add_parser("sign", help="add a sign-off that becomes stale when what it covers changes")
    sign.add_argument("record", help="the record file to sign")
    sign.add_argument("--role", required=True, help="deploying-engineer, security-reviewer, ...")
    sign.add_argument("--name", required=True, help="who signs")
    sign.add_argument("--date", type=_date, default=None, help="default: today (or --as-of)")
    sign.add_argument("--review", default="", help="link to the pull-request review that approved it")
    _add_common(sign)
    sign.set_defaults(run=cmd_sign)

    review = commands.add_parser("review", help="describe what changed in meaning between two git revisions")
    review.add_argument("base", help="the base revision, e.g. origin/main")
    review.add_argument("head", help="the head revision, e.g. HEAD")
    review.add_argument("--output", default=None, help="append the Markdown to this file (e.g. $GITHUB_STEP_SUMMARY)")
    _add_common(review)
    review.set_defaults(run=cmd_review)

    schema = commands.add_parser("schema", help="write the JSON Schemas derived from the catalog")
    schema.add_argument("--write", default="schemas", metavar="DIR")
    schema.set_defaults(run=cmd_schema)

    export = commands.add_parser("export", help="write the site's pages as plain Markdown files")
    export.add_argument("--markdown", required=True, metavar="DIR")
    _add_common(export)
    export.set_defaults(run=cmd_export)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
        return args.run(args)
    except UsageError as error:
        print(f"deploydocs: error: {error}", file=sys.stderr)
        return EXIT_USAGE
    except OSError as error:
        print(f"deploydocs: error: {error}", file=sys.stderr)
        return EXIT_USAGE
    except SystemExit as exit_:  # argparse: exit 2 on usage errors already
        return int(exit_.code or 0)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
