"""Status, direction of travel and comparisons, on their boundaries."""

from decimal import Decimal as D

import pytest

from kpis.status import (
    Benchmark,
    Movement,
    Rag,
    change_between,
    change_on_three_month_average,
    compare_with_comparator,
    status_of,
)

TARGET_85 = Benchmark("target", D("85"), D("5"), "target 85.0%")
SN = Benchmark("sn", D("81.5"), D("0"), "SN average 81.5%")
ENGLAND = Benchmark("england", D("76.9"), D("0"), "England average 76.9%")


@pytest.mark.parametrize(
    ("value", "rag"),
    [("90", Rag.GREEN), ("85", Rag.GREEN), ("84.9", Rag.AMBER), ("80", Rag.AMBER), ("79.9", Rag.RED)],
)
def test_higher_is_better_against_a_target_with_a_tolerance(value, rag):
    assert status_of(D(value), "higher", TARGET_85).rag is rag


@pytest.mark.parametrize(
    ("value", "rag"), [("17", Rag.GREEN), ("18", Rag.GREEN), ("18.01", Rag.RED), ("25", Rag.RED)]
)
def test_lower_is_better_with_no_amber_band(value, rag):
    caseload = Benchmark("target", D("18"), D("0"), "target 15 to 18")
    assert status_of(D(value), "lower", caseload).rag is rag


def test_the_target_is_preferred_to_comparators_and_named_as_the_basis():
    status = status_of(D("83"), "higher", TARGET_85, SN, ENGLAND)
    assert (status.rag, status.basis) == (Rag.AMBER, "target 85.0%")


def test_without_a_target_the_sn_average_is_used():
    status = status_of(D("82.1"), "higher", None, SN, ENGLAND)
    assert (status.rag, status.basis) == (Rag.GREEN, "SN average 81.5%")


def test_without_a_target_or_sn_average_england_is_used():
    status = status_of(D("70"), "higher", None, None, ENGLAND)
    assert (status.rag, status.basis) == (Rag.RED, "England average 76.9%")


def test_with_nothing_to_judge_against_there_is_no_status():
    status = status_of(D("70"), "higher", None, None, None)
    assert (status.rag, status.label, status.basis) == (Rag.NONE, "No status", "no target or comparator")


def test_an_indicator_without_polarity_never_has_a_status():
    status = status_of(D("474"), "none", TARGET_85)
    assert status.rag is Rag.NONE
    assert "demand measure" in status.basis


def test_a_missing_value_has_no_status():
    assert status_of(None, "higher", TARGET_85).basis == "no value this month"


def test_every_status_has_a_word():
    assert [rag.label for rag in Rag] == ["Red", "Amber", "Green", "No status"]


@pytest.mark.parametrize(
    ("current", "previous", "polarity", "movement", "judgement"),
    [
        ("258", "112", "lower", Movement.UP, "worsening"),
        ("74.9", "77.6", "higher", Movement.DOWN, "worsening"),
        ("45.5", "46.3", "lower", Movement.DOWN, "improving"),
        ("98.7", "97.9", "higher", Movement.UP, "improving"),
        ("474", "500", "none", Movement.DOWN, ""),
    ],
)
def test_movement_is_judged_by_polarity(current, previous, polarity, movement, judgement):
    change = change_between(D(current), D(previous), polarity, D(0), "no value last month")
    assert (change.movement, change.judgement) == (movement, judgement)
    assert change.delta == D(current) - D(previous)


@pytest.mark.parametrize(
    ("current", "movement"), [("80.5", Movement.SAME), ("79.5", Movement.SAME), ("80.6", Movement.UP)]
)
def test_a_movement_within_the_no_change_band_is_no_change(current, movement):
    assert change_between(D(current), D("80"), "higher", D("0.5"), "").movement is movement


def test_a_missing_previous_month_is_said():
    change = change_between(D("10"), None, "higher", D(0), "no value last month")
    assert (change.movement, change.note) == (Movement.UNKNOWN, "no value last month")


def test_the_three_month_average_uses_the_three_months_before():
    change = change_on_three_month_average(D("258"), [D("112"), D("0"), D("20")], "lower", D(0))
    assert change.delta == D("214")
    assert change.note == ""


def test_the_three_month_average_says_when_months_are_missing():
    change = change_on_three_month_average(D("30"), [D("20"), None, D("10")], "higher", D(0))
    assert (change.movement, change.delta, change.note) == (Movement.UP, D("15"), "average of 2 of 3 months")


def test_with_no_months_before_the_average_is_unknown():
    change = change_on_three_month_average(D("30"), [None, None, None], "higher", D(0))
    assert change.movement is Movement.UNKNOWN


@pytest.mark.parametrize(
    ("value", "comparator", "polarity", "word"),
    [
        ("69.2", "57.9", "lower", "worse"),
        ("82.1", "81.5", "higher", "better"),
        ("18.80", "19.1", "lower", "better"),
        ("81.5", "81.5", "higher", "similar"),
    ],
)
def test_comparators_are_better_worse_or_similar(value, comparator, polarity, word):
    assert compare_with_comparator(D(value), D(comparator), polarity, D(0)) == word


def test_comparison_is_blank_without_a_comparator_or_polarity():
    assert compare_with_comparator(D("5"), None, "higher", D(0)) == ""
    assert compare_with_comparator(D("5"), D("4"), "none", D(0)) == ""
