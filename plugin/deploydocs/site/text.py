"""Free text from records, made safe to publish.

Record text is untrusted: it is rendered by markdown-it-py with raw HTML off, and links are limited
to http(s), mailto and relative addresses. Text placed where the *site's* Markdown parser will read
it (headings, table cells of generated Markdown) is escaped for both HTML and Markdown.
"""

from __future__ import annotations

import re
from functools import cache
from html import escape

from markdown_it import MarkdownIt
from markupsafe import Markup

_SAFE_SCHEMES = ("http:", "https:", "mailto:")
_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")


def safe_link(url: str) -> bool:
    """Only http(s), mailto and scheme-less (relative) links; never javascript:, data:, vbscript:."""
    cleaned = re.sub(r"[\x00-\x20\x7f]", "", url).lower()
    if _SCHEME.match(cleaned):
        return cleaned.startswith(_SAFE_SCHEMES)
    return not cleaned.startswith("//")


@cache
def _parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    md.validateLink = safe_link
    md.enable("table")
    md.enable("strikethrough")

    def open_link(self, tokens, index, options, env):  # noqa: ANN001 - markdown-it renderer signature
        tokens[index].attrSet("rel", "nofollow noopener")
        return self.renderToken(tokens, index, options, env)

    md.add_render_rule("link_open", open_link)
    return md


def render_block(text: str) -> Markup:
    """Markdown paragraphs, lists, code and tables; no raw HTML, no unsafe links.

    The result sits inside a raw HTML block of the page, so blank lines (which would end that block
    for the site's Markdown parser) are encoded inside ``<pre>`` and dropped elsewhere.
    """
    html = _parser().render(text)
    html = re.sub(
        r"(<pre[^>]*>)(.*?)(</pre>)",
        lambda m: m.group(1) + m.group(2).replace("\n", "&#10;") + m.group(3),
        html,
        flags=re.DOTALL,
    )
    return Markup(html.replace("\n", " ").strip())


def render_inline(text: str) -> Markup:
    """One line of Markdown (emphasis, code, links), for table cells."""
    return Markup(_parser().renderInline(text).replace("\n", " ").strip())


def render_link(url: str, label: str | None = None) -> Markup:
    """A link to evidence; shown as plain text when the address is not a safe link."""
    shown = escape(label if label is not None else url)
    if re.match(r"^https?://", url) and safe_link(url):
        return Markup(f'<a href="{escape(url, quote=True)}" rel="nofollow noopener">{shown}</a>')
    return Markup(render_inline(url)) if label is None else Markup(shown)


_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|~>])")


def markdown_text(text: str) -> str:
    """Plain text for a Markdown context (a heading): HTML-escaped, Markdown punctuation escaped."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", escape(text, quote=False).replace("\n", " "))
