"""The machine-readable export: ``api/deployments.json`` and ``api/services.json``.

The shape is a contract (documented in docs/api.md, checked against the schemas below in tests):
add fields freely, but bump ``API_VERSION`` before renaming or removing one.
"""

from __future__ import annotations

import json
from typing import Any

from deploydocs.core.catalog import Catalog
from deploydocs.core.evaluate import Evaluation, Progress
from .portfolio import KnownIssue, Portfolio

API_VERSION = 1
DEPLOYMENTS_FILE = "api/deployments.json"
SERVICES_FILE = "api/services.json"


def _progress(progress: Progress) -> dict[str, int]:
    return {
        "done": progress.done,
        "pending": progress.pending,
        "not_applicable": progress.not_applicable,
        "waived": progress.waived,
        "deferred": progress.deferred,
        "applicable": progress.applicable,
        "percent": progress.percent,
    }


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


def deployments_json(portfolio: Portfolio) -> str:
    evaluations = sorted(
        portfolio.project.evaluations.values(),
        key=lambda e: (e.record.service, e.record.environment, e.record.slug),
    )
    payload = {
        "version": API_VERSION,
        "as_of": portfolio.project.as_of.isoformat(),
        "deployments": [deployment_entry(e) for e in evaluations],
    }
    return json.dumps(payload, indent=2, ensure_ascii=False, sort_keys=False) + "\n"


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


def api_schemas(catalog: Catalog) -> dict[str, dict[str, Any]]:
    keys = lambda terms: [term.key for term in terms]  # noqa: E731
    nullable_date = {"type": ["string", "null"], "format": "date"}
    person = {"oneOf": [{"type": "null"}, _object({"name": {"type": "string"}, "role": {"type": "string"}})]}
    progress = _object(
        {
            key: {"type": "integer", "minimum": 0}
            for key in ("done", "pending", "not_applicable", "waived", "deferred", "applicable", "percent")
        }
    )
    deployment = _object(
        {
            "id": {"type": "string"},
            "key": {"type": "string"},
            "service": {"type": "string"},
            "version": {"type": "string"},
            "environment": {"enum": keys(catalog.environments)},
            "type": {"enum": keys(catalog.deployment_types)},
            "status": {"enum": keys(catalog.statuses)},
            "attempt": {"type": "integer", "minimum": 1},
            "date": nullable_date,
            "deployed_by": person,
            "reviewed_by": person,
            "changes": {"type": "string"},
            "outcome": {"enum": [*keys(catalog.outcomes), None]},
            "rolls_back": {"type": ["string", "null"]},
            "url": {"type": "string"},
            "source": {"type": "string"},
            "meets_status": {"type": "boolean"},
            "missing": {"type": "array", "items": {"type": "string"}},
            "next_status": {"enum": [*keys(catalog.statuses), None]},
            "missing_for_next_status": {"type": "array", "items": {"type": "string"}},
            "completeness": progress,
            "sections": _object({section.key: progress for section in catalog.checklist_sections}),
            "signoffs": {
                "type": "array",
                "items": _object(
                    {
                        "role": {"enum": keys(catalog.signoff_roles)},
                        "name": {"type": "string"},
                        "github": {"type": ["string", "null"]},
                        "date": nullable_date,
                    }
                ),
            },
            "attention": {"type": "array", "items": {"type": "string"}},
        }
    )
    issue = _object(
        {
            "id": {"type": "string"},
            "service": {"type": "string"},
            "issue": {"type": "string"},
            "impact": {"enum": ["high", "medium", "low"]},
            "workaround": {"type": "string"},
            "resolution": {"type": "string"},
            "opened": nullable_date,
            "resolved": nullable_date,
            "first_recorded_in": {"type": "string"},
            "last_recorded_in": {"type": "string"},
        }
    )
    live = _object(
        {
            "id": {"type": "string"},
            "version": {"type": "string"},
            "status": {"enum": keys(catalog.statuses)},
            "date": nullable_date,
            "url": {"type": "string"},
        }
    )
    service = _object(
        {
            "id": {"type": "string"},
            "name": {"type": "string"},
            "port": {"type": "integer"},
            "domain": {"enum": list(catalog.domains)},
            "purpose": {"type": "string"},
            "status": {"enum": ["active", "future", "retired"]},
            "aliases": {"type": "array", "items": {"type": "string"}},
            "url": {"type": "string"},
            "deployments": {"type": "integer", "minimum": 0},
            "live": {
                "type": "object",
                "propertyNames": {"enum": keys(catalog.environments)},
                "additionalProperties": live,
            },
            "known_issues": {"type": "array", "items": issue},
        }
    )
    header = {"version": {"const": API_VERSION}, "as_of": {"type": "string", "format": "date"}}
    return {
        "api-deployments.schema.json": {
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "$id": "urn:smartedify:deploydocs:api-deployments.schema.json",
            "title": "api/deployments.json",
            "description": "Every deployment record with its computed completeness and status.",
            **_object({**header, "deployments": {"type": "array", "items": deployment}}),
        },
        "api-services.schema.json": {
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "$id": "urn:smartedify:deploydocs:api-services.schema.json",
            "title": "api/services.json",
            "description": "Every registered service with what is live where and its known issues.",
            **_object({**header, "services": {"type": "array", "items": service}}),
        },
    }
