from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from finance.models import BudgetLine, FinancialYear, SpendingLine, SpendingSummary


@admin.register(FinancialYear)
class FinancialYearAdmin(SimpleHistoryAdmin):
    list_display = ["label", "start_year"]


@admin.register(BudgetLine)
class BudgetLineAdmin(SimpleHistoryAdmin):
    list_display = [
        "financial_year",
        "category",
        "description",
        "budget",
        "forecast",
        "outturn",
        "stated_variance",
    ]
    list_filter = ["financial_year", "category"]


class SpendingLineInline(admin.TabularInline):
    model = SpendingLine
    extra = 0


@admin.register(SpendingSummary)
class SpendingSummaryAdmin(SimpleHistoryAdmin):
    list_display = ["name", "source"]
    inlines = [SpendingLineInline]
