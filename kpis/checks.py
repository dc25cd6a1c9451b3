"""Checks on the indicator figures: the papers' words against their tables and the DfE, gaps, revisions."""

from collections import defaultdict
from collections.abc import Collection
from datetime import date
from operator import attrgetter
from typing import NamedTuple

from django.db.models import Q, QuerySet

from kpis.formatting import format_value
from kpis.models import (
    ComparatorOrigin,
    ComparatorValue,
    Frequency,
    Indicator,
    PublishedValue,
    ReportedFigure,
)
from kpis.scorecard import REVISION_FIELDS, add_months, figure_revised, last_day, records, revision_note
from kpis.visibility import in_published_months
from sct_monitor.checks import CheckResult, Finding, Months, nothing_asked, per_indicator, with_rows_in
from sct_monitor.table_memo import remembered


class IndicatorFormat(NamedTuple):
    """What a revision note needs of its indicator: its code and how its figures are written."""

    code: str
    unit: str
    decimal_places: int


INDICATOR_FORMAT_FIELDS = ("indicator__code", "indicator__unit", "indicator__decimal_places")


def month_span(months: Months) -> tuple[date, date] | None:
    """The first day of the earliest and the last day of the latest of ``months``, to read only the
    rows that can concern them; None for every month."""
    if months is None:
        return None
    if not months:
        return (date.max, date.min)  # no month: a range nothing falls in
    return (min(months).replace(day=1), last_day(max(months)))


def concerns(day: date, months: Months) -> bool:
    """Whether a finding dated ``day`` is about one of ``months`` (always, for every month)."""
    return months is None or any(day.replace(day=1) == month.replace(day=1) for month in months)


def formatter(indicator: Indicator):
    def fmt(value) -> str:
        return format_value(value, indicator.unit, indicator.decimal_places)

    return fmt


# The indicators each check can find anything about, remembered while the table they come from is
# unchanged: after a write to an indicator without any, its check reads nothing for it.


def indicator_ids(rows: QuerySet) -> frozenset[int]:
    return frozenset(rows.order_by().values_list("indicator_id", flat=True).distinct())


@remembered
def indicators_with_commentary_figures() -> frozenset[int]:
    return indicator_ids(ReportedFigure.objects.filter(series="commentary", indicator__isnull=False))


@remembered
def indicators_with_papers_comparators() -> frozenset[int]:
    return indicator_ids(ComparatorValue.objects.filter(origin=ComparatorOrigin.PAPER))


@remembered
def indicators_with_revisions() -> frozenset[int]:
    return indicator_ids(PublishedValue.objects.filter(is_current=True, revised=True))


@per_indicator(only_with=with_rows_in(indicators_with_commentary_figures))
def commentary_against_the_table(
    today: date, months: Months = None, indicator_ids: Collection[int] | None = None
) -> CheckResult:
    result = CheckResult(
        "commentary-figures",
        "The papers' commentary agrees with their tables",
        "Figures a paper's commentary states for a month, against the same month in the paper's table.",
    )
    if nothing_asked(indicator_ids):
        return result
    stated = (
        ReportedFigure.objects.filter(series="commentary")
        .select_related("indicator")
        .order_by("as_at", "label", "pk")
    )
    if indicator_ids is not None:
        stated = stated.filter(indicator_id__in=indicator_ids)
    span = month_span(months)
    if span is not None:  # a report's months: its findings are each about the month stated for
        stated = [f for f in stated.filter(as_at__range=span) if concerns(f.as_at, months)]
    keys = {(f.indicator_id, f.as_at.replace(day=1)) for f in stated if f.indicator_id and f.as_at}
    if not keys:
        return result  # no figure stated in a commentary (for these indicators and months)
    table = {
        (v.indicator_id, v.month): v
        for v in in_published_months()
        .filter(indicator_id__in={k[0] for k in keys}, month__in={k[1] for k in keys})
        .order_by()  # kept by (indicator, month), one each
    }
    for figure in stated:
        indicator, month = figure.indicator, figure.as_at.replace(day=1)
        held = table.get((indicator.pk, month))
        fmt = formatter(indicator)
        whose = {"indicator_id": indicator.pk, "order": (figure.as_at, figure.label, figure.pk)}
        if held is None or held.value is None:
            result.findings.append(
                Finding(
                    f"PI {indicator.code}, {month:%B %Y}: the commentary says {fmt(figure.value)}; "
                    "the table has no figure",
                    "",
                    figure.source,
                    figure.quote,
                    period=month,
                    **whose,
                )
            )
            continue
        passed = (
            abs(held.value - figure.value) < 10 ** -(indicator.decimal_places + 1) * 5
            or held.value == figure.value
        )
        result.findings.append(
            Finding(
                f"PI {indicator.code}, {month:%B %Y}: the commentary says {fmt(figure.value)}, "
                f"the table {fmt(held.value)}",
                f"stated {fmt(figure.value)}; table {fmt(held.value)}",
                f"{figure.source}; {held.source}",
                figure.quote,
                passed=passed,
                period=month,
                **whose,
            )
        )
    return result


@per_indicator(only_with=with_rows_in(indicators_with_papers_comparators))
def papers_against_the_dfe(
    today: date, months: Months = None, indicator_ids: Collection[int] | None = None
) -> CheckResult:
    result = CheckResult(
        "comparators-dfe",
        "The papers' comparators agree with the DfE's",
        "Where a paper's comparator (statistical neighbours, England, region) and the DfE's published figure "
        "cover the same month, they should agree. Both are kept and shown; the paper's judges the months it "
        "covers, since it is what the board was told. A DfE SN average uses the neighbour model it names, "
        "which may not be the one the paper used.",
    )
    if nothing_asked(indicator_ids):
        return result
    papers = Q(origin=ComparatorOrigin.PAPER)
    dfe_rows = Q(origin=ComparatorOrigin.DFE)
    span = month_span(months)
    if span is not None:
        # A finding is about its paper's first month: a report reads the papers starting in its
        # months, and the DfE figures of the indicators they are for.
        papers &= Q(period_start__range=span)
        in_span = ComparatorValue.objects.filter(papers)
        if indicator_ids is not None:
            in_span = in_span.filter(indicator_id__in=indicator_ids)
        dfe_rows &= Q(indicator__in=in_span.values("indicator_id"))
    # Papers and DfE figures in one statement, put in order here: the papers by month, indicator,
    # comparator and row; the DfE figures within each indicator and comparator by period and row.
    rows = ComparatorValue.objects.filter(papers | dfe_rows).select_related("indicator").order_by()
    if indicator_ids is not None:
        rows = rows.filter(indicator_id__in=indicator_ids)
    dfe, paper_rows = defaultdict(list), []
    for row in rows:
        if row.origin == ComparatorOrigin.PAPER:
            paper_rows.append(row)
        else:
            dfe[(row.indicator_id, row.comparator)].append(row)
    for own in dfe.values():
        own.sort(key=attrgetter("period_start", "pk"))
    paper_rows.sort(key=lambda row: (row.period_start, row.indicator.display_order, row.comparator, row.pk))
    for paper in paper_rows:
        if not concerns(paper.period_start, months):
            continue
        overlapping = [
            row
            for row in dfe.get((paper.indicator_id, paper.comparator), [])
            if row.period_start <= paper.period_end and row.period_end >= paper.period_start
        ]
        indicator = paper.indicator
        fmt = formatter(indicator)
        for row in overlapping:
            passed = abs(row.value - paper.value) <= indicator.no_change_band
            result.findings.append(
                Finding(
                    f"{indicator.code} {paper.display_name} average, {paper.period_start:%B %Y}: "
                    f"the paper has {fmt(paper.value)}, the DfE {fmt(row.value)}",
                    f"paper {fmt(paper.value)}; DfE {fmt(row.value)} "
                    f"({row.period_start:%B %Y} to {row.period_end:%B %Y}"
                    + (f"; {row.notes}" if row.notes else "")
                    + ")",
                    f"{paper.source}; {row.source}",
                    passed=passed,
                    period=paper.period_start,
                    indicator_id=indicator.pk,
                    order=(
                        paper.period_start,
                        indicator.display_order,
                        paper.comparator,
                        paper.pk,
                        row.period_start,
                        row.pk,
                    ),
                )
            )
    return result


def months_missing(today: date, months: Months = None) -> CheckResult:
    result = CheckResult(
        "missing-months",
        "No month is missing from a series",
        "Between an indicator's first and last figure, each month it reports in should have a figure or the "
        "reason there is none.",
    )
    if months is not None:
        return (
            result  # its findings are each about a whole series, never one month's, so no report shows them
        )
    held = defaultdict(set)
    for indicator_id, month in in_published_months().values_list("indicator_id", "month"):
        held[indicator_id].add(month)
    for indicator in Indicator.objects.filter(active=True).exclude(frequency=Frequency.QUARTERLY):
        months = sorted(held.get(indicator.pk, ()))
        if len(months) < 2:
            continue
        gaps, month = [], months[0]
        while month <= months[-1]:
            if month not in held[indicator.pk]:
                gaps.append(month)
            month = add_months(month, 1)
        if not gaps:
            result.findings.append(
                Finding(
                    f"{indicator.code}: no gaps from {months[0]:%B %Y} to {months[-1]:%B %Y}", passed=True
                )
            )
            continue
        runs, start, previous = [], gaps[0], gaps[0]
        for gap in [*gaps[1:], None]:
            if gap is None or gap != add_months(previous, 1):
                runs.append(f"{start:%b %Y}" + (f" to {previous:%b %Y}" if previous != start else ""))
                start = gap
            previous = gap
        result.findings.append(
            Finding(
                f"{indicator.code}: {len(gaps)} month{'s' if len(gaps) != 1 else ''} missing "
                f"between {months[0]:%B %Y} "
                f"and {months[-1]:%B %Y}",
                "; ".join(runs),
            )
        )
    return result


@per_indicator(only_with=with_rows_in(indicators_with_revisions))
def revised_after_publication(
    today: date, months: Months = None, indicator_ids: Collection[int] | None = None
) -> CheckResult:
    result = CheckResult(
        "revisions",
        "Figures revised after publication",
        "Every published figure later corrected, with what it was, when and why. A revision is not an error, "
        "but the board should know of it.",
    )
    if nothing_asked(indicator_ids):
        return result
    revised = PublishedValue.objects.filter(is_current=True, revised=True)
    if months is not None:
        revised = revised.filter(month__in=list(months))
    if indicator_ids is not None:
        revised = revised.filter(indicator_id__in=indicator_ids)
    # The indicator's code and format are read with each row: no indicator instances are built.
    fields = ["pk", "indicator_id", "month", "value", "missing_reason", *REVISION_FIELDS,
              *INDICATOR_FORMAT_FIELDS, "indicator__display_order"]  # fmt: skip
    for row in records(revised.order_by("month", "indicator__display_order", "pk"), fields):
        if not figure_revised(row):
            continue  # commentary only
        indicator = IndicatorFormat(row.indicator__code, row.indicator__unit, row.indicator__decimal_places)
        result.findings.append(
            Finding(
                f"{indicator.code}, {row.month:%B %Y}: {revision_note(row, indicator)}",
                period=row.month,
                indicator_id=row.indicator_id,
                order=(row.month, row.indicator__display_order, row.pk),
            )
        )
    return result


CHECKS = [commentary_against_the_table, papers_against_the_dfe, months_missing, revised_after_publication]
