"""The editor, for real: yaml-language-server (npm) driven over LSP stdio with the committed schemas,
associated by each file's `# yaml-language-server: $schema=` modeline, as VS Code's YAML extension
does. Hover shows each item's own title (also for items written as a mapping), completion offers
missing keys, states, enum values and policy parts, and the server's diagnostics on a broken record
are the faults `deploydocs check` reports from the schema."""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from lsp_client import LanguageServer

from repo_support import REPO, Repo

SERVER = Path(__file__).resolve().parent / "node_modules" / "yaml-language-server" / "bin" / "yaml-language-server"

RECORD = "records/identity-service/2.3.0-production.yaml"
POLICY = "plugin/deploydocs/core/data/policy.yaml"
# What `deploydocs check` reports from the JSON Schema (core/validate.py), as opposed to the rules
# run on the typed record, which no editor knows.
SCHEMA_RULES = {
    "empty-value", "invalid-date", "invalid-format", "invalid-state", "invalid-value", "missing-key",
    "na-needs-reason", "unknown-key", "value-not-string", "wrong-type",
}  # fmt: skip
SETTINGS = {"yaml": {"validate": True, "hover": True, "completion": True, "schemaStore": {"enable": False}}}


@pytest.fixture(scope="module")
def server(node_for_server: str) -> Iterator[LanguageServer]:
    language_server = LanguageServer([node_for_server, str(SERVER), "--stdio"], REPO, SETTINGS)
    try:
        yield language_server
    finally:
        language_server.close()


_OPENED = itertools.count(1)


def _open(server: LanguageServer, path: Path, text: str) -> str:
    """Open ``text`` as a new document beside ``path`` (the modeline's relative schema path still
    resolves; nothing is written to disk), once the server has validated it."""
    uri = path.with_name(f"edit-{next(_OPENED)}-{path.name}").as_uri()
    server.open(uri, text)
    server.wait_diagnostics(uri)  # validated: the schema is loaded
    return uri


def _line(text: str, pattern: str) -> int:
    """0-based line of the first match."""
    return next(n for n, line in enumerate(text.splitlines()) if re.search(pattern, line))


def _items_in(text: str) -> list[tuple[int, str, str]]:
    """(0-based line, item path, "plain" or "mapping") for every checklist item of a record's text
    (sections, subsections and items indented by 2, 4 and 6 spaces, as `new` writes them)."""
    found, section, subsection, inside = [], "", "", False
    for number, line in enumerate(text.splitlines()):
        if re.match(r"^\S", line):
            inside = line.startswith("checklists:")
        match = re.match(r"^( *)(\w+):(.*)$", line)
        if not inside or not match:
            continue
        indent, key, rest = len(match.group(1)), match.group(2), match.group(3).split("#")[0].strip()
        if indent == 2:
            section = key
        elif indent == 4:
            subsection = key
        elif indent == 6:
            found.append(
                (
                    number,
                    f"{section}.{subsection}.{key}",
                    "mapping" if rest in ("", "{") or rest.startswith("{") else "plain",
                )
            )
    return found


def _catalog_titles() -> dict[str, str]:
    from deploydocs.core.catalog import load_catalog

    return {item.path: f"{item.number} {item.display_title()}" for item in load_catalog().items()}


def test_hover_shows_each_items_own_title_plain_or_mapping(server: LanguageServer) -> None:
    path = REPO / RECORD
    text = path.read_text(encoding="utf-8")
    uri = _open(server, path, text)
    assert server.diagnostics[uri] == []  # the sample record is valid for the editor too
    titles = _catalog_titles()
    items = _items_in(text)
    assert {form for _, _, form in items} == {"plain", "mapping"}
    wrong = []
    for line, item, form in items:
        hover = server.hover(uri, line, 7)
        shown = re.sub(r"\\(.)", r"\1", hover.split("\n", 1)[0])  # the server escapes Markdown: \[…\]
        if shown != f"#### {titles[item]}":
            wrong.append(f"{item} ({form}): {shown or '(no hover)'}")
    assert wrong == [], wrong
    # A plain item also lists its states; a mapping item's keys have their own titles.
    assert "`done`" in server.hover(uri, _line(text, r"^      secrets: done"), 7)
    evidence = _line(text, r"^        evidence: ")
    assert server.hover(uri, evidence, 9).startswith("#### Evidence\n")


def _complete(server: LanguageServer, path: Path, text: str, line: int, character: int) -> set[str]:
    uri = _open(server, path, text)
    return {item["label"] for item in server.completion(uri, line, character)}


def test_completion_offers_missing_keys_states_and_enum_values(server: LanguageServer) -> None:
    path = REPO / RECORD
    text = path.read_text(encoding="utf-8")
    # A missing item of the checklist, on an empty line of its subsection.
    without = re.sub(r"(?m)^      secrets: .*$", "      ", text)
    labels = _complete(server, path, without, _line(without, r"^      $"), 6)
    assert "secrets" in labels and "code_version" not in labels  # offered once: only what is missing
    # A missing top-level key.
    without = re.sub(r"(?m)^outcome_reason: .*\n", "", text).replace("\noutcome: issues\n", "\n\n", 1)
    labels = _complete(server, path, without, _line(without, r"^changes: ") + 1, 0)
    assert {"outcome", "outcome_reason"} <= labels and "service" not in labels
    # Enum values: environments, and an item's states.
    blank = re.sub(r"(?m)^environment: production$", "environment: ", text)
    assert {"production", "staging", "pre-prod", "development"} <= _complete(
        server, path, blank, _line(blank, r"^environment: $"), len("environment: ")
    )
    blank = re.sub(r"(?m)^      secrets: done.*$", "      secrets: ", text)  # the comment too
    line = _line(blank, r"^      secrets: ")
    assert {"done", "pending"} <= _complete(server, path, blank, line, len("      secrets: "))


def test_the_policy_schema_describes_and_completes(server: LanguageServer) -> None:
    path = REPO / POLICY
    text = path.read_text(encoding="utf-8")
    uri = _open(server, path, text)
    assert server.diagnostics[uri] == []
    assert server.hover(uri, _line(text, r"^lifecycle:"), 2).startswith("#### Lifecycle\n")
    assert server.hover(uri, _line(text, r"^deployment_types:"), 2).startswith("#### Deployment types\n")
    # The parts of a `requires:` list complete from the catalog (the schema's examples).
    first = _line(text, r"^      - pre_deployment$")
    edited = text.splitlines()
    edited[first] = "      - "
    labels = _complete(server, path, "\n".join(edited) + "\n", first, len("      - "))
    assert {"pre_deployment", "deployment.pre_flight_checks"} <= labels


def test_diagnostics_on_a_broken_record_are_the_faults_check_finds(server: LanguageServer, repo: Repo) -> None:
    text = repo.read(RECORD)
    broken = text.replace("environment: production", "environment: prodution", 1)
    broken = re.sub(r"(?m)^(      secrets): done", r"\1: doen", broken)
    broken = re.sub(r"(?m)^(      )unit_tests:", r"\1unit_test:", broken)  # unknown, and 1.2.1 missing
    broken = re.sub(r"(?m)^(      integration_tests): \S.*$", r"\1: {state: n/a}", broken)
    broken = re.sub(r"(?m)^(      \w+): done(\s)", r"\1: {state: done, evidnce: x}\2", broken, count=1)
    assert broken.count("\n") == text.count("\n")
    repo.write(RECORD, broken)
    run = repo.cli("check", "--format", "json", "--no-cache", RECORD)
    found = [p for p in json.loads(run.stdout)["problems"] if p["file"] == RECORD and p["rule"] in SCHEMA_RULES]
    assert {p["rule"] for p in found} >= {"invalid-value", "invalid-state", "unknown-key", "missing-key"}
    uri = repo.path(RECORD).as_uri()
    server.open(uri, broken)
    diagnostics = [d for d in server.wait_diagnostics(uri) if d.get("severity", 1) == 1]
    editor_lines = sorted({d["range"]["start"]["line"] + 1 for d in diagnostics})
    check_lines = sorted({p["line"] for p in found})
    assert editor_lines == check_lines, (
        [f"{d['range']['start']['line'] + 1}: {d['message']}" for d in diagnostics],
        [f"{p['line']}: [{p['rule']}] {p['message']}" for p in found],
    )
