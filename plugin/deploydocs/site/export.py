"""``deploydocs export --markdown DIR``: the site's pages as plain files, buildable without the plugin.

DIR gets a ``docs/`` folder (the repository's own docs plus every generated page, data file and the
stylesheet) and a ``mkdocs.yml`` that is the repository's, minus the deploydocs plugin and any
deploydocs Markdown extension (the guard that fails builds without the plugin). Plain
``mkdocs build`` in DIR then gives the same site; Zensical builds it too (docs/architecture.md,
"Leaving MkDocs"); a team can also take DIR to another generator.

Nothing is lost: DIR may not be, contain or lie inside the repository's sources; a file export did
not write is never deleted or overwritten. Export keeps a manifest of what it wrote in DIR
(``.deploydocs-export.json``); exporting again removes only the files listed there. A folder that is
not empty and has no manifest is refused.
"""

from __future__ import annotations

import io
import json
import os
import stat
from collections.abc import Iterator
from pathlib import Path, PurePosixPath
from typing import Any

from ruamel.yaml import YAML

from deploydocs.core.project import Project, Settings

from .render import STYLESHEET, Renderer, site_path

MANIFEST = ".deploydocs-export.json"
_MANIFEST_KIND = "deploydocs export"
# Folders of the repository that are its sources, besides the ones its settings and mkdocs.yml name.
_SOURCE_FOLDERS = ("docs", "records", "plugin", "overrides", "schemas", ".git", ".github", "tests", "benchmarks")


class ExportError(Exception):
    """Export refused or failed; the message is one line saying what to do."""


def _load_config(root: Path, mkdocs_yml: Path | None) -> tuple[YAML, Any, str | None]:
    source = mkdocs_yml or root / "mkdocs.yml"
    yaml = YAML()  # round-trip: keeps the team's comments and order
    try:
        config = yaml.load(source.read_text(encoding="utf-8")) if source.exists() else {"site_name": "Deployments"}
    except OSError as error:
        raise ExportError(f"{source}: {error.strerror or error}") from None
    except Exception as error:  # ruamel's errors: mkdocs.yml is not YAML it can read
        raise ExportError(f"{source}: {str(error).splitlines()[0]}") from None
    theme = config.get("theme") if isinstance(config, dict) else None
    custom_dir = theme.get("custom_dir") if isinstance(theme, dict) else None
    return yaml, config, custom_dir if isinstance(custom_dir, str) else None


def check_destination(settings: Settings, destination: Path, mkdocs_yml: Path | None = None) -> set[str]:
    """ExportError unless export may write to ``destination``; what an earlier export wrote there.

    Cheap: the command calls it before loading any record, export_markdown again before writing.
    """
    root = settings.root.resolve()
    _, config, custom_dir = _load_config(root, mkdocs_yml)
    target = Path(os.path.abspath(destination))
    _refuse_sources(root, target.resolve(), settings, config, custom_dir)
    return _previous_export(target)


def export_markdown(project: Project, destination: Path, mkdocs_yml: Path | None = None) -> int:
    """Write every page to ``destination``; returns how many files were generated."""
    root = project.settings.root.resolve()
    yaml, config, custom_dir = _load_config(root, mkdocs_yml)
    previous = check_destination(project.settings, destination, mkdocs_yml)
    target = Path(os.path.abspath(destination))
    files: dict[str, bytes] = {}
    for name, content in _tree(root / "docs", root):
        files[f"docs/{name}"] = content
    # Links between generated pages start with site_url's path, as in the plugin's build. (A site_url
    # set with a YAML tag, such as !ENV, is not read here: the links then start with "/".)
    site_url = config.get("site_url") if isinstance(config, dict) else None
    pages = Renderer(project, site_path(site_url if isinstance(site_url, str) else None)).pages()
    count = 0
    for page in pages:
        name = f"docs/{page.src_uri}"
        if page.optional and name in files:
            continue  # the repository's own page of that name wins
        files[name] = page.content.encode("utf-8")
        count += 1
    if custom_dir and (root / custom_dir).is_dir():  # theme overrides travel with the pages
        for name, content in _tree(root / custom_dir, root):
            files[PurePosixPath(custom_dir, name).as_posix()] = content
    files["mkdocs.yml"] = _config(yaml, config)
    _write(target, files, previous)
    return count


def _refuse_sources(root: Path, target: Path, settings: Settings, config: Any, custom_dir: str | None) -> None:
    """ExportError if ``target`` is, contains or lies inside the repository or one of its sources."""
    if target == root:
        raise ExportError(f"{target} is the repository itself: export to a new folder outside its sources")
    if root.is_relative_to(target):
        raise ExportError(f"{target} contains the repository {root}: export to a new folder outside its sources")
    named = [*_SOURCE_FOLDERS, settings.records_dir, str(Path(settings.registry).parent)]
    if settings.policy:
        named.append(settings.policy)
    if isinstance(config, dict) and isinstance(config.get("docs_dir"), str):
        named.append(config["docs_dir"])
    if isinstance(custom_dir, str):
        named.append(custom_dir)
    for name in named:
        source = (root / name).resolve()
        if source == root:
            continue
        if target.is_relative_to(source) or source.is_relative_to(target):
            where = "is" if target == source else ("lies inside" if target.is_relative_to(source) else "contains")
            raise ExportError(
                f"{target} {where} the repository's source folder {source.relative_to(root).as_posix()}/: "
                "export to a new folder outside the repository's sources"
            )


def _previous_export(target: Path) -> set[str]:
    """What an earlier export wrote into ``target`` (empty for a new or empty folder), or ExportError."""
    if not target.exists():
        return set()
    if not target.is_dir():
        raise ExportError(f"{target} is a file, not a folder: export to a new folder")
    manifest = target / MANIFEST
    if not manifest.is_file():
        if any(target.iterdir()):
            raise ExportError(
                f"{target} is not empty and holds no {MANIFEST} from an earlier export: "
                "export to a new or empty folder (nothing was changed)"
            )
        return set()
    try:
        data = json.loads(manifest.read_text(encoding="utf-8"))
        files = data["files"] if data.get("written_by") == _MANIFEST_KIND else None
        if not isinstance(files, list) or not all(isinstance(name, str) and _is_safe(name) for name in files):
            raise ValueError
    except (OSError, ValueError, AttributeError, KeyError, TypeError):
        raise ExportError(f"{manifest} is not a manifest export wrote: remove it, or export to a new folder") from None
    return set(files)


def _is_safe(name: str) -> bool:
    """A relative path that stays inside the folder: a manifest cannot make export touch anything else."""
    path = PurePosixPath(name)
    return bool(name) and not path.is_absolute() and ".." not in path.parts and "\\" not in name and "\0" not in name


def _tree(folder: Path, root: Path) -> Iterator[tuple[str, bytes]]:
    """Every regular file under ``folder`` (links followed only within the repository), by relative name."""
    if not folder.is_dir():
        return
    for path in sorted(folder.rglob("*")):
        if not path.is_file() or not path.resolve().is_relative_to(root):
            continue
        try:
            yield path.relative_to(folder).as_posix(), path.read_bytes()
        except OSError as error:
            raise ExportError(f"{path}: {error.strerror or error}") from None


def _ours(extension: object) -> bool:
    """A Markdown extension of this package: the export is built without deploydocs installed."""
    return isinstance(extension, str) and (extension == "deploydocs" or extension.startswith("deploydocs."))


def _config(yaml: YAML, config: Any) -> bytes:
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
    stream = io.StringIO()
    yaml.dump(config, stream)
    return stream.getvalue().encode("utf-8")


def _write(target: Path, files: dict[str, bytes], previous: set[str]) -> None:
    """Replace what the previous export wrote with ``files``; touch nothing else."""
    for name in sorted(files):
        path = target / name
        if name not in previous and os.path.lexists(path):
            raise ExportError(f"{path} exists and was not written by export: move it away, or export to a new folder")
    try:
        for name in sorted(previous - set(files), reverse=True):
            path = target / name
            if _is_own_file(target, path):
                path.unlink()
                _prune(target, path.parent)
        for name, content in sorted(files.items()):
            path = target / name
            if os.path.lexists(path) and not _is_own_file(target, path):
                raise ExportError(f"{path} is not a file export wrote: move it away, or export to a new folder")
            path.parent.mkdir(parents=True, exist_ok=True)
            if not path.parent.resolve().is_relative_to(target.resolve()):
                raise ExportError(f"{path.parent} leads outside {target}: remove that link")
            path.write_bytes(content)
        manifest = {"written_by": _MANIFEST_KIND, "version": 1, "files": sorted(files)}
        (target / MANIFEST).write_text(json.dumps(manifest, indent=1) + "\n", encoding="utf-8")
    except OSError as error:
        raise ExportError(f"{error.filename or target}: {error.strerror or error}") from None


def _is_own_file(target: Path, path: Path) -> bool:
    """A regular file (not a link) inside ``target``: what export writes, and all it may remove."""
    try:
        info = os.lstat(path)
    except OSError:
        return False
    return stat.S_ISREG(info.st_mode) and path.parent.resolve().is_relative_to(target.resolve())


def _prune(target: Path, folder: Path) -> None:
    """Remove folders left empty by removing a file export wrote, up to ``target``."""
    while folder != target and folder.is_relative_to(target):
        try:
            folder.rmdir()  # only an empty folder: anything someone put there keeps it
        except OSError:
            return
        folder = folder.parent
