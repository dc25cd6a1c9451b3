from django import template
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.utils.html import format_html

from kpis.charts import PLOTLY_TEMPLATE_SCRIPT, area_figure, indicator_figure
from kpis.formatting import format_value
from kpis.series import IndicatorSeries
from sct_monitor.table_memo import kept

register = template.Library()


@register.simple_tag
def indicator_chart(series: IndicatorSeries, chart_id: str, compact: bool = False, areas=None) -> str:
    """The chart of an indicator in a figure whose caption states the latest value and trend;
    with ``areas``, the home authority's own DfE figures are a series beside the local measure.
    Built once per series, chart id and size (a series may be remembered between requests)."""
    if areas is not None:
        return chart_markup(series, chart_id, compact, areas)
    return kept(series, ("chart", chart_id, compact), lambda: chart_markup(series, chart_id, compact, None))


def chart_markup(series: IndicatorSeries, chart_id: str, compact: bool, areas) -> str:
    caption = series.summary()
    dfe_points = dfe_points_in_view(series, areas) if areas and not compact else []
    if dfe_points:
        last_date, last_value = dfe_points[-1]
        indicator = series.indicator
        latest = format_value(last_value, indicator.unit, indicator.decimal_places)
        caption += (
            f" The DfE's published figure for {areas.home_name} is drawn beside it as separate points; "
            f"the latest, {last_date:%-d %B %Y}, is {latest}."
        )
    return render_to_string(
        "includes/chart_figure.html",
        {
            "chart_id": chart_id,
            "spec_id": f"{chart_id}-spec",
            "spec": indicator_figure(
                series,
                height=260 if compact else 420,
                compact=compact,
                dfe_points=dfe_points,
                dfe_name=f"{areas.home_name} (DfE)" if areas else "",
            ),
            "caption": caption,
            "alt": f"Line chart of {series.indicator.title}. {caption}",
            "static": compact,
        },
    )


def dfe_points_in_view(series: IndicatorSeries, areas) -> list:
    """The home authority's DfE figures within the months the chart shows (all of them on 'All')."""
    points = areas.home_points
    if not series.months or series.limit is None:
        return points
    first, last = series.months[0].month, series.months[-1].month
    return [(day, value) for day, value in points if first <= day.replace(day=1) <= last]


# plotly.js injects inline <style> elements unless elements with these ids are already on the page:
# its global rules (served instead from static/css/plotly-global.css, made by
# assets/plotly-global-css.js) and MapLibre's map styles (no chart here is a map). So the content
# security policy can forbid inline styles.
PLOTLY_GLOBAL_STYLE_ID = "plotly.js-style-global"
# Built by `make assets` from npm's plotly.js-basic-dist-min and committed (tests/test_plotly_bundle.py).
PLOTLY_BUNDLE = "plotly/plotly-basic.min.js"
PLOTLY_MAPLIBRE_STYLE_ID = "9f215cf04c5486422605d13261cb87401f4e7763b6296af81e98efbc0130da53"


@register.simple_tag
def chart_scripts() -> str:
    """Plotly's basic bundle (scatter, bar and pie: the traces the charts use; the same plotly.js
    version as the Python package that builds the figures), its default template, and the script
    that draws charts (deferred scripts run in this order)."""
    return format_html(
        '<link rel="stylesheet" id="{}" class="no-inline-styles" href="{}">\n<template id="{}"></template>\n'
        '<script src="{}" defer></script>\n<script src="{}" defer></script>\n'
        '<script src="{}" defer></script>',
        PLOTLY_GLOBAL_STYLE_ID,
        static("css/plotly-global.css"),
        PLOTLY_MAPLIBRE_STYLE_ID,
        static(PLOTLY_BUNDLE),
        static(PLOTLY_TEMPLATE_SCRIPT),
        static("js/charts.js"),
    )


@register.simple_tag
def area_chart(comparison, indicator, chart_id: str) -> str:
    """The home authority against its neighbours, region and England, in a captioned figure."""
    home = comparison.bars[0]
    home_value = (
        format_value(home.value, indicator.unit, indicator.decimal_places) or home.note or "no figure"
    )
    caption = f"{indicator.title} at {comparison.as_at:%-d %B %Y}: {home.name} {home_value}"
    if comparison.ranking:
        caption += f", {comparison.ranking.description}"
    summary = comparison.latest.summary
    if summary and summary.mean is not None:
        mean = format_value(summary.mean, indicator.unit, indicator.decimal_places)
        caption += f"; {summary.description} {mean}"
    return render_to_string(
        "includes/chart_figure.html",
        {"chart_id": chart_id, "spec_id": f"{chart_id}-spec", "spec": area_figure(comparison, indicator),
         "caption": caption + ".", "alt": f"Bar chart. {caption}.", "static": True},
    )  # fmt: skip
