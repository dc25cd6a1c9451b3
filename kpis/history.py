"""The change history of an indicator's values, as old → new pairs with who, when and why."""

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from functools import cache

from django.db import models

from kpis.models import Indicator, MonthlyValue
from sct_monitor.seed import SEED_CHANGE_REASON
from sct_monitor.table_memo import remembered


@cache
def history_rows(model: type[models.Model]) -> models.Manager:
    """The manager of ``model``'s history (django-simple-history's historical model), looked up
    once: each use of ``Model.history`` or ``instance.history`` builds a manager class afresh,
    about a millisecond, more than the query it makes on an indicator page."""
    return model.history.model.objects


@dataclass(frozen=True)
class ValueChange:
    when: datetime
    who: str
    month: date
    old_value: Decimal | None
    new_value: Decimal | None
    old_commentary: str
    new_commentary: str
    old_status: str
    new_status: str
    reason: str
    created: bool
    indicator_code: str = ""
    indicator: Indicator | None = None

    @property
    def value_changed(self) -> bool:
        return self.created or self.old_value != self.new_value

    @property
    def commentary_changed(self) -> bool:
        return self.old_commentary != self.new_commentary


def paired(records):
    """(the record before, the record) for history ordered by object and time; None before the first."""
    previous = None
    for record in records:
        yield (previous if previous is not None and previous.id == record.id else None), record
        previous = record


def change_of(before, record) -> ValueChange:
    deleted = record.history_type == "-"
    return ValueChange(
        when=record.history_date,
        who=record.history_user.get_username() if record.history_user else "the system",
        month=record.month,
        old_value=before.value if before else None,
        new_value=None if deleted else record.value,
        old_commentary=before.commentary if before else "",
        new_commentary="" if deleted else record.commentary,
        old_status=before.get_status_display() if before else "",
        new_status=record.get_status_display(),
        reason=record.history_change_reason or "",
        created=before is None,
        indicator_code=record.indicator.code if record.indicator_id else "",
        indicator=record.indicator,
    )


def value_changes(indicator: Indicator) -> tuple[list[ValueChange], int]:
    """Every recorded change to the indicator's values, latest first, in one query.

    Values created by the seed load are counted, not listed: they are the published figures.
    """
    records = (
        history_rows(MonthlyValue)
        .filter(indicator_id=indicator.pk)
        .select_related("history_user", "indicator")
        .order_by("id", "history_date", "history_id")
    )
    changes, seeded = [], 0
    for before, record in paired(records):
        if before is None and record.history_change_reason == SEED_CHANGE_REASON:
            seeded += 1
            continue
        changes.append(change_of(before, record))
    changes.sort(key=lambda change: change.when, reverse=True)
    return changes, seeded


def month_changes(month: date, since: datetime | None) -> list[ValueChange]:
    """Changes to a month's values after ``since`` (all of them when None), latest first, in one query."""
    records = (
        history_rows(MonthlyValue)
        .filter(month=month)
        .select_related("history_user", "indicator")
        .order_by("id", "history_date", "history_id")
    )
    changes = [
        change_of(before, record)
        for before, record in paired(records)
        if since is None or record.history_date > since
    ]
    changes.sort(key=lambda change: change.when, reverse=True)
    return changes


@dataclass(frozen=True)
class ThresholdChange:
    when: datetime
    who: str
    what: str  # "Target 2022/23 set: 796 by 31 March 2023 (trajectory)"
    reason: str


def threshold_changes(indicator: Indicator) -> tuple[ThresholdChange, ...]:
    """Every change to the indicator's targets and thresholds, latest first: two queries, none
    while the targets' and indicators' history is unchanged (a month's figures entered, or an
    indicator's row written without a new history record, leave it remembered)."""
    return recorded_threshold_changes(indicator.pk, indicator.unit, indicator.decimal_places)


@remembered
def recorded_threshold_changes(
    indicator_id: int, unit: str, decimal_places: int
) -> tuple[ThresholdChange, ...]:
    """``threshold_changes`` from the history tables alone, given what of the indicator's own row
    its words use (the unit and decimal places a target is written in). Shared: read it only."""
    from finance.periods import financial_year_label
    from kpis.models import Target
    from kpis.scorecard import target_text

    indicator = Indicator(pk=indicator_id, unit=unit, decimal_places=decimal_places)

    def who(record) -> str:
        return record.history_user.get_username() if record.history_user else "the system"

    def described(record) -> str:
        target = Target(
            indicator=indicator, financial_year=record.financial_year, value=record.value,
            value_to=record.value_to, amber_tolerance=record.amber_tolerance, judged=record.judged,
            due=record.due,
        )  # fmt: skip
        return f"{target_text(target, indicator)}, judged {target.get_judged_display().lower()}"

    changes, previous = [], None
    for record in (
        history_rows(Target)
        .filter(indicator_id=indicator.pk)
        .select_related("history_user")
        .order_by("id", "history_date", "history_id")
    ):
        before = previous if previous is not None and previous.id == record.id else None
        previous = record
        year = financial_year_label(record.financial_year)
        if record.history_type == "-":
            what = f"Target {year} removed (was {described(record)})"
        elif before is None:
            what = f"Target {year} set: {described(record)}"
        elif described(before) != described(record) or before.amber_tolerance != record.amber_tolerance:
            what = f"Target {year}: {described(before)} → {described(record)}"
        else:
            continue
        changes.append(
            ThresholdChange(record.history_date, who(record), what, record.history_change_reason or "")
        )

    previous = None
    records = history_rows(Indicator).filter(id=indicator.pk).select_related("history_user")
    for record in records.order_by("history_date", "history_id"):
        before, previous = previous, record
        if before is None:
            continue
        for name, label in (
            ("significant_variance", "Significant variance"),
            ("no_change_band", "No-change band"),
        ):
            old, new = getattr(before, name), getattr(record, name)
            if old != new:

                def shown(number):
                    return "not set" if number is None else f"{number.normalize():f}"

                changes.append(
                    ThresholdChange(record.history_date, who(record), f"{label}: {shown(old)} → {shown(new)}",
                                    record.history_change_reason or "")
                )  # fmt: skip
    changes.sort(key=lambda change: change.when, reverse=True)
    return tuple(changes)
