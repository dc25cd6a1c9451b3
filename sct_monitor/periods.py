"""One period type for a month, a quarter of the financial year and a financial year.

Keys are how periods appear in URLs: ``2022-06`` (a month), ``2022-23-q1`` (April to June 2022)
and ``2022-23`` (April 2022 to March 2023).
"""

import calendar
import re
from dataclasses import dataclass
from datetime import date

from finance.periods import financial_quarter, financial_year_label, financial_year_start

_MONTH_KEY = re.compile(r"^(\d{4})-(\d{2})$")
_QUARTER_KEY = re.compile(r"^(\d{4})-(\d{2})-q([1-4])$")
QUARTER_NAMES = {1: "April to June", 2: "July to September", 3: "October to December", 4: "January to March"}


def add_months(month: date, count: int) -> date:
    index = month.year * 12 + month.month - 1 + count
    return date(index // 12, index % 12 + 1, 1)


@dataclass(frozen=True, order=True)
class Period:
    start: date
    end: date  # the first day of the last month in the period
    kind: str  # "month", "quarter" or "year"

    @classmethod
    def month(cls, day: date) -> "Period":
        first = day.replace(day=1)
        return cls(first, first, "month")

    @classmethod
    def quarter(cls, financial_year: int, number: int) -> "Period":
        if not 1 <= number <= 4:
            raise ValueError(f"a financial year has quarters 1 to 4, not {number}")
        start = add_months(date(financial_year, 4, 1), 3 * (number - 1))
        return cls(start, add_months(start, 2), "quarter")

    @classmethod
    def quarter_of(cls, day: date) -> "Period":
        return cls.quarter(financial_year_start(day), financial_quarter(day))

    @classmethod
    def financial_year(cls, start_year: int) -> "Period":
        return cls(date(start_year, 4, 1), date(start_year + 1, 3, 1), "year")

    @classmethod
    def from_key(cls, key: str) -> "Period":
        """``2022-06``, ``2022-23-q1`` or ``2022-23``; anything else raises ValueError."""
        if quarter := _QUARTER_KEY.match(key):
            year, following, number = int(quarter.group(1)), int(quarter.group(2)), int(quarter.group(3))
            if (year + 1) % 100 != following:
                raise ValueError(f"{key!r}: {following:02d} does not follow {year}")
            return cls.quarter(year, number)
        if pair := _MONTH_KEY.match(key):
            # "2022-06" is a month and "2022-23" a financial year; from 2012/13 on they cannot clash.
            year, second = int(pair.group(1)), int(pair.group(2))
            if 1 <= second <= 12:
                return cls.month(date(year, second, 1))
            if (year + 1) % 100 == second:
                return cls.financial_year(year)
        raise ValueError(f"{key!r} is not a period such as 2022-06, 2022-23-q1 or 2022-23")

    @property
    def financial_year_start(self) -> int:
        return financial_year_start(self.start)

    @property
    def number(self) -> int:
        """The quarter's number in its financial year (Q1 is April to June)."""
        return financial_quarter(self.start)

    @property
    def key(self) -> str:
        if self.kind == "month":
            return f"{self.start:%Y-%m}"
        year = financial_year_label(self.financial_year_start).replace("/", "-")
        return f"{year}-q{self.number}" if self.kind == "quarter" else year

    @property
    def label(self) -> str:
        """``June 2022``, ``Quarter 1 2022/23``, ``2022/23``."""
        if self.kind == "month":
            return f"{self.start:%B %Y}"
        year = financial_year_label(self.financial_year_start)
        return f"Quarter {self.number} {year}" if self.kind == "quarter" else year

    @property
    def long_label(self) -> str:
        """``Quarter 1 2022/23 (April to June 2022)``."""
        if self.kind == "quarter":
            return f"{self.label} ({QUARTER_NAMES[self.number]} {self.end.year})"
        if self.kind == "year":
            return f"{self.label} (April {self.start.year} to March {self.end.year})"
        return self.label

    @property
    def months(self) -> list[date]:
        months, month = [], self.start
        while month <= self.end:
            months.append(month)
            month = add_months(month, 1)
        return months

    @property
    def last_day(self) -> date:
        return self.end.replace(day=calendar.monthrange(self.end.year, self.end.month)[1])

    @property
    def previous(self) -> "Period":
        step = len(self.months)
        return Period(add_months(self.start, -step), add_months(self.end, -step), self.kind)

    def contains(self, day: date) -> bool:
        return self.start <= day.replace(day=1) <= self.end

    def overlapping_keys(self) -> set[str]:
        """The keys of every month, quarter and financial year that overlaps this period, for
        datasets recorded against any of them (audit findings by month, complaint themes by quarter)."""
        keys = set()
        for month in self.months:
            single = Period.month(month)
            keys |= {
                single.key,
                Period.quarter_of(month).key,
                Period.financial_year(single.financial_year_start).key,
            }
        return keys
