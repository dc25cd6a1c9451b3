"""What pages remember on the tables they read (the checks, the audit and finance sections of a
report, the DfE comparisons) is shown afresh after any write to those tables, and is what a fresh
computation gives."""

import re
from datetime import date
from decimal import Decimal

import pytest

from audits.models import AuditReturn, Survey
from audits.report import sections as audit_sections
from kpis.dfe_comparators import comparisons
from kpis.models import AreaValue, GeographicLevel, Indicator
from sct_monitor import table_memo
from sct_monitor.checks import all_checks, run_checks
from sct_monitor.periods import Period
from sct_monitor.reporting import build_report, built_sections, sections_of_period

pytestmark = pytest.mark.django_db

JUNE = date(2022, 6, 1)
Q3 = "/reports/2018-19-q3/"  # the quarter with the seed's audit returns
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"')


def report_page(client, path: str = "/reports/2022-06/") -> str:
    response = client.get(path)
    assert response.status_code == 200
    return TOKEN.sub("", response.content.decode())


@pytest.fixture
def uncached_pages(settings):
    settings.PAGE_CACHE_ENABLED = False  # every view renders, so only the remembered parts repeat


@pytest.mark.parametrize("path", ["/reports/2022-06/", Q3])
def test_a_report_from_remembered_sections_is_the_report_computed_afresh(board_client, uncached_pages, path):
    table_memo.clear()
    fresh = report_page(board_client, path)
    assert report_page(board_client, path) == fresh


def test_an_audit_figure_changed_after_the_report_was_shown_is_shown(board_client, uncached_pages):
    assert "9876" not in report_page(board_client, Q3)
    row = AuditReturn.objects.filter(month=date(2018, 10, 1)).exclude(completed=None).first()
    AuditReturn.objects.filter(pk=row.pk).update(completed=9876)
    assert "9876" in report_page(board_client, Q3)


def test_a_check_run_again_after_a_write_finds_what_a_fresh_run_finds():
    run_checks(date(2026, 12, 2))
    row = AuditReturn.objects.exclude(completed=None).exclude(rated_good=None).first()
    AuditReturn.objects.filter(pk=row.pk).update(completed=row.completed + 50)
    remembered = run_checks(date(2026, 12, 2))
    fresh = [check(date(2026, 12, 2), None) for check in all_checks()]
    assert [r.findings for r in remembered] == [r.findings for r in fresh]
    ratings = next(r for r in remembered if r.slug == "audit-ratings")
    assert any(f"{row.completed + 50} completed" in f.text and not f.passed for f in ratings.findings)


def test_a_section_is_worded_for_whether_a_narrative_is_shown_above_it():
    Survey.objects.filter(as_at__year=2022, as_at__month=6).delete()
    plain = {s.slug: s.html for s in sections_of_period(audit_sections, "2022-06", frozenset())}
    narrated = {s.slug: s.html for s in sections_of_period(audit_sections, "2022-06", frozenset({"surveys"}))}
    assert "No survey is recorded" in plain["surveys"]
    assert "No survey is recorded" not in narrated["surveys"]


def test_a_section_given_to_a_report_is_a_copy_the_report_may_change(board_user):
    report = build_report(Period.month(JUNE), board_user)
    shared = sections_of_period(audit_sections, "2022-06", frozenset())
    for section in built_sections(report):
        section.narrative = {"text": "Changed by one report"}
    assert all(section.narrative is None for section in shared)


@pytest.fixture
def home_figures():
    indicator = Indicator.objects.get(code="13")
    common = {"indicator": indicator, "as_at": date(2025, 3, 31), "source": "Test"}
    AreaValue.objects.bulk_create(
        [
            AreaValue(level=GeographicLevel.LOCAL_AUTHORITY, area_code="333", area_name="Sandwell",
                      value=Decimal("40"), **common),
            AreaValue(level=GeographicLevel.LOCAL_AUTHORITY, area_code="334", area_name="Solihull",
                      value=Decimal("30"), **common),
            AreaValue(level=GeographicLevel.NATIONAL, area_code="E92000001", area_name="England",
                      value=Decimal("35"), **common),
        ]
    )  # fmt: skip
    return indicator


def test_a_dfe_figure_changed_after_it_was_compared_is_compared_afresh(home_figures):
    (before,) = comparisons([home_figures.pk])
    AreaValue.objects.filter(indicator=home_figures, area_code="333").update(value=Decimal("12.5"))
    (after,) = comparisons([home_figures.pk])
    assert (before.home.value, after.home.value) == (Decimal("40"), Decimal("12.5"))


def test_an_indicators_polarity_changed_after_it_was_compared_ranks_it_afresh(home_figures):
    (before,) = comparisons([home_figures.pk])
    flipped = "lower" if before.rank_polarity == "higher" else "higher"
    Indicator.objects.filter(pk=home_figures.pk).update(polarity=flipped)
    (after,) = comparisons([home_figures.pk])
    assert after.rank_polarity == flipped != before.rank_polarity


def test_comparisons_unchanged_are_not_read_again(home_figures, django_assert_num_queries):
    comparisons([home_figures.pk])
    with django_assert_num_queries(2):  # the table versions, and the indicator's facts
        comparisons([home_figures.pk])


def test_the_templates_of_sections_rendered_once_for_every_reader_use_nothing_of_the_request():
    """They are rendered without a request (sections_of_period) and shared by every role."""
    from pathlib import Path

    from django.conf import settings

    from sct_monitor.reporting import period_only_builders

    templates = {
        section.template
        for build in period_only_builders()
        for section in build(type("PeriodOnly", (), {"period": Period.from_key("2018-19-q3")})())
    }
    assert templates
    for name in templates:
        text = (Path(settings.BASE_DIR) / "templates" / name).read_text()
        used = set(re.findall(r"{[{%][^}]*?\b(request|user|perms|csrf_token|pdf|messages)\b", text))
        assert not used, (name, used)


def test_a_workforce_figure_and_a_returns_state_changed_after_the_report_was_shown_are_shown(
    client, officer_user, uncached_pages
):
    from kpis.models import MonthlyReturn, ReportedFigure, ValueStatus

    client.force_login(officer_user)
    officer_client = client
    before = report_page(officer_client)
    assert "Agency staff counted in June" not in before
    ReportedFigure.objects.create(
        topic="Workforce", label="Agency staff counted in June", value=12, unit="count",
        period="June 2022", as_at=date(2022, 6, 30), source="A paper",
    )  # fmt: skip
    assert "Agency staff counted in June" in report_page(officer_client)
    MonthlyReturn.objects.filter(month=JUNE).update(status=ValueStatus.DRAFT)
    assert "Provisional: June 2022 is not published" in report_page(officer_client)
    assert "Provisional: June 2022 is not published" not in before
