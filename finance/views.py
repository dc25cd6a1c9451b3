"""Finance: budget lines by year with the variance worked out, the contract sum by year, a chart of
forecast against budget, the Covid spending summary, and the checks on the papers' figures."""

from collections import defaultdict
from decimal import Decimal

from django import forms
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.db.models import Prefetch
from django.urls import reverse_lazy
from django.utils import timezone
from django.views.generic import TemplateView

from finance.checks import CHECKS
from finance.models import BudgetCategory, BudgetLine, SpendingLine, SpendingSummary
from finance.rules import amount_problems
from kpis.svg_charts import BarSeries, bar_chart
from sct_monitor.record_views import MonthField, RecordCreateView, RecordUpdateView

MILLION = Decimal(1_000_000)


def millions(amount: Decimal | None) -> Decimal | None:
    return None if amount is None else (amount / MILLION).quantize(Decimal("0.01"))


def short_label(category: str) -> str:
    """A category's first word, to fit beneath its bars; the table gives the full line."""
    return BudgetCategory(category).label.split()[0]


def budget_chart(year_label: str, lines: list[BudgetLine]):
    charted = [line for line in lines if line.budget is not None or line.forecast is not None]
    if not charted:
        return None
    return bar_chart(
        [short_label(line.category) for line in charted],
        [
            BarSeries("Budget", [millions(line.budget) for line in charted], "#1d70b8"),
            BarSeries("Forecast", [millions(line.forecast) for line in charted], "#0b0c0c", hatched=True),
        ],
        f"budget-chart-{year_label.replace('/', '-')}",
        f"Budget and forecast by line, {year_label}, in £ millions",
        "Bars for each line: budget (solid) and forecast (hatched). A line the papers give only one "
        "figure for has one bar. The table gives the same figures in pounds.",
        "£ millions",
    )


class FinanceSummaryView(PermissionRequiredMixin, TemplateView):
    permission_required = "finance.view_budgetline"
    template_name = "finance/summary.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        lines = list(
            BudgetLine.objects.select_related("financial_year").order_by(
                "-financial_year__start_year", "category", "description"
            )
        )
        by_year = defaultdict(list)
        for line in lines:
            by_year[line.financial_year].append(line)
        years = [
            {"year": year, "lines": group, "chart": budget_chart(year.label, group)}
            for year, group in by_year.items()
        ]
        summaries = list(
            SpendingSummary.objects.prefetch_related(
                Prefetch(
                    "lines",
                    queryset=SpendingLine.objects.select_related("financial_year").order_by(
                        "financial_year__start_year", "period", "order"
                    ),
                )
            )
        )
        for summary in summaries:
            summary.chart = spending_chart(summary)
        context.update(
            years=years,
            contract_sums=[line for line in reversed(lines) if line.category == BudgetCategory.CONTRACT_SUM],
            summaries=summaries,
            checks=[check(timezone.localdate(), None) for check in CHECKS],
        )
        return context


def spending_chart(summary: SpendingSummary):
    """One group per spending line (totals left out), one bar per column the paper printed."""
    rows = [line for line in summary.lines.all() if not line.is_total]
    columns = list(dict.fromkeys(f"{line.financial_year.label} {line.period}" for line in rows))
    labels = list(dict.fromkeys(line.label for line in rows))
    cells = {(line.label, f"{line.financial_year.label} {line.period}"): line.amount for line in rows}
    colours = ["#1d70b8", "#0b0c0c", "#00703c", "#6f72af"]
    series = [
        BarSeries(
            column,
            [
                None if cells.get((label, column)) is None else cells[(label, column)] / 1000
                for label in labels
            ],
            colours[index % len(colours)],
            hatched=index % 2 == 1,
        )
        for index, column in enumerate(columns)
    ]
    return bar_chart(
        [label.replace(" Costs", "") for label in labels],
        series,
        f"spending-chart-{summary.pk}",
        f"{summary.name}, in £ thousands",
        "Bars for each kind of spending, one for each period the paper gives (the second hatched). "
        "The table gives the same figures.",
        "£ thousands",
    )


class BudgetLineForm(forms.ModelForm):
    month = MonthField(
        required=False, label="Month (for a month's position)", help_text="For example, 2022-06"
    )

    class Meta:
        model = BudgetLine
        fields = [
            "financial_year", "period", "month", "category", "description",
            "budget", "forecast", "outturn", "stated_variance", "source", "notes",
        ]  # fmt: skip
        labels = {
            "budget": "Budget (£)",
            "forecast": "Forecast (£)",
            "outturn": "Outturn (£)",
            "stated_variance": "Variance the paper states (£), only when it gives no budget and forecast",
        }
        help_texts = {"source": "The paper and paragraph the figures come from"}

    def clean(self):
        data = super().clean()
        for field, message in amount_problems(data):
            self.add_error(field, message)
        return data


line_create = RecordCreateView.as_view(
    model=BudgetLine,
    form_class=BudgetLineForm,
    permission_required="finance.add_budgetline",
    title="Add a budget line",
    back_url=reverse_lazy("finance:summary"),
)
line_update = RecordUpdateView.as_view(
    model=BudgetLine,
    form_class=BudgetLineForm,
    permission_required="finance.change_budgetline",
    title="Change a budget line",
    back_url=reverse_lazy("finance:summary"),
)
