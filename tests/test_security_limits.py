"""Nothing is read before it is allowed: bodies are judged from their headers, through the whole
WSGI stack, with a wsgi.input that records whether anything read it."""

import importlib.util
import io

import pytest
from django.conf import settings
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import RequestFactory

from tests.conftest import make_user

pytestmark = pytest.mark.django_db

BOUNDARY = "----sctboundary"


class RecordingInput(io.BytesIO):
    """A request body that notes every read of it."""

    def __init__(self, data: bytes = b""):
        super().__init__(data)
        self.reads = 0

    def read(self, *args):
        self.reads += 1
        return super().read(*args)

    def readline(self, *args):
        self.reads += 1
        return super().readline(*args)


def call_wsgi(path: str, length: str | None, body: bytes = b"", cookie: str = "", **extra):
    environ = RequestFactory()._base_environ(PATH_INFO=path, REQUEST_METHOD="POST", **extra)
    environ["CONTENT_TYPE"] = f"multipart/form-data; boundary={BOUNDARY}"
    if length is None:
        environ.pop("CONTENT_LENGTH", None)
    else:
        environ["CONTENT_LENGTH"] = length
    if cookie:
        environ["HTTP_COOKIE"] = cookie
    stream = RecordingInput(body)
    environ["wsgi.input"] = stream
    status = []
    # As Django's test client does: the handler must not close the test's database connection.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        response = WSGIHandler()(environ, lambda s, headers, exc_info=None: status.append(s))
        content = b"".join(response)
        response.close()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
    return int(status[0].split()[0]), content, stream


def session_cookie(client, user) -> str:
    client.force_login(user)
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"


def test_an_anonymous_300_mb_upload_is_refused_from_its_length_without_reading_the_body():
    status, content, stream = call_wsgi("/imports/", str(300 * 1024 * 1024))
    assert status == 413
    assert b"Too large" in content
    assert stream.reads == 0


def test_an_oversized_post_to_any_other_address_is_refused_without_reading_it():
    status, _, stream = call_wsgi("/accounts/login/", str(settings.DATA_UPLOAD_MAX_MEMORY_SIZE * 2))
    assert status == 413
    assert stream.reads == 0


def test_an_anonymous_upload_within_the_limit_is_sent_to_sign_in_without_reading_the_body():
    body = b"x" * 1000
    status, _, stream = call_wsgi("/imports/", str(len(body)), body)
    assert status == 302
    assert stream.reads == 0


def test_a_signed_in_officer_upload_is_refused_before_the_body_is_read(client):
    cookie = session_cookie(client, make_user("officer-upload", "Performance officer"))
    body = b"x" * 1000
    status, content, stream = call_wsgi("/imports/", str(len(body)), body, cookie)
    assert status == 403
    assert b"only administrators" in content
    assert stream.reads == 0


def test_a_board_member_confirming_an_import_is_refused_before_the_body_is_read(client):
    cookie = session_cookie(client, make_user("board-upload", "Board member"))
    status, _, stream = call_wsgi("/imports/1/apply/", "100", b"x" * 100, cookie)
    assert status == 403
    assert stream.reads == 0


def test_an_administrator_upload_reaches_the_form_which_reads_it(client):
    cookie = session_cookie(client, make_user("admin-upload", "Administrator", is_staff=True))
    body = f"--{BOUNDARY}--\r\n".encode()
    cookie += f"; {settings.CSRF_COOKIE_NAME}={'a' * 32}"
    status, _, stream = call_wsgi("/imports/", str(len(body)), body, cookie)
    assert status == 403  # the CSRF check read the body and found no token: it was allowed to read
    assert stream.reads > 0


def test_a_body_without_a_length_is_refused_with_411():
    status, _, stream = call_wsgi("/accounts/login/", None, b"x" * 10, HTTP_TRANSFER_ENCODING="chunked")
    assert status == 411
    assert stream.reads == 0


def test_a_length_that_is_not_a_number_is_refused_with_400():
    status, _, stream = call_wsgi("/accounts/login/", "lots")
    assert status == 400
    assert stream.reads == 0


def test_an_upload_just_over_the_import_limit_is_refused_and_one_within_it_is_not(client):
    cookie = session_cookie(client, make_user("admin-size", "Administrator", is_staff=True))
    from sct_monitor.limits import body_limit

    limit = body_limit("/imports/")
    assert limit > settings.IMPORT_MAX_BYTES
    assert call_wsgi("/imports/", str(limit + 1), cookie=cookie)[0] == 413
    assert call_wsgi("/imports/", str(limit), cookie=cookie)[0] != 413


def gunicorn_config() -> dict:
    spec = importlib.util.spec_from_file_location("gunicorn_conf", settings.BASE_DIR / "gunicorn.conf.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return vars(module)


def test_gunicorn_times_out_a_worker_held_by_a_slow_request():
    config = gunicorn_config()
    assert 0 < config["timeout"] <= 60
    assert config["graceful_timeout"] <= 60
    assert config["limit_request_line"] <= 8190
    assert config["limit_request_fields"] <= 100


def test_gunicorn_listens_only_on_this_machine_unless_told_otherwise():
    assert gunicorn_config()["bind"] == ["127.0.0.1:8000"]


def free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_a_body_trickling_in_holds_gunicorns_only_worker_for_no_longer_than_its_timeout(tmp_path):
    import os
    import socket
    import subprocess
    import sys
    import time
    import urllib.request

    port = free_port()
    env = {
        "PATH": os.environ["PATH"],
        "SECRET_KEY": "gunicorn-test-only-secret-key-0123456789-abcdefghij",
        "ALLOWED_HOSTS": "127.0.0.1",
        "INSECURE_LOCAL_HTTP": "1",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "GUNICORN_WORKERS": "1",
        "GUNICORN_TIMEOUT": "2",
    }
    server = subprocess.Popen(
        [os.path.join(os.path.dirname(sys.executable), "gunicorn"), "sct_monitor.wsgi"],
        cwd=settings.BASE_DIR, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        url = f"http://127.0.0.1:{port}/healthz"
        for _ in range(100):
            try:
                urllib.request.urlopen(url, timeout=5).read()
                break
            except OSError:
                time.sleep(0.1)
        slow = socket.create_connection(("127.0.0.1", port))
        slow.sendall(
            # With a CSRF cookie, the CSRF check reads the body (without one it refuses at once).
            b"POST /accounts/login/ HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: csrftoken=" + b"a" * 32 + b"\r\n"
            b"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 100000\r\n\r\nusername="
        )
        time.sleep(0.3)  # the only worker is now waiting for the rest of the body
        started = time.monotonic()
        with urllib.request.urlopen(url, timeout=15) as answer:
            assert answer.status == 200
        assert time.monotonic() - started < 8
        slow.close()
    finally:
        server.terminate()
        try:
            server.wait(10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
