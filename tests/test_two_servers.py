"""Two app servers on one PostgreSQL database: a write through one is seen at once through the other,
though each keeps its own stored pages."""

import http.cookiejar
import os
import re
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from datetime import date
from decimal import Decimal

import pytest
from django.conf import settings
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.db import connection

from kpis.models import Indicator, MonthlyReturn, MonthlyValue, ValueStatus
from tests.conftest import make_user
from tests.test_security_limits import free_port

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="two servers share a PostgreSQL database (CI runs this file on PostgreSQL)",
    ),
    pytest.mark.django_db(transaction=True),
]

PASSWORD = "two servers, one database"
DRAFT_MONTH = date(2023, 3, 1)
REPORT = "/reports/2023-03/"


def database_url() -> str:
    db = connection.settings_dict
    user = urllib.parse.quote(db["USER"] or "postgres")
    password = f":{urllib.parse.quote(db['PASSWORD'])}" if db["PASSWORD"] else ""
    return f"postgres://{user}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


class Server:
    """gunicorn with one worker, so that its stored pages are one process's. DEBUG is on only so
    that static files need no collectstatic (which takes longer than the test); the page cache
    works the same either way."""

    def __init__(self):
        self.port = free_port()
        env = {
            "PATH": os.environ["PATH"],
            "SECRET_KEY": "two-servers-test-only-secret-key-0123456789-abcdefghij",
            "ALLOWED_HOSTS": "127.0.0.1",
            "INSECURE_LOCAL_HTTP": "1",
            "DEBUG": "1",
            "DATABASE_URL": database_url(),
            "GUNICORN_BIND": f"127.0.0.1:{self.port}",
            "GUNICORN_WORKERS": "1",
        }
        self.process = subprocess.Popen(
            [os.path.join(os.path.dirname(sys.executable), "gunicorn"), "sct_monitor.wsgi"],
            cwd=settings.BASE_DIR, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        for _ in range(150):
            try:
                urllib.request.urlopen(f"{self.url}/healthz", timeout=5).read()
                return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("gunicorn did not start")

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


@pytest.fixture
def servers():
    from sct_monitor.seed import SeedLoader

    SeedLoader().load()
    user = make_user("officer", "Performance officer")
    # Hashed as the servers hash (the tests' own fast hasher is not theirs).
    user.password = PBKDF2PasswordHasher().encode(PASSWORD, "two-servers-salt", iterations=1000)
    user.save()
    MonthlyReturn.objects.create(month=DRAFT_MONTH, status=ValueStatus.DRAFT)
    MonthlyValue.objects.create(
        indicator=Indicator.objects.get(code="13"), month=DRAFT_MONTH, value=Decimal("21.5"),
        unit="percentage", status=ValueStatus.DRAFT,
    )  # fmt: skip
    pair = (Server(), Server())
    yield pair
    for server in pair:
        server.stop()


class Browser:
    """One user's cookies, used against both servers (cookies belong to the host, not the port)."""

    def __init__(self):
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )

    def get(self, url: str, **headers):
        request = urllib.request.Request(url, headers=headers)
        try:
            response = self.opener.open(request, timeout=30)
        except urllib.error.HTTPError as error:  # 304 arrives as an error
            return error.code, error.headers, b""
        return response.status, response.headers, response.read()

    def post(self, url: str, fields: dict):
        body = urllib.parse.urlencode(fields).encode()
        request = urllib.request.Request(url, data=body, headers={"Referer": url})
        response = self.opener.open(request, timeout=30)
        return response.status, response.read()

    def sign_in(self, server: Server) -> None:
        _, _, form = self.get(f"{server.url}/accounts/login/")
        _, page = self.post(
            f"{server.url}/accounts/login/",
            {"username": "officer", "password": PASSWORD, "csrfmiddlewaretoken": token(form)},
        )
        assert b"Signed in as officer" in page


def token(page: bytes) -> str:
    return re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1).decode()


def test_a_narrative_written_through_one_server_is_read_at_once_through_the_other(servers):
    writer, reader = servers
    browser = Browser()
    browser.sign_in(writer)
    status, headers, before = browser.get(f"{reader.url}{REPORT}")
    assert (status, headers["X-Page-Cache"]) == (200, "miss")
    status, headers, _ = browser.get(f"{reader.url}{REPORT}")
    assert headers["X-Page-Cache"] == "hit"  # the reader now holds the page
    etag = headers["ETag"]
    assert browser.get(f"{reader.url}{REPORT}", **{"If-None-Match": etag})[0] == 304
    assert b"Written through the other server" not in before

    _, _, form = browser.get(f"{writer.url}{REPORT}narrative/")
    version = re.search(rb'name="version" value="(\d+)"', form).group(1).decode()
    status, _ = browser.post(
        f"{writer.url}{REPORT}narrative/",
        {
            "csrfmiddlewaretoken": token(form),
            "version": version,
            "summary": "Written through the other server.",
        },
    )
    assert status == 200

    status, headers, after = browser.get(f"{reader.url}{REPORT}", **{"If-None-Match": etag})
    assert (status, headers["X-Page-Cache"]) == (200, "miss")
    assert b"Written through the other server." in after
    assert headers["ETag"] != etag


# Pages whose rows each server remembers per indicator: a write to one indicator must reach both.
ROW_PAGES = ("/kpis/13/", "/kpis/?month=2022-06", "/reports/2022-06/", "/")


def test_a_figure_changed_through_the_database_is_shown_by_both_servers(servers):
    browser = Browser()
    browser.sign_in(servers[0])
    for server in servers:
        for path in ROW_PAGES:
            for _ in range(2):
                assert b"A title from elsewhere" not in browser.get(f"{server.url}{path}")[2]
    Indicator.objects.filter(code="13").update(title="A title from elsewhere")
    for server in servers:
        for path in ROW_PAGES:
            status, headers, page = browser.get(f"{server.url}{path}")
            assert status == 200
            assert headers["X-Page-Cache"] == "miss"
            assert b"A title from elsewhere" in page, (server.url, path)
