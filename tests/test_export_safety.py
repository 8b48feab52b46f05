"""`deploydocs export` loses nothing: it refuses a destination that is, contains or lies inside the
repository's sources, says so in one line, and never deletes or overwrites a file it did not write."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from deploydocs.core.cache import RecordCache
from deploydocs.core.project import Settings, load_project
from deploydocs.site.export import MANIFEST, ExportError, export_markdown

from repo_support import Repo, copy_repo


def _tree(folder: Path) -> dict[str, str]:
    """Every file and link under ``folder`` with a digest of its content (or its link target)."""
    found = {}
    for path in sorted(folder.rglob("*")):
        name = path.relative_to(folder).as_posix()
        if path.is_symlink():
            found[name] = "link:" + os.readlink(path)
        elif path.is_file():
            found[name] = hashlib.sha256(path.read_bytes()).hexdigest()
    return found


@pytest.mark.parametrize(
    "destination", [".", "./", "docs", "docs/new", "records", "records/x/y", "overrides", "schemas", "..", "link"]
)
def test_a_destination_among_the_sources_is_refused_in_one_line(repo: Repo, destination: str) -> None:
    os.symlink("docs", repo.path("link"))  # a link into the sources is the sources
    before = _tree(repo.root)
    run = repo.cli("export", "--no-cache", "--markdown", destination)
    assert run.returncode == 2, run.output
    assert run.stdout == "" and run.stderr.count("\n") == 1, run.stderr
    assert run.stderr.startswith("deploydocs: error: export: ") and "['" not in run.stderr
    assert "sources" in run.stderr or "contains the repository" in run.stderr
    assert _tree(repo.root) == before


def test_export_again_replaces_only_its_own_files(repo: Repo, tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert repo.cli("export", "--markdown", str(out)).returncode == 0
    manifest = json.loads((out / MANIFEST).read_text())
    assert "docs/cli.md" in manifest["files"] and "mkdocs.yml" in manifest["files"]
    # Someone adds their own files beside the export; a record is removed from the repository.
    (out / "docs" / "mine.md").write_text("mine\n")
    (out / "notes.txt").write_text("notes\n")
    (out / "site").mkdir()
    (out / "site" / "index.html").write_text("built\n")
    gone = "docs/deployments/reservation-service/development/2.0.0.md"
    assert (out / gone).is_file()
    repo.path("records/reservation-service/2.0.0-development.yaml").unlink()
    run = repo.cli("export", "--markdown", str(out))
    assert run.returncode == 0, run.output
    assert (out / "docs" / "mine.md").read_text() == "mine\n"
    assert (out / "notes.txt").read_text() == "notes\n" and (out / "site" / "index.html").is_file()
    assert not (out / gone).exists()  # its own page of a removed record: removed
    assert not (out / "docs/deployments/reservation-service/development").exists()  # and its empty folder


def test_a_folder_it_did_not_write_is_left_alone(repo: Repo, tmp_path: Path) -> None:
    taken = tmp_path / "taken"
    (taken / "docs").mkdir(parents=True)
    (taken / "docs" / "index.md").write_text("someone's page\n")
    before = _tree(taken)
    run = repo.cli("export", "--markdown", str(taken))
    assert run.returncode == 2 and run.stderr.count("\n") == 1 and "holds no" in run.stderr, run.output
    assert _tree(taken) == before
    # An export folder where someone put a file where export now writes one: refused, untouched.
    out = tmp_path / "out"
    assert repo.cli("export", "--markdown", str(out)).returncode == 0
    manifest = json.loads((out / MANIFEST).read_text())
    manifest["files"].remove("docs/cli.md")
    (out / MANIFEST).write_text(json.dumps(manifest))
    (out / "docs" / "cli.md").write_text("my own cli page\n")
    before = _tree(out)
    run = repo.cli("export", "--markdown", str(out))
    assert run.returncode == 2 and "was not written by export" in run.stderr, run.output
    assert _tree(out) == before


@pytest.mark.parametrize("listed", ["../victim.txt", "/etc/hostname", "docs/../../victim.txt", "link/victim.txt"])
def test_a_forged_manifest_cannot_make_export_delete_elsewhere(repo: Repo, tmp_path: Path, listed: str) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me\n")
    out = tmp_path / "out"
    out.mkdir()
    os.symlink(tmp_path, out / "link")
    (out / MANIFEST).write_text(json.dumps({"written_by": "deploydocs export", "version": 1, "files": [listed]}))
    run = repo.cli("export", "--markdown", str(out))
    assert "Traceback" not in run.output
    assert victim.read_text() == "keep me\n"
    assert Path("/etc/hostname").exists()


PROJECT: list = []
names = st.sampled_from(
    ["docs/index.md", "docs/cli.md", "docs/mine.md", "docs/services/x.md", "mkdocs.yml", "notes.txt", "docs", "site/a"]
)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(user_files=st.lists(names, unique=True, max_size=4), first_export=st.booleans(), forget=st.booleans())
def test_export_never_deletes_or_changes_a_file_it_did_not_write(
    tmp_path_factory,  # noqa: ANN001
    user_files: list[str],
    first_export: bool,
    forget: bool,
) -> None:
    if not PROJECT:
        root = copy_repo(tmp_path_factory.mktemp("export") / "repo").root
        PROJECT.append(load_project(Settings(root=root, as_of=dt.date(2026, 11, 26), cache_dir=None), RecordCache()))
    project = PROJECT[0]
    out = tmp_path_factory.mktemp("out")
    if first_export:
        export_markdown(project, out)
        if forget:  # the manifest forgets some of what was written: those files are someone's now
            manifest = json.loads((out / MANIFEST).read_text())
            manifest["files"] = manifest["files"][::2]
            (out / MANIFEST).write_text(json.dumps({**manifest}))
    theirs = {}
    for name in user_files:
        path = out / name
        if path.is_dir():
            continue  # a folder export made: its files are judged one by one below
        if path.exists():
            if not first_export or not forget:
                continue  # a file export wrote and still lists: it may replace it
            theirs[name] = path.read_bytes()  # listed no more: someone's
            continue
        if any(parent.is_file() for parent in path.parents):
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"someone's " + name.encode())
        theirs[name] = path.read_bytes()
    if first_export and forget:
        listed = set(json.loads((out / MANIFEST).read_text())["files"])
        theirs.update({name: (out / name).read_bytes() for name in _tree(out) if name not in listed | {MANIFEST}})
    before = _tree(out)
    try:
        export_markdown(project, out)
    except ExportError:
        assert _tree(out) == before  # refused: nothing changed at all
        return
    for name, content in theirs.items():
        assert (out / name).read_bytes() == content, name
