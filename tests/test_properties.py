"""Property-based: random mutations of a valid record either still pass (and render) or fail with
clean problems: a known rule id, a position inside the file, a message and no exception."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from deploydocs.core.cache import RecordCache
from deploydocs.core.catalog import load_catalog
from deploydocs.core.load import LoadError, parse_document
from deploydocs.core.project import Settings, load_project
from deploydocs.core.rules import RULES
from deploydocs.core.schema import record_schema
from deploydocs.core.validate import fast_validator, validator_for, without_annotations
from deploydocs.site.render import Renderer

from repo_support import REPO

RECORD = "records/identity-service/2.3.0-staging.yaml"
CACHE = RecordCache()  # in memory: only the mutated file is read anew in each example
ORIGINAL = (REPO / RECORD).read_text(encoding="utf-8")
LINES = ORIGINAL.split("\n")

tokens = st.sampled_from(
    [
        ": ",
        "- ",
        "[",
        "]",
        "{",
        "}",
        "&a ",
        "*a",
        "!!python/object ",
        "'",
        '"',
        "#",
        "|",
        "\t",
        "\x00",
        "é",
        "1.10",
        "null",
        "true",
        "n/a",
        "done",
        "<script>",
        "../",
        "\r\n",
        "    ",
        "\ufeff",
        "---\n",
    ]
)
text_fragments = st.one_of(st.text(max_size=12), tokens, st.lists(tokens, max_size=4).map("".join))


@st.composite
def mutated(draw: st.DrawFn) -> str:
    lines = list(LINES)
    for _ in range(draw(st.integers(min_value=1, max_value=3))):
        index = draw(st.integers(min_value=0, max_value=len(lines) - 1))
        kind = draw(st.sampled_from(["delete", "duplicate", "insert", "replace-value", "indent", "dedent", "swap"]))
        line = lines[index]
        if kind == "delete":
            del lines[index]
        elif kind == "duplicate":
            lines.insert(index, line)
        elif kind == "insert":
            at = draw(st.integers(min_value=0, max_value=len(line)))
            lines[index] = line[:at] + draw(text_fragments) + line[at:]
        elif kind == "replace-value" and ": " in line:
            lines[index] = line.split(": ", 1)[0] + ": " + draw(text_fragments)
        elif kind == "indent":
            lines[index] = "  " + line
        elif kind == "dedent":
            lines[index] = line[2:] if line.startswith("  ") else line
        elif kind == "swap" and index + 1 < len(lines):
            lines[index], lines[index + 1] = lines[index + 1], line
        if not lines:
            break
    return "\n".join(lines)


def _workspace(root: Path) -> Path:
    if not (root / "records").exists():
        shutil.copytree(REPO / "records", root / "records")
    return root


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=mutated())
def test_a_mutated_record_builds_or_fails_cleanly(tmp_path_factory, text: str) -> None:  # noqa: ANN001
    root = _workspace(tmp_path_factory.getbasetemp() / "mutations")
    (root / RECORD).write_bytes(text.encode("utf-8", "surrogatepass"))
    project = load_project(Settings(root=root, as_of=dt.date(2026, 11, 26), cache_dir=None), CACHE)
    for problem in project.problems:
        assert problem.rule in RULES, problem
        assert problem.message and problem.file
        if problem.file == RECORD and problem.line:
            assert 1 <= problem.line <= text.count("\n") + 1, problem
        assert problem.format().startswith(problem.file)
    if not project.errors:
        mine = next(record for record in project.records if record.path == RECORD)
        page = Renderer(project).guide(project.evaluations[mine.path])
        assert page.src_uri.startswith("deployments/identity-service/staging/") and "<script" not in page.content


FAST = fast_validator(record_schema(load_catalog()))


@settings(max_examples=150, deadline=None)
@given(text=mutated())
def test_the_fast_schema_check_is_never_more_lenient_than_jsonschema(text: str) -> None:
    try:
        document = parse_document(text, RECORD)
    except LoadError:
        return
    if FAST is None or not isinstance(document.data, dict):
        return
    full = list(validator_for(record_schema(load_catalog())).iter_errors(document.data))
    if FAST(document.data):
        assert full == [], [error.message for error in full]


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("date", "2026-02-30"),
        ("date", "2026-2-3"),
        ("attempt", True),
        ("attempt", 1),
        ("version", 2.1),
        ("version", "2.3"),
        ("environment", "prod"),
        ("id", "DEPLOY-X-1.0.0\n"),
        ("signoffs", [{"role": "x"}]),
        ("rolls_back", ""),
        ("changes", None),
        ("checklists", {}),
    ],
)
def test_fast_schema_check_rejects_what_jsonschema_rejects(key: str, value: object) -> None:
    data = dict(parse_document(ORIGINAL, RECORD).data)
    data[key] = value
    full = list(validator_for(record_schema(load_catalog())).iter_errors(data))
    assert full, "the example must be invalid"
    assert FAST is not None and FAST(data) is False


def test_the_fast_check_is_compiled_without_annotations_but_keeps_every_property() -> None:
    schema = {
        "type": "object",
        "title": "A record",
        "properties": {
            "title": {"type": "string", "description": "a property called title", "examples": ["x"]},
            "description": {"anyOf": [{"type": "string", "title": "text"}, {"type": "null"}]},
        },
        "required": ["title", "description"],
        "$defs": {"item": {"items": [{"type": "integer", "default": 1}], "markdownDescription": "…"}},
    }
    assert without_annotations(schema) == {
        "type": "object",
        "properties": {
            "title": {"type": "string"},
            "description": {"anyOf": [{"type": "string"}, {"type": "null"}]},
        },
        "required": ["title", "description"],
        "$defs": {"item": {"items": [{"type": "integer"}]}},
    }
    # The record schema keeps every property, enum and pattern: only what people read is gone.
    full = record_schema(load_catalog())
    lean = without_annotations(full)
    assert json.dumps(lean).count('"properties"') == json.dumps(full).count('"properties"')
    assert json.dumps(lean).count('"enum"') == json.dumps(full).count('"enum"')
    assert '"description"' not in json.dumps(lean).replace('"description": {', "")
