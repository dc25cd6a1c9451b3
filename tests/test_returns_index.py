"""The returns list shows every month with its state, and the overview says what needs doing."""

import re
from datetime import date

import pytest
from django.utils import timezone

from kpis.models import MonthlyReturn, ValueStatus
from kpis.return_status import month_states, work_to_do
from tests.conftest import make_user

pytestmark = pytest.mark.django_db


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


@pytest.fixture
def officer(client):
    client.force_login(make_user("officer-i", "Performance officer"))
    return client


def test_every_month_from_the_first_with_figures_to_this_one_is_listed():
    today = date(2026, 11, 22)
    months = [state.month for year in month_states(today) for state in year.months]
    assert months[0] == date(2026, 11, 1) and months[-1] == date(2018, 1, 1)
    assert len(months) == len(set(months)) == (2026 - 2018) * 12 + 11


def test_gaps_are_shown_as_not_started_and_open_in_one_click(officer):
    html = officer.get("/returns/").content.decode()
    row = re.search(r'<a class="govuk-link" href="/returns/2020-05/">May 2020</a>.*?</tr>', html, re.S).group(
        0
    )
    assert "Not started" in row


def test_a_reopened_month_says_so_with_who_acted_last(officer):
    record = MonthlyReturn.objects.get(month=date(2022, 6, 1))
    MonthlyReturn.objects.filter(pk=record.pk).update(
        status=ValueStatus.DRAFT, updated_by=make_user("admin-i", "Administrator", is_staff=True),
        updated_at=timezone.now(),
    )  # fmt: skip
    html = officer.get("/returns/").content.decode()
    row = re.search(
        r'<th scope="row"[^>]*><a [^>]*href="/returns/2022-06/">June 2022</a>.*?</tr>', html, re.S
    ).group(0)
    assert "Reopened (draft)" in text_of(row) and "admin-i" in row


def test_what_needs_doing_lists_unstarted_months_drafts_submissions_and_corrections():
    MonthlyReturn.objects.create(month=date(2023, 3, 1), status=ValueStatus.DRAFT)
    MonthlyReturn.objects.create(month=date(2023, 4, 1), status=ValueStatus.SUBMITTED)
    MonthlyReturn.objects.filter(month=date(2022, 6, 1)).update(status=ValueStatus.SUBMITTED)
    todo = work_to_do(date(2023, 7, 10))
    assert [r.month for r in todo.drafts] == [date(2023, 3, 1)]
    assert [r.month for r in todo.awaiting_publication] == [date(2023, 4, 1)]
    assert [r.month for r in todo.reopened] == [date(2022, 6, 1)]
    # Every gap since the first return counts, oldest first: July 2022 is one, as are May and June 2023.
    assert todo.not_started[0] == date(2018, 1, 1) or todo.not_started[0] > date(2018, 1, 1)
    assert date(2022, 7, 1) in todo.not_started
    assert todo.not_started[-2:] == [date(2023, 5, 1), date(2023, 6, 1)]
    assert date(2022, 6, 1) not in todo.not_started
    assert todo.not_started_text.endswith(f"the oldest {todo.not_started[0]:%B %Y} and the latest June 2023")


def test_the_overview_shows_officers_what_needs_doing_and_board_members_nothing_of_it(officer, board_user):
    assert "What needs doing" in officer.get("/").content.decode()
    officer.force_login(board_user)
    assert "What needs doing" not in officer.get("/").content.decode()
