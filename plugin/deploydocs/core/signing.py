"""Sign-offs that mean something: a fingerprint of what the role signed (and of who signed, as
whom and when), and writing it into the record without disturbing the author's comments and layout
(ruamel.yaml round-trip)."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import unicodedata
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq

from .catalog import CHECKLIST, GENERATED, SIGNOFFS, Catalog, Item, Section, Subsection
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
    """
    mapping = signoff_mapping(plain_data, role, name, github, date, policy, catalog, review)
    value = mapping["fingerprint"]
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
    for key, item in mapping.items():
        entry[key] = item  # the date is written as a plain YAML date, like the rest of the record
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
