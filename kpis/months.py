"""Reporting months: parsing the many ways board papers write them, and formatting them."""

import re
from datetime import date

_MONTHS = {
    "jan": 1, "january": 1, "feb": 2, "february": 2, "mar": 3, "march": 3,
    "apr": 4, "april": 4, "may": 5, "jun": 6, "june": 6, "jul": 7, "july": 7,
    "aug": 8, "august": 8, "sep": 9, "sept": 9, "september": 9, "oct": 10, "october": 10,
    "nov": 11, "november": 11, "dec": 12, "december": 12,
}  # fmt: skip

# "Jan-18", "Apr - 22", "May – 22" (en dash), "June - 22", "Sept 2021", "jan 18"
_LABEL = re.compile(r"^\s*([A-Za-z]+)\s*[-–—/ ]\s*(\d{2}|\d{4})\s*$")
_ISO = re.compile(r"^\s*(\d{4})-(\d{1,2})(?:-01)?\s*$")
# "07/2022", "7/2022": how spreadsheets and people in the UK write a month
_SLASHED = re.compile(r"^\s*(\d{1,2})\s*/\s*(\d{4})\s*$")


def parse_month(text: str) -> date:
    """The first day of the month named by ``text`` (``2018-01``, ``Jan-18``, ``May – 22``...)."""
    iso = _ISO.match(text)
    slashed = _SLASHED.match(text)
    if iso or slashed:
        year, month = (
            (int(iso.group(1)), int(iso.group(2))) if iso else (int(slashed.group(2)), int(slashed.group(1)))
        )
        if not 1 <= month <= 12:
            raise ValueError(f"{text!r} is not a month: {month} is not between 1 and 12")
        return date(year, month, 1)
    label = _LABEL.match(text)
    if label:
        name, year_text = label.group(1).lower(), label.group(2)
        if name in _MONTHS:
            year = int(year_text) + 2000 if len(year_text) == 2 else int(year_text)
            return date(year, _MONTHS[name], 1)
    raise ValueError(f"{text!r} is not a month such as 2022-06, 06/2022, Jun-22 or June 2022")


def month_key(month: date) -> str:
    """``date(2022, 6, 1)`` -> ``"2022-06"``, the form used in URLs and exports."""
    return f"{month.year:04d}-{month.month:02d}"


def month_label(month: date) -> str:
    """``date(2022, 6, 1)`` -> ``"June 2022"``, the form people read."""
    return month.strftime("%B %Y")
