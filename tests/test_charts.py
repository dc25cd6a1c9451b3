"""Chart figures are built as plain data; each must be exactly the figure plotly's objects build,
with plotly's default template served once beside them."""

import json
from datetime import date
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace

import plotly.graph_objects as go
import pytest
from django.conf import settings

from kpis.charts import (
    PLOTLY_TEMPLATE_SCRIPT,
    area_figure,
    default_template,
    indicator_figure,
    template_script,
)
from kpis.models import Indicator
from kpis.series import IndicatorSeries
from kpis.visibility import visible_values
from tests.conftest import make_user

pytestmark = pytest.mark.django_db


def as_plotly_builds_it(figure: dict) -> dict:
    """The figure after plotly validates every property (it raises on any it does not know) and
    writes it out again, less the default template that it writes into every figure."""
    built = json.loads(go.Figure(figure).to_json())
    assert built["layout"].pop("template") == default_template()
    return built


@pytest.mark.parametrize("compact", [False, True])
def test_every_indicator_s_chart_is_the_figure_plotly_builds(compact):
    user = make_user("reader", "Board member")
    indicators = list(Indicator.objects.filter(active=True))
    assert len(indicators) > 10
    for indicator in indicators:
        series = IndicatorSeries(indicator, visible_values(user), None)
        figure = indicator_figure(series, compact=compact)
        assert figure == as_plotly_builds_it(figure), indicator.code
        assert figure["layout"]["showlegend"] is not compact


def test_a_chart_with_the_dfe_s_own_points_is_the_figure_plotly_builds():
    user = make_user("reader", "Board member")
    indicator = Indicator.objects.get(code="13")
    series = IndicatorSeries(indicator, visible_values(user), 24)
    points = [(date(2021, 3, 31), Decimal("95.5")), (date(2022, 3, 31), Decimal("99.1"))]
    figure = indicator_figure(series, dfe_points=points, dfe_name="Sandwell (DfE)")
    assert figure == as_plotly_builds_it(figure)
    dfe = figure["data"][-1]
    assert dfe["name"] == "Sandwell (DfE)" and dfe["y"] == [95.5, 99.1]
    assert "template" not in figure["layout"]  # served once, in plotly-template.js


def test_the_template_script_is_plotly_s_default_template():
    committed = (Path(settings.BASE_DIR) / "static" / PLOTLY_TEMPLATE_SCRIPT).read_text(encoding="utf-8")
    assert committed == template_script(), "rewrite it with `make assets` after changing plotly"
    assigned = committed.split("window.sctPlotlyTemplate = ", 1)[1].rstrip().removesuffix(";")
    assert json.loads(assigned) == default_template()


def test_chart_pages_load_the_template_before_the_script_that_draws(board_client):
    html = board_client.get("/kpis/13/").content.decode()
    bundle, template, draw = (html.index(name) for name in ("plotly-basic", "plotly-template", "js/charts"))
    assert bundle < template < draw


def test_the_area_bar_chart_is_the_figure_plotly_builds():
    bars = [
        SimpleNamespace(name="Sandwell", value=Decimal("95.5"), kind="home"),
        SimpleNamespace(name="Walsall", value=None, kind="neighbour"),
        SimpleNamespace(name="England", value=Decimal("70.0"), kind="england"),
    ]
    figure = area_figure(SimpleNamespace(bars=bars), Indicator.objects.get(code="13"))
    assert figure == as_plotly_builds_it(figure)
    assert figure["data"][0]["y"] == ["Sandwell", "England"]  # a bar with no figure is left out
