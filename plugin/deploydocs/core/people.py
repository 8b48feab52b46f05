"""People (``records/people.yaml``): who deploys, reviews and signs off, their GitHub login and the
sign-off roles they may give, optionally limited to services or domains of the registry.

Names are compared by identity, not spelling: Unicode NFKC normalisation, whitespace collapsed,
case folded. Zero-width and bidirectional control characters are refused in names (they make two
different strings look the same); for comparing, they are dropped, so a hidden character never
gets a name past separation of duties.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from .catalog import Catalog
from .load import Document, LoadError, load_document
from .model import Signoff
from .problems import Problem

DEPLOYING_ENGINEER = "deploying-engineer"
"""The one sign-off role given by the deployer; every other role is a reviewer role."""

# Zero-width characters and bidirectional controls (the same set as schema.NO_HIDDEN): Unicode
# format characters that render as nothing or reorder text. Any other format character (category
# Cf) is refused too, see hidden_characters.
HIDDEN = frozenset(
    "\u00ad\u061c\u180e\ufeff"
    + "".join(map(chr, range(0x200B, 0x2010)))
    + "".join(map(chr, range(0x202A, 0x202F)))
    + "".join(map(chr, range(0x2060, 0x2065)))
    + "".join(map(chr, range(0x2066, 0x2070)))
)
_SPACES = re.compile(r"\s+")


def hidden_characters(name: str) -> list[str]:
    """The invisible characters in ``name`` (``U+200B``-style), in order of appearance."""
    return [f"U+{ord(char):04X}" for char in name if char in HIDDEN or unicodedata.category(char) == "Cf"]


def identity_key(name: str) -> str:
    """What two spellings of one name share: NFKC, hidden characters dropped, whitespace collapsed,
    case folded (NFKC again after folding, which can denormalise)."""
    text = unicodedata.normalize("NFKC", name)
    text = "".join(char for char in text if not (char in HIDDEN or unicodedata.category(char) == "Cf"))
    text = _SPACES.sub(" ", text).strip().casefold()
    return unicodedata.normalize("NFKC", text)


def login_key(login: str) -> str:
    """GitHub logins are case-insensitive."""
    return login.strip().casefold()


@dataclass(frozen=True)
class PersonEntry:
    """One person of people.yaml."""

    index: int  # position in the list (for file:line:col)
    name: str
    github: str
    roles: tuple[str, ...]
    services: tuple[str, ...] = ()
    domains: tuple[str, ...] = ()

    @property
    def key(self) -> str:
        return identity_key(self.name)

    def may_sign(self, role: str, service: str, domain: str | None) -> bool:
        """Whether this person may give ``role`` on a record of ``service`` (of ``domain``)."""
        if role not in self.roles:
            return False
        if not (self.services or self.domains):
            return True
        return service in self.services or (domain is not None and domain in self.domains)

    def scope(self) -> str:
        """``for identity-service, Core`` or "" when unrestricted."""
        limits = [*self.services, *(f"{d} domain" for d in self.domains)]
        return f" (for {', '.join(limits)} only)" if limits else ""


@dataclass(frozen=True)
class People:
    path: str
    people: tuple[PersonEntry, ...] = ()
    document: Document | None = None
    _by_name: dict[str, PersonEntry] = field(default_factory=dict, repr=False, compare=False)
    _by_login: dict[str, PersonEntry] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        for person in self.people:
            self._by_name.setdefault(person.key, person)
            self._by_login.setdefault(login_key(person.github), person)

    def by_name(self, name: str) -> PersonEntry | None:
        return self._by_name.get(identity_key(name)) if name else None

    def by_login(self, login: str) -> PersonEntry | None:
        return self._by_login.get(login_key(login)) if login else None

    def who_may_sign(self, role: str, service: str, domain: str | None) -> list[PersonEntry]:
        return [person for person in self.people if person.may_sign(role, service, domain)]

    def position(self, index: int, key: str) -> tuple[int, int]:
        if self.document is None:
            return (0, 0)
        return self.document.positions.of_value(("people", index, key))


def identity(name: str, people: People | None) -> str:
    """Who a name stands for: the person's login when people.yaml knows the name, else the name's
    identity key (so two unknown spellings of one name still compare equal)."""
    person = people.by_name(name) if people is not None else None
    return "@" + login_key(person.github) if person else identity_key(name)


CURRENT, STALE, UNVERIFIED = "current", "stale", "unverified"


def signoff_standing(signoff: Signoff, stale_roles: set[str], people: People | None) -> str:
    """How a sign-off stands, as the guide shows it: ``stale`` (what it covers, or who signed,
    changed since), ``current`` (fingerprinted, by a person of people.yaml with their login), or
    ``unverified`` (no fingerprint, or a signer or login people.yaml does not confirm)."""
    if signoff.role in stale_roles:
        return STALE
    person = people.by_name(signoff.name) if people is not None else None
    if not signoff.fingerprint or person is None or login_key(person.github) != login_key(signoff.github):
        return UNVERIFIED
    return CURRENT


def load_people(
    path: Path, display: str, catalog: Catalog, services: set[str] | None = None, raw: bytes | None = None
) -> People:
    """Load and check people.yaml (``raw``: its bytes, read already); raises LoadError with every
    problem. A missing file is no people."""
    from .schema import people_schema  # schema and validate import jsonschema: only when loading
    from .validate import schema_problems

    if raw is None and not path.exists():
        return People(path=display)
    document = load_document(path, display, raw)
    own = check_people(document, services)  # tolerant of what the schema reports: all at once
    # A hidden character breaks the schema's name pattern too (for editors): one problem, the clear one.
    hidden = {(p.line, p.column) for p in own if p.rule == "name-hidden-character"}
    schema = [
        p for p in schema_problems(document, people_schema(catalog), "people") if (p.line, p.column) not in hidden
    ]
    problems = document.problems + schema + own
    if problems:
        raise LoadError(problems)
    return build_people(document)


def build_people(document: Document) -> People:
    """The people of a document that passed :func:`load_people`'s checks."""
    people = tuple(
        PersonEntry(
            index=index,
            name=entry["name"],
            github=entry["github"],
            roles=tuple(entry["roles"]),
            services=tuple(entry.get("services", ())),
            domains=tuple(entry.get("domains", ())),
        )
        for index, entry in enumerate(document.data["people"])
    )
    return People(path=document.path, people=people, document=document)


def check_people(document: Document, services: set[str] | None) -> list[Problem]:
    """What the schema cannot say: hidden characters, one entry per name and per login, known services."""
    problems: list[Problem] = []

    def bad(path: tuple[object, ...], rule: str, message: str, fix: str) -> None:
        line, column = document.positions.of_value(path)
        problems.append(Problem(document.path, line, column, rule, message, fix))

    names: dict[str, int] = {}
    logins: dict[str, int] = {}
    data = document.data if isinstance(document.data, dict) else {}
    entries = data.get("people") if isinstance(data.get("people"), list) else []
    for index, entry in enumerate(entries):
        if not (
            isinstance(entry, dict) and isinstance(entry.get("name"), str) and isinstance(entry.get("github"), str)
        ):
            continue  # the schema reports it
        if hidden_characters(entry["name"]):
            bad(
                ("people", index, "name"),
                "name-hidden-character",
                f"the name contains invisible characters ({', '.join(hidden_characters(entry['name']))})",
                "retype the name without zero-width or bidirectional characters",
            )
        key = identity_key(entry["name"])
        if key in names:
            bad(
                ("people", index, "name"),
                "people-duplicate",
                f"{entry['name']} is already listed (entry {names[key] + 1}): names compare ignoring case, "
                "spacing and Unicode spelling",
                "keep one entry per person",
            )
        names.setdefault(key, index)
        login = login_key(entry["github"])
        if login in logins:
            bad(
                ("people", index, "github"),
                "people-duplicate",
                f"GitHub login {entry['github']} is already listed (entry {logins[login] + 1})",
                "one login belongs to one person",
            )
        logins.setdefault(login, index)
        listed = entry.get("services") if isinstance(entry.get("services"), list) else []
        for service_index, service in enumerate(listed):
            if services is not None and isinstance(service, str) and service not in services:
                bad(
                    ("people", index, "services", service_index),
                    "people-unknown-service",
                    f"service `{service}` is not in the services registry",
                    "use a service id from records/services.yaml",
                )
    return problems


CODEOWNERS_HEADER = """\
# Generated by `deploydocs codeowners` from {people} and {registry}: do not edit by hand.
# GitHub requests a review from the people who may give a reviewer sign-off on each service's
# records; `deploydocs review --reviews` then checks each sign-off against its signer's approval.
"""


def codeowners(people: People, services: dict[str, str], records_dir: str, registry: str) -> str:
    """``.github/CODEOWNERS``: per service (id -> domain), everyone who may give a reviewer role on
    it; people.yaml and the registry are owned by those who may give operations-manager anywhere."""
    lines = [CODEOWNERS_HEADER.format(people=people.path, registry=registry)]

    def owners(found: list[PersonEntry]) -> str:
        return " ".join(sorted({"@" + person.github for person in found}, key=str.casefold))

    managers = [p for p in people.people if "operations-manager" in p.roles]
    for path in (people.path, registry):
        if managers:
            lines.append(f"/{path} {owners(managers)}")
    for service in sorted(services):
        reviewers = [
            person
            for person in people.people
            if any(
                role != DEPLOYING_ENGINEER and person.may_sign(role, service, services[service])
                for role in person.roles
            )
        ]
        if reviewers:
            lines.append(f"/{records_dir.strip('/')}/{service}/ {owners(reviewers)}")
    return "\n".join(lines) + "\n"
