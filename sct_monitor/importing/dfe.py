"""DfE files: statistical-neighbour models, and Explore Education Statistics (EES) tables.

EES files hold every area's figure by year in "tidy" rows. fixtures/dfe_mappings.csv says
which column (and which filter row, such as population_type) feeds which indicator, and on
what date each figure stands (workforce at 30 September, children looked after at 31 March).
"""

import csv
import re
from collections.abc import Callable
from datetime import date
from pathlib import Path

from django.conf import settings

from kpis.models import AreaValue, GeographicLevel, Neighbour, NeighbourModel, Suppression
from kpis.rules import value_problem
from sct_monitor.importing.kinds import Fail, Parsed, Planned, Problem, number
from sct_monitor.importing.reading import RawTable, normalise_header

MAPPINGS_FILE = Path(settings.BASE_DIR) / "fixtures" / "dfe_mappings.csv"
LEVELS = {
    "national": GeographicLevel.NATIONAL,
    "regional": GeographicLevel.REGIONAL,
    "local_authority": GeographicLevel.LOCAL_AUTHORITY,
}
SUPPRESSION_CODES = {code.value for code in Suppression}
MONTHS = {
    name: number
    for number, name in enumerate(
        ["january", "february", "march", "april", "may", "june", "july", "august", "september",
         "october", "november", "december"],
        start=1,
    )
}  # fmt: skip


def model_name_and_start(file_name: str) -> tuple[str, date]:
    """'New_Statistical_Neighbour_Groupings_April_2021.csv' -> that name, 1 April 2021."""
    stem = Path(file_name).stem.replace("_", " ")
    year = re.search(r"(19|20)\d{2}", stem)
    month = next((n for name, n in MONTHS.items() if name in stem.lower()), 1)
    return stem, date(int(year.group(0)) if year else date.today().year, month, 1)


def parse_sn_model(table: RawTable, context: dict, parsed: Parsed, progress: Callable) -> None:
    """Both DfE layouts: the 2025 wide model (old_la_code, SN_1, SN_1P...) and the April 2021
    groupings (LA num, SN1, SNP...): each 'SN k' column is a neighbour, the next its closeness."""
    if not table.lines:
        parsed.problems.append(Problem(1, "", "", "the file is empty"))
        return
    header_line, header = table.lines[0]
    names = [normalise_header(cell) for cell in header]
    code_at = next(
        (i for i, n in enumerate(names) if n in ("old_la_code", "la_num", "la_number", "la_code")), None
    )
    ranks = {i: int(m.group(1)) for i, n in enumerate(names) if (m := re.fullmatch(r"sn_?(\d+)", n))}
    if code_at is None or len(ranks) < 1:
        parsed.problems.append(
            Problem(header_line, "", "", "not a neighbour model: needs an LA code column and SN1..SN10")
        )
        return
    name, applies_from = model_name_and_start(table.name)
    parsed.notes.append(f"model “{name}”, used for figures from {applies_from:%d %B %Y}")
    model = Planned(NeighbourModel, ["name"])
    parsed.add(model, 0, {"name": name, "applies_from": applies_from, "source": table.name[:300]})
    links = Planned(Neighbour, ["model_id", "la_code", "rank"])
    for count, (line, cells) in enumerate(table.lines[1:], start=1):
        progress(count, len(table.lines) - 1)
        la_code = cells[code_at].strip() if code_at < len(cells) else ""
        if not la_code:
            continue
        if not la_code.isdigit():
            parsed.problems.append(Problem(line, header[code_at], la_code, "not an LA code such as 333"))
            continue
        parsed.rows_read += 1
        for i, rank in ranks.items():
            neighbour = cells[i].strip() if i < len(cells) else ""
            if not neighbour:
                continue
            if not neighbour.isdigit():
                parsed.problems.append(Problem(line, header[i], neighbour, "not an LA code such as 336"))
                continue
            closeness = cells[i + 1].strip() if i + 1 < len(cells) else ""
            parsed.add(
                links, line,
                {"model_name": name, "la_code": la_code, "neighbour_code": neighbour, "rank": rank,
                 "closeness": closeness},
            )  # fmt: skip
    parsed.planned += [model, links]


def load_mappings() -> list[dict[str, str]]:
    with MAPPINGS_FILE.open(encoding="utf-8") as file:
        return list(csv.DictReader(file))


def parse_ees(table: RawTable, context: dict, parsed: Parsed, progress: Callable) -> None:
    """An EES tidy table: keeps England's, every region's and every LA's figure for each year."""
    if not table.lines:
        parsed.problems.append(Problem(1, "", "", "the file is empty"))
        return
    header_line, header = table.lines[0]
    names = [normalise_header(cell) for cell in header]
    column = {name: i for i, name in enumerate(names)}
    missing = [c for c in ("time_period", "geographic_level") if c not in column]
    if missing:
        parsed.problems.append(
            Problem(header_line, "", "", f"not an EES table: missing {', '.join(missing)}")
        )
        return
    mappings = [m for m in load_mappings() if normalise_header(m["value_column"]) in column]
    mappings = [
        m for m in mappings if not m["filter_column"] or normalise_header(m["filter_column"]) in column
    ]
    if not mappings:
        parsed.problems.append(
            Problem(header_line, "", "", "no column of this file is mapped to an indicator")
        )
        return
    indicators = {}
    for mapping in mappings:
        if mapping["indicator_code"] not in context["indicators"]:
            parsed.problems.append(
                Problem(0, "", mapping["indicator_code"], "mapped indicator does not exist")
            )
            return
        indicators[mapping["indicator_code"]] = context["indicators"][mapping["indicator_code"]]
    parsed.notes.append(
        "columns used: " + "; ".join(f"{m['value_column']} → {m['indicator_code']}" for m in mappings)
    )
    planned = Planned(AreaValue, ["indicator_id", "as_at", "level", "area_code"])

    def cell(cells: list[str], name: str) -> str:
        index = column.get(name)
        return cells[index].strip() if index is not None and index < len(cells) else ""

    for count, (line, cells) in enumerate(table.lines[1:], start=1):
        progress(count, len(table.lines) - 1)
        level = LEVELS.get(normalise_header(cell(cells, "geographic_level")))
        if level is None:
            continue  # other levels (such as local authority district) are not used
        parsed.rows_read += 1
        year = cell(cells, "time_period")
        if not re.fullmatch(r"\d{4}", year):
            parsed.problems.append(Problem(line, "time_period", year, "not a year such as 2025"))
            continue
        if level == GeographicLevel.NATIONAL:
            code, name, region = (
                cell(cells, "country_code") or "E92000001",
                cell(cells, "country_name") or "England",
                "",
            )
        elif level == GeographicLevel.REGIONAL:
            code, name, region = (
                cell(cells, "region_code"),
                cell(cells, "region_name"),
                cell(cells, "region_name"),
            )
        else:
            code, name, region = (
                cell(cells, "old_la_code"),
                cell(cells, "la_name"),
                cell(cells, "region_name"),
            )
        for mapping in mappings:
            if (
                mapping["filter_column"]
                and cell(cells, normalise_header(mapping["filter_column"])) != mapping["filter_value"]
            ):
                continue
            indicator = indicators[mapping["indicator_code"]]
            month, day = (int(part) for part in mapping["as_at_month_day"].split("-"))
            text = cell(cells, normalise_header(mapping["value_column"]))
            try:
                if text.lower() in SUPPRESSION_CODES:
                    value, suppression = None, text.lower()
                else:
                    value, suppression = number(mapping["value_column"], text), ""
                    if problem := value_problem(value, indicator.unit):
                        raise Fail(mapping["value_column"], text, problem)
            except Fail as fail:
                parsed.problems.append(
                    Problem(
                        line, fail.column, fail.value, f"{fail.message} (or a DfE code c, k, u, x, z, low)"
                    )
                )
                continue
            parsed.add(
                planned, line,
                {"indicator_id": indicator.pk, "as_at": date(int(year), month, day), "level": level,
                 "area_code": code, "area_name": name, "region_name": region, "value": value,
                 "suppression": suppression, "source": table.name[:300]},
            )  # fmt: skip
    parsed.planned.append(planned)
