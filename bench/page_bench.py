"""Board pages beside a static file of the same bytes, served by the same gunicorn under the same load.

    .venv/bin/python bench/page_bench.py                       # SQLite
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/page_bench.py

Sets up a throwaway database of its own (a new PostgreSQL database beside the one named, or a
temporary SQLite file), migrates it, loads the seed and the DfE files (as `make dfe` does), and
runs gunicorn as in production (DEBUG off, 2 workers, hashed precompressed static files). Each
page is fetched once as a board member and its exact bytes are written as a static file, so the
two differ only in how they are made. Then, for each page, 4 connections for BENCH_SECONDS each,
taken in BENCH_ROUNDS rounds (5) of the three in turn, so that all three share the machine's
slower and faster spells:

- static: the static copy, served by WhiteNoise from the same gunicorn;
- unchanged: the page, the data unchanged since it was first shown;
- after a write: before each request its client commits a write to the data (it puts a space at
  the end of the first indicator's title or takes it away, which advances the data version like
  any write and changes what the pages show), so the page is rendered afresh; the share actually
  rendered afresh is printed. What a page remembers per
  indicator (its other indicators' rows) is kept; an indicator page is also measured after a
  write to its own indicator, and BENCH_WRITE=all writes every indicator's title instead (as
  an import touching them all would), so that every row is worked out again.

Every request asks for gzip, as a browser does; the static copy is precompressed, as collectstatic
leaves every static file. BENCH_SIZE=large adds 300 generated indicators of 120 months each.
The database is dropped at the end.
"""

import gzip
import http.client
import multiprocessing
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = str(ROOT / ".venv" / "bin" / "python")
GUNICORN = str(ROOT / ".venv" / "bin" / "gunicorn")
DFE = ROOT.parent / "shared" / "data" / "dfe"
SECONDS = float(os.environ.get("BENCH_SECONDS", 10))
# Each page's seconds are taken in rounds, static file, unchanged page and page after a write in
# turn, so that the three share the machine's slower and faster spells (on this shared machine the
# static file's p50 alone ranged from 1.7 to 3.3 ms within one run of consecutive measurements).
ROUNDS = int(os.environ.get("BENCH_ROUNDS", 5))
CONNECTIONS = 4
WORKERS = 2
FIRST = "(SELECT MIN(id) FROM kpis_indicator)"


def code(value: str) -> str:
    """The id of the indicator with code ``value``, as SQL."""
    return f"(SELECT id FROM kpis_indicator WHERE code = '{value}')"


# (label, address, the indicators whose title the write sets: an SQL expression for their ids)
PAGES = [
    ("scorecard, June 2022", "/kpis/?month=2022-06", FIRST),
    ("overview", "/", FIRST),
    ("indicator page 13", "/kpis/13/", FIRST),
    ("  after a write to indicator 13", "/kpis/13/", code("13")),
    ("report, June 2022", "/reports/2022-06/", FIRST),
]
LARGE_PAGES = [
    ("scorecard, 300 more indicators", "/kpis/?month=2023-02", FIRST),
    ("overview, 300 more", "/", FIRST),
    ("indicator page G7, 120 months", "/kpis/G7/?range=all", FIRST),
    ("  after a write to indicator G7", "/kpis/G7/?range=all", code("G7")),
    ("report, Feb 2023, 300 more", "/reports/2023-02/", FIRST),
]
# The write: a space put at the end of the title, or taken away, so that what pages show changes
# too (a page's compression reuses what is unchanged since its last version: page_cache).
TOGGLED_TITLE = "CASE WHEN title LIKE '% ' THEN RTRIM(title) ELSE title || ' ' END"
# BENCH_WRITE=all: every write sets every indicator's title, so no row of any page is remembered.
WRITE_ALL = os.environ.get("BENCH_WRITE", "") == "all"
DFE_IMPORTS = [
    ["sn-model", "New_Statistical_Neighbour_Groupings_April_2021.csv", "--applies-from", "2021-04-01"],
    ["sn-model", "sn_may_2025.xlsx", "--applies-from", "2025-05-01"],
    ["dfe-ees", "ons_mid-year_population_estimates_2012_to_2024.csv"],
    ["dfe-ees", "d5_cpps_at31march_by_duration_2013_to_2025.csv"],
    ["dfe-ees", "csww_indicators_2017_to_2025.csv"],
    ["dfe-ees", "cla_number_and_rate_per_10k_children.csv"],
]
GENERATE = "from bench.datasets import generate; generate(0, 300, 120)"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Database:
    """A throwaway database: a new PostgreSQL one beside DATABASE_URL's, or a temporary SQLite file."""

    def __init__(self, workdir: Path):
        given = os.environ.get("DATABASE_URL", "")
        self.name = f"sct_bench_pages_{os.getpid()}"
        if given.startswith("postgres"):
            parts = urllib.parse.urlsplit(given)
            self.admin_url = given
            self.url = urllib.parse.urlunsplit(parts._replace(path=f"/{self.name}"))
            self.vendor = "postgresql"
        else:
            self.url = f"sqlite:///{workdir / 'bench.sqlite3'}"
            self.vendor = "sqlite"

    def create(self) -> None:
        if self.vendor == "postgresql":
            self.admin(f'DROP DATABASE IF EXISTS "{self.name}"')
            self.admin(f'CREATE DATABASE "{self.name}"')

    def drop(self) -> None:
        if self.vendor == "postgresql":
            self.admin(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')

    def admin(self, statement: str) -> None:
        import psycopg2

        connection = psycopg2.connect(self.admin_url)
        connection.autocommit = True
        with connection.cursor() as cursor:
            cursor.execute(statement)
        connection.close()

    def connect(self):
        if self.vendor == "postgresql":
            import psycopg2

            connection = psycopg2.connect(self.url)
        else:
            import sqlite3

            connection = sqlite3.connect(self.url.removeprefix("sqlite:///"), timeout=30)
        return connection


def environment(database: Database, workdir: Path, debug: bool) -> dict:
    env = dict(os.environ)
    env.update(
        DATABASE_URL=database.url,
        SECRET_KEY="bench-" + "x" * 50,
        ALLOWED_HOSTS="127.0.0.1",
        INSECURE_LOCAL_HTTP="1",
        STATIC_ROOT=str(workdir / "static"),
        DEBUG="1" if debug else "",
    )
    return env


def manage(env: dict, *args: str) -> None:
    subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)


def prepare(database: Database, workdir: Path) -> None:
    setup = environment(database, workdir, debug=True)
    manage(setup, "migrate", "--noinput")
    manage(setup, "load_seed_data")
    manage(setup, "create_demo_users")
    for kind, name, *options in DFE_IMPORTS:
        manage(setup, "import_data", kind, str(DFE / name), *options)
    manage(environment(database, workdir, debug=False), "collectstatic", "--noinput")


class Server:
    def __init__(self, env: dict):
        self.port = free_port()
        self.process = subprocess.Popen(
            [GUNICORN, "-c", "gunicorn.conf.py", "--bind", f"127.0.0.1:{self.port}",
             "--workers", str(WORKERS), "--max-requests", "0", "--access-logfile", "/dev/null",
             "sct_monitor.wsgi"],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)


def request(port: int, path: str, headers: dict, method: str = "GET", body: str = ""):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    connection.request(method, path, body=body or None, headers=headers)
    response = connection.getresponse()
    content = response.read()
    connection.close()
    return response, content


def sign_in(port: int, username: str, password: str) -> str:
    """A board member's session and CSRF cookies, from the real sign-in form."""
    response, content = request(port, "/accounts/login/", {})
    cookies = dict(re.findall(r"(csrftoken)=([^;]+)", response.getheader("Set-Cookie", "")))
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', content).group(1).decode()
    form = urllib.parse.urlencode({"username": username, "password": password, "csrfmiddlewaretoken": token})
    headers = {"Cookie": f"csrftoken={cookies['csrftoken']}",
               "Content-Type": "application/x-www-form-urlencoded",
               "Referer": f"http://127.0.0.1:{port}/accounts/login/"}  # fmt: skip
    response, _ = request(port, "/accounts/login/", headers, "POST", form)
    session = re.search(r"sessionid=([^;]+)", response.getheader("Set-Cookie", "")).group(1)
    return f"csrftoken={cookies['csrftoken']}; sessionid={session}"


def write_static_copy(static_root: Path, name: str, content: bytes) -> str:
    folder = static_root / "bench"
    folder.mkdir(exist_ok=True)
    (folder / name).write_bytes(content)
    (folder / f"{name}.gz").write_bytes(gzip.compress(content, 9))
    return f"/static/bench/{name}"


def load(
    port: int, path: str, cookie: str, database_url: str | None, written: str, seconds: float, queue, start
) -> None:
    """One connection's loop: (optionally write, then) fetch, timing only the fetch. It starts when
    every client is ready (``start``), so no client is timed while the others are being started."""
    writer = None
    if database_url:
        import sqlite3

        if database_url.startswith("sqlite"):
            writer = sqlite3.connect(database_url.removeprefix("sqlite:///"), timeout=30)
        else:
            import psycopg2

            writer = psycopg2.connect(database_url)
    headers = {"Cookie": cookie, "Accept-Encoding": "gzip"}
    latencies, fresh = [], 0
    start.wait()
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        if writer is not None:
            cursor = writer.cursor()
            where = "" if WRITE_ALL else f" WHERE id IN {written}"
            cursor.execute(f"UPDATE kpis_indicator SET title = {TOGGLED_TITLE}{where}")
            writer.commit()
        started = time.perf_counter()
        response, _ = request(port, path, headers)
        latencies.append(time.perf_counter() - started)
        if response.status != 200:
            raise SystemExit(f"{path}: {response.status}")
        fresh += response.getheader("X-Page-Cache", "") == "miss"
    queue.put((latencies, fresh))


def run_load(
    port: int, path: str, cookie: str, seconds: float, database_url: str | None = None, written: str = FIRST
) -> tuple[list[float], int]:
    """CONNECTIONS clients for ``seconds``: every request's latency, and how many were rendered afresh."""
    queue, start = multiprocessing.Queue(), multiprocessing.Barrier(CONNECTIONS)
    clients = [
        multiprocessing.Process(
            target=load, args=(port, path, cookie, database_url, written, seconds, queue, start)
        )
        for _ in range(CONNECTIONS)
    ]
    for client in clients:
        client.start()
    results = [queue.get() for _ in clients]
    for client in clients:
        client.join()
    return [t for times, _ in results for t in times], sum(fresh for _, fresh in results)


def summary(latencies: list[float], fresh: int) -> dict:
    return {
        "p50": statistics.median(latencies) * 1000,
        "rate": len(latencies) / SECONDS,
        "fresh": fresh / len(latencies),
    }


def measured(port: int, cookie: str, path: str, static_path: str, database_url: str, written_ids: str):
    """The static copy, the unchanged page and the page after a write, ROUNDS rounds of each in turn."""
    taken = {kind: ([], 0) for kind in ("static", "unchanged", "written")}
    share = SECONDS / ROUNDS
    for _ in range(ROUNDS):
        for kind, args in (
            ("static", (static_path, cookie, share)),
            ("unchanged", (path, cookie, share)),
            ("written", (path, cookie, share, database_url, written_ids)),
        ):
            latencies, fresh = run_load(port, *args)
            taken[kind] = (taken[kind][0] + latencies, taken[kind][1] + fresh)
    return (summary(*taken[kind]) for kind in ("static", "unchanged", "written"))


def bench(database: Database, workdir: Path, pages: list[tuple[str, str, str]]) -> None:
    env = environment(database, workdir, debug=False)
    server = Server(env)
    try:
        cookie = sign_in(server.port, "board", "board-demo-pass")
        copies = []
        for index, (_, path, _) in enumerate(pages):
            response, content = request(server.port, path, {"Cookie": cookie})
            assert response.status == 200, (path, response.status)
            copies.append((write_static_copy(workdir / "static", f"page{index}.html", content), len(content)))
    finally:
        server.stop()
    server = Server(env)  # WhiteNoise finds the new static copies when it starts
    try:
        cookie = sign_in(server.port, "board", "board-demo-pass")
        print(f"{'page':32} {'bytes':>8} | {'static p50':>10} | {'unchanged p50':>13} {'ratio':>6} | "
              f"{'after a write p50':>17} {'ratio':>6} {'fresh':>6}")  # fmt: skip
        for (label, path, written_ids), (static_path, size) in zip(pages, copies, strict=True):
            request(server.port, path, {"Cookie": cookie})  # shown once: the data is now unchanged since
            static, unchanged, written = measured(
                server.port, cookie, path, static_path, database.url, written_ids
            )
            print(
                f"{label:32} {size / 1024:6.0f} KB | {static['p50']:7.1f} ms | {unchanged['p50']:10.1f} ms "
                f"{unchanged['p50'] / static['p50']:5.1f}x | {written['p50']:14.1f} ms "
                f"{written['p50'] / static['p50']:5.1f}x {written['fresh']:6.0%}"
            )
            print(f"{'':32} {'req/s':>8} | {static['rate']:10.0f} | {unchanged['rate']:13.0f} {'':6} | "
                  f"{written['rate']:17.0f}")  # fmt: skip
    finally:
        server.stop()


def main() -> None:
    large = os.environ.get("BENCH_SIZE", "") == "large"
    workdir = Path(tempfile.mkdtemp(prefix="sct-page-bench-"))
    database = Database(workdir)
    print(f"{database.vendor}, gunicorn with {WORKERS} workers, {CONNECTIONS} connections "
          f"for {SECONDS:.0f} s each in {ROUNDS} rounds, {os.cpu_count()} cores"
          + (", every write to every indicator" if WRITE_ALL else ""))  # fmt: skip
    try:
        database.create()
        started = time.perf_counter()
        prepare(database, workdir)
        print(f"seed and DfE data loaded in {time.perf_counter() - started:.0f} s")
        bench(database, workdir, PAGES)
        if large:
            manage(environment(database, workdir, debug=True), "shell", "-c", GENERATE)
            print("\nwith 300 generated indicators of 120 months each:")
            bench(database, workdir, LARGE_PAGES)
    finally:
        database.drop()
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    main()
