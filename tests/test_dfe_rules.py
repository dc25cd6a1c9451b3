"""The DfE's rules as pure functions, on their boundaries: mapping fields, periods, derived
rates, SN average and median, and LAIT's rank and quartile band."""

import random
from datetime import date
from decimal import Decimal

import pandas as pd
import pytest

from kpis.dfe_rules import (
    RuleError,
    band_of,
    derived_rate,
    figures_by_member,
    filters_text,
    neighbour_summary,
    parse_filters,
    parse_stands_on,
    period_date,
    quartiles,
    rank_and_band,
)

D = Decimal


def test_filters_are_read_as_sorted_column_value_pairs_with_names_normalised():
    assert parse_filters("Population Type = Children looked after;age=0-17") == (
        ("age", "0-17"),
        ("population_type", "Children looked after"),
    )


def test_blank_filters_mean_every_row_and_a_trailing_semicolon_is_forgiven():
    assert parse_filters("") == ()
    assert parse_filters("a=b;") == (("a", "b"),)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("a=b;;c=d", "condition 2 is empty"),
        ("population_type", "has no ‘=’"),
        ("=x", "names no column"),
        ("a=", "has no value"),
        ("a=1;A=2", "named twice"),
    ],
)
def test_each_bad_filter_is_refused_with_what_is_wrong(text, message):
    with pytest.raises(RuleError, match=message):
        parse_filters(text)


def test_filters_are_written_back_one_way():
    assert filters_text(parse_filters("b=2;a=1")) == "a=1;b=2"


def test_stands_on_is_month_then_day():
    assert parse_stands_on("03-31") == (3, 31)
    assert parse_stands_on("9-30") == (9, 30)


def test_a_day_and_month_written_the_other_way_round_is_refused_with_the_right_form():
    with pytest.raises(RuleError, match="31 March is 03-31"):
        parse_stands_on("31-03")


@pytest.mark.parametrize("text", ["13-45", "02-30", "0331", "31 March", ""])
def test_other_bad_days_are_refused(text):
    with pytest.raises(RuleError):
        parse_stands_on(text)


@pytest.mark.parametrize(
    ("period", "identifier", "stands_on", "expected"),
    [
        ("2025", "Reporting year", (3, 31), date(2025, 3, 31)),
        ("202425", "Academic year", (3, 31), date(2025, 3, 31)),
        ("202425", "Academic year", (9, 30), date(2024, 9, 30)),
        ("202425", "Academic year", (8, 31), date(2025, 8, 31)),
        ("202425", "Financial year", (3, 31), date(2025, 3, 31)),
        ("202425", "Financial year", (4, 1), date(2024, 4, 1)),
        ("202425", "", (9, 30), date(2024, 9, 30)),
        ("202324", "Reporting year", (2, 29), date(2024, 2, 29)),
        ("2023", "Reporting year", (2, 29), date(2023, 2, 28)),
        ("199900", "Academic year", (3, 31), date(2000, 3, 31)),
    ],
)
def test_a_period_and_the_day_a_figure_stands_on_give_its_date(period, identifier, stands_on, expected):
    assert period_date(period, identifier, *stands_on) == expected


@pytest.mark.parametrize("period", ["202426", "2025/26", "25", "", "2025-26"])
def test_a_period_that_is_neither_a_year_nor_a_two_year_period_is_refused(period):
    with pytest.raises(RuleError):
        period_date(period, "Academic year", 3, 31)


def test_a_derived_rate_is_rounded_half_up_as_the_dfe_publishes():
    assert derived_rate(D(403), D(84907), D(10000), 1) == D("47.5")
    assert derived_rate(D(1), D(4), D(1), 1) == D("0.3")  # 0.25 rounds up, not to even
    assert derived_rate(D(1), D(8), D(1), 2) == D("0.13")  # 0.125
    assert derived_rate(D(5), D(0), D(10000), 1) is None


def test_a_joint_return_stands_for_each_member_unless_a_member_has_its_own_figure():
    by_member = figures_by_member({"314 / 318": D(10), "318": D(12), "333": D(8)})
    assert by_member == {"314": D(10), "318": D(12), "333": D(8)}


def test_the_sn_mean_and_median_leave_out_neighbours_without_a_figure():
    summary = neighbour_summary({"1": D(10), "2": None, "3": D(20), "4": D(40)}, ["1", "2", "3", "4", "5"])
    assert (summary.mean, summary.median, summary.counted, summary.neighbours) == (D(70) / 3, D(20), 3, 5)
    assert summary.description == "mean of 3 of 5 statistical neighbours"


def test_an_even_number_of_neighbours_has_the_middle_pair_as_median():
    assert neighbour_summary({"1": D(10), "2": D(20)}, ["1", "2"]).median == D(15)


def test_no_neighbour_with_a_figure_gives_no_average():
    summary = neighbour_summary({"1": None}, ["1", "2"])
    assert (summary.mean, summary.median, summary.counted) == (None, None, 0)


def test_quartiles_are_rs_default_the_same_as_pandas_linear():
    rng = random.Random(7)
    for size in (1, 2, 3, 4, 5, 10, 151):
        values = [D(rng.randint(0, 4000)) / 10 for _ in range(size)]
        expected = pd.Series([float(v) for v in values]).quantile([0, 0.25, 0.5, 0.75, 1]).tolist()
        assert [float(q) for q in quartiles(values)] == pytest.approx(expected)


SAMPLE = [D("8.7"), D(12), D(12), D(20)]  # quartiles 8.7, 11.175, 12, 14, 20


@pytest.mark.parametrize(
    ("value", "polarity", "rank", "band"),
    [
        ("8.7", "lower", 1, "A"),
        ("12", "lower", 2, "B"),  # on Q2: the upper bound of B is inclusive
        ("20", "lower", 4, "D"),
        ("8.7", "higher", 4, "D"),
        ("12", "higher", 2, "C"),  # LAIT's quartiles, not the rank: C, where a rank rule gives B
        ("20", "higher", 1, "A"),
    ],
)
def test_rank_and_quartile_band_follow_lait(value, polarity, rank, band):
    ranking = rank_and_band(D(value), SAMPLE, polarity)
    assert (ranking.rank, ranking.of, ranking.band) == (rank, 4, band)


@pytest.mark.parametrize(
    ("value", "lower_band", "higher_band"),
    [("11.175", "A", "D"), ("11.2", "B", "C"), ("14", "C", "B"), ("14.01", "D", "A")],
)
def test_band_boundaries_are_inclusive_above_for_both_polarities(value, lower_band, higher_band):
    bounds = quartiles(SAMPLE)
    assert bounds == (D("8.7"), D("11.175"), D(12), D(14), D(20))
    assert band_of(D(value), bounds, "lower") == lower_band
    assert band_of(D(value), bounds, "higher") == higher_band


def test_ties_share_the_better_rank():
    assert rank_and_band(D(12), [D(20), D(12), D(12), D(5)], "higher").rank == 2
    assert rank_and_band(D(12), [D(20), D(12), D(12), D(5)], "lower").rank == 2


def test_no_rank_or_band_without_a_better_direction_for_a_count_or_without_a_figure():
    assert rank_and_band(D(1), SAMPLE, "none") is None
    assert rank_and_band(D(12), SAMPLE, "lower", is_count=True) is None
    assert rank_and_band(None, SAMPLE, "lower") is None
    assert rank_and_band(D(1), [None], "lower") is None
