"""Values in GitHub-flavoured Markdown (the `deploydocs review` summary, a pull-request comment).

Record values, file names and git revision names are untrusted there: a value must not start a
heading, a list or a table row, open an HTML comment or tag (which could hide the list of blocking
problems), form a link or an image, or end the line it stands in. Every value enters the summary
through :func:`text` or :func:`code`, and nothing else does.
"""

from __future__ import annotations

import re

from .problems import printable

# CommonMark lets a backslash escape any ASCII punctuation, and GFM's tables honour `\|`. Every
# character that starts or ends a construct is escaped wherever it is: emphasis, code, links and
# images, HTML and comments, entities, headings, lists, quotes, breaks, tables, strikethrough,
# GitHub's `$` math, and `:` and `.`, which stop GitHub's autolinks of `scheme:` and `www.` text (whose
# targets would keep the backslashes). A set chosen by context ("`.` only after digits at the start
# of a line") would depend on what the caller wrote before the value. `/`, `@` and quotes stay readable.
_PUNCTUATION = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|~&$=:])")
_SPACE = re.compile(r"\s+")


def text(value: object) -> str:
    """A value as literal inline Markdown text on one line (also inside a table cell): whitespace runs
    read as one space, other characters that would not show (controls, bidi overrides, line
    separators) are written as their escapes (``\\u202e``), then every ASCII punctuation character is
    backslash-escaped, so nothing in the value is Markdown or HTML."""
    return _PUNCTUATION.sub(r"\\\1", printable(_SPACE.sub(" ", str(value)).strip()))


def code(value: object) -> str:
    """A value as an inline code span on one line: fenced by more backticks than it holds in a row
    (so it cannot close the span early). Not for table cells, where GFM reads ``|`` even in code."""
    shown = printable(str(value))
    longest = max((len(run) for run in re.findall("`+", shown)), default=0)
    fence = "`" * (longest + 1)
    if shown.startswith("`") or shown.endswith("`") or (shown.startswith(" ") and shown.endswith(" ")):
        shown = f" {shown} "  # CommonMark strips one space on each side of such content
    return f"{fence}{shown}{fence}"
