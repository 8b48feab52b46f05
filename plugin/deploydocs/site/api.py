"""The machine-readable export: ``api/deployments.json`` and ``api/services.json``.

The shape is a contract (documented in docs/api.md, checked against the schemas below in tests):
add fields freely, but bump ``API_VERSION`` before renaming or removing one.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable
from typing import Any

from deploydocs.core.catalog import Catalog
from deploydocs.core.evaluate import Evaluation, Progress

from .portfolio import KnownIssue, Portfolio

API_VERSION = 1
DEPLOYMENTS_FILE = "api/deployments.json"
SERVICES_FILE = "api/services.json"


def _progress(progress: Progress) -> dict[str, int]:
    """The counts, then the derived figures (the order of the export's schema)."""
    return {**dataclasses.asdict(progress), "applicable": progress.applicable, "percent": progress.percent}


def _issue(issue: KnownIssue) -> dict[str, Any]:
    return {
        "id": issue.id,
        "service": issue.service,
        "issue": issue.issue,
        "impact": issue.impact,
        "workaround": issue.workaround,
        "resolution": issue.resolution,
        "opened": issue.opened.isoformat() if issue.opened else None,
        "resolved": issue.resolved.isoformat() if issue.resolved else None,
        "first_recorded_in": issue.first_seen.url,
        "last_recorded_in": issue.last_seen.url,
    }


def deployment_entry(evaluation: Evaluation) -> dict[str, Any]:
    record = evaluation.record
    return {
        "id": record.id,
        "key": f"{record.service}/{record.environment}/{record.slug}",
        "service": record.service,
        "version": record.version,
        "environment": record.environment,
        "type": record.type,
        "status": record.status,
        "attempt": record.attempt,
        "date": record.date.isoformat() if record.date else None,
        "deployed_by": {"name": record.deployed_by.name, "role": record.deployed_by.role}
        if record.deployed_by
        else None,
        "reviewed_by": {"name": record.reviewed_by.name, "role": record.reviewed_by.role}
        if record.reviewed_by
        else None,
        "changes": record.changes,
        "outcome": record.outcome or None,
        "rolls_back": record.rolls_back or None,
        "url": record.url,
        "source": record.path,
        "meets_status": evaluation.meets_status,
        "missing": [gap.label for gap in evaluation.gaps],
        "next_status": evaluation.next_status,
        "missing_for_next_status": [gap.label for gap in evaluation.next_gaps],
        "completeness": _progress(evaluation.overall),
        "sections": {key: _progress(progress) for key, progress in evaluation.sections.items()},
        "signoffs": [
            {"role": s.role, "name": s.name, "github": s.github or None, "date": s.date.isoformat() if s.date else None}
            for s in record.signoffs
        ],
        "attention": list(evaluation.attention),
    }


def deployments_json(portfolio: Portfolio, entry_json: Callable[[Evaluation], str] | None = None) -> str:
    """``api/deployments.json``: ``json.dumps(payload, indent=2, ensure_ascii=False)``, written entry by
    entry so that a caller can keep each entry's text between builds (``entry_json``, by default
    :func:`deployment_json`): an edit then serializes one entry again, not thousands."""
    evaluations = sorted(
        portfolio.project.evaluations.values(),
        key=lambda e: (e.record.service, e.record.environment, e.record.slug),
    )
    entries = [(entry_json or deployment_json)(e) for e in evaluations]
    return _object_with_list(
        {"version": API_VERSION, "as_of": portfolio.project.as_of.isoformat()}, "deployments", entries
    )


def deployment_json(evaluation: Evaluation) -> str:
    """One deployment's entry as ``json.dumps(..., indent=2)`` writes it at the top level."""
    return json.dumps(deployment_entry(evaluation), indent=2, ensure_ascii=False)


def _object_with_list(head: dict[str, Any], key: str, items: list[str]) -> str:
    """``json.dumps({**head, key: [...]}, indent=2, ensure_ascii=False) + "\n"`` from the list's items
    already serialized (each as ``json.dumps(item, indent=2)``): their lines move two levels in."""
    lines = ["{"]
    lines += [
        f"  {json.dumps(name, ensure_ascii=False)}: {json.dumps(value, ensure_ascii=False)},"
        for name, value in head.items()
    ]
    name = json.dumps(key, ensure_ascii=False)
    if items:
        body = ",\n".join("    " + item.replace("\n", "\n    ") for item in items)
        lines.append(f"  {name}: [\n{body}\n  ]")
    else:
        lines.append(f"  {name}: []")
    return "\n".join(lines) + "\n}\n"


def services_json(portfolio: Portfolio) -> str:
    registry = portfolio.project.registry
    services = []
    for service in sorted(registry.services.values(), key=lambda s: s.id) if registry else []:
        view = portfolio.service(service.id)
        services.append(
            {
                "id": service.id,
                "name": service.name,
                "port": service.port,
                "domain": service.domain,
                "purpose": service.purpose,
                "status": service.status,
                "aliases": list(service.aliases),
                "url": f"services/{service.id}/",
                "deployments": len(view.history),
                "live": {
                    env: {
                        "id": e.record.id,
                        "version": e.record.version,
                        "status": e.record.status,
                        "date": e.record.date.isoformat() if e.record.date else None,
                        "url": e.record.url,
                    }
                    for env, e in sorted(view.live.items())
                },
                "known_issues": [_issue(issue) for issue in view.known_issues],
            }
        )
    payload = {"version": API_VERSION, "as_of": portfolio.project.as_of.isoformat(), "services": services}
    return json.dumps(payload, indent=2, ensure_ascii=False) + "\n"


# Schemas of the export ---------------------------------------------------------------------------


def _object(properties: dict[str, Any], required: list[str] | None = None) -> dict[str, Any]:
    return {
        "type": "object",
        "additionalProperties": False,
        "required": required if required is not None else list(properties),
        "properties": properties,
    }


def _f(title: str, description: str, schema: dict[str, Any], **extra: Any) -> dict[str, Any]:
    """A field of the export, titled and described for editors and readers of the schema."""
    return {"title": title, "description": description, **schema, **extra}


def api_schemas(catalog: Catalog) -> dict[str, dict[str, Any]]:
    keys = lambda terms: [term.key for term in terms]  # noqa: E731
    text = {"type": "string"}
    nullable_date = {"type": ["string", "null"], "format": "date"}
    person = {
        "oneOf": [
            {"type": "null"},
            _object({"name": _f("Name", "Full name.", text), "role": _f("Role", "Job title.", text)}),
        ]
    }
    counts = {
        "done": ("Done", "Items done."),
        "pending": ("Pending", "Items still to do."),
        "not_applicable": ("n/a", "Items that do not apply (with a reason)."),
        "waived": ("Waived", "Items with a waiver that has not expired."),
        "deferred": ("Deferred", "Hotfix items deferred to a follow-up date."),
        "applicable": ("Applicable", "All items but the n/a ones."),
        "percent": ("Percent", "Done out of applicable, rounded down (100 when nothing applies)."),
    }
    progress = {
        "title": "Progress",
        "description": "How the items stand.",
        **_object({key: _f(title, description, {"type": "integer", "minimum": 0})
                   for key, (title, description) in counts.items()}),
    }  # fmt: skip
    deployment = _object(
        {
            "id": _f("Document id", "The record's id.", text, examples=["DEPLOY-IDENTITY-SERVICE-2.3.0"]),
            "key": _f("Key", "service/environment/version (with -attempt-N after the first attempt).", text,
                      examples=["identity-service/production/2.3.0"]),
            "service": _f("Service", "Canonical service id.", text, examples=["identity-service"]),
            "version": _f("Version", "The version deployed.", text, examples=["2.3.0"]),
            "environment": _f("Environment", "Where it was deployed.", {"enum": keys(catalog.environments)}),
            "type": _f("Deployment type", "Initial, update, hotfix or rollback.",
                       {"enum": keys(catalog.deployment_types)}),
            "status": _f("Status", "The status the record claims.", {"enum": keys(catalog.statuses)}),
            "attempt": _f("Attempt", "1 for the first deployment of this version here, then 2, 3, ...",
                          {"type": "integer", "minimum": 1}),
            "date": _f("Date", "The deployment date (ISO), or null when the record has none.", nullable_date),
            "deployed_by": _f("Deployed by", "The engineer who deploys, or null.", person),
            "reviewed_by": _f("Reviewed by", "The reviewer of the plan, or null.", person),
            "changes": _f("Changes", "One line on what the version changes ('' when not written).", text),
            "outcome": _f("Outcome", "How it went once live, or null.", {"enum": [*keys(catalog.outcomes), None]}),
            "rolls_back": _f("Rolls back", "For a rollback: the id of the deployment it reverses, else null.",
                             {"type": ["string", "null"]}),
            "url": _f("Page", "The guide's page, relative to the site root.", text,
                      examples=["deployments/identity-service/production/2.3.0/"]),
            "source": _f("Source", "The record file, relative to the repository root.", text),
            "meets_status": _f("Meets status", "Whether the record has what its status requires.", {"type": "boolean"}),
            "missing": _f("Missing", "What the claimed status still needs: item labels and `sign-off: ROLE`.",
                          {"type": "array", "items": text}),
            "next_status": _f("Next status", "The status after this one, or null at the end.",
                              {"enum": [*keys(catalog.statuses), None]}),
            "missing_for_next_status": _f("Missing for the next status", "What the next status adds on top.",
                                          {"type": "array", "items": text}),
            "completeness": _f("Completeness", "Progress over all checklist items.", progress),
            "sections": _f(
                "Sections",
                "Progress per checklist section, by section key.",
                _object({
                    section.key: {**progress, "title": f"{section.number}. {section.title}"}
                    for section in catalog.checklist_sections
                }),
            ),
            "signoffs": _f(
                "Sign-offs",
                "The record's sign-offs, as written.",
                {
                    "type": "array",
                    "items": _object({
                        "role": _f("Role", "The role signing off.", {"enum": keys(catalog.signoff_roles)}),
                        "name": _f("Name", "Who signed.", text),
                        "github": _f("GitHub login", "The signer's login, from records/people.yaml, or null.",
                                     {"type": ["string", "null"]}),
                        "date": _f("Date", "When they signed, or null.", nullable_date),
                    }),
                },
            ),
            "attention": _f("Attention", "What needs someone's attention: overdue periods, deferrals falling due.",
                            {"type": "array", "items": text}),
        }
    )  # fmt: skip
    issue = _object(
        {
            "id": _f("Issue id", "Stable id that follows the issue across deployments.", text,
                     examples=["KI-IDENTITY-1"]),
            "service": _f("Service", "The service it affects.", text),
            "issue": _f("Issue", "What is wrong or limited.", text),
            "impact": _f("Impact", "How much it hurts users.", {"enum": ["high", "medium", "low"]}),
            "workaround": _f("Workaround", "What users or operators can do meanwhile.", text),
            "resolution": _f("Resolution", "When and how it will be resolved.", text),
            "opened": _f("Opened", "When it was first recorded, or null.", nullable_date),
            "resolved": _f("Resolved", "When it was resolved, or null while open.", nullable_date),
            "first_recorded_in": _f("First recorded in", "The page of the first record listing it.", text),
            "last_recorded_in": _f("Last recorded in", "The page of the latest record listing it.", text),
        }
    )  # fmt: skip
    live = _object(
        {
            "id": _f("Document id", "The live record's id.", text),
            "version": _f("Version", "The version live there.", text),
            "status": _f("Status", "Its record's status.", {"enum": keys(catalog.statuses)}),
            "date": _f("Date", "Its deployment date, or null.", nullable_date),
            "url": _f("Page", "Its guide's page, relative to the site root.", text),
        }
    )
    service = _object(
        {
            "id": _f("Service id", "Canonical id from records/services.yaml.", text, examples=["identity-service"]),
            "name": _f("Name", "Display name.", text, examples=["Identity Service"]),
            "port": _f("Port", "The service's port.", {"type": "integer"}),
            "domain": _f("Domain", "Business domain.", {"enum": list(catalog.domains)}),
            "purpose": _f("Purpose", "What the service does, in one line.", text),
            "status": _f("Status", "active, future or retired.", {"enum": ["active", "future", "retired"]}),
            "aliases": _f("Aliases", "Other names seen in documents.", {"type": "array", "items": text}),
            "url": _f("Page", "The service's page, relative to the site root.", text),
            "deployments": _f("Deployments", "How many records the service has.", {"type": "integer", "minimum": 0}),
            "live": _f(
                "Live",
                "Per environment: the deployment live there.",
                {"type": "object", "propertyNames": {"enum": keys(catalog.environments)}, "additionalProperties": live},
            ),
            "known_issues": _f("Known issues", "Known issues across the service's records, by id.",
                               {"type": "array", "items": issue}),
        }
    )  # fmt: skip
    header = {
        "version": _f("Format version", "Bumped when a field is renamed or removed.", {"const": API_VERSION}),
        "as_of": _f("As of", "The date the site was built for (date rules).", {"type": "string", "format": "date"}),
    }
    return {
        "api-deployments.schema.json": {
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "$id": "urn:smartedify:deploydocs:api-deployments.schema.json",
            "title": "api/deployments.json",
            "description": "Every deployment record with its computed completeness and status.",
            **_object({**header, "deployments": _f("Deployments", "One entry per record, by service, environment "
                                                   "and version.", {"type": "array", "items": deployment})}),
        },
        "api-services.schema.json": {
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "$id": "urn:smartedify:deploydocs:api-services.schema.json",
            "title": "api/services.json",
            "description": "Every registered service with what is live where and its known issues.",
            **_object({**header, "services": _f("Services", "One entry per registered service, by id.",
                                                {"type": "array", "items": service})}),
        },
    }  # fmt: skip
