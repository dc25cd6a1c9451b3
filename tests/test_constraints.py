"""The database itself refuses impossible values, whatever code path writes them."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from audits.models import AuditActivity, AuditReturn, ComplaintsMonth
from finance.models import BudgetLine, FinancialYear, SpendingLine, SpendingSummary
from kpis.models import ComparatorValue, Indicator, MonthlyValue, Target

pytestmark = pytest.mark.django_db


def indicator(unit: str, code: str = "T1") -> Indicator:
    return Indicator.objects.create(
        code=code, title=f"Test {unit}", frequency="monthly", polarity="higher", unit=unit
    )


def rejected(**fields) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        MonthlyValue.objects.create(month=date(2030, 1, 1), **fields)


def test_a_percentage_above_100_is_rejected():
    rejected(indicator=indicator("percentage"), value=Decimal("100.01"))


def test_a_negative_percentage_is_rejected():
    rejected(indicator=indicator("percentage"), value=Decimal("-0.1"))


def test_percentages_at_0_and_100_are_accepted():
    pct = indicator("percentage")
    MonthlyValue.objects.create(indicator=pct, month=date(2030, 1, 1), value=0)
    MonthlyValue.objects.create(indicator=pct, month=date(2030, 2, 1), value=100)


def test_a_negative_count_is_rejected():
    rejected(indicator=indicator("count"), value=-1)


def test_a_fractional_count_is_rejected():
    rejected(indicator=indicator("count"), value=Decimal("2.5"))


def test_a_negative_rate_is_rejected():
    rejected(indicator=indicator("rate_per_10000"), value=Decimal("-3"))


def test_a_count_above_100_is_accepted():
    MonthlyValue.objects.create(indicator=indicator("count"), month=date(2030, 1, 1), value=258)


def test_a_second_value_for_the_same_indicator_and_month_is_rejected():
    pct = indicator("percentage")
    MonthlyValue.objects.create(indicator=pct, month=date(2030, 1, 1), value=50)
    rejected(indicator=pct, value=60)


def test_a_value_must_not_also_carry_a_missing_reason():
    rejected(indicator=indicator("percentage"), value=50, missing_reason="not_collected")


def test_a_missing_value_needs_a_reason():
    rejected(indicator=indicator("percentage"), value=None, missing_reason="")


def test_a_missing_value_with_a_reason_is_accepted():
    row = MonthlyValue.objects.create(
        indicator=indicator("percentage"), month=date(2030, 1, 1), value=None, missing_reason="not_collected"
    )
    assert row.value is None


def test_a_month_must_be_its_first_day():
    with pytest.raises(IntegrityError), transaction.atomic():
        MonthlyValue.objects.create(indicator=indicator("percentage"), month=date(2030, 1, 15), value=5)


def test_an_unknown_status_is_rejected():
    rejected(indicator=indicator("percentage"), value=5, status="approved")


def test_changing_an_indicator_to_percentage_fails_when_a_value_exceeds_100():
    count = indicator("count")
    MonthlyValue.objects.create(indicator=count, month=date(2030, 1, 1), value=258)
    count.unit = "percentage"
    with pytest.raises(IntegrityError), transaction.atomic():
        count.save()


def test_changing_an_indicator_unit_carries_to_its_values():
    number = indicator("number")
    row = MonthlyValue.objects.create(indicator=number, month=date(2030, 1, 1), value=Decimal("12.5"))
    number.unit = "rate_per_10000"
    number.save()
    row.refresh_from_db()
    assert row.unit == "rate_per_10000"


def test_an_unknown_unit_is_rejected():
    with pytest.raises(IntegrityError), transaction.atomic():
        Indicator.objects.create(code="T9", title="Bad", frequency="monthly", polarity="higher", unit="miles")


def test_indicator_codes_are_unique():
    indicator("count", code="T2")
    with pytest.raises(IntegrityError), transaction.atomic():
        indicator("count", code="T2")


def test_one_target_per_indicator_and_financial_year():
    pct = indicator("percentage")
    Target.objects.create(indicator=pct, financial_year=2030, value=80)
    with pytest.raises(IntegrityError), transaction.atomic():
        Target.objects.create(indicator=pct, financial_year=2030, value=85)


def test_a_negative_amber_tolerance_is_rejected():
    with pytest.raises(IntegrityError), transaction.atomic():
        Target.objects.create(
            indicator=indicator("percentage"), financial_year=2030, value=80, amber_tolerance=-1
        )


def comparator_rejected(**overrides) -> None:
    fields = {
        "indicator": indicator("percentage"), "comparator": "england", "period_start": date(2030, 1, 1),
        "period_end": date(2030, 1, 31), "value": 50, "source": "test", **overrides,
    }  # fmt: skip
    with pytest.raises(IntegrityError), transaction.atomic():
        ComparatorValue.objects.create(**fields)


def test_a_comparator_period_cannot_end_before_it_starts():
    comparator_rejected(period_start=date(2030, 3, 1), period_end=date(2030, 2, 1))


def test_an_other_comparator_must_be_named():
    comparator_rejected(comparator="other", comparator_name="")


def test_a_comparator_percentage_above_100_is_rejected():
    comparator_rejected(value=101)


def test_audit_counts_cannot_be_negative():
    with pytest.raises(IntegrityError), transaction.atomic():
        AuditReturn.objects.create(
            month=date(2030, 1, 1), activity=AuditActivity.CASE_FILE_AUDITS, completed=-1
        )


def test_one_audit_return_per_activity_and_month():
    AuditReturn.objects.create(month=date(2030, 1, 1), activity=AuditActivity.MODERATIONS, completed=3)
    with pytest.raises(IntegrityError), transaction.atomic():
        AuditReturn.objects.create(month=date(2030, 1, 1), activity=AuditActivity.MODERATIONS, completed=4)


def test_complaints_timeliness_cannot_exceed_100_percent():
    with pytest.raises(IntegrityError), transaction.atomic():
        ComplaintsMonth.objects.create(
            month=date(2030, 1, 1),
            complaints_received=1,
            compliments_received=1,
            percent_responded_in_timescale=101,
        )


def test_a_budget_line_needs_an_amount():
    year = FinancialYear.objects.create(start_year=2030)
    with pytest.raises(IntegrityError), transaction.atomic():
        BudgetLine.objects.create(financial_year=year, category="staffing", description="Empty")


def test_spending_cannot_be_negative():
    year = FinancialYear.objects.create(start_year=2031)
    summary = SpendingSummary.objects.create(name="Test summary")
    with pytest.raises(IntegrityError), transaction.atomic():
        SpendingLine.objects.create(
            summary=summary, financial_year=year, period="Q1", category="staffing", label="x", amount=-5
        )
