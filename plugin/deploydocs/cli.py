"""The ``deploydocs`` command: the same core and rules as the MkDocs plugin, without building a site.

Exit codes: 0 no errors (warnings allowed), 1 problems found, 2 usage or I/O error.
"""

from __future__ import annotations

import argparse
import datetime as dt
import subprocess
import sys
from pathlib import Path

from .catalog import load_catalog
from .project import Settings, load_project
from .reporters import REPORTERS

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
    return Settings(root=root, records_dir=args.records, registry=args.registry, policy=args.policy, as_of=args.as_of)


def _add_common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--root", default=".", help="repository root (default: the current folder)")
    parser.add_argument("--records", default="records", help="records folder, relative to the root")
    parser.add_argument("--registry", default="records/services.yaml", help="services registry file")
    parser.add_argument("--policy", default=None, help="policy file (default: the packaged policy)")
    parser.add_argument(
        "--as-of", type=_date, default=None, help="today's date for date rules (default: SOURCE_DATE_EPOCH, else today)"
    )


def cmd_check(args: argparse.Namespace) -> int:
    settings = _settings(args)
    project = load_project(settings)
    problems = project.problems
    files_checked = project.files_checked
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
        problems = [p for p in problems if any(p.file == w or p.file.startswith(w.rstrip("/") + "/") for w in wanted)]
        files_checked = sum(
            1
            for record in project.records
            if any(record.path == w or record.path.startswith(w.rstrip("/") + "/") for w in wanted)
        ) or len(wanted)
    sys.stdout.write(REPORTERS[args.format](problems, files_checked))
    return EXIT_PROBLEMS if any(p.severity.value == "error" for p in problems) else EXIT_OK


def cmd_new(args: argparse.Namespace) -> int:
    from .newrecord import create_record

    settings = _settings(args)
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


def _git_user() -> str:
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
    new.add_argument("--deployed-by", default=_git_user() or None, help="name of the deploying engineer")
    new.add_argument("--deployed-by-role", default="Deploying Engineer")
    new.add_argument("--reviewed-by", default=None, help="name of the reviewer")
    new.add_argument("--reviewed-by-role", default="Tech Lead")
    new.add_argument("--changes", default="", help="one line on what this version changes")
    new.add_argument("--rolls-back", default="", help="for a rollback: the id of the deployment it reverses")
    new.add_argument("--force", action="store_true", help="overwrite an existing file")
    _add_common(new)
    new.set_defaults(run=cmd_new)

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
