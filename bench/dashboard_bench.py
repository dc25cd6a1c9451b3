"""Times rendering the dashboard pages on 300 indicators with 120 months each (the page cache is
off, so every request is rendered; bench/page_bench.py measures stored pages).

    DEBUG=1 .venv/bin/python bench/dashboard_bench.py            # SQLite
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sct_monitor DEBUG=1 \
        .venv/bin/python bench/dashboard_bench.py

Works in a throwaway test database (created and dropped), never in the configured one.
"""

import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sct_monitor.settings")
os.environ.setdefault("DEBUG", "1")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402

PAGES = ["/", "/kpis/", "/kpis/?month=2018-12&sort=status", "/kpis/G1/?range=all", "/kpis/?format=csv",
         "/reports/2023-02/"]  # fmt: skip
ROUNDS = 5
if os.environ.get("BENCH_PAGES"):  # a few of them: BENCH_PAGES="/ /reports/2023-02/"
    PAGES = os.environ["BENCH_PAGES"].split()


def main() -> None:
    setup_test_environment()
    settings.ALLOWED_HOSTS = ["testserver"]
    settings.PAGE_CACHE_ENABLED = False
    name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        from bench.datasets import generate
        from sct_monitor.seed import SeedLoader
        from tests.conftest import make_user

        SeedLoader().load()
        started = time.perf_counter()
        generate(0, 300, 120)
        elapsed = time.perf_counter() - started
        print(f"generated 300 indicators x 120 months in {elapsed:.1f} s ({connection.vendor})")
        client = Client()
        client.force_login(make_user("bench-board", "Board member"))
        for path in PAGES:
            timings = []
            for _ in range(ROUNDS):
                with CaptureQueriesContext(connection) as queries:
                    began = time.perf_counter()
                    assert client.get(path).status_code == 200
                    timings.append(time.perf_counter() - began)
            print(f"{path:40} median {statistics.median(timings) * 1000:7.0f} ms  {len(queries):3d} queries")
    finally:
        connection.creation.destroy_test_db(name, verbosity=0)


if __name__ == "__main__":
    main()
