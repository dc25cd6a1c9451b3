"""Reading a DfE mapping as a person writes it, for the mappings page and the ``dfe-mappings``
import alike: one set of rules, each refusal naming the field and saying how to write it."""

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from kpis.dfe_rules import RuleError, filters_text, parse_filters, parse_stands_on, stands_on_text
from kpis.models import DfeMapping, Indicator

FIELDS = [
    "indicator_code",
    "column",
    "filters",
    "stands_on",
    "publication",
    "denominator",
    "denominator_year_offset",
    "multiplier",
    "decimal_places",
    "rank_polarity",
    "definition_note",
    "description",
]
REQUIRED = ["indicator_code", "column", "stands_on", "publication"]
RANK_POLARITIES = {"": "", "higher": "higher", "lower": "lower", "none": "none"}
MAX_PLACES = 6
REQUIRED_MESSAGES = {
    "indicator_code": "indicator code is required",
    "column": "column is required",
    "stands_on": "stands on is required (the month and day each figure describes, such as 03-31)",
    "publication": "publication is required (such as Children's social work workforce): a file with some of "
    "a publication's columns is then warned about each mapped column it lacks",
}


@dataclass
class MappingProblem:
    field: str
    value: str
    message: str


def clean_mapping(raw: dict[str, str], indicators: dict[str, Indicator]) -> tuple[dict, list[MappingProblem]]:
    """``raw`` (text by field name) -> the row DfeMapping holds, and every problem found."""
    problems: list[MappingProblem] = []
    text = {name: (raw.get(name) or "").strip() for name in FIELDS}

    def fail(name: str, message: str) -> None:
        problems.append(MappingProblem(name, text[name], message))

    for name in REQUIRED:
        if not text[name]:
            fail(name, REQUIRED_MESSAGES[name])
    indicator = indicators.get(text["indicator_code"]) if text["indicator_code"] else None
    if text["indicator_code"] and indicator is None:
        fail(
            "indicator_code",
            "no indicator has this code; add the indicator under Administration first, or use one of "
            + ", ".join(list(indicators)[:12])
            + ("…" if len(indicators) > 12 else ""),
        )
    filters = ""
    try:
        filters = filters_text(parse_filters(text["filters"]))
    except RuleError as exc:
        fail("filters", str(exc))
    stands_on = ""
    if text["stands_on"]:
        try:
            stands_on = stands_on_text(*parse_stands_on(text["stands_on"]))
        except RuleError as exc:
            fail("stands_on", str(exc))
    if len(text["column"]) > 100:
        fail("column", "a column name is at most 100 characters")
    if len(text["publication"]) > 100:
        fail("publication", "a publication's name is at most 100 characters")
    if len(filters) > 500:
        fail("filters", "the filters are at most 500 characters")
    denominator = None
    if text["denominator"]:
        denominator = indicators.get(text["denominator"])
        if denominator is None:
            fail("denominator", "no indicator has this code (the denominator is an indicator's code)")
        elif indicator is not None and denominator.pk == indicator.pk:
            fail("denominator", "an indicator cannot be its own denominator")
    offset = 0
    if text["denominator_year_offset"]:
        try:
            offset = int(text["denominator_year_offset"])
            if not -5 <= offset <= 5:
                raise ValueError
        except ValueError:
            fail("denominator_year_offset", "a whole number of years from -5 to 5, such as -1")
    multiplier = Decimal(1)
    if text["multiplier"]:
        try:
            multiplier = Decimal(text["multiplier"].replace(",", ""))
            if not multiplier.is_finite() or multiplier <= 0 or multiplier >= Decimal(10) ** 8:
                raise InvalidOperation
        except InvalidOperation:
            fail("multiplier", "a number above 0, such as 10000 for a rate per 10,000")
    places = None
    if text["decimal_places"]:
        try:
            places = int(text["decimal_places"])
            if not 0 <= places <= MAX_PLACES:
                raise ValueError
        except ValueError:
            fail("decimal_places", f"a whole number from 0 to {MAX_PLACES}")
    if not text["denominator"]:
        only_derived = "only a derived rate (one with a denominator) uses this; clear it or add a denominator"
        if offset != 0:
            fail("denominator_year_offset", only_derived)
        if multiplier != 1:
            fail("multiplier", only_derived)
        if places is not None:
            fail("decimal_places", only_derived)
    if denominator is not None:
        if not text["multiplier"]:
            fail("multiplier", "a derived rate needs its multiplier, such as 10000 for a rate per 10,000")
        if places is None:
            fail("decimal_places", "a derived rate needs the decimal places it is rounded to, such as 1")
    rank_polarity = text["rank_polarity"].lower()
    if rank_polarity not in RANK_POLARITIES:
        fail("rank_polarity", "blank (the indicator's own polarity), higher, lower or none")
        rank_polarity = ""
    row = {
        "indicator_id": indicator.pk if indicator else None,
        "column": text["column"],
        "filters": filters,
        "stands_on": stands_on,
        "publication": text["publication"],
        "denominator_id": denominator.pk if denominator else None,
        "denominator_year_offset": offset if denominator else 0,
        "multiplier": multiplier if denominator else Decimal(1),
        "decimal_places": places if denominator else None,
        "rank_polarity": rank_polarity,
        "definition_note": text["definition_note"],
        "description": text["description"][:300],
    }
    return row, problems


def mapping_as_text(mapping: DfeMapping) -> dict[str, str]:
    """A mapping as the fields a person edits (the inverse of ``clean_mapping``)."""
    return {
        "indicator_code": mapping.indicator.code,
        "column": mapping.column,
        "filters": mapping.filters,
        "stands_on": mapping.stands_on,
        "publication": mapping.publication,
        "denominator": mapping.denominator.code if mapping.denominator_id else "",
        "denominator_year_offset": str(mapping.denominator_year_offset) if mapping.denominator_id else "",
        "multiplier": f"{mapping.multiplier.normalize():f}" if mapping.denominator_id else "",
        "decimal_places": "" if mapping.decimal_places is None else str(mapping.decimal_places),
        "rank_polarity": mapping.rank_polarity,
        "definition_note": mapping.definition_note,
        "description": mapping.description,
    }


CONFLICT_FIELDS = ("indicator_id", "column", "filters", "stands_on")


def same_day_conflict(row: dict, others) -> str:
    """Why ``row`` cannot sit beside the ``others`` (dicts of CONFLICT_FIELDS), or "": one indicator
    takes one figure for each area on each day, so two columns standing on the same day collide."""
    for other in others:
        if (other["indicator_id"], other["stands_on"]) != (row["indicator_id"], row["stands_on"]):
            continue
        if (other["column"], other["filters"]) == (row["column"], row["filters"]):
            continue  # the same mapping, being changed
        return (
            f"this indicator is already fed on {row['stands_on']} by the column {other['column']}"
            + (f" [{other['filters']}]" if other["filters"] else "")
            + "; one indicator takes one figure a day, so change that mapping or its day instead"
        )
    return ""
