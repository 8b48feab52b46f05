"""The MkDocs adapter: wires MkDocs events to the core. No rule or page logic lives here."""

from __future__ import annotations

import datetime as dt
import gc
import logging
from collections.abc import Iterator
from pathlib import Path

from jinja2 import Environment
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.livereload import LiveReloadServer
from mkdocs.plugins import BasePlugin, event_priority
from mkdocs.structure.files import File, Files
from mkdocs.structure.nav import Navigation
from mkdocs.structure.pages import Page

from deploydocs.core.cache import RecordCache, cache_key
from deploydocs.core.problems import Severity
from deploydocs.core.project import FileStamps, Settings, default_cache, load_project
from deploydocs.site.prerendered import SplitError, SplitPage, fill, split_page
from deploydocs.site.render import STYLESHEET, Renderer, site_path
from deploydocs.site.render import Page as GeneratedPage

from . import guard
from .config import DeployDocsConfig
from .pagecache import PAGE_STAND_IN, PageCache, PageStore
from .preview import Preview
from .search import install_fast_parser

log = logging.getLogger("mkdocs.plugins.deploydocs")


def _walk_key(src_uri: str) -> tuple:
    """Where MkDocs' own walk of docs/ puts a file: a folder's files (index first) before its subfolders."""
    *folders, name = src_uri.split("/")
    stem = name.rsplit(".", 1)[0]
    return (*((1, folder) for folder in folders), (0, stem not in ("index", "README"), name))


def in_docs_order(files: Files, config: MkDocsConfig) -> Files:
    """Generated pages placed as if they were files in docs/, theme files after them (as MkDocs does).

    The order decides the search index, the sitemap and the default navigation: with it, the site is
    the same as the exported Markdown built by plain MkDocs, byte for byte.
    """
    docs = [file for file in files if file.src_dir in (None, config.docs_dir)]
    others = [file for file in files if file.src_dir not in (None, config.docs_dir)]
    return Files([*sorted(docs, key=lambda file: _walk_key(file.src_uri)), *others])


class DeployDocsPlugin(BasePlugin[DeployDocsConfig]):
    supports_multiple_instances = False

    def __init__(self) -> None:
        self.cache: RecordCache | None = None  # survives rebuilds under `mkdocs serve`
        self.serving = False
        self.split_pages: dict[str, SplitPage] = {}  # generated pages whose HTML blocks skip Markdown
        self.unfilled: dict[str, str] = {}  # a page's skeleton HTML while it is being written
        self.page_store: PageStore | None = None  # survives rebuilds under `mkdocs serve`, like the cache
        self.page_cache: PageCache | None = None
        self.judged: dict = {}  # stage 2 of the pipeline, remembered across `mkdocs serve` rebuilds
        self.stamps = FileStamps()  # `mkdocs serve`: which record files a save can have changed
        self.preview: Preview | None = None  # `mkdocs serve`: updates after a saved record
        self.render_kept: dict = {}  # `mkdocs serve`: records' rows and JSON entries of the last build

    def on_startup(self, *, command: str, dirty: bool) -> None:
        self.serving = command == "serve"
        # Not with --dirty: MkDocs then keeps stale files itself, and the two would not agree.
        self.preview = Preview() if self.serving and not dirty else None

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        # The plugin runs: the guard against engines that skip it (guard.py) is not needed. Also with
        # `enabled: false`, which asks explicitly for the hand-written pages only.
        guard.disarm(config.markdown_extensions, config.mdx_configs)
        if not self.config.enabled:
            return config
        root = Path(config.config_file_path).resolve().parent
        as_of = None
        if self.config.as_of:
            try:
                as_of = dt.date.fromisoformat(self.config.as_of)
            except ValueError:
                raise PluginError(f"deploydocs: as_of `{self.config.as_of}` is not a date (YYYY-MM-DD)") from None
        self.settings = Settings(
            root=root,
            records_dir=self.config.records_dir,
            registry=self.config.registry,
            people=self.config.people,
            policy=self.config.policy,
            as_of=as_of,
            cache_dir=self.config.cache_dir or None,
        )
        if self.cache is None or self.cache.folder != (root / self.config.cache_dir if self.config.cache_dir else None):
            self.cache = default_cache(self.settings)
            # Keep records in memory only to serve rebuilds; a one-off build frees them after loading.
            self.cache.in_memory = self.serving
        folder = root / self.config.cache_dir if self.config.cache_dir else None
        if not self.config.page_cache:
            self.page_store = None
        elif self.page_store is None or self.page_store.folder != folder:
            self.page_store = PageStore(folder, cache_key() if folder is not None else None)
        if self.page_store is not None:
            self.page_store.in_memory = self.serving  # like the record cache: only to serve rebuilds
        self.page_cache = PageCache(self.page_store) if self.page_store is not None else None
        if self.config.fast_search_index:
            install_fast_parser(config)  # after the search plugin's on_config: it is listed first
        if STYLESHEET not in config.extra_css:
            config.extra_css.append(STYLESHEET)
        return config

    # Runs before other plugins' on_files (default priority 0) so that they, e.g. the search and
    # tags plugins, see the generated pages like any other page.
    @event_priority(50)
    def on_files(self, files: Files, *, config: MkDocsConfig) -> Files:
        if not self.config.enabled:
            return files
        if self.preview is not None:
            self.preview.start()
        self.split_pages = {}
        if self.page_cache is not None:
            self.page_cache.start(config)
        for page in self._generated_pages(config):
            existing = files.get_file_from_path(page.src_uri)
            if existing is not None:
                if page.optional:
                    continue  # the docs folder has its own version of this page: keep it
                files.remove(existing)
            if self.preview is not None:
                self.preview.page(page)
            files.append(File.generated(config, page.src_uri, content=self._hand_over(page)))
        if self.page_cache is not None:
            log.info(
                "deploydocs: %d of %d generated page(s) from the page cache",
                len(self.page_cache.hits),
                len(self.page_cache.hits) + len(self.page_cache.misses),
            )
        files = in_docs_order(files, config)
        if self.preview is not None:
            self.preview.files_ready(files)
        else:
            self._freeze_long_lived()
        return files

    @staticmethod
    def _freeze_long_lived() -> None:
        """Leave what lives to the end of a one-off build out of later garbage collections.

        The loaded records and the pages' parts (millions of objects at 1,000 records) stay until
        the build ends, and every full collection walked them again: about 2 s of a 1,000-record
        build, measured with benchmarks/phase_hook.py. Nothing is lost: a one-off build's process
        ends after it. (`mkdocs serve` freezes after each full build instead: preview.py.)

        Collected first: the renderer is garbage by now, in a cycle with its templates' globals, and
        it holds the big pages' parts (about 100 MB at 1,000 records). Only what was made since the
        records were frozen is walked (_generated_pages).
        """
        gc.collect()
        gc.freeze()

    def _generated_pages(self, config: MkDocsConfig) -> Iterator[GeneratedPage]:
        """The records loaded and checked, and the pages made of them (the problems page while a
        record has an error)."""
        misses_before = self.cache.misses
        if self.serving:
            project = load_project(self.settings, self.cache, self.judged, self.stamps)
        else:
            # Loading makes the records, which stay to the end of the build, and next to no garbage:
            # no collection while they are made, then they are frozen without one. (A collection
            # here found 283 small objects of a warm build at 1,000 records, in 0.17 s of a 2.6 s build.)
            gc.disable()
            try:
                project = load_project(self.settings, self.cache)
            finally:
                gc.enable()
            gc.freeze()
        log.info(
            "deploydocs: %d record(s), %d read and checked anew, %d error(s), %d warning(s)",
            project.files_checked,
            self.cache.misses - misses_before,
            len(project.errors),
            len(project.warnings),
        )
        errors = project.errors
        for problem in project.problems:
            if problem.severity is Severity.WARNING:
                # Warnings are informational: they must not fail `mkdocs build --strict`.
                log.info("deploydocs: %s", problem.format())
        if errors:
            if self.config.fail_on_problems and not self.serving:
                for problem in errors:
                    log.error(problem.format())
                raise PluginError(
                    f"deploydocs: {len(errors)} problem(s) in {len({p.file for p in errors})} file(s); "
                    "nothing was published. Fix them, or run `deploydocs check` for the same list."
                )
            # Shown, not fatal: the preview (or a local draft build) keeps running. (`make build`
            # passes --strict; mkdocs.yml does not set it, so `mkdocs serve` is not strict.)
            for problem in errors:
                log.warning("deploydocs: %s", problem.format())
        parts = self.page_cache if self.page_cache is not None and not self.serving else None
        kept = parts.store.get_parts(parts.fingerprint) if parts is not None else self.render_kept
        renderer = Renderer(project, site_path(config.site_url), kept)
        yield from renderer.problem_pages() if errors else renderer.pages()
        # The next build (or rebuild, under serve) renders only the records that changed.
        if errors:
            return  # the problem pages leave the broken records out: keep the last good build's parts
        if self.serving:
            self.render_kept = renderer.parts_to_keep()
        elif parts is not None and (to_keep := renderer.parts_to_keep()) != kept:
            parts.store.put_parts(parts.fingerprint, to_keep)

    def _hand_over(self, page: GeneratedPage) -> str:
        """What MkDocs reads for a generated page: a stand-in when its HTML comes from the page cache,
        else its Markdown, cut to a skeleton when it has HTML blocks (prerendered.py)."""
        self.split_pages.pop(page.src_uri, None)
        if self.page_cache is not None and page.src_uri.endswith(".md"):
            # A guide is looked up by its inputs, before it is rendered; other pages by their Markdown.
            cached = self.page_cache.lookup(page.src_uri, page.inputs or page.content, by_inputs=bool(page.inputs))
            if cached is not None:
                return PAGE_STAND_IN  # MkDocs gets a stand-in to read, not to convert
        content = page.content
        if page.src_uri.endswith(".md"):
            try:
                split = split_page(content)
            except SplitError as error:  # never publish a page cut in the wrong place
                raise PluginError(f"deploydocs: {page.src_uri}: {error}") from None
            if split.count:
                self.split_pages[page.src_uri] = split
                content = split.skeleton
        return content

    def on_nav(self, nav: Navigation, *, config: MkDocsConfig, files: Files) -> Navigation:
        if self.preview is not None:
            self.preview.nav_ready(nav)
        return nav

    def on_page_markdown(self, markdown: str, *, page: Page, config: MkDocsConfig, files: Files) -> str:
        if self.page_cache is not None:
            self.page_cache.skip_rendering(page)
        return markdown

    def on_env(self, env: Environment, *, config: MkDocsConfig, files: Files) -> Environment:
        if self.page_cache is not None:
            self.page_cache.add_template(env)
        if self.preview is not None:
            self.preview.env_ready(env)
        return env

    def on_page_content(self, html: str, *, page: Page, config: MkDocsConfig, files: Files) -> str:
        split = self.split_pages.get(page.file.src_uri)
        if split is not None and page.present_anchor_ids is not None:
            # MkDocs saw only the skeleton: tell its anchor check about the ids inside the blocks.
            page.present_anchor_ids |= split.anchor_ids
        return html

    # Before every other plugin's on_page_context (the search plugin's is at 0), so that they and the
    # theme see the whole page.
    @event_priority(100)
    def on_page_context(self, context: dict, *, page: Page, config: MkDocsConfig, nav: Navigation) -> dict:
        split = self.split_pages.get(page.file.src_uri)
        if split is not None and page.content is not None:
            try:
                filled = fill(page.content, split)
            except ValueError as error:
                raise PluginError(
                    f"deploydocs: {page.file.src_uri}: {error}. Another plugin changed this generated page's HTML "
                    "in on_page_content; it sees placeholder comments there, not the tables. Move that plugin's "
                    "work to on_page_context (priority below 100) or on_post_page, or make it skip the generated pages."
                ) from None
            self.unfilled[page.file.src_uri] = page.content
            page.content = filled
        if self.page_cache is not None:
            self.page_cache.before_search(page, context)
        return context

    # After every other plugin's on_post_page: the page is written, so its full HTML can leave
    # memory (MkDocs keeps every page's content to the end of the build; for 5,000 guides that is
    # most of the build's memory).
    @event_priority(-100)
    def on_post_page(self, output: str, *, page: Page, config: MkDocsConfig) -> str:
        unfilled = self.unfilled.pop(page.file.src_uri, None)
        if unfilled is not None:
            page.content = unfilled
        if self.page_cache is not None:
            output = self.page_cache.written(page, output)
        return output

    # Last: every other plugin has finished with the build that is remembered.
    @event_priority(-100)
    def on_post_build(self, *, config: MkDocsConfig) -> None:
        if self.preview is not None:
            self.preview.finished(config)

    def on_serve(self, server: LiveReloadServer, *, config: MkDocsConfig, builder) -> LiveReloadServer:  # noqa: ANN001
        # records/ lies outside docs/: watch it so an edit rebuilds the site.
        server.watch(str(self.settings.root / self.settings.records_dir))
        if self.settings.policy:
            server.watch(str(self.settings.root / self.settings.policy))
        if self.preview is not None:
            # The build loop calls `server.builder` on every change (MkDocs 1.6): an update when
            # only records changed, MkDocs' full build otherwise (preview.py).
            server.builder = self.preview.builder(builder, self._update_preview)
        return server

    def _update_preview(self, built) -> bool:  # noqa: ANN001
        if not self.preview.can_update(built):
            return False
        # An optional page the last build left to docs/ stays docs/' own (a docs/ change means a full build).
        pages = [
            page for page in self._generated_pages(built.config) if not page.optional or page.src_uri in built.keys
        ]
        return bool(pages) and self.preview.update(
            built, pages, self._hand_over, lambda files: in_docs_order(files, built.config)
        )
