import pytest
from django.test import Client

from tests.conftest import make_user

pytestmark = pytest.mark.django_db


def sign_in(client, username, password):
    return client.post(
        "/accounts/login/", {"username": username, "password": password}, REMOTE_ADDR="10.0.0.9"
    )


def test_a_user_signs_in_and_lands_on_the_overview(client):
    make_user("someone", "Board member")
    response = sign_in(client, "someone", "a-long-test-password-1")
    assert response.status_code == 302
    assert response["Location"] == "/"


def test_a_wrong_password_shows_an_error_summary(client):
    make_user("someone", "Board member")
    response = sign_in(client, "someone", "wrong")
    assert response.status_code == 200
    assert b"There is a problem" in response.content


def test_repeated_failures_lock_the_account_even_with_the_right_password(client, settings):
    make_user("someone", "Board member")
    for _ in range(settings.SIGN_IN_FAILURES_PER_ADDRESS):
        sign_in(client, "someone", "wrong")
    response = sign_in(client, "someone", "a-long-test-password-1")
    assert response.status_code == 429
    assert b"Too many failed sign-in attempts" in response.content


def test_sign_in_is_refused_without_a_csrf_token():
    make_user("someone", "Board member")
    strict = Client(enforce_csrf_checks=True)
    response = strict.post("/accounts/login/", {"username": "someone", "password": "a-long-test-password-1"})
    assert response.status_code == 403


def test_signing_out_needs_a_post_and_ends_the_session(client):
    client.force_login(make_user("someone", "Board member"))
    assert client.get("/accounts/logout/").status_code == 405
    client.post("/accounts/logout/")
    assert client.get("/").status_code == 302
