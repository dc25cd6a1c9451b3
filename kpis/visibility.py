"""Which monthly values a user may see: board members see published figures only."""

from django.db.models import QuerySet

from kpis.models import MonthlyValue, ValueStatus


def sees_drafts(user) -> bool:
    """Officers and administrators also see draft and submitted (provisional) figures."""
    return user.has_perm("kpis.add_monthlyvalue")


def visible_values(user) -> QuerySet[MonthlyValue]:
    values = MonthlyValue.objects.all()
    return values if sees_drafts(user) else values.filter(status=ValueStatus.PUBLISHED)
