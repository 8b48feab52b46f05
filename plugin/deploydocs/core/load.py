"""Read a YAML file into plain data plus the line and column of every key and value.

The YAML parser produces an event stream with marks; this module builds plain dicts, lists and
scalars from it itself, iteratively. That lets it refuse what a record must never contain (custom
tags, duplicate keys, alias bombs, runaway nesting) with a position, instead of a traceback or a
silent surprise, and it is much faster than composing a node graph.

Scalars keep YAML 1.2 core-schema meaning (what editors using yaml-language-server show), with one
exception: timestamps stay the strings they were written as (dates in records are strings). A
version written as ``1.10`` therefore loads as the float 1.1 and the schema reports it with a hint
to quote it; nothing is silently converted.

Parser: ruamel.yaml (pure Python). When PyYAML's libyaml binding is installed (PyYAML comes with
MkDocs) its event parser is used instead: on the sample records it produced events in 1.7 ms per
24 KB record against 4.4 ms for ruamel.yaml's own C parser and about 50 ms for composing with the
pure one. Both produce the same events; a test proves both paths give the same Document.
"""

from __future__ import annotations

import errno
import os
import re
import stat
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import MarkedYAMLError as RuamelMarkedError
from ruamel.yaml.error import YAMLError as RuamelError

from .problems import Problem

try:  # libyaml through PyYAML: optional accelerator (see the module docstring)
    import yaml as _pyyaml

    _LIBYAML = _pyyaml.CSafeLoader if getattr(_pyyaml, "__with_libyaml__", False) else None
    _PYYAML_ERRORS: tuple[type[Exception], ...] = (_pyyaml.YAMLError,)
except ImportError:  # pragma: no cover - PyYAML is a dependency of MkDocs
    _pyyaml = None
    _LIBYAML = None
    _PYYAML_ERRORS = ()

MAX_FILE_BYTES = 1024 * 1024
"""Records are hand-written text; a larger file is refused before it is parsed."""
MAX_DEPTH = 40
"""Deepest nesting accepted; a record needs about six levels."""
MAX_NODES = 50_000
"""Most values one file may expand to, aliases included (stops "billion laughs")."""
MAX_NUMBER_LENGTH = 100
"""Longest integer a record may write: Python refuses to print one of more than 4,300 digits, and a
huge hexadecimal number would be printed as such a one in a message; records need a few digits."""

Path_ = tuple[str | int, ...]

_CORE_TAGS = "tag:yaml.org,2002:"
# Problems after which the data is still meaningful (the offending part is left out), so the
# schema and rules can run and report everything else in the same pass.
_RECOVERABLE = frozenset({"yaml-duplicate-key", "yaml-custom-tag", "yaml-merge-key", "yaml-number-too-long"})


@dataclass
class Positions:
    """1-based (line, column) of each value and mapping key, by path from the document root."""

    values: dict[Path_, tuple[int, int]] = field(default_factory=dict)
    keys: dict[Path_, tuple[int, int]] = field(default_factory=dict)

    def of_value(self, path: Path_) -> tuple[int, int]:
        """Where the value at ``path`` is written, or its closest written ancestor."""
        path = tuple(path)
        while path:
            if path in self.values:
                return self.values[path]
            path = path[:-1]
        return self.values.get((), (1, 1))

    def of_key(self, path: Path_) -> tuple[int, int]:
        """Where the key of ``path`` is written (falls back to the value, then ancestors)."""
        path = tuple(path)
        if path in self.keys:
            return self.keys[path]
        return self.of_value(path)


class LazyPositions:
    """Positions of a document read from the cache: worked out again only if a problem needs one.

    Most records have no problem, so most never pay for it.
    """

    def __init__(self, text: str, display: str):
        self._text = text
        self._display = display
        self._positions: Positions | None = None

    def _load(self) -> Positions:
        if self._positions is None:
            self._positions = parse_document(self._text, self._display).positions
        return self._positions

    @property
    def values(self) -> dict[Path_, tuple[int, int]]:
        return self._load().values

    @property
    def keys(self) -> dict[Path_, tuple[int, int]]:
        return self._load().keys

    def of_value(self, path: Path_) -> tuple[int, int]:
        return self._load().of_value(path)

    def of_key(self, path: Path_) -> tuple[int, int]:
        return self._load().of_key(path)


@dataclass
class Document:
    """A loaded YAML file: its data, where everything is, and its text."""

    path: str
    data: Any
    positions: Positions | LazyPositions
    text: str
    problems: list[Problem] = field(default_factory=list)
    """Problems that did not stop loading (a duplicate key, a custom tag): report them too."""

    def source_token(self, path: Path_) -> str:
        """The text written at a value's position, up to the end of the line or a comment."""
        line, column = self.positions.of_value(path)
        lines = self.text.splitlines()
        if not 0 < line <= len(lines):
            return ""
        return lines[line - 1][column - 1 :].split(" #")[0].strip()


class LoadError(Exception):
    """Raised with the problems that kept a file from loading."""

    def __init__(self, problems: list[Problem]):
        super().__init__("; ".join(problem.format() for problem in problems))
        self.problems = problems


def _too_large(display: str, size: int) -> Problem:
    return Problem(
        display,
        0,
        0,
        "file-too-large",
        f"the file is {size:,} bytes; records are limited to {MAX_FILE_BYTES:,} bytes",
        "split long free text into linked documents",
    )


_KINDS = (
    (stat.S_ISDIR, "a folder"),
    (stat.S_ISFIFO, "a named pipe (FIFO)"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
)


def read_file(path: Path, display: str) -> bytes:
    """The bytes of the regular file at ``path`` (links followed), or LoadError: never blocks.

    Opened without blocking and judged by what was opened (fstat), so a FIFO or a device is refused
    instead of waiting forever for a writer, and a file swapped after a check is still the one judged.
    Any error of the system (a dangling link, a link loop, no permission) is a problem, not a
    traceback; a file growing past the limit while being read is still refused.
    """
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_BINARY", 0)
    try:
        descriptor = os.open(path, flags)
    except OSError as error:
        raise LoadError([_unreadable(display, error)]) from None
    try:
        info = os.fstat(descriptor)
        if not stat.S_ISREG(info.st_mode):
            kind = next((name for test, name in _KINDS if test(info.st_mode)), "not a regular file")
            raise LoadError(
                [
                    Problem(
                        display,
                        0,
                        0,
                        "not-a-regular-file",
                        f"this is {kind}, not a file: it is not read",
                        "replace it with a YAML file, or move it out of the records folder",
                    )
                ]
            )
        if info.st_size > MAX_FILE_BYTES:
            raise LoadError([_too_large(display, info.st_size)])
        chunks: list[bytes] = []
        size = 0
        while size <= MAX_FILE_BYTES:
            chunk = os.read(descriptor, MAX_FILE_BYTES + 1 - size)
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        if size > MAX_FILE_BYTES:
            raise LoadError([_too_large(display, size)])
        return b"".join(chunks)
    except OSError as error:
        raise LoadError([_unreadable(display, error)]) from None
    finally:
        os.close(descriptor)


def _unreadable(display: str, error: OSError) -> Problem:
    reason = os.strerror(error.errno) if error.errno else type(error).__name__
    fix = "replace the link with the file itself" if error.errno in _LINK_ERRORS else ""
    return Problem(
        display,
        0,
        0,
        "file-unreadable",
        f"the file cannot be read: {reason.lower()}",
        fix or "make it a readable file, or remove it",
    )


_LINK_ERRORS = frozenset({errno.ENOENT, errno.ELOOP})  # a dangling link, a link loop


def decode_text(raw: bytes, display: str) -> str:
    """UTF-8 text with a byte-order mark dropped and Windows line endings made plain."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw.count(b"\n", 0, error.start) + 1
        column = error.start - (raw.rfind(b"\n", 0, error.start) + 1) + 1
        raise LoadError(
            [
                Problem(
                    display,
                    line,
                    column,
                    "not-utf8",
                    f"the file is not UTF-8 (byte 0x{raw[error.start]:02x})",
                    "save the file with UTF-8 encoding",
                )
            ]
        ) from None
    return text.replace("\r\n", "\n")


def load_document(path: Path, display: str, raw: bytes | None = None) -> Document:
    """Load ``path`` (shown to users as ``display``) or raise LoadError. ``raw``: its bytes, when the
    caller has read them already (so that what is checked is what the caller's fingerprint covers)."""
    if raw is None:
        raw = read_file(path, display)
    return parse_document(decode_text(raw, display), display)


def parse_document(text: str, display: str, accelerated: bool = True) -> Document:
    """Parse YAML text into a Document, or raise LoadError with every position known.

    ``accelerated=False`` forces the ruamel.yaml parser (tests compare both paths).
    """
    unseen = _unseen_character(text, display)
    if unseen is not None:
        raise LoadError([unseen])
    builder = _Builder(display)
    try:
        data = builder.build(_events(_untab_indentation(text), accelerated))
    except (RuamelMarkedError, *_PYYAML_ERRORS) as error:
        if getattr(error, "problem_mark", None) is None and getattr(error, "context_mark", None) is None:
            raise LoadError([_unmarked_error(error, display, text)]) from None
        raise LoadError([_yaml_error(error, display, text)]) from None
    except RuamelError as error:
        raise LoadError([_unmarked_error(error, display, text)]) from None
    if builder.documents == 0:
        raise LoadError(
            [
                Problem(
                    display,
                    1,
                    1,
                    "empty-file",
                    "the file holds no YAML document",
                    "start from `deploydocs new` or remove the file",
                )
            ]
        )
    if any(problem.rule not in _RECOVERABLE for problem in builder.problems):
        raise LoadError(builder.problems)
    return Document(path=display, data=data, positions=builder.positions, text=text, problems=builder.problems)


# What YAML accepts raw in a file (its printable set), minus the characters it reads as line breaks
# besides LF (CR alone, NEL, LINE and PARAGRAPH SEPARATOR): lines are counted by LF only, in the
# messages as in editors, so a file that had them would get positions on the wrong line.
REFUSED_RAW = re.compile(  # public: the sign-off writer escapes exactly these
    "[^\t\n\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]"
)
_UNSEEN_NAMES = {
    "\x00": "NUL",
    "\r": "a carriage return without a line feed",
    "\x85": "NEXT LINE (U+0085), which YAML reads as a line break",
    "\u2028": "LINE SEPARATOR (U+2028), which YAML reads as a line break",
    "\u2029": "PARAGRAPH SEPARATOR (U+2029), which YAML reads as a line break",
}


def _unseen_character(text: str, display: str) -> Problem | None:
    """The first raw control character of ``text`` (YAML refuses them, without a line), located."""
    match = REFUSED_RAW.search(text)
    if match is None:
        return None
    at = match.start()
    line = text.count("\n", 0, at) + 1
    column = at - (text.rfind("\n", 0, at) + 1) + 1
    character = match.group()
    name = _UNSEEN_NAMES.get(character, f"U+{ord(character):04X}")
    more = sum(1 for _ in REFUSED_RAW.finditer(text)) - 1
    if character == "\r":
        fix = "save the file with LF or CRLF line endings"
    else:
        escape = f"\\x{ord(character):02x}" if ord(character) < 0x100 else f"\\u{ord(character):04x}"
        fix = f"remove it; a value that needs it writes it as `{escape}` inside double quotes"
    also = f" ({more:,} more after it)" if more else ""
    return Problem(
        display, line, column, "control-character", f"the file holds the control character {name}{also}", fix
    )


def may_hide_characters(text: str) -> bool:
    """True if a value read from this YAML text may hold characters the text does not show as written.

    Apart from line folding (whitespace stays whitespace), a value's characters stand in the file as
    written, except for escapes in double quotes, which can spell any character: a backslash.
    Searches of the whole text that stand in for searches of every value rely on this.
    """
    return "\\" in text


def iter_strings(value: Any, path: Path_ = ()) -> Iterator[tuple[Path_, str]]:
    """Every string value of loaded data with its path, depth first in document order."""
    if isinstance(value, dict):
        for key, child in value.items():
            yield from iter_strings(child, (*path, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            yield from iter_strings(child, (*path, index))
    elif isinstance(value, str):
        yield path, value


def yaml_events(text: str) -> Iterator[Any]:
    """The parser's events for ``text`` (LF line endings), read as parse_document reads it (tabs in
    indentation as spaces): their marks give each node's line and column in the file."""
    return _events(_untab_indentation(text), True)


def _events(text: str, accelerated: bool) -> Iterator[Any]:
    if accelerated and _LIBYAML is not None:
        return _pyyaml.parse(text, Loader=_LIBYAML)
    return YAML(typ="safe", pure=True).parse(text)


_LEADING_TABS = re.compile(r"^[ \t]*\t[ \t]*", re.MULTILINE)


def _untab_indentation(text: str) -> str:
    """YAML forbids tabs in indentation, but editors insert them: read each as one space.

    One character for one keeps every line and column where the author sees it, and a file
    indented with tabs throughout keeps its structure.
    """
    if "\t" not in text:
        return text
    return _LEADING_TABS.sub(lambda match: match.group(0).replace("\t", " "), text)


def _unmarked_error(error: Exception, display: str, text: str) -> Problem:
    """A parser error without marks (a reader error has a character position instead): still located."""
    at = getattr(error, "position", None)
    if not isinstance(at, int) or not 0 <= at <= len(text):
        at = 0
    line = text.count("\n", 0, at) + 1
    column = at - (text.rfind("\n", 0, at) + 1) + 1
    message = str(getattr(error, "problem", None) or getattr(error, "reason", None) or "invalid YAML").split("\n")[0]
    return Problem(display, line, column, "yaml-syntax", f"invalid YAML: {message}")


def _yaml_error(error: Any, display: str, text: str) -> Problem:
    mark = error.problem_mark or error.context_mark
    message = " ".join(part for part in (error.context, error.problem) if part) or "invalid YAML"
    fix = "check indentation and quoting on this line and the one above"
    context = error.context_mark
    if context is not None and error.context and "flow" in error.context:
        # An unclosed [ or {: the parser notices at the next token, maybe lines later; point at the opening.
        mark = context
        fix = "close the list or mapping opened here with its `]` or `}`, or quote the value"
    line, column = (mark.line + 1, mark.column + 1) if mark else (0, 0)
    lines = text.split("\n")
    if line > len(lines):
        # The parser noticed at the end of the stream, past a last line without a line break: point at
        # the end of that line, which is in the file.
        line, column = len(lines), len(lines[-1]) + 1
    if "mapping values are not allowed" in message:
        fix = "quote a value that contains ': ', or fix the indentation"
    elif "expected a single document" in message or "but found another document" in message:
        fix = "a record file holds one YAML document: remove the second `---`"
    return Problem(display, line, column, "yaml-syntax", f"invalid YAML: {message}", fix)


# YAML 1.2 core schema, for plain (unquoted, untagged) scalars.
_NULL = re.compile(r"^(?:~|null|Null|NULL|)$")
_BOOL = re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$")
_INT = re.compile(r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$")
_FLOAT = re.compile(
    r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"
)
# A plain scalar can only be non-text if it starts like one of the above: skip the regexes otherwise.
_MAYBE_TYPED = frozenset("~nNtTfF0123456789+-.")


def _plain_scalar(value: str) -> Any:
    if not value:
        return None
    if value[0] not in _MAYBE_TYPED:
        return value
    if _NULL.match(value):
        return None
    if _BOOL.match(value):
        return value[0] in "tT"
    if _INT.match(value):
        if value.startswith("0o"):
            return int(value[2:], 8)
        if value.startswith("0x"):
            return int(value[2:], 16)
        return int(value)
    if _FLOAT.match(value):
        lowered = value.lower()
        if lowered.endswith("nan"):
            return float("nan")
        if lowered.endswith("inf"):
            return float("-inf") if lowered.startswith("-") else float("inf")
        return float(value)
    return value


def _tagged_scalar(tag: str, value: str) -> tuple[Any, bool]:
    """(value, allowed) for an explicitly tagged scalar: core tags only."""
    if tag in ("!", _CORE_TAGS + "str", _CORE_TAGS + "timestamp"):
        return value, True
    if tag == _CORE_TAGS + "int":
        try:
            return int(value.replace("_", ""), 0), True
        except ValueError:
            return value, True
    if tag == _CORE_TAGS + "float":
        try:
            return float(value), True
        except ValueError:
            return value, True
    if tag == _CORE_TAGS + "bool":
        return value.lower() == "true", True
    if tag == _CORE_TAGS + "null":
        return None, True
    return value, False


class _Container:
    """A mapping or sequence being built, with what the builder needs to fill it."""

    __slots__ = ("value", "path", "is_mapping", "pending_key", "first_seen", "anchor", "start_count", "skip")

    def __init__(self, value: Any, path: Path_, is_mapping: bool, anchor: str | None, start_count: int):
        self.value = value
        self.path = path
        self.is_mapping = is_mapping
        self.pending_key: str | None = None
        self.first_seen: dict[str, int] = {}
        self.anchor = anchor
        self.start_count = start_count
        self.skip = False  # the next value belongs to a key that is being dropped


class _Builder:
    """Builds plain data from YAML events, recording positions and refusing what records must not hold."""

    def __init__(self, display: str):
        self.display = display
        self.positions = Positions()
        self.problems: list[Problem] = []
        self.count = 0
        self.documents = 0
        self.anchors: dict[str, tuple[Any, int]] = {}  # anchor -> (value, how many values it expands to)

    def _problem(self, mark: Any, rule: str, message: str, fix: str = "") -> None:
        self.problems.append(Problem(self.display, mark.line + 1, mark.column + 1, rule, message, fix))

    def build(self, events: Iterator[Any]) -> Any:
        stack: list[_Container] = []
        root: Any = None
        for event in events:
            kind = type(event).__name__
            if kind in ("StreamStartEvent", "StreamEndEvent", "DocumentEndEvent"):
                continue
            if kind == "DocumentStartEvent":
                self.documents += 1
                if self.documents > 1:
                    self._problem(
                        event.start_mark,
                        "yaml-syntax",
                        "invalid YAML: the file holds more than one document",
                        "a record file holds one YAML document: remove the second `---`",
                    )
                    return root
                continue
            if kind in ("MappingEndEvent", "SequenceEndEvent"):
                done = stack.pop()
                if done.anchor:
                    self.anchors[done.anchor] = (done.value, self.count - done.start_count + 1)
                continue
            parent = stack[-1] if stack else None
            # A key of a mapping: must be a plain scalar.
            if parent is not None and parent.is_mapping and parent.pending_key is None:
                if kind != "ScalarEvent":
                    self._problem(
                        event.start_mark,
                        "yaml-complex-key",
                        "a key must be a plain word, not a list or mapping",
                        "write the key as a single word",
                    )
                    return self._abort(root)
                self._key(parent, event)
                continue
            if parent is not None and parent.skip:
                parent.skip = False
                parent.pending_key = None
                if kind in ("MappingStartEvent", "SequenceStartEvent"):
                    # Consume the dropped value's events without building it.
                    self._discard(events, 1)
                continue
            path = self._child_path(parent)
            self.count += 1
            if self._too_many(event):
                return self._abort(root)
            position = (event.start_mark.line + 1, event.start_mark.column + 1)
            if kind == "ScalarEvent" and not event.value and not event.style and path in self.positions.keys:
                # An empty value (`key:`): parsers disagree on where it starts; say "after the key".
                key_line, key_column = self.positions.keys[path]
                position = (key_line, key_column + len(str(path[-1])) + 1)
            self.positions.values[path] = position
            if kind == "AliasEvent":
                value, size = self.anchors.get(event.anchor, (None, 1))
                self.count += size - 1
                if self._too_many(event):
                    return self._abort(root)
                root = self._attach(parent, value, root)
                continue
            if kind == "ScalarEvent":
                value = self._scalar(event)
                if event.anchor:
                    self.anchors[event.anchor] = (value, 1)
                root = self._attach(parent, value, root)
                continue
            # MappingStartEvent / SequenceStartEvent
            is_mapping = kind == "MappingStartEvent"
            expected = "map" if is_mapping else "seq"
            if event.tag not in (None, "!", _CORE_TAGS + expected):
                self._custom_tag(event)
            if len(stack) >= MAX_DEPTH:
                self._problem(
                    event.start_mark,
                    "yaml-too-deep",
                    f"values are nested more than {MAX_DEPTH} levels deep",
                    "flatten the structure; a record needs about six levels",
                )
                return self._abort(root)
            container = _Container({} if is_mapping else [], path, is_mapping, event.anchor, self.count)
            root = self._attach(parent, container.value, root)
            stack.append(container)
        return root

    def _too_many(self, event: Any) -> bool:
        if self.count <= MAX_NODES:
            return False
        self._problem(
            event.start_mark,
            "yaml-too-many-values",
            f"the document expands to more than {MAX_NODES:,} values (aliases included)",
            "remove anchors and aliases that repeat large blocks",
        )
        return True

    @staticmethod
    def _abort(root: Any) -> Any:
        """Stop reading: the problem just recorded is not recoverable, so parse_document raises."""
        return root

    @staticmethod
    def _discard(events: Iterator[Any], depth: int) -> None:
        for event in events:
            kind = type(event).__name__
            if kind in ("MappingStartEvent", "SequenceStartEvent"):
                depth += 1
            elif kind in ("MappingEndEvent", "SequenceEndEvent"):
                depth -= 1
                if depth == 0:
                    return

    @staticmethod
    def _child_path(parent: _Container | None) -> Path_:
        if parent is None:
            return ()
        if parent.is_mapping:
            return (*parent.path, parent.pending_key)
        return (*parent.path, len(parent.value))

    @staticmethod
    def _attach(parent: _Container | None, value: Any, root: Any) -> Any:
        if parent is None:
            return value
        if parent.is_mapping:
            parent.value[parent.pending_key] = value
            parent.pending_key = None
        else:
            parent.value.append(value)
        return root

    def _key(self, parent: _Container, event: Any) -> None:
        mark = event.start_mark
        key = event.value
        if event.implicit[0] and key == "<<":
            self._problem(
                mark, "yaml-merge-key", "merge keys (`<<`) are not supported in records", "write the keys out"
            )
            parent.pending_key, parent.skip = key, True
            return
        if event.tag not in (None, "!", _CORE_TAGS + "str"):
            self._custom_tag(event)
        if key in parent.first_seen:
            self._problem(
                mark,
                "yaml-duplicate-key",
                f"duplicate key `{key}` (first written on line {parent.first_seen[key]})",
                "keep one of them: YAML would silently drop the first",
            )
            parent.pending_key, parent.skip = key, True
            return
        parent.first_seen[key] = mark.line + 1
        parent.pending_key = key
        self.positions.keys[(*parent.path, key)] = (mark.line + 1, mark.column + 1)

    def _too_long_number(self, event: Any) -> str:
        """A number too long to be meant as one: a problem, and its text is kept as the value."""
        self._problem(
            event.start_mark,
            "yaml-number-too-long",
            f"a number of {len(event.value):,} characters; records hold numbers of at most {MAX_NUMBER_LENGTH}",
            "quote it if it is text, or shorten it",
        )
        return event.value

    def _custom_tag(self, event: Any) -> None:
        self._problem(
            event.start_mark,
            "yaml-custom-tag",
            f"the YAML tag `{event.tag.replace(_CORE_TAGS, '!!')}` is not allowed in records",
            "remove the tag; records hold plain strings, numbers, lists and mappings",
        )

    def _scalar(self, event: Any) -> Any:
        if event.tag is None or event.tag == "!" or event.implicit[0] and event.tag is None:
            if not event.implicit[0] or event.style:
                return event.value
            if len(event.value) > MAX_NUMBER_LENGTH and _INT.match(event.value):
                return self._too_long_number(event)
            return _plain_scalar(event.value)
        if event.tag == _CORE_TAGS + "int" and len(event.value) > MAX_NUMBER_LENGTH:
            return self._too_long_number(event)
        value, allowed = _tagged_scalar(event.tag, event.value)
        if not allowed:
            self._custom_tag(event)
        return value
