"""The big pages' parts kept between builds: what a build did not need stays, what went stale goes.

A record's row of the deployments index and entry of the JSON export, and a service's dashboard
timeline, are kept by a digest of what they show (`Renderer(kept=...)`). A build whose index and
dashboard come from the page cache renders none of them; the parts must then survive to the build
after it, or that one renders every row again. Parts of an edited record must not survive.
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

from deploydocs.core.cache import RecordCache
from deploydocs.core.project import Settings, load_project
from deploydocs.site.render import Renderer

from repo_support import REPO

AS_OF = dt.date(2026, 11, 26)
EDITED = "records/reservation-service/2.0.0-development.yaml"


def _load(root: Path):
    return load_project(Settings(root=root, as_of=AS_OF, cache_dir=None), RecordCache())


def _build(renderer: Renderer, render_everything: bool) -> None:
    """Go through the pages as the plugin does: every page, content only where it is needed."""
    for page in renderer.pages():
        if render_everything or page.inputs is None:
            page.content  # noqa: B018 - rendering is the point


def test_parts_outlive_a_build_that_did_not_need_them_and_stale_ones_go(tmp_path: Path) -> None:
    shutil.copytree(REPO / "records", tmp_path / "records")
    first = Renderer(_load(tmp_path))
    _build(first, render_everything=True)
    parts = first.parts_to_keep()
    kinds = {kind for kind, _ in parts}
    assert {"deployment-row", "deployment-json", "home-timeline"} <= kinds

    # Nothing changed, every page with inputs "from the cache": the parts are all still there.
    second = Renderer(_load(tmp_path), kept=parts)
    _build(second, render_everything=False)
    assert second.parts_to_keep() == parts

    # One record edited, again nothing rendered: its row and entry, and its service's timeline, go.
    path = tmp_path / EDITED
    path.write_text(path.read_text(encoding="utf-8").replace("changes: ", "changes: Edited. ", 1), encoding="utf-8")
    project = _load(tmp_path)
    third = Renderer(project, kept=parts)
    _build(third, render_everything=False)
    kept = third.parts_to_keep()
    gone = parts.keys() - kept.keys()
    assert {kind for kind, _ in gone} == {"deployment-row", "deployment-json", "home-timeline"}
    assert len(gone) == 3
    # And a build that renders everything from those parts equals one that renders from nothing.
    fourth = Renderer(project, kept=kept)
    fresh = Renderer(project)
    assert [(p.src_uri, p.content) for p in fourth.pages()] == [(p.src_uri, p.content) for p in fresh.pages()]
