"""What stands out on the overview for officers and administrators: overdue plan actions and
overdue inspection requirements and recommendations."""

from dataclasses import dataclass, field
from datetime import date

from audits.models import Action, ActionState, InspectionItem, ItemKind, ItemState


@dataclass
class Overdue:
    actions: list[Action] = field(default_factory=list)
    items: list[InspectionItem] = field(default_factory=list)

    @property
    def anything(self) -> bool:
        return bool(self.actions or self.items)


def overdue_on(today: date) -> Overdue:
    """Two queries, whatever the number of plans and inspections."""
    actions = (
        Action.objects.exclude(state=ActionState.DONE)
        .filter(due__lt=today)
        .select_related("plan")
        .order_by("due", "plan__title", "order")
    )
    items = (
        InspectionItem.objects.filter(
            state=ItemState.OPEN,
            due__lt=today,
            kind__in=[ItemKind.REQUIREMENT, ItemKind.RECOMMENDATION],
        )
        .select_related("inspection")
        .order_by("inspection__start_date", "inspection_id", "due", "order")  # grouped by inspection
    )
    return Overdue(list(actions), list(items))
