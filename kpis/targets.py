"""Targets and thresholds: how a target is described in words, and what makes one valid.

The same checks serve the year's edit form and the ``targets`` import, so a refusal reads the
same wherever it comes from.
"""

import hashlib
import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from finance.periods import financial_year_bounds, financial_year_label
from kpis.formatting import format_value
from kpis.models import Indicator, Polarity, Target, TargetJudgement
from kpis.months import parse_month
from kpis.rules import value_problem
from kpis.scorecard import opening_month, target_text

_DAY_NUMERIC = re.compile(r"^\s*(\d{1,2})\s*[/.\s-]\s*(\d{1,2})\s*[/.\s-]\s*(\d{4})\s*$")
_DAY_WORDS = re.compile(r"^\s*(\d{1,2})\s+([A-Za-z]+)\s+(\d{4})\s*$")
JUDGED_WORDS = {
    "monthly": TargetJudgement.EVERY_MONTH,
    "every month": TargetJudgement.EVERY_MONTH,
    "trajectory": TargetJudgement.TRAJECTORY,
    "straight line": TargetJudgement.TRAJECTORY,
    "at_due_date": TargetJudgement.AT_DUE_DATE,
    "at due date": TargetJudgement.AT_DUE_DATE,
    "at date": TargetJudgement.AT_DUE_DATE,
    "end point": TargetJudgement.AT_DUE_DATE,
}


def parse_day(text: str) -> date:
    """``2023-03-31``, ``31/03/2023``, ``31 3 2023`` or ``31 March 2023`` -> a date."""
    text = text.strip()
    try:
        return date.fromisoformat(text)
    except ValueError:
        pass
    numeric = _DAY_NUMERIC.match(text)
    if numeric:
        day, month, year = (int(part) for part in numeric.groups())
        try:
            return date(year, month, day)
        except ValueError:
            raise ValueError(f"{text!r} is not a real date") from None
    words = _DAY_WORDS.match(text)
    if words:
        try:
            month = parse_month(f"{words.group(2)} {words.group(3)}")
            return month.replace(day=int(words.group(1)))
        except ValueError:
            raise ValueError(f"{text!r} is not a real date") from None
    raise ValueError(f"{text!r} is not a date such as 31/03/2023 or 31 March 2023")


def parse_judged(text: str) -> str:
    cleaned = " ".join(text.strip().lower().replace("-", " ").split())
    if cleaned.replace(" ", "_") in TargetJudgement.values:
        return cleaned.replace(" ", "_")
    if cleaned in JUDGED_WORDS:
        return JUDGED_WORDS[cleaned]
    raise ValueError(f"{text!r} is not one of monthly, trajectory or at_due_date")


@dataclass
class TargetEntry:
    """A target as entered for one indicator and year; ``value`` None means no target."""

    value: Decimal | None
    value_to: Decimal | None = None
    amber_tolerance: Decimal = Decimal(0)
    judged: str = TargetJudgement.EVERY_MONTH
    due: date | None = None

    def same_as(self, target: Target | None) -> bool:
        if target is None:
            return self.value is None
        return (self.value, self.value_to, self.amber_tolerance, self.judged, self.due) == (
            target.value,
            target.value_to,
            target.amber_tolerance,
            target.judged,
            target.due,
        )


def target_problems(indicator: Indicator, financial_year: int, entry: TargetEntry) -> list[tuple[str, str]]:
    """(field, message) for each thing wrong with ``entry``; fields are target, to, tolerance, judged, due."""
    problems: list[tuple[str, str]] = []
    if entry.value is None:
        if entry.value_to is not None or entry.due is not None or entry.judged != TargetJudgement.EVERY_MONTH:
            problems.append(("target", "Enter the target, or clear the range, date and how it is judged"))
        return problems
    if indicator.polarity == Polarity.NONE:
        problems.append(
            ("target", "This is a demand measure (neither higher nor lower is better), so it has no target")
        )
        return problems
    for name, number in (("target", entry.value), ("to", entry.value_to)):
        if number is not None and (problem := value_problem(number, indicator.unit)):
            problems.append((name, problem[0].upper() + problem[1:]))
    if entry.value_to is not None and entry.value_to <= entry.value:
        problems.append(
            ("to", "The end of a range must be more than its start (enter 15 to 18, not 18 to 15)")
        )
    if entry.amber_tolerance < 0:
        problems.append(("tolerance", "The amber tolerance cannot be negative"))
    if entry.judged == TargetJudgement.EVERY_MONTH:
        if entry.due is not None:
            problems.append(("due", "Remove the date, or choose how an end-point target is judged"))
    elif entry.due is None:
        problems.append(("due", "Enter the date an end-point target is to be met by"))
    else:
        first, last = financial_year_bounds(financial_year)
        if not first <= entry.due <= last:
            problems.append(
                ("due", f"The date must fall within {financial_year_label(financial_year)} "
                        f"({first.day} {first:%B %Y} to {last.day} {last:%B %Y})")
            )  # fmt: skip
    return problems


def threshold_problem(value: Decimal | None, what: str) -> str:
    if value is not None and value < 0:
        return f"The {what} cannot be negative"
    return ""


def judgement_in_words(target: Target, indicator: Indicator, opening: Decimal | None = None) -> str:
    """How the target judges the year, in a sentence the board can read."""
    text = target_text(target, indicator)
    unit = " points" if indicator.unit == "percentage" else ""
    tolerance = format_value(target.amber_tolerance, indicator.unit, indicator.decimal_places).rstrip("%")
    amber = (
        f" Amber when worse by up to {tolerance}{unit}; Red beyond that."
        if target.amber_tolerance
        else " No Amber band: worse than the target is Red."
    )
    worse_end = " (judged against the worse end of the range)" if target.value_to is not None else ""
    if target.judged == TargetJudgement.EVERY_MONTH:
        return f"Every month against {text}{worse_end}.{amber}"
    due = f"{target.due.day} {target.due:%B %Y}"
    if target.judged == TargetJudgement.AT_DUE_DATE:
        return (
            f"An end-point target, judged only at its date: {text}. Months before {target.due:%B %Y} have no "
            f"status against it.{amber}"
        )
    start = opening_month(target.financial_year)
    opening_text = (
        format_value(opening, indicator.unit, indicator.decimal_places)
        if opening is not None
        else "no value yet"
    )
    return (
        f"An end-point target: {text}. Each month before then is judged against a straight line from the "
        f"value for {start:%B %Y} ({opening_text}) to the target at {due}.{amber}"
    )


def year_fingerprint(financial_year: int, indicators: list[Indicator], targets: dict[int, Target]) -> str:
    """A digest of the year's targets and thresholds: a form opened before another save is refused."""

    parts = []
    for indicator in indicators:
        target = targets.get(indicator.pk)
        held = (
            (target.value, target.value_to, target.amber_tolerance, target.judged, target.due)
            if target
            else None
        )
        parts.append(repr((indicator.pk, indicator.significant_variance, indicator.no_change_band, held)))
    return hashlib.sha256(f"{financial_year}|{'|'.join(parts)}".encode()).hexdigest()


@dataclass(frozen=True)
class Thresholds:
    significant_variance: Decimal | None
    no_change_band: Decimal

    def same_as(self, indicator: Indicator) -> bool:
        return (self.significant_variance, self.no_change_band) == (
            indicator.significant_variance,
            indicator.no_change_band,
        )


def save_year(
    financial_year: int,
    indicators: list[Indicator],
    targets: dict[int, Target],
    entries: dict[int, TargetEntry],
    thresholds: dict[int, Thresholds],
    reason: str,
    user,
) -> list[str]:
    """Write what changed for the year, each change in history with its reason; returns what changed."""
    changed = []
    for indicator in indicators:
        entry, held = entries[indicator.pk], targets.get(indicator.pk)
        if not entry.same_as(held):
            if entry.value is None:
                held._change_reason, held._history_user = reason, user
                held.delete()
                changed.append(f"{indicator.code} target removed")
            else:
                target = held or Target(indicator=indicator, financial_year=financial_year)
                target.value, target.value_to, target.amber_tolerance = (
                    entry.value,
                    entry.value_to,
                    entry.amber_tolerance,
                )
                target.judged, target.due = entry.judged, entry.due
                target._change_reason, target._history_user = reason, user
                target.save()
                changed.append(f"{indicator.code} target {'set' if held is None else 'changed'}")
        limits = thresholds[indicator.pk]
        if not limits.same_as(indicator):
            indicator.significant_variance, indicator.no_change_band = (
                limits.significant_variance,
                limits.no_change_band,
            )
            indicator._change_reason, indicator._history_user = reason, user
            indicator.save(update_fields=["significant_variance", "no_change_band"])
            changed.append(f"{indicator.code} thresholds changed")
    return changed
