"""SmartEdify deployment guides as code.

The core (``load`` -> ``validate`` -> ``evaluate`` -> ``render``) knows nothing about MkDocs; the
MkDocs plugin (``deploydocs.plugin``) and the command line (``deploydocs.cli``) are adapters over it.
"""

__version__ = "0.1.0"
