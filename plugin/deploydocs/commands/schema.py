"""``deploydocs schema``: write the JSON Schemas derived from the catalog (records, registry, policy,
the site's JSON export, and `review --format json`)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from deploydocs.core.catalog import Catalog, load_catalog
from deploydocs.core.review import REVIEW_SCHEMA_FILE, review_schema
from deploydocs.core.schema import dump, record_schemas
from deploydocs.site.api import api_schemas

from .common import EXIT_OK


def all_schemas(catalog: Catalog) -> dict[str, dict[str, Any]]:
    """File name -> schema, for everything committed in ``schemas/``."""
    return {**record_schemas(catalog), **api_schemas(catalog), REVIEW_SCHEMA_FILE: review_schema(catalog)}


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("schema", help="write the JSON Schemas derived from the catalog")
    parser.add_argument("--write", default="schemas", metavar="DIR")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    folder = Path(args.write)
    folder.mkdir(parents=True, exist_ok=True)
    for name, schema in all_schemas(load_catalog()).items():
        (folder / name).write_text(dump(schema), encoding="utf-8")
        print(f"wrote {folder / name}")
    return EXIT_OK
