"""The indicator page: chart in a captioned figure, range choice, data table."""

import json
import re

import pytest

pytestmark = pytest.mark.django_db


def chart_spec(html: str) -> dict:
    match = re.search(r'<script id="indicator-chart-spec" type="application/json">(.*?)</script>', html, re.S)
    assert match, "no chart data on the page"
    return json.loads(match.group(1))


def test_the_chart_sits_in_a_figure_whose_caption_states_the_latest_value_and_trend(board_client):
    html = board_client.get("/kpis/5/").content.decode()
    caption = re.search(r"<figcaption[^>]*>(.*?)</figcaption>", html, re.S).group(1)
    assert "Latest value 258 in June 2022, up 146 on May 2022, worsening" in caption
    assert "Status: No status" in caption


def test_the_chart_draws_values_with_status_markers_target_and_comparators(board_client):
    spec = chart_spec(board_client.get("/kpis/14/?range=all").content.decode())
    names = [trace.get("name") for trace in spec["data"]]
    assert {"Red", "Target", "SN average", "England average", "West Midlands average"} <= set(names)
    target = next(trace for trace in spec["data"] if trace["name"] == "Target")
    assert 18 in target["y"]


def test_status_markers_differ_in_shape_not_only_colour(board_client):
    spec = chart_spec(board_client.get("/kpis/2/?range=all").content.decode())
    symbols = {t["name"]: t["marker"]["symbol"] for t in spec["data"] if t.get("mode") == "markers"}
    assert len(set(symbols.values())) == len(symbols)


@pytest.mark.parametrize(("choice", "months"), [("12", 12), ("24", 24), ("nonsense", 24)])
def test_the_range_choice_sets_the_months_in_the_table(board_client, choice, months):
    html = board_client.get(f"/kpis/5/?range={choice}").content.decode()
    table = html[html.index("latest first") :]
    assert (
        len(re.findall(r'<th scope="row" class="govuk-table__header">', table[: table.index("</table>")]))
        == months
    )


def test_the_whole_series_is_available(board_client):
    html = board_client.get("/kpis/5/?range=all").content.decode()
    assert "January 2018" in html and "June 2022" in html


def test_the_plotly_library_is_a_local_static_file_not_inlined(board_client):
    html = board_client.get("/kpis/5/").content.decode()
    assert html.count("/static/plotly/plotly-basic.min.js") == 1
    assert "cdn" not in html.lower()
    assert len(html) < 200_000  # the library is not in the page


def test_an_unknown_indicator_is_404(board_client):
    assert board_client.get("/kpis/NOPE/").status_code == 404


# The indicator page's table of months as the template wrote it before ``series_rows`` built it.
TEMPLATE_LOOP = """{% load kpi_format kpi_status %}{% for point in series.months reversed %}
    <tr class="govuk-table__row">
      <th scope="row" class="govuk-table__header">{{ point.month|as_month }}</th>
      <td class="govuk-table__cell govuk-table__cell--numeric" data-label="Value">{% if point.value is not None %}{{ point.value|indicator_value:indicator }}{% if point.provisional %} <strong class="govuk-tag govuk-tag--blue">Provisional</strong>{% endif %}{% elif point.row %}Missing: {{ point.row.get_missing_reason_display|lower }}{% else %}No value{% endif %}{% if point.figure_revised %} <strong class="govuk-tag govuk-tag--purple">Revised</strong>{% endif %}</td>
      <td class="govuk-table__cell" data-label="Status">{% status_tag point.status %}{% if point.judgement_note %}<br><span class="govuk-body-s">{{ point.judgement_note }}</span>{% endif %}</td>
      <td class="govuk-table__cell" data-label="Commentary">{{ point.row.commentary|default:"" }}{% if point.revision_note %}<p class="govuk-body-s app-revision-note">{{ point.revision_note }}</p>{% endif %}</td>
    </tr>
  {% endfor %}"""  # noqa: E501


@pytest.mark.parametrize("username", ["board", "officer"])
def test_the_table_of_months_reads_as_the_template_wrote_it_for_drafts_gaps_and_corrections(username):
    from datetime import date

    from django.template import Context, Template

    from kpis.models import Indicator, MissingReason, MonthlyValue
    from kpis.series import IndicatorSeries
    from kpis.templatetags.kpi_status import series_rows
    from kpis.visibility import visible_values
    from tests.conftest import correct_june_2022_and_set_a_target, make_user

    indicator = Indicator.objects.get(code="14")
    correct_june_2022_and_set_a_target()
    MonthlyValue.objects.create(
        indicator=indicator, month=date(2022, 7, 1), value=20, commentary="<b>A & B</b>"
    )
    MonthlyValue.objects.create(
        indicator=indicator, month=date(2022, 8, 1), value=None, missing_reason=MissingReason.choices[0][0]
    )
    user = make_user(f"{username}-rows", "Board member" if username == "board" else "Performance officer")
    series = IndicatorSeries(indicator, visible_values(user), None)
    expected = Template(TEMPLATE_LOOP).render(Context({"series": series, "indicator": indicator}))
    rendered = series_rows(series, indicator)
    assert rendered == expected
    if username == "officer":
        assert (
            "Provisional" in rendered
            and "Missing: " in rendered
            and "&lt;b&gt;A &amp; B&lt;/b&gt;" in rendered
        )
    assert (
        "Revised" in rendered
        and "app-revision-note" in rendered
        and '<br><span class="govuk-body-s">' in rendered
    )


COMPARATOR_LOOP = """{% load kpi_format %}{% for comparator in series.comparator_rows %}
    <tr class="govuk-table__row">
      <td class="govuk-table__cell" data-label="Comparator">{{ comparator.display_name }}</td>
      <td class="govuk-table__cell" data-label="Period">{{ comparator.period_start|as_month }}{% if comparator.period_end|date:"Y" == "2099" %} onwards{% elif comparator.period_end|date:"Y-m" != comparator.period_start|date:"Y-m" %} to {{ comparator.period_end|date:"F Y" }}{% endif %}</td>
      <td class="govuk-table__cell govuk-table__cell--numeric" data-label="Value">{{ comparator.value|indicator_value:indicator }}</td>
      <td class="govuk-table__cell" data-label="Source">{{ comparator.source }}{% if comparator.notes %}. {{ comparator.notes }}{% endif %}</td>
    </tr>
  {% endfor %}"""  # noqa: E501


def test_the_comparator_values_read_as_the_template_wrote_them_for_every_indicator():
    from datetime import date
    from decimal import Decimal

    from django.template import Context, Template

    from kpis.models import ComparatorValue, Indicator
    from kpis.series import IndicatorSeries
    from kpis.templatetags.kpi_status import comparator_rows
    from kpis.visibility import visible_values
    from tests.conftest import make_user

    thirteen = Indicator.objects.get(code="13")
    ComparatorValue.objects.create(
        indicator=thirteen, comparator="england", period_start=date(2023, 4, 1), period_end=date(2023, 4, 30),
        value=Decimal("12.5"), source="A <paper> & more", notes="Read \"with care\"",
    )  # fmt: skip
    ComparatorValue.objects.create(
        indicator=thirteen, comparator="sn", period_start=date(2023, 5, 1), period_end=date(2099, 12, 31),
        value=Decimal("11"), source="Open-ended",
    )  # fmt: skip
    template = Template(COMPARATOR_LOOP)
    user = make_user("board-comparators", "Board member")
    shown = 0
    for indicator in Indicator.objects.all():
        series = IndicatorSeries(indicator, visible_values(user), None)
        expected = template.render(Context({"series": series, "indicator": indicator}))
        assert comparator_rows(series, indicator) == expected, indicator.code
        shown += len(series.comparator_rows)
    assert shown > 10
    rendered = comparator_rows(IndicatorSeries(thirteen, visible_values(user), None), thirteen)
    assert "A &lt;paper&gt; &amp; more. Read &quot;with care&quot;" in rendered and " onwards" in rendered
