"""The built site in a real browser, one page of every type at desktop (1366x900) and phone (390x844)
width: console errors, progress bars as assistive technology sees them, an axe-core audit, nothing
wider than the phone's screen outside a container that scrolls sideways, focus only on what can be
seen, a guide's print layout, and screenshots (tests/artifacts/) for people to look at."""

from __future__ import annotations

import base64
import json
import re
import warnings
from types import SimpleNamespace

import pytest

pytestmark = pytest.mark.browser

PAGE_KEYS = [
    "dashboard",
    "deployments",
    "services",
    "service",
    "service-rollback",
    "guide",
    "known-issues",
    "policy",
    "rules",
    "handbook",
]
WITH_BARS = ["dashboard", "deployments", "service", "service-rollback", "guide"]
BLOCKING_IMPACTS = ("serious", "critical")
# (name, width, height, mobile): the width the issue measured on a desktop and a phone.
VIEWPORTS = {"desktop": (1366, 900, False), "phone": (390, 844, True)}

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


def viewport(browser, name: str) -> int:
    """Make the browser's viewport the desktop or the phone one (a phone also gets touch and the
    page's meta viewport honoured); returns the width."""
    width, height, mobile = VIEWPORTS[name]
    browser.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": mobile},
    )
    return width


def load(browser, site_server, page, size: str = "desktop") -> list[tuple[str, int]]:
    """Open ``page`` at the ``size`` viewport and wait until its scripts (and the search worker) stop
    requesting; return the requests."""
    viewport(browser, size)
    browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": ""})
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


@pytest.mark.parametrize("key", WITH_BARS)
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


@pytest.mark.parametrize("size", VIEWPORTS)
@pytest.mark.parametrize("key", PAGE_KEYS)
def test_axe_finds_no_violations(browser, site_server, pages, axe_source, artifacts, key, size):
    page = pages[key]
    load(browser, site_server, page, size)
    browser.execute_script(NO_TRANSITIONS_JS)  # audit the settled colours, not a frame of the tabs' fade-in
    browser.execute_script(axe_source)
    result = browser.execute_async_script(AXE_RUN_JS)
    assert "error" not in result, f"axe-core failed on {page.path or '/'}: {result.get('error')}"
    violations = result["violations"]
    (artifacts / f"axe-{page.name}-{size}.json").write_text(json.dumps(violations, indent=2), encoding="utf-8")

    # None at all, of any impact (issue 15: "axe reports no violations at either width").
    assert not violations, (
        f"axe-core: {len(violations)} violation(s) on {site_server.url(page.path)} at {size} width "
        f"(all results: tests/artifacts/axe-{page.name}-{size}.json)\n" + format_violations(violations)
    )


@pytest.mark.parametrize("size", VIEWPORTS)
@pytest.mark.parametrize("key", PAGE_KEYS)
def test_screenshot(browser, site_server, pages, artifacts, key, size):
    """A full-page PNG in tests/artifacts/ for people to look at (the theme's web fonts are blocked)."""
    page = pages[key]
    load(browser, site_server, page, size)
    # Capturing beyond the viewport resizes it, which restarts the theme's transitions (the tabs fade in):
    # switch them off so the picture shows the settled page.
    browser.execute_script(NO_TRANSITIONS_JS)
    screenshot(browser, artifacts / f"{page.name}-{VIEWPORTS[size][0]}.png")


def screenshot(browser, target) -> None:
    """The whole page as a PNG at ``target``."""
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
    target.write_bytes(base64.b64decode(shot["data"]))
    assert target.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and target.stat().st_size > 10_000, target


# Every visible element whose box reaches past the viewport's right or left edge, unless a container
# that scrolls sideways (and itself fits) holds it. The theme's off-canvas drawer is hidden with
# visibility, which checkVisibility sees.
OVERFLOW_JS = """
const width = document.documentElement.clientWidth;
const fits = (box) => box.left >= -1 && box.right <= width + 1;
const scrolls = (el) => ['auto', 'scroll'].includes(getComputedStyle(el).overflowX);
const found = [];
for (const el of document.body.querySelectorAll('*')) {
  const box = el.getBoundingClientRect();
  if (box.width === 0 || box.height === 0 || fits(box)) continue;
  if (!el.checkVisibility({visibilityProperty: true, opacityProperty: true})) continue;
  let holder = el.parentElement;
  while (holder && holder !== document.body && !(scrolls(holder) && fits(holder.getBoundingClientRect()))) {
    holder = holder.parentElement;
  }
  if (holder && holder !== document.body) continue;
  // Report the outermost offender only: its descendants overflow with it.
  if (found.some((f) => f.el.contains(el))) continue;
  found.push({el, left: Math.round(box.left), right: Math.round(box.right)});
}
return {width, pageWidth: document.documentElement.scrollWidth, found: found.map((f) => ({
  html: f.el.outerHTML.slice(0, 160), left: f.left, right: f.right}))};
"""


@pytest.mark.parametrize("key", PAGE_KEYS)
def test_nothing_reaches_past_a_phone_screen(browser, site_server, pages, key):
    """Issue 15 §1: at 390x844 every element fits the viewport or sits in a container that scrolls
    sideways (the wide tables, the timelines), so nothing is cut off."""
    page = pages[key]
    load(browser, site_server, page, "phone")
    result = browser.execute_script(OVERFLOW_JS)
    assert not result["found"] and result["pageWidth"] <= result["width"], (
        f"{page.path or '/'} at 390 px: the page is {result['pageWidth']} px wide; reaching past the "
        f"viewport ({result['width']} px) outside a scrolling container:\n"
        + "".join(f"  [{f['left']}, {f['right']}] {f['html']}\n" for f in result["found"])
    )


# Every element in the sequential focus order (rendered, visible, tabIndex >= 0) that a sighted keyboard
# user could not see once focused: no size, transparent, or beside the page.
FOCUSABLE_JS = """
const selector = 'a[href], button, input, select, textarea, summary, [tabindex]';
const width = document.documentElement.clientWidth;
const hidden = [...document.querySelectorAll(selector)].filter((el) => el.tabIndex >= 0 && !el.disabled
    && !el.closest('[inert]') && el.checkVisibility({visibilityProperty: true})).filter((el) => {
  el.focus();  // as Tab would: scrolls it into view, and applies the page's :focus styles
  const box = el.getBoundingClientRect();
  const seen = document.activeElement !== el || (box.width > 0 && box.height > 0 && box.right > 0
    && box.left < width && el.checkVisibility({opacityProperty: true}));
  return !seen;
}).map((el) => ({html: el.outerHTML.slice(0, 160)}));
document.activeElement.blur();
window.scrollTo(0, 0);
return hidden;
"""


@pytest.mark.parametrize("size", VIEWPORTS)
@pytest.mark.parametrize("key", ["dashboard", "service", "guide", "handbook"])
def test_focus_lands_only_on_what_can_be_seen(browser, site_server, pages, key, size):
    """Issue 15 §5: Tab never moves to something invisible (the closed search's results, the closed
    drawer's links). Checks the first Tab stops for real, then every focusable element of the page."""
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.keys import Keys

    page = pages[key]
    load(browser, site_server, page, size)
    browser.execute_script(NO_TRANSITIONS_JS)
    hidden = []
    for stop in range(1, 9):
        ActionChains(browser).send_keys(Keys.TAB).perform()
        seen = browser.execute_script(
            "const el = document.activeElement; const box = el.getBoundingClientRect();"
            "return [el.outerHTML.slice(0, 160), el === document.body || (box.width > 0 && box.height > 0"
            " && el.checkVisibility({visibilityProperty: true, opacityProperty: true})"
            " && box.right > 0 && box.bottom > 0 && box.left < innerWidth && box.top < innerHeight)];"
        )
        if not seen[1]:
            hidden.append(f"Tab {stop}: {seen[0]}")
    hidden += [f"focusable: {f['html']}" for f in browser.execute_script(FOCUSABLE_JS)]
    assert not hidden, f"{page.path or '/'} at {size} width, focus on something invisible:\n  " + "\n  ".join(hidden)


PRINT_JS = """
const width = document.documentElement.clientWidth;
const visible = (el) => el.checkVisibility({visibilityProperty: true, opacityProperty: true})
  && el.getBoundingClientRect().width > 0;
const wide = [...document.querySelectorAll('article *')].filter((el) => visible(el)
  && el.getBoundingClientRect().right > width + 1).filter((el, _, all) => !all.some((o) => o !== el && o.contains(el)));
const navigation = [...document.querySelectorAll(
  '.md-header, .md-tabs, .md-sidebar, .md-footer, .md-top, .headerlink, .dd-backlink, .md-search, .md-skip')]
  .filter(visible);
const signoffs = document.querySelector('.dd-signoffs');
const keep = signoffs && getComputedStyle(signoffs.closest('.dd-keep') || signoffs).breakInside;
return {width, wide: wide.map((el) => el.outerHTML.slice(0, 160)),
  navigation: navigation.map((el) => el.outerHTML.slice(0, 120)), keep};
"""

# Printable width in CSS pixels (96 per inch) with the print style's 15 mm margins: A4 is 210 mm wide,
# US Letter 8.5 in.
PAPER = {"a4": round((210 - 2 * 15) / 25.4 * 96), "letter": round((8.5 - 2 * 15 / 25.4) * 96)}


@pytest.mark.parametrize("paper", PAPER)
def test_a_guide_prints_as_an_audit_document(browser, site_server, pages, artifacts, paper):
    """Issue 15 §5: printed, a guide has no site navigation, its tables fit the paper's width and its
    sign-offs are kept together on one page."""
    page = pages["guide"]
    load(browser, site_server, page)
    browser.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": PAPER[paper], "height": 1000, "deviceScaleFactor": 1, "mobile": False},
    )
    browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
    browser.execute_script(NO_TRANSITIONS_JS)
    result = browser.execute_script(PRINT_JS)
    screenshot(browser, artifacts / f"{page.name}-print-{paper}.png")
    assert not result["navigation"], "navigation printed:\n  " + "\n  ".join(result["navigation"])
    assert not result["wide"], f"wider than {paper} ({result['width']} px):\n  " + "\n  ".join(result["wide"])
    assert result["keep"] == "avoid", f"sign-offs may split across pages (break-inside: {result['keep']})"


SEARCH_RESULTS_JS = """
return [...document.querySelectorAll('.md-search-result__list > li')].map((li) => {
  const link = li.querySelector('a');
  const article = li.querySelector('article');
  return {href: new URL(link.href).pathname + new URL(link.href).hash,
          title: (article.querySelector('h1, h2') || article).textContent.trim(),
          text: (article.querySelector('p') || {textContent: ''}).textContent.trim()};
});
"""


def search(browser, site_server, query: str) -> list[dict]:
    """What the site's own search (the theme's, in the browser) answers for ``query``, best first."""
    from selenium.webdriver.support.ui import WebDriverWait

    load(browser, site_server, SimpleNamespace(path=""))
    field = browser.find_element("css selector", ".md-search__input")
    browser.execute_script("document.querySelector('label[for=__search]').click()")
    field.send_keys(query)
    WebDriverWait(browser, 10).until(
        lambda b: b.execute_script(
            "const m = document.querySelector('.md-search-result__meta');"
            "return m && /match/i.test(m.textContent) ? m.textContent : null;"
        )
    )
    # The theme searches as the query is typed: wait until the results stop changing, or they may be
    # those of the first letters (the index is built in a worker while typing goes on).
    seen: list = []

    def settled(b) -> bool:
        seen.append(b.execute_script(SEARCH_RESULTS_JS))
        return len(seen) >= 3 and seen[-1] == seen[-2] == seen[-3]

    WebDriverWait(browser, 10, poll_frequency=0.3).until(settled)
    return seen[-1]


# (query, the paths the first result may be on): a service id, a version, a known-issue id. A known
# issue's pages are the list of open issues and its service's page, whose known-issues section lists
# it (which of the two ranks first depends on the words of every other page, so either counts).
SEARCHES = [
    ("finance-service", ("/services/finance-service/",)),
    ("2.3.1", ("/deployments/identity-service/production/2.3.1/",)),
    ("KI-IDENTITY-1", ("/known-issues/", "/services/identity-service/")),
]


@pytest.mark.parametrize(("query", "first"), SEARCHES, ids=[q for q, _ in SEARCHES])
def test_search_finds_the_page_first(browser, site_server, query, first):
    """Issue 15 §4: ids and versions are words of their own, and their own pages come first; snippets
    keep table cells apart and carry no author-facing problem text."""
    results = search(browser, site_server, query)
    assert results, f"search {query!r}: no result"
    paths = [r["href"].split("#")[0] for r in results]
    assert paths[0].endswith(first), f"search {query!r}: first result {paths[0]}, all: {paths}"
    for result in results:
        assert not re.search(r"\.yaml:\d+:\d+|\[[a-z]+(-[a-z]+)+\]", result["text"]), result


BAR_COLOURS_JS = """
const rgb = (text) => (text.match(/rgba?\\(([^)]+)\\)/) || [null, '0,0,0,0'])[1].split(',').map(Number);
const page = rgb(getComputedStyle(document.querySelector('.md-content')).backgroundColor);
const bars = [...document.querySelectorAll('.dd-progress')].slice(0, 40).map((bar) => {
  const fill = bar.querySelector('.dd-progress__fill');
  return {html: bar.outerHTML.slice(0, 120), track: rgb(getComputedStyle(bar).backgroundColor),
          border: rgb(getComputedStyle(bar).boxShadow), fill: rgb(getComputedStyle(fill).backgroundColor)};
});
return {page, bars};
"""


def contrast(a: list[float], b: list[float]) -> float:
    """WCAG contrast ratio of two sRGB colours; a translucent one is seen over the white page."""

    def luminance(colour: list[float]) -> float:
        alpha = colour[3] if len(colour) == 4 else 1
        channels = [(c * alpha + 255 * (1 - alpha)) / 255 for c in colour[:3]]
        linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


@pytest.mark.parametrize("key", ["dashboard", "guide"])
def test_bars_contrast_with_their_track_and_the_page(browser, site_server, pages, key):
    """Issue 15 §2 (WCAG 1.4.11): a bar's fill has 3:1 against its track, the track's edge 3:1 against
    the page, so that "how much" is seen without relying on a faint grey."""
    load(browser, site_server, pages[key])
    found = browser.execute_script(BAR_COLOURS_JS)
    assert found["bars"]
    low = [
        (bar["html"], round(contrast(bar["fill"], bar["track"]), 2), round(contrast(bar["border"], found["page"]), 2))
        for bar in found["bars"]
        if contrast(bar["fill"], bar["track"]) < 3 or contrast(bar["border"], found["page"]) < 3
    ]
    assert not low, "(bar, fill:track, edge:page) below 3:1:\n" + "\n".join(map(str, low))
