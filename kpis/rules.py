"""What values each unit allows: the same rules the database's CHECK constraints enforce,
stated once in Python so that forms and imports can explain a refusal in words."""

from decimal import Decimal

from kpis.models import Unit


def value_problem(value: Decimal, unit: str) -> str | None:
    """Why ``value`` cannot be held in ``unit``, or None when it can."""
    if unit == Unit.PERCENTAGE and not (0 <= value <= 100):
        return "a percentage must be between 0 and 100"
    if unit in (Unit.RATE_PER_10000, Unit.COUNT) and value < 0:
        return f"a {Unit(unit).label.lower()} cannot be negative"
    if unit == Unit.COUNT and value != value.to_integral_value():
        return "a count must be a whole number"
    return None
