from datetime import date

import pytest

from finance.periods import (
    financial_quarter,
    financial_year_bounds,
    financial_year_label,
    financial_year_start,
    parse_financial_year_label,
)
from kpis.months import month_key, month_label, parse_month


@pytest.mark.parametrize(
    ("day", "start"),
    [
        (date(2019, 3, 31), 2018),
        (date(2019, 4, 1), 2019),
        (date(2019, 1, 1), 2018),
        (date(2018, 12, 31), 2018),
    ],
)
def test_the_financial_year_turns_on_the_first_of_april(day, start):
    assert financial_year_start(day) == start


def test_financial_years_are_labelled_as_board_papers_write_them():
    assert financial_year_label(2018) == "2018/19"
    assert financial_year_label(1999) == "1999/00"


@pytest.mark.parametrize("label", ["2018/19", "2018-19", " 2018/2019 "])
def test_financial_year_labels_parse_in_their_usual_forms(label):
    assert parse_financial_year_label(label) == 2018


@pytest.mark.parametrize("label", ["2018/20", "18/19", "2018", "twenty"])
def test_a_label_that_is_not_a_financial_year_is_refused(label):
    with pytest.raises(ValueError, match="financial year"):
        parse_financial_year_label(label)


def test_a_financial_year_runs_from_april_to_march():
    assert financial_year_bounds(2022) == (date(2022, 4, 1), date(2023, 3, 31))


@pytest.mark.parametrize(
    ("month", "quarter"), [(4, 1), (6, 1), (7, 2), (9, 2), (10, 3), (12, 3), (1, 4), (3, 4)]
)
def test_financial_quarters_start_in_april(month, quarter):
    assert financial_quarter(date(2022, month, 1)) == quarter


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2022-06", date(2022, 6, 1)),
        ("2022-06-01", date(2022, 6, 1)),
        ("Jan-18", date(2018, 1, 1)),
        ("Apr - 22", date(2022, 4, 1)),
        ("May – 22", date(2022, 5, 1)),
        ("June - 22", date(2022, 6, 1)),
        ("Sept 2021", date(2021, 9, 1)),
    ],
)
def test_months_parse_in_the_forms_the_seed_tables_use(text, expected):
    assert parse_month(text) == expected


@pytest.mark.parametrize("text", ["2022-13", "Foo-22", "June", "", "22-06"])
def test_a_string_that_is_not_a_month_is_refused_with_its_value(text):
    with pytest.raises(ValueError, match="not a month"):
        parse_month(text)


def test_months_format_for_urls_and_for_people():
    assert month_key(date(2022, 6, 1)) == "2022-06"
    assert month_label(date(2022, 6, 1)) == "June 2022"


def test_a_month_overlaps_its_quarter_and_year_and_a_quarter_its_months():
    from sct_monitor.periods import Period

    assert Period.from_key("2019-03").overlapping_keys() == {"2019-03", "2018-19-q4", "2018-19"}
    assert Period.from_key("2018-19-q3").overlapping_keys() == {
        "2018-10", "2018-11", "2018-12", "2018-19-q3", "2018-19",
    }  # fmt: skip
    assert "2019-04" not in Period.from_key("2018-19").overlapping_keys()
