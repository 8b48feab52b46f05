"""Shared test helpers: temporary copies of the repository, real runs of mkdocs and deploydocs,
and independent readings of the catalog and policy. (conftest.py only declares the fixtures: a
module of its own keeps `import` unambiguous beside tests/browser/conftest.py.)"""

from __future__ import annotations

import datetime as dt
import functools
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unicodedata
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML

REPO = Path(__file__).resolve().parent.parent
AS_OF = "2026-11-26"
# Builds in tests are reproducible: "today" is fixed unless a test says otherwise.
SOURCE_DATE_EPOCH = "1795651200"  # 2026-11-26T00:00:00Z


@dataclass
class Run:
    returncode: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        return self.stdout + self.stderr


class Repo:
    """A throwaway copy of the repository (config, docs, records) to build and break."""

    def __init__(self, root: Path):
        self.root = root

    def path(self, relative: str) -> Path:
        return self.root / relative

    def read(self, relative: str) -> str:
        return self.path(relative).read_text(encoding="utf-8")

    def write(self, relative: str, text: str) -> Path:
        target = self.path(relative)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
        return target

    def edit(self, relative: str, pattern: str, replacement: str, count: int = 1) -> None:
        """Regex-replace in a file; fails the test if the pattern is not there."""
        text = self.read(relative)
        new, found = re.subn(pattern, replacement, text, count=count, flags=re.MULTILINE)
        assert found, f"{pattern!r} not found in {relative}"
        self.write(relative, new)

    def line_of(self, relative: str, pattern: str) -> int:
        """1-based number of the first line matching ``pattern``."""
        for number, line in enumerate(self.read(relative).splitlines(), start=1):
            if re.search(pattern, line):
                return number
        raise AssertionError(f"{pattern!r} not in {relative}")

    def _env(self, extra: dict[str, str] | None) -> dict[str, str]:
        env = dict(os.environ)
        env.update({"SOURCE_DATE_EPOCH": SOURCE_DATE_EPOCH, "NO_MKDOCS_2_WARNING": "1", "NO_COLOR": "1"})
        env.update(extra or {})
        return env

    def _mkdocs(self, *args: str, env: dict[str, str] | None = None) -> Run:
        result = subprocess.run(
            [sys.executable, "-m", "mkdocs", *args],
            cwd=self.root,
            capture_output=True,
            text=True,
            env=self._env(env),
            timeout=600,
        )
        return Run(result.returncode, result.stdout, result.stderr)

    def build(self, *args: str, env: dict[str, str] | None = None) -> Run:
        """A real `mkdocs build --strict` of this copy."""
        return self._mkdocs("build", "--strict", *args, env=env)

    def build_lenient(self, *args: str) -> Run:
        """`mkdocs build` without --strict: what a team's local draft build does."""
        return self._mkdocs("build", *args)

    def cli(self, *args: str, env: dict[str, str] | None = None, input: str | None = None) -> Run:
        """A real run of the `deploydocs` command in this copy."""
        result = subprocess.run(
            [sys.executable, "-m", "deploydocs", *args],
            cwd=self.root,
            capture_output=True,
            text=True,
            env=self._env(env),
            timeout=600,
            input=input,
        )
        return Run(result.returncode, result.stdout, result.stderr)

    def site(self, relative: str) -> str:
        return (self.root / "site" / relative).read_text(encoding="utf-8")


def git(repo: Repo, *args: str) -> str:
    """A real git command in the copy, as a test author (its output, stripped)."""
    result = subprocess.run(
        ["git", "-c", "user.name=Test", "-c", "user.email=test@smartedify.example", *args],
        cwd=repo.root,
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout.strip()


def copy_repo(destination: Path, records: bool = True) -> Repo:
    destination.mkdir(parents=True, exist_ok=True)
    shutil.copy2(REPO / "mkdocs.yml", destination / "mkdocs.yml")
    shutil.copytree(REPO / "docs", destination / "docs")
    shutil.copytree(REPO / "schemas", destination / "schemas")
    shutil.copytree(REPO / "overrides", destination / "overrides")
    if records:
        shutil.copytree(REPO / "records", destination / "records")
    else:
        (destination / "records").mkdir()
        shutil.copy2(REPO / "records" / "services.yaml", destination / "records" / "services.yaml")
    # The sample people plus the test-only signers (SIGNERS) the helpers below sign with.
    people = (REPO / "records" / "people.yaml").read_text(encoding="utf-8")
    (destination / "records" / "people.yaml").write_text(people + TEST_PEOPLE, encoding="utf-8")
    return Repo(destination)


# ------------------------------------------------------------------------------------------------
# Helpers for the record, rule and lifecycle tests. They read the catalog and the policy as plain
# YAML (not through deploydocs' own code) so that what "complete" means is computed independently of
# the code under test, and they edit record text the way a person would.
# ------------------------------------------------------------------------------------------------


TODAY = dt.date.fromisoformat(AS_OF)
SERVICE, VERSION, ENVIRONMENT = "identity-service", "2.3.0", "production"
DEPLOYER, REVIEWER = "Ana Quispe", "Diego Salas"
# People who sign besides the deploying engineer (never the deployer: separation of duties).
SIGNERS = {
    "security-reviewer": "Marco Villanueva",
    "compliance-reviewer": "Rosa Huamán",
    "operations-manager": "Jorge Paredes",
    "product-owner": "Carla Mendoza",
}
TEST_PEOPLE = """\
  # Test-only signers (tests/repo_support.py)
  - {name: Marco Villanueva, github: mvillanueva, roles: [security-reviewer]}
  - {name: Jorge Paredes, github: jparedes, roles: [operations-manager]}
  - {name: Carla Mendoza, github: cmendoza, roles: [product-owner]}
"""


@functools.cache
def people_logins() -> dict[str, str]:
    """Name (case folded) -> GitHub login of everyone a test copy's people.yaml lists."""
    text = (REPO / "records" / "people.yaml").read_text(encoding="utf-8") + TEST_PEOPLE
    return {_name_key(entry["name"]): entry["github"] for entry in YAML(typ="safe", pure=True).load(text)["people"]}


def _name_key(name: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", name).split()).casefold()


# A date for each status that needs no warning on 2026-11-26: planned in the future, verified at
# least 1 and at most 7 days after the deployment, closed at least 7 days after it.
STATUS_DATES = {
    "planned": TODAY + dt.timedelta(days=4),
    "in-progress": TODAY,
    "deployed": TODAY,
    "verified": TODAY - dt.timedelta(days=2),
    "closed": TODAY - dt.timedelta(days=10),
    "rolled-back": TODAY,
    "aborted": TODAY,
}
ITEM_LINE = re.compile(r"^(?P<indent> *)(?P<key>[A-Za-z_][\w-]*):(?P<gap> *)(?P<value>[^#\n]*?)(?P<rest> *(#.*)?)$")


@functools.cache
def spec() -> tuple[dict[str, Any], dict[str, Any]]:
    """The packaged catalog and policy, read as plain data."""
    yaml = YAML(typ="safe", pure=True)
    data = resources.files("deploydocs.core").joinpath("data")
    return (
        yaml.load(data.joinpath("catalog.yaml").read_text(encoding="utf-8")),
        yaml.load(data.joinpath("policy.yaml").read_text(encoding="utf-8")),
    )


def catalog_items() -> list[dict[str, Any]]:
    """Every checklist item in catalog order, with its dotted ``path`` and number."""
    catalog, _ = spec()
    found = []
    for s_index, section in enumerate(catalog["sections"], start=1):
        for u_index, sub in enumerate(section["subsections"], start=1):
            if sub["kind"] != "checklist":
                continue
            for i_index, item in enumerate(sub["items"], start=1):
                found.append(
                    {
                        **item,
                        "path": f"{section['key']}.{sub['key']}.{item['key']}",
                        "number": f"{s_index}.{u_index}.{i_index}",
                        "if_applicable": item.get("if_applicable", sub.get("if_applicable", False)),
                    }
                )
    return found


def item_info(path: str) -> dict[str, Any]:
    for item in catalog_items():
        if item["path"] == path:
            return item
    raise AssertionError(f"no catalog item {path}")


def _covered(path: str, parts: list[str]) -> bool:
    return any(path == part or path.startswith(part + ".") for part in parts)


def items_under(part: str) -> list[str]:
    return [item["path"] for item in catalog_items() if _covered(item["path"], [part])]


def status_chain(status: str) -> list[str]:
    """The statuses a record passes through to reach ``status`` (policy order)."""
    _, policy = spec()
    entries = {entry["status"]: entry for entry in policy["lifecycle"]}
    entry = entries[status]
    if entry.get("inherits"):
        return [*status_chain(entry["inherits"]), status]
    main = [e["status"] for e in policy["lifecycle"] if not e.get("inherits")]
    return main[: main.index(status) + 1]


def step_parts(status: str, environment: str) -> list[str]:
    """Parts the policy introduces at ``status`` itself (not before), minus the environment's exemptions."""
    _, policy = spec()
    skipped = policy["environments"][environment].get("not_required", [])
    entry = next(e for e in policy["lifecycle"] if e["status"] == status)
    return [part for part in entry.get("requires", []) if not _covered(part, skipped)]


def required_parts(status: str, environment: str) -> list[str]:
    return [part for step in status_chain(status) for part in step_parts(step, environment)]


def _items_of(parts: list[str], environment: str) -> list[str]:
    """Items inside ``parts``, less those the environment never requires, in catalog order."""
    skipped = spec()[1]["environments"][environment].get("not_required", [])
    parts = [part for part in parts if part != "signoffs"]
    return [
        item["path"]
        for item in catalog_items()
        if _covered(item["path"], parts) and not _covered(item["path"], skipped)
    ]


def required_items(status: str, environment: str) -> list[str]:
    """Item paths that must not be pending for ``status`` in ``environment``, in catalog order."""
    return _items_of(required_parts(status, environment), environment)


def step_items(status: str, environment: str) -> list[str]:
    """Items that ``status`` itself adds to what the previous status required."""
    return _items_of(step_parts(status, environment), environment)


def needs_signoffs(status: str, environment: str) -> bool:
    return "signoffs" in required_parts(status, environment)


def signoff_roles(environment: str) -> list[str]:
    return list(spec()[1]["environments"][environment].get("signoffs", []))


def done_value(path: str) -> str:
    """The YAML of a done item, parameters filled in where the template has placeholders."""
    item = item_info(path)
    parameters = item.get("parameters") or []
    if not parameters:
        return "done"
    values = []
    for parameter in parameters:
        value = parameter.get("default")
        if value is None:
            value = 3 if parameter["type"] == "integer" else "error budget and open incidents"
        values.append(f"{parameter['key']}: {value}")
    return "{state: done, " + ", ".join(values) + "}"


def expected_id(service: str, version: str) -> str:
    return f"DEPLOY-{service.upper()}-{version.upper()}"


# -- record text ---------------------------------------------------------------------------------


def key_lines(text: str) -> dict[tuple[str, ...], int]:
    """1-based line of every block-style mapping key, by key path (comments and lists skipped)."""
    found: dict[tuple[str, ...], int] = {}
    stack: list[tuple[int, str]] = []
    for number, line in enumerate(text.splitlines(), start=1):
        match = ITEM_LINE.match(line)
        if not match or line.lstrip().startswith("#"):
            continue
        indent = len(match["indent"])
        while stack and stack[-1][0] >= indent:
            stack.pop()
        stack.append((indent, match["key"]))
        found.setdefault(tuple(key for _, key in stack), number)
    return found


def line_of_key(repo: Repo, relative: str, dotted: str) -> int:
    """Line of the key at a dotted path such as ``checklists.deployment.pre_flight_checks.monitoring``."""
    lines = key_lines(repo.read(relative))
    path = tuple(dotted.split("."))
    assert path in lines, f"{dotted} not in {relative}"
    return lines[path]


def item_line(repo: Repo, relative: str, item_path: str) -> int:
    return line_of_key(repo, relative, "checklists." + item_path)


def value_column(repo: Repo, relative: str, line: int, needle: str | None = None) -> int:
    """1-based column of the value on ``line`` (of ``needle`` inside the line, when given)."""
    text = repo.read(relative).splitlines()[line - 1]
    if needle is not None:
        assert needle in text, f"{needle!r} not on line {line} of {relative}: {text!r}"
        return text.index(needle) + 1
    match = ITEM_LINE.match(text)
    assert match and match["value"], f"no value on line {line} of {relative}: {text!r}"
    return match.start("value") + 1


def key_column(repo: Repo, relative: str, line: int) -> int:
    """1-based column where the key (or list dash) on ``line`` starts: its indentation plus one."""
    text = repo.read(relative).splitlines()[line - 1]
    return len(text) - len(text.lstrip(" ")) + 1


def item_position(repo: Repo, relative: str, item_path: str, needle: str | None = None) -> tuple[int, int]:
    line = item_line(repo, relative, item_path)
    return line, value_column(repo, relative, line, needle)


def set_item(repo: Repo, relative: str, item_path: str, value: str) -> int:
    """Replace an item's value (keeping its comment); returns its line."""
    repo.write(relative, with_items(repo.read(relative), {item_path: value}))
    return item_line(repo, relative, item_path)


def with_items(text: str, values: dict[str, str]) -> str:
    """``text`` with the items at these paths set to these values (one pass, comments kept)."""
    positions = key_lines(text)
    lines = text.split("\n")
    for path, value in values.items():
        number = positions[("checklists", *path.split("."))]
        match = ITEM_LINE.match(lines[number - 1])
        assert match, lines[number - 1]
        lines[number - 1] = f"{match['indent']}{match['key']}: {value}{match['rest']}"
    return "\n".join(lines)


def delete_item(repo: Repo, relative: str, item_path: str) -> None:
    line = item_line(repo, relative, item_path)
    lines = repo.read(relative).split("\n")
    del lines[line - 1]
    repo.write(relative, "\n".join(lines))


def set_field(repo: Repo, relative: str, key: str, value: str) -> int:
    """Set a top-level ``key: value`` line (added after ``date:`` when absent); returns its line."""
    text = repo.read(relative)
    if re.search(rf"^{re.escape(key)}:", text, flags=re.MULTILINE):
        repo.edit(relative, rf"^{re.escape(key)}:.*$", lambda _: f"{key}: {value}")
    else:
        repo.edit(relative, r"^(date:.*)$", lambda m: f"{m.group(1)}\n{key}: {value}")
    return repo.line_of(relative, rf"^{re.escape(key)}:")


def set_signoffs(repo: Repo, relative: str, entries: list[dict[str, str]], bind: bool = True) -> None:
    """Replace the record's sign-off list with ``entries`` (flow mappings, one per line).

    ``bind``: give each entry the signer's GitHub login (from people.yaml, when the name is there)
    and the fingerprint `deploydocs sign` would write for the record as it stands, unless the entry
    says them itself; a test of unbound sign-offs passes False."""
    if bind:
        entries = [_bound(repo.read(relative), entry) for entry in entries]
    if entries:
        rows = "\n".join("  - {" + ", ".join(f"{k}: {v}" for k, v in entry.items()) + "}" for entry in entries)
        block = "signoffs:\n" + rows
    else:
        block = "signoffs: []"
    text = repo.read(relative)
    new, found = re.subn(r"^signoffs:.*(\n  - .*)*", lambda _: block, text, count=1, flags=re.MULTILINE)
    assert found, f"no signoffs in {relative}"
    repo.write(relative, new)


def sign_again(repo: Repo, relative: str) -> None:
    """Give the record's sign-offs again over its edited content (as `deploydocs sign` would): a
    sign-off covers the record's meaning, so an edit after signing makes it stale."""
    from deploydocs.core.load import parse_document

    signoffs = parse_document(repo.read(relative), relative).data.get("signoffs") or []
    entries = [{"role": s["role"], "name": s["name"], "date": str(s["date"])} for s in signoffs]
    if entries:
        set_signoffs(repo, relative, entries)


def _bound(text: str, entry: dict[str, str]) -> dict[str, str]:
    """``entry`` with github and fingerprint as `deploydocs sign` writes them over ``text``."""
    from deploydocs.core.catalog import load_catalog
    from deploydocs.core.load import parse_document
    from deploydocs.core.policy import default_policy
    from deploydocs.core.signing import fingerprint

    values = YAML(typ="safe", pure=True).load("{" + ", ".join(f"{k}: {v}" for k, v in entry.items()) + "}")
    bound = dict(entry)
    login = people_logins().get(_name_key(str(values.get("name", ""))))
    if login and "github" not in bound:
        bound["github"] = login
    if "fingerprint" not in bound:
        data = parse_document(text, "record.yaml").data
        value = fingerprint(
            data,
            str(values["role"]),
            default_policy(),
            load_catalog(),
            name=str(values.get("name", "")),
            github=str(bound.get("github", "")),
            date=str(values.get("date", "")),
        )
        bound["fingerprint"] = value
    return bound


@functools.cache
def scaffold_text() -> str:
    """What a real `deploydocs new` writes for identity-service 2.3.0 in production (made once)."""
    with tempfile.TemporaryDirectory() as folder:
        copy = copy_repo(Path(folder) / "repo", records=False)
        run = copy.cli(
            "new", "--service", SERVICE, "--version", VERSION, "--environment", ENVIRONMENT,
            "--type", "update", "--date", "2026-11-10", "--deployed-by", DEPLOYER, "--reviewed-by", REVIEWER,
        )  # fmt: skip
        assert run.returncode == 0, run.output
        return copy.read(f"records/{SERVICE}/{VERSION}-{ENVIRONMENT}.yaml")


def record_path(service: str, version: str, environment: str, attempt: int | None = None) -> str:
    suffix = f"-attempt-{attempt}" if attempt and attempt > 1 else ""
    return f"records/{service}/{version}-{environment}{suffix}.yaml"


def make_record(
    repo: Repo,
    status: str = "planned",
    *,
    service: str = SERVICE,
    version: str = VERSION,
    environment: str = ENVIRONMENT,
    type: str = "update",
    date: dt.date | str | None = None,
    attempt: int | None = None,
    rolls_back: str | None = None,
    outcome_reason: str | None = None,
    deployed_by: str = DEPLOYER,
    reviewed_by: str = REVIEWER,
    leave_pending: tuple[str, ...] | list[str] = (),
    everything: bool = False,
    signoffs: bool | None = None,
    relative: str | None = None,
) -> str:
    """Write a record complete up to ``status``: every item that status requires in ``environment``
    done (``everything``: all items), the environment's sign-offs when the status requires them, and
    a date that satisfies the status' waiting time without any overdue warning. Returns its path."""
    when = date if date is not None else STATUS_DATES[status]
    when = when.isoformat() if isinstance(when, dt.date) else when
    relative = relative or record_path(service, version, environment, attempt)
    repo.write(relative, scaffold_text())
    header = {
        "id": expected_id(service, version),
        "service": service,
        "version": version,
        "environment": environment,
        "type": type,
        "status": status,
        "date": when,
        "deployed_by": f"{{name: {deployed_by}, role: Site Reliability Engineer}}",
        "reviewed_by": f"{{name: {reviewed_by}, role: Tech Lead}}",
    }
    for key, value in header.items():
        set_field(repo, relative, key, value)
    if attempt:
        set_field(repo, relative, "attempt", str(attempt))
    if rolls_back:
        set_field(repo, relative, "rolls_back", rolls_back)
    if outcome_reason is None and status in ("rolled-back", "aborted"):
        outcome_reason = "Error rate above the SLO after the switch"
    if outcome_reason:
        set_field(repo, relative, "outcome_reason", outcome_reason)
    wanted = [item["path"] for item in catalog_items()] if everything else required_items(status, environment)
    repo.write(relative, with_items(repo.read(relative), {p: done_value(p) for p in wanted if p not in leave_pending}))
    if signoffs if signoffs is not None else needs_signoffs(status, environment):
        names = {"deploying-engineer": deployed_by, **SIGNERS}
        set_signoffs(
            repo, relative, [{"role": role, "name": names[role], "date": when} for role in signoff_roles(environment)]
        )
    return relative


# -- running and reading results -----------------------------------------------------------------


def check(repo: Repo, *args: str, env: dict[str, str] | None = None) -> Run:
    """`deploydocs check` in ``repo``; never a traceback, always a documented exit code."""
    run = repo.cli("check", *args, env=env)
    assert "Traceback" not in run.output, run.output
    assert run.returncode in (0, 1, 2), run.output
    return run


def check_json(repo: Repo, *args: str, env: dict[str, str] | None = None) -> dict[str, Any]:
    run = check(repo, "--format", "json", *args, env=env)
    payload = json.loads(run.stdout)
    assert run.returncode == (1 if payload["errors"] else 0), run.output
    return payload


def problem_lines(run: Run, rule: str | None = None, file: str | None = None) -> list[str]:
    """Text-report lines of problems, optionally of one rule and/or one file."""
    lines = [line for line in run.output.splitlines() if re.match(r"^\S+(:\d+:\d+)?: \[[a-z0-9-]+\] ", line)]
    if rule is not None:
        lines = [line for line in lines if f": [{rule}] " in line]
    if file is not None:
        lines = [line for line in lines if line.startswith(file + ":")]
    return lines


def expect_problem(run: Run, file: str, line: int, column: int, rule: str, *fragments: str) -> str:
    """The one reported line ``file:line:column: [rule] ...``, containing every fragment."""
    prefix = f"{file}:{line}:{column}: [{rule}] "
    matching = [
        text
        for text in run.output.splitlines()
        if text.startswith(prefix) and all(fragment in text for fragment in fragments)
    ]
    assert len(matching) == 1, f"expected one {prefix!r} line with {fragments!r} in:\n{run.output}"
    return matching[0]


def broken_repository(repo: Repo) -> dict[str, str]:
    """Records that break every rule across records, and files that do not load; returns the rule
    expected in each file."""
    service = "identity-service"
    expected = {}
    # Duplicate: a second file for identity-service 9.0.0 in staging (also stored under the wrong name).
    staging = make_record(repo, "deployed", version="9.0.0", environment="staging")
    copy = f"records/{service}/zz-copy.yaml"  # after the first in file order: the one reported
    repo.write(copy, repo.read(staging))
    expected[copy] = "duplicate-record"
    # Promotion: production without a deployed staging or pre-prod record of its version.
    expected[make_record(repo, "deployed", version="9.1.0")] = "promotion-missing"
    # Rollbacks: none named, an unknown id, another environment's deployment, a later deployment,
    # and rolls_back on a deployment that is not a rollback.
    yesterday = TODAY - dt.timedelta(days=1)
    cases = [
        dict(version="9.2.0", environment="staging", type="rollback"),
        dict(version="9.2.1", environment="staging", type="rollback", rolls_back=expected_id(service, "0.0.1")),
        dict(version="9.2.2", environment="development", type="rollback", rolls_back=expected_id(service, "9.0.0")),
        dict(version="9.2.3", environment="staging", type="rollback", rolls_back=expected_id(service, "9.0.0"),
             date=yesterday),
        dict(version="9.2.4", environment="staging", rolls_back=expected_id(service, "9.0.0")),
    ]  # fmt: skip
    for case in cases:
        expected[make_record(repo, "deployed", **case)] = "rollback-target"
    # A valid rollback, for contrast: no problem.
    make_record(repo, "deployed", version="9.2.5", environment="staging", type="rollback",
                rolls_back=expected_id(service, "9.0.0"))  # fmt: skip
    # Files that do not load, or not as a record.
    broken = {
        "syntax.yaml": (b"id: [unclosed\nservice: x\n", "yaml-syntax"),
        "list.yaml": (b"- a\n- b\n", "not-a-mapping"),
        "latin1.yaml": ("id: café\n".encode("latin-1"), "not-utf8"),
        "empty.yaml": (b"", "empty-file"),
        "huge.yaml": (b"# padding\n" * 110_000, "file-too-large"),
        "notes.txt": (b"not a record\n", "not-yaml-file"),
    }
    for name, (content, rule) in broken.items():
        path = f"records/{service}/{name}"
        repo.path(path).write_bytes(content)
        expected[path] = rule
    # A schema problem in an otherwise valid record.
    typo = make_record(repo, "deployed", version="9.3.0", environment="staging")
    repo.write(typo, repo.read(typo) + "\nchangez: typo\n")
    expected[typo] = "unknown-key"
    return expected


def gfm_html(markdown: str) -> str:
    """``markdown`` rendered by GitHub's parser (cmark-gfm), raw HTML let through: what escaping
    failed to neutralise would show as a tag here."""
    import cmarkgfm
    from cmarkgfm.cmark import Options

    return cmarkgfm.github_flavored_markdown_to_html(markdown, options=Options.CMARK_OPT_UNSAFE)


def gfm_text(markdown: str) -> str:
    """The text a reader sees in ``markdown`` as GitHub renders it: tags dropped, entities decoded,
    each block on its own line."""
    import html

    text = re.sub(r"<[^>]+>", "", gfm_html(markdown))
    return html.unescape(text)


def generate_records(root: Path, count: int, as_of: dt.date) -> None:
    """``count`` records made by the benchmarks' generator (benchmarks/generate.py) in ``root``: a
    repository of many services and histories, the same for the same arguments."""
    sys.path.insert(0, str(REPO / "benchmarks"))
    try:
        import generate
    finally:
        sys.path.remove(str(REPO / "benchmarks"))
    generate.generate(count, root, generate.DEFAULT_SEED, as_of)
