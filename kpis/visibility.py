"""Which monthly values a user may see.

Board members see what was published: the current published snapshot of each month, which
stays in place while a month is reopened for a correction. Officers and administrators see the
working figures, drafts included (marked Provisional).
"""

from django.db.models import QuerySet

from kpis.models import MonthlyValue, PublishedValue


def sees_drafts(user) -> bool:
    """Officers and administrators also see draft and submitted (provisional) figures."""
    return user.has_perm("kpis.add_monthlyvalue")


def visible_values(user) -> QuerySet:
    if sees_drafts(user):
        return MonthlyValue.objects.all()
    return PublishedValue.objects.filter(is_current=True)
