"""How indicator values are written for people: by unit, to the indicator's decimal places."""

from decimal import ROUND_HALF_UP, Decimal

from kpis.models import Unit


def format_value(value: Decimal | None, unit: str, decimal_places: int) -> str:
    """``85.2%`` for percentages, ``45.5`` for rates, ``17`` for counts; ``""`` when missing."""
    if value is None:
        return ""
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
