import pytest

pytestmark = pytest.mark.django_db


def test_the_help_page_explains_the_order_of_bases_and_the_words(board_client):
    html = board_client.get("/help/statuses/").content.decode()
    for phrase in [
        "target",
        "statistical-neighbour (SN) average",
        "England average",
        "No status",
        "Amber",
        "improving",
    ]:
        assert phrase in html


def test_the_scorecard_links_to_the_help_page(board_client):
    assert 'href="/help/statuses/"' in board_client.get("/kpis/").content.decode()
