"""Render the site's generated pages as Markdown (with HTML blocks) from Jinja templates.

The output is plain Markdown that any MkDocs theme (or another generator) can build: the plugin
hands it to MkDocs in memory, ``deploydocs export --markdown`` writes it to files. Record text is
never trusted: Jinja autoescapes everything, and free text goes through :mod:`deploydocs.text`.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property
from importlib import resources
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from .api import DEPLOYMENTS_FILE, SERVICES_FILE, deployments_json, services_json
from deploydocs.core.catalog import CHECKLIST, Catalog
from deploydocs.core.evaluate import Evaluation, Progress, item_standing
from deploydocs.core.model import Record
from deploydocs.core.policy import SIGNOFFS_PART
from .portfolio import Portfolio, build_portfolio, history_key
from deploydocs.core.project import Project
from deploydocs.core.registry import Service
from deploydocs.core.rules import RULES
from deploydocs.core.rules.items import ENDED_EARLY
from .text import markdown_text, render_block, render_inline, render_link
from .timeline import timeline_svg

DEPLOYMENTS_INDEX = "deployments/index.md"
SERVICES_INDEX = "services/index.md"
KNOWN_ISSUES = "known-issues.md"
POLICY_PAGE = "reference/policy.md"
RULES_PAGE = "reference/rules.md"
HOME = "index.md"
STYLESHEET = "assets/deploydocs/deploydocs.css"
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
            loader=PackageLoader("deploydocs.site", "templates"),
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
    def _problems_by_file(self) -> dict[str, list]:
        grouped: dict[str, list] = {}
        for problem in self.project.problems:
            grouped.setdefault(problem.file, []).append(problem)
        return grouped

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
                (
                    record.items[item.path],
                    item_standing(record.items[item.path], record, self.project.policy, self.project.as_of),
                )
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
            history=_history_excerpt(view.history, evaluation),
            history_total=len(view.history),
            rollback_target=self.portfolio.rollbacks.get(record.path),
            rolled_back_by=self.portfolio.rolled_back_by.get(record.path),
            problems=self._problems_by_file.get(record.path, []),
        )

    def deployments_index(self) -> Page:
        evaluations = sorted(
            self.project.evaluations.values(),
            key=lambda e: (e.record.service, e.record.environment, history_key(e.record)),
        )
        return self._render("deployments.md.j2", DEPLOYMENTS_INDEX, evaluations=evaluations)

    def _services(self) -> list[Service]:
        registry = self.project.registry
        return sorted(registry.services.values(), key=lambda s: s.id) if registry else []

    def service(self, service: Service) -> Page:
        view = self.portfolio.service(service.id)
        environments = [(term.key, term.title) for term in self.catalog.environments]
        return self._render(
            "service.md.j2",
            service_uri(service.id),
            service=service,
            view=view,
            timeline=Markup(timeline_svg(service.name, view.history, environments)),
        )

    def services_index(self) -> Page:
        return self._render("services.md.j2", SERVICES_INDEX, services=self._services(), portfolio=self.portfolio)

    def home(self) -> Page:
        attention = []
        warnings_by_file: dict[str, list[str]] = {}
        for problem in self.project.warnings:
            warnings_by_file.setdefault(problem.file, []).append(problem.message)
        for evaluation in sorted(self.project.evaluations.values(), key=lambda e: e.record.path):
            notes = list(warnings_by_file.get(evaluation.record.path, []))
            for entry in evaluation.active_waivers:
                notes.append(f"{entry.item.number} {entry.title} is waived until {entry.waiver.expires}")
            for entry in evaluation.record.items.values():
                # A rolled-back or aborted deployment's deferrals never fall due (rules.items.ENDED_EARLY).
                if entry.deferred is not None and entry.state != "done" and evaluation.record.status not in ENDED_EARLY:
                    notes.append(f"{entry.item.number} {entry.title} is deferred to {entry.deferred.follow_up}")
            if not evaluation.meets_status:
                notes.append(f"does not meet its status: {len(evaluation.gaps)} missing")
            if notes:
                attention.append((evaluation, notes))
        environments = [(term.key, term.title) for term in self.catalog.environments]
        names = {service.id: service.name for service in self._services()}
        timelines = [
            (service_id, Markup(timeline_svg(names.get(service_id, service_id), view.history, environments)))
            for service_id, view in self.portfolio.services.items()
        ]
        page = self._render(
            "home.md.j2",
            HOME,
            timelines=timelines,
            service_names=names,
            services=self._services(),
            portfolio=self.portfolio,
            evaluations=list(self.project.evaluations.values()),
            attention=attention,
            known_issues_uri=KNOWN_ISSUES,
            deployments_uri=DEPLOYMENTS_INDEX,
        )
        return Page(page.src_uri, page.content, optional=True)

    def known_issues(self) -> Page:
        return self._render("known-issues.md.j2", KNOWN_ISSUES, issues=self.portfolio.open_issues)

    def policy_page(self) -> Page:
        policy = self.project.policy
        added: dict[str, dict[str, list[str]]] = {}
        for rule in policy.lifecycle:
            added[rule.status] = {}
            for environment in policy.environments:
                parts = [
                    part
                    for part, introduced in policy.required_parts(rule.status, environment)
                    if introduced == rule.status
                ]
                added[rule.status][environment] = [self._part_label(part, environment) for part in parts]
        return self._render("policy.md.j2", POLICY_PAGE, policy=policy, added=added, label=self._part_label)

    def _part_label(self, part: str, environment: str | None = None) -> str:
        if part == SIGNOFFS_PART:
            if environment is None:
                return "sign-offs"
            roles = ", ".join(
                self._term("signoff_roles", role) for role in self.project.policy.required_signoffs(environment)
            )
            return f"sign-offs ({roles})"
        found = self.catalog.find(part)
        if found is None:
            return part
        return f"{found.number}{'.' if '.' not in found.number else ''} {found.title}"

    def rules_page(self) -> Page:
        return self._render("rules.md.j2", RULES_PAGE)

    def pages(self) -> Iterator[Page]:
        """Every generated page and data file, in a stable order.

        One at a time: a caller that keeps only what it needs of each page (the plugin keeps a small
        skeleton) never holds thousands of rendered guides at once.
        """
        for record in self.project.records:
            yield self.guide(self.project.evaluations[record.path])
        for service in self._services():
            yield self.service(service)
        yield self.deployments_index()
        yield self.services_index()
        yield self.known_issues()
        yield self.home()
        yield self.policy_page()
        yield self.rules_page()
        yield Page(DEPLOYMENTS_FILE, deployments_json(self.portfolio))
        yield Page(SERVICES_FILE, services_json(self.portfolio))
        yield self.stylesheet()

    def problem_pages(self) -> Iterator[Page]:
        """While records are broken (`mkdocs serve`, or a draft build): every problem on the home page,
        and the rest of the site from the records that are not broken.

        Broken records are left out entirely: their own values (service, environment, version) are
        not safe to build page paths from until the schema accepts them.
        """
        content = self._render("problems.md.j2", HOME, problems=self.project.problems).content
        if self.project.policy is None or self.project.registry is None:
            stand_ins = [
                Page(uri, content) for uri in (HOME, PROBLEMS_PAGE, DEPLOYMENTS_INDEX, SERVICES_INDEX, KNOWN_ISSUES)
            ]
            yield from [*stand_ins, self.stylesheet()]
            return
        broken = {problem.file for problem in self.project.errors}
        for page in Renderer(self.project.without(broken)).pages():
            yield Page(HOME, content) if page.src_uri == HOME else page
        yield Page(PROBLEMS_PAGE, content)

    @staticmethod
    def stylesheet() -> Page:
        return Page(STYLESHEET, resources.files("deploydocs.site").joinpath("assets/deploydocs.css").read_text("utf-8"))


GUIDE_HISTORY_ROWS = 12


def _history_excerpt(history: list[Evaluation], current: Evaluation) -> list[Evaluation]:
    """Section 12 of a guide: the service's newest deployments, always including this one.

    Bounded, so that every guide does not carry the full history (which would make the site grow
    quadratically with records); the service page has all of it.
    """
    if len(history) <= GUIDE_HISTORY_ROWS:
        return history
    index = next(i for i, e in enumerate(history) if e is current)
    if index < GUIDE_HISTORY_ROWS:
        return history[:GUIDE_HISTORY_ROWS]
    return [*history[: GUIDE_HISTORY_ROWS - 3], *history[index - 1 : index + 2]]


def progress_label(progress: Progress) -> str:
    return f"{progress.done}/{progress.applicable}"
