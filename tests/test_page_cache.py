"""Builds that redo only what changed give the site a cold build gives, byte for byte.

Each step changes one input of the sample repository. A warm build then runs with the previous
builds' cache kept, and a cold build runs on a fresh copy of the same inputs. The two sites must be
the same. The warm build's log says how many generated pages came from the page cache: all of them
after a change every page shares, none of the changed record's pages, the rest otherwise. So a
cache that never hits, or hits where it must not, fails here too.
"""

from __future__ import annotations

import filecmp
import marshal
import re
import shutil
from pathlib import Path

import lz4.frame
import pytest

from repo_support import REPO, SOURCE_DATE_EPOCH, Repo, copy_repo

HITS = re.compile(r"deploydocs: (\d+) of (\d+) generated page\(s\) from the page cache")
EDITED = "records/reservation-service/2.0.0-development.yaml"  # not signed yet: edits keep it valid


def _hits(output: str) -> tuple[int, int]:
    match = HITS.search(output)
    assert match, output
    return int(match.group(1)), int(match.group(2))


def _same_sites(one: Path, other: Path) -> list[str]:
    """Files that differ or exist on one side only (empty: the same site)."""
    names = {p.relative_to(one).as_posix() for p in one.rglob("*") if p.is_file()}
    names |= {p.relative_to(other).as_posix() for p in other.rglob("*") if p.is_file()}
    return sorted(
        name
        for name in names
        if not (one / name).is_file()
        or not (other / name).is_file()
        or not filecmp.cmp(one / name, other / name, shallow=False)
    )


def _cold(warm: Repo, root: Path, env: dict[str, str]) -> Path:
    """The same inputs built from nothing: a fresh copy, no cache folder, another signing key."""
    if root.exists():
        shutil.rmtree(root)
    shutil.copytree(warm.root, root, ignore=shutil.ignore_patterns(".deploydocs-cache", "site"))
    run = Repo(root).build(env={**env, "XDG_CACHE_HOME": str(root.parent / "cold-key")})
    assert run.returncode == 0, run.output
    assert _hits(run.output)[0] == 0
    return root / "site"


@pytest.fixture
def warm(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Repo:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "key"))
    monkeypatch.delenv("DEPLOYDOCS_CACHE_KEY", raising=False)
    return copy_repo(tmp_path / "warm")


def test_a_warm_build_equals_a_cold_one_after_each_change(warm: Repo, tmp_path: Path) -> None:
    env: dict[str, str] = {}
    first = warm.build()
    assert first.returncode == 0, first.output
    hits, total = _hits(first.output)
    assert hits == 0 and total > 20

    def step(change: str, expect: str) -> None:
        run = warm.build(env=env)
        assert run.returncode == 0, f"{change}: {run.output}"
        hits, total = _hits(run.output)
        if expect == "all":
            assert hits == total, f"{change}: {hits} of {total} from the cache"
        elif expect == "none":
            assert hits == 0, f"{change}: {hits} of {total} from the cache"
        else:
            assert 0 < hits < total, f"{change}: {hits} of {total} from the cache"
        differing = _same_sites(warm.root / "site", _cold(warm, tmp_path / "cold", env))
        assert differing == [], f"{change}: the warm build differs from a cold one in {differing[:8]}"

    step("nothing changed", "all")
    warm.edit(EDITED, r'changes: "(.*)"', r'changes: "\1; one more fix"')
    step("a record edited", "some")
    added = warm.write(
        "records/reservation-service/2.0.0-development-attempt-2.yaml",
        warm.read(EDITED).replace("status: ", "attempt: 2\nstatus: ", 1),
    )
    step("a record added", "some")
    added.unlink()
    step("a record deleted", "some")
    warm.edit("records/services.yaml", r"name: Identity Service", "name: Identity Service (edited)")
    step("the registry", "some")
    policy = warm.write("team-policy.yaml", (REPO / "plugin/deploydocs/core/data/policy.yaml").read_text("utf-8"))
    warm.edit("mkdocs.yml", r"  - deploydocs:\n", f"  - deploydocs:\n      policy: {policy.name}\n")
    step("mkdocs.yml", "none")
    # The team moves one requirement from `verified` to `closed`: every record stays valid.
    warm.edit(policy.name, r"      - next_steps.immediate_actions\n", "")
    warm.edit(policy.name, r"(      - communication_and_documentation\n)", r"\1      - next_steps.immediate_actions\n")
    step("the policy", "some")
    warm.edit("overrides/partials/search.html", r"\A", "{#- edited -#}\n")
    step("a theme override", "none")
    warm.edit("docs/record-format.md", r"\A", "<!-- edited -->\n")
    step("a hand-written page", "none")
    env["SOURCE_DATE_EPOCH"] = str(int(SOURCE_DATE_EPOCH) + 3 * 86400)
    step("the as-of date", "some")


def test_a_tampered_or_copied_entry_is_a_miss(warm: Repo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert warm.build().returncode == 0
    entries = sorted((warm.root / ".deploydocs-cache" / "pages").rglob("*"))
    entries = [path for path in entries if path.is_file() and path.name != "parts"]  # pages only
    assert entries
    blob = bytearray(entries[0].read_bytes())
    blob[-1] ^= 0xFF  # an edited entry: its signature no longer matches
    entries[0].write_bytes(bytes(blob))
    sealed = entries[1].read_bytes()
    header = len(b"deploydocs-cache\0") + 32  # the seal's mark and MAC, then the payload
    body, anchors, title = marshal.loads(sealed[header:])
    output, search = marshal.loads(lz4.frame.decompress(body))
    forged = output.replace("</body>", "<script>x()</script></body>")
    assert forged != output  # the same seal on a page with a script in it
    forged_body = lz4.frame.compress(marshal.dumps((forged, search)))
    entries[1].write_bytes(sealed[:header] + marshal.dumps((forged_body, anchors, title)))
    run = warm.build()
    assert run.returncode == 0, run.output
    hits, total = _hits(run.output)
    assert hits == total - 2
    assert _same_sites(warm.root / "site", _cold(warm, tmp_path / "cold", {})) == []
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "another-machine"))
    run = warm.build()  # the same entries, signed with a key this machine does not have
    assert _hits(run.output)[0] == 0


def test_tampered_parts_of_the_big_pages_are_a_miss(warm: Repo, tmp_path: Path) -> None:
    # The deployments index's rows, the JSON export's entries and the dashboard's timelines are kept
    # in one sealed entry: a row with a script in it under the old seal, or resealed under a key this
    # machine does not have, is not used; the pages are rendered again from the records.
    assert warm.build().returncode == 0
    parts = warm.root / ".deploydocs-cache" / "pages" / "parts"
    sealed = parts.read_bytes()
    header = len(b"deploydocs-cache\0") + 32
    stored = marshal.loads(lz4.frame.decompress(sealed[header:]))
    kinds = {kind for kind, _key, _value, _markup in stored}
    assert {"deployment-row", "deployment-json", "home-timeline"} <= kinds
    forged = [
        (kind, key, value + "<script>x()</script>" if kind == "deployment-row" else value, markup)
        for kind, key, value, markup in stored
    ]
    parts.write_bytes(sealed[:header] + lz4.frame.compress(marshal.dumps(forged)))
    # An edit, so that the index is rendered again (not a page-cache hit): from the kept rows of
    # every other record, if the forged entry were taken.
    warm.edit(EDITED, r'changes: "(.*)"', r'changes: "\1; one more fix"')
    run = warm.build()
    assert run.returncode == 0, run.output
    assert "<script>x()</script>" not in warm.read("site/deployments/index.html")
    assert _same_sites(warm.root / "site", _cold(warm, tmp_path / "cold", {})) == []
    # Stored again by that build: the next one finds them, and still builds the same site.
    assert parts.read_bytes() != sealed[:header] + lz4.frame.compress(marshal.dumps(forged))
    assert warm.build().returncode == 0
    assert _same_sites(warm.root / "site", tmp_path / "cold" / "site") == []
