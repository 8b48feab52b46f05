"""Render the site's generated pages as Markdown (with HTML blocks) from Jinja templates.

The output is plain Markdown that any MkDocs theme (or another generator) can build: the plugin
hands it to MkDocs in memory, ``deploydocs export --markdown`` writes it to files. Record text is
never trusted: Jinja autoescapes everything, and free text goes through :mod:`deploydocs.text`.
"""

from __future__ import annotations

import hashlib
import posixpath
import re
from collections.abc import Callable, Iterator
from functools import cached_property, lru_cache
from importlib import resources
from typing import Any
from urllib.parse import quote, urlsplit

from jinja2 import BytecodeCache, Environment, PackageLoader, StrictUndefined, select_autoescape
from jinja2.bccache import Bucket
from jinja2.compiler import CodeGenerator, Frame
from jinja2.nodes import Expr
from markupsafe import Markup

from deploydocs.core.catalog import CHECKLIST, Catalog
from deploydocs.core.evaluate import Evaluation, Progress, item_standing
from deploydocs.core.model import Record
from deploydocs.core.people import signoff_standing
from deploydocs.core.policy import SIGNOFFS_PART
from deploydocs.core.project import Project
from deploydocs.core.registry import Service
from deploydocs.core.rules import ATTENTION_RULES, RULE_GROUPS, RULES
from deploydocs.core.rules.items import ENDED_EARLY

from .api import DEPLOYMENTS_FILE, SERVICES_FILE, deployment_json, deployments_json, services_json
from .portfolio import Portfolio, ServiceView, build_portfolio, history_key
from .text import block_safe, front_matter_value, html_text, markdown_text, render_block, render_inline, render_link
from .timeline import timeline_legend, timeline_svg

DEPLOYMENTS_INDEX = "deployments/index.md"
SERVICES_INDEX = "services/index.md"
KNOWN_ISSUES = "known-issues.md"
POLICY_PAGE = "reference/policy.md"
RULES_PAGE = "reference/rules.md"
HOME = "index.md"
STYLESHEET = "assets/deploydocs/deploydocs.css"
PROBLEMS_PAGE = "problems.md"


class Page:
    """A generated page: where it goes (relative to docs/) and its Markdown.

    ``content`` may be given as a function, rendered on first use. ``inputs`` is then a digest of
    everything that content depends on, so a caller holding the page from an earlier build can skip
    rendering it (the plugin's page cache).
    """

    __slots__ = ("src_uri", "_content", "optional", "inputs")

    def __init__(
        self, src_uri: str, content: str | Callable[[], str], optional: bool = False, inputs: str | None = None
    ) -> None:
        self.src_uri = src_uri
        self._content = content
        self.optional = optional  # True: a page of the same name in docs/ wins over this one
        self.inputs = inputs

    @property
    def content(self) -> str:
        if callable(self._content):
            self._content = self._content()
        return self._content


def guide_uri(record: Record) -> str:
    return f"deployments/{record.service}/{record.environment}/{record.slug}.md"


def service_uri(service_id: str) -> str:
    return f"services/{service_id}.md"


def relative_link(from_uri: str, to_uri: str) -> str:
    """A Markdown-source-relative link (MkDocs turns ``x.md`` links into page URLs)."""
    return posixpath.relpath(to_uri, posixpath.dirname(from_uri) or ".")


def site_path(site_url: str | None) -> str:
    """The path at which the site is served: that of ``site_url`` ("/" when unset), ending in "/"."""
    path = urlsplit(site_url or "").path or "/"
    return path if path.endswith("/") else path + "/"


def page_url(to_uri: str, base: str = "/") -> str:
    """A link to a page, usable inside raw HTML blocks: root-relative, under ``base`` (:func:`site_path`).

    Pages are built with directory URLs: ``a/b.md`` is served at ``a/b/``, ``a/index.md`` at ``a/``.
    Root-relative, because MkDocs and Zensical agree on no relative link inside raw HTML: MkDocs
    leaves them as written (so they are relative to the page's URL, ``a/b/``), Zensical rewrites them
    as if they were relative to the page's source file (``a/``); both leave ``/path/`` alone.
    docs/architecture.md ("Leaving MkDocs") says what this costs.
    """
    stem = to_uri[: -len(".md")]
    directory = stem[: -len("index")] if stem == "index" or stem.endswith("/index") else stem + "/"
    return base + quote(directory)


class _CompiledTemplates(BytecodeCache):
    """The templates' compiled code, kept in memory for the life of the process. A renderer is made
    per build, and compiling the templates again would cost every `mkdocs serve` update ~0.1 s. Jinja
    keys each entry by the template's name and a checksum of its source."""

    def __init__(self) -> None:
        self.code: dict[str, bytes] = {}

    def load_bytecode(self, bucket: Bucket) -> None:
        if bucket.key in self.code:
            bucket.bytecode_from_string(self.code[bucket.key])

    def dump_bytecode(self, bucket: Bucket) -> None:
        self.code[bucket.key] = bucket.bytecode_to_string()


_COMPILED = _CompiledTemplates()


class _FinalizedOutput(CodeGenerator):
    """Jinja's code, but a `{{ }}` in an autoescaped template writes ``finalize(value)`` instead of
    ``escape(finalize(value))``: our finalize, :func:`_output`, always returns Markup (it is where
    values are escaped), so Jinja's escape would only copy that Markup. It was a fifth of the time a
    guide takes to render. Elsewhere (no finalize, no autoescape, or an ``{% autoescape %}`` block
    deciding at run time) Jinja's own code is kept."""

    def _finalized(self, frame: Frame, finalize: Any) -> bool:
        return finalize.src is not None and not frame.eval_ctx.volatile and bool(frame.eval_ctx.autoescape)

    def _output_child_pre(self, node: Expr, frame: Frame, finalize: Any) -> None:
        if self._finalized(frame, finalize):
            self.write(finalize.src)
        else:
            super()._output_child_pre(node, frame, finalize)

    def _output_child_post(self, node: Expr, frame: Frame, finalize: Any) -> None:
        if self._finalized(frame, finalize):
            self.write(")")
        else:
            super()._output_child_post(node, frame, finalize)


class _Environment(Environment):
    code_generator_class = _FinalizedOutput


# Macros of _macros.j2 whose HTML is a function of their arguments alone (hashable values: a
# Progress, a catalog item, text), which guides call many times with the same arguments (a bar per
# section, a row start per item and standing): templates call them as `cached.bar(...)`, rendered
# once per build and arguments. They read no context and no global that varies within a build
# (_macros.j2 says so at each of them).
_PURE_MACROS = ("bar", "item_row_start")
_CACHED_CALLS = 1 << 13  # per macro and build: a guide has some 70 bars; most repeat across records


class _CachedMacros:
    """Memoized calls of some macros, as attributes: ``cached.bar(progress, label)``. The macros'
    template is loaded on first use: a build whose pages all come from the page cache needs none."""

    def __init__(self, env: Environment, names: tuple[str, ...]) -> None:
        self._env = env
        self._names = names

    def __getattr__(self, name: str) -> Any:  # only for attributes not set yet
        if name not in self._names:
            raise AttributeError(name)
        module = self._env.get_template("_macros.j2").module
        for each in self._names:
            macro = getattr(module, each)
            setattr(self, each, lru_cache(maxsize=_CACHED_CALLS)(lambda *args, macro=macro: macro(*args)))
        return getattr(self, name)


class Renderer:
    """Renders every generated page of a project; one instance per build."""

    def __init__(self, project: Project, base: str = "/", kept: dict[tuple[str, str], Any] | None = None):
        self.project = project
        self.base = base  # the site's path, for links between pages (page_url)
        # Records' parts of the big pages, by key: from the previous build (`mkdocs serve`), and this one's.
        self._earlier = kept or {}
        self.kept: dict[tuple[str, str], Any] = {}
        self._record_keys: dict[str, str] = {}
        self.catalog: Catalog = project.catalog
        self._notes_by_status: dict[tuple[str, str], dict[str, str]] = {}  # _requirement_notes
        self.env = _Environment(
            loader=PackageLoader("deploydocs.site", "templates"),
            autoescape=select_autoescape(default=True, default_for_string=True),
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
            # Every `{{ }}` goes through one function: see _output.
            finalize=_output,
            bytecode_cache=_COMPILED,
        )
        self.env.filters.update(
            md=lambda text: render_block(text) if text else Markup(""),
            md_inline=lambda text: render_inline(str(text)) if text else Markup(""),
            link=render_link,
            mdtext=lambda text: Markup(markdown_text(str(text))),
            front_matter=front_matter_value,
            nobreak=nobreak,
        )
        self.env.globals.update(
            catalog=self.catalog,
            term=self._term,
            RULES=RULES,
            RULE_GROUPS=RULE_GROUPS,
            item_anchor=item_anchor,
            timeline_legend=Markup(timeline_legend()),
            signoff_standing=lambda signoff, e: signoff_standing(signoff, e.stale_roles, project.people),
        )
        self.env.globals["cached"] = _CachedMacros(self.env, _PURE_MACROS)
        self.env.globals["cached_history_cells"] = self._history_cells
        self._history_rows: dict[tuple[str, bool], Markup] = {}

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

    @cached_property
    def _macros(self) -> Any:
        """_macros.j2 with the context every page has (links), for macros called from Python."""
        return self.env.get_template("_macros.j2").make_module(self._template_context())

    def _history_cells(self, evaluation: Evaluation, show_service: bool) -> Markup:
        """A history row's cells (_macros.j2 ``history_cells``), once per build, record and layout:
        each record's row is in a dozen guides' excerpts. Its evaluation is the same in all of them
        (one per record path and build)."""
        key = (evaluation.record.path, bool(show_service))
        cells = self._history_rows.get(key)
        if cells is None:
            cells = self._history_rows[key] = self._macros.history_cells(evaluation, show_service)
        return cells

    def _template_context(self) -> dict[str, Any]:
        def url(target: str) -> str:
            return page_url(target, self.base)

        return {"uri": url, "guide_uri": guide_uri, "service_uri": service_uri, "as_of": self.project.as_of}

    def _render(self, template: str, uri: str, **context: Any) -> Page:
        content = self.env.get_template(template).render(**self._template_context(), **context)
        return Page(uri, content)

    # Pages ---------------------------------------------------------------------------------------

    @cached_property
    def _context(self) -> str:
        # The fingerprint the project was judged in, not one read again now: the setup files may
        # have changed since, and the pages must be keyed by what they were made from.
        return self.project.context

    @cached_property
    def _record_digests(self) -> dict[str, str]:
        """A digest of each record's path and text: once per build."""
        return {
            record.path: hashlib.sha256(
                f"{record.path}\0".encode() + record.document.text.encode("utf-8", "surrogatepass")
            ).hexdigest()
            for record in self.project.records
        }

    def _guide_view(self, evaluation: Evaluation) -> dict[str, Any]:
        """What a guide shows of other records: its history excerpt and its rollback links."""
        record = evaluation.record
        return {
            "history": _history_excerpt(self.portfolio.service(record.service).history, evaluation),
            "rollback_target": self.portfolio.rollbacks.get(record.path),
            "rolled_back_by": self.portfolio.rolled_back_by.get(record.path),
        }

    def guide_inputs(self, evaluation: Evaluation) -> str:
        """A digest of everything :meth:`guide` reads: the context (package, schema, policy, registry,
        people, date), the base of links, the record itself, the records its guide shows (history
        excerpt, rollbacks: their evaluations are theirs and the context's alone) and the record's
        problems, which include what the rules across records found.

        Only those records, not the whole service: an edit then re-renders the edited record's guide
        and the few guides whose excerpt shows it, however long the service's history is.
        """
        record = evaluation.record
        view = self._guide_view(evaluation)
        shown = [e.record for e in view["history"]]
        shown += [other for other in (view["rollback_target"], view["rolled_back_by"]) if other is not None]
        digest = hashlib.sha256(f"guide\0{guide_uri(record)}\0{self._record_key(record)}".encode())
        for other in shown:
            digest.update(f"\0{self._record_digests[other.path]}".encode())
        return digest.hexdigest()

    def portfolio_inputs(self, uri: str) -> str:
        """A digest of everything a page about every record reads (:attr:`_portfolio_digest`), for
        the page at ``uri``."""
        return hashlib.sha256(f"portfolio\0{uri}\0{self._portfolio_digest}".encode()).hexdigest()

    @cached_property
    def _portfolio_digest(self) -> str:
        """The context (package, schema, policy, registry, people, date), the base of links, every
        record's text and problems in the project's order, and every problem about no loaded record
        (the registry, the policy, stray files): once per build, for all the pages that read it."""
        digest = hashlib.sha256(f"{self._context}\0{self.base}".encode())
        for record in self.project.records:
            digest.update(f"\0{self._record_key(record)}".encode())
        records = {record.path for record in self.project.records}
        for problem in self.project.problems:
            if problem.file not in records:
                digest.update(f"\0{problem.severity.value}\0{problem.format()}".encode("utf-8", "surrogatepass"))
        return digest.hexdigest()

    def service_inputs(self, service: Service) -> str:
        """A digest of everything :meth:`service` reads: the context (the registry's entry is in it),
        the base of links, and the service's records in the order of its history (its live versions,
        known issues and timeline come from them)."""
        return "service:" + self._history_key(service.id, service.name)

    def lazy_service(self, service: Service) -> Page:
        """The service page rendered on first use, with its inputs' digest."""
        return Page(service_uri(service.id), lambda: self.service(service).content, inputs=self.service_inputs(service))

    def lazy_guide(self, evaluation: Evaluation) -> Page:
        """The guide as a page rendered on first use, with its inputs' digest."""
        return Page(
            guide_uri(evaluation.record),
            lambda: self.guide(evaluation).content,
            inputs=self.guide_inputs(evaluation),
        )

    def guide(self, evaluation: Evaluation) -> Page:
        record = evaluation.record
        service = self.project.registry.get(record.service) if self.project.registry else None
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
            **self._guide_view(evaluation),
            notes=reader_notes(self._problems_by_file.get(record.path, [])),
            required=self._requirement_notes(record),
        )

    def _requirement_notes(self, record: Record) -> dict[str, str]:
        """Per checklist subsection and section: why its items do not count yet, in plain words —
        "not required in Development" (the policy never requires it there) or "required from Verified"
        (a later status needs it). Absent: the claimed status already requires it.

        A function of the record's status and environment: worked out once per build for each pair
        (the guides only read it)."""
        key = (record.status, record.environment)
        if key not in self._notes_by_status:
            self._notes_by_status[key] = self._requirement_notes_of(record)
        return self._notes_by_status[key]

    def _requirement_notes_of(self, record: Record) -> dict[str, str]:
        policy = self.project.policy
        main_line = [rule.status for rule in policy.lifecycle if rule.inherits is None]
        try:
            every = policy.required_parts(main_line[-1], record.environment)
            claimed = {part for part, _ in policy.required_parts(record.status, record.environment)}
        except (KeyError, IndexError):  # unknown status or environment: the schema reports it
            return {}
        environment = self._term("environments", record.environment)
        notes: dict[str, str] = {}
        for section in self.catalog.checklist_sections:
            for sub in section.subsections:
                covering = [
                    (part, status)
                    for part, status in every
                    if sub.path == part or sub.path.startswith(part + ".") or part.startswith(sub.path + ".")
                ]
                if not covering or policy.never_required(sub.path, record.environment):
                    notes[sub.path] = f"not required in {environment}"
                elif not any(part in claimed for part, _ in covering):
                    notes[sub.path] = f"required from {self._term('statuses', covering[0][1])}"
            found = {notes.get(sub.path) for sub in section.subsections}
            if len(found) == 1 and None not in found:
                notes[section.key] = found.pop()
        return notes

    def deployments_index(self) -> Page:
        evaluations = sorted(
            self.project.evaluations.values(),
            key=lambda e: (e.record.service, e.record.environment, history_key(e.record)),
        )
        row = self.env.get_template("deployment_row.j2")

        def render_row(evaluation: Evaluation) -> Markup:
            return Markup(row.render(e=evaluation, **self._template_context()).rstrip("\n"))

        rows = [
            self._kept(("deployment-row", self._record_key(e.record)), lambda e=e: render_row(e)) for e in evaluations
        ]
        return self._render("deployments.md.j2", DEPLOYMENTS_INDEX, rows=rows)

    def _record_key(self, record: Record) -> str:
        """A digest of what a record's own views depend on: the context, the base of links, its text
        and its problems (which hold what the rules across records found). Once per record and build."""
        key = self._record_keys.get(record.path)
        if key is None:
            digest = hashlib.sha256(f"{self._context}\0{self.base}\0{self._record_digests[record.path]}".encode())
            for problem in self._problems_by_file.get(record.path, []):
                digest.update(f"\0{problem.severity.value}\0{problem.format()}".encode("utf-8", "surrogatepass"))
            key = self._record_keys[record.path] = digest.hexdigest()
        return key

    def _history_key(self, service_id: str, name: str) -> str:
        """A digest of what a service's views depend on: the context, the base of links, its name and
        its records' text in the order of its history."""
        digest = hashlib.sha256(f"{self._context}\0{self.base}\0{service_id}\0{name}".encode())
        for evaluation in self.portfolio.service(service_id).history:
            digest.update(f"\0{self._record_digests[evaluation.record.path]}".encode())
        return digest.hexdigest()

    def _kept(self, key: tuple[str, str], make: Callable[[], Any]) -> Any:
        """A part of a big page (a record's row or JSON entry, a service's timeline): from the previous
        build when its key is the same (``kept``, under `mkdocs serve`), else made. What this build
        used is in ``self.kept``."""
        value = self._earlier.get(key)
        if value is None:
            value = make()
        self.kept[key] = value
        return value

    def parts_to_keep(self) -> dict[tuple[str, str], Any]:
        """What the next build can reuse: the parts this build used, and the earlier ones it did not
        need (their page came from a cache) that still match a record or service as it is now.
        Parts of edited or removed records are dropped, so the set does not grow with every edit."""
        current = {self._record_key(record) for record in self.project.records}
        names = self._service_names
        current |= {self._history_key(sid, names.get(sid, sid)) for sid in self.portfolio.services}
        kept = dict(self.kept)
        for key, value in self._earlier.items():
            if key not in kept and key[1] in current:
                kept[key] = value
        return kept

    @cached_property
    def _service_names(self) -> dict[str, str]:
        """Each registered service's name by id (a service outside the registry goes by its id)."""
        return {service.id: service.name for service in self._services()}

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
        warnings_by_file: dict[str, list] = {}
        for problem in self.project.warnings:
            warnings_by_file.setdefault(problem.file, []).append(problem)
        for evaluation in sorted(self.project.evaluations.values(), key=lambda e: e.record.path):
            notes = [*evaluation.attention, *reader_notes(warnings_by_file.get(evaluation.record.path, []))]
            for entry in evaluation.active_waivers:
                notes.append(f"{entry.item.number} {entry.title} is waived until {entry.waiver.expires}")
            for entry in evaluation.record.items.values():
                # A rolled-back or aborted deployment's deferrals never fall due (rules.items.ENDED_EARLY).
                if entry.deferred is not None and entry.state != "done" and evaluation.record.status not in ENDED_EARLY:
                    notes.append(f"{entry.item.number} {entry.title} is deferred to {entry.deferred.follow_up}")
            if not evaluation.meets_status:
                status = self._term("statuses", evaluation.record.status)
                notes.append(f"{len(evaluation.gaps)} item(s) or sign-off(s) missing for what {status} requires")
            if notes:
                attention.append((evaluation, notes))
        environments = [(term.key, term.title) for term in self.catalog.environments]
        names = self._service_names
        figure = self.env.get_template("home_timeline.j2")

        def timeline(service_id: str, view: ServiceView) -> Markup:
            svg = Markup(timeline_svg(names.get(service_id, service_id), view.history, environments))
            context = {**self._template_context(), "portfolio": self.portfolio, "service_names": names}
            return Markup(figure.render(service_id=service_id, svg=svg, **context).rstrip("\n"))

        timelines = [
            self._kept(
                ("home-timeline", self._history_key(service_id, names.get(service_id, service_id))),
                lambda service_id=service_id, view=view: timeline(service_id, view),
            )
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
            yield self.lazy_guide(self.project.evaluations[record.path])
        for service in self._services():
            yield self.lazy_service(service)
        # The pages about every record: looked up by their inputs, like guides, before they are rendered.
        for uri, render in (
            (DEPLOYMENTS_INDEX, self.deployments_index),
            (SERVICES_INDEX, self.services_index),
            (KNOWN_ISSUES, self.known_issues),
            (HOME, self.home),
        ):
            yield Page(uri, lambda render=render: render().content, inputs=self.portfolio_inputs(uri))
        # Looked up by their Markdown: they change with few of the inputs in the context (the policy,
        # the package), so a new registry or date still finds them in the page cache.
        yield self.policy_page()
        yield self.rules_page()
        yield Page(
            DEPLOYMENTS_FILE,
            deployments_json(
                self.portfolio,
                lambda e: self._kept(("deployment-json", self._record_key(e.record)), lambda: deployment_json(e)),
            ),
        )
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
        rest = Renderer(self.project.without(broken), self.base, self._earlier)
        rest.kept = self.kept
        for page in rest.pages():
            yield Page(HOME, content) if page.src_uri == HOME else page
        yield Page(PROBLEMS_PAGE, content)

    @staticmethod
    def stylesheet() -> Page:
        return Page(STYLESHEET, resources.files("deploydocs.site").joinpath("assets/deploydocs.css").read_text("utf-8"))


def _output(value: Any) -> Markup:
    """What every `{{ }}` of the templates writes: one way for a value to reach a page.

    Text is escaped by :func:`text.html_text` (HTML-escaped, no line break, tab or control character),
    so no value can end an HTML block of the page (see prerendered.py) or hide a character the
    site's Markdown parser would rewrite. Markup (our filters' and macros' output, already escaped)
    keeps its own line breaks, but never a blank line or a carriage return.

    Always Markup: the templates' compiled code writes what this returns as it is (_FinalizedOutput).
    """
    if type(value) is Markup:  # the most common case after text: no copy
        return block_safe(value)
    if hasattr(value, "__html__"):
        return block_safe(Markup(value.__html__()))
    return html_text(value)  # text, and anything else as its text (a person: "name (role)")


GUIDE_HISTORY_ROWS = 12
GUIDE_HISTORY_NEWER = 5  # of those rows, at most this many newer than the guide's own deployment


def _history_excerpt(history: list[Evaluation], current: Evaluation) -> list[Evaluation]:
    """Section 12 of a guide: the deployments around this one in the service's history (newest
    first), ``GUIDE_HISTORY_ROWS`` rows with up to ``GUIDE_HISTORY_NEWER`` newer ones; the service
    page has all of them.

    A window around the record, not the service's latest deployments: a record then appears in the
    excerpts of its dozen neighbours only, so the site grows linearly with records and an edit
    changes a bounded number of guides (``guide_inputs``), however long the history is.
    """
    index = next(i for i, e in enumerate(history) if e is current)
    start = max(0, min(index - GUIDE_HISTORY_NEWER, len(history) - GUIDE_HISTORY_ROWS))
    return history[start : start + GUIDE_HISTORY_ROWS]


# Dates, versions and hyphenated ids (KI-IDENTITY-1, DEPLOY-FINANCE-SERVICE-3.1.0): words a browser
# would otherwise break at a hyphen.
_UNBREAKABLE = re.compile(r"\b(?:\d{4}-\d{2}-\d{2}|[A-Za-z0-9]+(?:[-.][A-Za-z0-9]+)*-[A-Za-z0-9.]*[A-Za-z0-9])\b")
_TAG = re.compile(r"(<[^>]*>)")


def nobreak(html: str) -> Markup:
    """Keep dates, versions and ids in already-escaped HTML on one line (text between tags only, so
    no attribute is touched; what is wrapped holds no character that needs escaping)."""
    parts = _TAG.split(str(html))
    for index in range(0, len(parts), 2):
        parts[index] = _UNBREAKABLE.sub(lambda m: f'<span class="dd-nw">{m.group(0)}</span>', parts[index])
    return Markup("".join(parts))


def item_anchor(item: Any) -> str:
    """The id of a checklist item's row on its guide (what "missing" lists link to)."""
    return "item-" + item.path.replace(".", "-").replace("_", "-")


def reader_notes(problems: list) -> list[str]:
    """What readers see of a record's warnings: the message alone. The location, rule id and fix are
    for authors (`deploydocs check`); findings that reach readers in plain words through
    ``evaluation.attention`` are left out here, as that note is shown instead."""
    return [problem.message for problem in problems if problem.rule not in ATTENTION_RULES]


def progress_label(progress: Progress) -> str:
    return f"{progress.done}/{progress.applicable}"
