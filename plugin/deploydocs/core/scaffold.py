"""A new record's text, derived from the catalog: every item pending, with the template's wording as
comments so the author never needs the template open beside the file."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .catalog import CHECKLIST, FIELDS, TABLE, TEXT, Catalog, Item
from .rules import expected_id
from .schema import RECORD_SCHEMA_FILE


@dataclass
class ScaffoldRequest:
    service: str
    version: str
    environment: str
    type: str
    date: dt.date
    deployed_by: tuple[str, str]
    reviewed_by: tuple[str, str]
    changes: str = ""
    rolls_back: str = ""
    attempt: int = 1
    carried: dict[str, Any] = field(default_factory=dict)  # support_team, escalation_matrix, known_issues


def yaml_scalar(value: Any) -> str:
    """A YAML scalar: plain when safe, JSON-quoted otherwise (JSON strings are valid YAML)."""
    if isinstance(value, bool) or value is None:
        return json.dumps(value)
    if isinstance(value, int):
        return str(value)
    text = str(value)
    plain_safe = (
        text
        and text == text.strip()
        and not any(ch in text for ch in ":#{}[],&*!|>'\"%@`\n\\")
        and text[0] not in "-?"
        and text.lower() not in ("true", "false", "null", "yes", "no", "~", "on", "off")
    )
    try:
        float(text)
        plain_safe = False
    except ValueError:
        pass
    return text if plain_safe else json.dumps(text, ensure_ascii=False)


def yaml_flow(mapping: dict[str, Any]) -> str:
    """A one-line YAML mapping, ``{key: value, ...}``; nested mappings are flowed too."""
    parts = (
        f"{key}: {yaml_flow(value) if isinstance(value, dict) else yaml_scalar(value)}"
        for key, value in mapping.items()
    )
    return "{" + ", ".join(parts) + "}"


def header_lines(service: str, version: str, environment: str) -> list[str]:
    """A record's first lines: the editor's schema modeline and how to write items."""
    return [
        f"# yaml-language-server: $schema=../../schemas/{RECORD_SCHEMA_FILE}",
        f"# Deployment guide of {service} {version} in {environment}.",
        "# Items: done | pending | {state: n/a, reason: ...}; add evidence:, note:, by: in a mapping.",
    ]


def item_comment(item: Item) -> str:
    """The template's number and wording of an item, as the comment beside it."""
    return f"# {item.number} {item.description}" + (" (n/a allowed with a reason)" if item.if_applicable else "")


def item_column(catalog: Catalog) -> int:
    """Where item comments start (``key: pending`` of the longest key, padded): one column per file."""
    return max(len(item.key) for item in catalog.items()) + len(": pending")


def checklist_lines(catalog: Catalog, item_lines: Callable[[Item, int], list[str]]) -> list[str]:
    """The ``checklists:`` block in the scaffold's layout: each section and subsection under a comment with
    the template's number and title, each item as ``item_lines(item, item_column)`` writes it."""
    lines = ["checklists:"]
    width = item_column(catalog)
    for section in catalog.checklist_sections:
        lines.append(f"  # {section.number}. {section.title}")
        lines.append(f"  {section.key}:")
        for sub in section.subsections:
            lines.append(f"    # {sub.number} {sub.title}")
            lines.append(f"    {sub.key}:")
            for item in sub.items:
                lines.extend(item_lines(item, width))
        lines.append("")
    return lines


def _pending(item: Item) -> str:
    """A new record's entry for an item: pending, with the defaults of its parameters."""
    values = {p.key: p.default for p in item.parameters if p.default is not None}
    return f"{item.key}: {yaml_flow({'state': 'pending', **values})}" if values else f"{item.key}: pending"


def scaffold(request: ScaffoldRequest, catalog: Catalog) -> str:
    """YAML text of a new ``planned`` record."""
    lines = [
        *header_lines(request.service, request.version, request.environment),
        f"id: {expected_id(request.service, request.version)}",
        f"service: {request.service}",
        f"version: {yaml_scalar(request.version)}",
        f"environment: {request.environment}",
        f"type: {request.type}",
        "status: planned",
    ]
    if request.attempt > 1:
        lines.append(f"attempt: {request.attempt}")
    lines += [
        f"date: {request.date.isoformat()}",
        f"deployed_by: {yaml_flow({'name': request.deployed_by[0], 'role': request.deployed_by[1]})}",
        f"reviewed_by: {yaml_flow({'name': request.reviewed_by[0], 'role': request.reviewed_by[1]})}",
    ]
    if request.changes:
        lines.append(f"changes: {yaml_scalar(request.changes)}")
    if request.rolls_back:
        lines.append(f"rolls_back: {request.rolls_back}")
    lines.append("")
    lines += checklist_lines(
        catalog, lambda item, width: [f"      {_pending(item).ljust(width)}  {item_comment(item)}"]
    )
    for sub in catalog.subsections():
        if sub.kind == CHECKLIST or sub.kind not in (TABLE, FIELDS, TEXT):
            continue
        carried = request.carried.get(sub.key)
        lines.append(f"# {sub.number} {sub.title}: {sub.description}")
        if sub.kind == TABLE:
            if carried:
                lines.append(f"{sub.key}:")
                lines.extend(f"  - {yaml_flow(row)}" for row in carried)
            else:
                columns = [c.key for c in sub.columns]
                if sub.key == "known_issues":  # carried across deployments by id
                    columns = ["id", *columns, "opened", "resolved"]
                lines.append(f"{sub.key}: []  # rows of {{{', '.join(columns)}}}")
        elif sub.kind == FIELDS:
            lines.append(f"{sub.key}:" if carried else f"# {sub.key}:")
            for column in sub.columns:
                value = (carried or {}).get(column.key)
                if value:
                    lines.append(f"  {column.key}: {yaml_scalar(value)}")
                else:
                    lines.append(f"#   {column.key}: ...  # {column.description}")
        else:
            lines.append(f"# {sub.key}: |")
            lines.append("#   ...")
        lines.append("")
    lines.append("# 11 Deployment Sign-offs: `deploydocs sign --role ROLE --name NAME <this file>` adds them.")
    lines.append("signoffs: []")
    return "\n".join(lines) + "\n"
