"""JSON Schema validation with errors a person can act on.

jsonschema's own messages ("Additional properties are not allowed") are turned into problems that
say where, what and what to write instead: the closest valid key, the allowed words, a quoted version.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import re
import unicodedata
from collections.abc import Callable
from functools import cache
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker
from jsonschema.exceptions import ValidationError

from .formats import FORMATS
from .load import Document
from .problems import Problem
from .schema import CONTROL_CHARACTERS, INVISIBLE_CHARACTERS, PLAIN_NAME, SINGLE_LINE
from .suggest import closest, normalized


def _format_checker() -> FormatChecker:
    """Exactly the formats of formats.FORMATS, the same functions the fast check calls."""
    checker = FormatChecker(formats=())
    for name, check in FORMATS.items():
        # A format applies to strings only (the type keyword reports anything else), as in the fast check.
        checker.checks(name)(lambda value, check=check: not isinstance(value, str) or check(value))
    return checker


@cache
def _compiled(schema_text: str) -> Draft202012Validator:
    schema = json.loads(schema_text)
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema, format_checker=_format_checker())


def validator_for(schema: dict[str, Any]) -> Draft202012Validator:
    """A compiled validator, built once per distinct schema."""
    return _compiled(json.dumps(schema, sort_keys=True))


# Keywords only editors and people read: they never change whether a value is valid.
_ANNOTATIONS = frozenset(
    {
        "title", "description", "markdownDescription", "examples", "default", "deprecated", "readOnly",
        "writeOnly", "$comment", "defaultSnippets", "enumDescriptions", "markdownEnumDescriptions",
    }
)  # fmt: skip
# Keywords whose value holds subschemas: by name, in a list, or as one schema (or a list, for `items`).
_SCHEMA_MAPS = frozenset({"properties", "patternProperties", "$defs", "definitions", "dependentSchemas"})
_SCHEMA_LISTS = frozenset({"allOf", "anyOf", "oneOf", "prefixItems"})
_SCHEMA_VALUES = frozenset(
    {"items", "additionalItems", "additionalProperties", "not", "if", "then", "else", "contains", "propertyNames"}
    | {"unevaluatedProperties", "unevaluatedItems"}
)


def without_annotations(schema: Any) -> Any:
    """The schema without titles, descriptions and examples: the same verdicts from a generated
    validator about half the size, which compiles in less than half the time (~0.4 s instead of ~1 s).

    It follows the schema's structure, so a *property* called ``description`` stays.
    """
    if isinstance(schema, list):  # `items` as a list of schemas (draft 7)
        return [without_annotations(sub) for sub in schema]
    if not isinstance(schema, dict):  # a boolean schema
        return schema
    kept: dict[str, Any] = {}
    for key, value in schema.items():
        if key in _ANNOTATIONS:
            continue
        if key in _SCHEMA_MAPS and isinstance(value, dict):
            value = {name: without_annotations(sub) for name, sub in value.items()}
        elif key in _SCHEMA_LISTS and isinstance(value, list) or key in _SCHEMA_VALUES:
            value = without_annotations(value)
        kept[key] = value
    return kept


_FAST: dict[str, Callable[[Any], bool] | None] = {}  # by schema: compiled once per process


def fast_validator(schema: dict[str, Any]) -> Callable[[Any], bool] | None:
    """A yes/no check compiled to Python code by fastjsonschema (about 15x faster than jsonschema on
    records), or None when fastjsonschema is not installed.

    It only answers "valid?": a record it accepts has no schema problem; any other record goes
    through jsonschema, which finds and explains every problem. It must never be more lenient than
    jsonschema: both check `format` with the same functions (formats.FORMATS), and property tests
    hold them to the same verdicts.

    The generated code lives in this process only, never in the record cache: a cache folder can
    be restored from another branch or edited, and code read from it would run with this process's
    rights (see docs/security.md). Generating and compiling it takes about 0.4 s on an idle machine
    (see without_annotations), which is why the caller compiles it only for enough files.
    """
    try:
        import fastjsonschema
    except ImportError:
        return None
    draft7 = {**without_annotations(schema), "$schema": "http://json-schema.org/draft-07/schema#"}
    draft7.pop("$id", None)  # the generated entry point is then called `validate`
    key = hashlib.sha256(json.dumps(draft7, sort_keys=True).encode()).hexdigest()
    if key in _FAST:
        return _FAST[key]
    namespace: dict[str, Any] = {}
    # The formats are called by name from the generated code (custom_formats): ours, not its regexes.
    generated = fastjsonschema.compile_to_code(draft7, formats=dict(FORMATS))
    code = compile(generated, "<deploydocs fast validator>", "exec")
    exec(code, namespace)  # noqa: S102 - code generated here, from our own schema
    validate = namespace["validate"]

    def accepts(data: Any) -> bool:
        try:
            validate(data, custom_formats=FORMATS)
        except fastjsonschema.JsonSchemaException:
            return False
        return True

    _FAST[key] = accepts
    return accepts


def schema_problems(document: Document, schema: dict[str, Any], kind: str = "record") -> list[Problem]:
    """Every schema problem of ``document``, translated."""
    validator = validator_for(schema)
    problems: list[Problem] = []
    for error in validator.iter_errors(document.data):
        problems.extend(_translate(error, document, kind))
    problems = _one_per_value(problems)
    if kind != "record":
        # The registry and the policy have one rule id each; the messages keep their detail.
        problems = [dataclasses.replace(problem, rule=f"{kind}-schema") for problem in problems]
    return problems


# What is wrong with a value itself, most telling first. One value is one fault however many
# keywords it breaks (a date like 20/11/2026 fails both its pattern and its format): one problem.
_VALUE_RULES = ("value-not-string", "wrong-type", "invalid-value", "invalid-state", "invalid-date", "invalid-format")
_VALUE_RULES += ("empty-value", "schema")


def _one_per_value(problems: list[Problem]) -> list[Problem]:
    """At most one value problem per position (the most telling one), in the original order."""
    best: dict[tuple[int, int], Problem] = {}
    for problem in problems:
        if problem.rule in _VALUE_RULES:
            where = (problem.line, problem.column)
            kept = best.get(where)
            if kept is None or _VALUE_RULES.index(problem.rule) < _VALUE_RULES.index(kept.rule):
                best[where] = problem
    return [p for p in problems if p.rule not in _VALUE_RULES or best[(p.line, p.column)] is p]


def _name(path: tuple[Any, ...]) -> str:
    return ".".join(str(part) for part in path) or "the document"


def _label(schema: dict[str, Any], key: str) -> str:
    title = schema.get("properties", {}).get(key, {}).get("title")
    return f"`{key}` ({title})" if title else f"`{key}`"


def _closest(word: str, choices: list[str]) -> str | None:
    return closest(word, choices)


def _alias(word: str, aliases: dict[str, str]) -> str | None:
    """The canonical word for an alias, in any case (``PROD`` -> production)."""
    by_form = {normalized(alias): canonical for alias, canonical in aliases.items()}
    return by_form.get(normalized(word))


def _translate(error: ValidationError, document: Document, kind: str) -> list[Problem]:
    path = tuple(error.absolute_path)
    at_value = document.positions.of_value(path)
    display = document.path

    def problem(position: tuple[int, int], rule: str, message: str, fix: str = "") -> Problem:
        return Problem(display, position[0], position[1], rule, message, fix)

    validator = error.validator
    schema = error.schema if isinstance(error.schema, dict) else {}
    instance = error.instance

    if validator == "additionalProperties" and isinstance(instance, dict):
        allowed = list(schema.get("properties", {}))
        problems = []
        for key in instance:
            if key in allowed:
                continue
            suggestion = _closest(key, allowed)
            fix = (
                f"did you mean `{suggestion}`?"
                if suggestion
                else (f"allowed here: {', '.join(allowed)}" if allowed else "remove it")
            )
            problems.append(
                problem(
                    document.positions.of_key((*path, key)),
                    "unknown-key",
                    f"unknown key `{key}` in {_name(path)}",
                    fix,
                )
            )
        return problems

    if validator == "required" and isinstance(instance, dict):
        problems = []
        for key in error.validator_value:
            if key in instance:
                continue
            property_schema = schema.get("properties", {}).get(key, {})
            is_item = "anyOf" in property_schema or property_schema.get("$ref") == "#/$defs/itemState"
            fix = f"add `{key}: pending` (or done, or n/a with a reason)" if is_item else f"add `{key}:`"
            if key == "reason":
                return [
                    problem(
                        at_value,
                        "na-needs-reason",
                        "an item marked n/a has no reason",
                        "add `reason: <why it does not apply>`",
                    )
                ]
            where = document.positions.of_key(path) if path else (1, 1)
            problems.append(problem(where, "missing-key", f"{_label(schema, key)} is missing in {_name(path)}", fix))
        return problems

    if validator == "anyOf" and path and path[0] == "checklists":
        item = path[-1]
        if instance == "n/a":
            return [
                problem(
                    at_value,
                    "na-needs-reason",
                    f"item `{item}` is n/a without a reason",
                    f"write `{item}: {{state: n/a, reason: <why it does not apply>}}`",
                )
            ]
        if isinstance(instance, dict):
            # The mapping branch is the one the author meant: report its own errors.
            problems = []
            for sub_error in error.context or ():
                if sub_error.relative_schema_path and sub_error.relative_schema_path[0] == 1:
                    problems.extend(_translate(sub_error, document, kind))
            return problems
        shown = document.source_token(path) or json.dumps(instance)
        suggestion = _closest(str(instance), ["done", "pending", "n/a"])
        fix = f"did you mean `{suggestion}`?" if suggestion else ("write done, pending, or {state: n/a, reason: ...}")
        return [problem(at_value, "invalid-state", f"`{shown}` is not an item state for `{item}`", fix)]

    if validator == "type":
        expected = error.validator_value
        if expected == "string" and isinstance(instance, (int, float)) and not isinstance(instance, bool):
            written = document.source_token(path) or str(instance)
            key = path[-1] if path else "value"
            read_as = f", which YAML reads as {instance!r}" if str(instance) != written else ""
            return [
                problem(
                    at_value,
                    "value-not-string",
                    f"`{key}` is written as the number {written}{read_as}",
                    f'quote it: `{key}: "{written}"`',
                )
            ]
        if expected == "string" and isinstance(instance, bool):
            written = document.source_token(path) or str(instance).lower()
            return [
                problem(
                    at_value,
                    "value-not-string",
                    f"`{written}` is read as a yes/no value, not text",
                    f'quote it: "{written}"',
                )
            ]
        names = {
            "object": "a mapping (key: value lines)",
            "array": "a list (lines starting with -)",
            "string": "text",
            "integer": "a whole number",
        }
        wanted = names.get(expected, str(expected)) if isinstance(expected, str) else " or ".join(expected)
        return [problem(at_value, "wrong-type", f"{_name(path)} must be {wanted}", _describe(schema))]

    if validator == "enum" or validator == "const":
        allowed = [str(value) for value in (error.validator_value if validator == "enum" else [error.validator_value])]
        suggestion = _alias(str(instance), schema.get("x-aliases", {})) or _closest(str(instance), allowed)
        fix = f"did you mean `{suggestion}`? " if suggestion else ""
        fix += f"allowed: {', '.join(allowed)}"
        shown = document.source_token(path) if not isinstance(instance, str) else instance
        return [problem(at_value, "invalid-value", f"`{shown}` is not allowed for {_name(path)}", fix)]

    if validator == "pattern" and error.validator_value in (SINGLE_LINE, PLAIN_NAME) and isinstance(instance, str):
        return [problem(at_value, "invalid-characters", *_invalid_characters(instance, path))]

    if validator == "pattern":
        return [
            problem(
                at_value,
                "invalid-format",
                f"`{_shorten(instance)}` is not a valid {schema.get('title', _name(path))}",
                _describe(schema),
            )
        ]

    if validator == "format":
        return [
            problem(
                at_value,
                "invalid-date" if error.validator_value == "date" else "invalid-format",
                f"`{_shorten(instance)}` is not a valid {error.validator_value} for {_name(path)}",
                _describe(schema),
            )
        ]

    if validator == "minLength":
        return [problem(at_value, "empty-value", f"{_name(path)} is empty", _describe(schema))]

    rule = "schema" if kind == "record" else f"{kind}-schema"
    return [problem(at_value, rule, f"{_name(path)}: {error.message}", _describe(schema))]


_CONTROL = re.compile(f"[{CONTROL_CHARACTERS}]")
_INVISIBLE = re.compile(f"[{INVISIBLE_CHARACTERS}]")
_CHARACTER_NAMES = {"\n": "a line break", "\r": "a carriage return", "\t": "a tab"}


def character_name(char: str) -> str:
    """``a line break (U+000A)``, ``RIGHT-TO-LEFT OVERRIDE (U+202E)``: what a person can look for."""
    name = _CHARACTER_NAMES.get(char) or unicodedata.name(char, "a control character")
    return f"{name} (U+{ord(char):04X})"


def _invalid_characters(value: str, path: tuple[Any, ...]) -> tuple[str, str]:
    """Message and fix for a one-line value holding a line break, a control or an invisible character."""
    found = _CONTROL.search(value) or _INVISIBLE.search(value)
    char, index = (found.group(0), found.start()) if found else ("\n", len(value))  # the pattern's own reason
    where = f"{_name(path)} holds {character_name(char)} at character {index + 1}"
    if _CONTROL.match(char):
        return where, "write it on one line without control characters: names, roles, titles and links are one line"
    return where, "remove the invisible character: in names, roles and ids it can make them read as something else"


def _describe(schema: dict[str, Any]) -> str:
    description = schema.get("description", "")
    return description.rstrip(".") if description else ""


def _shorten(value: Any, limit: int = 60) -> str:
    text = str(value).replace("\n", "\\n").replace("\x00", "\\0")
    return text if len(text) <= limit else text[: limit - 1] + "…"
