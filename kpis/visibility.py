"""Which monthly values a user may see.

Board members see what was published: the current published snapshot of each month, which
stays in place while a month is reopened for a correction. Officers and administrators see the
working figures, drafts included (marked Provisional).
"""

from django.db.models import QuerySet

from kpis.models import MonthlyValue, Publication, PublishedValue


def sees_drafts(user) -> bool:
    """Officers and administrators also see draft and submitted (provisional) figures."""
    return user.has_perm("kpis.add_monthlyvalue")


def visible_values(user) -> QuerySet:
    return values_of_kind(values_kind(user))


WORKING, PUBLISHED = "working", "published"


def values_kind(user) -> str:
    """Which figures the user reads, as a name that a remembered result can be keyed on."""
    return WORKING if sees_drafts(user) else PUBLISHED


def values_of_kind(kind: str) -> QuerySet:
    if kind == WORKING:
        return MonthlyValue.objects.all()
    return PublishedValue.objects.filter(is_current=True)


def in_published_months() -> QuerySet:
    """Figures of months that have been published: what checks every role can read may look at."""
    return MonthlyValue.objects.filter(month__in=Publication.objects.values("month"))


def visible_series(user, indicator_ids) -> dict[int, list[tuple]]:
    """Each indicator's figures the user may see, oldest first, as (month, value): one query."""
    series: dict[int, list[tuple]] = {}
    rows = (
        visible_values(user)
        .filter(indicator_id__in=indicator_ids, value__isnull=False)
        .order_by("month")
        .values_list("indicator_id", "month", "value")
    )
    for indicator_id, month, value in rows:
        series.setdefault(indicator_id, []).append((month, value))
    return series
