"""Line charts drawn on the server as SVG: the same vector drawing on screen, in print and in the PDF.

No browser is needed to draw them. Each status has its own marker shape as well as colour, and
each chart carries a title and a description; the table beside it holds the same figures.
"""

import math
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from kpis.formatting import format_value
from kpis.models import Indicator, Unit
from kpis.status import Rag

MARKER_COLOURS = {Rag.RED: "#d4351c", Rag.AMBER: "#b45a00", Rag.GREEN: "#00703c", Rag.NONE: "#505a5f"}


@dataclass(frozen=True)
class ChartPoint:
    month: date
    value: Decimal | None
    rag: Rag


def nice_ticks(low: float, high: float, count: int = 4) -> list[float]:
    """Round tick values covering low..high: steps of 1, 2, 2.5 or 5 times a power of ten."""
    if high <= low:
        high = low + 1
    raw = (high - low) / count
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)
    first = math.floor(low / step) * step
    ticks, tick = [], first
    while tick <= high + step * 1e-9:
        ticks.append(round(tick, 10))
        tick += step
    if ticks[-1] < high:
        ticks.append(round(tick, 10))
    return ticks


def axis_start(lowest: float, highest: float, unit: str) -> float:
    """Zero, unless the figures are counts or rates whose lowest is over half their highest."""
    if unit == Unit.PERCENTAGE or lowest <= 0 or lowest < highest / 2:
        return 0.0
    spread = (highest - lowest) or highest * 0.1
    return max(0.0, lowest - spread * 0.5)


def marker(rag: Rag, x: float, y: float) -> str:
    colour = MARKER_COLOURS[rag]
    if rag is Rag.RED:  # a cross
        return (
            f'<path d="M{x - 4:.1f},{y - 4:.1f} L{x + 4:.1f},{y + 4:.1f} M{x - 4:.1f},{y + 4:.1f} '
            f'L{x + 4:.1f},{y - 4:.1f}" stroke="{colour}" stroke-width="2.5"/>'
        )
    if rag is Rag.AMBER:  # a diamond
        return (
            f'<path d="M{x:.1f},{y - 5:.1f} L{x + 5:.1f},{y:.1f} '
            f'L{x:.1f},{y + 5:.1f} L{x - 5:.1f},{y:.1f} Z" fill="{colour}"/>'
        )
    if rag is Rag.GREEN:  # a circle
        return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4" fill="{colour}"/>'
    return f'<rect x="{x - 3.5:.1f}" y="{y - 3.5:.1f}" width="7" height="7" fill="{colour}"/>'  # a square


def line_chart(
    points: list[ChartPoint],
    indicator: Indicator,
    chart_id: str,
    title: str,
    description: str,
    target: list[tuple[date, Decimal]] | None = None,
    width: int = 560,
    height: int = 230,
) -> SafeString:
    """An SVG line chart of ``points`` (gaps break the line), with an optional dashed target line.

    Counts and rates far from zero get an axis that starts near their lowest value, so a gap
    between a figure and its target shows; percentages always start at zero.
    """
    left, right, top, bottom = 56, 30, 12, 30
    plot_w, plot_h = width - left - right, height - top - bottom
    numbers = [float(p.value) for p in points if p.value is not None] + [float(v) for _, v in target or []]
    if not numbers:
        return mark_safe("")
    high = max(max(numbers), 1.0) if indicator.unit == Unit.PERCENTAGE else max(numbers)
    low = axis_start(min(numbers), high, indicator.unit)
    ticks = nice_ticks(low, high)
    low, high = ticks[0], ticks[-1]
    span = (high - low) or 1.0
    step = plot_w / max(len(points) - 1, 1)

    def x_of(index: int) -> float:
        return left + index * step if len(points) > 1 else left + plot_w / 2

    def y_of(value: float) -> float:
        return top + plot_h - (value - low) / span * plot_h

    parts = [
        f'<svg class="app-svg-chart" id="{escape(chart_id)}" role="img" '
        f'aria-labelledby="{escape(chart_id)}-title {escape(chart_id)}-desc" viewBox="0 0 {width} {height}" '
        'width="100%" preserveAspectRatio="xMinYMin meet" '
        'xmlns="http://www.w3.org/2000/svg" font-family="Arial, sans-serif" font-size="15">',
        f'<title id="{escape(chart_id)}-title">{escape(title)}</title>',
        f'<desc id="{escape(chart_id)}-desc">{escape(description)}</desc>',
    ]
    for tick in ticks:
        y = y_of(tick)
        label = format_value(Decimal(str(tick)), indicator.unit, 0 if tick == int(tick) else 1)
        parts.append(f'<line x1="{left}" x2="{width - right}" y1="{y:.1f}" y2="{y:.1f}" stroke="#e5e5e5"/>')
        parts.append(
            f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" fill="#0b0c0c">{escape(label)}</text>'
        )
    label_every = max(1, math.ceil(len(points) / 5))
    last = len(points) - 1
    for index, point in enumerate(points):
        if (index % label_every == 0 and last - index >= label_every / 2) or index == last:
            anchor = "end" if index == last and len(points) > 1 else "middle"
            parts.append(
                f'<text x="{x_of(index) + (6 if anchor == "end" else 0):.1f}" y="{height - 8}" '
                f'text-anchor="{anchor}" fill="#0b0c0c">{point.month:%b %y}</text>'
            )
    if target:
        index_of = {p.month: i for i, p in enumerate(points)}
        coords = [f"{x_of(index_of[m]):.1f},{y_of(float(v)):.1f}" for m, v in target if m in index_of]
        if len(coords) > 1:
            parts.append(
                f'<polyline points="{" ".join(coords)}" fill="none" stroke="#0b0c0c" stroke-width="1.5" '
                'stroke-dasharray="6 4"/>'
            )
    run: list[str] = []
    runs: list[list[str]] = []
    for index, point in enumerate(points):
        if point.value is None:
            if run:
                runs.append(run)
            run = []
        else:
            run.append(f"{x_of(index):.1f},{y_of(float(point.value)):.1f}")
    if run:
        runs.append(run)
    for line in runs:
        if len(line) > 1:
            parts.append(
                f'<polyline points="{" ".join(line)}" fill="none" stroke="#0b0c0c" stroke-width="2"/>'
            )
    for index, point in enumerate(points):
        if point.value is not None:
            parts.append(marker(point.rag, x_of(index), y_of(float(point.value))))
    parts.append("</svg>")
    return mark_safe("".join(parts))


@dataclass(frozen=True)
class BarSeries:
    name: str
    values: list[Decimal | int | None]
    colour: str
    hatched: bool = False  # a second series is hatched as well as coloured, never told apart by colour alone


def bar_chart(
    categories: list[str],
    series: list[BarSeries],
    chart_id: str,
    title: str,
    description: str,
    unit_label: str = "",
    width: int = 560,
    height: int = 240,
) -> SafeString:
    """Grouped bars, one group per category, with a legend in words; the table beside holds the figures."""
    numbers = [float(v) for s in series for v in s.values if v is not None]
    if not numbers or not categories:
        return mark_safe("")
    left, right, top, bottom = 64, 12, 30, 34
    plot_w, plot_h = width - left - right, height - top - bottom
    ticks = nice_ticks(min(0.0, min(numbers)), max(numbers))
    low, high = ticks[0], ticks[-1]
    span = (high - low) or 1.0

    def y_of(value: float) -> float:
        return top + plot_h - (value - low) / span * plot_h

    group_w = plot_w / len(categories)
    bar_w = group_w * 0.8 / len(series)
    cid = escape(chart_id)
    parts = [
        f'<svg class="app-svg-chart" id="{cid}" role="img" aria-labelledby="{cid}-title {cid}-desc" '
        f'viewBox="0 0 {width} {height}" width="100%" preserveAspectRatio="xMinYMin meet" '
        'xmlns="http://www.w3.org/2000/svg" font-family="Arial, sans-serif" font-size="14">',
        f'<title id="{cid}-title">{escape(title)}</title><desc id="{cid}-desc">{escape(description)}</desc>',
        f'<defs><pattern id="{cid}-hatch" width="6" height="6" patternUnits="userSpaceOnUse" '
        'patternTransform="rotate(45)"><rect width="6" height="6" fill="#ffffff"/>'
        '<line x1="0" y1="0" x2="0" y2="6" stroke="#0b0c0c" stroke-width="3"/></pattern></defs>',
    ]
    for tick in ticks:
        y = y_of(tick)
        label = f"{tick:,.0f}" if abs(high) >= 10 else f"{tick:g}"
        parts.append(f'<line x1="{left}" x2="{width - right}" y1="{y:.1f}" y2="{y:.1f}" stroke="#e5e5e5"/>')
        parts.append(
            f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" fill="#0b0c0c">{escape(label)}</text>'
        )
    if unit_label:
        parts.append(f'<text x="{left}" y="14" fill="#0b0c0c">{escape(unit_label)}</text>')
    x_legend = left + (90 if unit_label else 0)
    x = x_legend
    for each in series:
        fill = f"url(#{cid}-hatch)" if each.hatched else each.colour
        parts.append(f'<rect x="{x}" y="4" width="12" height="12" fill="{fill}" stroke="{each.colour}"/>')
        parts.append(f'<text x="{x + 16}" y="14" fill="#0b0c0c">{escape(each.name)}</text>')
        x += 16 + 8 * len(each.name) + 20  # about 8 pixels a character at 14px Arial, then a gap
    for group, category in enumerate(categories):
        x0 = left + group * group_w + group_w * 0.1
        for index, each in enumerate(series):
            value = each.values[group] if group < len(each.values) else None
            if value is None:
                continue
            y, base = y_of(float(value)), y_of(max(low, 0.0))
            fill = f"url(#{cid}-hatch)" if each.hatched else each.colour
            parts.append(
                f'<rect x="{x0 + index * bar_w:.1f}" y="{min(y, base):.1f}" width="{bar_w - 1:.1f}" '
                f'height="{abs(base - y):.1f}" fill="{fill}" stroke="{each.colour}"/>'
            )
        parts.append(
            f'<text x="{left + group * group_w + group_w / 2:.1f}" y="{height - 10}" text-anchor="middle" '
            f'fill="#0b0c0c">{escape(category)}</text>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))
