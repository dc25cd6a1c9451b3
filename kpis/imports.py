"""The kpis app's import kinds: KPI values (long and wide), comparators, targets, and the DfE's
neighbour models, tables and mappings (kpis.dfe_imports)."""

import re
from collections.abc import Callable
from datetime import date
from decimal import Decimal

from finance.periods import financial_year_bounds, parse_financial_year_label
from kpis.dfe_imports import parse_dfe_mappings, parse_ees, parse_sn_model
from kpis.models import Comparator, ComparatorValue, Indicator, MissingReason, MonthlyValue
from kpis.months import parse_month
from kpis.rules import value_problem
from kpis.scorecard import last_day
from sct_monitor.csv_safety import restore_text_cell
from sct_monitor.importing.kinds import (
    MISSING,
    Fail,
    Kind,
    Parsed,
    Planned,
    Problem,
    choice,
    financial_year,
    month,
    number,
    remembered,
    table_rows,
)
from sct_monitor.importing.reading import RawTable, normalise_header


def indicator_for(code: str, indicators: dict[str, Indicator]) -> Indicator:
    cleaned = re.sub(r"^(\d+)\.0+$", r"\1", code.strip())  # "1.00" in the Jan-19 dataset is PI 1
    if cleaned not in indicators:
        raise Fail("indicator_code", code, "no such indicator")
    return indicators[cleaned]


def value_row(indicator: Indicator, when: date, value: Decimal | None, reason: str, commentary: str | None):
    row = {
        "indicator_id": indicator.id,  # the field, not the pk property: thousands of rows a file
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
    # The file is read a column at a time (in chunks of lines), and its repeated codes, months,
    # numbers, reasons and commentary are each read once (failures are not kept, so each is
    # reported on its own line).
    names = ("indicator_code", "month", "value", "missing_reason", "commentary")
    has_commentary = "commentary" in columns.index
    find_indicator = remembered(lambda code: indicator_for(code, context["indicators"]))
    find_month = remembered(lambda text: month("month", text))
    find_value = remembered(checked_value)
    find_reason = remembered(lambda text: choice("missing_reason", text, MissingReason))
    # export_kpis marks formula-like commentary (and commentary starting with an apostrophe)
    # with one leading apostrophe; taking it off makes the round trip exact.
    find_commentary = remembered(restore_text_cell)
    missing_reasons = context["missing_reasons"]
    total = len(lines)
    add_row, add_line = planned.rows.append, planned.lines.append
    parsed.rows_read += total
    step = max(1, total // 100)  # progress is reported each hundredth of the file, not each row
    for count, (line, code, month_text, value_text, reason_text, commentary_text) in enumerate(
        columns.picked_lines(lines, names), start=1
    ):
        if count % step == 0 or count == total:
            progress(count, total)
        try:
            indicator = find_indicator(code)
            when = find_month(month_text)
            value = find_value(value_text, indicator.unit)
            reason = find_reason(reason_text) if reason_text else ""
            if value is None and not reason:
                existing = missing_reasons.get((indicator.id, when))
                if not existing:
                    raise Fail("value", "", "a value, or a missing_reason column saying why there is none")
                reason = existing
            commentary = find_commentary(commentary_text) if has_commentary else None
        except Fail as fail:
            parsed.problems.append(Problem(line, fail.column, fail.value, fail.message))
            continue
        add_row(value_row(indicator, when, value, reason, commentary))
        add_line(line)
    parsed.planned.append(planned)


def checked_value(text: str, unit: str) -> Decimal | None:
    """The number in a value cell (None when blank), refused when ``unit`` cannot hold it."""
    value = number("value", text, blank=True)
    if value is not None and (problem := value_problem(value, unit)):
        raise Fail("value", text, problem)
    return value


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


# --- targets ----------------------------------------------------------------------------


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


KINDS = [
    Kind(
        "kpi-wide",
        "KPI table as in the board reports (a column per month)",
        "code, description, then month columns like Jan-18 or Apr - 22; optional SN / England / "
        "West Midlands averages; other columns are ignored",
        parse_kpi_wide,
    ),
    Kind(
        "kpi-long",
        "KPI values, one per line",
        "indicator_code, month, value, commentary (optional missing_reason)",
        parse_kpi_long,
    ),
    Kind(
        "comparators",
        "Comparator values",
        "indicator_code, comparator, period, value, source",
        parse_comparators,
    ),
    Kind(
        "targets",
        "Targets and significant variances",
        "indicator_code, financial_year (2022/23), target, amber_tolerance; optional target_to "
        "(the end of a range), judged (monthly, trajectory or at_due_date), "
        "due (the date an end-point target is due), significant_variance, statement, source",
        parse_targets,
    ),
    Kind(
        "sn-model",
        "DfE statistical-neighbour model",
        "any DfE layout: old_la_code, SN_1, SN_1P ... (2025), LA num, SN1, SNP ... (April 2021), or the "
        "DfE's workbook (sn_may_2025.xlsx); give the date the model applies from with the file",
        parse_sn_model,
    ),
    Kind(
        "dfe-ees",
        "DfE Explore Education Statistics table",
        "time_period (2025 or 202425), geographic_level, old_la_code, la_name, region_name and the "
        "columns the DfE mappings name; suppression codes c, k, u, x, z and low are kept as missing",
        parse_ees,
    ),
    Kind(
        "dfe-mappings",
        "DfE mappings (which file column feeds which indicator)",
        "indicator_code, column, filters (name=value;name=value), stands_on (MM-DD, such as 03-31); "
        "optional publication, definition_note, description, and for a derived rate denominator "
        "(an indicator code), denominator_year_offset (-1), multiplier (10000), decimal_places",
        parse_dfe_mappings,
    ),
]
