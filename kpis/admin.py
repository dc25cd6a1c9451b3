"""Administration pages for reference data.

Values, returns, publications and targets are read-only here: a month's figures change only
through its return or an import, and targets only through /targets/, so that every change has
a reason in its history and no published month is rewritten behind the board's back.
"""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from kpis.models import (
    ComparatorValue,
    Indicator,
    MonthlyReturn,
    MonthlyValue,
    Publication,
    ReportedFigure,
    Target,
)


class ReadOnlyAdminMixin:
    """Viewable, never added, changed or deleted from the administration pages."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class TargetInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = Target
    extra = 0
    fields = ["financial_year", "value", "value_to", "amber_tolerance", "judged", "due", "statement"]
    readonly_fields = fields


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
    # Thresholds are set with the targets, where a reason is asked for.
    readonly_fields = ["no_change_band", "significant_variance"]


@admin.register(Target)
class TargetAdmin(ReadOnlyAdminMixin, SimpleHistoryAdmin):
    list_display = ["indicator", "financial_year_label", "value", "value_to", "judged", "due"]
    list_select_related = ["indicator"]


@admin.register(MonthlyValue)
class MonthlyValueAdmin(ReadOnlyAdminMixin, SimpleHistoryAdmin):
    list_display = ["indicator", "month", "value", "missing_reason", "status"]
    list_filter = ["status", "indicator__category", "month"]
    list_select_related = ["indicator"]
    search_fields = ["indicator__code", "commentary"]
    date_hierarchy = "month"


@admin.register(MonthlyReturn)
class MonthlyReturnAdmin(ReadOnlyAdminMixin, SimpleHistoryAdmin):
    list_display = ["month", "status", "version", "published_revision", "updated_by", "updated_at"]
    list_filter = ["status"]


@admin.register(Publication)
class PublicationAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["month", "revision", "published_by", "published_at", "reason"]


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
