"""`mkdocs serve` after a record is saved: only the generated pages whose inputs changed are built
again.

MkDocs answers every change under `serve` with a full build: it empties the site folder, reads,
converts and writes every page, and rebuilds the search index. With thousands of guides that is
minutes per save, although a saved record changes a handful of pages: its guide, the guides whose
history excerpt shows it, its service page, the indexes and the dashboard.

After each full build under `serve`, :class:`Preview` keeps what MkDocs built it with (the
configuration, the files, the navigation, the Jinja environment), a key for each generated page (the
digest of its inputs for a guide, of its Markdown for the other pages) and the search entries of
every page. The plugin replaces the live-reload server's builder with :meth:`Preview.builder`. On
the next change it first decides whether an update is enough, and otherwise runs MkDocs' own
builder:

- nothing but records, the policy, the registry or people may have changed: the site's fingerprint
  (``pagecache.site_fingerprint``: mkdocs.yml, every file of docs/, the theme's overrides, versions)
  is the one of the last full build, and mkdocs.yml watches nothing else (``watch:``);
- no page of the navigation is added or removed, and none changes its title (the navigation is on
  every page); guides, which stay out of the navigation, may come and go with their records;
- no plugin runs but material's search and this one (others may keep state that an update would
  leave stale);
- at most half the generated pages changed (otherwise a full build is as quick, and cleaner).

An update hands each changed page's new Markdown to its ``File`` (a new page gets a ``File`` and a
``Page``; a page that is gone loses its file and its output), runs MkDocs' own ``_populate_page``
and ``_build_page`` on it (all plugin events included, so the page cache, the split pages and the
search plugin see it as in a build), writes the sitemap again when pages came or went, puts each
page's search entries in the order of the pages and writes the search index again. Every other file
in the site folder stays as the last build wrote it. ``tests/test_preview.py`` runs a real `mkdocs
serve`, saves records and requires every served file to equal what a full build of the same inputs
writes.

Relies on MkDocs 1.6 internals (frozen; docs/architecture.md lists them):
``LiveReloadServer.builder`` is what its build loop calls, ``mkdocs.commands.build._populate_page``
/ ``_build_page`` / ``_build_theme_template`` build one page or template, and material's search
plugin keeps ``search_index.entries`` in page order and writes them in ``on_post_build`` as
compact JSON (``{"config": ..., "docs": [...]}``), which an update writes from each page's
serialized entries.
"""

from __future__ import annotations

import gc
import hashlib
import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jinja2 import Environment
from mkdocs.commands.build import _build_page, _build_theme_template, _populate_page
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import File, Files, InclusionLevel, set_exclusions
from mkdocs.structure.nav import Navigation
from mkdocs.structure.pages import Page
from mkdocs.utils import write_file

from deploydocs.site.render import Page as GeneratedPage

from .pagecache import site_fingerprint

log = logging.getLogger("mkdocs.plugins.deploydocs")

_KNOWN_PLUGINS = {"search", "material/search", "deploydocs"}
"""The plugins whose state an update keeps right: material's search (its index is patched here) and
this one. Any other plugin, or a hook, means full builds."""


def page_key(page: GeneratedPage) -> str:
    """What a generated page is built from: its inputs' digest (a guide), else its content."""
    if page.inputs is not None:
        return "inputs:" + page.inputs
    return "content:" + hashlib.sha256(page.content.encode("utf-8", "surrogatepass")).hexdigest()


def _url_of(location: str) -> str:
    return location.split("#", 1)[0]


@dataclass
class _Built:
    """What the last full build was made with."""

    config: MkDocsConfig
    files: Files
    nav: Navigation
    env: Environment
    fingerprint: str
    order: list[str]  # generated pages' paths, in the renderer's order
    keys: dict[str, str]  # generated page path -> page_key
    search_json: dict[str, str] = field(default_factory=dict)  # page url -> its search entries, serialized
    search_config: str = ""  # the index's "config", serialized


class Preview:
    """The last full build under `mkdocs serve`, and the update that follows a saved record."""

    def __init__(self) -> None:
        self.built: _Built | None = None
        self._pending: dict[str, Any] = {}

    # During a full build -------------------------------------------------------------------------

    def start(self) -> None:
        gc.unfreeze()  # what the last full build kept may be garbage now
        self.built = None
        self._pending = {"order": [], "keys": {}}

    def page(self, page: GeneratedPage) -> None:
        """A generated page of the build in progress."""
        if self._pending:
            self._pending["order"].append(page.src_uri)
            self._pending["keys"][page.src_uri] = page_key(page)

    def files_ready(self, files: Files) -> None:
        if self._pending:
            self._pending["files"] = files

    def nav_ready(self, nav: Navigation) -> None:
        if self._pending:
            self._pending["nav"] = nav

    def env_ready(self, env: Environment) -> None:
        if self._pending:
            self._pending["env"] = env

    def finished(self, config: MkDocsConfig) -> None:
        """The build wrote every page: remember it, with the search entries grouped by page."""
        pending, self._pending = self._pending, {}
        if not {"files", "nav", "env"} <= pending.keys():
            return
        built = _Built(
            config=config,
            files=pending["files"],
            nav=pending["nav"],
            env=pending["env"],
            fingerprint=site_fingerprint(config),
            order=pending["order"],
            keys=pending["keys"],
        )
        search = _search_plugin(config)
        if search is not None:
            by_page: dict[str, list[dict[str, Any]]] = {}
            for entry in search.search_index.entries:
                by_page.setdefault(_url_of(entry["location"]), []).append(entry)
            built.search_json = {url: _serialized(entries) for url, entries in by_page.items()}
            built.search_config = _search_config(search)
            # The index is written: keep its text only (at 5,000 guides the entries are ~1 GiB of
            # dictionaries). A later full build starts a new index in the search plugin's on_config.
            search.search_index.entries.clear()
        self.built = built
        # What the build made and keeps is long-lived: leave it out of later collections, so that a
        # collection during or after an update scans only what the update made.
        gc.collect()
        gc.freeze()

    # After a save ---------------------------------------------------------------------------------

    def builder(self, full_build: Callable[[], None], update: Callable[[_Built], bool]) -> Callable[[], None]:
        """The live-reload server's builder: an update when one is enough, else MkDocs' full build."""

        def build() -> None:
            # No garbage collection while updating: the server holds millions of objects (the
            # records, the pages' search text), and one full collection of them took longer than
            # the whole update (profiled at 5,000 records). Collected after, with the rest.
            gc.disable()
            try:
                updated = self.built is not None and update(self.built)
            except Exception as error:  # noqa: BLE001 - a full build follows, which is always right
                log.warning("deploydocs: the preview could not be updated (%s); building everything", error)
                updated = False
            finally:
                gc.enable()
            if not updated:
                self.built = None
                full_build()

        return build

    def can_update(self, built: _Built) -> bool:
        """Whether nothing but records (policy, registry, people) can have changed since ``built``."""
        config = built.config
        if config.watch or any(name not in _KNOWN_PLUGINS for name in config.plugins):
            return False
        return site_fingerprint(config) == built.fingerprint

    def update(
        self,
        built: _Built,
        pages: list[GeneratedPage],
        hand_over: Callable[[GeneratedPage], str],
        in_order: Callable[[Files], Files],
    ) -> bool:
        """Build again the pages whose keys changed, add and remove pages; False when a full build is
        needed (decided before anything is written, except a title that changed)."""
        started = time.monotonic()
        config, files, nav = built.config, built.files, built.nav
        now = {page.src_uri: page for page in pages}
        removed = [uri for uri in built.order if uri not in now]
        added = [page for page in pages if page.src_uri not in built.keys]
        changed = [page for page in pages if page.src_uri in built.keys and page_key(page) != built.keys[page.src_uri]]
        if (len(changed) + len(added) + len(removed)) * 2 > len(pages):
            return False
        in_nav = {id(page) for page in nav.pages}
        old_files = [files.get_file_from_path(uri) for uri in removed]
        if any(file is None or id(file.page) in in_nav for file in old_files):
            return False  # the navigation would change: every page shows it
        for file in old_files:
            files.remove(file)
            Path(file.abs_dest_path).unlink(missing_ok=True)
            built.search_json.pop(file.url, None)
        for page in added:
            file = File.generated(config, page.src_uri, content=page.content)
            set_exclusions([file], config)
            files.append(file)
        if added:
            files = built.files = in_order(files)
        doc_files = files.documentation_pages(inclusion=InclusionLevel.is_in_serve)
        search = _search_plugin(config)
        for page in [*changed, *added]:
            file = files.get_file_from_path(page.src_uri)
            if not page.src_uri.endswith(".md"):
                # A data file or the stylesheet: MkDocs copies it, nothing else reads it.
                file.content_string = page.content
                file.copy_file()
                continue
            if file.page is None:
                Page(None, file, config)  # as MkDocs' build does for a page outside the navigation
            title = file.page.title
            file.content_string = hand_over(page)
            _populate_page(file.page, config, files)
            if id(file.page) in in_nav and file.page.title != title:
                return False  # the navigation shows this title on every page: build everything
            entries_before = len(search.search_index.entries) if search is not None else 0
            _build_page(file.page, config, doc_files, nav, built.env)
            if search is not None:
                built.search_json[file.url] = _serialized(search.search_index.entries[entries_before:])
                del search.search_index.entries[entries_before:]
        if added or removed:
            for template in config.theme.static_templates:  # the sitemap lists every page
                _build_theme_template(template, built.env, files, config, nav)
        if search is not None and (changed or added or removed):
            # What the search plugin's on_post_build writes, from every page's serialized entries in
            # page order: only the changed pages were serialized again.
            docs = ",".join(text for file in doc_files if (text := built.search_json.get(file.url)))
            index = f'{{"config":{built.search_config},"docs":[{docs}]}}'
            write_file(index.encode("utf-8"), str(Path(config.site_dir) / "search" / "search_index.json"))
        built.order = [page.src_uri for page in pages]
        built.keys = {page.src_uri: page_key(page) for page in pages}
        log.info(
            "deploydocs: preview updated: %d generated page(s) built again, %d added, %d removed, of %d, "
            "in %.2f seconds",
            len(changed),
            len(added),
            len(removed),
            len(pages),
            time.monotonic() - started,
        )
        return True


def _serialized(entries: list[dict[str, Any]]) -> str:
    """Search entries as material's search plugin writes them into its index (``json.dumps`` of the
    list, compact, ``default=str``), without the brackets: pages' parts join with a comma."""
    return ",".join(json.dumps(entry, separators=(",", ":"), default=str) for entry in entries)


def _search_config(search: Any) -> str:
    """The "config" part of material's search index (``SearchIndex.generate_search_index``)."""
    config = {key: search.search_index.config[key] for key in ("lang", "separator", "pipeline", "fields")}
    return json.dumps(config, separators=(",", ":"), default=str)


def _search_plugin(config: MkDocsConfig) -> Any:
    return next((plugin for plugin in config.plugins.values() if hasattr(plugin, "search_index")), None)
