"""The search index's page parser, fast: the same sections as mkdocs-material's, without HTMLParser.

material's search plugin splits every page's HTML into sections (a heading's title, the text up to
the next heading) with ``Parser``, a subclass of ``html.parser.HTMLParser``. At 1,000 generated
guides that parse was half of a cold build: a guide has thousands of tags, and for each one
HTMLParser runs several regular expressions and the Parser intersects sets of ``Element`` objects.

``split_sections`` gives the same sections (title parts, text parts, id, exclusion) as material's
``Parser`` does for the same HTML, part for part, so the published ``search/search_index.json`` is
byte-identical. It reads the HTML with one compiled regular expression (a match per tag; an element
that holds only text, such as a table cell, is one match with its text and end tag) and keeps the
Parser's state in cheap structures: a count of open elements per tag instead of a list searched on
every token. ``fast_search_index: false`` in the plugin's options leaves material's parser in place.
What it reproduces, quirks included:

- HTMLParser with ``convert_charrefs=True``: each run of text between two tags is unescaped whole
  (also the last run: HTMLParser holds it back until ``close()`` if it ends in what may be half a
  character reference, then hands over the same run); tag and attribute names are lower-cased,
  attribute values unescaped, an attribute without a value is ``None``, the last of two equal
  attributes wins, ``<tag/>`` is a start tag followed by an end tag.
- the Parser: void tags are ignored; an end tag that does not close the innermost open element is
  ignored; a heading (h1-h6) with an id starts a section (an ``hx`` section first if the page does
  not start with an h1); leaving the element that held a heading goes back to the last section that
  is not deeper; text is collapsed outside ``pre``; permalinks (an ``a`` whose class is exactly
  ``headerlink``) are left out of titles; ``<p>`` ... ``</p>`` with only whitespace between is
  removed (looking from the *first* ``<p>`` of the part list, as material does).
- the skip set: material keeps ``Element`` objects in a set but compares and hashes them by tag
  name, so what is skipped is really a set of *tag names*: an element with ``data-search-exclude``
  (or class ``linenodiv``) makes every open element with its tag count as skipped, and the end of
  any element with that tag takes the tag out of the set again.

Anything the fast reader does not model exactly sends the page to material's own ``Parser``
(``fallback``): comments, ``<!DOCTYPE``, ``<?``, CDATA, a ``<`` that does not start a plain start or
end tag (names of letters, digits and hyphens; attributes separated by ASCII whitespace; quoted or
simple unquoted values), and the tags whose content HTMLParser reads as raw text in some Python
version (``script``, ``style``, ``textarea``, ...; ``title`` only where this Python's does) or that
material's skip set treats specially (``object``). ``tests/test_search_index.py`` holds the two
parsers to the same result on generated HTML (hypothesis) and on every page of a real build.

This relies on mkdocs-material 9's search plugin (``material.plugins.search.plugin``;
docs/architecture.md lists it with the other internals, and ``tests/test_search_index.py`` fails if
one changes):

1. its instance, found in ``config.plugins`` by its ``search_index`` attribute, makes a new
   ``SearchIndex`` in its ``on_config`` (before the plugin's, as it is listed first in mkdocs.yml);
   the index's ``add_entry_from_context(page)`` is called once per page in ``on_page_context``;
2. ``add_entry_from_context`` skips a page whose ``meta.search.exclude`` is true and otherwise calls
   ``create_entry_for_section(section, page.toc, page.url, page)`` for each section that is not
   excluded; that method reads ``section.id``, ``section.title`` and ``section.text`` only;
3. ``Parser`` (with ``Element``, ``Section`` and ``void``, and the parts of Python's ``HTMLParser``
   they run) is the code ``split_sections`` mirrors. The test keeps a digest of that source: a new
   mkdocs-material or Python that changes it fails the test until the two are compared again.
"""

from __future__ import annotations

import logging
import re
from collections import defaultdict
from html import escape, unescape
from html.parser import HTMLParser
from typing import Any

from mkdocs.config.defaults import MkDocsConfig

log = logging.getLogger("mkdocs.plugins.deploydocs")

# What material's Parser keeps and ignores (material.plugins.search.plugin; the test holds these
# to the module's own values).
KEEP = frozenset(("p", "code", "pre", "li", "ol", "ul", "sub", "sup"))
# fmt: off
VOID = frozenset((
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source", "track", "wbr",
))
# fmt: on
HEADINGS = frozenset(("h1", "h2", "h3", "h4", "h5", "h6"))
# Tags whose content some Python version's HTMLParser reads as raw text (CDATA, or RCDATA since the
# 2025 security releases), and material's own skipped tags (its skip set never lets them go): a page
# with one goes to material. Not "title", which the service pages' charts use: it is an ordinary
# element unless this Python's HTMLParser says otherwise.
RAW = frozenset(
    ("script", "style", "object", "textarea", "xmp", "iframe", "noembed", "noframes", "noscript", "plaintext")
    + tuple(HTMLParser.CDATA_CONTENT_ELEMENTS)
    + tuple(getattr(HTMLParser, "RCDATA_CONTENT_ELEMENTS", ()))
)

_WS = "[ \\t\\n\\r\\f]"  # ASCII whitespace only: HTMLParser's tag-name rule stops at these, not at \xa0
# An unquoted value must end at whitespace or ">": HTMLParser reads <a b=c/> as b="c/", not as "/>".
_ATTR = rf"""{_WS}+[a-zA-Z_:][-a-zA-Z0-9_:.]*(?:{_WS}*={_WS}*(?:"[^"]*"|'[^']*'|[^\s"'=<>`/]+(?={_WS}|>)))?"""
# Every "<" of the page: a start tag (1: name, 2: attributes, 3: "/" of <tag/>), with, when the
# element holds only text, that text and its end tag (4: the text; a shortcut for the commonest
# case, e.g. a table cell), an end tag (5: name), or a "<" that starts anything else (6: "", not
# modelled); and the end of the page (no group). The text is what lies between.
_TAGS = re.compile(
    rf"""<(?:([a-zA-Z][-a-zA-Z0-9]*)((?:{_ATTR})*){_WS}*(?:(/)>|>(?:([^<]*)</\1{_WS}*>)?)"""
    rf"""|/([a-zA-Z][-a-zA-Z0-9]*){_WS}*>|())|\Z"""
)
# Attributes that can matter: any other tag's attributes are read as if it had none. (A value's
# character reference could spell "headerlink" or "linenodiv", and a name is compared lower-cased.)
_MATTERS = re.compile(r"&|headerlink|linenodiv|(?i:data-search-exclude)")
_ATTRS = re.compile(rf"""{_WS}+([a-zA-Z_:][-a-zA-Z0-9_:.]*)(?:{_WS}*={_WS}*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`/]+)))?""")
_INF = float("inf")
# What a tag is to the Parser (None: an ordinary element).
_VOID, _RAW, _HEADING, _KEEP = "void", "raw", "heading", "keep"
_KINDS = {
    **{tag: _KEEP for tag in KEEP},
    **{tag: _HEADING for tag in HEADINGS},
    **{tag: _RAW for tag in RAW},
    **{tag: _VOID for tag in VOID},
    "hx": "hx",  # the tag of material's first section: an element of that name would be in its title
}
_NONE: dict[str, str | None] = {}  # the attributes of a tag whose attributes do not matter (never changed)


class NotModelled(Exception):
    """The HTML holds something the fast reader does not reproduce exactly: use material's Parser."""


class Section:
    """A heading's title and the text up to the next heading (what material's ``Section`` holds)."""

    __slots__ = ("tag", "excluded", "depth", "title", "text", "id")

    def __init__(self, tag: str, excluded: bool, depth: float) -> None:
        self.tag = tag  # the heading's tag ("hx" for the part before the first heading)
        self.excluded = excluded  # the heading has data-search-exclude
        self.depth = depth
        self.title: list[str] = []
        self.text: list[str] = []
        self.id: str | None = None

    def is_excluded(self) -> bool:
        return self.excluded


def _attributes(text: str) -> dict[str, str | None]:
    """A start tag's attributes as HTMLParser gives them to handle_starttag, through dict()."""
    attrs: dict[str, str | None] = {}
    for match in _ATTRS.finditer(text):
        name, double, single, bare = match.groups()
        value = double if double is not None else single if single is not None else bare
        attrs[name.lower()] = unescape(value) if value else value
    return attrs


def _add_text(data: list[Section], section: Section | None, text: str, counts: dict, permalinks: list) -> Section:
    """handle_data (when nothing open is skipped), for a run of raw text between two tags: the
    section it went to."""
    if "&" in text:
        text = unescape(text)  # the whole run, as HTMLParser does with convert_charrefs
    pre = counts["pre"]
    space = text.isspace()
    if not pre:
        if space:
            text = " "
        elif "\n" in text:
            text = text.replace("\n", " ")
    if section is None:
        section = Section("hx", False, 0)
        data.append(section)
    if not space and ("&" in text or "<" in text or ">" in text):
        text = escape(text, quote=False)  # (whitespace is appended as is, and escapes to itself)
    if counts[section.tag]:
        if not permalinks:
            section.title.append(text)
    elif space:
        parts = section.text
        if pre or not parts or not parts[-1].isspace():
            parts.append(text)
    else:
        section.text.append(text)
    return section


def split_sections(html: str) -> list[Section]:
    """The sections material's ``Parser`` makes of ``html``; raises ``NotModelled`` for what it
    does not reproduce exactly (``sections`` falls back to material then)."""
    data: list[Section] = []
    section: Section | None = None
    context: list[str] = []  # the open elements' tags, innermost last
    counts: dict[str, int] = defaultdict(int)  # open elements per tag ("el in context" compares tags)
    skip: set[str] = set()  # material's skip set, as tag names (its object/script/style never get here)
    skipped = False  # an open element has a tag in skip
    permalinks: list[int] = []  # where in the context the open <a class="headerlink"> are
    add_text, kinds, matters = _add_text, _KINDS, _MATTERS.search
    position = 0
    for match in _TAGS.finditer(html):
        start = match.start()
        if start > position and not skipped:
            section = add_text(data, section, html[position:start], counts, permalinks)
        position = match.end()
        tag, attr_text, closing, text, end_tag, other = match.groups()
        if text is not None:
            tag = tag.lower()
            if (
                kinds.get(tag) is None
                and section is not None
                and not skip
                and section.depth <= len(context) + 1
                and not (attr_text and matters(attr_text))
            ):
                # An ordinary element with only text in it, nothing skipped, no section to leave
                # at its end: opening and closing it changes nothing, its text is added as is.
                if text:
                    add_text(data, section, text, counts, permalinks)
                continue
            # otherwise: its start tag, its text, its end tag
        elif tag is not None:
            tag = tag.lower()
        if tag is not None:
            kind = kinds.get(tag)
            if kind is not _VOID:
                if kind is _RAW:
                    raise NotModelled(f"<{tag}>")
                # handle_starttag
                attrs = _attributes(attr_text) if attr_text and (kind is _HEADING or matters(attr_text)) else _NONE
                context.append(tag)
                counts[tag] += 1
                if skip and tag in skip:
                    skipped = True
                if attrs:
                    if tag == "a" and attrs.get("class") == "headerlink":
                        permalinks.append(len(context))
                    if kind is _HEADING and "id" in attrs:
                        depth = len(context)
                        if tag != "h1" and not data:
                            data.append(Section("hx", False, depth))
                        section = Section(tag, "data-search-exclude" in attrs, depth)
                        if data:
                            section.id = attrs["id"]
                        data.append(section)
                if section is None:
                    section = Section("hx", False, 0)
                    data.append(section)
                if attrs and ("data-search-exclude" in attrs or attrs.get("class") == "linenodiv"):
                    skip.add(tag)
                    skipped = True
                elif kind is _KEEP and not skipped:
                    (section.title if counts[section.tag] else section.text).append(f"<{tag}>")
            if text is not None:
                if text and not skipped:
                    section = add_text(data, section, text, counts, permalinks)
            elif not closing:
                continue
            end_tag = tag  # <tag/>: HTMLParser's handle_startendtag is a start tag and an end tag
        elif end_tag is not None:
            end_tag = end_tag.lower()
        elif other is not None:
            raise NotModelled("markup other than plain start and end tags")
        else:
            return data  # the end of the page
        # handle_endtag (a void element is never open: its end tag is ignored here)
        if not context or context[-1] != end_tag:
            continue
        tag = end_tag
        depth = len(context)
        if section.depth > depth:
            for earlier in reversed(data):
                if earlier.depth <= depth:
                    section.depth = _INF
                    section = earlier
                    break
        context.pop()
        counts[tag] -= 1
        if permalinks and permalinks[-1] == depth:
            permalinks.pop()
        if skip and tag in skip:
            skip.discard(tag)
            skipped = any(counts[other] for other in skip)
            continue
        if not skipped and tag in KEEP:
            parts = section.title if counts[section.tag] else section.text
            index = parts.index(f"<{tag}>")
            for i in range(index + 1, len(parts)):
                if not parts[i].isspace():
                    index = len(parts)
                    break
            if len(parts) > index:
                del parts[index:]
            else:
                parts.append(f"</{tag}>")
    raise AssertionError("unreachable: the pattern matches the end of the page")  # pragma: no cover


def material_sections(html: str) -> list[Any]:
    """The sections material's own ``Parser`` makes of ``html``."""
    from material.plugins.search.plugin import Parser

    parser = Parser()
    parser.feed(html)
    parser.close()
    return parser.data


def sections(html: str) -> tuple[list[Any], bool]:
    """The page's sections, and whether they came from material's parser (the fast one could not)."""
    try:
        return split_sections(html), False
    except NotModelled:
        return material_sections(html), True


class FastIndexer:
    """Stands in for a ``SearchIndex``'s ``add_entry_from_context``: the same entries, from
    ``sections``, made by the index's own ``create_entry_for_section``."""

    def __init__(self, index: Any) -> None:
        self.index = index
        self.pages = 0
        self.fallbacks: list[str] = []  # the pages material's parser read

    def __call__(self, page: Any) -> None:
        search = page.meta.get("search") or {}
        if search.get("exclude"):
            return
        found, fell_back = sections(page.content)
        self.pages += 1
        if fell_back:
            self.fallbacks.append(page.url)
            log.debug("deploydocs: %s: search sections read by material's parser", page.url)
        for section in found:
            if not section.is_excluded():
                self.index.create_entry_for_section(section, page.toc, page.url, page)


def install_fast_parser(config: MkDocsConfig) -> FastIndexer | None:
    """Gives the search plugin's index the fast page parser; None without material's search plugin
    (or when it is listed after this plugin, so that its index does not exist yet: then material's
    parser reads the pages, with the same result)."""
    search = next((p for p in config.plugins.values() if hasattr(p, "search_index")), None)
    if search is None:
        return None
    indexer = FastIndexer(search.search_index)
    search.search_index.add_entry_from_context = indexer
    return indexer
