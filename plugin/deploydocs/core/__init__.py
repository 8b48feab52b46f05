"""The core: load (with positions) -> validate (schema, then rules) -> evaluate, over plain data.

It imports neither MkDocs nor Jinja (import-linter checks it): everything here runs the same under the
MkDocs plugin, the command line, or any other site generator.
"""
