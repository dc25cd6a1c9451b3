"""Loads the trust's published figures from the readable files in ``fixtures/``.

Every file is read in full and checked before anything is written, and the whole load runs
in one transaction, so a bad file leaves the database as it was. Errors name the file, line,
column and value.
"""

import calendar
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import pandas as pd
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from audits.models import (
    AuditActivity,
    AuditReturn,
    ComplaintsMonth,
    Inspection,
    InspectionJudgement,
    Inspectorate,
)
from finance.models import BudgetCategory, BudgetLine, FinancialYear, SpendingLine, SpendingSummary
from finance.periods import parse_financial_year_label
from finance.rules import AMOUNTS, amount_problems
from kpis.models import (
    Category,
    Comparator,
    ComparatorValue,
    DfeMapping,
    Frequency,
    Indicator,
    MonthlyReturn,
    MonthlyValue,
    Polarity,
    ReportedFigure,
    Target,
    TargetJudgement,
    Unit,
    ValueStatus,
)
from kpis.months import parse_month
from kpis.publishing import refresh_published_months
from kpis.rules import value_problem
from kpis.targets import TargetEntry, target_problems
from sct_monitor.models import NarrativeSection, ReportNarrative
from sct_monitor.periods import Period
from sct_monitor.upsert import UpsertResult
from sct_monitor.upsert import upsert as _upsert

FIXTURES_DIR = Path(settings.BASE_DIR) / "fixtures"
KPI_TABLES = ("kpi_values_2018.csv", "kpi_values_2021_22.csv")
KPI_TABLE_SOURCES = {
    "kpi_values_2018.csv": (
        "Appendix 1 Performance Dataset, Jan-19 (Quarterly Monitoring Report, January 2019)"
    ),
    "kpi_values_2021_22.csv": "Quarter 1 Performance Report 2022",
}


SEED_CHANGE_REASON = "Seed data load (load_seed_data)"


def upsert(*args, **kwargs) -> UpsertResult:
    """Every seed write is recorded in history as coming from the seed load."""
    return _upsert(*args, change_reason=SEED_CHANGE_REASON, **kwargs)


class SeedError(Exception):
    """A fixture file holds something that cannot be loaded; the message says where and why."""


@dataclass(frozen=True)
class Cell:
    file: str
    line: int
    column: str
    text: str

    def error(self, why: str) -> SeedError:
        return SeedError(f"{self.file}, line {self.line}, column {self.column}: {self.text!r}: {why}")


class Table:
    """A fixture CSV read as text, with cells that know where they came from."""

    def __init__(self, path: Path, required: list[str]):
        self.name = path.name
        if not path.exists():
            raise SeedError(f"{path}: file not found")
        self.frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
        missing = [column for column in required if column not in self.frame.columns]
        if missing:
            raise SeedError(f"{self.name}, line 1: missing column(s) {', '.join(missing)}")

    def rows(self) -> Iterator[Callable[[str], Cell]]:
        for index, record in enumerate(self.frame.to_dict("records")):
            line = index + 2  # line 1 is the header

            def cell(column: str, record=record, line=line) -> Cell:
                return Cell(self.name, line, column, record[column].strip())

            yield cell


def as_decimal(cell: Cell, blank: bool = False) -> Decimal | None:
    if cell.text == "":
        if blank:
            return None
        raise cell.error("a number is required")
    try:
        return Decimal(cell.text.replace(",", ""))
    except InvalidOperation:
        raise cell.error("not a number") from None


def as_int(cell: Cell, blank: bool = False) -> int | None:
    number = as_decimal(cell, blank)
    if number is None:
        return None
    if number != number.to_integral_value():
        raise cell.error("not a whole number")
    return int(number)


def as_value(cell: Cell, unit: str, blank: bool = False) -> Decimal | None:
    """A number that must also fit the indicator's unit (percentages 0-100 and so on)."""
    value = as_decimal(cell, blank)
    if value is not None and (problem := value_problem(value, unit)):
        raise cell.error(problem)
    return value


def as_month(cell: Cell) -> date:
    try:
        return parse_month(cell.text)
    except ValueError as exc:
        raise cell.error(str(exc)) from None


def as_date(cell: Cell, blank: bool = False) -> date | None:
    if cell.text == "" and blank:
        return None
    try:
        return date.fromisoformat(cell.text)
    except ValueError:
        raise cell.error("not a date in the form YYYY-MM-DD") from None


def as_choice(cell: Cell, choices: type) -> str:
    if cell.text not in choices.values:
        raise cell.error(f"not one of {', '.join(choices.values)}")
    return cell.text


def as_bool(cell: Cell) -> bool:
    if cell.text.lower() not in {"true", "false"}:
        raise cell.error("must be true or false")
    return cell.text.lower() == "true"


def as_financial_year(cell: Cell) -> int:
    try:
        return parse_financial_year_label(cell.text)
    except ValueError as exc:
        raise cell.error(str(exc)) from None


def month_end(month: date) -> date:
    return month.replace(day=calendar.monthrange(month.year, month.month)[1])


class SeedLoader:
    def __init__(self, directory: Path = FIXTURES_DIR):
        self.directory = directory
        self.results: dict[str, UpsertResult] = {}

    def table(self, name: str, required: list[str]) -> Table:
        return Table(self.directory / name, required)

    def indicator_for(self, cell: Cell, indicators: dict[str, Indicator]) -> Indicator:
        if cell.text not in indicators:
            raise cell.error("no such indicator in indicators.csv")
        return indicators[cell.text]

    @transaction.atomic
    def load(self) -> dict[str, UpsertResult]:
        indicators = self.load_indicators()
        self.load_kpi_values(indicators)
        self.load_comparators(indicators)
        self.load_dfe_mappings(indicators)
        self.load_targets(indicators)
        self.load_reported_figures(indicators)
        self.load_audits()
        self.load_complaints()
        self.load_inspections()
        self.load_finance()
        self.load_narratives()
        self.load_assurance(indicators)
        self.publish_loaded_months()
        return self.results

    def commentary_figures(self, indicators: dict[str, Indicator]) -> list[dict[str, Any]]:
        """Figures the papers' commentary states for a month, kept to be checked against the table."""
        rows = []
        for cell in self.table(
            "commentary_figures.csv", ["indicator_code", "month", "stated", "quote", "source"]
        ).rows():
            indicator = self.indicator_for(cell("indicator_code"), indicators)
            month = as_month(cell("month"))
            rows.append(
                {
                    "topic": "Commentary",
                    "label": f"{indicator.code} as the commentary states it",
                    "value": as_value(cell("stated"), indicator.unit),
                    "unit": indicator.unit,
                    "period": f"{month:%B %Y}",
                    "as_at": month_end(month),
                    "indicator_id": indicator.pk,
                    "source": cell("source").text,
                    "quote": cell("quote").text,
                    "series": "commentary",
                }
            )
        return rows

    def load_assurance(self, indicators: dict[str, Indicator]) -> None:
        """Audit findings, complaints detail, inspection items, plans, risks, surveys, improvement plans."""
        from audits.seed import load_assurance
        from kpis.improvement_seed import load_improvement_plans

        load_assurance(self, self.inspections, indicators)
        load_improvement_plans(self, indicators)

    def publish_loaded_months(self) -> None:
        """Freeze what the board sees for every published month whose figures are new or changed.

        The papers' months are published once, with the judgement of the day; a later change to a
        fixture is published as a revision whose reason is the seed load, never silently.
        """
        months = MonthlyReturn.objects.filter(status=ValueStatus.PUBLISHED).values_list("month", flat=True)
        publications = refresh_published_months(list(months), None, SEED_CHANGE_REASON, timezone.now())
        self.results["publications"] = UpsertResult(
            created=sum(1 for p in publications if p.revision == 1),
            updated=sum(1 for p in publications if p.revision > 1),
            unchanged=len(months) - len(publications),
        )

    def load_indicators(self) -> dict[str, Indicator]:
        columns = [
            "code",
            "title",
            "definition",
            "service_area",
            "category",
            "frequency",
            "polarity",
            "unit",
            "decimal_places",
            "display_order",
            "active",
            "notes",
        ]
        rows = []
        for cell in self.table("indicators.csv", columns).rows():
            if cell("code").text == "":
                raise cell("code").error("an indicator code is required")
            rows.append(
                {
                    "code": cell("code").text,
                    "title": cell("title").text,
                    "definition": cell("definition").text,
                    "service_area": cell("service_area").text,
                    "category": as_choice(cell("category"), Category),
                    "frequency": as_choice(cell("frequency"), Frequency),
                    "polarity": as_choice(cell("polarity"), Polarity),
                    "unit": as_choice(cell("unit"), Unit),
                    "decimal_places": as_int(cell("decimal_places")),
                    "display_order": as_int(cell("display_order")),
                    "active": as_bool(cell("active")),
                    "notes": cell("notes").text,
                }
            )
        result = upsert(Indicator, ["code"], rows)
        self.results["indicators"] = result
        return {key[0]: obj for key, obj in result.objects.items()}

    def load_kpi_values(self, indicators: dict[str, Indicator]) -> None:
        rows: list[dict[str, Any]] = []
        for name in KPI_TABLES:
            table = self.table(name, ["indicator_code"])
            month_columns = [column for column in table.frame.columns if column != "indicator_code"]
            months = {column: as_month(Cell(name, 1, column, column)) for column in month_columns}
            for cell in table.rows():
                indicator = self.indicator_for(cell("indicator_code"), indicators)
                for column in month_columns:
                    value = as_value(cell(column), indicator.unit, blank=True)
                    if value is None:
                        continue  # the seed tables have no gaps; a blank cell is simply not loaded
                    rows.append(self.value_row(indicator, months[column], value, KPI_TABLE_SOURCES[name]))
        for cell in self.table(
            "kpi_values_other.csv", ["indicator_code", "month", "value", "source", "quote"]
        ).rows():
            indicator = self.indicator_for(cell("indicator_code"), indicators)
            source = f"{cell('source').text}: \u201c{cell('quote').text}\u201d"
            value = as_value(cell("value"), indicator.unit)
            rows.append(self.value_row(indicator, as_month(cell("month")), value, source))
        self.add_commentary(rows, indicators)
        # A month reopened for a correction is the administrators' to finish: the load leaves it alone.
        correcting = set(
            MonthlyReturn.objects.exclude(status=ValueStatus.PUBLISHED).values_list("month", flat=True)
        )
        rows = [row for row in rows if row["month"] not in correcting]
        self.results["monthly values"] = upsert(MonthlyValue, ["indicator_id", "month"], rows)
        # Each month the papers report is a published return, locked like any other.
        months = sorted({row["month"] for row in rows})
        self.results["monthly returns"] = upsert(
            MonthlyReturn, ["month"], [{"month": m, "status": ValueStatus.PUBLISHED} for m in months]
        )

    def add_commentary(self, rows: list[dict[str, Any]], indicators: dict[str, Indicator]) -> None:
        """The papers' commentary on each indicator's month (the Q3 2018-19 performance summary)."""
        by_key = {(row["indicator_id"], row["month"]): row for row in rows}
        for cell in self.table(
            "kpi_commentary.csv", ["indicator_code", "month", "commentary", "source"]
        ).rows():
            indicator = self.indicator_for(cell("indicator_code"), indicators)
            row = by_key.get((indicator.pk, as_month(cell("month"))))
            if row is None:
                raise cell("month").error(f"{indicator.code} has no value for this month to comment on")
            if not cell("commentary").text:
                raise cell("commentary").error("the commentary is empty")
            row["commentary"] = cell("commentary").text

    def load_narratives(self) -> None:
        """What the papers say in each section of a period's report, with their source."""
        rows = []
        for cell in self.table("report_narratives.csv", ["period", "section", "text", "source"]).rows():
            try:
                period = Period.from_key(cell("period").text)
            except ValueError as exc:
                raise cell("period").error(str(exc)) from None
            if period.kind == "year":
                raise cell("period").error("a report narrative is for a month or a quarter")
            rows.append(
                {
                    "period": period.key,
                    "section": as_choice(cell("section"), NarrativeSection),
                    "text": cell("text").text,
                    "source": cell("source").text,
                }
            )
        self.results["report narratives"] = upsert(ReportNarrative, ["period", "section"], rows)

    @staticmethod
    def value_row(indicator: Indicator, month: date, value: Decimal, source: str) -> dict[str, Any]:
        return {
            "indicator_id": indicator.pk,
            "month": month,
            "value": value,
            "missing_reason": "",
            "unit": indicator.unit,
            "status": ValueStatus.PUBLISHED,
            "source": source[:300],
        }

    def load_comparators(self, indicators: dict[str, Indicator]) -> None:
        columns = [
            "indicator_code",
            "comparator",
            "comparator_name",
            "period_start",
            "period_end",
            "value",
            "source",
            "notes",
        ]
        rows = []
        for cell in self.table("comparators.csv", columns).rows():
            indicator = self.indicator_for(cell("indicator_code"), indicators)
            rows.append(
                {
                    "indicator_id": indicator.pk,
                    "comparator": as_choice(cell("comparator"), Comparator),
                    "comparator_name": cell("comparator_name").text,
                    "period_start": as_month(cell("period_start")),
                    "period_end": month_end(as_month(cell("period_end"))),
                    "value": as_value(cell("value"), indicator.unit),
                    "unit": indicator.unit,
                    "source": cell("source").text,
                    "notes": cell("notes").text,
                }
            )
        key = ["indicator_id", "comparator", "comparator_name", "period_start", "period_end"]
        self.results["comparators"] = upsert(ComparatorValue, key, rows)

    def load_dfe_mappings(self, indicators: dict[str, Indicator]) -> None:
        """The DfE mappings, read by the same rules as the dfe-mappings import and the mappings page."""
        from kpis.dfe_imports import parse_dfe_mappings
        from sct_monitor.importing.kinds import Parsed
        from sct_monitor.importing.reading import read_table

        path = self.directory / "dfe_mappings.csv"
        parsed = Parsed()
        parse_dfe_mappings(
            read_table(path.name, path.read_bytes()),
            {"indicators": indicators},
            parsed,
            lambda done, total: None,
        )
        if parsed.problems:
            problem = parsed.problems[0]
            raise SeedError(f"{path.name}, line {problem.line}, column {problem.column}: {problem.message}")
        (planned,) = parsed.planned
        self.results["DfE mappings"] = upsert(DfeMapping, planned.key_fields, planned.rows)

    def load_targets(self, indicators: dict[str, Indicator]) -> None:
        columns = [
            "indicator_code",
            "financial_year",
            "target",
            "target_to",
            "amber_tolerance",
            "judged",
            "due",
            "statement",
            "source",
        ]
        rows = []
        for cell in self.table("targets.csv", columns).rows():
            indicator = self.indicator_for(cell("indicator_code"), indicators)
            year = as_financial_year(cell("financial_year"))
            entry = TargetEntry(
                as_decimal(cell("target")),
                as_decimal(cell("target_to"), blank=True),
                as_decimal(cell("amber_tolerance")),
                as_choice(cell("judged"), TargetJudgement),
                as_date(cell("due"), blank=True),
            )
            for name, message in target_problems(indicator, year, entry):
                column = {"to": "target_to", "tolerance": "amber_tolerance"}.get(name, name)
                raise cell(column).error(message)
            rows.append(
                {
                    "indicator_id": indicator.pk,
                    "financial_year": year,
                    "value": entry.value,
                    "value_to": entry.value_to,
                    "amber_tolerance": entry.amber_tolerance,
                    "judged": entry.judged,
                    "due": entry.due,
                    "statement": cell("statement").text,
                    "source": cell("source").text,
                }
            )
        self.results["targets"] = upsert(Target, ["indicator_id", "financial_year"], rows)

    def load_reported_figures(self, indicators: dict[str, Indicator]) -> None:
        columns = [
            "topic",
            "label",
            "value",
            "unit",
            "period",
            "as_at",
            "indicator_code",
            "source",
            "quote",
            "series",
        ]
        rows = []
        for cell in self.table("reported_figures.csv", columns).rows():
            code = cell("indicator_code")
            rows.append(
                {
                    "topic": cell("topic").text,
                    "label": cell("label").text,
                    "value": as_decimal(cell("value")),
                    "unit": as_choice(cell("unit"), Unit),
                    "period": cell("period").text,
                    "as_at": as_date(cell("as_at"), blank=True),
                    "indicator_id": self.indicator_for(code, indicators).pk if code.text else None,
                    "source": cell("source").text,
                    "quote": cell("quote").text,
                    "series": cell("series").text,
                }
            )
        rows += self.commentary_figures(indicators)
        self.results["reported figures"] = upsert(ReportedFigure, ["label", "period", "source"], rows)

    def load_audits(self) -> None:
        counts = [
            "target",
            "completed",
            "rated_outstanding",
            "rated_good",
            "rated_requires_improvement",
            "rated_inadequate",
            "moderation_agreed",
            "moderation_upgraded",
            "moderation_downgraded",
        ]
        rows = []
        for cell in self.table(
            "audit_returns.csv", ["month", "activity", *counts, "theme", "source", "notes"]
        ).rows():
            row = {name: as_int(cell(name), blank=True) for name in counts}
            for name in counts:
                if row[name] is not None and row[name] < 0:
                    raise cell(name).error("a count cannot be negative")
            row.update(
                month=as_month(cell("month")),
                activity=as_choice(cell("activity"), AuditActivity),
                theme=cell("theme").text,
                source=cell("source").text,
                notes=cell("notes").text,
            )
            rows.append(row)
        self.results["audit returns"] = upsert(AuditReturn, ["month", "activity"], rows)

    def load_complaints(self) -> None:
        columns = [
            "month",
            "compliments_received",
            "complaints_received",
            "percent_responded_in_timescale",
            "source",
        ]
        rows = []
        for cell in self.table("complaints.csv", columns).rows():
            rows.append(
                {
                    "month": as_month(cell("month")),
                    "compliments_received": as_int(cell("compliments_received")),
                    "complaints_received": as_int(cell("complaints_received")),
                    "percent_responded_in_timescale": as_decimal(
                        cell("percent_responded_in_timescale"), blank=True
                    ),
                    "source": cell("source").text,
                }
            )
        self.results["complaints"] = upsert(ComplaintsMonth, ["month"], rows)

    def load_inspections(self) -> None:
        columns = [
            "key",
            "inspectorate",
            "service_inspected",
            "kind",
            "start_date",
            "end_date",
            "date_text",
            "published_date",
            "overall_judgement",
            "focus",
            "source",
            "expected",
        ]
        rows, keys = [], {}
        for cell in self.table("inspections.csv", columns).rows():
            row = {
                "inspectorate": as_choice(cell("inspectorate"), Inspectorate),
                "service_inspected": cell("service_inspected").text,
                "kind": cell("kind").text,
                "start_date": as_date(cell("start_date"), blank=True),
                "end_date": as_date(cell("end_date"), blank=True),
                "date_text": cell("date_text").text,
                "published_date": as_date(cell("published_date"), blank=True),
                "overall_judgement": cell("overall_judgement").text,
                "focus": cell("focus").text,
                "source": cell("source").text,
                "expected": as_bool(cell("expected")),
            }
            natural_key = (row["inspectorate"], row["service_inspected"], row["kind"], row["date_text"])
            keys[cell("key").text] = natural_key
            rows.append(row)
        key_fields = ["inspectorate", "service_inspected", "kind", "date_text"]
        result = upsert(Inspection, key_fields, rows)
        self.results["inspections"] = result
        judgements = []
        for cell in self.table(
            "inspection_judgements.csv", ["inspection_key", "order", "area", "judgement"]
        ).rows():
            key = cell("inspection_key")
            if key.text not in keys:
                raise key.error("no such inspection key in inspections.csv")
            judgements.append(
                {
                    "inspection_id": result.objects[keys[key.text]].pk,
                    "area": cell("area").text,
                    "judgement": cell("judgement").text,
                    "order": as_int(cell("order")),
                }
            )
        self.results["inspection judgements"] = upsert(
            InspectionJudgement, ["inspection_id", "area"], judgements
        )
        self.inspections = {key: result.objects[natural] for key, natural in keys.items()}

    def financial_years(self, labels: list[Cell]) -> dict[int, FinancialYear]:
        starts = sorted({as_financial_year(cell) for cell in labels})
        result = upsert(FinancialYear, ["start_year"], [{"start_year": year} for year in starts])
        self.results["financial years"] = result
        return {key[0]: obj for key, obj in result.objects.items()}

    def load_finance(self) -> None:
        line_columns = [
            "financial_year",
            "period",
            "category",
            "description",
            "budget",
            "forecast",
            "outturn",
            "stated_variance",
            "source",
            "notes",
        ]
        spend_columns = [
            "summary",
            "financial_year",
            "period",
            "order",
            "category",
            "label",
            "amount_gbp_thousands",
            "is_total",
            "source",
        ]
        line_cells = list(self.table("budget_lines.csv", line_columns).rows())
        spend_cells = list(self.table("spending_summaries.csv", spend_columns).rows())
        years = self.financial_years([c("financial_year") for c in line_cells + spend_cells])
        # Fold in years already held, so that upsert's read-back of all years keeps its keys.
        years.update({y.start_year: y for y in FinancialYear.objects.all()})

        lines = []
        for cell in line_cells:
            amounts = {name: as_decimal(cell(name), blank=True) for name in AMOUNTS}
            problems = amount_problems(amounts)
            if problems:
                field, message = problems[0]
                raise cell(field).error(message[0].lower() + message[1:])
            lines.append(
                {
                    "financial_year_id": years[as_financial_year(cell("financial_year"))].pk,
                    "period": cell("period").text,
                    "category": as_choice(cell("category"), BudgetCategory),
                    "description": cell("description").text,
                    **amounts,
                    "source": cell("source").text,
                    "notes": cell("notes").text,
                }
            )
        key = ["financial_year_id", "period", "category", "description"]
        self.results["budget lines"] = upsert(BudgetLine, key, lines)

        summaries = {}
        for cell in spend_cells:
            summaries.setdefault(cell("summary").text, cell("source").text)
        summary_result = upsert(
            SpendingSummary, ["name"], [{"name": n, "source": s} for n, s in summaries.items()]
        )
        self.results["spending summaries"] = summary_result
        spending = []
        for cell in spend_cells:
            thousands = as_decimal(cell("amount_gbp_thousands"))
            spending.append(
                {
                    "summary_id": summary_result.objects[(cell("summary").text,)].pk,
                    "financial_year_id": years[as_financial_year(cell("financial_year"))].pk,
                    "period": cell("period").text,
                    "order": as_int(cell("order")),
                    "category": as_choice(cell("category"), BudgetCategory),
                    "label": cell("label").text,
                    "amount": thousands * 1000,  # the source table is in £'000
                    "is_total": as_bool(cell("is_total")),
                }
            )
        key = ["summary_id", "financial_year_id", "period", "label"]
        self.results["spending lines"] = upsert(SpendingLine, key, spending)
