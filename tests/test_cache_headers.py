"""Who may keep a copy: signed-in pages are private, drafts, downloads and imports are not stored."""

import pytest

from tests.conftest import make_user

pytestmark = pytest.mark.django_db


def cache_control(response) -> set[str]:
    return {part.strip() for part in response.get("Cache-Control", "").split(",") if part.strip()}


@pytest.fixture
def board(client):
    client.force_login(make_user("reader", "Board member"))
    return client


@pytest.fixture
def officer(client):
    client.force_login(make_user("officer", "Performance officer"))
    return client


def test_a_board_members_page_is_private(board):
    directives = cache_control(board.get("/kpis/?month=2022-06"))
    assert "private" in directives
    assert "public" not in directives


def test_a_board_members_published_page_may_stay_in_the_browser(board):
    assert "no-store" not in cache_control(board.get("/reports/2022-06/"))


def test_signed_in_pages_vary_by_cookie(board):
    assert "Cookie" in board.get("/").get("Vary", "")


def test_a_csv_download_is_never_stored(board):
    response = board.get("/kpis/?month=2022-06&format=csv")
    assert response["Content-Type"].startswith("text/csv")
    assert {"private", "no-store"} <= cache_control(response)


def test_an_excel_download_is_never_stored(board):
    response = board.get("/kpis/?month=2022-06&format=xlsx")
    assert {"private", "no-store"} <= cache_control(response)


def test_a_pdf_report_is_never_stored(board):
    response = board.get("/reports/2022-06/?format=pdf")
    assert response["Content-Type"] == "application/pdf"
    assert {"private", "no-store"} <= cache_control(response)


def test_a_draft_return_is_never_stored(officer):
    response = officer.get("/returns/2022-07/")
    assert response.status_code == 200
    assert {"private", "no-store"} <= cache_control(response)


def test_pages_showing_provisional_figures_to_officers_are_never_stored(officer):
    assert "no-store" in cache_control(officer.get("/kpis/?month=2022-07"))


def test_the_import_page_is_never_stored(client):
    client.force_login(make_user("boss", "Administrator", is_staff=True))
    assert {"private", "no-store"} <= cache_control(client.get("/imports/"))


def test_the_password_page_is_never_stored(board):
    assert "no-store" in cache_control(board.get("/account/password/"))
