"""A month's scorecard: every indicator's value, status, movement and comparators.

Reads a fixed number of queries whatever the number of indicators and months: the
indicators, their values for the twelve months ending at the chosen month, the published
snapshot of the month and the one before, the targets of those months' financial years with
the opening values their trajectories start from, and the comparators covering them.

A published month shows the judgement frozen when it was published (what the board saw); when
today's targets or comparators would judge it differently the row says so.
"""

import calendar
from collections import Counter, defaultdict, namedtuple
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from functools import cache

from django.db.models import Count, Model, QuerySet

from finance.periods import financial_year_start
from kpis.formatting import format_value
from kpis.models import (
    Comparator,
    ComparatorOrigin,
    ComparatorValue,
    Indicator,
    MissingReason,
    MonthlyValue,
    PublishedValue,
    Target,
    TargetJudgement,
    ValueStatus,
)
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
    trajectory_point,
)
from kpis.visibility import values_of_kind
from sct_monitor.table_memo import remembered, remembered_per_indicator

SPARKLINE_MONTHS = 12
COMPARATORS = (
    (Comparator.STATISTICAL_NEIGHBOURS, "SN"),
    (Comparator.ENGLAND, "England"),
    (Comparator.WEST_MIDLANDS, "West Midlands"),
)
RAG_ORDER = {Rag.RED: 0, Rag.AMBER: 1, Rag.GREEN: 2, Rag.NONE: 3}
REPORTED_QUARTERLY = "Reported quarterly"


def add_months(month: date, count: int) -> date:
    index = month.year * 12 + month.month - 1 + count
    return date(index // 12, index % 12 + 1, 1)


@cache  # called for every comparator of every month judged; months are few
def last_day(month: date) -> date:
    return month.replace(day=calendar.monthrange(month.year, month.month)[1])


def opening_month(financial_year: int) -> date:
    """The month a financial year's trajectory starts from: the March before it begins."""
    return date(financial_year, 3, 1)


# What a published figure's revision note is made from, besides its value and missing reason.
REVISION_FIELDS = (
    "revised",
    "was_value",
    "was_missing_reason",
    "was_commentary",
    "revised_at",
    "revision_reason",
)


def value_fields(model: type[Model]) -> list[str]:
    """The columns a scorecard reads from working values or from published ones (not a published
    judgement's ``details``: JSON decoded per row, which only a report shows, for its own months)."""
    common = ["indicator_id", "month", "value", "missing_reason", "commentary"]
    if model is PublishedValue:
        return [*common, "rag", "basis", "target_text", *REVISION_FIELDS]
    return [*common, "status"]


def missing_reason_label(code: str) -> str:
    return str(dict(MissingReason.choices).get(code, code))


class ValueRecord:
    """What a value's record answers beyond its fields, as its model instance would."""

    __slots__ = ()

    def get_missing_reason_display(self) -> str:
        return missing_reason_label(self.missing_reason)


class PublishedRecord(ValueRecord):
    __slots__ = ()

    @property
    def status(self) -> str:
        """Board pages read published rows where officers read working ones; both answer ``status``."""
        return ValueStatus.PUBLISHED


@cache
def record_type(model_name: str, fields: tuple[str, ...]) -> type:
    base = PublishedRecord if model_name == PublishedValue.__name__ else ValueRecord
    return type(f"{model_name}Record", (base, namedtuple(model_name, fields)), {"__slots__": ()})


def records(queryset: QuerySet, fields: Sequence[str]) -> Iterator:
    """The rows as tuples with the model's attribute names (``row.value``, ``row.month``): pages
    read hundreds of values, and building model instances for them took much of their time."""
    make = record_type(queryset.model.__name__, tuple(fields))._make
    return map(make, queryset.values_list(*fields))


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
    # For a published month: today's judgement when it differs from the frozen one, and why.
    judgement_note: str = ""
    previous_value: Decimal | None = None  # last month's (last quarter's) figure
    figure_revised: bool = False  # a correction changed the figure (not only its commentary)
    # For a corrected published figure: "Revised on 3 July 2022: was 20.85, now 20.95. Reason: ..."
    revision_note: str = ""
    reports: bool = True  # False: a quarterly indicator in a month that is not a quarter's end
    worsening_run: int = 0  # periods running it has worsened (worked out by the overview only)
    # The row's table markup once built (``ScorecardTable.rendered_rows``), per set of columns: a
    # row is remembered across requests while its indicator is unchanged, and its markup with it.
    rendered: dict = field(default_factory=dict, compare=False, repr=False)

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
        words = f"{change.movement} {size_of(change.delta, indicator)}"
    if reference:
        words += f" {reference}"
    if change.judgement:
        words += f", {change.judgement}"
    return f"{words} ({change.note})" if change.note else words


def size_of(delta: Decimal, indicator: Indicator) -> str:
    """A movement's size in the indicator's terms: ``2.3 points`` for percentages, ``146`` for counts."""
    size = format_value(abs(delta), indicator.unit, indicator.decimal_places).rstrip("%")
    return f"{size} points" if indicator.unit == "percentage" else size


def rounded(value: Decimal, indicator: Indicator) -> Decimal:
    """``value`` at the precision the indicator is shown in, so a judgement matches what is read."""
    places = 0 if indicator.unit == "count" else indicator.decimal_places
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def target_text(target: Target, indicator: Indicator) -> str:
    """``20.0%``, ``15 to 18``, ``796 by 31 March 2023``."""
    text = format_value(target.value, indicator.unit, indicator.decimal_places)
    if target.value_to is not None:
        text += " to " + format_value(target.value_to, indicator.unit, indicator.decimal_places)
    if target.due:
        text += f" by {target.due.day} {target.due:%B %Y}"
    return text


def target_benchmark(
    target: Target | None, indicator: Indicator, month: date, opening: Decimal | None = None
) -> Benchmark | None:
    """The target's benchmark for ``month``: the target itself, its trajectory point, or none yet."""
    if target is None:
        return None
    text = target_text(target, indicator)
    judged_value = target.judged_value(indicator.polarity)
    tolerance = target.amber_tolerance
    due_month = target.due.replace(day=1) if target.due else None
    if target.judged == TargetJudgement.AT_DUE_DATE and month < due_month:
        return Benchmark("target", None, tolerance, f"target {text} is judged only at that date")
    if target.judged == TargetJudgement.TRAJECTORY and month < due_month:
        start = opening_month(target.financial_year)
        if opening is None:
            return Benchmark(
                "target",
                None,
                tolerance,
                f"target {text}: no value for {month_label(start)} to start its trajectory",
            )
        point = rounded(trajectory_point(opening, judged_value, start, target.due, month), indicator)
        point_text = format_value(point, indicator.unit, indicator.decimal_places)
        return Benchmark("target", point, tolerance, f"trajectory {point_text} towards target {text}")
    return Benchmark("target", judged_value, tolerance, f"target {text}")


def comparator_benchmark(row: ComparatorValue | None, indicator: Indicator, name: str) -> Benchmark | None:
    if row is None:
        return None
    value = format_value(row.value, indicator.unit, indicator.decimal_places)
    # A figure computed from DfE tables says so and when, so that it is not read as the trust's own.
    origin = f" (DfE, {row.period_start:%b %Y})" if row.origin == ComparatorOrigin.DFE else ""
    return Benchmark(row.comparator, row.value, indicator.amber_tolerance, f"{name} average {value}{origin}")


class Benchmarks:
    """Targets and comparators for some indicators over some months, judged in memory.

    ``openings`` holds, for trajectory targets, the value of the March before each financial year.
    """

    def __init__(self, targets, comparators, openings: dict[tuple[int, int], Decimal] | None = None):
        # Each (indicator id, month)'s basis once worked out: a month is judged as itself and again
        # as the month before the next one.
        self.bases: dict[tuple[int, date], Benchmark | None] = {}
        # The same for the target alone: a report's chart draws it for months it also judges.
        self.target_bases: dict[tuple[int, date], Benchmark | None] = {}
        # Each (indicator id, month, figure)'s status once worked out: a month is judged as itself
        # and again as the month before the next one (publishing months in turn, a report's runs).
        self.statuses: dict[tuple[int, date, Decimal | None], Status] = {}
        self.targets = {(t.indicator_id, t.financial_year): t for t in targets}
        self.openings = openings or {}
        self.comparators: dict[tuple[int, str], list[ComparatorValue]] = defaultdict(list)
        # The rule for which comparator judges a month: a paper's (what the board was told at the
        # time, for the period it names) over one computed from DfE figures; among each, the
        # latest-starting period that covers the month.
        for row in sorted(
            comparators,
            key=lambda c: (c.origin == ComparatorOrigin.PAPER, c.period_start, c.period_end),
            reverse=True,
        ):
            self.comparators[(row.indicator_id, row.comparator)].append(row)

    def target(self, indicator: Indicator, month: date) -> Target | None:
        return self.targets.get((indicator.pk, financial_year_start(month)))

    def comparator(self, indicator: Indicator, kind: str, month: date) -> ComparatorValue | None:
        """The comparator that judges ``month``: a paper's that covers it, else the DfE's."""
        for row in self.comparators.get((indicator.pk, kind), []):
            if row.period_start <= last_day(month) and row.period_end >= month:
                return row
        return None

    def target_basis(self, indicator: Indicator, month: date) -> Benchmark | None:
        key = (indicator.pk, month)
        if key not in self.target_bases:
            target = self.target(indicator, month)
            opening = self.openings.get((indicator.pk, target.financial_year)) if target else None
            self.target_bases[key] = target_benchmark(target, indicator, month, opening)
        return self.target_bases[key]

    def basis(self, indicator: Indicator, month: date) -> Benchmark | None:
        """What the month is judged against: its target, else the SN, else the England average."""
        key = (indicator.pk, month)
        if key not in self.bases:
            self.bases[key] = self.judged_against(indicator, month)
        return self.bases[key]

    def judged_against(self, indicator: Indicator, month: date) -> Benchmark | None:
        return choose_benchmark(
            self.target_basis(indicator, month),
            comparator_benchmark(
                self.comparator(indicator, Comparator.STATISTICAL_NEIGHBOURS, month), indicator, "SN"
            ),
            comparator_benchmark(self.comparator(indicator, Comparator.ENGLAND, month), indicator, "England"),
        )

    def status(self, indicator: Indicator, month: date, number: Decimal | None) -> Status:
        key = (indicator.pk, month, number)
        status = self.statuses.get(key)
        if status is None:
            status = self.statuses[key] = status_of(number, indicator.polarity, self.basis(indicator, month))
        return status


def trajectory_openings(values: dict, targets: list[Target]) -> dict[tuple[int, int], Decimal]:
    """The opening value of each trajectory target's year, from values already read."""
    openings = {}
    for target in targets:
        if target.judged != TargetJudgement.TRAJECTORY:
            continue
        start = values.get((target.indicator_id, opening_month(target.financial_year)))
        if start is not None and start.value is not None:
            openings[(target.indicator_id, target.financial_year)] = start.value
    return openings


# Months of values read before the first month judged: enough for a quarterly indicator's previous
# quarter in the year before and that year's opening March.
LOOKBACK_MONTHS = 15


def load_benchmarks(indicators, values: dict, first: date, last: date) -> Benchmarks:
    """Targets for the financial years of ``first`` to ``last``, their openings (from ``values``,
    which must reach LOOKBACK_MONTHS before ``first``'s year), and the comparators: two queries."""
    years = set(range(financial_year_start(first), financial_year_start(last) + 1))
    # Targets are kept by (indicator, year), one each: unordered. Comparators keep the model's
    # order within each indicator and comparator, without the join that ordering by indicator takes.
    targets = list(Target.objects.filter(indicator__in=indicators, financial_year__in=years).order_by())
    return Benchmarks(
        targets,
        ComparatorValue.objects.filter(
            indicator__in=indicators, period_start__lte=last_day(last), period_end__gte=first
        ).order_by("indicator_id", "comparator", "period_start"),
        trajectory_openings(values, targets),
    )


def revision_note(snapshot: PublishedValue, indicator: Indicator) -> str:
    """``Revised on 3 July 2022: was 20.85, now 20.95. Reason: ...`` for a corrected figure."""
    if not snapshot.revised or snapshot.revised_at is None:
        return ""

    def figure(value: Decimal | None, reason: str) -> str:
        if value is not None:
            return format_value(value, indicator.unit, indicator.decimal_places)
        return f"missing ({MissingReason(reason).label.lower()})" if reason else "no value"

    was = figure(snapshot.was_value, snapshot.was_missing_reason)
    now = figure(snapshot.value, snapshot.missing_reason)
    when = f"{snapshot.revised_at:%-d %B %Y}"
    reason = f" Reason: {snapshot.revision_reason}" if snapshot.revision_reason else ""
    if not figure_revised(snapshot):
        return f"Commentary revised on {when}.{reason}"
    return f"Revised on {when}: was {was}, now {now}.{reason}"


def figure_revised(snapshot: PublishedValue | None) -> bool:
    """Whether a correction changed the figure itself, not only its commentary."""
    if snapshot is None or not snapshot.revised:
        return False
    return (snapshot.was_value, snapshot.was_missing_reason) != (snapshot.value, snapshot.missing_reason)


class ScorecardData:
    """The rows needed for one month, fetched once.

    ``history`` is how many months before ``month`` statuses are needed for (3 for the scorecard's
    movements; 12 for a report's runs of Red and worsening); it changes the rows read, not the
    number of queries.
    """

    def __init__(self, indicators: QuerySet[Indicator], values: QuerySet, month: date, history: int = 3):
        self.month = month
        self.history = history
        self.previous = add_months(month, -1)
        first = add_months(month, -(SPARKLINE_MONTHS - 1))
        self.window = [add_months(first, offset) for offset in range(SPARKLINE_MONTHS)]
        self.indicators = list(indicators)
        self.periods_before: dict[tuple[date, int], list[date]] = {}
        if not isinstance(values, QuerySet):  # already loaded: see ScorecardData.loaded
            return
        # Unordered: the rows are kept by (indicator, month), one each, and the models' default
        # ordering (by indicator) would join and sort the indicators for nothing.
        self.values = {
            (row.indicator_id, row.month): row
            for row in records(
                values.filter(
                    indicator__in=indicators,
                    month__range=(add_months(month, -(LOOKBACK_MONTHS + history)), month),
                ).order_by(),
                value_fields(values.model),
            )
        }
        # The published snapshot of this month and the previous period, for frozen judgements.
        if values.model is PublishedValue:
            self.published = self.values
        else:
            self.published = {
                (row.indicator_id, row.month): row
                for row in records(
                    PublishedValue.objects.filter(
                        is_current=True,
                        indicator__in=indicators,
                        month__range=(add_months(month, -history), month),
                    ).order_by(),
                    value_fields(PublishedValue),
                )
            }
        self.benchmarks = load_benchmarks(indicators, self.values, add_months(month, -history), month)

    @classmethod
    def loaded(
        cls, indicators: list[Indicator], values: dict, published: dict, benchmarks: Benchmarks, month: date
    ):
        """A month's data from rows already read for many months (publishing several at once)."""
        data = cls(indicators, None, month)
        data.values, data.published, data.benchmarks = values, published, benchmarks
        return data

    def value(self, indicator: Indicator, month: date) -> MonthlyValue | PublishedValue | None:
        return self.values.get((indicator.pk, month))

    def number(self, indicator: Indicator, month: date) -> Decimal | None:
        row = self.value(indicator, month)
        return row.value if row else None

    def snapshot(self, indicator: Indicator, month: date) -> PublishedValue | None:
        """The published figure, when what is shown is the published figure (not a draft correction)."""
        if not self.published:  # as publishing judges months afresh: no figure is looked up
            return None
        current = self.value(indicator, month)
        if current is None or current.status != ValueStatus.PUBLISHED:
            return None
        return self.published.get((indicator.pk, month))

    def live_status(self, indicator: Indicator, month: date) -> Status:
        if not indicator.reports_in(month):
            return Status(Rag.NONE, "reported quarterly")
        return self.benchmarks.status(indicator, month, self.number(indicator, month))

    def status(self, indicator: Indicator, month: date) -> Status:
        """The frozen judgement of a published figure, else today's."""
        snapshot = self.snapshot(indicator, month)
        if snapshot is not None:
            return Status(Rag(snapshot.rag), snapshot.basis)
        return self.live_status(indicator, month)

    def row(self, indicator: Indicator, month: date | None = None, with_trend: bool = True) -> ScorecardRow:
        """The row for ``month`` (the data's own month unless another in its window is given);
        ``with_trend=False`` leaves out the sparkline's months, which a publication does not keep."""
        month = month or self.month
        step = indicator.period_months
        pk, values = indicator.pk, self.values
        current = values.get((pk, month))
        number = current.value if current else None
        band = indicator.no_change_band
        reports = indicator.reports_in(month)
        snapshot = self.snapshot(indicator, month)
        live = self.live_status(indicator, month)
        status = Status(Rag(snapshot.rag), snapshot.basis) if snapshot is not None else live  # as status()
        benchmark = self.benchmarks.target(indicator, month)
        comparators = []
        for kind, name in COMPARATORS:
            row = self.benchmarks.comparator(indicator, kind, month)
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
        previous_three = [
            earlier_row.value if (earlier_row := values.get((pk, earlier))) else None
            for earlier in self.months_before(month, step)
        ]
        missing_word = "last quarter" if step == 3 else "last month"
        missing_reason = ""
        if current and number is None:
            missing_reason = current.get_missing_reason_display()
        elif not reports:
            missing_reason = REPORTED_QUARTERLY
        return ScorecardRow(
            indicator=indicator,
            value=number,
            value_text=format_value(number, indicator.unit, indicator.decimal_places),
            missing_reason=missing_reason,
            commentary=current.commentary if current else "",
            provisional=bool(current) and current.status != ValueStatus.PUBLISHED,
            target_text=(
                snapshot.target_text if snapshot else target_text(benchmark, indicator) if benchmark else ""
            ),
            status=status,
            last_status=self.status(indicator, self.months_before(month, step)[0]),
            on_last_month=change_between(
                number, previous_three[0], indicator.polarity, band, f"no value {missing_word}"
            ),
            on_three_months=change_on_three_month_average(number, previous_three, indicator.polarity, band),
            comparators=comparators,
            trend=self.trend(indicator, month) if with_trend else [],
            judgement_note=judgement_note(status, live) if snapshot else "",
            previous_value=previous_three[0],
            figure_revised=figure_revised(snapshot),
            revision_note=revision_note(snapshot, indicator) if snapshot else "",
            reports=reports,
        )

    def trend(self, indicator: Indicator, month: date) -> list[tuple[date, Decimal | None]]:
        """The sparkline's (month, figure) for the months to ``month`` the indicator reports in."""
        window = (
            self.window
            if month == self.month
            else [add_months(month, -k) for k in range(SPARKLINE_MONTHS - 1, -1, -1)]
        )
        pk, get = indicator.pk, self.values.get
        months = window if not indicator.is_quarterly else [m for m in window if indicator.reports_in(m)]
        return [(m, row.value if (row := get((pk, m))) else None) for m in months]

    def months_before(self, month: date, step: int) -> list[date]:
        """The three periods (months, or quarters for ``step`` 3) before ``month``, latest first;
        worked out once per month and step, not once per indicator."""
        key = (month, step)
        if key not in self.periods_before:
            self.periods_before[key] = [add_months(month, -k * step) for k in (1, 2, 3)]
        return self.periods_before[key]

    def rows(self) -> list[ScorecardRow]:
        return [self.row(indicator) for indicator in self.indicators]


@remembered_per_indicator
def scorecard_rows(
    indicator_ids: tuple[int, ...], month: date, kind: str, history: int
) -> dict[int, ScorecardRow]:
    """The scorecard row of each indicator for ``month``, as readers of ``kind`` of figures see it
    (``visibility.values_kind``). Each row reads its own indicator's rows only; shared: read the
    rows, do not change them."""
    indicators = list(Indicator.objects.filter(pk__in=indicator_ids).order_by())
    data = ScorecardData(indicators, values_of_kind(kind), month, history=history)
    return {row.indicator.pk: row for row in data.rows()}


def scorecard_rows_of(
    indicator_ids: Sequence[int], month: date, kind: str, history: int = 3
) -> list[ScorecardRow]:
    """The indicators' scorecard rows in the order of ``indicator_ids``: only the rows not
    remembered, or whose indicator has changed since, are worked out (together, in a fixed number
    of queries). Ids, not instances: the rows bring their own indicators."""
    return list(scorecard_rows(tuple(indicator_ids), month, kind, history).values())


def judgement_note(published: Status, today: Status) -> str:
    """What today's targets and comparators would say of a published figure, when it differs."""
    if (published.rag, published.basis) == (today.rag, today.basis):
        return ""
    return (
        f"Judged with today's targets and comparators it would be {today.label} ({today.basis}); "
        "the status shown is the one published."
    )


def status_counts(rows: list[ScorecardRow], previous: bool = False) -> dict[Rag, int]:
    """Statuses of the indicators with a figure that month (indicators without one are not counted)."""
    if previous:
        counts = Counter(row.last_status.rag for row in rows if row.previous_value is not None)
    else:
        counts = Counter(row.status.rag for row in rows if row.value is not None)
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


def month_coverage(kind: str) -> list[MonthCoverage]:
    """Every month with data among the figures of ``kind`` (``visibility.values_kind``), latest
    first, with how many active indicators it covers: one query for the active indicators, and
    the count only after the figures or the active set changed."""
    active = tuple(Indicator.objects.filter(active=True).order_by("pk").values_list("pk", flat=True))
    return covered_months(kind, active)


@remembered
def covered_months(kind: str, indicator_ids: tuple[int, ...]) -> list[MonthCoverage]:
    """Counted over the figures' own table (the indicators given, not joined): renaming an
    indicator leaves it remembered. Shared: read it, do not change it."""
    rows = (
        values_of_kind(kind)
        .filter(indicator_id__in=indicator_ids)
        .values("month")
        .annotate(indicators=Count("indicator_id", distinct=True))
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


def summary_rows(rows: list[ScorecardRow]) -> list[tuple[Rag, int, int, str]]:
    """(status, this month, last month, change in words) for every status, in RAG order.

    A change means something only when last month had figures for at least half of the
    indicators that have one now; otherwise it reads "not comparable", never "up 1".
    """
    now, before = status_counts(rows), status_counts(rows, previous=True)
    with_value = sum(1 for row in rows if row.value is not None)
    before_value = sum(1 for row in rows if row.value is not None and row.previous_value is not None)
    comparable = with_value > 0 and before_value * 2 >= with_value
    result = []
    for rag in RAG_ORDER:
        difference = now[rag] - before[rag]
        if not comparable:
            words = "not comparable"
        elif difference == 0:
            words = "no change"
        else:
            words = f"{'up' if difference > 0 else 'down'} {abs(difference)}"
        result.append((rag, now[rag], before[rag], words))
    return result
