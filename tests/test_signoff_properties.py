"""Sign-offs by construction, proved over many inputs (hypothesis), in-process:

- every part of a record is covered by at least one role (derived from the catalog, the schema and
  the policy, so a new section cannot be left uncovered);
- a fingerprint follows meaning, not representation: rewriting a record (key order, quoting, flow or
  block style, `done` or `{state: done}`) keeps every fingerprint; changing a covered value, or the
  signer, changes it;
- separation of duties compares people, not spellings: Unicode look-alikes of the deployer's name
  (case, full-width letters, decomposed accents, odd spaces, zero-width characters) are the deployer.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import random
import unicodedata
from functools import cache
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from deploydocs.core.catalog import CHECKLIST, GENERATED, SIGNOFFS, load_catalog
from deploydocs.core.evaluate import evaluate
from deploydocs.core.load import parse_document
from deploydocs.core.model import build_record
from deploydocs.core.people import HIDDEN, identity_key, load_people
from deploydocs.core.policy import RECORD_PART, default_policy
from deploydocs.core.registry import load_registry
from deploydocs.core.rules import Context, record_problems
from deploydocs.core.schema import record_schema
from deploydocs.core.signing import fingerprint, uncovered_parts

from repo_support import REPO

SAMPLE = "records/identity-service/2.2.0-production.yaml"  # closed, five sign-offs, deployed by Lucía Ramos
DEPLOYER = "Lucía Ramos"
SIGNER = {"name": "Martín Quispe", "github": "mquispe-sec", "date": "2026-09-29"}
FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@cache
def sample_text() -> str:
    return (REPO / SAMPLE).read_text(encoding="utf-8")


def sample_data() -> dict[str, Any]:
    return copy.deepcopy(parse_document(sample_text(), SAMPLE).data)


def prints(data: dict[str, Any], **signer: str) -> dict[str, str]:
    """Every role's fingerprint of ``data``, signed by ``signer`` (default SIGNER)."""
    who = {**SIGNER, **signer}
    catalog, policy = load_catalog(), default_policy()
    return {
        term.key: fingerprint(data, term.key, policy, catalog, name=who["name"], github=who["github"], date=who["date"])
        for term in catalog.signoff_roles
    }


# -- every part is covered ------------------------------------------------------------------------


def test_every_subsection_of_the_guide_is_covered_by_a_role() -> None:
    assert uncovered_parts(default_policy(), load_catalog()) == []


def _locations() -> list[tuple[str, ...]]:
    """Every place a record holds meaning: each subsection of the guide (as the catalog places it in a
    record) and each top-level key of the schema that is not a section; sign-offs and the generated
    history aside."""
    catalog = load_catalog()
    sections = {sub.record_path[0] for sub in catalog.subsections()}
    found = [sub.record_path for sub in catalog.subsections() if sub.kind not in (SIGNOFFS, GENERATED)]
    found += [(key,) for key in record_schema(catalog)["properties"] if key not in sections]
    return found


def test_a_change_anywhere_in_a_record_changes_some_roles_fingerprint() -> None:
    before = prints(sample_data())
    catalog = load_catalog()
    kinds = {sub.record_path: sub.kind for sub in catalog.subsections()}
    for location in _locations():
        data = sample_data()
        parent = data
        for key in location[:-1]:
            parent = parent.setdefault(key, {})
        if kinds.get(location) == CHECKLIST:
            first = next(iter(parent[location[-1]]))
            parent[location[-1]][first] = {"state": "n/a", "reason": "changed by the test"}
        else:
            parent[location[-1]] = f"changed by the test: {location}"
        after = prints(data)
        changed = [role for role in before if before[role] != after[role]]
        assert changed, f"no sign-off role covers {'.'.join(location)}"


def test_the_record_part_covers_status_changes_outcome_and_people() -> None:
    before = prints(sample_data())
    for key, value in [
        ("status", "verified"),
        ("changes", "Something else"),
        ("outcome", "issues"),
        ("outcome_reason", "Latency"),
        ("rolls_back", "DEPLOY-IDENTITY-SERVICE-2.1.0"),
        ("deployed_by", {"name": "Ana Quispe", "role": "SRE"}),
    ]:
        data = sample_data()
        data[key] = value
        after = prints(data)
        assert all(before[role] != after[role] for role in before), key  # every role covers `record`
    assert all(RECORD_PART in parts for parts in default_policy().signoff_coverage.values())


# -- meaning, not representation ------------------------------------------------------------------


class _Dumper(yaml.SafeDumper):
    pass


def _rewrite(value: Any, rng: random.Random, depth: int = -1) -> Any:
    """The same meaning, written differently: keys shuffled, bare item states as mappings.
    ``depth``: levels below `checklists` (3: an item's value), -1 outside it."""
    if depth == 3 and value in ("done", "pending") and rng.random() < 0.5:
        return {"state": value}
    if isinstance(value, dict):
        items = list(value.items())
        rng.shuffle(items)
        inner = lambda key: 0 if key == "checklists" and depth == -1 else (depth + 1 if depth >= 0 else -1)  # noqa: E731
        return {k: _rewrite(v, rng, inner(k)) for k, v in items}
    if isinstance(value, list):
        return [_rewrite(v, rng) for v in value]
    return value


def _dump(data: dict[str, Any], rng: random.Random, flow: bool) -> str:
    def text(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
        styles = [None, "'", '"'] + (["|"] if "\n" in value and not value.endswith(" ") else [])
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=rng.choice(styles))

    _Dumper.add_representer(str, text)
    return yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, default_flow_style=flow, width=4096)


@FAST
@given(seed=st.integers(0, 2**32 - 1), flow=st.booleans())
def test_representation_keeps_every_fingerprint(seed: int, flow: bool) -> None:
    rng = random.Random(seed)
    original = sample_data()
    text = _dump(_rewrite(original, rng), rng, flow)
    rewritten = parse_document(text, SAMPLE)
    assert rewritten.problems == []
    assert prints(rewritten.data) == prints(original)
    # The signer written another way (case, spacing, compatibility forms) is the same signer.
    assert prints(original, name="  MARTÍN   quispe ", github="MQuispe-Sec") == prints(original)


ITEMS = [item.path for item in load_catalog().items()]


def _covering(path: str) -> list[str]:
    policy = default_policy()
    return [
        role
        for role, parts in policy.signoff_coverage.items()
        if any(path == part or path.startswith(part + ".") for part in parts)
    ]


@FAST
@given(
    item=st.sampled_from(ITEMS),
    change=st.sampled_from(["state", "note", "evidence"]),
    text=st.text(min_size=1, max_size=20).filter(lambda t: t.strip()),
)
def test_a_change_of_meaning_in_a_covered_item_makes_its_roles_stale(item: str, change: str, text: str) -> None:
    data = sample_data()
    section, subsection, key = item.split(".")
    entries = data["checklists"][section][subsection]
    current = entries[key]
    state = current if isinstance(current, str) else current["state"]
    if change == "state":
        entries[key] = "pending" if state == "done" else "done"
    else:
        entries[key] = {**({"state": current} if isinstance(current, str) else current), change: "x " + text}
        if isinstance(current, dict) and current.get(change) == entries[key][change]:
            return
    before, after = prints(sample_data()), prints(data)
    roles = _covering(item)
    assert roles, f"{item} is covered by no role"
    for role in before:
        assert (before[role] != after[role]) is (role in roles), (item, role)


def test_a_different_signer_or_date_changes_the_fingerprint() -> None:
    for field, value in [("name", "Rosa Huamán"), ("name", "Made Up"), ("github", "rhuaman"), ("date", "2026-09-30")]:
        assert prints(sample_data(), **{field: value}) != prints(sample_data()), field


# -- separation of duties by identity --------------------------------------------------------------

SPACES = [" ", "  ", "\u00a0", "\u2003", "\u3000", "\t"]


@st.composite
def lookalikes(draw: st.DrawFn, name: str) -> tuple[str, bool]:
    """A spelling of ``name`` that is the same person, and whether it hides characters."""
    out: list[str] = []
    hidden = False
    for char in name:
        if char == " ":
            out.append(draw(st.sampled_from(SPACES)))
            continue
        form = draw(st.sampled_from(["same", "upper", "lower", "fullwidth", "decomposed"]))
        if form == "upper":
            char = char.upper()
        elif form == "lower":
            char = char.lower()
        elif form == "fullwidth" and "!" <= char <= "~":
            char = chr(ord(char) + 0xFEE0)
        elif form == "decomposed":
            char = unicodedata.normalize("NFD", char)
        out.append(char)
        if draw(st.integers(0, 9)) == 0:
            out.append(draw(st.sampled_from(sorted(HIDDEN))))
            hidden = True
    padding = draw(st.sampled_from(["", " ", "\u00a0"]))
    return padding + "".join(out) + padding, hidden


@cache
def _context() -> Context:
    catalog = load_catalog()
    registry = load_registry(REPO / "records/services.yaml", "records/services.yaml", catalog)
    people = load_people(REPO / "records/people.yaml", "records/people.yaml", catalog, set(registry.services))
    return Context(
        catalog=catalog, policy=default_policy(), registry=registry, as_of=dt.date(2026, 12, 1), people=people
    )


def _rules_with_security_reviewer(name: str) -> set[str]:
    text = sample_text().replace(
        "role: security-reviewer, name: Martín Quispe,", f"role: security-reviewer, name: {json.dumps(name)},"
    )
    assert text != sample_text()
    document = parse_document(text, SAMPLE)
    record = build_record(document, _context().catalog)
    evaluation = evaluate(record, _context().catalog, _context().policy, _context().as_of)
    line = document.positions.of_value(("signoffs", 1))[0]
    return {p.rule for p in record_problems(record, evaluation, _context()) if p.line == line}


@FAST
@given(variant=lookalikes(DEPLOYER))
def test_a_lookalike_of_the_deployer_cannot_sign_as_reviewer(variant: tuple[str, bool]) -> None:
    name, hidden = variant
    assert identity_key(name) == identity_key(DEPLOYER)
    rules = _rules_with_security_reviewer(name)
    assert "signoff-separation-of-duties" in rules, (name, rules)
    assert ("name-hidden-character" in rules) is hidden, (name, rules)


def test_the_deployers_own_spelling_is_refused_and_someone_else_is_not() -> None:
    assert "signoff-separation-of-duties" in _rules_with_security_reviewer(DEPLOYER)
    # Another person (a Cyrillic "а" is another letter, not a spelling): no separation problem,
    # but nobody of that name is in people.yaml.
    rules = _rules_with_security_reviewer("Lucі\u0430 Ramos")
    assert "signoff-separation-of-duties" not in rules and "person-unknown" in rules
