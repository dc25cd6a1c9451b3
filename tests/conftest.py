import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from sct_monitor.roles import ADMINISTRATOR, BOARD_MEMBER, PERFORMANCE_OFFICER, ensure_roles
from sct_monitor.seed import SeedLoader


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """The test database holds the seed data, loaded once for the whole run."""
    with django_db_blocker.unblock():
        SeedLoader().load()


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # Production hashes passwords slowly on purpose; hundreds of test users need not.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _empty_page_cache():
    # Each test's writes are rolled back, so the data version can come round to a number an
    # earlier test's page was stored under; each test starts with no stored page.
    from django.core.cache import caches

    from sct_monitor import page_cache

    caches[page_cache.CACHE_ALIAS].clear()
    page_cache._access_by_version.clear()
    yield


@pytest.fixture(autouse=True)
def _plain_static_storage(settings):
    # Hashed static names need collectstatic first; tests render templates without it.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


def make_user(username: str, role: str | None, is_staff: bool = False):
    groups = ensure_roles()
    user = get_user_model().objects.create_user(username=username, password="a-long-test-password-1")
    user.is_staff = is_staff
    user.save()
    if role:
        user.groups.set([groups[role]])
    return user


@pytest.fixture
def board_user(db):
    return make_user("board-test", BOARD_MEMBER)


@pytest.fixture
def officer_user(db):
    return make_user("officer-test", PERFORMANCE_OFFICER)


@pytest.fixture
def admin_user_role(db):
    return make_user("admin-test", ADMINISTRATOR, is_staff=True)


@pytest.fixture
def roleless_user(db):
    return make_user("nobody-test", None)


@pytest.fixture
def board_client(client, board_user):
    client.force_login(board_user)
    return client


@pytest.fixture
def admin_client_role(client, admin_user_role):
    client.force_login(admin_user_role)
    return client


def export_csv(capsys) -> str:
    call_command("export_kpis")
    return capsys.readouterr().out


def correct_june_2022_and_set_a_target() -> None:
    """Indicator 14's June 2022 figure corrected by an import (a revision with its note), and a
    2022/23 target it misses (so a judgement note): the rarer parts of pages that show figures."""
    from kpis.models import Indicator, Target
    from sct_monitor.importing.engine import apply_import

    admin = make_user("admin-correcting", "Administrator")
    content = b"indicator_code,month,value\n14,2022-06,19.71\n"
    plan, _ = apply_import("kpi-long", "fix.csv", content, admin, override_published=True)
    assert plan.ok
    Target.objects.create(indicator=Indicator.objects.get(code="14"), financial_year=2022, value=5)
