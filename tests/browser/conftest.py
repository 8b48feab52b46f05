"""Fixtures of the real-browser tests: the built site served on 127.0.0.1, and one headless Chromium.

Needs Debian's chromium + chromium-driver (/usr/bin/chromium, /usr/bin/chromedriver), the `selenium`
package (test extras) and axe-core from npm (`npm ci --prefix tests/browser`). Without them the tests
skip on a developer machine, but fail when the environment variable CI is set: CI must run them.
"""

from __future__ import annotations

import functools
import http.server
import json
import os
import shutil
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
AXE_JS = HERE / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS = HERE.parent / "artifacts"  # tests/artifacts/ (gitignored): screenshots and axe reports

CHROMIUM_FLAGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--window-size=1280,900",
    "--force-device-scale-factor=1",
    # Hermetic: the page may only reach the test server. Off-site requests (the theme's Google Fonts)
    # fail the same way everywhere, instead of depending on whether the machine has internet access.
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
]


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def require(missing: list[str]) -> None:
    """Skip (developer machine) or fail (CI) when something the browser tests need is not installed."""
    if not missing:
        return
    reason = "browser tests need " + "; ".join(missing)
    if in_ci():
        pytest.fail(f"{reason} (CI is set, so this fails instead of skipping)", pytrace=False)
    pytest.skip(reason)


# --- the site, served -------------------------------------------------------------------------------


@dataclass
class SiteServer:
    """The built site/ served by http.server on 127.0.0.1; remembers every request it answered."""

    root: Path
    base_url: str
    requests: list[tuple[str, int]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def url(self, path: str) -> str:
        return self.base_url + path.lstrip("/")

    def mark(self) -> int:
        with self.lock:
            return len(self.requests)

    def since(self, mark: int) -> list[tuple[str, int]]:
        with self.lock:
            return list(self.requests[mark:])

    def wait_idle(self, mark: int, quiet: float = 0.3, timeout: float = 5.0) -> None:
        """Wait until no request arrived for ``quiet`` seconds (the page's scripts and workers settled)."""
        deadline = time.monotonic() + timeout
        count, changed = -1, time.monotonic()
        while time.monotonic() < deadline:
            now = len(self.since(mark))
            if now != count:
                count, changed = now, time.monotonic()
            elif time.monotonic() - changed >= quiet:
                return
            time.sleep(0.05)


def _handler(server: SiteServer) -> type[http.server.SimpleHTTPRequestHandler]:
    class Handler(http.server.SimpleHTTPRequestHandler):
        def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
            with server.lock:
                server.requests.append((self.path, int(code)))

        def log_message(self, *args: object) -> None:  # quiet: requests are kept in server.requests
            pass

    return Handler


@pytest.fixture(scope="session")
def chromium_ready() -> None:
    """Chromium, its driver and selenium are installed (checked before anything is built)."""
    missing = [f"{p} (apt-get install chromium chromium-driver)" for p in (CHROMIUM, CHROMEDRIVER) if not p.exists()]
    try:
        import selenium  # noqa: F401
    except ImportError:
        missing.append("the selenium package (pip install -e '.[test]')")
    require(missing)


@pytest.fixture(scope="session")
def site_server(chromium_ready, built_site) -> Iterator[SiteServer]:
    root = built_site.path("site")
    server = SiteServer(root=root, base_url="")
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_handler(server), directory=root))
    httpd.daemon_threads = True
    server.base_url = f"http://127.0.0.1:{httpd.server_address[1]}/"
    thread = threading.Thread(target=httpd.serve_forever, name="site-server", daemon=True)
    thread.start()
    try:
        yield server
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)


@dataclass(frozen=True)
class Page:
    name: str  # test id and artifact file name
    path: str  # URL path relative to the site root


@pytest.fixture(scope="session")
def pages(chromium_ready, built_site) -> dict[str, Page]:
    """Keyed by page type (the test ids): one page of every type the site has, the generated ones
    (dashboard, indexes, a service, a guide, known issues, the reference pages) and a handbook page."""
    api = json.loads(built_site.site("api/deployments.json"))
    guides = [d for d in api["deployments"] if d["service"] == "identity-service" and d["environment"] == "production"]
    assert guides, "api/deployments.json has no identity-service production deployment to test"
    guide = guides[0]
    return {
        "dashboard": Page("dashboard", ""),
        "deployments": Page("deployments", "deployments/"),
        "services": Page("services", "services/"),
        "service": Page("service-identity-service", "services/identity-service/"),
        # The timeline with a rollback on the same day as what it reverses (issue 15 §2).
        "service-rollback": Page("service-governance-service", "services/governance-service/"),
        "guide": Page(f"guide-{guide['service']}-{guide['environment']}-{guide['version']}", guide["url"]),
        "known-issues": Page("known-issues", "known-issues/"),
        "policy": Page("policy", "reference/policy/"),
        "rules": Page("rules", "reference/rules/"),
        "handbook": Page("handbook", "record-format/"),
    }


# --- the browser ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def browser(chromium_ready, tmp_path_factory: pytest.TempPathFactory):
    """One headless Chromium (selenium + Debian's chromedriver) per test module, with a fresh profile."""
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    options = Options()
    options.binary_location = str(CHROMIUM)
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    try:
        driver.set_page_load_timeout(30)
        driver.set_script_timeout(30)
        yield driver
    finally:
        driver.quit()


@pytest.fixture(scope="session")
def axe_source() -> str:
    if not AXE_JS.is_file():
        hint = "npm ci --prefix tests/browser" if shutil.which("npm") else "npm, then `npm ci --prefix tests/browser`"
        require([f"axe-core in {AXE_JS.parent.relative_to(HERE.parent.parent)} ({hint})"])
    return AXE_JS.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS
