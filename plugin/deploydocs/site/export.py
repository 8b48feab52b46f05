"""``deploydocs export --markdown DIR``: the site's pages as plain files, buildable without the plugin.

DIR gets a ``docs/`` folder (the repository's own docs plus every generated page, data file and the
stylesheet) and a ``mkdocs.yml`` that is the repository's, minus the deploydocs plugin. Plain
``mkdocs build`` in DIR then gives the same site; a team can also take DIR to another generator.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from ruamel.yaml import YAML

from deploydocs.core.project import Project
from .render import STYLESHEET, Renderer


def export_markdown(project: Project, destination: Path, mkdocs_yml: Path | None = None) -> int:
    """Write every page to ``destination``; returns how many files were generated."""
    root = project.settings.root
    docs_source = root / "docs"
    docs = destination / "docs"
    if docs.exists():
        shutil.rmtree(docs)
    if docs_source.is_dir():
        shutil.copytree(docs_source, docs)
    else:
        docs.mkdir(parents=True)
    pages = Renderer(project).pages()
    count = 0
    for page in pages:
        target = docs / page.src_uri
        if page.optional and target.exists():
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(page.content, encoding="utf-8")
        count += 1
    _write_config(mkdocs_yml or root / "mkdocs.yml", destination / "mkdocs.yml", root, destination)
    return count


def _write_config(source: Path, target: Path, root: Path, destination: Path) -> None:
    yaml = YAML()  # round-trip: keeps the team's comments and order
    config = yaml.load(source.read_text(encoding="utf-8")) if source.exists() else {"site_name": "Deployments"}
    theme = config.get("theme")
    custom_dir = theme.get("custom_dir") if isinstance(theme, dict) else None
    if custom_dir and (root / custom_dir).is_dir():  # theme overrides travel with the pages
        shutil.copytree(root / custom_dir, destination / custom_dir, dirs_exist_ok=True)
    plugins = config.get("plugins") or []
    kept = [p for p in plugins if not (p == "deploydocs" or (isinstance(p, dict) and "deploydocs" in p))]
    config["plugins"] = kept
    config["docs_dir"] = "docs"
    config["site_dir"] = "site"
    extra_css = list(config.get("extra_css") or [])
    if STYLESHEET not in extra_css:
        extra_css.append(STYLESHEET)
    config["extra_css"] = extra_css
    with target.open("w", encoding="utf-8") as stream:
        yaml.dump(config, stream)
