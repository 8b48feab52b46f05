"""SmartEdify deployment guides as code.

Layers, each importing only those below it (import-linter checks it, see docs/architecture.md):
``plugin`` and ``commands`` (adapters for MkDocs and the command line) -> ``site`` (views and pages)
-> ``core`` (load, validate, evaluate; knows nothing about MkDocs or Jinja).
"""

__version__ = "0.1.0"
