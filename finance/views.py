from django.contrib.auth.mixins import PermissionRequiredMixin
from django.db.models import Prefetch
from django.views.generic import TemplateView

from finance.models import BudgetLine, SpendingLine, SpendingSummary


class FinanceSummaryView(PermissionRequiredMixin, TemplateView):
    permission_required = "finance.view_budgetline"
    template_name = "finance/summary.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["lines"] = list(
            BudgetLine.objects.select_related("financial_year").order_by(
                "financial_year__start_year", "category", "description"
            )
        )
        context["summaries"] = list(
            SpendingSummary.objects.prefetch_related(
                Prefetch(
                    "lines",
                    queryset=SpendingLine.objects.select_related("financial_year").order_by(
                        "financial_year__start_year", "period", "order"
                    ),
                )
            )
        )
        return context
