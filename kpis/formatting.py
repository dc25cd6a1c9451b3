"""How indicator values are written for people: by unit, to the indicator's decimal places."""

from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache

from kpis.models import Unit


def format_value(value: Decimal | None, unit: str, decimal_places: int) -> str:
    """``85.2%`` for percentages, ``45.5`` for rates, ``17`` for counts; ``""`` when missing."""
    if value is None:
        return ""
    return formatted(value, unit, decimal_places)


# Pages and publications write the same few thousand figures again and again (a publication of
# years of months writes each figure several times). Equal values write the same text, so a
# value kept at another scale (12.5 and 12.5000) rightly shares its entry.
@lru_cache(maxsize=8192)
def formatted(value: Decimal, unit: str, decimal_places: int) -> str:
    places = 0 if unit == Unit.COUNT else decimal_places
    quantum = Decimal(1).scaleb(-places)
    rounded = Decimal(value).quantize(quantum, rounding=ROUND_HALF_UP)
    text = f"{rounded:,.{places}f}"
    return f"{text}%" if unit == Unit.PERCENTAGE else text


def plain_number(value: Decimal | None) -> str:
    """A value as a plain number without trailing zeros or exponent (``82.3``, ``17``)."""
    if value is None:
        return ""
    normalised = Decimal(value).normalize()
    text = f"{normalised:f}"
    return text
