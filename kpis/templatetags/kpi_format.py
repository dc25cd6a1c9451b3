from decimal import Decimal

from django import template
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe

from kpis.formatting import format_value
from kpis.months import month_key, month_label
from sct_monitor.late_markup import late

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


@register.simple_tag
def month_options(coverage, current) -> str:
    """The scorecard's choice of month, an option a covered month, built as one string (a
    template loop over ten years of months was a good part of the page)."""
    chosen = current.month if current else None
    return late(
        mark_safe(
            "".join(
                f'\n        <option value="{conditional_escape(option.key)}"'
                + (" selected" if option.month == chosen else "")
                + f">{conditional_escape(option.label)}</option>\n      "
                for option in coverage
            )
        )
    )
