"""``deploydocs review BASE HEAD``: what a pull request changes in meaning, as Markdown.

Both revisions are taken out of git into temporary folders and run through the same core as the
build; the summary compares the two evaluated projects, never the YAML lines.
"""

from __future__ import annotations

import dataclasses
import io
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path

from .catalog import Catalog
from .evaluate import Evaluation, Progress
from .model import DONE
from .problems import Problem, Severity, sort_problems
from .project import Project, Settings, load_project
from .rules import DUE_RULES


class ReviewError(Exception):
    """A git revision or path that cannot be read."""


def _git(root: Path, *args: str) -> bytes:
    result = subprocess.run(["git", *args], cwd=root, capture_output=True, check=False)
    if result.returncode != 0:
        raise ReviewError(result.stderr.decode("utf-8", "replace").strip() or f"git {' '.join(args)} failed")
    return result.stdout


def materialize(root: Path, revision: str, paths: list[str], destination: Path) -> None:
    """Write ``paths`` (folders or files) as they are at ``revision`` into ``destination``."""
    _git(root, "rev-parse", "--verify", "--quiet", f"{revision}^{{commit}}")
    present = [p for p in paths if _git(root, "ls-tree", "--name-only", revision, "--", p).strip()]
    destination.mkdir(parents=True, exist_ok=True)
    if not present:
        return
    archive = _git(root, "archive", "--format=tar", revision, "--", *present)
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(destination, filter="data")


def load_revision(settings: Settings, revision: str, workdir: Path) -> Project:
    paths = [settings.records_dir] + ([settings.policy] if settings.policy else [])
    materialize(settings.root, revision, paths, workdir)
    registry = workdir / settings.registry
    if not registry.exists():  # a revision before the registry existed: use today's
        registry.parent.mkdir(parents=True, exist_ok=True)
        registry.write_bytes((settings.root / settings.registry).read_bytes())
    return load_project(
        Settings(
            root=workdir,
            records_dir=settings.records_dir,
            registry=settings.registry,
            policy=settings.policy,
            as_of=settings.as_of,
        )
    )


@dataclass
class RecordChange:
    path: str
    before: Evaluation | None
    after: Evaluation | None


def _fraction(progress: Progress | None) -> str:
    return "–" if progress is None else f"{progress.done}/{progress.applicable}"


def _title(evaluation: Evaluation) -> str:
    record = evaluation.record
    return f"{record.id} · {record.environment}"


def changed_files(root: Path, base: str, head: str, paths: list[str]) -> set[str]:
    """Files under ``paths`` whose content differs between the two revisions (added, changed, removed)."""
    listing = _git(root, "diff", "--name-only", "--no-renames", "-z", base, head, "--", *paths)
    return {name for name in listing.decode("utf-8", "surrogateescape").split("\0") if name}


@dataclass
class Verdict:
    """The head's problems, split by whether the pull request answers for them."""

    blocking: list[Problem]  # of the files it changes (due problems there become errors), or new
    elsewhere: list[Problem]  # errors and warnings it inherits: shown, never blocking


def judge_change(base: Project, head: Project, changed: set[str]) -> Verdict:
    """Which of the head's problems block the pull request.

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
    return Verdict(sort_problems(blocking), sort_problems(elsewhere))


def _problem_line(problem: Problem) -> str:
    return f"- `{problem.file}:{problem.line}:{problem.column}` [{problem.rule}] {problem.message}"


def summarize(
    base: Project, head: Project, catalog: Catalog, base_name: str, head_name: str, verdict: Verdict | None = None
) -> str:
    """Markdown for a pull-request comment or ``$GITHUB_STEP_SUMMARY``."""
    if verdict is None:  # every file counts as changed
        verdict = judge_change(base, head, set(base.record_files) | set(head.record_files))
    before_files, after_files = set(base.record_files), set(head.record_files)
    added = sorted(after_files - before_files)
    removed = sorted(before_files - after_files)
    kept = sorted(before_files & after_files)
    broken = [path for path in after_files if path not in head.evaluations]
    changed = [
        RecordChange(path, base.evaluations.get(path), head.evaluations.get(path))
        for path in kept
        if path in head.evaluations
        and (path not in base.evaluations or _differs(base.evaluations[path], head.evaluations[path]))
    ]
    lines = [f"## Deployment records: {base_name} → {head_name}", ""]
    if not (added or removed or changed or broken):
        lines.append("No deployment record changes in meaning.")
    else:
        lines.append(f"{len(added)} added, {len(changed)} changed, {len(removed)} removed.")
    lines.append("")
    for path in added:
        e = head.evaluations.get(path)
        if e is None:
            continue  # listed under "cannot be read" below
        lines += [
            f"### Added: {_title(e)}",
            "",
            f"`{path}`: {e.record.type} of {e.record.service} {e.record.version} to {e.record.environment}, "
            f"status **{e.record.status}**, {_fraction(e.overall)} items done.",
            "",
        ]
    for path in removed:
        e = base.evaluations.get(path)
        lines += [f"### Removed: {_title(e) if e else path}", "", f"`{path}` is deleted.", ""]
    for change in changed:
        if change.before is None:
            lines += [
                f"### Fixed: {_title(change.after)}",
                "",
                f"`{change.path}` could not be read before; it can now.",
                "",
            ]
        else:
            lines += _describe_change(change, catalog)
    for path in sorted(broken):
        lines += [f"### Cannot be read: `{path}`", "", "Its problems are listed below.", ""]
    blocking = verdict.blocking
    inherited = [p for p in verdict.elsewhere if p.severity is Severity.ERROR]
    warnings = [p for p in verdict.elsewhere if p.severity is Severity.WARNING]
    lines.append("### Problems that block the merge" if blocking else "### Checks")
    lines.append("")
    if blocking:
        lines += [_problem_line(p) for p in blocking]
    else:
        lines.append("No errors in what this pull request changes.")
    if inherited:
        lines += ["", "Errors in records this pull request does not change (not blocking):", ""]
        lines += [_problem_line(p) for p in inherited]
    if warnings:
        lines += ["", "Warnings:", ""] + [_problem_line(p) for p in warnings]
    return "\n".join(lines).rstrip() + "\n"


def _differs(before: Evaluation, after: Evaluation) -> bool:
    return before.record.document.data != after.record.document.data


def _describe_change(change: RecordChange, catalog: Catalog) -> list[str]:
    before, after = change.before, change.after
    lines = [f"### Changed: {_title(after)}", "", f"`{change.path}`", ""]
    if before.record.status != after.record.status:
        lines.append(
            f"- Status: **{before.record.status} → {after.record.status}**"
            + ("" if after.meets_status else f" (does not meet it: {len(after.gaps)} missing)")
        )
    else:
        lines.append(
            f"- Status: {after.record.status}"
            + ("" if after.meets_status else f" (does not meet it: {len(after.gaps)} missing)")
        )
    lines.append(f"- Overall: {_fraction(before.overall)} → {_fraction(after.overall)} items done")
    for key in ("version", "environment", "type", "date", "changes", "outcome", "rolls_back"):
        old, new = before.record.document.data.get(key), after.record.document.data.get(key)
        if old != new:
            lines.append(f"- `{key}`: {old!r} → {new!r}")
    rows = []
    for section in catalog.checklist_sections:
        old, new = before.sections[section.key], after.sections[section.key]
        if (old.done, old.applicable, old.pending) != (new.done, new.applicable, new.pending):
            rows.append(f"| {section.number}. {section.title} | {_fraction(old)} | {_fraction(new)} |")
    if rows:
        lines += ["", "| Section | Before | After |", "|---|---|---|", *rows]
    newly_done, undone, other = [], [], []
    for path, entry in after.record.items.items():
        old = before.record.items[path]
        if old.state == entry.state and _item_data(before, path) == _item_data(after, path):
            continue
        label = entry.label
        if entry.state == DONE and old.state != DONE:
            newly_done.append(label + (f" (evidence: {entry.evidence})" if entry.evidence else ""))
        elif old.state == DONE and entry.state != DONE:
            undone.append(f"{label} ({entry.state or 'removed'})")
        elif old.state != entry.state:
            other.append(f"{label}: {old.state} → {entry.state}" + (f" ({entry.reason})" if entry.reason else ""))
        else:
            other.append(f"{label}: details changed")
    for title, items in (("Newly done", newly_done), ("No longer done", undone), ("Other item changes", other)):
        if items:
            lines += ["", f"**{title}** ({len(items)}):", ""] + [f"- {item}" for item in items]
    signoff_lines = _signoff_changes(before, after)
    if signoff_lines:
        lines += ["", "**Sign-offs:**", ""] + signoff_lines
    lines.append("")
    return lines


def _item_data(evaluation: Evaluation, path: str) -> object:
    section, subsection, key = path.split(".")
    checklists = evaluation.record.document.data.get("checklists", {})
    return checklists.get(section, {}).get(subsection, {}).get(key)


def _signoff_changes(before: Evaluation, after: Evaluation) -> list[str]:
    old = {s.role: s for s in before.record.signoffs}
    new = {s.role: s for s in after.record.signoffs}
    lines = []
    for role in sorted(set(old) | set(new)):
        if role not in old:
            lines.append(f"- Added: {role} by {new[role].name} ({new[role].date})")
        elif role not in new:
            lines.append(f"- Removed: {role} by {old[role].name}")
        elif (old[role].name, old[role].date, old[role].fingerprint) != (
            new[role].name,
            new[role].date,
            new[role].fingerprint,
        ):
            lines.append(f"- Renewed: {role} by {new[role].name} ({new[role].date})")
    for role in sorted(after.stale_roles - before.stale_roles):
        lines.append(f"- **Made stale by this change:** {role} ({new[role].name}): what it covers changed")
    return lines


@dataclass
class Review:
    markdown: str
    verdict: Verdict

    @property
    def blocking(self) -> bool:
        return bool(self.verdict.blocking)


def review(settings: Settings, base: str, head: str) -> Review:
    """Compare two git revisions of the repository at ``settings.root``."""
    with tempfile.TemporaryDirectory(prefix="deploydocs-review-") as temporary:
        work = Path(temporary)
        base_project = load_revision(settings, base, work / "base")
        head_project = load_revision(settings, head, work / "head")
        paths = [settings.records_dir, settings.registry] + ([settings.policy] if settings.policy else [])
        verdict = judge_change(base_project, head_project, changed_files(settings.root, base, head, paths))
        markdown = summarize(base_project, head_project, base_project.catalog, base, head, verdict)
        return Review(markdown, verdict)
