"""A deployment record as typed data, built from a loaded document.

Building is tolerant: the schema reports what is malformed, and whatever is unusable here is read
as absent, so the rules can still run and every problem is reported in one pass.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import ItemsView, Iterator, Mapping, ValuesView
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .catalog import CHECKLIST, Catalog, Item

if TYPE_CHECKING:  # annotations only: `deploydocs check` with a warm cache never parses a record
    from .load import Document

DONE = "done"
PENDING = "pending"
NOT_APPLICABLE = "n/a"


@dataclass(frozen=True)
class Waiver:
    reason: str
    approver: str
    expires: dt.date | None


@dataclass(frozen=True)
class Deferral:
    justification: str
    follow_up: dt.date | None


@dataclass(slots=True)  # built 134 times per record: plain slots keep that cheap
class ItemEntry:
    """What a record says of one checklist item."""

    item: Item
    state: str | None  # None when the record does not say (absent or malformed)
    reason: str = ""
    evidence: str = ""
    note: str = ""
    by: str = ""
    waiver: Waiver | None = None
    deferred: Deferral | None = None
    parameters: dict[str, Any] | None = None

    @property
    def title(self) -> str:
        # Pages show this: a parameter the record leaves out reads as words, not as the template's
        # placeholder ("Plan next deployment based on criteria (not given)").
        return self.item.display_title(self.parameters, unfilled="{title} (not given)")

    @property
    def label(self) -> str:
        """Number and title, e.g. ``1.1.3 Secrets``; the template names steps only "Step 5", so
        those get what the step is."""
        detail = f": {self.item.description}" if self.item.title.startswith("Step ") else ""
        return f"{self.item.number} {self.title}{detail}"


@dataclass(frozen=True)
class Person:
    name: str
    role: str

    def __str__(self) -> str:
        return f"{self.name} ({self.role})" if self.role else self.name


@dataclass(frozen=True)
class Signoff:
    index: int
    role: str
    name: str
    date: dt.date | None
    review: str = ""
    fingerprint: str = ""
    github: str = ""  # the signer's GitHub login


@dataclass(frozen=True)
class PromotionException:
    """Why a deployment skips the environments it is normally promoted from, and who approved it."""

    reason: str
    approver: str


@dataclass
class Record:
    """One deployment of one service."""

    document: Document
    id: str
    service: str
    version: str
    environment: str
    type: str
    status: str
    date: dt.date | None
    attempt: int
    deployed_by: Person | None
    reviewed_by: Person | None
    changes: str
    outcome: str
    outcome_reason: str
    rolls_back: str
    items: ItemEntries
    tables: dict[str, list[dict[str, Any]]]
    fields: dict[str, dict[str, str]]
    texts: dict[str, str]
    signoffs: list[Signoff]
    closed_on: dt.date | None = None  # the day it reached its final status, where the record says
    promotion_exception: PromotionException | None = None

    @property
    def path(self) -> str:
        return self.document.path

    @property
    def key(self) -> tuple[str, str, str, int]:
        """What makes a record unique: service, environment, version and attempt."""
        return (self.service, self.environment, self.version, self.attempt)

    @property
    def slug(self) -> str:
        """The version part of the page URL (``2.3.0``, or ``2.3.0-attempt-2``)."""
        return self.version if self.attempt == 1 else f"{self.version}-attempt-{self.attempt}"

    @property
    def url(self) -> str:
        return f"deployments/{self.service}/{self.environment}/{self.slug}/"

    @property
    def expected_file_name(self) -> str:
        suffix = "" if self.attempt == 1 else f"-attempt-{self.attempt}"
        return f"{self.version}-{self.environment}{suffix}.yaml"

    def position(self, *path: Any) -> tuple[int, int]:
        return self.document.positions.of_value(tuple(path))

    def key_position(self, *path: Any) -> tuple[int, int]:
        return self.document.positions.of_key(tuple(path))

    @property
    def head(self) -> RecordHead:
        """What the rules across records need of this record (see RecordHead)."""
        values = {name: getattr(self, name) for name in _HEAD_FIELDS if name != "promotion_exception"}
        return RecordHead(
            **values,
            positions={name: self.position(name) for name in HEAD_POSITIONS},
            promotion_exception=self.promotion_exception is not None,
        )


HEAD_POSITIONS = ("version", "environment", "type", "rolls_back")
"""The top-level values the rules across records point at (rules.cross_record_problems)."""


@dataclass(frozen=True, slots=True)
class RecordHead:
    """The few values of a record that the rules across records read (duplicates, rollbacks,
    promotion), with the positions they report.

    Small and plain, so `deploydocs check` can cache it beside a record's problems and run those
    rules without loading any record; it answers ``key`` and ``position(name)`` like a Record.
    """

    path: str
    id: str
    service: str
    version: str
    environment: str
    type: str
    status: str
    date: dt.date | None
    attempt: int
    rolls_back: str
    positions: dict[str, tuple[int, int]]  # of HEAD_POSITIONS, by top-level key
    promotion_exception: bool = False  # the record explains why it skips promotion

    @property
    def key(self) -> tuple[str, str, str, int]:
        """What makes a record unique: service, environment, version and attempt (as Record.key)."""
        return (self.service, self.environment, self.version, self.attempt)

    def position(self, name: str) -> tuple[int, int]:
        """Where the top-level value ``name`` is written (as Record.position; one of HEAD_POSITIONS)."""
        return self.positions[name]


_HEAD_FIELDS = tuple(f.name for f in dataclasses.fields(RecordHead) if f.name != "positions")


def parse_date(value: Any) -> dt.date | None:
    if not isinstance(value, str):
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        return None


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _mapping(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _person(value: Any) -> Person | None:
    data = _mapping(value)
    return Person(_text(data.get("name")), _text(data.get("role"))) if data else None


_STATES = frozenset((DONE, PENDING, NOT_APPLICABLE))


def _entry(item: Item, value: Any) -> ItemEntry:
    if value.__class__ is str:
        return ItemEntry(item, value if value in _STATES else None)
    data = _mapping(value)
    state = data.get("state")
    waiver = _mapping(data.get("waiver"))
    deferred = _mapping(data.get("deferred"))
    return ItemEntry(
        item=item,
        state=state if isinstance(state, str) and state in _STATES else None,  # a mapping is unhashable
        reason=_text(data.get("reason")),
        evidence=_text(data.get("evidence")),
        note=_text(data.get("note")),
        by=_text(data.get("by")),
        waiver=Waiver(_text(waiver.get("reason")), _text(waiver.get("approver")), parse_date(waiver.get("expires")))
        if waiver
        else None,
        deferred=Deferral(_text(deferred.get("justification")), parse_date(deferred.get("follow_up")))
        if deferred
        else None,
        parameters={p.key: data[p.key] for p in item.parameters if p.key in data} if item.parameters else None,
    )


class ItemEntries(Mapping[str, "ItemEntry"]):
    """A record's checklist entries by item path, in the catalog's order, typed on first use: a warm
    build whose guides all come from the page cache reads none of them (typing the 134 entries of
    1,000 records was a twentieth of its time)."""

    __slots__ = ("_checklists", "_catalog", "_entries")

    def __init__(self, checklists: dict[str, Any], catalog: Catalog) -> None:
        self._checklists = checklists
        self._catalog = catalog
        self._entries: dict[str, ItemEntry] | None = None

    def _typed(self) -> dict[str, ItemEntry]:
        if self._entries is None:
            entries = {}
            for subsection_spec in self._catalog.subsections(CHECKLIST):
                section = _mapping(self._checklists.get(subsection_spec.section_key))
                subsection = _mapping(section.get(subsection_spec.key))
                for item in subsection_spec.items:
                    entries[item.path] = _entry(item, subsection.get(item.key))
            self._entries = entries
        return self._entries

    def __getitem__(self, path: str) -> ItemEntry:
        return self._typed()[path]

    def __iter__(self) -> Iterator[str]:
        return iter(self._typed())

    def __len__(self) -> int:
        return len(self._typed())

    # The dict's own views: faster than Mapping's, and these are what evaluating iterates.
    def items(self) -> ItemsView[str, ItemEntry]:
        return self._typed().items()

    def values(self) -> ValuesView[ItemEntry]:
        return self._typed().values()

    def __eq__(self, other: object) -> bool:
        return self._typed() == (other._typed() if isinstance(other, ItemEntries) else other)

    __hash__ = None  # type: ignore[assignment]  # mutable-looking, like the dict it stands for

    def __repr__(self) -> str:
        return f"ItemEntries({self._typed()!r})"


def build_record(document: Document, catalog: Catalog) -> Record:
    """Typed view of a loaded record; malformed parts read as absent."""
    data = _mapping(document.data)
    items = ItemEntries(_mapping(data.get("checklists")), catalog)
    tables: dict[str, list[dict[str, Any]]] = {}
    fields: dict[str, dict[str, str]] = {}
    texts: dict[str, str] = {}
    for subsection in catalog.subsections():
        if subsection.kind == CHECKLIST:
            continue
        value = data.get(subsection.key)
        if subsection.kind == "table":
            tables[subsection.key] = [row for row in value if isinstance(row, dict)] if isinstance(value, list) else []
        elif subsection.kind == "fields":
            fields[subsection.key] = {k: v for k, v in _mapping(value).items() if isinstance(v, str)}
        elif subsection.kind == "text":
            texts[subsection.key] = _text(value)
    signoffs = []
    raw_signoffs = data.get("signoffs")
    for index, entry in enumerate(raw_signoffs if isinstance(raw_signoffs, list) else []):
        entry = _mapping(entry)
        signoffs.append(
            Signoff(
                index=index,
                role=_text(entry.get("role")),
                name=_text(entry.get("name")),
                date=parse_date(entry.get("date")),
                review=_text(entry.get("review")),
                fingerprint=_text(entry.get("fingerprint")),
                github=_text(entry.get("github")),
            )
        )
    attempt = data.get("attempt")
    return Record(
        document=document,
        id=_text(data.get("id")),
        service=_text(data.get("service")),
        version=_text(data.get("version")),
        environment=_text(data.get("environment")),
        type=_text(data.get("type")),
        status=_text(data.get("status")),
        date=parse_date(data.get("date")),
        attempt=attempt if isinstance(attempt, int) and not isinstance(attempt, bool) and attempt > 1 else 1,
        deployed_by=_person(data.get("deployed_by")),
        reviewed_by=_person(data.get("reviewed_by")),
        changes=_text(data.get("changes")),
        outcome=_text(data.get("outcome")),
        outcome_reason=_text(data.get("outcome_reason")),
        rolls_back=_text(data.get("rolls_back")),
        items=items,
        tables=tables,
        fields=fields,
        texts=texts,
        signoffs=signoffs,
        closed_on=parse_date(data.get("closed_on")),
        promotion_exception=_promotion_exception(data.get("promotion_exception")),
    )


def _promotion_exception(value: Any) -> PromotionException | None:
    data = _mapping(value)
    return PromotionException(_text(data.get("reason")), _text(data.get("approver"))) if data else None
