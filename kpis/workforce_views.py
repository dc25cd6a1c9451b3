"""Workforce: social workers in post against establishment, agency, vacancies, newly qualified
(ASYE) and caseloads, as series where the papers give them, beside the workforce indicators."""

from collections import defaultdict

from django.contrib.auth.mixins import PermissionRequiredMixin
from django.views.generic import TemplateView

from kpis.formatting import format_value
from kpis.models import Indicator, ReportedFigure
from kpis.report import WORKFORCE_CODES
from kpis.svg_charts import BarSeries, bar_chart
from kpis.visibility import visible_series

# The series the papers give, in the order a reader expects them.
WORKFORCE_SERIES = {
    "establishment": "Establishment (posts)",
    "in_post": "Social workers in post",
    "permanent": "Permanent social workers",
    "agency": "Agency social workers",
    "vacancies": "Vacant posts",
    "case_holders": "Case holders",
    "asye": "Newly qualified (ASYE)",
}


class WorkforceView(PermissionRequiredMixin, TemplateView):
    permission_required = "kpis.view_reportedfigure"
    template_name = "kpis/workforce.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        figures = list(
            ReportedFigure.objects.filter(topic="Workforce")
            .select_related("indicator")
            .order_by("as_at", "label")
        )
        series = defaultdict(list)
        for figure in figures:
            if figure.series in WORKFORCE_SERIES:
                series[figure.series].append(figure)
        dates = sorted({f.as_at for group in series.values() for f in group if f.as_at})
        headcount = ["establishment", "in_post", "permanent", "agency"]
        chart = None
        if dates and any(series.get(name) for name in headcount):
            cells = {(f.series, f.as_at): f.value for group in series.values() for f in group}
            charted_dates = [d for d in dates if any((name, d) in cells for name in headcount)]
            chart = bar_chart(
                [f"{d:%b %Y}" for d in charted_dates],
                [
                    BarSeries(label, [cells.get((name, d)) for d in charted_dates], colour, hatch)
                    for name, label, colour, hatch in (
                        ("establishment", "Establishment", "#1d70b8", False),
                        ("in_post", "In post", "#0b0c0c", True),
                        ("permanent", "Permanent", "#00703c", False),
                        ("agency", "Agency", "#6f72af", True),
                    )
                ],
                "workforce-chart",
                "Social workers: establishment, in post, permanent and agency, as the papers give them",
                "Bars for each date a paper gives a count: establishment (blue), in post (hatched), "
                "permanent (green) and agency (hatched purple). The table gives the same figures.",
                "Count",
                width=640,
            )
        context.update(
            series=[(WORKFORCE_SERIES[name], series[name]) for name in WORKFORCE_SERIES if series.get(name)],
            chart=chart,
            others=[f for f in figures if f.series not in WORKFORCE_SERIES],
            indicators=self.indicator_rows(),
        )
        return context

    def indicator_rows(self) -> list[dict]:
        """Each workforce indicator's latest figure the user may see."""
        indicators = list(Indicator.objects.filter(code__in=WORKFORCE_CODES))
        series = visible_series(self.request.user, [i.pk for i in indicators])
        rows = []
        for indicator in sorted(indicators, key=lambda i: WORKFORCE_CODES.index(i.code)):
            points = series.get(indicator.pk, [])
            month, value = points[-1] if points else (None, None)
            rows.append(
                {
                    "indicator": indicator,
                    "latest": format_value(value, indicator.unit, indicator.decimal_places) if points else "",
                    "month": month,
                    "count": len(points),
                }
            )
        return rows
