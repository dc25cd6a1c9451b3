"""The change history of an indicator's values, as old → new pairs with who, when and why."""

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from kpis.models import Indicator, MonthlyValue
from sct_monitor.seed import SEED_CHANGE_REASON


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

    @property
    def value_changed(self) -> bool:
        return self.created or self.old_value != self.new_value

    @property
    def commentary_changed(self) -> bool:
        return self.old_commentary != self.new_commentary


def value_changes(indicator: Indicator) -> tuple[list[ValueChange], int]:
    """Every recorded change to the indicator's values, latest first, in one query.

    Values created by the seed load are counted, not listed: they are the published figures.
    """
    records = (
        MonthlyValue.history.filter(indicator_id=indicator.pk)
        .select_related("history_user")
        .order_by("id", "history_date", "history_id")
    )
    changes, seeded, previous = [], 0, None
    for record in records:
        before = previous if previous is not None and previous.id == record.id else None
        previous = record
        if before is None and record.history_change_reason == SEED_CHANGE_REASON:
            seeded += 1
            continue
        changes.append(
            ValueChange(
                when=record.history_date,
                who=record.history_user.get_username() if record.history_user else "the system",
                month=record.month,
                old_value=before.value if before else None,
                new_value=record.value,
                old_commentary=before.commentary if before else "",
                new_commentary=record.commentary,
                old_status=before.get_status_display() if before else "",
                new_status=record.get_status_display(),
                reason=record.history_change_reason or "",
                created=before is None,
            )
        )
    changes.sort(key=lambda change: change.when, reverse=True)
    return changes, seeded
