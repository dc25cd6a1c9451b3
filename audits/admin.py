from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from audits.models import AuditReturn, ComplaintsMonth, Inspection, InspectionJudgement


@admin.register(AuditReturn)
class AuditReturnAdmin(SimpleHistoryAdmin):
    list_display = ["month", "activity", "target", "completed", "rated_good",
                    "rated_requires_improvement", "rated_inadequate"]  # fmt: skip
    list_filter = ["activity"]


@admin.register(ComplaintsMonth)
class ComplaintsMonthAdmin(SimpleHistoryAdmin):
    list_display = ["month", "compliments_received", "complaints_received", "percent_responded_in_timescale"]


class JudgementInline(admin.TabularInline):
    model = InspectionJudgement
    extra = 0


@admin.register(Inspection)
class InspectionAdmin(SimpleHistoryAdmin):
    list_display = ["service_inspected", "kind", "inspectorate", "date_text", "overall_judgement"]
    list_filter = ["inspectorate"]
    inlines = [JudgementInline]
