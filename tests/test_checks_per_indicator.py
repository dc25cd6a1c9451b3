"""A report's checks kept per indicator: after a write to one indicator's rows only its findings are
looked for again, and the findings are those a whole run finds, in the same order."""

from datetime import date, timedelta

import pytest

from kpis.checks import formatter
from kpis.models import ComparatorValue, Indicator, MonthlyReturn, MonthlyValue, PublishedValue, ValueStatus
from sct_monitor import table_memo
from sct_monitor.checks import all_checks, findings_for_months, run_checks
from sct_monitor.periods import Period

TODAY = date(2026, 12, 7)
PER_INDICATOR = [check for check in all_checks() if getattr(check, "per_indicator", False)]


def every_code() -> dict[int, str]:
    return dict(Indicator.objects.values_list("pk", "code"))


def shown(results) -> list[tuple[str, list]]:
    return [
        (r.slug, [(f.text, f.figures, f.sources, f.passed, f.period) for f in r.findings]) for r in results
    ]


@pytest.fixture
def checks_asked(monkeypatch):
    """Runs a report's checks for ``months`` once, then notes, as (check, indicator ids), each
    check asked about indicators from then on."""

    def start(months: tuple[date, ...]) -> list[tuple[str, tuple[int, ...]]]:
        run_checks(TODAY, months, every_code())
        asked: list[tuple[str, tuple[int, ...]]] = []
        check = table_memo.traced

        def noting(name, function, *args, **kwargs):
            if name.endswith("indicator_findings"):
                asked.append((args[1].__name__, args[0]))
            return check(name, function, *args, **kwargs)

        monkeypatch.setattr(table_memo, "traced", noting)
        return asked

    return start


def report_periods() -> list[Period]:
    months = MonthlyReturn.objects.filter(status=ValueStatus.PUBLISHED).values_list("month", flat=True)
    periods = {Period.month(month) for month in months} | {Period.quarter_of(month) for month in months}
    return sorted(periods, key=lambda period: (period.start, period.kind))


def test_the_checks_that_run_per_indicator_are_those_that_read_indicator_rows():
    assert {check.__name__ for check in PER_INDICATOR} == {
        "commentary_against_the_table",
        "papers_against_the_dfe",
        "revised_after_publication",
        "pi_15_matches_the_ratings",
    }


@pytest.mark.django_db
def test_for_every_reports_months_the_findings_kept_per_indicator_are_a_whole_runs_in_its_order():
    codes = every_code()
    periods = report_periods()
    assert len(periods) > 20
    found_any = False
    for period in periods:
        whole = run_checks(TODAY, period.months)
        per_indicator = run_checks(TODAY, period.months, codes)
        assert shown(per_indicator) == shown(whole), period.key
        found_any = found_any or bool(findings_for_months(whole, period.months))
    assert found_any  # the seed's papers disagree with themselves somewhere, so this compares something


@pytest.mark.django_db
@pytest.mark.parametrize("check", PER_INDICATOR, ids=lambda check: check.__name__)
def test_a_check_asked_for_no_indicator_gives_its_title_and_reads_nothing(check, django_assert_num_queries):
    with django_assert_num_queries(0):
        result = check(TODAY, (date(2022, 6, 1),), indicator_ids=())
    assert result.title and result.findings == []


@pytest.mark.django_db
def test_after_a_write_to_one_indicator_only_its_findings_are_looked_for_and_the_new_one_is_found(
    monkeypatch,
):
    paper = ComparatorValue.objects.filter(origin="paper").order_by("period_start").first()
    months = (paper.period_start.replace(day=1),)
    codes = every_code()
    table_memo.clear()
    before = run_checks(TODAY, months, codes)
    asked: list[tuple[int, ...]] = []
    check = table_memo.traced

    def noting(name, function, *args, **kwargs):
        if name.endswith("indicator_findings"):
            asked.append(args[0])
        return check(name, function, *args, **kwargs)

    monkeypatch.setattr(table_memo, "traced", noting)
    ComparatorValue.objects.create(
        indicator=paper.indicator, comparator=paper.comparator, period_start=paper.period_start,
        period_end=paper.period_end + timedelta(days=1), value=paper.value + 5, source="DfE", origin="dfe",
    )  # fmt: skip
    after = run_checks(TODAY, months, codes)
    assert asked and all(indicator_ids == (paper.indicator_id,) for indicator_ids in asked)
    assert shown(after) == shown(run_checks(TODAY, months))
    assert shown(after) != shown(before)
    disagreeing = next(r for r in after if r.slug == "comparators-dfe").failures
    written = formatter(paper.indicator)(paper.value + 5)
    assert any(f"the DfE {written}" in finding.text for finding in disagreeing)


@pytest.mark.django_db
def test_a_revision_published_for_one_indicator_reaches_the_reports_checks():
    current = PublishedValue.objects.filter(is_current=True, value__isnull=False).order_by("-month").first()
    months = (current.month,)
    codes = every_code()
    run_checks(TODAY, months, codes)
    PublishedValue.objects.filter(pk=current.pk).update(
        revised=True, was_value=current.value + 1, revised_at=current.publication.published_at
    )
    revisions = next(r for r in run_checks(TODAY, months, codes) if r.slug == "revisions")
    assert [f.indicator_id for f in revisions.findings] == [current.indicator_id]
    assert MonthlyValue.objects.filter(indicator_id=current.indicator_id).exists()


@pytest.mark.django_db
def test_a_check_about_pi_15_alone_is_not_asked_about_an_indicator_written_that_is_not_pi_15(checks_asked):
    months, codes = (date(2022, 6, 1),), every_code()
    asked = checks_asked(months)
    other = Indicator.objects.exclude(code="15").order_by("pk").first()
    Indicator.objects.filter(pk=other.pk).update(title="Renamed")
    run_checks(TODAY, months, codes)
    assert asked and "pi_15_matches_the_ratings" not in {name for name, _ in asked}
    pi_15 = Indicator.objects.get(code="15")
    Indicator.objects.filter(pk=pi_15.pk).update(title="PI 15 renamed")
    asked.clear()
    run_checks(TODAY, months, codes)
    assert ("pi_15_matches_the_ratings", (pi_15.pk,)) in asked


@pytest.mark.django_db
def test_a_check_is_not_asked_about_a_written_indicator_it_can_find_nothing_about(checks_asked):
    months, codes = (date(2022, 6, 1),), every_code()
    asked = checks_asked(months)
    bare = Indicator.objects.exclude(comparators__origin="paper").exclude(code="15").order_by("pk").first()
    assert not ComparatorValue.objects.filter(indicator=bare, origin="paper").exists()
    Indicator.objects.filter(pk=bare.pk).update(title="Renamed")
    run_checks(TODAY, months, codes)
    assert ("papers_against_the_dfe", (bare.pk,)) not in asked
    ComparatorValue.objects.create(
        indicator=bare, comparator="england", period_start=months[0], period_end=date(2022, 6, 30),
        value=10, source="A paper", origin="paper",
    )  # fmt: skip
    asked.clear()
    after = run_checks(TODAY, months, codes)
    assert ("papers_against_the_dfe", (bare.pk,)) in asked
    assert shown(after) == shown(run_checks(TODAY, months))
