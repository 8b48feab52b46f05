"""Pull-request approvals: every sign-off a pull request adds or renews is approved, on GitHub, by
the person it names, on content its fingerprint matches.

The input is what GitHub's REST API returns for "list reviews for a pull request"
(``gh api --paginate repos/OWNER/REPO/pulls/N/reviews``): review objects with ``id``, ``user.login``,
``state`` (APPROVED, CHANGES_REQUESTED, COMMENTED, DISMISSED, PENDING), ``commit_id``,
``submitted_at`` and ``html_url``, among others. A reviewer's standing is their latest review that
is not a comment (GitHub's own rule: a comment neither approves nor withdraws an approval); an
approval counts for the commit it was given on, and holds for a sign-off when that record's
fingerprint for the role, computed at that commit, equals the sign-off's.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .catalog import Catalog
from .evaluate import Evaluation
from .gfm import text as md  # the one escape for values in the summary
from .load import LoadError, parse_document
from .model import Signoff
from .people import DEPLOYING_ENGINEER, People, identity, login_key
from .policy import SIGNOFFS_PART, Policy
from .problems import Problem
from .signing import fingerprint

REVIEW_STATES = ("APPROVED", "CHANGES_REQUESTED", "COMMENTED", "DISMISSED", "PENDING")
APPROVED, CHANGES_REQUESTED, COMMENTED, DISMISSED, PENDING = REVIEW_STATES
RULE = "signoff-not-approved"


class ReviewsError(Exception):
    """A reviews file that is not GitHub's list of reviews."""


@dataclass(frozen=True)
class Review:
    """One pull-request review, as the REST API gives it (the fields used here)."""

    id: int
    login: str
    state: str
    commit_id: str
    submitted_at: str  # ISO 8601, UTC ("" while PENDING)
    html_url: str


def parse_reviews(text: str, source: str) -> list[Review]:
    """Reviews from GitHub's JSON: one array, or the arrays ``gh api --paginate`` writes one after
    another (or wrapped in one array by ``--slurp``)."""
    decoder = json.JSONDecoder()
    pages: list[Any] = []
    index = 0
    text = text.strip()
    while index < len(text):
        try:
            value, index = decoder.raw_decode(text, index)
        except json.JSONDecodeError as error:
            raise ReviewsError(f"{source}: not JSON ({error.msg} at character {error.pos})") from None
        pages.append(value)
        while index < len(text) and text[index].isspace():
            index += 1
    entries: list[Any] = []
    for page in pages:
        if not isinstance(page, list):
            raise ReviewsError(f"{source}: expected the JSON array GitHub returns for a pull request's reviews")
        if page and all(isinstance(item, list) for item in page):  # gh --slurp: an array of pages
            entries.extend(item for inner in page for item in inner)
        else:
            entries.extend(page)
    reviews = []
    for number, entry in enumerate(entries, start=1):
        reviews.append(_review(entry, f"{source}: review {number}"))
    return reviews


def _review(entry: Any, where: str) -> Review:
    if not isinstance(entry, dict):
        raise ReviewsError(f"{where} is not an object")
    user = entry.get("user")
    login = user.get("login") if isinstance(user, dict) else None  # null for a deleted account
    state = entry.get("state")
    if state not in REVIEW_STATES:
        raise ReviewsError(f"{where}: state {state!r} is not one of {', '.join(REVIEW_STATES)}")
    for key in ("id", "commit_id", "html_url"):
        if key not in entry:
            raise ReviewsError(f"{where}: no `{key}`")
    return Review(
        id=entry["id"] if isinstance(entry["id"], int) else 0,
        login=login if isinstance(login, str) else "",
        state=state,
        commit_id=entry["commit_id"] if isinstance(entry["commit_id"], str) else "",
        submitted_at=entry.get("submitted_at") or "",
        html_url=entry["html_url"] if isinstance(entry["html_url"], str) else "",
    )


def standing(reviews: list[Review], login: str) -> tuple[Review | None, bool]:
    """The latest review by ``login`` that approves, requests changes or was dismissed (None: none),
    and whether any of theirs approved at some point."""
    own = [r for r in reviews if r.login and login_key(r.login) == login_key(login)]
    decisive = [r for r in own if r.state in (APPROVED, CHANGES_REQUESTED, DISMISSED) and r.submitted_at]
    decisive.sort(key=lambda r: (r.submitted_at, r.id))  # ISO 8601 in UTC sorts as text
    ever_approved = any(r.state in (APPROVED, DISMISSED) for r in own)  # a dismissed review was an approval
    return (decisive[-1] if decisive else None), ever_approved


@dataclass(frozen=True)
class Approval:
    """What the pull request says of one sign-off it adds or renews."""

    path: str
    line: int
    column: int
    signoff: Signoff
    review: Review | None  # the approving review, when approved
    reason: str = ""  # why it is not approved ("" when it is)

    @property
    def approved(self) -> bool:
        return not self.reason

    def problem(self) -> Problem:
        s = self.signoff
        return Problem(
            self.path,
            self.line,
            self.column,
            RULE,
            f"the {s.role} sign-off by {s.name} is not approved: {self.reason}"
            + (f" ({self.review.html_url})" if self.review is not None and self.review.html_url else ""),
            f"@{s.github} approves the pull request after reviewing it" if s.github else "sign with deploydocs sign",
        )


class RevisionReader:
    """Record files as they are at a commit (``git show``), parsed once."""

    def __init__(self, root: Path):
        self.root = root
        self._cache: dict[tuple[str, str], dict[str, Any] | str] = {}

    def data(self, commit: str, path: str) -> dict[str, Any] | str:
        """The record's data at ``commit``, or why it cannot be had (a sentence)."""
        key = (commit, path)
        if key not in self._cache:
            self._cache[key] = self._read(commit, path)
        return self._cache[key]

    def _read(self, commit: str, path: str) -> dict[str, Any] | str:
        if not commit or not all(c in "0123456789abcdef" for c in commit.lower()):
            return f"its commit `{commit}` is not a commit id"
        exists = subprocess.run(
            ["git", "cat-file", "-e", f"{commit}^{{commit}}"], cwd=self.root, capture_output=True, check=False
        )
        if exists.returncode != 0:
            return f"the approved commit {commit[:7]} is not in this clone (fetch the pull request's history)"
        shown = subprocess.run(["git", "show", f"{commit}:{path}"], cwd=self.root, capture_output=True, check=False)
        if shown.returncode != 0:
            return f"the record did not exist at the approved commit {commit[:7]}"
        try:
            document = parse_document(shown.stdout.decode("utf-8", "replace"), path)
        except LoadError:
            return f"the record could not be read at the approved commit {commit[:7]}"
        return document.data if isinstance(document.data, dict) else "the record was not a mapping then"


def changed_signoffs(before: Evaluation | None, after: Evaluation) -> list[Signoff]:
    """The sign-offs ``after`` adds or renews compared with ``before``."""
    old = {s.role: s for s in before.record.signoffs} if before is not None else {}
    found = []
    for signoff in after.record.signoffs:
        previous = old.get(signoff.role)
        if previous is None or (previous.name, previous.github, previous.date, previous.fingerprint) != (
            signoff.name,
            signoff.github,
            signoff.date,
            signoff.fingerprint,
        ):
            found.append(signoff)
    return found


def check_signoff(
    evaluation: Evaluation,
    signoff: Signoff,
    reviews: list[Review],
    people: People | None,
    policy: Policy,
    catalog: Catalog,
    reader: RevisionReader,
    domain: str | None,
    author: str = "",
) -> Approval:
    """Whether the pull request approves ``signoff`` of the record ``evaluation`` is about."""
    record = evaluation.record
    line, column = record.position("signoffs", signoff.index, "github" if signoff.github else "name")

    def verdict(reason: str, review: Review | None = None) -> Approval:
        return Approval(record.path, line, column, signoff, review, reason)

    login = signoff.github
    if not login:
        return verdict("the sign-off names no GitHub login (sign with deploydocs sign, which writes it)")
    person = people.by_login(login) if people is not None else None
    if person is None:
        return verdict(f"@{login} is not in people.yaml")
    if identity(signoff.name, people) != identity(person.name, people):
        return verdict(f"@{login} is {person.name}, not {signoff.name}")
    deployer = record.deployed_by.name if record.deployed_by else ""
    is_deployer = bool(deployer) and identity(deployer, people) == identity(person.name, people)
    if is_deployer and signoff.role != DEPLOYING_ENGINEER:
        return verdict(f"@{login} is the deployer's login (deployed_by); a reviewer must be someone else")
    if not person.may_sign(signoff.role, record.service, domain):
        return verdict(f"@{login} is not allowed the {signoff.role} role{person.scope()}")

    def matches(data: dict[str, Any]) -> bool:
        value = fingerprint(
            data, signoff.role, policy, catalog, name=signoff.name, github=signoff.github, date=signoff.date
        )
        return value == signoff.fingerprint

    if signoff.role == DEPLOYING_ENGINEER and author and login_key(author) == login_key(login):
        # GitHub does not let authors approve their own pull request: the deployer's pushing the
        # record with this sign-off is their act; it holds for the content at the head.
        if signoff.fingerprint and signoff.role not in evaluation.stale_roles:
            return verdict("")
        return verdict("the sign-off does not match the record at the head (sign again)")
    latest, ever_approved = standing(reviews, login)
    if latest is None:
        return verdict(f"no review from @{login} on this pull request")
    if latest.state == CHANGES_REQUESTED:
        after = " after approving" if ever_approved else ""
        return verdict(f"@{login} requested changes{after}", latest)
    if latest.state == DISMISSED:
        return verdict(f"@{login}'s approval was dismissed", latest)
    data = reader.data(latest.commit_id, record.path)
    if isinstance(data, str):
        return verdict(f"@{login} approved, but {data}", latest)
    if not signoff.fingerprint or not matches(data):
        return verdict(
            f"@{login} approved an earlier commit ({latest.commit_id[:7]}) and what the {signoff.role} role covers "
            "changed since (ask for a new approval)",
            latest,
        )
    return verdict("", latest)


def check_approvals(
    before: dict[str, Evaluation],
    after: dict[str, Evaluation],
    reviews: list[Review],
    people: People | None,
    policy: Policy,
    catalog: Catalog,
    root: Path,
    domains: dict[str, str],
    author: str = "",
) -> list[Approval]:
    """Every sign-off added or renewed between the two revisions' evaluations, with its approval."""
    reader = RevisionReader(root)
    found = []
    for path in sorted(after):
        evaluation = after[path]
        for signoff in changed_signoffs(before.get(path), evaluation):
            domain = domains.get(evaluation.record.service)
            found.append(check_signoff(evaluation, signoff, reviews, people, policy, catalog, reader, domain, author))
    return found


def _link(url: str, label: str) -> str:
    if url.startswith("https://") and all(c.isalnum() or c in "-._~:/?#@!$&'*+,;=%" for c in url[8:]):
        return f"[{md(label)}](<{url}>)"
    return md(label)


def approvals_markdown(
    approvals: list[Approval],
    after: dict[str, Evaluation],
    people: People | None,
    policy: Policy,
    domains: dict[str, str],
    changed: list[str] | None = None,
) -> str:
    """A table per record the pull request changes: each sign-off's role, person and approval
    (linked; "not changed here" for those the pull request leaves alone), then the roles its
    environment still needs, with who may give each."""
    by_path: dict[str, list[Approval]] = {}
    for approval in approvals:
        by_path.setdefault(approval.path, []).append(approval)
    paths = sorted(set(by_path) | {path for path in changed or () if path in after})
    lines = ["### Sign-off approvals", ""]
    if not by_path:
        lines += ["This pull request adds or renews no sign-off.", ""]
    for path in paths:
        evaluation = after[path]
        record = evaluation.record
        rows = {approval.signoff.index: approval for approval in by_path.get(path, ())}
        lines += [f"#### {md(record.id)} · {md(record.environment)}", ""]
        if record.signoffs:
            lines += ["| Role | Person | Approval |", "|---|---|---|"]
        for s in record.signoffs:
            approval = rows.get(s.index)
            person = f"{md(s.name)} (@{md(s.github)})" if s.github else md(s.name)
            if approval is None:
                cell = "not changed in this pull request"
            elif approval.approved and approval.review is not None:
                cell = "✅ " + _link(approval.review.html_url, f"approved at {approval.review.commit_id[:7]}")
            elif approval.approved:
                cell = "✅ pushed by the author (deploying engineer)"
            else:
                cell = "❌ " + md(approval.reason)
                if approval.review is not None:
                    cell += " (" + _link(approval.review.html_url, "review") + ")"
            lines.append(f"| {md(s.role)} | {person} | {cell} |")
        signed = {s.role for s in record.signoffs if s.name}
        missing = [role for role in evaluation.required_roles if role not in signed]
        if missing:
            due = _signoffs_due(policy, record.environment)
            lines += ["", f"Still to sign{f' (required at `{due}`)' if due else ''}:", ""]
            for role in missing:
                lines.append(f"- {role}: {_who(role, evaluation, people, domains) or 'nobody in people.yaml'}")
        lines.append("")
    return "\n".join(lines) + "\n"


def _signoffs_due(policy: Policy, environment: str) -> str:
    """The first status of the main line that requires the environment's sign-offs ("" if none)."""
    for rule in policy.lifecycle:
        if rule.inherits is None and any(
            part == SIGNOFFS_PART for part, _ in policy.required_parts(rule.status, environment)
        ):
            return rule.status
    return ""


def _who(role: str, evaluation: Evaluation, people: People | None, domains: dict[str, str]) -> str:
    """Who may give ``role`` here: the deployer for the deploying engineer, anyone else allowed for the rest."""
    record = evaluation.record
    if people is None:
        return ""
    deployer = identity(record.deployed_by.name, people) if record.deployed_by and record.deployed_by.name else None
    names = [
        f"{md(p.name)} (@{md(p.github)})"
        for p in people.who_may_sign(role, record.service, domains.get(record.service))
        if (identity(p.name, people) == deployer) is (role == DEPLOYING_ENGINEER) or deployer is None
    ]
    return ", ".join(names)


def problems(approvals: list[Approval]) -> Iterator[Problem]:
    for approval in approvals:
        if not approval.approved:
            yield approval.problem()
