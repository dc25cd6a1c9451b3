"""One indicator's series with the status of each period, for its page and chart.

Four queries whatever the length of the series: values, published snapshot, targets, comparators;
four too for several indicators' series read together (``IndicatorSeries.many``).
Quarterly indicators step a quarter at a time. Published figures keep the judgement they were
published with, and a corrected figure carries its revision note.
"""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import QuerySet

from kpis.formatting import format_value
from kpis.models import (
    Comparator,
    ComparatorValue,
    Indicator,
    MonthlyValue,
    PublishedValue,
    Target,
    TargetJudgement,
    ValueStatus,
)
from kpis.months import month_label
from kpis.scorecard import (
    Benchmarks,
    add_months,
    describe_change,
    figure_revised,
    judgement_note,
    opening_month,
    records,
    revision_note,
    value_fields,
)
from kpis.status import Rag, Status, change_between


@dataclass(frozen=True)
class SeriesMonth:
    month: date
    row: MonthlyValue | PublishedValue | None
    status: Status
    revision_note: str = ""
    judgement_note: str = ""
    figure_revised: bool = False

    @property
    def value(self) -> Decimal | None:
        return self.row.value if self.row else None

    @property
    def provisional(self) -> bool:
        return self.row is not None and self.row.status != ValueStatus.PUBLISHED


@dataclass
class SeriesRows:
    """What a series is built from, for one indicator."""

    values: list = field(default_factory=list)  # oldest first
    published: list = field(default_factory=list)
    targets: list[Target] = field(default_factory=list)
    comparators: list[ComparatorValue] = field(default_factory=list)


def read_series_rows(indicators: list[Indicator], values: QuerySet) -> dict[int, SeriesRows]:
    """The rows of several indicators' series in four queries, whatever their number."""
    rows = {indicator.pk: SeriesRows() for indicator in indicators}
    wanted = list(rows)
    for row in records(values.filter(indicator__in=wanted).order_by("month"), value_fields(values.model)):
        rows[row.indicator_id].values.append(row)
    if values.model is not PublishedValue:
        current = PublishedValue.objects.filter(indicator__in=wanted, is_current=True)
        for row in records(current, value_fields(PublishedValue)):
            rows[row.indicator_id].published.append(row)
    for target in Target.objects.filter(indicator__in=wanted).order_by("financial_year"):
        rows[target.indicator_id].targets.append(target)
    comparators = ComparatorValue.objects.filter(indicator__in=wanted).order_by("period_start", "comparator")
    for comparator in comparators:
        rows[comparator.indicator_id].comparators.append(comparator)
    return rows


class IndicatorSeries:
    def __init__(
        self, indicator: Indicator, values: QuerySet, months: int | None, rows: SeriesRows | None = None
    ):
        """``rows`` already read (see ``many``), else read now."""
        self.indicator = indicator
        self.limit = months  # None: every month held
        # Markup built from the series once (its chart, its table of figures): a series the
        # overview charts is remembered while its indicator is unchanged, and this with it.
        self.rendered: dict = {}
        rows = rows or read_series_rows([indicator], values)[indicator.pk]
        all_rows = rows.values
        by_month = {row.month: row for row in all_rows}
        published = by_month if values.model is PublishedValue else {row.month: row for row in rows.published}
        self.target_rows = rows.targets
        self.comparator_rows = rows.comparators
        openings = {}
        for target in self.target_rows:
            start = by_month.get(opening_month(target.financial_year))
            if target.judged == TargetJudgement.TRAJECTORY and start is not None and start.value is not None:
                openings[(indicator.pk, target.financial_year)] = start.value
        self.openings = {year: value for (_, year), value in openings.items()}
        self.benchmarks = Benchmarks(self.target_rows, self.comparator_rows, openings)
        self.months: list[SeriesMonth] = []
        if not all_rows:
            return
        last = all_rows[-1].month
        first = all_rows[0].month if months is None else max(all_rows[0].month, add_months(last, 1 - months))
        month = first
        while month <= last:
            if indicator.reports_in(month):
                self.months.append(self.point(month, by_month.get(month), published.get(month)))
            month = add_months(month, 1)

    @classmethod
    def many(
        cls, indicators: list[Indicator], values: QuerySet, months: int | None
    ) -> list["IndicatorSeries"]:
        """A series for each indicator, read together (four queries in all)."""
        rows = read_series_rows(indicators, values)
        return [cls(indicator, values, months, rows[indicator.pk]) for indicator in indicators]

    def point(self, month: date, row, snapshot: PublishedValue | None) -> SeriesMonth:
        number = row.value if row else None
        live = self.benchmarks.status(self.indicator, month, number)
        if row is None or row.status != ValueStatus.PUBLISHED or snapshot is None:
            return SeriesMonth(month, row, live)
        frozen = Status(Rag(snapshot.rag), snapshot.basis)
        return SeriesMonth(
            month, row, frozen, revision_note(snapshot, self.indicator), judgement_note(frozen, live),
            figure_revised(snapshot),
        )  # fmt: skip

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
        previous_month = add_months(latest.month, -self.indicator.period_months)
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
            f" Over the {len(self.months)} {self.indicator.period_word}s shown it ranged from "
            f"{self.format(min(values))} to {self.format(max(values))}."
            if len(values) > 1
            else ""
        )
        return (
            f"Latest value {self.format(latest.value)} in {month_label(latest.month)}, {movement}. "
            f"Status: {latest.status.label} ({latest.status.basis}).{span}"
        )

    def comparator_segments(self, kind: str) -> list[tuple[date, date, Decimal]]:
        """(start, end, value) runs of the comparator that judges each month shown (a paper's over
        the DfE's where both cover a month; see Benchmarks.comparator)."""
        segments: list[tuple[date, date, Decimal]] = []
        current_row = None
        for point in self.months:
            row = self.benchmarks.comparator(self.indicator, kind, point.month)
            if row is not None and row is current_row:
                segments[-1] = (segments[-1][0], point.month, row.value)
            elif row is not None:
                segments.append((point.month, point.month, row.value))
            current_row = row
        return segments

    def target_segments(self) -> list[tuple[date, date, Decimal]]:
        """Flat runs of months judged against the target itself (not a trajectory point)."""
        segments, current = [], None
        for point in self.months:
            basis = self.benchmarks.target_basis(self.indicator, point.month)
            value = basis.value if basis is not None and basis.label.startswith("target") else None
            if current and current[2] == value and value is not None:
                current = (current[0], point.month, value)
                continue
            if current and current[2] is not None:
                segments.append(current)
            current = (point.month, point.month, value)
        if current and current[2] is not None:
            segments.append(current)
        return segments

    def trajectory_points(self) -> list[tuple[date, Decimal]]:
        """The months judged against a trajectory, with the trajectory's value in each."""
        points = []
        for point in self.months:
            basis = self.benchmarks.target_basis(self.indicator, point.month)
            if basis is not None and basis.value is not None and basis.label.startswith("trajectory"):
                points.append((point.month, basis.value))
        return points


COMPARATOR_SERIES = (
    (Comparator.STATISTICAL_NEIGHBOURS, "SN average"),
    (Comparator.ENGLAND, "England average"),
    (Comparator.WEST_MIDLANDS, "West Midlands average"),
)
