"""``deploydocs schema``: write the JSON Schemas derived from the catalog (records, registry, policy,
the site's JSON export, and `review --format json`)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from deploydocs.core.catalog import Catalog, load_catalog
from deploydocs.core.review import REVIEW_SCHEMA_FILE, review_schema
from deploydocs.core.schema import dump, record_schemas
from deploydocs.core.suggest import closest
from deploydocs.site.api import api_schemas

from .common import EXIT_OK, UsageError


def all_schemas(catalog: Catalog) -> dict[str, dict[str, Any]]:
    """File name -> schema, for everything committed in ``schemas/``."""
    return {**record_schemas(catalog), **api_schemas(catalog), REVIEW_SCHEMA_FILE: review_schema(catalog)}


SUFFIX = ".schema.json"


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "schema", help="print a JSON Schema derived from the catalog, or write them all with --write DIR"
    )
    parser.add_argument(
        "name",
        nargs="?",
        default="deployment-record",
        help="which schema to print: deployment-record (default), services-registry, people, policy, "
        "api-deployments, api-services, review",
    )
    parser.add_argument("--write", default=None, metavar="DIR", help="write every schema into DIR (`make schemas`)")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    schemas = all_schemas(load_catalog())
    if args.write is None:
        names = [name.removesuffix(SUFFIX) for name in schemas]
        wanted = args.name.removesuffix(SUFFIX)
        if wanted not in names:
            guess = closest(wanted, names)
            hint = f"; did you mean `{guess}`?" if guess else ""
            raise UsageError(f"no schema `{args.name}`: one of {', '.join(names)}{hint}")
        sys.stdout.write(dump(schemas[wanted + SUFFIX]))
        return EXIT_OK
    folder = Path(args.write)
    folder.mkdir(parents=True, exist_ok=True)
    for name, schema in schemas.items():
        (folder / name).write_text(dump(schema), encoding="utf-8")
        print(f"wrote {folder / name}")
    return EXIT_OK
