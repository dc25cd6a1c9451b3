"""The improvement plans the board papers set out: the 2018 plan's eight priorities and its aim of
'Requires Improvement' by 2020 and 'Good' by 2022, and the Improvement Plan 2021-2024's priorities,
enablers and measures of success (linked to the indicators that measure them)."""

from kpis.models import (
    Expected,
    ImprovementPlan,
    MeasureKind,
    PlanMilestone,
    PlanPriority,
    PriorityKind,
    SuccessMeasure,
)


def load_improvement_plans(loader, indicators: dict) -> None:
    from sct_monitor.seed import as_choice, as_date, as_int, upsert

    rows = []
    for cell in loader.table("improvement_plans.csv", ["name", "starts", "ends", "summary", "source"]).rows():
        rows.append(
            {
                "name": cell("name").text,
                "starts": as_date(cell("starts"), blank=True),
                "ends": as_date(cell("ends"), blank=True),
                "summary": cell("summary").text,
                "source": cell("source").text,
            }
        )
    plans = upsert(ImprovementPlan, ["name"], rows)
    loader.results["improvement plans"] = plans

    def plan_of(cell) -> int:
        if (cell.text,) not in plans.objects:
            raise cell.error("no such plan in improvement_plans.csv")
        return plans.objects[(cell.text,)].pk

    rows = []
    columns = ["plan", "kind", "number", "area", "title", "description", "source"]
    for cell in loader.table("plan_priorities.csv", columns).rows():
        rows.append(
            {
                "plan_id": plan_of(cell("plan")),
                "kind": as_choice(cell("kind"), PriorityKind),
                "number": as_int(cell("number")),
                "area": cell("area").text,
                "title": cell("title").text,
                "description": cell("description").text,
                "source": cell("source").text,
            }
        )
    loader.results["improvement plan priorities"] = upsert(PlanPriority, ["plan_id", "kind", "number"], rows)

    rows = []
    columns = ["plan", "kind", "order", "text", "indicator_code", "expected", "source"]
    for cell in loader.table("success_measures.csv", columns).rows():
        code = cell("indicator_code")
        expected = as_choice(cell("expected"), Expected) if cell("expected").text else ""
        if expected and not code.text:
            raise cell("expected").error("an expected direction needs the indicator it is measured by")
        rows.append(
            {
                "plan_id": plan_of(cell("plan")),
                "kind": as_choice(cell("kind"), MeasureKind),
                "order": as_int(cell("order")),
                "text": cell("text").text,
                "indicator_id": loader.indicator_for(code, indicators).pk if code.text else None,
                "expected": expected,
                "source": cell("source").text,
            }
        )
    loader.results["improvement plan measures"] = upsert(SuccessMeasure, ["plan_id", "kind", "order"], rows)

    rows = []
    for cell in loader.table("plan_milestones.csv", ["plan", "by", "outcome", "statement", "source"]).rows():
        rows.append(
            {
                "plan_id": plan_of(cell("plan")),
                "by": as_date(cell("by")),
                "outcome": cell("outcome").text,
                "statement": cell("statement").text,
                "source": cell("source").text,
            }
        )
    loader.results["improvement plan milestones"] = upsert(PlanMilestone, ["plan_id", "by", "outcome"], rows)
