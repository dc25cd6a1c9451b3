"""The indicators' sections of a period's report: 4.2.1 summary, 4.2.2 indicators, 4.2.3 failures, workforce.

A published month's figures are read as frozen at publication (value, status and basis, target,
comparators and movements, commentary); a month not yet published is read live and marked
Provisional for the officers and administrators who may see it.
"""

from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import Count
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe

from kpis.formatting import format_value
from kpis.models import Category, Indicator, PublishedValue, ReportedFigure, Unit
from kpis.months import month_label
from kpis.scorecard import RAG_ORDER, ScorecardData, add_months, describe_change
from kpis.status import (
    Rag,
    Status,
    change_between,
    change_on_three_month_average,
    status_run,
    worsening_run,
)
from kpis.svg_charts import ChartPoint, line_chart
from kpis.templatetags.kpi_status import rag_tag
from kpis.visibility import values_kind, values_of_kind
from sct_monitor.periods import Period
from sct_monitor.reporting import ExportTable, Report, Section, TableOnDemand
from sct_monitor.table_memo import remembered, remembered_per_indicator

UNIT_WORDS = {
    Unit.PERCENTAGE: "%",
    Unit.RATE_PER_10000: "per 10,000",
    Unit.COUNT: "count",
    Unit.NUMBER: "number",
}
WORKFORCE_CODES = ("13", "14", "AGENCY", "TURNOVER")
HISTORY = 12  # periods looked back over for runs of Red and of worsening


@dataclass(frozen=True)
class ComparatorShown:
    name: str
    value: Decimal | None
    text: str
    judgement: str


@dataclass
class IndicatorRow:
    indicator: Indicator
    month: date  # the month whose figure is shown (a quarter shows its latest)
    value: Decimal | None
    missing_reason: str
    provisional: bool
    target_text: str
    status: Status
    last_status: Status
    on_last: str
    on_three: str
    comparators: list[ComparatorShown]
    commentary: str
    revision_note: str
    judgement_note: str
    figure_revised: bool
    red_run: int
    worsening_run: int
    change_word: str = "month"  # what "change on last ..." is measured over
    trend_text: str = ""
    points: list[ChartPoint] = field(default_factory=list)
    target_points: list[tuple[date, Decimal]] = field(default_factory=list)
    had_figure_before: bool = False  # a figure for the period it is compared with
    # The row's markup once built (its article for the page and for print, its pieces of the
    # report's tables and lists: ``report_articles.row_piece``), kept with the remembered row.
    rendered: dict = field(default_factory=dict, compare=False, repr=False)

    @property
    def value_text(self) -> str:
        return format_value(self.value, self.indicator.unit, self.indicator.decimal_places)

    @property
    def has_comparators(self) -> bool:
        return any(comparator.value is not None for comparator in self.comparators)

    @property
    def chart_table_rows(self) -> str:
        """The chart's figures as table rows (month, value, status), built in one pass: a large
        report has thousands of these cells, each a filter or tag call in a template."""
        unit, places = self.indicator.unit, self.indicator.decimal_places
        # A month's name and year and a formatted number hold nothing to escape; the value is
        # escaped all the same, as format_html would.
        return mark_safe(
            "".join(
                f'<tr class="govuk-table__row"><th scope="row" class="govuk-table__header">'
                f"{point.month:%b} {point.month.year}</th>"
                f'<td class="govuk-table__cell govuk-table__cell--numeric">'
                f"{conditional_escape(format_value(point.value, unit, places))}</td>"
                f'<td class="govuk-table__cell">{rag_tag(point.rag)}</td></tr>'
                for point in self.points
                if point.value is not None
            )
        )

    @property
    def red_run_length(self) -> str:
        """``3 months running``; at the look-back's limit, ``12 months running or more``."""
        word = self.indicator.period_word + ("s" if self.red_run != 1 else "")
        more = " or more" if self.red_run >= HISTORY else ""
        return f"{self.red_run} {word} running{more}"

    @property
    def red_run_text(self) -> str:
        return f"Red for {self.red_run_length}"

    @property
    def worsening_text(self) -> str:
        word = self.indicator.period_word + ("s" if self.worsening_run != 1 else "")
        more = " or more" if self.worsening_run >= HISTORY - 1 else ""
        return f"worsening for {self.worsening_run} {word} running{more}"

    @property
    def unit_word(self) -> str:
        return UNIT_WORDS.get(self.indicator.unit, "")

    def chart(self, prefix: str = "chart") -> str:
        shown = [p for p in self.points if p.value is not None]
        if not shown:
            return ""
        first, last = shown[0], shown[-1]
        unit, places = self.indicator.unit, self.indicator.decimal_places
        description = (
            f"{len(shown)} values from {month_label(first.month)} "
            f"({format_value(first.value, unit, places)}) "
            f"to {month_label(last.month)} ({format_value(last.value, unit, places)}). "
            "Markers: cross Red, diamond Amber, circle Green, square no status; "
            "the dashed line is the target."
        )
        return line_chart(
            self.points,
            self.indicator,
            f"{prefix}-{self.indicator.code}",
            f"{self.indicator.title}, 12 months to {month_label(self.month)}",
            description,
            self.target_points,
        )


@dataclass
class IndicatorGroup:
    service_area: str
    rows: list[IndicatorRow]


@dataclass
class Headlines:
    counts: list[tuple[Rag, int, int, str]]  # status, this period, last period, change in words
    red: list[IndicatorRow]
    worsening: list[IndicatorRow]
    comparisons: list[tuple[str, int, int, int]]  # comparator, better, similar, worse
    contract_total: int
    contract_red: int
    contract_unrated: int = 0  # with a figure but no target or comparator to judge it against

    @property
    def other_red(self) -> list[IndicatorRow]:
        """Red measures that are not contract KPIs (headline measures), named beside the KPI count."""
        return [row for row in self.red if row.indicator.category != Category.CONTRACT_KPI]

    @property
    def compared(self) -> bool:
        return any(better or similar or worse for _, better, similar, worse in self.comparisons)

    @property
    def sn(self) -> tuple[int, int, int]:
        """(better, similar, worse) against the statistical-neighbour average."""
        _, better, similar, worse = self.comparisons[0]
        return better, similar, worse


def comparable(now: int, before: int) -> bool:
    """A change in counts means something only if the last period had figures for most of them."""
    return now > 0 and before * 2 >= now


def count_change(now: int, before: int, ok: bool) -> str:
    if not ok:
        return "not comparable"
    if now == before:
        return "no change"
    return f"{'up' if now > before else 'down'} {abs(now - before)}"


class PeriodIndicators:
    """Every indicator with a figure in the period, as ``report``'s reader may see it.

    Each indicator's row is remembered while its own rows and the other tables it read are
    unchanged (``period_rows``), so after a write to one indicator only its row is made again.
    """

    def __init__(self, report: Report):
        self.report = report
        period = report.period
        listed = report.indicators_listed  # the order, and the indicators without a figure
        found = period_rows(tuple(pk for pk, *_ in listed), period.key, values_kind(report.user))
        self.rows = [row for row in found.values() if row is not None]
        without = [
            Indicator(pk=pk, code=code, active=active, frequency=frequency)
            for pk, code, active, frequency, *_ in listed
            if found[pk] is None and active
        ]
        self.no_figure = [i for i in without if any(i.reports_in(m) for m in period.months)]

    def groups(self) -> list[IndicatorGroup]:
        groups: dict[str, IndicatorGroup] = {}
        for row in self.rows:
            area = row.indicator.service_area or "Other"
            groups.setdefault(area, IndicatorGroup(area, [])).rows.append(row)
        return list(groups.values())

    def headlines(self) -> Headlines:
        # Only indicators with a figure are counted, as on the scorecard and the overview.
        now = Counter(row.status.rag for row in self.rows if row.value is not None)
        before = Counter(row.last_status.rag for row in self.rows if row.had_figure_before)
        with_both = sum(1 for row in self.rows if row.value is not None and row.had_figure_before)
        ok = comparable(sum(1 for row in self.rows if row.value is not None), with_both)
        counts = []
        for rag in RAG_ORDER:
            this, last = now.get(rag, 0), before.get(rag, 0)
            counts.append((rag, this, last, count_change(this, last, ok)))
        comparisons = []
        for index, name in enumerate(("SN", "England", "West Midlands")):
            judged = Counter(
                row.comparators[index].judgement for row in self.rows if len(row.comparators) > index
            )
            comparisons.append(
                (name, judged.get("better", 0), judged.get("similar", 0), judged.get("worse", 0))
            )
        contract = [
            row
            for row in self.rows
            if row.indicator.category == Category.CONTRACT_KPI
            and row.indicator.active
            and row.value is not None
        ]
        return Headlines(
            counts=counts,
            red=[row for row in self.rows if row.status.rag is Rag.RED],
            worsening=[row for row in self.rows if row.worsening_run >= 3],
            comparisons=comparisons,
            contract_total=len(contract),
            contract_red=sum(1 for row in contract if row.status.rag is Rag.RED),
            contract_unrated=sum(1 for row in contract if row.status.rag is Rag.NONE),
        )


@remembered_per_indicator
def period_rows(indicator_ids: tuple[int, ...], period_key: str, kind: str) -> dict[int, IndicatorRow]:
    """The report row of each of the indicators with a figure in the period, as readers of
    ``kind`` of figures see it. Each row reads its own indicator's rows only; shared: read the
    rows, do not change them."""
    indicators = list(Indicator.objects.filter(pk__in=indicator_ids).order_by())
    rows = PeriodRows(Period.from_key(period_key), indicators, kind)
    return {row.indicator.pk: row for row in rows.rows}


class PeriodRows:
    """The rows of some indicators with a figure in a period, read in a fixed number of queries."""

    def __init__(self, period: Period, indicators: list[Indicator], kind: str):
        self.period = period
        self.data = ScorecardData(indicators, values_of_kind(kind), period.end, history=HISTORY + 3)
        # What was published with each of the period's figures, read for its months only.
        self.published_details = {
            (indicator_id, month): details
            for indicator_id, month, details in PublishedValue.objects.filter(
                is_current=True, indicator__in=indicators, month__in=period.months
            )
            .order_by()
            .values_list("indicator_id", "month", "details")
        }
        held = {indicator_id for (indicator_id, month) in self.data.values if period.contains(month)}
        self.rows = [self.row(i) for i in indicators if i.pk in held]

    def shown_month(self, indicator: Indicator) -> date:
        """The period's latest month with a figure for the indicator."""
        for month in reversed(self.period.months):
            if self.data.value(indicator, month) is not None:
                return month
        return self.period.end

    def previous(self, indicator: Indicator, month: date) -> date:
        """The month a row is compared with: a quarter before in a quarter's report, else the last period."""
        if self.period.kind == "quarter":
            return add_months(month, -3)
        return add_months(month, -indicator.period_months)

    def row(self, indicator: Indicator) -> IndicatorRow:
        data, month = self.data, self.shown_month(indicator)
        step = indicator.period_months
        live = data.row(indicator, month, with_trend=False)  # a report draws its own chart's months
        snapshot = data.snapshot(indicator, month)
        quarter = self.period.kind == "quarter" and not indicator.is_quarterly
        if quarter:
            # A quarter's change is on the quarter before: its last month against three months earlier.
            before = [data.number(indicator, add_months(month, -3 * k)) for k in (1, 2, 3)]
            band, polarity = indicator.no_change_band, indicator.polarity
            live_last = change_between(
                live.value, before[0], polarity, band, "no value for the quarter before"
            )
            live_three = change_on_three_month_average(live.value, before, polarity, band)
        if snapshot is not None:
            details = self.published_details.get((indicator.pk, month)) or {}
            comparators = [
                ComparatorShown(
                    c["name"],
                    Decimal(c["value"]) if c["value"] is not None else None,
                    c["text"],
                    c["judgement"],
                )
                for c in details.get("comparators", [])
            ]
            on_last, on_three = details.get("on_last_month", ""), details.get("on_three_months", "")
            if quarter:
                on_last = describe_change(live_last, indicator)
                on_three = describe_change(live_three, indicator).replace("months", "quarters")
        else:
            comparators = [
                ComparatorShown(c.short_name, c.value, c.text, c.judgement) for c in live.comparators
            ]
            on_last = describe_change(live_last if quarter else live.on_last_month, indicator)
            on_three = describe_change(live_three if quarter else live.on_three_months, indicator)
            if quarter:
                on_three = on_three.replace("months", "quarters")
        back = [add_months(month, -k * step) for k in range(HISTORY - 1, -1, -1)]
        chart_months = [
            m for m in (add_months(self.period.end, -k) for k in range(11, -1, -1)) if indicator.reports_in(m)
        ]
        # The runs look back over the months the chart shows, mostly: each month is judged once.
        rag_of = {m: data.status(indicator, m).rag for m in dict.fromkeys([*back, *chart_months])}
        statuses = [rag_of[m] for m in back]
        target_points = []
        for m in chart_months:
            basis = data.benchmarks.target_basis(indicator, m)
            if basis is not None and basis.value is not None:
                target_points.append((m, basis.value))
        return IndicatorRow(
            indicator=indicator,
            month=month,
            value=live.value,
            missing_reason=live.missing_reason,
            provisional=live.provisional,
            target_text=live.target_text,
            status=live.status,
            last_status=data.status(indicator, self.previous(indicator, month)),
            on_last=on_last,
            on_three=on_three,
            comparators=comparators,
            commentary=live.commentary,
            revision_note=live.revision_note,
            judgement_note=live.judgement_note,
            figure_revised=live.figure_revised,
            red_run=status_run(statuses),
            worsening_run=worsening_run(
                [data.number(indicator, m) for m in back], indicator.polarity, indicator.no_change_band
            ),
            trend_text=self.trend_text(indicator),
            change_word="quarter" if quarter or indicator.is_quarterly else "month",
            points=[ChartPoint(m, data.number(indicator, m), rag_of[m]) for m in chart_months],
            target_points=target_points,
            had_figure_before=data.number(indicator, self.previous(indicator, month)) is not None,
        )

    def trend_text(self, indicator: Indicator) -> str:
        """For a quarter: ``from 35.9% in April to 45.1% in June``."""
        if self.period.kind != "quarter" or indicator.is_quarterly:
            return ""
        figures = [(m, self.data.number(indicator, m)) for m in self.period.months]
        figures = [(m, v) for m, v in figures if v is not None]
        if len(figures) < 2:
            return ""
        (first, low), (last, high) = figures[0], figures[-1]
        fmt = lambda v: format_value(v, indicator.unit, indicator.decimal_places)  # noqa: E731
        return f"from {fmt(low)} in {first:%B} to {fmt(high)} in {last:%B}"


def indicator_table(rows: list[IndicatorRow], slug: str, caption: str) -> ExportTable:
    columns = [
        "Code", "Indicator", "Service area", "Month", "Unit", "Value", "Provisional", "Missing reason",
        "Target", "Status", "Judged against", "Change on last period", "Change on 3-period average",
        "SN average", "Compared with SN", "England average", "Compared with England",
        "West Midlands average", "Compared with West Midlands", "Commentary", "Revision",
    ]  # fmt: skip
    return TableOnDemand(slug, caption, columns, lambda: [indicator_cells(row) for row in rows])


def indicator_cells(row: IndicatorRow) -> list:
    """``row`` as the cells of ``indicator_table``'s columns."""
    cells = [row.indicator.code, row.indicator.title, row.indicator.service_area, f"{row.month:%Y-%m}",
             row.unit_word, row.value, "yes" if row.provisional else "no", row.missing_reason,
             row.target_text, row.status.label, row.status.basis, row.on_last, row.on_three]  # fmt: skip
    for index in range(3):
        shown = row.comparators[index] if len(row.comparators) > index else None
        cells += [shown.value if shown else None, shown.judgement if shown else ""]
    return [*cells, row.commentary, row.revision_note]


def sections(report: Report) -> list[Section]:
    indicators = PeriodIndicators(report)
    headlines = indicators.headlines()
    period = report.period
    word = "quarter" if period.kind == "quarter" else "month"
    red = headlines.red
    failures = ExportTable(
        "failures", f"Indicators Red in {period.label}",
        ["Code", "Indicator", "Unit", "Value", "Judged against", "Periods running Red"],
        [[r.indicator.code, r.indicator.title, r.unit_word, r.value, r.status.basis, r.red_run] for r in red],
    )  # fmt: skip
    summary = ExportTable(
        "statuses", f"Statuses in {period.label} and the {word} before",
        ["Status", f"This {word}", f"Last {word}", "Change"],
        [[rag.label, now, before, change] for rag, now, before, change in headlines.counts],
    )  # fmt: skip
    workforce_rows = [r for r in indicators.rows if r.indicator.code in WORKFORCE_CODES]
    figures = workforce_figures(period.key)
    figures_table = ExportTable(
        "workforce-figures",
        f"Other workforce figures reported, {period.label}",
        ["Figure", "Value", "Unit", "Period", "Source"],
        [[f.label, f.value, f.get_unit_display(), f.period, f.source] for f in figures],
    )
    return [
        Section("4.2.1", "summary", "Summary analysis", "reports/section_summary.html",
                {"headlines": headlines, "word": word}, [summary]),
        Section("4.2.2", "indicators", "Performance indicators", "reports/section_indicators.html",
                {"groups": indicators.groups(), "no_figure": indicators.no_figure, "word": word},
                [indicator_table(indicators.rows, "indicators", f"Performance indicators, {period.label}")]),
        Section("4.2.3", "failures", "Performance failures", "reports/section_failures.html",
                {"red": red, "word": word}, [failures]),
        Section("", "workforce", "Workforce", "reports/section_workforce.html",
                {"rows": workforce_rows, "figures": figures},
                [indicator_table(workforce_rows, "workforce", f"Workforce indicators, {period.label}"),
                 figures_table]),
    ]  # fmt: skip


@remembered
def workforce_figures(period_key: str) -> list[ReportedFigure]:
    """The other workforce figures reported in the period (remembered while no reported figure
    changes). Shared: read them, do not change them."""
    period = Period.from_key(period_key)
    return list(
        ReportedFigure.objects.filter(
            topic="Workforce", as_at__range=(period.start, period.last_day)
        ).order_by("as_at")
    )


def overview_month(user) -> tuple[Period | None, list]:
    """The latest published month with figures for most contract indicators (for the overview)."""
    contract = tuple(
        Indicator.objects.filter(category=Category.CONTRACT_KPI, active=True)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    total = len(contract)
    counts = published_figures_by_month(contract)
    months = sorted(counts, reverse=True)
    chosen = next((m for m in months if counts[m] * 2 >= total), months[0] if months else None)
    return (Period.month(chosen) if chosen else None), [(m, counts[m]) for m in months]


@remembered
def published_figures_by_month(indicator_ids: tuple[int, ...]) -> dict[date, int]:
    """How many of the indicators have a published figure each month, counted by the database (a
    row a month, not a row a figure) over the published figures alone: renaming an indicator
    leaves it remembered. Shared: read it, do not change it."""
    return dict(
        PublishedValue.objects.filter(is_current=True, indicator_id__in=indicator_ids, value__isnull=False)
        .order_by()
        .values("month")
        .annotate(figures=Count("pk"))
        .values_list("month", "figures")
    )
