"""The whole pipeline over a repository: load -> validate (schema, then rules) -> evaluate.

This is the core's entry point; the MkDocs plugin and the command line are thin adapters over
:func:`load_project` (every record, evaluated, for pages) and :func:`check_project` (only the
problems, for `deploydocs check`, from cached verdicts where it can). Nothing here knows about MkDocs.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import hashlib
import json
import os
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from deploydocs import __version__

from .cache import CACHE_FORMAT, CachedPositions, RecordCache, SetupVerdict, Verdict, content_digest, source_fingerprint
from .catalog import Catalog, load_catalog
from .evaluate import Evaluation, evaluate
from .load import Document, LoadError, check_size, decode_text, parse_document
from .model import Record, RecordHead, build_record
from .policy import DEFAULT_POLICY, Policy, load_policy
from .problems import Problem, Severity, errors, sort_problems
from .rules import Context, cross_record_problems, placeholder_problems, record_problems, secret_problems
from .schema import record_schema
from .workers import map_in_workers

if TYPE_CHECKING:
    # The registry and validate modules import jsonschema (about 80 ms): imported where used, so
    # `deploydocs check` with every verdict cached never loads it.
    from .registry import Registry

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
        is_link = path.is_symlink()
        if is_link:
            target = path.resolve()
            if not target.is_relative_to(root):
                problems.append(
                    Problem(
                        _display(path, root),
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
        # Only a link or a file of the registry's name can be the registry: resolving every path
        # (a system call per folder level) was a tenth of a cached `check`.
        if (is_link or path.name == registry.name) and path.resolve() == registry:
            continue
        if path.suffix not in RECORD_SUFFIXES:
            problems.append(
                Problem(
                    _display(path, root),
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
    from .validate import schema_problems  # imports jsonschema: only for files checked anew

    valid = accepts is not None and accepts(document.data)  # most files: no need to build the schema
    problems = [
        *document.problems,
        *([] if valid else schema_problems(document, record_schema(catalog))),
        *secret_problems(document),
        *placeholder_problems(document),
    ]
    return document, problems


FAST_VALIDATOR_MIN = 20
"""Records to check before compiling the fast validator pays off (compiling takes about a second)."""


@dataclass(frozen=True, slots=True)
class _RecordFile:
    """A record file as read: its content and digest, or the problems that kept it from being read."""

    display: str
    digest: str  # "" when the file was refused before reading
    raw: bytes
    problems: list[Problem]


def _read_files(paths: list[Path], root: Path) -> Iterator[_RecordFile]:
    for path in paths:
        display = _display(path, root)
        try:
            check_size(path, display)
        except LoadError as error:
            yield _RecordFile(display, "", b"", error.problems)
            continue
        raw = path.read_bytes()
        yield _RecordFile(display, content_digest(raw), raw, [])


_Loaded = tuple[str, str, Document | None, list[Problem]]
"""A loaded record file: display path, content digest ("" if not read), document, its own problems."""


def _fast_schema_check(files: int, catalog: Catalog, cache: RecordCache) -> Callable[[Any], bool] | None:
    """The compiled yes/no schema check for ``files`` files checked anew, where it pays off."""
    if not files:
        return None
    from .validate import fast_validator  # imports jsonschema: only for files checked anew

    # Compiled code kept in the cache folder costs nothing; compiling anew pays off only in bulk.
    return fast_validator(record_schema(catalog), cache.folder, compile_if_missing=files >= FAST_VALIDATOR_MIN)


_UNSET: Any = object()


def _load_files(
    files: Sequence[_RecordFile], catalog: Catalog, cache: RecordCache, accepts: Any = _UNSET
) -> list[_Loaded]:
    """Each file's document and own problems, from the cache where its content is known.

    ``accepts``: the fast schema check to use (workers get the one their parent compiled).
    """
    results: dict[str, tuple[Document | None, list[Problem]]] = {}
    pending: list[_RecordFile] = []
    for file in files:
        if not file.digest:
            results[file.display] = (None, file.problems)
            continue
        hit = cache.get(file.display, file.digest)
        if hit is not None:
            results[file.display] = hit
        else:
            pending.append(file)
    if accepts is _UNSET:
        accepts = _fast_schema_check(len(pending), catalog, cache)
    for file in pending:
        result = check_document(file.raw, file.display, catalog, accepts)
        document, problems = result
        if document is not None and not any(p.file == file.display for p in problems):
            # Nothing to point at: trade the deeper positions (most of a record's memory) for a
            # re-parse in the rare case a rule needs one; top-level ones are kept, as in the cache.
            document.positions = CachedPositions.keeping_top(document.positions, document.text, file.display)
        cache.put(file.display, file.digest, result)
        results[file.display] = result
    return [(file.display, file.digest, *results[file.display]) for file in files]


def load_records(paths: list[Path], root: Path, catalog: Catalog, cache: RecordCache) -> list[_Loaded]:
    """Load and check record files, in order: from the cache where the content is known."""
    return _load_files(list(_read_files(paths, root)), catalog, cache)


@functools.cache
def _schema_digest() -> str:
    """The record schema's hash: cached entries are only valid for the schema they were checked with."""
    schema = json.dumps(record_schema(load_catalog()), sort_keys=True)
    return hashlib.sha256(schema.encode()).hexdigest()


def default_cache(settings: Settings) -> RecordCache:
    """The cache for one run: on disk in ``settings.cache_dir`` unless that is None."""
    folder = settings.root / settings.cache_dir if settings.cache_dir else None
    salt = f"{CACHE_FORMAT}:{__version__}:{_schema_digest()[:16]}"
    return RecordCache(folder=folder, salt=salt)


def _file_content(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as error:  # loading it reports the problem; here it only has to differ from any content
        return f"\0unreadable: {type(error).__name__}".encode()


def context_fingerprint(settings: Settings, as_of: dt.date) -> str:
    """Everything a record's verdict depends on besides the record itself: the cache format, the
    package (version and source: any code change invalidates), the record schema, the policy and the
    registry in effect (their paths appear in messages) and "today"."""
    policy = (
        _file_content(settings.root / settings.policy)
        if settings.policy
        else resources.files("deploydocs.core").joinpath(DEFAULT_POLICY).read_bytes()
    )
    parts = [
        str(CACHE_FORMAT).encode(),
        __version__.encode(),
        source_fingerprint().encode(),
        _schema_digest().encode(),
        (settings.policy or "").encode(),
        policy,
        settings.registry.encode(),
        _file_content(settings.root / settings.registry),
        as_of.isoformat().encode(),
    ]
    digest = hashlib.sha256()
    for part in parts:
        digest.update(f"{len(part)}:".encode())  # length-prefixed: no two lists of parts hash alike
        digest.update(part)
    return digest.hexdigest()


def _load_policy_and_registry(
    settings: Settings, catalog: Catalog
) -> tuple[Policy | None, Registry | None, list[Problem]]:
    """The policy and the registry, each None when it does not load, and their problems."""
    from .registry import load_registry  # imports jsonschema: not needed when the setup is cached

    root = settings.root
    problems: list[Problem] = []
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
    return policy, registry, problems


def _rules_context(
    policy: Policy | None, registry: Registry | None, catalog: Catalog, as_of: dt.date
) -> Context | None:
    """What the rules about one record consult; None when the policy or the registry did not load
    (no rule about records can run then, only the file's own checks)."""
    if policy is None or registry is None:
        return None
    return Context(catalog=catalog, policy=policy, registry=registry, as_of=as_of)


def _setup_verdict(problems: list[Problem], context: Context | None) -> SetupVerdict:
    return SetupVerdict(list(problems), dict(context.policy.promotion) if context is not None else None)


def _judge(
    document: Document | None, found: list[Problem], catalog: Catalog, context: Context | None
) -> tuple[Record | None, Evaluation | None, list[Problem]]:
    """A file's own problems: ``found`` (YAML, schema, secrets, placeholders), then the rules about one
    record, which need the policy and the registry (``context`` is None when either did not load)."""
    if document is None:
        return None, None, found
    record = build_record(document, catalog)
    if context is None:
        return record, None, found
    evaluation = evaluate(record, catalog, context.policy, context.as_of)
    return record, evaluation, [*found, *record_problems(record, evaluation, context)]


def check_text(project: Project, display: str, text: str) -> list[Problem]:
    """What `deploydocs check` would report about a file ``display`` holding ``text``, beside the
    project's other records (a record already at ``display`` is replaced): so `deploydocs new`
    writes nothing that check rejects."""
    catalog = project.catalog
    document, found = check_document(text.encode("utf-8"), display, catalog)
    context = _rules_context(project.policy, project.registry, catalog, project.as_of)
    record, _, own = _judge(document, found, catalog, context)
    problems = list(own)
    if context is not None and record is not None:
        heads = [r.head for r in project.records if r.path != display] + [record.head]
        problems += [p for p in cross_record_problems(heads, context.policy.promotion) if p.file == display]
    return sort_problems(problems)


def load_project(settings: Settings, cache: RecordCache | None = None) -> Project:
    """Load, validate and evaluate every record; collects every problem instead of stopping.

    It also stores every file's verdict, so a `deploydocs check` after a build finds them cached.
    """
    if cache is None:
        cache = default_cache(settings)
    catalog = load_catalog()
    root = settings.root.resolve()
    as_of = resolve_as_of(settings.as_of)
    policy, registry, problems = _load_policy_and_registry(settings, catalog)
    context = _rules_context(policy, registry, catalog, as_of)
    fingerprint = context_fingerprint(settings, as_of)
    cache.put_setup(fingerprint, _setup_verdict(problems, context))
    paths, discovery_problems = discover(settings)
    problems.extend(discovery_problems)
    records: list[Record] = []
    heads: list[RecordHead] = []
    evaluations: dict[str, Evaluation] = {}
    for display, digest, document, found in load_records(paths, root, catalog, cache):
        record, evaluation, own = _judge(document, found, catalog, context)
        problems.extend(own)
        head = None
        if record is not None:
            head = record.head
            records.append(record)
            heads.append(head)
            if evaluation is not None:
                evaluations[record.path] = evaluation
        if digest:
            cache.put_verdict(display, digest, fingerprint, Verdict(own, head))
    if context is not None:
        problems.extend(cross_record_problems(heads, context.policy.promotion))
    return Project(
        settings=settings,
        catalog=catalog,
        policy=policy,
        registry=registry,
        records=records,
        evaluations=evaluations,
        problems=sort_problems(problems),
        as_of=as_of,
        record_files=[_display(path, root) for path in paths],
    )


@dataclass
class CheckResult:
    """What `deploydocs check` reports: the problems load_project finds, and which files it read."""

    problems: list[Problem]
    record_files: list[str]  # every record file found, loadable or not
    record_paths: list[str]  # those that loaded as records (the paths of Project.records)

    @property
    def files_checked(self) -> int:
        return len(self.record_files)

    @property
    def errors(self) -> list[Problem]:
        return errors(self.problems)


def check_project(settings: Settings, cache: RecordCache | None = None) -> CheckResult:
    """The problems :func:`load_project` finds, without what pages need (typed records, evaluations).

    A file whose verdict is cached for its content in this context (context_fingerprint) is neither
    parsed nor judged: its problems and head come from the cache, and only the rules across records
    run again, over the heads. The policy and the registry are loaded only if a file misses.
    """
    if cache is None:
        cache = default_cache(settings)
    catalog = load_catalog()
    root = settings.root.resolve()
    as_of = resolve_as_of(settings.as_of)
    fingerprint = context_fingerprint(settings, as_of)
    setup = cache.get_setup(fingerprint)
    context: Context | None = None
    if setup is None:
        policy, registry, setup_problems = _load_policy_and_registry(settings, catalog)
        context = _rules_context(policy, registry, catalog, as_of)
        setup = _setup_verdict(setup_problems, context)
        cache.put_setup(fingerprint, setup)
    paths, discovery_problems = discover(settings)
    problems = [*setup.problems, *discovery_problems]
    heads: dict[str, RecordHead | None] = {}  # in file order (the rules across records depend on it)
    record_files: list[str] = []
    missed: list[_RecordFile] = []
    for file in _read_files(paths, root):
        record_files.append(file.display)
        verdict = cache.get_verdict(file.display, file.digest, fingerprint) if file.digest else None
        if verdict is None:
            missed.append(file)
            heads[file.display] = None
        else:
            problems.extend(verdict.problems)
            heads[file.display] = verdict.head
    if missed:
        if context is None and setup.promotion is not None:
            # The setup came from the cache (its problems are counted): the rules need the real files.
            policy, registry, _ = _load_policy_and_registry(settings, catalog)
            context = _rules_context(policy, registry, catalog, as_of)
        accepts = _fast_schema_check(len(missed), catalog, cache)  # compiled once, before any fork

        def judge(files: Sequence[_RecordFile]) -> list[tuple[str, list[Problem], RecordHead | None]]:
            judged = []
            for display, digest, document, found in _load_files(files, catalog, cache, accepts):
                record, _, own = _judge(document, found, catalog, context)
                head = record.head if record is not None else None
                if digest:
                    cache.put_verdict(display, digest, fingerprint, Verdict(own, head))
                judged.append((display, own, head))
            return judged

        # Every file is judged on its own, so a cold check spreads them over the CPUs.
        for display, own, head in map_in_workers(judge, missed):
            problems.extend(own)
            heads[display] = head
    loaded = [head for head in heads.values() if head is not None]
    if setup.promotion is not None:
        problems.extend(cross_record_problems(loaded, setup.promotion))
    return CheckResult(
        problems=sort_problems(problems),
        record_files=record_files,
        record_paths=[head.path for head in loaded],
    )
