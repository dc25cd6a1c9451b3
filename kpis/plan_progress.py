"""Pure rules for the improvement plans: is a success measure moving the way the plan hopes, and
has a milestone judgement been reached."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

# Ofsted's four judgements, worst first; the papers write them in several ways.
JUDGEMENT_RANK = {
    "inadequate": 0,
    "requires improvement": 1,
    "requires improvement to be good": 1,
    "good": 2,
    "outstanding": 3,
}


def judgement_rank(judgement: str) -> int | None:
    return JUDGEMENT_RANK.get(judgement.strip().lower())


@dataclass(frozen=True)
class MeasureTrend:
    """How a linked indicator has moved against what the plan expects."""

    words: str
    on_track: bool | None  # None when there is nothing to judge


def measure_trend(
    expected: str, start: Decimal | None, latest: Decimal | None, band: Decimal
) -> MeasureTrend:
    """Compare the latest figure with the figure when the plan began, for a plan that hopes a
    figure will increase or decrease. Movement within the indicator's no-change band is no change."""
    if not expected:
        return MeasureTrend("not a figure", None)
    if start is None or latest is None:
        return MeasureTrend("not enough figures to tell", None)
    movement = latest - start
    if abs(movement) <= band:
        return MeasureTrend("no change", False)
    rising = movement > 0
    hoped = rising == (expected == "increase")
    direction = "up" if rising else "down"
    return MeasureTrend(f"{direction}, as hoped" if hoped else f"{direction}, the wrong way", hoped)


@dataclass(frozen=True)
class MilestoneResult:
    verdict: str  # Met, Met late, Not met, Not yet due
    words: str
    met: bool | None  # None while the date is still ahead and nothing has met it


@dataclass(frozen=True)
class FullInspection:
    on: date
    judgement: str
    label: str


def meets(inspection: FullInspection, wanted: int) -> bool:
    rank = judgement_rank(inspection.judgement)
    return rank is not None and rank >= wanted


def sentence(inspection: FullInspection) -> str:
    return f"{inspection.label[0].upper()}{inspection.label[1:]} judged {inspection.judgement}"


def milestone_result(
    outcome: str, by: date, inspections: list[FullInspection], today: date
) -> MilestoneResult:
    """Whether a plan's aim (say 'Good' by the end of 2022) was reached by its date: the judgement
    of the latest full inspection on or before that date; else the first later one that reached it."""
    wanted = judgement_rank(outcome)
    if wanted is None:
        return MilestoneResult("Not judged", f"'{outcome}' is not one of Ofsted's judgements", None)
    ordered = sorted(inspections, key=lambda i: i.on)
    by_then = [i for i in ordered if i.on <= by]
    later = [i for i in ordered if i.on > by]
    if by_then and meets(by_then[-1], wanted):
        return MilestoneResult("Met", sentence(by_then[-1]), True)
    if by >= today:
        so_far = f"; the latest, {by_then[-1].label}, judged {by_then[-1].judgement}" if by_then else ""
        return MilestoneResult("Not yet due", f"Due {by:%-d %B %Y}{so_far}", None)
    reached_later = [i for i in later if meets(i, wanted)]
    if reached_later:
        return MilestoneResult("Met late", sentence(reached_later[0]), False)
    if not by_then:
        return MilestoneResult("Not met", f"No full inspection by {by:%-d %B %Y}", False)
    latest = by_then[-1]
    since = f"; since then {later[-1].label} judged {later[-1].judgement}" if later else ""
    return MilestoneResult(
        "Not met",
        f"The latest full inspection by {by:%-d %B %Y}, {latest.label}, judged {latest.judgement}{since}",
        False,
    )
