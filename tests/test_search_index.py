"""The fast search-index parser (plugin/search.py) gives exactly material's sections and entries.

Three ways: generated HTML (a grammar of the elements material's Parser treats specially, nested,
with odd attributes, entities and mismatched end tags) and arbitrary text, each held to material's
own ``Parser``; every page of a real build of the repository, entry for entry; and the published
``search/search_index.json`` with and without the fast parser, byte for byte. A last test fails when
mkdocs-material's parser or index change shape, since the fast parser mirrors that code.
"""

from __future__ import annotations

import hashlib
import inspect
import json
import re
import shutil
from html.parser import HTMLParser
from importlib import metadata
from pathlib import Path

import material.plugins.search.plugin as material
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from mkdocs.config import load_config

from deploydocs.plugin import search

from repo_support import REPO, Repo, copy_repo


def _outcome(parse, html: str):  # noqa: ANN001, ANN202
    """What a parser makes of ``html``: its sections' parts, or the error material's code raises
    (its end-tag code can fail to find an opening tag: the fast parser must fail the same way)."""
    try:
        found = parse(html)
    except ValueError as error:
        return ("error", type(error).__name__)
    return [(s.title, s.text, s.id, s.is_excluded()) for s in found]


# ------------------------------------------------------------------------------------------------
# Generated HTML
# ------------------------------------------------------------------------------------------------

# Pieces of text: words, whitespace of every kind, entities (whole, unterminated, numeric), stray
# ">" "=" quotes, non-ASCII and Unicode whitespace.
# fmt: off
_TEXT = st.lists(
    st.sampled_from([
        "a", "Bc", " ", "  ", "\n", "\n\n", "\t", "&amp;", "&lt;", "&gt;", "&#39;", "&quot;", "&nbsp;",
        "&", "&amp", "&#x41;", "&copy", ">", "=", '"', "'", "/", "ü", "\xa0", "\u2003", "¶", "x;y",
    ]),
    min_size=1,
    max_size=6,
).map("".join)
_VALUE = st.lists(
    st.sampled_from(["x", "headerlink", "linenodiv", "a b", "&amp;", "&lt;", "-", ""]), max_size=3
).map("".join)
# fmt: on
_NAMES = st.sampled_from(["id", "ID", "class", "Class", "data-search-exclude", "href", "title", "data-x", "lang"])
_WS = st.sampled_from([" ", "  ", "\n", "\t", " \n "])


@st.composite
def _attribute(draw: st.DrawFn) -> str:
    name = draw(_NAMES)
    space = draw(_WS)
    style = draw(st.sampled_from(["none", "double", "single", "bare", "spaced"]))
    if style == "none":
        return f"{space}{name}"
    value = draw(_VALUE)
    if style == "single":
        return f"{space}{name}='{value}'"
    if style == "bare" and re.fullmatch(r"[a-z-]+", value):
        return f"{space}{name}={value}"
    if style == "spaced":
        return f'{space}{name} = "{value}"'
    return f'{space}{name}="{value}"'


# The tags material's Parser treats specially, and plain ones; "hx" is the tag of its first section.
# fmt: off
_TAGS = [
    *sorted(search.KEEP), "h1", "h2", "h3", "h4", "h5", "h6", "H2", "a", "div", "DIV", "span", "table", "tr",
    "td", "th", "thead", "tbody", "hx", "em", "strong", "details", "my-tag", "svg", "title",
]
# fmt: on
_VOIDS = ["br", "img", "hr", "input", "wbr", "BR"]


def _self_closing(draw: st.DrawFn, body: str) -> str:
    # After an unquoted value, "/" is part of the value (HTMLParser reads <a b=c/> as b="c/").
    tight = not re.search(r"=[a-z-]+$", body)
    return body + (draw(st.sampled_from(["/>", " />"])) if tight else " />")


@st.composite
def _start(draw: st.DrawFn, tag: str) -> str:
    attributes = "".join(draw(st.lists(_attribute(), max_size=3)))
    if tag == "a" and draw(st.booleans()):
        attributes += ' class="headerlink"'
    if tag.lower().startswith("h") and draw(st.booleans()):
        attributes += f' id="{draw(_VALUE)}"'
    return f"<{tag}{attributes}{draw(st.sampled_from(['', ' ', chr(10)]))}>"


def _element(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    @st.composite
    def build(draw: st.DrawFn) -> str:
        tag = draw(st.sampled_from(_TAGS))
        start = draw(_start(tag))
        if draw(st.integers(0, 9)) == 0:
            return _self_closing(draw, start[:-1].rstrip())  # <tag/>: a start and an end tag
        inner = "".join(draw(st.lists(children, max_size=4)))
        end = draw(st.sampled_from(["same", "same", "same", "upper", "spaced", "none", "other"]))
        if end == "none":
            close = ""
        elif end == "other":
            close = f"</{draw(st.sampled_from(_TAGS))}>"  # mismatched: HTMLParser and the Parser ignore it
        elif end == "upper":
            close = f"</{tag.upper()}>"
        elif end == "spaced":
            close = f"</{tag} >"
        else:
            close = f"</{tag}>"
        return f"{start}{inner}{close}"

    return build()


@st.composite
def _void(draw: st.DrawFn) -> str:
    tag = draw(st.sampled_from(_VOIDS))
    attributes = "".join(draw(st.lists(_attribute(), max_size=2)))
    return _self_closing(draw, f"<{tag}{attributes}") if draw(st.booleans()) else f"<{tag}{attributes}>"


_STRAY_END = st.sampled_from(_TAGS).map(lambda tag: f"</{tag}>")
_NODE = st.recursive(
    st.one_of(_TEXT, _void(), _STRAY_END),
    lambda children: _element(children),
    max_leaves=30,
)


@st.composite
def _heading_block(draw: st.DrawFn) -> str:
    """A heading with an id inside 0-3 wrappers, text beside it, the wrappers closed (or not): the
    sections material enters and leaves by depth."""
    wrappers = draw(st.lists(st.sampled_from(["div", "div", "li", "details", "p", "td"]), max_size=3))
    level = draw(st.sampled_from(["h1", "h2", "h2", "h3"]))
    exclude = " data-search-exclude" if draw(st.integers(0, 7)) == 0 else ""
    heading = f'<{level} id="{draw(_VALUE)}"{exclude}>{draw(_TEXT)}</{level}>'
    after = draw(st.lists(st.one_of(_TEXT, _NODE), max_size=2))
    closed = draw(st.integers(0, len(wrappers)))
    return (
        "".join(f"<{tag}>" for tag in wrappers)
        + heading
        + "".join(after)
        + "".join(f"</{tag}>" for tag in reversed(wrappers[len(wrappers) - closed :]))
        + draw(_TEXT)
    )


# A code block: whitespace runs between tags are kept in pre, collapsed outside.
_PRE_TEXT = st.sampled_from([" ", "\n", "\n\n", "\t", "a", "x y", "&lt;"])
_PRE = st.lists(st.one_of(_PRE_TEXT, _void(), _NODE), max_size=8).map(
    lambda parts: "<pre><code>" + "".join(parts) + "</code></pre>"
)
_PAGE = st.lists(st.one_of(_NODE, _heading_block(), _PRE), min_size=1, max_size=8).map("".join)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_PAGE)
def test_generated_html_gives_materials_sections(html: str) -> None:
    """Everything the grammar writes is modelled: no fallback, and the same sections as material's."""
    try:
        search.split_sections(html)
    except search.NotModelled as error:  # pragma: no cover - a failure
        pytest.fail(f"fell back on {html!r}: {error}")
    except ValueError:
        pass
    assert _outcome(search.split_sections, html) == _outcome(search.material_sections, html)


_MARKUP_ALPHABET = st.sampled_from(list("<>&/!?-=\"' \n#;ab1px") + ["<p>", "</p>", "<h2 id=a>", "&amp;", "<!--", "-->"])


@settings(max_examples=600, deadline=None)
@given(st.one_of(st.text(), st.lists(_MARKUP_ALPHABET, max_size=40).map("".join)))
def test_any_text_gives_materials_sections(html: str) -> None:
    """Whatever the input, the result is material's: the fast parser's, or material's by fallback."""
    assert _outcome(lambda text: search.sections(text)[0], html) == _outcome(search.material_sections, html)


@pytest.mark.parametrize(
    "html",
    [
        "<!-- a comment --><p>x</p>",
        "<!DOCTYPE html><p>x</p>",
        "<?php x ?><p>x</p>",
        "<![CDATA[x]]><p>x</p>",
        "<script>if (a < b) {}</script><p>x</p>",
        "<style>p > a {}</style><p>x</p>",
        "<textarea><p>x</p></textarea>",
        "<object>a</object>b",
        "a < b",
        "<a b=c/>d",
        '<a b="c"d="e">x</a>',
        "<p\xa0class=x>y</p>",
        "<svg:rect>x</svg:rect>",
        "</>x",
    ],
)
def test_what_is_not_modelled_falls_back(html: str) -> None:
    """Markup the fast reader does not reproduce goes to material's parser, with material's result."""
    found, fell_back = search.sections(html)
    assert fell_back
    assert _outcome(lambda text: search.sections(text)[0], html) == _outcome(search.material_sections, html)


@pytest.mark.parametrize(
    "html",
    [
        # A data-search-exclude div makes every open div count as skipped, until a div closes.
        "<div><p>a</p><div data-search-exclude><p>b</p></div><p>c</p></div>",
        "<div data-search-exclude><div></div><p>after the inner div</p></div><p>d</p>",
        # A heading nested in an element: leaving the element goes back to the section before it.
        "<h1 id=t>T</h1><p>a</p><div><h2 id=s>S</h2><p>b</p></div><p>c</p>",
        # The first heading is not an h1: an untitled section comes first, at the heading's depth.
        "<div><h2 id=s>S</h2>x</div>y",
        # A permalink is left out of the title; only class exactly "headerlink".
        '<h2 id="s">S<a class="headerlink" href="#s">¶</a><a class="headerlink x">k</a></h2>',
        # Whitespace: collapsed outside pre, kept inside.
        "<p>a\n b</p>\n\n<pre><code>x\n\n  y</code></pre>  <ul>\n<li>z</li>\n</ul>",
        "<pre>a<br> <span>\n</span> <br>\t</pre> <span>\n</span> <br>\t",
        # <p> ... </p> with only whitespace between is removed (looking from the first <p>).
        "<p> </p><p>a</p><p> </p>",
        "<p>  </p>x<p>\n</p>",
        "trailing &amp",
        "<p>x",
        # An svg chart's title (service pages): an ordinary element for Python 3.11's HTMLParser.
        '<svg viewBox="0 0 1 1" role="img"><title>Chart &amp; data</title><rect width="1"/></svg>',
        "<h2 id='a&amp;b' data-search-exclude>excluded</h2><p>x</p>",
    ],
)
def test_material_quirks(html: str) -> None:
    assert search.sections(html)[1] is ("title" in search.RAW and "<title>" in html)
    assert _outcome(search.split_sections, html) == _outcome(search.material_sections, html)


# ------------------------------------------------------------------------------------------------
# material's code, as the fast parser mirrors it
# ------------------------------------------------------------------------------------------------

# sha256 of the source of what plugin/search.py reproduces (mkdocs-material 9.8.2). When a new
# mkdocs-material changes it, compare search.split_sections with the new code, then update this.
_MIRRORED_DIGEST = "32fe61f949a778492f269e72b48453a314025203e89a4509a33db34ef5fc4cb1"


def _mirrored_digest() -> str:
    parts = [
        inspect.getsource(material.Parser),
        inspect.getsource(material.Element),
        inspect.getsource(material.Section),
        inspect.getsource(material.SearchIndex.add_entry_from_context),
        repr(sorted(material.void)),
        inspect.getsource(HTMLParser.goahead),
        inspect.getsource(HTMLParser.parse_starttag),
        inspect.getsource(HTMLParser.parse_endtag),
        inspect.getsource(HTMLParser.check_for_whole_start_tag),
    ]
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()


def test_materials_parser_and_index_keep_their_shape() -> None:
    """The names and code plugin/search.py relies on (its docstring lists them)."""
    assert metadata.version("mkdocs-material").split(".")[0] == "9"
    parser = material.Parser()
    assert parser.keep == set(search.KEEP)
    assert parser.skip == {"object", "script", "style"} <= search.RAW
    assert material.void == set(search.VOID)
    assert set(HTMLParser.CDATA_CONTENT_ELEMENTS) <= search.RAW
    # The index's own entry code reads only these of a section, which search.Section has.
    create = inspect.getsource(material.SearchIndex.create_entry_for_section)
    assert set(re.findall(r"section\.(\w+)", create)) <= {"id", "title", "text"}
    parameters = list(inspect.signature(material.SearchIndex.create_entry_for_section).parameters)
    assert parameters == ["self", "section", "toc", "url", "page"]
    # The plugin makes its index in on_config and indexes each page with add_entry_from_context.
    assert "self.search_index = SearchIndex(" in inspect.getsource(material.SearchPlugin.on_config)
    assert "self.search_index.add_entry_from_context(page)" in inspect.getsource(material.SearchPlugin.on_page_context)
    assert _mirrored_digest() == _MIRRORED_DIGEST, (
        "mkdocs-material's search Parser (or Python's HTMLParser) changed: compare plugin/search.py with it, "
        "then update _MIRRORED_DIGEST"
    )


@pytest.mark.parametrize("fast", [True, False])
def test_the_option_installs_the_fast_parser(tmp_path: Path, fast: bool) -> None:
    """``fast_search_index`` (default true) gives the search plugin's index the fast parser."""
    copy = copy_repo(tmp_path / "repo", records=False)
    if not fast:
        copy.edit("mkdocs.yml", r"(  - deploydocs:\n)", r"\1      fast_search_index: false\n")
    config = load_config(str(copy.path("mkdocs.yml")))
    config.plugins.on_config(config)
    index = next(p for p in config.plugins.values() if hasattr(p, "search_index")).search_index
    assert isinstance(index.add_entry_from_context, search.FastIndexer) is fast


# ------------------------------------------------------------------------------------------------
# A real build
# ------------------------------------------------------------------------------------------------

HOOK = REPO / "tests" / "data" / "search_capture_hook.py"


def test_real_pages_and_published_index_are_materials(built_site: Repo, tmp_path: Path) -> None:
    """Every page of a real build: the fast parser's entries are material's. And the site built
    with material's parser (``fast_search_index: false``) has the same search index, byte for byte,
    as the session's build with the fast one (the default)."""
    copy = copy_repo(tmp_path / "repo")
    shutil.copy2(HOOK, copy.path(HOOK.name))
    copy.edit("mkdocs.yml", r"(  - deploydocs:\n)", r"\1      fast_search_index: false\n")
    copy.write("mkdocs.yml", copy.read("mkdocs.yml") + f"hooks:\n  - {HOOK.name}\n")
    capture = tmp_path / "capture.json"
    run = copy.build(env={"SEARCH_CAPTURE": str(capture)})
    assert run.returncode == 0, run.output
    pages = json.loads(capture.read_text(encoding="utf-8"))
    assert len(pages) > 20 and sum(page["entries"] for page in pages) > 100
    assert [page["url"] for page in pages if not page["same"]] == []
    # The generated pages (guides, services, indexes) are all read by the fast parser. (A page of
    # docs/ may fall back, e.g. for an HTML comment: with material's result, as checked above.)
    generated = [page for page in pages if page["generated"]]
    assert len(generated) > 10
    assert [page["url"] for page in generated if page["fallback"]] == []
    published = copy.path("site/search/search_index.json").read_bytes()
    assert published == built_site.path("site/search/search_index.json").read_bytes()
