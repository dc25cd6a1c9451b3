"""Damaged input is refused clearly: every bad .xlsx or CSV gives a sentence and a log row, never a
500. Imports and return saves lock months in one order, and a confirmation counts once."""

import io
import threading
import time
import zipfile
from datetime import date
from decimal import Decimal
from unittest import mock

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, connections

from kpis import returns
from kpis.models import Indicator, MonthlyReturn, MonthlyValue
from sct_monitor.importing import engine
from sct_monitor.importing.engine import AlreadyImported, apply_import, plan_import
from sct_monitor.models import ImportLog, ImportOutcome
from tests.conftest import make_user

pytestmark = pytest.mark.django_db
ON_POSTGRESQL = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="row locks and deadlocks are PostgreSQL's; SQLite runs one write transaction at a time "
    "(CI runs this file on PostgreSQL too)",
)


def workbook(rows=None) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    for row in rows or [["indicator_code", "month", "value", "commentary"], ["5", "2022-07", 240, "Fewer"]]:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def rewrite_part(content: bytes, name: str, change) -> bytes:
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(content)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dest,
    ):
        for item in source.infolist():
            data = source.read(item.filename)
            dest.writestr(item, change(data) if item.filename == name else data)
    return out.getvalue()


def with_entities(content: bytes) -> bytes:
    doctype = b'<!DOCTYPE worksheet [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>'
    return rewrite_part(
        content,
        "xl/worksheets/sheet1.xml",
        lambda data: data.replace(b"<worksheet", doctype + b"<worksheet", 1),
    )


def with_damaged_sheet(content: bytes) -> bytes:
    """The zip's directory is whole, but the sheet's compressed bytes are garbage."""
    data = bytearray(content)
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        info = archive.getinfo("xl/worksheets/sheet1.xml")
    start = info.header_offset + 30 + len(info.filename) + len(info.extra)
    for offset in range(start + 2, start + min(info.compress_size, 40)):
        data[offset] ^= 0x5A
    return bytes(data)


def reaching_the_last_row(content: bytes) -> bytes:
    """One cell in Excel's last row and column, as a sheet that unpacks to a million rows would."""
    return rewrite_part(
        content,
        "xl/worksheets/sheet1.xml",
        lambda data: data.replace(
            b"</sheetData>",
            b'<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row></sheetData>',
        ).replace(b'<dimension ref="A1:D2"/>', b'<dimension ref="A1:XFD1048576"/>'),
    )


DAMAGED = {
    "a truncated workbook": ("cut.xlsx", lambda: workbook()[:2000], "damaged or cut short"),
    "a workbook with a DTD and entities": ("dtd.xlsx", lambda: with_entities(workbook()), "declares a DTD"),
    "a workbook whose sheet is corrupt": ("corrupt.xlsx", lambda: with_damaged_sheet(workbook()), "damaged"),
    "a CSV pretending to be a workbook": (
        "fake.xlsx",
        lambda: b"indicator_code,month\n5,2022-07\n",
        "not a zip",
    ),
    "an old .xls pretending to be a workbook": (
        "old.xlsx",
        lambda: b"\xd0\xcf\x11\xe0" + b"\0" * 600,
        "not a zip",
    ),
    "UTF-16 text": (
        "wide.csv",
        lambda: "indicator_code,month,value\n5,2022-07,1\n".encode("utf-16"),
        "UTF-16",
    ),
    "binary bytes named .csv": ("noise.csv", lambda: bytes(range(256)) * 4, "not text"),
    "a BOM followed by bytes that are not UTF-8": (
        "bom.csv",
        lambda: b"\xef\xbb\xbfcode\n\xff\xfe\xfa\n",
        "UTF-8",
    ),
}


@pytest.fixture
def admin_client(client):
    client.force_login(make_user("importer", "Administrator", is_staff=True))
    return client


@pytest.mark.parametrize("case", sorted(DAMAGED))
def test_each_damaged_file_is_refused_with_a_clear_error_and_a_log_row(admin_client, case):
    name, make, says = DAMAGED[case]
    response = admin_client.post("/imports/", {"kind": "kpi-long", "file": SimpleUploadedFile(name, make())})
    log = ImportLog.objects.get()
    assert response.status_code == 302, case
    assert log.outcome == ImportOutcome.REFUSED
    assert says in log.errors, log.errors
    page = admin_client.get(response["Location"])
    assert page.status_code == 200
    assert "nothing has been imported" in page.content.decode()


def test_a_workbook_merely_declaring_a1_to_xfd1048576_is_read_as_what_it_holds():
    declaring = rewrite_part(
        workbook(),
        "xl/worksheets/sheet1.xml",
        lambda data: data.replace(b'<dimension ref="A1:D2"/>', b'<dimension ref="A1:XFD1048576"/>'),
    )
    plan = plan_import("kpi-long", "declared.xlsx", declaring)
    assert plan.ok, plan.problems
    assert [cells for _, cells in plan.table.lines] == [
        ["indicator_code", "month", "value", "commentary"],
        ["5", "2022-07", "240", "Fewer"],
    ]


def test_an_empty_upload_is_refused_by_the_form(admin_client):
    response = admin_client.post("/imports/", {"kind": "kpi-long", "file": SimpleUploadedFile("e.csv", b"")})
    assert response.status_code == 400


def test_a_workbook_unpacking_to_more_than_the_limit_is_refused_before_it_is_parsed(settings):
    settings.IMPORT_MAX_UNPACKED_BYTES = 10_000
    content = workbook([["indicator_code", "month", "value"]] + [["5", "2022-07", n] for n in range(2000)])
    with mock.patch("openpyxl.load_workbook") as load:
        plan = plan_import("kpi-long", "big.xlsx", content)
    assert not load.called
    assert "unpacks to more than" in str(plan.problems[0])


def test_a_sheet_stretching_to_excels_last_row_and_column_is_read_quickly_and_refused(settings):
    settings.IMPORT_MAX_ROWS = 1000
    started = time.monotonic()
    plan = plan_import("kpi-long", "far.xlsx", reaching_the_last_row(workbook()))
    assert time.monotonic() - started < 5
    assert "goes on past row 1,002" in str(plan.problems[0])


def test_a_sound_workbook_still_imports():
    plan, _ = apply_import("kpi-long", "july.xlsx", workbook(), None)
    assert plan.ok, plan.problems
    assert MonthlyValue.objects.get(indicator__code="5", month=date(2022, 7, 1)).value == 240


# --- confirming twice ------------------------------------------------------------------------


def previewed(admin_client) -> ImportLog:
    content = b"indicator_code,month,value\n5,2022-07,240\n"
    admin_client.post("/imports/", {"kind": "kpi-long", "file": SimpleUploadedFile("july.csv", content)})
    return ImportLog.objects.get()


def test_a_confirmation_that_waited_for_another_does_nothing(admin_client):
    log = previewed(admin_client)
    stale = ImportLog.objects.get(pk=log.pk)  # loaded by a second click before the first finished
    apply_import(log.kind, log.file_name, bytes(log.content), None, log=log)
    with pytest.raises(AlreadyImported):
        apply_import(stale.kind, stale.file_name, bytes(stale.content), None, log=stale)
    log.refresh_from_db()
    assert (log.outcome, log.created) == (ImportOutcome.IMPORTED, 2)


def test_a_second_confirmation_on_the_page_says_the_file_is_imported_already(admin_client):
    log = previewed(admin_client)
    admin_client.post(f"/imports/{log.pk}/apply/")
    page = admin_client.post(f"/imports/{log.pk}/apply/", follow=True).content.decode()
    assert "This file has already been imported: there is nothing more to do." in page
    assert ImportLog.objects.get().created == 2  # imported once


def in_thread(target, results: list, *args):
    def run():
        try:
            results.append(target(*args))
        except Exception as exc:  # the test reports whatever a thread raised
            results.append(exc)
        finally:
            connections.close_all()

    return threading.Thread(target=run)


@ON_POSTGRESQL
@pytest.mark.django_db(transaction=True)
def test_two_confirmations_at_once_import_once(client):
    from sct_monitor.seed import SeedLoader

    SeedLoader().load()
    client.force_login(make_user("importer", "Administrator", is_staff=True))
    log = previewed(client)
    copies = [ImportLog.objects.get(pk=log.pk), ImportLog.objects.get(pk=log.pk)]
    barrier, results = threading.Barrier(2), []

    def confirm(copy):
        barrier.wait()
        return apply_import(copy.kind, copy.file_name, bytes(copy.content), None, log=copy)

    threads = [in_thread(confirm, results, copy) for copy in copies]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sum(isinstance(result, AlreadyImported) for result in results) == 1, results
    assert sum(isinstance(result, tuple) and result[0].ok for result in results) == 1, results
    history = MonthlyValue.history.filter(history_change_reason__startswith=f"Import {log.pk}:")
    assert history.count() == 1


# --- an import and a return saving the same month at once -------------------------------------


@ON_POSTGRESQL
@pytest.mark.django_db(transaction=True)
def test_an_import_and_a_return_saving_the_same_month_at_once_never_deadlock():
    from sct_monitor.seed import SeedLoader

    SeedLoader().load()
    officer = make_user("officer", "Performance officer")
    july = date(2022, 7, 1)
    MonthlyReturn.objects.create(month=july)
    version = MonthlyReturn.objects.get(month=july).version
    indicators = [Indicator.objects.get(code=code) for code in ("5", "1", "14")]
    entries = [returns.Entry(i, None, Decimal(50 + n), "", "") for n, i in enumerate(indicators)]
    content = b"indicator_code,month,value\n5,2022-07,240\n1,2022-07,70\n14,2022-07,18\n"
    real_claim = returns.claim_version
    results = []

    def slow_claim(*args, **kwargs):
        # The save holds its month's return and pauses: the import meanwhile reaches the same rows.
        record = real_claim(*args, **kwargs)
        time.sleep(0.5)
        return record

    def save():
        return returns.save_return(july, officer, entries, version, submit=False)

    def run_import():
        time.sleep(0.1)
        return apply_import("kpi-long", "july.csv", content, None)

    with mock.patch.object(returns, "claim_version", slow_claim):
        threads = [in_thread(save, results), in_thread(run_import, results)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
    failures = [r for r in results if isinstance(r, Exception) and not isinstance(r, returns.StaleReturn)]
    assert not failures, failures
    assert len(results) == 2
    # Whichever went second saw the first: the import's values are there, and the save either
    # went first (then was overwritten by the import) or was refused as stale.
    assert MonthlyValue.objects.get(indicator__code="5", month=july).value == 240


def test_the_import_locks_the_months_it_writes_before_writing_them():
    calls = []
    with mock.patch.object(engine, "lock_months", side_effect=lambda months: calls.append(sorted(months))):
        plan, _ = apply_import(
            "kpi-long", "x.csv", b"indicator_code,month,value\n5,2031-02,1\n5,2031-01,2\n", None
        )
    assert plan.ok, plan.problems
    assert calls == [[date(2031, 1, 1), date(2031, 2, 1)]]


def test_rows_beyond_the_sheets_stated_size_are_read_not_dropped():
    content = rewrite_part(
        workbook(),
        "xl/worksheets/sheet1.xml",
        lambda data: data.replace(
            b"</sheetData>",
            b'<row r="3"><c r="A3" t="inlineStr"><is><t>1</t></is></c><c r="B3" t="inlineStr"><is>'
            b'<t>2022-07</t></is></c><c r="C3"><v>70</v></c></row></sheetData>',
        ),
    )
    plan = plan_import("kpi-long", "understated.xlsx", content)
    assert plan.ok, plan.problems
    assert plan.parsed.rows_read == 2
