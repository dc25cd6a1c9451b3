"""A user's role, as pages show it."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from sct_monitor.roles import ADMINISTRATOR, BOARD_MEMBER, role_of
from tests.conftest import make_user

pytestmark = pytest.mark.django_db


def test_a_users_role_is_their_most_capable_group():
    user = make_user("both", BOARD_MEMBER)
    user.groups.add(*make_user("other", ADMINISTRATOR).groups.all())
    assert role_of(type(user).objects.get(pk=user.pk)) == ADMINISTRATOR


def test_a_requests_user_has_their_groups_read_once_however_often_the_role_is_shown():
    user = type(make_user("member", BOARD_MEMBER)).objects.get(username="member")
    with CaptureQueriesContext(connection) as queries:
        roles = [role_of(user) for _ in range(3)]
    assert (roles, len(queries)) == ([BOARD_MEMBER] * 3, 1)
