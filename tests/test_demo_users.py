import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

pytestmark = pytest.mark.django_db


def test_demo_users_are_created_with_their_roles_when_debug_is_on(settings):
    settings.DEBUG = True
    call_command("create_demo_users")
    users = {
        u.username: u for u in get_user_model().objects.filter(username__in=["board", "officer", "admin"])
    }
    assert [g.name for g in users["board"].groups.all()] == ["Board member"]
    assert [g.name for g in users["officer"].groups.all()] == ["Performance officer"]
    assert [g.name for g in users["admin"].groups.all()] == ["Administrator"]
    assert users["admin"].is_staff and not users["board"].is_staff
    assert users["board"].check_password("board-demo-pass")


def test_running_it_twice_keeps_one_of_each(settings):
    settings.DEBUG = True
    call_command("create_demo_users")
    call_command("create_demo_users")
    assert get_user_model().objects.filter(username__in=["board", "officer", "admin"]).count() == 3


def test_it_refuses_when_debug_is_off(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="Refusing"):
        call_command("create_demo_users")
    assert not get_user_model().objects.filter(username="board").exists()
