"""DfE files: statistical-neighbour models, Explore Education Statistics (EES) tables, and the
mappings that say which EES column feeds which indicator.

EES files hold every area's figure by period in "tidy" rows. The mappings (kpis.DfeMapping,
kept on the mappings page or imported as ``dfe-mappings``) say which column, under which filter
columns, feeds which indicator, on what day each figure stands, and how a derived rate is
worked out. Nothing here depends on a file's name.
"""

import re
from collections import defaultdict
from collections.abc import Callable
from datetime import date
from decimal import Decimal

from django.conf import settings

from kpis.dfe_mappings import CONFLICT_FIELDS, clean_mapping, same_day_conflict
from kpis.dfe_mappings import FIELDS as MAPPING_FIELDS
from kpis.dfe_rules import (
    RuleError,
    derived_rate,
    describe_stands_on,
    member_codes,
    normalise_name,
    parse_filters,
    parse_stands_on,
    period_date,
)
from kpis.formatting import plain_number
from kpis.models import AreaValue, DfeMapping, GeographicLevel, Neighbour, NeighbourModel, Suppression
from kpis.rules import value_problem
from sct_monitor.importing.kinds import Fail, Parsed, Planned, Problem, number
from sct_monitor.importing.reading import RawTable, normalise_header

LEVELS = {
    "national": GeographicLevel.NATIONAL,
    "regional": GeographicLevel.REGIONAL,
    "local_authority": GeographicLevel.LOCAL_AUTHORITY,
}
SUPPRESSION_CODES = {code.value for code in Suppression}
MAPPINGS_PAGE = "/comparators/mappings/"
HEADER_SEARCH_LINES = 10  # the DfE's workbook has two lines above its header
SHOWN = 8  # names listed in one warning before "and N more"


def listed(items: list[str]) -> str:
    shown = ", ".join(items[:SHOWN])
    return shown + (f" and {len(items) - SHOWN} more" if len(items) > SHOWN else "")


# --- neighbour models -------------------------------------------------------------------------

CODE_COLUMNS = ("old_la_code", "la_num", "la_number", "la_code")
NAME_COLUMNS = ("la_name", "la")


def find_model_header(table: RawTable) -> tuple[int, list[str], int, dict[int, int]] | None:
    """The first line with an LA code column and SN1..SN10 columns: (index, header, code at, ranks)."""
    for index, (_, header) in enumerate(table.lines[:HEADER_SEARCH_LINES]):
        names = [normalise_header(str(cell)) for cell in header]
        code_at = next((i for i, n in enumerate(names) if n in CODE_COLUMNS), None)
        ranks = {i: int(m.group(1)) for i, n in enumerate(names) if (m := re.fullmatch(r"sn_?(\d+)", n))}
        if code_at is not None and ranks:
            return index, header, code_at, ranks
    return None


def parse_sn_model(table: RawTable, context: dict, parsed: Parsed, progress: Callable) -> None:
    """Every DfE layout: the 2025 wide model (old_la_code, SN_1, SN_1P...), the April 2021
    groupings (LA num, SN1, SNP...) and the DfE's workbook (the same under two heading lines).
    Each 'SN k' column is a neighbour, the next its closeness. The date the model applies from
    comes from the administrator, never from the file's name."""
    options = context.get("options", {})
    if not table.lines:
        parsed.problems.append(Problem(1, "", "", "the file is empty"))
        return
    found = find_model_header(table)
    if found is None:
        parsed.problems.append(
            Problem(table.lines[0][0], "", "", "not a neighbour model: needs an LA code column and SN1..SN10")
        )
        return
    header_index, header, code_at, ranks = found
    try:
        applies_from = date.fromisoformat(str(options.get("applies_from", "")))
    except ValueError:
        parsed.problems.append(
            Problem(
                0, "applies from", str(options.get("applies_from", "")),
                "say the date this model came into force (the ‘Applies from’ field, or --applies-from "
                "2025-05-01 on the command line); the file does not say it",
            )
        )  # fmt: skip
        return
    replacing = NeighbourModel.objects.filter(applies_from=applies_from).first()
    # A model imported again keeps its name unless a new one is given.
    name = (options.get("model_name") or "").strip() or (
        replacing.name if replacing else f"Statistical neighbours from {applies_from:%-d %B %Y}"
    )
    clash = NeighbourModel.objects.filter(name=name).exclude(applies_from=applies_from).first()
    if clash:
        parsed.problems.append(
            Problem(
                0,
                "model name",
                name,
                f"already the name of the model applying from {clash.applies_from:%-d %B %Y}",
            )
        )
        return
    names = [normalise_header(str(cell)) for cell in header]
    name_at = next((i for i, n in enumerate(names) if n in NAME_COLUMNS), None)
    body = table.lines[header_index + 1 :]

    def cell(cells: list[str], index: int | None) -> str:
        return str(cells[index]).strip() if index is not None and index < len(cells) else ""

    la_names = {
        cell(cells, code_at): cell(cells, name_at) for _, cells in body if cell(cells, code_at).isdigit()
    }
    parsed.notes.append(
        f"model “{name}”, in force from {applies_from:%-d %B %Y}"
        + (f" (replaces the links of “{replacing.name}”)" if replacing else "")
    )
    if replacing:
        home_before = list(
            replacing.links.filter(la_code=settings.HOME_LA_CODE)
            .order_by("rank")
            .values_list("neighbour_code", flat=True)
        )
        home_row = next((cells for _, cells in body if cell(cells, code_at) == settings.HOME_LA_CODE), None)
        home_after = [cell(home_row, i) for i in sorted(ranks, key=ranks.get)] if home_row else []
        if home_before != [code for code in home_after if code]:
            parsed.warnings.append(
                f"{settings.HOME_LA_NAME}'s neighbours change from {', '.join(home_before) or 'none'} to "
                f"{', '.join(code for code in home_after if code) or 'none'}"
            )
    model = Planned(NeighbourModel, ["applies_from"])
    parsed.add(model, 0, {"name": name[:100], "applies_from": applies_from, "source": table.name[:300]})
    links = Planned(Neighbour, ["model_id", "la_code", "rank"])
    skipped = 0
    for count, (line, cells) in enumerate(body, start=1):
        progress(count, len(body))
        la_code = cell(cells, code_at)
        neighbours = {rank: cell(cells, i) for i, rank in ranks.items()}
        if not la_code.isdigit():
            if la_code and any(v.isdigit() for v in neighbours.values()):
                parsed.problems.append(Problem(line, header[code_at], la_code, "not an LA code such as 333"))
            else:
                skipped += 1  # notes and headings under the table
            continue
        parsed.rows_read += 1
        for i, rank in ranks.items():
            neighbour = neighbours[rank]
            if not neighbour:
                continue
            if not neighbour.isdigit():
                parsed.problems.append(Problem(line, header[i], neighbour, "not an LA code such as 336"))
                continue
            parsed.add(
                links, line,
                {"model_applies_from": applies_from, "la_code": la_code,
                 "la_name": la_names.get(la_code, "")[:100], "neighbour_code": neighbour,
                 "neighbour_name": la_names.get(neighbour, "")[:100], "rank": rank,
                 "closeness": cell(cells, i + 1)[:30]},
            )  # fmt: skip
    if skipped:
        parsed.notes.append(f"{skipped} line{'s' if skipped != 1 else ''} without an LA code left out")
    parsed.planned += [model, links]


# --- mappings ---------------------------------------------------------------------------------

MAPPING_ALIASES = {"value_column": "column", "as_at_month_day": "stands_on", "indicator": "indicator_code"}


def parse_dfe_mappings(table: RawTable, context: dict, parsed: Parsed, progress: Callable) -> None:
    """indicator_code, column, filters (name=value;name=value), stands_on (MM-DD), and for a derived
    rate denominator, denominator_year_offset, multiplier, decimal_places."""
    if not table.lines:
        parsed.problems.append(Problem(1, "", "", "the file is empty"))
        return
    header_line, header = table.lines[0]
    names = [MAPPING_ALIASES.get(n, n) for n in (normalise_header(str(c)) for c in header)]
    column = {name: i for i, name in enumerate(names)}
    missing = [name for name in ("indicator_code", "column", "stands_on") if name not in column]
    if missing:
        parsed.problems.append(
            Problem(
                header_line, "", "", f"missing column{'s' if len(missing) > 1 else ''}: {', '.join(missing)}"
            )
        )
        return
    planned = Planned(DfeMapping, ["indicator_id", "column", "filters"])
    held = list(DfeMapping.objects.values(*CONFLICT_FIELDS))
    for count, (line, cells) in enumerate(table.lines[1:], start=1):
        progress(count, len(table.lines) - 1)
        raw = {
            name: str(cells[column[name]]) if column.get(name, len(cells)) < len(cells) else ""
            for name in MAPPING_FIELDS
        }
        parsed.rows_read += 1
        row, problems = clean_mapping(raw, context["indicators"])
        for problem in problems:
            parsed.problems.append(Problem(line, problem.field, problem.value, problem.message))
        if not problems:
            written = {(r["indicator_id"], r["column"], r["filters"]) for r in planned.rows}
            kept = [h for h in held if (h["indicator_id"], h["column"], h["filters"]) not in written]
            if conflict := same_day_conflict(row, [*planned.rows, *kept]):
                parsed.problems.append(Problem(line, "stands_on", row["stands_on"], conflict))
                continue
            parsed.add(planned, line, row)
    parsed.planned.append(planned)


# --- EES tables -------------------------------------------------------------------------------


def area_of(level: str, cell: Callable[[str], str]) -> tuple[str, str, str]:
    """(code, name, region) as AreaValue holds them."""
    if level == GeographicLevel.NATIONAL:
        return cell("country_code") or "E92000001", cell("country_name") or "England", ""
    if level == GeographicLevel.REGIONAL:
        return cell("region_code") or cell("region_name"), cell("region_name"), cell("region_name")
    return cell("old_la_code"), cell("la_name"), cell("region_name")


def applicable(mappings: list[DfeMapping], columns: set[str]) -> tuple[list, dict[DfeMapping, list[str]]]:
    """The mappings whose column and filter columns are all in the file, and for the others
    the columns they lack."""
    using, lacking = [], {}
    for mapping in mappings:
        needed = [normalise_name(mapping.column), *(name for name, _ in parse_filters(mapping.filters))]
        absent = [name for name in needed if name not in columns]
        if absent:
            lacking[mapping] = absent
        else:
            using.append(mapping)
    return using, lacking


def no_mapping_problem(line: int, columns: list[str]) -> Problem:
    return Problem(
        line, "", "",
        "no mapping says which of this file's columns feeds an indicator (its columns: "
        f"{', '.join(columns)}). The file may be right: an administrator adds a mapping on the DfE mappings "
        f"page ({MAPPINGS_PAGE}) or imports a dfe-mappings file, then imports this file again",
    )  # fmt: skip


def denominators_for(mappings: list[DfeMapping]) -> dict[tuple, Decimal | None]:
    """(denominator indicator, level, area code, year) -> figure, for the derived mappings."""
    ids = {m.denominator_id for m in mappings if m.denominator_id}
    if not ids:
        return {}
    return {
        (indicator_id, level, code, as_at.year): value
        for indicator_id, level, code, as_at, value in AreaValue.objects.filter(
            indicator_id__in=ids
        ).values_list("indicator_id", "level", "area_code", "as_at", "value")
    }


def denominator_of(held: dict, mapping: DfeMapping, level: str, code: str, year: int) -> Decimal | None:
    """The denominator for an area; a joint return's is the sum of its members'."""
    wanted = year + mapping.denominator_year_offset
    key = (mapping.denominator_id, level, code, wanted)
    if key in held:
        return held[key]
    parts = [held.get((mapping.denominator_id, level, member, wanted)) for member in member_codes(code)]
    if len(parts) > 1 and all(part is not None for part in parts):
        return sum(parts, Decimal(0))
    return None


def parse_ees(table: RawTable, context: dict, parsed: Parsed, progress: Callable) -> None:
    """An EES tidy table: England's, every region's and every LA's figure for each period, for
    each mapped column."""
    options = context.get("options", {})
    if not table.lines:
        parsed.problems.append(Problem(1, "", "", "the file is empty"))
        return
    header_line, header = table.lines[0]
    names = [normalise_header(str(cell)) for cell in header]
    column = {name: i for i, name in enumerate(names)}
    missing = [c for c in ("time_period", "geographic_level") if c not in column]
    if missing:
        parsed.problems.append(
            Problem(header_line, "", "", f"not an EES table: missing {', '.join(missing)}")
        )
        return
    every = list(DfeMapping.objects.select_related("indicator", "denominator"))
    mappings, lacking = applicable(every, set(column))
    if not mappings:
        parsed.problems.append(no_mapping_problem(header_line, [str(c) for c in header]))
        return
    publications = {m.publication for m in mappings if m.publication}
    for mapping, absent in lacking.items():
        if mapping.publication and mapping.publication in publications:
            parsed.warnings.append(
                f"{mapping.publication}: the mapped column{'s' if len(absent) > 1 else ''} "
                f"{', '.join(absent)} "
                f"{'are' if len(absent) > 1 else 'is'} not in this file, so {mapping.indicator.code} "
                f"({mapping.indicator.title}) is left as it was. Was the column renamed? Correct the mapping "
                f"on the DfE mappings page if so"
            )
    parsed.notes.append(
        "columns used: "
        + "; ".join(
            f"{m.column}{' [' + m.filters + ']' if m.filters else ''}"
            + (f" ÷ {m.denominator.code} × {m.multiplier.normalize():f}" if m.is_derived else "")
            + f" → {m.indicator.code} (at {describe_stands_on(*parse_stands_on(m.stands_on))})"
            for m in mappings
        )
    )
    filters = {m.pk: parse_filters(m.filters) for m in mappings}
    stands = {m.pk: parse_stands_on(m.stands_on) for m in mappings}
    held_denominators = denominators_for(mappings)
    no_denominator: dict[DfeMapping, list[str]] = defaultdict(list)
    blanks: dict[DfeMapping, list[int]] = defaultdict(list)
    planned = Planned(AreaValue, ["indicator_id", "as_at", "level", "area_code"])

    def cell_of(cells: list[str]) -> Callable[[str], str]:
        def cell(name: str) -> str:
            index = column.get(name)
            return str(cells[index]).strip() if index is not None and index < len(cells) else ""

        return cell

    for count, (line, cells) in enumerate(table.lines[1:], start=1):
        progress(count, len(table.lines) - 1)
        cell = cell_of(cells)
        level = LEVELS.get(normalise_header(cell("geographic_level")))
        if level is None:
            continue  # other levels (such as local authority district) are not used
        parsed.rows_read += 1
        code, name, region = area_of(level, cell)
        for mapping in mappings:
            if any(cell(name_) != value for name_, value in filters[mapping.pk]):
                continue
            try:
                as_at = period_date(cell("time_period"), cell("time_identifier"), *stands[mapping.pk])
            except RuleError as exc:
                parsed.problems.append(Problem(line, "time_period", "", str(exc)))
                break
            indicator = mapping.indicator
            text = cell(normalise_name(mapping.column))
            if not text:
                blanks[mapping].append(line)  # an empty cell is no figure, not an error
                continue
            try:
                if text.lower() in SUPPRESSION_CODES:
                    value, suppression = None, text.lower()
                else:
                    value, suppression = number(mapping.column, text), ""
                    if mapping.is_derived:
                        denominator = denominator_of(held_denominators, mapping, level, code, as_at.year)
                        value = (
                            derived_rate(value, denominator, mapping.multiplier, mapping.decimal_places)
                            if denominator
                            else None
                        )
                        if value is None:
                            no_denominator[mapping].append(f"{name or code} {as_at.year}")
                            continue
                    if problem := value_problem(value, indicator.unit):
                        raise Fail(mapping.column, text, problem)
            except Fail as fail:
                parsed.problems.append(
                    Problem(
                        line, fail.column, fail.value, f"{fail.message} (or a DfE code c, k, u, x, z, low)"
                    )
                )
                continue
            parsed.add(
                planned, line,
                {"indicator_id": indicator.pk, "as_at": as_at, "level": level, "area_code": code[:20],
                 "area_name": name[:100], "region_name": region[:100], "value": value,
                 "suppression": suppression,
                 "source": table.name[:300]},
            )  # fmt: skip
    for mapping, areas in no_denominator.items():
        parsed.warnings.append(
            f"{mapping.indicator.code}: no {mapping.denominator.code} figure "
            f"({mapping.denominator_year_offset:+d} year) to divide by for {len(areas)} area-year"
            f"{'s' if len(areas) != 1 else ''} ({listed(areas)}), so no rate is set for them. "
            f"Import the {mapping.denominator.title} file first if it is missing"
        )
    for mapping, lines in blanks.items():
        parsed.warnings.append(
            f"{mapping.column}: {len(lines)} empty cell{'s' if len(lines) != 1 else ''} (line"
            f"{'s' if len(lines) != 1 else ''} {listed([str(n) for n in lines])}) left out: no figure for "
            f"{mapping.indicator.code} there, not a zero"
        )
    latest: dict[int, date] = {}
    for row in planned.rows:
        latest[row["indicator_id"]] = max(latest.get(row["indicator_id"], row["as_at"]), row["as_at"])
    for row in planned.rows:
        row["file_latest"] = latest[row["indicator_id"]]
    parsed.planned.append(planned)
    check_publication_order(planned, parsed, context, bool(options.get("override_older")))


def check_publication_order(planned: Planned, parsed: Parsed, context: dict, override: bool) -> None:
    """An older publication never replaces a newer one's figures without the override; the
    preview tells value changes from source-only ones; an authority held for a date but missing
    from a file at least as new is flagged."""
    if not planned.rows:
        return
    indicators = {row["indicator_id"] for row in planned.rows}
    dates = {row["as_at"] for row in planned.rows}
    held = {
        (r.indicator_id, r.as_at, r.level, r.area_code): r
        for r in AreaValue.objects.filter(indicator_id__in=indicators, as_at__in=dates)
    }
    codes = {i.pk: i.code for i in context["indicators"].values()}
    file_latest = {row["indicator_id"]: row["file_latest"] for row in planned.rows}
    value_changes = source_only = refused = 0
    in_file = set()
    for row, line in zip(planned.rows, planned.lines, strict=True):
        key = (row["indicator_id"], row["as_at"], row["level"], row["area_code"])
        in_file.add(key)
        old = held.get(key)
        if old is None:
            continue
        same_figure = (old.value, old.suppression) == (row["value"], row["suppression"])
        if same_figure and old.file_latest and old.file_latest > row["file_latest"]:
            # The same figure in an older file: the newer publication stays its source.
            row["source"], row["file_latest"] = old.source, old.file_latest
            continue
        if same_figure:
            source_only += old.source != row["source"]
            continue
        value_changes += 1
        if old.file_latest and old.file_latest > row["file_latest"] and not override:
            refused += 1
            parsed.problems.append(
                Problem(
                    line, "", "",
                    f"{codes[row['indicator_id']]} {row['area_name'] or row['area_code']} "
                    f"{row['as_at']:%-d %B %Y}: "
                    f"would replace {figure_text(old.value, old.suppression)} from {old.source} "
                    f"(a newer publication, with figures to {old.file_latest:%Y}) with "
                    f"{figure_text(row['value'], row['suppression'])} from this file "
                    f"(figures to {row['file_latest']:%Y}). "
                    "Tick ‘Replace figures from newer publications’ (--override-older) if this is meant",
                )
            )  # fmt: skip
    if value_changes or source_only:
        parsed.notes.append(
            f"{value_changes:,} figure{'s' if value_changes != 1 else ''} would change value; "
            f"{source_only:,} would change only the file named as their source"
        )
    missing = defaultdict(list)
    for key, old in held.items():
        if key in in_file or old.level != GeographicLevel.LOCAL_AUTHORITY:
            continue
        if old.file_latest and old.file_latest > file_latest[old.indicator_id]:
            continue  # this file is older than the one that gave the figure
        missing[(old.indicator_id, old.as_at)].append(f"{old.area_name} ({old.area_code})")
    for (indicator_id, as_at), areas in sorted(
        missing.items(), key=lambda item: (codes[item[0][0]], item[0][1])
    ):
        parsed.warnings.append(
            f"{codes[indicator_id]} {as_at:%-d %B %Y}: "
            f"{len(areas)} authorit{'ies' if len(areas) > 1 else 'y'} "
            f"held from an earlier file {'are' if len(areas) > 1 else 'is'} not in this one and keep "
            f"{'their' if len(areas) > 1 else 'its'} earlier figure: {listed(sorted(areas))}"
        )


def figure_text(value: Decimal | None, suppression: str) -> str:
    return plain_number(value) if value is not None else f"code {suppression}"
