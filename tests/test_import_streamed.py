"""What an import holds less of gives what it gave before: a plain text's lines cut into cells as
they are read, picked a chunk at a time, and stored rows compared as they are read back, each
distinct stored value converted once."""

from datetime import date
from decimal import Decimal

import pytest

from kpis.models import MonthlyValue
from sct_monitor.importing import kinds
from sct_monitor.importing.kinds import Columns
from sct_monitor.importing.merge import CHANGED, CREATED, Conversions, compare_in_python, stored_values
from sct_monitor.importing.reading import TextLines, read_csv, split_plain_text
from tests.test_import_compare import KEY, file_rows, stored_rows

TEXT = "code,month,value\n\n5,2022-07, 1\n ,,\n6,2022-08,2\r\n7\n"


@pytest.mark.parametrize("delimiter", [",", "\t"])
def test_text_lines_index_slice_and_iterate_as_the_list_read_csv_gives(delimiter):
    text = TEXT.replace(",", delimiter)
    lines, listed = split_plain_text(text, delimiter), read_csv(text, delimiter)
    assert isinstance(lines, TextLines)
    assert len(lines) == len(listed) == 4
    assert [lines[i] for i in range(-4, 4)] == [listed[i] for i in range(-4, 4)]
    for part in (slice(1, None), slice(None, 2), slice(1, 3), slice(5, None)):
        assert lines[part] == listed[part]
        assert list(lines[part]) == listed[part]
    assert lines != listed[1:]
    assert lines[1:][0] == (3, ["5", "2022-07", "1"])  # line numbers count the blank lines left out


def test_lines_picked_a_chunk_at_a_time_are_the_lines_picked_at_once(monkeypatch):
    monkeypatch.setattr(kinds, "PICKED_CHUNK_LINES", 3)
    text = "code,month,value\n" + "".join(f"{i},2022-{i % 12 + 1:02},{i}\n" for i in range(10)) + "11\n"
    header, *lines = split_plain_text(text, ",")
    columns = Columns(header[1], {"indicator_code": ("code",), "month": (), "value": (), "x": ()}, set())
    names = ("value", "x", "indicator_code", "month")
    at_once = list(zip([line for line, _cells in lines], *columns.picked(lines, names), strict=True))
    assert list(columns.picked_lines(split_plain_text(text, ",")[1:], names)) == at_once
    assert at_once[-1] == (12, "", "", "11", "")


@pytest.mark.django_db
def test_stored_values_are_what_values_list_gives():
    stored_rows()
    MonthlyValue.objects.filter(month=date(2031, 1, 1), value=Decimal(20)).update(value=Decimal("20.5"))
    names = ["indicator_id", "month", "value", "missing_reason", "commentary", "status"]
    existing = MonthlyValue.objects.filter(month=date(2031, 1, 1)).order_by("indicator_id")
    expected = list(existing.values_list(*names))
    assert len(expected) > 5 and None in {value for _i, _m, value, *_rest in expected}
    assert list(stored_values(existing, names)) == expected


def test_conversions_tell_apart_stored_values_that_are_equal_but_of_different_types():
    conversions = Conversions([lambda value, _expression, _database: type(value).__name__], None, None)
    assert conversions.column([1, 1.0, True, 1, "1"]) == ["int", "float", "bool", "int", "str"]
    assert conversions.column([[1], None]) == ["list", "NoneType"]  # a value that cannot be a key


@pytest.mark.django_db
def test_the_comparison_in_python_finds_the_new_changed_and_unchanged_rows_in_the_file_s_order():
    rows = file_rows(stored_rows())
    found = compare_in_python(MonthlyValue, KEY, rows, MonthlyValue.objects.filter(month=date(2031, 1, 1)))
    changed = [(change, row["indicator_id"]) for change, row in found.changes]
    expected = [(CHANGED, rows[i]["indicator_id"]) for i in (1, 2, 3, 4, 5, 7)]
    assert changed == expected + [(CREATED, row["indicator_id"]) for row in rows[-2:]]
    assert (found.result.created, found.result.updated, found.result.unchanged) == (2, 6, 3)
    assert found.result.changed_keys == {(row["indicator_id"], row["month"]) for row in rows} - {
        (rows[i]["indicator_id"], rows[i]["month"]) for i in (0, 6, 8)
    }
