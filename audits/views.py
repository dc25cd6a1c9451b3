from django.contrib.auth.mixins import PermissionRequiredMixin
from django.db.models import Prefetch
from django.views.generic import ListView

from audits.models import AuditReturn, ComplaintsMonth, Inspection, InspectionJudgement


class AuditReturnListView(PermissionRequiredMixin, ListView):
    permission_required = "audits.view_auditreturn"
    template_name = "audits/audit_list.html"
    context_object_name = "returns"
    queryset = AuditReturn.objects.order_by("month", "activity")


class ComplaintsListView(PermissionRequiredMixin, ListView):
    permission_required = "audits.view_complaintsmonth"
    template_name = "audits/complaints_list.html"
    context_object_name = "months"
    queryset = ComplaintsMonth.objects.order_by("month")


class InspectionListView(PermissionRequiredMixin, ListView):
    permission_required = "audits.view_inspection"
    template_name = "audits/inspection_list.html"
    context_object_name = "inspections"
    queryset = Inspection.objects.prefetch_related(
        Prefetch("judgements", queryset=InspectionJudgement.objects.order_by("order"))
    ).order_by("-start_date")
