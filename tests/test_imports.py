"""Imports: every kind, encodings, errors, preview, override, idempotency, round trip, permissions."""

import hashlib
import io
import re
from datetime import date
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from audits.models import AuditReturn, ComplaintsMonth
from finance.models import BudgetLine
from kpis.models import ComparatorValue, Indicator, MonthlyReturn, MonthlyValue
from sct_monitor.importing.engine import apply_import, plan_import
from sct_monitor.models import ImportLog
from tests.conftest import export_csv, make_user

pytestmark = pytest.mark.django_db

SEEDS = Path(settings.BASE_DIR).parent / "shared" / "seeds"


def errors(plan) -> list[str]:
    return [str(problem) for problem in plan.problems]


def kpi(code: str, month: str) -> MonthlyValue | None:
    return MonthlyValue.objects.filter(indicator__code=code, month=f"{month}-01").first()


# --- reading -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "encoding", ["utf-8", "utf-8-sig", "cp1252"], ids=["UTF-8", "UTF-8 with BOM", "Windows-1252"]
)
def test_every_encoding_reads_the_same_including_the_pound_sign(encoding):
    text = "financial_year,category,description,budget\n2030/31,staffing,Agency premium (£ per week),1500\n"
    plan, _ = apply_import("finance", "lines.csv", text.encode(encoding), None)
    assert plan.ok, errors(plan)
    assert (
        BudgetLine.objects.get(financial_year__start_year=2030).description == "Agency premium (£ per week)"
    )


def test_headers_match_whatever_their_case_and_spacing():
    plan = plan_import("kpi-long", "x.csv", b" Indicator Code ,MONTH, Value \n1,2022-07,70\n")
    assert plan.ok, errors(plan)
    assert plan.total("created") >= 1


def test_tab_separated_text_is_read_as_a_table():
    plan = plan_import("kpi-long", "x.txt", b"indicator_code\tmonth\tvalue\n1\t2022-07\t70\n")
    assert plan.ok, errors(plan)


def test_an_xlsx_workbook_is_read_from_its_first_sheet():
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["indicator_code", "month", "value", "commentary"])
    sheet.append(["5", "2022-07", 240, "Down"])
    sheet.append(["1", date(2022, 7, 1), 0.5, ""])
    buffer = io.BytesIO()
    book.save(buffer)
    plan, _ = apply_import("kpi-long", "july.xlsx", buffer.getvalue(), None)
    assert plan.ok, errors(plan)
    assert kpi("5", "2022-07").value == 240 and kpi("1", "2022-07").value == Decimal("0.5")


def test_a_file_that_is_not_text_is_refused():
    assert (
        "neither UTF-8 nor Windows-1252"
        in errors(plan_import("kpi-long", "x.csv", b"\x81\x8d\x8f\x90\x9d"))[0]
    )


# --- kinds --------------------------------------------------------------------------------


def seed_table(name: str, start: str, end: str | None) -> bytes:
    lines = (SEEDS / name).read_text(encoding="utf-8").splitlines()
    first = next(i for i, line in enumerate(lines) if re.match(start, line))
    last = len(lines) if end is None else next(i for i, line in enumerate(lines) if re.match(end, line))
    return "\n".join(lines[first : last + 1]).encode()


def test_the_jan_19_appendix_pasted_as_is_imports_cleanly_and_matches_the_seed():
    content = seed_table("001_63a1f8a883f4fd17.txt", r"^Sandwell Childrens Trust Social Care", r"^\*\* PI 13")
    plan = plan_import("kpi-wide", "jan19.txt", content)
    assert plan.ok, errors(plan)
    values = dict(plan.results)["KPI values"]
    assert (values.created, values.updated, values.unchanged) == (0, 0, 180)
    assert (
        dict(plan.results)["comparator values"].created + dict(plan.results)["comparator values"].updated
        == 15
    )


def test_the_q1_2022_table_pasted_as_is_imports_cleanly_and_matches_the_seed():
    content = seed_table("002_24d1e591c342d1e0.txt", r"^\t\tApr-21", r"^15\t")
    plan = plan_import("kpi-wide", "q1.txt", content)
    assert plan.ok, errors(plan)
    assert dict(plan.results)["KPI values"].unchanged == 225


def test_kpi_wide_reads_month_headers_and_values_in_the_reports_forms():
    content = (
        "Pl.No,DESCRIPTION,Jun-22,Jul - 22,Aug – 22,Sept - 22\n"
        "5,Unallocated,258,N/A,200.0,NA\n1,MASH,74.9%,82.30%,,\n"
    )
    plan, _ = apply_import("kpi-wide", "wide.csv", content.encode(), None, override_published=True)
    assert plan.ok, errors(plan)
    assert kpi("5", "2022-08").value == 200 and kpi("1", "2022-07").value == Decimal("82.3")
    assert kpi("5", "2022-07") is None  # N/A is missing, never zero


def test_comparators_take_months_ranges_and_financial_years():
    content = (
        "indicator_code,comparator,period,value,source\n"
        "1,sn,2022-06,80.5,Test\n5,England,2021/22,30,DfE\n"
        "13,Birmingham,2018-01 to 2018-12,25,Regional table\n"
    )
    plan, _ = apply_import("comparators", "c.csv", content.encode(), None)
    assert plan.ok, errors(plan)
    england = ComparatorValue.objects.get(indicator__code="5", comparator="england")
    assert (england.period_start, england.period_end) == (date(2021, 4, 1), date(2022, 3, 31))
    assert (
        ComparatorValue.objects.get(indicator__code="13", comparator="other").comparator_name == "Birmingham"
    )


def test_audits_and_complaints_and_finance_import():
    audits = (
        b"month,activity,target,completed,good,requires_improvement,inadequate,theme\n"
        b"2019-01,case_file,60,50,5,20,25,Neglect\n"
    )
    complaints = b"Month,Compliments,Complaints,Percent responded in timescale\n2019-01,12,20,75\n"
    finance = (
        b"financial_year,period,category,description,budget,forecast\n"
        b"2019/20,Full year,contract_sum,Contract sum,60000000,\n"
    )
    for kind, content in (("audits", audits), ("complaints", complaints), ("finance", finance)):
        plan, _ = apply_import(kind, f"{kind}.csv", content, None)
        assert plan.ok, (kind, errors(plan))
    assert AuditReturn.objects.get(month=date(2019, 1, 1)).rated_inadequate == 25
    assert ComplaintsMonth.objects.get(month=date(2019, 1, 1)).percent_responded_in_timescale == 75
    assert BudgetLine.objects.get(financial_year__start_year=2019).budget == 60_000_000


# --- errors ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ("99,2022-07,5", "line 2, column indicator_code: '99': no such indicator"),
        ("1,2022-13,5", "line 2, column month: '2022-13': not a month"),
        ("1,2022-07,abc", "line 2, column value: 'abc': not a number"),
        ("1,2022-07,120", "line 2, column value: '120': a percentage must be between 0 and 100"),
        ("5,2022-07,2.5", "line 2, column value: '2.5': a count must be a whole number"),
        ("5,2022-07,-1", "line 2, column value: '-1': a count cannot be negative"),
        ("5,2022-07,", "line 2, column value: a value, or a missing_reason"),
    ],
)
def test_each_error_names_line_column_and_value(row, message):
    problems = errors(plan_import("kpi-long", "x.csv", f"indicator_code,month,value\n{row}\n".encode()))
    assert problems and problems[0].startswith(message), problems


def test_a_duplicate_row_is_an_error():
    problems = errors(
        plan_import("kpi-long", "x.csv", b"indicator_code,month,value\n1,2022-07,5\n1,2022-07,6\n")
    )
    assert problems == ["line 3: duplicate of line 2"]


def test_a_missing_column_is_named():
    assert (
        "missing column(s): value"
        in errors(plan_import("kpi-long", "x.csv", b"indicator_code,month\n1,2022-07\n"))[0]
    )


def test_any_error_writes_nothing():
    content = b"indicator_code,month,value\n5,2022-07,240\n1,2022-07,120\n"
    plan, log = apply_import("kpi-long", "x.csv", content, None)
    assert not plan.ok
    assert kpi("5", "2022-07") is None
    assert (log.outcome, log.error_count) == ("refused", 1)


# --- published months, idempotency, history, round trip -------------------------------------


def test_changing_a_published_month_needs_the_override():
    content = b"indicator_code,month,value,commentary\n5,2022-06,250,Recount\n"
    plan, _ = apply_import("kpi-long", "x.csv", content, None)
    assert errors(plan) == [
        "line 2, column month: '2022-06': June 2022 is published; tick 'Change published months' to change it"
    ]
    assert kpi("5", "2022-06").value == 258
    plan, _ = apply_import("kpi-long", "x.csv", content, None, override_published=True)
    assert plan.ok and kpi("5", "2022-06").value == 250


def test_importing_the_same_file_twice_changes_nothing_the_second_time():
    content = b"indicator_code,month,value,commentary\n5,2022-07,240,Down\n1,2022-07,70,\n"
    first, _ = apply_import("kpi-long", "x.csv", content, None)
    assert (first.total("created"), first.total("updated")) == (3, 0)  # two values and July's return
    second, _ = apply_import("kpi-long", "x.csv", content, None)
    assert second.summary() == "0 created, 0 updated, 2 unchanged"  # July's return exists now


def test_history_records_who_changed_what_through_which_import():
    user = make_user("importer", "Administrator")
    _plan, log = apply_import("kpi-long", "july.csv", b"indicator_code,month,value\n5,2022-07,240\n", user)
    entry = kpi("5", "2022-07").history.first()
    assert entry.history_user == user
    assert entry.history_change_reason == f"Import {log.pk}: kpi-long from july.csv"


def test_a_new_month_becomes_a_published_return():
    apply_import("kpi-long", "x.csv", b"indicator_code,month,value\n5,2030-01,10\n", None)
    assert MonthlyReturn.objects.get(month=date(2030, 1, 1)).status == "published"
    assert kpi("5", "2030-01").status == "published"


def test_values_for_an_open_return_keep_its_status():
    MonthlyReturn.objects.create(month=date(2022, 7, 1), status="draft")
    apply_import("kpi-long", "x.csv", b"indicator_code,month,value\n5,2022-07,10\n", None)
    assert kpi("5", "2022-07").status == "draft"


def test_an_export_imported_back_gives_identical_data(capsys):
    exported = export_csv(capsys).encode()
    before = sorted(MonthlyValue.objects.values_list("indicator_id", "month", "value", "commentary"))
    plan = plan_import("kpi-long", "export.csv", exported)
    assert plan.summary() == f"0 created, 0 updated, {MonthlyValue.objects.count()} unchanged"
    MonthlyValue.objects.all().delete()
    plan, _ = apply_import("kpi-long", "export.csv", exported, None, override_published=True)
    assert plan.ok, errors(plan)[:5]
    assert sorted(MonthlyValue.objects.values_list("indicator_id", "month", "value", "commentary")) == before


# --- the command, the log, limits and permissions --------------------------------------------


def test_the_command_prints_a_summary_and_logs_the_import(tmp_path, capsys):
    path = tmp_path / "july.csv"
    path.write_bytes(b"indicator_code,month,value\n5,2022-07,240\n")
    call_command("import_data", "kpi-long", str(path))
    assert "Imported july.csv (1 rows): 2 created, 0 updated, 0 unchanged." in capsys.readouterr().out
    log = ImportLog.objects.get()
    assert (log.kind, log.via, log.outcome, log.created) == ("kpi-long", "command", "imported", 2)
    assert log.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()


def test_the_command_shows_a_large_files_progress_up_to_its_last_row(tmp_path, capsys):
    codes = list(Indicator.objects.filter(unit="percentage").values_list("code", flat=True)[:10])
    months = [f"{2040 + m // 12}-{m % 12 + 1:02d}" for m in range(600)]  # months no file holds
    path = tmp_path / "large.csv"
    path.write_text(
        "indicator_code,month,value\n" + "".join(f"{code},{month},50\n" for code in codes for month in months)
    )
    call_command("import_data", "kpi-long", str(path), "--dry-run")
    bar = capsys.readouterr().err
    assert f"100% ({len(codes) * 600:,}/{len(codes) * 600:,} rows)" in bar
    assert bar.count("\r") >= 5  # it moved along the way


def test_the_command_dry_run_writes_nothing(tmp_path, capsys):
    path = tmp_path / "july.csv"
    path.write_bytes(b"indicator_code,month,value\n5,2022-07,240\n")
    call_command("import_data", "kpi-long", str(path), "--dry-run")
    assert "Would import" in capsys.readouterr().out
    assert kpi("5", "2022-07") is None


def test_the_command_lists_every_error_and_fails(tmp_path, capsys):
    path = tmp_path / "bad.csv"
    path.write_bytes(b"indicator_code,month,value\n99,2022-07,5\n1,2022-07,120\n")
    with pytest.raises(CommandError, match="2 error"):
        call_command("import_data", "kpi-long", str(path))
    err = capsys.readouterr().err
    assert "bad.csv: line 2" in err and "bad.csv: line 3" in err


def test_too_many_rows_are_refused_with_the_limit(settings):
    settings.IMPORT_MAX_ROWS = 2
    content = b"indicator_code,month,value\n1,2022-07,1\n1,2022-08,1\n1,2022-09,1\n"
    assert errors(plan_import("kpi-long", "x.csv", content)) == [
        "line 0: the file has 3 rows; the limit is 2"
    ]


@pytest.fixture
def admin_client(client):
    client.force_login(make_user("importer", "Administrator", is_staff=True))
    return client


def upload(client, content: bytes, kind: str = "kpi-long", name: str = "july.csv", **extra):
    return client.post("/imports/", {"kind": kind, "file": SimpleUploadedFile(name, content), **extra})


def test_the_page_previews_before_writing_and_confirming_writes_it_all(admin_client):
    response = upload(admin_client, b"indicator_code,month,value\n5,2022-07,240\n1,2022-07,70\n")
    preview = admin_client.get(response["Location"]).content.decode()
    assert "Import 3 created, 0 updated, 0 unchanged" in preview
    assert kpi("5", "2022-07") is None  # nothing written yet
    log = ImportLog.objects.get()
    admin_client.post(f"/imports/{log.pk}/apply/")
    assert kpi("5", "2022-07").value == 240
    log.refresh_from_db()
    assert (log.outcome, log.created, log.content) == ("imported", 3, b"")
    assert admin_client.post(f"/imports/{log.pk}/apply/").status_code == 302  # no second import
    assert ImportLog.objects.count() == 1


def test_the_page_shows_every_error_and_offers_no_import(admin_client):
    response = upload(admin_client, b"indicator_code,month,value\n99,2022-07,5\n1,2022-07,120\n")
    page = admin_client.get(response["Location"]).content.decode()
    assert "2 errors: nothing has been imported" in page
    assert "line 2, column indicator_code: &#x27;99&#x27;: no such indicator" in page
    assert "/apply/" not in page


def test_the_list_of_imports_shows_counts_only_for_files_imported(admin_client):
    upload(admin_client, b"indicator_code,month,value\n99,2022-07,5\n")  # refused: nothing written
    upload(admin_client, b"indicator_code,month,value\n5,2022-07,240\n")
    admin_client.post(f"/imports/{ImportLog.objects.filter(outcome='previewed').get().pk}/apply/")
    rows = re.findall(
        r'<tr class="govuk-table__row">(.*?)</tr>', admin_client.get("/imports/").content.decode(), re.S
    )
    imported, refused = rows[-2:]
    assert re.search(r'data-label="Created"[^>]*>2</td>', imported)
    assert (
        "Refused: errors found" in refused
        and '–<span class="govuk-visually-hidden"> (nothing imported)' in refused
    )


def test_the_override_box_allows_published_months_to_change(admin_client):
    content = b"indicator_code,month,value,commentary\n5,2022-06,250,Recount\n"
    upload(admin_client, content, override_published="on")
    admin_client.post(f"/imports/{ImportLog.objects.get().pk}/apply/")
    assert kpi("5", "2022-06").value == 250


def test_a_file_over_the_size_limit_is_refused(admin_client, settings):
    settings.IMPORT_MAX_BYTES = 10
    response = upload(admin_client, b"indicator_code,month,value\n5,2022-07,240\n")
    assert response.status_code == 400
    assert "The file must be smaller than" in response.content.decode()


@pytest.mark.parametrize("role", ["Board member", "Performance officer"])
def test_only_administrators_can_import_and_the_data_is_unchanged(client, role):
    client.force_login(make_user("someone", role))
    assert upload(client, b"indicator_code,month,value\n5,2022-06,1\n").status_code == 403
    assert kpi("5", "2022-06").value == 258
    assert not ImportLog.objects.exists()


def test_the_command_shows_progress_on_a_large_file(tmp_path, capsys):
    rows = "".join(f"1,{2030 + m // 12}-{m % 12 + 1:02d},50\n" for m in range(6000))
    path = tmp_path / "large.csv"
    path.write_text("indicator_code,month,value\n" + rows, encoding="utf-8")
    call_command("import_data", "kpi-long", str(path), "--dry-run")
    progress = capsys.readouterr().err
    assert "checking [" in progress and "100% (6,000/6,000 rows)" in progress


def test_a_comparator_period_that_ends_before_it_starts_is_an_error():
    content = b"indicator_code,comparator,period,value,source\n1,sn,2018-12 to 2018-01,50,Test\n"
    problems = errors(plan_import("comparators", "c.csv", content))
    assert problems == ["line 2, column period: '2018-12 to 2018-01': the period ends before it starts"]
