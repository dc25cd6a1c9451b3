"""The page shell: GOV.UK look without the crown, landmarks, and navigation by role."""

import re

import pytest

from tests.conftest import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def page(client, board_user):
    client.force_login(board_user)
    return client.get("/").content.decode()


def test_the_header_names_the_trust_and_has_no_crown(page):
    assert "Sandwell Children&#x27;s Trust" in page
    assert "govuk-logo" not in page and "<svg" not in page.split("<main")[0]


def test_the_page_has_a_skip_link_to_the_main_landmark(page):
    assert 'href="#main-content"' in page
    assert '<main class="govuk-main-wrapper" id="main-content">' in page
    assert "<header" in page and 'role="contentinfo"' in page and "<nav" in page


def test_every_asset_is_served_from_this_site(page):
    sources = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert sources
    assert not [s for s in sources if s.startswith(("http:", "https:", "//"))]


def test_the_stylesheet_uses_arial_not_the_gov_uk_typeface(settings):
    css = (settings.BASE_DIR / "static" / "css" / "app.css").read_text()
    assert "arial" in css.lower()
    assert "GDS Transport" not in css
    assert "govuk-crest" not in css


def test_navigation_shows_administration_to_administrators_only(client):
    client.force_login(make_user("boss", "Administrator", is_staff=True))
    assert "Administration" in client.get("/").content.decode()
    client.force_login(make_user("reader", "Board member"))
    assert "Administration" not in client.get("/").content.decode()


def test_a_user_without_a_role_is_told_to_ask_for_one(client, roleless_user):
    client.force_login(roleless_user)
    page = client.get("/").content.decode()
    assert "no role yet" in page
    assert "Indicators" not in page


def test_the_current_section_is_marked_for_screen_readers(board_client):
    page = board_client.get("/kpis/").content.decode()
    assert re.search(r'href="/kpis/"\s+aria-current="page"', page)
