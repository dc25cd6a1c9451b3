"""Where every month's return stands, and what needs doing next: for the returns list and the overview."""

from dataclasses import dataclass, field
from datetime import date

from django.db.models import Min

from finance.periods import financial_year_label, financial_year_start
from kpis.models import MonthlyReturn, MonthlyValue, ValueStatus
from kpis.months import month_label
from kpis.scorecard import add_months


@dataclass(frozen=True)
class MonthState:
    month: date
    record: MonthlyReturn | None

    @property
    def label(self) -> str:
        return self.record.state_label if self.record else "Not started"

    @property
    def tag(self) -> str:
        """The GOV.UK tag colour for the state; the word is always shown with it."""
        if self.record is None:
            return "govuk-tag--grey"
        if self.record.is_reopened:
            return "govuk-tag--orange"
        return {
            ValueStatus.PUBLISHED: "govuk-tag--green",
            ValueStatus.SUBMITTED: "govuk-tag--blue",
        }.get(self.record.status, "govuk-tag--yellow")

    @property
    def last_action(self) -> str:
        record = self.record
        if record is None:
            return ""
        if record.updated_at is None:
            return "Loaded from the trust's board reports" if record.published_revision else ""
        who = record.updated_by.get_username() if record.updated_by else "the system"
        return f"{who}, {record.updated_at:%-d %B %Y}"


@dataclass
class FinancialYearStates:
    start_year: int
    months: list[MonthState] = field(default_factory=list)

    @property
    def label(self) -> str:
        return financial_year_label(self.start_year)


def month_states(today: date) -> list[FinancialYearStates]:
    """Every month from the first with data to the current one, latest first, by financial year."""
    records = {r.month: r for r in MonthlyReturn.objects.select_related("updated_by")}
    first_value = MonthlyValue.objects.aggregate(first=Min("month"))["first"]
    current = today.replace(day=1)
    starts = [m for m in (first_value, min(records, default=None)) if m is not None]
    if not starts:
        return []
    month, last = min(starts), max(current, max(records, default=current))
    years: dict[int, FinancialYearStates] = {}
    while month <= last:
        year = financial_year_start(month)
        years.setdefault(year, FinancialYearStates(year)).months.append(MonthState(month, records.get(month)))
        month = add_months(month, 1)
    for states in years.values():
        states.months.reverse()
    return [years[year] for year in sorted(years, reverse=True)]


@dataclass
class WorkToDo:
    not_started: list[date] = field(default_factory=list)
    drafts: list[MonthlyReturn] = field(default_factory=list)
    awaiting_publication: list[MonthlyReturn] = field(default_factory=list)
    reopened: list[MonthlyReturn] = field(default_factory=list)

    @property
    def anything(self) -> bool:
        return bool(self.not_started or self.drafts or self.awaiting_publication or self.reopened)

    @property
    def not_started_text(self) -> str:
        months = self.not_started
        if not months:
            return ""
        if len(months) == 1:
            return month_label(months[0])
        oldest, latest = month_label(months[0]), month_label(months[-1])
        return f"{len(months)} months, the oldest {oldest} and the latest {latest}"


def work_to_do(today: date) -> WorkToDo:
    """Months not started since the latest return, drafts, returns awaiting publication, reopened months."""
    todo = WorkToDo()
    records = list(MonthlyReturn.objects.select_related("updated_by").order_by("month"))
    for record in records:
        if record.is_reopened:
            todo.reopened.append(record)
        elif record.status == ValueStatus.SUBMITTED:
            todo.awaiting_publication.append(record)
        elif record.status == ValueStatus.DRAFT:
            todo.drafts.append(record)
    # A month's return is due once the month has ended; every month since the first return
    # without one is a gap in the record.
    last_due = add_months(today.replace(day=1), -1)
    held = {record.month for record in records}
    month = records[0].month if records else last_due
    while month <= last_due:
        if month not in held:
            todo.not_started.append(month)
        month = add_months(month, 1)
    return todo
