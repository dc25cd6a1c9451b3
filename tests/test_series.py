"""An indicator's series: read on its own, or with others in the same four queries."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kpis.models import Indicator
from kpis.series import IndicatorSeries
from kpis.visibility import visible_values
from tests.conftest import make_user

pytestmark = pytest.mark.django_db


def described(series: IndicatorSeries) -> tuple:
    return (
        series.indicator.code,
        [(m.month, m.value, m.status, m.revision_note, m.judgement_note) for m in series.months],
        series.summary(),
        series.target_segments(),
        series.trajectory_points(),
        [series.comparator_segments(kind) for kind in ("sn", "england", "west_midlands")],
    )


@pytest.mark.parametrize("role", ["Board member", "Performance officer"])
def test_series_read_together_are_the_series_read_one_by_one(role):
    values = visible_values(make_user("someone", role))
    indicators = list(Indicator.objects.filter(active=True).order_by("code"))
    with CaptureQueriesContext(connection) as queries:
        together = IndicatorSeries.many(indicators, values, 24)
    assert len(queries) <= 4
    alone = [IndicatorSeries(indicator, values, 24) for indicator in indicators]
    assert [described(s) for s in together] == [described(s) for s in alone]
    assert any(s.months for s in together) and any(s.target_rows for s in together)
