"""Generated pages written from a cache: a page whose output cannot have changed skips Markdown, the
theme and the search plugin.

A generated page's HTML depends on its own Markdown and on what all pages share. What they share is
mkdocs.yml, the hand-written pages (the navigation and its titles come from them), the theme and its
overrides, ``site_url`` (`mkdocs serve` changes it), and the versions of MkDocs, the theme,
Python-Markdown and this package (``site_fingerprint``). A page's key is that fingerprint plus its
path and its Markdown. When the key matches an earlier build, the page's HTML, its search entries and
its anchor ids come from the cache. The cache is in memory across `mkdocs serve` rebuilds, and on disk
in the cache folder across builds.

The disk cache holds data, never code. Each entry is sealed for its page and key with the cache's
key, which is kept outside the cache folder (``core.cache.cache_key``). An entry that was edited, or
copied from another machine or a CI cache, is then a miss, and the page is built as if nothing were
cached.

This relies on MkDocs 1.6 and mkdocs-material 9 internals, which are frozen. docs/architecture.md
lists each one, and tests/test_page_cache.py fails if one of them changes:

1. ``_populate_page`` calls ``page.render(config, files)`` after ``on_page_markdown``. An instance
   attribute set in that event replaces it for a cached page.
2. ``_build_page`` reads the template's name from ``page.meta["template"]`` before
   ``on_page_context``, and it writes what ``on_post_page`` returns.
3. material's search plugin skips a page whose ``meta.search.exclude`` is true. It keeps its entries
   in ``search_index.entries``, in page order, and writes them in ``on_post_build``.
"""

from __future__ import annotations

import hashlib
import marshal
import os
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

import lz4.frame
from jinja2 import ChoiceLoader, DictLoader, Environment
from markupsafe import Markup
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.pages import Page
from mkdocs.structure.toc import get_toc

from deploydocs.core.cache import seal, source_fingerprint, unseal

CACHED_TEMPLATE = "deploydocs-cached-page.html"
PAGE_STAND_IN = "<!-- deploydocs: this page is written from the page cache -->\n"
"""What MkDocs reads for a page whose HTML comes from the cache (its title and meta are the cache's)."""
_ENTRY_FORMAT = 3  # 3: LZ4 instead of zlib
_VERSIONED = ("mkdocs", "mkdocs-material", "markdown", "pymdown-extensions", "jinja2")


@dataclass(frozen=True, slots=True)
class CachedPage:
    """What a generated page's build produced: its HTML and search entries (``body``, compressed until
    the page is written: a warm build looks up every page before writing the first), its anchor ids
    and its title."""

    body: bytes  # LZ4-compressed marshal of (HTML, search entries)
    anchor_ids: frozenset[str]
    title: str | None  # what the navigation and other plugins read of the page

    @classmethod
    def of(
        cls, output: str, search_entries: list[dict[str, Any]], anchor_ids: frozenset[str], title: str | None
    ) -> CachedPage:
        return cls(lz4.frame.compress(marshal.dumps((output, search_entries))), anchor_ids, title)

    def contents(self) -> tuple[str, list[dict[str, Any]]]:
        """The page's HTML and its search entries."""
        output, entries = marshal.loads(lz4.frame.decompress(self.body))
        return output, entries


def _hash_tree(digest: Any, folder: Path) -> None:
    if not folder.is_dir():
        return
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            content = path.read_bytes()
            name = path.relative_to(folder).as_posix()
            digest.update(f"{name}\0{len(content)}\0".encode())
            digest.update(content)


def site_fingerprint(config: MkDocsConfig) -> str:
    """What every generated page's HTML depends on besides its own Markdown."""
    digest = hashlib.sha256()
    digest.update(f"{_ENTRY_FORMAT}\0{source_fingerprint()}\0{config.site_url or ''}\0".encode())
    for name in _VERSIONED:
        try:
            version = metadata.version(name)
        except metadata.PackageNotFoundError:
            version = "-"
        digest.update(f"{name}={version}\0".encode())
    if config.config_file_path:
        digest.update(Path(config.config_file_path).read_bytes())
    _hash_tree(digest, Path(config.docs_dir))
    for folder in config.theme.dirs:  # overrides first, then the theme's own (a version covers those)
        if "site-packages" not in Path(folder).parts:
            _hash_tree(digest, Path(folder))
    return digest.hexdigest()


@dataclass
class PageStore:
    """Cached pages by path: in memory, and on disk in ``folder`` when a key can sign them."""

    folder: Path | None
    key: bytes | None
    memory: dict[str, tuple[str, CachedPage]] = field(default_factory=dict)
    in_memory: bool = True  # False for a one-off build: 5,000 pages kept in memory would be ~1 GiB

    def _file(self, src_uri: str) -> Path | None:
        if self.folder is None or self.key is None:
            return None
        name = hashlib.sha256(src_uri.encode()).hexdigest()[:40]
        return self.folder / "pages" / name[:2] / name

    def get(self, src_uri: str, page_key: str) -> CachedPage | None:
        remembered = self.memory.get(src_uri)
        if remembered is not None and remembered[0] == page_key:
            return remembered[1]
        path = self._file(src_uri)
        if path is None:
            return None
        try:
            blob = path.read_bytes()
        except OSError:
            return None
        payload = unseal(self.key, ("page", src_uri, page_key), blob)  # type: ignore[arg-type]
        if payload is None:
            return None  # edited, truncated, forged or copied from elsewhere: built anew
        try:
            body, anchors, title = marshal.loads(payload)
        except (ValueError, EOFError, TypeError):
            return None
        if not (isinstance(body, bytes) and isinstance(anchors, list) and isinstance(title, str | None)):
            return None
        page = CachedPage(body, frozenset(anchors), title)
        if self.in_memory:
            self.memory[src_uri] = (page_key, page)
        return page

    def put(self, src_uri: str, page_key: str, page: CachedPage) -> None:
        if self.in_memory:
            self.memory[src_uri] = (page_key, page)
        path = self._file(src_uri)
        if path is None:
            return
        payload = marshal.dumps((page.body, sorted(page.anchor_ids), page.title))
        _write_atomically(path, seal(self.key, ("page", src_uri, page_key), payload))  # type: ignore[arg-type]

    # Parts of the big pages ---------------------------------------------------------------------
    # Each record's row of the deployments index and entry of the JSON export, each service's
    # timeline (site.render.Renderer's ``kept``): a build that finds them renders only the records
    # that changed. One sealed entry for the whole set, like a page: data only, a miss if tampered.

    def _parts_file(self) -> Path | None:
        if self.folder is None or self.key is None:
            return None
        return self.folder / "pages" / "parts"

    def get_parts(self, fingerprint: str) -> dict[tuple[str, str], Any]:
        """The parts the last build stored under this site ``fingerprint`` (empty when none)."""
        path = self._parts_file()
        try:
            blob = path.read_bytes() if path is not None else b""
        except OSError:
            return {}
        payload = unseal(self.key, ("parts", fingerprint), blob) if blob else None  # type: ignore[arg-type]
        if payload is None:
            return {}
        try:
            stored = marshal.loads(lz4.frame.decompress(payload))
            # Markup survives as a flag: the parts were escaped when this build's code rendered them.
            return {(kind, key): Markup(value) if markup else value for kind, key, value, markup in stored}
        except (ValueError, EOFError, TypeError, RuntimeError):  # RuntimeError: LZ4's for a bad frame
            return {}

    def put_parts(self, fingerprint: str, parts: dict[tuple[str, str], Any]) -> None:
        path = self._parts_file()
        if path is None:
            return
        stored = sorted((kind, key, str(value), isinstance(value, Markup)) for (kind, key), value in parts.items())
        blob = seal(self.key, ("parts", fingerprint), lz4.frame.compress(marshal.dumps(stored)))  # type: ignore[arg-type]
        _write_atomically(path, blob)


def _write_atomically(path: Path, blob: bytes) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(f".{path.name}.{os.getpid()}")
        temporary.write_bytes(blob)
        os.replace(temporary, path)
    except OSError:
        pass  # a cache that cannot be written only costs time


class PageCache:
    """One build's use of the store: which generated pages are hits, and what the misses produce."""

    def __init__(self, store: PageStore) -> None:
        self.store = store
        self.fingerprint = ""
        self.hits: dict[str, CachedPage] = {}
        self.misses: dict[str, str] = {}  # src_uri -> page key
        self.keys: dict[str, str] = {}
        self._search_start: dict[str, int] = {}
        self._search: Any = None

    def start(self, config: MkDocsConfig) -> None:
        self.fingerprint = site_fingerprint(config)
        self.hits, self.misses, self.keys, self._search_start = {}, {}, {}, {}
        self._search = next((p for p in config.plugins.values() if hasattr(p, "search_index")), None)

    def lookup(self, src_uri: str, source: str, by_inputs: bool = False) -> CachedPage | None:
        """The cached page for this Markdown (or, ``by_inputs``, this digest of everything its Markdown
        is made from), or None: then the page is built, and stored."""
        kind = "inputs" if by_inputs else "markdown"
        digest = hashlib.sha256(f"{self.fingerprint}\0{src_uri}\0{kind}\0".encode())
        digest.update(source.encode("utf-8", "surrogatepass"))
        page_key = digest.hexdigest()
        self.keys[src_uri] = page_key
        cached = self.store.get(src_uri, page_key)
        if cached is None:
            self.hits.pop(src_uri, None)
            self.misses[src_uri] = page_key
        else:
            self.misses.pop(src_uri, None)
            self.hits[src_uri] = cached
        return cached

    def add_template(self, env: Environment) -> None:
        """The template a cached page is 'rendered' with: its HTML comes back in on_post_page."""
        env.loader = ChoiceLoader([DictLoader({CACHED_TEMPLATE: "{{ deploydocs_cached }}"}), env.loader])

    def skip_rendering(self, page: Page) -> None:
        """For a hit: no Markdown, no theme, no search parsing; MkDocs still sees its anchors."""
        cached = self.hits.get(page.file.src_uri)
        if cached is None:
            # Under `mkdocs serve` a page object is built again after an edit (preview.py): drop the
            # stand-in renderer a hit of an earlier build left on it.
            vars(page).pop("render", None)
            return
        page.meta = {"title": cached.title, "template": CACHED_TEMPLATE, "search": {"exclude": True}}

        def render(config: MkDocsConfig, files: Any) -> None:
            page.content = ""
            page.toc = get_toc([])
            page.present_anchor_ids = set(cached.anchor_ids)
            page.links_to_anchors = {}

        page.render = render  # type: ignore[method-assign]

    def before_search(self, page: Page, context: dict[str, Any]) -> None:
        src_uri = page.file.src_uri
        if src_uri in self.hits:
            context["deploydocs_cached"] = Markup("<!-- deploydocs: from the page cache -->")
        elif src_uri in self.misses and self._search is not None:
            self._search_start[src_uri] = len(self._search.search_index.entries)

    def written(self, page: Page, output: str) -> str:
        """The page's final HTML: a hit's from the cache (its search entries go back into the index),
        a miss's as built (and stored, with the search entries the plugin made of it)."""
        src_uri = page.file.src_uri
        cached = self.hits.pop(src_uri, None)  # written: its HTML need not stay in memory
        if cached is not None:
            output, entries = cached.contents()
            if self._search is not None:
                self._search.search_index.entries.extend(entries)
            return output
        page_key = self.misses.get(src_uri)
        if page_key is not None:
            start = self._search_start.pop(src_uri, None)
            entries = self._search.search_index.entries[start:] if start is not None else []
            anchors = frozenset(page.present_anchor_ids or ())
            cached = CachedPage.of(output, [dict(entry) for entry in entries], anchors, page.title)
            self.store.put(src_uri, page_key, cached)
        return output
