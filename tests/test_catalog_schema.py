"""The catalog is the template, and the committed JSON Schemas are what the catalog produces now.

The template (the seed document the project was asked to turn into code) is parsed here on its own,
so a section, subsection or item lost or reworded in data/catalog.yaml fails a test.
"""

from __future__ import annotations

import copy
import datetime as dt
import functools
import json
import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator, FormatChecker
from jsonschema.validators import validator_for
from ruamel.yaml import YAML

from deploydocs.core.catalog import CHECKLIST, load_catalog

from repo_support import REPO, Repo, catalog_items, scaffold_text

# The seed lives beside the repository (../shared/), for developers and CI alike.
TEMPLATE = REPO.parent / "shared" / "seed" / "deployment-guide-template.md"
CHECKLIST_SECTIONS = {"1", "2", "3", "4", "5", "6", "7", "13"}
DRAFT_2020_12 = "https://json-schema.org/draft/2020-12/schema"
CONDITIONAL = re.compile(r"\bif (applicable|needed|required|\w+ changed)\b", re.IGNORECASE)


def template_lines() -> list[str]:
    if not TEMPLATE.is_file():  # the seed lives beside the repository, not in it
        pytest.skip(f"{TEMPLATE} is not on this machine")
    return TEMPLATE.read_text(encoding="utf-8").splitlines()


def template_outline() -> tuple[dict[str, str], dict[str, str], dict[str, list[tuple[str, str]]]]:
    """Sections {number: title}, subsections {number: title}, and the items of every subsection
    of sections 1-7 and 13 as (title, description): checkbox lines, and the four 5.3 lines whose
    checkbox the template lost."""
    sections: dict[str, str] = {}
    subsections: dict[str, str] = {}
    items: dict[str, list[tuple[str, str]]] = {}
    current = ""
    for line in template_lines():
        if match := re.match(r"^## (\d+)\. (.+)$", line):
            sections[match[1]] = match[2].strip()
            current = ""
        elif match := re.match(r"^### (\d+\.\d+) (.+)$", line):
            current = match[1]
            subsections[current] = match[2].strip()
        elif current and current.split(".")[0] in CHECKLIST_SECTIONS:
            bold = re.match(r"^- (?:\[ \] )?\*\*(.+?)\*\*: (.+)$", line)
            plain = re.match(r"^- \[ \] (.+)$", line)
            if bold and (line.startswith("- [ ]") or current == "5.3"):
                items.setdefault(current, []).append((bold[1], bold[2]))
            elif plain and not bold:
                items.setdefault(current, []).append((plain[1], plain[1]))
    return sections, subsections, items


def placeholders_normalised(text: str) -> str:
    """`Monitor service for [X] hours` and `Monitor service for {hours} hours` compare equal."""
    return re.sub(r"\{\w+\}|\[[^\]]+\]", "[…]", text)


# -- the catalog is the template -----------------------------------------------------------------


def test_catalog_has_13_sections_and_134_checklist_items() -> None:
    """Holds without the template at hand (a fresh clone): the numbers the template gives."""
    catalog = load_catalog()
    assert len(catalog.sections) == 13
    assert [s.number for s in catalog.sections] == [str(n) for n in range(1, 14)]
    assert len(list(catalog.items())) == 134
    checklist_sections = {s.number for s in catalog.sections if s.is_checklist}
    assert checklist_sections == CHECKLIST_SECTIONS


def test_catalog_sections_are_the_templates_in_order() -> None:
    sections, _, _ = template_outline()
    assert {s.number: s.title for s in load_catalog().sections} == sections


def test_subsections_match_the_template() -> None:
    catalog = load_catalog()
    _, subsections, _ = template_outline()
    ours = {sub.number: sub.title for sub in catalog.subsections()}
    for number, title in subsections.items():
        assert number in ours, f"template subsection {number} {title} is not in the catalog"
        expected = re.sub(r"\s*\(if applicable\)$", "", title, flags=re.IGNORECASE)
        assert ours[number] == expected
    # Sections 11 (sign-offs) and 12 (history) have no ### headings in the template: one subsection each.
    assert set(ours) - set(subsections) == {"11.1", "12.1"}


def test_every_template_item_is_in_the_catalog() -> None:
    _, _, template_items = template_outline()
    catalog = load_catalog()
    count = sum(len(rows) for rows in template_items.values())
    assert count == 134
    assert len(list(catalog.items())) == count
    # The four 5.3 items without a checkbox are items all the same.
    assert len(template_items["5.3"]) == 5
    for sub in catalog.subsections(CHECKLIST):
        expected = template_items.pop(sub.number)
        assert len(sub.items) == len(expected), sub.number
        for item, (title, description) in zip(sub.items, expected, strict=True):
            assert placeholders_normalised(item.title) == placeholders_normalised(title), item.number
            if sub.section_key != "next_steps":  # 13.x items are one line: the title
                assert item.description == description, item.number
    assert template_items == {}, "template checklists without a catalog subsection"


def test_item_numbers_and_paths_are_unique() -> None:
    items = list(load_catalog().items())
    assert len({item.number for item in items}) == len(items)
    assert len({item.path for item in items}) == len(items)
    # The tests' own reading of the catalog agrees with the package's.
    assert [(i.path, i.number) for i in items] == [(i["path"], i["number"]) for i in catalog_items()]


def test_if_applicable_follows_the_templates_wording() -> None:
    """n/a is always allowed exactly where the template makes an item conditional ("if applicable", ...)."""
    # 2.2.2 validates "in staging" what 2.2.1 deployed there "(if applicable)": it goes with 2.2.1.
    follows_previous = {"2.2.2"}
    _, subsections, template_items = template_outline()
    catalog = load_catalog()
    for sub in catalog.subsections(CHECKLIST):
        heading_says = "(if applicable)" in subsections[sub.number].lower()
        for item, (_, description) in zip(sub.items, template_items[sub.number], strict=True):
            says = heading_says or bool(CONDITIONAL.search(description))
            assert item.if_applicable is (says or item.number in follows_previous), f"{item.number} {description}"


# -- the committed schemas -----------------------------------------------------------------------


def test_committed_schemas_are_what_the_catalog_produces(empty_repo: Repo, tmp_path: Path) -> None:
    out = tmp_path / "generated"
    run = empty_repo.cli("schema", "--write", str(out))
    assert run.returncode == 0, run.output
    assert "Traceback" not in run.output
    generated = {path.name: path.read_text(encoding="utf-8") for path in out.glob("*.json")}
    committed = {path.name: path.read_text(encoding="utf-8") for path in (REPO / "schemas").glob("*.json")}
    assert "deployment-record.schema.json" in generated
    assert sorted(committed) == sorted(generated), "schemas/ holds other files than `deploydocs schema` writes"
    stale = [name for name in generated if committed[name] != generated[name]]
    assert stale == [], f"out of date (run `make schemas`): {stale}"


def record_schema() -> dict[str, Any]:
    return json.loads((REPO / "schemas" / "deployment-record.schema.json").read_text(encoding="utf-8"))


def _resolve(schema: dict[str, Any], root: dict[str, Any]) -> dict[str, Any]:
    reference = schema.get("$ref")
    if not reference:
        return schema
    assert reference.startswith("#/"), reference
    target: Any = root
    for part in reference[2:].split("/"):
        target = target[part]
    return {**target, **{k: v for k, v in schema.items() if k != "$ref"}}


# The schemas people edit against or read (the record, the registry, the policy, the JSON export);
# `review --format json`'s schema is for programs and documents its fields in docs/cli.md.
DOCUMENTED_SCHEMAS = (
    "deployment-record.schema.json",
    "services-registry.schema.json",
    "policy.schema.json",
    "api-deployments.schema.json",
    "api-services.schema.json",
)


@pytest.mark.parametrize("name", DOCUMENTED_SCHEMAS)
def test_every_property_of_the_schemas_has_a_title_and_description(name: str) -> None:
    root = json.loads((REPO / "schemas" / name).read_text(encoding="utf-8"))
    seen = 0
    undocumented = []

    def walk(node: Any, where: str) -> None:
        nonlocal seen
        if isinstance(node, dict):
            for name, sub in (node.get("properties") or {}).items():
                seen += 1
                resolved = _resolve(sub, root)
                for key in ("title", "description"):
                    if not (isinstance(resolved.get(key), str) and resolved[key].strip()):
                        undocumented.append(f"{where}.properties.{name}: no {key}")
            for key, value in node.items():
                if key not in ("if", "not"):  # conditions, not property definitions
                    walk(value, f"{where}.{key}")
        elif isinstance(node, list):
            for index, value in enumerate(node):
                walk(value, f"{where}[{index}]")

    walk(root, "#")
    if name == "deployment-record.schema.json":
        assert seen > 134 + 13  # every item plus the document information, at least
    assert seen and undocumented == []


def test_record_schema_is_valid_draft_2020_12() -> None:
    schema = record_schema()
    assert schema["$schema"] == DRAFT_2020_12
    assert validator_for(schema) is Draft202012Validator
    Draft202012Validator.check_schema(schema)
    for name in ("services-registry.schema.json", "policy.schema.json"):
        other = json.loads((REPO / "schemas" / name).read_text(encoding="utf-8"))
        assert other["$schema"] == DRAFT_2020_12, name
        Draft202012Validator.check_schema(other)


def test_record_schema_requires_every_checklist_item() -> None:
    checklists = record_schema()["properties"]["checklists"]
    required = [
        (section, sub, item)
        for section, section_schema in checklists["properties"].items()
        for sub, sub_schema in section_schema["properties"].items()
        for item in sub_schema["required"]
    ]
    assert len(required) == 134
    assert {".".join(path) for path in required} == {item["path"] for item in catalog_items()}


def _plain(value: Any) -> Any:
    """YAML data as deploydocs reads it: dates stay text."""
    if isinstance(value, dict):
        return {key: _plain(child) for key, child in value.items()}
    if isinstance(value, list):
        return [_plain(child) for child in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def test_an_editor_validating_with_the_committed_schema_agrees_with_the_tool() -> None:
    """yaml-language-server reads schemas/: a fresh record passes, a misspelt key does not."""
    validator = Draft202012Validator(record_schema(), format_checker=FormatChecker())
    yaml = YAML(typ="safe", pure=True)
    record = _plain(yaml.load(scaffold_text()))
    assert list(validator.iter_errors(record)) == []
    items = record["checklists"]["pre_deployment"]["code_and_configuration"]
    items["secrest"] = items.pop("secrets")
    messages = sorted(error.message for error in validator.iter_errors(record))
    assert any("'secrest' was unexpected" in message for message in messages), messages
    assert any("'secrets' is a required property" in message for message in messages), messages


def test_registry_and_policy_files_follow_their_committed_schemas() -> None:
    yaml = YAML(typ="safe", pure=True)
    pairs = [
        (REPO / "records" / "services.yaml", "services-registry.schema.json"),
        (REPO / "records" / "people.yaml", "people.schema.json"),
        (REPO / "plugin" / "deploydocs" / "core" / "data" / "policy.yaml", "policy.schema.json"),
    ]
    for data_file, schema_name in pairs:
        schema = json.loads((REPO / "schemas" / schema_name).read_text(encoding="utf-8"))
        data = _plain(yaml.load(data_file.read_text(encoding="utf-8")))
        errors = [error.message for error in Draft202012Validator(schema).iter_errors(data)]
        assert errors == [], f"{data_file.name}: {errors}"


# -- the editors' form of the record schema gives the check's verdicts ------------------------------

_ITEM_KEYS = ["state", "reason", "evidence", "note", "by", "waiver", "deferred", "criteria", "hours", "bogus"]
_SCALARS = st.one_of(st.sampled_from(["done", "pending", "n/a", "doen", "", "x"]), st.integers(-1, 3), st.none())
_ITEM_VALUES = st.one_of(
    _SCALARS,
    st.dictionaries(
        st.sampled_from(_ITEM_KEYS),
        st.one_of(
            _SCALARS,
            st.fixed_dictionaries(
                {},
                optional={
                    "reason": _SCALARS,
                    "approver": st.sampled_from(["security-reviewer", "nobody"]),
                    "expires": st.sampled_from(["2026-12-01", "soon"]),
                    "justification": _SCALARS,
                    "follow_up": st.sampled_from(["2026-12-01", "later"]),
                },
            ),
        ),
        max_size=4,
    ),
)


@functools.cache
def _both_validators() -> tuple[Draft202012Validator, Draft202012Validator]:
    from deploydocs.core.schema import record_schema as generate

    catalog = load_catalog()
    return tuple(
        Draft202012Validator(generate(catalog, for_editors=editors), format_checker=FormatChecker())
        for editors in (False, True)
    )


@functools.cache
def _sample_record() -> dict[str, Any]:
    return YAML(typ="safe").load((REPO / "records/identity-service/2.3.1-production.yaml").read_text("utf-8"))


@settings(max_examples=200, deadline=None)
@given(item=st.sampled_from([item.path for item in load_catalog().items()]), value=_ITEM_VALUES)
def test_the_editors_schema_and_the_checks_schema_agree_on_every_item(item: str, value: Any) -> None:
    """The committed schema gives every item its own branches (for the editor's hover); records are
    validated with the shared definition. Same errors, at the same places, for any item value."""
    record = copy.deepcopy(_sample_record())
    section, subsection, key = item.split(".")
    record["checklists"][section][subsection][key] = value
    check, editors = _both_validators()

    def verdicts(validator: Draft202012Validator) -> list[tuple[tuple[Any, ...], str]]:
        return sorted((tuple(map(str, e.absolute_path)), e.validator) for e in validator.iter_errors(record))

    assert verdicts(check) == verdicts(editors)
