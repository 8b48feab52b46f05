"""The MkDocs adapter: ``plugins: [deploydocs]`` in mkdocs.yml."""

from .plugin import DeployDocsPlugin

__all__ = ["DeployDocsPlugin"]
