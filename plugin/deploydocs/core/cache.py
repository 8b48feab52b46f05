"""Records already loaded and checked, by content hash: in memory across `mkdocs serve` rebuilds,
and on disk across runs (like ruff's or mypy's caches).

Two kinds of entries share the folder:

- **documents**: what a file says by itself (its data, the positions of its top-level values, and
  its YAML, schema, secret and placeholder problems). The key includes the package version and the
  record schema, so a change to either invalidates every entry.
- **verdicts** (under ``verdicts/``), for `deploydocs check`: every problem of a file that does not
  depend on other records, positions resolved, and the file's :class:`~.model.RecordHead` for the
  rules across records; plus one entry for what loading the policy and the registry found. They
  are only valid in one *context* (``project.context_fingerprint``: the package's source, the
  schema, the policy, the registry and the date), which their key includes. A hit spares the YAML
  parse, the typed record, the evaluation and the rules.

The folder holds data, never code, and is not trusted: it may be restored from another branch's CI
run, copied from another machine or edited. Every entry is sealed with an HMAC over what it is for
(its kind, record path, content digest, context) and its bytes, under a key kept outside the folder
(:func:`cache_key`); an entry that does not verify (edited, truncated, copied to another name,
written under another key) is a miss, never a verdict, and is not even unmarshalled. What verifies
is unmarshalled (marshal of plain data only) and its shape checked before use. See docs/security.md.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import hashlib
import hmac
import marshal
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .load import Document, LazyPositions, Path_, Positions
from .model import RecordHead
from .policy import Promotion
from .problems import Problem, Severity

_Entry = tuple[Document | None, list[Problem]]
CACHE_FORMAT = 6  # bump when what is cached changes shape
_UNREADABLE = (OSError, ValueError, EOFError, TypeError, IndexError, KeyError)  # what a damaged entry raises
_PACKAGE = Path(__file__).resolve().parents[1]  # the whole deploydocs package: rules, scanners, templates
_SOURCE_SUFFIXES = (".py", ".yaml", ".j2", ".toml")  # .toml: the secret rules (data/gitleaks.toml, …)


def content_digest(raw: bytes) -> str:
    return hashlib.sha256(raw).hexdigest()


KEY_ENVIRONMENT = "DEPLOYDOCS_CACHE_KEY"
_KEY_BYTES = 32


def _key_file() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "deploydocs" / "cache-key"


@functools.cache
def cache_key() -> bytes:
    """The key that seals cache entries, from outside the cache folder: ``DEPLOYDOCS_CACHE_KEY`` if
    set (CI: a secret shared by the runs whose caches may be restored into each other), else a
    random key made once per user in ``~/.cache/deploydocs/cache-key`` (mode 0600). Without either
    (no writable home), a key for this process only: the cache then never hits across runs.
    """
    configured = os.environ.get(KEY_ENVIRONMENT)
    if configured:
        return hashlib.sha256(b"deploydocs-cache-key\0" + configured.encode()).digest()
    path = _key_file()
    try:
        held = path.read_bytes()
        if len(held) == _KEY_BYTES:
            return held
    except OSError:
        pass
    key = os.urandom(_KEY_BYTES)
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        descriptor, temporary = tempfile.mkstemp(dir=path.parent)  # created 0600
        try:
            os.write(descriptor, key)
            os.close(descriptor)
            if os.path.lexists(path):  # there, but not a key (damaged): replace it
                os.replace(temporary, path)
            else:
                os.link(temporary, path)  # fails if another process made one first: then theirs
        except FileExistsError:
            pass
        finally:
            if os.path.lexists(temporary):
                os.unlink(temporary)
        held = path.read_bytes()
        return held if len(held) == _KEY_BYTES else key
    except OSError:
        return key


_SEAL = b"deploydocs-cache\0"  # then the MAC, then the payload


def _mac(key: bytes, purpose: tuple[str, ...], payload: bytes) -> bytes:
    mac = hmac.new(key, digestmod=hashlib.sha256)
    for part in (*purpose, payload):
        data = part.encode("utf-8", "surrogatepass") if isinstance(part, str) else part
        mac.update(f"{len(data)}:".encode())  # length-prefixed: no two lists of parts sign alike
        mac.update(data)
    return mac.digest()


def seal(key: bytes, purpose: tuple[str, ...], payload: bytes) -> bytes:
    """``payload`` with a MAC binding it to ``purpose`` (kind, name, digest...) under ``key``."""
    return _SEAL + _mac(key, purpose, payload) + payload


def unseal(key: bytes, purpose: tuple[str, ...], blob: bytes) -> bytes | None:
    """The payload of a sealed ``blob`` if it was sealed for ``purpose`` under ``key``, else None."""
    start = len(_SEAL) + hashlib.sha256().digest_size
    if len(blob) < start or not blob.startswith(_SEAL):
        return None
    payload = blob[start:]
    return payload if hmac.compare_digest(blob[len(_SEAL) : start], _mac(key, purpose, payload)) else None


_PLAIN_SCALARS = (str, int, float, bool, type(None))


def _check_plain(value: Any) -> None:
    """TypeError unless ``value`` is plain data (text, numbers, booleans, None; lists, tuples and
    mappings of them): what a record loads as. Iterative, so depth costs no recursion."""
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, _PLAIN_SCALARS):
            continue
        if isinstance(item, (list, tuple)):
            pending.extend(item)
        elif isinstance(item, dict):
            pending.extend(item.keys())
            pending.extend(item.values())
        else:
            raise TypeError(f"not plain data: {type(item).__name__}")


def _check_positions(positions: Any) -> None:
    if not isinstance(positions, dict):
        raise TypeError("positions")
    for path, at in positions.items():
        if not isinstance(path, tuple) or not _is_mark(at):
            raise TypeError("positions")


def _is_mark(at: Any) -> bool:
    return isinstance(at, tuple) and len(at) == 2 and all(type(n) is int for n in at)


@functools.cache
def source_fingerprint() -> str:
    """A hash of the package's own code, data and templates (once per process).

    Verdicts hold what the rules said; while a rule is being written the version number does not
    change, so any edit to the package must invalidate them.
    """
    digest = hashlib.sha256()
    files = sorted(
        (path.relative_to(_PACKAGE).as_posix(), path)
        for path in _PACKAGE.rglob("*")
        if path.suffix in _SOURCE_SUFFIXES and path.is_file()
    )
    for name, path in files:
        content = path.read_bytes()
        digest.update(f"{name}\0{len(content)}\0".encode())
        digest.update(content)
    return digest.hexdigest()


class CachedPositions(LazyPositions):
    """Positions of a document held by the cache: those of top-level keys and values are kept (a few
    dozen, and what most problems point at: ``status``, ``version``, ``environment``...); deeper ones
    are worked out again by parsing the text, only if a problem needs one."""

    def __init__(
        self, text: str, display: str, top_values: dict[Path_, tuple[int, int]], top_keys: dict[Path_, tuple[int, int]]
    ):
        super().__init__(text, display)
        self.top_values = top_values
        self.top_keys = top_keys

    @classmethod
    def keeping_top(cls, positions: Positions | LazyPositions, text: str, display: str) -> CachedPositions:
        """Lazy positions for ``text`` that remember the top-level ones of ``positions``."""
        if isinstance(positions, CachedPositions):
            return cls(text, display, positions.top_values, positions.top_keys)
        return cls(
            text,
            display,
            {path: at for path, at in positions.values.items() if len(path) <= 1},
            {path: at for path, at in positions.keys.items() if len(path) <= 1},
        )

    def of_value(self, path: Path_) -> tuple[int, int]:
        path = tuple(path)
        if len(path) > 1 or self._positions is not None:
            return super().of_value(path)
        # Positions.of_value falls back to the closest written ancestor: for a top-level path that
        # is the document itself.
        return self.top_values.get(path) or self.top_values.get((), (1, 1))

    def of_key(self, path: Path_) -> tuple[int, int]:
        path = tuple(path)
        if len(path) > 1 or self._positions is not None:
            return super().of_key(path)
        return self.top_keys.get(path) or self.of_value(path)


def _freeze_problems(problems: list[Problem]) -> list[tuple[Any, ...]]:
    return [(p.file, p.line, p.column, p.rule, p.message, p.fix, p.severity.value) for p in problems]


def _thaw_problems(frozen: list[tuple[Any, ...]]) -> list[Problem]:
    if not isinstance(frozen, list):
        raise TypeError("problems")
    problems = []
    for file, line, column, rule, message, fix, severity in frozen:
        if not (type(line) is int and type(column) is int and _all_text(file, rule, message, fix)):
            raise TypeError("problem")
        problems.append(Problem(file, line, column, rule, message, fix, Severity(severity)))
    return problems


def _all_text(*values: Any) -> bool:
    return all(isinstance(value, str) for value in values)


def _freeze(display: str, entry: _Entry) -> bytes:
    document, problems = entry
    frozen_document = None
    if document is not None:
        # Deeper positions: worked out again when needed (they are most of a document's size).
        top = CachedPositions.keeping_top(document.positions, document.text, display)
        frozen_document = (document.data, document.text, top.top_values, top.top_keys)
    frozen_problems = [
        (p.line, p.column, p.rule, p.message, p.fix, p.severity.value) for p in problems if p.file == display
    ]
    return marshal.dumps((frozen_document, frozen_problems))


def _thaw(display: str, blob: bytes) -> _Entry:
    """The entry in ``blob`` (verified already); ValueError or TypeError if its shape is not ours."""
    frozen_document, frozen_problems = marshal.loads(blob)
    document = None
    if frozen_document is not None:
        data, text, top_values, top_keys = frozen_document
        if not isinstance(data, dict) or not isinstance(text, str):
            raise TypeError("document")
        _check_plain(data)
        _check_positions(top_values)
        _check_positions(top_keys)
        document = Document(display, data, CachedPositions(text, display, top_values, top_keys), text)
    if not isinstance(frozen_problems, list):
        raise TypeError("problems")
    problems = []
    for line, column, rule, message, fix, severity in frozen_problems:
        if not (type(line) is int and type(column) is int and _all_text(rule, message, fix)):
            raise TypeError("problem")
        problems.append(Problem(display, line, column, rule, message, fix, Severity(severity)))
    return document, problems


@dataclass(frozen=True)
class Verdict:
    """What checking one record file found in one context: its problems that do not depend on other
    records (positions resolved), and its head (None when the file did not load as a record)."""

    problems: list[Problem]
    head: RecordHead | None
    # What judging adds to the record's evaluation besides its counts: the sign-offs whose
    # fingerprints no longer match (the costliest part of evaluating) and the notes the rules leave
    # for readers. A build that finds the verdict only counts again (project.judge).
    stale_roles: frozenset[str] = frozenset()
    attention: tuple[str, ...] = ()


@dataclass(frozen=True)
class SetupVerdict:
    """What loading the policy and the registry found: their problems, and the promotion rules the
    rules across records need (None when either file failed to load: the rules then do not run)."""

    problems: list[Problem]
    promotion: dict[str, Promotion] | None


def _freeze_head(head: RecordHead | None) -> tuple[Any, ...] | None:
    """The head's fields in declaration order, its date as text (marshal knows no dates)."""
    if head is None:
        return None
    return tuple(
        value.isoformat() if isinstance(value, dt.date) else value
        for value in (getattr(head, spec.name) for spec in dataclasses.fields(RecordHead))
    )


def _thaw_head(frozen: tuple[Any, ...] | None) -> RecordHead | None:
    if frozen is None:
        return None
    if not isinstance(frozen, tuple) or len(frozen) != len(dataclasses.fields(RecordHead)):
        raise TypeError("head")
    _check_plain(frozen)
    head = RecordHead(*frozen)
    if not isinstance(head.positions, dict) or not all(_is_mark(at) for at in head.positions.values()):
        raise TypeError("head positions")
    return dataclasses.replace(head, date=dt.date.fromisoformat(head.date)) if head.date is not None else head


_SETUP = "\0setup"  # the name of the policy-and-registry verdict: no record path starts with NUL


@dataclass
class RecordCache:
    """Documents on two levels, a dict for this process and an optional folder for later runs;
    verdicts in the folder only (`check` is one process)."""

    folder: Path | None = None
    salt: str = ""
    key: bytes | None = None  # seals the folder's entries; None: cache_key(), read when first needed
    in_memory: bool = True  # off for one-off builds: the records then leave memory after loading
    entries: dict[str, tuple[str, _Entry]] = field(default_factory=dict)
    misses: int = 0  # files loaded and checked from scratch (what `serve` must keep to one per edit)
    verdict_misses: int = 0  # record files `check` found no verdict for and judged anew
    # What each verdict file is known to hold, (digest, context) by name: spares `mkdocs serve`
    # from writing a thousand identical verdicts at every rebuild.
    _verdicts_on_disk: dict[str, tuple[str, str]] = field(default_factory=dict, init=False, repr=False)

    def _key(self) -> bytes:
        if self.key is None:
            self.key = cache_key()
        return self.key

    def _file(self, display: str, digest: str) -> Path | None:
        if self.folder is None:
            return None
        key = hashlib.sha256(f"{self.salt}\0{display}\0{digest}".encode()).hexdigest()
        return self.folder / key[:2] / key

    def get(self, display: str, digest: str) -> _Entry | None:
        held = self.entries.get(display)
        if held is not None and held[0] == digest:
            return held[1]
        path = self._file(display, digest)
        if path is None:
            return None
        try:
            payload = unseal(self._key(), ("document", self.salt, display, digest), path.read_bytes())
            if payload is None:
                return None  # not sealed for this file and content under this key: load the file
            entry = _thaw(display, payload)
        except _UNREADABLE:
            return None  # absent or unreadable: load the file
        if self.in_memory:
            self.entries[display] = (digest, entry)
        return entry

    def put(self, display: str, digest: str, entry: _Entry) -> None:
        self.misses += 1
        if self.in_memory:
            self.entries[display] = (digest, entry)
        path = self._file(display, digest)
        if path is not None:
            _write(path, seal(self._key(), ("document", self.salt, display, digest), _freeze(display, entry)))

    # -- verdicts ---------------------------------------------------------------------------------
    # One file per record path, holding the digest and context it was judged in: a new date or an
    # edit replaces it rather than adding another, so the folder does not grow by one set of
    # verdicts a day.

    def _verdict_file(self, name: str) -> Path | None:
        if self.folder is None:
            return None
        key = hashlib.sha256(f"verdict\0{name}".encode()).hexdigest()
        return self.folder / "verdicts" / key[:2] / key

    def _read_verdict(self, name: str, digest: str, context: str) -> Any:
        path = self._verdict_file(name)
        if path is None:
            return None
        try:
            sealed = unseal(self._key(), ("verdict", self.salt, name), path.read_bytes())
            if sealed is None:
                return None  # not sealed for this name under this key: a miss
            held_digest, held_context, payload = marshal.loads(sealed)
        except _UNREADABLE:
            return None
        if (held_digest, held_context) != (digest, context):
            return None
        self._verdicts_on_disk[name] = (digest, context)
        return payload

    def _write_verdict(self, name: str, digest: str, context: str, payload: Any) -> None:
        path = self._verdict_file(name)
        if path is None or self._verdicts_on_disk.get(name) == (digest, context):
            return
        # The same key means the same verdict (the context covers the code): a build after a check
        # then reads a small file instead of writing it again, which costs ten times as much.
        if self._read_verdict(name, digest, context) is not None:
            return
        blob = seal(self._key(), ("verdict", self.salt, name), marshal.dumps((digest, context, payload)))
        if _write(path, blob):
            self._verdicts_on_disk[name] = (digest, context)

    def get_verdict(self, display: str, digest: str, context: str) -> Verdict | None:
        """The verdict on the file ``display`` with content ``digest`` in ``context``, if known."""
        payload = self._read_verdict(display, digest, context)
        try:
            problems, head, stale_roles, attention = payload
            return Verdict(_thaw_problems(problems), _thaw_head(head), frozenset(stale_roles), tuple(attention))
        except _UNREADABLE:  # None (no verdict in this context) included
            self.verdict_misses += 1
            return None

    def put_verdict(self, display: str, digest: str, context: str, verdict: Verdict) -> None:
        head = _freeze_head(verdict.head)
        payload = (_freeze_problems(verdict.problems), head, sorted(verdict.stale_roles), list(verdict.attention))
        self._write_verdict(display, digest, context, payload)

    def get_setup(self, context: str) -> SetupVerdict | None:
        """What loading the policy and the registry found in ``context`` (which covers both files)."""
        payload = self._read_verdict(_SETUP, "", context)
        if payload is None:
            return None
        try:
            problems, promotion = payload
            return SetupVerdict(
                _thaw_problems(problems),
                None
                if promotion is None
                else {name: Promotion(tuple(sources), missing) for name, (sources, missing) in promotion.items()},
            )
        except _UNREADABLE:
            return None

    def put_setup(self, context: str, setup: SetupVerdict) -> None:
        promotion = (
            None
            if setup.promotion is None
            else {name: (list(rule.sources), rule.missing) for name, rule in setup.promotion.items()}
        )
        self._write_verdict(_SETUP, "", context, (_freeze_problems(setup.problems), promotion))


def _write(path: Path, blob: bytes) -> bool:
    """Write then rename: a reader never sees half a file, even with parallel builds."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path.parent, delete=False) as stream:
            stream.write(blob)
        os.replace(stream.name, path)
    except OSError:
        return False  # a read-only checkout still builds, just without the disk cache
    return True
