"""The string formats the schemas use (`date`, `uri`), defined once: the full jsonschema validator
and the compiled fast check both call these functions, so they cannot disagree, and the rules use
the same notion of a link for evidence.

jsonschema checks `format` only with a format checker (and `uri` only with an optional package);
fastjsonschema has its own regexes. Neither is used: a record's `uri` is a web link a reader can
open, and a `date` is a real calendar day written YYYY-MM-DD.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from urllib.parse import urlsplit

_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_HOST = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*")


def is_date(text: str) -> bool:
    """A calendar day written YYYY-MM-DD (2026-02-30 is not one)."""
    if not _ISO_DATE.fullmatch(text):
        return False
    try:
        dt.date.fromisoformat(text)
    except ValueError:
        return False
    return True


def is_web_link(text: str) -> bool:
    """An http or https address with a host name, and nothing a reader could not open (no spaces or
    control characters)."""
    if not text.isprintable() or any(char.isspace() for char in text):
        return False
    try:
        parts = urlsplit(text)
        port = parts.port  # a malformed port raises
    except ValueError:
        return False
    del port
    return parts.scheme in ("http", "https") and bool(parts.hostname) and bool(_HOST.fullmatch(parts.hostname))


FORMATS: dict[str, Callable[[str], bool]] = {"date": is_date, "uri": is_web_link}
"""Format name -> check, for both validators (validate.py)."""
