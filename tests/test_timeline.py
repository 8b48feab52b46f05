"""The service timelines tell the truth (issue 15 §2), for any history: no marker covers another (same-day
deployments included), no label covers another, every text is at least 12 px, markers keep their
chronological order, and the axis has dated ticks.

The histories are made-up evaluations: the timeline reads only a record's date, environment, status,
version and type, so plain objects with those attributes stand in for the pipeline's records (the real
ones are covered by the built-site tests in test_portfolio.py and the browser tests).
"""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
from types import SimpleNamespace

from hypothesis import given, settings
from hypothesis import strategies as st

from deploydocs.site.timeline import CHAR, KINDS, MARKER, WIDTH, timeline_legend, timeline_svg

SVG = "{http://www.w3.org/2000/svg}"
ENVIRONMENTS = [
    ("development", "Development"),
    ("staging", "Staging"),
    ("pre-prod", "Pre-prod"),
    ("production", "Production"),
]
START = dt.date(2026, 1, 1)


def deployment(day: int, environment: str, status: str, version: str, rollback: bool) -> SimpleNamespace:
    record = SimpleNamespace(
        date=START + dt.timedelta(days=day),
        environment=environment,
        status=status,
        version=version,
        type="rollback" if rollback else "update",
    )
    return SimpleNamespace(record=record)


deployments = st.builds(
    deployment,
    # Few distinct days, so that many deployments share one.
    st.one_of(st.integers(0, 3), st.integers(0, 400)),
    st.sampled_from([key for key, _ in ENVIRONMENTS]),
    st.sampled_from(sorted(KINDS)),
    st.sampled_from(["1.0.0", "1.4.0", "2.3.1", "10.20.300-rc.1"]),
    st.booleans(),
)


def newest_first(history: list[SimpleNamespace]) -> list[SimpleNamespace]:
    """As the portfolio keeps it: by date, a rollback after what it reverses, then version."""
    key = lambda e: (e.record.date, e.record.type == "rollback", e.record.version)  # noqa: E731
    return sorted(history, key=key, reverse=True)


def markers(root: ET.Element) -> list[tuple[float, float]]:
    """(x, y) of every deployment marker, in document order (each carries its own <title>)."""
    found = []
    for element in root.iter():
        if element is root or element.find(f"{SVG}title") is None:
            continue
        tag = element.tag.removeprefix(SVG)
        if tag == "circle":
            found.append((float(element.get("cx")), float(element.get("cy"))))
        elif tag == "polygon":
            points = [tuple(map(float, p.split(","))) for p in element.get("points").split()]
            found.append((sum(p[0] for p in points) / 4, sum(p[1] for p in points) / 4))
        elif tag == "g":
            rect = element.find(f"{SVG}rect")
            found.append((float(rect.get("x")) + MARKER, float(rect.get("y")) + MARKER))
    return found


@settings(max_examples=150, deadline=None)
@given(st.lists(deployments, min_size=1, max_size=60))
def test_nothing_hides_anything(history: list[SimpleNamespace]) -> None:
    root = ET.fromstring(timeline_svg("A & <B>", newest_first(history), ENVIRONMENTS))
    assert root.get("role") == "img" and "A &amp; <B>" not in ET.tostring(root, encoding="unicode")
    texts = list(root.iter(f"{SVG}text"))
    assert texts and all(float(t.get("font-size")) >= 12 for t in texts)

    points = markers(root)
    assert len(points) == len(history)
    lanes: dict[float, list[float]] = {}
    for x, y in points:
        assert 0 <= x <= WIDTH
        lanes.setdefault(y, []).append(x)
    for xs in lanes.values():
        assert xs == sorted(xs), "markers out of chronological order"
        assert all(b - a >= 2 * MARKER for a, b in zip(xs, xs[1:], strict=False)), "a marker covers another"

    labels: dict[str, list[tuple[float, float]]] = {}
    for text in texts:
        if text.get("text-anchor") == "middle" and text.get("fill") != "#455a64":  # versions, not ticks
            half = len(text.text) * CHAR / 2
            labels.setdefault(text.get("y"), []).append((float(text.get("x")) - half, float(text.get("x")) + half))
    assert sum(len(row) for row in labels.values()) == len(history)
    for row in labels.values():
        row.sort()
        assert all(a[1] <= b[0] for a, b in zip(row, row[1:], strict=False)), "a label covers another"

    ticks = [t for t in texts if t.get("fill") == "#455a64"]
    assert ticks, "the axis has no dated tick"


def test_same_day_rollback_stays_visible() -> None:
    """governance-service's case: 1.4.0 rolled back and 1.3.2 restored on the same day."""
    history = [
        deployment(0, "production", "closed", "1.3.1", False),
        deployment(30, "production", "rolled-back", "1.4.0", False),
        deployment(30, "production", "closed", "1.3.2", True),
    ]
    svg = timeline_svg("Governance", newest_first(history), ENVIRONMENTS)
    root = ET.fromstring(svg)
    (first, failed, restored) = markers(root)
    assert first[0] < failed[0] < restored[0] and restored[0] - failed[0] >= 2 * MARKER
    assert "↺ 1.3.2" in svg  # the rollback is marked as one
    assert "rolled back or aborted" in timeline_legend() and "↺" in timeline_legend()
