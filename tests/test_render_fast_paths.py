"""The guide renderer's fast paths write exactly what the plain ones would.

Rendering a guide skips Jinja's escape around the templates' finalize (``render._FinalizedOutput``)
and remembers escaped texts, rendered Markdown and pure macros (``text._escaped``,
``text.render_block``, ``text.render_inline``, ``render._CachedMacros``). Each is checked here
against the way without it, on generated values; the site baseline (test_site_identity.py) checks
the pages themselves.
"""

from __future__ import annotations

import datetime as dt
import html

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from jinja2 import Environment, select_autoescape
from markupsafe import Markup, escape

from deploydocs.core.cache import RecordCache
from deploydocs.core.catalog import CHECKLIST
from deploydocs.core.evaluate import Progress
from deploydocs.core.project import Settings, load_project
from deploydocs.site import render as render_module
from deploydocs.site.render import Renderer, _Environment, _output
from deploydocs.site.text import block_safe, page_safe, render_block, render_inline

from repo_support import REPO

# Text with what escaping and page_safe must handle: markup, quotes, line breaks, blank lines,
# carriage returns, tabs, controls, separators, lone surrogates.
TEXT = st.text(st.sampled_from(list("a <>&\"'`*_[]()#\n\r\t\x00\x1b\x85\u2028\ud800\ufffe-.1")) | st.characters())
VALUE = TEXT | TEXT.map(Markup) | st.integers() | st.booleans() | st.none() | st.dates() | st.lists(TEXT, max_size=3)


def _plain_output(value: object) -> Markup:
    """The templates' output as it was before any fast path: Jinja's escape around the finalize."""
    if hasattr(value, "__html__"):
        return escape(block_safe(Markup(value.__html__())))
    return escape(Markup(page_safe(html.escape(str(value), quote=True))))


@given(VALUE)
def test_the_output_is_escaped_markup_equal_to_the_plain_path(value: object) -> None:
    first, again = _output(value), _output(value)  # again: from the cache of escaped texts
    assert type(first) is Markup
    assert first == again == _plain_output(value)


SOURCE = (
    "{{ a }}|{{ b }}|{{ a ~ b }}|{{ a | upper }}|{{ n }}|{% for x in [a, b] %}[{{ x }}]{% endfor %}"
    "{% macro m(v) %}<{{ v }}>{% endmacro %}{{ m(a) }}|{{ m(b) }}"
    "|{% autoescape false %}{{ a }}{% endautoescape %}|{% autoescape flag %}{{ b }}{% endautoescape %}"
)


def _environment(kind: type[Environment]) -> Environment:
    return kind(autoescape=select_autoescape(default=True, default_for_string=True), finalize=_output)


@given(TEXT, TEXT, st.integers(), st.booleans())
@settings(max_examples=60)
def test_templates_compiled_without_the_second_escape_render_the_same(a: str, b: str, n: int, flag: bool) -> None:
    fast = _environment(_Environment).from_string(SOURCE)
    plain = _environment(Environment).from_string(SOURCE)
    for context in ({"a": a, "b": Markup(b), "n": n, "flag": flag}, {"a": Markup(a), "b": b, "n": n, "flag": flag}):
        assert fast.render(**context) == plain.render(**context)


def test_the_compiled_templates_do_skip_the_second_escape() -> None:
    """A Jinja that renames what _FinalizedOutput overrides would leave the code as it was: slow."""
    code = _environment(_Environment).compile("{{ a }}", raw=True)
    assert "environment.finalize(" in code
    assert "escape(environment.finalize(" not in code


@given(TEXT)
@settings(max_examples=60)
def test_remembered_markdown_is_what_rendering_it_again_gives(text: str) -> None:
    assert render_block(text) == render_block.__wrapped__(text) == render_block(text)
    assert render_inline(text) == render_inline.__wrapped__(text) == render_inline(text)


@pytest.fixture(scope="module")
def renderer() -> Renderer:
    project = load_project(Settings(root=REPO, as_of=dt.date(2026, 11, 26), cache_dir=None), RecordCache())
    return Renderer(project)


PROGRESS = st.builds(Progress, *[st.integers(0, 40)] * 5)


@given(PROGRESS, TEXT, st.sampled_from(["done", "pending", "n/a", "waived", "deferred", "<x/y>"]))
@settings(max_examples=60)
def test_cached_macros_are_the_macros(renderer: Renderer, progress: Progress, label: str, standing: str) -> None:
    cached = renderer.env.globals["cached"]
    macros = renderer.env.get_template("_macros.j2").module
    for name in render_module._PURE_MACROS:
        assert hasattr(cached, name)
    assert cached.bar(progress, label) == macros.bar(progress, label) == cached.bar(progress, label)
    for item in next(iter(renderer.catalog.subsections(CHECKLIST))).items[:3]:
        start = macros.item_row_start(item, label, standing)
        assert cached.item_row_start(item, label, standing) == start == cached.item_row_start(item, label, standing)


def test_a_guide_is_the_same_whatever_was_rendered_before_it() -> None:
    """The build's caches (macros, history rows, requirement notes) never carry one record's page
    into another's: every guide rendered alone by a fresh renderer equals the same guide rendered
    after all the others, in either order."""
    project = load_project(Settings(root=REPO, as_of=dt.date(2026, 11, 26), cache_dir=None), RecordCache())
    evaluations = [project.evaluations[record.path] for record in project.records]
    alone = [Renderer(project).guide(evaluation).content for evaluation in evaluations]
    forward = Renderer(project)
    backward = Renderer(project)
    assert [forward.guide(evaluation).content for evaluation in evaluations] == alone
    assert [backward.guide(evaluation).content for evaluation in reversed(evaluations)] == alone[::-1]
    forward.service(project.registry.get(project.records[0].service))  # rows with the service column too
    for evaluation in evaluations:  # each remembered history row is its record's own
        for show_service in (False, True):
            cells = forward.env.globals["cached_history_cells"](evaluation, show_service)
            assert cells == forward._macros.history_cells(evaluation, show_service)
