"""Pages run the same number of queries however much data there is."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kpis.models import Indicator, MonthlyValue

pytestmark = pytest.mark.django_db

PAGES = ["/", "/kpis/", "/kpis/1/", "/figures/", "/audits/returns/", "/audits/inspections/", "/finance/"]


def add_data(indicators: int, months: int) -> None:
    new = Indicator.objects.bulk_create(
        Indicator(
            code=f"G{i}", title=f"Generated {i}", frequency="monthly", polarity="higher", unit="percentage"
        )
        for i in range(indicators)
    )
    values = [
        MonthlyValue(indicator=ind, month=date(2000 + m // 12, m % 12 + 1, 1), value=50, unit="percentage")
        for ind in [*new, Indicator.objects.get(code="1")]
        for m in range(months)
    ]
    MonthlyValue.objects.bulk_create(values)


def queries_for(client, path: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(path).status_code == 200
    return len(captured)


@pytest.mark.parametrize("path", PAGES)
def test_query_count_does_not_grow_with_the_data(board_client, path):
    before = queries_for(board_client, path)
    add_data(indicators=50, months=60)
    assert queries_for(board_client, path) == before
