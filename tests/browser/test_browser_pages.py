"""The built site in a real browser: console errors, progress bars as assistive technology sees them,
an axe-core audit, and screenshots (tests/artifacts/) of the dashboard, a service page and a guide."""

from __future__ import annotations

import base64
import json
import re
import warnings

import pytest

pytestmark = pytest.mark.browser

PAGE_KEYS = ["dashboard", "service", "guide"]
BLOCKING_IMPACTS = ("serious", "critical")

# Everything assistive technology needs from a progress bar, as the live DOM has it: the attributes,
# their reflection in the ARIA IDL properties, and the "N/M" text shown next to the bar.
PROGRESSBARS_JS = """
return [...document.querySelectorAll('[role="progressbar"]')].map((el) => {
  const next = el.nextElementSibling;
  const box = el.getBoundingClientRect();
  return {
    html: el.outerHTML.slice(0, 300),
    label: el.getAttribute('aria-label'),
    labelledby: el.getAttribute('aria-labelledby'),
    min: el.getAttribute('aria-valuemin'),
    max: el.getAttribute('aria-valuemax'),
    now: el.getAttribute('aria-valuenow'),
    valuetext: el.getAttribute('aria-valuetext'),
    reflected: [el.ariaLabel, el.ariaValueMin, el.ariaValueMax, el.ariaValueNow, el.ariaValueText],
    text: next ? next.textContent.trim() : null,
    textClass: next ? next.className : null,
    visible: box.width > 0 && box.height > 0,
  };
});
"""

AXE_RUN_JS = """
const done = arguments[arguments.length - 1];
axe.run(document, {resultTypes: ['violations']})
  .then((r) => done({violations: r.violations.map((v) => ({
    id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
    nodes: v.nodes.map((n) => ({target: n.target, html: n.html, summary: n.failureSummary})),
  }))}))
  .catch((e) => done({error: String(e && e.stack || e)}));
"""

NO_TRANSITIONS_JS = """
const style = document.createElement('style');
style.textContent = '*, *::before, *::after { transition: none !important; animation: none !important; }';
document.head.append(style);
"""


def load(browser, site_server, page) -> list[tuple[str, int]]:
    """Open ``page`` and wait until its scripts (and the search worker) stop requesting; return the requests."""
    browser.get_log("browser")  # drop what earlier pages (and axe) logged
    mark = site_server.mark()
    browser.get(site_server.url(page.path))
    site_server.wait_idle(mark)
    return site_server.since(mark)


def is_offsite_network_error(entry: dict, base_url: str) -> bool:
    """A failed request to another host: blocked on purpose by the test browser (--host-resolver-rules)."""
    if entry.get("source") != "network":
        return False
    url = entry.get("message", "").split(" ", 1)[0]
    return re.match(r"https?://", url) is not None and not url.startswith(base_url)


@pytest.mark.parametrize("key", PAGE_KEYS)
def test_page_loads_without_console_errors(browser, site_server, pages, key):
    page = pages[key]
    requests = load(browser, site_server, page)
    assert browser.execute_script("return document.readyState") == "complete"
    assert browser.find_elements("css selector", "article.md-content__inner"), f"{page.path}: no article rendered"

    severe = [e for e in browser.get_log("browser") if e.get("level") == "SEVERE"]
    offsite = [e for e in severe if is_offsite_network_error(e, site_server.base_url)]
    errors = [e for e in severe if e not in offsite]
    failed = [(path, code) for path, code in requests if code >= 400]
    if offsite:
        warnings.warn(
            f"{page.path or '/'}: off-site resources the page tries to load (blocked in the test browser; "
            "a reader without internet access would not get them either): "
            + "; ".join(sorted({e["message"].split(" ", 1)[0] for e in offsite})),
            stacklevel=1,
        )
    assert not errors and not failed, (
        f"{site_server.url(page.path)}:\n"
        + "".join(f"  console [{e['source']}] {e['message']}\n" for e in errors)
        + "".join(f"  HTTP {code} for {path}\n" for path, code in failed)
    )


@pytest.mark.parametrize("key", PAGE_KEYS)
def test_progress_bars_expose_their_value(browser, site_server, pages, key):
    page = pages[key]
    load(browser, site_server, page)
    bars = browser.execute_script(PROGRESSBARS_JS)
    assert bars, f"{page.path or '/'}: no element with role=progressbar"

    problems = []
    for index, bar in enumerate(bars):
        where = f"progressbar #{index} {bar['label']!r}"
        if not (bar["label"] or "").strip():
            problems.append(f"{where}: no aria-label (accessible name)\n    {bar['html']}")
        numbers = {}
        for name in ("min", "max", "now"):
            try:
                numbers[name] = float(bar[name])
            except (TypeError, ValueError):
                problems.append(f"{where}: aria-value{name}={bar[name]!r} is not a number")
        if bar["reflected"] != [bar["label"], bar["min"], bar["max"], bar["now"], bar["valuetext"]]:
            problems.append(f"{where}: ARIA properties {bar['reflected']} differ from the attributes")
        low, now, high = (numbers.get(name) for name in ("min", "now", "max"))
        if len(numbers) == 3 and not (low <= now <= high and low < high):
            problems.append(f"{where}: value {bar['now']} not within [{bar['min']}, {bar['max']}] (min < max)")
        match = re.fullmatch(r"(\d+)\s*/\s*(\d+)", bar["text"] or "")
        if not match or "dd-progress__text" not in (bar["textClass"] or ""):
            problems.append(f"{where}: no visible 'N/M' text right after the bar (found {bar['text']!r})")
            continue
        done, applicable = match.groups()
        # Nothing applicable: the template makes the bar read as complete (1 of 1) while the text says 0/0.
        expected = ("1", "1") if applicable == "0" else (done, applicable)
        if (bar["now"], bar["max"]) != expected:
            problems.append(
                f"{where}: visible text {bar['text']!r} but aria-valuenow={bar['now']} aria-valuemax={bar['max']}"
            )
        if bar["valuetext"] is not None and not bar["valuetext"].startswith(f"{done} of {applicable} "):
            problems.append(f"{where}: aria-valuetext {bar['valuetext']!r} does not match the visible {bar['text']!r}")

    if not problems:
        # What Chromium hands to screen readers: its accessibility tree, over the DevTools protocol.
        # (It reports aria-valuetext as "" for every range widget, so valuetext is checked in the DOM only.)
        # The tree is not in document order (table rows come out grouped), so compare sorted lists.
        exposed = sorted(
            (name, float(now), float(low), float(high))
            for name, now, low, high in ax_progressbars(browser.execute_cdp_cmd("Accessibility.getFullAXTree", {}))
        )
        in_dom = sorted((b["label"], float(b["now"]), float(b["min"]), float(b["max"])) for b in bars if b["visible"])
        if exposed != in_dom:
            problems.append(
                "the accessibility tree differs from the DOM (name, now, min, max):\n"
                + "".join(f"    only in the tree: {e}\n" for e in exposed if e not in in_dom)
                + "".join(f"    only in the DOM:  {e}\n" for e in in_dom if e not in exposed)
            )

    assert not problems, f"{page.path or '/'}: {len(bars)} progress bars, problems:\n  " + "\n  ".join(problems)


def ax_progressbars(tree: dict) -> list[tuple[str, object, object, object]]:
    """(name, value, valuemin, valuemax) of every progress bar in a CDP Accessibility.getFullAXTree answer."""
    found = []
    for node in tree["nodes"]:
        if node.get("ignored") or node.get("role", {}).get("value") != "progressbar":
            continue
        props = {p["name"]: p["value"].get("value") for p in node.get("properties", [])}
        name = node.get("name", {}).get("value", "")
        found.append((name, node.get("value", {}).get("value"), props.get("valuemin"), props.get("valuemax")))
    return found


def format_violations(violations: list[dict]) -> str:
    lines = []
    for v in violations:
        lines.append(f"[{v['impact']}] {v['id']}: {v['help']} ({v['helpUrl']})")
        for node in v["nodes"]:
            html = " ".join(node["html"].split())
            lines.append(f"    {' > '.join(map(str, node['target']))}")
            lines.append(f"        {html[:200]}")
            for line in (node["summary"] or "").splitlines():
                if line.strip() and not line.startswith("Fix "):
                    lines.append(f"        - {line.strip()}")
    return "\n".join(lines)


@pytest.mark.parametrize("key", PAGE_KEYS)
def test_axe_finds_no_serious_violations(browser, site_server, pages, axe_source, artifacts, key):
    page = pages[key]
    load(browser, site_server, page)
    browser.execute_script(NO_TRANSITIONS_JS)  # audit the settled colours, not a frame of the tabs' fade-in
    browser.execute_script(axe_source)
    result = browser.execute_async_script(AXE_RUN_JS)
    assert "error" not in result, f"axe-core failed on {page.path or '/'}: {result.get('error')}"
    violations = result["violations"]
    (artifacts / f"axe-{page.name}.json").write_text(json.dumps(violations, indent=2), encoding="utf-8")

    blocking = [v for v in violations if v["impact"] in BLOCKING_IMPACTS]
    others = [v for v in violations if v["impact"] not in BLOCKING_IMPACTS]
    assert not blocking, (
        f"axe-core: {len(blocking)} serious/critical violation(s) on {site_server.url(page.path)} "
        f"(all results: tests/artifacts/axe-{page.name}.json)\n"
        + format_violations(blocking)
        + ("\nless severe, for information:\n" + format_violations(others) if others else "")
    )


@pytest.mark.parametrize("key", PAGE_KEYS)
def test_screenshot(browser, site_server, pages, artifacts, key):
    """A full-page PNG in tests/artifacts/ for people to look at (the theme's web fonts are blocked)."""
    page = pages[key]
    load(browser, site_server, page)
    # Capturing beyond the viewport resizes it, which restarts the theme's transitions (the tabs fade in):
    # switch them off so the picture shows the settled page.
    browser.execute_script(NO_TRANSITIONS_JS)
    size = browser.execute_cdp_cmd("Page.getLayoutMetrics", {})["cssContentSize"]
    width, height = max(1, int(size["width"])), min(max(1, int(size["height"])), 20000)
    shot = browser.execute_cdp_cmd(
        "Page.captureScreenshot",
        {
            "format": "png",
            "captureBeyondViewport": True,
            "clip": {"x": 0, "y": 0, "width": width, "height": height, "scale": 1},
        },
    )
    target = artifacts / f"{page.name}.png"
    target.write_bytes(base64.b64decode(shot["data"]))
    assert target.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and target.stat().st_size > 10_000, target
