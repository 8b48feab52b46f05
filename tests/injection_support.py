"""Helpers for the injection tests: hostile text, records rewritten with it, the site's pages rendered
in process the way the plugin renders them, and an HTML reading of what a page can do."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import markdown
from mkdocs.utils.meta import get_data
from ruamel.yaml import YAML

from deploydocs.core.cache import RecordCache
from deploydocs.core.project import Settings, load_project
from deploydocs.site.prerendered import fill, split_page
from deploydocs.site.render import Renderer

# What an attacker writes: line breaks and blank lines (to end front matter or an HTML block), YAML
# escapes, Markdown (links with script schemes, images, attr_list, reference definitions), HTML,
# entities, the splitter's own placeholder, Unicode controls, terminal escapes.
HOSTILE = [
    "\n", "\n\n", "\r\n\r\n", "\r", "\r\r", "\n \n", "\t", "---\n", "\n---\n", "...\n", "\\x3c", "\\u003c", "\\n",
    "\\", "'", '"', "`", "```", "|", "# ", "## heading", "    code", "> ", "- ", "1. ", "title: x", ": ",
    "<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "<svg onload=alert(1)>", "<iframe src=//evil.example>",
    '<a href="javascript:alert(1)">', "<style>*{}</style>", '<link rel=stylesheet href="https://evil.example/c.css">',
    "[x](javascript:alert(1))", "[x](JaVaScRiPt:alert(1))", "[x](data:text/html;base64,PHNjcmlwdD4=)",
    "[x](vbscript:msgbox)", "[x](//evil.example)", "![pixel](https://evil.example/p.gif)", "![p](/local.png)",
    "<https://evil.example>", "<javascript:alert(1)>", "[r]: javascript:alert(1)", "[r]", "[^1]: foot",
    "*[HTML]: abbr", '{: onclick="alert(1)" }', "{: onerror=alert(1)}", "{ #id .class onmouseover=alert(1) }",
    "&lt;script&gt;", "&#60;script&#62;", "&#x3C;img src=x onerror=alert(1)&#x3E;", "&amp;", "<!--", "-->",
    "<!--deploydocs-block-0-->", "\u202e", "\u2066", "\u200b", "\ufeff", "\x1b[31m", "\x1b]8;;x\x07", "\x00",
    "\x02", "\x03", "\x85", "\x9b", "\u2028", "\u2029", "\ud800", "{{ 7*7 }}", "{% raw %}", "%0A", "::error::x",
    "é", "שלום", "😀", "https://evil.example/x",
]  # fmt: skip

YAML_PRINTABLE = re.compile(r"[\x20-\x7e\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def yaml_quoted(text: str) -> str:
    """``text`` as a YAML double-quoted scalar that reads back as exactly ``text``."""
    out = []
    for char in text:
        if char in '"\\':
            out.append("\\" + char)
        elif YAML_PRINTABLE.fullmatch(char) and char not in "\ufeff\u2028\u2029":  # line breaks to YAML
            out.append(char)
        elif ord(char) <= 0xFF:
            out.append(f"\\x{ord(char):02x}")
        elif ord(char) <= 0xFFFF:
            out.append(f"\\u{ord(char):04x}")
        else:
            out.append(f"\\U{ord(char):08x}")
    return '"' + "".join(out) + '"'


def to_yaml(value: Any, indent: int = 0) -> str:
    """Block-style YAML of loaded data, every string double-quoted (so any text survives the trip)."""
    pad = " " * indent
    if isinstance(value, dict):
        if not value:
            return "{}"
        lines = []
        for key, child in value.items():
            rendered = to_yaml(child, indent + 2)
            if isinstance(child, (dict, list)) and child:
                lines.append(f"{pad}{yaml_quoted(str(key))}:\n{rendered}")
            else:
                lines.append(f"{pad}{yaml_quoted(str(key))}: {rendered}")
        return "\n".join(lines)
    if isinstance(value, list):
        if not value:
            return "[]"
        return "\n".join(f"{pad}- {to_yaml(child, indent + 2).lstrip()}" for child in value)
    if isinstance(value, str):
        return yaml_quoted(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return str(value)


def load_yaml(path: Path) -> Any:
    return YAML(typ="safe", pure=True).load(path.read_text(encoding="utf-8"))


def string_paths(value: Any, path: tuple = ()) -> Iterator[tuple]:
    """The path of every string value in loaded data."""
    if isinstance(value, dict):
        for key, child in value.items():
            yield from string_paths(child, (*path, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            yield from string_paths(child, (*path, index))
    elif isinstance(value, str):
        yield path


def set_path(data: Any, path: tuple, value: Any) -> None:
    for key in path[:-1]:
        data = data[key]
    data[path[-1]] = value


# -- the site, rendered in process as the plugin renders it --------------------------------------

# mkdocs.yml's markdown_extensions: what MkDocs runs on every page.
EXTENSIONS = ["attr_list", "admonition", "tables", "toc"]
EXTENSION_CONFIGS = {"toc": {"permalink": True}}


def _markdown(text: str) -> str:
    return markdown.Markdown(extensions=EXTENSIONS, extension_configs=EXTENSION_CONFIGS).convert(text)


@dataclass
class RenderedPage:
    uri: str
    title: Any  # the front matter's title, as MkDocs reads it (the theme writes it into the page as is)
    html: str  # what the plugin publishes: the skeleton through Markdown, the blocks put back
    exported_html: str  # what plain MkDocs makes of the exported Markdown


_ENVIRONMENTS: dict[int, Any] = {}


def render_site(root: Path, cache: RecordCache | None = None, as_of: dt.date = dt.date(2026, 11, 26)) -> dict:
    """Every generated page of the repository at ``root``, through the plugin's own path: the same
    renderer, front matter read by MkDocs' reader, the splitter, Python-Markdown with the site's
    extensions, and fill; and the exported Markdown (the whole page) through Python-Markdown."""
    project = load_project(Settings(root=root, as_of=as_of, cache_dir=None), cache or RecordCache())
    renderer = Renderer(project)
    # Compiling the templates takes a second: share one environment per catalog (all it binds).
    renderer.env = _ENVIRONMENTS.setdefault(id(project.catalog), renderer.env)
    pages = renderer.problem_pages() if project.errors else renderer.pages()
    rendered = {}
    for page in pages:
        if not page.src_uri.endswith(".md"):
            continue
        split = split_page(page.content)
        body, meta = get_data(split.skeleton)
        html = fill(_markdown(body), split) if split.count else _markdown(body)
        exported_body, exported_meta = get_data(page.content)
        assert exported_meta == meta, page.src_uri
        rendered[page.src_uri] = RenderedPage(page.src_uri, meta.get("title"), html, _markdown(exported_body))
    return {"project": project, "pages": rendered}


# -- what a page can do --------------------------------------------------------------------------

RESOURCE_ATTRIBUTES = {"src", "srcset", "data", "poster", "background", "action", "formaction", "xlink:href"}
RESOURCE_TAGS = {"img", "script", "iframe", "frame", "embed", "object", "link", "source", "video", "audio",
                 "track", "image", "use", "input", "form", "style", "base", "meta"}  # fmt: skip
SAFE_SCHEMES = {"http", "https", "mailto"}


@dataclass
class Capabilities:
    """What the markup of one or more pages can do, as html.parser reads it."""

    tags: set[str] = field(default_factory=set)
    attributes: set[tuple[str, str]] = field(default_factory=set)
    handlers: list[tuple[str, str]] = field(default_factory=list)  # on* attributes
    scripts: list[str] = field(default_factory=list)  # what <script> elements hold
    resources: list[tuple[str, str, str]] = field(default_factory=list)  # (tag, attribute, address)
    links: list[str] = field(default_factory=list)  # every href

    def external_resources(self, host: str | None = None) -> list[tuple[str, str, str]]:
        """Resources loaded from another host (any absolute or protocol-relative address)."""
        found = []
        for tag, name, address in self.resources:
            parts = urlsplit(address.strip())
            if (parts.scheme or parts.netloc) and (host is None or parts.netloc != host):
                found.append((tag, name, address))
        return found

    def unsafe_links(self) -> list[str]:
        """Links whose scheme is not http, https or mailto (relative links have none)."""
        unsafe = []
        for address in self.links:
            cleaned = re.sub(r"[\x00-\x20\x7f]", "", address)
            scheme = re.match(r"^([a-zA-Z][a-zA-Z0-9+.-]*):", cleaned)
            if scheme and scheme.group(1).lower() not in SAFE_SCHEMES:
                unsafe.append(address)
        return unsafe


class _Reader(HTMLParser):
    def __init__(self, capabilities: Capabilities) -> None:
        super().__init__(convert_charrefs=True)
        self.found = capabilities
        self._script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = self.found
        found.tags.add(tag)
        for name, value in attrs:
            found.attributes.add((tag, name))
            if name.startswith("on"):
                found.handlers.append((tag, name))
            if name == "href":
                found.links.append(value or "")
                if tag in RESOURCE_TAGS:
                    found.resources.append((tag, name, value or ""))
            if name in RESOURCE_ATTRIBUTES and value:
                found.resources.append((tag, name, value))
        self._script = tag == "script"

    handle_startendtag = handle_starttag

    def handle_data(self, data: str) -> None:
        if self._script:
            self.found.scripts.append(data)

    def handle_endtag(self, tag: str) -> None:
        self._script = False


def capabilities(*documents: str) -> Capabilities:
    found = Capabilities()
    for document in documents:
        reader = _Reader(found)
        reader.feed(document)
        reader.close()
    return found
