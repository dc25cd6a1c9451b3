"""Monthly returns: entering, checking, saving all or nothing, the workflow and lost updates."""

import re
from datetime import date
from decimal import Decimal

import pytest

from kpis.models import Indicator, MonthlyReturn, MonthlyValue, ValueStatus
from tests.conftest import make_user

pytestmark = pytest.mark.django_db

JULY = "/returns/2022-07/"


@pytest.fixture
def officer(client):
    client.force_login(make_user("officer-t", "Performance officer"))
    return client


@pytest.fixture
def administrator(client):
    client.force_login(make_user("admin-t", "Administrator", is_staff=True))
    return client


def pk(code: str) -> int:
    return Indicator.objects.get(code=code).pk


def version(month: date = date(2022, 7, 1)) -> int:
    record = MonthlyReturn.objects.filter(month=month).first()
    return record.version if record else 0


def complete_july(**overrides) -> dict[str, str]:
    """A full, valid July 2022 return: June's values repeated (so no commentary is needed),
    a reason where June had no value, and CLA below its target."""
    data = {"version": str(version())}
    june = {v.indicator_id: v.value for v in MonthlyValue.objects.filter(month=date(2022, 6, 1))}
    for indicator in Indicator.objects.filter(active=True):
        if indicator.pk in june:
            data[f"value_{indicator.pk}"] = f"{june[indicator.pk].normalize():f}"
        else:
            data[f"reason_{indicator.pk}"] = "not_collected"
    data[f"value_{pk('CLA')}"] = "790"
    data[f"commentary_{pk('CLA')}"] = "Fewer children entered care in July."
    data.update(overrides)
    return data


def july_value(code: str) -> MonthlyValue | None:
    return MonthlyValue.objects.filter(indicator__code=code, month=date(2022, 7, 1)).first()


def test_the_form_lists_every_active_indicator_with_last_months_value_and_status(officer):
    html = officer.get(JULY).content.decode()
    assert (
        html.count('class="govuk-fieldset app-return-entry') == Indicator.objects.filter(active=True).count()
    )
    pi_5 = html[html.index("5: Number of Children in need") :]
    assert "June 2022: 258" in re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", pi_5[:800]))


def test_saving_a_draft_keeps_what_was_entered_as_provisional(officer):
    response = officer.post(
        JULY, {"version": "0", f"value_{pk('5')}": "240", f"commentary_{pk('5')}": "Fewer."}
    )
    assert response.status_code == 302
    saved = july_value("5")
    assert (saved.value, saved.status, saved.commentary) == (240, ValueStatus.DRAFT, "Fewer.")
    assert MonthlyReturn.objects.get(month=date(2022, 7, 1)).version == 1


def test_a_percentage_over_100_is_refused_beside_its_field_and_in_the_summary(officer):
    response = officer.post(JULY, {"version": "0", f"value_{pk('1')}": "120"})
    html = response.content.decode()
    assert response.status_code == 400
    assert "There is a problem: nothing has been saved" in html
    assert f'href="#id_value_{pk("1")}"' in html
    assert "1: A percentage must be between 0 and 100" in html


@pytest.mark.parametrize(
    ("code", "text", "message"),
    [
        ("5", "2.5", "A count must be a whole number"),
        ("5", "-1", "A count cannot be negative"),
        ("2", "-3", "A rate per 10,000 cannot be negative"),
        ("1", "lots", "Enter a number, like 85.2"),
    ],
)
def test_values_are_checked_by_unit(officer, code, text, message):
    html = officer.post(JULY, {"version": "0", f"value_{pk(code)}": text}).content.decode()
    assert f"{code}: {message}" in html


def test_a_value_with_a_percent_sign_is_accepted(officer):
    officer.post(JULY, {"version": "0", f"value_{pk('1')}": "74.9%"})
    assert july_value("1").value == Decimal("74.9")


def test_one_bad_field_saves_nothing_at_all(officer):
    officer.post(JULY, {"version": "0", f"value_{pk('5')}": "258", f"value_{pk('1')}": "120"})
    assert july_value("5") is None
    assert not MonthlyReturn.objects.filter(month=date(2022, 7, 1)).exists()


def test_a_red_value_needs_commentary(officer):
    html = officer.post(JULY, {"version": "0", f"value_{pk('CLA')}": "900"}).content.decode()
    assert "CLA: Enter commentary, because it is Red" in html


def test_a_value_that_moves_from_last_month_needs_commentary(officer):
    html = officer.post(JULY, {"version": "0", f"value_{pk('1')}": "80"}).content.decode()
    assert "1: Enter commentary, because it moved from last month&#x27;s value" in html


def test_a_missing_value_needs_a_reason_before_submitting(officer):
    data = complete_july(**{f"value_{pk('5')}": "", "submit": "1"})
    html = officer.post(JULY, data).content.decode()
    assert "5: Enter a value, or select why it is missing" in html
    assert july_value("1") is None


def test_a_value_and_a_reason_together_are_refused(officer):
    data = {"version": "0", f"value_{pk('5')}": "10", f"reason_{pk('5')}": "not_collected"}
    assert "5: Remove the reason, or clear the value" in officer.post(JULY, data).content.decode()


def test_a_saved_value_cannot_be_silently_cleared(officer):
    officer.post(JULY, {"version": "0", f"value_{pk('5')}": "258"})
    html = officer.post(JULY, {"version": "1", f"value_{pk('5')}": ""}).content.decode()
    assert "5: Enter a value, or select why it is missing" in html
    assert july_value("5").value == 258


def test_submitting_a_complete_return_marks_it_submitted(officer):
    response = officer.post(JULY, complete_july(submit="1"))
    assert response.status_code == 302, response.content.decode()[:2000]
    record = MonthlyReturn.objects.get(month=date(2022, 7, 1))
    assert record.status == ValueStatus.SUBMITTED and record.submitted_by.username == "officer-t"
    assert set(MonthlyValue.objects.filter(month=date(2022, 7, 1)).values_list("status", flat=True)) == {
        "submitted"
    }
    assert july_value("AGENCY").missing_reason == "not_collected"


def test_the_second_of_two_concurrent_saves_is_refused_and_overwrites_nothing(client):
    first, second = make_user("first", "Performance officer"), make_user("second", "Performance officer")
    client.force_login(first)
    client.post(JULY, {"version": "0", f"value_{pk('5')}": "250", f"commentary_{pk('5')}": "First"})
    client.force_login(second)
    response = client.post(
        JULY, {"version": "0", f"value_{pk('5')}": "260", f"commentary_{pk('5')}": "Second"}
    )
    assert response.status_code == 409
    assert "first saved this return" in response.content.decode()
    assert "Nothing you entered has been saved" in response.content.decode()
    assert (july_value("5").value, july_value("5").commentary) == (250, "First")


def test_officers_cannot_publish_or_reopen(officer):
    officer.post(JULY, complete_july(submit="1"))
    assert officer.post("/returns/2022-07/publish/").status_code == 403
    assert officer.get("/returns/2022-06/reopen/").status_code == 403
    assert MonthlyReturn.objects.get(month=date(2022, 7, 1)).status == ValueStatus.SUBMITTED


def test_publishing_shows_the_month_to_board_members_and_locks_it(client):
    officer_user = make_user("officer-p", "Performance officer")
    client.force_login(officer_user)
    client.post(JULY, complete_july(submit="1"))
    client.force_login(make_user("admin-p", "Administrator", is_staff=True))
    client.post("/returns/2022-07/publish/")
    assert MonthlyReturn.objects.get(month=date(2022, 7, 1)).status == ValueStatus.PUBLISHED
    assert july_value("5").status == ValueStatus.PUBLISHED

    client.force_login(make_user("board-p", "Board member"))
    assert "July 2022</h1>" in client.get("/kpis/?month=2022-07").content.decode()

    client.force_login(officer_user)
    client.post(JULY, complete_july(**{f"value_{pk('5')}": "1", f"commentary_{pk('5')}": "Changed"}))
    assert july_value("5").value == 258  # locked: the published figure stands


def test_a_submitted_return_can_still_be_corrected_before_publishing(officer):
    officer.post(JULY, complete_july(submit="1"))
    data = complete_july(**{f"value_{pk('5')}": "250", f"commentary_{pk('5')}": "Corrected"})
    assert officer.post(JULY, data).status_code == 302
    assert july_value("5").value == 250


def test_reopening_needs_a_reason(administrator):
    response = administrator.post("/returns/2022-06/reopen/", {"reason": "  "})
    assert response.status_code == 400
    assert "Enter why the month is being reopened" in response.content.decode()
    assert MonthlyReturn.objects.get(month=date(2022, 6, 1)).status == ValueStatus.PUBLISHED


def test_reopening_with_a_reason_unlocks_the_month_and_records_why(administrator):
    administrator.post("/returns/2022-06/reopen/", {"reason": "PI 5 was counted twice"})
    record = MonthlyReturn.objects.get(month=date(2022, 6, 1))
    assert (record.status, record.reopen_reason) == (ValueStatus.DRAFT, "PI 5 was counted twice")
    value = MonthlyValue.objects.get(indicator__code="5", month=date(2022, 6, 1))
    assert value.status == ValueStatus.DRAFT
    assert value.history.first().history_change_reason == "Month reopened: PI 5 was counted twice"


def test_every_change_is_shown_on_the_indicator_page_with_who_old_new_and_why(client):
    client.force_login(make_user("officer-h", "Performance officer"))
    client.post(JULY, {"version": "0", f"value_{pk('5')}": "250", f"commentary_{pk('5')}": "First"})
    client.post(JULY, {"version": "1", f"value_{pk('5')}": "255", f"commentary_{pk('5')}": "Recounted"})
    html = client.get("/kpis/5/").content.decode()
    history = re.sub(r"\s+", " ", html[html.index("Change history") :])
    assert "Value 250 → 255" in history
    assert "Commentary “First” → “Recounted”" in history
    assert "officer-h" in history and "Return saved as draft" in history
    assert "27 values loaded from the trust's board reports" in history


def test_board_members_do_not_see_the_change_history(board_client):
    assert "Change history" not in board_client.get("/kpis/5/").content.decode()


@pytest.mark.parametrize("month", ["2022-7", "July", "2099-01"])
def test_a_return_for_an_impossible_month_is_not_found(officer, month):
    assert officer.get(f"/returns/{month}/").status_code == 404


def test_the_open_another_month_box_goes_to_that_return(officer):
    response = officer.get("/returns/go/?month=July 2022")
    assert response["Location"] == JULY
