"""Records already loaded and checked, by content hash: in memory across `mkdocs serve` rebuilds,
and on disk across runs (like ruff's or mypy's caches).

Only what a file says by itself is cached (its data, positions and its YAML, schema and secret
problems); rules that look at other records or at today's date always run. The disk key includes the
package version and the record schema, so a change to either invalidates every entry.
"""

from __future__ import annotations

import hashlib
import marshal
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from .load import Document, LazyPositions
from .problems import Problem, Severity

_Entry = tuple[Document | None, list[Problem]]
CACHE_FORMAT = 2  # bump when what is cached changes shape


def content_digest(raw: bytes) -> str:
    return hashlib.sha256(raw).hexdigest()


def _freeze(display: str, entry: _Entry) -> bytes:
    document, problems = entry
    frozen_document = None
    if document is not None:
        frozen_document = (document.data, document.text)  # positions: worked out again when needed
    frozen_problems = [
        (p.line, p.column, p.rule, p.message, p.fix, p.severity.value) for p in problems if p.file == display
    ]
    return marshal.dumps((frozen_document, frozen_problems))


def _thaw(display: str, blob: bytes) -> _Entry:
    frozen_document, frozen_problems = marshal.loads(blob)
    document = None
    if frozen_document is not None:
        data, text = frozen_document
        document = Document(display, data, LazyPositions(text, display), text)
    problems = [
        Problem(display, line, column, rule, message, fix, Severity(severity))
        for line, column, rule, message, fix, severity in frozen_problems
    ]
    return document, problems


@dataclass
class RecordCache:
    """Two levels: a dict for this process, and an optional folder for later runs."""

    folder: Path | None = None
    salt: str = ""
    in_memory: bool = True  # off for one-off builds: the records then leave memory after loading
    entries: dict[str, tuple[str, _Entry]] = field(default_factory=dict)
    misses: int = 0  # files loaded and checked from scratch (what `serve` must keep to one per edit)

    def _file(self, display: str, digest: str) -> Path | None:
        if self.folder is None:
            return None
        key = hashlib.sha256(f"{self.salt}\0{display}\0{digest}".encode()).hexdigest()
        return self.folder / key[:2] / key

    def get(self, display: str, digest: str) -> _Entry | None:
        held = self.entries.get(display)
        if held is not None and held[0] == digest:
            return held[1]
        path = self._file(display, digest)
        if path is None:
            return None
        try:
            entry = _thaw(display, path.read_bytes())
        except (OSError, ValueError, EOFError, TypeError):
            return None  # absent or unreadable: load the file
        if self.in_memory:
            self.entries[display] = (digest, entry)
        return entry

    def put(self, display: str, digest: str, entry: _Entry) -> None:
        self.misses += 1
        if self.in_memory:
            self.entries[display] = (digest, entry)
        path = self._file(display, digest)
        if path is None:
            return
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            # Write then rename: a reader never sees half a file, even with parallel builds.
            with tempfile.NamedTemporaryFile(dir=path.parent, delete=False) as stream:
                stream.write(_freeze(display, entry))
            os.replace(stream.name, path)
        except OSError:
            pass  # a read-only checkout still builds, just without the disk cache
