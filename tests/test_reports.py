"""The board's reports: the contract's Monthly Monitoring Report and the quarterly report."""

import csv
import io
import re
from datetime import date
from decimal import Decimal

import pytest
from django.conf import settings
from openpyxl import load_workbook

from kpis.models import Indicator, MonthlyValue, PublishedValue, Target
from sct_monitor.models import ReportNarrative
from tests.conftest import make_user

pytestmark = pytest.mark.django_db


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).replace("&#x27;", "'")


def section(html: str, slug: str) -> str:
    start = html.index(f'id="section-{slug}"')
    end = html.find('<section class="app-report-section"', start + 10)
    return text_of(html[start : end if end > 0 else None])


def indicator_block(html: str, code: str) -> str:
    start = html.index(f'id="indicator-{code}"')
    return text_of(html[start : html.index("</article>", start)])


@pytest.fixture
def june(board_client) -> str:
    return board_client.get("/reports/2022-06/").content.decode()


@pytest.fixture
def q3(board_client) -> str:
    return board_client.get("/reports/2018-19-q3/").content.decode()


def test_the_sections_follow_schedule_6_para_4_2(june):
    headings = re.findall(r'<h2 class="govuk-heading-l" id="heading-[^"]+">([^<]+)</h2>', june)
    assert headings == [
        "4.2.1 Summary analysis", "4.2.2 Performance indicators", "4.2.3 Performance failures",
        "4.2.4 Action plans", "4.2.5 Rectification plans", "4.2.6 Audit findings", "4.2.7 Surveys",
        "4.2.8 Inspection outcomes", "Complaints and compliments", "Finance", "Workforce", "Data quality",
    ]  # fmt: skip


def test_june_2022_shows_each_indicator_as_published(june):
    pi_5 = indicator_block(june, "5")
    assert "Actual 258" in pi_5 and "No status" in pi_5
    assert "On last month: up 146, worsening" in pi_5
    cla = indicator_block(june, "CLA")
    assert "848" in cla and "Red trajectory 832 towards target 796 by 31 March 2023" in cla
    assert "from the trust's board reports, loaded on" in text_of(june)


def test_june_2022_summary_counts_and_failures(june):
    summary = section(june, "summary")
    lead = "0 of 15 contract KPIs with a figure are Red, and 1 other measure (children looked after)"
    assert lead in summary
    assert "no statistical-neighbour figures cover this month" in summary
    assert "CLA: Children looked after : 848 (trajectory 832 towards target 796 by 31 March 2023)" in summary
    assert "13: Vacancy rate of social workers : 45.1%, worsening for 5 months running" in summary
    failures = section(june, "failures")
    assert (
        "CLA: Children looked after 848 trajectory 832 towards target 796 by 31 March 2023 1 month running"
        in (failures)
    )


def test_each_indicator_has_a_captioned_chart_drawn_on_the_server_and_its_figures(june):
    start = june.index('id="indicator-14"')
    block = june[start : june.index("</article>", start)]
    assert '<svg class="app-svg-chart"' in block and "<title" in block and "<desc" in block
    assert "<figcaption" in block and "The table gives the same figures" in block
    assert "Jun 2022" in block and "19.61" in block
    table = block[block.index('class="govuk-table app-table--compact app-report-chart-table"') :]
    rows = re.findall(
        r'<tr class="govuk-table__row"><th scope="row"[^>]*>(.*?)</th><td[^>]*>(.*?)</td>', table
    )
    assert ("Jun 2022", "19.61") in rows and len(rows) == 12  # a figure for each of the 12 months


def test_the_q3_report_holds_the_papers_own_commentary_and_narrative(q3):
    pi_1 = indicator_block(q3, "1")
    assert "Actual (December 2018) 66.6%" in pi_1
    assert "The percentage of contacts accepted as a MASH referral within 24 hours decreased by 6.9%" in pi_1
    assert "Looking at ways to streamline the process" in pi_1
    summary = section(q3, "summary")
    assert "Overall, performance since November 2018 has seen improvements in a number of areas" in summary
    assert "There has been no performance failure within this service period" in section(q3, "failures")
    assert "There are no action plans." in section(q3, "action_plans")
    assert "There are no rectification plans." in section(q3, "rectification_plans")
    assert "There have been no surveys carried out since 1st April 2018." in section(q3, "surveys")


def test_the_q3_quarter_shows_each_indicators_trend_over_the_quarter(q3):
    months = [date(2018, 10, 1), date(2018, 12, 1)]
    first, last = (
        MonthlyValue.objects.get(indicator__code="4", month=month).value for month in months
    )  # fmt: skip
    assert (
        f"over the quarter from {first.normalize():f}% in October to {last.normalize():f}% in December"
        in (indicator_block(q3, "4"))
    )


def test_the_q3_audit_table_matches_the_paper_and_says_where_it_contradicts_itself(q3):
    audits = section(q3, "audits")
    assert "Children's case-file audits, Quarter total (sum of the months) 184 144 (78.3%)" in audits
    assert (
        "Children's case-file audits, Quarter as printed in the paper 184 143 (77.7%) 21 (14.7%) 54 (37.8%)"
        in (audits)
    )
    assert (
        "the paper prints 143 completed for the quarter, but its months add up to 144 (53 + 44 + 47)"
        in audits
    )
    assert "October 2018: 53 completed, but the ratings add up to 52" in audits
    assert "Moderations, Quarter total (sum of the months) 96 93" in audits
    assert "significantly higher than the target within the contract (90 audits per quarter)" in audits


def test_the_q3_complaints_and_inspections_are_the_papers(q3):
    complaints = section(q3, "complaints")
    assert "October 2018 13 29 72.4%" in complaints
    assert "Quarter total 38 65" in complaints
    assert "Too many social workers allocated" in complaints
    inspections = section(q3, "inspections")
    assert "Youth Offending Service" in inspections and "Good" in inspections


def test_a_published_report_is_unchanged_by_a_later_target(board_client, june):
    Target.objects.create(indicator=Indicator.objects.get(code="1"), financial_year=2022, value=95)
    again = board_client.get("/reports/2022-06/").content.decode()
    assert "No status no target or comparator" in indicator_block(again, "1")
    assert "Judged with today's targets and comparators it would be Red (target 95.0%)" in indicator_block(
        again, "1"
    )
    assert section(again, "summary") == section(june, "summary")


def test_board_members_see_only_published_periods(board_client, client):
    MonthlyValue.objects.create(indicator=Indicator.objects.get(code="1"), month=date(2022, 7, 1), value=70)
    assert board_client.get("/reports/2022-07/").status_code == 404
    client.force_login(make_user("officer-r", "Performance officer"))
    text = text_of(client.get("/reports/2022-07/").content.decode())
    assert "Provisional: July 2022 is not published" in text
    assert "70.0%" in indicator_block(client.get("/reports/2022-07/").content.decode(), "1")


def test_a_correction_is_listed_at_the_end_with_its_reason(board_client, admin_user_role):
    from sct_monitor.importing.engine import apply_import

    content = b"indicator_code,month,value\n14,2022-06,19.71\n"
    plan, log = apply_import("kpi-long", "fix.csv", content, admin_user_role, override_published=True)
    assert plan.ok
    revisions = section(board_client.get("/reports/2022-06/").content.decode(), "revisions")
    assert "June 2022, revision 2" in revisions
    assert f"Reason: Import {log.pk}: kpi-long from fix.csv" in revisions
    assert "14: Average overall caseloads across Children's Services: was 19.61, now 19.71" in revisions


def test_the_narrative_officers_write_is_published_with_the_month(client, board_user):
    officer = make_user("officer-n", "Performance officer")
    client.force_login(officer)
    page = client.get("/reports/2022-07/narrative/").content.decode()
    version = re.search(r'name="version" value="(\d+)"', page).group(1)
    response = client.post(
        "/reports/2022-07/narrative/",
        {"version": version, "summary": "Caseloads fell.\n\n- Recruitment continues\n- Agency use down"},
    )
    assert response.status_code == 302
    html = client.get("/reports/2022-07/").content.decode()
    assert '<p class="govuk-body">Caseloads fell.</p>' in html and "<li>Agency use down</li>" in html
    client.force_login(board_user)
    assert client.get("/reports/2022-07/").status_code == 404


def test_a_narrative_form_opened_before_another_save_is_refused(client):
    client.force_login(make_user("officer-n", "Performance officer"))
    stale = re.search(
        r'name="version" value="(\d+)"', client.get("/reports/2022-07/narrative/").content.decode()
    )
    client.post("/reports/2022-07/narrative/", {"version": stale.group(1), "summary": "First"})
    response = client.post("/reports/2022-07/narrative/", {"version": stale.group(1), "summary": "Second"})
    assert response.status_code == 409
    assert ReportNarrative.objects.get(period="2022-07", section="summary").text == "First"


def test_a_published_months_narrative_needs_a_reopening(client):
    client.force_login(make_user("officer-n", "Performance officer"))
    response = client.post(
        "/reports/2018-19-q3/narrative/", {"version": "99", "summary": "Rewritten"}, follow=True
    )
    assert "December 2018 is published: reopen it to change this narrative." in text_of(
        response.content.decode()
    )
    assert ReportNarrative.objects.get(period="2018-19-q3", section="summary").text.startswith("Overall")


def test_narrative_text_is_escaped(client):
    client.force_login(make_user("officer-n", "Performance officer"))
    client.post("/reports/2022-07/narrative/", {"version": "0", "summary": "<script>alert(1)</script>"})
    html = client.get("/reports/2022-07/").content.decode()
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html


@pytest.mark.parametrize("key", ["2022-6", "2022-13", "2022-24-q1", "2022-23-q5", "2022-23", "nonsense"])
def test_a_period_that_is_not_a_month_or_quarter_is_not_found(board_client, key):
    assert board_client.get(f"/reports/{key}/").status_code == 404


def test_an_unknown_format_or_table_is_a_clear_error(board_client):
    response = board_client.get("/reports/2022-06/?format=docx")
    assert (
        response.status_code == 400 and "is not a format: use pdf, csv or xlsx" in response.content.decode()
    )
    response = board_client.get("/reports/2022-06/?format=csv&table=nope")
    assert response.status_code == 400 and "Choose one of: statuses, indicators" in response.content.decode()


def report_csv(client, key: str, table: str) -> list[dict[str, str]]:
    response = client.get(f"/reports/{key}/?format=csv&table={table}")
    assert response["Content-Type"].startswith("text/csv") and "no-store" in response["Cache-Control"]
    return list(csv.DictReader(io.StringIO(response.content.decode())))


def test_report_tables_download_as_csv_with_plain_numbers(board_client):
    rows = {row["Code"]: row for row in report_csv(board_client, "2022-06", "indicators")}
    assert (rows["5"]["Value"], rows["5"]["Unit"], rows["5"]["Status"]) == ("258", "count", "No status")
    assert (rows["1"]["Value"], rows["1"]["Unit"]) == ("74.9", "%")
    audits = report_csv(board_client, "2018-19-q3", "audits")
    printed = next(row for row in audits if row["Period"] == "Quarter as printed in the paper")
    assert (printed["Expected"], printed["Completed"], printed["Completed (% of expected)"]) == (
        "184",
        "143",
        "77.7",
    )


def test_report_tables_download_as_one_excel_workbook_with_numbers_as_numbers(board_client):
    response = board_client.get("/reports/2018-19-q3/?format=xlsx")
    workbook = load_workbook(io.BytesIO(response.content))
    assert {"indicators", "audits", "complaints", "finance"} <= set(workbook.sheetnames)
    sheet = workbook["indicators"]
    headings = [cell.value for cell in sheet[1]]
    values = {row[0]: row for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert values["2"][headings.index("Value")] == pytest.approx(69.2)
    assert values["5"][headings.index("Value")] == 17


def test_excel_keeps_formula_like_text_as_text(board_client):
    PublishedValue.objects.filter(indicator__code="5", month=date(2022, 6, 1), is_current=True).update(
        commentary='=HYPERLINK("http://evil")'
    )
    workbook = load_workbook(io.BytesIO(board_client.get("/reports/2022-06/?format=xlsx").content))
    sheet = workbook["indicators"]
    column = [cell.value for cell in sheet[1]].index("Commentary") + 1
    cell = next(row[column - 1] for row in sheet.iter_rows(min_row=2) if row[0].value == "5")
    assert cell.data_type == "s" and cell.value == '=HYPERLINK("http://evil")'


def pdf_text(client, key: str) -> tuple[str, int]:
    from pypdf import PdfReader

    response = client.get(f"/reports/{key}/?format=pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    return "\n".join(page.extract_text() for page in reader.pages), len(reader.pages)


def test_the_june_2022_pdf_holds_the_reports_figures_on_numbered_a4_pages(board_client):
    text, pages = pdf_text(board_client, "2022-06")
    flat = re.sub(r"\s+", " ", text)
    assert "Monthly Monitoring Report" in flat and "June 2022" in flat
    assert f"Page 1 of {pages}" in flat and f"Page {pages} of {pages}" in flat
    assert settings.TRUST_NAME in flat
    assert "258" in flat and "74.9%" in flat and "trajectory 832 towards target 796" in flat


def test_the_quarter_pdf_holds_the_q3_audit_table_and_commentary(board_client):
    text, _ = pdf_text(board_client, "2018-19-q3")
    flat = re.sub(r"\s+", " ", text)
    assert "Quarter 3 2018/19" in flat
    assert "the paper prints 143 completed for the quarter, but its months add up to 144" in flat
    assert "decreased by 6.9% on previous Quarter to 66.6%" in flat


def test_without_weasyprints_libraries_the_page_says_so_and_still_prints(board_client, monkeypatch):
    from sct_monitor import report_views

    monkeypatch.setattr(report_views, "pdf_problem", lambda: "PDF downloads are not available on this server")
    response = board_client.get("/reports/2022-06/?format=pdf")
    assert response.status_code == 503 and "PDF downloads are not available" in response.content.decode()
    page = board_client.get("/reports/2022-06/").content.decode()
    assert "PDF downloads are not available on this server" in page and "?format=pdf" not in page


def test_every_page_has_a_print_stylesheet_and_the_scorecard_prints_landscape(board_client):
    css = (settings.BASE_DIR / "static" / "css" / "app.css").read_text()
    hidden = re.search(r"@media print\{[^@]*?\.govuk-service-navigation[^{]*\{display:none", css)
    assert hidden, "navigation is printed"
    assert re.search(r"@media print\{[^@]*?\.govuk-link::after[^{]*\{content:none", css), (
        "link addresses print"
    )
    scorecard = board_client.get("/kpis/?month=2022-06").content.decode()
    assert 'href="/static/css/print-landscape.css" media="print"' in scorecard
    landscape = (settings.BASE_DIR / "static" / "css" / "print-landscape.css").read_text()
    assert "size: A4 landscape" in landscape


def test_the_report_list_shows_quarters_and_months(board_client):
    text = text_of(board_client.get("/reports/").content.decode())
    assert "Quarter 1 2022/23 (April to June 2022)" in text and "June 2022" in text
    assert "Quarter 3 2018/19 (October to December 2018)" in text


def test_the_quarter_audit_percentages_are_computed_not_typed():
    from audits.report import AuditLine

    line = AuditLine("Q", "Case-file", 184, 143, {"rated_good": 21, "rated_requires_improvement": 54,
                                                  "rated_inadequate": 68})  # fmt: skip
    assert (line.completed_percent, line.rating_percent("rated_good")) == (Decimal("77.7"), Decimal("14.7"))


def test_the_summary_says_when_no_contract_kpi_could_be_rated(june):
    assert "None of the 15 contract KPIs with a figure could be rated" in june
