"""The rules a budget line's amounts must keep, shared by the form, the import and the model's
database constraints (which refuse the same things if anything slips past)."""

from decimal import Decimal

AMOUNTS = ("budget", "forecast", "outturn", "stated_variance")


def amount_problems(amounts: dict[str, Decimal | None]) -> list[tuple[str, str]]:
    """(field, message) for each rule the amounts break; empty when they are fine."""
    problems = []
    if all(amounts.get(name) is None for name in AMOUNTS):
        problems.append(("budget", "Enter at least one of budget, forecast, outturn or a stated variance"))
    budget = amounts.get("budget")
    worked_out = budget is not None and (
        amounts.get("forecast") is not None or amounts.get("outturn") is not None
    )
    if worked_out and amounts.get("stated_variance") is not None:
        problems.append(
            (
                "stated_variance",
                "Leave the variance blank: it is worked out from the budget and the forecast or outturn",
            )
        )
    if budget is not None and budget < 0:
        problems.append(("budget", "A budget cannot be negative"))
    return problems
