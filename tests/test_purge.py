"""The purge command: unconfirmed uploads lose their file after a set time, sign-in records go
after a set time, and running it again deletes nothing more."""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.core.management import call_command
from django.utils import timezone

from sct_monitor.models import ImportLog, ImportOutcome

pytestmark = pytest.mark.django_db


def upload(hours_ago: float, outcome=ImportOutcome.PREVIEWED) -> ImportLog:
    log = ImportLog.objects.create(
        kind="kpi-long", file_name="a.csv", sha256="0" * 64, size=3, outcome=outcome, content=b"a,b"
    )
    ImportLog.objects.filter(pk=log.pk).update(created_at=timezone.now() - timedelta(hours=hours_ago))
    return log


def sign_in_records(days_ago: float) -> None:
    when = timezone.now() - timedelta(days=days_ago)
    who = {"username": f"someone-{days_ago}", "ip_address": "10.0.0.1", "user_agent": "x"}
    records = [
        AccessAttempt.objects.create(**who, failures_since_start=1, get_data="", post_data=""),
        AccessFailureLog.objects.create(**who),
        AccessLog.objects.create(**who),
    ]
    for record in records:
        type(record).objects.filter(pk=record.pk).update(attempt_time=when)


def test_an_upload_previewed_but_not_confirmed_in_time_loses_its_file(settings):
    settings.IMPORT_PREVIEW_RETENTION_HOURS = 24
    old = upload(hours_ago=25)
    call_command("purge")
    old.refresh_from_db()
    assert (old.outcome, bytes(old.content)) == (ImportOutcome.EXPIRED, b"")
    assert old.sha256 == "0" * 64  # the log of who tried which file stays


def test_a_recent_preview_keeps_its_file_so_it_can_still_be_confirmed(settings):
    settings.IMPORT_PREVIEW_RETENTION_HOURS = 24
    recent = upload(hours_ago=1)
    call_command("purge")
    recent.refresh_from_db()
    assert (recent.outcome, bytes(recent.content)) == (ImportOutcome.PREVIEWED, b"a,b")


def test_an_expired_preview_can_no_longer_be_confirmed(client, settings):
    from tests.conftest import make_user

    old = upload(hours_ago=48)
    call_command("purge")
    client.force_login(make_user("boss", "Administrator", is_staff=True))
    page = client.post(f"/imports/{old.pk}/apply/", follow=True).content.decode()
    assert "already been dealt with" in page
    assert "has been deleted" in client.get(f"/imports/{old.pk}/").content.decode()


def test_sign_in_records_older_than_the_retention_are_deleted_and_newer_kept(settings):
    settings.SIGN_IN_RECORD_RETENTION_DAYS = 90
    sign_in_records(days_ago=91)
    sign_in_records(days_ago=5)
    call_command("purge")
    for model in (AccessAttempt, AccessFailureLog, AccessLog):
        assert model.objects.count() == 1
        assert model.objects.get().attempt_time > timezone.now() - timedelta(days=6)


def test_purging_twice_deletes_nothing_the_second_time(capsys):
    upload(hours_ago=48)
    sign_in_records(days_ago=400)
    call_command("purge")
    first = capsys.readouterr().out
    assert "unconfirmed uploads: 1 deleted" in first
    call_command("purge")
    second = capsys.readouterr().out
    assert "unconfirmed uploads: 0 deleted" in second
    assert "sign-in attempts: 0 deleted" in second
