"""The import engine's building blocks for the kinds each app declares: a Kind, the rows it plans,
the problems it finds, and the readers of cells (numbers, months, choices, columns by name).

Each app lists its kinds as ``KINDS`` in its ``imports`` module (kpis.imports, audits.imports,
finance.imports); sct_monitor.importing.registry gathers them, so a new dataset touches its app only.
"""

import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from operator import itemgetter
from typing import ParamSpec, TypeVar

from django.db import models

from finance.periods import parse_financial_year_label
from kpis.months import parse_month
from sct_monitor.importing.reading import RawTable, normalise_header

P = ParamSpec("P")
R = TypeVar("R")
MISSING = {"", "n/a", "na", "no available comparator data", "-", "–"}


@dataclass(frozen=True)
class Problem:
    line: int
    column: str
    value: str
    message: str

    def __str__(self) -> str:
        where = f"line {self.line}" + (f", column {self.column}" if self.column else "")
        value = f" {self.value!r}:" if self.value else ""
        return f"{where}:{value} {self.message}"


@dataclass
class Planned:
    """Rows for one model, keyed, with the line each came from."""

    model: type[models.Model]
    key_fields: list[str]
    rows: list[dict] = field(default_factory=list)
    lines: list[int] = field(default_factory=list)


@dataclass
class Parsed:
    planned: list[Planned] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    rows_read: int = 0
    notes: list[str] = field(default_factory=list)
    # Not errors, but what an administrator must know: a mapped column the file lacks, an
    # authority missing from a newer file, figures that could not be derived.
    warnings: list[str] = field(default_factory=list)

    def add(self, planned: Planned, line: int, row: dict) -> None:
        planned.rows.append(row)
        planned.lines.append(line)


class Fail(Exception):
    def __init__(self, column: str, value: str, message: str):
        self.column, self.value, self.message = column, value, message


def number(column: str, text: str, blank: bool = False) -> Decimal | None:
    cleaned = text.strip().replace(",", "").replace("£", "").removesuffix("%").strip()
    if cleaned.lower() in MISSING:
        if blank:
            return None
        raise Fail(column, text, "a number is required")
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        raise Fail(column, text, "not a number") from None
    if not value.is_finite():
        raise Fail(column, text, "not a number")
    return value


def whole(column: str, text: str, blank: bool = False) -> int | None:
    value = number(column, text, blank)
    if value is None:
        return None
    if value != value.to_integral_value() or value < 0:
        raise Fail(column, text, "must be a whole number, not negative")
    return int(value)


def month(column: str, text: str) -> date:
    try:
        return parse_month(text)
    except ValueError:
        raise Fail(column, text, "not a month such as 2022-06, Jun-22 or June - 22") from None


def choice(column: str, text: str, choices: type[models.TextChoices]) -> str:
    wanted = normalise_header(text)
    for value, label in choices.choices:
        if wanted in (value, normalise_header(label)):
            return value
    raise Fail(column, text, f"not one of {', '.join(choices.values)}")


class Columns:
    """Finds each wanted column in a header row by its names, case- and space-insensitively."""

    def __init__(self, header: list[str], wanted: dict[str, tuple[str, ...]], required: set[str]):
        normalised = [normalise_header(cell) for cell in header]
        self.index: dict[str, int] = {}
        for name, aliases in wanted.items():
            for alias in (name, *aliases):
                if alias in normalised:
                    self.index[name] = normalised.index(alias)
                    break
        self.missing = sorted(required - set(self.index))

    def get(self, cells: list[str], name: str) -> str:
        position = self.index.get(name)
        return cells[position].strip() if position is not None and position < len(cells) else ""

    def picked(self, lines: list[tuple[int, list[str]]], names: Sequence[str]) -> list[Sequence[str]]:
        """What ``get`` gives for each of ``names`` on every line: a column of cells a name, in
        ``names``' order. Each line's cells are taken by position in one step (the readers strip
        every cell as they read it); a column the header lacks is all blanks, as is a short line's."""
        positions = sorted({self.index[name] for name in names if name in self.index})
        blank = [""] * len(lines)
        if not positions or not lines:
            return [blank for _name in names]
        width = positions[-1] + 1
        rows = [
            cells if len(cells) >= width else cells + [""] * (width - len(cells)) for _line, cells in lines
        ]
        if len(positions) == 1:
            taken = [list(map(itemgetter(positions[0]), rows))]
        else:  # each line's cells as a tuple, then turned into columns
            taken = list(zip(*map(itemgetter(*positions), rows), strict=True))
        column_at = dict(zip(positions, taken, strict=True))
        return [column_at[self.index[name]] if name in self.index else blank for name in names]

    def picked_lines(self, lines: Sequence[tuple[int, list[str]]], names: Sequence[str]) -> Iterator[tuple]:
        """Each line's number and what ``get`` gives for each of ``names`` on it, as a tuple: the
        lines are picked (see ``picked``) a chunk at a time, so that only a chunk's cells are held
        at once (a large file's every cell, as lists of strings, takes many times its text's memory)."""
        for start in range(0, len(lines), PICKED_CHUNK_LINES):
            chunk = list(lines[start : start + PICKED_CHUNK_LINES])
            numbers = [line for line, _cells in chunk]
            yield from zip(numbers, *self.picked(chunk, names), strict=True)


PICKED_CHUNK_LINES = 10_000  # lines cut into cells at a time by ``Columns.picked_lines``

# Results remembered per file by ``remembered``: enough for every distinct number or month of a
# large file's common case, few enough that a file of all-different texts cannot grow memory much.
REMEMBERED_RESULTS = 20_000


def remembered(read: Callable[P, R], limit: int = REMEMBERED_RESULTS) -> Callable[P, R]:
    """``read`` with its results for up to ``limit`` distinct arguments kept: files repeat the same
    codes, months and numbers on many rows. A failure raises afresh each time and is not kept."""
    results: dict = {}

    def lookup(*args):
        try:
            return results[args]
        except KeyError:
            pass
        result = read(*args)
        if len(results) < limit:
            results[args] = result
        return result

    return lookup


def table_rows(table: RawTable, parsed: Parsed, wanted, required) -> tuple[Columns, list]:
    if not table.lines:
        parsed.problems.append(Problem(1, "", "", "the file is empty"))
        return Columns([], wanted, required), []
    header_line, header = table.lines[0]
    columns = Columns(header, wanted, required)
    if columns.missing:
        parsed.problems.append(
            Problem(
                header_line,
                "",
                "",
                f"missing column(s): {', '.join(columns.missing)} (found: {', '.join(header)})",
            )
        )
        return columns, []
    return columns, table.lines[1:]


@dataclass(frozen=True)
class Kind:
    slug: str  # the name on the upload page and on the command line
    label: str
    columns: str  # the columns it reads, in words
    parse: Callable


def financial_year(column: str, text: str) -> int:
    """``2022/23``, ``2022-23`` or ``2022`` (the year it starts in)."""
    cleaned = text.strip()
    if re.fullmatch(r"\d{4}", cleaned) and 2000 <= int(cleaned) <= 2100:
        return int(cleaned)
    try:
        year = parse_financial_year_label(cleaned)
    except ValueError as exc:
        raise Fail(column, text, str(exc)) from None
    if not 2000 <= year <= 2100:
        raise Fail(column, text, "not a financial year between 2000/01 and 2100/01")
    return year
