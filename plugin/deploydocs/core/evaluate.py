"""Progress and completeness of a record: counted per subsection, section and overall, and checked
against what the policy requires for the status the record claims."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cached_property

from .catalog import CHECKLIST, Catalog, Item
from .model import DONE, NOT_APPLICABLE, ItemEntry, Record
from .policy import SIGNOFFS_PART, Policy
from .signing import fingerprint


@dataclass(frozen=True)
class Progress:
    """Counts of items by how they stand. ``applicable`` leaves n/a out."""

    done: int = 0
    pending: int = 0
    not_applicable: int = 0
    waived: int = 0
    deferred: int = 0

    @property
    def total(self) -> int:
        return self.done + self.pending + self.not_applicable + self.waived + self.deferred

    @property
    def applicable(self) -> int:
        return self.total - self.not_applicable

    @property
    def complete(self) -> bool:
        """Nothing left pending (waived and deferred items do not block)."""
        return self.pending == 0

    @property
    def percent(self) -> int:
        """Done out of applicable, rounded down so 99.6 % never shows as 100 %."""
        if self.applicable == 0:
            return 100
        return self.done * 100 // self.applicable

    def __add__(self, other: Progress) -> Progress:
        return Progress(
            self.done + other.done,
            self.pending + other.pending,
            self.not_applicable + other.not_applicable,
            self.waived + other.waived,
            self.deferred + other.deferred,
        )


@dataclass(frozen=True)
class Gap:
    """Something a status requires that the record does not have: an item or a sign-off."""

    part: str  # the policy part that requires it
    status: str  # the status that introduces it
    item: ItemEntry | None = None
    role: str = ""

    @property
    def label(self) -> str:
        if self.item is not None:
            return self.item.label
        return f"sign-off: {self.role}"


@dataclass(frozen=True)
class Counts:
    """What counting a record's items against the policy gives (:attr:`Evaluation.counts`)."""

    subsections: dict[str, Progress]
    sections: dict[str, Progress]
    overall: Progress
    gaps: list[Gap]  # for the status the record claims
    next_status: str | None
    next_gaps: list[Gap]
    signed_roles: set[str]
    required_roles: tuple[str, ...]
    active_waivers: list[ItemEntry]


class Evaluation:
    """Everything computed about one record.

    The counts are worked out on first use: a warm build whose guides all come from the page cache
    never reads them (counting 1,000 records took about 0.1 s of its 2.2 s). The record, policy
    and date they are counted from do not change, so when they are counted makes no difference.
    """

    def __init__(
        self,
        record: Record,
        catalog: Catalog,
        policy: Policy,
        as_of: dt.date,
        stale_roles: set[str],
    ) -> None:
        self.record = record
        self.as_of = as_of  # the day date rules judge this record as of (see judged_as_of)
        self.stale_roles = stale_roles  # sign-offs whose covered parts changed since
        self.attention: list[str] = []  # overdue periods, deferrals, etc.: what the rules tell readers
        self._counted_from = (catalog, policy)

    @cached_property
    def counts(self) -> Counts:
        catalog, policy = self._counted_from
        return _count_record(self.record, catalog, policy, self.as_of)

    # The counts' fields, read as the evaluation's own.
    subsections = property(lambda self: self.counts.subsections)
    sections = property(lambda self: self.counts.sections)
    overall = property(lambda self: self.counts.overall)
    gaps = property(lambda self: self.counts.gaps)
    next_status = property(lambda self: self.counts.next_status)
    next_gaps = property(lambda self: self.counts.next_gaps)
    signed_roles = property(lambda self: self.counts.signed_roles)
    required_roles = property(lambda self: self.counts.required_roles)
    active_waivers = property(lambda self: self.counts.active_waivers)

    def __repr__(self) -> str:
        return f"Evaluation({self.record.path!r})"

    @property
    def meets_status(self) -> bool:
        return not self.gaps

    def signoffs_required_now(self, policy: Policy) -> bool:
        """Whether the claimed status requires the environment's sign-offs."""
        record = self.record
        try:
            parts = policy.required_parts(record.status, record.environment)
        except KeyError:  # unknown status or environment: the schema reports it
            return False
        return any(part == SIGNOFFS_PART for part, _ in parts)


def is_final(status: str, policy: Policy) -> bool:
    """A status the record does not leave: the end of the policy's main line (closed) or a terminal
    branch off it (rolled-back, aborted)."""
    return status in {rule.status for rule in policy.lifecycle} and policy.next_status(status) is None


def final_date(record: Record) -> dt.date | None:
    """The day a record reached its final status: `closed_on` where it says so, else the latest of
    its deployment date and its sign-offs' dates (it cannot have been closed before either)."""
    if record.closed_on is not None:
        return record.closed_on
    dates = [d for d in (record.date, *(s.date for s in record.signoffs)) if d is not None]
    return max(dates, default=None)


def judged_as_of(record: Record, policy: Policy, as_of: dt.date) -> dt.date:
    """The day date rules judge ``record`` as of: today for a live record; for a record in a final
    status, the day it reached it (never later than today), so the passing of time cannot change
    its verdict."""
    if not is_final(record.status, policy):
        return as_of
    ended = final_date(record)
    return as_of if ended is None else min(ended, as_of)


def waiver_expired(entry: ItemEntry, as_of: dt.date) -> bool:
    return entry.waiver is not None and entry.waiver.expires is not None and entry.waiver.expires < as_of


def item_standing(entry: ItemEntry, record: Record, policy: Policy, as_of: dt.date) -> str:
    """How one item counts: done, n/a, waived, deferred or pending.

    A waiver counts after it expires too: its expiry is reported once, as `waiver-expired` (a
    warning, an error in a pull request that changes the record), never as a second, date-made
    `required-item-incomplete` error that would break builds of unchanged records.
    """
    if entry.state == DONE:
        return "done"
    if entry.state == NOT_APPLICABLE and entry.reason:
        return "n/a"
    if entry.waiver is not None and entry.waiver.expires is not None:
        return "waived"
    if entry.deferred is not None and policy.deferrable(entry.item, record.type):
        return "deferred"
    return "pending"


def _count(standings: list[str]) -> Progress:
    return Progress(
        done=standings.count("done"),
        pending=standings.count("pending"),
        not_applicable=standings.count("n/a"),
        waived=standings.count("waived"),
        deferred=standings.count("deferred"),
    )


def _items_of(part: str, catalog: Catalog) -> list[Item]:
    found = catalog.find(part)
    if found is None:
        return []
    if isinstance(found, Item):
        return [found]
    subsections = getattr(found, "subsections", None) or (found,)
    return [item for sub in subsections if sub.kind == CHECKLIST for item in sub.items]


def _gaps(
    record: Record, status: str, standings: dict[str, str], policy: Policy, catalog: Catalog, signed: set[str]
) -> list[Gap]:
    gaps = []
    for part, introduced_by in policy.required_parts(status, record.environment):
        if part == SIGNOFFS_PART:
            for role in policy.required_signoffs(record.environment):
                if role not in signed:
                    gaps.append(Gap(part=part, status=introduced_by, role=role))
            continue
        for item in _items_of(part, catalog):
            if standings[item.path] == "pending" and not policy.never_required(item.path, record.environment):
                gaps.append(Gap(part=part, status=introduced_by, item=record.items[item.path]))
    return gaps


def evaluate(
    record: Record, catalog: Catalog, policy: Policy, as_of: dt.date, stale_roles: frozenset[str] | None = None
) -> Evaluation:
    """Count progress and find what the claimed status (and the next one) still needs.

    ``stale_roles``: the stale sign-offs when already known for this content and context (a cached
    verdict), else worked out from the sign-offs' fingerprints.
    """
    stale = set(stale_roles) if stale_roles is not None else stale_signoffs(record, catalog, policy)
    return Evaluation(record, catalog, policy, judged_as_of(record, policy, as_of), stale)


def _count_record(record: Record, catalog: Catalog, policy: Policy, as_of: dt.date) -> Counts:
    standings = {path: item_standing(entry, record, policy, as_of) for path, entry in record.items.items()}
    subsections: dict[str, Progress] = {}
    sections: dict[str, Progress] = {}
    for section in catalog.checklist_sections:
        total = Progress()
        for sub in section.subsections:
            progress = _count([standings[item.path] for item in sub.items])
            subsections[sub.path] = progress
            total = total + progress
        sections[section.key] = total
    overall = sum(sections.values(), Progress())
    signed = {signoff.role for signoff in record.signoffs if signoff.name}
    known_status = record.status in {rule.status for rule in policy.lifecycle}
    known_environment = record.environment in policy.environments
    gaps: list[Gap] = []
    next_gaps: list[Gap] = []
    next_status = None
    if known_status and known_environment:
        gaps = _gaps(record, record.status, standings, policy, catalog, signed)
        next_status = policy.next_status(record.status)
        if next_status:
            claimed = {(gap.label, gap.part) for gap in gaps}
            next_gaps = [
                gap
                for gap in _gaps(record, next_status, standings, policy, catalog, signed)
                if (gap.label, gap.part) not in claimed
            ]
    return Counts(
        subsections=subsections,
        sections=sections,
        overall=overall,
        gaps=gaps,
        next_status=next_status,
        next_gaps=next_gaps,
        signed_roles=signed,
        required_roles=policy.required_signoffs(record.environment) if known_environment else (),
        active_waivers=[
            record.items[path]
            for path, standing in standings.items()
            if standing == "waived" and not waiver_expired(record.items[path], as_of)
        ],
    )


def stale_signoffs(record: Record, catalog: Catalog, policy: Policy) -> set[str]:
    """The roles whose sign-off fingerprint no longer matches what the record says now."""
    return {
        signoff.role
        for signoff in record.signoffs
        if signoff.fingerprint
        and signoff.fingerprint
        != fingerprint(
            record.document.data,
            signoff.role,
            policy,
            catalog,
            name=signoff.name,
            github=signoff.github,
            date=signoff.date,
        )
    }
