"""Service history, promotion, rollbacks, known issues across deployments, the dashboard and the
JSON export: real builds over the sample records and over made-up histories."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator, FormatChecker

from repo_support import REPO, Repo


class Tables(HTMLParser):
    """Rows of every <table> of a page as lists of cell texts, plus the links in each row."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: list[dict[str, list]] = []
        self._row: list[str] | None = None
        self._links: list[str] = []
        self._cell: list[str] | None = None
        self._classes: str = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "table":
            self.tables.append({"class": attributes.get("class") or "", "rows": [], "links": []})
        elif tag == "tr":
            self._row, self._links = [], []
        elif tag in ("td", "th") and self._row is not None:
            self._cell = []
        elif tag == "a" and self._row is not None and attributes.get("href"):
            self._links.append(attributes["href"])

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None and self._row is not None:
            self._row.append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "tr" and self._row is not None and self.tables:
            self.tables[-1]["rows"].append(self._row)
            self.tables[-1]["links"].append(self._links)
            self._row = None

    def with_class(self, name: str) -> dict[str, list]:
        return next(table for table in self.tables if name in table["class"].split())


def tables(html: str) -> Tables:
    parser = Tables()
    parser.feed(html)
    return parser


def test_service_page_answers_what_runs_where(built_site: Repo) -> None:
    page = tables(built_site.site("services/identity-service/index.html"))
    live = {row[0]: row[1:] for row in page.with_class("dd-live")["rows"][1:]}
    assert live["Production"][0] == "2.3.1"  # the hotfix is what runs now
    assert live["Staging"][0] == "2.3.0"
    assert live["Pre-prod"] == ["nothing deployed"]
    info = {row[0]: row[1] for row in page.with_class("dd-info")["rows"]}
    assert info["Port"] == "3001" and info["Domain"] == "Core"


def test_history_is_newest_first_and_links_each_guide(built_site: Repo) -> None:
    page = tables(built_site.site("services/identity-service/index.html"))
    history = page.with_class("dd-history")
    rows = history["rows"][1:]
    dates = [row[2] for row in rows]
    assert dates == sorted(dates, reverse=True)
    assert [row[0] for row in rows][:2] == ["2.3.1", "2.3.0"]
    for row, links in zip(rows, history["links"][1:], strict=True):
        version, environment = row[0].split()[0], row[1].lower()
        assert any(link.startswith(f"/deployments/identity-service/{environment}/{version}") for link in links), links


def test_guide_section_12_is_the_service_history(built_site: Repo) -> None:
    html = built_site.site("deployments/identity-service/production/2.2.0/index.html")
    history = tables(html).with_class("dd-history")
    versions = [row[0] for row in history["rows"][1:]]
    assert versions[0] == "2.3.1" and "2.2.0" in versions
    assert 'class="dd-current"' in html
    assert 'href="/services/identity-service/"' in html  # the guide links its service page


def _versions_repo(repo: Repo, versions: list[tuple[str, str]]) -> None:
    for version, date in versions:
        run = repo.cli(
            "new",
            "--service",
            "tenancy-service",
            "--version",
            version,
            "--environment",
            "development",
            "--type",
            "update",
            "--date",
            date,
            "--deployed-by",
            "Ana Quispe",
            "--reviewed-by",
            "Diego Salas",
        )
        assert run.returncode == 0, run.output


def test_versions_are_ordered_as_versions(empty_repo: Repo) -> None:
    _versions_repo(empty_repo, [("2.9.0", "2026-12-10"), ("2.10.0", "2026-12-10"), ("2.10.0-rc.1", "2026-12-10")])
    run = empty_repo.build()
    assert run.returncode == 0, run.output
    promotion = tables(empty_repo.site("services/tenancy-service/index.html")).with_class("dd-promotion")
    assert [row[0] for row in promotion["rows"][1:]] == ["2.10.0", "2.10.0-rc.1", "2.9.0"]
    history = tables(empty_repo.site("services/tenancy-service/index.html")).with_class("dd-history")
    assert [row[0] for row in history["rows"][1:]] == ["2.10.0", "2.10.0-rc.1", "2.9.0"]


def test_promotion_path_and_missing_lower_environment(repo: Repo) -> None:
    page = tables(_build(repo).site("services/governance-service/index.html")).with_class("dd-promotion")
    row = next(row for row in page["rows"] if row[0] == "1.4.0")
    assert row[1] == "—" and row[2].startswith("Closed") and row[3].startswith("Closed")
    assert row[4].startswith("Rolled back")
    # Remove staging and pre-prod: the production deploy of 1.4.0 has no lower environment.
    repo.path("records/governance-service/1.4.0-staging.yaml").unlink()
    repo.path("records/governance-service/1.4.0-pre-prod.yaml").unlink()
    run = repo.cli("check", "--format", "json")
    found = [p for p in json.loads(run.stdout)["problems"] if p["rule"] == "promotion-missing"]
    line = repo.line_of("records/governance-service/1.4.0-production.yaml", r"^environment:")
    assert [(p["file"], p["line"], p["severity"]) for p in found] == [
        ("records/governance-service/1.4.0-production.yaml", line, "warning")
    ]
    assert run.returncode == 0  # a warning in the default policy
    # The policy can make it an error.
    policy = (REPO / "plugin/deploydocs/core/data/policy.yaml").read_text()
    repo.write("policy.yaml", policy.replace("    missing: warning", "    missing: error"))
    strict = repo.cli("check", "--policy", "policy.yaml")
    assert strict.returncode == 1 and "[promotion-missing]" in strict.stdout


def _build(repo: Repo) -> Repo:
    run = repo.build()
    assert run.returncode == 0, run.output
    return repo


def test_rollback_and_its_target_link_each_other(built_site: Repo) -> None:
    rollback = built_site.site("deployments/governance-service/production/1.3.2/index.html")
    target = built_site.site("deployments/governance-service/production/1.4.0/index.html")
    link = r'<a href="/deployments/governance-service/production/{}/">DEPLOY-GOVERNANCE-SERVICE-{}'
    assert re.search("Rolls back " + link.format(r"1\.4\.0", r"1\.4\.0"), rollback)
    assert re.search("Rolled back by " + link.format(r"1\.3\.2", r"1\.3\.2"), target)
    # On the same day, the rollback is listed after (above, newest first) what it reverses.
    history = tables(rollback).with_class("dd-history")
    versions = [row[0] for row in history["rows"][1:]]
    assert versions.index("1.3.2") < versions.index("1.4.0")


@pytest.mark.parametrize(
    ("target", "fragment"),
    [
        ("DEPLOY-GOVERNANCE-SERVICE-9.9.9", "is not the id of any record"),
        ("DEPLOY-IDENTITY-SERVICE-2.2.0", "is a deployment of identity-service"),
    ],
)
def test_rollback_reference_must_exist_and_match(repo: Repo, target: str, fragment: str) -> None:
    record = "records/governance-service/1.3.2-production.yaml"
    repo.edit(record, r"^rolls_back: .*$", f"rolls_back: {target}")
    line = repo.line_of(record, r"^rolls_back:")
    run = repo.cli("check")
    assert run.returncode == 1
    assert re.search(rf"{re.escape(record)}:{line}:\d+: \[rollback-target\] .*{re.escape(fragment)}", run.stdout)


def test_rollback_reference_must_be_earlier(repo: Repo) -> None:
    record = "records/governance-service/1.3.2-production.yaml"
    repo.edit(record, r"^date: .*$", "date: 2026-11-01")
    run = repo.cli("check")
    line = repo.line_of(record, r"^rolls_back:")
    assert re.search(rf"{re.escape(record)}:{line}:\d+: \[rollback-target\] .*after this rollback", run.stdout)


def test_known_issues_carry_across_deployments_with_age(built_site: Repo) -> None:
    page = tables(built_site.site("services/identity-service/index.html")).with_class("dd-known-issues")
    issues = {row[0]: row for row in page["rows"][1:]}
    assert issues["KI-IDENTITY-1"][4] == "open"
    assert re.fullmatch(r"\d+ days", issues["KI-IDENTITY-1"][5])
    assert issues["KI-IDENTITY-2"][4].startswith("resolved 2026-11-18")
    # The portfolio page lists open ones only, by impact.
    portfolio = tables(built_site.site("known-issues/index.html")).with_class("dd-known-issues")
    listed = [row[2] for row in portfolio["rows"][1:]]
    assert "KI-IDENTITY-1" in listed and "KI-IDENTITY-2" not in listed
    impacts = [row[0] for row in portfolio["rows"][1:]]
    order = {"High": 0, "Medium": 1, "Low": 2}
    assert [order[i] for i in impacts] == sorted(order[i] for i in impacts)


def test_dashboard_matrix_attention_and_recent(built_site: Repo) -> None:
    html = built_site.site("index.html")
    page = tables(html)
    matrix = page.with_class("dd-matrix")
    header = matrix["rows"][0]
    assert header == ["Service", "Development", "Staging", "Pre-prod", "Production"]
    services = {row[0]: row for row in matrix["rows"][1:]}
    assert services["Identity Service"][4].startswith("2.3.1")
    assert services["Governance Service"][4].startswith("1.3.2")  # 1.4.0 was rolled back
    assert "rollback of 1.4.0" in services["Governance Service"][4]  # a live rollback says so
    # Production's only finance record is in progress: nothing live is recorded, and it is the one coming.
    assert services["Finance Service"][4].startswith("no live version recorded")
    assert "coming: 3.1.0" in services["Finance Service"][4]
    text = re.sub(r"<[^>]+>", "", html)
    assert "Needs attention" in text and "waived until 2027-12-31" in text
    recent = page.with_class("dd-history")["rows"][1:]
    assert len(recent) == 10
    dates = [row[3] for row in recent]
    assert dates == sorted(dates, reverse=True)


def test_service_page_has_a_static_timeline(built_site: Repo) -> None:
    html = built_site.site("services/identity-service/index.html")
    svg = re.search(r"<svg class=\"dd-timeline\".*?</svg>", html, re.DOTALL)
    assert svg and 'role="img"' in svg.group(0) and "<script" not in svg.group(0)
    assert svg.group(0).count("<title>") == 1 + 6  # the picture's, then one per identity-service record
    assert "dd-timeline-legend" in html  # what the colours and shapes mean
    points = html.split('class="dd-points"', 1)[1].split("</details>", 1)[0]
    assert points.count("<tr>") == 1 + 6  # the same points as a table


def _api(repo: Repo, name: str) -> dict:
    return json.loads((repo.root / "site" / "api" / name).read_text())


@pytest.mark.parametrize(
    ("name", "schema"), [("deployments.json", "api-deployments"), ("services.json", "api-services")]
)
def test_json_export_validates_against_its_schema(built_site: Repo, name: str, schema: str) -> None:
    document = _api(built_site, name)
    validator = Draft202012Validator(
        json.loads((REPO / "schemas" / f"{schema}.schema.json").read_text()), format_checker=FormatChecker()
    )
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(document)]
    assert errors == []


def test_json_export_content(built_site: Repo) -> None:
    deployments = _api(built_site, "deployments.json")["deployments"]
    records = sorted(Path(built_site.root, "records").glob("*/*.yaml"))
    assert len(deployments) == len(records)
    keys = [d["key"] for d in deployments]
    assert len(set(keys)) == len(keys)
    finance = next(d for d in deployments if d["key"] == "finance-service/production/3.1.0")
    assert finance["status"] == "in-progress" and finance["meets_status"] is True
    assert finance["completeness"]["done"] < finance["completeness"]["applicable"]
    assert finance["next_status"] == "deployed" and finance["missing_for_next_status"]
    services = {s["id"]: s for s in _api(built_site, "services.json")["services"]}
    assert len(services) == 16
    assert services["identity-service"]["live"]["production"]["version"] == "2.3.1"
    assert any(
        issue["id"] == "KI-IDENTITY-1" and issue["resolved"] is None
        for issue in services["identity-service"]["known_issues"]
    )
