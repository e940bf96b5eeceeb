"""Minutes per day as a small bar chart in SVG, drawn on the server: no script, no library."""

from __future__ import annotations

from html import escape

WIDTH, HEIGHT, TOP, BOTTOM = 350, 160, 18, 22


def minutes_chart(days: list[tuple[str, float]]) -> str:
    """One bar per (label, minutes); the tallest bar fills the height, 30 minutes at least."""
    scale = max([30.0, *(m for _, m in days)])
    slot = WIDTH / max(1, len(days))
    room = HEIGHT - TOP - BOTTOM
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" role="img"'
        ' aria-label="Minutes played per day" class="chart">'
    ]
    for n, (label, minutes) in enumerate(days):
        high = room * minutes / scale
        x, y = n * slot + slot * 0.2, TOP + room - high
        parts.append(
            f'<rect x="{x:.1f}" y="{y:.1f}" width="{slot * 0.6:.1f}" height="{high:.1f}"'
            f' rx="3"><title>{escape(label)}: {minutes:.0f} min</title></rect>'
        )
        if minutes:
            shown = f"{minutes:.0f}" if minutes >= 1 else "&lt;1"
            parts.append(f'<text x="{x + slot * 0.3:.1f}" y="{y - 4:.1f}">{shown}</text>')
        parts.append(
            f'<text x="{x + slot * 0.3:.1f}" y="{HEIGHT - 6}" class="day">{escape(label)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)
