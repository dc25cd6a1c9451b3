"""The scorecard at /kpis/: month choice, statuses in words, filters, sorting, CSV."""

import csv
import io
import re
from datetime import date

import pytest

from kpis.models import Indicator, MonthlyValue, ValueStatus
from tests.conftest import make_user

pytestmark = pytest.mark.django_db


def body_rows(html: str) -> list[str]:
    """The scorecard's body rows, as HTML."""
    body = html[html.index("<tbody", html.index("app-scorecard")) :]
    return re.findall(r"<tr class=\"govuk-table__row\">(.*?)</tr>", body[: body.index("</tbody>")], re.S)


def code_of(row: str) -> str:
    return re.sub(r"<[^>]+>|\s+", "", re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)[0])


def row_text(html: str, code: str) -> str:
    """The text of the scorecard row for an indicator, tags stripped."""
    for row in body_rows(html):
        if code_of(row) == code:
            return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row)).strip()
    raise AssertionError(f"no row for {code}")


def test_the_default_month_is_the_latest_with_data(board_client):
    html = board_client.get("/kpis/").content.decode()
    assert "February 2023</h1>" in html


def test_the_month_picker_offers_only_months_with_data(board_client):
    html = board_client.get("/kpis/").content.decode()
    assert 'value="2022-06"' in html and 'value="2018-01"' in html
    assert 'value="2020-01"' not in html


def test_pi_5_in_june_2022_shows_its_value_status_and_movement(board_client):
    text = row_text(board_client.get("/kpis/?month=2022-06").content.decode(), "5")
    assert "258" in text
    assert "No status no target or comparator" in text
    assert "up 146, worsening" in text
    assert "up 214, worsening" in text  # on the average of March to May (20, 0, 112)


def test_december_2018_is_judged_against_sn_and_targets_in_words(board_client):
    html = board_client.get("/kpis/?month=2018-12").content.decode()
    assert "Red SN average 57.9" in row_text(html, "2")
    assert "57.9 worse" in row_text(html, "2") and "43.3 worse" in row_text(html, "2")
    assert "Green SN average 81.5%" in row_text(html, "3")
    assert "Red target 15.00 to 18.00" in row_text(html, "14")
    assert "Red target 20.0%" in row_text(html, "AGENCY")


def test_the_summary_counts_this_month_and_last(board_client):
    html = board_client.get("/kpis/?month=2018-12").content.decode()
    summary = html[
        html.index("app-status-summary") : html.index("</table>", html.index("app-status-summary"))
    ]
    counts = re.findall(r"govuk-table__cell--numeric\">([^<]+)<", summary)
    # Red: 4 now (PI 2, 13, 14, agency) and 3 in November; Amber 0, 0; Green 3 (with the
    # quarter's 143 audits against 90, reported only in December) and 2.
    assert counts[:9] == ["4", "3", "up 1", "0", "0", "no change", "3", "2", "up 1"]


def test_a_month_without_data_is_refused_with_a_message(board_client):
    html = board_client.get("/kpis/?month=2020-01").content.decode()
    assert "There is no data for 2020-01" in html
    assert "February 2023</h1>" in html


def test_a_malformed_month_is_refused_with_a_message(board_client):
    assert "is not a month" in board_client.get("/kpis/?month=banana").content.decode()


def test_filtering_by_service_area_keeps_only_its_indicators(board_client):
    html = board_client.get("/kpis/?month=2018-12&service_area=Workforce").content.decode()
    table = html[html.index("app-scorecard") :]
    assert "Vacancy rate of social workers" in table and "Agency social worker rate" in table
    assert "MASH referral timeliness" not in table


def test_sorting_by_status_puts_red_first(board_client):
    html = board_client.get("/kpis/?month=2018-12&sort=status").content.decode()
    table = html[html.index("app-scorecard") :]
    tags = re.findall(r'govuk-tag govuk-tag--\w+">([^<]+)<', table)
    assert tags[:4] == ["Red"] * 4
    assert tags[-1] == "No status"


def csv_rows(client, query: str) -> list[dict[str, str]]:
    response = client.get(f"/kpis/?{query}&format=csv")
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.DictReader(io.StringIO(response.content.decode())))


def test_the_csv_holds_exactly_the_rows_and_order_shown(board_client):
    query = "month=2018-12&service_area=Child+Protection&sort=-value"
    html = board_client.get(f"/kpis/?{query}").content.decode()
    shown = [code_of(row) for row in body_rows(html)]
    rows = csv_rows(board_client, query)
    assert [row["Code"] for row in rows] == shown
    assert list(rows[0])[:9] == [
        "Code", "Indicator", "Service area", "Month", "Unit", "Value", "Provisional", "Missing reason",
        "Target",
    ]  # fmt: skip


def test_the_csv_holds_numbers_as_numbers_with_the_unit_beside_them(board_client):
    rows = {row["Code"]: row for row in csv_rows(board_client, "month=2018-12")}
    assert (rows["2"]["Value"], rows["2"]["Unit"]) == ("69.2", "per 10,000")
    assert (rows["2"]["Status"], rows["2"]["Judged against"]) == ("Red", "SN average 57.9")
    assert (rows["2"]["SN average"], rows["2"]["Compared with SN"]) == ("57.9", "worse")
    assert (rows["1"]["Value"], rows["1"]["Unit"]) == ("66.6", "%")
    assert rows["14"]["Target"] == "15.00 to 18.00"
    assert rows["1"]["Target"] == "" and "<" not in "".join(rows["1"].values())


def test_the_csv_neutralises_text_a_spreadsheet_would_run(board_client):
    Indicator.objects.filter(code="1").update(title="=cmd|' /C calc'!A0")
    rows = {row["Code"]: row for row in csv_rows(board_client, "month=2018-12")}
    assert rows["1"]["Indicator"].startswith("'=")


def draft_value() -> None:
    MonthlyValue.objects.create(
        indicator=Indicator.objects.get(code="1"), month=date(2023, 3, 1), value=70, status=ValueStatus.DRAFT
    )


def test_board_members_do_not_see_draft_figures(board_client):
    draft_value()
    html = board_client.get("/kpis/").content.decode()
    assert 'value="2023-03"' not in html and "March 2023</h1>" not in html
    assert "February 2023</h1>" in html


def test_officers_see_draft_figures_marked_provisional(client):
    draft_value()
    client.force_login(make_user("officer-x", "Performance officer"))
    html = client.get("/kpis/?month=2023-03").content.decode()
    assert "Provisional" in row_text(html, "1")


@pytest.mark.parametrize("month", ["2018-12", "2022-06", "2023-02"])
def test_each_row_is_built_with_the_cells_django_tables2_would_render(month):
    """The scorecard builds its rows in one pass for speed; each cell must be what
    django-tables2's own rendering of the same column gives."""
    import django_tables2 as tables
    from django.test import RequestFactory

    from kpis.months import parse_month
    from kpis.scorecard import ScorecardData
    from kpis.tables import ScorecardTable
    from kpis.visibility import visible_values

    user = make_user("reader", "Board member")
    indicators = Indicator.objects.filter(active=True).order_by("display_order", "code")
    rows = ScorecardData(indicators, visible_values(user), parse_month(month)).rows()
    request = RequestFactory().get("/kpis/", {"sort": "-status"})
    table = ScorecardTable(rows)
    tables.RequestConfig(request, paginate=False).configure(table)
    from django.utils.html import conditional_escape

    rendered = table.rendered_rows()
    assert len(rendered) == len(rows) > 10
    for row_html, bound_row in zip(rendered, table.rows, strict=True):
        for column in table.columns:
            expected = conditional_escape(bound_row.get_cell(column.name))
            assert f'app-col-{column.name}"' in row_html
            assert f">{expected}</t" in row_html, (column.name, expected)


MONTH_OPTIONS_LOOP = """{% for option in coverage %}
        <option value="{{ option.key }}"{% if current and option.month == current.month %} selected{% endif %}>{{ option.label }}</option>
      {% endfor %}"""  # noqa: E501


@pytest.mark.parametrize("chosen", [None, date(2022, 6, 1), date(2018, 12, 1)])
def test_the_months_options_read_as_the_template_loop_wrote_them(chosen):
    from django.template import Context, Template

    from kpis.scorecard import MonthCoverage, month_coverage
    from kpis.templatetags.kpi_format import month_options
    from kpis.visibility import PUBLISHED

    coverage = month_coverage(PUBLISHED)
    assert len(coverage) > 12
    current = next((c for c in coverage if c.month == chosen), None) if chosen else None
    expected = Template(MONTH_OPTIONS_LOOP).render(Context({"coverage": coverage, "current": current}))
    assert month_options(coverage, current) == expected
    assert (" selected" in expected) == (chosen is not None)
    one = [MonthCoverage(date(2022, 1, 1), 1)]
    assert "(1 indicator)" in month_options(one, None)
