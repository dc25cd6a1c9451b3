from decimal import Decimal

import pytest

from finance.money import format_pounds
from kpis.formatting import format_value, plain_number
from kpis.rules import value_problem
from sct_monitor.csv_safety import safe_text_cell


@pytest.mark.parametrize(
    ("value", "unit", "places", "expected"),
    [
        ("85.2", "percentage", 1, "85.2%"),
        ("85.00", "percentage", 1, "85.0%"),
        ("45.5", "rate_per_10000", 1, "45.5"),
        ("17", "count", 0, "17"),
        ("258.0", "count", 1, "258"),
        ("22.39", "number", 2, "22.39"),
        ("0.05", "percentage", 1, "0.1%"),
        ("1234.5", "count", 0, "1,235"),
    ],
)
def test_values_are_written_by_unit(value, unit, places, expected):
    assert format_value(Decimal(value), unit, places) == expected


def test_a_missing_value_is_written_as_nothing():
    assert format_value(None, "percentage", 1) == ""


@pytest.mark.parametrize(
    ("value", "expected"), [("83.0000", "83"), ("82.3000", "82.3"), ("0", "0"), ("1E+2", "100")]
)
def test_plain_numbers_have_no_trailing_zeros_or_exponent(value, expected):
    assert plain_number(Decimal(value)) == expected


@pytest.mark.parametrize("text", ["=1+1", "+44", "-2", "@SUM(A1)", "\tx", "\rx"])
def test_text_a_spreadsheet_would_evaluate_is_prefixed(text):
    assert safe_text_cell(text) == "'" + text


def test_ordinary_text_is_unchanged():
    assert safe_text_cell("Fell after Christmas") == "Fell after Christmas"


@pytest.mark.parametrize(
    ("value", "unit", "problem"),
    [
        ("100.01", "percentage", "a percentage must be between 0 and 100"),
        ("-0.01", "percentage", "a percentage must be between 0 and 100"),
        ("-1", "rate_per_10000", "a rate per 10,000 cannot be negative"),
        ("-1", "count", "a count cannot be negative"),
        ("2.5", "count", "a count must be a whole number"),
    ],
)
def test_values_outside_their_unit_are_explained(value, unit, problem):
    assert value_problem(Decimal(value), unit) == problem


@pytest.mark.parametrize(
    ("value", "unit"), [("0", "percentage"), ("100", "percentage"), ("258", "count"), ("-3.5", "number")]
)
def test_values_inside_their_unit_pass(value, unit):
    assert value_problem(Decimal(value), unit) is None


@pytest.mark.parametrize(
    ("amount", "expected"),
    [("58230000", "£58,230,000"), ("-1900000", "−£1,900,000"), ("0.5", "£1"), ("227000.00", "£227,000")],
)
def test_money_is_written_in_whole_pounds_with_a_true_minus_sign(amount, expected):
    assert format_pounds(Decimal(amount)) == expected


def test_a_value_formats_the_same_at_any_scale_and_each_unit_keeps_its_own_text():
    assert format_value(Decimal("12.5"), "percentage", 1) == format_value(Decimal("12.5000"), "percentage", 1)
    assert format_value(Decimal("12.5"), "percentage", 1) == "12.5%"
    assert format_value(Decimal("12.5"), "rate", 1) == "12.5"  # not the percentage's text, remembered
    assert format_value(Decimal("12.5"), "count", 1) == "13"
    assert format_value(Decimal("12.5"), "percentage", 0) == "13%"
