"""Generated pages skip Python-Markdown's HTML parsing (deploydocs/prerendered.py) without changing
the site: real builds with the plugin against the exported Markdown built by plain MkDocs."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import markdown
import pytest

from deploydocs.core.cache import RecordCache
from deploydocs.core.project import Settings, load_project
from deploydocs.site.prerendered import fill, split_page
from deploydocs.site.render import Renderer

from repo_support import REPO, Repo

SECRETS_WITH_EVERYTHING = """      secrets:
        state: done
        note: |
          A note with a table, code with blank lines and would-be HTML:

          | step | result |
          |---|---|
          | drain | ok |

          ```
          first line

          third line, after a blank one
          ```

          <div class="admonition">not markup</div> <!--deploydocs-block-0--> &amp; *emphasis*
"""


def _site_files(site: Path) -> dict[str, bytes]:
    return {path.relative_to(site).as_posix(): path.read_bytes() for path in sorted(site.rglob("*")) if path.is_file()}


def _plain_build(repo: Repo, destination: Path) -> Path:
    """`deploydocs export --markdown`, then plain `mkdocs build` of the result (no plugin)."""
    export = repo.cli("export", "--markdown", str(destination))
    assert export.returncode == 0, export.output
    plain = Repo(destination).build()
    assert plain.returncode == 0, plain.output
    return destination / "site"


def test_site_is_byte_identical_to_the_exported_markdown_built_without_the_plugin(repo: Repo, tmp_path: Path) -> None:
    # A note that exercises what could break the cut: Markdown tables, code with blank lines, text
    # that looks like HTML or like one of the plugin's placeholders.
    record = "records/identity-service/2.3.0-production.yaml"
    text = repo.read(record)
    secrets = re.search(r"^      secrets: done .*\n", text, flags=re.MULTILINE)
    assert secrets is not None
    repo.write(record, text.replace(secrets.group(0), SECRETS_WITH_EVERYTHING, 1))
    built = repo.build()
    assert built.returncode == 0, built.output
    plugin_site = _site_files(repo.path("site"))
    plain_site = _site_files(_plain_build(repo, tmp_path / "exported"))

    assert plugin_site.keys() == plain_site.keys()
    differing = [name for name in plugin_site if plugin_site[name] != plain_site[name]]
    assert differing == []
    guide = plugin_site["deployments/identity-service/production/2.3.0/index.html"].decode()
    assert "third line, after a blank one" in guide
    assert "&lt;div class=&quot;admonition&quot;&gt;not markup&lt;/div&gt;" in guide
    assert "deploydocs-block" not in guide.replace("&lt;!--deploydocs-block-0--&gt;", "")


def test_guide_pages_reach_markdown_as_a_skeleton(repo: Repo) -> None:
    """What other plugins' on_page_markdown see of a guide: its headings and one comment per block."""
    repo.write(
        "hooks.py",
        "from pathlib import Path\n"
        "def on_page_markdown(markdown, page, **kwargs):\n"
        "    if page.file.src_uri == 'deployments/identity-service/production/2.3.0.md':\n"
        "        Path('skeleton.md').write_text(markdown)\n"
        "    return markdown\n",
    )
    repo.edit("mkdocs.yml", r"^nav:", "hooks:\n  - hooks.py\n\nnav:")
    built = repo.build()
    assert built.returncode == 0, built.output
    skeleton = repo.read("skeleton.md")
    assert "## 1. Pre-Deployment Checklist { #pre_deployment }" in skeleton
    assert "<!--deploydocs-block-0-->" in skeleton
    assert "<table" not in skeleton
    # ... while the published page is whole.
    page = repo.site("deployments/identity-service/production/2.3.0/index.html")
    assert "<table" in page and "deploydocs-block" not in page


def test_a_plugin_that_loses_a_block_stops_the_build_with_the_page_and_what_to_do(repo: Repo) -> None:
    repo.write(
        "hooks.py",
        "import re\n"
        "def on_page_content(html, page, **kwargs):\n"
        "    if page.file.src_uri == 'deployments/identity-service/production/2.3.0.md':\n"
        "        html = re.sub('<!--deploydocs-block-3-->', '', html)\n"
        "    return html\n",
    )
    repo.edit("mkdocs.yml", r"^nav:", "hooks:\n  - hooks.py\n\nnav:")
    built = repo.build()
    assert built.returncode != 0
    assert "deploydocs: deployments/identity-service/production/2.3.0.md:" in built.output
    assert "HTML block(s) expected back" in built.output
    assert "on_page_context" in built.output
    assert "Traceback" not in built.output


def test_anchor_ids_inside_blocks_count_for_mkdocs_link_validation(repo: Repo) -> None:
    repo.write("docs/links.md", "# Links\n\n[secrets rule](reference/rules.md#secret-detected)\n")
    built = repo.build()
    assert built.returncode == 0, built.output
    repo.write("docs/links.md", "# Links\n\n[no such rule](reference/rules.md#no-such-rule)\n")
    broken = repo.build()
    assert broken.returncode != 0
    assert "no-such-rule" in broken.output


def test_split_keeps_front_matter_headings_and_markdown_prose() -> None:
    markdown = (
        '---\ntitle: x\n\nsummary: y\n---\n\n# Title\n\n<div class="a" id="top">\n<p>one</p>\n</div>\n\n'
        "Some *prose* <span>inline</span>.\n\n<span>starts inline</span>\n\n<table>\n<tr><td>1</td></tr>\n</table>\n"
    )
    split = split_page(markdown)
    assert split.count == 2
    assert split.skeleton == (
        "---\ntitle: x\n\nsummary: y\n---\n\n# Title\n\n<!--deploydocs-block-0-->\n\n"
        "Some *prose* <span>inline</span>.\n\n<span>starts inline</span>\n\n<!--deploydocs-block-1-->\n"
    )
    assert split.html_blocks() == [
        '<div class="a" id="top">\n<p>one</p>\n</div>',
        "<table>\n<tr><td>1</td></tr>\n</table>",
    ]
    assert split.anchor_ids == {"top"}


def test_fill_puts_every_block_back_or_refuses() -> None:
    split = split_page("# T\n\n<div>a</div>\n\nText.\n\n<p>b</p>\n")
    assert fill("<h1>T</h1>\n<!--deploydocs-block-0-->\n<p>Text.</p>\n<!--deploydocs-block-1-->", split) == (
        "<h1>T</h1>\n<div>a</div>\n<p>Text.</p>\n<p>b</p>"
    )
    with pytest.raises(ValueError, match="2 HTML block"):
        fill("<h1>T</h1>\n<!--deploydocs-block-1-->", split)


def test_a_run_of_blocks_is_one_comment_with_markdowns_blank_line_between() -> None:
    split = split_page("# T\n\n<div>a</div>\n\n\n<p>b</p>\n\n<hr>\n\n## U\n")
    assert split.count == 1 and split.skeleton.count("deploydocs-block") == 1
    converted = markdown.Markdown().convert("# T\n\n<div>a</div>\n\n\n<p>b</p>\n\n<hr>\n\n## U\n")
    assert fill(markdown.Markdown().convert(split.skeleton), split) == converted


def test_a_page_without_html_blocks_is_left_whole() -> None:
    assert split_page("# Only Markdown\n\nText.\n").count == 0


def test_no_html_of_a_generated_page_is_left_for_markdown_to_parse() -> None:
    # A block that does not end in a blank line (a template tag eating the newline before a heading,
    # say) stays in the skeleton, and Markdown parses all of it tag by tag: the dashboard's 650 KB at
    # 1,000 records once. Every HTML line of every generated page must be cut out.
    project = load_project(Settings(root=REPO, as_of=dt.date(2026, 11, 26), cache_dir=None), RecordCache())
    left: list[str] = []
    for page in Renderer(project).pages():
        if not page.src_uri.endswith(".md"):
            continue
        skeleton = split_page(page.content).skeleton
        body = skeleton.split("\n---\n", 1)[1] if skeleton.startswith("---\n") else skeleton
        html = [line for line in body.split("\n") if line.startswith("<") and "deploydocs-block-" not in line]
        left += [f"{page.src_uri}: {line[:60]}" for line in html]
    assert left == []
