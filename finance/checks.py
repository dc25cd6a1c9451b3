"""Checks on the finance figures: two papers stating different sums for the same thing."""

from collections import defaultdict
from datetime import date

from django.db.models import Q

from finance.models import BudgetLine
from finance.money import format_pounds
from finance.periods import financial_year_bounds
from sct_monitor.checks import CheckResult, Finding, Months


def overspend_figures_agree(today: date, months: Months = None) -> CheckResult:
    result = CheckResult(
        "finance-overspend",
        "The papers agree on a year's overspend",
        "Where papers state a year's budget pressure or overspend more than once, the figures should agree. "
        "Both are kept, each with its source.",
    )
    stated = defaultdict(list)
    lines = BudgetLine.objects.filter(
        Q(description__icontains="overspend") | Q(description__icontains="pressure"), stated_variance__gt=0
    ).select_related("financial_year")
    for line in lines:
        stated[line.financial_year].append(line)
    for year, group in sorted(stated.items(), key=lambda item: item[0].start_year):
        if len(group) < 2:
            continue  # one figure has nothing to disagree with
        amounts = {line.stated_variance for line in group}
        figures = "; ".join(
            f"{line.description}: {format_pounds(line.stated_variance)} ({line.source})" for line in group
        )
        passed = len(amounts) == 1
        result.findings.append(
            Finding(
                f"{year.label}: "
                + ("the papers agree" if passed else f"{len(group)} figures for the overspend differ"),
                figures,
                "; ".join(line.source for line in group),
                passed=passed,
                period=financial_year_bounds(year.start_year)[0],
                until=financial_year_bounds(year.start_year)[1],
            )
        )
    return result


CHECKS = [overspend_figures_agree]
