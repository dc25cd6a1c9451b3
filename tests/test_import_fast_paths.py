"""The import check's fast paths give exactly what the general code they stand in for gives."""

import gc
import random
from decimal import Decimal

import pytest

from sct_monitor.bulk_insert import collector_paused
from sct_monitor.importing.kinds import Columns, Fail, number, remembered
from sct_monitor.importing.reading import ReadError, read_csv, read_table, split_plain_text

PLAIN_TEXTS = [
    "",
    "\n",
    "a,b\n",
    "a,b",
    "a,b\r\nc,d\r\n",
    "a,b\rc,d\r",
    "a,b\n\n\nc,d\n",
    "a,b\r\n\r\nc,d",
    " , \n  x ,  y  \n,,\n",
    "a\tb,c\n d\t e \n",
    "£85.2,\u2028x,\x0by\x0c\n\x85,\u2029",  # line separators the csv module does not break at
    "a,b,\n,,c\n\r\n\n",
    "=1+1,'quoted,-\n",
]


@pytest.mark.parametrize("text", PLAIN_TEXTS)
@pytest.mark.parametrize("delimiter", [",", "\t"])
def test_plain_text_splits_as_the_csv_module_reads_it(text, delimiter):
    assert split_plain_text(text, delimiter) == read_csv(text, delimiter)


def test_random_plain_texts_split_as_the_csv_module_reads_them():
    pieces = ["a", "B7", " ", "  x ", "", "2022-06", "85.5", ",", "\t", "\n", "\r", "\r\n", "£", "–"]
    pieces += ["\x0b", "\u00a0", "\u2028", "\x85"]  # white space the csv module keeps within a line
    chooser = random.Random(13)
    for _ in range(2000):
        text = "".join(chooser.choice(pieces) for _ in range(chooser.randint(0, 40)))
        for delimiter in (",", "\t"):
            assert split_plain_text(text, delimiter) == read_csv(text, delimiter), repr(text)


@pytest.mark.parametrize("text", ['a,"b,c"\n', "a,b\x00\n", 'x"y,z\n'])
def test_text_with_quotes_or_a_nul_is_left_to_the_csv_module(text):
    assert split_plain_text(text, ",") is None


def test_a_line_over_the_csv_field_limit_is_left_to_the_csv_module_which_refuses_it():
    text = "a," + "x" * 200_000 + "\n"
    assert split_plain_text(text, ",") is None
    with pytest.raises(ReadError, match=r"^line 2: field larger than field limit"):
        read_table("long.csv", b"indicator_code,month\n" + text.encode())


def test_a_quoted_file_reads_as_before():
    table = read_table(
        "q.csv", b'indicator_code,month,value,commentary\n5,2022-07,240,"Fewer, and ""why"""\n'
    )
    assert table.lines == [
        (1, ["indicator_code", "month", "value", "commentary"]),
        (2, ["5", "2022-07", "240", 'Fewer, and "why"']),
    ]


def test_picked_columns_give_what_get_gives_for_each_line_stripped_short_or_lacking_the_column():
    columns = Columns(
        ["Code", " Month ", "value"], {"indicator_code": ("code",), "month": (), "x": ()}, set()
    )
    rows = [["5", "2022-07", "1"], ["5"], [], ["6", "2022-08", "2", "extra"]]
    lines = list(enumerate(rows, start=2))
    names = ("indicator_code", "month", "x", "value")
    picked = columns.picked(lines, names)
    assert [list(column) for column in picked] == [
        [columns.get(cells, name) for cells in rows] for name in names
    ]
    assert [list(column) for column in columns.picked(lines, ("month",))] == [["2022-07", "", "", "2022-08"]]
    assert columns.picked([], names) == [[], [], [], []]


def test_remembered_results_are_the_function_s_and_failures_are_raised_every_time():
    calls = []

    def read(text: str) -> Decimal | None:
        calls.append(text)
        return number("value", text, blank=True)

    find = remembered(read, limit=2)
    assert [find("1.5"), find("1.5"), find(""), find("2"), find("2")] == [
        Decimal("1.5"),
        Decimal("1.5"),
        None,
        Decimal(2),
        Decimal(2),
    ]
    assert calls == ["1.5", "", "2", "2"]  # the third distinct text is past the limit, read again
    for _ in range(2):
        with pytest.raises(Fail) as failure:
            find("abc")
        assert failure.value.message == "not a number"


def test_the_collector_pause_resumes_collecting_at_its_last_end_only():
    assert gc.isenabled()
    with collector_paused():
        assert not gc.isenabled()
        with collector_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()


def test_the_collector_pause_ends_when_its_work_fails():
    with pytest.raises(ValueError), collector_paused():
        raise ValueError
    assert gc.isenabled()
