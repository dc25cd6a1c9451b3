"""Sign-in: lock-out by username across addresses and by address across usernames, the client's
address only from a trusted proxy, changing one's own password, and session time limits."""

import time

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import RequestFactory

from sct_monitor import signin
from tests.conftest import make_user

pytestmark = pytest.mark.django_db
PASSWORD = "a-long-test-password-1"


def sign_in(client, username, password, address="10.0.0.9", **headers):
    return client.post(
        "/accounts/login/", {"username": username, "password": password}, REMOTE_ADDR=address, **headers
    )


def test_failures_for_one_username_from_many_addresses_lock_that_username(client, settings):
    make_user("target", "Board member")
    for n in range(settings.SIGN_IN_FAILURES_PER_USERNAME):
        sign_in(client, "target", "wrong", address=f"10.1.0.{n + 1}")
    assert sign_in(client, "target", PASSWORD, address="10.9.9.9").status_code == 429


def test_one_address_is_locked_out_itself_before_it_can_lock_an_account(client, settings):
    make_user("target", "Board member")
    for _ in range(settings.SIGN_IN_FAILURES_PER_USERNAME):
        sign_in(client, "target", "wrong", address="10.1.1.1")
    assert sign_in(client, "target", PASSWORD, address="10.1.1.1").status_code == 429
    assert sign_in(client, "target", PASSWORD, address="10.1.1.2").status_code == 302


def test_one_username_is_not_locked_one_failure_short_of_its_limit(client, settings):
    make_user("target", "Board member")
    for n in range(settings.SIGN_IN_FAILURES_PER_USERNAME - 1):
        sign_in(client, "target", "wrong", address=f"10.1.2.{n + 1}")
    assert sign_in(client, "target", PASSWORD, address="10.9.9.8").status_code == 302


def test_spraying_many_usernames_from_one_address_stops_at_the_address_limit(client, settings):
    make_user("bystander", "Board member")
    statuses = [
        sign_in(client, f"user-{n % 25}", "wrong", address="10.2.1.1").status_code for n in range(100)
    ]
    # The failure that reaches the limit is answered with the lock-out page; so is every one after.
    limit = settings.SIGN_IN_FAILURES_PER_ADDRESS
    assert statuses[: limit - 1] == [200] * (limit - 1)
    assert set(statuses[limit - 1 :]) == {429}


def test_failures_across_many_usernames_from_one_address_lock_that_address(client, settings):
    make_user("bystander", "Board member")
    for n in range(settings.SIGN_IN_FAILURES_PER_ADDRESS):
        sign_in(client, f"guess-{n}", "wrong", address="10.2.0.1")
    assert sign_in(client, "bystander", PASSWORD, address="10.2.0.1").status_code == 429


def test_a_locked_address_does_not_stop_the_same_user_elsewhere(client, settings):
    make_user("traveller", "Board member")
    for n in range(settings.SIGN_IN_FAILURES_PER_ADDRESS):
        sign_in(client, f"guess-{n}", "wrong", address="10.3.0.1")
    assert sign_in(client, "traveller", PASSWORD, address="10.3.0.2").status_code == 302


def test_a_forwarded_for_header_is_ignored_without_a_configured_trusted_proxy(settings):
    settings.TRUSTED_PROXY_HEADER = ""
    request = RequestFactory().get("/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.5")
    assert signin.client_ip(request) == "127.0.0.1"


def test_the_trusted_proxy_header_gives_the_client_address(settings):
    settings.TRUSTED_PROXY_HEADER = "X-Real-IP"
    request = RequestFactory().get("/", REMOTE_ADDR="127.0.0.1", HTTP_X_REAL_IP="203.0.113.5")
    assert signin.client_ip(request) == "203.0.113.5"


def test_the_trusted_proxy_header_is_ignored_from_anyone_but_the_proxy(settings):
    settings.TRUSTED_PROXY_HEADER = "X-Real-IP"
    request = RequestFactory().get("/", REMOTE_ADDR="198.51.100.7", HTTP_X_REAL_IP="203.0.113.5")
    assert signin.client_ip(request) == "198.51.100.7"


def test_only_the_address_the_proxy_added_to_x_forwarded_for_counts(settings):
    settings.TRUSTED_PROXY_HEADER = "X-Forwarded-For"
    request = RequestFactory().get("/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.5")
    assert signin.client_ip(request) == "203.0.113.5"


def test_behind_the_proxy_one_clients_failures_do_not_lock_out_another_client(client, settings):
    settings.TRUSTED_PROXY_HEADER = "X-Real-IP"
    make_user("colleague", "Board member")
    for n in range(settings.SIGN_IN_FAILURES_PER_ADDRESS):
        sign_in(client, f"guess-{n}", "wrong", address="127.0.0.1", HTTP_X_REAL_IP="203.0.113.5")
    ok = sign_in(client, "colleague", PASSWORD, address="127.0.0.1", HTTP_X_REAL_IP="203.0.113.6")
    assert ok.status_code == 302


def test_a_signed_in_user_changes_their_password_and_signs_in_with_the_new_one(client):
    user = make_user("changer", "Board member")
    client.force_login(user)
    page = client.get("/account/password/")
    assert page.status_code == 200
    assert b"Change your password" in page.content
    new = "correct horse battery staple"
    response = client.post(
        "/account/password/", {"old_password": PASSWORD, "new_password1": new, "new_password2": new}
    )
    assert response.status_code == 302
    assert response["Location"] == "/account/password/done/"
    user.refresh_from_db()
    assert user.check_password(new)
    assert client.get("/").status_code == 200  # still signed in


def test_a_password_change_needs_the_current_password(client):
    user = make_user("forgetful", "Board member")
    client.force_login(user)
    new = "correct horse battery staple"
    response = client.post(
        "/account/password/", {"old_password": "not it", "new_password1": new, "new_password2": new}
    )
    assert response.status_code == 200
    assert b"There is a problem" in response.content
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


@pytest.mark.parametrize("weak", ["sandwell1", "short-pass1", "password1234", "123456789012"])
def test_weak_passwords_are_refused(weak):
    with pytest.raises(ValidationError):
        validate_password(weak)


def test_sandwell1_is_refused_on_the_password_change_page(client):
    client.force_login(make_user("weakling", "Board member"))
    response = client.post(
        "/account/password/",
        {"old_password": PASSWORD, "new_password1": "sandwell1", "new_password2": "sandwell1"},
    )
    assert response.status_code == 200
    assert b"at least 12 characters" in response.content


def test_the_header_links_to_the_password_change_page(client):
    client.force_login(make_user("reader", "Board member"))
    assert b'href="/account/password/"' in client.get("/").content


def test_the_demo_users_passwords_still_sign_in(client, settings):
    from django.core.management import call_command

    settings.DEBUG = True
    call_command("create_demo_users")
    settings.DEBUG = False
    assert sign_in(client, "board", "board-demo-pass").status_code == 302


def age_session(client, **seconds_ago) -> None:
    session = client.session
    now = int(time.time())
    for key, ago in seconds_ago.items():
        session[key] = now - ago
    session.save()


def test_a_session_idle_for_longer_than_the_idle_timeout_is_signed_out(client, settings):
    client.force_login(make_user("idler", "Board member"))
    age_session(client, sct_last_seen_at=settings.SESSION_IDLE_TIMEOUT + 5)
    response = client.get("/kpis/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=/kpis/")
    assert client.get("/").status_code == 302  # the session has ended


def test_a_session_in_use_is_signed_out_at_the_absolute_limit(client, settings):
    client.force_login(make_user("busy", "Board member"))
    age_session(client, sct_signed_in_at=settings.SESSION_COOKIE_AGE + 5, sct_last_seen_at=10)
    assert client.get("/kpis/").status_code == 302


def test_a_session_used_within_the_idle_timeout_stays_signed_in(client, settings):
    client.force_login(make_user("regular", "Board member"))
    age_session(client, sct_last_seen_at=settings.SESSION_IDLE_TIMEOUT - 60)
    assert client.get("/kpis/").status_code == 200
    assert client.session["sct_last_seen_at"] >= int(time.time()) - 5  # the request moved it on
