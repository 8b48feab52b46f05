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
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from deploydocs import __version__

from .cache import CACHE_FORMAT, CachedPositions, RecordCache, SetupVerdict, Verdict, content_digest, source_fingerprint
from .catalog import Catalog, load_catalog
from .evaluate import Evaluation, evaluate
from .load import Document, LoadError, decode_text, load_document, parse_document, read_file
from .model import Record, build_record
from .policy import DEFAULT_POLICY, PACKAGED_POLICY, Policy, load_policy
from .problems import Problem, Severity, errors, sort_problems
from .rules import (
    Context,
    cross_record_problems,
    invisible_character_problems,
    placeholder_problems,
    record_problems,
    secret_problems,
)
from .schema import record_schema
from .workers import map_in_workers, worker_count

if TYPE_CHECKING:
    # The registry and validate modules import jsonschema (about 80 ms): imported where used, so
    # `deploydocs check` with every verdict cached never loads it.
    from .people import People
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
    people: str = "records/people.yaml"  # who may sign off (a missing file: nobody is known)
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
    people: People | None = None  # None when people.yaml does not load
    # The context it was judged in (context_fingerprint): what pages made of it are keyed by too.
    context: str = ""

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
    text, prefix = str(path), str(root) + os.sep
    if text.startswith(prefix):  # the usual case, without pathlib's parsing (thrice per file, per save)
        return text[len(prefix) :].replace(os.sep, "/")
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()


def _resolve(path: Path) -> Path | None:
    """Where a path leads, or None for a link loop (RuntimeError before Python 3.13, then OSError)."""
    try:
        return path.resolve()
    except (OSError, RuntimeError):
        return None


def discover(settings: Settings) -> tuple[list[Path], list[Problem]]:
    """Record files under the records folder (sorted), and problems with files that are not records."""
    root = settings.root.resolve()
    folder = root / settings.records_dir
    registry = _resolve(root / settings.registry) or root / settings.registry
    people = _resolve(root / settings.people) or root / settings.people
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
        if is_link and path == root / settings.registry and _resolve(path) is None:
            continue  # the registry, looping: loading it reports that
        if is_link:
            target = _resolve(path)
            if target is None or not target.is_relative_to(root):
                problems.append(
                    Problem(
                        _display(path, root),
                        0,
                        0,
                        "file-unreadable" if target is None else "symlink-outside",
                        "this link never reaches a file (a loop)"
                        if target is None
                        else "this link points outside the repository",
                        "replace the link with the file itself",
                    )
                )
                continue
        # is_dir follows links and says False for anything it cannot reach: such a file is read,
        # and reading it reports why it cannot be.
        if path.is_dir() or path.name.startswith(".") or path.name in IGNORED_FILES:
            continue
        # Only a link or a file of the registry's name can be the registry: resolving every path
        # (a system call per folder level) was a tenth of a cached `check`.
        if (is_link or path.name in (registry.name, people.name)) and _resolve(path) in (registry, people):
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
        *invisible_character_problems(document),
    ]
    return document, problems


FAST_VALIDATOR_MIN = 20
"""Records to check before compiling the fast validator pays off (compiling takes about a second)."""


@dataclass(frozen=True, slots=True)
class _RecordFile:
    """A record file as read: its content and digest, or the problems that kept it from being read."""

    display: str
    digest: str  # "" when the file was refused before reading
    raw: bytes | None  # None: not read again, its digest known from its stamp (FileStamps)
    problems: list[Problem]
    path: Path | None = None

    def content(self) -> bytes:
        """The file's bytes, read now if they were not."""
        if self.raw is not None:
            return self.raw
        assert self.path is not None
        return read_file(self.path, self.display)


_Stamp = tuple[int, int, int, int, int]
STAMP_SETTLED_NS = 2_000_000_000
"""How old a file's last change must be before its stamp is trusted (see FileStamps)."""


@dataclass
class FileStamps:
    """What each record file held when it was last read, by its `stat` (mtime, ctime, size, inode,
    device): `mkdocs serve` keeps one, so a save re-reads the saved file, not all 5,000.

    A one-off build or check always reads every file. A file changed within STAMP_SETTLED_NS of
    being read gets no stamp: its clock may not have ticked between two writes (git's "racy clean"
    problem), so it is read again next time.
    """

    digests: dict[str, tuple[_Stamp, str]] = field(default_factory=dict)
    settled_ns: int = STAMP_SETTLED_NS

    def known(self, display: str, path: Path) -> tuple[str, _Stamp | None]:
        """The digest of ``path`` when its stamp is the one last seen ("" otherwise), and its stamp."""
        try:
            info = path.stat()
        except OSError:
            return "", None
        stamp = (info.st_mtime_ns, info.st_ctime_ns, info.st_size, info.st_ino, info.st_dev)
        remembered = self.digests.get(display)
        if remembered is not None and remembered[0] == stamp:
            return remembered[1], stamp
        settled = time.time_ns() - max(info.st_mtime_ns, info.st_ctime_ns) > self.settled_ns
        return "", stamp if settled else None

    def remember(self, display: str, stamp: _Stamp, digest: str) -> None:
        self.digests[display] = (stamp, digest)

    def keep_only(self, displays: set[str]) -> None:
        for gone in self.digests.keys() - displays:
            del self.digests[gone]


def _read_files(paths: list[Path], root: Path, stamps: FileStamps | None = None) -> Iterator[_RecordFile]:
    displays: set[str] = set()
    for path in paths:
        display = _display(path, root)
        displays.add(display)
        stamp = None
        if stamps is not None:
            digest, stamp = stamps.known(display, path)
            if digest:
                yield _RecordFile(display, digest, None, [], path)
                continue
        try:
            raw = read_file(path, display)  # a regular file only, never blocking; any OSError a problem
        except LoadError as error:
            yield _RecordFile(display, "", b"", error.problems)
            continue
        digest = content_digest(raw)
        if stamps is not None and stamp is not None:
            stamps.remember(display, stamp, digest)
        yield _RecordFile(display, digest, raw, [], path)
    if stamps is not None:
        stamps.keep_only(displays)


def _fast_schema_check(files: int, catalog: Catalog, cache: RecordCache) -> Callable[[Any], bool] | None:
    """The compiled yes/no schema check for ``files`` files checked anew, where it pays off."""
    if files < FAST_VALIDATOR_MIN:
        return None
    from .validate import fast_validator  # imports jsonschema: only for files checked anew

    # Compiled in this process (never kept in the cache: it holds data, not code): pays off in bulk.
    return fast_validator(record_schema(catalog))


_UNSET: Any = object()


@dataclass(frozen=True, slots=True)
class CheckedFile:
    """Stage 1, what a file says by itself: its document (None if it is not a record) and problems."""

    display: str
    digest: str  # "" when the file was refused before reading
    document: Document | None
    problems: list[Problem]


def check_files(
    files: Sequence[_RecordFile], catalog: Catalog, cache: RecordCache, accepts: Any = _UNSET
) -> list[CheckedFile]:
    """Stage 1 (:func:`check_document`) over files, in order, through the cache: a function of content.

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
        try:
            raw = file.content()
        except LoadError as error:  # gone or changed into something unreadable since its stamp
            results[file.display] = (None, error.problems)
            continue
        result = check_document(raw, file.display, catalog, accepts)
        document, problems = result
        if document is not None and not any(p.file == file.display for p in problems):
            # Nothing to point at: trade the deeper positions (most of a record's memory) for a
            # re-parse in the rare case a rule needs one; top-level ones are kept, as in the cache.
            document.positions = CachedPositions.keeping_top(document.positions, document.text, file.display)
        cache.put(file.display, file.digest, result)
        results[file.display] = result
    return [CheckedFile(file.display, file.digest, *results[file.display]) for file in files]


@functools.cache
def _schema_digest() -> str:
    """The record schema's hash: cached entries are only valid for the schema they were checked with."""
    schema = json.dumps(record_schema(load_catalog()), sort_keys=True)
    return hashlib.sha256(schema.encode()).hexdigest()


def default_cache(settings: Settings) -> RecordCache:
    """The cache for one run: on disk in ``settings.cache_dir`` unless that is None."""
    folder = settings.root / settings.cache_dir if settings.cache_dir else None
    # The package's source (rules, scanners) is in every key: a changed scanner never reuses what
    # an older one found.
    salt = f"{CACHE_FORMAT}:{__version__}:{_schema_digest()[:16]}:{source_fingerprint()[:16]}"
    return RecordCache(folder=folder, salt=salt)


_UNREADABLE_MARK = b"\0unreadable: "


def _file_content(path: Path) -> bytes:
    try:
        return read_file(path, "")  # never a FIFO's endless wait
    except LoadError as error:  # loading it reports the problem; here it only has to differ from any content
        return _UNREADABLE_MARK + error.problems[0].rule.encode()


@dataclass(frozen=True)
class SetupFiles:
    """The policy's, the registry's and people.yaml's bytes, read once per run. The context's
    fingerprint covers them, and a setup loaded from its cached verdict parses these same bytes: what
    is parsed is what was checked, even when a file changes during the run."""

    policy: bytes  # the packaged policy's when the settings name none
    registry: bytes
    people: bytes  # each starts with _UNREADABLE_MARK when the file could not be read


def read_setup_files(settings: Settings) -> SetupFiles:
    policy = (
        _file_content(settings.root / settings.policy)
        if settings.policy
        else resources.files("deploydocs.core").joinpath(DEFAULT_POLICY).read_bytes()
    )
    return SetupFiles(
        policy, _file_content(settings.root / settings.registry), _file_content(settings.root / settings.people)
    )


def context_fingerprint(settings: Settings, as_of: dt.date, files: SetupFiles | None = None) -> str:
    """Everything a record's verdict depends on besides the record itself: the cache format, the
    package (version and source: any code change invalidates), the record schema, the policy and the
    registry in effect (their paths appear in messages) and "today"."""
    files = files if files is not None else read_setup_files(settings)
    parts = [
        str(CACHE_FORMAT).encode(),
        __version__.encode(),
        source_fingerprint().encode(),
        _schema_digest().encode(),
        (settings.policy or "").encode(),
        files.policy,
        settings.registry.encode(),
        files.registry,
        settings.people.encode(),
        files.people,
        as_of.isoformat().encode(),
    ]
    digest = hashlib.sha256()
    for part in parts:
        digest.update(f"{len(part)}:".encode())  # length-prefixed: no two lists of parts hash alike
        digest.update(part)
    return digest.hexdigest()


@dataclass(frozen=True)
class Setup:
    """What every record is judged against, loaded once per run: the policy and the registry (None when
    one does not load), their problems, and the rules' context (None then: only a file's own checks run)."""

    policy: Policy | None
    registry: Registry | None
    problems: list[Problem]
    context: Context | None
    people: People | None = None  # None when people.yaml does not load

    @property
    def verdict(self) -> SetupVerdict:
        """What the cache keeps of it: the problems, and the promotion rules the rules across records need."""
        promotion = dict(self.context.policy.promotion) if self.context is not None else None
        return SetupVerdict(list(self.problems), promotion)


def load_setup(
    settings: Settings,
    catalog: Catalog,
    as_of: dt.date,
    files: SetupFiles | None = None,
    known: SetupVerdict | None = None,
) -> Setup:
    """Load the policy and the registry, and collect their problems.

    ``known``: the cached verdict on ``files`` (the bytes whose fingerprint found it). When it says
    everything loaded, the files are only parsed: their checks (schemas, the secret scan) found what
    the verdict holds.
    """
    if files is not None and known is not None:
        setup = _setup_from_verdict(settings, catalog, as_of, files, known)
        if setup is not None:
            return setup
    from .registry import load_registry  # imports jsonschema: not needed when the setup is cached

    root = settings.root
    problems: list[Problem] = []
    policy = registry = None
    # The bytes the fingerprint covers, where they were read: the verdict stored under that
    # fingerprint is then about them. (An unreadable file is read again, to report why.)
    policy_raw, registry_raw, people_raw = (
        (_readable(files.policy), _readable(files.registry), _readable(files.people)) if files else (None, None, None)
    )
    try:
        if settings.policy and policy_raw is None and not (root / settings.policy).exists():
            raise FileNotFoundError(settings.policy)
        policy = (
            load_policy(root / settings.policy, catalog, settings.policy, policy_raw)
            if settings.policy
            else load_policy(None, catalog)
        )
        problems.extend(policy.problems)
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
        if registry_raw is None and not (root / settings.registry).exists():
            raise FileNotFoundError(settings.registry)
        registry = load_registry(root / settings.registry, settings.registry, catalog, registry_raw)
        problems.extend(registry.problems)
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
    people, people_problems = _load_people(settings, catalog, registry, people_raw)
    problems.extend(people_problems)
    context = None
    if policy is not None and registry is not None:
        context = Context(catalog=catalog, policy=policy, registry=registry, as_of=as_of, people=people)
    return Setup(policy, registry, problems, context, people)


def _setup_from_verdict(
    settings: Settings, catalog: Catalog, as_of: dt.date, files: SetupFiles, known: SetupVerdict
) -> Setup | None:
    """The setup that ``known`` vouches for, parsed from ``files``; None when the verdict says a file
    did not load (the checks then run, to report why)."""
    from .people import People, build_people
    from .policy import build_policy
    from .registry import build_registry

    if known.promotion is None or any(problem.file == settings.people for problem in known.problems):
        return None
    root = settings.root

    def own(display: str | None) -> tuple[Problem, ...]:
        return tuple(problem for problem in known.problems if problem.file == display)

    try:
        policy_display = settings.policy or PACKAGED_POLICY
        policy = build_policy(load_document(root / policy_display, policy_display, files.policy), own(settings.policy))
        registry = build_registry(
            load_document(root / settings.registry, settings.registry, files.registry), own(settings.registry)
        )
        # No problem about people.yaml: either it was read, or it did not exist (nobody is known).
        people = (
            People(path=settings.people)
            if _readable(files.people) is None
            else build_people(load_document(root / settings.people, settings.people, files.people))
        )
    except LoadError:
        return None  # cannot happen for bytes that loaded before; the checks would say why
    context = Context(catalog=catalog, policy=policy, registry=registry, as_of=as_of, people=people)
    return Setup(policy, registry, list(known.problems), context, people)


def _readable(raw: bytes) -> bytes | None:
    return None if raw.startswith(_UNREADABLE_MARK) else raw


@dataclass(frozen=True, slots=True)
class JudgedFile:
    """Stage 2, a file judged in its context: its typed record and evaluation where it has them, and
    every problem that depends on this file alone (its verdict)."""

    display: str
    digest: str
    record: Record | None
    evaluation: Evaluation | None
    problems: list[Problem]

    @property
    def verdict(self) -> Verdict:
        head = self.record.head if self.record is not None else None
        if self.evaluation is None:
            return Verdict(self.problems, head)
        return Verdict(self.problems, head, frozenset(self.evaluation.stale_roles), tuple(self.evaluation.attention))


def _load_people(
    settings: Settings, catalog: Catalog, registry: Registry | None, raw: bytes | None = None
) -> tuple[People | None, list[Problem]]:
    """people.yaml (no people when it does not exist), or None and its problems."""
    from .people import load_people  # imports jsonschema: not needed when the setup is cached

    services = set(registry.services) if registry is not None else None
    try:
        return load_people(settings.root / settings.people, settings.people, catalog, services, raw), []
    except LoadError as error:
        return None, error.problems


def judge(checked: CheckedFile, catalog: Catalog, context: Context | None, known: Verdict | None = None) -> JudgedFile:
    """Stage 2: the file's own problems, then the rules about one record (which need the context).

    ``known``: the file's verdict in this context, when the cache has it. It holds the problems, the
    stale sign-offs and the rules' notes for readers, so only what pages need is built again: the
    typed record and its counts.
    """
    document = checked.document
    if document is None:
        return JudgedFile(checked.display, checked.digest, None, None, checked.problems)
    record = build_record(document, catalog)
    if context is None:
        return JudgedFile(checked.display, checked.digest, record, None, checked.problems)
    if known is not None:
        evaluation = evaluate(record, catalog, context.policy, context.as_of, known.stale_roles)
        evaluation.attention.extend(known.attention)
        return JudgedFile(checked.display, checked.digest, record, evaluation, known.problems)
    evaluation = evaluate(record, catalog, context.policy, context.as_of)
    problems = [*checked.problems, *record_problems(record, evaluation, context)]
    return JudgedFile(checked.display, checked.digest, record, evaluation, problems)


def check_text(project: Project, display: str, text: str) -> list[Problem]:
    """What `deploydocs check` would report about a file ``display`` holding ``text``, beside the
    project's other records (a record already at ``display`` is replaced): so `deploydocs new`
    writes nothing that check rejects. The same stages as load_project, on one text."""
    catalog = project.catalog
    raw = text.encode("utf-8")
    document, found = check_document(raw, display, catalog)
    context = None
    if project.policy is not None and project.registry is not None:
        context = Context(
            catalog=catalog,
            policy=project.policy,
            registry=project.registry,
            as_of=project.as_of,
            people=project.people,
        )
    file = judge(CheckedFile(display, content_digest(raw), document, found), catalog, context)
    problems = list(file.problems)
    if context is not None and file.record is not None:
        heads = [r.head for r in project.records if r.path != display] + [file.record.head]
        problems += [p for p in cross_record_problems(heads, context.policy.promotion) if p.file == display]
    return sort_problems(problems)


def load_project(
    settings: Settings,
    cache: RecordCache | None = None,
    judged: dict[tuple[str, str, str], JudgedFile] | None = None,
    stamps: FileStamps | None = None,
) -> Project:
    """Load, validate and evaluate every record; collects every problem instead of stopping.

    The pipeline, in order: the setup (policy, registry) → the record files → stage 1 (each file by
    itself, cached by content) → stage 2 (each file in its context) → the rules across records. It
    also stores every file's verdict, so a `deploydocs check` after a build finds them cached.
    ``judged`` remembers stage 2 by file, content and context across calls (`mkdocs serve` keeps
    one, so a rebuild after an edit judges only the edited file again); ``stamps`` likewise spares
    reading again the files whose `stat` is unchanged.
    """
    if cache is None:
        cache = default_cache(settings)
    catalog = load_catalog()
    root = settings.root.resolve()
    as_of = resolve_as_of(settings.as_of)
    setup_files = read_setup_files(settings)
    fingerprint = context_fingerprint(settings, as_of, setup_files)
    setup = load_setup(settings, catalog, as_of, setup_files, cache.get_setup(fingerprint))
    cache.put_setup(fingerprint, setup.verdict)
    paths, discovery_problems = discover(settings)
    record_files = list(_read_files(paths, root, stamps))
    verdicts = _known_verdicts(record_files, catalog, cache, setup, fingerprint) if judged is None else {}
    files: list[JudgedFile] = []
    for checked in check_files(record_files, catalog, cache):
        key = (checked.display, checked.digest, fingerprint)
        file = judged.get(key) if judged is not None and checked.digest else None
        if file is None:
            known = verdicts.get(checked.display)
            if known is None and judged is not None and checked.digest:
                known = cache.get_verdict(checked.display, checked.digest, fingerprint)
            file = judge(checked, catalog, setup.context, known)
            if file.digest:
                if known is None:
                    cache.put_verdict(file.display, file.digest, fingerprint, file.verdict)
                if judged is not None:
                    judged[key] = file
        files.append(file)
    if judged is not None:  # forget what was edited or removed, or judged in another context
        current = {(file.display, file.digest, fingerprint) for file in files}
        for stale in [key for key in judged if key not in current]:
            del judged[stale]
    records = [file.record for file in files if file.record is not None]
    problems = [*setup.problems, *discovery_problems, *(p for file in files for p in file.problems)]
    if setup.context is not None:
        problems.extend(cross_record_problems([record.head for record in records], setup.context.policy.promotion))
    return Project(
        settings=settings,
        catalog=catalog,
        policy=setup.policy,
        registry=setup.registry,
        records=records,
        evaluations={file.record.path: file.evaluation for file in files if file.record and file.evaluation},
        problems=sort_problems(problems),
        as_of=as_of,
        record_files=[file.display for file in record_files],
        people=setup.people,
        context=fingerprint,
    )


def _known_verdicts(
    files: Sequence[_RecordFile], catalog: Catalog, cache: RecordCache, setup: Setup, fingerprint: str
) -> dict[str, Verdict]:
    """The verdicts of a one-off run's files: from the cache, and the rest judged in forked workers
    when there are enough of them (a cold build). The workers also leave each file's stage 1 in the
    cache folder, so this process reads those documents back instead of parsing them all on one CPU.
    Without a cache folder there is nowhere to leave them."""
    verdicts: dict[str, Verdict] = {}
    missed: list[_RecordFile] = []
    for file in files:
        if not file.digest:
            continue
        verdict = cache.get_verdict(file.display, file.digest, fingerprint)
        if verdict is None:
            missed.append(file)
        else:
            verdicts[file.display] = verdict
    if cache.folder is not None and worker_count(len(missed)) > 1:
        verdicts.update(_judge_in_workers(missed, catalog, cache, setup.context, fingerprint))
        cache.misses += len(missed)  # read and checked anew, though in the workers
    return verdicts


def _judge_in_workers(
    files: Sequence[_RecordFile], catalog: Catalog, cache: RecordCache, context: Context | None, fingerprint: str
) -> list[tuple[str, Verdict]]:
    """Stages 1 and 2 of ``files``, spread over forked workers: each file's verdict, stored in the cache
    with its stage 1 (a file's verdict depends on that file alone)."""
    accepts = _fast_schema_check(len(files), catalog, cache)  # compiled once, before any fork

    def judge_all(batch: Sequence[_RecordFile]) -> list[tuple[str, Verdict]]:
        judged = [judge(checked, catalog, context) for checked in check_files(batch, catalog, cache, accepts)]
        for file in judged:
            if file.digest:
                cache.put_verdict(file.display, file.digest, fingerprint, file.verdict)
        return [(file.display, file.verdict) for file in judged]

    return map_in_workers(judge_all, files)


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

    The same pipeline, with the cache around both stages: a file's verdict is a function of its
    content and the context (context_fingerprint), so a file whose verdict is cached is neither parsed
    nor judged, and only the rules across records run again, over the heads. The policy and the
    registry are loaded only if a file misses.
    """
    if cache is None:
        cache = default_cache(settings)
    catalog = load_catalog()
    root = settings.root.resolve()
    as_of = resolve_as_of(settings.as_of)
    setup_files = read_setup_files(settings)
    fingerprint = context_fingerprint(settings, as_of, setup_files)
    setup: Setup | None = None
    setup_verdict = cache.get_setup(fingerprint)
    if setup_verdict is None:
        setup = load_setup(settings, catalog, as_of, setup_files)
        setup_verdict = setup.verdict
        cache.put_setup(fingerprint, setup_verdict)
    paths, discovery_problems = discover(settings)
    files = list(_read_files(paths, root))
    verdicts: dict[str, Verdict | None] = {
        file.display: cache.get_verdict(file.display, file.digest, fingerprint) if file.digest else None
        for file in files
    }
    missed = [file for file in files if verdicts[file.display] is None]
    if missed:
        if setup is None:
            setup = load_setup(settings, catalog, as_of, setup_files, setup_verdict)
        # Every file is judged on its own, so a cold check spreads them over the CPUs.
        verdicts.update(_judge_in_workers(missed, catalog, cache, setup.context, fingerprint))
    judged = [verdict for verdict in verdicts.values() if verdict is not None]  # every file's, by now
    problems = [*setup_verdict.problems, *discovery_problems, *(p for verdict in judged for p in verdict.problems)]
    heads = [verdict.head for verdict in judged if verdict.head is not None]  # in file order, as the rules need
    if setup_verdict.promotion is not None:
        problems.extend(cross_record_problems(heads, setup_verdict.promotion))
    return CheckResult(
        problems=sort_problems(problems),
        record_files=[file.display for file in files],
        record_paths=[head.path for head in heads],
    )
