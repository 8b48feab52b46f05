"""Sign-offs that mean something: a fingerprint of what the role signed (and of who signed, as
whom and when), and writing it into the
record so that only its sign-off lines change.

Writing edits the file's text; it is not a round trip through a YAML writer. The parser's marks say
where the `signoffs` list and its entries are, and only those characters are replaced or lines
added, in the file's own line endings and indentation. Everything else (a byte-order mark, CRLF,
tabs, comments, long lines, quoting) stays byte for byte. The result is parsed again and must hold
exactly the data expected, or nothing is written.
"""

from __future__ import annotations

import copy
import datetime as dt
import hashlib
import json
import unicodedata
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .catalog import CHECKLIST, GENERATED, SIGNOFFS, Catalog, Item, Section, Subsection
from .load import REFUSED_RAW, LoadError, decode_text, parse_document, yaml_events
from .people import identity_key, login_key
from .policy import RECORD_PART, Policy


def record_keys(data: dict[str, Any], catalog: Catalog) -> list[str]:
    """The top-level keys the ``record`` part covers: every one that is not a section of the guide
    (id, service, status, people, changes, outcome, ...): a key added to the format is covered by
    construction."""
    sections = {sub.record_path[0] for sub in catalog.subsections()}
    return sorted(key for key in data if key not in sections)


def _part_data(data: dict[str, Any], part: str, catalog: Catalog) -> Any:
    if part == RECORD_PART:
        return {key: data.get(key) for key in record_keys(data, catalog)}
    found = catalog.find(part)
    if isinstance(found, Section):
        return {sub.key: _subsection_data(data, sub) for sub in found.subsections}
    if isinstance(found, Subsection):
        return _subsection_data(data, found)
    if isinstance(found, Item):
        checklist = data.get("checklists", {}).get(found.section_key, {}).get(found.subsection_key, {})
        return checklist.get(found.key) if isinstance(checklist, dict) else None
    return None


def _subsection_data(data: dict[str, Any], subsection: Subsection) -> Any:
    value: Any = data
    for key in subsection.record_path:
        value = value.get(key) if isinstance(value, dict) else None
    if subsection.kind == CHECKLIST and isinstance(value, dict):
        # `done` and `{state: done}` say the same: items are compared as mappings.
        return {key: {"state": item} if isinstance(item, str) else item for key, item in value.items()}
    return value


def canonical(value: Any) -> Any:
    """The meaning of a value, not how it was written: mappings without absent (null) entries, text
    in Unicode NFC, dates as ISO text. Key order, quoting, flow or block style and comments are gone
    already once the YAML is parsed; JSON with sorted keys does the rest."""
    if isinstance(value, dict):
        return {str(key): canonical(item) for key, item in value.items() if item is not None}
    if isinstance(value, list | tuple):
        return [canonical(item) for item in value]
    if isinstance(value, str):
        return unicodedata.normalize("NFC", value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def fingerprint(
    data: dict[str, Any],
    role: str,
    policy: Policy,
    catalog: Catalog,
    *,
    name: str = "",
    github: str = "",
    date: dt.date | str | None = None,
) -> str:
    """``sha256:<64 hex>`` over the parts ``role`` covers and the sign-off's own person, login, role
    and date, in a canonical form: a change of meaning in any of them changes it, a change of how it
    is written does not.

    The person is compared by identity (people.identity_key) and the login case-insensitively, as
    everywhere else: a renamed or made-up signer makes the sign-off stale.
    """
    parts = policy.signoff_coverage.get(role, (RECORD_PART,))
    covered = {part: _part_data(data, part, catalog) for part in parts}
    signer = {
        "role": role,
        "name": identity_key(name),
        "github": login_key(github),
        "date": date.isoformat() if isinstance(date, dt.date) else (date or ""),
    }
    payload = {"covered": canonical(covered), "signoff": signer, "version": FINGERPRINT_VERSION}
    text = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()


FINGERPRINT_VERSION = 2
"""Part of what is hashed: a change to how fingerprints are computed makes old ones stale, never
silently equal."""


def uncovered_parts(policy: Policy, catalog: Catalog) -> list[str]:
    """Subsections of the guide no sign-off role covers (sign-offs and the generated history aside)."""
    parts = [part for covered in policy.signoff_coverage.values() for part in covered]
    return [
        sub.path
        for sub in catalog.subsections()
        if sub.kind not in (SIGNOFFS, GENERATED)
        and not any(sub.path == part or sub.path.startswith(part + ".") for part in parts)
    ]


def signoff_mapping(
    plain_data: dict[str, Any],
    role: str,
    name: str,
    github: str,
    date: dt.date,
    policy: Policy,
    catalog: Catalog,
    review: str = "",
) -> dict[str, Any]:
    """What a sign-off says, in the order it is written: role, name, github, date, review, fingerprint."""
    entry: dict[str, Any] = {"role": role, "name": name, "github": github, "date": date}
    if review:
        entry["review"] = review
    entry["fingerprint"] = fingerprint(plain_data, role, policy, catalog, name=name, github=github, date=date)
    return entry


def sign_record(
    path: Path,
    role: str,
    name: str,
    date: dt.date,
    policy: Policy,
    catalog: Catalog,
    plain_data: dict[str, Any],
    review: str = "",
    github: str = "",
) -> str:
    """Add (or replace) ``role``'s sign-off in the file at ``path``; returns the fingerprint.

    ``plain_data`` is the record as the core loaded it (what the fingerprint is computed over).
    Raises SignError, writing nothing, when the sign-off cannot be written by itself.
    """
    signoff = signoff_mapping(plain_data, role, name, github, date, policy, catalog, review)
    value = signoff["fingerprint"]
    path.write_bytes(write_signoff(path.read_bytes(), signoff))
    return value


class SignError(Exception):
    """The sign-off cannot be written into this file by changing its sign-off lines alone."""


_BOM = b"\xef\xbb\xbf"
Mark = tuple[int, int]  # 0-based line and column, as the parser gives them


@dataclass
class _Node:
    """A YAML node with where it is written: ``end`` is just past its last character."""

    kind: str  # "scalar", "map", "seq" or "alias"
    start: Mark
    end: Mark
    flow: bool = False
    text: str = ""  # a scalar's value
    style: str | None = None  # a scalar's: None (plain), quotes, "|" or ">"
    pairs: list[tuple[_Node, _Node]] = field(default_factory=list)
    items: list[_Node] = field(default_factory=list)


def _compose(events: Iterator[Any], lines: list[str]) -> _Node | None:
    """The document's root node, with marks. A block collection ends where its last child does (the
    parser ends it at the next token, maybe lines later, past comments)."""

    def mark(at: Any) -> Mark:
        return at.line, at.column

    def node(event: Any) -> _Node:
        kind = type(event).__name__
        if kind == "ScalarEvent":
            end = mark(event.end_mark)
            if event.style in ("|", ">") and end[1] == 0 and end[0] > event.start_mark.line:
                end = (end[0] - 1, len(lines[end[0] - 1]))  # a block scalar ends with its last line
            return _Node("scalar", mark(event.start_mark), end, text=event.value, style=event.style)
        if kind == "AliasEvent":
            return _Node("alias", mark(event.start_mark), mark(event.end_mark))
        flow = bool(event.flow_style)
        built = _Node("map" if kind == "MappingStartEvent" else "seq", mark(event.start_mark), (0, 0), flow)
        children: list[_Node] = []
        for child in events:
            if type(child).__name__ in ("MappingEndEvent", "SequenceEndEvent"):
                built.end = mark(child.end_mark) if flow or not children else children[-1].end
                break
            children.append(node(child))
        if built.kind == "map":
            built.pairs = list(zip(children[::2], children[1::2], strict=True))
        else:
            built.items = children
        return built

    for event in events:
        if type(event).__name__ in ("MappingStartEvent", "SequenceStartEvent", "ScalarEvent", "AliasEvent"):
            return node(event)
    return None


def _quoted(value: str) -> str:
    """``value`` in double quotes, with every character YAML refuses raw written as an escape."""

    def escape(match: Any) -> str:
        code = ord(match.group())
        return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"

    inner = value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return '"' + REFUSED_RAW.sub(escape, inner) + '"'


def _scalar(value: Any) -> str:
    """``value`` as YAML text that reads back as the same string: plain where it can be (as the
    sample records write sign-offs), else double-quoted."""
    text = value.isoformat() if isinstance(value, dt.date) else str(value)
    if text and "\n" not in text and text == text.strip():
        try:
            if parse_document("{k: " + text + "}", "sign-off").data == {"k": text}:
                return text
        except LoadError:
            pass
    return _quoted(text)


def _flow_mapping(signoff: Mapping[str, Any]) -> str:
    return "{" + ", ".join(f"{key}: {_scalar(value)}" for key, value in signoff.items()) + "}"


def _as_data(signoff: Mapping[str, Any]) -> dict[str, str]:
    """What the loader reads back from the written sign-off (dates stay text in records)."""
    return {key: value.isoformat() if isinstance(value, dt.date) else str(value) for key, value in signoff.items()}


class _Text:
    """The file's text, edited at the parser's marks; each line keeps its own line ending."""

    def __init__(self, text: str):
        self.text = text
        self.lines = text.split("\n")  # a CRLF line keeps its CR: columns are those of the parser
        self.starts = [0]
        for line in self.lines[:-1]:
            self.starts.append(self.starts[-1] + len(line) + 1)
        self.default_newline = "\r\n" if "\r\n" in text else "\n"
        self.edits: list[tuple[int, int, str]] = []

    def offset(self, at: Mark) -> int:
        return self.starts[at[0]] + at[1]

    def newline(self, line: int) -> str:
        if line < len(self.lines) - 1:
            return "\r\n" if self.lines[line].endswith("\r") else "\n"
        return self.default_newline

    def replace(self, start: Mark, end: Mark, text: str) -> None:
        self.edits.append((self.offset(start), self.offset(end), text))

    def add_line_after(self, line: int, content: str) -> None:
        """A new line after ``line``, ending as that line does (at the end of the file: the file's style)."""
        newline = self.newline(line)
        end = self.starts[line] + len(self.lines[line])
        if end < len(self.text):  # a line feed follows: the new line goes after it
            self.edits.append((end + 1, end + 1, content + newline))
        elif self.lines[line] == "":
            self.edits.append((end, end, content + newline))
        else:  # the last line has no line break: the file keeps ending without one
            self.edits.append((end, end, newline + content))

    def indentation(self, at: Mark) -> str:
        """The characters before column ``at`` on its line as indentation (tabs kept, the rest spaces)."""
        return "".join(c if c == "\t" else " " for c in self.lines[at[0]][: at[1]])

    def result(self) -> str:
        text = self.text
        # From the end backwards, so that earlier offsets stay valid; insertions at one offset end
        # up in the order they were made in (the later one is applied first).
        order = sorted(range(len(self.edits)), key=lambda i: (self.edits[i][0], self.edits[i][1], i), reverse=True)
        for i in order:
            start, end, replacement = self.edits[i]
            text = text[:start] + replacement + text[end:]
        return text


def write_signoff(raw: bytes, signoff: Mapping[str, Any]) -> bytes:
    """``raw`` (a record file's bytes) with ``signoff`` written as its role's sign-off: that role's
    entry replaced, or one added to ``signoffs`` (created if missing). Only sign-off lines change.

    ``signoff`` holds plain values (text, or a date), ``role`` among them, in the order they are
    written. Raises SignError when the result would not read back as exactly the record with it.
    """
    bom = raw.startswith(_BOM)
    try:
        original = raw[len(_BOM) if bom else 0 :].decode("utf-8")
        before = parse_document(decode_text(raw, "record"), "record").data
    except (UnicodeDecodeError, LoadError) as error:
        raise SignError(f"the record does not load: {error}") from None
    if not isinstance(before, dict):
        raise SignError("the record is not a mapping")
    text = _Text(original)
    normalized = original.replace("\r\n", "\n")
    root = _compose(yaml_events(normalized), normalized.split("\n"))
    if root is None or root.kind != "map" or root.flow:
        raise SignError("the record is not a block mapping")
    entry = _flow_mapping(signoff)
    expected = copy.deepcopy(before)
    listed = list(expected.get("signoffs") or [])
    index = next(
        (i for i, item in enumerate(listed) if isinstance(item, dict) and item.get("role") == signoff["role"]), None
    )
    if index is None:
        listed.append(_as_data(signoff))
    else:
        listed[index] = _as_data(signoff)
    expected["signoffs"] = listed
    found = next(((key, value) for key, value in root.pairs if key.kind == "scalar" and key.text == "signoffs"), None)
    if found is None:
        last = root.pairs[-1][1].end[0] if root.pairs else 0
        final = root.pairs[-1][1] if root.pairs else None
        if final is not None and final.style in ("|", ">") and not original.endswith("\n") and len(root.pairs) > 1:
            # A block scalar ending the file without a line break: a line after it would give the
            # value a line break it does not have. The sign-offs go before that last key instead.
            last = root.pairs[-2][1].end[0]
        indent = text.indentation(root.start)
        text.add_line_after(last, f"{indent}signoffs:")
        text.add_line_after(last, f"{indent}  - {entry}")
    else:
        _edit_list(text, found[0], found[1], index, signoff, entry)
    result = (_BOM if bom else b"") + text.result().encode("utf-8")
    try:
        after = parse_document(decode_text(result, "record"), "record").data
    except LoadError as error:
        raise SignError(f"writing the sign-off would break the file: {error}") from None
    if after != expected:
        raise SignError("writing the sign-off here would change more than the sign-offs")
    return result


def _edit_list(
    text: _Text, key: _Node, value: _Node, index: int | None, signoff: Mapping[str, Any], entry: str
) -> None:
    """Write ``entry`` into the ``signoffs`` value: at ``index``, or added at the end."""
    if value.kind == "scalar" and value.text in ("", "~", "null", "Null", "NULL"):
        # `signoffs:` with nothing (or null): the list starts on the next line.
        if value.text:
            text.replace(value.start, value.end, "")
        text.add_line_after(key.start[0], f"{text.indentation(key.start)}  - {entry}")
        return
    if value.kind != "seq":
        raise SignError("`signoffs` is not a list")
    if index is not None:
        item = value.items[index]
        if item.kind == "map" and not item.flow:
            _edit_block_entry(text, item, signoff)
        elif item.start[0] != item.end[0] and "#" in "".join(text.lines[item.start[0] : item.end[0] + 1]):
            raise SignError(f"the sign-off of {signoff['role']} spans lines with comments: write it on one line")
        else:
            text.replace(item.start, item.end, entry)
        return
    if value.flow and value.items:
        text.replace(value.items[-1].end, value.items[-1].end, f", {entry}")
    elif value.flow:
        # `signoffs: []`: becomes a block list, the sign-off on the line after the key.
        line = text.lines[value.start[0]]
        start = value.start[1]
        while start > 0 and line[start - 1] in " \t":
            start -= 1
        text.replace((value.start[0], start), value.end, "")
        text.add_line_after(value.end[0], f"{text.indentation(key.start)}  - {entry}")
    else:
        text.add_line_after(value.items[-1].end[0], f"{text.indentation(value.start)}- {entry}")


def _edit_block_entry(text: _Text, item: _Node, signoff: Mapping[str, Any]) -> None:
    """A sign-off written as a block mapping: each value replaced where it stands (comments stay),
    keys it lacks added as lines, a key the new sign-off lacks removed with its own line."""
    held = {key.text: (key, value) for key, value in item.pairs}
    if any(value.kind != "scalar" or value.start == value.end for _, value in held.values()):
        raise SignError(f"the sign-off of {signoff['role']} holds a nested or empty value: write it on one line")
    for name, (key, value) in held.items():
        if name in signoff:
            text.replace(value.start, value.end, _scalar(signoff[name]))
            continue
        alone = key.start[0] == value.end[0] and key.start[0] != item.start[0]
        if not alone or any(k.start[0] == key.start[0] for k, _ in item.pairs if k is not key):
            raise SignError(f"the sign-off of {signoff['role']} has `{name}` beside other keys: write it on one line")
        text.replace((key.start[0], 0), (key.start[0] + 1, 0), "")
    last_key = item.pairs[-1][0]
    indent = text.indentation(last_key.start)
    for name, value in signoff.items():
        if name not in held:
            text.add_line_after(item.end[0], f"{indent}{name}: {_scalar(value)}")
