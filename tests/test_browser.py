"""In a real browser: a board member signs in and finds a figure; axe finds no WCAG 2.2 AA violation.

Every tab watches for Content-Security-Policy violations (the browser's console reports each one,
and each fires a ``securitypolicyviolation`` event), and a test that caused any fails.

Runs Debian's Chromium (/usr/bin/chromium) through Playwright; `.ci/run` installs it.
"""

import csv
import os
import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect, sync_playwright

from sct_monitor.seed import SeedLoader
from tests.conftest import make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHROMIUM = "/usr/bin/chromium"
# Without the background-networking flags Chromium keeps trying to reach Google on a closed network.
CHROMIUM_ARGS = [
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip
WCAG_22_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
PASSWORD = "a-long-test-password-1"
# Added before any page script runs, in every frame: each violation is written to the console.
REPORT_CSP_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (event) => {
  console.error(`CSP violation: ${event.violatedDirective} blocked ${event.blockedURI || "inline"}`
    + ` at ${event.sourceFile}:${event.lineNumber}`);
});
"""


class CspWatch:
    """Every CSP violation reported in the tabs it watches."""

    def __init__(self):
        self.violations: list[str] = []

    def new_tab(self, browser, base_url: str) -> Page:
        context = browser.new_context(base_url=base_url)
        context.add_init_script(REPORT_CSP_VIOLATIONS)
        tab = context.new_page()
        tab.on("console", self.note)
        return tab

    def note(self, message) -> None:
        text = message.text
        if "Content Security Policy" in text or text.startswith("CSP violation"):
            self.violations.append(f"{message.page.url if message.page else ''}: {text}")


@pytest.fixture
def csp():
    watch = CspWatch()
    yield watch
    assert not watch.violations, "Content-Security-Policy violations:\n" + "\n".join(watch.violations)


@pytest.fixture(scope="module")
def browser(django_db_setup, django_db_blocker):
    # Playwright's sync API keeps an event loop in this thread, which makes Django refuse
    # database calls as if they came from async code; they do not, so allow them here only.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            yield chromium
            chromium.close()
    finally:
        del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]


@pytest.fixture
def page(browser, live_server, csp):
    # Live-server tests flush the database afterwards, so each one loads the seed data it reads.
    SeedLoader().load()
    tab = csp.new_tab(browser, live_server.url)
    yield tab
    tab.context.close()


def sign_in(page: Page, username: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


def assert_no_axe_violations(page: Page) -> None:
    # A click that navigates returns once the new page commits; axe needs its document loaded.
    page.wait_for_load_state("load")
    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG_22_AA}})
    assert results.violations_count == 0, results.generate_report()


def test_a_board_member_finds_pi_5_in_june_2022_and_opens_its_chart(page):
    make_user("reader", "Board member")
    sign_in(page, "reader")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Overview")
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Scorecard").click()
    page.get_by_label("Month", exact=True).select_option("2022-06")
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("June 2022")

    pi_5 = page.get_by_role("row").filter(has_text="unallocated for longer than five working days")
    expect(pi_5).to_contain_text("258")
    expect(pi_5).to_contain_text("No status")  # the status is a word, not only a colour
    expect(pi_5).to_contain_text("up 146, worsening")

    pi_5.get_by_role("link").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(
        "unallocated for longer than five working days"
    )
    chart = page.locator("#indicator-chart")
    expect(chart).to_have_attribute("data-chart-drawn", "true")
    expect(chart.locator("svg.main-svg").first).to_be_visible()
    expect(page.locator("figcaption")).to_contain_text("Latest value 258 in June 2022")
    june_2022 = page.get_by_role("row", name="June 2022")
    expect(june_2022).to_contain_text("258")


def test_the_scorecard_sorts_by_status_and_downloads_what_it_shows(page):
    make_user("reader", "Board member")
    sign_in(page, "reader")
    page.goto("/kpis/?month=2018-12")
    # Chrome names the link "Status , sort ascending": the hidden hint is a separate box.
    page.get_by_role("link", name=re.compile(r"^Status\W+sort ascending")).click()
    first_status = page.locator("tbody tr").first.locator(".govuk-tag")
    expect(first_status).to_have_text("Red")
    with page.expect_download() as download:
        page.get_by_role("link", name="CSV", exact=True).click()
    with open(download.value.path(), encoding="utf-8") as file:
        rows = list(csv.DictReader(file))
    assert (rows[0]["Status"], rows[0]["Judged against"]) == ("Red", "SN average 57.9")


def test_the_stylesheet_loads_from_this_site(page):
    page.goto("/accounts/login/")
    font = page.evaluate("getComputedStyle(document.querySelector('h1')).fontFamily")
    assert font.lower().startswith("arial")
    sheet = page.evaluate("document.styleSheets[0].href")
    assert sheet.startswith(page.url.split("/accounts/")[0] + "/static/")


def test_on_a_phone_a_month_without_commentary_shows_no_empty_commentary_label(page):
    make_user("reader", "Board member")
    sign_in(page, "reader")
    empty = "td[data-label='Commentary']:empty"
    for width, shown in ((1280, "table-cell"), (390, "none")):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto("/kpis/13/")
        assert page.locator(empty).count() > 0  # the seed has months without commentary
        assert page.eval_on_selector(empty, "cell => getComputedStyle(cell).display") == shown


def test_a_back_link_sits_in_a_navigation_landmark_of_its_own(page):
    make_user("reader", "Board member")
    sign_in(page, "reader")
    page.goto("/reports/2022-06/")
    back = page.get_by_role("navigation", name="Back").get_by_role("link", name="All reports")
    assert back.get_attribute("href") == "/reports/"


@pytest.mark.parametrize("path", ["/accounts/login/"])
def test_pages_before_sign_in_have_no_accessibility_violations(page, path):
    page.goto(path)
    assert_no_axe_violations(page)


def axe_walk(page: Page, paths: list[str], widths=(1280, 390), fit: tuple[str, ...] = ()) -> None:
    """Axe on each page at each width, every problem reported together; pages in ``fit`` must not
    scroll sideways."""
    problems = []
    for width in widths:
        page.set_viewport_size({"width": width, "height": 900})
        for path in paths:
            page.goto(path)
            page.wait_for_load_state("networkidle")
            results = Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG_22_AA}})
            if results.violations_count:
                problems.append(f"{path} at {width}px:\n{results.generate_report()}")
            wide = page.evaluate("document.documentElement.scrollWidth")
            if path in fit and wide > width:
                problems.append(f"{path} at {width}px scrolls sideways ({wide}px)")
    assert not problems, "\n".join(problems)


ASSURANCE_PAGES = (
    "/audits/", "/audits/complaints/", "/audits/inspections/3/", "/audits/plans/", "/audits/plans/1/",
    "/audits/risks/", "/audits/surveys/", "/improvement-plan/", "/improvement-plan/1/",
    "/improvement-plan/2/", "/workforce/", "/checks/",
)  # fmt: skip
BOARD_PAGES = [
    "/", "/kpis/", "/kpis/?month=2022-06", "/kpis/?month=2018-12", "/kpis/5/", "/kpis/2/?range=all",
    "/kpis/CLA/", "/help/statuses/", "/audits/returns/", "/audits/inspections/", "/finance/", "/figures/",
    "/targets/2022-23/", "/reports/", "/reports/2022-06/", "/reports/2018-19-q3/", "/reports/2022-23-q1/",
    *ASSURANCE_PAGES,
]  # fmt: skip
# Pages that must fit a phone's width without the page itself scrolling sideways.
FITS = (
    "/", "/kpis/", "/kpis/?month=2022-06", "/kpis/?month=2018-12", "/kpis/CLA/", "/targets/2022-23/",
    "/help/statuses/", "/reports/", "/reports/2022-06/", "/reports/2018-19-q3/", "/reports/2022-23-q1/",
    "/audits/returns/", "/finance/", *ASSURANCE_PAGES,
)  # fmt: skip
STAFF_PAGES = [
    "/returns/", "/returns/2022-07/", "/returns/2022-06/publish/", "/returns/2022-06/reopen/",
    "/targets/2018-19/edit/", "/kpis/CLA/", "/reports/2022-07/narrative/", "/reports/2022-06/",
    "/", "/audits/returns/new/", "/finance/lines/new/", "/improvement-plan/1/reviews/new/",
    "/audits/plans/actions/1/progress/", "/audits/inspections/items/1/edit/",
]  # fmt: skip


def test_board_pages_have_no_accessibility_violations_at_either_width(page):
    make_user("reader", "Board member")
    sign_in(page, "reader")
    axe_walk(page, BOARD_PAGES, fit=FITS)


def test_monthly_cycle_pages_have_no_accessibility_violations_at_either_width(page):
    make_user("boss", "Administrator", is_staff=True)
    sign_in(page, "boss")
    axe_walk(page, STAFF_PAGES, fit=tuple(STAFF_PAGES))


def test_a_board_member_reads_the_overview_then_junes_report_and_downloads_its_pdf(page):
    from pypdf import PdfReader

    make_user("reader", "Board member")
    sign_in(page, "reader")
    expect(page.get_by_role("heading", level=1)).to_contain_text("June 2022")
    expect(page.locator(".app-headline")).to_contain_text("0 of 15 contract KPIs Red")
    page.get_by_role("link", name="Read the report for June 2022").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("June 2022")
    expect(page.locator("#section-failures")).to_contain_text("Children looked after")
    with page.expect_download() as download:
        page.get_by_role("link", name="PDF of this report (A4)").click()
    text = " ".join(p.extract_text() for p in PdfReader(download.value.path()).pages)
    assert "Monthly Monitoring Report" in text and "June 2022" in text
    # Printed, the page keeps the report and drops the navigation and the download links.
    page.emulate_media(media="print")
    expect(page.locator(".govuk-service-navigation")).to_be_hidden()
    expect(page.locator(".app-report-actions")).to_be_hidden()
    expect(page.locator("#section-indicators")).to_be_visible()


def test_signing_out_returns_to_sign_in(page):
    make_user("reader", "Board member")
    sign_in(page, "reader")
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("You have signed out")


def july_column() -> tuple[str, list[int]]:
    """June 2022's figures in form order, as a spreadsheet column (CLA at 790), and the indicators
    June had no figure for, whose lines are blank."""
    from datetime import date

    from kpis.models import Indicator, MonthlyValue

    june = {v.indicator_id: v.value for v in MonthlyValue.objects.filter(month=date(2022, 6, 1))}
    lines, blanks = [], []
    for indicator in Indicator.objects.filter(active=True).order_by("display_order", "code"):
        if not indicator.reports_in(date(2022, 7, 1)):
            continue
        if indicator.code == "CLA":
            lines.append("790")
        elif indicator.pk in june:
            lines.append(f"{june[indicator.pk].normalize():f}")
        else:
            lines.append("")
            blanks.append(indicator.pk)
    return "\r\n".join(lines) + "\r\n", blanks


def paste(page: Page, selector: str, text: str) -> None:
    """What pasting a copied spreadsheet column does: a paste event carrying the text."""
    page.locator(selector).evaluate(
        """(box, text) => { const data = new DataTransfer(); data.setData('text/plain', text);
        box.dispatchEvent(new ClipboardEvent('paste',
            {clipboardData: data, bubbles: true, cancelable: true})); }""",
        text,
    )


def test_the_monthly_cycle_from_a_pasted_column_to_a_published_correction(browser, live_server, csp):
    from kpis.models import Indicator

    SeedLoader().load()
    make_user("officer", "Performance officer")
    make_user("boss", "Administrator", is_staff=True)
    make_user("reader", "Board member")
    cla, pi_14 = Indicator.objects.get(code="CLA").pk, Indicator.objects.get(code="14").pk

    officer = csp.new_tab(browser, live_server.url)
    sign_in(officer, "officer")
    officer.get_by_role("navigation", name="Menu").get_by_role("link", name="Monthly returns").click()
    assert_no_axe_violations(officer)
    officer.get_by_label("Open another month").fill("07/2022")
    officer.get_by_role("button", name="Open").click()
    expect(officer.get_by_role("heading", level=1)).to_contain_text("July 2022")
    expect(officer.locator("#return-form")).to_have_attribute("data-ready", "true")  # its script is running

    # The status the value would get appears as the officer types, with the size of the move.
    officer.locator(f"#id_value_{cla}").fill("900")
    preview = officer.locator(".app-return-entry", has=officer.locator(f"#id_value_{cla}")).locator(
        ".js-preview"
    )
    expect(preview).to_contain_text("Status if saved: Red trajectory 828 towards target 796")
    expect(preview).to_contain_text("Up 52 on June 2022")
    expect(preview).to_contain_text("Commentary needed on submitting, because it is Red")
    officer.locator(f"#id_value_{Indicator.objects.get(code='1').pk}").fill("120")
    expect(officer.locator(".app-return-entry").first.locator(".js-preview")).to_contain_text(
        "A percentage must be between 0 and 100"
    )

    # A column copied from the spreadsheet fills every box in order.
    column, blanks = july_column()
    first_box = officer.locator(".js-return-value").first.get_attribute("id")
    paste(officer, f"#{first_box}", column)
    filled = len(column.strip("\r\n").split("\r\n"))
    expect(officer.locator("#paste-note")).to_contain_text(f"Filled {filled} values from the pasted column")
    expect(officer.locator(f"#id_value_{cla}")).to_have_value("790")
    for pk in blanks:
        officer.locator(f"#id_reason_{pk}").select_option("not_collected")
    assert_no_axe_violations(officer)
    officer.get_by_role("button", name="Submit return").click()
    expect(officer.locator(".govuk-notification-banner")).to_contain_text("has been submitted")

    board = csp.new_tab(browser, live_server.url)
    sign_in(board, "reader")

    administrator = csp.new_tab(browser, live_server.url)
    sign_in(administrator, "boss")
    administrator.goto("/returns/")
    administrator.get_by_role("link", name="Review and publish July 2022").click()
    expect(administrator.get_by_role("heading", level=1)).to_contain_text("July 2022")
    expect(administrator.locator("main")).to_contain_text("AGENCY: Not collected this month")
    assert_no_axe_violations(administrator)
    administrator.get_by_role("button", name="Publish July 2022").click()
    expect(administrator.locator(".govuk-notification-banner")).to_contain_text("It is published")

    # June is reopened to correct PI 14; the board still sees June as published.
    administrator.goto("/returns/2022-06/")
    administrator.get_by_role("link", name="Reopen June 2022 to correct it").click()
    administrator.get_by_label("Why are you reopening June 2022?").fill("PI 14 was miscounted")
    administrator.get_by_role("button", name="Reopen June 2022").click()
    expect(administrator.locator("#return-form")).to_have_attribute("data-ready", "true")
    board.goto("/kpis/?month=2022-06")
    expect(board.get_by_role("heading", level=1)).to_contain_text("June 2022")
    expect(board.get_by_role("row").filter(has_text="Average overall caseloads")).to_contain_text("19.61")
    board.goto("/kpis/?month=2022-07")
    expect(board.get_by_role("row").filter(has_text="Children looked after").first).to_contain_text("Green")

    administrator.locator(f"#id_value_{pi_14}").fill("19.71")
    administrator.get_by_role("button", name="Submit return").click()
    expect(administrator.locator(".govuk-notification-banner")).to_contain_text("has been submitted")
    administrator.get_by_role("link", name="Review its summary and publish June 2022").click()
    expect(administrator.locator("main")).to_contain_text("19.61 → 19.71")
    expect(administrator.get_by_label("Reason for the correction")).to_have_value("PI 14 was miscounted")
    assert_no_axe_violations(administrator)
    administrator.get_by_role("button", name="Publish the correction to June 2022").click()
    expect(administrator.locator(".govuk-notification-banner")).to_contain_text("The correction is published")

    board.goto("/kpis/?month=2022-06")
    pi_14_row = board.get_by_role("row").filter(has_text="Average overall caseloads")
    expect(pi_14_row).to_contain_text("19.71")
    expect(pi_14_row).to_contain_text("was 19.61, now 19.71. Reason: PI 14 was miscounted")
    assert_no_axe_violations(board)


def test_an_administrator_previews_then_imports_a_file(page, tmp_path):
    from kpis.models import MonthlyValue

    make_user("boss", "Administrator", is_staff=True)
    sign_in(page, "boss")
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Imports").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Import data")
    assert_no_axe_violations(page)
    upload = tmp_path / "july.csv"
    upload.write_text(
        "indicator_code,month,value,commentary\n5,2022-07,240,Fewer unallocated\n", encoding="utf-8"
    )
    page.get_by_label("KPI values, one per line").check()
    page.get_by_label("File (.csv or .xlsx)").set_input_files(str(upload))
    page.get_by_role("button", name="Check the file").click()
    confirm = page.get_by_role("button", name="Import 2 created, 0 updated, 0 unchanged")
    expect(confirm).to_be_visible()
    assert_no_axe_violations(page)
    assert not MonthlyValue.objects.filter(month="2022-07-01").exists()
    confirm.click()
    expect(page.locator(".govuk-panel")).to_contain_text("2 created, 0 updated, 0 unchanged")
    assert MonthlyValue.objects.get(indicator__code="5", month="2022-07-01").value == 240


def test_an_administrator_watches_a_large_import_run_in_its_own_process(
    page, tmp_path, settings, monkeypatch
):
    from kpis.models import MonthlyValue
    from sct_monitor.importing import background

    settings.IMPORT_BACKGROUND_ROWS = 0  # every file goes to the background
    handed_over: list[tuple] = []
    monkeypatch.setattr(
        background, "start_process", lambda log_id, user_id: handed_over.append((log_id, user_id))
    )
    make_user("boss", "Administrator", is_staff=True)
    sign_in(page, "boss")
    upload = tmp_path / "july.csv"
    upload.write_text("indicator_code,month,value\n5,2022-07,240\n", encoding="utf-8")
    page.goto("/imports/")
    page.get_by_label("KPI values, one per line").check()
    page.get_by_label("File (.csv or .xlsx)").set_input_files(str(upload))
    page.get_by_role("button", name="Check the file").click()
    page.get_by_role("button", name="Import 2 created, 0 updated, 0 unchanged").click()
    expect(page.get_by_text("Importing 1 row: started at")).to_be_visible()
    expect(page.locator("#app-import-progress")).to_contain_text(
        "Still importing (checked at", timeout=10_000
    )
    assert_no_axe_violations(page)
    assert not MonthlyValue.objects.filter(month="2022-07-01").exists()
    # The import's process, run here: the page finds out by itself and shows the result.
    [(log_id, user_id)] = handed_over
    background.run_handed_over(log_id, user_id)
    expect(page.locator(".govuk-panel")).to_contain_text("2 created, 0 updated, 0 unchanged", timeout=10_000)
    assert MonthlyValue.objects.get(indicator__code="5", month="2022-07-01").value == 240
