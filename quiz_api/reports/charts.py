"""Charts as inline SVG, drawn on the server by pure functions: no JavaScript, no CDN.

Each chart is decorative for assistive technology (aria-hidden): the page puts the same figures
in a table right after it, which screen readers read instead. Every text is escaped here. Size and
font come from app.css (.kns-chart), not a style attribute: the pages' Content-Security-Policy
allows no inline style.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from markupsafe import Markup

INK = "#1f1f1f"
GRID = "#d0d0d0"
BAR = "#3949ab"  # indigo, the site's primary colour (contrast 7.9:1 on white)
BAR_2 = "#2e7d32"  # green, for a second series (5.1:1)
MISSED = "#b3261e"
TARGET = "#1f1f1f"


@dataclass(frozen=True)
class Bar:
    label: str
    value: float | None  # 0..1 (a share); None: hidden or no data
    text: str  # what to print at the end of the bar, e.g. "72%" or "<5"
    target: float | None = None  # 0..1: a marker where the target is


def _svg(width: int, height: int, body: list[str], title: str) -> Markup:
    return Markup(
        f'<svg xmlns="http://www.w3.org/2000/svg" class="kns-chart" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" aria-hidden="true" '
        f'focusable="false">'
        f"<title>{escape(title)}</title>" + "".join(body) + "</svg>"
    )


def _truncate(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def bar_chart(bars: Sequence[Bar], *, title: str, width: int = 640, label_width: int = 220) -> Markup:
    """Horizontal bars for shares (0–100%), with an optional target marker per bar."""
    row, pad_top = 26, 24
    plot = width - label_width - 70
    height = pad_top + row * max(1, len(bars)) + 10
    body = []
    for pct in (0, 0.25, 0.5, 0.75, 1.0):
        x = label_width + plot * pct
        body.append(f'<line x1="{x:.1f}" y1="{pad_top - 6}" x2="{x:.1f}" y2="{height - 8}" stroke="{GRID}"/>')
        body.append(f'<text x="{x:.1f}" y="{pad_top - 10}" font-size="11" fill="{INK}" '
                    f'text-anchor="middle">{int(pct * 100)}%</text>')
    for i, bar in enumerate(bars):
        y = pad_top + i * row
        body.append(f'<text x="{label_width - 8}" y="{y + 16}" font-size="12" fill="{INK}" '
                    f'text-anchor="end">{escape(_truncate(bar.label, 34))}</text>')
        end = label_width
        if bar.value is not None:
            w = plot * max(0.0, min(1.0, bar.value))
            colour = MISSED if bar.target is not None and bar.value + 1e-9 < bar.target else BAR
            body.append(f'<rect x="{label_width}" y="{y + 4}" width="{w:.1f}" height="16" fill="{colour}"/>')
            end = label_width + w
        if bar.target is not None:
            tx = label_width + plot * max(0.0, min(1.0, bar.target))
            body.append(f'<line x1="{tx:.1f}" y1="{y + 1}" x2="{tx:.1f}" y2="{y + 23}" stroke="{TARGET}" '
                        f'stroke-width="2" stroke-dasharray="3 2"/>')
        body.append(f'<text x="{end + 6:.1f}" y="{y + 16}" font-size="12" fill="{INK}">{escape(bar.text)}</text>')
    if not bars:
        body.append(f'<text x="{label_width}" y="{pad_top + 16}" font-size="12" fill="{INK}">—</text>')
    return _svg(width, height, body, title)


def column_chart(labels: Sequence[str], series: Sequence[tuple[str, Sequence[int | None]]], *, title: str,
                 width: int = 640, height: int = 240) -> Markup:
    """Grouped columns (e.g. attempts and first passes per month), with a legend and a y scale."""
    left, right, top, bottom = 48, 10, 30, 28
    plot_w, plot_h = width - left - right, height - top - bottom
    peak = max([v for _, values in series for v in values if v is not None] + [1])
    step = _nice_step(peak)
    top_value = step * -(-peak // step)
    body = []
    for k in range(int(top_value // step) + 1):
        value = k * step
        y = top + plot_h - plot_h * value / top_value
        body.append(f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" stroke="{GRID}"/>')
        body.append(f'<text x="{left - 6}" y="{y + 4:.1f}" font-size="11" fill="{INK}" '
                    f'text-anchor="end">{value:,}</text>')
    group_w = plot_w / max(1, len(labels))
    colours = (BAR, BAR_2)
    col_w = group_w * 0.8 / max(1, len(series))
    for i, label in enumerate(labels):
        x0 = left + i * group_w + group_w * 0.1
        for s, (_, values) in enumerate(series):
            v = values[i] if i < len(values) else None
            if v is None or v <= 0:
                continue
            h = plot_h * v / top_value
            body.append(f'<rect x="{x0 + s * col_w:.1f}" y="{top + plot_h - h:.1f}" width="{col_w - 1:.1f}" '
                        f'height="{h:.1f}" fill="{colours[s % 2]}"/>')
        body.append(f'<text x="{left + (i + 0.5) * group_w:.1f}" y="{height - 10}" font-size="11" fill="{INK}" '
                    f'text-anchor="middle">{escape(label)}</text>')
    x = left
    for s, (name, _) in enumerate(series):
        body.append(f'<rect x="{x}" y="8" width="12" height="12" fill="{colours[s % 2]}"/>')
        body.append(f'<text x="{x + 16}" y="18" font-size="12" fill="{INK}">{escape(name)}</text>')
        x += 24 + 7 * len(name)
    return _svg(width, height, body, title)


def _nice_step(peak: int) -> int:
    """A round grid step giving 3–6 lines up to the peak (1, 2, 5, 10, 20, 50, ...)."""
    step = 1
    while peak / step > 5:
        for factor in (2, 2.5, 2):
            step = int(step * factor)
            if peak / step <= 5:
                break
    return max(1, step)
