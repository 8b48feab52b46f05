"""JSON Schemas (draft 2020-12) for records and the services registry, derived from the catalog.

The committed files in ``schemas/`` are the output of :func:`record_schema` and
:func:`registry_schema`; ``make schemas`` rewrites them and a test fails while they are stale.
"""

from __future__ import annotations

import json
from typing import Any

from .catalog import FIELDS, SIGNOFFS, TABLE, TEXT, Catalog, Item, Subsection

RECORD_SCHEMA_FILE = "deployment-record.schema.json"
REGISTRY_SCHEMA_FILE = "services-registry.schema.json"

# End of value. Python's `$` (which jsonschema uses) also matches before a final newline; the
# lookahead refuses that, and reads the same in the ECMA-262 regexes editors use.
END = r"$(?!\n)"
SEMVER = r"(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)(-[0-9A-Za-z]+(\.[0-9A-Za-z]+)*)?"
SERVICE_ID = r"[a-z][a-z0-9]*(-[a-z0-9]+)*"
RECORD_ID = r"^DEPLOY-[A-Z][A-Z0-9]*(-[A-Z0-9]+)*-" + SEMVER.replace("[0-9A-Za-z]", "[0-9A-Z]") + END
ISO_DATE = r"^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])" + END
ITEM_STATES = ("done", "pending", "n/a")


def _text(title: str, description: str, **extra: Any) -> dict[str, Any]:
    return {"title": title, "description": description, "type": "string", "minLength": 1, **extra}


def _enum(title: str, description: str, values: list[str]) -> dict[str, Any]:
    return {"title": title, "description": description, "type": "string", "enum": values}


def _date(title: str, description: str) -> dict[str, Any]:
    return {
        "title": title,
        "description": description + " ISO date, e.g. 2026-11-20 (quotes optional).",
        "type": "string",
        "format": "date",
        "pattern": ISO_DATE,
    }


def _person(title: str, description: str) -> dict[str, Any]:
    return {
        "title": title,
        "description": description,
        "type": "object",
        "additionalProperties": False,
        "required": ["name", "role"],
        "properties": {
            "name": _text("Name", "Full name of the person."),
            "role": _text("Role", "Job title, e.g. Site Reliability Engineer."),
        },
    }


def _item_state_schema(item: Item | None = None) -> dict[str, Any]:
    """A bare state (``done``) or a mapping that adds evidence, note, who and reason."""
    properties: dict[str, Any] = {
        "state": _enum("State", "done, pending, or n/a (n/a needs a reason).", list(ITEM_STATES)),
        "reason": _text("Reason", "Why the item does not apply (required with n/a)."),
        "evidence": _text("Evidence", "A link or reference proving the item: pull request, pipeline run, report."),
        "note": _text("Note", "Free text shown with the item (Markdown, no HTML)."),
        "by": _text("Done by", "Who did or checked the item."),
        "waiver": {"$ref": "#/$defs/waiver"},
        "deferred": {"$ref": "#/$defs/deferral"},
    }
    for parameter in item.parameters if item else ():
        kind = {"integer": {"type": "integer", "minimum": 1}, "string": {"type": "string", "minLength": 1}}
        properties[parameter.key] = {
            "title": parameter.title,
            "description": f"Fills in the template's placeholder in '{item.title}'.",
            **kind[parameter.type],
        }
    detail = {
        "type": "object",
        "additionalProperties": False,
        "required": ["state"],
        "properties": properties,
        "if": {"properties": {"state": {"const": "n/a"}}},
        "then": {"required": ["reason"]},
    }
    return {"anyOf": [{"type": "string", "enum": ["done", "pending"]}, detail]}


def _item_schema(item: Item) -> dict[str, Any]:
    applicable = " May be n/a (with a reason) where it does not apply." if item.if_applicable else ""
    described = {
        "title": f"{item.number} {item.display_title()}",
        "description": f"{item.description}.{applicable} State: done | pending | "
        "{state: n/a, reason: ...}, or a mapping adding evidence, note and by.",
    }
    if item.parameters:
        return {**described, **_item_state_schema(item)}
    # Shared definition: keeps the schema small and fast to validate; title and description stay
    # beside the $ref so editors still show each item's own wording on hover.
    return {**described, "$ref": "#/$defs/itemState"}


def _checklist_schema(subsection: Subsection) -> dict[str, Any]:
    return {
        "title": f"{subsection.number} {subsection.title}",
        "description": f"Checklist {subsection.number} of the deployment guide: one state per item.",
        "type": "object",
        "additionalProperties": False,
        "required": [item.key for item in subsection.items],
        "properties": {item.key: _item_schema(item) for item in subsection.items},
    }


def _row_schema(subsection: Subsection) -> dict[str, Any]:
    properties = {}
    for column in subsection.columns:
        if column.enum:
            properties[column.key] = _enum(column.title, column.description, list(column.enum))
        else:
            properties[column.key] = _text(column.title, column.description)
    if subsection.key == "known_issues":
        # Known issues carry across deployments: give them a stable id and dates.
        properties["id"] = _text(
            "Issue id",
            "Stable id that follows the issue across deployments, e.g. KI-IDENTITY-7.",
            pattern=r"^[A-Z][A-Z0-9]*(-[A-Z0-9]+)*" + END,
        )
        properties["opened"] = _date("Opened", "When the issue was first recorded.")
        properties["resolved"] = _date("Resolved", "When the issue was resolved.")
    return {
        "type": "object",
        "additionalProperties": False,
        "required": [column.key for column in subsection.columns if column.required],
        "properties": properties,
    }


def _subsection_schema(subsection: Subsection, catalog: Catalog) -> dict[str, Any]:
    title = f"{subsection.number} {subsection.title}"
    if subsection.kind == TABLE:
        return {
            "title": title,
            "description": subsection.description,
            "type": "array",
            "items": _row_schema(subsection),
        }
    if subsection.kind == FIELDS:
        return {
            "title": title,
            "description": subsection.description,
            "type": "object",
            "additionalProperties": False,
            "properties": {column.key: _text(column.title, column.description) for column in subsection.columns},
        }
    if subsection.kind == TEXT:
        return _text(title, subsection.description)
    if subsection.kind == SIGNOFFS:
        return {
            "title": title,
            "description": subsection.description,
            "type": "array",
            "items": {"$ref": "#/$defs/signoff"},
        }
    raise ValueError(f"no schema for subsection kind {subsection.kind}")


def record_schema(catalog: Catalog) -> dict[str, Any]:
    """The JSON Schema of a deployment record, every key derived from the catalog."""
    checklists = {}
    for section in catalog.checklist_sections:
        checklists[section.key] = {
            "title": f"{section.number}. {section.title}",
            "description": f"Section {section.number} of the deployment guide.",
            "type": "object",
            "additionalProperties": False,
            "required": [sub.key for sub in section.subsections],
            "properties": {sub.key: _checklist_schema(sub) for sub in section.subsections},
        }
    structured = {
        sub.key: _subsection_schema(sub, catalog)
        for sub in catalog.subsections()
        if sub.kind in (TABLE, FIELDS, TEXT, SIGNOFFS)
    }
    keys = lambda terms: [term.key for term in terms]  # noqa: E731
    properties: dict[str, Any] = {
        "id": _text(
            "Document ID",
            "DEPLOY-<SERVICE>-<VERSION> in capitals, e.g. DEPLOY-IDENTITY-SERVICE-2.3.0; must match "
            "service and version.",
            pattern=RECORD_ID,
        ),
        "service": _text(
            "Service",
            "Canonical service id from records/services.yaml, e.g. identity-service; port and domain come from there.",
            pattern=f"^{SERVICE_ID}{END}",
            maxLength=64,
        ),
        "version": _text(
            "Deployment version",
            'Semantic version being deployed, e.g. 2.3.0. Quote versions that YAML would read as numbers ("1.10").',
            pattern=f"^{SEMVER}{END}",
            maxLength=64,
        ),
        "environment": {
            **_enum("Target environment", "Where the version is deployed.", keys(catalog.environments)),
            # Not a JSON Schema keyword: lets error messages map dev / stg / prod to the canonical word.
            "x-aliases": {alias: term.key for term in catalog.environments for alias in term.aliases},
        },
        "type": _enum("Deployment type", "Initial, update, hotfix or rollback.", keys(catalog.deployment_types)),
        "status": _enum(
            "Status",
            "Where the deployment is in its life; the policy says what each status requires.",
            keys(catalog.statuses),
        ),
        "attempt": {
            "title": "Attempt",
            "description": "2, 3, ... when the same version is deployed again to the same environment "
            "(after an abort, or a rollback to it). Omit for the first attempt.",
            "type": "integer",
            "minimum": 2,
        },
        "date": _date("Deployment date", "The day the deployment runs (or is planned)."),
        "deployed_by": _person("Deployed by", "The engineer who deploys."),
        "reviewed_by": _person("Reviewed by", "The reviewer of the deployment plan."),
        "changes": _text("Changes", "One line on what this version changes; shown in the history."),
        "outcome": _enum("Outcome", "How the deployment went, once it has gone live.", keys(catalog.outcomes)),
        "outcome_reason": _text("Outcome reason", "Why the deployment was rolled back or aborted, or what went wrong."),
        "rolls_back": _text(
            "Rolls back",
            "For a rollback: the id of the deployment it reverses (same service and environment).",
            pattern=RECORD_ID,
        ),
        "closed_on": _date(
            "Closed on",
            "The day the record reached its final status (closed, rolled-back or aborted). Date rules "
            "judge a final record as of this day, so the passing of time never changes its verdict; "
            "without it, the latest of the deployment date and the sign-off dates.",
        ),
        "promotion_exception": {
            "title": "Promotion exception",
            "description": "Why this deployment skips the environments it is normally promoted from "
            "(the policy's `promotion`), and the role that approved it.",
            "type": "object",
            "additionalProperties": False,
            "required": ["reason", "approver"],
            "properties": {
                "reason": _text("Reason", "Why the deployment does not follow a deployed staging or pre-prod record."),
                "approver": _enum("Approver role", "Role that approved the exception.", keys(catalog.signoff_roles)),
            },
        },
        "checklists": {
            "title": "Checklists",
            "description": "Sections 1-7 and 13 of the deployment guide, one state per item.",
            "type": "object",
            "additionalProperties": False,
            "required": list(checklists),
            "properties": checklists,
        },
        **structured,
    }
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"urn:smartedify:deploydocs:{RECORD_SCHEMA_FILE}",
        "title": "SmartEdify deployment record",
        "description": "One deployment of one SmartEdify service: the filled-in deployment guide. "
        "Generated from the catalog; run `make schemas` after changing it.",
        "type": "object",
        "additionalProperties": False,
        "required": [
            "id",
            "service",
            "version",
            "environment",
            "type",
            "status",
            "date",
            "deployed_by",
            "reviewed_by",
            "checklists",
        ],
        "properties": properties,
        "$defs": {
            "itemState": {
                "title": "Item state",
                "description": "done | pending | {state: n/a, reason: ...}, or a mapping adding evidence, note and by.",
                **_item_state_schema(),
            },
            "signoff": {
                "type": "object",
                "additionalProperties": False,
                "required": ["role", "name", "date"],
                "properties": {
                    "role": _enum("Role", "The role signing off.", keys(catalog.signoff_roles)),
                    "name": _text("Name", "Who signs."),
                    "date": _date("Date", "When they signed."),
                    "review": _text("Review link", "Link to the pull-request review that approved it.", format="uri"),
                    "fingerprint": _text(
                        "Fingerprint",
                        "Written by `deploydocs sign`: a hash of the sections this role covers. Do not edit.",
                        pattern="^sha256:[0-9a-f]{16,64}" + END,
                    ),
                },
            },
            "waiver": {
                "title": "Waiver",
                "description": "Lets a mandatory item stay undone for a while, with an approver and expiry.",
                "type": "object",
                "additionalProperties": False,
                "required": ["reason", "approver", "expires"],
                "properties": {
                    "reason": _text("Reason", "Why the item may stay undone."),
                    "approver": _enum("Approver role", "Role that approved the waiver.", keys(catalog.signoff_roles)),
                    "expires": _date("Expires", "After this day the waiver is an error."),
                },
            },
            "deferral": {
                "title": "Deferral",
                "description": "Hotfixes only: the item is done after the deployment, by a follow-up date.",
                "type": "object",
                "additionalProperties": False,
                "required": ["justification", "follow_up"],
                "properties": {
                    "justification": _text("Justification", "Why the hotfix cannot wait for this item."),
                    "follow_up": _date("Follow-up", "When the item will be done."),
                },
            },
        },
    }


def registry_schema(catalog: Catalog) -> dict[str, Any]:
    """The JSON Schema of ``records/services.yaml``."""
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"urn:smartedify:deploydocs:{REGISTRY_SCHEMA_FILE}",
        "title": "SmartEdify services registry",
        "description": "Every SmartEdify service that can be deployed, with port and domain.",
        "type": "object",
        "additionalProperties": False,
        "required": ["services"],
        "properties": {
            "services": {
                "title": "Services",
                "description": "Services by canonical id (lowercase words joined by hyphens).",
                "type": "object",
                "propertyNames": {"pattern": f"^{SERVICE_ID}{END}", "maxLength": 64},
                "additionalProperties": {
                    "type": "object",
                    "additionalProperties": False,
                    "required": ["name", "port", "domain", "purpose", "status"],
                    "properties": {
                        "name": _text("Display name", "Human name, e.g. Identity Service."),
                        "port": {
                            "title": "Port",
                            "description": "The service's port; no two services share one.",
                            "type": "integer",
                            "minimum": 1,
                            "maximum": 65535,
                        },
                        "domain": _enum("Domain", "Business domain of the service.", list(catalog.domains)),
                        "purpose": _text("Purpose", "What the service does, in one line."),
                        "status": _enum("Status", "active, future or retired.", ["active", "future", "retired"]),
                        "aliases": {
                            "title": "Aliases",
                            "description": "Other names seen in documents; records must use the id.",
                            "type": "array",
                            "items": {"type": "string", "pattern": f"^{SERVICE_ID}{END}"},
                            "uniqueItems": True,
                        },
                    },
                },
            }
        },
    }


def dump(schema: dict[str, Any]) -> str:
    """Stable text for a schema file."""
    return json.dumps(schema, indent=2, ensure_ascii=False) + "\n"


POLICY_SCHEMA_FILE = "policy.schema.json"


def policy_schema(catalog: Catalog) -> dict[str, Any]:
    """The JSON Schema of a completeness policy file (``policy.yaml``)."""
    keys = lambda terms: [term.key for term in terms]  # noqa: E731
    parts = {
        "type": "array",
        "items": {"type": "string", "pattern": r"^[a-z0-9_]+(\.[a-z0-9_]+)*" + END},
        "uniqueItems": True,
    }
    environment = {
        "type": "object",
        "additionalProperties": False,
        "properties": {
            "signoffs": {
                "title": "Required sign-offs",
                "description": "Roles that must sign off where a status requires `signoffs`.",
                "type": "array",
                "items": {"enum": keys(catalog.signoff_roles)},
                "uniqueItems": True,
            },
            "not_required": {
                "title": "Not required",
                "description": "Parts this environment never requires.",
                **parts,
            },
            "not_applicable_allowed": {
                "title": "n/a allowed",
                "description": "Parts whose items may be n/a (with a reason) in this environment.",
                **parts,
            },
        },
    }
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"urn:smartedify:deploydocs:{POLICY_SCHEMA_FILE}",
        "title": "Deployment completeness policy",
        "description": "What records must have complete, by status, environment and type.",
        "type": "object",
        "additionalProperties": False,
        "required": ["lifecycle", "environments"],
        "properties": {
            "lifecycle": {
                "title": "Lifecycle",
                "description": "Statuses in order, each with the parts it requires.",
                "type": "array",
                "items": {
                    "type": "object",
                    "additionalProperties": False,
                    "required": ["status", "requires"],
                    "properties": {
                        "status": {"enum": keys(catalog.statuses)},
                        "requires": {"title": "Requires", "description": "Parts due at this status.", **parts},
                        "inherits": {"enum": keys(catalog.statuses)},
                        "not_before_days": {"type": "integer", "minimum": 0},
                    },
                },
            },
            "environments": {
                "type": "object",
                "additionalProperties": False,
                "properties": {key: environment for key in keys(catalog.environments)},
            },
            "deployment_types": {
                "type": "object",
                "additionalProperties": False,
                "properties": {
                    key: {
                        "type": "object",
                        "additionalProperties": False,
                        "properties": {"deferrable": parts, "not_applicable_allowed": parts},
                    }
                    for key in keys(catalog.deployment_types)
                },
            },
            "signoff_coverage": {
                "title": "Sign-off coverage",
                "description": "Parts each role vouches for; a change to them makes its sign-off stale.",
                "type": "object",
                "additionalProperties": False,
                "properties": {key: parts for key in keys(catalog.signoff_roles)},
            },
            "evidence": {
                "title": "Evidence",
                "description": "What an item's `evidence:` may be besides an http(s) link.",
                "type": "object",
                "additionalProperties": False,
                "properties": {
                    "references": {
                        "title": "References",
                        "description": "Kinds of reference accepted as evidence, each matched against the whole value.",
                        "type": "array",
                        "items": {
                            "type": "object",
                            "additionalProperties": False,
                            "required": ["name", "pattern", "example"],
                            "properties": {
                                "name": {"title": "Name", "description": "What it refers to.", "type": "string"},
                                "pattern": {
                                    "title": "Pattern",
                                    "description": "Python regular expression the whole evidence matches.",
                                    "type": "string",
                                    "minLength": 1,
                                },
                                "example": {
                                    "title": "Example",
                                    "description": "A reference of this kind, shown in messages.",
                                    "type": "string",
                                    "minLength": 1,
                                },
                            },
                        },
                    }
                },
            },
            "signoff_age": {
                "title": "Sign-off age",
                "description": "How long before the deployment a sign-off may be dated without a warning.",
                "type": "object",
                "additionalProperties": False,
                "properties": {
                    "max_days_before_deployment": {
                        "title": "Maximum days before the deployment",
                        "description": "A sign-off dated earlier than this many days before the deployment warns "
                        "(`signoff-too-old`).",
                        "type": "integer",
                        "minimum": 0,
                    }
                },
            },
            "promotion": {
                "type": "object",
                "additionalProperties": False,
                "properties": {
                    key: {
                        "type": "object",
                        "additionalProperties": False,
                        "required": ["from", "missing"],
                        "properties": {
                            "from": {"type": "array", "items": {"enum": keys(catalog.environments)}},
                            "missing": {"enum": ["warning", "error"]},
                        },
                    }
                    for key in keys(catalog.environments)
                },
            },
        },
    }


def record_schemas(catalog: Catalog) -> dict[str, dict[str, Any]]:
    """File name -> schema, for the files people write (the site's export schemas live with the export)."""
    return {
        RECORD_SCHEMA_FILE: record_schema(catalog),
        REGISTRY_SCHEMA_FILE: registry_schema(catalog),
        POLICY_SCHEMA_FILE: policy_schema(catalog),
    }
