"""Checks on the audit, complaints and inspection figures."""

from collections.abc import Collection
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from audits.models import AuditActivity, AuditReturn, Inspection, InspectionItem, ItemKind
from audits.report import PRINTED
from kpis.models import ReportedFigure
from kpis.visibility import in_published_months
from sct_monitor.checks import CheckResult, Finding, Months, nothing_asked, per_indicator, with_codes
from sct_monitor.periods import Period, add_months


def ratings_add_up(today: date, months: Months = None) -> CheckResult:
    result = CheckResult(
        "audit-ratings",
        "Audit ratings add up to the audits completed",
        "For each month's audits, the ratings given (Outstanding, Good, Requires improvement, Inadequate) "
        "should add up to the number completed.",
    )
    for row in AuditReturn.objects.exclude(completed=None).order_by("month", "activity"):
        rated = row.rated_total
        if rated is None:
            continue
        parts = " + ".join(
            str(getattr(row, name) or 0) for name in AuditReturn.RATING_FIELDS if getattr(row, name)
        )
        label = f"{row.get_activity_display()}, {row.month:%B %Y}"
        passed = rated == row.completed
        result.findings.append(
            Finding(
                f"{label}: {row.completed} completed, ratings add up to {rated}"
                + ("" if passed else f" ({row.completed - rated:+d})"),
                f"{row.completed} completed; ratings {parts} = {rated}",
                row.source,
                passed=passed,
                period=row.month,
            )
        )
    return result


def quarters_equal_their_months(today: date, months: Months = None) -> CheckResult:
    result = CheckResult(
        "audit-quarters",
        "Quarter totals equal their months",
        "Where a paper prints a quarter's audit totals, they should equal the sum of the quarter's months.",
    )
    printed = ReportedFigure.objects.filter(topic="Audits", label__endswith="(as printed)").exclude(
        as_at=None
    )
    returns = {(r.activity, r.month): r for r in AuditReturn.objects.all()}
    for figure in printed.order_by("as_at", "label"):
        # Which activity and count the figure prints, as the report reads it (totals only).
        activity, field = next(
            (meaning for prefix, meaning in PRINTED.items() if figure.label.startswith(prefix + ",")),
            (None, None),
        )
        if field not in ("target", "completed"):
            continue
        quarter = Period.quarter_of(figure.as_at)
        months = [returns[(activity, m)] for m in quarter.months if (activity, m) in returns]
        values = [getattr(m, field) for m in months if getattr(m, field) is not None]
        if not values:
            continue
        total = sum(values)
        passed = total == int(figure.value)
        word = "completed" if field == "completed" else "expected"
        result.findings.append(
            Finding(
                f"{AuditActivity(activity).label}, {quarter.label}: "
                f"the paper prints {int(figure.value)} {word}; "
                f"its months add up to {total}",
                f"{' + '.join(map(str, values))} = {total}, against {int(figure.value)} printed",
                figure.source,
                figure.quote,
                passed=passed,
                period=quarter.end,
            )
        )
    return result


PI_15 = "15"  # the share of case-file audits rated Requires Improvement or better


@per_indicator(only_with=with_codes(PI_15))
def pi_15_matches_the_ratings(
    today: date, months: Months = None, indicator_ids: Collection[int] | None = None
) -> CheckResult:
    result = CheckResult(
        "pi-15",
        "PI 15 matches the audit ratings",
        "PI 15 is the share of case-file audits rated Requires Improvement or better. It should equal "
        "(Outstanding + Good + Requires improvement) over the audits rated that month.",
    )
    if nothing_asked(indicator_ids):
        return result
    figures = in_published_months().filter(indicator__code=PI_15, value__isnull=False)
    if indicator_ids is not None:
        figures = figures.filter(indicator_id__in=indicator_ids)
    values = {v.month: v for v in figures}
    if not values:
        return result  # no PI 15 figure (or PI 15 not asked for): nothing to compare the ratings with
    for row in AuditReturn.objects.filter(activity=AuditActivity.CASE_FILE_AUDITS).order_by("month", "pk"):
        rated = row.rated_total
        if not rated or row.month not in values:
            continue
        good_enough = (
            (row.rated_outstanding or 0) + (row.rated_good or 0) + (row.rated_requires_improvement or 0)
        )
        share = (Decimal(good_enough) * 100 / rated).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
        stated = values[row.month].value.quantize(Decimal("0.1"))
        passed = abs(share - stated) <= Decimal("0.1")
        result.findings.append(
            Finding(
                f"{row.month:%B %Y}: PI 15 is {stated}%, the ratings give {share}%",
                f"{good_enough} of {rated} rated Requires Improvement or better = {share}%; PI 15 {stated}%",
                f"{row.source}; {values[row.month].source}",
                passed=passed,
                period=row.month,
                indicator_id=values[row.month].indicator_id,
                order=(row.month, row.pk),
            )
        )
    return result


def inspection_dates_make_sense(today: date, months: Months = None) -> CheckResult:
    result = CheckResult(
        "inspection-dates",
        "Inspection requirements fall due after the inspection",
        "A requirement's due date should come after the inspection that set it.",
    )
    items = InspectionItem.objects.filter(kind=ItemKind.REQUIREMENT, due__isnull=False).select_related(
        "inspection"
    )
    for item in items.order_by("inspection__start_date", "order"):
        inspected = item.inspection.end_date or item.inspection.start_date
        if inspected is None:
            continue
        passed = item.due >= inspected
        result.findings.append(
            Finding(
                f"{item.inspection.service_inspected} ({item.inspection.date_text}), "
                f"requirement {item.order}: "
                f"due {item.due:%-d %B %Y}" + ("" if passed else ", before the inspection itself"),
                f"inspected {inspected:%-d %B %Y}; due {item.due:%-d %B %Y}",
                item.source,
                passed=passed,
                period=item.inspection.start_date,
            )
        )
    return result


def overdue_items(today: date, months: Months = None) -> CheckResult:
    result = CheckResult(
        "inspection-overdue",
        "Inspection requirements and recommendations are met on time",
        "An open requirement or recommendation past its due date, with no evidence recorded that it is met.",
    )
    items = InspectionItem.objects.filter(kind__in=[ItemKind.REQUIREMENT, ItemKind.RECOMMENDATION])
    for item in items.select_related("inspection").filter(due__isnull=False):
        passed = not item.is_overdue(today)
        result.findings.append(
            Finding(
                f"{item.inspection.service_inspected}: {item.get_kind_display().lower()} {item.order} "
                + (
                    f"is {item.get_state_display().lower()}"
                    if passed
                    else f"was due {item.due:%-d %B %Y} and is not recorded as met"
                ),
                f"due {item.due:%-d %B %Y}; state {item.get_state_display().lower()}",
                item.source,
                passed=passed,
                period=item.due.replace(day=1),
            )
        )
    return result


def expected_inspections(today: date, months: Months = None) -> CheckResult:
    result = CheckResult(
        "inspections-expected",
        "Expected inspections took place",
        "Where a paper says an inspection or visit is coming, the service should hold one of that service "
        "within six months of when it was expected.",
    )
    held = list(Inspection.objects.filter(expected=False).exclude(start_date=None).order_by("start_date"))
    for expected in Inspection.objects.filter(expected=True).order_by("end_date"):
        by = expected.end_date or expected.start_date
        if by is None or by > today:
            continue
        service = expected.service_inspected.lower()
        later = [
            i
            for i in held
            if i.service_inspected.split(" (")[0].lower() in service
            and i.start_date >= (expected.start_date or by)
        ]
        on_time = [i for i in later if i.start_date <= add_months(by.replace(day=1), 6)]
        when = expected.date_text.replace(" (expected)", "")
        if on_time:
            text, passed = f"held, {on_time[0].date_text}", True
        else:
            text = f"the next recorded is {later[0].date_text}" if later else "no later one is recorded"
            passed = False
        result.findings.append(
            Finding(
                f"{expected.kind} of {expected.service_inspected}, expected {when}: {text}",
                "",
                expected.source,
                expected.focus,
                passed=passed,
                period=by.replace(day=1),
            )
        )
    return result


CHECKS = [
    ratings_add_up,
    quarters_equal_their_months,
    pi_15_matches_the_ratings,
    inspection_dates_make_sense,
    overdue_items,
    expected_inspections,
]
