"""Administrators' forms: audits, findings, complaints, inspections and their items, plans, risks, surveys."""

from django import forms

from audits.models import (
    Action,
    ActionState,
    ActionUpdate,
    AuditFinding,
    AuditReturn,
    ComplaintsMonth,
    ComplaintsNote,
    ComplaintsSplit,
    ComplaintsTarget,
    Inspection,
    InspectionItem,
    ItemState,
    Plan,
    Risk,
    Survey,
)
from sct_monitor.periods import Period
from sct_monitor.record_views import DayField, MonthField, with_day_fields


def period_key(value: str) -> str:
    try:
        period = Period.from_key(value.strip())
    except ValueError as exc:
        raise forms.ValidationError(str(exc)) from None
    if period.kind == "year":
        raise forms.ValidationError("Enter a month (2018-10) or a quarter (2018-19-q3)")
    return period.key


class AuditReturnForm(forms.ModelForm):
    month = MonthField(help_text="For example, 2018-10")

    class Meta:
        model = AuditReturn
        fields = [
            "month",
            "activity",
            "target",
            "completed",
            "rated_outstanding",
            "rated_good",
            "rated_requires_improvement",
            "rated_inadequate",
            "moderation_agreed",
            "moderation_upgraded",
            "moderation_downgraded",
            "theme",
            "source",
            "notes",
        ]
        labels = {"target": "Expected", "rated_requires_improvement": "Rated Requires improvement"}


class AuditFindingForm(forms.ModelForm):
    class Meta:
        model = AuditFinding
        fields = ["period", "theme", "kind", "order", "text", "source"]
        help_texts = {"period": "A month (2018-10) or a quarter (2018-19-q3)"}

    def clean_period(self) -> str:
        return period_key(self.cleaned_data["period"])


class ComplaintsMonthForm(forms.ModelForm):
    month = MonthField(help_text="For example, 2018-12")

    class Meta:
        model = ComplaintsMonth
        fields = [
            "month",
            "compliments_received",
            "complaints_received",
            "percent_responded_in_timescale",
            "source",
        ]
        labels = {"percent_responded_in_timescale": "Complaints answered in timescale (%)"}

    def clean_percent_responded_in_timescale(self):
        value = self.cleaned_data["percent_responded_in_timescale"]
        if value is not None and not 0 <= value <= 100:
            raise forms.ValidationError("A percentage must be between 0 and 100")
        return value


class ComplaintsTargetForm(forms.ModelForm):
    class Meta:
        model = ComplaintsTarget
        fields = ["financial_year", "percent_in_timescale", "source"]
        help_texts = {"financial_year": "The year it starts in: 2022 for 2022/23"}


class ComplaintsSplitForm(forms.ModelForm):
    class Meta:
        model = ComplaintsSplit
        fields = ["period", "service_area", "percent", "source"]

    def clean_period(self) -> str:
        return period_key(self.cleaned_data["period"])


class ComplaintsNoteForm(forms.ModelForm):
    class Meta:
        model = ComplaintsNote
        fields = ["period", "kind", "order", "text", "source"]

    def clean_period(self) -> str:
        return period_key(self.cleaned_data["period"])


class InspectionForm(forms.ModelForm):
    class Meta:
        model = Inspection
        fields = [
            "inspectorate",
            "service_inspected",
            "kind",
            "start_date",
            "end_date",
            "date_text",
            "published_date",
            "overall_judgement",
            "focus",
            "expected",
            "source",
        ]
        labels = {"expected": "Expected: the papers say it is coming, not yet held"}


class InspectionItemForm(forms.ModelForm):
    class Meta:
        model = InspectionItem
        fields = [
            "inspection",
            "kind",
            "order",
            "text",
            "reference",
            "due",
            "state",
            "met_on",
            "evidence",
            "source",
        ]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("state") == ItemState.MET and not cleaned.get("met_on"):
            self.add_error("met_on", "Enter the date it was met")
        return cleaned


class PlanForm(forms.ModelForm):
    class Meta:
        model = Plan
        fields = [
            "kind",
            "title",
            "origin",
            "inspection",
            "indicator",
            "owner",
            "started",
            "summary",
            "source",
        ]
        help_texts = {"owner": "A role or team, never a child or family"}


class ActionForm(forms.ModelForm):
    class Meta:
        model = Action
        fields = ["plan", "order", "text", "owner", "due", "state", "rag", "done_on"]
        help_texts = {"owner": "A role or team, never a child or family"}
        labels = {"rag": "RAG rating"}

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("state") == ActionState.DONE and not cleaned.get("done_on"):
            self.add_error("done_on", "Enter the date it was done")
        return cleaned


class ActionUpdateForm(forms.ModelForm):
    on = DayField(label="Date")

    class Meta:
        model = ActionUpdate
        fields = ["on", "text"]
        labels = {"text": "Progress"}


class RiskForm(forms.ModelForm):
    class Meta:
        model = Risk
        fields = [
            "title",
            "category",
            "description",
            "likelihood",
            "impact",
            "trend",
            "owner",
            "source",
            "quote",
        ]
        help_texts = {"likelihood": "1 (rare) to 5 (almost certain)", "impact": "1 (slight) to 5 (severe)"}

    def clean(self):
        cleaned = super().clean()
        for name in ("likelihood", "impact"):
            value = cleaned.get(name)
            if value is not None and not 1 <= value <= 5:
                self.add_error(name, "Enter a score from 1 to 5")
        return cleaned


class SurveyForm(forms.ModelForm):
    class Meta:
        model = Survey
        fields = ["title", "period", "as_at", "sent", "responses", "findings", "source", "quote"]
        labels = {"as_at": "Date reported"}

    def clean(self):
        cleaned = super().clean()
        sent, responses = cleaned.get("sent"), cleaned.get("responses")
        if sent is not None and responses is not None and responses > sent:
            self.add_error("responses", "There cannot be more responses than questionnaires sent")
        return cleaned


for form_class in (InspectionForm, InspectionItemForm, PlanForm, ActionForm, SurveyForm):
    with_day_fields(form_class)
