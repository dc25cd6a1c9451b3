"""Pages run the same number of queries whatever the number of indicators and months.

The scorecard, overview and indicator pages are measured on a small generated dataset and
again on 300 indicators with 120 months each; every other page before and after the seed grows.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bench.datasets import generate
from kpis.models import MonthlyValue
from sct_monitor import page_cache, table_memo

pytestmark = pytest.mark.django_db


def queries_for(client, path: str) -> int:
    """The page's queries with nothing remembered from earlier pages (``table_memo``, and the
    page cache's users' access): the count after a write to every table, which is the one that
    must not grow."""
    table_memo.clear()
    page_cache._access_by_version.clear()
    with CaptureQueriesContext(connection) as captured:
        assert client.get(path).status_code == 200
    return len(captured)


SCALED_PAGES = [
    "/",
    "/kpis/",
    "/kpis/?month=2018-12&sort=status",
    "/kpis/?service_area=Area+3",
    "/kpis/G1/?range=all",
    "/reports/2023-02/",
    "/reports/2022-23-q4/",
    "/kpis/?month=2023-02&format=csv",
]
OTHER_PAGES = ["/figures/", "/audits/returns/", "/audits/complaints/", "/audits/inspections/", "/finance/"]


def test_dashboard_pages_run_a_fixed_number_of_queries_for_300_indicators_of_120_months(board_client):
    generate(0, 3, 12)
    small = {path: queries_for(board_client, path) for path in SCALED_PAGES}
    generate(3, 300, 120)
    assert MonthlyValue.objects.filter(indicator__code__startswith="G").count() == 3 * 12 + 297 * 120
    large = {path: queries_for(board_client, path) for path in SCALED_PAGES}
    assert large == small


@pytest.mark.parametrize("path", OTHER_PAGES)
def test_other_pages_run_a_fixed_number_of_queries(board_client, path):
    before = queries_for(board_client, path)
    generate(0, 50, 24)
    assert queries_for(board_client, path) == before


ASSURANCE_PAGES = [
    "/audits/", "/audits/returns/", "/audits/complaints/", "/audits/inspections/", "/audits/inspections/1/",
    "/audits/plans/", "/audits/plans/1/", "/audits/risks/", "/audits/surveys/", "/improvement-plan/",
    "/improvement-plan/2/", "/finance/", "/workforce/", "/checks/", "/reports/2018-19-q3/",
]  # fmt: skip


def grow_the_assurance_data() -> None:
    """Ten times as many plans, actions, progress notes, inspection items, findings, risks, surveys,
    budget lines, workforce figures and plan reviews."""
    from datetime import date
    from decimal import Decimal

    from audits.models import (
        Action,
        ActionUpdate,
        AuditFinding,
        AuditReturn,
        ComplaintsMonth,
        Inspection,
        InspectionItem,
        Plan,
        Risk,
        Survey,
    )
    from finance.models import BudgetLine, FinancialYear
    from kpis.models import ImprovementPlan, ReportedFigure, ReviewNote

    plans = Plan.objects.bulk_create(
        Plan(kind="action", title=f"Plan {n}", origin="improvement_plan", owner="Head of service")
        for n in range(20)
    )
    actions = Action.objects.bulk_create(
        Action(plan=plan, order=n, text="Do it", owner="Team manager", due=date(2019, 1, 1))
        for plan in [*plans, Plan.objects.get(pk=1)]
        for n in range(100, 105)
    )
    ActionUpdate.objects.bulk_create(
        ActionUpdate(action=a, on=date(2018, 12, 1), text="Begun") for a in actions
    )
    inspection = Inspection.objects.get(pk=1)
    InspectionItem.objects.bulk_create(
        InspectionItem(
            inspection=inspection, kind="recommendation", order=100 + n, text="More", due=date(2019, 1, 1)
        )
        for n in range(40)
    )
    AuditFinding.objects.bulk_create(
        AuditFinding(period="2018-11", theme=f"Theme {n % 5}", kind="improve", order=100 + n, text="x")
        for n in range(50)
    )
    for n in range(10):
        Risk.objects.create(title=f"Risk {n}", category="operational", likelihood=3, impact=3).actions.set(
            actions[:3]
        )
    Survey.objects.bulk_create(
        Survey(title=f"Survey {n}", period="2018", as_at=date(2018, 12, 1)) for n in range(10)
    )
    year = FinancialYear.objects.get_or_create(start_year=2030)[0]
    BudgetLine.objects.bulk_create(
        BudgetLine(financial_year=year, category="staffing", description=f"Line {n}", budget=Decimal(100 * n))
        for n in range(20)
    )
    ReportedFigure.objects.bulk_create(
        ReportedFigure(topic="Workforce", series="agency", label=f"Agency {n}", value=n, unit="number",
                       period=f"P{n}", as_at=date(2020, 1, n + 1), source="S")
        for n in range(20)
    )  # fmt: skip
    plan = ImprovementPlan.objects.get(pk=2)
    ReviewNote.objects.bulk_create(
        ReviewNote(plan=plan, on=date(2022, 1, 1), text="Reviewed") for _ in range(20)
    )
    # Three more years of monthly audits and complaints, with printed quarter totals: more quarters.
    months = [date(2019 + n // 12, n % 12 + 1, 1) for n in range(36)]
    AuditReturn.objects.bulk_create(
        AuditReturn(month=m, activity=activity, target=60, completed=50, rated_good=10)
        for m in months
        for activity in ("case_file", "moderation")
    )
    ComplaintsMonth.objects.bulk_create(
        ComplaintsMonth(
            month=m, complaints_received=20, compliments_received=10, percent_responded_in_timescale=70
        )
        for m in months
    )
    quarter_ends = [date(2019, 3, 31), date(2019, 6, 30), date(2019, 9, 30), date(2019, 12, 31)]
    ReportedFigure.objects.bulk_create(
        ReportedFigure(topic="Audits", label=f"Case-file audits completed, Quarter {n} (as printed)",
                       value=150, unit="number", period=f"Quarter {n}", as_at=end, source="S")
        for n, end in enumerate(quarter_ends, start=1)
    )  # fmt: skip


def test_assurance_pages_run_a_fixed_number_of_queries_as_their_records_grow(client):
    from tests.conftest import make_user

    client.force_login(make_user("counter", "Performance officer"))
    before = {path: queries_for(client, path) for path in ASSURANCE_PAGES}
    grow_the_assurance_data()
    after = {path: queries_for(client, path) for path in ASSURANCE_PAGES}
    assert after == before
