"""Free text from records, made safe to publish.

Record text is untrusted: it is rendered by markdown-it-py with raw HTML off, links are limited to
http(s), mailto and relative addresses, and images are shown as links (the site contacts no other
host). Every other value reaches a page through :func:`html_text` (the templates' one escape, see
``render.Renderer``), :func:`front_matter_value` (YAML front matter) or :func:`markdown_text` (text
the site's own Markdown parser reads: headings).

Generated pages are Markdown whose HTML blocks must end where the templates end them (see
``prerendered.py``): nothing this module returns holds a line break that could end a block (a blank
line), a carriage return, a tab or a control character, which the site's Markdown parser would
rewrite (so the exported Markdown would build differently) or read as a line break.
"""

from __future__ import annotations

import re
from functools import cache, lru_cache
from html import escape

from markdown_it import MarkdownIt
from markupsafe import Markup

_SAFE_SCHEMES = ("http:", "https:", "mailto:")
_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")

# What a value may not carry into a page as it is: line breaks (for Python-Markdown, YAML or HTML),
# tabs (Python-Markdown expands them outside the blocks it stashes), controls (Python-Markdown drops
# STX/ETX; C1 controls are line breaks to YAML and escapes to terminals), lone surrogates (not
# encodable) and U+FFFE/U+FFFF (YAML refuses them). Written as character references, so the page
# shows what the record says; controls that have no meaning in HTML become U+FFFD.
_UNSAFE_IN_PAGE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff\ufffe\uffff]")
_AS_REFERENCE = {"\t": "&#9;", "\n": "&#10;", "\r": "&#13;", "\u2028": "&#8232;", "\u2029": "&#8233;"}


def _neutralise(match: re.Match[str]) -> str:
    return _AS_REFERENCE.get(match.group(0), "\ufffd")


def page_safe(html: str) -> str:
    """HTML (already escaped) with every line break, tab and control character written as a reference."""
    return _UNSAFE_IN_PAGE.sub(_neutralise, html)


_BLANK_LINE = re.compile(r"\n[ \t]*(?=\n)")


def block_safe(html: Markup) -> Markup:
    """Markup that may span lines (a macro's table rows) but holds no blank line or carriage return:
    it cannot end the HTML block it stands in."""
    if "\r" not in html and not _BLANK_LINE.search(html):
        return html
    return Markup(_BLANK_LINE.sub("", str(html).replace("\r", "&#13;")))


def html_text(value: object) -> Markup:
    """Any value as HTML text: escaped (quotes too, so it may stand in an attribute) and on one line."""
    if isinstance(value, Markup):
        return value
    return _escaped(str(value))


# A guide writes some 2,000 values, most of them repeated across records (titles, terms, dates,
# states): escaping each text once per process is worth a bounded cache. Keyed by the exact text.
@lru_cache(maxsize=1 << 15)
def _escaped(text: str) -> Markup:
    return Markup(page_safe(escape(text, quote=True)))


def front_matter_value(value: object) -> Markup:
    """A YAML scalar for front matter that decodes to :func:`html_text` of the value.

    Single-quoted: YAML reads no escapes there (``\\x3c`` stays four characters), and the value holds
    no line break (so it cannot end the front matter) nor a quote of its own (escaped as ``&#x27;``).
    The theme writes the decoded title into the page as it is, so it is HTML-escaped text.
    """
    text = page_safe(str(html_text(value)))  # page_safe again: a Markup value is escaped, maybe not one line
    return Markup("'" + text.replace("'", "''") + "'")


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

    def image_as_link(self, tokens, index, options, env):  # noqa: ANN001 - markdown-it renderer signature
        # An image would load from wherever it points (a tracking pixel): link to it instead. Its
        # address passed validateLink like any link's.
        token = tokens[index]
        source = token.attrGet("src") or ""
        label = self.renderInlineAsText(token.children or [], options, env) or source
        return (
            f'<a class="dd-image-link" href="{escape(str(source), quote=True)}" rel="nofollow noopener">'
            f"{escape(label)}</a>"
        )

    md.add_render_rule("link_open", open_link)
    md.add_render_rule("image", image_as_link)
    return md


# Records repeat one another's text (a team's usual notes, "n/a: not used by this service"), and
# rendering Markdown is most of what a guide's text costs: each distinct text is rendered once per
# process. The functions are pure (a fixed parser, a fresh markdown-it env per call, output a
# function of the text alone), so a bounded cache keyed by the exact text changes no output.
_RENDERED_TEXTS = 1 << 13


@lru_cache(maxsize=_RENDERED_TEXTS)
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
    return Markup(page_safe(html.replace("\n", " ").strip()))


@lru_cache(maxsize=_RENDERED_TEXTS)
def render_inline(text: str) -> Markup:
    """One line of Markdown (emphasis, code, links), for table cells."""
    return Markup(page_safe(_parser().renderInline(text).replace("\n", " ").strip()))


def render_link(url: str, label: str | None = None) -> Markup:
    """A link to evidence; shown as plain text when the address is not a safe link."""
    shown = html_text(label if label is not None else url)
    if re.match(r"^https?://", url) and safe_link(url):
        return Markup(f'<a href="{html_text(url)}" rel="nofollow noopener">{shown}</a>')
    return Markup(render_inline(url)) if label is None else shown


_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|~>])")


def markdown_text(text: str) -> str:
    """Plain text for a Markdown context (a heading): Markdown punctuation escaped, then HTML-escaped
    and on one line (in this order, so that no backslash lands inside a character reference)."""
    return str(html_text(_MARKDOWN_SPECIAL.sub(r"\\\1", text)))
