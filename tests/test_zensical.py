"""The way off MkDocs (docs/architecture.md, "Leaving MkDocs"): a build that skips the plugin fails
with the command that builds the site, and the exported Markdown builds under Zensical with every
page, item, bar and table, and no broken link. Real builds: MkDocs, and Zensical when installed
(`make test` installs it: the `zensical` extra of pyproject.toml)."""

from __future__ import annotations

import importlib.util
import os
import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import pytest
from hypothesis import given
from hypothesis import strategies as st
from mkdocs.structure.files import File
from ruamel.yaml import YAML

from deploydocs.plugin.guard import MESSAGE, NAME
from deploydocs.site.prerendered import split_page
from deploydocs.site.render import page_url, site_path
from test_links import Site, assert_links_resolve

from repo_support import REPO, Repo, Run, catalog_items, copy_repo

# A site served below the host's root, so that the links' dependence on site_url is exercised.
SUB_PATH_URL = "https://deploy-guides.smartedify.example/guides/"


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


@pytest.fixture(scope="module")
def zensical_ready() -> None:
    """Skip on a developer machine without Zensical; fail where CI is set (CI must run these)."""
    if importlib.util.find_spec("zensical") is None:
        reason = "zensical is not installed (pip install -e '.[zensical]'; make test installs it)"
        if in_ci():
            pytest.fail(f"{reason} (CI is set, so this fails instead of skipping)", pytrace=False)
        pytest.skip(reason)


def zensical_build(root: Path) -> Run:
    """A real `zensical build --strict` in ``root`` (it reads root/mkdocs.yml)."""
    result = subprocess.run(
        [sys.executable, "-m", "zensical", "build", "--strict"],
        cwd=root,
        capture_output=True,
        text=True,
        env=Repo(root)._env(None),
        timeout=600,
    )
    return Run(result.returncode, result.stdout, result.stderr)


def without_plugin(repo: Repo) -> None:
    """mkdocs.yml with the deploydocs plugin deleted, as a team might by mistake (the guard stays)."""
    repo.edit("mkdocs.yml", r"^  - deploydocs:\n(      .*\n)+", "")


def page_html(site: Path, src_uri: str) -> str:
    """The built page of a Markdown source (directory URLs: a/b.md is a/b/index.html)."""
    stem = src_uri.removesuffix(".md")
    return (site / (stem.removesuffix("index") if stem.endswith("index") else stem + "/") / "index.html").read_text(
        encoding="utf-8"
    )


@pytest.fixture(scope="module")
def export(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`deploydocs export --markdown` of the sample records (site_url below the root), then plain
    `mkdocs build --strict` of it into site-mkdocs/."""
    repo = copy_repo(tmp_path_factory.mktemp("zensical") / "repo")
    repo.edit("mkdocs.yml", r"^site_url: .*$", f"site_url: {SUB_PATH_URL}")
    destination = repo.root.parent / "export"
    run = repo.cli("export", "--markdown", str(destination))
    assert run.returncode == 0, run.output
    built = Repo(destination).build("--site-dir", "site-mkdocs")
    assert built.returncode == 0, built.output
    return destination


@pytest.fixture(scope="module")
def zensical_site(export: Path, zensical_ready: None) -> Path:
    run = zensical_build(export)
    assert run.returncode == 0, run.output
    assert "Traceback" not in run.output, run.output
    return export / "site"


def test_mkdocs_lists_the_guard_and_the_export_leaves_it_out(export: Path) -> None:
    extensions = YAML(typ="safe").load((REPO / "mkdocs.yml").read_text(encoding="utf-8"))["markdown_extensions"]
    assert NAME in extensions  # without it, an engine that skips the plugin publishes a partial site
    exported = YAML(typ="safe").load((export / "mkdocs.yml").read_text(encoding="utf-8"))
    assert not [e for e in exported["markdown_extensions"] if "deploydocs" in str(e)]
    assert exported["site_url"] == SUB_PATH_URL


def test_mkdocs_without_the_plugin_fails_and_names_the_command(repo: Repo) -> None:
    without_plugin(repo)
    run = repo.build()
    assert run.returncode == 1, run.output
    assert MESSAGE in run.output
    assert "Traceback" not in run.output
    assert not repo.path("site/deployments").exists()


def test_zensical_on_the_repository_fails_and_names_the_command(repo: Repo, zensical_ready: None) -> None:
    """Zensical ignores the plugin: without the guard it would exit 0 with the hand-written pages only."""
    run = zensical_build(repo.root)
    assert run.returncode == 1, run.output
    assert f"Error: {MESSAGE}" in run.stderr
    assert "`mkdocs build --strict`" in MESSAGE and "`deploydocs export --markdown DIR`" in MESSAGE
    assert "Traceback" not in run.output
    assert not repo.path("site/index.html").exists() and not repo.path("site/deployments").exists()


@pytest.mark.parametrize("engine", ["mkdocs", "zensical"])
def test_every_internal_link_of_the_export_resolves(export: Path, engine: str, request: pytest.FixtureRequest) -> None:
    """Both engines, the same pages: every href/src reaches a file of that site (and its #id)."""
    site = export / "site-mkdocs" if engine == "mkdocs" else request.getfixturevalue("zensical_site")
    assert_links_resolve(Site(site, "/guides/"))


def test_zensical_publishes_every_page(export: Path, zensical_site: Path) -> None:
    def pages(site: Path) -> set[str]:
        return {p.relative_to(site).as_posix() for p in site.rglob("*.html")}

    assert pages(zensical_site) == pages(export / "site-mkdocs")
    records = [
        p
        for p in (export.parent / "repo" / "records").rglob("*.yaml")
        if p.name not in ("services.yaml", "people.yaml")
    ]
    guides = [p for p in pages(zensical_site) if p.startswith("deployments/") and p.count("/") == 4]
    assert len(guides) == len(records) > 0
    for data in ("api/deployments.json", "api/services.json", "assets/deploydocs/deploydocs.css"):
        assert (zensical_site / data).read_bytes() == (export / "site-mkdocs" / data).read_bytes()


_SEARCH_ATTRIBUTE = re.compile(r'\s?data-search-\w+(="[^"]*")?')


def test_zensical_guides_have_every_item_bar_and_table(export: Path, zensical_site: Path) -> None:
    """Each guide's HTML blocks (its items, bars and tables) reach Zensical's page verbatim."""
    numbers = [item["number"] for item in catalog_items()]
    guides = sorted((export / "docs" / "deployments").glob("*/*/*.md"))
    assert guides
    for guide in guides:
        src_uri = guide.relative_to(export / "docs").as_posix()
        html = page_html(zensical_site, src_uri)
        # Both engines' search strip `data-search-*` attributes from what they publish (they only steer the index).
        blocks = [
            _SEARCH_ATTRIBUTE.sub("", block) for block in split_page(guide.read_text(encoding="utf-8")).html_blocks()
        ]
        missing = [block[:120] for block in blocks if block not in html]
        assert not missing, f"{src_uri}: {len(missing)} HTML block(s) not in Zensical's page, e.g. {missing[0]}"
        absent = [number for number in numbers if not re.search(rf">\s*{re.escape(number)}\s*<", html)]
        assert not absent, f"{src_uri}: checklist items {absent[:5]} not on Zensical's page"
        plain = page_html(export / "site-mkdocs", src_uri)
        for marker in ('role="progressbar"', "<table"):
            assert html.count(marker) == plain.count(marker) > 0, f"{src_uri}: {marker}"
        assert "/guides/services/" in html  # links under site_url's path


_SEGMENT = st.text(
    alphabet=st.characters(codec="utf-8", exclude_characters="/\\\x00#?%"), min_size=1, max_size=8
).filter(
    lambda segment: segment not in (".", "..")  # not in a page's path (MkDocs normalises them away)
)


@given(
    folders=st.lists(_SEGMENT, max_size=3),
    # Never "README", which MkDocs serves as its folder's index: the schema keeps page names lowercase.
    name=st.one_of(st.just("index"), _SEGMENT.filter(lambda segment: segment != "README")),
    base=st.lists(_SEGMENT, max_size=2).map(lambda parts: "".join(f"/{quote(p)}" for p in parts) + "/"),
)
def test_links_between_pages_are_mkdocs_page_urls_under_the_site_path(folders: list[str], name: str, base: str) -> None:
    """A link to any page is the URL MkDocs gives that page, below site_url's path: the same from
    every page (no relative part for Zensical to rewrite) and for every site_url."""
    src_uri = "/".join([*folders, f"{name}.md"])
    url = File(src_uri, "docs", "site", use_directory_urls=True).url
    expected = base + ("" if url == "./" else url)
    assert page_url(src_uri, site_path(f"https://deploy-guides.smartedify.example{base}")) == expected
    assert page_url(src_uri, base).startswith("/")
