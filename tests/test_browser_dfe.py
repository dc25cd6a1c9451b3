"""In a real browser: an administrator brings in a new DfE indicator with no developer, and the
DfE comparison pages have no WCAG 2.2 AA violation and fit a phone."""

from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from playwright.sync_api import expect

from kpis.models import AreaValue, NeighbourModel
from sct_monitor.importing.engine import apply_import
from tests import test_browser
from tests.conftest import make_user
from tests.test_browser import axe_walk, sign_in

# The signed-in browser page, as tests/test_browser.py sets it up (its fixtures, shared).
browser, page, csp = test_browser.browser, test_browser.page, test_browser.csp

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DFE = Path(settings.BASE_DIR).parent / "shared" / "data" / "dfe"
REREFERRALS = (
    "time_period,time_identifier,geographic_level,country_code,country_name,region_code,region_name,"
    "old_la_code,new_la_code,la_name,re_referrals_percent\n"
    "2025,Reporting year,National,E92000001,England,,,,,,21.9\n"
    "2025,Reporting year,Regional,E92000001,England,E12000005,West Midlands,,,,23.1\n"
    "2025,Reporting year,Local authority,E92000001,England,E12000005,West Midlands,333,E08000028,"
    "Sandwell,19.4\n"
    "2025,Reporting year,Local authority,E92000001,England,E12000005,West Midlands,336,E08000031,"
    "Wolverhampton,x\n"
)


def load_dfe_files() -> None:
    for kind, name, options in (
        ("sn-model", "sn_may_2025.xlsx", {"applies_from": "2025-05-01"}),
        ("dfe-ees", "ons_mid-year_population_estimates_2012_to_2024.csv", {}),
        ("dfe-ees", "d5_cpps_at31march_by_duration_2013_to_2025.csv", {}),
        ("dfe-ees", "csww_indicators_2017_to_2025.csv", {}),
    ):
        assert apply_import(kind, name, (DFE / name).read_bytes(), None, options=options)[0].ok


def test_an_administrator_maps_a_new_dfe_column_then_imports_the_unchanged_file(page, tmp_path):
    model = (DFE / "sn_may_2025.xlsx").read_bytes()
    assert apply_import("sn-model", "sn_may_2025.xlsx", model, None, options={"applies_from": "2025-05-01"})[
        0
    ].ok
    make_user("boss", "Administrator", is_staff=True)
    sign_in(page, "boss")
    page.goto("/comparators/")
    page.get_by_role("link", name="DfE mappings").click()
    page.get_by_role("link", name="Add a mapping").click()
    page.get_by_label("Indicator").fill("RE-REFERRAL")
    page.get_by_label("File column").fill("re_referrals_percent")
    page.get_by_label("Publication").fill("Children in need")
    page.get_by_label("Day each figure describes").fill("31-03")  # the wrong way round, as people do
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("31 March is 03-31")
    page.get_by_label("Day each figure describes").fill("03-31")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("main")).to_contain_text("Saved the mapping re_referrals_percent → RE-REFERRAL")

    upload = tmp_path / "c1_rereferrals_2025.csv"
    upload.write_text(REREFERRALS, encoding="utf-8")
    page.goto("/imports/")
    page.get_by_label("DfE Explore Education Statistics table").check()
    page.get_by_label("File (.csv or .xlsx)").set_input_files(str(upload))
    page.get_by_role("button", name="Check the file").click()
    expect(page.locator("body")).to_contain_text("re_referrals_percent → RE-REFERRAL (at 31 March)")
    page.get_by_role("button", name="Import 4 created").click()
    expect(page.locator(".govuk-panel")).to_contain_text("Imported")
    assert AreaValue.objects.get(indicator__code="RE-REFERRAL", area_code="333").value == Decimal("19.4")

    page.goto("/kpis/RE-REFERRAL/")
    expect(page.get_by_role("heading", name="Compared with other authorities, 31 March 2025")).to_be_visible()
    expect(page.get_by_role("row", name="Wolverhampton")).to_contain_text("x: not available")


def test_dfe_comparison_pages_have_no_accessibility_violations_and_fit_a_phone(page):
    load_dfe_files()
    model = NeighbourModel.objects.get()
    make_user("reader", "Board member")
    sign_in(page, "reader")
    page.goto("/kpis/13/")
    expect(page.locator("#area-chart")).to_have_attribute("data-chart-drawn", "true")
    expect(page.get_by_role("row", name="Sandwell").first).to_contain_text("8.7%")
    reader_pages = ["/kpis/13/?range=all", "/kpis/2/?range=all", "/comparators/", "/comparators/mappings/",
                    "/help/statuses/"]  # fmt: skip
    axe_walk(page, reader_pages, fit=tuple(reader_pages))
    page.get_by_role("button", name="Sign out").click()
    make_user("boss", "Administrator", is_staff=True)
    sign_in(page, "boss")
    admin_pages = ["/comparators/mappings/", "/comparators/mappings/new/", f"/comparators/models/{model.pk}/",
                   "/imports/"]  # fmt: skip
    axe_walk(page, admin_pages, fit=tuple(admin_pages))
