"""Sign-offs: who may give them (people.yaml), separation of duties by identity, and sign-offs bound
to the content their role covers.

People are compared by identity (core/people.py): the person's GitHub login when people.yaml knows
the name, else the name after NFKC, whitespace collapse and case folding, hidden characters dropped.
Rules whose severity follows the record's status (an error where the status requires sign-offs, a
warning before) are listed in STATUS_SEVERITY.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from deploydocs.core.evaluate import Evaluation
from deploydocs.core.model import Record, Signoff
from deploydocs.core.people import DEPLOYING_ENGINEER, hidden_characters, identity, login_key
from deploydocs.core.problems import Problem, Severity
from deploydocs.core.suggest import command

from .base import Context, RuleInfo, define, problem

RULES = define(
    {
        "signoff-missing": RuleInfo(
            "Where the status requires sign-offs, every role the environment needs has signed.",
            "status: closed\nsignoffs: []",
        ),
        "signoff-separation-of-duties": RuleInfo(
            "No reviewer role is signed by the person who deploys (`deployed_by`) or signs as deploying engineer; "
            "names compare by identity (Unicode spelling, spacing and case aside).",
            "deployed_by: {name: Ana, ...}\nsignoffs:\n  - {role: security-reviewer, name: ＡＮＡ, ...}",
        ),
        "signoff-not-deployer": RuleInfo(
            "The deploying engineer's sign-off is given by the `deployed_by` person.",
            "deployed_by: {name: Ana, ...}\nsignoffs:\n  - {role: deploying-engineer, name: Luis, ...}",
        ),
        "signoff-several-roles": RuleInfo(
            "One person gives at most one reviewer sign-off on a record (the policy's `reviewer_roles_per_person`).",
            "- {role: security-reviewer, name: Rosa, ...}\n- {role: compliance-reviewer, name: Rosa, ...}",
        ),
        "reviewer-is-deployer": RuleInfo(
            "In pre-prod and production the reviewer (`reviewed_by`) is not the deployer.",
            "deployed_by: {name: Ana, ...}\nreviewed_by: {name: Ana, ...}",
        ),
        "person-unknown": RuleInfo(
            "Every sign-off, `deployed_by` and `reviewed_by` names a person of records/people.yaml; an error "
            "where the status requires sign-offs, a warning before.",
            "deployed_by: {name: Made Up, ...}",
        ),
        "name-hidden-character": RuleInfo(
            "Names contain no zero-width or bidirectional control characters (they make two names look alike).",
            'name: "Ana\\u200b Quispe"',
        ),
        "signoff-login-mismatch": RuleInfo(
            "A sign-off carries the signer's GitHub login (`github:`) as records/people.yaml gives it; an error "
            "where the status requires sign-offs, a warning before.",
            "- {role: security-reviewer, name: Rosa Huamán, github: someone-else, ...}",
        ),
        "signoff-role-not-allowed": RuleInfo(
            "The signer may give that role (for that service or domain) according to records/people.yaml; an "
            "error where the status requires sign-offs, a warning before.",
            "- {role: product-owner, name: Rosa Huamán, ...}  # people.yaml: roles [operations-manager]",
        ),
        "signoff-unfingerprinted": RuleInfo(
            "A sign-off carries the fingerprint `deploydocs sign` writes; an error where the status requires "
            "sign-offs, a warning before.",
            "- {role: security-reviewer, name: Rosa Huamán, date: 2026-11-20}",
        ),
        "signoff-stale": RuleInfo(
            "A sign-off still matches what its role covers and who signed (name, login, role, date); an error "
            "where the status needs it.",
            "# 3.3 changed after the security-reviewer signed",
        ),
        "signoff-future-date": RuleInfo("No sign-off is dated after today.", "date: 2099-01-01"),
        "signoff-too-old": RuleInfo(
            "A sign-off is not dated long before the deployment (the policy's "
            "`signoff_age.max_days_before_deployment`, 30 days by default).",
            "date: 2026-06-01  # deployed 2026-11-20",
            Severity.WARNING,
        ),
        "signoff-duplicate-role": RuleInfo(
            "Each role signs once.", "- {role: product-owner, ...}\n- {role: product-owner, ...}"
        ),
        "signoff-not-approved": RuleInfo(
            "`deploydocs review --reviews`: a sign-off added or renewed in a pull request is approved there by "
            "its signer's GitHub review, on content its fingerprint matches.",
            "# security-reviewer signed, but @rhuaman's latest review requests changes",
        ),
        "people-schema": RuleInfo("records/people.yaml follows its schema.", "people:\n  - {name: Ana}"),
        "people-duplicate": RuleInfo(
            "Each person, and each GitHub login, is listed once in records/people.yaml.",
            "- {name: Ana Quispe, github: aquispe, roles: []}\n- {name: ana  quispe, github: aq2, roles: []}",
        ),
        "people-unknown-service": RuleInfo(
            "The services a person's roles are limited to are in records/services.yaml.",
            "services: [user-profile-service]",
        ),
    }
)

STATUS_SEVERITY = frozenset(
    {"signoff-stale", "person-unknown", "signoff-login-mismatch", "signoff-role-not-allowed", "signoff-unfingerprinted"}
)
"""Rules that are errors where the claimed status requires the sign-off, warnings before."""

SIGNOFF_STANDING = frozenset({"signoff-missing", *STATUS_SEVERITY})
"""Rules about one sign-off's own standing: what signing (this role or another) settles, so they never
keep `deploydocs sign` from signing."""


def sign_command(record: Record, signoff: Signoff) -> str:
    """The exact `deploydocs sign` command that renews ``signoff``, quoted to run as printed."""
    return command("sign", "--role", signoff.role, "--name", signoff.name or "NAME", record.path)


def _severity(needed: bool) -> Severity:
    return Severity.ERROR if needed else Severity.WARNING


@dataclass
class _Duties:
    """Who does what on one record, by identity (people.identity)."""

    deployer: str | None
    deploying: set[str]  # who signs as deploying engineer
    domain: str | None
    reviewer_roles: dict[str, list[str]] = field(default_factory=dict)  # identity -> reviewer roles signed


def _duties(record: Record, context: Context, signoffs: list[Signoff]) -> _Duties:
    people = context.people
    deployed_by = record.deployed_by.name if record.deployed_by else ""
    service = context.registry.get(record.service)
    return _Duties(
        deployer=identity(deployed_by, people) if deployed_by else None,
        deploying={identity(s.name, people) for s in signoffs if s.role == DEPLOYING_ENGINEER and s.name},
        domain=service.domain if service is not None else None,
    )


def signoffs(record: Record, evaluation: Evaluation, context: Context) -> Iterator[Problem]:
    needed_now = evaluation.signoffs_required_now(context.policy) if evaluation.required_roles else False
    duties = _duties(record, context, record.signoffs)
    yield from _people(record, needed_now, context)
    seen: dict[str, int] = {}
    for signoff in record.signoffs:
        if signoff.role in seen:
            yield problem(
                record,
                record.position("signoffs", signoff.index, "role"),
                "signoff-duplicate-role",
                f"role `{signoff.role}` signs twice (first in entry {seen[signoff.role] + 1})",
                "keep one sign-off per role",
            )
        seen.setdefault(signoff.role, signoff.index)
        needed = needed_now and signoff.role in evaluation.required_roles
        yield from _one_signoff(record, signoff, duties, context, needed)
    yield from _stale_and_reviewer(record, evaluation, context)


def new_signoff_problems(record: Record, context: Context, signoff: Signoff) -> list[Problem]:
    """What ``signoff`` would break if it replaced the record's sign-off of its role (for `deploydocs
    sign`, which refuses to write it then): every rule about one sign-off, as errors."""
    others = [s for s in record.signoffs if s.role != signoff.role]
    duties = _duties(record, context, [*others, signoff])
    for other in others:  # the reviewer roles the others already hold
        if other.name and other.role != DEPLOYING_ENGINEER:
            duties.reviewer_roles.setdefault(identity(other.name, context.people), []).append(other.role)
    return list(_one_signoff(record, signoff, duties, context, needed=True))


def _one_signoff(
    record: Record, signoff: Signoff, duties: _Duties, context: Context, needed: bool
) -> Iterator[Problem]:
    """The rules about one sign-off; ``needed``: the claimed status requires it (errors, not warnings)."""
    people = context.people

    def standing(key: str, rule: str, message: str, fix: str) -> Problem:
        where = record.position("signoffs", signoff.index, key)
        return Problem(record.path, *where, rule, message, fix, _severity(needed))

    who = identity(signoff.name, people) if signoff.name else None
    if who is not None and signoff.role == DEPLOYING_ENGINEER and duties.deployer not in (None, who):
        yield problem(
            record,
            record.position("signoffs", signoff.index, "name"),
            "signoff-not-deployer",
            f"{signoff.name} signs as deploying-engineer, but {record.deployed_by.name} deploys (deployed_by)",
            f"the deploying-engineer sign-off is given by {record.deployed_by.name}",
        )
    if who is not None and signoff.role != DEPLOYING_ENGINEER:
        if who == duties.deployer or who in duties.deploying:
            duty = "deploys this record (deployed_by)" if who == duties.deployer else "signs as deploying-engineer"
            yield problem(
                record,
                record.position("signoffs", signoff.index, "name"),
                "signoff-separation-of-duties",
                f"{signoff.name} signs as {signoff.role} and {duty}",
                "a reviewer must be someone other than the deploying engineer",
            )
        held = duties.reviewer_roles.setdefault(who, [])
        held.append(signoff.role)
        if len(held) > context.policy.reviewer_roles_per_person:
            yield problem(
                record,
                record.position("signoffs", signoff.index, "name"),
                "signoff-several-roles",
                f"{signoff.name} already signs as {', '.join(held[:-1])}; one person gives at most "
                f"{context.policy.reviewer_roles_per_person} reviewer sign-off(s) on a record",
                "ask someone else to sign this role",
            )
    if signoff.date is not None and signoff.date > context.as_of:
        yield problem(
            record,
            record.position("signoffs", signoff.index, "date"),
            "signoff-future-date",
            f"the {signoff.role} sign-off is dated {signoff.date}, after today ({context.as_of})",
            "sign-offs are dated the day they are given",
        )
    if signoff.name and hidden_characters(signoff.name):
        yield _hidden(record, ("signoffs", signoff.index, "name"), signoff.name)
    person = people.by_name(signoff.name) if people is not None else None
    if people is not None and signoff.name and person is None:
        yield standing(
            "name",
            "person-unknown",
            f"{signoff.name} (the {signoff.role} sign-off) is not in {people.path}",
            f"add them to {people.path} with their GitHub login and roles, or correct the name",
        )
    if person is not None:
        # Without a fingerprint either, signoff-unfingerprinted says it all: signing writes both.
        if login_key(signoff.github) != login_key(person.github) and (signoff.github or signoff.fingerprint):
            yield standing(
                "github" if signoff.github else "name",
                "signoff-login-mismatch",
                f"the {signoff.role} sign-off "
                + (f"names GitHub login {signoff.github}" if signoff.github else "has no GitHub login")
                + f"; {people.path} gives {person.name} the login {person.github}",
                f"sign again so the login is taken from {people.path}: `{sign_command(record, signoff)}`",
            )
        if signoff.role and not person.may_sign(signoff.role, record.service, duties.domain):
            allowed = ", ".join(person.roles) or "no role"
            yield standing(
                "role",
                "signoff-role-not-allowed",
                f"{person.name} may not sign as {signoff.role} for {record.service or 'this service'} "
                f"({people.path}: {allowed}{person.scope()})",
                "ask someone who may give this role, or add the role to the person in " + people.path,
            )
    if signoff.name and not signoff.fingerprint:
        yield standing(
            "name",
            "signoff-unfingerprinted",
            f"the {signoff.role} sign-off by {signoff.name} has no fingerprint: nothing binds it to what was approved",
            f"sign with the command, which writes it: `{sign_command(record, signoff)}`",
        )


def _stale_and_reviewer(record: Record, evaluation: Evaluation, context: Context) -> Iterator[Problem]:
    """Sign-offs whose covered content changed, and the plan's reviewer who also deploys."""
    people = context.people
    needed_now = evaluation.signoffs_required_now(context.policy) if evaluation.required_roles else False
    deployer = identity(record.deployed_by.name, people) if record.deployed_by and record.deployed_by.name else None
    for signoff in record.signoffs:
        if signoff.role in evaluation.stale_roles:
            needed = needed_now and signoff.role in evaluation.required_roles
            yield Problem(
                record.path,
                *record.position("signoffs", signoff.index, "fingerprint"),
                "signoff-stale",
                f"the {signoff.role} sign-off by {signoff.name} ({signoff.date}) is stale: what this role covers, "
                "or who signed, changed after it was signed",
                f"ask {signoff.name or 'the signer'} to review the change and sign again: "
                f"`{sign_command(record, signoff)}`",
                _severity(needed),
            )
    if (
        record.environment in ("pre-prod", "production")
        and record.deployed_by
        and record.reviewed_by
        and record.deployed_by.name
        and deployer == identity(record.reviewed_by.name, people)
    ):
        yield problem(
            record,
            record.position("reviewed_by", "name"),
            "reviewer-is-deployer",
            f"{record.reviewed_by.name} both deploys and reviews a {record.environment} deployment",
            "name a different reviewer",
        )


def _hidden(record: Record, path: tuple[object, ...], name: str) -> Problem:
    return problem(
        record,
        record.position(*path),
        "name-hidden-character",
        f"the name {name} contains invisible characters ({', '.join(hidden_characters(name))})",
        "retype the name without zero-width or bidirectional characters",
    )


def _people(record: Record, needed: bool, context: Context) -> Iterator[Problem]:
    """deployed_by and reviewed_by: visible names of people listed in people.yaml."""
    people = context.people
    for key, person in (("deployed_by", record.deployed_by), ("reviewed_by", record.reviewed_by)):
        if person is None or not person.name:
            continue
        if hidden_characters(person.name):
            yield _hidden(record, (key, "name"), person.name)
        if people is not None and people.by_name(person.name) is None:
            yield Problem(
                record.path,
                *record.position(key, "name"),
                "person-unknown",
                f"{person.name} ({key}) is not in {people.path}",
                f"add them to {people.path} with their GitHub login and roles, or correct the name",
                _severity(needed),
            )


def signoff_age(record: Record, evaluation: Evaluation, context: Context) -> Iterator[Problem]:
    """What was reviewed months before the deployment may not be what was deployed."""
    limit = context.policy.signoff_max_days_before
    if limit is None or record.date is None:
        return
    for signoff in record.signoffs:
        if signoff.date is None or (record.date - signoff.date).days <= limit:
            continue
        days = (record.date - signoff.date).days
        yield problem(
            record,
            record.position("signoffs", signoff.index, "date"),
            "signoff-too-old",
            f"the {signoff.role} sign-off is dated {signoff.date}, {days} days before the deployment on "
            f"{record.date} (the policy allows {limit})",
            f"review the record as it is now and sign again: `{sign_command(record, signoff)}`",
        )
