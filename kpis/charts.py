"""Plotly figures as JSON for the browser; plotly.js (its basic bundle) is served once as a static file.

Figures are built as plain dicts in the shape plotly's ``Figure.to_json()`` gives, less the default
template: plotly's figure objects validate every property on every assignment, which took most of
a dashboard's time. tests/test_charts.py checks that each figure is the one plotly's own objects
build.
"""

import json
from datetime import date

import plotly
import plotly.graph_objects as go

from kpis.scorecard import last_day
from kpis.series import COMPARATOR_SERIES, IndicatorSeries
from kpis.status import Rag

# Status markers differ in shape as well as colour, so colour is never the only cue.
STATUS_MARKERS = {
    Rag.RED: ("#d4351c", "x"),
    Rag.AMBER: ("#b45a00", "diamond"),
    Rag.GREEN: ("#00703c", "circle"),
    Rag.NONE: ("#505a5f", "square"),
}
COMPARATOR_STYLES = {
    "sn": ("#4c2c92", "dash"),
    "england": ("#1d70b8", "dot"),
    "west_midlands": ("#b58840", "dashdot"),
}
FONT = {"family": "arial, sans-serif", "size": 14, "color": "#0b0c0c"}


# Plotly's default template (its colours, fonts and grid) is the same for every chart, and
# Figure.to_json() wrote its 7 KB into each one. It is served once instead, as a static script the
# browser keeps (written by `make assets`; tests/test_charts.py checks it is plotly's own), and
# static/js/charts.js gives it to every chart.
PLOTLY_TEMPLATE_SCRIPT = "js/plotly-template.js"


def default_template() -> dict:
    return json.loads(go.Figure().to_json())["layout"]["template"]


def template_script() -> str:
    template = json.dumps(default_template(), separators=(",", ":"), sort_keys=True)
    return (
        f"// Plotly {plotly.__version__}'s default template, written by `make assets` "
        "(manage.py write_plotly_template); do not edit.\n"
        f"window.sctPlotlyTemplate = {template};\n"
    )


def figure_of(traces: list[dict], layout: dict) -> dict:
    return {"data": traces, "layout": layout}


def scatter(**properties) -> dict:
    return {"type": "scatter", **properties}


def step_trace(segments: list[tuple[date, date, object]], name: str, colour: str, dash: str) -> dict:
    """Flat lines over each period (a comparator or target holds for its whole period)."""
    xs, ys = [], []
    for start, end, value in segments:
        xs += [start.isoformat(), last_day(end).isoformat(), None]
        ys += [float(value), float(value), None]
    return scatter(
        x=xs,
        y=ys,
        name=name,
        mode="lines",
        line={"color": colour, "dash": dash, "width": 2},
        hovertemplate=f"{name}: %{{y}}<extra></extra>",
    )


def indicator_figure(
    series: IndicatorSeries, height: int = 420, compact: bool = False, dfe_points=(), dfe_name: str = ""
) -> dict:
    indicator = series.indicator
    months = [m.month.isoformat() for m in series.months]
    values = [float(m.value) if m.value is not None else None for m in series.months]
    traces = [
        scatter(
            x=months,
            y=values,
            name=indicator.code if compact else "Value",
            mode="lines",
            line={"color": "#0b0c0c", "width": 2},
            connectgaps=False,
            hoverinfo="skip",
            showlegend=False,
        )
    ]
    for rag, (colour, symbol) in STATUS_MARKERS.items():
        points = [m for m in series.months if m.value is not None and m.status.rag is rag]
        if points:
            traces.append(
                scatter(
                    x=[m.month.isoformat() for m in points],
                    y=[float(m.value) for m in points],
                    name=rag.label,
                    mode="markers",
                    marker={"color": colour, "symbol": symbol, "size": 9},
                    customdata=[m.status.basis for m in points],
                    hovertemplate=f"%{{x|%B %Y}}: %{{y}}<br>{rag.label} (%{{customdata}})<extra></extra>",
                )
            )
    if not compact:
        targets = series.target_segments()
        if targets:
            traces.append(step_trace(targets, "Target", "#0b0c0c", "longdash"))
        trajectory = series.trajectory_points()
        if trajectory:
            traces.append(
                scatter(
                    x=[month.isoformat() for month, _ in trajectory],
                    y=[float(value) for _, value in trajectory],
                    name="Target trajectory",
                    mode="lines",
                    line={"color": "#0b0c0c", "dash": "longdash", "width": 2},
                    hovertemplate="Trajectory: %{y}<extra></extra>",
                )
            )
        for kind, name in COMPARATOR_SERIES:
            segments = series.comparator_segments(kind)
            if segments:
                colour, dash = COMPARATOR_STYLES[kind]
                traces.append(step_trace(segments, name, colour, dash))
    if dfe_points:
        # The DfE's own figure for the home authority: points only, at the date each describes, so
        # it reads as a different measure from the monthly line rather than a continuation of it.
        traces.append(
            scatter(
                x=[day.isoformat() for day, _ in dfe_points],
                y=[float(value) for _, value in dfe_points],
                name=dfe_name,
                mode="markers+lines",
                line={"color": "#28a197", "width": 1, "dash": "dot"},
                marker={"color": "#28a197", "symbol": "triangle-up", "size": 10},
                hovertemplate=f"{dfe_name}, %{{x|%-d %B %Y}}: %{{y}}<extra></extra>",
            )
        )
    unit_title = {"percentage": "%", "rate_per_10000": "per 10,000", "count": "count", "number": ""}
    layout = dict(
        height=height,
        font=FONT,
        paper_bgcolor="#ffffff",
        plot_bgcolor="#ffffff",
        margin={"l": 56, "r": 16, "t": 16, "b": 40},
        legend={"orientation": "h", "y": -0.18, "x": 0},
        showlegend=not compact,
        xaxis={"type": "date", "tickformat": "%b %Y", "gridcolor": "#e5e5e5"},
        yaxis={
            "title": {"text": unit_title.get(indicator.unit, "")},
            "gridcolor": "#e5e5e5",
            # Percentages from zero; counts and rates fit their range, so a gap to the target shows.
            "rangemode": "tozero" if indicator.unit == "percentage" else "normal",
        },
    )
    return figure_of(traces, layout)


BAR_COLOURS = {
    "home": "#1d70b8",
    "neighbour": "#b1b4b6",
    "sn": "#4c2c92",
    "region": "#b58840",
    "england": "#0b0c0c",
}


def area_figure(comparison, indicator) -> dict:
    """Horizontal bars, home authority first; the table beside it carries the same figures."""
    bars = [bar for bar in comparison.bars if bar.value is not None]
    trace = {
        "type": "bar",
        "x": [float(bar.value) for bar in bars],
        "y": [bar.name for bar in bars],
        "orientation": "h",
        "marker": {"color": [BAR_COLOURS[bar.kind] for bar in bars]},
        "hovertemplate": "%{y}: %{x}<extra></extra>",
    }
    layout = dict(
        height=80 + 28 * len(bars), font=FONT, paper_bgcolor="#ffffff", plot_bgcolor="#ffffff",
        margin={"l": 200, "r": 16, "t": 8, "b": 32}, showlegend=False,
        yaxis={"autorange": "reversed"}, xaxis={"gridcolor": "#e5e5e5", "rangemode": "tozero"},
    )  # fmt: skip
    return figure_of([trace], layout)
