"""A setup loaded from its cached verdict is the setup its checks would load.

When the cache holds the verdict on the policy, the registry and people.yaml (keyed by the
fingerprint of their bytes), a build parses those files without checking them again: no schema
check, no secret scan (project.load_setup). Here, over generated files (valid, invalid, with a secret,
missing, unreadable, the packaged policy or a file), the setup loaded from the verdict equals the one
loaded with every check, and both are made of the bytes the fingerprint covers, not of what the
files hold by the time they are parsed.
"""

from __future__ import annotations

import datetime as dt
import shutil
from importlib import resources
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from deploydocs.core.catalog import load_catalog
from deploydocs.core.project import Settings, Setup, load_setup, read_setup_files

from repo_support import REPO

AS_OF = dt.date(2026, 11, 26)
REGISTRY = (REPO / "records" / "services.yaml").read_text(encoding="utf-8")
PEOPLE = (REPO / "records" / "people.yaml").read_text(encoding="utf-8")
POLICY = resources.files("deploydocs.core").joinpath("data/policy.yaml").read_text(encoding="utf-8")
SECRET = "AKIAZ3MSJV4WWNKWW5HQ"  # an AWS access key id the secret scan reports

# Each variant is a function of the file's text; None: no file; "directory": a file that cannot be read.
REGISTRY_VARIANTS = {
    "as is": lambda text: text,
    "a secret in a purpose": lambda text: text.replace('"Access control, CCTV, IoT"', f'"Rotated {SECRET}"'),
    "a port twice": lambda text: text.replace("port: 3002", "port: 3001"),
    "not YAML": lambda text: text + "\n  : [unclosed\n",
    "a field the schema refuses": lambda text: text.replace("status: future", "status: someday"),
    "missing": None,
    "unreadable": "directory",
}
PEOPLE_VARIANTS = {
    "as is": lambda text: text,
    "an unknown service": lambda text: text.replace(
        "roles: [deploying-engineer]}", "roles: [deploying-engineer], services: [no-such-service]}", 1
    ),
    "a login twice": lambda text: text.replace("github: jmendoza", "github: lramos-sre"),
    "not YAML": lambda text: text + "\n- {unclosed\n",
    "a hidden character": lambda text: text.replace("Javier Mendoza", "Javier\u200b Mendoza"),
    "missing": None,
    "unreadable": "directory",
}
POLICY_VARIANTS = {
    "packaged": "packaged",
    "a copy": lambda text: text,
    "a status it does not know": lambda text: text.replace("status: planned", "status: imagined", 1),
    "a secret in a name": lambda text: text.replace("- name: ticket", f'- name: "ticket {SECRET}"'),
    "not YAML": lambda text: text + "\n  : [unclosed\n",
    "missing": None,
}


def _write(path: Path, variant, text: str) -> None:  # noqa: ANN001
    if path.is_dir():
        shutil.rmtree(path)
    elif path.exists():
        path.unlink()
    if variant is None:
        return
    if variant == "directory":
        path.mkdir()
        return
    path.write_text(variant(text), encoding="utf-8")


def _repo(root: Path, registry: str, people: str, policy: str) -> Settings:
    (root / "records").mkdir(parents=True, exist_ok=True)
    _write(root / "records" / "services.yaml", REGISTRY_VARIANTS[registry], REGISTRY)
    _write(root / "records" / "people.yaml", PEOPLE_VARIANTS[people], PEOPLE)
    variant = POLICY_VARIANTS[policy]
    _write(root / "policy.yaml", None if variant == "packaged" else variant, POLICY)
    return Settings(root=root, policy=None if variant == "packaged" else "policy.yaml", as_of=AS_OF, cache_dir=None)


def _facts(setup: Setup) -> dict:
    """What a setup gives the rest of the pipeline."""
    people = setup.people
    return {
        "policy": setup.policy,
        "registry": setup.registry,
        "problems": [problem.format() for problem in setup.problems],
        "people": None if people is None else (people.path, people.people),
        "context": setup.context is not None,
    }


@pytest.fixture(scope="module")
def scratch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("setups")


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    registry=st.sampled_from(sorted(REGISTRY_VARIANTS)),
    people=st.sampled_from(sorted(PEOPLE_VARIANTS)),
    policy=st.sampled_from(sorted(POLICY_VARIANTS)),
)
def test_a_setup_from_its_verdict_is_the_checked_setup(scratch: Path, registry: str, people: str, policy: str) -> None:
    settings_ = _repo(scratch, registry, people, policy)
    catalog = load_catalog()
    files = read_setup_files(settings_)
    checked = load_setup(settings_, catalog, AS_OF, files)
    reused = load_setup(settings_, catalog, AS_OF, files, checked.verdict)
    assert _facts(reused) == _facts(checked)


def test_the_variants_reach_every_path(scratch: Path) -> None:
    """The generated files reach both paths: a verdict that lets the setup be parsed only (with and
    without problems that do not keep it from loading: secrets), and verdicts that send it through
    the checks, for each file."""
    catalog = load_catalog()
    found = {}
    for registry, people, policy in [
        ("as is", "missing", "packaged"),
        ("a secret in a purpose", "as is", "a secret in a name"),
        ("as is", "an unknown service", "a copy"),
        ("a port twice", "not YAML", "a status it does not know"),
        ("unreadable", "unreadable", "missing"),
    ]:
        settings_ = _repo(scratch, registry, people, policy)
        setup = load_setup(settings_, catalog, AS_OF, read_setup_files(settings_))
        found[(registry, people, policy)] = (setup.context is not None, sorted({p.rule for p in setup.problems}))
    assert list(found.values()) == [
        (True, []),
        (True, ["secret-detected"]),
        (True, ["people-unknown-service"]),  # policy and registry load, people.yaml does not
        (False, ["policy-schema", "registry-duplicate-port", "yaml-syntax"]),
        (False, ["not-a-regular-file", "policy-invalid"]),
    ]


def test_what_is_checked_is_what_the_fingerprint_covers(scratch: Path) -> None:
    """The files change between the read the fingerprint is made of and the parse: the setup, and so
    the verdict stored under that fingerprint, is about the bytes that were read."""
    catalog = load_catalog()
    settings_ = _repo(scratch, "as is", "as is", "a copy")
    files = read_setup_files(settings_)
    _repo(scratch, "a port twice", "not YAML", "a status it does not know")  # changed after the read
    checked = load_setup(settings_, catalog, AS_OF, files)
    assert checked.problems == [] and checked.context is not None
    assert _facts(load_setup(settings_, catalog, AS_OF, files, checked.verdict)) == _facts(checked)
    # And the other way round: a verdict on broken bytes never lets broken files be parsed unchecked.
    broken = read_setup_files(settings_)
    _repo(scratch, "as is", "as is", "a copy")
    refused = load_setup(settings_, catalog, AS_OF, broken)
    assert refused.context is None and refused.problems
    assert _facts(load_setup(settings_, catalog, AS_OF, broken, refused.verdict)) == _facts(refused)


def test_pages_are_keyed_by_the_context_the_project_was_judged_in(tmp_path: Path) -> None:
    """A setup file that changes after the records were judged (a save under `mkdocs serve`) does not
    change the keys of the pages made of them: a page is looked up by what it was made from."""
    from deploydocs.core.project import context_fingerprint, load_project
    from deploydocs.site.render import Renderer

    shutil.copytree(REPO / "records", tmp_path / "records")
    settings_ = Settings(root=tmp_path, as_of=AS_OF, cache_dir=None)
    project = load_project(settings_)
    judged_in = context_fingerprint(settings_, AS_OF)
    assert project.context == judged_in
    keys = [page.inputs for page in Renderer(project).pages()]
    registry = tmp_path / "records" / "services.yaml"
    registry.write_text(REGISTRY_VARIANTS["a secret in a purpose"](REGISTRY), encoding="utf-8")
    assert context_fingerprint(settings_, AS_OF) != judged_in
    assert [page.inputs for page in Renderer(project).pages()] == keys
