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
    """A full, valid July 2022 return: June's values repeated, a reason where June had no value,
    and CLA below its trajectory."""
    data = {"version": str(version())}
    june = {v.indicator_id: v.value for v in MonthlyValue.objects.filter(month=date(2022, 6, 1))}
    for indicator in Indicator.objects.filter(active=True):
        if not indicator.reports_in(date(2022, 7, 1)):
            continue
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


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_the_form_lists_every_indicator_due_that_month_with_last_months_value_and_status(officer):
    html = officer.get(JULY).content.decode()
    due = [i for i in Indicator.objects.filter(active=True) if i.reports_in(date(2022, 7, 1))]
    assert html.count('class="govuk-fieldset app-return-entry') == len(due)
    pi_5 = html[html.index("5: Number of Children in need") :]
    assert "June 2022: 258" in text_of(pi_5[:800])


def test_a_quarterly_indicator_is_asked_for_only_at_the_end_of_a_quarter(officer):
    audits = pk("AUDITS")
    july = officer.get(JULY).content.decode()
    assert f'name="value_{audits}"' not in july
    assert "Not due this month (reported quarterly" in text_of(july) and "AUDITS" in july
    assert f'name="value_{audits}"' in officer.get("/returns/2022-09/").content.decode()


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
        ("1", "NaN", "Enter a number, like 85.2"),
    ],
)
def test_values_are_checked_by_unit_even_in_a_draft(officer, code, text, message):
    html = officer.post(JULY, {"version": "0", f"value_{pk(code)}": text}).content.decode()
    assert f"{code}: {message}" in html


def test_a_value_with_a_percent_sign_is_accepted(officer):
    officer.post(JULY, {"version": "0", f"value_{pk('1')}": "74.9%"})
    assert july_value("1").value == Decimal("74.9")


def test_one_bad_field_saves_nothing_at_all(officer):
    officer.post(JULY, {"version": "0", f"value_{pk('5')}": "258", f"value_{pk('1')}": "120"})
    assert july_value("5") is None
    assert not MonthlyReturn.objects.filter(month=date(2022, 7, 1)).exists()


def test_a_draft_of_a_red_value_without_commentary_is_saved(officer):
    response = officer.post(JULY, {"version": "0", f"value_{pk('CLA')}": "900"})
    assert response.status_code == 302
    assert july_value("CLA").value == 900


def test_a_draft_never_asks_for_missing_values_or_reasons(officer):
    response = officer.post(JULY, {"version": "0", f"value_{pk('1')}": "80"})
    assert response.status_code == 302
    assert MonthlyValue.objects.filter(month=date(2022, 7, 1)).count() == 1


def test_submitting_a_red_value_needs_commentary(officer):
    red = {f"value_{pk('CLA')}": "900", f"commentary_{pk('CLA')}": ""}
    html = officer.post(JULY, complete_july(submit="1", **red)).content.decode()
    assert "CLA: Enter commentary, because it is Red" in html
    assert july_value("CLA") is None


def test_a_movement_needs_no_commentary_when_no_significant_variance_is_set(officer):
    # PI 2 from 45.5 in June to 44.9: the complaint was that this demanded an essay.
    data = complete_july(submit="1", **{f"value_{pk('2')}": "44.9"})
    assert officer.post(JULY, data).status_code == 302
    assert july_value("2").value == Decimal("44.9")


def test_a_movement_beyond_the_significant_variance_needs_commentary_on_submit(officer):
    Indicator.objects.filter(code="2").update(significant_variance=Decimal("2"))
    html = officer.post(JULY, complete_july(submit="1", **{f"value_{pk('2')}": "48"})).content.decode()
    assert (
        "2: Enter commentary, because it moved 2.5 from June 2022, more than its significant variance of 2.0"
        in html
    )
    within = complete_july(submit="1", **{f"value_{pk('2')}": "47.5"})
    assert officer.post(JULY, within).status_code == 302


def test_a_missing_value_needs_a_reason_before_submitting(officer):
    data = complete_july(**{f"value_{pk('5')}": "", "submit": "1"})
    html = officer.post(JULY, data).content.decode()
    assert "5: Enter a value, or select why it is missing" in html
    assert july_value("1") is None


def test_a_value_and_a_reason_together_are_refused(officer):
    data = {"version": "0", f"value_{pk('5')}": "10", f"reason_{pk('5')}": "not_collected"}
    assert "5: Remove the reason, or clear the value" in officer.post(JULY, data).content.decode()


def test_commentary_without_a_value_or_reason_is_refused_rather_than_lost(officer):
    data = {"version": "0", f"commentary_{pk('5')}": "About PI 5"}
    html = officer.post(JULY, data).content.decode()
    assert "5: Enter a value, or select why it is missing, to keep the commentary" in html


def test_clearing_a_saved_value_in_a_draft_removes_it_and_keeps_its_history(officer):
    officer.post(JULY, {"version": "0", f"value_{pk('5')}": "258"})
    response = officer.post(JULY, {"version": "1", f"value_{pk('5')}": ""}, follow=True)
    assert "Removed: 5." in response.content.decode()
    assert july_value("5") is None
    record = MonthlyValue.history.filter(indicator__code="5", month=date(2022, 7, 1)).first()
    assert (record.history_type, record.value, record.history_user.username) == ("-", 258, "officer-t")
    assert record.history_change_reason == "Return saved as draft: value removed"


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
        JULY, {"version": "0", f"value_{pk('5')}": "260", f"commentary_{pk('5')}": "Second",
               "opened_at": "2000-01-01T00:00:00+00:00"},
    )  # fmt: skip
    html = response.content.decode()
    assert response.status_code == 409
    assert "first changed this return" in html and "Nothing you entered has been saved" in html
    # What the other person changed is listed.
    assert "What changed after you opened the return" in html and "Entered 250" in html
    assert (july_value("5").value, july_value("5").commentary) == (250, "First")


def test_sending_the_same_form_twice_is_harmless(officer):
    data = complete_july(submit="1")
    assert officer.post(JULY, data).status_code == 302
    again = officer.post(JULY, data)
    assert again.status_code == 302
    assert MonthlyReturn.objects.get(month=date(2022, 7, 1)).version == 1


def test_a_form_opened_before_an_import_is_refused(officer, admin_user_role):
    from sct_monitor.importing.engine import apply_import

    officer.post(JULY, {"version": "0", f"value_{pk('5')}": "250"})
    opened = officer.get(JULY).content.decode()
    opened_version = re.search(r'name="version" value="(\d+)"', opened).group(1)
    plan, _ = apply_import(
        "kpi-long", "fix.csv", b"indicator_code,month,value\n5,2022-07,245\n", admin_user_role
    )
    assert plan.ok
    response = officer.post(JULY, {"version": opened_version, f"value_{pk('5')}": "250"})
    assert response.status_code == 409
    assert july_value("5").value == 245


def test_officers_cannot_publish_or_reopen(officer):
    officer.post(JULY, complete_july(submit="1"))
    assert officer.post("/returns/2022-07/publish/", {"version": version()}).status_code == 403
    assert officer.get("/returns/2022-06/reopen/").status_code == 403
    assert MonthlyReturn.objects.get(month=date(2022, 7, 1)).status == ValueStatus.SUBMITTED


def test_board_members_do_not_see_the_change_history(board_client):
    assert "Change history" not in board_client.get("/kpis/5/").content.decode()


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


@pytest.mark.parametrize("month", ["2022-7", "July", "2099-01"])
def test_a_return_for_an_impossible_month_is_not_found(officer, month):
    assert officer.get(f"/returns/{month}/").status_code == 404


@pytest.mark.parametrize("typed", ["2022-07", "07/2022", "7/2022", "Jul 2022", "July 2022", " july 2022 "])
def test_the_open_another_month_box_reads_the_ways_people_write_a_month(officer, typed):
    response = officer.get("/returns/go/", {"month": typed})
    assert response["Location"] == JULY


def test_the_open_another_month_box_explains_what_it_could_not_read(officer):
    response = officer.get("/returns/go/", {"month": "Julember"}, follow=True)
    assert (
        "‘Julember’ is not a month. Enter a month like 2022-07, 07/2022 or July 2022."
        in response.content.decode()
    )
