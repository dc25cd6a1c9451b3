"""Monthly returns: what an entry needs, and saving, submitting, publishing and reopening.

Every save is all or nothing and names the version of the return it started from; a save
from an older version is refused (``StaleReturn``) and writes nothing.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from django import forms
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from kpis.models import Indicator, MissingReason, MonthlyReturn, MonthlyValue, ValueStatus
from kpis.rules import value_problem
from kpis.scorecard import ScorecardData, ScorecardRow
from kpis.status import Rag, Status
from sct_monitor.upsert import upsert


class StaleReturn(Exception):
    """Someone saved the return after this person opened it."""

    def __init__(self, current: MonthlyReturn):
        self.current = current
        who = current.updated_by.get_username() if current.updated_by else "someone"
        when = (
            timezone.localtime(current.updated_at).strftime("%H:%M on %d %B %Y") if current.updated_at else ""
        )
        super().__init__(
            f"{who} saved this return at {when}, after you opened it. Nothing you entered has been saved. "
            "Open the return again to see their figures, then make your changes."
        )


class LockedReturn(Exception):
    """The month is published: nobody may change it until an administrator reopens it."""


def parse_number(text: str) -> Decimal | None:
    """``"85.2"``, ``"85.2%"``, ``" 1,234 "`` -> Decimal; ``""`` -> None; anything else raises."""
    cleaned = text.strip().replace(",", "").removesuffix("%").strip()
    if cleaned == "":
        return None
    try:
        number = Decimal(cleaned)
    except InvalidOperation:
        raise ValueError("Enter a number, like 85.2") from None
    if not number.is_finite():
        raise ValueError("Enter a number, like 85.2")
    return number


def commentary_needed(row: ScorecardRow, status: Status, value: Decimal) -> str:
    """Why this value needs commentary (a Red status or a significant move), or ``""``."""
    if status.rag is Rag.RED:
        return "it is Red"
    previous = row.trend[-2][1] if len(row.trend) > 1 else None
    if previous is not None and abs(value - previous) > row.indicator.no_change_band:
        return "it moved from last month's value"
    return ""


@dataclass
class Entry:
    indicator: Indicator
    row: ScorecardRow  # last month's value, status and this month's benchmarks
    value: Decimal | None
    missing_reason: str
    commentary: str

    @property
    def empty(self) -> bool:
        return self.value is None and not self.missing_reason and not self.commentary


class ReturnForm(forms.Form):
    """One value, missing reason and commentary per active indicator, checked together."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

    def __init__(self, *args, data_for_month: ScorecardData, **kwargs):
        super().__init__(*args, **kwargs)
        self.month_data = data_for_month
        self.rows = {row.indicator.pk: row for row in data_for_month.rows()}
        reasons = [("", "Select a reason"), *MissingReason.choices]
        for pk, row in self.rows.items():
            self.fields[f"value_{pk}"] = forms.CharField(required=False, label=f"{row.indicator.code} value")
            self.fields[f"reason_{pk}"] = forms.ChoiceField(
                required=False, choices=reasons, label=f"{row.indicator.code} reason the value is missing"
            )
            self.fields[f"commentary_{pk}"] = forms.CharField(
                required=False,
                label=f"{row.indicator.code} commentary",
                max_length=4000,
                widget=forms.Textarea,
            )
        self.entries: list[Entry] = []
        self.completing = False

    def clean(self):
        cleaned = super().clean()
        self.entries = []
        for pk, row in self.rows.items():
            indicator = row.indicator
            value_field, reason_field, note_field = f"value_{pk}", f"reason_{pk}", f"commentary_{pk}"
            try:
                value = parse_number(cleaned.get(value_field, ""))
            except ValueError as exc:
                self.add_error(value_field, f"{indicator.code}: {exc}")
                continue
            reason = cleaned.get(reason_field, "")
            commentary = cleaned.get(note_field, "").strip()
            entry = Entry(indicator, row, value, reason, commentary)
            if value is not None:
                problem = value_problem(value, indicator.unit)
                if problem:
                    self.add_error(value_field, f"{indicator.code}: {problem[0].upper()}{problem[1:]}")
                    continue
                if reason:
                    self.add_error(reason_field, f"{indicator.code}: Remove the reason, or clear the value")
                    continue
                status = self.month_data.benchmarks.status(indicator, self.month_data.month, value)
                why = commentary_needed(row, status, value)
                if why and not commentary:
                    self.add_error(note_field, f"{indicator.code}: Enter commentary, because {why}")
            elif not reason and (
                self.completing or commentary or row.value is not None or row.missing_reason
            ):
                # Submitting needs every figure; commentary needs a figure; and a saved figure is
                # never silently dropped by clearing its box.
                self.add_error(value_field, f"{indicator.code}: Enter a value, or select why it is missing")
            self.entries.append(entry)
        return cleaned


def current_return(month: date) -> MonthlyReturn:
    """The month's return, unsaved (version 0, draft) if nobody has started it."""
    return MonthlyReturn.objects.filter(month=month).first() or MonthlyReturn(month=month)


@transaction.atomic
def save_return(
    month: date, user, entries: list[Entry], expected_version: int, submit: bool
) -> MonthlyReturn:
    """Write every entered figure of the return, or nothing; refuse a save from an old version."""
    record, _ = MonthlyReturn.objects.select_for_update().get_or_create(month=month)
    if record.is_published:
        raise LockedReturn("This month is published. An administrator must reopen it before it can change.")
    # Conditional update: only the save that still holds the version it read goes through.
    now = timezone.now()
    moved = MonthlyReturn.objects.filter(pk=record.pk, version=expected_version).update(
        version=F("version") + 1, updated_by=user, updated_at=now
    )
    if not moved:
        record.refresh_from_db()
        raise StaleReturn(record)
    status = ValueStatus.SUBMITTED if submit else record.status
    if submit:
        MonthlyReturn.objects.filter(pk=record.pk).update(
            status=ValueStatus.SUBMITTED, submitted_by=user, submitted_at=now
        )
    rows = [
        {
            "indicator_id": entry.indicator.pk,
            "month": month,
            "value": entry.value,
            "missing_reason": entry.missing_reason,
            "unit": entry.indicator.unit,
            "commentary": entry.commentary,
            "status": status,
        }
        for entry in entries
        if not entry.empty
    ]
    existing = MonthlyValue.objects.filter(month=month)
    reason = "Return submitted" if submit else "Return saved as draft"
    upsert(MonthlyValue, ["indicator_id", "month"], rows, existing=existing, change_reason=reason, user=user)
    if submit:
        # Values already held for the month but not re-entered follow the return's status too.
        set_value_status(month, ValueStatus.SUBMITTED, user, reason)
    record.refresh_from_db()
    return record


@transaction.atomic
def publish_return(month: date, user) -> MonthlyReturn:
    record = MonthlyReturn.objects.select_for_update().get(month=month)
    if record.status != ValueStatus.SUBMITTED:
        raise LockedReturn("Only a submitted return can be published.")
    now = timezone.now()
    record.status, record.published_by, record.published_at = ValueStatus.PUBLISHED, user, now
    record.version += 1
    record._change_reason = "Published"
    record.save()
    set_value_status(month, ValueStatus.PUBLISHED, user, "Month published")
    return record


@transaction.atomic
def reopen_return(month: date, user, reason: str) -> MonthlyReturn:
    if not reason.strip():
        raise ValueError("Enter why the month is being reopened")
    record = MonthlyReturn.objects.select_for_update().get(month=month)
    if not record.is_published:
        raise LockedReturn("Only a published month can be reopened.")
    record.status, record.reopen_reason = ValueStatus.DRAFT, reason.strip()
    record.version += 1
    record._change_reason = f"Reopened: {reason.strip()}"
    record.save()
    set_value_status(month, ValueStatus.DRAFT, user, f"Month reopened: {reason.strip()}")
    return record


def set_value_status(month: date, status: str, user, reason: str) -> None:
    """Move every value of the month to ``status``, recording each change in its history."""
    values = list(MonthlyValue.objects.filter(month=month).exclude(status=status))
    rows = [
        {"indicator_id": v.indicator_id, "month": v.month, "status": status}
        for v in values
    ]  # fmt: skip
    upsert(
        MonthlyValue, ["indicator_id", "month"], rows,
        existing=MonthlyValue.objects.filter(month=month), change_reason=reason, user=user,
    )  # fmt: skip
