"""The deployment guide template as data: sections, subsections and items.

Everything else (schema, scaffold, pages, progress) derives from the one catalog loaded here from
``data/catalog.yaml``. Section and subsection numbers come from their order, never typed.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache, cached_property
from importlib import resources
from typing import Any

CHECKLIST = "checklist"
TABLE = "table"
FIELDS = "fields"
TEXT = "text"
SIGNOFFS = "signoffs"
GENERATED = "generated"


@dataclass(frozen=True)
class Parameter:
    """A placeholder of the template (``[X] hours``) that a record fills in beside the state."""

    key: str
    title: str
    type: str  # "integer" or "string"
    default: Any = None


@dataclass(frozen=True)
class Item:
    """One checklist item, such as 1.1.3 Secrets."""

    key: str
    title: str
    description: str
    number: str
    section_key: str
    subsection_key: str
    if_applicable: bool = False
    parameters: tuple[Parameter, ...] = ()

    # Cached: every record keys its 134 items by path, and one shared string per item (instead of a
    # new one per record) is a tenth of a loaded record's memory.
    @cached_property
    def path(self) -> str:
        """Dotted address, e.g. ``pre_deployment.code_and_configuration.secrets``."""
        return f"{self.section_key}.{self.subsection_key}.{self.key}"

    def display_title(self, values: dict[str, Any] | None = None, unfilled: str = "[…]") -> str:
        """The title with its parameters filled in (``Monitor service for 24 hours``); a parameter with
        neither a value nor a default becomes ``unfilled``, where ``{title}`` stands for its title."""
        if not self.parameters:
            return self.title
        filled = {}
        for parameter in self.parameters:
            value = (values or {}).get(parameter.key, parameter.default)
            filled[parameter.key] = unfilled.replace("{title}", parameter.title.lower()) if value is None else value
        return self.title.format(**filled)


@dataclass(frozen=True)
class Column:
    """A column of a table subsection, or a field of a fields subsection."""

    key: str
    title: str
    description: str
    required: bool = False
    enum: tuple[str, ...] = ()


@dataclass(frozen=True)
class Subsection:
    key: str
    title: str
    kind: str
    number: str
    section_key: str
    description: str = ""
    if_applicable: bool = False
    items: tuple[Item, ...] = ()
    columns: tuple[Column, ...] = ()

    @property
    def path(self) -> str:
        return f"{self.section_key}.{self.key}"

    @property
    def record_path(self) -> tuple[str, ...]:
        """Where a record holds this subsection."""
        if self.kind == CHECKLIST:
            return ("checklists", self.section_key, self.key)
        return (self.key,)


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    number: str
    subsections: tuple[Subsection, ...]

    @property
    def is_checklist(self) -> bool:
        return all(sub.kind == CHECKLIST for sub in self.subsections)


@dataclass(frozen=True)
class Term:
    """A word of a closed vocabulary (environment, type, status, role, ...)."""

    key: str
    title: str
    description: str = ""
    aliases: tuple[str, ...] = ()
    terminal: bool = False


@dataclass(frozen=True)
class Catalog:
    sections: tuple[Section, ...]
    signoff_roles: tuple[Term, ...]
    environments: tuple[Term, ...]
    deployment_types: tuple[Term, ...]
    statuses: tuple[Term, ...]
    outcomes: tuple[Term, ...]
    domains: tuple[str, ...]
    standard_acronyms: tuple[dict[str, str], ...]
    _by_path: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    def subsections(self, kind: str | None = None) -> Iterator[Subsection]:
        for section in self.sections:
            for subsection in section.subsections:
                if kind is None or subsection.kind == kind:
                    yield subsection

    def items(self) -> Iterator[Item]:
        for subsection in self.subsections(CHECKLIST):
            yield from subsection.items

    @property
    def checklist_sections(self) -> tuple[Section, ...]:
        return tuple(section for section in self.sections if section.is_checklist)

    def find(self, path: str) -> Section | Subsection | Item | None:
        """A section, subsection or item by its dotted path (``deployment.pre_flight_checks``)."""
        return self._by_path.get(path)

    def term(self, vocabulary: str, key: str) -> Term | None:
        for term in getattr(self, vocabulary):
            if term.key == key:
                return term
        return None


def _terms(raw: list[dict[str, Any]]) -> tuple[Term, ...]:
    return tuple(
        Term(
            key=entry["key"],
            title=entry["title"],
            description=entry.get("description", ""),
            aliases=tuple(entry.get("aliases", ())),
            terminal=bool(entry.get("terminal", False)),
        )
        for entry in raw
    )


def _subsection(raw: dict[str, Any], section_key: str, number: str) -> Subsection:
    items = tuple(
        Item(
            key=entry["key"],
            title=entry["title"],
            description=entry["description"],
            number=f"{number}.{index}",
            section_key=section_key,
            subsection_key=raw["key"],
            if_applicable=bool(entry.get("if_applicable", raw.get("if_applicable", False))),
            parameters=tuple(Parameter(**parameter) for parameter in entry.get("parameters", ())),
        )
        for index, entry in enumerate(raw.get("items", ()), start=1)
    )
    columns = tuple(
        Column(
            key=entry["key"],
            title=entry["title"],
            description=entry["description"],
            required=bool(entry.get("required", False)),
            enum=tuple(entry.get("enum", ())),
        )
        for entry in raw.get("columns", raw.get("fields", ()))
    )
    return Subsection(
        key=raw["key"],
        title=raw["title"],
        kind=raw["kind"],
        number=number,
        section_key=section_key,
        description=raw.get("description", ""),
        if_applicable=bool(raw.get("if_applicable", False)),
        items=items,
        columns=columns,
    )


def build_catalog(raw: dict[str, Any]) -> Catalog:
    """Turn the raw catalog mapping into frozen data classes, numbering as it goes."""
    sections = []
    for section_index, section_raw in enumerate(raw["sections"], start=1):
        subsections = tuple(
            _subsection(sub, section_raw["key"], f"{section_index}.{sub_index}")
            for sub_index, sub in enumerate(section_raw["subsections"], start=1)
        )
        sections.append(
            Section(
                key=section_raw["key"],
                title=section_raw["title"],
                number=str(section_index),
                subsections=subsections,
            )
        )
    catalog = Catalog(
        sections=tuple(sections),
        signoff_roles=_terms(raw["signoff_roles"]),
        environments=_terms(raw["environments"]),
        deployment_types=_terms(raw["deployment_types"]),
        statuses=_terms(raw["statuses"]),
        outcomes=_terms(raw["outcomes"]),
        domains=tuple(raw["domains"]),
        standard_acronyms=tuple(dict(entry) for entry in raw["standard_acronyms"]),
    )
    for section in catalog.sections:
        catalog._by_path[section.key] = section
        for subsection in section.subsections:
            catalog._by_path[subsection.path] = subsection
            for item in subsection.items:
                catalog._by_path[item.path] = item
    return catalog


@cache
def load_catalog() -> Catalog:
    """The catalog shipped with the package (read once per process)."""
    text = resources.files("deploydocs.core").joinpath("data/catalog.yaml").read_text(encoding="utf-8")
    from .load import parse_document  # the fast reader; catalog.yaml is plain YAML like a record

    return build_catalog(parse_document(text, "deploydocs/data/catalog.yaml").data)
