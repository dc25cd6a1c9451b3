from django.contrib.auth.mixins import PermissionRequiredMixin
from django.db.models import Count, Max, Min
from django.shortcuts import get_object_or_404
from django.views.generic import ListView, TemplateView

from kpis.models import Indicator, ReportedFigure


class IndicatorListView(PermissionRequiredMixin, ListView):
    permission_required = "kpis.view_indicator"
    template_name = "kpis/indicator_list.html"
    context_object_name = "indicators"

    def get_queryset(self):
        return Indicator.objects.annotate(
            value_count=Count("values"), first_month=Min("values__month"), last_month=Max("values__month")
        ).order_by("category", "display_order", "code")


class IndicatorDetailView(PermissionRequiredMixin, TemplateView):
    permission_required = "kpis.view_indicator"
    template_name = "kpis/indicator_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        indicator = get_object_or_404(Indicator, code=self.kwargs["code"])
        context.update(
            indicator=indicator,
            values=list(indicator.values.order_by("-month")),
            targets=list(indicator.targets.order_by("financial_year")),
            comparators=list(indicator.comparators.order_by("period_start", "comparator")),
            reported_figures=list(indicator.reported_figures.order_by("as_at")),
        )
        return context


class ReportedFigureListView(PermissionRequiredMixin, ListView):
    permission_required = "kpis.view_reportedfigure"
    template_name = "kpis/reported_figure_list.html"
    context_object_name = "figures"

    def get_queryset(self):
        return ReportedFigure.objects.select_related("indicator").order_by("topic", "as_at", "label")
