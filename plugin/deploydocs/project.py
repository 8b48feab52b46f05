"""The whole pipeline over a repository: load -> validate (schema, then rules) -> evaluate.

This is the core's entry point; the MkDocs plugin and the command line are thin adapters over
:func:`load_project`. Nothing here knows about MkDocs.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import __version__
from .cache import CACHE_FORMAT, RecordCache, content_digest
from .catalog import Catalog, load_catalog
from .evaluate import Evaluation, evaluate
from .load import Document, LazyPositions, LoadError, check_size, decode_text, parse_document
from .model import Record, build_record
from .policy import Policy, load_policy
from .problems import Problem, Severity, errors, sort_problems
from .registry import Registry, load_registry
from .rules import Context, cross_record_problems, placeholder_problems, record_problems, secret_problems
from .schema import record_schema
from .validate import fast_validator, schema_problems

RECORD_SUFFIXES = (".yaml", ".yml")
IGNORED_FILES = ("README.md", ".gitkeep")


@dataclass(frozen=True)
class Settings:
    """Where things are, relative to the repository root."""

    root: Path
    records_dir: str = "records"
    registry: str = "records/services.yaml"
    policy: str | None = None  # None: the packaged default policy
    as_of: dt.date | None = None
    cache_dir: str | None = ".deploydocs-cache"  # None: no disk cache


@dataclass
class Project:
    """Every record of a repository, validated and evaluated."""

    settings: Settings
    catalog: Catalog
    policy: Policy | None
    registry: Registry | None
    records: list[Record]
    evaluations: dict[str, Evaluation]
    problems: list[Problem]
    as_of: dt.date
    record_files: list[str] = field(default_factory=list)  # every record file found, loadable or not

    @property
    def files_checked(self) -> int:
        return len(self.record_files)

    def without(self, paths: set[str]) -> Project:
        """The same project minus the records at ``paths`` (to publish the rest while they are broken)."""
        return dataclasses.replace(
            self,
            records=[r for r in self.records if r.path not in paths],
            evaluations={path: e for path, e in self.evaluations.items() if path not in paths},
        )

    @property
    def errors(self) -> list[Problem]:
        return errors(self.problems)

    @property
    def warnings(self) -> list[Problem]:
        return [problem for problem in self.problems if problem.severity is Severity.WARNING]


def resolve_as_of(explicit: dt.date | None = None) -> dt.date:
    """ "Today" for date rules: explicit > SOURCE_DATE_EPOCH > the current UTC date."""
    if explicit is not None:
        return explicit
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.strip().isdigit():
        return dt.datetime.fromtimestamp(int(epoch), dt.UTC).date()
    return dt.datetime.now(dt.UTC).date()


def _display(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()


def discover(settings: Settings) -> tuple[list[Path], list[Problem]]:
    """Record files under the records folder (sorted), and problems with files that are not records."""
    root = settings.root.resolve()
    folder = root / settings.records_dir
    registry = (root / settings.registry).resolve()
    found: list[Path] = []
    problems: list[Problem] = []
    if not folder.is_dir():
        return [], [
            Problem(
                settings.records_dir,
                0,
                0,
                "empty-file",
                "the records folder does not exist",
                f"create {settings.records_dir}/ with a services.yaml registry",
            )
        ]
    for path in sorted(folder.rglob("*")):
        display = _display(path, root)
        if path.is_symlink():
            target = path.resolve()
            if not target.is_relative_to(root):
                problems.append(
                    Problem(
                        display,
                        0,
                        0,
                        "symlink-outside",
                        "this link points outside the repository",
                        "replace the link with the file itself",
                    )
                )
                continue
        if path.is_dir() or path.name.startswith(".") or path.name in IGNORED_FILES:
            continue
        if path.resolve() == registry:
            continue
        if path.suffix not in RECORD_SUFFIXES:
            problems.append(
                Problem(
                    display,
                    0,
                    0,
                    "not-yaml-file",
                    "files in the records folder must be YAML records",
                    f"rename it to {path.stem}.yaml, or move it out of {settings.records_dir}/",
                )
            )
            continue
        found.append(path)
    return found, problems


def check_document(
    raw: bytes, display: str, catalog: Catalog, accepts: Callable[[Any], bool] | None = None
) -> tuple[Document | None, list[Problem]]:
    """Everything a file says by itself: YAML, the schema, secrets, placeholders (what the cache keeps).

    ``accepts`` is an optional fast yes/no schema check (see validate.fast_validator).
    """
    try:
        document = parse_document(decode_text(raw, display), display)
    except LoadError as error:
        return None, error.problems
    if not isinstance(document.data, dict):
        kind = "a list" if isinstance(document.data, list) else "a single value"
        problem = Problem(
            display,
            1,
            1,
            "not-a-mapping",
            f"the record is {kind}, not a mapping",
            "a record starts with `id:`, `service:`, `version:` lines",
        )
        return None, [problem]
    problems = [
        *document.problems,
        *schema_problems(document, record_schema(catalog), accepts=accepts),
        *secret_problems(document),
        *placeholder_problems(document),
    ]
    return document, problems


FAST_VALIDATOR_MIN = 20
"""Records to check before compiling the fast validator pays off (compiling takes about a second)."""


def load_records(
    paths: list[Path], root: Path, catalog: Catalog, cache: RecordCache
) -> list[tuple[str, Document | None, list[Problem]]]:
    """Load and check record files, in order: from the cache where the content is known."""
    results: dict[str, tuple[Document | None, list[Problem]]] = {}
    pending: list[tuple[str, bytes, str]] = []
    displays = [_display(path, root) for path in paths]
    for path, display in zip(paths, displays, strict=True):
        try:
            check_size(path, display)
        except LoadError as error:
            results[display] = (None, error.problems)
            continue
        raw = path.read_bytes()
        digest = content_digest(raw)
        hit = cache.get(display, digest)
        if hit is not None:
            results[display] = hit
        else:
            pending.append((display, raw, digest))
    accepts = None
    if pending:
        # Compiled code kept in the cache folder costs nothing; compiling anew pays off only in bulk.
        accepts = fast_validator(
            record_schema(catalog), cache.folder, compile_if_missing=len(pending) >= FAST_VALIDATOR_MIN
        )
    for display, raw, digest in pending:
        result = check_document(raw, display, catalog, accepts)
        document, problems = result
        if document is not None and not any(p.file == display for p in problems):
            # Nothing to point at: trade the positions (most of a record's memory) for a re-parse
            # in the rare case a rule needs one.
            document.positions = LazyPositions(document.text, display)
        cache.put(display, digest, result)
        results[display] = result
    return [(display, *results[display]) for display in displays]


def default_cache(settings: Settings) -> RecordCache:
    """The cache for one run: on disk in ``settings.cache_dir`` unless that is None."""
    folder = settings.root / settings.cache_dir if settings.cache_dir else None
    schema = json.dumps(record_schema(load_catalog()), sort_keys=True)
    salt = f"{CACHE_FORMAT}:{__version__}:{hashlib.sha256(schema.encode()).hexdigest()[:16]}"
    return RecordCache(folder=folder, salt=salt)


def load_project(settings: Settings, cache: RecordCache | None = None) -> Project:
    """Load, validate and evaluate every record; collects every problem instead of stopping."""
    if cache is None:
        cache = default_cache(settings)
    catalog = load_catalog()
    root = settings.root
    problems: list[Problem] = []
    as_of = resolve_as_of(settings.as_of)
    policy = registry = None
    try:
        policy = (
            load_policy(root / settings.policy, catalog, settings.policy)
            if settings.policy
            else load_policy(None, catalog)
        )
    except LoadError as error:
        problems.extend(error.problems)
    except FileNotFoundError:
        problems.append(
            Problem(
                settings.policy or "policy",
                0,
                0,
                "policy-invalid",
                "the policy file does not exist",
                "fix the plugin's `policy` option",
            )
        )
    try:
        registry = load_registry(root / settings.registry, settings.registry, catalog)
    except LoadError as error:
        problems.extend(error.problems)
    except FileNotFoundError:
        problems.append(
            Problem(
                settings.registry,
                0,
                0,
                "registry-schema",
                "the services registry does not exist",
                "create it (see docs/record-format.md)",
            )
        )
    paths, discovery_problems = discover(settings)
    problems.extend(discovery_problems)
    records: list[Record] = []
    for _, document, found in load_records(paths, root.resolve(), catalog, cache):
        problems.extend(found)
        if document is not None:
            records.append(build_record(document, catalog))
    evaluations: dict[str, Evaluation] = {}
    if policy is not None and registry is not None:
        context = Context(catalog=catalog, policy=policy, registry=registry, as_of=as_of, records=records)
        for record in records:
            evaluation = evaluate(record, catalog, policy, as_of)
            evaluations[record.path] = evaluation
            problems.extend(record_problems(record, evaluation, context))
        problems.extend(cross_record_problems(context))
    return Project(
        settings=settings,
        catalog=catalog,
        policy=policy,
        registry=registry,
        records=records,
        evaluations=evaluations,
        problems=sort_problems(problems),
        as_of=as_of,
        record_files=[_display(path, root.resolve()) for path in paths],
    )
