"""Pages run the same number of queries whatever the number of indicators and months.

The scorecard, overview and indicator pages are measured on a small generated dataset and
again on 300 indicators with 120 months each; every other page before and after the seed grows.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bench.datasets import generate
from kpis.models import MonthlyValue

pytestmark = pytest.mark.django_db


def queries_for(client, path: str) -> int:
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
