"""Who can open what: every page, for every role, generated from one table.

A new page must be added to PAGES, or test_every_page_is_covered fails.
"""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from audits.models import ComplaintsTarget
from kpis.models import NeighbourModel
from sct_monitor.models import ImportLog
from sct_monitor.roles import ADMINISTRATOR, BOARD_MEMBER, PERFORMANCE_OFFICER, role_permissions
from tests.conftest import make_user

pytestmark = pytest.mark.django_db

ROLES = (BOARD_MEMBER, PERFORMANCE_OFFICER, ADMINISTRATOR)

# Pages with "1" in them open the seed data's first record.
# path -> the roles that may open it (everyone else signed in gets 403)
PAGES = {
    "/": set(ROLES) | {None},  # the overview tells a user without a role to ask for one
    "/kpis/": set(ROLES),
    "/kpis/5/": set(ROLES),
    "/kpis/6a/": set(ROLES),
    "/reports/": set(ROLES),
    "/reports/2022-06/": set(ROLES),
    "/reports/2022-06/narrative/": {PERFORMANCE_OFFICER, ADMINISTRATOR},
    "/figures/": set(ROLES),
    "/audits/": set(ROLES),
    "/audits/returns/": set(ROLES),
    "/audits/returns/new/": {ADMINISTRATOR},
    "/audits/returns/1/edit/": {ADMINISTRATOR},
    "/audits/findings/new/": {ADMINISTRATOR},
    "/audits/findings/1/edit/": {ADMINISTRATOR},
    "/audits/complaints/": set(ROLES),
    "/audits/complaints/new/": {ADMINISTRATOR},
    "/audits/complaints/1/edit/": {ADMINISTRATOR},
    "/audits/complaints/targets/new/": {ADMINISTRATOR},
    "/audits/complaints/targets/1/edit/": {ADMINISTRATOR},
    "/audits/complaints/areas/new/": {ADMINISTRATOR},
    "/audits/complaints/areas/1/edit/": {ADMINISTRATOR},
    "/audits/complaints/themes/new/": {ADMINISTRATOR},
    "/audits/complaints/themes/1/edit/": {ADMINISTRATOR},
    "/audits/inspections/": set(ROLES),
    "/audits/inspections/new/": {ADMINISTRATOR},
    "/audits/inspections/1/": set(ROLES),
    "/audits/inspections/1/edit/": {ADMINISTRATOR},
    "/audits/inspections/items/new/": {ADMINISTRATOR},
    "/audits/inspections/items/1/edit/": {ADMINISTRATOR},
    "/audits/plans/": set(ROLES),
    "/audits/plans/new/": {ADMINISTRATOR},
    "/audits/plans/1/": set(ROLES),
    "/audits/plans/1/edit/": {ADMINISTRATOR},
    "/audits/plans/actions/new/": {ADMINISTRATOR},
    "/audits/plans/actions/1/edit/": {ADMINISTRATOR},
    "/audits/plans/actions/1/progress/": {ADMINISTRATOR},
    "/audits/risks/": set(ROLES),
    "/audits/risks/new/": {ADMINISTRATOR},
    "/audits/risks/1/edit/": {ADMINISTRATOR},
    "/audits/surveys/": set(ROLES),
    "/audits/surveys/new/": {ADMINISTRATOR},
    "/audits/surveys/1/edit/": {ADMINISTRATOR},
    "/improvement-plan/": set(ROLES),
    "/improvement-plan/1/": set(ROLES),
    "/improvement-plan/1/reviews/new/": {ADMINISTRATOR},
    "/finance/": set(ROLES),
    "/finance/lines/new/": {ADMINISTRATOR},
    "/finance/lines/1/edit/": {ADMINISTRATOR},
    "/workforce/": set(ROLES),
    "/checks/": set(ROLES),
    "/comparators/": set(ROLES),
    "/comparators/?format=csv": set(ROLES),
    "/comparators/mappings/": set(ROLES),
    "/comparators/mappings/new/": {ADMINISTRATOR},
    "/comparators/mappings/1/": {ADMINISTRATOR},
    "/comparators/mappings/1/delete/": {ADMINISTRATOR},  # the question; removing is its POST
    "/comparators/models/1/": {ADMINISTRATOR},
    "/help/statuses/": set(ROLES) | {None},
    "/returns/": {PERFORMANCE_OFFICER, ADMINISTRATOR},
    "/returns/go/?month=2022-07": {PERFORMANCE_OFFICER, ADMINISTRATOR},  # redirects to the return
    "/returns/2022-07/": {PERFORMANCE_OFFICER, ADMINISTRATOR},
    "/returns/2022-06/reopen/": {ADMINISTRATOR},
    "/returns/2022-07/publish/": {ADMINISTRATOR},  # the summary; publishing is its POST
    "/targets/": set(ROLES),  # redirects to the latest year with figures
    "/targets/2022-23/": set(ROLES),
    "/targets/2022-23/edit/": {ADMINISTRATOR},
    "/imports/": {ADMINISTRATOR},
    "/imports/1/": {ADMINISTRATOR},
    "/imports/1/status/": {ADMINISTRATOR},  # what the page asks while an import runs
    # Every signed-in user changes their own password, with or without a role.
    "/account/password/": set(ROLES) | {None},
    "/account/password/done/": set(ROLES) | {None},
}
POST_ONLY = {
    "/returns/2022-07/publish/": {ADMINISTRATOR},
    "/imports/1/apply/": {ADMINISTRATOR},
    "/comparators/mappings/1/delete/": {ADMINISTRATOR},
}
REDIRECTS = {"/returns/go/?month=2022-07", "/targets/"}


@pytest.fixture(autouse=True)
def an_import_log(db):
    ImportLog.objects.create(
        pk=1, kind="kpi-long", file_name="a.csv", sha256="0" * 64, size=1, outcome="refused"
    )


@pytest.fixture(autouse=True)
def a_neighbour_model(db):
    NeighbourModel.objects.create(pk=1, name="A model", applies_from=date(2025, 5, 1), source="a.csv")


@pytest.fixture(autouse=True)
def a_complaints_target(db):
    # The papers state no complaints target, so the seed data holds none to open.
    ComplaintsTarget.objects.create(pk=1, financial_year=2018, percent_in_timescale=Decimal(80))


PUBLIC = {"/healthz", "/accounts/login/"}
SIGN_OUT = "/accounts/logout/"  # POST only, for whoever is signed in: see test_login


def all_paths(resolver=None, prefix="") -> list[str]:
    paths = []
    for entry in (resolver or get_resolver()).url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            if route.startswith("admin/"):
                continue  # Django's administration, covered by the tests below
            paths.extend(all_paths(entry, route))
        elif isinstance(entry, URLPattern):
            paths.append(route)
    return paths


def test_every_page_is_covered_by_the_access_table():
    covered = {path.split("?")[0].strip("/") for path in [*PAGES, *POST_ONLY, *PUBLIC, SIGN_OUT]}
    for route in all_paths():
        concrete = route.replace("<str:code>", "5").replace("<str:month>", "2022-07").replace("<int:pk>", "1")
        concrete = concrete.replace("<str:year>", "2022-23").replace("<str:key>", "2022-06")
        concrete = concrete.strip("/")
        concrete = concrete.replace("2022-07/reopen", "2022-06/reopen")
        assert concrete in covered, f"{route} has no entry in PAGES"


@pytest.mark.parametrize("path", sorted([*PAGES, *POST_ONLY]))
def test_a_signed_out_visitor_is_sent_to_sign_in(client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")


@pytest.mark.parametrize("role", [*ROLES, None])
@pytest.mark.parametrize("path", sorted(PAGES))
def test_each_role_sees_only_its_pages(client, path, role):
    client.force_login(make_user("someone", role))
    allowed = 302 if path in REDIRECTS else 200
    expected = allowed if role in PAGES[path] else 403
    assert client.get(path).status_code == expected


@pytest.mark.parametrize("role", [*ROLES, None])
@pytest.mark.parametrize("path", sorted(POST_ONLY))
def test_actions_are_refused_to_roles_without_them(client, path, role):
    client.force_login(make_user("someone", role))
    response = client.post(path)
    assert (response.status_code != 403) == (role in POST_ONLY[path])


@pytest.mark.parametrize("path", sorted(PUBLIC))
def test_public_pages_need_no_login(client, path):
    assert client.get(path).status_code == 200


@pytest.mark.parametrize("role", [BOARD_MEMBER, PERFORMANCE_OFFICER])
def test_only_administrators_reach_the_administration_pages(client, role):
    client.force_login(make_user("someone", role))
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_an_administrator_can_manage_indicators_and_users(client):
    client.force_login(make_user("someone", ADMINISTRATOR, is_staff=True))
    assert client.get("/admin/kpis/indicator/").status_code == 200
    assert client.get("/admin/kpis/indicator/add/").status_code == 200
    assert client.get("/admin/auth/user/").status_code == 200


# Where every signed-in user, board members included, changes their own password (tests/test_signin.py).
OWN_ACCOUNT = {"/account/password/"}


@pytest.mark.parametrize("path", sorted(p for p in [*PAGES, *POST_ONLY] if p not in OWN_ACCOUNT))
def test_board_members_cannot_post_to_any_page(client, path):
    client.force_login(make_user("someone", BOARD_MEMBER))
    assert client.post(path).status_code in {403, 405}


def test_board_members_hold_view_permissions_only():
    codenames = {perm.codename for perm in role_permissions(BOARD_MEMBER)}
    assert codenames and all(code.startswith("view_") for code in codenames)


def test_officers_may_enter_and_submit_values_but_not_publish():
    codenames = {perm.codename for perm in role_permissions(PERFORMANCE_OFFICER)}
    assert {"add_monthlyvalue", "change_monthlyvalue", "submit_return"} <= codenames
    assert "publish_month" not in codenames
    assert "change_indicator" not in codenames


def test_administrators_may_publish_and_manage_users():
    codenames = {perm.codename for perm in role_permissions(ADMINISTRATOR)}
    assert {"publish_month", "change_indicator", "add_target", "change_user"} <= codenames
