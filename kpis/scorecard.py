"""A month's scorecard: every indicator's value, status, movement and comparators.

Reads a fixed number of queries whatever the number of indicators and months: the
indicators, their values for the twelve months ending at the chosen month, the targets of
that month's and the previous month's financial years, and the comparators covering them.
"""

import calendar
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import Count, QuerySet

from finance.periods import financial_year_start
from kpis.formatting import format_value
from kpis.models import Comparator, ComparatorValue, Indicator, MonthlyValue, Target, ValueStatus
from kpis.months import month_label
from kpis.status import (
    Benchmark,
    Change,
    Movement,
    Rag,
    Status,
    change_between,
    change_on_three_month_average,
    choose_benchmark,
    compare_with_comparator,
    status_of,
)

SPARKLINE_MONTHS = 12
COMPARATORS = (
    (Comparator.STATISTICAL_NEIGHBOURS, "SN"),
    (Comparator.ENGLAND, "England"),
    (Comparator.WEST_MIDLANDS, "West Midlands"),
)
RAG_ORDER = {Rag.RED: 0, Rag.AMBER: 1, Rag.GREEN: 2, Rag.NONE: 3}


def add_months(month: date, count: int) -> date:
    index = month.year * 12 + month.month - 1 + count
    return date(index // 12, index % 12 + 1, 1)


def last_day(month: date) -> date:
    return month.replace(day=calendar.monthrange(month.year, month.month)[1])


@dataclass(frozen=True)
class ComparatorCell:
    short_name: str
    value: Decimal | None
    text: str
    judgement: str  # better, worse, similar, or ""
    source: str = ""


@dataclass
class ScorecardRow:
    indicator: Indicator
    value: Decimal | None
    value_text: str
    missing_reason: str
    commentary: str
    provisional: bool
    target_text: str
    status: Status
    last_status: Status
    on_last_month: Change
    on_three_months: Change
    comparators: list[ComparatorCell]
    trend: list[tuple[date, Decimal | None]] = field(default_factory=list)

    # Sort keys for the table: never None, so that any column can be sorted.
    @property
    def value_sort(self) -> tuple:
        return (self.value is None, self.value or Decimal(0))

    @property
    def status_sort(self) -> int:
        return RAG_ORDER[self.status.rag]


def describe_change(change: Change, indicator: Indicator, reference: str = "") -> str:
    """``up 2.3 points, worsening`` / ``no change`` / ``not known: no value last month``.

    With ``reference`` (``on May 2022``) it reads as a sentence: ``up 146 on May 2022, worsening``.
    """
    if change.movement is Movement.UNKNOWN:
        return f"not known: {change.note}"
    if change.movement is Movement.SAME:
        words = "no change"
    else:
        size = format_value(abs(change.delta), indicator.unit, indicator.decimal_places).rstrip("%")
        unit = " points" if indicator.unit == "percentage" else ""
        words = f"{change.movement} {size}{unit}"
    if reference:
        words += f" {reference}"
    if change.judgement:
        words += f", {change.judgement}"
    return f"{words} ({change.note})" if change.note else words


def target_benchmark(target: Target | None, indicator: Indicator) -> Benchmark | None:
    if target is None:
        return None
    value = format_value(target.value, indicator.unit, indicator.decimal_places)
    if target.range_start is not None:
        start = format_value(target.range_start, indicator.unit, indicator.decimal_places)
        value = f"{start} to {value}"
    return Benchmark("target", target.value, target.amber_tolerance, f"target {value}")


def comparator_benchmark(row: ComparatorValue | None, indicator: Indicator, name: str) -> Benchmark | None:
    if row is None:
        return None
    value = format_value(row.value, indicator.unit, indicator.decimal_places)
    return Benchmark(row.comparator, row.value, indicator.amber_tolerance, f"{name} average {value}")


class Benchmarks:
    """Targets and comparators for some indicators over some months, judged in memory."""

    def __init__(self, targets, comparators):
        self.targets = {(t.indicator_id, t.financial_year): t for t in targets}
        self.comparators: dict[tuple[int, str], list[ComparatorValue]] = defaultdict(list)
        for row in sorted(comparators, key=lambda c: (c.period_start, c.period_end), reverse=True):
            self.comparators[(row.indicator_id, row.comparator)].append(row)

    def target(self, indicator: Indicator, month: date) -> Target | None:
        return self.targets.get((indicator.pk, financial_year_start(month)))

    def comparator(self, indicator: Indicator, kind: str, month: date) -> ComparatorValue | None:
        """The latest-published comparator whose period covers ``month``."""
        for row in self.comparators.get((indicator.pk, kind), []):
            if row.period_start <= last_day(month) and row.period_end >= month:
                return row
        return None

    def basis(self, indicator: Indicator, month: date) -> Benchmark | None:
        """What the month is judged against: its target, else the SN, else the England average."""
        return choose_benchmark(
            target_benchmark(self.target(indicator, month), indicator),
            comparator_benchmark(
                self.comparator(indicator, Comparator.STATISTICAL_NEIGHBOURS, month), indicator, "SN"
            ),
            comparator_benchmark(self.comparator(indicator, Comparator.ENGLAND, month), indicator, "England"),
        )

    def status(self, indicator: Indicator, month: date, number: Decimal | None) -> Status:
        return status_of(number, indicator.polarity, self.basis(indicator, month))


class ScorecardData:
    """The rows needed for one month, fetched once."""

    def __init__(self, indicators: QuerySet[Indicator], values: QuerySet[MonthlyValue], month: date):
        self.month = month
        self.previous = add_months(month, -1)
        first = add_months(month, -(SPARKLINE_MONTHS - 1))
        self.window = [add_months(first, offset) for offset in range(SPARKLINE_MONTHS)]
        self.indicators = list(indicators)
        self.values = {
            (row.indicator_id, row.month): row
            for row in values.filter(indicator__in=indicators, month__range=(first, month)).only(
                "indicator_id", "month", "value", "missing_reason", "commentary", "status"
            )
        }
        years = {financial_year_start(month), financial_year_start(self.previous)}
        self.benchmarks = Benchmarks(
            Target.objects.filter(indicator__in=indicators, financial_year__in=years),
            ComparatorValue.objects.filter(
                indicator__in=indicators, period_start__lte=last_day(month), period_end__gte=self.previous
            ),
        )

    def value(self, indicator: Indicator, month: date) -> MonthlyValue | None:
        return self.values.get((indicator.pk, month))

    def number(self, indicator: Indicator, month: date) -> Decimal | None:
        row = self.value(indicator, month)
        return row.value if row else None

    def status(self, indicator: Indicator, month: date) -> Status:
        return self.benchmarks.status(indicator, month, self.number(indicator, month))

    def row(self, indicator: Indicator) -> ScorecardRow:
        current = self.value(indicator, self.month)
        number = current.value if current else None
        band = indicator.no_change_band
        benchmark = target_benchmark(self.benchmarks.target(indicator, self.month), indicator)
        comparators = []
        for kind, name in COMPARATORS:
            row = self.benchmarks.comparator(indicator, kind, self.month)
            comparator_value = row.value if row else None
            comparators.append(
                ComparatorCell(
                    short_name=name,
                    value=comparator_value,
                    text=format_value(comparator_value, indicator.unit, indicator.decimal_places),
                    judgement=compare_with_comparator(number, comparator_value, indicator.polarity, band),
                    source=row.source if row else "",
                )
            )
        previous_three = [self.number(indicator, add_months(self.month, -k)) for k in (1, 2, 3)]
        return ScorecardRow(
            indicator=indicator,
            value=number,
            value_text=format_value(number, indicator.unit, indicator.decimal_places),
            missing_reason=current.get_missing_reason_display() if current and number is None else "",
            commentary=current.commentary if current else "",
            provisional=bool(current) and current.status != ValueStatus.PUBLISHED,
            target_text=benchmark.label.removeprefix("target ") if benchmark else "",
            status=self.status(indicator, self.month),
            last_status=self.status(indicator, self.previous),
            on_last_month=change_between(
                number, previous_three[0], indicator.polarity, band, "no value last month"
            ),
            on_three_months=change_on_three_month_average(number, previous_three, indicator.polarity, band),
            comparators=comparators,
            trend=[(month, self.number(indicator, month)) for month in self.window],
        )

    def rows(self) -> list[ScorecardRow]:
        return [self.row(indicator) for indicator in self.indicators]


def status_counts(rows: list[ScorecardRow], previous: bool = False) -> dict[Rag, int]:
    counts = Counter(row.last_status.rag if previous else row.status.rag for row in rows)
    return {rag: counts.get(rag, 0) for rag in RAG_ORDER}


@dataclass(frozen=True)
class MonthCoverage:
    month: date
    indicators: int  # active indicators with a value or a missing reason that month

    @property
    def key(self) -> str:
        return f"{self.month:%Y-%m}"

    @property
    def label(self) -> str:
        noun = "indicator" if self.indicators == 1 else "indicators"
        return f"{month_label(self.month)} ({self.indicators} {noun})"


def month_coverage(values: QuerySet[MonthlyValue]) -> list[MonthCoverage]:
    """Every month with data, latest first, with how many active indicators it covers."""
    rows = (
        values.filter(indicator__active=True)
        .values("month")
        .annotate(indicators=Count("indicator", distinct=True))
        .order_by("-month")
    )
    return [MonthCoverage(row["month"], row["indicators"]) for row in rows]


def well_covered(month: MonthCoverage, total: int) -> bool:
    return month.indicators * 2 >= total


def better_month(current: MonthCoverage, coverage: list[MonthCoverage], total: int) -> MonthCoverage | None:
    """When ``current`` has values for under half the indicators, the latest month that has more."""
    if well_covered(current, total):
        return None
    return next((month for month in coverage if well_covered(month, total)), None)


def summary_rows(rows: list[ScorecardRow]) -> list[tuple[Rag, int, int, int]]:
    """(status, this month, last month, change) for every status, in RAG order."""
    now, before = status_counts(rows), status_counts(rows, previous=True)
    return [(rag, now[rag], before[rag], now[rag] - before[rag]) for rag in RAG_ORDER]
