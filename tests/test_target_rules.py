"""Targets as pure rules: trajectories, end-point dates, ranges, validation, words; on their boundaries."""

from datetime import date
from decimal import Decimal

import pytest

from kpis.models import Indicator, Polarity, Target, TargetJudgement, Unit
from kpis.scorecard import target_benchmark
from kpis.status import Rag, status_of, trajectory_point
from kpis.targets import TargetEntry, judgement_in_words, parse_day, parse_judged, target_problems

D = Decimal
MARCH_2022, DUE = date(2022, 3, 1), date(2023, 3, 31)
TRAJECTORY = TargetJudgement.TRAJECTORY


def indicator(unit=Unit.COUNT, polarity=Polarity.LOWER_IS_BETTER, places=0) -> Indicator:
    return Indicator(
        code="X", title="X", unit=unit, polarity=polarity, decimal_places=places, frequency="monthly"
    )


def cla_target(judged=TargetJudgement.TRAJECTORY) -> Target:
    return Target(financial_year=2022, value=D(796), amber_tolerance=D(0), judged=judged, due=DUE)


@pytest.mark.parametrize(
    ("month", "expected"),
    [
        (date(2022, 3, 1), D(844)),  # the opening month: the opening value
        (date(2022, 4, 1), D(840)),  # one twelfth of the way
        (date(2022, 6, 1), D(832)),
        (date(2022, 9, 1), D(820)),  # half way
        (date(2023, 2, 1), D(800)),
        (date(2023, 3, 1), D(796)),  # the due month: the target
        (date(2023, 6, 1), D(796)),  # after it: still the target
    ],
)
def test_a_trajectory_runs_straight_from_the_opening_value_to_the_target(month, expected):
    assert trajectory_point(D(844), D(796), MARCH_2022, DUE, month) == expected


def test_a_trajectory_due_in_its_opening_month_is_the_target_itself():
    assert trajectory_point(D(844), D(796), MARCH_2022, date(2022, 3, 31), MARCH_2022) == D(796)


def test_june_2022_is_red_against_the_trajectory_and_on_it_is_green():
    benchmark = target_benchmark(cla_target(), indicator(), date(2022, 6, 1), D(844))
    assert (benchmark.value, benchmark.label) == (
        D(832),
        "trajectory 832 towards target 796 by 31 March 2023",
    )
    assert status_of(D(848), Polarity.LOWER_IS_BETTER, benchmark).rag is Rag.RED
    assert status_of(D(832), Polarity.LOWER_IS_BETTER, benchmark).rag is Rag.GREEN


def test_the_trajectory_point_is_rounded_as_the_indicator_is_shown():
    # A sixth of the way from 801 to 800 is 800.83: a count is shown, and so judged, as 801.
    target = Target(financial_year=2022, value=D(800), judged=TRAJECTORY, due=date(2022, 9, 30),
                    amber_tolerance=D(0))  # fmt: skip
    benchmark = target_benchmark(target, indicator(), date(2022, 4, 1), D(801))
    assert benchmark.value == D(801)


def test_a_trajectory_without_an_opening_value_says_so_and_judges_nothing():
    benchmark = target_benchmark(cla_target(), indicator(), date(2022, 6, 1), None)
    assert benchmark.value is None
    status = status_of(D(848), Polarity.LOWER_IS_BETTER, benchmark)
    assert (status.rag, status.basis) == (
        Rag.NONE,
        "target 796 by 31 March 2023: no value for March 2022 to start its trajectory",
    )


def test_a_target_judged_only_at_its_date_gives_no_status_before_the_due_month_and_judges_from_it():
    target = cla_target(TargetJudgement.AT_DUE_DATE)
    before = status_of(
        D(848), Polarity.LOWER_IS_BETTER, target_benchmark(target, indicator(), date(2023, 2, 1))
    )
    assert (before.rag, before.basis) == (Rag.NONE, "target 796 by 31 March 2023 is judged only at that date")
    at = status_of(D(811), Polarity.LOWER_IS_BETTER, target_benchmark(target, indicator(), date(2023, 3, 1)))
    assert (at.rag, at.basis) == (Rag.RED, "target 796 by 31 March 2023")


@pytest.mark.parametrize(
    ("value", "rag"),
    [(D(18), Rag.GREEN), (D("18.5"), Rag.AMBER), (D("19"), Rag.AMBER), (D("19.01"), Rag.RED)],
)
def test_a_range_is_judged_against_its_worse_end_with_the_amber_tolerance(value, rag):
    target = Target(financial_year=2018, value=D(15), value_to=D(18), amber_tolerance=D(1))
    caseloads = indicator(Unit.NUMBER, Polarity.LOWER_IS_BETTER, 2)
    benchmark = target_benchmark(target, caseloads, date(2018, 10, 1))
    assert benchmark.label == "target 15.00 to 18.00"
    assert status_of(value, Polarity.LOWER_IS_BETTER, benchmark).rag is rag


def test_a_higher_is_better_range_is_judged_against_its_low_end():
    target = Target(financial_year=2018, value=D(80), value_to=D(90), amber_tolerance=D(0))
    assert target.judged_value(Polarity.HIGHER_IS_BETTER) == D(80)
    assert target.judged_value(Polarity.LOWER_IS_BETTER) == D(90)


LOWER, HIGHER, NONE = Polarity.LOWER_IS_BETTER, Polarity.HIGHER_IS_BETTER, Polarity.NONE
BAD_TARGETS = [
    (TargetEntry(D(120)), Unit.PERCENTAGE, HIGHER, "target", "A percentage must be between 0 and 100"),
    (TargetEntry(D(18), D(15)), Unit.NUMBER, LOWER, "to", "The end of a range must be more than its start"),
    (TargetEntry(D(18), D(18)), Unit.NUMBER, LOWER, "to", "The end of a range must be more than its start"),
    (TargetEntry(D(796), judged=TRAJECTORY), Unit.COUNT, LOWER, "due", "Enter the date an end-point target"),
    (TargetEntry(D(796), judged=TRAJECTORY, due=date(2023, 4, 1)), Unit.COUNT, LOWER, "due",
     "The date must fall within 2022/23 (1 April 2022 to 31 March 2023)"),
    (TargetEntry(D(796), due=date(2023, 3, 31)), Unit.COUNT, LOWER, "due", "Remove the date, or choose how"),
    (TargetEntry(D(5)), Unit.RATE_PER_10000, NONE, "target", "This is a demand measure"),
    (TargetEntry(None, D(5)), Unit.NUMBER, LOWER, "target", "Enter the target, or clear the range"),
    (TargetEntry(D(5), amber_tolerance=D(-1)), Unit.NUMBER, LOWER, "tolerance", "cannot be negative"),
    (TargetEntry(D("2.5")), Unit.COUNT, LOWER, "target", "A count must be a whole number"),
]  # fmt: skip


@pytest.mark.parametrize(("entry", "unit", "polarity", "field", "message"), BAD_TARGETS)
def test_each_invalid_target_gets_a_specific_reason(entry, unit, polarity, field, message):
    problems = target_problems(indicator(unit, polarity), 2022, entry)
    assert any(name == field and message in text for name, text in problems), problems


def test_a_due_date_on_the_last_day_of_the_year_is_accepted():
    entry = TargetEntry(D(796), judged=TargetJudgement.AT_DUE_DATE, due=date(2023, 3, 31))
    assert target_problems(indicator(), 2022, entry) == []


@pytest.mark.parametrize(
    "text", ["2023-03-31", "31/03/2023", "31/3/2023", "31 3 2023", "31 March 2023", "31 Mar 2023"]
)
def test_a_due_date_is_read_as_people_write_it(text):
    assert parse_day(text) == date(2023, 3, 31)


@pytest.mark.parametrize("text", ["31/02/2023", "March", "2023-13-01", "31 Smarch 2023"])
def test_a_date_that_is_not_one_is_refused(text):
    with pytest.raises(ValueError):
        parse_day(text)


@pytest.mark.parametrize(
    ("text", "judged"),
    [("monthly", "monthly"), ("Every month", "monthly"), ("trajectory", "trajectory"),
     ("at due date", "at_due_date"),
     ("at_due_date", "at_due_date"), ("At-date", "at_due_date")],
)  # fmt: skip
def test_how_a_target_is_judged_is_read_in_words_too(text, judged):
    assert parse_judged(text) == judged


def test_each_way_of_judging_is_said_in_words():
    cla = indicator()
    assert judgement_in_words(cla_target(), cla, D(844)) == (
        "An end-point target: 796 by 31 March 2023. Each month before then is judged against a straight line "
        "from the value for March 2022 (844) to the target at 31 March 2023. "
        "No Amber band: worse than the target is Red."
    )
    assert judgement_in_words(cla_target(TargetJudgement.AT_DUE_DATE), cla).startswith(
        "An end-point target, judged only at its date: 796 by 31 March 2023. "
        "Months before March 2023 have no status"
    )
    agency = Target(financial_year=2018, value=D(20), amber_tolerance=D("2.5"))
    assert judgement_in_words(agency, indicator(Unit.PERCENTAGE, places=1)) == (
        "Every month against 20.0%. Amber when worse by up to 2.5 points; Red beyond that."
    )
