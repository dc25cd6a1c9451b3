"""Checks asked for a report's months read only the rows that can concern them, and find the same."""

from datetime import date, timedelta

import pytest

from kpis.checks import commentary_against_the_table, concerns, month_span, papers_against_the_dfe
from kpis.models import ComparatorValue, ReportedFigure
from sct_monitor.checks import findings_for_months

TODAY = date(2026, 11, 22)


def test_the_span_of_a_quarters_months_runs_from_its_first_day_to_its_last():
    months = [date(2022, 5, 1), date(2022, 4, 1), date(2022, 6, 1)]
    assert month_span(months) == (date(2022, 4, 1), date(2022, 6, 30))


def test_the_span_of_february_in_a_leap_year_ends_on_the_29th():
    assert month_span([date(2024, 2, 1)]) == (date(2024, 2, 1), date(2024, 2, 29))


def test_every_month_has_no_span_and_no_month_a_span_nothing_falls_in():
    assert month_span(None) is None
    first, last = month_span([])
    assert first > last


def test_a_day_concerns_its_own_month_only():
    june = [date(2022, 6, 1)]
    assert concerns(date(2022, 6, 1), june) and concerns(date(2022, 6, 30), june)
    assert not concerns(date(2022, 5, 31), june) and not concerns(date(2022, 7, 1), june)


def test_any_day_concerns_every_month():
    assert concerns(date(1999, 1, 15), None)


def failed_texts(result, months) -> list[str]:
    return sorted(finding.text for _, finding in findings_for_months([result], months))


@pytest.mark.django_db
@pytest.mark.parametrize("check", [commentary_against_the_table, papers_against_the_dfe])
def test_a_check_asked_for_some_months_fails_what_the_whole_check_fails_in_them(check):
    paper = ComparatorValue.objects.filter(origin="paper").order_by("period_start").first()
    ComparatorValue.objects.create(
        indicator=paper.indicator, comparator=paper.comparator, period_start=paper.period_start,
        period_end=paper.period_end + timedelta(days=1), value=paper.value + 5, source="DfE", origin="dfe",
    )  # fmt: skip
    stated = ReportedFigure.objects.filter(series="commentary").exclude(as_at=None).order_by("as_at")
    for month in {paper.period_start.replace(day=1), *(f.as_at.replace(day=1) for f in stated)}:
        months = [month]
        assert failed_texts(check(TODAY, months), months) == failed_texts(check(TODAY), months)
    assert failed_texts(
        papers_against_the_dfe(TODAY, [paper.period_start.replace(day=1)]), [paper.period_start]
    )


@pytest.mark.parametrize(
    "period, until",
    [
        (date(2022, 6, 15), None),
        (date(2022, 4, 30), date(2023, 3, 31)),
        (date(2021, 12, 1), date(2022, 1, 1)),
    ],
)
def test_a_finding_concerns_a_month_exactly_when_its_months_include_it(period, until):
    from sct_monitor.checks import Finding, concerns_any, months_of

    finding = Finding("text", period=period, until=until)
    listed = set(months_of(finding))
    for offset in range(-3, 20):
        month = date(period.year + (period.month - 1 + offset) // 12, (period.month - 1 + offset) % 12 + 1, 1)
        assert concerns_any(finding, {month}) == (month in listed), month
    assert not concerns_any(finding, set())
