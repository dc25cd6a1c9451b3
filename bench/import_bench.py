"""Importing 100,000 kpi-long rows beside a plain bulk load of the same rows, timed in the same run.

    DEBUG=1 .venv/bin/python bench/import_bench.py            # SQLite
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/<name> DEBUG=1 .venv/bin/python bench/import_bench.py

Works in throwaway databases (created and dropped), never in the configured one. Prints:

- baseline: the rows the import plans, loaded into a staging table (COPY on PostgreSQL,
  executemany on SQLite), merged into a copy of the values table with one INSERT ... SELECT and
  into a copy of its history table with one more: the least an import of them can do;
- preview, import and import again (all unchanged): seconds, rows a second and ratio to the baseline;
- the process's peak memory;
- the 200,000-row limit through the web page: gunicorn (2 workers, default timeout) on its own
  database, an administrator signs in, uploads, looks at the preview and confirms; the import
  runs in a process of its own, followed as the page follows it, and the page then shows it;
- damaged and hostile .xlsx files: the time to the error;
- a verdict per target. BENCH_INDICATORS changes the file's size (100 months an indicator).
"""

import http.client
import io
import os
import re
import resource
import shutil
import sys
import tempfile
import time
import uuid
import zipfile
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sct_monitor.settings")
os.environ.setdefault("DEBUG", "1")

import django  # noqa: E402

django.setup()

from django.db import connection, transaction  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

from bench import page_bench  # noqa: E402

INDICATORS, MONTHS = int(os.environ.get("BENCH_INDICATORS", 1000)), 100  # 100,000 rows
WEB_INDICATORS = 2 * INDICATORS  # the 200,000-row limit
GUNICORN_TIMEOUT = 30.0
RATE_TARGET = {"postgresql": 50_000, "sqlite": 20_000}
verdicts: list[tuple[str, bool]] = []


def csv_content(indicators: int) -> bytes:
    from kpis.scorecard import add_months

    months = [f"{add_months(date(2010, 1, 1), m):%Y-%m}" for m in range(MONTHS)]
    out = io.StringIO()
    out.write("indicator_code,month,value,commentary\n")
    for i in range(indicators):
        for m, month in enumerate(months):
            out.write(f"B{i},{month},{(i * 7 + m) % 100}.5,Bench row\n")
    return out.getvalue().encode()


def verdict(target: str, met: bool) -> None:
    verdicts.append((target, met))


def timed(action) -> tuple[float, object]:
    started = time.perf_counter()
    result = action()
    return time.perf_counter() - started, result


def baseline(rows: list[dict]) -> float:
    """Seconds to bulk-load ``rows`` into staging and merge them, with history, into empty copies."""
    from kpis.models import MonthlyValue
    from sct_monitor.bulk_insert import copy_text

    table, history = MonthlyValue._meta.db_table, MonthlyValue.history.model._meta.db_table
    columns = list(rows[0])
    names = ", ".join(columns)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"CREATE TABLE bench_values AS SELECT * FROM {table} WHERE 1 = 0")
        cursor.execute("CREATE UNIQUE INDEX bench_values_key ON bench_values (indicator_id, month)")
        cursor.execute(f"CREATE TABLE bench_history AS SELECT * FROM {history} WHERE 1 = 0")
        cursor.execute(f"CREATE TEMPORARY TABLE bench_staging AS SELECT {names} FROM {table} WHERE 1 = 0")
        started = time.perf_counter()
        if connection.vendor == "postgresql":
            buffer = io.StringIO()
            buffer.writelines("\t".join(copy_text(row[name]) for name in columns) + "\n" for row in rows)
            buffer.seek(0)
            cursor.cursor.copy_expert(f"COPY bench_staging ({names}) FROM STDIN", buffer)
        else:
            placeholders = ", ".join(["%s"] * len(columns))
            cursor.executemany(
                f"INSERT INTO bench_staging ({names}) VALUES ({placeholders})",
                [[row[name] for name in columns] for row in rows],
            )
        cursor.execute(
            f"INSERT INTO bench_values (id, {names}, source, entered_at, updated_at) "
            f"SELECT ROW_NUMBER() OVER (), {names}, '', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP "
            "FROM bench_staging"
        )
        fields = ", ".join(f.column for f in MonthlyValue._meta.concrete_fields)
        cursor.execute(
            f"INSERT INTO bench_history ({fields}, history_id, history_date, history_change_reason, "
            f"history_type, history_user_id) SELECT {fields}, id, CURRENT_TIMESTAMP, 'bench', '+', NULL "
            "FROM bench_values"
        )
        seconds = time.perf_counter() - started
        transaction.set_rollback(True)
    return seconds


def time_publishing() -> list[float]:
    """The import's calls of refresh_published_months timed: a list their seconds are added to."""
    from sct_monitor.importing import engine

    spent: list[float] = []
    refresh = engine.refresh_published_months

    def timed_refresh(*args, **kwargs):
        started = time.perf_counter()
        result = refresh(*args, **kwargs)
        spent.append(time.perf_counter() - started)
        return result

    engine.refresh_published_months = timed_refresh
    return spent


def in_process() -> None:
    from kpis.models import Indicator
    from sct_monitor.importing.engine import apply_import, plan_import

    Indicator.objects.bulk_create(
        Indicator(code=f"B{i}", title=f"Bench {i}", frequency="monthly", polarity="higher", unit="percentage")
        for i in range(INDICATORS)
    )
    content = csv_content(INDICATORS)
    rows = INDICATORS * MONTHS
    print(
        f"{rows:,} kpi-long rows, {len(content) / 1e6:.1f} MB, on {connection.vendor}, {os.cpu_count()} cores"
    )
    preview_seconds, plan = timed(lambda: plan_import("kpi-long", "bench.csv", content))
    base = baseline(plan.parsed.planned[0].rows)
    del plan
    print(f"{'':36} {'seconds':>8} {'rows/s':>9} {'ratio':>6}")

    def line(label: str, seconds: float, summary: str = "") -> None:
        print(f"{label:36} {seconds:8.2f} {rows / seconds:9,.0f} {seconds / base:5.1f}x  {summary}")

    line("baseline: bulk load, merge, history", base)
    line("check and preview (writes nothing)", preview_seconds)
    publishing = time_publishing()
    # Only each import's summary is kept: holding its plan (every row it read) while the next
    # import runs would count two imports' rows in the peak memory of one.
    import_seconds, summary = timed(lambda: apply_import("kpi-long", "bench.csv", content, None)[0].summary())
    line("import", import_seconds, summary)
    line(f"  of which publishing {MONTHS} new months", publishing.pop())
    again_seconds, summary = timed(lambda: apply_import("kpi-long", "bench.csv", content, None)[0].summary())
    line("import again (all unchanged)", again_seconds, summary)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory of the process: {peak:.0f} MB")
    verdict(f"import within twice the baseline ({import_seconds / base:.1f}x)", import_seconds <= 2 * base)
    rate = RATE_TARGET[connection.vendor]
    verdict(f"import at least {rate:,} rows/s ({rows / import_seconds:,.0f})", rows / import_seconds >= rate)
    verdict(f"preview within 1 s ({preview_seconds:.2f} s)", preview_seconds <= 1)
    verdict(f"unchanged re-import within 1 s ({again_seconds:.2f} s)", again_seconds <= 1)
    verdict(f"peak memory under 250 MB ({peak:.0f} MB)", peak < 250)


def multipart(fields: dict[str, str], file_name: str, content: bytes) -> tuple[str, bytes]:
    boundary = uuid.uuid4().hex
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        for name, value in fields.items()
    ]
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{file_name}"\r\n'
        f"Content-Type: text/csv\r\n\r\n".encode()
        + content
        + f"\r\n--{boundary}--\r\n".encode()
    )
    return f"multipart/form-data; boundary={boundary}", b"".join(parts)


def web_step(steps: list, label: str, action) -> tuple:
    """Make one request, noting its time and status; a worker killed at the timeout is noted too."""
    started = time.perf_counter()
    try:
        response, content = action()
    except (http.client.HTTPException, OSError) as exc:
        steps.append((label, time.perf_counter() - started, f"failed: {exc.__class__.__name__}"))
        return None, None
    steps.append((label, time.perf_counter() - started, f"HTTP {response.status}"))
    return response, content


def through_the_web_page() -> None:
    """The 200,000-row limit uploaded, previewed and confirmed as an administrator would."""
    workdir = Path(tempfile.mkdtemp(prefix="sct-import-bench-"))
    database = page_bench.Database(workdir)
    database.name = f"sct_bench_imports_{os.getpid()}"
    if database.vendor == "postgresql":
        # Created from the server's maintenance database: the one named need not exist.
        server_url = database.url.rsplit("/", 1)[0]
        database.admin_url, database.url = f"{server_url}/postgres", f"{server_url}/{database.name}"
    setup = page_bench.environment(database, workdir, debug=True)
    create = (
        "from kpis.models import Indicator; Indicator.objects.bulk_create(Indicator(code=f'B{i}', "
        "title=f'Bench {i}', frequency='monthly', polarity='higher', unit='percentage') "
        f"for i in range({WEB_INDICATORS}))"
    )
    try:
        database.create()
        page_bench.manage(setup, "migrate", "--noinput")
        page_bench.manage(setup, "create_demo_users")
        page_bench.manage(setup, "shell", "-c", create)
        page_bench.manage(
            page_bench.environment(database, workdir, debug=False), "collectstatic", "--noinput"
        )
        server = page_bench.Server(page_bench.environment(database, workdir, debug=False))
        try:
            port = server.port
            cookie = page_bench.sign_in(port, "admin", "admin-demo-pass")
            token = re.search(r"csrftoken=([^;]+)", cookie).group(1)
            content = csv_content(WEB_INDICATORS)
            print(f"\nthrough the web page, {WEB_INDICATORS * MONTHS:,} rows ({len(content) / 1e6:.1f} MB), "
                  f"gunicorn with 2 workers, timeout {GUNICORN_TIMEOUT:.0f} s:")  # fmt: skip
            referer = f"http://127.0.0.1:{port}/imports/"
            fields = {"csrfmiddlewaretoken": token, "kind": "kpi-long"}
            content_type, body = multipart(fields, "bench.csv", content)
            upload = {"Cookie": cookie, "Content-Type": content_type, "Referer": referer}
            steps = []
            response, _ = web_step(
                steps, "upload and check", lambda: page_bench.request(port, "/imports/", upload, "POST", body)
            )
            detail = response.getheader("Location", "") if response else ""
            response, page = web_step(
                steps, "preview page", lambda: page_bench.request(port, detail, {"Cookie": cookie})
            )
            found = re.search(rb'action="(/imports/\d+/apply/)"', page or b"")
            confirm = {
                "Cookie": cookie,
                "Content-Type": "application/x-www-form-urlencoded",
                "Referer": referer,
            }
            form = f"csrfmiddlewaretoken={token}"
            if found:
                web_step(
                    steps,
                    "confirm (imports)",
                    lambda: page_bench.request(port, found.group(1).decode(), confirm, "POST", form),
                )
            # The import runs in a process of its own; the page asks how it is getting on.
            waited = time.perf_counter()
            checks = 0
            while time.perf_counter() - waited < 900:
                _, status = page_bench.request(port, f"{detail}status/", {"Cookie": cookie})
                checks += 1
                if b'"running": true' not in status:
                    break
                time.sleep(1)
            waiting = time.perf_counter() - waited
            response, page = web_step(
                steps, "imported page", lambda: page_bench.request(port, detail, {"Cookie": cookie})
            )
            for label, seconds, status in steps:
                print(f"  {label:34} {seconds:6.2f} s  {status}")
            print(f"  {'import in its own process':34} {waiting:6.2f} s  finished after {checks} checks")
            imported = b"Imported" in (page or b"")
            slowest = max(seconds for _, seconds, _ in steps)
            verdict(
                f"200,000 rows through the page, each request well inside {GUNICORN_TIMEOUT:.0f} s "
                f"(slowest {slowest:.1f} s, {'imported' if imported else 'NOT imported'})",
                imported and slowest < GUNICORN_TIMEOUT / 2,
            )
        finally:
            server.stop()
    finally:
        database.drop()
        shutil.rmtree(workdir, ignore_errors=True)


def small_workbook() -> bytes:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["indicator_code", "month", "value"])
    sheet.append(["B0", "2030-01", 1])  # a month the bench does not import
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def rewritten_sheet(workbook: bytes, sheet_xml) -> bytes:
    """``workbook`` with its first sheet's XML replaced by what ``sheet_xml(stream)`` writes."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(workbook)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for part in source.infolist():
            if part.filename == "xl/worksheets/sheet1.xml":
                with target.open(part.filename, "w", force_zip64=True) as stream:
                    sheet_xml(stream, source.read(part))
            else:
                target.writestr(part, source.read(part))
    return out.getvalue()


def declaring_whole_sheet(stream, original: bytes) -> None:
    stream.write(re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="A1:XFD1048576"', original))


def cell_at_the_corner(stream, original: bytes) -> None:
    """A1:XFD1048576 declared and a cell at XFD1048576: a million rows in a few bytes."""
    head, _, tail = original.partition(b"</sheetData>")
    corner = b'<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row>'
    declaring_whole_sheet(stream, head + corner + b"</sheetData>" + tail)


def expanding_sheet(stream, original: bytes) -> None:
    """Some 300 MB of rows: compressed, a fraction of a megabyte."""
    head, _, tail = original.partition(b"</sheetData>")
    stream.write(head)
    row = b'<row><c t="inlineStr"><is><t>B0</t></is></c></row>' * 1000
    for _ in range(300 * 1024 * 1024 // len(row)):
        stream.write(row)
    stream.write(b"</sheetData>" + tail)


def xlsx_limits() -> None:
    from sct_monitor.importing.engine import plan_import

    workbook = small_workbook()
    # (what the workbook is, its bytes, whether it must be refused: a sheet merely declaring a
    # huge size is read as what it holds)
    cases = [
        ("declares A1:XFD1048576", rewritten_sheet(workbook, declaring_whole_sheet), False),
        ("a cell at XFD1048576", rewritten_sheet(workbook, cell_at_the_corner), True),
        ("sheet expanding to ~300 MB", rewritten_sheet(workbook, expanding_sheet), True),
        ("truncated workbook", workbook[: len(workbook) // 2], True),
    ]
    print("\n.xlsx limits (time to the answer):")
    for label, content, refused in cases:
        seconds, plan = timed(lambda content=content: plan_import("kpi-long", "bench.xlsx", content))
        message = str(plan.problems[0]) if plan.problems else f"read: {plan.summary()}"
        print(f"  {label:28} {len(content) / 1024:8.0f} KB {seconds:6.2f} s  {message[:90]}")
        outcome = "a clear error" if refused else "read as what it holds"
        verdict(f".xlsx {label}: {outcome} within 1 s ({seconds:.2f} s)", plan.ok != refused and seconds < 1)


def main() -> None:
    setup_test_environment()
    folder = Path(tempfile.mkdtemp(prefix="sct-import-bench-"))
    if connection.vendor == "sqlite":
        # A file, as a deployment's SQLite database is (db.sqlite3): Django's test database is
        # otherwise held in memory, and its 300,000 rows would count in the import's peak memory.
        connection.settings_dict["TEST"]["NAME"] = str(folder / "db.sqlite3")
    name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        in_process()
        xlsx_limits()
    finally:
        connection.creation.destroy_test_db(name, verbosity=0)
        shutil.rmtree(folder, ignore_errors=True)
    if os.environ.get("BENCH_WEB", "1") == "1":
        through_the_web_page()
    print("\nverdicts:")
    for target, met in verdicts:
        print(f"  {'met    ' if met else 'NOT met'}  {target}")


if __name__ == "__main__":
    main()
