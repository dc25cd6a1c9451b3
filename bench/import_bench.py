"""Times importing 100,000 kpi-long rows, then the same file again (all unchanged).

    DEBUG=1 .venv/bin/python bench/import_bench.py            # SQLite
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sct_monitor DEBUG=1 \\
        .venv/bin/python bench/import_bench.py

Works in a throwaway test database (created and dropped), never in the configured one.
"""

import io
import os
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sct_monitor.settings")
os.environ.setdefault("DEBUG", "1")

import django

django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

INDICATORS, MONTHS = int(os.environ.get("BENCH_INDICATORS", 1000)), 100  # 100,000 rows


def csv_content() -> bytes:
    from kpis.scorecard import add_months

    out = io.StringIO()
    out.write("indicator_code,month,value,commentary\n")
    start = date(2010, 1, 1)
    for i in range(INDICATORS):
        for m in range(MONTHS):
            out.write(f"B{i},{add_months(start, m):%Y-%m},{(i * 7 + m) % 100}.5,Bench row\n")
    return out.getvalue().encode()


def timed(label: str, action):
    started = time.perf_counter()
    result = action()
    print(f"{label:34} {time.perf_counter() - started:6.1f} s   {result.summary()}")
    return result


def main() -> None:
    setup_test_environment()
    name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        from kpis.models import Indicator
        from sct_monitor.importing.engine import apply_import, plan_import

        Indicator.objects.bulk_create(
            Indicator(
                code=f"B{i}", title=f"Bench {i}", frequency="monthly", polarity="higher", unit="percentage"
            )
            for i in range(INDICATORS)
        )
        content = csv_content()
        print(f"{INDICATORS * MONTHS:,} kpi-long rows, {len(content) / 1e6:.1f} MB, on {connection.vendor}")
        timed("check and preview (writes nothing)", lambda: plan_import("kpi-long", "bench.csv", content))
        timed("import", lambda: apply_import("kpi-long", "bench.csv", content, None)[0])
        timed("import again (all unchanged)", lambda: apply_import("kpi-long", "bench.csv", content, None)[0])
    finally:
        connection.creation.destroy_test_db(name, verbosity=0)


if __name__ == "__main__":
    main()
