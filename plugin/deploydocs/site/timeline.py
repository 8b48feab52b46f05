"""A small static SVG per service: versions over time, one lane per environment. No scripts."""

from __future__ import annotations

import datetime as dt

from deploydocs.core.evaluate import Evaluation

from .text import html_text as escape  # the pages' one escape: no line break can end the block

LANE_HEIGHT = 26
LEFT = 90
RIGHT = 20
WIDTH = 720
TOP = 20
COLOURS = {
    "closed": "#2e7d32",
    "verified": "#2e7d32",
    "deployed": "#43a047",
    "in-progress": "#ef6c00",
    "planned": "#78909c",
    "rolled-back": "#c62828",
    "aborted": "#c62828",
}


def timeline_svg(service_name: str, history: list[Evaluation], environments: list[tuple[str, str]]) -> str:
    """SVG markup (one line) for a service's deployments; ``environments`` is (key, title) in order."""
    dated = [e for e in history if e.record.date is not None]
    height = TOP + LANE_HEIGHT * len(environments) + 24
    label = f"Timeline of {service_name} deployments by environment"
    parts = [
        f'<svg class="dd-timeline" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" '
        f'width="{WIDTH}" height="{height}" role="img" aria-label="{escape(label)}">',
        f"<title>{escape(label)}</title>",
    ]
    if not dated:
        parts.append(f'<text x="{LEFT}" y="{TOP + 12}" font-size="12">No dated deployments.</text></svg>')
        return "".join(parts)
    first = min(e.record.date for e in dated)
    last = max(e.record.date for e in dated)
    span = max((last - first).days, 1)

    def x(day: dt.date) -> float:
        return LEFT + (WIDTH - LEFT - RIGHT) * (day - first).days / span

    for index, (key, title) in enumerate(environments):
        y = TOP + LANE_HEIGHT * index + LANE_HEIGHT / 2
        parts.append(f'<text x="4" y="{y + 4:.0f}" font-size="12" fill="#37474f">{escape(title)}</text>')
        parts.append(
            f'<line x1="{LEFT}" y1="{y:.0f}" x2="{WIDTH - RIGHT}" y2="{y:.0f}" stroke="#cfd8dc" stroke-width="1"/>'
        )
        lane = sorted((e for e in dated if e.record.environment == key), key=lambda e: (e.record.date, e.record.slug))
        for evaluation in lane:
            record = evaluation.record
            cx = x(record.date)
            colour = COLOURS.get(record.status, "#546e7a")
            tip = f"{record.version} {title} {record.date} ({record.status})"
            parts.append(
                f'<circle cx="{cx:.1f}" cy="{y:.0f}" r="5" fill="{colour}"><title>{escape(tip)}</title></circle>'
            )
            parts.append(
                f'<text x="{cx:.1f}" y="{y - 8:.0f}" font-size="10" text-anchor="middle" fill="#263238">'
                f"{escape(record.version)}</text>"
            )
    axis_y = TOP + LANE_HEIGHT * len(environments) + 14
    parts.append(f'<text x="{LEFT}" y="{axis_y}" font-size="11" fill="#546e7a">{first.isoformat()}</text>')
    parts.append(
        f'<text x="{WIDTH - RIGHT}" y="{axis_y}" font-size="11" text-anchor="end" fill="#546e7a">'
        f"{last.isoformat()}</text>"
    )
    parts.append("</svg>")
    return "".join(parts)
