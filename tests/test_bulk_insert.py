"""COPY's text, written a column at a time, is exactly what writing each value on its own gives."""

import random
from datetime import UTC, date, datetime
from decimal import Decimal

from sct_monitor.bulk_insert import copy_column, copy_payload, copy_text

VALUES = [
    "plain",
    "",
    "tab\there",
    "new\nline",
    "back\\slash",
    "\\N",
    "return\r",
    None,
    Decimal("12.5000"),
    Decimal("-1E+2"),
    0,
    7,
    True,
    False,
    date(2022, 6, 1),
    datetime(2022, 6, 1, 9, 30, tzinfo=UTC),
]


def row_by_row(rows) -> str:
    return "".join("\t".join(map(copy_text, row)) + "\n" for row in rows)


def test_columns_of_one_kind_are_written_as_each_value_would_be():
    columns = [
        ["a", "b", ""],
        ["a", "tab\there"],
        [Decimal("1.50"), 2, Decimal("-3")],
        [True, False],
        [None, None],
        [None, Decimal(1)],
        [date(2022, 6, 1), None],
    ]
    for column in columns:
        assert list(copy_column(column)) == list(map(copy_text, column)), column


def test_rows_of_mixed_values_make_the_same_text_as_row_by_row_writing():
    chooser = random.Random(7)
    for _ in range(300):
        width = chooser.randint(1, 6)
        # Some columns keep to one value kind, as a table's columns do; others mix them.
        kinds = [chooser.choice([None, *range(4)]) for _ in range(width)]
        rows = []
        for _ in range(chooser.randint(1, 8)):
            row = []
            for kind in kinds:
                pool = VALUES if kind is None else VALUES[kind * 4 : kind * 4 + 4]
                row.append(chooser.choice(pool))
            rows.append(row)
        assert copy_payload(list(zip(*rows, strict=True))) == row_by_row(rows), rows


def test_no_rows_make_no_text():
    assert copy_payload([]) == ""
