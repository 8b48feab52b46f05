"""No search field grows with the number of records (docs/architecture.md, "Leaving MkDocs").

Zensical 0.0.73 refuses to build when one field of one search item (a section's title, text or
path) is longer than 2^(30 - bit length of (items - 1)) bytes: 16 KiB at 1,000 generated records
(51,154 items), 4 KiB at 5,000. Every block of a generated page that lists many records, services,
issues or problems sits in ``m.unindexed()`` (``templates/_macros.j2``), a ``<section
data-search-exclude>`` both engines' search leave out, so what is indexed of each page is bounded by
one record or by the catalog, never by the portfolio. These tests catch a new list that is not
wrapped, with 30 and 120 generated records instead of thousands: a real render of every generated
page, the site's Python-Markdown, and the search parser that gives material's sections
(``plugin/search.py``, held to material's own by tests/test_search_index.py).
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from mkdocs.utils.meta import get_data

from deploydocs.plugin.search import material_sections, sections
from injection_support import _markdown, render_site

from repo_support import REPO, generate_records

AS_OF = dt.date(2026, 11, 26)
_GUIDE = re.compile(r"^deployments/[^/]+/[^/]+/[^/]+\.md$")
_SERVICE = re.compile(r"^services/[^/]+\.md$")
_WRAPPER = '<section class="dd-unindexed" data-search-exclude>'


def zensical_field_limit(items: int) -> int:
    """The longest field, in bytes, Zensical 0.0.73 indexes with ``items`` search items (read from its
    build: the item's number and a position share 30 bits)."""
    return 1 << (30 - max(1, (items - 1).bit_length()))


def _kind(src_uri: str) -> str:
    """Pages of one kind share their sections: all guides, all service pages, each other page."""
    return "guide" if _GUIDE.match(src_uri) else "service" if _SERVICE.match(src_uri) else src_uri


def _longest_fields(pages: dict) -> dict[tuple[str, str], int]:
    """The longest indexed title or text, in UTF-8 bytes, per (page kind, section id)."""
    longest: dict[tuple[str, str], int] = {}
    for src_uri, page in pages.items():
        for section in sections(page.exported_html)[0]:
            if section.is_excluded():
                continue
            size = max(len("".join(section.text).encode()), len("".join(section.title).encode()))
            key = (_kind(src_uri), section.id or "")
            longest[key] = max(longest.get(key, 0), size)
    return longest


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> dict[int, dict]:
    sites = {}
    for count in (30, 120):
        root = tmp_path_factory.mktemp(f"records-{count}")
        generate_records(root, count, AS_OF)
        sites[count] = render_site(root, as_of=AS_OF)["pages"]
    return sites


def test_zensical_field_limit_matches_its_messages() -> None:
    # The two messages of the benchmark runs (benchmarks/RESULTS.md), and a probe build's 32,768.
    assert zensical_field_limit(51154) == 16384
    assert zensical_field_limit(255154) == 4096
    assert zensical_field_limit(20002) == 32768


def test_no_indexed_field_grows_with_the_records(generated: dict[int, dict]) -> None:
    """Four times the records: no section of any generated page indexes much more text. (Before the
    lists were wrapped, the dashboard's timelines, the deployments index and the service histories
    grew about fourfold.) The slack covers what one record can add: a longer note, wider numbers."""
    small, large = _longest_fields(generated[30]), _longest_fields(generated[120])
    grown = {key: (small.get(key), size) for key, size in large.items() if size > 1.25 * small.get(key, 0) + 512}
    assert not grown, f"indexed fields that grow with the records (30 -> 120 records, bytes): {grown}"


def test_the_longest_indexed_field_fits_zensical_at_5000_records(generated: dict[int, dict]) -> None:
    """What any generated page indexes in one section (the rules reference's concerns included) stays
    under the limit at 5,000 records (about 51 items a guide)."""
    size, where = max((size, key) for key, size in _longest_fields(generated[120]).items())
    assert size <= zensical_field_limit(5000 * 51), (size, where)


def test_the_hand_written_pages_fit_zensical_at_5000_records() -> None:
    """The repository's own pages are part of the site: a long section of docs/ stops a Zensical build
    of 5,000 records as surely as a generated one (it did: "What keeps it fast", 5,312 bytes)."""
    limit = zensical_field_limit(5000 * 51)
    over = []
    for path in sorted((REPO / "docs").rglob("*.md")):
        body, _ = get_data(path.read_text(encoding="utf-8"))
        for section in sections(_markdown(body))[0]:
            size = len("".join(section.text).encode())
            if not section.is_excluded() and size > limit:
                over.append(f"{path.relative_to(REPO)}#{section.id or ''}: {size} bytes")
    assert not over, f"sections over {limit} bytes (split them under more headings): {over}"


def test_every_unindexed_block_is_excluded_by_both_parsers(generated: dict[int, dict]) -> None:
    """The wrapper is one ``<section>`` never nested: material skips by tag name, so a ``</section>``
    inside would let the rest of the block into the index. What it wraps is in no section's text,
    by material's own parser too."""
    pages = generated[30]
    wrapped = 0
    for src_uri, page in pages.items():
        html = page.exported_html
        starts = [m.start() for m in re.finditer(r"<section\b", html)]
        assert html.count(_WRAPPER) == len(starts), f"{src_uri}: a <section> that is not the unindexed wrapper"
        for start in starts:
            end = html.index("</section>", start)
            assert "<section" not in html[start + 1 : end], f"{src_uri}: a <section> inside an unindexed block"
            wrapped += 1
    assert wrapped > 0
    home = pages["index.md"].exported_html
    block = home[home.index(_WRAPPER, home.index('id="needs-attention"')) :]
    record_ids = re.findall(r'<span class="dd-nw">([^<]+)</span>', block[: block.index("</section>")])
    assert record_ids  # the generated records need attention
    for parsed in (sections(home)[0], material_sections(home)):
        text = " ".join("".join(section.text) for section in parsed if not section.is_excluded())
        assert not [record_id for record_id in record_ids if record_id in text]
