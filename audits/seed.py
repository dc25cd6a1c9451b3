"""The assurance datasets of the board papers: audit findings, complaints' split, themes and
learning, what inspections asked for, plans and their actions, risks and surveys.

Called by the seed load (``sct_monitor.seed``) inside its transaction, with its readers, so errors
name the file, line, column and value and nothing is written unless everything loads.
"""

from audits.models import (
    Action,
    ActionRag,
    ActionState,
    AuditFinding,
    ComplaintsNote,
    ComplaintsNoteKind,
    ComplaintsSplit,
    FindingKind,
    InspectionItem,
    ItemKind,
    ItemState,
    Plan,
    PlanKind,
    PlanOrigin,
    Risk,
    RiskCategory,
    RiskTrend,
    Survey,
)
from sct_monitor.periods import Period


def period_key(loader_cell) -> str:
    try:
        return Period.from_key(loader_cell.text).key
    except ValueError as exc:
        raise loader_cell.error(str(exc)) from None


def load_assurance(loader, inspections: dict, indicators: dict) -> None:
    from sct_monitor.seed import as_choice, as_date, as_decimal, as_int, upsert

    rows = []
    for cell in loader.table(
        "audit_findings.csv", ["period", "theme", "kind", "order", "text", "source"]
    ).rows():
        rows.append(
            {
                "period": period_key(cell("period")),
                "theme": cell("theme").text,
                "kind": as_choice(cell("kind"), FindingKind),
                "order": as_int(cell("order")),
                "text": cell("text").text,
                "source": cell("source").text,
            }
        )
    loader.results["audit findings"] = upsert(AuditFinding, ["period", "theme", "kind", "order"], rows)

    rows = []
    for cell in loader.table(
        "complaints_splits.csv", ["period", "service_area", "percent", "source", "quote"]
    ).rows():
        percent = as_decimal(cell("percent"))
        if not 0 <= percent <= 100:
            raise cell("percent").error("a percentage must be between 0 and 100")
        rows.append(
            {
                "period": period_key(cell("period")),
                "service_area": cell("service_area").text,
                "percent": percent,
                "source": f"{cell('source').text}: \u201c{cell('quote').text}\u201d"[:300],
            }
        )
    loader.results["complaints by service area"] = upsert(ComplaintsSplit, ["period", "service_area"], rows)

    rows = []
    for cell in loader.table("complaints_notes.csv", ["period", "kind", "order", "text", "source"]).rows():
        rows.append(
            {
                "period": period_key(cell("period")),
                "kind": as_choice(cell("kind"), ComplaintsNoteKind),
                "order": as_int(cell("order")),
                "text": cell("text").text,
                "source": cell("source").text,
            }
        )
    loader.results["complaints themes and learning"] = upsert(
        ComplaintsNote, ["period", "kind", "order"], rows
    )

    rows = []
    columns = [
        "inspection_key",
        "kind",
        "order",
        "text",
        "reference",
        "due",
        "state",
        "met_on",
        "evidence",
        "source",
    ]
    for cell in loader.table("inspection_items.csv", columns).rows():
        key = cell("inspection_key")
        if key.text not in inspections:
            raise key.error("no such inspection key in inspections.csv")
        rows.append(
            {
                "inspection_id": inspections[key.text].pk,
                "kind": as_choice(cell("kind"), ItemKind),
                "order": as_int(cell("order")),
                "text": cell("text").text,
                "reference": cell("reference").text,
                "due": as_date(cell("due"), blank=True),
                "state": as_choice(cell("state"), ItemState),
                "met_on": as_date(cell("met_on"), blank=True),
                "evidence": cell("evidence").text,
                "source": cell("source").text,
            }
        )
        if rows[-1]["state"] == ItemState.MET and rows[-1]["met_on"] is None:
            raise cell("met_on").error("a met item needs the date it was met")
    loader.results["inspection requirements and recommendations"] = upsert(
        InspectionItem, ["inspection_id", "kind", "order"], rows
    )

    plans, keys = [], {}
    columns = [
        "key",
        "kind",
        "title",
        "origin",
        "inspection_key",
        "indicator_code",
        "owner",
        "started",
        "summary",
        "source",
    ]
    for cell in loader.table("plans.csv", columns).rows():
        inspection, code = cell("inspection_key"), cell("indicator_code")
        if inspection.text and inspection.text not in inspections:
            raise inspection.error("no such inspection key in inspections.csv")
        plans.append(
            {
                "kind": as_choice(cell("kind"), PlanKind),
                "title": cell("title").text,
                "origin": as_choice(cell("origin"), PlanOrigin),
                "inspection_id": inspections[inspection.text].pk if inspection.text else None,
                "indicator_id": loader.indicator_for(code, indicators).pk if code.text else None,
                "owner": cell("owner").text,
                "started": as_date(cell("started"), blank=True),
                "summary": cell("summary").text,
                "source": cell("source").text,
            }
        )
        keys[cell("key").text] = (plans[-1]["kind"], plans[-1]["title"])
    result = upsert(Plan, ["kind", "title"], plans)
    loader.results["action and rectification plans"] = result

    actions = []
    for cell in loader.table(
        "plan_actions.csv", ["plan_key", "order", "text", "owner", "due", "state", "rag", "done_on"]
    ).rows():
        key = cell("plan_key")
        if key.text not in keys:
            raise key.error("no such plan key in plans.csv")
        actions.append(
            {
                "plan_id": result.objects[keys[key.text]].pk,
                "order": as_int(cell("order")),
                "text": cell("text").text,
                "owner": cell("owner").text,
                "due": as_date(cell("due"), blank=True),
                "state": as_choice(cell("state"), ActionState),
                "rag": as_choice(cell("rag"), ActionRag),
                "done_on": as_date(cell("done_on"), blank=True),
            }
        )
    loader.results["plan actions"] = upsert(Action, ["plan_id", "order"], actions)

    rows = []
    columns = [
        "title",
        "category",
        "description",
        "likelihood",
        "impact",
        "trend",
        "owner",
        "source",
        "quote",
    ]
    for cell in loader.table("risks.csv", columns).rows():
        scores = {name: as_int(cell(name), blank=True) for name in ("likelihood", "impact")}
        for name, score in scores.items():
            if score is not None and not 1 <= score <= 5:
                raise cell(name).error("a score is 1 to 5")
        rows.append(
            {
                "title": cell("title").text,
                "category": as_choice(cell("category"), RiskCategory),
                "description": cell("description").text,
                **scores,
                "trend": as_choice(cell("trend"), RiskTrend),
                "owner": cell("owner").text,
                "source": cell("source").text,
                "quote": cell("quote").text,
            }
        )
    loader.results["risks"] = upsert(Risk, ["title"], rows)

    rows = []
    columns = ["title", "period", "as_at", "sent", "responses", "findings", "source", "quote"]
    for cell in loader.table("surveys.csv", columns).rows():
        sent, responses = as_int(cell("sent"), blank=True), as_int(cell("responses"), blank=True)
        if sent is not None and responses is not None and responses > sent:
            raise cell("responses").error("more responses than questionnaires sent")
        rows.append(
            {
                "title": cell("title").text,
                "period": cell("period").text,
                "as_at": as_date(cell("as_at"), blank=True),
                "sent": sent,
                "responses": responses,
                "findings": cell("findings").text,
                "source": cell("source").text,
                "quote": cell("quote").text,
            }
        )
    loader.results["surveys"] = upsert(Survey, ["title", "period"], rows)
