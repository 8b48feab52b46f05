"""A build that finds a record's verdict in the cache judges it as a build without one does.

`load_project` reuses the verdict that `check` (or an earlier build) left for a file of the same
content in the same context: its problems, its stale sign-offs and the rules' notes for readers. The
record is then only counted again. Whatever else judging ever adds to an evaluation must reach the
verdict too, or a warm build would publish less than a cold one: so here, over generated records,
edits and dates, a project loaded from verdicts equals one judged anew, evaluation by evaluation, and
so do the pages made of it.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from deploydocs.core.cache import RecordCache
from deploydocs.core.evaluate import Counts, Evaluation
from deploydocs.core.project import Project, Settings, default_cache, load_project
from deploydocs.site.render import Renderer

from repo_support import REPO, generate_records

GENERATED_AS_OF = dt.date(2026, 11, 26)


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("generated")
    generate_records(root, 30, GENERATED_AS_OF)
    return root


def _judged(evaluation: Evaluation) -> dict:
    """What an evaluation says, the record left out (both sides build it from the same document)."""
    fields = {f.name: getattr(evaluation.counts, f.name) for f in dataclasses.fields(Counts)}
    fields.update(stale_roles=evaluation.stale_roles, attention=evaluation.attention, as_of=evaluation.as_of)
    for name in ("gaps", "next_gaps"):
        fields[name] = [(gap.part, gap.status, gap.role, gap.item and gap.item.item.path) for gap in fields[name]]
    fields["active_waivers"] = [entry.item.path for entry in fields["active_waivers"]]
    return fields


def _pages(project: Project) -> dict[str, str]:
    renderer = Renderer(project)
    return {page.src_uri: page.content for page in (renderer.problem_pages() if project.errors else renderer.pages())}


def _assert_same_judgement(root: Path, as_of: dt.date, cache_dir: str) -> None:
    settings_ = Settings(root=root, as_of=as_of, cache_dir=cache_dir)
    fresh = load_project(dataclasses.replace(settings_, cache_dir=None), RecordCache())
    writing = load_project(settings_, default_cache(settings_))  # judges anew and leaves the verdicts
    cache = default_cache(settings_)
    reusing = load_project(settings_, cache)
    assert cache.verdict_misses == 0, "the second load must judge every record from its verdict"
    for project in (writing, reusing):
        assert project.problems == fresh.problems
        assert project.evaluations.keys() == fresh.evaluations.keys()
        for path, evaluation in fresh.evaluations.items():
            assert _judged(project.evaluations[path]) == _judged(evaluation), path
    assert _pages(reusing) == _pages(fresh)


def _day_later(match: re.Match) -> str:
    return f"date: {dt.date.fromisoformat(match.group(1)) + dt.timedelta(days=1)}"


EDITS = [
    None,  # the records as generated
    (r"^changes: (.*)$", r"changes: \1 (edited)"),  # stales a sign-off that covers it
    (r"^date: (\d{4}-\d{2}-\d{2})", _day_later),  # moves periods: overdue, too early
    (r"^status: \w+", "status: planned"),  # a planned date that has passed
    (r"^(\s+)expires: \d{4}-\d{2}-\d{2}", r"\g<1>expires: 2026-01-01"),  # a waiver expired
    (r"^(\s+)until: \d{4}-\d{2}-\d{2}", r"\g<1>until: 2026-11-20"),  # a deferral overdue
]


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    index=st.integers(min_value=0, max_value=10_000),
    edit=st.sampled_from(EDITS),
    days=st.integers(min_value=-120, max_value=400),
)
def test_verdicts_give_the_judgement_they_were_made_of(
    generated: Path, tmp_path_factory: pytest.TempPathFactory, index: int, edit, days: int
) -> None:
    records = sorted(p for p in (generated / "records").rglob("*.yaml") if p.parent.name != "records")
    record = records[index % len(records)]
    text = record.read_text(encoding="utf-8")
    if edit is not None:
        edited = re.sub(edit[0], edit[1], text, count=1, flags=re.M)
        record.write_text(edited, encoding="utf-8")
    cache_root = tmp_path_factory.mktemp("verdicts")
    try:
        shutil.rmtree(generated / ".deploydocs-cache", ignore_errors=True)
        _assert_same_judgement(generated, GENERATED_AS_OF + dt.timedelta(days=days), str(cache_root))
    finally:
        record.write_text(text, encoding="utf-8")


@pytest.mark.parametrize("as_of", ["2026-11-26", "2027-06-01"])
def test_the_sample_records_from_verdicts(tmp_path: Path, as_of: str) -> None:
    root = tmp_path / "repo"
    shutil.copytree(REPO / "records", root / "records")
    _assert_same_judgement(root, dt.date.fromisoformat(as_of), str(tmp_path / "cache"))
