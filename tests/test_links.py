"""Every internal link of the built site resolves: to a file in site/, and a #fragment to an id of that page."""

from __future__ import annotations

import json
import posixpath
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

# The attributes that load or link something, per tag.
LINK_ATTRIBUTES = {"a": "href", "link": "href", "script": "src", "img": "src"}


class PageParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.ids: set[str] = set()
        self.links: list[tuple[str, str, int]] = []  # (tag, url, line)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if values.get("id"):
            self.ids.add(values["id"])
        if tag == "a" and values.get("name"):
            self.ids.add(values["name"])
        url = values.get(LINK_ATTRIBUTES.get(tag, ""))
        if url is not None:
            self.links.append((tag, url, self.getpos()[0]))

    handle_startendtag = handle_starttag


class Site:
    def __init__(self, root: Path, base_path: str):
        self.root = root
        self.base_path = base_path  # the path of site_url, e.g. "/" or "/guides/"
        self.parsed: dict[str, PageParser] = {}

    def parse(self, relative: str) -> PageParser:
        if relative not in self.parsed:
            parser = PageParser()
            parser.feed((self.root / relative).read_text(encoding="utf-8"))
            parser.close()
            self.parsed[relative] = parser
        return self.parsed[relative]

    def resolve(self, page: str, url: str) -> tuple[str | None, str | None]:
        """The file in site/ that ``url`` (found in ``page``) points to, or (None, reason)."""
        parts = urlsplit(url)
        path = unquote(parts.path)
        if not path:  # "#fragment" or "?query": this page
            return page, None
        if path.startswith("/"):
            if not (path + "/").startswith(self.base_path):
                return None, f"root-relative path outside site_url's path {self.base_path}"
            target = path[len(self.base_path) :]
        else:
            target = posixpath.join(posixpath.dirname(page), path)
        target = posixpath.normpath(target) if target else "."
        if target == ".." or target.startswith("../"):
            return None, "points above the site root"
        file = self.root / target
        if file.is_dir() or path.endswith("/"):
            target = posixpath.normpath(posixpath.join(target, "index.html"))
            file = self.root / target
        if not file.is_file():
            return None, f"no such file site/{target}"
        return target, None


def is_internal(url: str) -> bool:
    url = url.strip()
    if not url or url.startswith("//"):  # protocol-relative: another host
        return False
    return re.match(r"[a-zA-Z][a-zA-Z0-9+.-]*:", url) is None  # http:, mailto:, data:, javascript: ...


def site_base_path(repo) -> str:
    match = re.search(r"^site_url:\s*['\"]?([^'\"\s#]+)", repo.read("mkdocs.yml"), flags=re.MULTILINE)
    path = urlsplit(match.group(1)).path if match else "/"
    return path if path.endswith("/") else path + "/"


def broken_links(site: Site) -> tuple[list[str], int, list[str]]:
    """Every internal link of every page of ``site`` that does not resolve; how many were checked; the pages."""
    pages = sorted(p.relative_to(site.root).as_posix() for p in site.root.rglob("*.html"))
    broken, checked = [], 0
    for page in pages:
        for tag, url, line in site.parse(page).links:
            if not is_internal(url):
                continue
            checked += 1
            target, reason = site.resolve(page, url)
            fragment = unquote(urlsplit(url).fragment)
            if target and fragment and target.endswith(".html") and fragment not in site.parse(target).ids:
                reason = f"no id={fragment!r} in site/{target}"
            if reason:
                broken.append(f"site/{page}:{line}: <{tag} {LINK_ATTRIBUTES[tag]}={url!r}>: {reason}")
    return broken, checked, pages


def assert_links_resolve(site: Site) -> None:
    broken, checked, pages = broken_links(site)
    assert "index.html" in pages and "services/identity-service/index.html" in pages
    assert any(p.startswith("deployments/identity-service/") for p in pages), "no guide page was built"
    assert checked > len(pages), f"only {checked} internal links in {len(pages)} pages: is the crawler broken?"
    assert not broken, f"{len(broken)} broken internal link(s) of {checked} in {len(pages)} pages:\n" + "\n".join(
        broken[:200]
    )


def test_every_internal_link_resolves(built_site):
    assert_links_resolve(Site(built_site.path("site"), site_base_path(built_site)))


def test_api_urls_resolve(built_site):
    """Every "url" in api/*.json is a page of the site (the API's consumers link to them)."""
    site = Site(built_site.path("site"), site_base_path(built_site))
    documents = sorted(site.root.glob("api/*.json"))
    assert documents, "no api/*.json was built"

    def urls(value):
        if isinstance(value, dict):
            for key, item in value.items():
                if key == "url" and isinstance(item, str):
                    yield item
                else:
                    yield from urls(item)
        elif isinstance(value, list):
            for item in value:
                yield from urls(item)

    broken, checked = [], 0
    for document in documents:
        for url in urls(json.loads(document.read_text(encoding="utf-8"))):
            checked += 1
            _, reason = site.resolve("index.html", url) if is_internal(url) else (None, "not a site-relative URL")
            if reason:
                broken.append(f"site/api/{document.name}: url {url!r}: {reason}")
    assert checked, "api/*.json has no url fields"
    assert not broken, "\n".join(broken)
