"""Data-quality checks the board can read: each check, its result, and the figures and sources behind it.

Each app owns its checks (``audits.checks``, ``kpis.checks``, ``finance.checks``); this module runs
them and gives them one shape. A check never changes data: it reads, compares and says.
"""

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from datetime import date
from operator import attrgetter

from sct_monitor.periods import add_months
from sct_monitor.table_memo import remembered, remembered_per_indicator


@dataclass(frozen=True)
class Finding:
    """One thing a check found: what disagrees (or agrees), the figures, and where they come from."""

    text: str
    figures: str = ""  # "53 completed; ratings 9 + 23 + 20 = 52"
    sources: str = ""
    quote: str = ""
    passed: bool = False
    period: date | None = None  # the month it concerns, so a report can show its period's findings
    until: date | None = None  # the last month, for a finding about a span such as a financial year
    # A check run per indicator (``per_indicator``) says whose each finding is, and where it comes
    # in the check's order, so that findings made at different times are listed as one run's.
    indicator_id: int | None = None
    order: tuple = ()


@dataclass
class CheckResult:
    slug: str
    title: str
    description: str
    findings: list[Finding] = field(default_factory=list)

    @property
    def failures(self) -> list[Finding]:
        return [finding for finding in self.findings if not finding.passed]

    @property
    def passes(self) -> list[Finding]:
        return [finding for finding in self.findings if finding.passed]

    @property
    def status(self) -> str:
        if not self.findings:
            return "Nothing to check"
        return "Problems found" if self.failures else "Passed"

    @property
    def tag(self) -> str:
        return {"Problems found": "govuk-tag--red", "Passed": "govuk-tag--green"}.get(
            self.status, "govuk-tag--grey"
        )


# A check is called with today's date and, for a period's report, the months the report is about:
# a check whose findings each concern one month may then leave out the others, which the report
# would drop anyway (findings_for_months); the checks page asks for every month (None).
Months = Collection[date] | None
Check = Callable[[date, Months], CheckResult]


def all_checks() -> list[Check]:
    from audits.checks import CHECKS as AUDIT_CHECKS
    from finance.checks import CHECKS as FINANCE_CHECKS
    from kpis.checks import CHECKS as KPI_CHECKS

    return [*AUDIT_CHECKS, *KPI_CHECKS, *FINANCE_CHECKS]


# Given a report's indicators (each code by id), the ids of the only ones a check can find
# anything about (``per_indicator(only_with=...)``).
IndicatorChoice = Callable[[Mapping[int, str]], Collection[int]]


def per_indicator(check: Check | None = None, *, only_with: IndicatorChoice | None = None) -> Check:
    """Marks a check that can be run for some indicators only: it takes ``indicator_ids`` (None for
    all; none at all, ``()``, for its title and description without reading anything), reads only
    those indicators' rows, and gives each finding its ``indicator_id`` and ``order``.
    ``only_with``: chooses the only indicators it can find anything about (``with_codes``,
    ``with_rows_in``), so that a report asks it about those alone and a write to any other
    indicator reads nothing for it."""
    if check is None:
        return lambda check: per_indicator(check, only_with=only_with)
    check.per_indicator = True
    check.only_with = only_with
    return check


def with_codes(*codes: str) -> IndicatorChoice:
    """The indicators with these codes (PI 15's check): known from the report's own list."""
    wanted = frozenset(codes)
    return lambda indicators: frozenset(pk for pk, code in indicators.items() if code in wanted)


def with_rows_in(ids: Callable[[], frozenset[int]]) -> IndicatorChoice:
    """The indicators ``ids()`` gives: those with rows in a table of their own (a paper's
    comparators, say), read by a remembered call while the table is unchanged."""
    return lambda indicators: ids()


def nothing_asked(indicator_ids: Collection[int] | None) -> bool:
    """Whether a per-indicator check was asked for no indicator at all (its title only)."""
    return indicator_ids is not None and not indicator_ids


def run_checks(
    today: date, months: Months = None, indicators: Mapping[int, str] | None = None
) -> list[CheckResult]:
    """Every check's result. Given ``indicators`` (every indicator's code by id), the checks that
    run per indicator keep each indicator's findings apart, so that a write to one indicator's rows
    has only its findings looked for again, and a check about some indicators only is asked about
    those alone."""
    asked = None if months is None else tuple(sorted(set(months)))
    return [
        checked_per_indicator(check, today, asked, indicators)
        if indicators is not None and getattr(check, "per_indicator", False)
        else checked(check, today, asked)
        for check in all_checks()
    ]


def checked_per_indicator(
    check: Check, today: date, months: tuple[date, ...] | None, indicators: Mapping[int, str]
) -> CheckResult:
    """One check's result put together from each indicator's findings, in the check's own order."""
    choose = getattr(check, "only_with", None)
    chosen = indicators if choose is None else [pk for pk in choose(indicators) if pk in indicators]
    asked = tuple(sorted(chosen))
    found = indicator_findings(asked, check, today, months)
    result = check(today, months, indicator_ids=())
    result.findings = sorted((finding for own in found.values() for finding in own), key=attrgetter("order"))
    return result


@remembered_per_indicator
def indicator_findings(
    indicator_ids: tuple[int, ...], check: Check, today: date, months: tuple[date, ...] | None
) -> dict[int, tuple[Finding, ...]]:
    """Each indicator's findings of ``check``, remembered while its rows (and the other tables the
    check read) are unchanged."""
    found: dict[int, list[Finding]] = {indicator_id: [] for indicator_id in indicator_ids}
    for finding in check(today, months, indicator_ids=indicator_ids).findings:
        found[finding.indicator_id].append(finding)
    return {indicator_id: tuple(own) for indicator_id, own in found.items()}


@remembered
def checked(check: Check, today: date, months: tuple[date, ...] | None) -> CheckResult:
    """One check's result, kept while the tables it read are unchanged: after a write, only the
    checks that read the written table run again. Its result is shared; no caller changes it."""
    return check(today, months)


def findings_for_months(results: list[CheckResult], months: list[date]) -> list[tuple[CheckResult, Finding]]:
    """The failed findings that concern any of ``months`` (for a period's report)."""
    wanted = {month.replace(day=1) for month in months}
    return [
        (result, finding)
        for result in results
        for finding in result.failures
        if finding.period is not None and concerns_any(finding, wanted)
    ]


def concerns_any(finding: Finding, wanted: set[date]) -> bool:
    """Whether any of the ``wanted`` months (each its first day) is one ``months_of(finding)``
    gives: one within the finding's span, so without listing the span's months."""
    first = finding.period.replace(day=1)
    last = (finding.until or first).replace(day=1)
    return any(first <= month <= last for month in wanted)


def months_of(finding: Finding) -> list[date]:
    """The months a finding concerns: its month, or each month of its span."""
    months, month = [], finding.period.replace(day=1)
    last = (finding.until or month).replace(day=1)
    while month <= last:
        months.append(month)
        month = add_months(month, 1)
    return months


def report_sections(report) -> list:
    """The report's data-quality section: the failed checks that concern the period's months."""
    from django.utils import timezone

    from sct_monitor.reporting import ExportTable, Section

    months = report.period.months
    codes = {pk: code for pk, code, *_ in report.indicators_listed}
    found = findings_for_months(run_checks(timezone.localdate(), months, codes), months)
    table = ExportTable(
        "data-quality",
        f"Data-quality checks that failed for {report.period.label}",
        ["Check", "Finding", "Figures", "Sources"],
        [[result.title, finding.text, finding.figures, finding.sources] for result, finding in found],
    )
    return [
        Section("", "data_quality", "Data quality", "reports/section_checks.html", {"found": found}, [table])
    ]
