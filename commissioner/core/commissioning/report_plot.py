"""A small SVG line plot of one captured channel, for the commissioning report.

Why SVG in core: the browser report inlines it and the PDF writer renders the very same markup
with QtSvg, so both reports show one picture without this module touching Qt. Only the SVG Tiny
subset QtSvg understands is used (presentation attributes, no CSS, no markers).

The y axis is zoomed on the data so noise and drift stay visible; an expected limit close enough
to the data is drawn as a dashed line, one far off-scale is named above the plot instead.
Samples outside the expected range are drawn red: they are the evidence of a failed range check.
"""

from __future__ import annotations

import math
from html import escape

from commissioner.core.commissioning.run_model import ChannelTrace

LINE = "#1e73be"
LIMIT = "#d9822b"
BAD = "#c62828"
GRID = "#e4e8ee"
TEXT = "#5f6b7a"
FONT = "DejaVu Sans, Helvetica, Arial, sans-serif"
_LEFT, _RIGHT, _TOP, _BOTTOM = 46, 10, 14, 20


def trace_svg(trace: ChannelTrace, width: int = 320, height: int = 110) -> str:
    """The plot as a standalone ``<svg>`` element (no XML prolog, so it can be inlined)."""
    pw, ph = width - _LEFT - _RIGHT, height - _TOP - _BOTTOM
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="{FONT}" font-size="9">',
        f'<rect x="0" y="0" width="{width}" height="{height}" fill="#ffffff"/>',
    ]
    points = list(zip(trace.times, trace.values, strict=False))
    if not points:
        out.append(_frame(pw, ph))
        out.append(_text(_LEFT + pw / 2, _TOP + ph / 2 + 3, "no data captured", "middle"))
        return "".join(out) + "</svg>"
    lo, hi, shown, off = _y_range(trace)
    t0, t1 = min(t for t, _ in points), max(t for t, _ in points)
    if t1 <= t0:
        t1 = t0 + 1.0

    def x(t: float) -> float:
        return _LEFT + (t - t0) / (t1 - t0) * pw

    def y(v: float) -> float:
        return _TOP + (hi - v) / (hi - lo) * ph

    for tick in _ticks(lo, hi, 5):
        out.append(_line(_LEFT, y(tick), _LEFT + pw, y(tick), GRID))
        out.append(_text(_LEFT - 4, y(tick) + 3, _axis(tick, hi - lo), "end"))
    x_ticks = _ticks(t0, t1, 4)
    for tick in x_ticks:
        out.append(_line(x(tick), _TOP + ph, x(tick), _TOP + ph + 3, TEXT))
        label = _axis(tick, t1 - t0) + (" s" if tick == x_ticks[-1] else "")
        out.append(_text(x(tick), height - 6, label, "middle"))
    out.append(_frame(pw, ph))
    for limit in shown:
        out.append(_line(_LEFT, y(limit), _LEFT + pw, y(limit), LIMIT, dash=True))
    if off:
        out.append(_text(_LEFT + pw, _TOP - 4, "  ".join(off) + " off scale", "end", LIMIT))
    path = " ".join(f"{x(t):.1f},{y(v):.1f}" for t, v in points)
    out.append(
        f'<polyline points="{path}" fill="none" stroke="{LINE}" stroke-width="1.4" '
        'stroke-linejoin="round"/>'
    )
    for t, v in points:
        bad = _outside(trace, v)
        if bad or len(points) <= 40:
            colour, radius = (BAD, 2.4) if bad else (LINE, 1.5)
            out.append(f'<circle cx="{x(t):.1f}" cy="{y(v):.1f}" r="{radius}" fill="{colour}"/>')
    return "".join(out) + "</svg>"


def _y_range(trace: ChannelTrace) -> tuple[float, float, list[float], list[str]]:
    """(low, high, limits drawn as lines, labels of the limits too far off to draw)."""
    lo, hi = min(trace.values), max(trace.values)
    span = max(hi - lo, abs(hi) * 0.02, 1e-6)
    shown: list[float] = []
    off: list[str] = []
    unit = f" {trace.unit}" if trace.unit else ""
    for name, limit in (("min", trace.minimum), ("max", trace.maximum)):
        if limit is None:
            continue
        distance = max(lo - limit, limit - hi, 0.0)
        if distance <= 1.5 * span:
            shown.append(limit)
        else:
            arrow = "\u25b2" if limit > hi else "\u25bc"
            off.append(f"{arrow} {name} {limit:g}{unit}".replace("-", "\u2212"))
    lo, hi = min([lo, *shown]), max([hi, *shown])
    pad = max(hi - lo, span) * 0.12
    return lo - pad, hi + pad, shown, off


def _outside(trace: ChannelTrace, value: float) -> bool:
    return (trace.minimum is not None and value < trace.minimum) or (
        trace.maximum is not None and value > trace.maximum
    )


def _ticks(lo: float, hi: float, count: int) -> list[float]:
    """Round tick values (1, 2 or 5 times a power of ten) inside [lo, hi]."""
    raw = (hi - lo) / max(count, 1)
    power = 10 ** math.floor(math.log10(raw)) if raw > 0 else 1.0
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    first = math.ceil(lo / step - 1e-9) * step
    ticks = []
    value = first
    while value <= hi + 1e-9 * step:
        ticks.append(0.0 if abs(value) < step * 1e-9 else value)
        value += step
    return ticks or [lo]


def format_value(value: float, span: float) -> str:
    """``value`` with as many decimals as a range of ``span`` needs to tell its values apart."""
    step = span / 4 if span > 0 else abs(value) / 100 or 0.01
    if step >= 1:
        decimals = 0 if float(value).is_integer() or step >= 2 else 1
    else:
        decimals = min(4, math.ceil(-math.log10(step)))
    return f"{value:.{decimals}f}"


def _axis(value: float, span: float) -> str:
    return format_value(value, span).replace("-", "\u2212")  # a true minus sign


def _frame(pw: float, ph: float) -> str:
    return (
        f'<rect x="{_LEFT}" y="{_TOP}" width="{pw}" height="{ph}" fill="none" '
        f'stroke="#c3cad4" stroke-width="0.8"/>'
    )


def _line(x1: float, y1: float, x2: float, y2: float, colour: str, *, dash: bool = False) -> str:
    extra = ' stroke-dasharray="4,3" stroke-width="1.2"' if dash else ' stroke-width="0.7"'
    return (
        f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" stroke="{colour}"{extra}/>'
    )


def _text(x: float, y: float, text: str, anchor: str, colour: str = TEXT) -> str:
    return f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" fill="{colour}">{escape(text)}</text>'
