"""Publishing freezes what the board saw; corrections are revisions with a reason, never silent."""

import re
from datetime import date
from decimal import Decimal

import pytest

from kpis.models import (
    Indicator,
    MonthlyReturn,
    MonthlyValue,
    Publication,
    PublishedValue,
    Target,
    ValueStatus,
)
from sct_monitor.seed import SeedLoader
from tests.conftest import make_user

pytestmark = pytest.mark.django_db

JUNE, JULY = date(2022, 6, 1), date(2022, 7, 1)


def pk(code: str) -> int:
    return Indicator.objects.get(code=code).pk


def version(month: date) -> int:
    return MonthlyReturn.objects.get(month=month).version


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


from tests.test_scorecard_view import row_text  # noqa: E402


@pytest.fixture
def admin(client):
    client.force_login(make_user("admin-p", "Administrator", is_staff=True))
    return client


def reopen(client, month: date, reason: str = "PI 14 was miscounted") -> None:
    response = client.post(f"/returns/{month:%Y-%m}/reopen/", {"reason": reason, "version": version(month)})
    assert response.status_code == 302, response.content.decode()[:3000]


def form_as_shown(client, month: date) -> dict[str, str]:
    """What the browser would send back from the return form as it is shown."""
    html = client.get(f"/returns/{month:%Y-%m}/").content.decode()
    data = {"version": re.search(r'name="version" value="(\d+)"', html).group(1)}
    for name, value in re.findall(r'<input [^>]*name="(value_\d+)"[^>]*value="([^"]*)"', html):
        data[name] = value
    for name, body in re.findall(r'<select [^>]*name="(reason_\d+)"[^>]*>(.*?)</select>', html, re.S):
        chosen = re.search(r'<option value="([^"]*)" selected>', body)
        data[name] = chosen.group(1) if chosen else ""
    for name, value in re.findall(
        r'<textarea [^>]*name="(commentary_\d+)"[^>]*>(.*?)</textarea>', html, re.S
    ):
        data[name] = value
    return data


def publish(client, month: date, reason: str = "") -> None:
    response = client.post(f"/returns/{month:%Y-%m}/publish/", {"version": version(month), "reason": reason})
    assert response.status_code == 302, response.content.decode()[:3000]


def correct_pi_14_in_june(client) -> None:
    reopen(client, JUNE)
    data = form_as_shown(client, JUNE)
    data[f"value_{pk('14')}"] = "19.71"
    data["submit"] = "1"
    response = client.post("/returns/2022-06/", data)
    assert response.status_code == 302, text_of(response.content.decode())[:3000]
    publish(client, JUNE, "PI 14 was miscounted")


def test_the_seed_publishes_each_reported_month_once_and_again_changes_nothing():
    published = MonthlyReturn.objects.filter(status=ValueStatus.PUBLISHED).count()
    assert Publication.objects.filter(revision=1).count() == published
    before = Publication.objects.count()
    SeedLoader().load()
    assert Publication.objects.count() == before


def test_reopening_one_value_and_republishing_needs_no_other_edits(admin):
    correct_pi_14_in_june(admin)
    record = MonthlyReturn.objects.get(month=JUNE)
    assert (record.status, record.published_revision) == (ValueStatus.PUBLISHED, 2)
    current = PublishedValue.objects.get(indicator__code="14", month=JUNE, is_current=True)
    assert (current.value, current.was_value, current.revised) == (Decimal("19.71"), Decimal("19.61"), True)
    # Untouched figures keep their state: not revised, same frozen judgement.
    pi_5 = PublishedValue.objects.get(indicator__code="5", month=JUNE, is_current=True)
    first_pi_5 = PublishedValue.objects.get(indicator__code="5", month=JUNE, publication__revision=1)
    assert not pi_5.revised and (pi_5.rag, pi_5.basis) == (first_pi_5.rag, first_pi_5.basis)
    assert Publication.objects.get(month=JUNE, revision=2).reason == "PI 14 was miscounted"


def test_board_members_keep_seeing_june_while_it_is_reopened(admin, board_user, client):
    reopen(admin, JUNE)
    client.force_login(board_user)
    html = client.get("/kpis/?month=2022-06").content.decode()
    assert "There is no data" not in html and "June 2022</h1>" in html
    assert "258" in row_text(html, "5")


def test_the_board_sees_the_revision_note_beside_the_figure(admin, board_user, client):
    correct_pi_14_in_june(admin)
    client.force_login(board_user)
    when = f"{date.today():%-d %B %Y}"
    note = f"Revised on {when}: was 19.61, now 19.71. Reason: PI 14 was miscounted"
    assert note in row_text(client.get("/kpis/?month=2022-06").content.decode(), "14")
    assert note in text_of(client.get("/kpis/14/").content.decode())


def test_later_months_keep_their_comparisons_while_a_month_is_corrected(admin, board_user, client):
    from sct_monitor.importing.engine import apply_import

    # July 2022 arrives by import and is published; then June is reopened for a correction.
    plan, _ = apply_import("kpi-long", "july.csv", b"indicator_code,month,value\n14,2022-07,19.5\n", None)
    assert plan.ok, plan.problems
    reopen(admin, JUNE)
    client.force_login(board_user)
    text = row_text(client.get("/kpis/?month=2022-07").content.decode(), "14")
    assert "down 0.11, improving" in text


def test_publishing_a_version_that_changed_since_the_page_opened_is_refused(admin, client):
    officer = make_user("officer-p", "Performance officer")
    client.force_login(officer)
    from tests.test_returns import complete_july

    client.post("/returns/2022-07/", complete_july(submit="1"))
    admin_page = admin
    admin_page.force_login(make_user("admin-q", "Administrator", is_staff=True))
    summary = admin_page.get("/returns/2022-07/publish/").content.decode()
    opened = re.search(r'name="version" value="(\d+)"', summary).group(1)
    opened_at = re.search(r'name="opened_at" value="([^"]+)"', summary).group(1)
    # The officer corrects PI 5 after the administrator opened the summary.
    client.force_login(officer)
    client.post("/returns/2022-07/", complete_july(**{f"value_{pk('5')}": "250"}))
    admin_page.force_login(make_user("admin-r", "Administrator", is_staff=True))
    response = admin_page.post("/returns/2022-07/publish/", {"version": opened, "opened_at": opened_at})
    html = text_of(response.content.decode())
    assert response.status_code == 409
    assert "Nothing has been published" in html and "officer-p changed this return" in html
    assert "258 → 250" in html
    assert MonthlyReturn.objects.get(month=JULY).status == ValueStatus.SUBMITTED


def test_publishing_twice_from_the_same_page_is_harmless(admin):
    from tests.test_returns import complete_july

    admin.post("/returns/2022-07/", complete_july(submit="1"))
    data = {"version": version(JULY)}
    assert admin.post("/returns/2022-07/publish/", data).status_code == 302
    assert admin.post("/returns/2022-07/publish/", data).status_code == 302
    assert Publication.objects.filter(month=JULY).count() == 1


def test_the_publish_summary_counts_statuses_missing_values_and_changes(admin):
    from tests.test_returns import complete_july

    cla = {f"value_{pk('CLA')}": "900", f"commentary_{pk('CLA')}": "More entered care"}
    admin.post("/returns/2022-07/", complete_july(submit="1", **cla))
    html = text_of(admin.get("/returns/2022-07/publish/").content.decode())
    assert "CLA: Children looked after 900 (trajectory 828 towards target 796 by 31 March 2023)" in html
    assert "More entered care" in html
    assert "AGENCY: Not collected this month" in html
    assert "Publish July 2022" in html


def test_publishing_a_correction_needs_its_reason(admin):
    reopen(admin, JUNE)
    data = form_as_shown(admin, JUNE)
    data["submit"] = "1"
    assert admin.post("/returns/2022-06/", data).status_code == 302
    response = admin.post("/returns/2022-06/publish/", {"version": version(JUNE), "reason": " "})
    assert response.status_code == 400
    assert "Enter why the month was corrected" in response.content.decode()
    assert MonthlyReturn.objects.get(month=JUNE).published_revision == 1


def test_reopening_needs_a_reason(admin):
    response = admin.post("/returns/2022-06/reopen/", {"reason": "  ", "version": version(JUNE)})
    assert response.status_code == 400
    assert "Enter why the month is being reopened" in response.content.decode()
    assert MonthlyReturn.objects.get(month=JUNE).status == ValueStatus.PUBLISHED


def test_reopening_with_a_reason_unlocks_the_month_and_records_why(admin):
    reopen(admin, JUNE, "PI 5 was counted twice")
    record = MonthlyReturn.objects.get(month=JUNE)
    assert (record.status, record.reopen_reason, record.state_label) == (
        ValueStatus.DRAFT, "PI 5 was counted twice", "Reopened (draft)"
    )  # fmt: skip
    value = MonthlyValue.objects.get(indicator__code="5", month=JUNE)
    assert value.status == ValueStatus.DRAFT
    assert value.history.first().history_change_reason == "Month reopened: PI 5 was counted twice"


def test_a_target_change_leaves_a_published_snapshot_alone(admin, board_user, client):
    from tests.test_returns import complete_july

    admin.post("/returns/2022-07/", complete_july(submit="1"))
    publish(admin, JULY)
    frozen = PublishedValue.objects.get(indicator__code="1", month=JULY, is_current=True)
    assert frozen.rag == "none"
    Target.objects.create(indicator_id=pk("1"), financial_year=2022, value=95, amber_tolerance=5)
    frozen.refresh_from_db()
    assert (frozen.rag, frozen.basis) == ("none", "no target or comparator")
    client.force_login(board_user)
    text = row_text(client.get("/kpis/?month=2022-07").content.decode(), "1")
    assert "No status" in text
    assert "Judged with today&#x27;s targets and comparators it would be Red (target 95.0%)" in text


def test_an_import_that_changes_a_published_month_publishes_a_revision_with_its_reason(admin_user_role):
    from sct_monitor.importing.engine import apply_import

    content = b"indicator_code,month,value\n14,2022-06,19.8\n"
    plan, log = apply_import("kpi-long", "fix.csv", content, admin_user_role, override_published=True)
    assert plan.ok, plan.problems
    current = PublishedValue.objects.get(indicator__code="14", month=JUNE, is_current=True)
    assert (current.value, current.was_value) == (Decimal("19.8"), Decimal("19.61"))
    assert current.revision_reason == f"Import {log.pk}: kpi-long from fix.csv"
    assert MonthlyReturn.objects.get(month=JUNE).published_revision == 2


def test_the_admin_pages_cannot_change_a_value_a_return_or_a_target(admin):
    value = MonthlyValue.objects.get(indicator__code="14", month=JUNE)
    record = MonthlyReturn.objects.get(month=JUNE)
    assert admin.get(f"/admin/kpis/monthlyvalue/{value.pk}/change/").status_code == 200  # view only
    response = admin.post(f"/admin/kpis/monthlyvalue/{value.pk}/change/", {"value": "1", "status": "draft"})
    assert response.status_code == 403
    assert (
        admin.post(f"/admin/kpis/monthlyreturn/{record.pk}/change/", {"status": "draft"}).status_code == 403
    )
    assert admin.get("/admin/kpis/monthlyvalue/add/").status_code == 403
    assert admin.post(f"/admin/kpis/monthlyvalue/{value.pk}/delete/", {"post": "yes"}).status_code == 403
    target = Target.objects.first()
    assert admin.post(f"/admin/kpis/target/{target.pk}/change/", {"value": "1"}).status_code == 403
    value.refresh_from_db()
    assert (value.value, value.status) == (Decimal("19.61"), ValueStatus.PUBLISHED)


def test_an_administrator_cannot_make_anyone_a_superuser_from_the_admin(client):
    boss = make_user("boss", "Administrator", is_staff=True)
    client.force_login(boss)
    page = client.get(f"/admin/auth/user/{boss.pk}/change/").content.decode()
    assert 'name="is_superuser"' not in page and 'name="is_staff"' not in page
    client.post(
        f"/admin/auth/user/{boss.pk}/change/",
        {"username": "boss", "is_superuser": "on", "is_staff": "on", "is_active": "on",
         "groups": [g.pk for g in boss.groups.all()], "date_joined_0": "2026-01-01",
         "date_joined_1": "00:00"},
    )  # fmt: skip
    boss.refresh_from_db()
    assert not boss.is_superuser


def test_the_administration_pages_follow_the_administrator_role():
    from sct_monitor.roles import ensure_roles

    groups = ensure_roles()
    user = make_user("changing", "Performance officer")
    assert not user.is_staff
    user.groups.set([groups["Administrator"]])
    user.refresh_from_db()
    assert user.is_staff
    user.groups.set([groups["Board member"]])
    user.refresh_from_db()
    assert not user.is_staff
