"""The finance section of a period's report: the budget lines of the period's financial year."""

from django.db.models import Prefetch

from finance.models import BudgetLine, SpendingLine, SpendingSummary
from sct_monitor.reporting import ExportTable, Report, Section


def sections(report: Report) -> list[Section]:
    year = report.period.financial_year_start
    lines = list(
        BudgetLine.objects.filter(financial_year__start_year=year)
        .select_related("financial_year")
        .order_by("category", "description")
    )
    summaries = [
        summary
        for summary in SpendingSummary.objects.prefetch_related(
            Prefetch(
                "lines",
                queryset=SpendingLine.objects.filter(financial_year__start_year=year).order_by(
                    "period", "order"
                ),
            )
        )
        if summary.lines.all()
    ]
    label = lines[0].financial_year.label if lines else f"{year}/{(year + 1) % 100:02d}"
    table = ExportTable(
        "finance", f"Budget lines, {label}, in pounds",
        ["Financial year", "Period", "Line", "Category", "Budget (£)", "Forecast (£)", "Outturn (£)",
         "Variance (£, overspend positive)", "Source"],
        [[line.financial_year.label, line.period, line.description, line.get_category_display(), line.budget,
          line.forecast, line.outturn, line.variance, line.source] for line in lines],
    )  # fmt: skip
    spending = ExportTable(
        "spending", f"Spending summaries, {label}, in pounds",
        ["Summary", "Period", "Line", "Amount (£)", "Total"],
        [[summary.name, line.period, line.label, line.amount, "yes" if line.is_total else "no"]
         for summary in summaries for line in summary.lines.all()],
    )  # fmt: skip
    return [
        Section("", "finance", "Finance", "reports/section_finance.html",
                {"lines": lines, "summaries": summaries, "year_label": label}, [table, spending]),
    ]  # fmt: skip
