"""The year's targets and thresholds as one form: a row per active indicator, checked together."""

from decimal import Decimal

from django import forms

from kpis.models import Indicator, Target, TargetJudgement
from kpis.returns import parse_number
from kpis.targets import TargetEntry, Thresholds, parse_day, target_problems, threshold_problem

JUDGED_CHOICES = [
    (TargetJudgement.EVERY_MONTH, "Every month"),
    (TargetJudgement.TRAJECTORY, "End-point: straight-line trajectory"),
    (TargetJudgement.AT_DUE_DATE, "End-point: only at its date"),
]


def plain(number: Decimal | None) -> str:
    return "" if number is None else f"{number.normalize():f}"


def shift_year(day, years: int):
    """The same day ``years`` later (28 February for 29 February in a year without one)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


class TargetYearForm(forms.Form):
    reason = forms.CharField(required=False, max_length=300, widget=forms.Textarea)
    fingerprint = forms.CharField(widget=forms.HiddenInput)

    def __init__(self, *args, indicators: list[Indicator], financial_year: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.indicators, self.financial_year = indicators, financial_year
        for indicator in indicators:
            pk = indicator.pk
            self.fields[f"target_{pk}"] = forms.CharField(required=False, label=f"{indicator.code} target")
            self.fields[f"to_{pk}"] = forms.CharField(required=False, label=f"{indicator.code} range to")
            self.fields[f"tolerance_{pk}"] = forms.CharField(
                required=False, label=f"{indicator.code} amber tolerance"
            )
            self.fields[f"judged_{pk}"] = forms.ChoiceField(
                required=False, choices=JUDGED_CHOICES, label=f"{indicator.code} judged"
            )
            self.fields[f"due_{pk}"] = forms.CharField(required=False, label=f"{indicator.code} due by")
            self.fields[f"variance_{pk}"] = forms.CharField(
                required=False, label=f"{indicator.code} significant variance"
            )
            self.fields[f"band_{pk}"] = forms.CharField(
                required=False, label=f"{indicator.code} no-change band"
            )
        self.entries: dict[int, TargetEntry] = {}
        self.thresholds: dict[int, Thresholds] = {}

    def fill(self, targets: dict[int, Target], from_other_year: bool = False) -> None:
        """Start the form from held targets (another year's, with dates moved to this year)."""
        initial = {}
        for indicator in self.indicators:
            pk, target = indicator.pk, targets.get(indicator.pk)
            initial[f"variance_{pk}"] = plain(indicator.significant_variance)
            initial[f"band_{pk}"] = plain(indicator.no_change_band)
            if target is None:
                continue
            due = target.due
            if due and from_other_year:
                due = shift_year(due, self.financial_year - target.financial_year)
            initial.update({
                f"target_{pk}": plain(target.value), f"to_{pk}": plain(target.value_to),
                f"tolerance_{pk}": plain(target.amber_tolerance), f"judged_{pk}": target.judged,
                f"due_{pk}": f"{due:%d/%m/%Y}" if due else "",
            })  # fmt: skip
        self.initial.update(initial)

    def number(self, name: str, code: str) -> Decimal | None:
        try:
            return parse_number(self.cleaned_data.get(name, ""))
        except ValueError as exc:
            self.add_error(name, f"{code}: {exc}")
            raise

    def clean(self):
        cleaned = super().clean()
        for indicator in self.indicators:
            pk, code = indicator.pk, indicator.code
            try:
                value = self.number(f"target_{pk}", code)
                value_to = self.number(f"to_{pk}", code)
                tolerance = self.number(f"tolerance_{pk}", code) or Decimal(0)
                variance = self.number(f"variance_{pk}", code)
                band = self.number(f"band_{pk}", code) or Decimal(0)
            except ValueError:
                continue
            due_text = cleaned.get(f"due_{pk}", "").strip()
            try:
                due = parse_day(due_text) if due_text else None
            except ValueError as exc:
                self.add_error(f"due_{pk}", f"{code}: {exc}")
                continue
            judged = cleaned.get(f"judged_{pk}") or TargetJudgement.EVERY_MONTH
            if value is None and judged != TargetJudgement.EVERY_MONTH and due is None and value_to is None:
                judged = (
                    TargetJudgement.EVERY_MONTH
                )  # a row left blank is no target, whatever the select says
            entry = TargetEntry(value, value_to, tolerance, judged, due)
            problems = target_problems(indicator, self.financial_year, entry)
            for field, message in problems:
                self.add_error(f"{field}_{pk}", f"{code}: {message}")
            for name, number, what in (
                (f"variance_{pk}", variance, "significant variance"),
                (f"band_{pk}", band, "no-change band"),
            ):
                if problem := threshold_problem(number, what):
                    self.add_error(name, f"{code}: {problem}")
                    problems.append((name, problem))
            if not problems:
                self.entries[pk] = entry
                self.thresholds[pk] = Thresholds(variance, band)
        return cleaned
