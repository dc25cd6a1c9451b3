"""Monthly returns: what an entry needs, and saving, submitting, publishing and reopening.

Every write to a month (a save, a submission, an import, a reopening, a publication) advances
its return's version, and every write names the version it started from: a write from an older
version is refused (``StaleReturn``) and changes nothing.

What the contract asks (Schedule 6 para 4.2.2) is checked on submission: a figure or a reason for
every indicator due that month, and commentary on Red values and significant variances. A draft
is refused only for values that cannot be held. When a published month is corrected, only the
figures that differ from the published ones are checked again.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from django import forms
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from kpis.models import (
    Indicator,
    MissingReason,
    MonthlyReturn,
    MonthlyValue,
    Publication,
    PublishedValue,
    ValueStatus,
)
from kpis.months import month_label
from kpis.publishing import plan_snapshots, write_publication
from kpis.rules import value_problem
from kpis.scorecard import ScorecardData, ScorecardRow, add_months, size_of
from kpis.status import Rag, Status
from sct_monitor.upsert import upsert

# Commentary is published to the board: the hint under every commentary box.
NO_IDENTIFYING_DETAIL = (
    "Performance only: no child's name, and nothing that could identify a child or family."
)


class StaleReturn(Exception):
    """Someone wrote to the month after this person opened it."""

    def __init__(self, current: MonthlyReturn, action: str = "saved this return"):
        self.current = current
        who = current.updated_by.get_username() if current.updated_by else "someone"
        when = (
            timezone.localtime(current.updated_at).strftime("%H:%M on %d %B %Y") if current.updated_at else ""
        )
        super().__init__(
            f"{who} changed this return at {when}, after you opened it. "
            f"Nothing you entered has been {action}. "
            "Open the return again to see the figures as they are now, then make your changes."
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


def commentary_needed(indicator: Indicator, status: Status, value: Decimal, previous: Decimal | None,
                      previous_month: date) -> str:  # fmt: skip
    """Why a submitted value needs commentary (Red, or a move beyond the significant variance), or ``""``."""
    if status.rag is Rag.RED:
        return "it is Red"
    variance = indicator.significant_variance
    if variance is None or previous is None:
        return ""
    moved = abs(value - previous)
    if moved > variance:
        return (
            f"it moved {size_of(value - previous, indicator)} from {month_label(previous_month)}, "
            f"more than its significant variance of {size_of(variance, indicator)}"
        )
    return ""


@dataclass
class Entry:
    indicator: Indicator
    row: ScorecardRow  # last period's value, status and this month's benchmarks
    value: Decimal | None
    missing_reason: str
    commentary: str

    @property
    def empty(self) -> bool:
        return self.value is None and not self.missing_reason and not self.commentary

    def same_as(self, held: MonthlyValue | PublishedValue | None) -> bool:
        """Whether this entry holds exactly what ``held`` holds (both empty counts as the same)."""
        if held is None:
            return self.empty
        return (self.value, self.missing_reason, self.commentary) == (
            held.value,
            held.missing_reason,
            held.commentary,
        )


class ReturnForm(forms.Form):
    """One value, missing reason and commentary per indicator due this month, checked together."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

    def __init__(self, *args, data_for_month: ScorecardData, **kwargs):
        super().__init__(*args, **kwargs)
        self.month_data = data_for_month
        month = data_for_month.month
        self.rows = {
            row.indicator.pk: row for row in data_for_month.rows() if row.indicator.reports_in(month)
        }
        # What the board saw, for a month being corrected: untouched figures are not checked again.
        self.published = {
            pk: data_for_month.published.get((pk, month))
            for pk in self.rows
            if (pk, month) in data_for_month.published
        }
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
                help_text=NO_IDENTIFYING_DETAIL,
            )
        self.entries: list[Entry] = []
        self.completing = False

    @property
    def correcting(self) -> bool:
        return bool(self.published)

    def checked_on_submit(self, entry: Entry) -> bool:
        """A first submission checks every figure; a correction only those that differ from the published."""
        if not self.correcting:
            return True
        return not entry.same_as(self.published.get(entry.indicator.pk))

    def clean(self):
        cleaned = super().clean()
        self.entries = []
        month = self.month_data.month
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
            elif commentary and not reason:
                # A figure's commentary needs the figure, or the reason there is none, to be held.
                self.add_error(
                    value_field,
                    f"{indicator.code}: Enter a value, or select why it is missing, to keep the commentary",
                )
                continue
            self.entries.append(entry)
            if self.completing and self.checked_on_submit(entry):
                self.check_for_submission(entry, month)
        return cleaned

    def check_for_submission(self, entry: Entry, month: date) -> None:
        indicator, pk = entry.indicator, entry.indicator.pk
        if entry.value is None:
            if not entry.missing_reason:
                self.add_error(f"value_{pk}", f"{indicator.code}: Enter a value, or select why it is missing")
            return
        status = self.month_data.benchmarks.status(indicator, month, entry.value)
        previous_month = add_months(month, -indicator.period_months)
        previous = self.month_data.number(indicator, previous_month)
        why = commentary_needed(indicator, status, entry.value, previous, previous_month)
        if why and not entry.commentary:
            self.add_error(f"commentary_{pk}", f"{indicator.code}: Enter commentary, because {why}")

    def changes_nothing(self) -> bool:
        """Whether saving these entries would leave the month as it is (a repeated submission)."""
        month = self.month_data.month
        return all(entry.same_as(self.month_data.value(entry.indicator, month)) for entry in self.entries)


# pg_advisory_xact_lock(space, key): the space for month locks, the key is YYYYMM.
MONTH_LOCK_SPACE = 1414


def lock_months(months) -> None:
    """Lock these months for writing, one at a time in month order, before anything is written.

    Saves, submissions, publications, reopenings and imports all call this first inside their
    transaction, so two of them touching the same months wait for each other instead of each
    holding a row the other needs (a deadlock). PostgreSQL's transaction advisory locks cover a
    month whose return does not exist yet; the returns' rows are then locked in the same order.
    SQLite writes one transaction at a time, so there is nothing more to order there.
    """
    ordered = sorted(set(months))
    if not ordered:
        return
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for month in ordered:
                cursor.execute(
                    "SELECT pg_advisory_xact_lock(%s, %s)", [MONTH_LOCK_SPACE, month.year * 100 + month.month]
                )
    list(
        MonthlyReturn.objects.select_for_update()
        .filter(month__in=ordered)
        .order_by("month")
        .values_list("pk", flat=True)
    )


def current_return(month: date) -> MonthlyReturn:
    """The month's return, unsaved (version 0, draft) if nobody has started it."""
    return MonthlyReturn.objects.select_related("updated_by", "submitted_by", "published_by").filter(
        month=month
    ).first() or MonthlyReturn(month=month)


def claim_version(month: date, user, expected_version: int, action: str = "saved") -> MonthlyReturn:
    """Lock the month's return and advance its version, or refuse if it moved since ``expected_version``."""
    record, _ = MonthlyReturn.objects.select_for_update().get_or_create(month=month)
    # Conditional update: only the write that still holds the version it read goes through.
    moved = MonthlyReturn.objects.filter(pk=record.pk, version=expected_version).update(
        version=F("version") + 1, updated_by=user, updated_at=timezone.now()
    )
    if not moved:
        record.refresh_from_db()
        raise StaleReturn(record, action)
    record.refresh_from_db()
    return record


@dataclass(frozen=True)
class SaveResult:
    record: MonthlyReturn
    removed: list[str]  # codes of figures whose boxes were cleared in a draft


@transaction.atomic
def save_return(month: date, user, entries: list[Entry], expected_version: int, submit: bool) -> SaveResult:
    """Write every entered figure of the return, or nothing; refuse a save from an old version."""
    lock_months([month])
    current = MonthlyReturn.objects.select_for_update().filter(month=month).first()
    if current is not None and current.is_published:
        raise LockedReturn("This month is published. An administrator must reopen it before it can change.")
    record = claim_version(month, user, expected_version)
    now = timezone.now()
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
    reason = "Return submitted" if submit else "Return saved as draft"
    existing = MonthlyValue.objects.filter(month=month)
    upsert(MonthlyValue, ["indicator_id", "month"], rows, existing=existing, change_reason=reason, user=user)
    # A box cleared in a draft removes that figure; its history keeps what it was and who removed it.
    cleared = {entry.indicator.pk for entry in entries if entry.empty}
    removed = []
    for value in existing.filter(indicator_id__in=cleared).select_related("indicator"):
        value._change_reason = f"{reason}: value removed"
        value._history_user = user
        removed.append(value.indicator.code)
        value.delete()
    if submit:
        # Values already held for the month but not re-entered follow the return's status too.
        set_value_status(month, ValueStatus.SUBMITTED, user, reason)
    record.refresh_from_db()
    return SaveResult(record, removed)


@transaction.atomic
def publish_return(month: date, user, expected_version: int, reason: str = "") -> Publication:
    """Freeze the submitted return as what the board sees; a correction needs its reason."""
    lock_months([month])
    record = MonthlyReturn.objects.select_for_update().filter(month=month).first()
    if record is None or record.status != ValueStatus.SUBMITTED:
        raise LockedReturn("Only a submitted return can be published.")
    reason = reason.strip()
    if record.published_revision and not reason:
        raise ValueError("Enter why the month was corrected; board members see it beside each revised figure")
    record = claim_version(month, user, expected_version, action="published")
    now = timezone.now()
    plan = plan_snapshots([month], reason, now)[month]
    publication = write_publication(plan, user, reason, record.version, now)
    history_reason = f"Correction published: {reason}" if publication.is_correction else "Month published"
    set_value_status(month, ValueStatus.PUBLISHED, user, history_reason[:100])
    record.status, record.published_by, record.published_at = ValueStatus.PUBLISHED, user, now
    record.published_revision = publication.revision
    record._change_reason = history_reason[:100]
    record.save()
    return publication


@transaction.atomic
def reopen_return(month: date, user, reason: str, expected_version: int) -> MonthlyReturn:
    """Open a published month for a correction; the board keeps seeing what was published."""
    if not reason.strip():
        raise ValueError("Enter why the month is being reopened")
    lock_months([month])
    record = MonthlyReturn.objects.select_for_update().filter(month=month).first()
    if record is None or not record.is_published:
        raise LockedReturn("Only a published month can be reopened.")
    record = claim_version(month, user, expected_version, action="reopened")
    record.status, record.reopen_reason = ValueStatus.DRAFT, reason.strip()
    record._change_reason = f"Reopened: {reason.strip()}"[:100]
    record.save(update_fields=["status", "reopen_reason"])
    set_value_status(month, ValueStatus.DRAFT, user, f"Month reopened: {reason.strip()}"[:100])
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


def advance_versions(months, user) -> None:
    """An import wrote these months: forms opened before it must be refused."""
    MonthlyReturn.objects.filter(month__in=set(months)).update(
        version=F("version") + 1, updated_by=user, updated_at=timezone.now()
    )
