"""Suggestions in messages: the closest valid word in any case and spelling of separators, and
commands quoted so that they run as printed."""

from __future__ import annotations

import difflib
import re
import shlex
from collections.abc import Iterable

_SEPARATORS = re.compile(r"[\s_\-]+")


def normalized(word: str) -> str:
    """``Security Reviewer``, ``SECURITY_REVIEWER`` and ``security-reviewer`` read alike."""
    return _SEPARATORS.sub("-", word.strip()).casefold()


def closest(word: str, choices: Iterable[str], cutoff: float = 0.6) -> str | None:
    """The valid choice ``word`` most likely means: the same word in another case or with other
    separators first, else the nearest spelling (compared case-insensitively); None when nothing is near."""
    options = list(choices)
    by_form: dict[str, str] = {}
    for option in options:
        by_form.setdefault(normalized(option), option)
    form = normalized(word)
    if form in by_form:
        return by_form[form]
    matches = difflib.get_close_matches(form, list(by_form), n=1, cutoff=cutoff)
    return by_form[matches[0]] if matches else None


def command(*args: str) -> str:
    """A ``deploydocs`` command line that runs as printed: every argument shell-quoted where needed."""
    return shlex.join(["deploydocs", *args])
