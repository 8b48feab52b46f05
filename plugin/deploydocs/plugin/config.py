"""The plugin's options in mkdocs.yml, typed."""

from __future__ import annotations

from mkdocs.config import config_options as c
from mkdocs.config.base import Config


class DeployDocsConfig(Config):
    enabled = c.Type(bool, default=True)
    records_dir = c.Type(str, default="records")
    registry = c.Type(str, default="records/services.yaml")
    # Who may sign off: names, GitHub logins, roles (see docs/record-format.md).
    people = c.Type(str, default="records/people.yaml")
    # A team's own completeness policy file; the packaged default when unset.
    policy = c.Optional(c.Type(str))
    # false: record problems are logged as warnings and the site still builds (local drafts).
    fail_on_problems = c.Type(bool, default=True)
    # "Today" for date rules, YYYY-MM-DD; default: SOURCE_DATE_EPOCH, else the current date.
    as_of = c.Optional(c.Type(str))
    # Where checked records are cached by content hash between runs (relative to mkdocs.yml);
    # empty: no disk cache.
    cache_dir = c.Type(str, default=".deploydocs-cache")
    # Generated pages whose Markdown and shared inputs are unchanged are written from the page cache
    # (in memory under `mkdocs serve`, signed on disk in cache_dir): false builds every page anew.
    page_cache = c.Type(bool, default=True)
    # The search index's pages are split into sections by deploydocs' fast parser (plugin/search.py),
    # which gives material's entries exactly: false uses material's own HTMLParser-based parser.
    fast_search_index = c.Type(bool, default=True)
