from django import template
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.utils.html import format_html

from kpis.charts import indicator_figure
from kpis.series import IndicatorSeries

register = template.Library()


@register.simple_tag
def indicator_chart(series: IndicatorSeries, chart_id: str, compact: bool = False) -> str:
    """The chart of an indicator in a figure whose caption states the latest value and trend."""
    caption = series.summary()
    return render_to_string(
        "includes/chart_figure.html",
        {
            "chart_id": chart_id,
            "spec_id": f"{chart_id}-spec",
            "spec": indicator_figure(series, height=260 if compact else 420, compact=compact),
            "caption": caption,
            "alt": f"Line chart of {series.indicator.title}. {caption}",
            "static": compact,
        },
    )


@register.simple_tag
def chart_scripts() -> str:
    """Plotly (the copy inside the installed plotly package) and the script that draws charts."""
    return format_html(
        '<script src="{}" defer></script>\n<script src="{}" defer></script>',
        static("plotly/plotly.min.js"),
        static("js/charts.js"),
    )
