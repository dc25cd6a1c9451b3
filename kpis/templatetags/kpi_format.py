from decimal import Decimal

from django import template

from kpis.formatting import format_value
from kpis.months import month_key, month_label

register = template.Library()


@register.filter
def indicator_value(value: Decimal | None, indicator) -> str:
    """``{{ row.value|indicator_value:indicator }}`` -> ``85.2%``."""
    return format_value(value, indicator.unit, indicator.decimal_places)


@register.filter
def as_month(day) -> str:
    return month_label(day) if day else ""


@register.filter
def as_month_key(day) -> str:
    return month_key(day) if day else ""


@register.filter
def indicator_size(value: Decimal | None, indicator) -> str:
    """A movement or band in the indicator's terms: ``2.0 points`` for percentages, ``5`` for counts."""
    from kpis.scorecard import size_of

    return "" if value is None else size_of(value, indicator)
