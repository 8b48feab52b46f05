"""Stored script injection (issue 12, section 1): no value from a record or the registry reaches a
page, the review summary or a terminal as anything but text.

The property test rewrites every string field of a record and of the registry with hostile text and
renders the site in process the way the plugin does (same renderer, MkDocs' front matter reader, the
splitter, Python-Markdown with the site's extensions); a real build with hostile values in every
field checks the theme's pages and the exported Markdown too.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import re
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt
from markupsafe import Markup
from mkdocs.utils.meta import get_data

from deploydocs.core import schema
from deploydocs.core.cache import RecordCache
from deploydocs.core.catalog import load_catalog
from deploydocs.core.project import Settings, load_project
from deploydocs.core.review import summarize
from deploydocs.site.prerendered import SplitError, split_page
from deploydocs.site.render import Renderer
from deploydocs.site.text import front_matter_value, html_text, render_block, render_inline
from injection_support import (
    HOSTILE,
    Capabilities,
    capabilities,
    load_yaml,
    render_site,
    set_path,
    string_paths,
    to_yaml,
)

from repo_support import REPO, Repo, check

RECORDS = ("records/identity-service/2.3.0-production.yaml", "records/identity-service/2.3.0-staging.yaml")
TARGET = RECORDS[0]
REGISTRY = "records/services.yaml"
PEOPLE = "records/people.yaml"  # who the sample records name
SERVICE_PAGE = "services/identity-service.md"
GUIDE_PAGE = "deployments/identity-service/production/2.3.0.md"

# What markdown-it may make of free text (raw HTML off), besides what the unmodified pages hold.
MARKDOWN_TAGS = {"p", "em", "strong", "code", "pre", "ul", "ol", "li", "a", "blockquote", "hr", "br", "s",
                 "h1", "h2", "h3", "h4", "h5", "h6", "table", "thead", "tbody", "tr", "th", "td"}  # fmt: skip
MARKDOWN_ATTRIBUTES = {("a", "href"), ("a", "rel"), ("a", "title"), ("a", "class"), ("code", "class"),
                       ("ol", "start"), ("th", "style"), ("td", "style")}  # fmt: skip

# Keys whose values are vocabularies, dates, patterns or states: text there makes the file invalid
# (which the property test also tries, less often: then the problems page is what is published).
STRUCTURAL_KEYS = {"id", "service", "version", "environment", "type", "status", "date", "outcome", "rolls_back",
                   "fingerprint", "approver", "expires", "follow_up", "opened", "resolved", "impact", "priority",
                   "domain", "state"}  # fmt: skip


def _structural(path: tuple) -> bool:
    return (
        path[-1] in STRUCTURAL_KEYS
        or (path[0] == "checklists" and len(path) == 4)  # a bare item state
        or (path[0] == "signoffs" and path[-1] == "role")
        or (len(path) > 1 and path[-2] == "aliases")
    )


RECORD_DATA = load_yaml(REPO / TARGET)
REGISTRY_DATA = load_yaml(REPO / REGISTRY)
RECORD_PATHS = sorted(string_paths(RECORD_DATA), key=repr)
REGISTRY_PATHS = sorted(string_paths(REGISTRY_DATA), key=repr)
FREE = [("record", p) for p in RECORD_PATHS if not _structural(p)] + [
    ("registry", p) for p in REGISTRY_PATHS if not _structural(p)
]
STRUCTURAL = [("record", p) for p in RECORD_PATHS if _structural(p)] + [
    ("registry", p) for p in REGISTRY_PATHS if _structural(p)
]

hostile_text = st.one_of(
    st.lists(st.sampled_from(HOSTILE), min_size=1, max_size=6).map("".join),
    st.lists(st.one_of(st.sampled_from(HOSTILE), st.text(max_size=6)), min_size=1, max_size=6).map("".join),
    st.text(min_size=1, max_size=20),
)


@st.composite
def mutations(draw: st.DrawFn) -> dict:
    """Hostile text for many fields at once: mostly free-text and name fields (the record stays
    valid when the schema accepts the text), sometimes vocabularies and ids too."""
    targets = draw(st.lists(st.sampled_from(FREE), min_size=1, max_size=40, unique=True))
    if draw(st.integers(0, 3)) == 0:
        targets += draw(st.lists(st.sampled_from(STRUCTURAL), min_size=1, max_size=3, unique=True))
    return {target: draw(hostile_text) for target in targets}


def _write(root: Path, mutation: dict) -> tuple[dict, dict]:
    record, registry = copy.deepcopy(RECORD_DATA), copy.deepcopy(REGISTRY_DATA)
    for (where, path), value in mutation.items():
        set_path(record if where == "record" else registry, path, value)
    (root / TARGET).write_text(to_yaml(record) + "\n", encoding="utf-8")
    (root / REGISTRY).write_text(to_yaml(registry) + "\n", encoding="utf-8")
    return record, registry


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("injection")
    for relative in (*RECORDS, REGISTRY, PEOPLE):
        (root / relative).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(REPO / relative, root / relative)
    return root


HEALTH_CHECKS = [HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
CACHE = RecordCache()  # in memory: only the rewritten record is checked anew in each example


@pytest.fixture(scope="module")
def baseline(workspace: Path) -> Capabilities:
    """What the unmodified pages can do (rewritten by the same YAML writer, which changes no value)."""
    _write(workspace, {})
    site = render_site(workspace, CACHE)
    assert not site["project"].errors, site["project"].errors
    return capabilities(*(page.html for page in site["pages"].values()))


def assert_inert(found: Capabilities, baseline: Capabilities) -> None:
    assert found.handlers == [], found.handlers
    assert found.scripts == [] and "script" not in found.tags
    assert found.external_resources() == [], found.external_resources()
    assert found.unsafe_links() == [], found.unsafe_links()
    assert found.tags <= baseline.tags | MARKDOWN_TAGS, found.tags - baseline.tags - MARKDOWN_TAGS
    new_attributes = found.attributes - baseline.attributes - MARKDOWN_ATTRIBUTES
    assert new_attributes == set(), new_attributes


def _check_site(workspace: Path, baseline: Capabilities, mutation: dict, cache: RecordCache) -> None:
    _, registry = _write(workspace, mutation)
    site = render_site(workspace, cache)
    pages = site["pages"]
    assert pages
    for page in pages.values():
        # The splitter cannot be steered: the plugin's page is exactly the exported Markdown's.
        assert page.html == page.exported_html, page.uri
        # Front matter: one single-line value, HTML-escaped once decoded (the theme writes it as is).
        if page.title is not None:
            assert isinstance(page.title, str) and not re.search(r"[<>\n\r]", page.title), page.title
    assert_inert(capabilities(*(page.html for page in pages.values())), baseline)
    if not site["project"].errors:
        name = registry["services"]["identity-service"]["name"]
        assert pages[SERVICE_PAGE].title == str(html_text(name))
    else:
        assert "index.md" in pages  # the problems page, whose messages quote values


@settings(max_examples=25, deadline=None, suppress_health_check=HEALTH_CHECKS)
@given(mutation=mutations())
def test_hostile_text_in_every_field_publishes_nothing_live(
    workspace: Path, baseline: Capabilities, mutation: dict
) -> None:
    _check_site(workspace, baseline, mutation, CACHE)


RELAXED_CACHE = RecordCache()  # verdicts under the relaxed schema must not mix with the real ones


@settings(max_examples=25, deadline=None, suppress_health_check=HEALTH_CHECKS)
@given(mutation=mutations())
def test_the_pages_stay_inert_even_where_the_schema_would_let_line_breaks_through(
    workspace: Path, baseline: Capabilities, mutation: dict
) -> None:
    """The page layer holds on its own: with one-line fields accepting anything (as a schema change
    or a field added tomorrow might), names with blank lines, `---` and controls are rendered, and
    still nothing is live."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(schema, "SINGLE_LINE", "^[\\s\\S]*$")
        patch.setattr(schema, "PLAIN_NAME", "^[\\s\\S]*$")
        _check_site(workspace, baseline, mutation, RELAXED_CACHE)


# -- one real build with hostile values in every field ------------------------------------------


def _single_line(text: str) -> str:
    """Hostile text the schema accepts in a one-line field (no control or invisible character)."""
    return re.sub(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u200b-\u200d\u2060\ufeff\u202a-\u202e\u2066-\u2069]", " ", text)


MULTI_LINE = "".join(h for h in HOSTILE if h not in ("\ud800",))
ONE_LINE = (
    "Identity \\x3cimg src=x onerror=alert(1)\\x3e <script>alert(1)</script> [x](javascript:alert(1)) "
    '{: onclick="alert(1)" } ![p](https://evil.example/p.gif) --- &#60;b&#62; <!-- \' " ` | # title: x'
)


def _hostile_repository(repo: Repo) -> None:
    record, registry = copy.deepcopy(RECORD_DATA), copy.deepcopy(REGISTRY_DATA)
    single = {"name", "role", "by", "evidence", "criteria", "purpose"}
    # Who signs, deploys and reviews must be a person of people.yaml (else the build fails, which is a
    # defence of its own): those names and logins stay as they are.
    identities = [
        p for p in RECORD_PATHS if p[0] in ("signoffs", "deployed_by", "reviewed_by") and p[-1] in ("name", "github")
    ]
    for index, path in enumerate(p for p in RECORD_PATHS if not _structural(p) and p not in identities):
        if path[-1] == "review":
            # A web link (the rules refuse anything else, `javascript:` included), hostile in its path.
            set_path(record, path, 'https://evil.example/r"><script>alert(1)</script>')
        elif path[-1] == "evidence":
            # Evidence is a link or a reference (evidence-invalid): a link, with markup where it may.
            set_path(
                record,
                path,
                f"https://evil.example/e?q=<img/src=x/onerror=alert(1)>&m=[x](javascript:alert(1))'`{index}",
            )
        elif path[-1] in single:
            set_path(record, path, f"{ONE_LINE} {index}")
        else:
            set_path(record, path, f"{MULTI_LINE}\n\n{index}")
    for path in REGISTRY_PATHS:
        if not _structural(path):
            set_path(registry, path, _single_line(f"{ONE_LINE} {path[1]}"))
    repo.write(TARGET, to_yaml(record) + "\n")
    repo.write(REGISTRY, to_yaml(registry) + "\n")


def _site_pages(site: Path) -> dict[str, str]:
    return {p.relative_to(site).as_posix(): p.read_text("utf-8") for p in sorted(site.rglob("*.html"))}


def test_a_real_build_with_hostile_values_everywhere_keeps_only_the_themes_markup(
    built_site: Repo, repo: Repo, tmp_path: Path
) -> None:
    _hostile_repository(repo)
    run = repo.build()
    assert run.returncode == 0, run.output
    hostile, clean = _site_pages(repo.path("site")), _site_pages(built_site.path("site"))
    assert hostile.keys() == clean.keys()
    theme = capabilities(*clean.values())
    for name, page in hostile.items():
        found, own = capabilities(page), capabilities(clean[name])
        assert sorted(found.handlers) == sorted(own.handlers), name
        assert sorted(found.scripts) == sorted(own.scripts), name
        assert sorted(found.external_resources()) == sorted(own.external_resources()), name
        assert found.unsafe_links() == [], (name, found.unsafe_links())
        assert found.tags <= theme.tags | MARKDOWN_TAGS, (name, found.tags - theme.tags - MARKDOWN_TAGS)
        assert found.attributes <= theme.attributes | MARKDOWN_ATTRIBUTES, (name, found.attributes - theme.attributes)
    service = hostile["services/identity-service/index.html"]
    # The front matter's `\x3c` is four characters in the title, never a tag.
    assert "<title>Identity \\x3cimg src=x onerror=alert(1)\\x3e &lt;script&gt;" in service
    guide = hostile["deployments/identity-service/production/2.3.0/index.html"]
    assert 'class="dd-image-link" href="https://evil.example/p.gif"' in guide and "<img" not in guide
    # The exported Markdown, built by plain MkDocs, is the same site: just as inert.
    export = repo.cli("export", "--markdown", str(tmp_path / "exported"))
    assert export.returncode == 0, export.output
    plain = Repo(tmp_path / "exported").build()
    assert plain.returncode == 0, plain.output
    exported = {
        p.relative_to(tmp_path / "exported/site").as_posix(): p.read_bytes()
        for p in sorted((tmp_path / "exported/site").rglob("*"))
        if p.is_file()
    }
    site = repo.path("site")
    published = {p.relative_to(site).as_posix(): p.read_bytes() for p in site.rglob("*") if p.is_file()}
    assert [name for name in exported if exported[name] != published.get(name)] == []


# -- each named vector ---------------------------------------------------------------------------


def _render(workspace: Path, **values: object) -> dict:
    """The in-process site after setting record values (dotted paths) and ``registry_name``."""
    record, registry = copy.deepcopy(RECORD_DATA), copy.deepcopy(REGISTRY_DATA)
    for dotted, value in values.items():
        if dotted == "registry_name":
            registry["services"]["identity-service"]["name"] = value
        else:
            set_path(record, tuple(dotted.split(".")), value)
    (workspace / TARGET).write_text(to_yaml(record) + "\n", encoding="utf-8")
    (workspace / REGISTRY).write_text(to_yaml(registry) + "\n", encoding="utf-8")
    return render_site(workspace, CACHE)


def test_front_matter_yaml_escape_stays_text(workspace: Path, baseline: Capabilities) -> None:
    site = _render(workspace, registry_name="Identity \\x3cimg src=x onerror=alert(1)\\x3e")
    assert not site["project"].errors
    page = site["pages"][SERVICE_PAGE]
    assert page.title == "Identity \\x3cimg src=x onerror=alert(1)\\x3e"
    assert_inert(capabilities(page.html), baseline)


def test_front_matter_cannot_be_ended_by_a_value() -> None:
    value = "a\n---\n<script>alert(1)</script>\n\n[x](javascript:alert(1))\r\n...\n\u2028\x85'"
    text = f"---\ntitle: {front_matter_value(value)}\n---\n\n# Body\n"
    body, meta = get_data(text)
    assert body == "# Body\n"
    assert meta == {"title": str(html_text(value))}
    assert "\n" not in meta["title"] and "<" not in meta["title"]
    # The splitter finds the same end of the front matter.
    assert split_page(text + "\n<p>x</p>\n").skeleton.startswith(text)


def test_a_line_break_in_a_name_is_refused_with_its_fix(empty_repo: Repo) -> None:
    empty_repo.write(TARGET, (REPO / TARGET).read_text(encoding="utf-8"))
    empty_repo.edit(
        TARGET, r"^deployed_by: .*$", 'deployed_by: {name: "Ana\\\\n\\\\n[x](javascript:alert(1))", role: SRE}'
    )
    empty_repo.edit(
        REGISTRY, r"^    name: Identity Service$", '    name: "Identity\\\\n---\\\\ntitle: <script>x</script>"'
    )
    run = check(empty_repo)
    assert run.returncode == 1
    assert "[registry-schema] services.identity-service.name holds a line break (U+000A)" in run.output
    empty_repo.edit(REGISTRY, r'^    name: "Identity.*$', "    name: Identity Service")
    run = check(empty_repo)
    line = empty_repo.line_of(TARGET, r"^deployed_by:")
    assert f"{TARGET}:{line}:21: [invalid-characters] deployed_by.name holds a line break (U+000A)" in run.output
    assert "(write it on one line" in run.output


@pytest.mark.parametrize("character", ["\u202e", "\u2066", "\u200b", "\ufeff", "\u2060"])
def test_invisible_characters_are_refused_in_names_roles_and_ids(empty_repo: Repo, character: str) -> None:
    escaped = json.dumps(character).strip('"').replace("\\", "\\\\")
    empty_repo.write(TARGET, (REPO / TARGET).read_text(encoding="utf-8"))
    empty_repo.edit(TARGET, r"^reviewed_by: .*$", f'reviewed_by: {{name: Diego Salas, role: "Tech{escaped} Lead"}}')
    empty_repo.edit(REGISTRY, r"^    name: Identity Service$", f'    name: "Identity{escaped} Service"')
    run = check(empty_repo)
    assert run.returncode == 1
    assert "[registry-schema] services.identity-service.name holds " in run.output
    empty_repo.edit(REGISTRY, r'^    name: "Identity.*$', "    name: Identity Service")
    run = check(empty_repo)
    assert "[invalid-characters] reviewed_by.role holds " in run.output, run.output
    assert f"(U+{ord(character):04X}) at character 5" in run.output
    assert "remove the invisible character" in run.output
    # An id holding one is refused by its pattern.
    empty_repo.edit(TARGET, r"^id: .*$", f'id: "DEPLOY-IDENTITY-SERVICE-2.3.0{escaped}"')
    assert "[invalid-format]" in check(empty_repo).output


def test_a_blank_line_in_a_value_cannot_end_an_html_block(workspace: Path) -> None:
    renderer = Renderer(load_project(Settings(root=workspace, cache_dir=None), CACHE))
    template = renderer.env.from_string(
        '<table>\n<tr><td title="{{ v }}">{{ v }}</td><td>{{ m }}</td></tr>\n</table>\n'
    )
    value = "Ana\n\n[x](javascript:alert(1)){: onclick=alert(1)}\r\r\t\x02\x03"
    page = template.render(v=value, m=Markup("<b>Markup</b>\n\n \n<p>x</p>\r\n<p>y</p>"))
    assert "\n\n" not in page.strip("\n") and "\r" not in page and "\t" not in page
    split = split_page("# T\n\n" + page)
    assert split.count == 1 and split.skeleton == "# T\n\n<!--deploydocs-block-0-->\n"
    # And the splitter itself refuses a block cut by a blank line instead of publishing its rest.
    with pytest.raises(SplitError, match="does not close"):
        split_page("# T\n\n<table>\n<tr><td>Ana\n\n[x](javascript:alert(1))</td></tr>\n</table>\n")


def test_attr_list_and_links_after_a_blank_line_stay_text(workspace: Path, baseline: Capabilities) -> None:
    site = _render(
        workspace,
        changes='Passkeys\n\n{: onclick="alert(1)" }\n\n[x](javascript:alert(1))',
        outcome_reason="x\r\n\r\n<img src=x onerror=alert(1)>\n\n{: onerror=alert(1)}",
        registry_name="Identity {: onclick=alert(1) } [x](javascript:alert(1))",
    )
    assert not site["project"].errors
    assert_inert(capabilities(*(page.html for page in site["pages"].values())), baseline)
    heading = re.search(r"<h1[^>]*>(.*?)</h1>", site["pages"][SERVICE_PAGE].html).group(1)
    assert heading.startswith("Identity {: onclick=alert(1) } [x](javascript:alert(1))")


def test_images_in_record_text_are_links_and_load_nothing(workspace: Path, baseline: Capabilities) -> None:
    note = "Before ![tracking pixel](https://evil.example/p.gif) and ![](https://evil.example/q.png) after"
    assert render_inline(note) == (
        'Before <a class="dd-image-link" href="https://evil.example/p.gif" rel="nofollow noopener">tracking pixel</a>'
        ' and <a class="dd-image-link" href="https://evil.example/q.png" rel="nofollow noopener">'
        "https://evil.example/q.png</a> after"
    )
    assert "<img" not in render_block("![x](/local.png)\n\n![y](javascript:alert(1))")
    site = _render(workspace, **{"checklists.pre_deployment.code_and_configuration.code_version.note": note})
    assert not site["project"].errors
    found = capabilities(site["pages"][GUIDE_PAGE].html)
    assert "img" not in found.tags and "https://evil.example/p.gif" in found.links
    assert_inert(found, baseline)


# -- the review summary ----------------------------------------------------------------------------


def _headings_and_html(markdown_text: str) -> tuple[list[str], list[str]]:
    """How GitHub-flavoured Markdown reads the summary: its headings, and any raw HTML (comments too)."""
    md = MarkdownIt("commonmark", {"html": True}).enable("table")
    tokens = md.parse(markdown_text)
    headings = [tokens[i + 1].content for i, t in enumerate(tokens) if t.type == "heading_open"]
    html = [t.content for t in tokens if t.type == "html_block"]
    for token in tokens:
        html += [child.content for child in token.children or [] if child.type == "html_inline"]
    return headings, html


def test_review_summary_values_cannot_fake_headings_or_hide_problems(tmp_path: Path) -> None:
    base, head = tmp_path / "base", tmp_path / "head"
    for root in (base, head):
        for relative in (*RECORDS, REGISTRY):
            (root / relative).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(REPO / relative, root / relative)
    hostile = "x\n\n## All checks passed\n\n<!-- hidden: [x](javascript:alert(1)) | a | b |\n# Fake"
    record = copy.deepcopy(RECORD_DATA)
    record["changes"] = hostile
    record["checklists"]["pre_deployment"]["code_and_configuration"]["secrets"] = {"state": "done", "evidence": hostile}
    (head / TARGET).write_text(to_yaml(record) + "\n", encoding="utf-8")
    # A broken record whose file name and unknown key are hostile too.
    staging = copy.deepcopy(load_yaml(REPO / RECORDS[1]))
    staging["<!--\n## Fake heading\n"] = "x"
    (head / RECORDS[1]).write_text(to_yaml(staging) + "\n", encoding="utf-8")
    (head / "records/identity-service/x`\n## Fake\n<!--.yaml").write_text("[unclosed\n", encoding="utf-8")
    as_of = dt.date(2026, 11, 26)
    projects = [load_project(Settings(root=root, as_of=as_of, cache_dir=None)) for root in (base, head)]
    text = summarize(projects[0], projects[1], projects[1].catalog, "main\n# Fake", "<!-- head")
    headings, html = _headings_and_html(text)
    assert html == [], html
    allowed = ("Deployment records: ", "Changed: ", "Cannot be read: ", "Problems that block the merge", "Checks")
    assert all(heading.startswith(allowed) for heading in headings), headings
    assert "Problems that block the merge" in headings
    assert "[unknown-key]" in text and "[yaml-syntax]" in text


# -- terminal output -------------------------------------------------------------------------------

FAKE = "records/identity-service/2.3.0-production.yaml:1:1: [ok] all clear"


@pytest.mark.parametrize("output", ["text", "github", "json"])
def test_file_names_cannot_run_escape_sequences_or_fake_problem_lines(empty_repo: Repo, output: str) -> None:
    name = f"records/identity-service/\x1b[2K\x1b]8;;https://evil.example\x07\r\n{FAKE}\n\x9b31m\u202e.yaml"
    empty_repo.path(name).parent.mkdir(parents=True, exist_ok=True)
    empty_repo.path(name).write_text("id: [unclosed\n", encoding="utf-8")
    run = check(empty_repo, "--format", output)
    assert run.returncode == 1
    assert not re.search(r"[\x00-\x09\x0b-\x1f\x7f-\x9f\u202e]", run.stdout), repr(run.stdout)
    assert not any(line.startswith((FAKE.split(":")[0], "::error file=records/identity-service/2.3.0")) for line in
                   run.stdout.splitlines()), run.stdout  # fmt: skip
    if output == "json":
        assert json.loads(run.stdout)["problems"][0]["file"] == Path(name).as_posix()  # the name made folders
    else:
        assert "\\x1b[2K" in run.stdout and "\\u202e" in run.stdout


def test_the_name_keys_the_warning_skips_are_the_schemas_plain_names() -> None:
    found = set()

    def walk(node: object, key: object = None) -> None:
        if isinstance(node, dict):
            if node.get("pattern") == schema.PLAIN_NAME:
                found.add(key)
            for name, child in node.items():
                walk(child, name if name not in ("properties", "$defs") else key)
        elif isinstance(node, list):
            for child in node:
                walk(child, key)

    walk(schema.record_schema(load_catalog()))
    # An item's keys are shared definitions named `item-<key>` (`$defs/item-by`).
    assert {str(key).removeprefix("item-") for key in found} == set(schema.RECORD_NAME_KEYS)
