"""Comparing an import's rows with what is stored: the database's comparison (PostgreSQL) finds
exactly the new and changed rows that reading them back and comparing in Python finds."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection

from kpis.models import AreaValue, Indicator, MonthlyValue
from sct_monitor.importing.merge import (
    CHANGED,
    CREATED,
    array_text,
    array_types,
    compare,
    compare_in_database,
    compare_in_python,
    write_changes,
)

pytestmark = pytest.mark.django_db
KEY = ["indicator_id", "month"]
MONTH = date(2031, 1, 1)
# Texts PostgreSQL's array syntax gives meaning to, and texts that look like its NULL.
AWKWARD_TEXTS = [
    'Said "no"',
    "a back\\slash and \\N",
    "comma, {braces}",
    "NULL",
    "null",
    "",
    " spaced ",
    "Tab\there, a new\nline",
    "£ – ü",
]


def test_texts_are_quoted_with_their_quotes_and_backslashes_escaped_and_none_is_null():
    assert array_text(['Said "no"', "a\\b", None, "NULL"], "text") == '{"Said \\"no\\"","a\\\\b",NULL,"NULL"}'
    assert array_text(["plain", "comma, {braces}"], "text") == '{"plain","comma, {braces}"}'
    assert (array_text([""], "text"), array_text([], "text"), array_text([], "date")) == ('{""}', "{}", "{}")


def test_numbers_and_dates_are_written_as_str_writes_them_and_none_is_null():
    assert array_text([Decimal("12.50"), None, Decimal("-1E+2")], "numeric") == "{12.50,NULL,-1E+2}"
    assert array_text([date(2022, 6, 1), date(2031, 12, 1)], "date") == "{2022-06-01,2031-12-01}"
    assert array_text([1, 22], "bigint") == "{1,22}"


def test_only_columns_of_known_types_are_compared_in_the_database():
    assert array_types(MonthlyValue, {"indicator_id", "month", "value", "commentary"}) == {
        "indicator_id": "bigint",
        "month": "date",
        "value": "numeric",
        "commentary": "text",
    }
    assert array_types(MonthlyValue, {"indicator_id", "indicator"}) is None  # not a column's name
    assert array_types(MonthlyValue, {"entered_at"}) is None  # a date-time: compared in Python


def stored_rows() -> list[dict]:
    """One stored value per indicator, each with one of the awkward texts as its commentary."""
    indicators = list(Indicator.objects.order_by("pk")[: len(AWKWARD_TEXTS) + 3])
    rows = []
    for number, (indicator, text) in enumerate(zip(indicators, AWKWARD_TEXTS, strict=False)):
        rows.append(
            {
                "indicator_id": indicator.pk, "month": MONTH, "value": Decimal(number * 10),
                "missing_reason": "", "unit": indicator.unit, "commentary": text, "status": "draft",
            }
        )  # fmt: skip
    rows[3].update(value=None, missing_reason="not_available")
    write_changes(MonthlyValue, KEY, compare(MonthlyValue, KEY, rows, MonthlyValue.objects.none()))
    return rows


def file_rows(stored: list[dict]) -> list[dict]:
    """The stored rows again, some the same (one at another scale), some changed, some new, and
    some naming fewer fields."""
    again = [dict(row) for row in stored]
    again[0]["value"] = Decimal("0.0000")  # the same number written with more places: unchanged
    again[1]["commentary"] = 'a back\\slash and \\N, "quoted"'  # changed text
    again[2]["value"] = Decimal(21)  # changed number
    again[3]["missing_reason"] = "not_collected"  # changed reason, still no value
    again[4]["commentary"] = "NULL "  # changed: a space more
    again[5]["value"] = None  # a value taken away
    again[5]["missing_reason"] = "not_available"
    del again[6]["commentary"]  # not in this row: compared on its other fields only (unchanged)
    del again[7]["commentary"]
    again[7]["value"] = Decimal(99)  # and changed
    indicators = list(Indicator.objects.order_by("pk")[len(stored) : len(stored) + 2])
    for indicator in indicators:  # new rows
        again.append(
            {
                "indicator_id": indicator.pk, "month": MONTH, "value": Decimal(7), "missing_reason": "",
                "unit": indicator.unit, "commentary": 'new "one"', "status": "draft",
            }
        )  # fmt: skip
    return again


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the database's comparison is PostgreSQL's")
def test_the_database_finds_the_same_new_and_changed_rows_as_python_in_the_file_s_order():
    stored = stored_rows()
    rows = file_rows(stored)
    existing = MonthlyValue.objects.filter(month=MONTH)
    in_database = compare_in_database(MonthlyValue, KEY, rows, existing)
    in_python = compare_in_python(MonthlyValue, KEY, rows, existing)
    assert in_database.changes == in_python.changes
    assert in_database.result.changed_keys == in_python.result.changed_keys
    counts = [(c.result.created, c.result.updated, c.result.unchanged) for c in (in_database, in_python)]
    assert counts == [(2, 6, 3), (2, 6, 3)]
    changed = [(change, row["indicator_id"]) for change, row in in_database.changes]
    expected = [(CHANGED, rows[i]["indicator_id"]) for i in (1, 2, 3, 4, 5, 7)]
    assert changed == expected + [(CREATED, row["indicator_id"]) for row in rows[-2:]]


def test_only_the_rows_the_import_can_touch_are_compared():
    stored = stored_rows()
    rows = [dict(row, value=Decimal(50)) for row in stored]
    untouchable = MonthlyValue.objects.filter(
        month=MONTH, indicator_id__in=[row["indicator_id"] for row in rows[:2]]
    )
    found = compare(MonthlyValue, KEY, rows, untouchable)  # in the database on PostgreSQL
    assert (found.result.created, found.result.updated) == (len(rows) - 2, 2)


def test_a_dfe_figure_is_compared_on_its_four_part_key():
    indicator = Indicator.objects.get(code="5")
    key = ["indicator_id", "as_at", "level", "area_code"]
    where = {"indicator_id": indicator.pk, "as_at": date(2031, 3, 31), "level": "national"}
    figure = {
        **where,
        "area_code": "E92000001",
        "area_name": "England",
        "source": "test",
        "value": Decimal(10),
    }
    figure["suppression"] = ""
    existing = AreaValue.objects.filter(indicator=indicator)
    write_changes(AreaValue, key, compare(AreaValue, key, [figure], existing))
    other_area = {**figure, "area_code": "E08000028", "area_name": "Sandwell"}
    rows = [dict(figure), dict(figure, value=None, suppression="c"), other_area][::2]
    found = compare(AreaValue, key, rows, existing)
    assert [(change, row["area_code"]) for change, row in found.changes] == [(CREATED, "E08000028")]
    assert found.result.unchanged == 1


def test_a_first_import_counts_every_row_new_without_comparing():
    rows = file_rows(stored_rows())
    nothing_yet = MonthlyValue.objects.filter(month=date(2040, 1, 1))
    found = compare(MonthlyValue, KEY, rows, nothing_yet)
    assert [change for change, _row in found.changes] == [CREATED] * len(rows)
    assert (found.result.created, found.result.updated, found.result.unchanged) == (len(rows), 0, 0)
    assert found.result.changed_keys == {(row["indicator_id"], row["month"]) for row in rows}


def test_comparing_in_either_place_refuses_a_key_given_twice():
    rows = stored_rows()
    twice = [*rows, dict(rows[0])]
    existing = MonthlyValue.objects.filter(month=MONTH)
    with pytest.raises(ValueError, match="appears twice"):
        compare(MonthlyValue, KEY, twice, existing)
    with pytest.raises(ValueError, match="appears twice"):
        compare_in_python(MonthlyValue, KEY, twice, existing)
