"""Sign-offs: each role signs once, reviewers are not the deployer, and a sign-off still matches what
its role covers."""

from __future__ import annotations

from collections.abc import Iterator

from deploydocs.core.evaluate import Evaluation
from deploydocs.core.model import Record
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
            "One person does not sign as deploying engineer and as a reviewer.",
            "- {role: deploying-engineer, name: Ana}\n- {role: security-reviewer, name: Ana}",
        ),
        "reviewer-is-deployer": RuleInfo(
            "In production the reviewer is not the deployer.",
            "deployed_by: {name: Ana, ...}\nreviewed_by: {name: Ana, ...}",
        ),
        "signoff-stale": RuleInfo(
            "A sign-off made with `deploydocs sign` still matches the sections its role covers; an error where "
            "the status needs it.",
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
    }
)


def signoffs(record: Record, evaluation: Evaluation, context: Context) -> Iterator[Problem]:
    seen: dict[str, int] = {}
    deploying = {s.name.strip().casefold() for s in record.signoffs if s.role == "deploying-engineer" and s.name}
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
        if signoff.role != "deploying-engineer" and signoff.name.strip().casefold() in deploying:
            yield problem(
                record,
                record.position("signoffs", signoff.index, "name"),
                "signoff-separation-of-duties",
                f"{signoff.name} signs as {signoff.role} and as deploying-engineer",
                "a reviewer must be someone other than the deploying engineer",
            )
        if signoff.date is not None and signoff.date > context.as_of:
            yield problem(
                record,
                record.position("signoffs", signoff.index, "date"),
                "signoff-future-date",
                f"the {signoff.role} sign-off is dated {signoff.date}, after today ({context.as_of})",
                "sign-offs are dated the day they are given",
            )
    needed_now = evaluation.signoffs_required_now(context.policy) if evaluation.required_roles else False
    for signoff in record.signoffs:
        if signoff.role in evaluation.stale_roles:
            needed = needed_now and signoff.role in evaluation.required_roles
            yield Problem(
                record.path,
                *record.position("signoffs", signoff.index, "fingerprint"),
                "signoff-stale",
                f"the {signoff.role} sign-off by {signoff.name} ({signoff.date}) is stale: what this role covers "
                "changed after it was signed",
                f"ask {signoff.name or 'the signer'} to review the change and sign again: "
                f"`{command('sign', '--role', signoff.role, '--name', signoff.name or 'NAME', record.path)}`",
                Severity.ERROR if needed else Severity.WARNING,
            )
    if (
        record.environment == "production"
        and record.deployed_by
        and record.reviewed_by
        and record.deployed_by.name.strip().casefold() == record.reviewed_by.name.strip().casefold()
    ):
        yield problem(
            record,
            record.position("reviewed_by", "name"),
            "reviewer-is-deployer",
            f"{record.reviewed_by.name} both deploys and reviews a production deployment",
            "name a different reviewer",
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
            f"review the record as it is now and sign again: "
            f"`{command('sign', '--role', signoff.role, '--name', signoff.name or 'NAME', record.path)}`",
        )
