import re
from datetime import date

import pytest

from kpis.models import Indicator, MonthlyValue

pytestmark = pytest.mark.django_db


def test_the_overview_shows_the_latest_month_and_its_red_indicators_with_commentary(board_client):
    MonthlyValue.objects.filter(indicator__code="CLA", month=date(2023, 2, 1)).update(
        commentary="Fewer children entering care; still above the March 2023 target."
    )
    html = board_client.get("/").content.decode()
    assert "February 2023</h1>" in html
    red = html[html.index("Red this month") :]
    assert "CLA: Children looked after" in red
    assert "target 796" in red
    assert "still above the March 2023 target" in red


def test_each_headline_chart_links_to_its_indicator_and_has_a_data_table(board_client):
    html = board_client.get("/").content.decode()
    charts = re.findall(r'<section class="app-chart-card".*?</section>', html, re.S)
    assert charts
    for chart in charts:
        assert re.search(r'href="/kpis/[^/]+/"', chart)
        assert "<figcaption" in chart and "<table" in chart


def test_status_counts_and_their_change_are_shown(board_client):
    html = board_client.get("/").content.decode()
    assert "Statuses in February 2023" in html


def test_a_sparse_latest_month_points_to_the_latest_well_covered_month(board_client):
    html = board_client.get("/").content.decode()
    assert "?month=2022-06" in html


def test_with_no_red_indicators_the_overview_says_so(board_client):
    Indicator.objects.filter(code="CLA").update(active=False)
    assert "No indicator is Red this month." in board_client.get("/").content.decode()
