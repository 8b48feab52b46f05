"""JSON Schemas (draft 2020-12) for records and the services registry, derived from the catalog.

The committed files in ``schemas/`` are the output of :func:`record_schemas` (the record schema in
its form for editors, see :func:`_item_schema`); ``make schemas`` rewrites them and a test fails while they are stale.
"""

from __future__ import annotations

import json
from typing import Any

from .catalog import FIELDS, SIGNOFFS, TABLE, TEXT, Catalog, Item, Subsection

RECORD_SCHEMA_FILE = "deployment-record.schema.json"
REGISTRY_SCHEMA_FILE = "services-registry.schema.json"
PEOPLE_SCHEMA_FILE = "people.schema.json"

# End of value. Python's `$` (which jsonschema uses) also matches before a final newline; the
# lookahead refuses that, and reads the same in the ECMA-262 regexes editors use.
END = r"$(?!\n)"
SEMVER = r"(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)(-[0-9A-Za-z]+(\.[0-9A-Za-z]+)*)?"
SERVICE_ID = r"[a-z][a-z0-9]*(-[a-z0-9]+)*"
RECORD_ID = r"^DEPLOY-[A-Z][A-Z0-9]*(-[A-Z0-9]+)*-" + SEMVER.replace("[0-9A-Za-z]", "[0-9A-Z]") + END
ISO_DATE = r"^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])" + END
ITEM_STATES = ("done", "pending", "n/a")
# One-line values (names, roles, titles, links, `by:`) hold no line break or other control character
# (C0, DEL, C1, the Unicode line and paragraph separators): a line break in a name is a mistake, or an
# attempt to break the page, the summary or the terminal it is shown in.
CONTROL_CHARACTERS = "\\u0000-\\u001f\\u007f-\\u009f\\u2028\\u2029"
# Invisible characters that change how text reads: bidirectional overrides and isolates, zero-width
# characters. Refused where a value names someone or something; a warning in free text (rules/content).
INVISIBLE_CHARACTERS = "\\u200b-\\u200d\\u2060\\ufeff\\u202a-\\u202e\\u2066-\\u2069"
SINGLE_LINE = f"^[^{CONTROL_CHARACTERS}]*{END}"
PLAIN_NAME = f"^[^{CONTROL_CHARACTERS}{INVISIBLE_CHARACTERS}]*{END}"
# The keys of a record whose values are PLAIN_NAME (a test holds the schema to it): the invisible-
# character warning skips them, since the schema already refuses such values there.
RECORD_NAME_KEYS = frozenset({"name", "role", "by"})
# A GitHub login: letters, digits and single hyphens, not at either end, at most 39 characters.
GITHUB_LOGIN = r"^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}" + END
# Zero-width and bidirectional control characters make two spellings of a name look alike; names
# refuse them (the same set as core/people.HIDDEN, which also catches them beyond the schema).
NO_HIDDEN = "^[^\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff]*" + END
FINGERPRINT = "^sha256:[0-9a-f]{64}" + END


def _text(title: str, description: str, **extra: Any) -> dict[str, Any]:
    return {"title": title, "description": description, "type": "string", "minLength": 1, **extra}


def _line(title: str, description: str, **extra: Any) -> dict[str, Any]:
    """One line of text: no line break or control character."""
    return _text(title, description, pattern=SINGLE_LINE, **extra)


def _name(title: str, description: str) -> dict[str, Any]:
    """A name or role: one line, and no invisible character that could make it read as another."""
    return _text(title, description, pattern=PLAIN_NAME)


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
            "name": _name("Name", "Full name of the person."),
            "role": _name("Role", "Job title, e.g. Site Reliability Engineer."),
        },
    }


# What an item's mapping may hold besides template parameters: one shared definition per key
# (`$defs/item-state`, ...), referenced from every item.
ITEM_KEYS = ("state", "reason", "evidence", "note", "by")


def _item_key_schemas() -> dict[str, dict[str, Any]]:
    return {
        "item-state": _enum("State", "done, pending, or n/a (n/a needs a reason).", list(ITEM_STATES)),
        "item-reason": _text("Reason", "Why the item does not apply (required with n/a)."),
        "item-evidence": _line("Evidence", "A link or reference proving the item: pull request, pipeline run, report."),
        "item-note": _text("Note", "Free text shown with the item (Markdown, no HTML)."),
        "item-by": _name("Done by", "Who did or checked the item."),
    }


def _item_state_schema(item: Item | None = None, title: str | None = None) -> dict[str, Any]:
    """A bare state (``done``) or a mapping that adds evidence, note, who and reason; the keys of the
    mapping refer to shared definitions (``$defs/item-state``, ...)."""
    properties: dict[str, Any] = {key: {"$ref": f"#/$defs/item-{key}"} for key in ITEM_KEYS}
    properties["waiver"] = {"$ref": "#/$defs/waiver"}
    properties["deferred"] = {"$ref": "#/$defs/deferral"}
    for parameter in item.parameters if item else ():
        # A string parameter becomes part of the item's title: one line.
        kind = {
            "integer": {"type": "integer", "minimum": 1},
            "string": {"type": "string", "minLength": 1, "pattern": SINGLE_LINE},
        }
        properties[parameter.key] = {
            "title": parameter.title,
            "description": f"Fills in the template's placeholder in '{item.title}'.",
            **kind[parameter.type],
        }
    detail = {
        **({"title": title} if title else {}),
        "type": "object",
        "additionalProperties": False,
        "required": ["state"],
        "properties": properties,
        "if": {"properties": {"state": {"const": "n/a"}}},
        "then": {"required": ["reason"]},
    }
    word = {"type": "string", "enum": ["done", "pending"]}
    # Both branches carry the item's title: the server names a node after the first schema with a
    # title among those that validated it, innermost first, and joins the titles of all branches
    # ("A || B") when every branch of an `anyOf` looks matched (a `then` without title would look
    # like an untitled `word` branch).
    return {"anyOf": [{**({"title": title} if title else {}), **word}, detail]}


def _item_schema(item: Item, for_editors: bool) -> dict[str, Any]:
    """One item: its title and description, and what it may hold.

    For editors (the committed schema file) every item has its own copy of the two branches:
    yaml-language-server writes the title it shows on hover into the schema objects that validated
    the node (`closestTitle`), so a branch shared by all items (a `$ref`, with or without a per-item
    `allOf` wrapper) ends up with the title of the last item validated, and every item written as a
    mapping showed "13.2.4 ...". For validating (``check`` and the build) the items share one
    definition: the same verdicts (a property test compares both) from a validator a third the size.
    """
    applicable = " May be n/a (with a reason) where it does not apply." if item.if_applicable else ""
    title = f"{item.number} {item.display_title()}"
    described = {
        "title": title,
        "description": f"{item.description}.{applicable} State: done | pending | "
        "{state: n/a, reason: ...}, or a mapping adding evidence, note and by.",
    }
    if for_editors or item.parameters:
        return {**described, **_item_state_schema(item, title)}
    return {**described, "$ref": "#/$defs/itemState"}


def _checklist_schema(subsection: Subsection, for_editors: bool) -> dict[str, Any]:
    return {
        "title": f"{subsection.number} {subsection.title}",
        "description": f"Checklist {subsection.number} of the deployment guide: one state per item.",
        "type": "object",
        "additionalProperties": False,
        "required": [item.key for item in subsection.items],
        "properties": {item.key: _item_schema(item, for_editors) for item in subsection.items},
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


def record_schema(catalog: Catalog, for_editors: bool = False) -> dict[str, Any]:
    """The JSON Schema of a deployment record, every key derived from the catalog: the one records
    are validated with, or (``for_editors``) the committed file, with each item's own branches
    (see :func:`_item_schema`)."""
    checklists = {}
    for section in catalog.checklist_sections:
        checklists[section.key] = {
            "title": f"{section.number}. {section.title}",
            "description": f"Section {section.number} of the deployment guide.",
            "type": "object",
            "additionalProperties": False,
            "required": [sub.key for sub in section.subsections],
            "properties": {sub.key: _checklist_schema(sub, for_editors) for sub in section.subsections},
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
            **({} if for_editors else {"itemState": _item_state_schema()}),
            **_item_key_schemas(),
            "signoff": {
                "type": "object",
                "additionalProperties": False,
                "required": ["role", "name", "date"],
                "properties": {
                    "role": _enum("Role", "The role signing off.", keys(catalog.signoff_roles)),
                    "name": _name("Name", "Who signs: a name from records/people.yaml."),
                    "github": _text(
                        "GitHub login",
                        "The signer's GitHub login, as in records/people.yaml; their pull-request review approves it.",
                        pattern=GITHUB_LOGIN,
                    ),
                    "date": _date("Date", "When they signed."),
                    "review": _line("Review link", "Link to the pull-request review that approved it.", format="uri"),
                    "fingerprint": _text(
                        "Fingerprint",
                        "Written by `deploydocs sign`: the sha256 of what this role covers and of the "
                        "sign-off's own name, login, role and date. Do not edit.",
                        pattern=FINGERPRINT,
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
                        "name": _name("Display name", "Human name, e.g. Identity Service."),
                        "port": {
                            "title": "Port",
                            "description": "The service's port; no two services share one.",
                            "type": "integer",
                            "minimum": 1,
                            "maximum": 65535,
                        },
                        "domain": _enum("Domain", "Business domain of the service.", list(catalog.domains)),
                        "purpose": _name("Purpose", "What the service does, in one line."),
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


def people_schema(catalog: Catalog) -> dict[str, Any]:
    """The JSON Schema of ``records/people.yaml``: who may give which sign-off."""
    keys = [term.key for term in catalog.signoff_roles]
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"urn:smartedify:deploydocs:{PEOPLE_SCHEMA_FILE}",
        "title": "SmartEdify people",
        "description": "Everyone who deploys, reviews or signs off, with their GitHub login and the sign-off "
        "roles they may give. Sign-offs, deployed_by and reviewed_by must name someone listed here.",
        "type": "object",
        "additionalProperties": False,
        "required": ["people"],
        "properties": {
            "people": {
                "title": "People",
                "description": "One entry per person; names and logins are unique.",
                "type": "array",
                "items": {
                    "type": "object",
                    "additionalProperties": False,
                    "required": ["name", "github", "roles"],
                    "properties": {
                        "name": _text(
                            "Name",
                            "Full name as records write it. Compared after Unicode NFKC normalisation, with "
                            "spaces collapsed and case folded; zero-width and bidirectional characters are refused.",
                            pattern=NO_HIDDEN,
                            maxLength=100,
                        ),
                        "github": _text(
                            "GitHub login", "The person's GitHub login, e.g. lramos.", pattern=GITHUB_LOGIN
                        ),
                        "roles": {
                            "title": "Sign-off roles",
                            "description": "The sign-off roles this person may give (may be empty).",
                            "type": "array",
                            "items": _enum("Role", "A sign-off role.", keys),
                            "uniqueItems": True,
                        },
                        "services": {
                            "title": "Services",
                            "description": "Limit the roles to these services (ids from records/services.yaml).",
                            "type": "array",
                            "items": {"type": "string", "pattern": f"^{SERVICE_ID}{END}"},
                            "uniqueItems": True,
                        },
                        "domains": {
                            "title": "Domains",
                            "description": "Limit the roles to services of these domains.",
                            "type": "array",
                            "items": _enum("Domain", "Business domain of the services.", list(catalog.domains)),
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
    """The JSON Schema of a completeness policy file (``policy.yaml``); every key has a title and a
    description for editors, and the parts lists offer the catalog's sections as completions."""
    keys = lambda terms: [term.key for term in terms]  # noqa: E731
    part_examples = ["signoffs", *(section.key for section in catalog.checklist_sections)]
    part_examples += [sub.path for section in catalog.checklist_sections for sub in section.subsections]
    part = {
        "title": "Part",
        "type": "string",
        "pattern": r"^[a-z0-9_]+(\.[a-z0-9_]+)*" + END,
        "description": "A catalog path: a section (`pre_deployment`), a subsection "
        "(`deployment.pre_flight_checks`), an item (`pre_deployment.testing_and_validation.unit_tests`), "
        "or `signoffs`.",
        "examples": part_examples,
    }
    parts = {"type": "array", "items": {"$ref": "#/$defs/part"}, "uniqueItems": True}

    def term_enum(title: str, description: str, terms: tuple[Any, ...]) -> dict[str, Any]:
        return {"title": title, "description": description, "enum": keys(terms)}

    environment = {
        "type": "object",
        "additionalProperties": False,
        "properties": {
            "signoffs": {
                "title": "Required sign-offs",
                "description": "Roles that must sign off where a status requires `signoffs`.",
                "type": "array",
                "items": term_enum("Role", "A sign-off role.", catalog.signoff_roles),
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
    deployment_type = {
        "type": "object",
        "additionalProperties": False,
        "properties": {
            "deferrable": {
                "title": "Deferrable",
                "description": "Items this type may leave undone at deployment with "
                "`deferred: {justification, follow_up}`.",
                **parts,
            },
            "not_applicable_allowed": {
                "title": "n/a allowed",
                "description": "Parts whose items may be n/a (with a reason) for this type.",
                **parts,
            },
        },
    }
    promotion = {
        "type": "object",
        "additionalProperties": False,
        "required": ["from", "missing"],
        "properties": {
            "from": {
                "title": "Promoted from",
                "description": "Environments where the same version must have been deployed first.",
                "type": "array",
                "items": term_enum("Environment", "An environment.", catalog.environments),
            },
            "missing": {
                "title": "When missing",
                "description": "What a deployment without an earlier one is: a warning or an error.",
                "enum": ["warning", "error"],
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
        "$defs": {"part": part},
        "properties": {
            "lifecycle": {
                "title": "Lifecycle",
                "description": "Statuses in order, each with the parts it requires; a status requires its own "
                "parts plus those of every status before it.",
                "type": "array",
                "items": {
                    "title": "Status step",
                    "description": "One status and what it requires.",
                    "type": "object",
                    "additionalProperties": False,
                    "required": ["status", "requires"],
                    "properties": {
                        "status": term_enum("Status", "The status this step describes.", catalog.statuses),
                        "requires": {"title": "Requires", "description": "Parts due at this status.", **parts},
                        "inherits": term_enum(
                            "Inherits",
                            "For a terminal status (rolled-back, aborted): the status whose requirements it "
                            "starts from, where it branches off the main line.",
                            catalog.statuses,
                        ),
                        "not_before_days": {
                            "title": "Not before (days)",
                            "description": "The earliest this status may be claimed, in days after the "
                            "deployment date.",
                            "type": "integer",
                            "minimum": 0,
                            "examples": [1, 7],
                        },
                    },
                },
            },
            "environments": {
                "title": "Environments",
                "description": "Per environment: the sign-offs it requires, parts it never requires, parts "
                "that may be n/a.",
                "type": "object",
                "additionalProperties": False,
                "properties": {
                    term.key: {"title": term.title, "description": f"What {term.key} requires.", **environment}
                    for term in catalog.environments
                },
            },
            "deployment_types": {
                "title": "Deployment types",
                "description": "Per deployment type: items it may defer, parts that may be n/a.",
                "type": "object",
                "additionalProperties": False,
                "properties": {
                    term.key: {
                        "title": term.title,
                        "description": f"What a {term.key} may leave out.",
                        **deployment_type,
                    }
                    for term in catalog.deployment_types
                },
            },
            "signoff_coverage": {
                "title": "Sign-off coverage",
                "description": "Parts each role vouches for; a change to them makes its sign-off stale.",
                "type": "object",
                "additionalProperties": False,
                "properties": {
                    term.key: {"title": term.title, "description": f"Parts the {term.key} vouches for.", **parts}
                    for term in catalog.signoff_roles
                },
            },
            "reviewer_roles_per_person": {
                "title": "Reviewer roles per person",
                "description": "How many reviewer sign-offs (roles other than deploying-engineer) one person may "
                "give on one record. Default 1: separation of duties between the reviewers too.",
                "type": "integer",
                "minimum": 1,
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
                "title": "Promotion",
                "description": "Per environment: where the same version must have been deployed before.",
                "type": "object",
                "additionalProperties": False,
                "properties": {
                    term.key: {
                        "title": term.title,
                        "description": f"What must come before a deployment to {term.key}.",
                        **promotion,
                    }
                    for term in catalog.environments
                },
            },
        },
    }


def record_schemas(catalog: Catalog) -> dict[str, dict[str, Any]]:
    """File name -> schema, for the files people write (the site's export schemas live with the export)."""
    return {
        RECORD_SCHEMA_FILE: record_schema(catalog, for_editors=True),
        REGISTRY_SCHEMA_FILE: registry_schema(catalog),
        PEOPLE_SCHEMA_FILE: people_schema(catalog),
        POLICY_SCHEMA_FILE: policy_schema(catalog),
    }
