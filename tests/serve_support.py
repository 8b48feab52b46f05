"""A real `mkdocs serve` for tests: started on a free port, its log followed, its pages fetched."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from repo_support import SOURCE_DATE_EPOCH, Repo


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Server:
    """A real `mkdocs serve` of a repository copy, its log in a file.

    ``tmp``: the folder MkDocs makes its temporary site folder in (TMPDIR), to read what it serves.
    """

    def __init__(self, repo: Repo, log: Path, port: int | None = None, tmp: Path | None = None):
        self.port = port or free_port()
        self.log = log
        self.stream = log.open("w")
        env = dict(os.environ, SOURCE_DATE_EPOCH=SOURCE_DATE_EPOCH, NO_MKDOCS_2_WARNING="1", NO_COLOR="1")
        if tmp is not None:
            tmp.mkdir(parents=True, exist_ok=True)
            env["TMPDIR"] = str(tmp)
        self.process = subprocess.Popen(
            [sys.executable, "-m", "mkdocs", "serve", "-a", f"127.0.0.1:{self.port}", "--livereload"],
            cwd=repo.root,
            stdout=self.stream,
            stderr=subprocess.STDOUT,
            env=env,
        )

    def text(self) -> str:
        return self.log.read_text()

    def wait_for(self, needle: str, after: int = 0, timeout: float = 60) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            text = self.text()
            if needle in text[after:]:
                return text
            assert self.process.poll() is None, f"the server died:\n{text}"
            time.sleep(0.2)
        raise AssertionError(f"{needle!r} not in the log after {timeout} s:\n{self.text()[after:]}")

    def get(self, path: str = "/") -> str:
        with urllib.request.urlopen(f"http://127.0.0.1:{self.port}{path}", timeout=10) as response:
            return response.read().decode("utf-8")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.stream.close()
