"""Read a YAML file into plain data plus the line and column of every key and value.

ruamel.yaml composes the node graph (with marks); this module turns it into plain dicts, lists and
scalars itself, which lets it refuse what a record must never contain (custom tags, duplicate keys,
alias bombs, runaway nesting) with a position, instead of a traceback or a silent surprise.

Scalars keep YAML 1.2 meaning, with one exception: timestamps stay the strings they were written as
(dates in records are strings). A version written as ``1.10`` therefore loads as the float 1.1 and the
schema reports it with a hint to quote it; nothing is silently converted.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from .problems import Problem

MAX_FILE_BYTES = 1024 * 1024
"""Records are hand-written text; a larger file is refused before it is parsed."""
MAX_DEPTH = 40
"""Deepest nesting accepted; a record needs about six levels."""
MAX_NODES = 50_000
"""Most values one file may expand to, aliases included (stops "billion laughs")."""

Path_ = tuple[str | int, ...]

_CORE_TAGS = "tag:yaml.org,2002:"
# Problems after which the data is still meaningful (the offending part is left out), so the
# schema and rules can run and report everything else in the same pass.
_RECOVERABLE = frozenset({"yaml-duplicate-key", "yaml-custom-tag", "yaml-merge-key", "yaml-complex-key"})


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


@dataclass
class Document:
    """A loaded YAML file: its data, where everything is, and its text."""

    path: str
    data: Any
    positions: Positions
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


def read_text(path: Path, display: str) -> str:
    """The file's text, or LoadError for size, encoding and links leaving the repository."""
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise LoadError(
            [
                Problem(
                    display,
                    0,
                    0,
                    "file-too-large",
                    f"the file is {size:,} bytes; records are limited to {MAX_FILE_BYTES:,} bytes",
                    "split long free text into linked documents",
                )
            ]
        )
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")  # a byte-order mark is harmless: accept and drop it
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


def load_document(path: Path, display: str) -> Document:
    """Load ``path`` (shown to users as ``display``) or raise LoadError."""
    return parse_document(read_text(path, display), display)


def parse_document(text: str, display: str) -> Document:
    """Parse YAML text into a Document, or raise LoadError with every position known."""
    yaml = YAML(typ="safe", pure=True)
    try:
        node = yaml.compose(_untab_indentation(text))
    except MarkedYAMLError as error:
        raise LoadError([_yaml_error(error, display)]) from None
    except RecursionError:
        raise LoadError(
            [
                Problem(
                    display,
                    0,
                    0,
                    "yaml-too-deep",
                    "values are nested too deeply to read",
                    "flatten the structure; a record needs about six levels",
                )
            ]
        ) from None
    except YAMLError as error:
        raise LoadError([Problem(display, 0, 0, "yaml-syntax", str(error))]) from None
    if node is None:
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
    builder = _Builder(display)
    data = builder.build(node, (), 0)
    if any(problem.rule not in _RECOVERABLE for problem in builder.problems):
        raise LoadError(builder.problems)
    return Document(path=display, data=data, positions=builder.positions, text=text, problems=builder.problems)


_LEADING_TABS = re.compile(r"^[ \t]*\t[ \t]*", re.MULTILINE)


def _untab_indentation(text: str) -> str:
    """YAML forbids tabs in indentation, but editors insert them: read each as one space.

    One character for one keeps every line and column where the author sees it, and a file
    indented with tabs throughout keeps its structure.
    """
    if "\t" not in text:
        return text
    return _LEADING_TABS.sub(lambda match: match.group(0).replace("\t", " "), text)


def _yaml_error(error: MarkedYAMLError, display: str) -> Problem:
    mark = error.problem_mark or error.context_mark
    line, column = (mark.line + 1, mark.column + 1) if mark else (0, 0)
    message = " ".join(part for part in (error.context, error.problem) if part) or "invalid YAML"
    fix = "check indentation and quoting on this line and the one above"
    if "mapping values are not allowed" in message:
        fix = "quote a value that contains ': ', or fix the indentation"
    elif "found character '\\t'" in message:
        fix = "replace the tab with spaces"
    return Problem(display, line, column, "yaml-syntax", f"invalid YAML: {message}", fix)


class _Builder:
    """Builds plain data from a composed node graph and records positions."""

    def __init__(self, display: str):
        self.display = display
        self.positions = Positions()
        self.problems: list[Problem] = []
        self.count = 0

    def _problem(self, node: Node, rule: str, message: str, fix: str = "") -> None:
        mark = node.start_mark
        self.problems.append(Problem(self.display, mark.line + 1, mark.column + 1, rule, message, fix))

    def build(self, node: Node, path: Path_, depth: int) -> Any:
        self.count += 1
        if self.count > MAX_NODES:
            if self.count == MAX_NODES + 1:
                self._problem(
                    node,
                    "yaml-too-many-values",
                    f"the document expands to more than {MAX_NODES:,} values (aliases included)",
                    "remove anchors and aliases that repeat large blocks",
                )
            return None
        if depth > MAX_DEPTH:
            self._problem(
                node,
                "yaml-too-deep",
                f"values are nested more than {MAX_DEPTH} levels deep",
                "flatten the structure; a record needs about six levels",
            )
            return None
        self.positions.values[path] = (node.start_mark.line + 1, node.start_mark.column + 1)
        if isinstance(node, MappingNode):
            return self._mapping(node, path, depth)
        if isinstance(node, SequenceNode):
            self._check_tag(node, "seq")
            return [self.build(child, (*path, index), depth + 1) for index, child in enumerate(node.value)]
        return self._scalar(node)

    def _check_tag(self, node: Node, expected: str) -> bool:
        if node.tag in (_CORE_TAGS + expected,):
            return True
        self._problem(
            node,
            "yaml-custom-tag",
            f"the YAML tag `{node.tag.replace(_CORE_TAGS, '!!')}` is not allowed in records",
            "remove the tag; records hold plain strings, numbers, lists and mappings",
        )
        return False

    def _mapping(self, node: MappingNode, path: Path_, depth: int) -> dict[str, Any]:
        self._check_tag(node, "map")
        result: dict[str, Any] = {}
        first_seen: dict[str, int] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, ScalarNode):
                self._problem(
                    key_node,
                    "yaml-complex-key",
                    "a key must be a plain word, not a list or mapping",
                    "write the key as a single word",
                )
                continue
            if key_node.tag == _CORE_TAGS + "merge":
                self._problem(
                    key_node,
                    "yaml-merge-key",
                    "merge keys (`<<`) are not supported in records",
                    "write the keys out",
                )
                continue
            key = str(key_node.value)
            key_line = key_node.start_mark.line + 1
            if key in first_seen:
                self._problem(
                    key_node,
                    "yaml-duplicate-key",
                    f"duplicate key `{key}` (first written on line {first_seen[key]})",
                    "keep one of them: YAML would silently drop the first",
                )
                continue
            first_seen[key] = key_line
            child_path = (*path, key)
            self.positions.keys[child_path] = (key_line, key_node.start_mark.column + 1)
            result[key] = self.build(value_node, child_path, depth + 1)
        return result

    def _scalar(self, node: ScalarNode) -> Any:
        tag = node.tag
        value = node.value
        if not tag.startswith(_CORE_TAGS):
            self._check_tag(node, "str")
            return value
        kind = tag[len(_CORE_TAGS) :]
        if kind in ("str", "timestamp"):
            return value
        if kind == "null":
            return None
        if kind == "bool":
            return value.lower() == "true"
        if kind == "int":
            try:
                return int(value.replace("_", ""), 0)
            except ValueError:
                return value
        if kind == "float":
            text = value.replace("_", "").lower()
            if text in (".nan",):
                return float("nan")
            if text.lstrip("+-") in (".inf",):
                return float("-inf") if text.startswith("-") else float("inf")
            try:
                return float(text)
            except ValueError:
                return value
        self._check_tag(node, "str")
        return value
