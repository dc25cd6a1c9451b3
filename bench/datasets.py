"""Generated indicator data at scale, for the query-budget tests and the benchmarks."""

from datetime import date
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from kpis.models import ComparatorValue, Indicator, MonthlyReturn, MonthlyValue, Target, ValueStatus
from kpis.publishing import refresh_published_months
from kpis.scorecard import add_months

# The seed's latest month, so that generated rows land on the overview too.
LAST_MONTH = date(2023, 2, 1)


@transaction.atomic  # publishing locks the months' returns, as an import's transaction does
def generate(first: int, last: int, months: int) -> None:
    """Indicators G<first>..G<last-1> with ``months`` monthly values ending LAST_MONTH, a target
    and an SN comparator each, so that statuses, movements and comparisons all have work to do.
    The months are published, as board members read them."""
    indicators = Indicator.objects.bulk_create(
        Indicator(
            code=f"G{i}", title=f"Generated {i}", service_area=f"Area {i % 7}", frequency="monthly",
            polarity="higher", unit="percentage", display_order=1000 + i,
        )
        for i in range(first, last)
    )  # fmt: skip
    MonthlyValue.objects.bulk_create(
        (
            MonthlyValue(
                indicator=indicator, month=add_months(LAST_MONTH, -m), value=Decimal(40 + (i + m) % 50),
                unit="percentage", status=ValueStatus.PUBLISHED, commentary="Generated",
            )
            for i, indicator in enumerate(indicators)
            for m in range(months)
        ),
        batch_size=5000,
    )  # fmt: skip
    Target.objects.bulk_create(
        Target(indicator=indicator, financial_year=2022, value=70, amber_tolerance=5)
        for indicator in indicators
    )
    ComparatorValue.objects.bulk_create(
        ComparatorValue(
            indicator=indicator, comparator="sn", period_start=date(2013, 1, 1),
            period_end=date(2023, 12, 31),
            value=60, unit="percentage", source="generated",
        )
        for indicator in indicators
    )  # fmt: skip
    written = [add_months(LAST_MONTH, -m) for m in range(months)]
    held = set(MonthlyReturn.objects.filter(month__in=written).values_list("month", flat=True))
    MonthlyReturn.objects.bulk_create(
        MonthlyReturn(month=month, status=ValueStatus.PUBLISHED) for month in written if month not in held
    )
    refresh_published_months(written, None, "Generated data", timezone.now())
