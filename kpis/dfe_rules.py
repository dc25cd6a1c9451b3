"""The DfE's rules, as pure functions: mapping fields, periods, derived rates, and LAIT's
statistical-neighbour average, median, rank and quartile band.

LAIT (the DfE's Local Authority Interactive Tool) ranks all local authorities with a figure,
1 best, ties sharing the better rank (R's ``rank(ties.method = "min")``); it bands a value by
the quartiles of every authority's figure that year (R's default ``quantile``, type 7, which is
pandas' ``linear``), with inclusive upper boundaries, A the best quarter; and it neither ranks
nor bands an indicator with no better direction. Each function here is tested on those
boundaries in tests/test_dfe_rules.py.
"""

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import TypeVar

T = TypeVar("T")

BANDS = "ABCD"
HIGHER, LOWER = "higher", "lower"


class RuleError(ValueError):
    """A field a person typed cannot be read; the message says how to write it."""


# --- mapping fields ---------------------------------------------------------------------------


def normalise_name(text: str) -> str:
    """Column names match case- and space-insensitively: ' Population Type ' == 'population_type'."""
    return re.sub(r"[\s_]+", "_", text.strip().lower()).strip("_")


def parse_filters(text: str) -> tuple[tuple[str, str], ...]:
    """``population_type=Children looked after;age=0-17`` -> sorted (column, value) pairs.

    Blank means every row. A trailing semicolon is forgiven; an empty condition between two
    semicolons, a condition without ``=``, or a column named twice is an error.
    """
    text = text.strip().removesuffix(";").strip()
    if not text:
        return ()
    pairs: dict[str, str] = {}
    for number, part in enumerate(text.split(";"), start=1):
        if not part.strip():
            raise RuleError(
                f"condition {number} is empty (two semicolons together); write name=value;name=value"
            )
        if "=" not in part:
            raise RuleError(f"condition {number} ‘{part.strip()}’ has no ‘=’; write name=value;name=value")
        name, value = part.split("=", 1)
        column = normalise_name(name)
        if not column:
            raise RuleError(f"condition {number} ‘{part.strip()}’ names no column before ‘=’")
        if not value.strip():
            raise RuleError(f"condition {number} ‘{part.strip()}’ has no value after ‘=’")
        if column in pairs:
            raise RuleError(f"the column {column} is named twice")
        pairs[column] = value.strip()
    return tuple(sorted(pairs.items()))


def filters_text(pairs: Iterable[tuple[str, str]]) -> str:
    """The one way a set of filters is written back: ``a=x;b=y``, sorted by column."""
    return ";".join(f"{name}={value}" for name, value in sorted(pairs))


DAYS_IN_MONTH = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)
MONTH_NAMES = ("January", "February", "March", "April", "May", "June", "July", "August",
               "September", "October", "November", "December")  # fmt: skip


def parse_stands_on(text: str) -> tuple[int, int]:
    """``03-31`` (month-day) -> (3, 31): the day and month a figure describes."""
    cleaned = text.strip()
    match = re.fullmatch(r"(\d{1,2})-(\d{1,2})", cleaned)
    if not match:
        raise RuleError(f"‘{cleaned}’ is not a month and day; write MM-DD, such as 03-31 for 31 March")
    month, day = int(match.group(1)), int(match.group(2))
    if not 1 <= month <= 12:
        if 1 <= day <= 12 and 1 <= month <= DAYS_IN_MONTH[day - 1]:
            raise RuleError(
                f"‘{cleaned}’ has no month {month}; it is written MM-DD, so {month} {MONTH_NAMES[day - 1]} "
                f"is {day:02d}-{month:02d}"
            )
        raise RuleError(f"‘{cleaned}’ has no month {month}; write MM-DD, such as 03-31 for 31 March")
    if not 1 <= day <= DAYS_IN_MONTH[month - 1]:
        raise RuleError(f"‘{cleaned}’: {MONTH_NAMES[month - 1]} has no day {day}")
    return month, day


def stands_on_text(month: int, day: int) -> str:
    return f"{month:02d}-{day:02d}"


def describe_stands_on(month: int, day: int) -> str:
    return f"{day} {MONTH_NAMES[month - 1]}"


# --- periods ----------------------------------------------------------------------------------

ACADEMIC_START_MONTH = 9  # an academic year runs September to August
FINANCIAL_START_MONTH = 4  # a financial year runs April to March


def period_date(time_period: str, time_identifier: str, month: int, day: int) -> date:
    """The date a figure for ``time_period`` stands on.

    ``2025`` with 03-31 is 31 March 2025. ``202425`` is a two-year period: an academic year
    (September 2024 to August 2025) or, when ``time_identifier`` says so, a financial year
    (April 2024 to March 2025); the figure stands on the day within that period.
    """
    text = time_period.strip()
    if re.fullmatch(r"(19|20)\d{2}", text):
        return safe_date(int(text), month, day)
    match = re.fullmatch(r"((?:19|20)\d{2})(\d{2})", text)
    if match:
        first, second = int(match.group(1)), int(match.group(2))
        if second != (first + 1) % 100:
            raise RuleError(
                f"‘{text}’ is not a two-year period: {first} is followed by {(first + 1) % 100:02d}, "
                f"not {second:02d}"
            )
        start = FINANCIAL_START_MONTH if "financial" in time_identifier.lower() else ACADEMIC_START_MONTH
        return safe_date(first if month >= start else first + 1, month, day)
    raise RuleError(f"‘{text}’ is not a year such as 2025 or a two-year period such as 202425")


def safe_date(year: int, month: int, day: int) -> date:
    """29 February falls back to the 28th in a year that has none."""
    if month == 2 and day == 29 and not (year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)):
        day = 28
    return date(year, month, day)


# --- derived rates ----------------------------------------------------------------------------


def derived_rate(
    numerator: Decimal, denominator: Decimal, multiplier: Decimal, places: int
) -> Decimal | None:
    """``numerator / denominator * multiplier``, rounded half up to ``places`` as the DfE publishes.

    No rate when the denominator is zero.
    """
    if denominator == 0:
        return None
    exact = numerator * multiplier / denominator
    return exact.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


# --- combined returns -------------------------------------------------------------------------


def member_codes(area_code: str) -> list[str]:
    """``314 / 318`` (a joint return, such as Kingston upon Thames with Richmond) -> both codes."""
    return [part.strip() for part in area_code.split("/") if part.strip()]


def figures_by_member(values: Mapping[str, T]) -> dict[str, T]:
    """Each authority's figure, a joint return standing for each of its members (as LAIT shows it).

    A member's own figure, where one is published, wins over the joint one.
    """
    result: dict[str, T] = {}
    own: list[tuple[str, T]] = []
    for code, value in values.items():
        # Most codes hold no "/", so they are not split (this runs for every area on every page).
        members = member_codes(code) if "/" in code else [code.strip()]
        if len(members) > 1:
            for member in members:
                result.setdefault(member, value)
        elif members and members[0]:
            own.append((code.strip(), value))
    result.update(own)
    return result


# --- statistical neighbours, rank and band ----------------------------------------------------


@dataclass(frozen=True)
class NeighbourSummary:
    mean: Decimal | None
    median: Decimal | None
    counted: int  # neighbours with a figure
    neighbours: int  # neighbours in the model

    @property
    def description(self) -> str:
        return f"mean of {self.counted} of {self.neighbours} statistical neighbours"


def neighbour_summary(values: Mapping[str, Decimal | None], neighbours: Sequence[str]) -> NeighbourSummary:
    """Mean and median of the neighbours that have a figure; suppressed or missing ones are left
    out, never counted as zero (LAIT's SN average; the DfE outcomes dashboard shows the median)."""
    by_member = figures_by_member(values)
    present = sorted(v for code in neighbours if (v := by_member.get(code)) is not None)
    if not present:
        return NeighbourSummary(None, None, 0, len(neighbours))
    return NeighbourSummary(
        sum(present, Decimal(0)) / len(present), median(present), len(present), len(neighbours)
    )


def median(ordered: Sequence[Decimal]) -> Decimal:
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return (ordered[middle - 1] + ordered[middle]) / 2


def quantile(ordered: Sequence[Decimal], p: Decimal) -> Decimal:
    """R's default quantile (type 7; pandas' ``linear``): interpolate at ``(n - 1) * p``."""
    position = (len(ordered) - 1) * p
    below = int(position)
    fraction = position - below
    if below + 1 >= len(ordered):
        return ordered[-1]
    return ordered[below] + (ordered[below + 1] - ordered[below]) * fraction


def quartiles(values: Iterable[Decimal]) -> tuple[Decimal, Decimal, Decimal, Decimal, Decimal]:
    ordered = sorted(values)
    return tuple(quantile(ordered, Decimal(p) / 4) for p in range(5))  # type: ignore[return-value]


@dataclass(frozen=True)
class Ranking:
    rank: int
    of: int
    band: str

    @property
    def description(self) -> str:
        return f"ranked {self.rank} of {self.of} (quartile band {self.band}, A is best)"


def rank_of(value: Decimal, values: Sequence[Decimal], polarity: str) -> int:
    """1 is best; equal figures share the better rank."""
    if polarity == HIGHER:
        return 1 + sum(1 for v in values if v > value)
    return 1 + sum(1 for v in values if v < value)


def band_of(value: Decimal, bounds: Sequence[Decimal], polarity: str) -> str:
    """LAIT's band: [min, Q1] lowest quarter, then (Q1, Q2], (Q2, Q3], (Q3, max]; the lowest
    quarter is A when lower is better and D when higher is better."""
    _, q1, q2, q3, _ = bounds
    quarter = 0 if value <= q1 else 1 if value <= q2 else 2 if value <= q3 else 3
    return BANDS[quarter] if polarity == LOWER else BANDS[3 - quarter]


def rank_and_band(
    value: Decimal | None, all_values: Iterable[Decimal | None], polarity: str, is_count: bool = False
) -> Ranking | None:
    """Rank among all authorities with a figure and quartile band, or None when LAIT shows
    neither: no better direction, a count (it depends on population), or no figure."""
    if value is None or polarity not in (HIGHER, LOWER) or is_count:
        return None
    values = [v for v in all_values if v is not None]
    if not values:
        return None
    return Ranking(rank_of(value, values, polarity), len(values), band_of(value, quartiles(values), polarity))
