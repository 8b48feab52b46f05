"""A MkDocs hook for tests/test_search_index.py: for every page the search plugin indexes, the
entries of material's own parser and of the fast one (each into a fresh index), and whether the fast
one fell back. Written as JSON to $SEARCH_CAPTURE at the end of the build; with $SEARCH_CAPTURE_PAGES,
each page's URL and HTML as the search plugin sees it are written there too (marshal list), for benchmarks."""

from __future__ import annotations

import json
import marshal
import os

from material.plugins.search.plugin import SearchIndex
from mkdocs.plugins import event_priority

from deploydocs.plugin import search

_pages: list[dict] = []
_contents: list[tuple[str, str]] = []


# After deploydocs' on_page_context (100: the page is filled in), before the search plugin's (0),
# which strips data-search-* attributes once it has indexed the page.
@event_priority(50)
def on_page_context(context, *, page, config, nav):  # noqa: ANN001, ANN201
    if (page.meta.get("search") or {}).get("exclude"):
        return context
    material, fast = SearchIndex(), SearchIndex()
    material.add_entry_from_context(page)
    indexer = search.FastIndexer(fast)
    indexer(page)
    _pages.append(
        {
            "url": page.url,
            "generated": page.file.generated_by is not None,
            "same": material.entries == fast.entries,
            "entries": len(material.entries),
            "fallback": bool(indexer.fallbacks),
        }
    )
    if os.environ.get("SEARCH_CAPTURE_PAGES"):
        _contents.append((page.url, page.content))
    return context


def on_post_build(*, config):  # noqa: ANN001, ANN201
    with open(os.environ["SEARCH_CAPTURE"], "w", encoding="utf-8") as out:
        json.dump(_pages, out)
    if os.environ.get("SEARCH_CAPTURE_PAGES"):
        with open(os.environ["SEARCH_CAPTURE_PAGES"], "wb") as out:
            marshal.dump(_contents, out)
