"""Render the site's generated pages as Markdown (with HTML blocks) from Jinja templates.

The output is plain Markdown that any MkDocs theme (or another generator) can build: the plugin
hands it to MkDocs in memory, ``deploydocs export --markdown`` writes it to files. Record text is
never trusted: Jinja autoescapes everything, and free text goes through :mod:`deploydocs.text`.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from .catalog import CHECKLIST, Catalog
from .evaluate import Evaluation, Progress, item_standing
from .model import Record
from .portfolio import Portfolio, build_portfolio
from .project import Project
from .rules import RULES
from .text import markdown_text, render_block, render_inline, render_link

DEPLOYMENTS_INDEX = "deployments/index.md"
SERVICES_INDEX = "services/index.md"
KNOWN_ISSUES = "known-issues.md"
POLICY_PAGE = "reference/policy.md"
RULES_PAGE = "reference/rules.md"
HOME = "index.md"
PROBLEMS_PAGE = "problems.md"


@dataclass(frozen=True)
class Page:
    """A generated page: where it goes (relative to docs/) and its Markdown."""

    src_uri: str
    content: str
    optional: bool = False  # True: a page of the same name in docs/ wins over this one


def guide_uri(record: Record) -> str:
    return f"deployments/{record.service}/{record.environment}/{record.slug}.md"


def service_uri(service_id: str) -> str:
    return f"services/{service_id}.md"


def relative_link(from_uri: str, to_uri: str) -> str:
    """A Markdown-source-relative link (MkDocs turns ``x.md`` links into page URLs)."""
    return posixpath.relpath(to_uri, posixpath.dirname(from_uri) or ".")


def page_url(from_uri: str, to_uri: str) -> str:
    """A link usable inside raw HTML blocks, where MkDocs does not rewrite ``.md`` links.

    Pages are built with directory URLs: ``a/b.md`` is served at ``a/b/``, ``a/index.md`` at ``a/``.
    """

    def directory(uri: str) -> str:
        stem = uri[: -len(".md")]
        if stem == "index" or stem.endswith("/index"):
            return stem[: -len("index")]
        return stem + "/"

    here = directory(from_uri)
    target = directory(to_uri)
    relative = posixpath.relpath(target or ".", here.rstrip("/") or ".")
    return "./" if relative == "." else relative + "/"


class Renderer:
    """Renders every generated page of a project; one instance per build."""

    def __init__(self, project: Project):
        self.project = project
        self.catalog: Catalog = project.catalog
        self.env = Environment(
            loader=PackageLoader("deploydocs", "templates"),
            autoescape=select_autoescape(default=True, default_for_string=True),
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
        )
        self.env.filters.update(
            md=lambda text: render_block(text) if text else Markup(""),
            md_inline=lambda text: render_inline(str(text)) if text else Markup(""),
            link=render_link,
            mdtext=lambda text: Markup(markdown_text(str(text))),
        )
        self.env.globals.update(
            catalog=self.catalog,
            term=self._term,
            RULES=RULES,
        )

    @cached_property
    def portfolio(self) -> Portfolio:
        return build_portfolio(self.project)

    def _term(self, vocabulary: str, key: str) -> str:
        term = self.catalog.term(vocabulary, key)
        return term.title if term else key

    def _render(self, template: str, uri: str, **context: Any) -> Page:
        def url(target: str) -> str:
            return page_url(uri, target)

        content = self.env.get_template(template).render(
            uri=url,
            guide_uri=guide_uri,
            service_uri=service_uri,
            as_of=self.project.as_of,
            **context,
        )
        return Page(uri, content)

    # Pages ---------------------------------------------------------------------------------------

    def guide(self, evaluation: Evaluation) -> Page:
        record = evaluation.record
        service = self.project.registry.get(record.service) if self.project.registry else None
        view = self.portfolio.service(record.service)
        items_by_subsection = {
            sub.path: [
                (record.items[item.path], item_standing(record.items[item.path], record, self.project.policy, self.project.as_of))
                for item in sub.items
            ]
            for sub in self.catalog.subsections(CHECKLIST)
        }
        return self._render(
            "guide.md.j2",
            guide_uri(record),
            e=evaluation,
            r=record,
            service=service,
            items=items_by_subsection,
            history=view.history,
            rollback_target=self.portfolio.rollbacks.get(record.path),
            rolled_back_by=self.portfolio.rolled_back_by.get(record.path),
            problems=[p for p in self.project.problems if p.file == record.path],
        )

    def deployments_index(self) -> Page:
        evaluations = sorted(
            self.project.evaluations.values(),
            key=lambda e: (e.record.service, e.record.environment, e.record.date or "", e.record.slug),
        )
        return self._render("deployments.md.j2", DEPLOYMENTS_INDEX, evaluations=evaluations)

    def problem_pages(self) -> list[Page]:
        """Under `mkdocs serve` with broken records: one page listing every problem, as the home."""
        page = self._render("problems.md.j2", HOME, problems=self.project.problems)
        return [page, Page(PROBLEMS_PAGE, page.content)]

    def pages(self) -> list[Page]:
        """Every generated page, in a stable order."""
        pages = [self.guide(self.project.evaluations[record.path]) for record in self.project.records]
        pages.append(self.deployments_index())
        return pages


def progress_label(progress: Progress) -> str:
    return f"{progress.done}/{progress.applicable}"
