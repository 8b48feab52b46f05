"""Sign-offs that mean something: a fingerprint of what the role signed, and writing it into the
record without disturbing the author's comments and layout (ruamel.yaml round-trip)."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq

from .catalog import Catalog, Item, Section, Subsection
from .policy import RECORD_PART, Policy

IDENTITY_KEYS = ("id", "service", "version", "environment", "type", "date", "attempt", "deployed_by", "reviewed_by")


def _part_data(data: dict[str, Any], part: str, catalog: Catalog) -> Any:
    if part == RECORD_PART:
        return {key: data.get(key) for key in IDENTITY_KEYS}
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
    return value


def fingerprint(data: dict[str, Any], role: str, policy: Policy, catalog: Catalog) -> str:
    """``sha256:<16 hex>`` over the parts ``role`` covers, in a canonical form.

    Canonical JSON means formatting, comments and key order do not matter; only meaning does.
    """
    parts = policy.signoff_coverage.get(role, (RECORD_PART,))
    covered = {part: _part_data(data, part, catalog) for part in parts}
    canonical = json.dumps(covered, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return "sha256:" + hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:16]


def sign_record(
    path: Path,
    role: str,
    name: str,
    date: dt.date,
    policy: Policy,
    catalog: Catalog,
    plain_data: dict[str, Any],
    review: str = "",
) -> str:
    """Add (or replace) ``role``'s sign-off in the file at ``path``; returns the fingerprint.

    ``plain_data`` is the record as the core loaded it (what the fingerprint is computed over).
    """
    value = fingerprint(plain_data, role, policy, catalog)
    yaml = YAML()  # round-trip
    yaml.preserve_quotes = True
    yaml.width = 4096  # never re-wrap the author's long lines
    yaml.indent(mapping=2, sequence=4, offset=2)
    text = path.read_text(encoding="utf-8")
    document = yaml.load(text)
    signoffs = document.get("signoffs")
    if not isinstance(signoffs, CommentedSeq):
        signoffs = CommentedSeq()
        document["signoffs"] = signoffs
    if len(signoffs) == 0:
        signoffs.fa.set_block_style()
    entry = CommentedMap()
    entry["role"] = role
    entry["name"] = name
    entry["date"] = date  # written as a plain YAML date, like the rest of the record
    if review:
        entry["review"] = review
    entry["fingerprint"] = value
    entry.fa.set_flow_style()
    for index, existing in enumerate(signoffs):
        if isinstance(existing, dict) and existing.get("role") == role:
            signoffs[index] = entry
            break
    else:
        signoffs.append(entry)
    stream = io.StringIO()
    yaml.dump(document, stream)
    path.write_text(_keep_header(text, stream.getvalue()), encoding="utf-8")
    return value


def _keep_header(original: str, dumped: str) -> str:
    """ruamel.yaml keeps comments, but a leading modeline must stay byte-identical; restore it."""
    header = []
    for line in original.splitlines(keepends=True):
        if line.startswith("#") or not line.strip():
            header.append(line)
        else:
            break
    if header and not dumped.startswith("".join(header)):
        stripped = dumped
        for line in header:
            if stripped.startswith(line):
                stripped = stripped[len(line) :]
        return "".join(header) + stripped
    return dumped
