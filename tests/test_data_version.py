"""The data version: every committed write to the data advances it, whatever wrote it."""

import pytest
from django.contrib.auth.models import Group
from django.db import connection, transaction

from kpis.models import Indicator, MonthlyValue
from sct_monitor.data_version import current_version as version_text
from sct_monitor.data_version import (
    install_triggers,
    installed_trigger_tables,
    watched_tables,
)
from sct_monitor.models import DataVersion
from tests.conftest import make_user

pytestmark = pytest.mark.django_db


def current_version() -> int:
    return int(version_text().split("@")[0])


def test_every_table_of_the_data_apps_and_the_roles_carries_the_trigger():
    tables = set(watched_tables())
    assert {
        "kpis_monthlyvalue",
        "kpis_historicalmonthlyvalue",
        "audits_auditreturn",
        "auth_user_groups",
    } <= tables
    assert installed_trigger_tables() == tables


def test_the_version_row_itself_and_the_sessions_are_not_watched():
    assert DataVersion._meta.db_table not in watched_tables()
    assert "django_session" not in watched_tables()


def test_saving_a_model_advances_the_version():
    before = current_version()
    indicator = Indicator.objects.get(code="13")
    indicator.title = "Renamed"
    indicator.save()
    assert current_version() > before


def test_a_bulk_update_that_sends_no_signal_advances_the_version():
    before = current_version()
    MonthlyValue.objects.filter(indicator__code="13").update(commentary="Bulk")
    assert current_version() > before


def test_a_statement_written_by_hand_advances_the_version():
    before = current_version()
    with connection.cursor() as cursor:
        cursor.execute("UPDATE kpis_indicator SET title = title")
    assert current_version() > before


def test_a_write_rolled_back_leaves_the_version_as_it_was():
    before = current_version()
    with pytest.raises(RuntimeError), transaction.atomic():
        Indicator.objects.filter(code="13").update(title="Never seen")
        raise RuntimeError("rolled back")
    assert current_version() == before


def test_a_sign_in_does_not_advance_the_version(client):
    user = make_user("reader", "Board member")
    user.set_password("a long enough password")
    user.save()
    before = current_version()
    response = client.post("/accounts/login/", {"username": "reader", "password": "a long enough password"})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)
    assert current_version() == before


def test_renaming_a_user_or_changing_a_role_advances_the_version():
    user = make_user("reader", "Board member")
    before = current_version()
    user.username = "renamed"
    user.save()
    after_rename = current_version()
    assert after_rename > before
    user.groups.remove(Group.objects.get(name="Board member"))
    assert current_version() > after_rename


def test_each_write_stamps_the_version_with_the_databases_clock_so_a_restored_number_never_recurs():
    Indicator.objects.filter(code="13").update(title="First")
    first = version_text()
    DataVersion.objects.update(number=DataVersion.objects.get().number - 1)  # as a restored backup
    Indicator.objects.filter(code="13").update(title="Second")
    second = version_text()
    assert second.split("@")[0] == first.split("@")[0]
    assert second != first


def test_installing_again_restores_a_missing_version_row_and_changes_nothing_else():
    DataVersion.objects.all().delete()
    assert version_text() is None
    assert install_triggers() == len(watched_tables())
    assert current_version() == 0
    assert installed_trigger_tables() == set(watched_tables())
