"""`mkdocs serve` answers a saved record with an update of the pages it changes (plugin/preview.py),
and what it then serves is byte for byte what a full build of the same inputs serves.

Two parts: a real server, saved records and a comparison of every file it serves with those of a
second server started on the edited inputs (same port, so the same ``site_url``); and a property over
the renderer that makes the update sound: whenever a generated page's content changes, its key does
(``preview.page_key``), for edits hypothesis chooses on generated records.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from deploydocs.core.cache import RecordCache
from deploydocs.core.project import Settings, load_project
from deploydocs.plugin.preview import page_key
from deploydocs.site.render import Renderer

from repo_support import Repo, generate_records
from serve_support import Server

EDITED = "records/finance-service/3.1.0-staging.yaml"  # an edit leaves it without errors
SIGNED = "records/identity-service/2.2.0-staging.yaml"  # an edit makes its sign-offs stale: errors


def _served(tmp: Path) -> dict[str, bytes]:
    """Every file of the site folder `mkdocs serve` made under ``tmp``."""
    (site,) = [folder for folder in tmp.iterdir() if folder.name.startswith("mkdocs_")]
    return {path.relative_to(site).as_posix(): path.read_bytes() for path in site.rglob("*") if path.is_file()}


def _saved(server: Server, repo: Repo, relative: str, pattern: str, replacement: str) -> str:
    """Edit a record as an editor saves it; the log of the rebuild that follows."""
    mark = len(server.text())
    repo.edit(relative, pattern, replacement)
    return server.wait_for("Reloading browsers", after=mark)[mark:]


def test_updates_serve_what_a_full_build_serves(repo: Repo, tmp_path: Path) -> None:
    server = Server(repo, tmp_path / "first.log", tmp=tmp_path / "first")
    try:
        server.wait_for("Serving on")
        log = _saved(server, repo, EDITED, r"^changes: (.*)$", r"changes: \1 (edited once)")
        assert "preview updated" in log and "Documentation built" not in log, log
        assert "(edited once)" in server.get("/deployments/finance-service/staging/3.1.0/")
        assert "(edited once)" in server.get("/services/finance-service/")

        # Errors: the record's pages leave the site and the dashboard lists the problems. Then fixed.
        signed = repo.read(SIGNED)
        log = _saved(server, repo, SIGNED, r"^changes: (.*)$", r"changes: \1 (edited)")
        assert "preview updated" in log and "[signoff-stale]" in log, log
        assert "Records have problems" in server.get("/")
        mark = len(server.text())
        repo.write(SIGNED, signed)
        log = server.wait_for("Reloading browsers", after=mark)[mark:]
        assert "preview updated" in log, log
        assert "What runs where" in server.get("/")

        # A record added: a guide outside the navigation comes, the sitemap lists it.
        text = repo.read(EDITED).replace("3.1.0", "3.1.1")
        mark = len(server.text())
        repo.write("records/finance-service/3.1.1-staging.yaml", text)
        log = server.wait_for("Reloading browsers", after=mark)[mark:]
        assert "preview updated" in log and "1 added" in log, log
        assert "3.1.1" in server.get("/services/finance-service/")
        log = _saved(server, repo, EDITED, r"\(edited once\)", "(edited after the record was added)")
        assert "preview updated" in log, log
        updated = _served(tmp_path / "first")
        port = server.port
    finally:
        server.stop()

    fresh = Server(repo, tmp_path / "second.log", port=port, tmp=tmp_path / "second")
    try:
        fresh.wait_for("Serving on")
        expected = _served(tmp_path / "second")
    finally:
        fresh.stop()
    assert sorted(updated) == sorted(expected)
    differing = [name for name in expected if updated[name] != expected[name]]
    assert not differing, differing[:10]


def test_a_hand_written_page_or_mkdocs_yml_means_a_full_build(repo: Repo, tmp_path: Path) -> None:
    server = Server(repo, tmp_path / "serve.log")
    try:
        server.wait_for("Serving on")
        mark = len(server.text())
        repo.edit("docs/workflow.md", r"^# (.*)$", r"# \1 (edited)")
        log = server.wait_for("Reloading browsers", after=mark)[mark:]
        assert "Documentation built" in log and "preview updated" not in log, log
        assert "(edited)" in server.get("/workflow/")
        log = _saved(server, repo, EDITED, r"^changes: (.*)$", r"changes: \1 (edited)")
        assert "preview updated" in log, log
        mark = len(server.text())
        repo.edit("mkdocs.yml", r"^site_name: (.*)$", r"site_name: \1 (renamed)")
        log = server.wait_for("Reloading browsers", after=mark)[mark:]
        assert "Documentation built" in log and "preview updated" not in log, log
        assert "(renamed)" in server.get("/deployments/finance-service/staging/3.1.0/")
    finally:
        server.stop()


# --------------------------------------------------------------------------------------------------
# The keys are sound: a page whose content changes gets a new key.

AS_OF = dt.date(2026, 11, 26)


@dataclass
class Generated:
    root: Path
    cache: RecordCache
    before: dict[str, dict[str, tuple[str, str]]]  # service -> the pages before any edit


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Generated:
    """Generated records, enough per service that a guide's history excerpt is a window of it."""
    root = tmp_path_factory.mktemp("generated")
    generate_records(root, 240, AS_OF)
    return Generated(root, RecordCache(), {})


def _pages(generated: Generated, service: str) -> dict[str, tuple[str, str]]:
    """Key and content of every generated page, as the plugin chooses them (the problems page while a
    record has an error); the content only for the pages a record of ``service`` can change (the
    guides of other services stay unrendered, to keep this quick)."""
    project = load_project(Settings(root=generated.root, as_of=AS_OF, cache_dir=None), generated.cache)
    renderer = Renderer(project)
    pages = {}
    for page in renderer.problem_pages() if project.errors else renderer.pages():
        other_guide = page.src_uri.startswith("deployments/") and not page.src_uri.startswith(f"deployments/{service}/")
        content = "" if other_guide and page.src_uri != "deployments/index.md" else page.content
        pages[page.src_uri] = (page_key(page), content)
    return pages


def _day_earlier(match: re.Match) -> str:
    return f"date: {dt.date.fromisoformat(match.group(1)) - dt.timedelta(days=1)}"


EDITS = [
    (r"^changes: (.*)$", r"changes: \1 (edited)"),
    (r"^date: (\d{4}-\d{2}-\d{2})", _day_earlier),  # may move it in the service's history
    (r"^deployed_by: \{name: [^,]+,", "deployed_by: {name: Someone Else,"),  # a warning: not in people.yaml
    (r"^(\s+)impact: \w+", r"\1impact: High"),  # a known issue
]


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(index=st.integers(min_value=0, max_value=10_000), edit=st.sampled_from(EDITS))
def test_a_page_whose_content_changes_gets_a_new_key(generated: Generated, index: int, edit) -> None:
    records = sorted(p for p in (generated.root / "records").rglob("*.yaml") if p.parent.name != "records")
    record = records[index % len(records)]
    service = record.parent.name
    if service not in generated.before:
        generated.before[service] = _pages(generated, service)
    before = generated.before[service]
    text = record.read_text(encoding="utf-8")
    edited, count = re.subn(edit[0], edit[1], text, count=1, flags=re.M)
    if not count or edited == text:
        return  # this record has no such field: nothing to compare
    record.write_text(edited, encoding="utf-8")
    try:
        after = _pages(generated, service)
    finally:
        record.write_text(text, encoding="utf-8")
    changed_content = {uri for uri in before.keys() & after.keys() if before[uri][1] != after[uri][1]}
    changed_key = {uri for uri in before.keys() & after.keys() if before[uri][0] != after[uri][0]}
    assert changed_content <= changed_key, sorted(changed_content - changed_key)
    # And the update stays small: the guides whose key changed are the record's neighbours in its
    # service's history (and, when the edit broke or mended it, nothing else).
    guides = [uri for uri in changed_key if uri.startswith("deployments/") and uri != "deployments/index.md"]
    assert all(uri.startswith(f"deployments/{service}/") for uri in guides), guides
    assert len(guides) <= 2 * 12 + 1, len(guides)
