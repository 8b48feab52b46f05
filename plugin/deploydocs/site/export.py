"""``deploydocs export --markdown DIR``: the site's pages as plain files, buildable without the plugin.

DIR gets a ``docs/`` folder (the repository's own docs plus every generated page, data file and the
stylesheet) and a ``mkdocs.yml`` that is the repository's, minus the deploydocs plugin and any
deploydocs Markdown extension (the guard that fails builds without the plugin). Plain
``mkdocs build`` in DIR then gives the same site; Zensical builds it too (docs/architecture.md,
"Leaving MkDocs"); a team can also take DIR to another generator.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from ruamel.yaml import YAML

from deploydocs.core.project import Project

from .render import STYLESHEET, Renderer, site_path


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
    source = mkdocs_yml or root / "mkdocs.yml"
    # Round-trip: the exported mkdocs.yml keeps the team's comments and order.
    config = YAML().load(source.read_text(encoding="utf-8")) if source.exists() else {"site_name": "Deployments"}
    # Links between generated pages start with site_url's path, as in the plugin's build. (A site_url
    # set with a YAML tag, such as !ENV, is not read here: the links then start with "/".)
    site_url = config.get("site_url")
    pages = Renderer(project, site_path(site_url if isinstance(site_url, str) else None)).pages()
    count = 0
    for page in pages:
        target = docs / page.src_uri
        if page.optional and target.exists():
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(page.content, encoding="utf-8")
        count += 1
    _write_config(config, destination / "mkdocs.yml", root, destination)
    return count


def _ours(extension: object) -> bool:
    """A Markdown extension of this package: the export is built without deploydocs installed."""
    return isinstance(extension, str) and (extension == "deploydocs" or extension.startswith("deploydocs."))


def _write_config(config: dict, target: Path, root: Path, destination: Path) -> None:
    """The repository's mkdocs.yml (``config``, read round-trip: comments and order kept), for the export."""
    theme = config.get("theme")
    custom_dir = theme.get("custom_dir") if isinstance(theme, dict) else None
    if custom_dir and (root / custom_dir).is_dir():  # theme overrides travel with the pages
        shutil.copytree(root / custom_dir, destination / custom_dir, dirs_exist_ok=True)
    plugins = config.get("plugins") or []
    kept = [p for p in plugins if not (p == "deploydocs" or (isinstance(p, dict) and "deploydocs" in p))]
    config["plugins"] = kept
    extensions = config.get("markdown_extensions")
    # Deleted in place: the round-trip keeps the comments of the entries that stay.
    if isinstance(extensions, list):
        for index in reversed(range(len(extensions))):
            entry = extensions[index]
            if _ours(next(iter(entry)) if isinstance(entry, dict) and entry else entry):
                del extensions[index]
    elif isinstance(extensions, dict):
        for name in [name for name in extensions if _ours(name)]:
            del extensions[name]
    config["docs_dir"] = "docs"
    config["site_dir"] = "site"
    extra_css = list(config.get("extra_css") or [])
    if STYLESHEET not in extra_css:
        extra_css.append(STYLESHEET)
    config["extra_css"] = extra_css
    with target.open("w", encoding="utf-8") as stream:
        YAML().dump(config, stream)
