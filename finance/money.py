"""Money as board papers write it."""

from decimal import ROUND_HALF_UP, Decimal


def format_pounds(amount: Decimal | None) -> str:
    """``Decimal("-1900000")`` -> ``"−£1,900,000"``; whole pounds; ``""`` when there is none."""
    if amount is None:
        return ""
    whole = Decimal(amount).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    sign = "\u2212" if whole < 0 else ""
    return f"{sign}£{abs(whole):,.0f}"
