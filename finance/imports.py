"""The finance app's import kind: budget lines, the variance worked out as the form works it out."""

from collections.abc import Callable

from finance.models import BudgetCategory, BudgetLine, FinancialYear
from finance.periods import parse_financial_year_label
from finance.rules import AMOUNTS, amount_problems
from sct_monitor.importing.kinds import Fail, Kind, Parsed, Planned, Problem, choice, number, table_rows
from sct_monitor.importing.reading import RawTable


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


KINDS = [
    Kind(
        "finance",
        "Budget lines",
        "financial_year, period, category, description, budget, forecast, outturn, "
        "stated_variance (only for a line with no budget and forecast), source",
        parse_finance,
    ),
]
