"""A small static SVG per service: versions over time, one lane per environment. No scripts.

What the picture promises (issue 15 §2), by construction:

- No marker hides another: in a lane, markers keep their chronological order (the portfolio's, so a
  rollback comes after what it reverses on the same day) and stand at least ``SPACING`` apart; one
  pushed off its date is joined to a tick at its true date.
- No label hides another: version labels are stacked in as many rows above the lane as they need.
- Text is 12 px at the picture's natural width, which it keeps (a narrow screen scrolls it sideways).
- Colour and shape both carry the status (see ``KINDS``; the legend is :func:`timeline_legend`), and
  every colour has at least 3:1 contrast against the white page.
- The axis has dated ticks; the same points are on the page as a table (the templates' job).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from deploydocs.core.evaluate import Evaluation

from .text import html_text as escape  # the pages' one escape: no line break can end the block

WIDTH = 720
LEFT = 96  # lane titles
RIGHT = 36  # room for the last label
TOP = 6
FONT = 12  # px, every text of the picture
ROW = 15  # height of one row of labels
MARKER = 6  # radius
SPACING = 2 * MARKER + 5  # minimum distance between two markers' centres in a lane
CHAR = 7.0  # an upper estimate of a 12 px digit's or letter's width, to keep labels apart
AXIS = 30  # the axis and its tick labels
TEXT = "#263238"
MUTED = "#455a64"  # 9:1 on white
LINE = "#757575"  # 4.6:1 on white: lane tracks and the axis

# status -> (kind, colour). Kinds are drawn as distinct shapes, so colour is never the only cue.
KINDS = {
    "closed": ("live", "#2e7d32"),
    "verified": ("live", "#2e7d32"),
    "deployed": ("live", "#2e7d32"),
    "in-progress": ("under-way", "#b45309"),
    "planned": ("planned", "#546e7a"),
    "rolled-back": ("failed", "#c62828"),
    "aborted": ("failed", "#c62828"),
}
OTHER = ("planned", "#546e7a")
LEGEND = (
    ("live", "#2e7d32", "deployed, verified or closed"),
    ("under-way", "#b45309", "in progress"),
    ("planned", "#546e7a", "planned"),
    ("failed", "#c62828", "rolled back or aborted"),
)


def _shape(kind: str, colour: str, cx: float, cy: float, inner: str = "") -> str:
    """One marker: a filled circle (live), a diamond (under way), a hollow circle (planned), a cross
    in a square (failed)."""
    r = MARKER
    if kind == "under-way":
        d = r + 1
        points = f"{cx:.1f},{cy - d:.1f} {cx + d:.1f},{cy:.1f} {cx:.1f},{cy + d:.1f} {cx - d:.1f},{cy:.1f}"
        return f'<polygon points="{points}" fill="{colour}">{inner}</polygon>'
    if kind == "planned":
        return (
            f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="{r - 1}" fill="#fff" stroke="{colour}" stroke-width="2.5">'
            f"{inner}</circle>"
        )
    if kind == "failed":
        d = r - 2
        return (
            f'<g>{inner}<rect x="{cx - r:.1f}" y="{cy - r:.1f}" width="{2 * r}" height="{2 * r}" fill="{colour}"/>'
            f'<path d="M{cx - d:.1f},{cy - d:.1f}L{cx + d:.1f},{cy + d:.1f}M{cx + d:.1f},{cy - d:.1f}'
            f'L{cx - d:.1f},{cy + d:.1f}" stroke="#fff" stroke-width="2"/></g>'
        )
    return f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="{r}" fill="{colour}">{inner}</circle>'


def timeline_legend() -> str:
    """What each colour and shape of the timelines means, as HTML (one line, for a raw HTML block)."""
    entries = []
    for kind, colour, text in LEGEND:
        icon = _shape(kind, colour, 8, 8)
        entries.append(
            f'<li><svg width="16" height="16" viewBox="0 0 16 16" aria-hidden="true" focusable="false">{icon}</svg>'
            f" {escape(text)}</li>"
        )
    entries.append('<li><span aria-hidden="true">↺</span> a rollback deployment</li>')
    entries.append(
        '<li><svg width="16" height="16" viewBox="0 0 16 16" aria-hidden="true" focusable="false">'
        f'<path d="M3,14L13,4M13,10V16" stroke="{LINE}" stroke-width="1.5" fill="none"/></svg>'
        " moved aside so as not to cover a deployment of the same days; the tick marks its date</li>"
    )
    return '<ul class="dd-legend dd-timeline-legend" data-search-exclude>' + "".join(entries) + "</ul>"


@dataclass
class _Point:
    evaluation: Evaluation
    true_x: float
    x: float = 0.0
    row: int = 0


def _spread(points: list[_Point], low: float, high: float) -> None:
    """Markers in order, at least SPACING apart, as close to their dates as that allows, within
    [low, high] (closer together only if a lane holds more markers than fit)."""
    if not points:
        return
    spacing = min(SPACING, (high - low) / max(len(points) - 1, 1))
    previous = None
    for point in points:
        point.x = point.true_x if previous is None else max(point.true_x, previous + spacing)
        previous = point.x
    following = None
    for point in reversed(points):
        limit = high if following is None else following - spacing
        point.x = min(point.x, limit)
        following = point.x


def _label(evaluation: Evaluation) -> str:
    record = evaluation.record
    return ("↺ " if record.type == "rollback" else "") + record.version


def _stack_labels(points: list[_Point]) -> int:
    """Give every label the first row where it overlaps no other label; returns the number of rows."""
    ends: list[float] = []  # per row: where its last label ends
    for point in points:
        half = len(_label(point.evaluation)) * CHAR / 2
        start = _label_centre(point.x, half) - half
        row = next((index for index, end in enumerate(ends) if start >= end + 6), len(ends))
        if row == len(ends):
            ends.append(0.0)
        point.row = row
        ends[row] = start + 2 * half
    return max(len(ends), 1)


def _label_centre(x: float, half: float) -> float:
    return min(max(x, LEFT + half - 8), WIDTH - half - 2)


def _ticks(first: dt.date, last: dt.date) -> list[tuple[dt.date, str]]:
    """Dated ticks at round steps (days, weeks, months or years), at most about eight."""
    span = (last - first).days
    if span <= 62:
        step = next(s for s in (1, 2, 7, 14, 28) if span / s <= 8)
        start = first if step < 7 else first + dt.timedelta(days=(7 - first.weekday()) % 7)
        days = range(0, (last - start).days + 1, step)
        return [(start + dt.timedelta(days=d), f"{start + dt.timedelta(days=d):%d %b}") for d in days]
    months = span / 30.4
    step = next((s for s in (1, 2, 3, 6, 12) if months / s <= 8), 12)
    years = 1 if months / 12 <= 8 else -(-int(months / 12) // 8)  # every n-th January for long spans
    ticks: list[tuple[dt.date, str]] = []
    year, month = first.year, first.month
    while True:
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        day = dt.date(year, month, 1)
        if day > last:
            return ticks
        if (month - 1) % step == 0 and (step < 12 or year % years == 0):
            ticks.append((day, f"{day:%b %Y}" if month == 1 or not ticks else f"{day:%b}"))


def timeline_svg(service_name: str, history: list[Evaluation], environments: list[tuple[str, str]]) -> str:
    """SVG markup (one line) for a service's deployments; ``environments`` is (key, title) in order,
    ``history`` newest first (as the portfolio keeps it)."""
    dated = [e for e in reversed(history) if e.record.date is not None]  # oldest first, portfolio order
    label = f"Timeline of {service_name} deployments by environment"
    if not dated:
        height = TOP + 2 * ROW
        return (
            f'<svg class="dd-timeline" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" '
            f'width="{WIDTH}" height="{height}" role="img" aria-label="{escape(label)}">'
            f"<title>{escape(label)}</title>"
            f'<text x="{LEFT}" y="{TOP + FONT}" font-size="{FONT}" fill="{TEXT}">No dated deployments.</text></svg>'
        )
    first = min(e.record.date for e in dated)
    last = max(e.record.date for e in dated)
    if (last - first).days < 14:  # a short history still gets a readable scale
        first, last = first - dt.timedelta(days=7), last + dt.timedelta(days=7)
    span = (last - first).days
    low, high = LEFT + 14, WIDTH - RIGHT

    def x(day: dt.date) -> float:
        return low + (high - low) * (day - first).days / span

    earliest, latest = min(e.record.date for e in dated), max(e.record.date for e in dated)
    label = f"{label}, {len(dated)} deployment(s) from {earliest} to {latest}"
    body: list[str] = []
    y = TOP
    lane_tops = []
    for key, title in environments:
        points = [_Point(e, x(e.record.date)) for e in dated if e.record.environment == key]
        _spread(points, low, high)
        rows = _stack_labels(points)
        lane_tops.append(y)
        marker_y = y + rows * ROW + MARKER + 3
        body.append(
            f'<text x="4" y="{marker_y + 4:.0f}" font-size="{FONT}" fill="{TEXT}">{escape(title)}</text>'
            f'<line x1="{LEFT}" y1="{marker_y:.0f}" x2="{WIDTH - 4}" y2="{marker_y:.0f}" '
            f'stroke="{LINE}" stroke-width="1"/>'
        )
        for point in points:
            record = point.evaluation.record
            kind, colour = KINDS.get(record.status, OTHER)
            if abs(point.x - point.true_x) > 1:
                body.append(
                    f'<path d="M{point.true_x:.1f},{marker_y + 4:.0f}V{marker_y + 9:.0f}'
                    f'L{point.x:.1f},{marker_y + 2:.0f}" '
                    f'stroke="{LINE}" stroke-width="1.5" fill="none"/>'
                )
            tip = f"{record.version} in {title} on {record.date}: {record.status}"
            if record.type == "rollback":
                tip += " (a rollback)"
            body.append(_shape(kind, colour, point.x, marker_y, f"<title>{escape(tip)}</title>"))
            text = _label(point.evaluation)
            half = len(text) * CHAR / 2
            label_y = y + (rows - point.row) * ROW - 3
            body.append(
                f'<text x="{_label_centre(point.x, half):.1f}" y="{label_y:.0f}" font-size="{FONT}" '
                f'text-anchor="middle" fill="{TEXT}">{escape(text)}</text>'
            )
        y = marker_y + MARKER + 8
    axis_y = y + 2
    height = axis_y + AXIS
    grid = []
    for day, text in _ticks(first, last):
        tx = x(day)
        grid.append(
            f'<line x1="{tx:.1f}" y1="{TOP}" x2="{tx:.1f}" y2="{axis_y:.0f}" stroke="#e3e7ea" stroke-width="1"/>'
            f'<line x1="{tx:.1f}" y1="{axis_y:.0f}" x2="{tx:.1f}" y2="{axis_y + 5:.0f}" '
            f'stroke="{LINE}" stroke-width="1"/>'
            f'<text x="{tx:.1f}" y="{axis_y + 5 + FONT + 2:.0f}" font-size="{FONT}" text-anchor="middle" '
            f'fill="{MUTED}">{escape(text)}</text>'
        )
    parts = [
        f'<svg class="dd-timeline" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height:.0f}" '
        f'width="{WIDTH}" height="{height:.0f}" role="img" aria-label="{escape(label)}" '
        f'font-family="system-ui, -apple-system, Segoe UI, Roboto, sans-serif">',
        f"<title>{escape(label)}</title>",
        *grid,
        f'<line x1="{LEFT}" y1="{axis_y:.0f}" x2="{WIDTH - 4}" y2="{axis_y:.0f}" stroke="{LINE}" stroke-width="1"/>',
        *body,
        "</svg>",
    ]
    return "".join(parts)
