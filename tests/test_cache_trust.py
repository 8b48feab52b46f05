"""The cache holds data, not code, and is not trusted: an edited, forged, truncated or copied entry
is a miss, never a verdict, and the next check reports the real problems. Nothing in the cache
folder is ever run."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import marshal
import os
import shutil
import sys
from pathlib import Path

import pytest

from deploydocs.core.cache import RecordCache, seal, source_fingerprint, unseal
from deploydocs.core.project import Settings, check_project, default_cache, load_project

from repo_support import REPO, Repo

SECRET_FILE = "records/identity-service/2.3.0-production.yaml"
TWIN = "records/identity-service/2.3.0-production-twin.yaml"
SEAL_LENGTH = len(b"deploydocs-cache\0") + 32


def _settings(repo: Repo) -> Settings:
    return Settings(root=repo.root, as_of=dt.date(2026, 11, 26))


def _check(repo: Repo, key: bytes = b"k" * 32) -> tuple[list, RecordCache]:
    """One `check` as a new process runs it, with the cache sealed under ``key``."""
    cache = dataclasses.replace(default_cache(_settings(repo)), key=key)
    return check_project(_settings(repo), cache).problems, cache


def _truth(repo: Repo) -> list:
    return load_project(dataclasses.replace(_settings(repo), cache_dir=None), RecordCache()).problems


def _with_secret(repo: Repo) -> None:
    repo.edit(SECRET_FILE, r"^changes: .*$", 'changes: "Rotated: AKIAZ3MSJV4WWNKWW5HQ"')


def _entries(repo: Repo) -> list[Path]:
    return sorted(path for path in repo.path(".deploydocs-cache").rglob("*") if path.is_file())


def _verdict_path(name: str, repo: Repo) -> Path:
    key = hashlib.sha256(f"verdict\0{name}".encode()).hexdigest()
    return repo.path(".deploydocs-cache/verdicts") / key[:2] / key


def _secret_found(problems: list) -> bool:
    return any(p.file == SECRET_FILE and p.rule == "secret-detected" for p in problems)


def test_an_edited_verdict_is_a_miss(repo: Repo) -> None:
    _with_secret(repo)
    truth = _truth(repo)
    assert _secret_found(truth)
    assert _check(repo)[0] == truth
    path = _verdict_path(SECRET_FILE, repo)
    blob = path.read_bytes()
    digest, context, (problems, head, stale, attention) = marshal.loads(blob[SEAL_LENGTH:])
    cleaned = [p for p in problems if p[3] != "secret-detected"]
    assert len(cleaned) < len(problems)
    forged = marshal.dumps((digest, context, (cleaned, head, stale, attention)))
    # The problem flipped away, the seal kept; then resealed under a key the forger made up.
    for tampered in (blob[:SEAL_LENGTH] + forged, seal(os.urandom(32), ("verdict", "", SECRET_FILE), forged)):
        path.write_bytes(tampered)
        problems_now, cache = _check(repo)
        assert problems_now == truth and cache.verdict_misses == 1
        assert _secret_found(problems_now)


def test_a_clean_verdict_copied_onto_a_file_with_a_secret_is_a_miss(repo: Repo) -> None:
    # Two files of the same content: a verdict of one, digest and context right, on the other's name.
    shutil.copy(repo.path(SECRET_FILE), repo.path(TWIN))
    _check(repo)
    _with_secret(repo)
    twin_verdict = _verdict_path(TWIN, repo).read_bytes()
    truth = _truth(repo)
    _check(repo)
    secret_path = _verdict_path(SECRET_FILE, repo)
    digest = hashlib.sha256(repo.path(SECRET_FILE).read_bytes()).hexdigest()
    _, context, payload = marshal.loads(secret_path.read_bytes()[SEAL_LENGTH:])
    _, _, clean_payload = marshal.loads(twin_verdict[SEAL_LENGTH:])
    for forged in (
        twin_verdict,  # copied as it is
        twin_verdict[:SEAL_LENGTH] + marshal.dumps((digest, context, clean_payload)),  # digest made to fit
    ):
        secret_path.write_bytes(forged)
        problems, cache = _check(repo)
        assert problems == truth and _secret_found(problems), forged[:40]
        assert cache.verdict_misses >= 1


def test_documents_edited_copied_or_truncated_are_misses(repo: Repo) -> None:
    _with_secret(repo)
    truth = _truth(repo)
    settings = _settings(repo)
    cache = dataclasses.replace(default_cache(settings), key=b"k" * 32)
    load_project(settings, cache)  # what a build leaves: document entries and verdicts
    shutil.rmtree(repo.path(".deploydocs-cache/verdicts"))  # so the next check reads the documents
    documents = _entries(repo)
    assert documents
    for index, path in enumerate(documents):
        blob = path.read_bytes()
        if index % 3 == 0:
            path.write_bytes(blob[: len(blob) // 2])  # truncated
        elif index % 3 == 1:
            document, problems = marshal.loads(blob[SEAL_LENGTH:])
            path.write_bytes(blob[:SEAL_LENGTH] + marshal.dumps((document, [])))  # problems dropped
        else:
            path.write_bytes(documents[index - 1].read_bytes())  # another file's entry
    problems, cache = _check(repo)
    assert problems == truth and _secret_found(problems)
    assert cache.misses == len(documents)


def test_entries_under_another_key_are_misses(repo: Repo) -> None:
    # What a CI cache restored from a run with another key (another branch, another machine) gives.
    _with_secret(repo)
    truth = _truth(repo)
    assert _check(repo, key=b"a" * 32)[0] == truth
    problems, cache = _check(repo, key=b"b" * 32)
    assert problems == truth and cache.verdict_misses == len(_truth_files(repo))
    assert _check(repo, key=b"b" * 32)[1].verdict_misses == 0  # sealed again under the new key


def _truth_files(repo: Repo) -> list[Path]:
    return [path for path in repo.path("records").rglob("*.yaml") if path.name not in ("services.yaml", "people.yaml")]


def test_the_cache_holds_no_code_and_nothing_planted_there_runs(repo: Repo) -> None:
    check = repo.cli("check", env={"DEPLOYDOCS_WORKERS": "1"})
    assert check.returncode == 0, check.output
    entries = _entries(repo)
    assert entries and all(path.read_bytes().startswith(b"deploydocs-cache\0") for path in entries)
    assert not [path for path in entries if path.suffix in (".py", ".pyc", ".marshal")]
    # Plant code where an old version kept its compiled validator, and as modules.
    marker = repo.path("pwned")
    payload = f"open({str(marker)!r}, 'w').write('ran')\nvalidate = lambda data: None\n"
    code = compile(payload, "<planted>", "exec")
    folder = repo.path(".deploydocs-cache")
    for name in (_old_validator_name(), "deploydocs.pyc", "__init__.pyc"):
        (folder / name).write_bytes(marshal.dumps(code))
    (folder / "sitecustomize.py").write_text(payload)
    (folder / "deploydocs.py").write_text(payload)
    for path in entries:  # every entry replaced by code, marshalled
        path.write_bytes(path.read_bytes()[:SEAL_LENGTH] + marshal.dumps(code))
    repo.edit(SECRET_FILE, r"^changes: .*$", 'changes: "Rotated: AKIAZ3MSJV4WWNKWW5HQ"')
    for extra in ((), ("--format", "json")):
        run = repo.cli("check", *extra, env={"DEPLOYDOCS_WORKERS": "1"})
        assert run.returncode == 1 and "secret-detected" in run.stdout, run.output
        assert "Traceback" not in run.output, run.output
    build = repo.build()
    assert build.returncode == 1 and "[secret-detected]" in build.output, build.output
    assert not marker.exists()


def _old_validator_name() -> str:
    """Where versions before this one kept the compiled validator, and loaded and ran it from."""
    import fastjsonschema

    from deploydocs.core.catalog import load_catalog
    from deploydocs.core.schema import record_schema
    from deploydocs.core.validate import without_annotations

    draft7 = {
        **without_annotations(record_schema(load_catalog())),
        "$schema": "http://json-schema.org/draft-07/schema#",
    }
    draft7.pop("$id", None)
    fingerprint = json.dumps(draft7, sort_keys=True) + fastjsonschema.VERSION + sys.version
    return f"validator-{hashlib.sha256(fingerprint.encode()).hexdigest()[:24]}.marshal"


def test_unseal_binds_the_purpose_and_the_bytes() -> None:
    key = os.urandom(32)
    blob = seal(key, ("verdict", "", "records/a.yaml"), b"payload")
    assert unseal(key, ("verdict", "", "records/a.yaml"), blob) == b"payload"
    assert unseal(key, ("verdict", "", "records/b.yaml"), blob) is None
    assert unseal(key, ("verdict", "records/a.yaml", ""), blob) is None  # parts are length-prefixed
    assert unseal(os.urandom(32), ("verdict", "", "records/a.yaml"), blob) is None
    assert unseal(key, ("verdict", "", "records/a.yaml"), blob[:-1]) is None
    assert unseal(key, ("verdict", "", "records/a.yaml"), blob[:10]) is None


@pytest.mark.parametrize("module", ["core/secrets.py", "core/rules/signoffs.py", "core/rules/items.py"])
def test_the_source_fingerprint_covers_the_scanners_and_the_rules(module: str) -> None:
    source = REPO / "plugin/deploydocs" / module
    assert source.is_file()
    digest = hashlib.sha256()
    package = REPO / "plugin/deploydocs"
    for path in sorted(package.rglob("*"), key=lambda p: p.relative_to(package).as_posix()):
        if path.suffix in (".py", ".yaml", ".toml", ".j2") and path.is_file():
            content = path.read_bytes()
            digest.update(f"{path.relative_to(package).as_posix()}\0{len(content)}\0".encode())
            digest.update(content)
    assert source_fingerprint() == digest.hexdigest()


def test_the_document_cache_key_includes_the_source(repo: Repo) -> None:
    salt = default_cache(_settings(repo)).salt
    assert source_fingerprint()[:16] in salt
    assert json.dumps(salt)  # plain text
