"""The published site changes only where a change means to change it.

``tests/site_baseline.txt`` names a commit. The sample repository built from that commit and from
this tree must give the same site, byte for byte, except for the pages of hand-written files in
``docs/`` that differ between the two (and their search entries). Both builds run here, with the
same MkDocs, theme and date, so the comparison holds on any machine.

A refactoring leaves the baseline alone, and this test shows that readers see nothing new. A change
that means to change generated pages moves the baseline, in a commit of its own, to the commit that
made the change.
"""

from __future__ import annotations

import filecmp
import io
import json
import os
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

from repo_support import REPO, SOURCE_DATE_EPOCH

BASELINE = (REPO / "tests" / "site_baseline.txt").read_text(encoding="utf-8").split()[0]
SOURCES = ("mkdocs.yml", "docs", "records", "schemas", "overrides", "plugin")


def _git(*args: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(["git", "-C", str(REPO), *args], capture_output=True, check=False)


def _tree(revision: str | None, destination: Path) -> Path:
    """The repository's sources at ``revision`` (None: the working tree, as the tests see it)."""
    destination.mkdir(parents=True)
    if revision is None:
        files = _git("ls-files", "-z", "--cached", "--others", "--exclude-standard", "--", *SOURCES).stdout
        for name in filter(None, files.decode().split("\0")):
            source = REPO / name
            if source.is_file():
                (destination / name).parent.mkdir(parents=True, exist_ok=True)
                (destination / name).write_bytes(source.read_bytes())
        return destination
    archive = _git("archive", "--format=tar", revision, "--", *SOURCES)
    assert archive.returncode == 0, archive.stderr.decode()
    with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
        tar.extractall(destination, filter="data")
    return destination


def _build(root: Path) -> Path:
    env = {
        **os.environ,
        "PYTHONPATH": str(root / "plugin"),  # that tree's deploydocs, not the installed one
        "SOURCE_DATE_EPOCH": SOURCE_DATE_EPOCH,
        "NO_MKDOCS_2_WARNING": "1",
    }
    run = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(root / "site")],
        cwd=root,
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    return root / "site"


def _changed_pages() -> set[str]:
    """Site folders of the hand-written pages whose source differs from the baseline's."""
    names = _git("diff", "--name-only", BASELINE, "--", "docs").stdout.decode().split()
    names += _git("ls-files", "--others", "--exclude-standard", "--", "docs").stdout.decode().split()
    pages = set()
    for name in names:
        if name.endswith(".md"):
            stem = name.removeprefix("docs/").removesuffix(".md")
            pages.add("" if stem == "index" else stem.removesuffix("/index") + "/")
    return pages


def _files(site: Path) -> set[str]:
    return {path.relative_to(site).as_posix() for path in site.rglob("*") if path.is_file()}


def _search_entries(site: Path, changed: set[str]) -> list[dict[str, str]]:
    index = json.loads((site / "search" / "search_index.json").read_text(encoding="utf-8"))
    return [entry for entry in index["docs"] if entry["location"].split("#")[0] not in changed]


def test_the_site_is_the_baselines_but_for_changed_hand_written_pages(tmp_path: Path) -> None:
    if _git("rev-parse", "--verify", "--quiet", f"{BASELINE}^{{commit}}").returncode != 0:
        if _git("rev-parse", "--is-shallow-repository").stdout.strip() == b"true":
            pytest.skip(f"the baseline commit {BASELINE} is not in this shallow clone")
        pytest.fail(f"the baseline commit {BASELINE} is not in this repository: fix tests/site_baseline.txt")
    before = _build(_tree(BASELINE, tmp_path / "baseline"))
    after = _build(_tree(None, tmp_path / "now"))
    changed = _changed_pages()
    skipped = {f"{page}index.html" for page in changed} | {"search/search_index.json"}
    assert _files(before) - skipped == _files(after) - skipped
    differing = [
        name for name in sorted(_files(before) - skipped) if not filecmp.cmp(before / name, after / name, shallow=False)
    ]
    assert differing == [], f"pages differ from the baseline's {BASELINE[:12]}: {differing[:10]}"
    assert _search_entries(before, changed) == _search_entries(after, changed)
