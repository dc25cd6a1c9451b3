"""The targets pages: everyone reads a year's targets; administrators edit a whole year with a reason."""

import re
from datetime import date
from decimal import Decimal

import pytest

from kpis.models import Indicator, MonthlyValue, Target, ValueStatus
from sct_monitor.importing.engine import apply_import, plan_import
from tests.conftest import make_user

pytestmark = pytest.mark.django_db


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def pk(code: str) -> int:
    return Indicator.objects.get(code=code).pk


@pytest.fixture
def admin(client):
    client.force_login(make_user("admin-targets", "Administrator", is_staff=True))
    return client


def year_form(client, year: str = "2022-23", query: str = "") -> dict[str, str]:
    """The edit form's fields as the page fills them."""
    html = client.get(f"/targets/{year}/edit/{query}").content.decode()
    data = dict(re.findall(r'<input [^>]*name="([a-z]+_\d+|fingerprint)"[^>]*value="([^"]*)"', html))
    for name, body in re.findall(r'<select [^>]*name="(judged_\d+)"[^>]*>(.*?)</select>', html, re.S):
        chosen = re.search(r'<option value="([^"]*)" selected>', body) or re.search(
            r'<option value="([^"]*)"', body
        )
        data[name] = chosen.group(1)
    return data


def test_the_targets_page_opens_on_the_year_of_the_latest_figures(board_client):
    assert board_client.get("/targets/")["Location"] == "/targets/2022-23/"


def test_a_year_lists_every_active_indicator_with_its_target_said_in_words(board_client):
    html = board_client.get("/targets/2022-23/").content.decode()
    text = text_of(html)
    body = html[html.index("<tbody") :]
    assert body.count('<tr class="govuk-table__row">') == Indicator.objects.filter(active=True).count()
    assert "796 by 31 March 2023" in text
    assert (
        "judged against a straight line from the value for March 2022 (844) to the target at 31 March 2023"
        in text
    )
    assert "“The target for March 2023 is 796.”" in text
    assert "1 of the 24 active indicators has a target for 2022/23" in text


def test_2018_19_holds_the_range_the_agency_rate_and_the_contracts_90_audits(board_client):
    text = text_of(board_client.get("/targets/2018-19/").content.decode())
    assert "15.00 to 18.00" in text and "judged against the worse end of the range" in text
    assert "Every month against 20.0%" in text
    assert "Every month against 90" in text and "(90 audits per quarter)" in text


def test_board_members_read_but_cannot_edit(board_client):
    assert "Edit the targets" not in board_client.get("/targets/2022-23/").content.decode()
    assert board_client.get("/targets/2022-23/edit/").status_code == 403
    assert board_client.post("/targets/2022-23/edit/", {}).status_code == 403


@pytest.mark.parametrize("year", ["2022", "2022-24", "1999-00", "banana"])
def test_a_year_that_is_not_one_is_not_found(board_client, year):
    assert board_client.get(f"/targets/{year}/").status_code == 404


def test_an_administrator_sets_a_target_with_amber_and_the_change_is_kept_with_its_reason(admin):
    data = year_form(admin)
    one = pk("1")
    data.update({f"target_{one}": "85", f"tolerance_{one}": "5", "reason": "Agreed at the March board"})
    response = admin.post("/targets/2022-23/edit/", data, follow=True)
    assert "Saved the targets for 2022/23: 1 target set" in response.content.decode()
    target = Target.objects.get(indicator_id=one, financial_year=2022)
    assert (target.value, target.amber_tolerance) == (85, 5)
    record = target.history.first()
    assert (record.history_user.username, record.history_change_reason) == (
        "admin-targets",
        "Agreed at the March board",
    )
    page = text_of(admin.get("/kpis/1/").content.decode())
    assert "Target 2022/23 set: 85.0%, judged every month, against the target" in page
    assert "admin-targets" in page and "Agreed at the March board" in page


def test_amber_appears_for_an_unpublished_month_once_a_target_has_a_tolerance(admin):
    MonthlyValue.objects.create(
        indicator_id=pk("1"), month=date(2022, 7, 1), value=Decimal("82"), status=ValueStatus.DRAFT
    )
    data = year_form(admin)
    data.update({f"target_{pk('1')}": "85", f"tolerance_{pk('1')}": "5", "reason": "Agreed"})
    admin.post("/targets/2022-23/edit/", data)
    html = admin.get("/kpis/?month=2022-07").content.decode()
    assert "Amber" in html and "target 85.0%" in html


def test_a_change_needs_a_reason_and_nothing_is_saved_without_one(admin):
    data = year_form(admin)
    data[f"target_{pk('1')}"] = "85"
    response = admin.post("/targets/2022-23/edit/", data)
    assert response.status_code == 400
    assert "Enter why the targets are changing" in response.content.decode()
    assert not Target.objects.filter(indicator_id=pk("1"), financial_year=2022).exists()


def test_saving_with_nothing_changed_says_so(admin):
    response = admin.post("/targets/2022-23/edit/", year_form(admin), follow=True)
    assert "Nothing changed" in response.content.decode()


def test_every_bad_row_is_named_and_nothing_is_saved(admin):
    data = year_form(admin)
    data.update({
        f"target_{pk('1')}": "120", f"target_{pk('14')}": "18", f"to_{pk('14')}": "15",
        f"judged_{pk('CLA')}": "trajectory", f"due_{pk('CLA')}": "31/04/2023",
        f"target_{pk('REFERRAL-RATE')}": "500", f"variance_{pk('2')}": "-1", "reason": "Testing",
    })  # fmt: skip
    html = admin.post("/targets/2022-23/edit/", data).content.decode()
    assert "1: A percentage must be between 0 and 100" in html
    assert "14: The end of a range must be more than its start" in html
    assert "CLA: &#x27;31/04/2023&#x27; is not a real date" in html
    assert "REFERRAL-RATE: This is a demand measure" in html
    assert "2: The significant variance cannot be negative" in html
    assert Target.objects.filter(financial_year=2022).count() == 1


def test_a_form_opened_before_another_save_is_refused(admin):
    stale = year_form(admin)
    fresh = year_form(admin)
    fresh.update({f"target_{pk('1')}": "85", "reason": "First"})
    admin.post("/targets/2022-23/edit/", fresh)
    stale.update({f"target_{pk('1')}": "90", "reason": "Second"})
    response = admin.post("/targets/2022-23/edit/", stale)
    assert response.status_code == 409
    assert Target.objects.get(indicator_id=pk("1"), financial_year=2022).value == 85


def test_the_previous_year_can_be_copied_into_the_form_with_its_dates_moved(admin):
    data = year_form(admin, "2023-24", "?copy_from=2022-23")
    assert (data[f"target_{pk('CLA')}"], data[f"judged_{pk('CLA')}"], data[f"due_{pk('CLA')}"]) == (
        "796", "trajectory", "31/03/2024",
    )  # fmt: skip
    assert not Target.objects.filter(financial_year=2023).exists()  # nothing saved until saved
    data["reason"] = "Rolled forward"
    admin.post("/targets/2023-24/edit/", data)
    assert Target.objects.get(indicator_id=pk("CLA"), financial_year=2023).due == date(2024, 3, 31)


def test_clearing_a_target_removes_it_and_history_says_so(admin):
    data = year_form(admin)
    data.update({f"target_{pk('CLA')}": "", f"judged_{pk('CLA')}": "monthly", f"due_{pk('CLA')}": "",
                 "reason": "Target withdrawn"})  # fmt: skip
    admin.post("/targets/2022-23/edit/", data)
    assert not Target.objects.filter(indicator_id=pk("CLA"), financial_year=2022).exists()
    assert "Target 2022/23 removed" in text_of(admin.get("/kpis/CLA/").content.decode())


def test_the_significant_variance_is_set_with_the_year_and_shown_on_the_indicator_page(admin):
    data = year_form(admin)
    data.update({f"variance_{pk('2')}": "2", f"band_{pk('2')}": "0.5", "reason": "Contract schedule"})
    admin.post("/targets/2022-23/edit/", data)
    indicator = Indicator.objects.get(code="2")
    assert (indicator.significant_variance, indicator.no_change_band) == (2, Decimal("0.5"))
    page = text_of(admin.get("/kpis/2/").content.decode())
    assert "Significant variance: not set → 2" in page and "No-change band: 0 → 0.5" in page


TARGETS_CSV = (
    "indicator_code,financial_year,target,amber_tolerance,target_to,judged,due,significant_variance\n"
    "1,2022/23,85,5,,monthly,,3\n"
    "CLA,2023/24,780,10,,at_due_date,31/03/2024,\n"
    "14,2022-23,15,1,18,,,\n"
)


def test_the_targets_import_previews_then_writes_everything_with_history(admin_user_role):
    plan = plan_import("targets", "targets.csv", TARGETS_CSV.encode())
    assert plan.ok, plan.problems
    assert not Target.objects.filter(financial_year=2023).exists()
    plan, log = apply_import("targets", "targets.csv", TARGETS_CSV.encode(), admin_user_role)
    assert plan.ok and "3 created" in plan.summary()
    cla = Target.objects.get(indicator__code="CLA", financial_year=2023)
    assert (cla.value, cla.amber_tolerance, cla.judged, cla.due) == (
        780,
        10,
        "at_due_date",
        date(2024, 3, 31),
    )
    assert Target.objects.get(indicator__code="14", financial_year=2022).value_to == 18
    assert Indicator.objects.get(code="1").significant_variance == 3
    assert cla.history.first().history_change_reason == f"Import {log.pk}: targets from targets.csv"
    again, _ = apply_import("targets", "targets.csv", TARGETS_CSV.encode(), admin_user_role)
    assert again.summary() == "0 created, 0 updated, 6 unchanged"  # 3 targets, 3 significant variances


@pytest.mark.parametrize(
    ("line", "error"),
    [
        ("1,2022/23,120,0,,,,", "line 2, column target: '120': a percentage must be between 0 and 100"),
        (
            "14,2022/23,18,0,15,,,",
            "line 2, column target_to: '15': the end of a range must be more than its start",
        ),
        (
            "CLA,2022/23,796,0,,trajectory,,",
            "line 2, column due: enter the date an end-point target is to be met by",
        ),
        (
            "CLA,2022/23,796,0,,sometimes,2023-03-31,",
            "line 2, column judged: 'sometimes': 'sometimes' is not one of",
        ),
        (
            "CLA,2022/23,796,0,,trajectory,2024-03-31,",
            "line 2, column due: '2024-03-31': the date must fall within 2022/23",
        ),
        ("NOPE,2022/23,1,0,,,,", "line 2, column indicator_code: 'NOPE': no such indicator"),
        ("1,2022/24,85,0,,,,", "line 2, column financial_year: '2022/24'"),
        ("1,2022/23,85,0,,,,-2", "line 2, column significant_variance: '-2': cannot be negative"),
    ],
)
def test_each_bad_targets_line_is_a_clear_error_and_nothing_is_written(admin_user_role, line, error):
    header = "indicator_code,financial_year,target,amber_tolerance,target_to,judged,due,significant_variance"
    content = f"{header}\n{line}\n"
    plan, _ = apply_import("targets", "bad.csv", content.encode(), admin_user_role)
    assert not plan.ok
    assert any(error in str(problem) for problem in plan.problems), [str(p) for p in plan.problems]
    assert Target.objects.count() == 4


def test_one_indicator_cannot_be_given_two_significant_variances(admin_user_role):
    content = (
        "indicator_code,financial_year,target,amber_tolerance,significant_variance\n"
        "1,2022/23,85,0,3\n1,2023/24,86,0,4\n"
    )
    plan, _ = apply_import("targets", "two.csv", content.encode(), admin_user_role)
    assert "line 3, column significant_variance: '4': differs from line 2" in "; ".join(
        map(str, plan.problems)
    )


def test_a_save_landing_between_the_check_and_the_lock_is_refused_too(admin, monkeypatch):
    from kpis import target_views

    data = year_form(admin)
    data.update({f"target_{pk('1')}": "90", "reason": "Mine"})
    real = target_views.year_fingerprint
    calls = []

    def changed_under_us(*args):
        # The check before the lock reads the page's own state; another save lands straight after it.
        calls.append(1)
        if len(calls) == 1:
            Target.objects.create(indicator_id=pk("1"), financial_year=2022, value=85)
        return real(*args)

    monkeypatch.setattr(target_views, "year_fingerprint", changed_under_us)
    response = admin.post("/targets/2022-23/edit/", data)
    assert response.status_code == 409
    assert Target.objects.get(indicator_id=pk("1"), financial_year=2022).value == 85


def test_a_target_set_after_the_indicator_page_was_shown_is_listed_there_at_once_in_its_units(admin):
    one = pk("1")
    assert "Target 2022/23 set" not in text_of(admin.get("/kpis/1/").content.decode())
    data = year_form(admin)
    data.update({f"target_{one}": "85", "reason": "Agreed at the March board"})
    admin.post("/targets/2022-23/edit/", data)
    assert "Target 2022/23 set: 85.0%" in text_of(admin.get("/kpis/1/").content.decode())
    # Written straight to the row, with no history record: the changes are worded afresh all the same.
    Indicator.objects.filter(pk=one).update(decimal_places=2)
    assert "Target 2022/23 set: 85.00%" in text_of(admin.get("/kpis/1/").content.decode())
