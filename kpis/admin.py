from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from kpis.models import ComparatorValue, Indicator, MonthlyValue, ReportedFigure, Target


class TargetInline(admin.TabularInline):
    model = Target
    extra = 0


@admin.register(Indicator)
class IndicatorAdmin(SimpleHistoryAdmin):
    list_display = [
        "code",
        "title",
        "category",
        "service_area",
        "unit",
        "polarity",
        "active",
        "display_order",
    ]
    list_filter = ["category", "active", "service_area", "unit", "polarity"]
    search_fields = ["code", "title"]
    inlines = [TargetInline]


@admin.register(Target)
class TargetAdmin(SimpleHistoryAdmin):
    list_display = ["indicator", "financial_year_label", "value", "range_start", "amber_tolerance"]
    list_select_related = ["indicator"]


@admin.register(MonthlyValue)
class MonthlyValueAdmin(SimpleHistoryAdmin):
    list_display = ["indicator", "month", "value", "missing_reason", "status"]
    list_filter = ["status", "indicator__category", "month"]
    list_select_related = ["indicator"]
    search_fields = ["indicator__code", "commentary"]
    date_hierarchy = "month"
    readonly_fields = ["entered_at", "updated_at"]


@admin.register(ComparatorValue)
class ComparatorValueAdmin(SimpleHistoryAdmin):
    list_display = ["indicator", "comparator", "comparator_name", "period_start", "period_end", "value"]
    list_filter = ["comparator"]
    list_select_related = ["indicator"]


@admin.register(ReportedFigure)
class ReportedFigureAdmin(SimpleHistoryAdmin):
    list_display = ["label", "display_value", "period", "topic"]
    list_filter = ["topic"]
    search_fields = ["label", "quote"]
