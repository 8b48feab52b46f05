"""`mkdocs serve` re-reads only the record files whose `stat` changed, and sees what a full read sees.

The plugin keeps a FileStamps across rebuilds; load_project then reads a file again only when its
stamp (mtime, ctime, size, inode, device) differs from the last read. Here a sequence of file
operations (edits of the same size, renames over a file, deletions, new files, a file's time set
back) runs against one kept FileStamps, and after every step the project loaded with it must equal
the project loaded by reading every file.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import time
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from deploydocs.core.cache import RecordCache
from deploydocs.core.project import FileStamps, Project, Settings, load_project

from repo_support import REPO

AS_OF = dt.date(2026, 11, 26)
TICK = 0.02  # longer than a file timestamp's granularity (one kernel tick, at most 10 ms)


def _summary(project: Project) -> tuple:
    return (
        [(record.path, record.document.text) for record in project.records],
        [problem.format() for problem in project.problems],
        project.record_files,
    )


def _settings(root: Path) -> Settings:
    return Settings(root=root, as_of=AS_OF, cache_dir=None)


OPERATIONS = st.lists(
    st.tuples(
        st.sampled_from(["same-size edit", "longer edit", "replace", "delete", "add", "touch back", "break"]),
        st.integers(min_value=0, max_value=1_000),
    ),
    min_size=1,
    max_size=6,
)


@settings(max_examples=5, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(operations=OPERATIONS)
def test_a_stamped_load_equals_a_full_read(tmp_path_factory, operations) -> None:
    root = tmp_path_factory.mktemp("stamps")
    shutil.copytree(REPO / "records", root / "records")
    stamps = FileStamps(settled_ns=0)  # every file settled: the racy case has its own test below
    cache = RecordCache()  # in memory, as under `mkdocs serve`
    load_project(_settings(root), cache, stamps=stamps)
    for operation, index in operations:
        records = sorted(p for p in (root / "records").rglob("*.yaml") if p.parent.name != "records")
        target = records[index % len(records)]
        text = target.read_text(encoding="utf-8")
        if operation == "same-size edit":
            # One character for another: size and (within a tick) nothing else tells them apart.
            target.write_text(text.replace("a", "e", 1), encoding="utf-8")
        elif operation == "longer edit":
            target.write_text(text + "# more\n", encoding="utf-8")
        elif operation == "replace":  # an editor's atomic save: a new inode under the old name
            fresh = target.with_name(".saving.tmp")
            fresh.write_text(text.replace("e", "a", 1), encoding="utf-8")
            os.replace(fresh, target)
        elif operation == "delete":
            target.unlink()
        elif operation == "add":
            target.with_name(f"{target.stem}-copy.yaml").write_text(text, encoding="utf-8")
        elif operation == "touch back":  # content changed, then its mtime set back as it was
            before = target.stat()
            target.write_text(text.replace("e", "o", 1), encoding="utf-8")
            os.utime(target, ns=(before.st_atime_ns, before.st_mtime_ns))
        elif operation == "break":
            target.write_text("id: [unclosed\n", encoding="utf-8")
        time.sleep(TICK)
        stamped = load_project(_settings(root), cache, stamps=stamps)
        full = load_project(_settings(root), RecordCache())
        assert _summary(stamped) == _summary(full), operation


def test_a_file_changed_just_now_is_read_again(tmp_path: Path) -> None:
    # Two writes within one tick of the clock can leave the same stamp: a file whose last change is
    # that recent gets no stamp, so the second write is seen.
    shutil.copytree(REPO / "records", tmp_path / "records")
    target = sorted(p for p in (tmp_path / "records").rglob("*.yaml") if p.parent.name != "records")[-1]
    display = target.relative_to(tmp_path).as_posix()
    text = target.read_text(encoding="utf-8")
    stamps = FileStamps()
    cache = RecordCache()
    for letter in "eiou":  # same size each time, written as fast as it goes
        changed = text.replace("a", letter, 1)
        target.write_text(changed, encoding="utf-8")
        project = load_project(_settings(tmp_path), cache, stamps=stamps)
        assert display not in stamps.digests  # changed just now: not trusted yet
        assert {record.path: record.document.text for record in project.records}[display] == changed


def test_settled_files_are_not_read_again(tmp_path: Path, monkeypatch) -> None:
    shutil.copytree(REPO / "records", tmp_path / "records")
    stamps = FileStamps(settled_ns=0)
    cache = RecordCache()
    load_project(_settings(tmp_path), cache, stamps=stamps)
    assert stamps.digests
    opened: list[str] = []
    import deploydocs.core.project as project_module

    real = project_module.read_file

    def spied(path: Path, display: str) -> bytes:
        opened.append(display)
        return real(path, display)

    monkeypatch.setattr(project_module, "read_file", spied)
    again = load_project(_settings(tmp_path), cache, stamps=stamps)
    # Nothing changed: no record file read ("" is the registry and people.yaml, read for the context).
    assert [display for display in opened if display] == []
    assert _summary(again) == _summary(load_project(_settings(tmp_path), RecordCache()))
