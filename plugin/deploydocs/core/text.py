"""Record text placed into GitHub-flavoured Markdown that we write (``deploydocs review``'s summary).

Record values are untrusted: inside generated Markdown a value must read as the text it is, and never
start a heading, a list, a table cell, a link, an HTML comment or tag, an entity, or math.
(The site's own pages use :func:`deploydocs.site.text.markdown_text`, written for the site's
Python-Markdown parser, whose backslash escapes are a smaller set than GFM's.)
"""

from __future__ import annotations

import re

# CommonMark lets a backslash escape any ASCII punctuation, and GFM's tables honour `\|`. Every
# character that starts or ends a construct is escaped wherever it is (emphasis, code, links and
# images, HTML and comments, entities, headings, lists, quotes, breaks, tables, strikethrough,
# GitHub's `$` math, and `:` and `.`, which stop GitHub's autolinks of `scheme:` and `www.` text, whose
# targets would keep the backslashes): a set chosen by context ("`.` only after digits at the start
# of a line") would depend on what the caller wrote before the value. `/`, `@`, quotes stay readable.
_PUNCTUATION = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|~&$=:])")
_SPACE = re.compile(r"\s+")


def _visible(char: str) -> str:
    """A character that would not show (control, format such as bidi overrides, line separators)
    as its Python escape, so what hides text is shown instead of acted on."""
    if char.isprintable() or char == " ":
        return char
    return char.encode("unicode_escape").decode("ascii")


def markdown_inline_escape(value: object) -> str:
    """``value`` as literal inline text for GitHub-flavoured Markdown (also inside a table cell).

    Whitespace runs (line breaks included) read as one space and the ends are trimmed: a value stays
    on its line. Other invisible characters are shown as escapes (``\\u202e``). Every ASCII
    punctuation character is backslash-escaped, so nothing in the value is Markdown or HTML.
    """
    text = _SPACE.sub(" ", str(value)).strip()
    text = "".join(_visible(char) for char in text)
    return _PUNCTUATION.sub(r"\\\1", text)
