"""Large imports confirmed on the web page run in a process of their own, which the page follows."""

import io
import time
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from kpis.models import MonthlyReturn, MonthlyValue, ValueStatus
from sct_monitor.importing import background, engine
from sct_monitor.models import ImportLog, ImportOutcome
from tests.conftest import make_user

pytestmark = pytest.mark.django_db

FILE = b"indicator_code,month,value\n5,2022-07,240\n1,2022-07,70\n4,2022-07,21\n"  # three rows


@pytest.fixture
def admin(db):
    return make_user("importer", "Administrator", is_staff=True)


@pytest.fixture
def admin_client(client, admin):
    client.force_login(admin)
    return client


@pytest.fixture
def started(monkeypatch, settings) -> list[tuple]:
    """Files of more than two rows go to the background; the processes asked for are noted, not
    started (test_the_process_really_starts_and_imports starts one)."""
    settings.IMPORT_BACKGROUND_ROWS = 2
    calls: list[tuple] = []
    monkeypatch.setattr(background, "start_process", lambda log_id, user_id: calls.append((log_id, user_id)))
    return calls


def previewed(client, content: bytes = FILE) -> ImportLog:
    client.post("/imports/", {"kind": "kpi-long", "file": SimpleUploadedFile("july.csv", content)})
    return ImportLog.objects.get()


def july(code: str) -> MonthlyValue | None:
    return MonthlyValue.objects.filter(indicator__code=code, month="2022-07-01").first()


def test_a_large_confirmed_import_is_handed_to_a_process_and_the_page_says_it_is_running(
    admin_client, admin, started
):
    log = previewed(admin_client)
    response = admin_client.post(f"/imports/{log.pk}/apply/")
    assert response.status_code == 302
    log.refresh_from_db()
    assert (log.outcome, started) == (ImportOutcome.RUNNING, [(log.pk, admin.pk)])
    assert log.started_at is not None
    assert july("5") is None  # the process writes it, not the request
    page = admin_client.get(f"/imports/{log.pk}/").content.decode()
    assert "Importing 3 rows: started at" in page
    assert f'data-status-url="/imports/{log.pk}/status/"' in page
    assert "js/import-progress" in page
    assert "/apply/" not in page
    status = admin_client.get(f"/imports/{log.pk}/status/")
    assert status.json() == {"outcome": "running", "running": True}
    assert "no-store" in status["Cache-Control"]


def test_the_process_imports_the_file_as_the_user_who_confirmed_it(admin_client, admin, started):
    log = previewed(admin_client)
    admin_client.post(f"/imports/{log.pk}/apply/")
    call_command("run_import", str(log.pk), "--user", str(admin.pk))
    log.refresh_from_db()
    assert (log.outcome, log.created, bytes(log.content)) == (ImportOutcome.IMPORTED, 4, b"")
    value = july("5")
    assert value.value == 240
    assert value.history.latest().history_user == admin
    assert admin_client.get(f"/imports/{log.pk}/status/").json() == {"outcome": "imported", "running": False}
    page = admin_client.get(f"/imports/{log.pk}/").content.decode()
    assert "4 created, 0 updated, 0 unchanged" in page
    assert "js/import-progress" not in page


def test_a_second_confirmation_starts_nothing_more(admin_client, started):
    log = previewed(admin_client)
    admin_client.post(f"/imports/{log.pk}/apply/")
    response = admin_client.post(f"/imports/{log.pk}/apply/", follow=True)
    assert "This import is already under way: this page shows its result" in response.content.decode()
    assert len(started) == 1


def test_running_the_process_again_after_it_finished_does_nothing(admin_client, admin, started):
    log = previewed(admin_client)
    admin_client.post(f"/imports/{log.pk}/apply/")
    call_command("run_import", str(log.pk), "--user", str(admin.pk))
    MonthlyValue.objects.filter(indicator__code="5", month="2022-07-01").update(value=1)
    call_command("run_import", str(log.pk), "--user", str(admin.pk))
    assert july("5").value == 1  # not imported twice


def test_an_import_that_fails_part_way_writes_nothing_and_says_so(admin_client, admin, started, monkeypatch):
    real_write = engine.write_plan

    def write_then_fail(*args):
        real_write(*args)  # everything written, then an error before the commit
        raise RuntimeError("disk full")

    monkeypatch.setattr(engine, "write_plan", write_then_fail)
    log = previewed(admin_client)
    admin_client.post(f"/imports/{log.pk}/apply/")
    call_command("run_import", str(log.pk), "--user", str(admin.pk))
    log.refresh_from_db()
    assert (log.outcome, bytes(log.content)) == (ImportOutcome.FAILED, b"")
    assert july("5") is None
    page = admin_client.get(f"/imports/{log.pk}/").content.decode()
    assert "The import stopped with an error: nothing has been imported" in page
    assert "stopped with an error (RuntimeError) before it finished" in page


def test_a_file_whose_months_were_published_since_the_preview_is_refused_by_the_process(
    admin_client, admin, started
):
    log = previewed(admin_client)
    admin_client.post(f"/imports/{log.pk}/apply/")
    MonthlyReturn.objects.update_or_create(month="2022-07-01", defaults={"status": ValueStatus.PUBLISHED})
    call_command("run_import", str(log.pk), "--user", str(admin.pk))
    log.refresh_from_db()
    assert (log.outcome, log.error_count, july("5")) == (ImportOutcome.REFUSED, 3, None)
    assert "July 2022 is published" in admin_client.get(f"/imports/{log.pk}/").content.decode()


def test_an_import_running_for_longer_than_the_limit_is_shown_as_stopped_and_purge_records_it(
    admin_client, started, settings
):
    settings.IMPORT_RUNNING_LIMIT_MINUTES = 30
    log = previewed(admin_client)
    admin_client.post(f"/imports/{log.pk}/apply/")
    recent = ImportLog.objects.create(
        kind="kpi-long", file_name="b.csv", sha256="0" * 64, size=1, outcome=ImportOutcome.RUNNING,
        started_at=timezone.now(),
    )  # fmt: skip
    ImportLog.objects.filter(pk=log.pk).update(started_at=timezone.now() - timedelta(minutes=31))
    page = admin_client.get(f"/imports/{log.pk}/").content.decode()
    assert "This import stopped without finishing: nothing has been imported" in page
    assert "js/import-progress" not in page
    assert admin_client.get(f"/imports/{log.pk}/status/").json()["running"] is False
    listed = admin_client.get("/imports/").content.decode()
    assert listed.count("Stopped without finishing: nothing imported") == 1  # not the recent one
    assert "Importing: under way" in listed
    call_command("purge", stdout=io.StringIO())
    log.refresh_from_db()
    recent.refresh_from_db()
    assert (log.outcome, recent.outcome) == (ImportOutcome.FAILED, ImportOutcome.RUNNING)
    assert bytes(log.content) == b""  # the stopped import's file is not kept
    assert "did not finish in time" in log.errors


def test_a_process_that_cannot_start_leaves_the_import_to_confirm_again(admin_client, settings, monkeypatch):
    settings.IMPORT_BACKGROUND_ROWS = 2

    def cannot_start(log_id, user_id):
        raise OSError("no more processes")

    monkeypatch.setattr(background, "start_process", cannot_start)
    log = previewed(admin_client)
    response = admin_client.post(f"/imports/{log.pk}/apply/", follow=True)
    assert "The import could not be started; nothing was imported. Try again." in response.content.decode()
    log.refresh_from_db()
    assert (log.outcome, log.started_at) == (ImportOutcome.PREVIEWED, None)


def test_a_file_within_the_limit_is_imported_during_the_request(admin_client, started, settings):
    settings.IMPORT_BACKGROUND_ROWS = 3
    log = previewed(admin_client)
    admin_client.post(f"/imports/{log.pk}/apply/")
    log.refresh_from_db()
    assert (log.outcome, started, july("5").value) == (ImportOutcome.IMPORTED, [], 240)


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="the process needs a database it can share (CI runs this on PostgreSQL)",
)
@pytest.mark.django_db(transaction=True)
def test_the_process_really_starts_and_imports(admin, monkeypatch, settings):
    from tests.test_two_servers import database_url

    monkeypatch.setenv("DATABASE_URL", database_url())
    monkeypatch.setenv("DEBUG", "1")
    log = ImportLog.objects.create(
        user=admin, kind="kpi-long", file_name="july.csv", sha256="0" * 64, size=len(FILE), rows=3,
        outcome=ImportOutcome.PREVIEWED, content=FILE,
    )  # fmt: skip
    assert background.hand_over(log.pk, admin.pk)
    for _ in range(600):
        log.refresh_from_db()
        if log.outcome != ImportOutcome.RUNNING:
            break
        time.sleep(0.1)
    assert log.outcome == ImportOutcome.IMPORTED
    assert july("5").history.latest().history_user == admin
