"""Assurance pages: audits, complaints, inspections, plans, risks and surveys, each with a chart or
table the board can read, and forms in the service for administrators."""

from collections import defaultdict
from datetime import date

from django.contrib.auth.mixins import PermissionRequiredMixin
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.views.generic import TemplateView

from audits import forms
from audits.attention import overdue_on
from audits.checks import (
    expected_inspections,
    inspection_dates_make_sense,
    overdue_items,
    pi_15_matches_the_ratings,
    quarters_equal_their_months,
    ratings_add_up,
)
from audits.models import (
    Action,
    ActionState,
    ActionUpdate,
    AuditActivity,
    AuditFinding,
    AuditReturn,
    ComplaintsMonth,
    ComplaintsNote,
    ComplaintsSplit,
    ComplaintsTarget,
    Inspection,
    InspectionItem,
    InspectionJudgement,
    ItemKind,
    ItemState,
    Plan,
    Risk,
    Survey,
)
from audits.report import complaints_total, lines_for, printed_quarters
from finance.periods import financial_year_start
from kpis.svg_charts import BarSeries, bar_chart
from sct_monitor.periods import Period
from sct_monitor.record_views import DatedNoteCreateView, RecordCreateView, RecordUpdateView


def today() -> date:
    return timezone.localdate()


def run(*checks) -> list:
    """The results of the checks a page shows about its own figures (the rest are on /checks/)."""
    return [check(today()) for check in checks]


class AssuranceIndexView(PermissionRequiredMixin, TemplateView):
    """A hub: the assurance datasets in one place, with the counts that need attention."""

    permission_required = "audits.view_auditreturn"
    template_name = "audits/index.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        now = today()
        overdue = overdue_on(now)  # the overview's rule
        context.update(
            open_items=InspectionItem.objects.filter(
                kind__in=[ItemKind.REQUIREMENT, ItemKind.RECOMMENDATION], state=ItemState.OPEN
            ).count(),
            overdue_items=len(overdue.items),
            open_actions=Action.objects.exclude(state=ActionState.DONE).count(),
            overdue_actions=len(overdue.actions),
            risks=Risk.objects.count(),
            surveys=Survey.objects.count(),
        )
        return context


class AuditOverviewView(PermissionRequiredMixin, TemplateView):
    permission_required = "audits.view_auditreturn"
    template_name = "audits/audit_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        returns = list(AuditReturn.objects.order_by("month", "activity"))
        printed = printed_quarters()
        quarters = sorted({Period.quarter_of(r.month) for r in returns}, reverse=True)
        case_files = [r for r in returns if r.activity == AuditActivity.CASE_FILE_AUDITS]
        categories = [f"{r.month:%b %y}" for r in case_files]
        chart = bar_chart(
            categories,
            [
                BarSeries("Expected", [r.target for r in case_files], "#1d70b8"),
                BarSeries("Completed", [r.completed for r in case_files], "#0b0c0c", hatched=True),
            ],
            "audit-chart",
            "Case-file audits expected and completed, by month",
            "Bars for each month: expected (solid) and completed (hatched). "
            "The table gives the same figures.",
            "Audits",
        )
        findings: dict[str, dict[str, dict[str, list]]] = defaultdict(
            lambda: defaultdict(lambda: defaultdict(list))
        )
        for finding in AuditFinding.objects.order_by("period", "theme", "kind", "order"):
            findings[finding.period][finding.theme][finding.get_kind_display()].append(finding)
        context.update(
            quarters=[
                (quarter, *lines_for(quarter, returns, printed.get(quarter.last_day, {})))
                for quarter in quarters
            ],
            returns=returns,
            chart=chart,
            findings={
                Period.from_key(key).label: {theme: dict(kinds) for theme, kinds in themes.items()}
                for key, themes in findings.items()
            },
            checks=run(ratings_add_up, quarters_equal_their_months, pi_15_matches_the_ratings),
        )
        return context


class ComplaintsView(PermissionRequiredMixin, TemplateView):
    permission_required = "audits.view_complaintsmonth"
    template_name = "audits/complaints_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        months = list(ComplaintsMonth.objects.order_by("month"))
        targets = {t.financial_year: t for t in ComplaintsTarget.objects.all()}
        rows = [(m, targets.get(financial_year_start(m.month))) for m in months]
        quarters = sorted({Period.quarter_of(m.month) for m in months}, reverse=True)
        chart = bar_chart(
            [f"{m.month:%b %y}" for m in months],
            [
                BarSeries("Compliments", [m.compliments_received for m in months], "#00703c"),
                BarSeries("Complaints", [m.complaints_received for m in months], "#0b0c0c", hatched=True),
            ],
            "complaints-chart",
            "Compliments and complaints received, by month",
            "Bars for each month: compliments (solid) and complaints (hatched). "
            "The table gives the same figures.",
            "Received",
        )
        splits, notes = defaultdict(list), defaultdict(lambda: defaultdict(list))
        for split in ComplaintsSplit.objects.order_by("period", "-percent"):
            splits[Period.from_key(split.period).label].append(split)
        for note in ComplaintsNote.objects.order_by("period", "kind", "order"):
            notes[Period.from_key(note.period).label][note.get_kind_display()].append(note)
        context.update(
            rows=rows,
            quarters=[(quarter, complaints_total(quarter, months)) for quarter in quarters],
            chart=chart,
            splits=dict(splits),
            notes={period: dict(kinds) for period, kinds in notes.items()},
        )
        return context


class InspectionListView(PermissionRequiredMixin, TemplateView):
    permission_required = "audits.view_inspection"
    template_name = "audits/inspection_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        now = today()
        inspections = list(
            Inspection.objects.prefetch_related(
                Prefetch("judgements", queryset=InspectionJudgement.objects.order_by("order")), "items"
            ).order_by("-start_date", "service_inspected")
        )
        for inspection in inspections:
            asks = [
                i for i in inspection.items.all() if i.kind in (ItemKind.REQUIREMENT, ItemKind.RECOMMENDATION)
            ]
            inspection.open_count = sum(1 for i in asks if i.state == "open")
            inspection.overdue_count = sum(1 for i in asks if i.is_overdue(now))
            inspection.ask_count = len(asks)
        context.update(
            held=[i for i in inspections if not i.expected],
            expected=[i for i in inspections if i.expected],
            checks=run(overdue_items, inspection_dates_make_sense, expected_inspections),
        )
        return context


class InspectionDetailView(PermissionRequiredMixin, TemplateView):
    permission_required = "audits.view_inspection"
    template_name = "audits/inspection_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        inspection = get_object_or_404(Inspection, pk=self.kwargs["pk"])
        now = today()
        items = defaultdict(list)
        for item in inspection.items.order_by("kind", "order"):
            item.state_now = item.state_on(now)
            items[item.get_kind_display()].append(item)
        context.update(
            inspection=inspection,
            judgements=inspection.judgements.order_by("order"),
            items=dict(items),
            plans=inspection.plans.all(),
        )
        return context


class PlanListView(PermissionRequiredMixin, TemplateView):
    permission_required = "audits.view_plan"
    template_name = "audits/plan_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        now = today()
        plans = list(Plan.objects.prefetch_related("actions").select_related("inspection", "indicator"))
        for plan in plans:
            actions = list(plan.actions.all())
            plan.action_count = len(actions)
            plan.done_count = sum(1 for a in actions if a.state == "done")
            plan.overdue_count = sum(1 for a in actions if a.is_overdue(now))
        context["plans"] = plans
        return context


class PlanDetailView(PermissionRequiredMixin, TemplateView):
    permission_required = "audits.view_plan"
    template_name = "audits/plan_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        plan = get_object_or_404(Plan.objects.select_related("inspection", "indicator"), pk=self.kwargs["pk"])
        now = today()
        actions = list(
            plan.actions.prefetch_related(
                Prefetch("updates", queryset=ActionUpdate.objects.select_related("by").order_by("-on", "-id"))
            )
        )
        for action in actions:
            action.overdue = action.is_overdue(now)
        context.update(plan=plan, actions=actions)
        return context


class RiskListView(PermissionRequiredMixin, TemplateView):
    permission_required = "audits.view_risk"
    template_name = "audits/risk_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["risks"] = list(
            Risk.objects.prefetch_related(Prefetch("actions", queryset=Action.objects.select_related("plan")))
        )
        return context


class SurveyListView(PermissionRequiredMixin, TemplateView):
    permission_required = "audits.view_survey"
    template_name = "audits/survey_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["surveys"] = list(Survey.objects.all())
        return context


# Forms for administrators ------------------------------------------------------------


def edit_views(model, form_class, noun: str, back: str):
    """A create and an update view for ``model``, returning to the page named ``back``."""
    name = model._meta.model_name
    create = RecordCreateView.as_view(
        model=model,
        form_class=form_class,
        permission_required=f"audits.add_{name}",
        title=f"Add {noun}",
        back_url=reverse_lazy(back),
    )
    update = RecordUpdateView.as_view(
        model=model,
        form_class=form_class,
        permission_required=f"audits.change_{name}",
        title=f"Change {noun}",
        back_url=reverse_lazy(back),
    )
    return create, update


audit_create, audit_update = edit_views(
    AuditReturn, forms.AuditReturnForm, "a month's audits", "audits:audit_list"
)
finding_create, finding_update = edit_views(
    AuditFinding, forms.AuditFindingForm, "an audit finding", "audits:audit_list"
)
complaints_create, complaints_update = edit_views(
    ComplaintsMonth, forms.ComplaintsMonthForm, "a month's complaints and compliments", "audits:complaints"
)
complaints_target_create, complaints_target_update = edit_views(
    ComplaintsTarget, forms.ComplaintsTargetForm, "a complaints target", "audits:complaints"
)
split_create, split_update = edit_views(
    ComplaintsSplit, forms.ComplaintsSplitForm, "a service area's share", "audits:complaints"
)
note_create, note_update = edit_views(
    ComplaintsNote, forms.ComplaintsNoteForm, "a theme or lesson", "audits:complaints"
)
inspection_create, inspection_update = edit_views(
    Inspection, forms.InspectionForm, "an inspection", "audits:inspections"
)
item_create, item_update = edit_views(
    InspectionItem, forms.InspectionItemForm, "a requirement or recommendation", "audits:inspections"
)
plan_create, plan_update = edit_views(Plan, forms.PlanForm, "a plan", "audits:plans")
action_create, action_update = edit_views(Action, forms.ActionForm, "an action", "audits:plans")
risk_create, risk_update = edit_views(Risk, forms.RiskForm, "a risk", "audits:risks")
survey_create, survey_update = edit_views(Survey, forms.SurveyForm, "a survey", "audits:surveys")


class ActionUpdateCreateView(DatedNoteCreateView):
    """Progress on one action, dated, by the person recording it."""

    model = ActionUpdate
    form_class = forms.ActionUpdateForm
    permission_required = "audits.add_actionupdate"
    title = "Record progress on an action"
    parent_queryset = Action.objects.select_related("plan")
    parent_field = "action"

    def parent_url(self, action: Action) -> str:
        return reverse("audits:plan", args=[action.plan_id])

    def describe(self, action: Action) -> str:
        return f"{action.plan}: action {action.order}. {action.text}"
