"""Times material's search Parser against deploydocs' fast one over the pages of a real build.

The pages are what the search plugin reads (``page.content``), captured by the test hook:

    cp -r REPO /tmp/copy && cp tests/data/search_capture_hook.py /tmp/copy/ &&
    printf 'hooks:\\n  - search_capture_hook.py\\n' >> /tmp/copy/mkdocs.yml &&
    (cd /tmp/copy && SEARCH_CAPTURE=/tmp/capture.json SEARCH_CAPTURE_PAGES=/tmp/pages.marshal mkdocs build)
    PYTHONPATH=plugin python benchmarks/search_parser.py /tmp/pages.marshal

Prints, for the guides and for the other pages: the count, how many the fast parser left to
material's (fallback), and each parser's best time of three runs.
"""

from __future__ import annotations

import argparse
import marshal
import time

from deploydocs.plugin import search


def _best(parse, pages: list[str]) -> float:  # noqa: ANN001
    times = []
    for _ in range(3):
        start = time.perf_counter()
        for html in pages:
            parse(html)
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("pages", help="marshal file of page HTML written by tests/data/search_capture_hook.py")
    pages = marshal.load(open(parser.parse_args().pages, "rb"))  # noqa: SIM115
    # A guide's URL is deployments/SERVICE/ENVIRONMENT/VERSION/.
    guides = [html for url, html in pages if url.startswith("deployments/") and url.count("/") == 4]
    others = [html for url, html in pages if not (url.startswith("deployments/") and url.count("/") == 4)]
    for name, group in (("guides", guides), ("other pages", others)):
        fallbacks = sum(search.sections(html)[1] for html in group)
        material = _best(search.material_sections, group)
        fast = _best(lambda html: search.sections(html)[0], group)
        print(
            f"{name}: {len(group)} pages, {fallbacks} fallback(s); material {material:.2f} s, "
            f"fast {fast:.2f} s, {material / fast:.1f}x"
        )


if __name__ == "__main__":
    main()
