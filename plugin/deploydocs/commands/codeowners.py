"""``deploydocs codeowners``: write ``.github/CODEOWNERS`` from records/people.yaml and the registry,
so GitHub requests the right reviewers for each service's records by itself."""

from __future__ import annotations

import argparse
import sys

from .common import EXIT_OK, EXIT_PROBLEMS, UsageError, add_repository_options, settings_from


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("codeowners", help="write .github/CODEOWNERS from the people and their roles")
    parser.add_argument("--output", default=".github/CODEOWNERS", help="relative to the root (default: %(default)s)")
    parser.add_argument("--check", action="store_true", help="write nothing; exit 1 when the file is out of date")
    add_repository_options(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from deploydocs.core.catalog import load_catalog
    from deploydocs.core.load import LoadError
    from deploydocs.core.people import codeowners, load_people
    from deploydocs.core.registry import load_registry

    settings = settings_from(args)
    catalog = load_catalog()
    try:
        registry = load_registry(settings.root / settings.registry, settings.registry, catalog)
        people = load_people(settings.root / settings.people, settings.people, catalog, set(registry.services))
    except LoadError as error:
        for problem in error.problems:
            print(problem.format(), file=sys.stderr)
        return EXIT_PROBLEMS
    except FileNotFoundError as error:
        raise UsageError(f"{error.filename}: no such file") from None
    text = codeowners(
        people, {s.id: s.domain for s in registry.services.values()}, settings.records_dir, settings.registry
    )
    target = settings.root / args.output
    if args.check:
        current = target.read_text(encoding="utf-8") if target.is_file() else None
        if current != text:
            print(f"deploydocs: {args.output} is out of date: run deploydocs codeowners", file=sys.stderr)
            return EXIT_PROBLEMS
        print(f"{args.output} is up to date")
        return EXIT_OK
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")
    print(f"wrote {args.output}")
    return EXIT_OK
