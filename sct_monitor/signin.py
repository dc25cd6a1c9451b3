"""Sign-in: the client's address for throttling, session time limits, and changing one's password."""

import ipaddress
import time

from axes.handlers.database import AxesDatabaseHandler
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.signals import user_logged_in
from django.contrib.auth.views import redirect_to_login
from django.db.models import Sum
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.urls import reverse_lazy

SIGNED_IN_AT = "sct_signed_in_at"
LAST_SEEN_AT = "sct_last_seen_at"
# The last request's time is written back at most this often, not on every request.
LAST_SEEN_RESOLUTION = 60


def valid_address(text: str) -> str | None:
    try:
        return str(ipaddress.ip_address(text.strip()))
    except ValueError:
        return None


def client_ip(request: HttpRequest) -> str | None:
    """The client's address: REMOTE_ADDR, or the configured header when a trusted proxy sent it.

    With ``X-Forwarded-For`` the last address is taken, the one the trusted proxy itself added;
    anything before it came from the client and could be anything.
    """
    remote = request.META.get("REMOTE_ADDR", "")
    header = settings.TRUSTED_PROXY_HEADER
    if header and remote in settings.TRUSTED_PROXY_ADDRESSES:
        key = "HTTP_" + header.upper().replace("-", "_")
        forwarded = request.META.get(key, "").split(",")[-1]
        address = valid_address(forwarded)
        if address:
            return address
    return valid_address(remote) or remote or None


def failure_limit(request=None, credentials=None) -> int:
    """The scale SignInThrottle counts on: either limit reached is this many."""
    return settings.SIGN_IN_FAILURES_PER_ADDRESS * settings.SIGN_IN_FAILURES_PER_USERNAME


class SignInThrottle(AxesDatabaseHandler):
    """Django-axes with a limit of its own for each way of counting (it has one for all).

    AXES_LOCKOUT_PARAMETERS is ["username", "ip_address"]: failures for the username from any
    address, and failures from the address for any username. Each is scaled so that reaching its
    own limit reaches ``failure_limit``; the larger is what axes compares.
    """

    def counts(self, request, credentials=None) -> tuple[int, int]:
        """Failures in the cool-off period: for the username from any address, and from the address."""
        by_username, by_address = (
            attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0
            for attempts in self.get_user_attempts(request, credentials)
        )
        return by_username, by_address

    def get_failures(self, request, credentials=None) -> int:
        by_username, by_address = self.counts(request, credentials)
        return max(
            by_username * settings.SIGN_IN_FAILURES_PER_ADDRESS,
            by_address * settings.SIGN_IN_FAILURES_PER_USERNAME,
        )

    def user_login_failed(self, sender, credentials: dict, request=None, **kwargs):
        # A locked-out address's further tries are refused without being counted against the
        # usernames it tries, so that one address can never lock an account.
        if (
            request is not None
            and self.counts(request, credentials)[1] >= settings.SIGN_IN_FAILURES_PER_ADDRESS
        ):
            request.axes_locked_out = True
            request.axes_credentials = credentials
            return
        super().user_login_failed(sender, credentials, request, **kwargs)


@receiver(user_logged_in)
def note_sign_in(sender, request, user, **kwargs) -> None:
    if request is not None and hasattr(request, "session"):
        now = int(time.time())
        request.session[SIGNED_IN_AT] = now
        request.session[LAST_SEEN_AT] = now


class SessionTimeoutMiddleware:
    """Signs out after SESSION_IDLE_TIMEOUT without a request, and SESSION_COOKIE_AGE after sign-in.

    Django's own expiry moves on whenever the session is saved, so the absolute limit is kept here
    from the time of signing in.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            now = int(time.time())
            session = request.session
            signed_in = session.setdefault(SIGNED_IN_AT, now)
            last_seen = session.get(LAST_SEEN_AT, now)
            if (
                now - last_seen > settings.SESSION_IDLE_TIMEOUT
                or now - signed_in > settings.SESSION_COOKIE_AGE
            ):
                logout(request)
                messages.info(
                    request, "You were signed out because your session had timed out. Sign in again."
                )
                return redirect_to_login(request.get_full_path())
            if now - last_seen >= LAST_SEEN_RESOLUTION or LAST_SEEN_AT not in session:
                session[LAST_SEEN_AT] = now
        return self.get_response(request)


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "registration/password_change_form.html"
    success_url = reverse_lazy("password_change_done")


class PasswordChangeDoneView(auth_views.PasswordChangeDoneView):
    template_name = "registration/password_change_done.html"
