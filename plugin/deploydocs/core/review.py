"""``deploydocs review BASE HEAD``: what a pull request changes in meaning.

Both revisions are taken out of git into temporary folders and run through the same core as the
build; :func:`compare` turns the two evaluated projects into data (a :class:`Review`: per record, a
list of typed changes), never a diff of YAML lines. Two renderers read that data: :func:`markdown`
(for reviewers, every record value escaped by :func:`~deploydocs.core.gfm.text`)
and :func:`to_json` (for programs, shaped by :func:`review_schema`, committed as
``schemas/review.schema.json``).
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import io
import json
import subprocess
import tarfile
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, Literal

from . import gfm
from .catalog import FIELDS, TABLE, TEXT, Catalog
from .evaluate import Evaluation, Progress
from .load import LoadError, read_file
from .model import DONE, NOT_APPLICABLE, Deferral, ItemEntry, Waiver
from .problems import Problem, Severity, sort_problems
from .project import Project, Settings, load_project
from .rules import DUE_RULES
from .schema import record_schema


class ReviewError(Exception):
    """A git revision or path that cannot be read."""


def _git(root: Path, *args: str) -> bytes:
    result = subprocess.run(["git", *args], cwd=root, capture_output=True, check=False)
    if result.returncode != 0:
        raise ReviewError(result.stderr.decode("utf-8", "replace").strip() or f"git {' '.join(args)} failed")
    return result.stdout


def materialize(root: Path, revision: str, paths: list[str], destination: Path) -> list[Problem]:
    """Write ``paths`` (folders or files) as they are at ``revision`` into ``destination``.

    A link the revision holds that would leave ``destination`` (an absolute target, or ``../``
    beyond it) is not written: it is returned as a problem, as `check` reports it in a working tree.
    """
    _git(root, "rev-parse", "--verify", "--quiet", f"{revision}^{{commit}}")
    present = [p for p in paths if _git(root, "ls-tree", "--name-only", revision, "--", p).strip()]
    destination.mkdir(parents=True, exist_ok=True)
    if not present:
        return []
    archive = _git(root, "archive", "--format=tar", revision, "--", *present)
    refused: list[Problem] = []

    def only_safe(member: tarfile.TarInfo, path: str) -> tarfile.TarInfo | None:
        try:
            return tarfile.data_filter(member, path)
        except tarfile.FilterError:
            refused.append(
                Problem(
                    member.name,
                    0,
                    0,
                    "symlink-outside",
                    "this link points outside the repository",
                    "replace the link with the file itself",
                )
            )
            return None

    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(destination, filter=only_safe)
    return refused


def load_revision(settings: Settings, revision: str, workdir: Path) -> Project:
    paths = [settings.records_dir] + ([settings.policy] if settings.policy else [])
    refused = materialize(settings.root, revision, paths, workdir)
    registry = workdir / settings.registry
    if not registry.exists():  # a revision before the registry existed: use today's
        registry.parent.mkdir(parents=True, exist_ok=True)
        with contextlib.suppress(LoadError):  # loading then reports the registry missing
            registry.write_bytes(read_file(settings.root / settings.registry, settings.registry))
    project = load_project(
        Settings(
            root=workdir,
            records_dir=settings.records_dir,
            registry=settings.registry,
            people=settings.people,
            policy=settings.policy,
            as_of=settings.as_of,
        )
    )
    if refused:
        project.problems = sort_problems([*project.problems, *refused])
    return project


REVIEW_SCHEMA_FILE = "review.schema.json"
REVIEW_FORMAT_VERSION = 1  # of `review --format json`: bump on any rename or removal

# The top-level values a reviewer is told about, in this order (titles come from the record schema).
# `status` is shown on its own line of every record; the checklists, tables and sign-offs have their
# own kinds of change below.
VALUE_KEYS = (
    "status",
    "version",
    "environment",
    "type",
    "date",
    "attempt",
    "outcome",
    "outcome_reason",
    "rolls_back",
    "changes",
    "deployed_by",
    "reviewed_by",
    "service",
    "id",
)
# Parts with a kind of change of their own; any other part of the guide that changes is named.
KNOWN_ISSUES, SUPPORT_TEAM, ESCALATION = "known_issues", "support_team", "escalation_matrix"

# Data --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Count:
    """How a record's items stand (a section's, or all of them)."""

    done: int
    applicable: int
    pending: int
    waived: int
    deferred: int
    not_applicable: int

    @classmethod
    def of(cls, progress: Progress) -> Count:
        return cls(
            progress.done,
            progress.applicable,
            progress.pending,
            progress.waived,
            progress.deferred,
            progress.not_applicable,
        )

    @property
    def fraction(self) -> str:
        return f"{self.done}/{self.applicable}"


@dataclass(frozen=True)
class SectionCount:
    key: str
    number: str
    title: str
    count: Count


@dataclass(frozen=True)
class RecordState:
    """One record as it stands at one revision."""

    id: str
    service: str
    version: str
    environment: str
    type: str
    status: str
    meets_status: bool
    missing: tuple[str, ...]  # what the claimed status still needs (item labels, "sign-off: ROLE")
    overall: Count
    sections: tuple[SectionCount, ...]

    @property
    def title(self) -> str:
        return f"{self.id} · {self.environment}"


@dataclass(frozen=True)
class ValueChange:
    """A top-level value: status, version, outcome, outcome_reason, deployed_by, ..."""

    key: str
    title: str
    before: str | None
    after: str | None
    kind: Literal["value"] = "value"


@dataclass(frozen=True)
class SectionChange:
    """A checklist section's progress."""

    key: str
    number: str
    title: str
    before: Count
    after: Count
    kind: Literal["section"] = "section"


ItemAspect = Literal["state", "waiver", "deferral", "evidence", "reason", "note", "by", "parameters"]


@dataclass(frozen=True)
class ItemChange:
    """One aspect of one checklist item. ``state``: before/after are states (None: not said);
    ``waiver``/``deferral``: mappings or None; the text aspects: text or None."""

    path: str
    label: str
    aspect: ItemAspect
    before: Any
    after: Any
    detail: str | None = None  # with a state change: the evidence (done) or the reason (n/a)
    kind: Literal["item"] = "item"


@dataclass(frozen=True)
class SignoffChange:
    role: str
    action: Literal["added", "removed", "renewed", "stale"]
    name: str
    date: str | None
    kind: Literal["signoff"] = "signoff"


@dataclass(frozen=True)
class KnownIssueChange:
    """A row of 8.1 Known Issues, followed by its ``id`` (or, without one, by its text)."""

    id: str | None
    issue: str
    action: Literal["opened", "resolved", "reopened", "changed", "removed"]
    before: dict[str, str] | None
    after: dict[str, str] | None
    kind: Literal["known_issue"] = "known_issue"


@dataclass(frozen=True)
class SupportChange:
    """One field of 9.1 Support Team."""

    key: str
    title: str
    before: str | None
    after: str | None
    kind: Literal["support_team"] = "support_team"


@dataclass(frozen=True)
class EscalationChange:
    """A row of 9.2 Escalation Matrix, followed by its ``level``."""

    level: str
    action: Literal["added", "removed", "changed"]
    before: dict[str, str] | None
    after: dict[str, str] | None
    kind: Literal["escalation"] = "escalation"


@dataclass(frozen=True)
class PartChange:
    """Any other part of the guide (a table, fields or text) that changed."""

    key: str
    number: str
    title: str
    kind: Literal["part"] = "part"


Change = (
    ValueChange
    | SectionChange
    | ItemChange
    | SignoffChange
    | KnownIssueChange
    | SupportChange
    | EscalationChange
    | PartChange
)

RecordAction = Literal["added", "removed", "changed", "fixed", "unreadable"]


@dataclass(frozen=True)
class RecordReview:
    """What happened to one record file. ``fixed``: could not be read at the base, can now;
    ``unreadable``: cannot be read at the head (its problems are in the review's problems)."""

    path: str
    action: RecordAction
    before: RecordState | None
    after: RecordState | None
    changes: tuple[Change, ...] = ()


@dataclass(frozen=True)
class Review:
    base: str
    head: str
    records: tuple[RecordReview, ...]
    problems: tuple[Problem, ...] = field(default=())  # of the head revision, as `check` reports them
    appendix: str = ""  # Markdown a caller adds after the summary (the pull-request approvals)
    # The head's problems split by whether the pull request answers for them (judge_change): errors
    # of the files it changes, due problems there raised to errors, and errors it causes elsewhere
    # block; everything else is shown, never blocking.
    blocking: tuple[Problem, ...] = field(default=())
    elsewhere: tuple[Problem, ...] = field(default=())

    def count(self, action: RecordAction) -> int:
        return sum(1 for record in self.records if record.action == action)

    @property
    def blocks(self) -> bool:
        """Whether the pull request must not merge as it is (`deploydocs review` exits 1)."""
        return bool(self.blocking)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity is Severity.ERROR]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity is Severity.WARNING]


# Comparing ---------------------------------------------------------------------------------------


def _shown(value: Any) -> str | None:
    """A value as it reads: text as written, a person as "Name (Role)", nothing as None."""
    if value is None or value == "":
        return None
    if isinstance(value, dict) and set(value) <= {"name", "role"}:
        name, role = str(value.get("name", "")), str(value.get("role", ""))
        return f"{name} ({role})" if role else name
    if isinstance(value, str):
        return value
    if isinstance(value, dt.date):
        return value.isoformat()
    # Anything else as YAML/JSON would write it (true, 3, [a, b]), never as Python's repr.
    return json.dumps(value, ensure_ascii=False, default=str)


def _row(row: dict[str, Any]) -> dict[str, str]:
    return {str(key): str(value) for key, value in row.items() if _shown(value) is not None}


def _state(evaluation: Evaluation, catalog: Catalog) -> RecordState:
    record = evaluation.record
    return RecordState(
        id=record.id,
        service=record.service,
        version=record.version,
        environment=record.environment,
        type=record.type,
        status=record.status,
        meets_status=evaluation.meets_status,
        missing=tuple(gap.label for gap in evaluation.gaps),
        overall=Count.of(evaluation.overall),
        sections=tuple(
            SectionCount(section.key, section.number, section.title, Count.of(evaluation.sections[section.key]))
            for section in catalog.checklist_sections
        ),
    )


def _waiver(waiver: Waiver | None) -> dict[str, str] | None:
    if waiver is None:
        return None
    return {"reason": waiver.reason, "approver": waiver.approver, "expires": _shown(waiver.expires) or ""}


def changed_files(root: Path, base: str, head: str, paths: list[str]) -> set[str]:
    """Files under ``paths`` whose content differs between the two revisions (added, changed, removed)."""
    listing = _git(root, "diff", "--name-only", "--no-renames", "-z", base, head, "--", *paths)
    return {name for name in listing.decode("utf-8", "surrogateescape").split("\0") if name}


def judge_change(base: Project, head: Project, changed: set[str]) -> tuple[list[Problem], list[Problem]]:
    """Which of the head's problems block the pull request: (blocking, elsewhere).

    A problem blocks when it is an error of a file the pull request changes (what time alone made
    true there, e.g. an expired waiver, counts as an error too: who touches a record answers for it),
    or an error that the base revision does not have (the change caused it elsewhere, e.g. through
    the registry or another record). Everything else is shown, never blocking: the passing of time
    or an older fault in a record nobody touched must not stop an unrelated pull request.
    """
    before = set(base.problems)
    blocking: list[Problem] = []
    elsewhere: list[Problem] = []
    for problem in head.problems:
        if problem.file in changed and problem.rule in DUE_RULES:
            problem = dataclasses.replace(problem, severity=Severity.ERROR)
        is_error = problem.severity is Severity.ERROR
        if is_error and (problem.file in changed or problem not in before):
            blocking.append(problem)
        else:
            elsewhere.append(problem)
    return sort_problems(blocking), sort_problems(elsewhere)


def _deferral(deferral: Deferral | None) -> dict[str, str] | None:
    if deferral is None:
        return None
    return {"justification": deferral.justification, "follow_up": _shown(deferral.follow_up) or ""}


def _item_changes(old: ItemEntry, new: ItemEntry) -> list[ItemChange]:
    changes = []
    label, path = new.label, new.item.path
    state_changed = old.state != new.state
    if state_changed:
        detail = new.evidence if new.state == DONE else new.reason if new.state == NOT_APPLICABLE else ""
        changes.append(ItemChange(path, label, "state", old.state, new.state, detail or None))
    for aspect, before, after in (
        ("waiver", _waiver(old.waiver), _waiver(new.waiver)),
        ("deferral", _deferral(old.deferred), _deferral(new.deferred)),
    ):
        if before != after:
            changes.append(ItemChange(path, label, aspect, before, after))
    for aspect in ("evidence", "reason", "note", "by"):
        before, after = getattr(old, aspect) or None, getattr(new, aspect) or None
        # A new state already carries its evidence or reason.
        if before != after and not (state_changed and after is not None and after == changes[0].detail):
            changes.append(ItemChange(path, label, aspect, before, after))
    if (old.parameters or None) != (new.parameters or None):
        changes.append(ItemChange(path, label, "parameters", old.parameters or None, new.parameters or None))
    return changes


def _issue_key(row: dict[str, str]) -> str:
    return row.get("id") or row.get("issue", "")


def _known_issue_changes(before: list[dict[str, Any]], after: list[dict[str, Any]]) -> list[KnownIssueChange]:
    old = {_issue_key(_row(row)): _row(row) for row in before}
    new = {_issue_key(_row(row)): _row(row) for row in after}
    changes = []
    for key in [*new, *(key for key in old if key not in new)]:  # in the order the record lists them
        was, now = old.get(key), new.get(key)
        if was == now:
            continue
        row = now or was
        if was is None:
            action = "resolved" if now.get("resolved") else "opened"
        elif now is None:
            action = "removed"
        elif now.get("resolved") and not was.get("resolved"):
            action = "resolved"
        elif was.get("resolved") and not now.get("resolved"):
            action = "reopened"
        else:
            action = "changed"
        changes.append(KnownIssueChange(row.get("id"), row.get("issue", ""), action, was, now))
    return changes


def _escalation_changes(before: list[dict[str, Any]], after: list[dict[str, Any]]) -> list[EscalationChange]:
    old, new = [_row(row) for row in before], [_row(row) for row in after]
    removed = [row for row in old if row not in new]
    added = [row for row in new if row not in old]
    changes = []
    for row in added:
        match = next((was for was in removed if was.get("level") == row.get("level")), None)
        if match is not None:
            removed.remove(match)
            changes.append(EscalationChange(row.get("level", ""), "changed", match, row))
        else:
            changes.append(EscalationChange(row.get("level", ""), "added", None, row))
    changes += [EscalationChange(row.get("level", ""), "removed", row, None) for row in removed]
    return changes


def _signoff_changes(before: Evaluation, after: Evaluation) -> list[SignoffChange]:
    old = {s.role: s for s in before.record.signoffs}
    new = {s.role: s for s in after.record.signoffs}
    changes = []
    for role in sorted(set(old) | set(new)):
        if role not in old:
            changes.append(SignoffChange(role, "added", new[role].name, _shown(new[role].date)))
        elif role not in new:
            changes.append(SignoffChange(role, "removed", old[role].name, _shown(old[role].date)))
        elif (old[role].name, old[role].date, old[role].fingerprint) != (
            new[role].name,
            new[role].date,
            new[role].fingerprint,
        ):
            changes.append(SignoffChange(role, "renewed", new[role].name, _shown(new[role].date)))
    for role in sorted(after.stale_roles - before.stale_roles):
        changes.append(SignoffChange(role, "stale", new[role].name, _shown(new[role].date)))
    return changes


def _record_changes(before: Evaluation, after: Evaluation, catalog: Catalog, titles: dict[str, str]) -> list[Change]:
    old_data, new_data = before.record.document.data, after.record.document.data
    changes: list[Change] = []
    for key in VALUE_KEYS:
        was, now = _shown(old_data.get(key)), _shown(new_data.get(key))
        if was != now:
            changes.append(ValueChange(key, titles.get(key, key), was, now))
    for section in catalog.checklist_sections:
        was, now = Count.of(before.sections[section.key]), Count.of(after.sections[section.key])
        if was != now:
            changes.append(SectionChange(section.key, section.number, section.title, was, now))
    for path, entry in after.record.items.items():
        changes += _item_changes(before.record.items[path], entry)
    for sub in catalog.subsections():
        if sub.kind not in (TABLE, FIELDS, TEXT):  # checklists, sign-offs: above and below
            continue
        was, now = old_data.get(sub.key), new_data.get(sub.key)
        if sub.key == KNOWN_ISSUES:
            changes += _known_issue_changes(before.record.tables[sub.key], after.record.tables[sub.key])
        elif sub.key == ESCALATION:
            changes += _escalation_changes(before.record.tables[sub.key], after.record.tables[sub.key])
        elif sub.key == SUPPORT_TEAM:
            old_fields, new_fields = before.record.fields[sub.key], after.record.fields[sub.key]
            for column in sub.columns:
                field_before, field_after = _shown(old_fields.get(column.key)), _shown(new_fields.get(column.key))
                if field_before != field_after:
                    changes.append(SupportChange(column.key, column.title, field_before, field_after))
        elif was != now:
            changes.append(PartChange(sub.key, sub.number, sub.title))
    changes += _signoff_changes(before, after)
    return changes


def _value_titles(catalog: Catalog) -> dict[str, str]:
    """Titles of the top-level values, from the record schema (the one place they are written)."""
    properties = record_schema(catalog)["properties"]
    return {key: properties[key]["title"] for key in VALUE_KEYS if key in properties}


def compare(
    base: Project, head: Project, catalog: Catalog, base_name: str, head_name: str, changed: set[str] | None = None
) -> Review:
    """What ``head`` changes in meaning against ``base``, as data. ``changed``: the files the pull
    request changes (changed_files); None counts every record file as changed."""
    before_files, after_files = set(base.record_files), set(head.record_files)
    titles = _value_titles(catalog)
    records: list[RecordReview] = []
    for path in sorted(after_files - before_files):
        if path in head.evaluations:
            records.append(RecordReview(path, "added", None, _state(head.evaluations[path], catalog)))
    for path in sorted(before_files - after_files):
        evaluation = base.evaluations.get(path)
        records.append(RecordReview(path, "removed", _state(evaluation, catalog) if evaluation else None, None))
    for path in sorted(before_files & after_files):
        after = head.evaluations.get(path)
        before = base.evaluations.get(path)
        if after is None:
            continue  # unreadable: listed below
        if before is None:
            records.append(RecordReview(path, "fixed", None, _state(after, catalog)))
        elif before.record.document.data != after.record.document.data:
            changes = _record_changes(before, after, catalog, titles)
            records.append(
                RecordReview(path, "changed", _state(before, catalog), _state(after, catalog), tuple(changes))
            )
    for path in sorted(after_files):
        if path not in head.evaluations:
            records.append(RecordReview(path, "unreadable", None, None))
    if changed is None:
        changed = before_files | after_files
    blocking, elsewhere = judge_change(base, head, changed)
    return Review(
        base_name, head_name, tuple(records), tuple(head.problems), blocking=tuple(blocking), elsewhere=tuple(elsewhere)
    )


# Markdown ----------------------------------------------------------------------------------------

md = gfm.text  # the one escape for every value from a record (or a file name) below


def _value(value: Any) -> str:
    """A value as it reads, escaped: nothing is "(none)"."""
    return "(none)" if value is None else md(value)


def _arrow(before: Any, after: Any) -> str:
    return f"{_value(before)} → {_value(after)}"


def _status_line(before: RecordState | None, after: RecordState) -> str:
    status = md(after.status)
    if before is not None and before.status != after.status:
        status = f"**{md(before.status)} → {md(after.status)}**"
    elif before is None:
        status = f"**{status}**"
    meets = "meets it" if after.meets_status else f"does not meet it: {len(after.missing)} missing"
    return f"- Status: {status} ({meets})"


def _sections_table(state: RecordState) -> list[str]:
    rows = [
        f"| {md(s.number)}. {md(s.title)} | {s.count.fraction} | {s.count.pending} | {s.count.waived} "
        f"| {s.count.deferred} | {s.count.not_applicable} |"
        for s in state.sections
    ]
    return ["| Section | Done | Pending | Waived | Deferred | n/a |", "|---|---|---|---|---|---|", *rows]


def _describe_new(record: RecordReview) -> list[str]:
    state = record.after
    heading = "Added" if record.action == "added" else "Fixed"
    lines = [f"### {heading}: {md(state.title)}", ""]
    if record.action == "fixed":
        lines += [f"{md(record.path)} could not be read before; it can now.", ""]
    else:
        lines += [
            f"{md(record.path)}: {md(state.type)} of {md(state.service)} {md(state.version)} "
            f"to {md(state.environment)}.",
            "",
        ]
    lines += [_status_line(None, state), f"- Overall: {state.overall.fraction} items done", ""]
    return lines + _sections_table(state) + [""]


def _waiver_text(waiver: dict[str, str] | None) -> str:
    if waiver is None:
        return "(none)"
    until, approver = _value(waiver.get("expires") or None), _value(waiver.get("approver") or None)
    return f"waived until {until} (approver: {approver}): {_value(waiver.get('reason') or None)}"


def _deferral_text(deferral: dict[str, str] | None) -> str:
    if deferral is None:
        return "(none)"
    return f"deferred to {_value(deferral.get('follow_up') or None)}: {_value(deferral.get('justification') or None)}"


def _item_line(change: ItemChange) -> tuple[str, str]:
    """(group, line) of one item change."""
    label = md(change.label)
    if change.aspect == "state":
        detail = ""
        if change.detail:
            detail = f" (evidence: {md(change.detail)})" if change.after == DONE else f" ({md(change.detail)})"
        if change.after == DONE:
            return "Newly done", label + detail
        if change.before == DONE:
            return "No longer done", f"{label} ({_value(change.after)})"
        return "Other item changes", f"{label}: {_arrow(change.before, change.after)}{detail}"
    if change.aspect == "waiver":
        if change.before is None:
            return "Waivers", f"{label}: {_waiver_text(change.after)}"
        if change.after is None:
            return "Waivers", f"{label}: waiver removed (was {_waiver_text(change.before)})"
        return "Waivers", f"{label}: {_waiver_text(change.before)} → {_waiver_text(change.after)}"
    if change.aspect == "deferral":
        if change.before is None:
            return "Deferrals", f"{label}: {_deferral_text(change.after)}"
        if change.after is None:
            return "Deferrals", f"{label}: deferral removed (was {_deferral_text(change.before)})"
        return "Deferrals", f"{label}: {_deferral_text(change.before)} → {_deferral_text(change.after)}"
    if change.aspect == "parameters":
        keys = sorted(set(change.before or {}) | set(change.after or {}))
        parts = [f"{md(k)}: {_arrow((change.before or {}).get(k), (change.after or {}).get(k))}" for k in keys]
        return "Other item changes", f"{label}: " + "; ".join(parts)
    return "Other item changes", f"{label}: {md(change.aspect)} {_arrow(change.before, change.after)}"


def _row_text(row: dict[str, str] | None, keys: tuple[str, ...]) -> str:
    return " · ".join(md(row[key]) for key in keys if row and row.get(key)) or "(none)"


def _row_diff(before: dict[str, str], after: dict[str, str]) -> str:
    keys = [key for key in dict.fromkeys([*before, *after]) if before.get(key) != after.get(key)]
    return "; ".join(f"{md(key)}: {_arrow(before.get(key), after.get(key))}" for key in keys)


def _issue_line(change: KnownIssueChange) -> str:
    name = md(change.id) + ": " if change.id else ""
    row = change.after or change.before or {}
    impact = f" (impact: {md(row['impact'])})" if row.get("impact") else ""
    text = f"{name}{md(change.issue)}{impact}"
    if change.action == "resolved":
        when = (change.after or {}).get("resolved")
        return f"Resolved{' ' + md(when) if when else ''}: {text}"
    if change.action == "changed":
        return f"Changed: {text}: {_row_diff(change.before, change.after)}"
    return f"{change.action.capitalize()}: {text}"


def _escalation_line(change: EscalationChange) -> str:
    keys = ("after", "level", "contact")
    if change.action == "changed":
        return f"Changed: {md(change.level)}: {_row_diff(change.before, change.after)}"
    return f"{change.action.capitalize()}: {_row_text(change.after or change.before, keys)}"


def _signoff_line(change: SignoffChange) -> str:
    who = md(change.name) if change.name else "(none)"
    if change.action == "stale":
        return f"**Made stale by this change:** {md(change.role)} ({who}): what it covers changed"
    when = f" ({md(change.date)})" if change.date and change.action != "removed" else ""
    return f"{change.action.capitalize()}: {md(change.role)} by {who}{when}"


def _describe_change(record: RecordReview) -> list[str]:
    before, after = record.before, record.after
    lines = [f"### Changed: {md(after.title)}", "", md(record.path), "", _status_line(before, after)]
    lines.append(f"- Overall: {before.overall.fraction} → {after.overall.fraction} items done")
    lines += [
        f"- {md(c.title)}: {_arrow(c.before, c.after)}"
        for c in record.changes
        if isinstance(c, ValueChange) and c.key != "status"
    ]
    rows = [
        f"| {md(c.number)}. {md(c.title)} | {c.before.fraction} | {c.after.fraction} |"
        for c in record.changes
        if isinstance(c, SectionChange)
    ]
    if rows:
        lines += ["", "| Section | Before | After |", "|---|---|---|", *rows]
    groups: dict[str, list[str]] = {}
    for change in record.changes:
        if isinstance(change, ItemChange):
            group, line = _item_line(change)
            groups.setdefault(group, []).append(line)
    for change in record.changes:
        if isinstance(change, KnownIssueChange):
            groups.setdefault("Known issues", []).append(_issue_line(change))
        elif isinstance(change, SupportChange):
            groups.setdefault("Support team", []).append(f"{md(change.title)}: {_arrow(change.before, change.after)}")
        elif isinstance(change, EscalationChange):
            groups.setdefault("Escalation matrix", []).append(_escalation_line(change))
        elif isinstance(change, PartChange):
            groups.setdefault("Other parts changed", []).append(f"{md(change.number)} {md(change.title)}")
        elif isinstance(change, SignoffChange):
            groups.setdefault("Sign-offs", []).append(_signoff_line(change))
    order = (
        "Newly done",
        "No longer done",
        "Waivers",
        "Deferrals",
        "Other item changes",
        "Known issues",
        "Support team",
        "Escalation matrix",
        "Other parts changed",
        "Sign-offs",
    )
    for title in order:
        if title in groups:
            items = groups[title]
            lines += ["", f"**{title}** ({len(items)}):", ""] + [f"- {item}" for item in items]
    lines.append("")
    return lines


def _problem_line(problem: Problem) -> str:
    where = f"{problem.file}:{problem.line}:{problem.column}"
    fix = f" ({md(problem.fix)})" if problem.fix else ""
    return f"- {md(where)} [{problem.rule}] {md(problem.message)}{fix}"  # rule ids are ours


def markdown(review: Review) -> str:
    """Markdown for a pull-request comment or ``$GITHUB_STEP_SUMMARY``; every value escaped."""
    lines = [f"## Deployment records: {md(review.base)} → {md(review.head)}", ""]
    changed = review.count("changed") + review.count("fixed")
    if not review.records:
        lines.append("No deployment record changes in meaning.")
    else:
        lines.append(f"{review.count('added')} added, {changed} changed, {review.count('removed')} removed.")
    lines.append("")
    for record in review.records:
        if record.action in ("added", "fixed"):
            lines += _describe_new(record)
        elif record.action == "removed":
            title = md(record.before.title) if record.before else md(record.path)
            lines += [f"### Removed: {title}", "", f"{md(record.path)} is deleted.", ""]
        elif record.action == "changed":
            lines += _describe_change(record)
        else:
            lines += [f"### Cannot be read: {md(record.path)}", "", "Its problems are listed below.", ""]
    blocking = review.blocking
    inherited = [p for p in review.elsewhere if p.severity is Severity.ERROR]
    warnings = [p for p in review.elsewhere if p.severity is Severity.WARNING]
    lines += ["### Problems that block the merge" if blocking else "### Checks", ""]
    if blocking:
        lines += [_problem_line(p) for p in blocking]
    else:
        lines.append("No errors in what this pull request changes.")
    if inherited:
        lines += ["", "Errors in records this pull request does not change (not blocking):", ""]
        lines += [_problem_line(p) for p in inherited]
    if warnings:
        lines += ["", "Warnings:", ""] + [_problem_line(p) for p in warnings]
    summary = "\n".join(lines).rstrip() + "\n"
    return summary + ("\n" + review.appendix if review.appendix else "")


def summarize(base: Project, head: Project, catalog: Catalog, base_name: str, head_name: str) -> str:
    """Markdown of :func:`compare`."""
    return markdown(compare(base, head, catalog, base_name, head_name))


# JSON --------------------------------------------------------------------------------------------


def _plain(value: Any) -> Any:
    """Dataclasses as JSON objects, ``kind`` first (the change's type)."""
    if hasattr(value, "__dataclass_fields__"):
        names = [f.name for f in fields(value)]
        names.sort(key=lambda name: name != "kind")
        return {name: _plain(getattr(value, name)) for name in names}
    if isinstance(value, tuple | list):
        return [_plain(item) for item in value]
    if isinstance(value, dict):
        return {str(key): _plain(item) for key, item in value.items()}
    return value


def to_json(review: Review) -> str:
    """The review for programs (schemas/review.schema.json). ASCII-only, so no character of a
    record (a terminal escape, a bidi override) reaches whatever prints it."""
    payload = {
        "version": REVIEW_FORMAT_VERSION,
        "base": review.base,
        "head": review.head,
        "counts": {action: review.count(action) for action in ("added", "changed", "fixed", "removed", "unreadable")},
        "records": [_plain(record) for record in review.records],
        "errors": len(review.errors),
        "warnings": len(review.warnings),
        "problems": [problem.to_dict() for problem in review.problems],
        "blocking": [problem.to_dict() for problem in review.blocking],
    }
    return json.dumps(payload, indent=2, ensure_ascii=True) + "\n"


Hook = Callable[[Project, Project], str]
"""Given both revisions' projects, Markdown to add after the summary (core/approvals.py's table)."""


def review_revisions(settings: Settings, base: str, head: str, hook: Hook | None = None) -> Review:
    """Compare two git revisions of the repository at ``settings.root``."""
    with tempfile.TemporaryDirectory(prefix="deploydocs-review-") as temporary:
        work = Path(temporary)
        base_project = load_revision(settings, base, work / "base")
        head_project = load_revision(settings, head, work / "head")
        # What the pull request answers for: its record files and the setup files they are judged by.
        paths = [settings.records_dir, settings.registry, settings.people]
        paths += [settings.policy] if settings.policy else []
        changed = changed_files(settings.root, base, head, paths)
        result = compare(base_project, head_project, base_project.catalog, base, head, changed)
        if hook is not None:
            result = dataclasses.replace(result, appendix=hook(base_project, head_project))
        return result


def review(settings: Settings, base: str, head: str, hook: Hook | None = None) -> str:
    """Markdown comparing two git revisions of the repository at ``settings.root``."""
    return markdown(review_revisions(settings, base, head, hook))


# Schema of the JSON ------------------------------------------------------------------------------


def _object(properties: dict[str, Any], description: str = "", title: str = "") -> dict[str, Any]:
    described = {"title": title} if title else {}
    if description:
        described["description"] = description
    return {
        **described,
        "type": "object",
        "additionalProperties": False,
        "required": list(properties),
        "properties": properties,
    }


def review_schema(catalog: Catalog) -> dict[str, Any]:
    """The JSON Schema of ``deploydocs review --format json`` (the shape :func:`to_json` writes)."""
    keys = lambda terms: [term.key for term in terms]  # noqa: E731
    text = {"type": "string"}
    maybe_text = {"type": ["string", "null"]}
    row = {"type": ["object", "null"], "additionalProperties": {"type": "string"}}
    count = _object(
        {
            key: {"type": "integer", "minimum": 0}
            for key in ("done", "applicable", "pending", "waived", "deferred", "not_applicable")
        },
        "How the items stand: done out of applicable (n/a left out), and the rest by standing.",
    )
    section_keys = {"enum": [section.key for section in catalog.checklist_sections]}
    state = _object(
        {
            "id": text,
            "service": text,
            "version": text,
            "environment": text,
            "type": text,
            "status": text,
            "meets_status": {"type": "boolean", "description": "Whether the record has what its status requires."},
            "missing": {
                "type": "array",
                "items": text,
                "description": "What the claimed status still needs: item labels and `sign-off: ROLE`.",
            },
            "overall": count,
            "sections": {
                "type": "array",
                "description": "Every checklist section, in the guide's order.",
                "items": _object({"key": section_keys, "number": text, "title": text, "count": count}),
            },
        },
        "The record as it stands at one revision (values as written; an unknown status is reported "
        "among the problems).",
    )
    waiver = _object({"reason": text, "approver": text, "expires": text})
    deferral = _object({"justification": text, "follow_up": text})
    parameters = {"type": "object", "additionalProperties": {"type": ["string", "integer"]}}
    item_value = {"anyOf": [maybe_text, waiver, deferral, parameters]}

    def change(kind: str, description: str, properties: dict[str, Any]) -> dict[str, Any]:
        return _object({"kind": {"const": kind}, **properties}, description, title=kind)

    changes = [
        change(
            "value",
            "A top-level value changed (status, version, date, outcome, outcome_reason, rolls_back, "
            "deployed_by, ...); null is no value.",
            {"key": {"enum": list(VALUE_KEYS)}, "title": text, "before": maybe_text, "after": maybe_text},
        ),
        change(
            "section",
            "A checklist section's progress changed.",
            {"key": section_keys, "number": text, "title": text, "before": count, "after": count},
        ),
        change(
            "item",
            "One aspect of one checklist item changed. state: done, pending, n/a or null (not said); "
            "waiver and deferral: their mappings or null; the text aspects: text or null.",
            {
                "path": {"type": "string", "examples": ["pre_deployment.code_and_configuration.secrets"]},
                "label": text,
                "aspect": {"enum": ["state", "waiver", "deferral", "evidence", "reason", "note", "by", "parameters"]},
                "before": item_value,
                "after": item_value,
                "detail": {
                    "type": ["string", "null"],
                    "description": "With a state change: the evidence (done) or the reason (n/a).",
                },
            },
        ),
        change(
            "signoff",
            "A sign-off was added, removed or renewed, or this change made it stale.",
            {
                "role": {"enum": keys(catalog.signoff_roles)},
                "action": {"enum": ["added", "removed", "renewed", "stale"]},
                "name": text,
                "date": maybe_text,
            },
        ),
        change(
            "known_issue",
            "A known issue (8.1), followed by its id: opened, resolved, reopened, changed or removed.",
            {
                "id": maybe_text,
                "issue": text,
                "action": {"enum": ["opened", "resolved", "reopened", "changed", "removed"]},
                "before": row,
                "after": row,
            },
        ),
        change(
            "support_team",
            "A field of the support team (9.1) changed.",
            {"key": text, "title": text, "before": maybe_text, "after": maybe_text},
        ),
        change(
            "escalation",
            "A row of the escalation matrix (9.2), followed by its level: added, removed or changed.",
            {"level": text, "action": {"enum": ["added", "removed", "changed"]}, "before": row, "after": row},
        ),
        change(
            "part",
            "Any other part of the guide (a table, fields or text) changed.",
            {"key": text, "number": text, "title": text},
        ),
    ]
    record = _object(
        {
            "path": {"type": "string", "description": "The record file, relative to the repository root."},
            "action": {
                "enum": ["added", "removed", "changed", "fixed", "unreadable"],
                "description": "fixed: could not be read at the base, can now; unreadable: cannot be read "
                "at the head (see problems).",
            },
            "before": {"oneOf": [{"type": "null"}, state]},
            "after": {"oneOf": [{"type": "null"}, state]},
            "changes": {"type": "array", "items": {"oneOf": changes}},
        },
        "What happened to one record file between the two revisions.",
    )
    problem = _object(
        {
            "file": text,
            "line": {"type": "integer", "minimum": 0},
            "column": {"type": "integer", "minimum": 0},
            "rule": text,
            "severity": {"enum": [severity.value for severity in Severity]},
            "message": text,
            "fix": text,
        },
        "A problem of the head revision, as `deploydocs check --format json` gives it.",
    )
    actions = ("added", "changed", "fixed", "removed", "unreadable")
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"urn:smartedify:deploydocs:{REVIEW_SCHEMA_FILE}",
        "title": "deploydocs review --format json",
        "description": "What a pull request changes in meaning in the deployment records, between a base "
        "and a head revision. `version` changes only when a field is renamed or removed.",
        **_object(
            {
                "version": {"const": REVIEW_FORMAT_VERSION},
                "base": {"type": "string", "description": "The base revision, as given."},
                "head": {"type": "string", "description": "The head revision, as given."},
                "counts": _object({action: {"type": "integer", "minimum": 0} for action in actions}),
                "records": {"type": "array", "items": record},
                "errors": {"type": "integer", "minimum": 0},
                "warnings": {"type": "integer", "minimum": 0},
                "problems": {"type": "array", "items": problem},
                "blocking": {
                    "type": "array",
                    "items": problem,
                    "description": "The problems that block the pull request: errors of the files it changes "
                    "(due warnings there count as errors) and errors it causes elsewhere. `deploydocs review` "
                    "exits 1 when there is any.",
                },
            }
        ),
    }
