"""The scorecard's links to indicator pages are the addresses ``reverse`` gives, kept per process."""

import pytest
from django.urls import reverse, set_script_prefix

from kpis.tables import indicator_url


@pytest.mark.parametrize("code", ["13", "CLA-RATE", "G7", "a code with space & more"])
def test_an_indicators_address_is_the_one_reverse_gives(code):
    assert indicator_url(code) == reverse("kpis:indicator_detail", args=[code])


def test_an_address_asked_for_again_under_another_script_prefix_carries_that_prefix():
    assert indicator_url("13") == "/kpis/13/"
    try:
        set_script_prefix("/monitor/")
        assert indicator_url("13") == "/monitor/kpis/13/"
    finally:
        set_script_prefix("/")
    assert indicator_url("13") == "/kpis/13/"
