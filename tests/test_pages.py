"""Generated pages that mirror data: the policy page matches the policy file, the rules page lists
every rule, guide pages show status, gaps and waivers, and nothing is written into docs/."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser

from hypothesis import given
from hypothesis import strategies as st

from deploydocs.core.catalog import load_catalog
from deploydocs.core.policy import SIGNOFFS_PART, default_policy
from deploydocs.core.rules import RULES

from repo_support import REPO, Repo


class Cells(HTMLParser):
    """The policy table: {(status title, environment title): [list item texts]}."""

    def __init__(self) -> None:
        super().__init__()
        self.in_policy = False
        self.header: list[str] = []
        self.row: list[list[str]] = []
        self.cells: dict[tuple[str, str], list[str]] = {}
        self.text: list[str] | None = None
        self.items: list[str] = []
        self.in_li = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table" and "dd-policy" in (dict(attrs).get("class") or ""):
            self.in_policy = True
        if not self.in_policy:
            return
        if tag == "tr":
            self.row = []
        elif tag in ("td", "th"):
            self.text, self.items = [], []
        elif tag == "li":
            self.in_li = True
            self.items.append("")

    def handle_data(self, data: str) -> None:
        if self.text is not None:
            self.text.append(data)
            if self.in_li:
                self.items[-1] += data

    def handle_endtag(self, tag: str) -> None:
        if not self.in_policy:
            return
        if tag == "li":
            self.in_li = False
        elif tag in ("td", "th") and self.text is not None:
            self.row.append(["".join(self.text).strip(), *[i.strip() for i in self.items]])
            self.text = None
        elif tag == "tr":
            if not self.header:
                self.header = [cell[0] for cell in self.row]
            else:
                status = self.row[0][0]
                for environment, cell in zip(self.header[1:], self.row[1:], strict=True):
                    self.cells[(status, environment)] = cell[1:]
        elif tag == "table":
            self.in_policy = False


def test_policy_page_matches_the_policy_file(built_site: Repo) -> None:
    catalog = load_catalog()
    policy = default_policy()
    parser = Cells()
    parser.feed(built_site.site("reference/policy/index.html"))
    assert parser.cells, "no policy table"
    for rule in policy.lifecycle:
        for environment in catalog.environments:
            expected = []
            for part, introduced in policy.required_parts(rule.status, environment.key):
                if introduced != rule.status:
                    continue
                if part == SIGNOFFS_PART:
                    expected.append("sign-offs")
                else:
                    found = catalog.find(part)
                    expected.append(f"{found.number}")
            shown = parser.cells[(catalog.term("statuses", rule.status).title, environment.title)]
            numbers = [s if s.startswith("sign-offs") else re.match(r"\d+(?:\.\d+)*", s).group(0) for s in shown]
            assert [n if not n.startswith("sign-offs") else "sign-offs" for n in numbers] == expected, (
                rule.status,
                environment.key,
                shown,
            )


def test_rules_page_lists_every_rule(built_site: Repo) -> None:
    html = built_site.site("reference/rules/index.html")
    listed = re.findall(r'<tr id="([a-z0-9-]+)"><td><code>', html)
    assert listed == list(RULES)


def test_guide_shows_claimed_status_gaps_for_next_and_waivers(built_site: Repo) -> None:
    html = built_site.site("deployments/finance-service/production/3.1.0/index.html")
    # Says what is met, and leads with what the next status needs.
    summary = re.search(r'<p class="dd-summary__line">(.*?)</p>', html, re.DOTALL).group(1)
    assert re.search(r"\d+ missing for <em>Deployed</em>.*meets what <em>In progress</em> requires", summary)
    assert "Missing for the next status, <strong>Deployed</strong>" in html
    # Every item missing for the next status links to its row on the page.
    missing = html.split("Missing for the next status", 1)[1].split("</ul>", 1)[0]
    targets = re.findall(r'<li><a href="#([^"]+)">', missing)
    assert targets and len(targets) == missing.count("<li>")
    for target in targets:
        assert f'id="{target}"' in html, target
    assert "Active waivers" in html and "expires 2027-12-31" in html
    catalog = load_catalog()
    sections = catalog.checklist_sections
    subsections = [sub for section in sections for sub in section.subsections]
    history_rows = 2  # finance-service has two records, each row with its completeness bar
    assert html.count('role="progressbar"') == 1 + len(sections) + len(subsections) + history_rows


def test_nothing_is_written_into_docs(built_site: Repo) -> None:
    docs = sorted(p.relative_to(built_site.root / "docs") for p in (built_site.root / "docs").rglob("*"))
    original = sorted(p.relative_to(REPO / "docs") for p in (REPO / "docs").rglob("*"))
    assert docs == original


def test_deployment_pages_stay_out_of_the_sidebar(built_site: Repo) -> None:
    html = built_site.site("deployments/identity-service/production/2.2.0/index.html")
    nav_links = re.findall(r'<a href="([^"]+)" class="md-nav__link', html)
    assert nav_links, "the theme's navigation links were not found"
    assert not [link for link in nav_links if "deployments/identity-service" in link]


def test_draft_build_publishes_the_rest_and_lists_the_problems(repo: Repo) -> None:
    broken = "records/finance-service/3.1.0-staging.yaml"
    repo.edit(broken, r"^service: finance-service", "service: ../../finance")
    repo.edit(
        "mkdocs.yml",
        r"^      registry: records/services.yaml",
        "      registry: records/services.yaml\n      fail_on_problems: false",
    )
    run = repo.build_lenient()
    assert run.returncode == 0, run.output
    home = repo.site("index.html")
    assert "Records have problems" in home and broken in home
    assert (repo.root / "site/deployments/identity-service/production/2.2.0/index.html").exists()
    assert not (repo.root / "site/deployments/finance-service/staging").exists()
    assert not any(path.name == "finance" for path in repo.root.rglob("finance"))


AUTHOR_TEXT = re.compile(r"records/[^\s<]*\.ya?ml:\d+:\d+|\[(" + "|".join(map(re.escape, RULES)) + r")\]")


def test_author_facing_problems_stay_off_reader_pages_and_search(built_site: Repo) -> None:
    """Warnings (the sample records have two `monitoring-overdue`) reach readers in plain words; the
    file:line:col and [rule-id] form is for authors (`deploydocs check`), not pages or search snippets."""
    site = built_site.root / "site"
    # The reader pages: the dashboard and what hangs off it (the handbook and the rules page show the
    # problem format to authors on purpose).
    readers = ("deployments", "services", "known-issues")
    pages = [site / "index.html", *(page for part in readers for page in sorted((site / part).rglob("*.html")))]
    assert len(pages) > 20
    found = [
        (page.relative_to(site), match.group(0))
        for page in pages
        for match in [AUTHOR_TEXT.search(page.read_text(encoding="utf-8"))]
        if match
    ]
    assert not found
    index = json.loads((site / "search" / "search_index.json").read_text(encoding="utf-8"))
    snippets = [d for d in index["docs"] if d["location"].split("/")[0] in ("", *readers)]
    assert len(snippets) > 20
    assert not [d["location"] for d in snippets if AUTHOR_TEXT.search(d["title"] + " " + d["text"])]
    guide = built_site.site("deployments/identity-service/production/2.3.0/index.html")
    assert "Moving to Closed was due on" in guide and "the record is still Verified" in guide
    assert "Moving to Closed was due on" in built_site.site("index.html")


def test_guide_says_which_sections_its_environment_does_not_require(built_site: Repo) -> None:
    policy = default_policy()
    catalog = load_catalog()
    html = built_site.site("deployments/identity-service/development/2.3.0/index.html")
    never = policy.environments["development"].not_required
    assert never, "the default policy requires everything in development"
    for part in never:
        found = catalog.find(part)
        label = f"{found.number} {found.title}" if "." in found.number else f"{found.number}. {found.title}"
        row = re.search(re.escape(label) + r"</a></t[hd]> <td>(.*?)</td></tr>", html)
        assert row and "not required in Development" in row.group(1), part
    production = built_site.site("deployments/identity-service/production/2.2.0/index.html")
    assert "not required in" not in production  # production requires every section


def test_unfilled_parameters_read_as_words(built_site: Repo) -> None:
    for page in (built_site.root / "site" / "deployments").rglob("index.html"):
        assert "[…]" not in page.read_text(encoding="utf-8"), page


def _signoff_rows(page: str) -> dict[str, str]:
    """Role title -> the text of its row in a guide's sign-off table (tags dropped)."""
    table = page[page.index('class="dd-table dd-signoffs"') :]
    table = table[: table.index("</table>")]
    rows = {}
    for row in re.findall(r"<tr>(.*?)</tr>", table, flags=re.S)[1:]:
        cells = [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
        rows[cells[0]] = " | ".join(cells[1:])
    return rows


def test_each_signoff_shows_person_login_approval_and_standing(repo: Repo) -> None:
    record = "records/identity-service/2.3.1-production.yaml"  # verified: sign-off problems are warnings
    # The security reviewer's fingerprint deleted: unverified. The support team (covered by the
    # operations manager) changed after Rosa Huamán signed: stale.
    repo.edit(record, r"(role: security-reviewer.*), fingerprint: [^,}]+", r"\1")
    repo.edit(record, r'^  primary_on_call: "Javier Mendoza', '  primary_on_call: "Ana Quispe')
    run = repo.build()
    assert run.returncode == 0, run.output
    page = repo.site("deployments/identity-service/production/2.3.1/index.html")
    rows = _signoff_rows(page)
    assert rows["Deploying Engineer"] == "Javier Mendoza | @jmendoza | 2026-11-24 | approval | current | yes", rows
    assert rows["Security Reviewer"].startswith("Martín Quispe | @mquispe-sec | 2026-11-24 | approval | unverified")
    assert rows["Operations Manager"].startswith("Rosa Huamán | @rhuaman | 2026-11-24 | approval | stale")
    assert rows["Product Owner"] == "not signed | yes"
    assert '<a href="https://github.com/jmendoza" rel="nofollow noopener">@jmendoza</a>' in page
    assert 'href="https://github.com/smartedify/deploy-records/pull/55#pullrequestreview-2502216639"' in page


@given(length=st.integers(min_value=1, max_value=60), data=st.data())
def test_a_guides_history_excerpt_is_a_window_around_its_deployment(length: int, data: st.DataObject) -> None:
    """Section 12 shows the deployments around the guide's own (the service page has them all): a
    bounded, contiguous run of the history that holds it, so a record appears in a bounded number of
    guides' excerpts (what keeps an edit's update small, preview.py)."""
    from deploydocs.site.render import GUIDE_HISTORY_NEWER, GUIDE_HISTORY_ROWS, _history_excerpt

    history = [object() for _ in range(length)]
    index = data.draw(st.integers(min_value=0, max_value=length - 1))
    excerpt = _history_excerpt(history, history[index])  # type: ignore[arg-type]
    start = history.index(excerpt[0])
    assert excerpt == history[start : start + len(excerpt)]
    assert history[index] in excerpt
    assert len(excerpt) == min(length, GUIDE_HISTORY_ROWS)
    older = length - index - 1
    newer_shown = excerpt.index(history[index])
    # Up to GUIDE_HISTORY_NEWER newer ones, more only when there are too few older ones to fill it.
    assert newer_shown <= max(GUIDE_HISTORY_NEWER, GUIDE_HISTORY_ROWS - 1 - older)
    assert newer_shown == min(index, max(GUIDE_HISTORY_NEWER, GUIDE_HISTORY_ROWS - 1 - older))
