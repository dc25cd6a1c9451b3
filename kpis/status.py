"""How an indicator's month is judged: RAG status, direction of travel, comparison.

Pure functions over numbers; the callers fetch targets and comparators and format labels.

Status (see the "How statuses are worked out" page):
- with a target for the month's financial year, Green when the value is on or better than
  target (by polarity), Amber when worse by no more than the target's tolerance, else Red;
  an end-point target is judged against its straight-line trajectory, or only from its date;
- else, with a statistical-neighbour value for the period, the same rule against it (then
  against England), using the indicator's own amber tolerance;
- else, and always for indicators without polarity: No status.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum

from kpis.models import Polarity


class Rag(StrEnum):
    RED = "red"
    AMBER = "amber"
    GREEN = "green"
    NONE = "none"

    @property
    def label(self) -> str:
        return "No status" if self is Rag.NONE else self.value.capitalize()


@dataclass(frozen=True)
class Benchmark:
    """What a value is judged against: a target, or a comparator average.

    ``value`` is None when a target applies but does not judge this month (an end-point target
    before its date, or a trajectory with no opening value); ``label`` then says why.
    """

    kind: str  # "target", "sn" or "england"
    value: Decimal | None
    tolerance: Decimal
    label: str  # "target 85.0%", "SN average 81.5%", "trajectory 832 towards 796 by 31 March 2023"


@dataclass(frozen=True)
class Status:
    rag: Rag
    basis: str

    @property
    def label(self) -> str:
        return self.rag.label


def shortfall(value: Decimal, benchmark: Decimal, polarity: str) -> Decimal:
    """How far ``value`` is worse than ``benchmark``; zero or less when it is as good or better."""
    return benchmark - value if polarity == Polarity.HIGHER_IS_BETTER else value - benchmark


def judge(value: Decimal, polarity: str, benchmark: Benchmark) -> Rag:
    if polarity == Polarity.NONE:
        return Rag.NONE
    worse_by = shortfall(value, benchmark.value, polarity)
    if worse_by <= 0:
        return Rag.GREEN
    if worse_by <= benchmark.tolerance:
        return Rag.AMBER
    return Rag.RED


def choose_benchmark(*candidates: Benchmark | None) -> Benchmark | None:
    """The first available of target, SN average and England average, in that order."""
    return next((candidate for candidate in candidates if candidate is not None), None)


def status_of(value: Decimal | None, polarity: str, *candidates: Benchmark | None) -> Status:
    if polarity == Polarity.NONE:
        return Status(Rag.NONE, "demand measure: no better or worse")
    if value is None:
        return Status(Rag.NONE, "no value this month")
    benchmark = choose_benchmark(*candidates)
    if benchmark is None:
        return Status(Rag.NONE, "no target or comparator")
    if benchmark.value is None:
        return Status(Rag.NONE, benchmark.label)
    return Status(judge(value, polarity, benchmark), benchmark.label)


def months_between(start: date, end: date) -> int:
    """Whole months from ``start``'s month to ``end``'s month (negative if ``end`` is earlier)."""
    return (end.year - start.year) * 12 + end.month - start.month


def trajectory_point(
    opening: Decimal, target: Decimal, opening_month: date, due: date, month: date
) -> Decimal:
    """Where a straight line from ``opening`` (in ``opening_month``) to ``target`` (in ``due``'s
    month) stands in ``month``; the target itself from the due month on."""
    total = months_between(opening_month, due)
    done = months_between(opening_month, month)
    if total <= 0 or done >= total:
        return target
    if done <= 0:
        return opening
    return opening + (target - opening) * done / total


class Movement(StrEnum):
    UP = "up"
    DOWN = "down"
    SAME = "no change"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class Change:
    """A movement against a reference value, judged by polarity."""

    movement: Movement
    delta: Decimal | None = None
    judgement: str = ""  # "improving", "worsening" or "" (no polarity, no change, unknown)
    note: str = ""  # why unknown, or how the reference was made

    @property
    def known(self) -> bool:
        return self.movement is not Movement.UNKNOWN


def change_between(
    current: Decimal | None, reference: Decimal | None, polarity: str, band: Decimal, missing: str
) -> Change:
    """Up, down or no change (within ``band``) from ``reference`` to ``current``."""
    if current is None:
        return Change(Movement.UNKNOWN, note="no value this month")
    if reference is None:
        return Change(Movement.UNKNOWN, note=missing)
    delta = current - reference
    if abs(delta) <= band:
        return Change(Movement.SAME, delta)
    movement = Movement.UP if delta > 0 else Movement.DOWN
    if polarity == Polarity.NONE:
        return Change(movement, delta)
    better = (delta > 0) == (polarity == Polarity.HIGHER_IS_BETTER)
    return Change(movement, delta, "improving" if better else "worsening")


def average_of_available(values: Sequence[Decimal | None]) -> tuple[Decimal | None, int]:
    """Mean of the values present, and how many there were."""
    present = [value for value in values if value is not None]
    if not present:
        return None, 0
    return sum(present, Decimal(0)) / len(present), len(present)


def change_on_three_month_average(
    current: Decimal | None, previous_three: Sequence[Decimal | None], polarity: str, band: Decimal
) -> Change:
    """Change against the mean of the three months before; says when fewer than three exist."""
    average, count = average_of_available(previous_three)
    change = change_between(current, average, polarity, band, "no values in the three months before")
    if change.known and count < len(previous_three):
        return Change(change.movement, change.delta, change.judgement, f"average of {count} of 3 months")
    return change


def compare_with_comparator(
    value: Decimal | None, comparator: Decimal | None, polarity: str, band: Decimal
) -> str:
    """``better``, ``worse`` or ``similar`` (within ``band``) than a comparator; ``""`` if unknown."""
    if value is None or comparator is None or polarity == Polarity.NONE:
        return ""
    worse_by = shortfall(value, comparator, polarity)
    if abs(worse_by) <= band:
        return "similar"
    return "worse" if worse_by > 0 else "better"


def worsening_run(values: Sequence[Decimal | None], polarity: str, band: Decimal) -> int:
    """How many periods running, up to the last, each moved the worse way (beyond ``band``).

    ``values`` are oldest first; a missing value ends the run, as does a demand measure.
    """
    run = 0
    for later, earlier in zip(reversed(values), list(reversed(values))[1:], strict=False):
        if change_between(later, earlier, polarity, band, "").judgement != "worsening":
            break
        run += 1
    return run


def status_run(rags: Sequence[Rag], rag: Rag = Rag.RED) -> int:
    """How many periods running, up to the last, had status ``rag`` (oldest first)."""
    run = 0
    for each in reversed(rags):
        if each is not rag:
            break
        run += 1
    return run
