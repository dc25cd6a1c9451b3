"""The overview answers "how are we doing" in 30 seconds: Red, worsening, compared with neighbours."""

import re
from datetime import date

import pytest

from kpis.models import Indicator, PublishedValue

pytestmark = pytest.mark.django_db


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_the_overview_opens_on_the_latest_published_month_that_covers_most_contract_indicators(board_client):
    text = text_of(board_client.get("/").content.decode())
    assert "Overview June 2022" in text
    assert (
        "June 2022 is the latest published month with figures for most contract indicators (15 of 15)" in text
    )
    assert "February 2023 is published with figures for only a few" in text


def test_it_leads_with_red_worsening_and_the_comparison_with_neighbours(board_client):
    text = text_of(board_client.get("/").content.decode())
    assert (
        "0 of 15 contract KPIs Red, and 1 other measure (children looked after); "
        "3 worsening for three months running; no statistical-neighbour figures cover June 2022."
    ) in text


def test_it_lists_the_red_and_the_worsening_with_their_commentary(board_client):
    PublishedValue.objects.filter(indicator__code="CLA", month=date(2022, 6, 1), is_current=True).update(
        commentary="Above the trajectory: more children entered care in the spring."
    )
    html = board_client.get("/").content.decode()
    red = text_of(html[html.index(">Red</h2>") : html.index("Worsening for three months running</h2>")])
    assert "CLA: Children looked after" in red and "trajectory 832 towards target 796" in red
    assert "more children entered care in the spring" in red
    worsening = text_of(html[html.index("Worsening for three months running</h2>") :])
    assert "13: Vacancy rate of social workers" in worsening
    assert "45.1%, worsening for 5 months running" in worsening


def test_it_links_to_the_months_report(board_client):
    assert 'href="/reports/2022-06/"' in board_client.get("/").content.decode()


def test_each_headline_chart_links_to_its_indicator_and_has_a_data_table(board_client):
    html = board_client.get("/").content.decode()
    charts = re.findall(r'<section class="app-chart-card".*?</section>', html, re.S)
    assert charts
    for chart in charts:
        assert re.search(r'href="/kpis/[^/]+/"', chart)
        assert "<figcaption" in chart and "<table" in chart
        caption = re.search(r"<figcaption.*?</figcaption>", chart, re.S).group(0)
        assert "Latest value" in caption and "in February 2023" not in caption  # they end at June 2022


def test_status_counts_say_not_comparable_against_a_month_without_figures(board_client):
    text = text_of(board_client.get("/kpis/?month=2023-02").content.decode())
    assert "Statuses in February 2023" in text
    assert "not comparable" in text and "up 1" not in text


def test_with_no_red_indicators_the_overview_says_so(board_client):
    Indicator.objects.filter(code="CLA").update(active=False)
    assert "No indicator is Red." in board_client.get("/").content.decode()


def test_the_overview_says_when_no_contract_kpi_could_be_rated(board_client):
    # June 2022: every contract KPI has a figure but none has a target or comparator that month.
    text = board_client.get("/").content.decode()
    assert "None of the 15 contract KPIs with a figure could be rated" in text
    assert "does not mean on track" in text


def test_the_charted_rows_are_red_then_worsening_then_contract_kpis_with_a_figure_each_once():
    from types import SimpleNamespace

    from sct_monitor.views import headline_rows

    red, worsening_red, worsening, contract, contract_without = (
        SimpleNamespace(value=1),
        SimpleNamespace(value=2),
        SimpleNamespace(value=3),
        SimpleNamespace(value=4),
        SimpleNamespace(value=None),
    )
    summary = SimpleNamespace(
        red=[red, worsening_red],
        worsening=[worsening_red, worsening],
        contract=[contract_without, red, contract, worsening],
    )
    assert headline_rows(summary) == [red, worsening_red, worsening, contract]


CHART_DATA_LOOP = """{% load kpi_format %}{% for point in series.months reversed %}
                <tr class="govuk-table__row"><th scope="row" class="govuk-table__header">{{ point.month|as_month }}</th><td class="govuk-table__cell govuk-table__cell--numeric">{{ point.value|indicator_value:series.indicator|default:"No value" }}</td><td class="govuk-table__cell">{{ point.status.label }}</td></tr>
                {% endfor %}"""  # noqa: E501


def test_a_headline_charts_data_table_reads_as_the_template_wrote_it():
    from datetime import date

    from django.template import Context, Template

    from kpis.models import Indicator, MonthlyValue
    from kpis.series import IndicatorSeries
    from kpis.templatetags.kpi_status import chart_data_rows
    from kpis.visibility import visible_values
    from tests.conftest import make_user

    first = Indicator.objects.get(code="1")
    MonthlyValue.objects.create(
        indicator=first, month=date(2022, 7, 1), value=None, missing_reason="not_collected"
    )
    template = Template(CHART_DATA_LOOP)
    for role in ("Board member", "Performance officer"):
        user = make_user(f"charts-{role[:5]}", role)
        for indicator in Indicator.objects.all():
            series = IndicatorSeries(indicator, visible_values(user), 24)
            expected = template.render(Context({"series": series}))
            assert chart_data_rows(series) == expected, (role, indicator.code)


OVERVIEW_ITEM = """{% load kpi_status %}
            <li>
              <a class="govuk-link govuk-!-font-weight-bold" href="{% url 'kpis:indicator_detail' row.indicator.code %}">{{ row.indicator.code }}: {{ row.indicator.title }}</a>
              <p class="govuk-body govuk-!-margin-bottom-1">{{ row.value_text }}{% if worsening %}, worsening for {{ row.worsening_run }} months running{% endif %} {% status_tag row.status %}</p>
              <p class="govuk-body-s">{% if row.commentary %}{{ row.commentary|truncatewords:60 }}{% else %}No commentary given.{% endif %}</p>
            </li>
          """  # noqa: E501


@pytest.mark.parametrize("worsening", [False, True])
def test_an_item_of_the_red_and_worsening_lists_reads_as_the_template_wrote_it(worsening):
    from django.template import Context, Template

    from kpis.models import MonthlyValue
    from kpis.templatetags.kpi_status import overview_item
    from sct_monitor.views import overview
    from tests.conftest import make_user

    Indicator.objects.filter(code="13").update(title='Caseloads <all> & "more"')
    MonthlyValue.objects.filter(commentary="").exclude(value=None).update(
        commentary=" ".join(["<word>"] * 80)
    )
    template = Template(OVERVIEW_ITEM)
    for role in ("Board member", "Performance officer"):
        summary = overview(make_user(f"items-{role[:5]}", role))
        assert summary.rows
        for row in summary.rows:
            expected = template.render(Context({"row": row, "worsening": worsening}))
            assert overview_item(row, worsening) == expected, (role, row.indicator.code)
            assert overview_item(row, worsening) is overview_item(row, worsening)  # built once
