"""One indicator's monthly series with the status of each month, for its page and chart.

Three queries whatever the length of the series: values, targets, comparators.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import QuerySet

from kpis.formatting import format_value
from kpis.models import Comparator, Indicator, MonthlyValue, ValueStatus
from kpis.months import month_label
from kpis.scorecard import Benchmarks, add_months, describe_change
from kpis.status import Status, change_between


@dataclass(frozen=True)
class SeriesMonth:
    month: date
    row: MonthlyValue | None
    status: Status

    @property
    def value(self) -> Decimal | None:
        return self.row.value if self.row else None

    @property
    def provisional(self) -> bool:
        return self.row is not None and self.row.status != ValueStatus.PUBLISHED


class IndicatorSeries:
    def __init__(self, indicator: Indicator, values: QuerySet[MonthlyValue], months: int | None):
        self.indicator = indicator
        all_rows = list(values.filter(indicator=indicator).order_by("month"))
        self.target_rows = list(indicator.targets.order_by("financial_year"))
        self.comparator_rows = list(indicator.comparators.order_by("period_start", "comparator"))
        self.benchmarks = Benchmarks(self.target_rows, self.comparator_rows)
        self.months: list[SeriesMonth] = []
        if not all_rows:
            return
        last = all_rows[-1].month
        first = all_rows[0].month if months is None else max(all_rows[0].month, add_months(last, 1 - months))
        by_month = {row.month: row for row in all_rows}
        month = first
        while month <= last:
            row = by_month.get(month)
            number = row.value if row else None
            self.months.append(SeriesMonth(month, row, self.benchmarks.status(indicator, month, number)))
            month = add_months(month, 1)

    @property
    def first_month(self) -> date | None:
        return self.months[0].month if self.months else None

    @property
    def last_month(self) -> date | None:
        return self.months[-1].month if self.months else None

    @property
    def latest(self) -> SeriesMonth | None:
        return next((m for m in reversed(self.months) if m.value is not None), None)

    def format(self, value: Decimal | None) -> str:
        return format_value(value, self.indicator.unit, self.indicator.decimal_places)

    def summary(self) -> str:
        """The latest value and its movement in words: the chart's caption."""
        latest = self.latest
        if latest is None:
            return f"{self.indicator.title}: no values yet."
        previous_month = add_months(latest.month, -1)
        previous = next((m for m in self.months if m.month == previous_month), None)
        change = change_between(
            latest.value,
            previous.value if previous else None,
            self.indicator.polarity,
            self.indicator.no_change_band,
            f"no value for {month_label(previous_month)}",
        )
        movement = (
            describe_change(change, self.indicator, f"on {month_label(previous_month)}")
            if change.known
            else f"with no value for {month_label(previous_month)} to compare"
        )
        values = [m.value for m in self.months if m.value is not None]
        span = (
            f" Over the {len(self.months)} months shown it ranged from {self.format(min(values))} "
            f"to {self.format(max(values))}."
            if len(values) > 1
            else ""
        )
        return (
            f"Latest value {self.format(latest.value)} in {month_label(latest.month)}, {movement}. "
            f"Status: {latest.status.label} ({latest.status.basis}).{span}"
        )

    def comparator_segments(self, kind: str) -> list[tuple[date, date, Decimal]]:
        """(start, end, value) of each comparator period overlapping the months shown."""
        if not self.months:
            return []
        first, last = self.months[0].month, self.months[-1].month
        segments = []
        for row in self.benchmarks.comparators.get((self.indicator.pk, kind), []):
            start, end = max(row.period_start, first), min(row.period_end, last)
            if start <= end:
                segments.append((start, end, row.value))
        return sorted(segments)

    def target_segments(self) -> list[tuple[date, date, Decimal]]:
        if not self.months:
            return []
        segments, current = [], None
        for point in self.months:
            target = self.benchmarks.target(self.indicator, point.month)
            value = target.value if target else None
            if current and current[2] == value and value is not None:
                current = (current[0], point.month, value)
                continue
            if current and current[2] is not None:
                segments.append(current)
            current = (point.month, point.month, value)
        if current and current[2] is not None:
            segments.append(current)
        return segments


COMPARATOR_SERIES = (
    (Comparator.STATISTICAL_NEIGHBOURS, "SN average"),
    (Comparator.ENGLAND, "England average"),
    (Comparator.WEST_MIDLANDS, "West Midlands average"),
)
