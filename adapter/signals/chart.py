"""Signals per week per type as a small stacked-bar SVG, drawn on the server (no chart library, no CDN)."""

from __future__ import annotations

from datetime import date
from html import escape

WIDTH, HEIGHT = 640, 240
LEFT, RIGHT, TOP, BOTTOM = 36, 12, 12, 56


def weekly_chart(weeks: list[dict], types: list[dict], title: str = "Signals per week by type",
                 chart_id: str = "chart") -> str:
    """An accessible SVG: one stacked bar per week, a colour per type, a legend below."""
    totals = [sum(w["counts"].values()) for w in weeks] or [0]
    ceiling = max(max(totals), 1)
    step = _nice_step(ceiling)
    ceiling = step * -(-ceiling // step)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    slot = plot_w / max(len(weeks), 1)
    bar = slot * 0.62
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" class="chart">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(_describe(weeks, types))}</desc>',
    ]
    for value in range(0, ceiling + 1, step):
        y = TOP + plot_h - plot_h * value / ceiling
        parts.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}" stroke="#e4e7eb"/>')
        parts.append(f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="11" fill="#7b8794">{value}</text>')
    for index, week in enumerate(weeks):
        x = LEFT + slot * index + (slot - bar) / 2
        y = TOP + plot_h
        for signal_type in types:
            count = week["counts"].get(signal_type["key"], 0)
            if not count:
                continue
            height = plot_h * count / ceiling
            y -= height
            parts.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar:.1f}" height="{height:.1f}" '
                         f'fill="{escape(signal_type["color"])}"><title>{escape(signal_type["name"])}: {count}</title></rect>')
        label = date.fromisoformat(week["week"]).strftime("%d %b")
        parts.append(f'<text x="{x + bar / 2:.1f}" y="{TOP + plot_h + 16}" text-anchor="middle" font-size="11" '
                     f'fill="#52606d">{label}</text>')
    x = LEFT
    for signal_type in types:
        parts.append(f'<rect x="{x}" y="{HEIGHT - 22}" width="10" height="10" rx="2" fill="{escape(signal_type["color"])}"/>')
        parts.append(f'<text x="{x + 14}" y="{HEIGHT - 13}" font-size="11" fill="#52606d">{escape(signal_type["name"])}</text>')
        x += 24 + 6 * len(signal_type["name"])
    parts.append("</svg>")
    return "".join(parts)


def _nice_step(ceiling: int) -> int:
    for step in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000):
        if ceiling / step <= 5:
            return step
    return max(1, ceiling // 5)


def _describe(weeks: list[dict], types: list[dict]) -> str:
    names = {t["key"]: t["name"] for t in types}
    lines = []
    for week in weeks:
        counts = ", ".join(f"{names.get(k, k)} {v}" for k, v in sorted(week["counts"].items())) or "none"
        lines.append(f"week of {week['week']}: {counts}")
    return "; ".join(lines)
