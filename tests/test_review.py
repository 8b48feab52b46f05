"""`deploydocs review`: every change in meaning (values, items, waivers, deferrals, known issues,
support team, escalation, sign-offs), a new record's status and progress, the JSON output against its
committed schema, and record values escaped for GitHub's Markdown by one function, by construction."""

from __future__ import annotations

import html
import json
import re

import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from deploydocs.core.gfm import text as markdown_inline_escape
from deploydocs.core.problems import Problem, Severity
from deploydocs.core.review import (
    REVIEW_SCHEMA_FILE,
    Count,
    EscalationChange,
    ItemChange,
    KnownIssueChange,
    PartChange,
    RecordReview,
    RecordState,
    Review,
    SectionChange,
    SectionCount,
    SignoffChange,
    SupportChange,
    ValueChange,
    markdown,
    to_json,
)

from repo_support import REPO, Repo, gfm_html, gfm_text, git

RECORD = "records/identity-service/2.3.0-production.yaml"
HOTFIX = "records/identity-service/2.3.1-production.yaml"


@pytest.fixture
def git_repo(repo: Repo) -> Repo:
    # The base revision: no outcome yet (so the pull request sets it).
    repo.edit(RECORD, r"^outcome: issues\n", "")
    repo.edit(RECORD, r"^outcome_reason: .*\n", "")
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "base")
    return repo


def validator() -> jsonschema.protocols.Validator:
    schema = json.loads((REPO / "schemas" / REVIEW_SCHEMA_FILE).read_text(encoding="utf-8"))
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema, format_checker=cls.FORMAT_CHECKER)


def _edit_meaning(repo: Repo) -> None:
    """A pull request that changes, in one record, everything `review` must name."""
    repo.edit(RECORD, r"^status: verified", "status: verified\noutcome: success\noutcome_reason: Went to plan")
    repo.edit(
        RECORD,
        r"^(\s+)secrets: done",
        r"\1secrets: {state: pending, waiver: {reason: Vault migration, approver: security-reviewer, "
        r"expires: 2026-12-20}}",
    )
    # 1.2.2 gets a note (the state stays done).
    repo.edit(RECORD, r"^(\s+)integration_tests: done", r"\1integration_tests: {state: done, note: Re-run on 2.3.0}")
    # Known issues: KI-1 resolved, KI-2 reopened, KI-4 opened.
    repo.edit(RECORD, r"(\n    opened: 2026-09-09)", r"\1\n    resolved: 2026-11-25")
    repo.edit(RECORD, r"\n    resolved: 2026-11-18", "")
    repo.edit(
        RECORD,
        r"\n(# 8\.2 )",
        "  - {id: KI-IDENTITY-4, issue: Audit export times out above 1M rows, impact: low, opened: 2026-11-25}\n"
        r"\n\1",
    )
    repo.edit(RECORD, r'primary_on_call: "[^"]*"', 'primary_on_call: "Ana Quispe, +51 1 555 0199"')
    repo.edit(
        RECORD, r"\{after: 4\+ hours, level: CTO, contact: [^}]*\}", "{after: 4+ hours, level: CTO, contact: Ana}"
    )
    # A deferral in the hotfix changes its date.
    repo.edit(HOTFIX, r"follow_up: 2026-12-04", "follow_up: 2026-12-15")


def test_review_names_every_change_in_meaning_and_json_says_the_same(git_repo: Repo) -> None:
    repo = git_repo
    _edit_meaning(repo)
    git(repo, "commit", "-q", "-am", "pull request")
    run = repo.cli("review", "HEAD~1", "HEAD")
    # The record it changes is past its monitoring period (closed was due): who touches a record
    # answers for what is due there, so that warning blocks this pull request.
    assert run.returncode == 1, run.output
    text = gfm_text(run.stdout)
    blocking = text.split("Problems that block the merge", 1)[1].split("Warnings:", 1)[0]
    assert f"{RECORD}:" in blocking and "[monitoring-overdue]" in blocking
    assert "Changed: DEPLOY-IDENTITY-SERVICE-2.3.0 · production" in text
    assert "Outcome: (none) → success" in text  # values as they read: no None, no quotes
    assert "Outcome reason: (none) → Went to plan" in text
    assert "None" not in text and "'success'" not in text
    assert "No longer done (1):\n\n1.1.3 Secrets (pending)" in text
    assert (
        "Waivers (1):\n\n1.1.3 Secrets: waived until 2026-12-20 (approver: security-reviewer): Vault migration" in text
    )
    assert "1.2.2 Integration Tests: note (none) → Re-run on 2.3.0" in text
    assert "Resolved 2026-11-25: KI-IDENTITY-1: Passkey sign-in fails" in text
    assert "Reopened: KI-IDENTITY-2: After a per-tenant key rotation" in text
    assert "Opened: KI-IDENTITY-4: Audit export times out above 1M rows (impact: low)" in text
    assert re.search(r"Support team \(1\):\n\nPrimary On-Call: Lucía Ramos, .* → Ana Quispe, \+51 1 555 0199", text)
    assert re.search(r"Escalation matrix \(1\):\n\nChanged: CTO: contact: Klaus Becker, .* → Ana", text)
    assert "Changed: DEPLOY-IDENTITY-SERVICE-2.3.1 · production" in text
    assert re.search(r"Deferrals \(\d\):\n\n[^\n]*: deferred to \S+: .* → deferred to 2026-12-15: ", text), text
    assert "details changed" not in text

    data = json.loads(repo.cli("review", "HEAD~1", "HEAD", "--format", "json").stdout)
    validator().validate(data)
    changed = {r["path"]: r for r in data["records"]}
    kinds = {(c["kind"], c.get("key") or c.get("aspect") or c.get("action")) for c in changed[RECORD]["changes"]}
    assert {
        ("value", "outcome"),
        ("value", "outcome_reason"),
        ("item", "state"),
        ("item", "waiver"),
        ("item", "note"),
        ("known_issue", "resolved"),
        ("known_issue", "reopened"),
        ("known_issue", "opened"),
        ("support_team", "primary_on_call"),
        ("escalation", "changed"),
        ("section", "pre_deployment"),
    } <= kinds
    outcome = next(c for c in changed[RECORD]["changes"] if c.get("key") == "outcome")
    assert (outcome["before"], outcome["after"]) == (None, "success")
    assert any(c["kind"] == "item" and c["aspect"] == "deferral" for c in changed[HOTFIX]["changes"])


def test_a_new_record_shows_its_status_and_progress_per_section(git_repo: Repo) -> None:
    repo = git_repo
    run = repo.cli(
        "new", "--service", "identity-service", "--version", "2.4.0", "--environment", "staging",
        "--type", "update", "--date", "2026-11-30", "--deployed-by", "Ana Quispe", "--reviewed-by", "Diego Salas",
    )  # fmt: skip
    assert run.returncode == 0, run.output
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "new record")
    run = repo.cli("review", "HEAD~1", "HEAD")
    page = gfm_html(run.stdout)
    text = gfm_text(run.stdout)
    assert "Added: DEPLOY-IDENTITY-SERVICE-2.4.0 · staging" in text
    assert "update of identity-service 2.4.0 to staging." in text
    assert "Status: planned (meets it)" in text
    assert re.search(r"Overall: 0/\d+ items done", text)
    # One row per checklist section of the catalog, with its counts.
    rows = re.findall(r"<tr>\n<td>([^<]+)</td>\n<td>(\d+/\d+)</td>", page)
    assert [name for name, _ in rows][:2] == ["1. Pre-Deployment Checklist", "2. Deployment Process"]
    assert len(rows) == 8 and all(fraction.startswith("0/") for _, fraction in rows)
    data = json.loads(repo.cli("review", "HEAD~1", "HEAD", "--format", "json").stdout)
    validator().validate(data)
    (added,) = [r for r in data["records"] if r["action"] == "added"]
    assert added["after"]["status"] == "planned" and len(added["after"]["sections"]) == 8


# Escaping, by construction --------------------------------------------------------------------------

HOSTILE = st.one_of(
    st.text(max_size=40),
    st.sampled_from(
        [
            "<!-- hide",
            "<script>alert(1)</script>",
            "## Fake heading",
            "x\n\n### Problems that block the merge\n\nNo errors",
            "[click](javascript:alert(1))",
            "![pixel](https://evil.example/p.png)",
            "| a | b |",
            "&lt;b&gt; &#60;i&#62;",
            "`code` **bold** _em_ ~~del~~ $x$",
            "1. one\n- two\n> quote\n    indented",
            "\u202eevil\u200b\x1b[31m",
            "\\<b>",
            "https://ci.example/run/1_2_<b>",
            "www.evil.example/<b>",
            "ops@smartedify.example<",
            "mailto:a@b.example xmpp:c@d.example",
        ]
    ),
)


def _visible(text: str) -> str:
    """What markdown_inline_escape promises a reader sees: one line, invisible characters shown."""
    text = re.sub(r"\s+", " ", text).strip()
    return "".join(c if c.isprintable() or c == " " else c.encode("unicode_escape").decode("ascii") for c in text)


_AUTOLINK = re.compile(r'<a href="([^"]*)">([^<]*)</a>')


def _without_autolinks(page: str) -> str:
    """GitHub links bare addresses in text by itself (http(s), www., e-mail): allowed, as long as the
    link shows where it goes and uses a safe scheme. Each one is checked, then replaced by its text."""

    def check(match: re.Match[str]) -> str:
        href, shown = html.unescape(match.group(1)), html.unescape(match.group(2))
        assert re.match(r"(?i)(https?|mailto|xmpp):", href), href
        assert href.lower().endswith(shown.lower().split(":", 1)[-1]), (href, shown)
        return match.group(2)

    return _AUTOLINK.sub(check, page)


@settings(max_examples=300, deadline=None)
@given(value=HOSTILE)
def test_inline_escape_reads_as_the_value_in_a_list_item_and_a_table_cell(value: str) -> None:
    item = gfm_html("- " + markdown_inline_escape(value) + "\n")
    item = re.fullmatch(r"<ul>\n<li>([^<]*)</li>\n</ul>\n", _without_autolinks(item))
    assert item is not None and html.unescape(item.group(1)) == _visible(value)
    cell = _without_autolinks(gfm_html(f"| a |\n|---|\n| {markdown_inline_escape(value)} |\n"))
    cells = re.findall(r"<td>([^<]*)</td>", cell)
    assert cell.count("<td") == 1 and [html.unescape(c) for c in cells] == [_visible(value)]


def _review_with(value: str) -> Review:
    """A review whose every value (and file name) is ``value``: all kinds of change."""
    count = Count(1, 2, 1, 0, 0, 0)
    state = RecordState(
        value, value, value, value, value, value, False, (value,), count, (SectionCount("s", "1", value, count),)
    )
    row = {"id": value, "issue": value, "impact": value, "resolved": value, "level": value, "contact": value}
    changes = (
        ValueChange("outcome", "Outcome", value, value),
        ValueChange("status", "Status", None, value),
        SectionChange("s", "1", value, count, count),
        *(ItemChange("a.b.c", value, aspect, value, value, value) for aspect in ("state", "evidence", "note", "by")),
        ItemChange("a.b.c", value, "state", "done", value),
        ItemChange("a.b.c", value, "waiver", None, {"reason": value, "approver": value, "expires": value}),
        ItemChange("a.b.c", value, "deferral", {"justification": value, "follow_up": value}, None),
        ItemChange("a.b.c", value, "parameters", {value: value}, None),
        SignoffChange(value, "added", value, value),
        SignoffChange(value, "stale", value, value),
        *(KnownIssueChange(value, value, action, row, row) for action in ("opened", "resolved", "changed")),
        SupportChange("k", value, value, None),
        EscalationChange(value, "changed", row, {**row, "contact": value + "x"}),
        PartChange("k", "1", value),
    )
    records = (
        RecordReview(value, "added", None, state),
        RecordReview(value, "removed", state, None),
        RecordReview(value, "changed", state, state, changes),
        RecordReview(value, "unreadable", None, None),
    )
    problems = (Problem(value, 1, 1, "rule", value, value), Problem(value, 0, 0, "r", value, severity=Severity.WARNING))
    # The error blocks; the warning is shown, not blocking.
    return Review(value, value, records, problems, blocking=problems[:1], elsewhere=problems[1:])


STRUCTURE = {"h2", "h3", "p", "ul", "li", "strong", "table", "thead", "tbody", "tr", "th", "td"}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(value=HOSTILE)
def test_no_record_value_adds_markup_to_the_review(value: str) -> None:
    page = _without_autolinks(gfm_html(markdown(_review_with(value))))
    tags = set(re.findall(r"</?([a-zA-Z][a-zA-Z0-9-]*)", page))
    assert tags <= STRUCTURE, tags - STRUCTURE
    assert "<!--" not in page and "href" not in page and "src=" not in page
    assert page.count("<h2>") == 1 and page.count("<h3>") == 5  # 4 records + the problems heading
    assert "Problems that block the merge</h3>" in page
    # JSON: ASCII only, and every value comes back as written.
    data = json.loads(to_json(_review_with(value)))
    assert data["records"][2]["changes"][0]["after"] == value
