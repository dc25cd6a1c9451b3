"""The facts the DfE comparisons judge by are read for the indicators asked about only."""

import pytest

from kpis.dfe_comparators import indicator_facts
from kpis.models import DfeMapping, Indicator

pytestmark = pytest.mark.django_db


def test_facts_asked_for_some_indicators_are_theirs_as_read_for_all():
    every = indicator_facts()
    some = list(Indicator.objects.order_by("pk").values_list("pk", flat=True)[:3])
    assert indicator_facts(some) == {pk: every[pk] for pk in some}


def test_facts_asked_for_no_indicator_are_none():
    assert indicator_facts([]) == {}


def test_a_mappings_rank_polarity_wins_for_the_indicator_asked_about():
    mapping = DfeMapping.objects.select_related("indicator").first()
    assert mapping is not None
    other = "lower" if mapping.indicator.polarity == "higher" else "higher"
    DfeMapping.objects.filter(pk=mapping.pk).update(rank_polarity=other)
    assert indicator_facts([mapping.indicator_id])[mapping.indicator_id][2] == other
