"""Values in GitHub-flavoured Markdown (the `deploydocs review` summary, a pull-request comment).

Record values, file names and git revision names are untrusted there: a value must not start a
heading, a list or a table row, open an HTML comment or tag (which could hide the list of blocking
problems), form a link or an image, or end the line it stands in. Every value enters the summary
through :func:`text` or :func:`code`, and nothing else does.
"""

from __future__ import annotations

import re

from .problems import printable

# With no line break left, a value never starts a line: headings, lists, quotes, fences, tables and
# HTML blocks cannot begin. What remains are the inline constructs, each opened by one of these
# characters (backslash-escapable in CommonMark): emphasis, code, links and images, inline HTML and
# comments, entities, strikethrough, table cells, math, a heading's closing hashes; and the backslash.
_SPECIAL = re.compile(r"([\\`*_\[\]<>&|~$!#])")


def text(value: object) -> str:
    """A value as literal Markdown text on one line: control characters (line breaks too) written as
    escapes, then every character that could open Markdown backslash-escaped, so ``<!--``, ``|``,
    ``[x](y)``, ``*``, ``&amp;`` and backticks are shown, never read. Ids and versions read as written."""
    return _SPECIAL.sub(r"\\\1", printable(str(value)))


def code(value: object) -> str:
    """A value as an inline code span on one line: fenced by more backticks than it holds in a row
    (so it cannot close the span early). Not for table cells, where GFM reads ``|`` even in code."""
    shown = printable(str(value))
    longest = max((len(run) for run in re.findall("`+", shown)), default=0)
    fence = "`" * (longest + 1)
    if shown.startswith("`") or shown.endswith("`") or (shown.startswith(" ") and shown.endswith(" ")):
        shown = f" {shown} "  # CommonMark strips one space on each side of such content
    return f"{fence}{shown}{fence}"
