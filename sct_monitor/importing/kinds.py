"""The kinds of file an administrator can import, each turned into rows for the models.

Each kind names its columns (matched case- and space-insensitively, with the aliases people
use) and parses every line into a row, or an error naming the line, column and value.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation

from django.db import models

from audits.models import AuditActivity, AuditReturn, ComplaintsMonth
from finance.models import BudgetCategory, BudgetLine, FinancialYear
from finance.periods import financial_year_bounds, parse_financial_year_label
from finance.rules import AMOUNTS, amount_problems
from kpis.models import Comparator, ComparatorValue, Indicator, MissingReason, MonthlyValue
from kpis.months import parse_month
from kpis.rules import value_problem
from kpis.scorecard import last_day
from sct_monitor.csv_safety import restore_text_cell
from sct_monitor.importing.reading import RawTable, normalise_header

MISSING = {"", "n/a", "na", "no available comparator data", "-", "–"}


@dataclass(frozen=True)
class Problem:
    line: int
    column: str
    value: str
    message: str

    def __str__(self) -> str:
        where = f"line {self.line}" + (f", column {self.column}" if self.column else "")
        value = f" {self.value!r}:" if self.value else ""
        return f"{where}:{value} {self.message}"


@dataclass
class Planned:
    """Rows for one model, keyed, with the line each came from."""

    model: type[models.Model]
    key_fields: list[str]
    rows: list[dict] = field(default_factory=list)
    lines: list[int] = field(default_factory=list)


@dataclass
class Parsed:
    planned: list[Planned] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    rows_read: int = 0
    notes: list[str] = field(default_factory=list)
    # Not errors, but what an administrator must know: a mapped column the file lacks, an
    # authority missing from a newer file, figures that could not be derived.
    warnings: list[str] = field(default_factory=list)

    def add(self, planned: Planned, line: int, row: dict) -> None:
        planned.rows.append(row)
        planned.lines.append(line)


class Fail(Exception):
    def __init__(self, column: str, value: str, message: str):
        self.column, self.value, self.message = column, value, message


def number(column: str, text: str, blank: bool = False) -> Decimal | None:
    cleaned = text.strip().replace(",", "").replace("£", "").removesuffix("%").strip()
    if cleaned.lower() in MISSING:
        if blank:
            return None
        raise Fail(column, text, "a number is required")
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        raise Fail(column, text, "not a number") from None
    if not value.is_finite():
        raise Fail(column, text, "not a number")
    return value


def whole(column: str, text: str, blank: bool = False) -> int | None:
    value = number(column, text, blank)
    if value is None:
        return None
    if value != value.to_integral_value() or value < 0:
        raise Fail(column, text, "must be a whole number, not negative")
    return int(value)


def month(column: str, text: str) -> date:
    try:
        return parse_month(text)
    except ValueError:
        raise Fail(column, text, "not a month such as 2022-06, Jun-22 or June - 22") from None


def choice(column: str, text: str, choices: type[models.TextChoices]) -> str:
    wanted = normalise_header(text)
    for value, label in choices.choices:
        if wanted in (value, normalise_header(label)):
            return value
    raise Fail(column, text, f"not one of {', '.join(choices.values)}")


class Columns:
    """Finds each wanted column in a header row by its names, case- and space-insensitively."""

    def __init__(self, header: list[str], wanted: dict[str, tuple[str, ...]], required: set[str]):
        normalised = [normalise_header(cell) for cell in header]
        self.index: dict[str, int] = {}
        for name, aliases in wanted.items():
            for alias in (name, *aliases):
                if alias in normalised:
                    self.index[name] = normalised.index(alias)
                    break
        self.missing = sorted(required - set(self.index))

    def get(self, cells: list[str], name: str) -> str:
        position = self.index.get(name)
        return cells[position].strip() if position is not None and position < len(cells) else ""


def table_rows(table: RawTable, parsed: Parsed, wanted, required) -> tuple[Columns, list]:
    if not table.lines:
        parsed.problems.append(Problem(1, "", "", "the file is empty"))
        return Columns([], wanted, required), []
    header_line, header = table.lines[0]
    columns = Columns(header, wanted, required)
    if columns.missing:
        parsed.problems.append(
            Problem(
                header_line,
                "",
                "",
                f"missing column(s): {', '.join(columns.missing)} (found: {', '.join(header)})",
            )
        )
        return columns, []
    return columns, table.lines[1:]


def indicator_for(code: str, indicators: dict[str, Indicator]) -> Indicator:
    cleaned = re.sub(r"^(\d+)\.0+$", r"\1", code.strip())  # "1.00" in the Jan-19 dataset is PI 1
    if cleaned not in indicators:
        raise Fail("indicator_code", code, "no such indicator")
    return indicators[cleaned]


def value_row(indicator: Indicator, when: date, value: Decimal | None, reason: str, commentary: str | None):
    row = {
        "indicator_id": indicator.pk,
        "month": when,
        "value": value,
        "missing_reason": "" if value is not None else reason,
        "unit": indicator.unit,
    }
    if commentary is not None:
        row["commentary"] = commentary
    return row


# --- kpi-long -------------------------------------------------------------------------


def parse_kpi_long(table: RawTable, context: dict, parsed: Parsed, progress: Callable) -> None:
    """indicator_code,month,value,commentary (what export_kpis writes), plus optional missing_reason."""
    wanted = {
        "indicator_code": ("code", "indicator", "pi", "pl_no", "plno"),
        "month": ("period",),
        "value": (),
        "commentary": ("comment", "comments"),
        "missing_reason": ("reason",),
    }
    columns, lines = table_rows(table, parsed, wanted, {"indicator_code", "month", "value"})
    planned = Planned(MonthlyValue, ["indicator_id", "month"])
    for count, (line, cells) in enumerate(lines, start=1):
        progress(count, len(lines))
        parsed.rows_read += 1
        try:
            indicator = indicator_for(columns.get(cells, "indicator_code"), context["indicators"])
            when = month("month", columns.get(cells, "month"))
            value = number("value", columns.get(cells, "value"), blank=True)
            if value is not None and (problem := value_problem(value, indicator.unit)):
                raise Fail("value", columns.get(cells, "value"), problem)
            reason_text = columns.get(cells, "missing_reason")
            reason = choice("missing_reason", reason_text, MissingReason) if reason_text else ""
            if value is None and not reason:
                existing = context["missing_reasons"].get((indicator.pk, when))
                if not existing:
                    raise Fail("value", "", "a value, or a missing_reason column saying why there is none")
                reason = existing
            commentary = columns.get(cells, "commentary") if "commentary" in columns.index else None
            if commentary is not None:
                # export_kpis marks formula-like commentary (and commentary starting with an
                # apostrophe) with one leading apostrophe; taking it off makes the round trip exact.
                commentary = restore_text_cell(commentary)
        except Fail as fail:
            parsed.problems.append(Problem(line, fail.column, fail.value, fail.message))
            continue
        parsed.add(planned, line, value_row(indicator, when, value, reason, commentary))
    parsed.planned.append(planned)


# --- kpi-wide -------------------------------------------------------------------------

COMPARATOR_HEADERS = {
    "statistical_neighbour_average": Comparator.STATISTICAL_NEIGHBOURS,
    "sn_average": Comparator.STATISTICAL_NEIGHBOURS,
    "england_average": Comparator.ENGLAND,
    "west_midlands_average": Comparator.WEST_MIDLANDS,
    "wm_average": Comparator.WEST_MIDLANDS,
}


def header_month(text: str) -> date | None:
    try:
        return parse_month(text)
    except ValueError:
        return None


def comparator_kind(text: str) -> str | None:
    header = normalise_header(re.sub(r"\(.*?\)", "", text))
    return COMPARATOR_HEADERS.get(header)


def wide_cell(
    cells: list[str], i: int, header: list[str], indicator, line: int, parsed: Parsed
) -> Decimal | None:
    """The number in column ``i``, checked against the indicator's unit; an error is noted."""
    text = cells[i].strip() if i < len(cells) else ""
    try:
        value = number(header[i], text, blank=True)
        if value is not None and (problem := value_problem(value, indicator.unit)):
            raise Fail(header[i], text, problem)
    except Fail as fail:
        parsed.problems.append(Problem(line, fail.column, fail.value, fail.message))
        return None
    return value


def parse_kpi_wide(table: RawTable, context: dict, parsed: Parsed, progress: Callable) -> None:
    """The board report's table: a row per indicator, a column per month (Jan-18, Apr - 22...),
    optional SN / England / West Midlands averages; other columns (arrows...) are ignored."""
    header_at = next(
        (
            i
            for i, (_, cells) in enumerate(table.lines)
            if sum(header_month(c) is not None for c in cells) >= 2
        ),
        None,
    )
    if header_at is None:
        parsed.problems.append(
            Problem(1, "", "", "no header row with month columns such as Jan-18 or Apr - 22")
        )
        return
    header_line, header = table.lines[header_at]
    months = {i: m for i, cell in enumerate(header) if (m := header_month(cell)) is not None}
    comparators = {i: kind for i, cell in enumerate(header) if (kind := comparator_kind(cell))}
    first, last = min(months.values()), max(months.values())
    parsed.notes.append(f"months {first:%b %Y} to {last:%b %Y} from the header on line {header_line}")
    values = Planned(MonthlyValue, ["indicator_id", "month"])
    benchmarks = Planned(
        ComparatorValue, ["indicator_id", "comparator", "comparator_name", "period_start", "period_end"]
    )
    data_lines = table.lines[header_at + 1 :]
    for count, (line, cells) in enumerate(data_lines, start=1):
        progress(count, len(data_lines))
        code = cells[0].strip() if cells else ""
        month_cells = {i: cells[i].strip() for i in months if i < len(cells)}
        if not code or all(text.lower() in MISSING for text in month_cells.values()):
            continue  # headings, notes and blank rows between the indicators
        parsed.rows_read += 1
        try:
            indicator = indicator_for(code, context["indicators"])
        except Fail as fail:
            parsed.problems.append(Problem(line, header[0] or "indicator code", fail.value, fail.message))
            continue

        for i, when in months.items():
            if (value := wide_cell(cells, i, header, indicator, line, parsed)) is not None:
                parsed.add(values, line, value_row(indicator, when, value, "", None))
        for i, kind in comparators.items():
            value = wide_cell(cells, i, header, indicator, line, parsed)
            if value is None:
                continue
            parsed.add(
                benchmarks,
                line,
                {
                    "indicator_id": indicator.pk,
                    "comparator": kind,
                    "comparator_name": "",
                    "period_start": first,
                    "period_end": last_day(last),
                    "value": value,
                    "unit": indicator.unit,
                    "source": f"{table.name}, averages beside the {first:%b %Y} to {last:%b %Y} values",
                },
            )
    parsed.planned += [values, benchmarks]


# --- comparators ----------------------------------------------------------------------


def period(column: str, text: str) -> tuple[date, date]:
    """2022-06, 2018-01 to 2018-12, 2021/22 (April to March), 2025-03-31 (a day) or 2025 (a year)."""
    cleaned = text.strip()
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", cleaned):
        day = date.fromisoformat(cleaned)
        return day, day
    if re.fullmatch(r"\d{4}", cleaned):
        return date(int(cleaned), 1, 1), date(int(cleaned), 12, 31)
    if re.fullmatch(r"\d{4}\s*[/-]\s*\d{2,4}", cleaned):
        try:
            return financial_year_bounds(parse_financial_year_label(cleaned))
        except ValueError:
            pass
    parts = re.split(r"\s+to\s+|\s*\.\.\s*", cleaned)
    try:
        start, end = parse_month(parts[0]), parse_month(parts[-1])
    except ValueError:
        raise Fail(
            column, text, "not a period such as 2022-06, 2018-01 to 2018-12, 2021/22 or 2025"
        ) from None
    if end < start:
        raise Fail(column, text, "the period ends before it starts")
    return start, last_day(end)


def parse_comparators(table: RawTable, context: dict, parsed: Parsed, progress: Callable) -> None:
    wanted = {
        "indicator_code": ("code", "indicator"),
        "comparator": (),
        "period": (),
        "value": (),
        "source": (),
    }
    columns, lines = table_rows(
        table, parsed, wanted, {"indicator_code", "comparator", "period", "value", "source"}
    )
    planned = Planned(
        ComparatorValue, ["indicator_id", "comparator", "comparator_name", "period_start", "period_end"]
    )
    aliases = {
        "sn": Comparator.STATISTICAL_NEIGHBOURS,
        "statistical_neighbours": Comparator.STATISTICAL_NEIGHBOURS,
        "statistical_neighbour_average": Comparator.STATISTICAL_NEIGHBOURS,
        "england": Comparator.ENGLAND,
        "west_midlands": Comparator.WEST_MIDLANDS,
        "wm": Comparator.WEST_MIDLANDS,
    }
    for count, (line, cells) in enumerate(lines, start=1):
        progress(count, len(lines))
        parsed.rows_read += 1
        try:
            indicator = indicator_for(columns.get(cells, "indicator_code"), context["indicators"])
            name = columns.get(cells, "comparator")
            if not name:
                raise Fail(
                    "comparator", name, "a comparator is required (sn, england, west_midlands or a name)"
                )
            kind = aliases.get(normalise_header(name), Comparator.OTHER)
            start, end = period("period", columns.get(cells, "period"))
            value = number("value", columns.get(cells, "value"))
            if problem := value_problem(value, indicator.unit):
                raise Fail("value", columns.get(cells, "value"), problem)
            source = columns.get(cells, "source")
            if not source:
                raise Fail("source", "", "say where the figure comes from")
        except Fail as fail:
            parsed.problems.append(Problem(line, fail.column, fail.value, fail.message))
            continue
        parsed.add(
            planned,
            line,
            {
                "indicator_id": indicator.pk,
                "comparator": kind,
                "comparator_name": name if kind == "other" else "",
                "period_start": start,
                "period_end": end,
                "value": value,
                "unit": indicator.unit,
                "source": source[:300],
            },
        )
    parsed.planned.append(planned)


# --- audits, complaints, finance ----------------------------------------------------------

AUDIT_COUNTS = {
    "target": (),
    "completed": ("actual",),
    "rated_outstanding": ("outstanding",),
    "rated_good": ("good", "g"),
    "rated_requires_improvement": ("requires_improvement", "ri"),
    "rated_inadequate": ("inadequate", "i"),
    "moderation_agreed": ("agreed",),
    "moderation_upgraded": ("upgraded",),
    "moderation_downgraded": ("downgraded",),
}


def parse_audits(table: RawTable, context: dict, parsed: Parsed, progress: Callable) -> None:
    """month,activity,target,completed,outstanding,good,requires_improvement,inadequate,theme and,
    for moderations, moderation_agreed, moderation_upgraded, moderation_downgraded"""
    wanted = {"month": (), "activity": ("service",), **AUDIT_COUNTS, "theme": ()}
    columns, lines = table_rows(table, parsed, wanted, {"month", "activity", "completed"})
    planned = Planned(AuditReturn, ["month", "activity"])
    for count, (line, cells) in enumerate(lines, start=1):
        progress(count, len(lines))
        parsed.rows_read += 1
        try:
            row = {
                "month": month("month", columns.get(cells, "month")),
                "activity": choice("activity", columns.get(cells, "activity"), AuditActivity),
            }
            for name in AUDIT_COUNTS:
                # A file without the moderation columns leaves the held moderation figures alone.
                if name in columns.index or not name.startswith("moderation_"):
                    row[name] = whole(name, columns.get(cells, name), blank=True)
            if "theme" in columns.index:
                row["theme"] = columns.get(cells, "theme")
        except Fail as fail:
            parsed.problems.append(Problem(line, fail.column, fail.value, fail.message))
            continue
        parsed.add(planned, line, row)
    parsed.planned.append(planned)


def parse_complaints(table: RawTable, context: dict, parsed: Parsed, progress: Callable) -> None:
    """month,compliments,complaints,percent_responded_in_timescale"""
    wanted = {
        "month": (),
        "compliments_received": ("compliments",),
        "complaints_received": ("complaints",),
        "percent_responded_in_timescale": (
            "percent_in_timescale",
            "responded_in_timescale",
            "%_of_complaints_responded_to_in_timescales",
        ),
    }
    columns, lines = table_rows(
        table, parsed, wanted, {"month", "compliments_received", "complaints_received"}
    )
    planned = Planned(ComplaintsMonth, ["month"])
    for count, (line, cells) in enumerate(lines, start=1):
        progress(count, len(lines))
        parsed.rows_read += 1
        try:
            percent = number(
                "percent_responded_in_timescale", columns.get(cells, "percent_responded_in_timescale"), True
            )
            if percent is not None and not 0 <= percent <= 100:
                raise Fail(
                    "percent_responded_in_timescale", str(percent), "a percentage must be between 0 and 100"
                )
            row = {
                "month": month("month", columns.get(cells, "month")),
                "compliments_received": whole(
                    "compliments_received", columns.get(cells, "compliments_received")
                ),
                "complaints_received": whole(
                    "complaints_received", columns.get(cells, "complaints_received")
                ),
                "percent_responded_in_timescale": percent,
            }
        except Fail as fail:
            parsed.problems.append(Problem(line, fail.column, fail.value, fail.message))
            continue
        parsed.add(planned, line, row)
    parsed.planned.append(planned)


def parse_finance(table: RawTable, context: dict, parsed: Parsed, progress: Callable) -> None:
    """financial_year,period,category,description,budget,forecast,outturn,stated_variance (pounds),
    optional source. The variance is worked out from budget and forecast (or outturn); a variance is
    accepted only for a line the paper gives without them (``variance`` is read as ``stated_variance``)."""
    amounts = AMOUNTS
    wanted = {
        "financial_year": ("year",),
        "period": (),
        "category": (),
        "description": ("line",),
        "budget": (),
        "forecast": (),
        "outturn": (),
        "stated_variance": ("variance",),
        "source": (),
    }
    columns, lines = table_rows(table, parsed, wanted, {"financial_year", "category", "description"})
    planned = Planned(BudgetLine, ["financial_year_id", "period", "category", "description"])
    years = Planned(FinancialYear, ["start_year"])
    for count, (line, cells) in enumerate(lines, start=1):
        progress(count, len(lines))
        parsed.rows_read += 1
        try:
            label = columns.get(cells, "financial_year")
            try:
                start_year = parse_financial_year_label(label)
            except ValueError:
                raise Fail("financial_year", label, "not a financial year such as 2022/23") from None
            values = {name: number(name, columns.get(cells, name), blank=True) for name in amounts}
            problems = amount_problems(values)
            if problems:
                field, message = problems[0]
                raise Fail(field, columns.get(cells, field), message[0].lower() + message[1:])
            description = columns.get(cells, "description")
            if not description:
                raise Fail("description", "", "a description is required")
            row = {
                "start_year": start_year,
                "period": columns.get(cells, "period") or "Full year",
                "category": choice("category", columns.get(cells, "category"), BudgetCategory),
                "description": description[:300],
                **values,
            }
            if "source" in columns.index:
                row["source"] = columns.get(cells, "source")[:300]
        except Fail as fail:
            parsed.problems.append(Problem(line, fail.column, fail.value, fail.message))
            continue
        if (row["start_year"],) not in {(r["start_year"],) for r in years.rows}:
            parsed.add(years, line, {"start_year": row["start_year"]})
        parsed.add(planned, line, row)
    parsed.planned += [years, planned]


# --- targets ----------------------------------------------------------------------------


def financial_year(column: str, text: str) -> int:
    """``2022/23``, ``2022-23`` or ``2022`` (the year it starts in)."""
    cleaned = text.strip()
    if re.fullmatch(r"\d{4}", cleaned) and 2000 <= int(cleaned) <= 2100:
        return int(cleaned)
    try:
        year = parse_financial_year_label(cleaned)
    except ValueError as exc:
        raise Fail(column, text, str(exc)) from None
    if not 2000 <= year <= 2100:
        raise Fail(column, text, "not a financial year between 2000/01 and 2100/01")
    return year


def parse_targets(table: RawTable, context: dict, parsed: Parsed, progress: Callable) -> None:
    """indicator_code,financial_year,target,amber_tolerance; optional target_to, judged, due,
    significant_variance, statement, source. The same checks as the targets page."""
    from kpis.models import Target, TargetJudgement
    from kpis.targets import TargetEntry, parse_day, parse_judged, target_problems

    wanted = {
        "indicator_code": ("code", "indicator", "pi"),
        "financial_year": ("year", "fy"),
        "target": ("value",),
        "amber_tolerance": ("tolerance", "amber"),
        "target_to": ("to", "range_to", "value_to"),
        "judged": ("judgement", "judged_by"),
        "due": ("due_date", "by"),
        "significant_variance": ("variance",),
        "statement": (),
        "source": (),
    }
    required = {"indicator_code", "financial_year", "target", "amber_tolerance"}
    columns, lines = table_rows(table, parsed, wanted, required)
    targets = Planned(Target, ["indicator_id", "financial_year"])
    variances = Planned(Indicator, ["code"])
    variance_line: dict[str, tuple[int, Decimal | None]] = {}
    for count, (line, cells) in enumerate(lines, start=1):
        progress(count, len(lines))
        parsed.rows_read += 1
        try:
            indicator = indicator_for(columns.get(cells, "indicator_code"), context["indicators"])
            year = financial_year("financial_year", columns.get(cells, "financial_year"))
            judged_text = columns.get(cells, "judged")
            due_text = columns.get(cells, "due")
            try:
                judged = parse_judged(judged_text) if judged_text else TargetJudgement.EVERY_MONTH
            except ValueError as exc:
                raise Fail("judged", judged_text, str(exc)) from None
            try:
                due = parse_day(due_text) if due_text else None
            except ValueError as exc:
                raise Fail("due", due_text, str(exc)) from None
            entry = TargetEntry(
                number("target", columns.get(cells, "target")),
                number("target_to", columns.get(cells, "target_to"), blank=True),
                number("amber_tolerance", columns.get(cells, "amber_tolerance"), blank=True) or Decimal(0),
                judged,
                due,
            )
            names = {"target": "target", "to": "target_to", "tolerance": "amber_tolerance", "due": "due"}
            for field_name, message in target_problems(indicator, year, entry):
                column = names.get(field_name, field_name)
                raise Fail(column, columns.get(cells, column), message[0].lower() + message[1:])
            variance = None
            if "significant_variance" in columns.index:
                variance = number(
                    "significant_variance", columns.get(cells, "significant_variance"), blank=True
                )
                if variance is not None and variance < 0:
                    raise Fail(
                        "significant_variance",
                        columns.get(cells, "significant_variance"),
                        "cannot be negative",
                    )
                seen = variance_line.get(indicator.code)
                if seen is not None and seen[1] != variance:
                    raise Fail(
                        "significant_variance", columns.get(cells, "significant_variance"),
                        f"differs from line {seen[0]} for the same indicator; it applies in every year",
                    )  # fmt: skip
        except Fail as fail:
            parsed.problems.append(Problem(line, fail.column, fail.value, fail.message))
            continue
        row = {
            "indicator_id": indicator.pk, "financial_year": year, "value": entry.value,
            "value_to": entry.value_to, "amber_tolerance": entry.amber_tolerance, "judged": entry.judged,
            "due": entry.due,
        }  # fmt: skip
        for optional in ("statement", "source"):
            if optional in columns.index:
                row[optional] = columns.get(cells, optional)
        parsed.add(targets, line, row)
        if "significant_variance" in columns.index and indicator.code not in variance_line:
            variance_line[indicator.code] = (line, variance)
            parsed.add(variances, line, {"code": indicator.code, "significant_variance": variance})
    parsed.planned.append(targets)
    if variances.rows:
        parsed.planned.append(variances)
