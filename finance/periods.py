"""Financial years and quarters of the trust (April to March), as pure functions."""

from datetime import date

FIRST_MONTH_OF_FINANCIAL_YEAR = 4  # April


def financial_year_start(day: date) -> int:
    """The calendar year in which the financial year containing ``day`` starts.

    March 2019 belongs to 2018/19 (start 2018); April 2019 to 2019/20 (start 2019).
    """
    return day.year if day.month >= FIRST_MONTH_OF_FINANCIAL_YEAR else day.year - 1


def financial_year_label(start_year: int) -> str:
    """``2018`` -> ``"2018/19"``, the way board papers write it."""
    return f"{start_year}/{(start_year + 1) % 100:02d}"


def parse_financial_year_label(label: str) -> int:
    """``"2018/19"`` or ``"2018-19"`` -> ``2018``; the second part must follow the first."""
    text = label.strip().replace("-", "/")
    first, sep, second = text.partition("/")
    if not sep or not first.isdigit() or not second.isdigit() or len(first) != 4:
        raise ValueError(f"{label!r} is not a financial year such as 2018/19")
    start = int(first)
    if int(second) != (start + 1) % (10 ** len(second)):
        raise ValueError(f"{label!r} is not a financial year: {second} does not follow {first}")
    return start


def financial_year_bounds(start_year: int) -> tuple[date, date]:
    """First and last day of the financial year that starts in ``start_year``."""
    return date(start_year, 4, 1), date(start_year + 1, 3, 31)


def financial_quarter(day: date) -> int:
    """Quarter of the financial year: April-June is Q1, January-March is Q4."""
    return (day.month - FIRST_MONTH_OF_FINANCIAL_YEAR) % 12 // 3 + 1
