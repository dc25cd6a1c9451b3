"""In a real browser: a board member signs in and finds a figure; axe finds no WCAG 2.2 AA violation.

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
def page(browser, live_server):
    # Live-server tests flush the database afterwards, so each one loads the seed data it reads.
    SeedLoader().load()
    context = browser.new_context(base_url=live_server.url)
    tab = context.new_page()
    yield tab
    context.close()


def sign_in(page: Page, username: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


def assert_no_axe_violations(page: Page) -> None:
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
        page.get_by_role("link", name="Download this table as CSV").click()
    with open(download.value.path(), encoding="utf-8") as file:
        rows = list(csv.DictReader(file))
    assert rows[0]["Status"].startswith("Red (")


def test_the_stylesheet_loads_from_this_site(page):
    page.goto("/accounts/login/")
    font = page.evaluate("getComputedStyle(document.querySelector('h1')).fontFamily")
    assert font.lower().startswith("arial")
    sheet = page.evaluate("document.styleSheets[0].href")
    assert sheet.startswith(page.url.split("/accounts/")[0] + "/static/")


@pytest.mark.parametrize("path", ["/accounts/login/"])
def test_pages_before_sign_in_have_no_accessibility_violations(page, path):
    page.goto(path)
    assert_no_axe_violations(page)


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/kpis/",
        "/kpis/?month=2022-06",
        "/kpis/?month=2018-12",
        "/kpis/5/",
        "/kpis/2/?range=all",
        "/help/statuses/",
        "/audits/returns/",
        "/audits/inspections/",
        "/finance/",
        "/figures/",
    ],
)
def test_signed_in_pages_have_no_accessibility_violations(page, path):
    make_user("reader", "Board member")
    sign_in(page, "reader")
    page.goto(path)
    page.wait_for_load_state("networkidle")
    assert_no_axe_violations(page)


def test_signing_out_returns_to_sign_in(page):
    make_user("reader", "Board member")
    sign_in(page, "reader")
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("You have signed out")


def fill_july_return(page: Page) -> None:
    """Type June 2022's figures again (so nothing needs commentary) and a reason where June had none."""
    from datetime import date

    from kpis.models import Indicator, MonthlyValue

    june = {v.indicator_id: v.value for v in MonthlyValue.objects.filter(month=date(2022, 6, 1))}
    for indicator in Indicator.objects.filter(active=True):
        if indicator.code == "CLA":
            continue
        if indicator.pk in june:
            page.locator(f"#id_value_{indicator.pk}").fill(f"{june[indicator.pk].normalize():f}")
        else:
            page.locator(f"#id_reason_{indicator.pk}").select_option("not_collected")


def test_an_officer_submits_july_2022_an_administrator_publishes_and_the_board_sees_it(browser, live_server):
    from kpis.models import Indicator

    SeedLoader().load()
    make_user("officer", "Performance officer")
    make_user("boss", "Administrator", is_staff=True)
    make_user("reader", "Board member")
    cla = Indicator.objects.get(code="CLA").pk

    officer = browser.new_context(base_url=live_server.url).new_page()
    sign_in(officer, "officer")
    officer.get_by_role("navigation", name="Menu").get_by_role("link", name="Monthly returns").click()
    assert_no_axe_violations(officer)
    officer.get_by_label("Open another month").fill("2022-07")
    officer.get_by_role("button", name="Open").click()
    expect(officer.get_by_role("heading", level=1)).to_contain_text("July 2022")
    assert_no_axe_violations(officer)

    # The status the value would get appears as the officer types.
    officer.locator(f"#id_value_{cla}").fill("900")
    preview = officer.locator(".app-return-entry", has=officer.locator(f"#id_value_{cla}")).locator(
        ".js-preview"
    )
    expect(preview).to_contain_text("Status if saved: Red target 796")
    expect(preview).to_contain_text("Commentary needed")

    # Submitting without commentary for the Red value saves nothing and says why.
    fill_july_return(officer)
    officer.get_by_role("button", name="Submit return").click()
    expect(officer.locator(".govuk-error-summary")).to_contain_text(
        "CLA: Enter commentary, because it is Red"
    )
    assert_no_axe_violations(officer)
    officer.locator(f"#id_value_{cla}").fill("790")
    officer.locator(f"#id_commentary_{cla}").fill("Fewer children entered care in July.")
    officer.get_by_role("button", name="Submit return").click()
    expect(officer.locator(".govuk-notification-banner")).to_contain_text("has been submitted")

    administrator = browser.new_context(base_url=live_server.url).new_page()
    sign_in(administrator, "boss")
    administrator.goto("/returns/2022-07/")
    administrator.get_by_role("button", name="Publish July 2022").click()
    expect(administrator.locator(".govuk-notification-banner")).to_contain_text("is published")

    board = browser.new_context(base_url=live_server.url).new_page()
    sign_in(board, "reader")
    board.goto("/kpis/?month=2022-07")
    cla_row = board.get_by_role("row").filter(has_text="Children looked after").first
    expect(cla_row).to_contain_text("790")
    expect(cla_row).to_contain_text("Green")
    expect(cla_row).not_to_contain_text("Provisional")


def test_an_administrator_previews_then_imports_a_file(page, tmp_path):
    from kpis.models import MonthlyValue

    make_user("boss", "Administrator", is_staff=True)
    sign_in(page, "boss")
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Imports").click()
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


def test_dfe_comparison_pages_have_no_accessibility_violations(page):
    from pathlib import Path

    from django.conf import settings

    from sct_monitor.importing.engine import apply_import

    dfe = Path(settings.BASE_DIR).parent / "shared" / "data" / "dfe"
    for kind, name in (
        ("sn-model", "sn_model_2025_wide.csv"),
        ("dfe-ees", "csww_indicators_2017_to_2025.csv"),
    ):
        assert apply_import(kind, name, (dfe / name).read_bytes(), None)[0].ok
    make_user("reader", "Board member")
    sign_in(page, "reader")
    page.goto("/kpis/13/")
    expect(page.locator("#area-chart")).to_have_attribute("data-chart-drawn", "true")
    expect(page.get_by_role("row", name="Sandwell")).to_contain_text("8.7%")
    assert_no_axe_violations(page)
    page.goto("/comparators/")
    assert_no_axe_violations(page)
