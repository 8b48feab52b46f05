"""The services registry (``records/services.yaml``): every deployable SmartEdify service."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .catalog import Catalog
from .load import Document, LoadError, load_document
from .problems import Problem


@dataclass(frozen=True)
class Service:
    id: str
    name: str
    port: int
    domain: str
    purpose: str
    status: str
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class Registry:
    path: str
    services: dict[str, Service]
    # Problems that do not keep the registry from loading: secrets (its names and purposes are
    # published on every service page).
    problems: tuple[Problem, ...] = ()

    def get(self, service_id: str) -> Service | None:
        return self.services.get(service_id)

    def canonical(self, name: str) -> str | None:
        """The canonical id for an alias (``user-profile-service`` -> ``user-profiles-service``)."""
        for service in self.services.values():
            if name in service.aliases:
                return service.id
        return None


def load_registry(path: Path, display: str, catalog: Catalog, raw: bytes | None = None) -> Registry:
    """Load and check the registry (``raw``: its bytes, read already); raises LoadError with every problem."""
    # Imported here: validate imports jsonschema, and the secret scan compiles its rules on first use.
    # A build whose setup verdict is cached needs neither (project.load_setup).
    from .schema import registry_schema
    from .secrets import secret_problems
    from .validate import schema_problems

    document = load_document(path, display, raw)
    problems = document.problems + schema_problems(document, registry_schema(catalog), "registry")
    if not problems:
        problems = check_registry(document)
    found = secret_problems(document)
    if problems:
        raise LoadError([*problems, *found])
    return build_registry(document, tuple(found))


def build_registry(document: Document, problems: tuple[Problem, ...] = ()) -> Registry:
    """The registry of a document that passed :func:`load_registry`'s checks, with the ``problems``
    that did not keep it from loading."""
    services = {
        service_id: Service(
            id=service_id,
            name=entry["name"],
            port=entry["port"],
            domain=entry["domain"],
            purpose=entry["purpose"],
            status=entry["status"],
            aliases=tuple(entry.get("aliases", ())),
        )
        for service_id, entry in document.data["services"].items()
    }
    return Registry(path=document.path, services=services, problems=problems)


def check_registry(document: Document) -> list[Problem]:
    """Rules the schema cannot say: one service per port, one owner per alias."""
    problems = []
    port_owner: dict[int, str] = {}
    name_owner: dict[str, str] = {}
    for service_id, entry in document.data["services"].items():
        port = entry["port"]
        if port in port_owner:
            line, column = document.positions.of_value(("services", service_id, "port"))
            problems.append(
                Problem(
                    document.path,
                    line,
                    column,
                    "registry-duplicate-port",
                    f"port {port} of `{service_id}` is already used by `{port_owner[port]}`",
                    "give each service its own port",
                )
            )
        port_owner.setdefault(port, service_id)
        name_owner.setdefault(service_id, service_id)
    for service_id, entry in document.data["services"].items():
        for index, alias in enumerate(entry.get("aliases", ())):
            if alias in name_owner and name_owner[alias] != service_id:
                line, column = document.positions.of_value(("services", service_id, "aliases", index))
                problems.append(
                    Problem(
                        document.path,
                        line,
                        column,
                        "registry-duplicate-alias",
                        f"alias `{alias}` of `{service_id}` is already the name of `{name_owner[alias]}`",
                        "remove the alias or rename one of the services",
                    )
                )
            name_owner.setdefault(alias, service_id)
    return problems
