"""Generate N valid, realistic synthetic deployment records into a throwaway repository.

    .venv/bin/python benchmarks/generate.py --count 1000 --out benchmarks/work/repo-1000

The target folder gets the repository's ``mkdocs.yml``, ``docs/``, ``schemas/`` and
``records/services.yaml``, plus ``records/<service>/<version>-<environment>.yaml`` files that pass
``deploydocs check`` with zero errors at the as-of date (``--as-of``, else ``SOURCE_DATE_EPOCH``, else
2026-11-26). Warnings (overdue monitoring periods, a planned date that passed) are allowed, as in a
real repository.

Everything is derived, not hard-coded: the sections and items come from the catalog
(``deploydocs.core.catalog``), what each status requires, where n/a is allowed and which sign-offs an
environment needs from the policy (``deploydocs.core.policy``), the services and their features from
``records/services.yaml``. Output is deterministic for a given seed, count and as-of date.

Shape of the data: every active service gets an equal share of the records and a history of
releases with increasing versions (development sometimes, staging, pre-prod sometimes, then
production; hotfixes; the odd aborted attempt and production rollback). The most recent records of
each service are in flight (planned, in-progress, deployed, verified); older ones are mostly closed,
some left verified. About 20 % of items carry evidence and/or a note; "if applicable" items are
often n/a with a reason; every record has known issues, planned enhancements, support team,
escalation matrix, glossary, acronyms, the four appendix texts and the sign-offs its status needs.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import importlib.util
import json
import os
import random
import re
import shutil
import sys
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
if importlib.util.find_spec("deploydocs") is None:  # works without the editable install too
    sys.path.insert(0, str(REPO / "plugin"))

from ruamel.yaml import YAML  # noqa: E402

from deploydocs.core.catalog import FIELDS, TABLE, TEXT, Catalog, Item, load_catalog  # noqa: E402
from deploydocs.core.policy import Policy, load_policy  # noqa: E402
from deploydocs.core.rules import expected_id  # noqa: E402
from deploydocs.core.scaffold import checklist_lines, header_lines, item_comment, yaml_flow, yaml_scalar  # noqa: E402
from deploydocs.core.signing import fingerprint  # noqa: E402

DEFAULT_AS_OF = dt.date(2026, 11, 26)  # = SOURCE_DATE_EPOCH 1795651200, the date the tests use
DEFAULT_SEED = 20261126
SIGNOFFS_PART = "signoffs"
COPIED = ("mkdocs.yml", "docs", "schemas", "records/services.yaml")
OPTIONAL = ("overrides",)  # theme overrides (and any other `custom_dir` named in mkdocs.yml)


def as_of_default() -> dt.date:
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), dt.UTC).date()
    return DEFAULT_AS_OF


def epoch_of(day: dt.date) -> int:
    return int(dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC).timestamp())


# --------------------------------------------------------------------------------------------------
# People and words (pools of realistic values; the structure itself comes from the catalog)


def _words(text: str) -> list[str]:
    return text.split()


FIRST = _words(
    "Lucía Diego Martín Carmen Rosa Camila Marco Renzo Patricia Javier Sebastián Gabriela Sofía Andrés "
    "Valeria Mateo Daniela Joaquín Fernanda Tomás Isabel Nicolás Mariana Alejandro Paula Gonzalo Ximena "
    "Rodrigo Elena Hugo Adriana Iván Natalia Felipe Claudia Emilio Lorena Raúl Verónica Pablo Inés Álvaro "
    "Julia Bruno"
)
LAST = _words(
    "Ramos Salas Quispe Villanueva Huamán Rojas Gutiérrez Cárdenas Mendoza Castillo Flores Chávez Torres "
    "Vargas Paredes Herrera Navarro Delgado Ortiz Romero Silva Morales Vega Campos Aguilar Reyes Medina "
    "Ibáñez Prado Fuentes Soto Cabrera Luna Espinoza Molina Benítez Serrano Lozano Rivas Peña"
)
INTERNATIONAL = ["Pierre Lefèvre", "Klaus Becker", "Marco Rossi", "Anna Kowalska", "João Pereira", "Emma Müller"]
DEPLOYER_ROLES = ["Site Reliability Engineer", "Backend Engineer", "Platform Engineer", "DevOps Engineer"]
REVIEWER_ROLES = ["Tech Lead", "Staff Engineer", "Engineering Manager"]
ACRONYMS = [
    ("OIDC", "OpenID Connect"),
    ("TOTP", "Time-based One-Time Password"),
    ("JWKS", "JSON Web Key Set"),
    ("KMS", "Key Management Service"),
    ("RTO", "Recovery Time Objective"),
    ("RPO", "Recovery Point Objective"),
    ("PII", "Personally Identifiable Information"),
    ("SLA", "Service Level Agreement"),
    ("PITR", "Point-In-Time Recovery"),
    ("DLQ", "Dead-Letter Queue"),
    ("HPA", "Horizontal Pod Autoscaler"),
    ("PDB", "Pod Disruption Budget"),
    ("CDC", "Change Data Capture"),
    ("DPO", "Data Protection Officer"),
    ("OTel", "OpenTelemetry"),
]
CRITERIA = [
    "the 7-day error budget and pilot tenant feedback",
    "the performance review and the open known issues",
    "product roadmap priorities for the next sprint",
    "capacity trends and the results of the load test",
    "compliance findings from the monthly review",
]
OUTCOME_ISSUES = [
    "P95 latency rose above the SLO for {minutes} minutes after the switch; recovered after scaling to {pods} pods",
    "A {feature} regression affected about {pct} % of requests until the feature flag was turned off",
    "Consumer lag on the `{short}.events.v{major}` topic peaked at {lag} messages during the first hour",
]
ROLLBACK_REASONS = [
    "Error rate on `{endpoint}` reached {pct} % within {minutes} minutes of the switch ({feature} regression); "
    "rolled back to {previous} under the rollback plan",
    "Data-consistency check between {short} and its downstream consumers failed after the migration; "
    "rolled back to {previous} and the migration was reverted",
]
ABORT_REASONS = [
    "Stopped at the pre-flight health check: a dependency of {feature} was not ready in {environment}; "
    "nothing was rolled out, repeated as attempt {next_attempt}",
    "Stopped before the switch: the database migration exceeded its lock budget in the dry run; "
    "repeated as attempt {next_attempt} after splitting it",
]
NA_REASONS_GENERIC = [
    "No {title_lower} change in {version}",
    "Not used by {name}",
    "Covered by the platform team's shared {title_lower}; nothing specific to {short}",
    "{version} does not touch this area",
]


def _names(rng: random.Random, count: int, taken: set[str]) -> list[str]:
    names: list[str] = []
    while len(names) < count:
        name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
        if name not in taken:
            taken.add(name)
            names.append(name)
    return names


@dataclass
class Org:
    """The people who review, sign and support across all services."""

    security: list[str]
    compliance: list[str]
    operations: list[str]
    product: dict[str, list[str]]  # by domain
    executives: list[str]
    taken: set[str]


def make_org(rng: random.Random, domains: list[str]) -> Org:
    taken: set[str] = set(INTERNATIONAL)
    return Org(
        security=["Pierre Lefèvre", *_names(rng, 3, taken)],
        compliance=_names(rng, 3, taken),
        operations=_names(rng, 3, taken),
        product={domain: _names(rng, 2, taken) for domain in domains},
        executives=["Klaus Becker", *_names(rng, 2, taken)],
        taken=taken,
    )


@dataclass
class Service:
    id: str
    name: str
    domain: str
    purpose: str
    port: int
    features: list[str]
    engineers: list[str]
    leads: list[str]
    phones: dict[str, str] = field(default_factory=dict)

    @property
    def short(self) -> str:
        return self.id.removesuffix("-service")

    @property
    def endpoint(self) -> str:
        return f"/v1/{self.short.split('-')[0]}"


def load_services(root: Path, rng: random.Random, org: Org) -> list[Service]:
    """The active services of the registry, each with a team and features taken from its purpose."""
    raw = YAML(typ="safe", pure=True).load((root / "records" / "services.yaml").read_text(encoding="utf-8"))
    services = []
    for service_id, entry in raw["services"].items():
        if entry.get("status", "active") != "active":
            continue
        purpose = str(entry.get("purpose", ""))
        words = purpose.replace(":", ",").replace(";", ",").split(",")
        features = [w.strip() for w in words if 3 <= len(w.strip()) <= 60] or [entry["name"]]
        team_rng = random.Random(f"team:{service_id}:{rng.random()}")
        engineers = _names(team_rng, 4, org.taken)
        leads = _names(team_rng, 2, org.taken)
        service = Service(
            id=service_id,
            name=entry["name"],
            domain=entry.get("domain", "Core"),
            purpose=purpose,
            port=int(entry.get("port", 3000)),
            features=features,
            engineers=engineers,
            leads=leads,
        )
        for person in engineers + leads:
            service.phones[person] = f"+51 1 555 0{team_rng.randint(100, 999)}"
        services.append(service)
    return services


def github_login(name: str) -> str:
    """A plausible, unique GitHub login for a generated person."""
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    slug = "-".join(re.findall(r"[a-z0-9]+", plain))[:30]
    return f"{slug}-{hashlib.sha256(name.encode()).hexdigest()[:4]}"


def email(name: str) -> str:
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    return plain.replace(" ", ".") + "@smartedify.example"


# --------------------------------------------------------------------------------------------------
# Histories: which records exist, with which version, environment, type and date


@dataclass
class Event:
    service: Service
    environment: str
    version: tuple[int, int, int]
    type: str
    day: int  # relative day; shifted to a date later
    seq: int
    release: int
    attempt: int = 1
    override: str | None = None  # "aborted" or "rolled-back"
    rolls_back: str = ""
    date: dt.date | None = None
    status: str = ""

    @property
    def version_text(self) -> str:
        return ".".join(map(str, self.version))

    @property
    def file_name(self) -> str:
        suffix = "" if self.attempt == 1 else f"-attempt-{self.attempt}"
        return f"{self.version_text}-{self.environment}{suffix}.yaml"


def plan_history(service: Service, quota: int, rng: random.Random, as_of: dt.date) -> list[Event]:
    """Releases of one service, oldest first, then shifted so the newest lands around ``as_of``."""
    events: list[Event] = []
    last_day: dict[str, int] = {}
    attempts: dict[tuple[str, tuple[int, int, int]], int] = {}
    version = (1, 0, 0)
    day = 0
    release = 0
    live_production: tuple[int, int, int] | None = None
    seq = 0

    def add(env: str, ver: tuple[int, int, int], kind: str, when: int, **extra: Any) -> Event:
        nonlocal seq
        when = max(when, last_day.get(env, -1) + 1)  # one environment: versions increase over time
        last_day[env] = when
        key = (env, ver)
        attempts[key] = attempts.get(key, 0) + 1
        seq += 1
        event = Event(service, env, ver, kind, when, seq, release, attempt=attempts[key], **extra)
        events.append(event)
        return event

    while len(events) < quota + 8:
        if release == 0:
            kind = "initial"
        elif live_production is not None and rng.random() < 0.12:
            kind = "hotfix"
        else:
            kind = "update"
        if release > 0:
            major, minor, patch = version
            if kind == "hotfix" or rng.random() < 0.15:
                version = (major, minor, patch + 1)
            elif minor >= 8 and rng.random() < 0.3:
                version = (major + 1, 0, 0)
            else:
                version = (major, minor + 1, 0)
        when = day
        environments = []
        if kind != "hotfix" and rng.random() < 0.3:
            environments.append("development")
        if kind != "hotfix" or rng.random() < 0.5:
            environments.append("staging")
        if kind != "hotfix" and rng.random() < 0.25:
            environments.append("pre-prod")
        environments.append("production")
        for env in environments:
            if env == "production":
                when += rng.randint(3, 9) if kind != "hotfix" else rng.randint(0, 1)
            elif env != environments[0]:
                when += rng.randint(2, 6)
            if env == "staging" and rng.random() < 0.04:  # stopped at pre-flight, repeated days later
                add(env, version, kind, when, override="aborted")
                when += rng.randint(1, 4)
            event = add(env, version, kind, when)
            when = event.day
            if env == "production" and kind == "update" and live_production is not None and rng.random() < 0.04:
                event.override = "rolled-back"
                add(
                    "production",
                    live_production,
                    "rollback",
                    when,
                    rolls_back=expected_id(service.id, event.version_text),
                )
                continue
            if env == "production":
                live_production = version
        release += 1
        day += rng.randint(5, 14)
    events.sort(key=lambda e: (e.day, e.seq))
    events = events[:quota]
    newest = max(e.day for e in events)
    offset = rng.randint(-2, 5)  # the newest record: a few days ago, today, or planned
    # A failure or a rollback cannot lie in the future: move the series back until none does.
    while offset > 0 and any(e.override or e.type == "rollback" for e in events if e.day - newest + offset > 0):
        offset -= 1
    for event in events:
        event.date = as_of + dt.timedelta(days=event.day - newest + offset)
    return events


def assign_status(event: Event, rng: random.Random, as_of: dt.date) -> str:
    if event.override:
        return event.override
    age = (as_of - event.date).days
    if age < 0:
        return "planned"
    if age == 0:
        return rng.choices(["in-progress", "deployed", "planned"], [5, 3, 2])[0]
    if age == 1:
        return rng.choices(["verified", "deployed"], [3, 1])[0]
    if age < 7:
        return "verified"
    return rng.choices(["closed", "verified"], [9, 1])[0]


# --------------------------------------------------------------------------------------------------
# Record content


def covered(path: str, parts: set[str]) -> bool:
    return any(path == part or path.startswith(part + ".") for part in parts)


class Generator:
    def __init__(self, root: Path, seed: int, as_of: dt.date):
        self.catalog: Catalog = load_catalog()
        self.policy: Policy = load_policy(None, self.catalog)
        self.seed = seed
        self.as_of = as_of
        rng = random.Random(f"org:{seed}")
        self.org = make_org(rng, list(self.catalog.domains))
        self.services = load_services(root, rng, self.org)
        self.items = list(self.catalog.items())
        self.roles = [term.key for term in self.catalog.signoff_roles]
        self.role_titles = {term.key: term.title for term in self.catalog.signoff_roles}
        self.pr = 100  # pull-request numbers of the records repository grow with time
        self._required: dict[tuple[str, str], tuple[set[str], bool]] = {}

    # ---- parts and items --------------------------------------------------------------------------

    def required(self, status: str, environment: str) -> tuple[set[str], bool]:
        """Item paths the status requires in the environment, and whether it requires sign-offs."""
        cached = self._required.get((status, environment))
        if cached is not None:
            return cached
        paths: set[str] = set()
        signoffs = False
        for part, _ in self.policy.required_parts(status, environment):
            if part == SIGNOFFS_PART:
                signoffs = True
                continue
            for item in self.items:
                if covered(item.path, {part}) and not self.policy.never_required(item.path, environment):
                    paths.add(item.path)
        self._required[(status, environment)] = (paths, signoffs)
        return paths, signoffs

    def evidence(self, item: Item, event: Event, rng: random.Random) -> str:
        svc = event.service
        run = rng.randint(10_000_000_000, 12_999_999_999)
        env = {"production": "prod", "pre-prod": "preprod", "staging": "stg", "development": "dev"}[event.environment]
        by_section = {
            "pre_deployment": [
                f"https://github.com/smartedify/{svc.id}/pull/{rng.randint(80, 900)}",
                f"https://github.com/smartedify/{svc.id}/actions/runs/{run}",
                f"https://github.com/smartedify/platform-infra/pull/{rng.randint(150, 600)}",
                f"https://jira.smartedify.example/browse/SEC-{rng.randint(100, 400)}",
            ],
            "deployment": [
                f"https://github.com/smartedify/{svc.id}/actions/runs/{run}",
                f"https://argocd.smartedify.example/applications/{svc.id}-{env}",
            ],
            "post_deployment": [
                f"https://grafana.smartedify.example/d/{svc.short}-slo/{svc.id}-slo?var-env={env}",
                f"https://github.com/smartedify/{svc.id}/actions/runs/{run}",
            ],
            "communication_and_documentation": [
                f"https://status.smartedify.example/incidents/{svc.short[:4]}{rng.randint(1000, 9999)}",
                f"https://docs.smartedify.example/services/{svc.short}/{event.version_text}",
            ],
            "next_steps": [f"https://jira.smartedify.example/browse/{svc.short[:4].upper()}-{rng.randint(100, 999)}"],
        }
        choices = by_section.get(
            item.section_key,
            [
                f"https://grafana.smartedify.example/d/{svc.short}-overview/{svc.id}?var-env={env}",
                f"https://github.com/smartedify/runbooks/blob/main/{svc.id}/{item.key.replace('_', '-')}.md",
            ],
        )
        return rng.choice(choices)

    def note(self, item: Item, event: Event, rng: random.Random) -> str:
        svc = event.service
        feature = rng.choice(svc.features)
        person = rng.choice(svc.engineers)
        day = event.date.isoformat() if event.date else ""
        title = item.display_title()
        if "erformance" in title or "Metrics" in title or "Monitoring" in title:
            return (
                f"P95 `{svc.endpoint}` {rng.randint(120, 480)} ms, 5xx {rng.randint(1, 9) / 100:.2f} % "
                f"(SLO: P95 <= 2 s, 99.95 % availability)"
            )
        if rng.random() < 0.25:
            lines = [
                f"Checked by {person} on {day}:",
                "",
                f"- {feature}: behaves as in the previous release",
                f"- dashboard `{svc.short}-{event.environment}-overview` shows no new errors",
                f"- {item.description.rstrip('.')}",
            ]
            return "\n".join(lines) + "\n"
        templates = [
            f"{item.description.rstrip('.')}; checked by {person}",
            f"Done for {feature} ({event.version_text}); no deviations from the runbook",
            f"Verified in {event.environment} on {day}, see the linked run",
            f"Same procedure as the previous release; {person} double-checked it",
        ]
        return rng.choice(templates)

    def na_reason(self, item: Item, event: Event, rng: random.Random) -> str:
        svc = event.service
        if item.section_key == "deployment" and "staging" in item.description.lower():
            if event.type == "rollback":
                return "Rollback to the version production ran until this deployment"
            if event.environment == "staging":
                return "This is the staging deployment"
            if event.environment == "development":
                return "Development comes before staging"
        if event.type == "rollback":
            return "Redeploys a released version"
        if event.environment == "development" and not item.if_applicable:
            return "Not exercised in development; checked in staging"
        template = rng.choice(NA_REASONS_GENERIC)
        return template.format(
            title_lower=item.display_title().lower(), version=event.version_text, name=svc.name, short=svc.short
        )

    def item_value(self, item: Item, event: Event, complete: bool, done_chance: float, rng: random.Random) -> Any:
        """done / pending / mapping, for one item of one record."""
        policy = self.policy
        na_allowed = policy.not_applicable_allowed(item, event.environment, event.type)
        staging_step = item.section_key == "deployment" and "staging" in item.description.lower()
        if na_allowed and (
            (staging_step and (event.environment in ("staging", "development") or event.type == "rollback"))
            or (item.if_applicable and rng.random() < 0.3)
            or (not item.if_applicable and rng.random() < 0.04)
        ):
            return {"state": "n/a", "reason": self.na_reason(item, event, rng)}
        state = "done" if complete or rng.random() < done_chance else "pending"
        value: dict[str, Any] = {"state": state}
        if state == "done" and rng.random() < 0.2:
            if rng.random() < 0.65:
                value["evidence"] = self.evidence(item, event, rng)
            if "evidence" not in value or rng.random() < 0.4:
                value["note"] = self.note(item, event, rng)
            if rng.random() < 0.1:
                value["by"] = rng.choice(event.service.engineers)
        if staging_step and state == "done" and event.environment in ("production", "pre-prod"):
            value.setdefault("evidence", f"{expected_id(event.service.id, event.version_text)} (staging)")
        for parameter in item.parameters:
            if parameter.type == "integer":
                default = parameter.default if parameter.default is not None else 7
                value[parameter.key] = rng.choice([default, default, default * 2])
            elif parameter.default is not None:
                value[parameter.key] = parameter.default
            elif state == "done" or rng.random() < 0.5:
                value[parameter.key] = rng.choice(CRITERIA)
        if len(value) == 1:
            return state
        return value

    # ---- whole records ----------------------------------------------------------------------------

    def record(self, event: Event, history: dict[str, Any], rng: random.Random) -> dict[str, Any]:
        svc = event.service
        status = event.status
        environment = event.environment
        version = event.version_text
        required, needs_signoffs = self.required(status, environment)
        following = self.policy.next_status(status) if status not in ("rolled-back", "aborted") else None
        if status == "rolled-back":
            following = "deployed"
        if status == "aborted":
            following = "in-progress"
        next_required = self.required(following, environment)[0] - required if following else set()
        deployer = rng.choice(svc.engineers)
        reviewer = rng.choice(svc.leads)
        data: dict[str, Any] = {
            "id": expected_id(svc.id, version),
            "service": svc.id,
            "version": version,
            "environment": environment,
            "type": event.type,
            "status": status,
        }
        if event.attempt > 1:
            data["attempt"] = event.attempt
        data["date"] = event.date.isoformat()
        data["deployed_by"] = {"name": deployer, "role": rng.choice(DEPLOYER_ROLES)}
        data["reviewed_by"] = {"name": reviewer, "role": rng.choice(REVIEWER_ROLES)}
        data["changes"] = history["changes"]
        if event.rolls_back:
            data["rolls_back"] = event.rolls_back
        words = {
            "feature": rng.choice(svc.features),
            "short": svc.short,
            "endpoint": svc.endpoint,
            "major": event.version[0],
            "minutes": rng.randint(4, 40),
            "pods": rng.randint(6, 14),
            "pct": rng.randint(2, 9),
            "lag": rng.randint(2, 90) * 1000,
            "previous": history.get("previous", version),
            "environment": environment,
            "next_attempt": event.attempt + 1,
        }
        if status == "rolled-back":
            data["outcome"] = "failure"
            data["outcome_reason"] = rng.choice(ROLLBACK_REASONS).format(**words)
        elif status == "aborted":
            data["outcome_reason"] = rng.choice(ABORT_REASONS).format(**words)
        elif status in ("deployed", "verified", "closed"):
            if rng.random() < 0.15:
                data["outcome"] = "issues"
                data["outcome_reason"] = rng.choice(OUTCOME_ISSUES).format(**words)
            else:
                data["outcome"] = "success"

        # Checklists: what the status requires is complete; what comes next is partly done.
        checklists: dict[str, Any] = {}
        deferrals = event.type == "hotfix" and status in ("in-progress", "deployed", "verified") and rng.random() < 0.4
        waivers = status in ("deployed", "verified") and rng.random() < 0.06
        for item in self.items:
            complete = item.path in required
            if status == "closed":
                done_chance = 0.7
            elif item.path in next_required:
                done_chance = 0.6
            else:
                done_chance = 0.08
            value = self.item_value(item, event, complete, done_chance, rng)
            state = value if isinstance(value, str) else value["state"]
            if complete and state == "done" and deferrals and self.policy.deferrable(item, event.type):
                if rng.random() < 0.5:
                    value = {
                        "state": "pending",
                        "deferred": {
                            "justification": f"Hotfix for a production incident; {item.display_title().lower()} "
                            "follows within the week",
                            "follow_up": (self.as_of + dt.timedelta(days=rng.randint(2, 10))).isoformat(),
                        },
                    }
            elif complete and state == "done" and waivers and rng.random() < 0.03:
                value = {
                    "state": "pending",
                    "waiver": {
                        "reason": f"Blocked by the platform team's migration; tracked in "
                        f"{svc.short[:4].upper()}-{rng.randint(100, 999)}",
                        "approver": rng.choice(["operations-manager", "security-reviewer"]),
                        "expires": (self.as_of + dt.timedelta(days=rng.randint(10, 45))).isoformat(),
                    },
                }
            checklists.setdefault(item.section_key, {}).setdefault(item.subsection_key, {})[item.key] = value
        data["checklists"] = checklists

        # Tables, fields and texts: every subsection of the catalog that a record holds.
        for sub in self.catalog.subsections():
            if sub.kind == TABLE:
                data[sub.key] = self.table_rows(sub.key, [c.key for c in sub.columns], event, history, rng)
            elif sub.kind == FIELDS:
                data[sub.key] = {
                    column.key: self.field_value(column.key, column.title, event, rng) for column in sub.columns
                }
            elif sub.kind == TEXT:
                data[sub.key] = self.text_block(sub.key, event, history, rng)

        # Sign-offs.
        roles = list(self.policy.required_signoffs(environment))
        if needs_signoffs:
            signing = roles
        elif status == "verified":
            signing = roles[: rng.choice([0, 1, 2, 2, 3])]
        elif status in ("deployed", "in-progress", "rolled-back"):
            signing = roles[: rng.choice([0, 0, 1])]
        else:
            signing = []
        people = {
            "deploying-engineer": [deployer],
            "security-reviewer": self.org.security,
            "compliance-reviewer": self.org.compliance,
            "operations-manager": self.org.operations,
            "product-owner": self.org.product.get(svc.domain) or self.org.operations,
        }
        self.pr += 1
        signoffs = []
        used = {deployer}
        for role in signing:
            if role == "deploying-engineer":
                name = deployer
            else:
                pool = [p for p in people.get(role, svc.leads) if p not in used] or [
                    p for p in svc.leads if p not in used
                ]
                name = rng.choice(pool)
            used.add(name)
            signed = min(event.date + dt.timedelta(days=rng.randint(1, 8)), self.as_of)
            entry = {
                "role": role,
                "name": name,
                "github": github_login(name),
                "date": signed.isoformat(),
                "review": f"https://github.com/smartedify/deploy-records/pull/{self.pr}"
                f"#pullrequestreview-{rng.randint(2_000_000_000, 2_999_999_999)}",
            }
            signoffs.append(entry)
        data["signoffs"] = signoffs
        rng.random()  # kept: the draw that once chose which records carried fingerprints (same output)
        for entry in signoffs:  # signed with `deploydocs sign`, as the policy requires
            entry["fingerprint"] = fingerprint(
                data,
                entry["role"],
                self.policy,
                self.catalog,
                name=entry["name"],
                github=entry["github"],
                date=entry["date"],
            )
        return data

    def people_yaml(self) -> str:
        """records/people.yaml: everyone the records name, with a login; everyone may give every role
        (the records already keep reviewers and deployers apart)."""
        names = [
            *self.org.security,
            *self.org.compliance,
            *self.org.operations,
            *(name for domain in sorted(self.org.product) for name in self.org.product[domain]),
            *self.org.executives,
            *(name for svc in self.services for name in (*svc.engineers, *svc.leads)),
        ]
        roles = ", ".join(self.roles)
        lines = ["# yaml-language-server: $schema=../schemas/people.schema.json", "people:"]
        for name in dict.fromkeys(names):
            lines.append(f"  - {{name: {yaml_scalar(name)}, github: {github_login(name)}, roles: [{roles}]}}")
        return "\n".join(lines) + "\n"

    def table_rows(
        self, key: str, columns: list[str], event: Event, history: dict[str, Any], rng: random.Random
    ) -> list[dict[str, Any]]:
        svc = event.service
        if key == "known_issues":
            return [dict(row) for row in history["issues"]]
        if key == "planned_enhancements":
            major, minor, _ = event.version
            return [
                {
                    "enhancement": f"{rng.choice(['Faster', 'Self-service', 'Per-tenant', 'Audited'])} {feature}",
                    "priority": rng.choice(["high", "medium", "low"]),
                    "planned_release": f"{major}.{minor + step}.0",
                }
                for step, feature in enumerate(rng.sample(svc.features, min(3, len(svc.features))), start=1)
            ]
        if key == "escalation_matrix":
            primary, secondary = svc.engineers[0], svc.engineers[1]
            return [
                {"after": "0-15 minutes", "level": "Primary On-Call", "contact": self.contact(primary, svc)},
                {"after": "15-60 minutes", "level": "Secondary On-Call", "contact": self.contact(secondary, svc)},
                {"after": "1-2 hours", "level": "Engineering Manager", "contact": self.contact(svc.leads[0], svc)},
                {
                    "after": "2-4 hours",
                    "level": "VP of Engineering",
                    "contact": f"{self.org.executives[1]}, {email(self.org.executives[1])}",
                },
                {"after": "4+ hours", "level": "CTO", "contact": f"Klaus Becker, {email('Klaus Becker')}"},
            ]
        if key == "glossary":
            return [
                {"term": feature[:1].upper() + feature[1:], "definition": f"Part of the {svc.name}: {feature}."}
                for feature in rng.sample(svc.features, min(3, len(svc.features)))
            ]
        if key == "acronyms":
            return [{"acronym": a, "full_form": f} for a, f in rng.sample(ACRONYMS, rng.randint(2, 5))]
        # A table the catalog gained later: one row of plausible text per column.
        return [{column: f"{column.replace('_', ' ').capitalize()} of {svc.name}" for column in columns}]

    def contact(self, person: str, svc: Service) -> str:
        return f"{person}, {svc.phones.get(person, '+51 1 555 0100')}, {email(person)}"

    def field_value(self, key: str, title: str, event: Event, rng: random.Random) -> str:
        svc = event.service
        if "primary" in key:
            return self.contact(svc.engineers[0], svc)
        if "secondary" in key:
            return self.contact(svc.engineers[1], svc)
        if "development" in key:
            return f"#{svc.short}-dev on Slack, {svc.short}-team@smartedify.example"
        if "security" in key:
            return "Security Operations, security@smartedify.example, +51 1 555 0160 (24/7)"
        if "compliance" in key:
            return f"Compliance and Data Protection ({self.org.compliance[0]}, DPO), compliance@smartedify.example"
        return f"{title}: {svc.name} team, {svc.short}-team@smartedify.example"

    def text_block(self, key: str, event: Event, history: dict[str, Any], rng: random.Random) -> str:
        svc = event.service
        env = {"production": "prod", "pre-prod": "preprod", "staging": "stg", "development": "dev"}[event.environment]
        previous = history.get("previous", event.version_text)
        if key == "emergency_procedures":
            lines = [
                f"**{svc.name} outage or error rate above 2 % (SLO: 99.95 % availability, P95 <= 2 s):**",
                "",
                f"1. Page the primary on-call through PagerDuty (`{svc.id}-{env}`) and open `#inc-{svc.short}`.",
                f"2. Freeze the rollout: `kubectl argo rollouts pause {svc.id} -n {svc.short}`.",
                f"3. If the canary is below 100 %, abort it: `kubectl argo rollouts abort {svc.id} -n {svc.short}`.",
                f"4. Check the dependencies of {rng.choice(svc.features)} before touching the service.",
                "5. Post on the status page within 15 minutes; the incident commander owns stakeholder updates.",
                "",
                f"Recovery targets: RTO <= {rng.choice([5, 10, 15])} minutes, RPO <= {rng.choice([1, 5])} minute(s).",
            ]
        elif key == "rollback_procedures":
            lines = [
                f"1. Announce the rollback in `#inc-{svc.short}` and on the status page.",
                "2. Roll back the Argo CD application to the previous revision:",
                f"   `argocd app rollback {svc.id}-{env} <previous-history-id>` (back to {previous})",
                "3. Confirm the pods run the previous image digest:",
                f"   `kubectl get pods -n {svc.short} -o jsonpath='{{..image}}'`",
                "4. Database: migrations are backwards compatible; do not run down migrations.",
                f"5. Run the smoke suite (`npm run smoke -- --env={event.environment}`) and watch the SLO dashboard.",
            ]
        elif key == "troubleshooting_guide":
            lines = ["| Symptom | Likely cause | Resolution |", "|---|---|---|"]
            for feature in rng.sample(svc.features, min(3, len(svc.features))):
                lines.append(
                    f"| Errors in {feature} after deploy | Configuration drift between environments | "
                    f"Compare `values-{env}.yaml` with the release notes; redeploy the config |"
                )
            lines.append(
                f"| Slow `{svc.endpoint}` (P95 > 2 s) | Database connection pool exhausted | "
                "Check `db_pool_waiting`; scale out or raise the pool size |"
            )
        elif key == "configuration_templates":
            lines = [
                f"- Helm values: [values-{env}.yaml](https://github.com/smartedify/platform-infra/blob/main/apps/"
                f"{svc.id}/values-{env}.yaml)",
                f"- Gateway routes: [gateway/{svc.short}.yaml](https://github.com/smartedify/platform-infra/blob/main/"
                f"gateway/routes/{svc.short}.yaml)",
                f"- Secrets layout in AWS Secrets Manager: `smartedify/{env}/{svc.id}/*`",
            ]
        else:  # a text the catalog gained later
            lines = [f"{svc.name} {event.version_text}: see the runbooks repository."]
        return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------------------------------
# YAML text (the layout of the scaffold: comments with the template's numbers and wording)


def block(indent: str, text: str) -> list[str]:
    return [f"{indent}{line}" if line else "" for line in text.rstrip("\n").split("\n")]


def emit(data: dict[str, Any], catalog: Catalog, rng: random.Random) -> str:
    lines = header_lines(data["service"], data["version"], data["environment"])
    for key in ("id", "service", "version", "environment", "type", "status", "attempt", "date"):
        if key in data:
            lines.append(f"{key}: {yaml_scalar(data[key])}")
    lines.append(f"deployed_by: {yaml_flow(data['deployed_by'])}")
    lines.append(f"reviewed_by: {yaml_flow(data['reviewed_by'])}")
    for key in ("changes", "rolls_back", "outcome", "outcome_reason"):
        if key in data:
            lines.append(f"{key}: {yaml_scalar(data[key])}")

    def item_lines(item: Item, width: int) -> list[str]:
        section, sub = item.section_key, item.subsection_key
        value = data["checklists"][section][sub][item.key]
        comment = item_comment(item)
        multiline = isinstance(value, dict) and any("\n" in str(v) for v in value.values())
        if isinstance(value, str):
            return [f"      {(item.key + ': ' + value).ljust(width)}  {comment}"]
        if not (multiline or (len(value) >= 3 and rng.random() < 0.5)):
            return [f"      {(item.key + ': ' + yaml_flow(value)).ljust(width)}  {comment}"]
        lines = [f"      {(item.key + ':').ljust(width)}  {comment}"]
        for key, child in value.items():
            if isinstance(child, dict):
                lines.append(f"        {key}: {yaml_flow(child)}")
            elif isinstance(child, str) and "\n" in child:
                lines.append(f"        {key}: |")
                lines.extend(block("          ", child))
            else:
                lines.append(f"        {key}: {yaml_scalar(child)}")
        return lines

    lines += ["", *checklist_lines(catalog, item_lines)]
    for sub in catalog.subsections():
        if sub.kind not in (TABLE, FIELDS, TEXT) or sub.key not in data:
            continue
        value = data[sub.key]
        lines.append(f"# {sub.number} {sub.title}: {sub.description}")
        if sub.kind == TABLE:
            if not value:
                lines.append(f"{sub.key}: []")
            elif sub.key == "known_issues":  # long rows: block style, as people write them
                lines.append(f"{sub.key}:")
                for row in value:
                    first = True
                    for key, child in row.items():
                        lines.append(f"  {'- ' if first else '  '}{key}: {yaml_scalar(child)}")
                        first = False
            else:
                lines.append(f"{sub.key}:")
                lines.extend(f"  - {yaml_flow(row)}" for row in value)
        elif sub.kind == FIELDS:
            lines.append(f"{sub.key}:")
            lines.extend(f"  {key}: {yaml_scalar(child)}" for key, child in value.items())
        else:
            lines.append(f"{sub.key}: |")
            lines.extend(block("  ", value))
        lines.append("")
    lines.append("# 11 Deployment Sign-offs: `deploydocs sign --role ROLE --name NAME <this file>` adds them.")
    if data["signoffs"]:
        lines.append("signoffs:")
        lines.extend(f"  - {yaml_flow(entry)}" for entry in data["signoffs"])
    else:
        lines.append("signoffs: []")
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------------------------------
# Known issues that live across a service's releases


def evolve_issues(
    state: dict[str, Any], svc: Service, event: Event, rng: random.Random, as_of: dt.date
) -> list[dict[str, Any]]:
    """Open a new issue now and then, resolve open ones; returns this record's known_issues rows."""
    snapshots = state.setdefault("snapshots", {})
    release_key = (event.release, event.version)
    if release_key in snapshots:  # the release's other environments list the same issues
        return [dict(row) for row in snapshots[release_key]]
    state["resolved_now"] = []
    still_open = []
    for issue in state["open"]:
        if event.date <= as_of and rng.random() < 0.35:
            issue = dict(issue, resolution=f"Fixed in {event.version_text}", resolved=event.date.isoformat())
            state["resolved_now"].append(issue)
        else:
            still_open.append(issue)
    state["open"] = still_open
    if rng.random() < 0.35 or not state["open"]:
        state["counter"] += 1
        feature = rng.choice(svc.features)
        major, minor, _ = event.version
        state["open"].append(
            {
                "id": f"KI-{svc.short.upper()}-{state['counter']}",
                "issue": f"{feature[:1].upper() + feature[1:]} is slow for tenants with more than "
                f"{rng.choice([500, 1000, 5000])} units",
                "impact": rng.choice(["high", "medium", "medium", "low", "low"]),
                "workaround": rng.choice(
                    [
                        "Retry after a minute; the request is idempotent",
                        "Run the job outside office hours",
                        "Operators can trigger it from the admin console",
                    ]
                ),
                "resolution": f"Planned for {major}.{minor + 1}.0",
                "opened": min(event.date, as_of).isoformat(),
            }
        )
    snapshots[release_key] = [*state["open"], *state["resolved_now"]][-6:]
    return [dict(row) for row in snapshots[release_key]]


def change_line(svc: Service, event: Event, rng: random.Random) -> str:
    if event.type == "rollback":
        return f"Rollback to {event.version_text} after the failed {event.rolls_back.rsplit('-', 1)[-1]} deployment"
    if event.type == "hotfix":
        return f"Hotfix: {rng.choice(svc.features)} returned errors for some tenants after the last release"
    if event.type == "initial":
        return f"First release of the {svc.name}: {svc.purpose}"
    picked = rng.sample(svc.features, min(2, len(svc.features)))
    verbs = ["New", "Faster", "Improved", "Per-tenant settings for", "Audit trail for", "Bulk export of"]
    return "; ".join(f"{rng.choice(verbs)} {feature}" for feature in picked)


# --------------------------------------------------------------------------------------------------


def skeleton_paths() -> list[str]:
    """What a generated repository copies from this one: config, docs, schemas, registry, theme overrides."""
    paths = list(COPIED) + [p for p in OPTIONAL if (REPO / p).exists()]
    match = re.search(r"^\s*custom_dir:\s*['\"]?([^'\"#\s]+)", (REPO / "mkdocs.yml").read_text(encoding="utf-8"), re.M)
    if match and (REPO / match.group(1)).is_dir() and match.group(1) not in paths:
        paths.append(match.group(1))
    return paths


def copy_skeleton(destination: Path) -> None:
    destination.mkdir(parents=True, exist_ok=True)
    for relative in skeleton_paths():
        source = REPO / relative
        target = destination / relative
        if target.is_dir():
            shutil.rmtree(target)
        target.parent.mkdir(parents=True, exist_ok=True)
        if source.is_dir():
            shutil.copytree(source, target)
        else:
            shutil.copy2(source, target)


def fingerprint_inputs(count: int, seed: int, as_of: dt.date) -> str:
    """What the generated repository depends on (to reuse a previous generation)."""
    digest = hashlib.sha256(f"{count}:{seed}:{as_of}".encode())
    for path in (
        Path(__file__),
        REPO / "plugin/deploydocs/core/data/catalog.yaml",
        REPO / "plugin/deploydocs/core/data/policy.yaml",
        REPO / "records/services.yaml",
        REPO / "mkdocs.yml",
    ):
        digest.update(path.read_bytes())
    for folder in skeleton_paths():
        if not (REPO / folder).is_dir():
            continue
        for path in sorted((REPO / folder).rglob("*")):
            if path.is_file():
                digest.update(path.relative_to(REPO).as_posix().encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()


def iter_records(count: int, seed: int, as_of: dt.date) -> Iterator[tuple[str, str]]:
    """(relative path, YAML text) of every record."""
    generator = Generator(REPO, seed, as_of)
    services = generator.services
    for index, svc in enumerate(services):
        quota = count // len(services) + (1 if index < count % len(services) else 0)
        if quota == 0:
            continue
        rng = random.Random(f"history:{seed}:{svc.id}")
        events = plan_history(svc, quota, rng, as_of)
        issues_state: dict[str, Any] = {"open": [], "counter": 0}
        previous_live = None
        changes_by_release: dict[int, str] = {}
        for event in events:
            event_rng = random.Random(f"record:{seed}:{svc.id}:{event.file_name}")
            event.status = assign_status(event, event_rng, as_of)
            if event.release not in changes_by_release or event.type == "rollback":
                changes_by_release.setdefault(event.release, change_line(svc, event, event_rng))
            history = {
                "changes": change_line(svc, event, event_rng)
                if event.type == "rollback"
                else changes_by_release[event.release],
                "issues": evolve_issues(issues_state, svc, event, event_rng, as_of),
                "previous": previous_live or event.version_text,
            }
            data = generator.record(event, history, event_rng)
            if event.environment == "production" and event.status in ("deployed", "verified", "closed"):
                previous_live = event.version_text
            yield f"records/{svc.id}/{event.file_name}", emit(data, generator.catalog, event_rng)


def generate(
    count: int, out: Path, seed: int = DEFAULT_SEED, as_of: dt.date | None = None, force: bool = False
) -> dict:
    """Write the repository; returns a summary. Reuses ``out`` when it was generated from the same inputs."""
    as_of = as_of or as_of_default()
    stamp_file = out / ".generated"
    stamp = fingerprint_inputs(count, seed, as_of)
    if not force and stamp_file.is_file():
        try:
            summary = json.loads(stamp_file.read_text(encoding="utf-8"))
            if summary.get("stamp") == stamp:
                summary["reused"] = True
                return summary
        except ValueError:
            pass
    if (out / "records").exists():
        shutil.rmtree(out / "records")
    for stale in (".deploydocs-cache", "site"):
        if (out / stale).exists():
            shutil.rmtree(out / stale)
    copy_skeleton(out)
    statuses: dict[str, int] = {}
    environments: dict[str, int] = {}
    written = 0
    total_bytes = 0
    (out / "records" / "people.yaml").write_text(Generator(REPO, seed, as_of).people_yaml(), encoding="utf-8")
    for relative, text in iter_records(count, seed, as_of):
        target = out / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
        written += 1
        total_bytes += len(text.encode("utf-8"))
        for line in text.splitlines()[:12]:
            if line.startswith("status: "):
                statuses[line[8:]] = statuses.get(line[8:], 0) + 1
            elif line.startswith("environment: "):
                environments[line[13:]] = environments.get(line[13:], 0) + 1
    summary = {
        "stamp": stamp,
        "count": written,
        "seed": seed,
        "as_of": as_of.isoformat(),
        "source_date_epoch": epoch_of(as_of),
        "bytes": total_bytes,
        "statuses": dict(sorted(statuses.items(), key=lambda kv: -kv[1])),
        "environments": dict(sorted(environments.items(), key=lambda kv: -kv[1])),
        "reused": False,
    }
    stamp_file.write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    return summary


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", "-n", type=int, required=True, help="number of records")
    parser.add_argument("--out", required=True, type=Path, help="target repository folder (created)")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--as-of", type=dt.date.fromisoformat, default=None, help="YYYY-MM-DD (default: see above)")
    parser.add_argument("--force", action="store_true", help="regenerate even if the folder is up to date")
    args = parser.parse_args(argv)
    summary = generate(args.count, args.out.resolve(), args.seed, args.as_of, args.force)
    print(
        f"{'reused' if summary['reused'] else 'wrote'} {summary['count']} records "
        f"({summary['bytes'] / 1e6:.1f} MB) in {args.out} as of {summary['as_of']} "
        f"(SOURCE_DATE_EPOCH={summary['source_date_epoch']})"
    )
    print("statuses:", ", ".join(f"{k} {v}" for k, v in summary["statuses"].items()))
    print("environments:", ", ".join(f"{k} {v}" for k, v in summary["environments"].items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
