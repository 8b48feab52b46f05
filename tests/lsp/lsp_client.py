"""A small Language Server Protocol client over stdio, enough to drive yaml-language-server the way
an editor does: JSON-RPC messages framed by ``Content-Length`` headers; initialize, didOpen, hover,
completion, and the ``publishDiagnostics`` the server pushes."""

from __future__ import annotations

import json
import queue
import subprocess
import threading
import time
from pathlib import Path
from typing import Any


class LanguageServer:
    """One server process. Requests block for their answer; requests from the server (its
    configuration, capability registration, progress) are answered as an editor would."""

    def __init__(self, command: list[str], root: Path, settings: dict[str, Any]):
        self.settings = settings
        self.process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self._next_id = 0
        self._answers: dict[int, queue.Queue[dict[str, Any]]] = {}
        self._lock = threading.Lock()
        self.diagnostics: dict[str, list[dict[str, Any]]] = {}
        self._diagnostics_seen = threading.Condition()
        self._reader = threading.Thread(target=self._read, name="lsp-reader", daemon=True)
        self._reader.start()
        self._stderr = threading.Thread(target=self.process.stderr.read, name="lsp-stderr", daemon=True)
        self._stderr.start()
        self.request(
            "initialize",
            {
                "processId": None,
                "rootUri": root.as_uri(),
                "workspaceFolders": [{"uri": root.as_uri(), "name": root.name}],
                "capabilities": {
                    "workspace": {"configuration": True, "didChangeConfiguration": {"dynamicRegistration": True}},
                    "textDocument": {
                        "hover": {"contentFormat": ["markdown", "plaintext"]},
                        "completion": {"completionItem": {"snippetSupport": True, "documentationFormat": ["markdown"]}},
                        "publishDiagnostics": {"relatedInformation": True},
                        "synchronization": {"didSave": True},
                    },
                },
            },
        )
        self.notify("initialized", {})
        self.notify("workspace/didChangeConfiguration", {"settings": settings})

    # framing --------------------------------------------------------------------------------------

    def _send(self, message: dict[str, Any]) -> None:
        body = json.dumps({"jsonrpc": "2.0", **message}).encode("utf-8")
        with self._lock:
            self.process.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
            self.process.stdin.flush()

    def _read(self) -> None:
        stream = self.process.stdout
        while True:
            length = None
            while True:
                header = stream.readline()
                if not header:
                    return  # the server ended
                header = header.strip()
                if not header:
                    break
                name, _, value = header.decode("ascii").partition(":")
                if name.lower() == "content-length":
                    length = int(value)
            message = json.loads(stream.read(length))
            self._dispatch(message)

    def _dispatch(self, message: dict[str, Any]) -> None:
        if "id" in message and "method" not in message:  # an answer to one of our requests
            self._answers.pop(message["id"]).put(message)
        elif "id" in message:  # a request from the server
            self._send({"id": message["id"], "result": self._answer_server(message["method"], message.get("params"))})
        elif message.get("method") == "textDocument/publishDiagnostics":
            with self._diagnostics_seen:
                self.diagnostics[message["params"]["uri"]] = message["params"]["diagnostics"]
                self._diagnostics_seen.notify_all()

    def _answer_server(self, method: str, params: Any) -> Any:
        if method == "workspace/configuration":  # one value per asked section ("yaml", "editor", ...)
            return [self.settings.get(item.get("section", ""), None) for item in params["items"]]
        return None  # client/registerCapability, window/workDoneProgress/create, ...

    # the protocol ---------------------------------------------------------------------------------

    def request(self, method: str, params: Any, timeout: float = 60) -> Any:
        with self._lock:
            self._next_id += 1
            number = self._next_id
        answer: queue.Queue[dict[str, Any]] = queue.Queue()
        self._answers[number] = answer
        self._send({"id": number, "method": method, "params": params})
        message = answer.get(timeout=timeout)
        if "error" in message:
            raise RuntimeError(f"{method}: {message['error']}")
        return message.get("result")

    def notify(self, method: str, params: Any) -> None:
        self._send({"method": method, "params": params})

    def open(self, uri: str, text: str, version: int = 1) -> None:
        with self._diagnostics_seen:
            self.diagnostics.pop(uri, None)
        document = {"uri": uri, "languageId": "yaml", "version": version, "text": text}
        self.notify("textDocument/didOpen", {"textDocument": document})

    def wait_diagnostics(self, uri: str, timeout: float = 60) -> list[dict[str, Any]]:
        deadline = time.monotonic() + timeout
        with self._diagnostics_seen:
            while uri not in self.diagnostics:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError(f"no diagnostics for {uri} in {timeout} s")
                self._diagnostics_seen.wait(left)
            return self.diagnostics[uri]

    def hover(self, uri: str, line: int, character: int) -> str:
        """The hover text at a 0-based position ('' when there is none)."""
        result = self.request("textDocument/hover", _at(uri, line, character))
        if not result:
            return ""
        contents = result["contents"]
        return contents["value"] if isinstance(contents, dict) else str(contents)

    def completion(self, uri: str, line: int, character: int) -> list[dict[str, Any]]:
        result = self.request("textDocument/completion", _at(uri, line, character))
        return result["items"] if isinstance(result, dict) else (result or [])

    def close(self) -> None:
        try:
            self.request("shutdown", None, timeout=10)
            self.notify("exit", None)
            self.process.wait(timeout=10)
        except Exception:  # noqa: BLE001 - a server that does not stop is killed (it is ours)
            self.process.kill()
            self.process.wait(timeout=10)


def _at(uri: str, line: int, character: int) -> dict[str, Any]:
    return {"textDocument": {"uri": uri}, "position": {"line": line, "character": character}}
