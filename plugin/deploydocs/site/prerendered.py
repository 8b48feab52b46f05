"""Generated pages reach Python-Markdown as a skeleton; their raw HTML blocks go around it.

A guide page is mostly raw HTML (the tables of 134 items). Python-Markdown passes raw HTML blocks
through unchanged, but it (and MkDocs, looking for anchor ids) must parse every tag to find where
each block ends: that was half of the build time of a guide page. Our templates write every HTML
block as one paragraph that starts with a block-level tag and has no blank line inside (see
``templates/_macros.j2`` and ``text.render_block``), so the blocks can be cut out before Markdown
runs and put back, verbatim, into the HTML it returns. Markdown still converts the skeleton: front
matter, headings (so the table of contents, heading ids and permalinks stay MkDocs' own), any
Markdown prose, and one HTML comment in place of each block (or run of blocks), which Markdown
keeps as a block of its own exactly where the original blocks were. The resulting page is byte-identical to the exported
Markdown built by plain MkDocs (``tests/test_prerendered.py`` builds both and compares them).

No value can steer the cut: every value reaches a generated page through ``text.html_text`` (via
the templates' one output function, ``render._output``), which writes line breaks as ``&#10;``, so the
blank lines that end blocks are the templates' own. As a second line of defence, a block whose
outer element does not close inside it (a blank line inside an element: Python-Markdown would read
on to the closing tag, the cut would not) stops the build instead of being cut wrongly.

This is MkDocs-specific (it mirrors Python-Markdown's rules for raw HTML blocks), so it lives with
the plugin, not in the core; ``deploydocs export --markdown`` writes the pages whole.
"""

from __future__ import annotations

import marshal
import re
from dataclasses import dataclass

import lz4.frame
from markdown.util import BLOCK_LEVEL_ELEMENTS

_PLACEHOLDER = "<!--deploydocs-block-{}-->"
_PLACEHOLDER_PATTERN = re.compile(r"<!--deploydocs-block-(\d+)-->")
_BLOCK_START = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9]*)[\s/>]")
_BLOCK_LEVEL = frozenset(BLOCK_LEVEL_ELEMENTS)
_ID_ATTRIBUTE = re.compile(r"""<[a-zA-Z][^>]*?\sid="([^"]*)\"""")
_VOID = frozenset({"hr"})  # block-level elements without a closing tag


class SplitError(ValueError):
    """A generated page's HTML block does not end where its paragraph ends."""


def _check_closed(body: str) -> None:
    """The block's outer element closes inside it (as many closing as opening tags of its name)."""
    name = _BLOCK_START.match(body).group(2).lower()
    if name in _VOID:
        return
    opened = len(re.findall(rf"<{name}[\s/>]", body, flags=re.IGNORECASE))
    closed = len(re.findall(rf"</{name}\s*>", body, flags=re.IGNORECASE))
    if opened != closed:
        raise SplitError(
            f"an HTML block <{name}> does not close before a blank line ({opened} opened, {closed} closed); "
            "a template or filter let a blank line into the block"
        )


@dataclass(frozen=True)
class SplitPage:
    """A generated page cut in two: what Markdown converts, and the HTML blocks put back later."""

    skeleton: str
    blocks: bytes  # compressed: held for every page from `on_files` until the page is written
    anchor_ids: frozenset[str]  # ids inside the blocks, which MkDocs' anchor check cannot see
    count: int

    def html_blocks(self) -> list[str]:
        return marshal.loads(lz4.frame.decompress(self.blocks))


def _is_raw_block(paragraph: str) -> bool:
    """True where Python-Markdown would pass the whole paragraph through as raw HTML: every line starts
    with a block-level tag (opening or closing), the first one with an opening tag."""
    first = True
    for line in paragraph.split("\n"):
        match = _BLOCK_START.match(line)
        if match is None or match.group(2).lower() not in _BLOCK_LEVEL or (first and match.group(1)):
            return False
        first = False
    return True


def split_page(markdown: str) -> SplitPage:
    """Cut the raw HTML blocks out of generated Markdown, leaving a numbered comment for each.

    Raises SplitError for a block that does not close before its paragraph ends.
    """
    paragraphs = markdown.split("\n\n")
    blocks: list[str] = []
    anchor_ids: set[str] = set()
    start = 0
    if markdown.startswith("---\n"):  # front matter is MkDocs', whatever its blank lines
        end = markdown.find("\n---\n", 4)
        start = markdown[: end + 5].count("\n\n") + 1 if end != -1 else len(paragraphs)
    follows_block = False  # the previous paragraph was a block: Markdown writes a blank line between
    for index in range(start, len(paragraphs)):
        paragraph = paragraphs[index]
        if paragraph and _is_raw_block(paragraph.strip("\n")):
            leading = len(paragraph) - len(paragraph.lstrip("\n"))
            trailing = len(paragraph) - len(paragraph.rstrip("\n"))
            body = paragraph.strip("\n")
            _check_closed(body)
            anchor_ids.update(_ID_ATTRIBUTE.findall(body))
            if follows_block:
                # One comment for a run of blocks: each comment costs Markdown a paragraph and a pass
                # of every inline pattern, and a guide has runs of two or three between headings.
                blocks[-1] += "\n\n" + body
                paragraphs[index] = "\n" * (leading + trailing)
            else:
                paragraphs[index] = "\n" * leading + _PLACEHOLDER.format(len(blocks)) + "\n" * trailing
                blocks.append(body)
            follows_block = True
        elif paragraph.strip("\n"):
            follows_block = False
    return SplitPage(
        skeleton="\n\n".join(paragraphs),
        blocks=lz4.frame.compress(marshal.dumps(blocks)),
        anchor_ids=frozenset(anchor_ids),
        count=len(blocks),
    )


def fill(html: str, page: SplitPage) -> str:
    """Put the blocks back into the HTML that Markdown made of the skeleton."""
    blocks = page.html_blocks()
    used: list[int] = []

    def block(match: re.Match[str]) -> str:
        used.append(int(match.group(1)))
        return blocks[int(match.group(1))]

    filled = _PLACEHOLDER_PATTERN.sub(block, html)
    if sorted(used) != list(range(len(blocks))):
        # A plugin that rewrote the page in between lost (or copied) a block: say so, never publish
        # half a page.
        raise ValueError(f"{len(blocks)} HTML block(s) expected back, {len(used)} found")
    return filled
