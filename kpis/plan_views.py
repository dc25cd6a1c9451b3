"""The improvement plans: priorities and enablers, how success is measured (with the indicator that
measures it and which way it is moving), the aims for Ofsted's judgement, and the 12-weekly reviews."""

import re
from datetime import date

from django import forms
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.views.generic import TemplateView

from audits.models import Inspection
from kpis.formatting import format_value
from kpis.models import ImprovementPlan, PlanPriority, ReviewNote, SuccessMeasure
from kpis.plan_progress import FullInspection, measure_trend, milestone_result
from kpis.visibility import visible_series
from sct_monitor.record_views import DatedNoteCreateView, DayField


class PlanListView(PermissionRequiredMixin, TemplateView):
    permission_required = "kpis.view_improvementplan"
    template_name = "improvement_plan/list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["plans"] = list(ImprovementPlan.objects.prefetch_related("priorities", "measures", "reviews"))
        return context


def full_inspections() -> list[FullInspection]:
    """Full inspections of the local authority's children's services that have taken place.

    The 2017 inspection has only a year in the papers; it counts as at the end of that year."""
    found = []
    for inspection in Inspection.objects.filter(kind__istartswith="full inspection", expected=False):
        on = inspection.published_date or inspection.end_date or inspection.start_date
        if on is None:
            year = re.search(r"\b(19|20)\d\d\b", inspection.date_text)
            if not year or not inspection.overall_judgement:
                continue
            on = date(int(year.group(0)), 12, 31)
        label = f"the {inspection.kind[0].lower()}{inspection.kind[1:]} of {inspection.date_text}"
        found.append(FullInspection(on, inspection.overall_judgement, label))
    return found


class PlanDetailView(PermissionRequiredMixin, TemplateView):
    permission_required = "kpis.view_improvementplan"
    template_name = "improvement_plan/detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        plan = get_object_or_404(
            ImprovementPlan.objects.prefetch_related(
                "priorities",
                "milestones",
                Prefetch("measures", queryset=SuccessMeasure.objects.select_related("indicator")),
                Prefetch("reviews", queryset=ReviewNote.objects.select_related("by", "priority")),
            ),
            pk=self.kwargs["pk"],
        )
        measures = list(plan.measures.all())
        self.add_trends(measures, plan)
        now = timezone.localdate()
        inspections = full_inspections()
        milestones = list(plan.milestones.all())
        for milestone in milestones:
            milestone.result = milestone_result(milestone.outcome, milestone.by, inspections, now)
        priorities = list(plan.priorities.all())
        context.update(
            plan=plan,
            priorities=[p for p in priorities if p.kind == "priority"],
            enablers=[p for p in priorities if p.kind == "enabler"],
            quantitative=[m for m in measures if m.kind == "quantitative"],
            qualitative=[m for m in measures if m.kind == "qualitative"],
            milestones=milestones,
            reviews=list(plan.reviews.all()),
        )
        return context

    def add_trends(self, measures: list[SuccessMeasure], plan: ImprovementPlan) -> None:
        """Each linked measure's figure when the plan began and its latest, as the user may see them."""
        values = visible_series(self.request.user, {m.indicator_id for m in measures if m.indicator_id})
        for measure in measures:
            measure.start = measure.latest = measure.trend = None
            if not measure.indicator_id:
                continue
            series = values.get(measure.indicator_id, [])
            # The last figure before the plan began; failing that (or with no start date), the first.
            before = [row for row in series if plan.starts is not None and row[0] < plan.starts]
            start = before[-1] if before else (series[0] if series else None)
            latest = series[-1] if series else None
            indicator = measure.indicator
            unit, places = indicator.unit, indicator.decimal_places
            measure.start = (start[0], format_value(start[1], unit, places)) if start else None
            measure.latest = (
                (latest[0], format_value(latest[1], unit, places)) if latest and latest != start else None
            )
            measure.trend = measure_trend(
                measure.expected,
                start[1] if start else None,
                latest[1] if latest and latest != start else None,
                indicator.no_change_band,
            )


class ReviewNoteForm(forms.ModelForm):
    on = DayField(label="Date of the review")

    class Meta:
        model = ReviewNote
        fields = ["on", "priority", "text"]
        labels = {
            "priority": "Priority or enabler (leave blank for the whole plan)",
            "text": "What the review found",
        }

    def __init__(self, *args, plan: ImprovementPlan, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["priority"].queryset = PlanPriority.objects.filter(plan=plan)
        self.fields["priority"].label_from_instance = lambda p: (
            f"{p.get_kind_display()} {p.number}: {p.title}"
        )


class ReviewNoteCreateView(DatedNoteCreateView):
    """A 12-weekly review of the plan, dated, by the person recording it."""

    model = ReviewNote
    form_class = ReviewNoteForm
    permission_required = "kpis.add_reviewnote"
    title = "Record a review of the plan"
    parent_queryset = ImprovementPlan.objects.all()
    parent_field = "plan"

    def parent_url(self, plan: ImprovementPlan) -> str:
        return reverse("improvement_plan:detail", args=[plan.pk])

    def describe(self, plan: ImprovementPlan) -> str:
        return f"{plan}. Reviews are kept with who recorded them and when."

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "plan": self.parent}
