"""Every box whose words reach the board says that no child's name or identifying detail goes in."""

import pytest

from tests.conftest import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer(client):
    client.force_login(make_user("officer", "Performance officer"))
    return client


def test_every_commentary_box_says_no_child_may_be_identified(officer):
    page = officer.get("/returns/2022-07/").content.decode()
    boxes = page.count('name="commentary_')
    assert boxes > 0
    assert page.count("no child&#x27;s name, and nothing that could identify a child or family") == boxes


def test_every_narrative_box_says_no_child_may_be_identified(officer):
    page = officer.get("/reports/2022-07/narrative/").content.decode()
    assert page.count("nothing that could identify a child or family.</div>") >= 10
