"""A weekly trend as inline SVG, drawn on the server: no script, no CDN, readable on a phone (it scales to the
width of the page). Bars are 工作量 (cases filed that week), the darker part the ones 办结 since; the line is
按时办结率 over the resolved ones. Every value is also in the table under it (a screen reader reads that)."""

from __future__ import annotations

from collections.abc import Sequence

from bot.cases.stats import StatRow
from bot.web.console.layout import h

WIDTH, HEIGHT = 720, 240
LEFT, RIGHT, TOP, BOTTOM = 40, 40, 22, 34


def trend_svg(weeks: Sequence[StatRow], title: str = "每周趋势") -> str:
    """The chart for `weeks` (one StatRow per week, `name` = its label)."""
    if not weeks:
        return ""
    peak = max(1, max(w.cases for w in weeks))
    inner_w, inner_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    slot = inner_w / len(weeks)
    bar = max(4.0, slot * 0.62)
    parts = [f'<svg class="trend" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-label="{h(title)}" '
             'xmlns="http://www.w3.org/2000/svg">', f"<title>{h(title)}</title>"]
    for frac in (0.0, 0.5, 1.0):  # grid lines with the count scale on the left, the rate scale on the right
        y = TOP + inner_h * (1 - frac)
        parts.append(f'<line x1="{LEFT}" y1="{y:.1f}" x2="{WIDTH - RIGHT}" y2="{y:.1f}" stroke="#d5dbe1" stroke-width="1"/>')
        parts.append(f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="11" fill="#5f6b76">'
                     f'{round(peak * frac)}</text>')
        parts.append(f'<text x="{WIDTH - RIGHT + 6}" y="{y + 4:.1f}" font-size="11" fill="#b5651d">{frac * 100:.0f}%</text>')
    points = []
    for i, week in enumerate(weeks):
        x = LEFT + slot * i + (slot - bar) / 2
        filed_h = inner_h * week.cases / peak
        done_h = inner_h * week.resolved / peak
        parts.append(f'<rect x="{x:.1f}" y="{TOP + inner_h - filed_h:.1f}" width="{bar:.1f}" height="{filed_h:.1f}" '
                     f'fill="#9cc3e6"><title>{h(week.name)} 工作量 {week.cases}</title></rect>')
        parts.append(f'<rect x="{x:.1f}" y="{TOP + inner_h - done_h:.1f}" width="{bar:.1f}" height="{done_h:.1f}" '
                     f'fill="#0b5cad"><title>{h(week.name)} 办结 {week.resolved}</title></rect>')
        if week.cases:
            parts.append(f'<text x="{x + bar / 2:.1f}" y="{TOP + inner_h - filed_h - 4:.1f}" text-anchor="middle" '
                         f'font-size="11" fill="#1d232a">{week.cases}</text>')
        parts.append(f'<text x="{x + bar / 2:.1f}" y="{HEIGHT - BOTTOM + 16:.1f}" text-anchor="middle" font-size="11" '
                     f'fill="#5f6b76">{h(week.name)}</text>')
        if week.on_time_rate is not None:
            points.append((x + bar / 2, TOP + inner_h * (1 - week.on_time_rate)))
    if len(points) > 1:
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
        parts.append(f'<polyline points="{path}" fill="none" stroke="#e67e22" stroke-width="2"/>')
    parts.extend(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="#e67e22"/>' for x, y in points)
    parts.append("</svg>")
    legend = " ".join(f"{_swatch(colour)} {h(text)}" for colour, text in
                      (("#9cc3e6", "工作量"), ("#0b5cad", "其中已办结"), ("#e67e22", "按时办结率（右侧刻度）")))
    return "".join(parts) + f'<p class="legend">{legend}</p>'


def _swatch(colour: str) -> str:
    return (f'<svg width="12" height="12" viewBox="0 0 12 12" aria-hidden="true" xmlns="http://www.w3.org/2000/svg">'
            f'<rect width="12" height="12" fill="{colour}"/></svg>')
