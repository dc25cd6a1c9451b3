import socket
import threading
import time
from unittest import mock

import pytest
from django.db import OperationalError, connections

from sct_monitor import views

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_check_left_hanging():
    yield
    hanging = views._hanging
    if hanging is not None:  # the silent server has closed: the check ends straight away
        assert hanging.done.wait(10)


def test_healthz_answers_200_without_login_when_the_database_answers(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.content == b"ok\n"


def test_healthz_answers_503_when_the_database_refuses(client):
    broken = mock.Mock()
    broken.cursor.side_effect = OperationalError("down")
    with mock.patch.object(views.connections, "create_connection", return_value=broken):
        response = client.get("/healthz")
    assert response.status_code == 503


def test_healthz_is_never_cached(client):
    assert "no-cache" in client.get("/healthz")["Cache-Control"]


@pytest.fixture
def silent_server():
    """A server that accepts connections and never says a word, as a hung database does."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    accepted, stop = [], threading.Event()

    def accept() -> None:
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                accepted.append(listener.accept()[0])
            except TimeoutError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield listener.getsockname()[1], accepted
    stop.set()
    thread.join()
    for conn in accepted:
        conn.close()
    listener.close()


def hung_postgresql(port: int) -> dict:
    """The default database's settings pointed at the silent server, with the production
    options settings.py gives PostgreSQL (whatever database this run uses)."""
    return {
        **connections.settings["default"],
        "ENGINE": "django.db.backends.postgresql",
        "NAME": "sct_monitor",
        "USER": "postgres",
        "PASSWORD": "",
        "HOST": "127.0.0.1",
        "PORT": str(port),
        "OPTIONS": {"connect_timeout": 5, "options": "-c statement_timeout=5000"},
    }


def test_healthz_answers_503_within_two_seconds_when_the_database_accepts_and_never_answers(
    client, silent_server
):
    port, accepted = silent_server
    with mock.patch.dict(connections.settings, {"default": hung_postgresql(port)}):
        started = time.monotonic()
        response = client.get("/healthz")
        elapsed = time.monotonic() - started
    assert response.status_code == 503
    assert elapsed < 2
    assert accepted, "the check never reached the silent server"


def test_healthz_starts_no_new_check_while_one_still_hangs(client, silent_server):
    port, accepted = silent_server
    with mock.patch.dict(connections.settings, {"default": hung_postgresql(port)}):
        assert client.get("/healthz").status_code == 503
        assert client.get("/healthz").status_code == 503
    assert len(accepted) == 1
