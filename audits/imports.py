"""Import kinds for the assurance datasets, on the shared preview and all-or-nothing path.

Each parser binds every row, reports "row N, column: problem" for each bad one, and plans the
rows for one upsert by their natural key; nothing is written unless every row is good.
"""

from collections.abc import Callable
from datetime import date, datetime

from audits.models import (
    Action,
    ActionRag,
    ActionState,
    AuditActivity,
    AuditFinding,
    AuditReturn,
    ComplaintsMonth,
    ComplaintsSplit,
    FindingKind,
    Inspection,
    InspectionItem,
    ItemKind,
    ItemState,
    Plan,
    Risk,
    RiskCategory,
    RiskTrend,
    Survey,
)
from kpis.models import ReportedFigure, Unit
from sct_monitor.importing.kinds import (
    Fail,
    Kind,
    Parsed,
    Planned,
    Problem,
    choice,
    month,
    number,
    table_rows,
    whole,
)
from sct_monitor.importing.reading import RawTable
from sct_monitor.periods import Period
from sct_monitor.record_views import DATE_FORMATS


def day(column: str, text: str, blank: bool = False) -> date | None:
    """A date as people write it: 2019-02-28, 28/02/2019 or 28 February 2019."""
    cleaned = text.strip()
    if not cleaned:
        if blank:
            return None
        raise Fail(column, text, "a date is required")
    for pattern in DATE_FORMATS:
        try:
            return datetime.strptime(cleaned, pattern).date()
        except ValueError:
            continue
    raise Fail(column, text, "not a date such as 28/02/2019 or 2019-02-28")


def period_key(column: str, text: str) -> str:
    try:
        return Period.from_key(text.strip()).key
    except ValueError:
        raise Fail(column, text, "not a period such as 2018-10 (a month) or 2018-19-q3 (a quarter)") from None


def required(column: str, text: str) -> str:
    if not text.strip():
        raise Fail(column, text, "this column cannot be blank")
    return text.strip()


def score(column: str, text: str) -> int | None:
    value = whole(column, text, blank=True)
    if value is not None and not 1 <= value <= 5:
        raise Fail(column, text, "a score from 1 to 5")
    return value


def each_row(
    table: RawTable,
    parsed: Parsed,
    progress: Callable,
    wanted: dict,
    needed: set[str],
    planned: Planned,
    bind: Callable,
) -> None:
    """Bind every line with ``bind(get)``; collect its problem or plan its row."""
    columns, lines = table_rows(table, parsed, wanted, needed)
    for count, (line, cells) in enumerate(lines, start=1):
        progress(count, len(lines))
        parsed.rows_read += 1

        def get(name: str, cells=cells) -> str:
            return columns.get(cells, name)

        try:
            row = bind(get)
        except Fail as fail:
            parsed.problems.append(Problem(line, fail.column, fail.value, fail.message))
            continue
        parsed.add(planned, line, row)
    parsed.planned.append(planned)


def parse_audit_findings(table: RawTable, context: dict, parsed: Parsed, progress: Callable) -> None:
    """period,theme,kind,order,text,source"""
    wanted = {"period": (), "theme": (), "kind": (), "order": (), "text": ("finding",), "source": ()}

    def bind(get):
        return {
            "period": period_key("period", get("period")),
            "theme": required("theme", get("theme"))[:300],
            "kind": choice("kind", get("kind"), FindingKind),
            "order": whole("order", get("order")),
            "text": required("text", get("text")),
            "source": get("source")[:300],
        }

    planned = Planned(AuditFinding, ["period", "theme", "kind", "order"])
    each_row(table, parsed, progress, wanted, {"period", "theme", "kind", "order", "text"}, planned, bind)


def parse_complaints_areas(table: RawTable, context: dict, parsed: Parsed, progress: Callable) -> None:
    """period,service_area,percent,source"""
    wanted = {"period": (), "service_area": ("area",), "percent": ("share",), "source": ()}

    def bind(get):
        percent = number("percent", get("percent"))
        if not 0 <= percent <= 100:
            raise Fail("percent", get("percent"), "a percentage must be between 0 and 100")
        return {
            "period": period_key("period", get("period")),
            "service_area": required("service_area", get("service_area"))[:100],
            "percent": percent,
            "source": get("source")[:300],
        }

    planned = Planned(ComplaintsSplit, ["period", "service_area"])
    each_row(table, parsed, progress, wanted, {"period", "service_area", "percent"}, planned, bind)


def parse_inspection_items(table: RawTable, context: dict, parsed: Parsed, progress: Callable) -> None:
    """inspection (the number in its page's address),kind,order,text,due,state,met_on,evidence,source"""
    inspections = set(Inspection.objects.values_list("pk", flat=True))
    wanted = {
        "inspection_id": ("inspection",), "kind": (), "order": (), "text": (), "reference": (), "due": (),
        "state": (), "met_on": ("met",), "evidence": (), "source": (),
    }  # fmt: skip

    def bind(get):
        inspection = whole("inspection_id", get("inspection_id"))
        if inspection not in inspections:
            raise Fail("inspection_id", get("inspection_id"), "no inspection has this number")
        state = choice("state", get("state"), ItemState) if get("state") else ItemState.OPEN
        met_on = day("met_on", get("met_on"), blank=True)
        if state == ItemState.MET and met_on is None:
            raise Fail("met_on", "", "a met item needs the date it was met")
        return {
            "inspection_id": inspection,
            "kind": choice("kind", get("kind"), ItemKind),
            "order": whole("order", get("order")),
            "text": required("text", get("text")),
            "reference": get("reference")[:300],
            "due": day("due", get("due"), blank=True),
            "state": state,
            "met_on": met_on,
            "evidence": get("evidence"),
            "source": get("source")[:300],
        }

    planned = Planned(InspectionItem, ["inspection_id", "kind", "order"])
    each_row(table, parsed, progress, wanted, {"inspection_id", "kind", "order", "text"}, planned, bind)


def parse_plan_actions(table: RawTable, context: dict, parsed: Parsed, progress: Callable) -> None:
    """plan (the number in its page's address),order,text,owner,due,state,rag,done_on"""
    plans = set(Plan.objects.values_list("pk", flat=True))
    wanted = {
        "plan_id": ("plan",), "order": (), "text": ("action",), "owner": (), "due": (), "state": (),
        "rag": (), "done_on": ("done",),
    }  # fmt: skip

    def bind(get):
        plan = whole("plan_id", get("plan_id"))
        if plan not in plans:
            raise Fail("plan_id", get("plan_id"), "no plan has this number")
        state = choice("state", get("state"), ActionState) if get("state") else ActionState.UNKNOWN
        done_on = day("done_on", get("done_on"), blank=True)
        if state == ActionState.DONE and done_on is None:
            raise Fail("done_on", "", "a done action needs the date it was done")
        return {
            "plan_id": plan,
            "order": whole("order", get("order")),
            "text": required("text", get("text")),
            "owner": required("owner", get("owner"))[:200],
            "due": day("due", get("due"), blank=True),
            "state": state,
            "rag": choice("rag", get("rag"), ActionRag) if get("rag") else ActionRag.NONE,
            "done_on": done_on,
        }

    planned = Planned(Action, ["plan_id", "order"])
    each_row(table, parsed, progress, wanted, {"plan_id", "order", "text", "owner"}, planned, bind)


def parse_risks(table: RawTable, context: dict, parsed: Parsed, progress: Callable) -> None:
    """title,category,description,likelihood,impact,trend,owner,source,quote"""
    wanted = {
        "title": ("risk",), "category": (), "description": (), "likelihood": (), "impact": (), "trend": (),
        "owner": (), "source": (), "quote": (),
    }  # fmt: skip

    def bind(get):
        return {
            "title": required("title", get("title"))[:300],
            "category": choice("category", get("category"), RiskCategory),
            "description": get("description"),
            "likelihood": score("likelihood", get("likelihood")),
            "impact": score("impact", get("impact")),
            "trend": choice("trend", get("trend"), RiskTrend) if get("trend") else RiskTrend.UNKNOWN,
            "owner": get("owner")[:200],
            "source": get("source")[:300],
            "quote": get("quote"),
        }

    planned = Planned(Risk, ["title"])
    each_row(table, parsed, progress, wanted, {"title", "category"}, planned, bind)


def parse_surveys(table: RawTable, context: dict, parsed: Parsed, progress: Callable) -> None:
    """title,period,as_at,sent,responses,findings,source,quote"""
    wanted = {
        "title": ("survey",), "period": (), "as_at": ("date",), "sent": (), "responses": (),
        "findings": (), "source": (), "quote": (),
    }  # fmt: skip

    def bind(get):
        sent = whole("sent", get("sent"), blank=True)
        responses = whole("responses", get("responses"), blank=True)
        if sent is not None and responses is not None and responses > sent:
            raise Fail("responses", get("responses"), f"more responses than the {sent} sent")
        return {
            "title": required("title", get("title"))[:300],
            "period": required("period", get("period"))[:100],
            "as_at": day("as_at", get("as_at"), blank=True),
            "sent": sent,
            "responses": responses,
            "findings": get("findings"),
            "source": get("source")[:300],
            "quote": get("quote"),
        }

    planned = Planned(Survey, ["title", "period"])
    each_row(table, parsed, progress, wanted, {"title", "period"}, planned, bind)


def parse_workforce(table: RawTable, context: dict, parsed: Parsed, progress: Callable) -> None:
    """series,label,value,period,as_at,source,quote (workforce counts the papers give)"""
    from kpis.workforce_views import WORKFORCE_SERIES

    wanted = {
        "series": (), "label": ("figure",), "value": (), "period": (), "as_at": ("date",), "source": (),
        "quote": (),
    }  # fmt: skip

    def bind(get):
        series = get("series").strip().lower().replace(" ", "_")
        if series and series not in WORKFORCE_SERIES:
            raise Fail("series", get("series"), f"not one of {', '.join(WORKFORCE_SERIES)} (or blank)")
        value = number("value", get("value"))
        if value < 0:
            raise Fail("value", get("value"), "a count cannot be negative")
        return {
            "topic": "Workforce",
            "series": series,
            "label": required("label", get("label"))[:300],
            "value": value,
            "unit": Unit.NUMBER,
            "period": required("period", get("period"))[:100],
            "as_at": day("as_at", get("as_at"), blank=True),
            "source": required("source", get("source"))[:300],
            "quote": get("quote"),
        }

    planned = Planned(ReportedFigure, ["label", "period", "source"])
    each_row(table, parsed, progress, wanted, {"label", "value", "period", "source"}, planned, bind)


# --- audits and complaints ----------------------------------------------------------

AUDIT_COUNTS = {
    "target": (),
    "completed": ("actual",),
    "rated_outstanding": ("outstanding",),
    "rated_good": ("good", "g"),
    "rated_requires_improvement": ("requires_improvement", "ri"),
    "rated_inadequate": ("inadequate", "i"),
    "moderation_agreed": ("agreed",),
    "moderation_upgraded": ("upgraded",),
    "moderation_downgraded": ("downgraded",),
}


def parse_audits(table: RawTable, context: dict, parsed: Parsed, progress: Callable) -> None:
    """month,activity,target,completed,outstanding,good,requires_improvement,inadequate,theme and,
    for moderations, moderation_agreed, moderation_upgraded, moderation_downgraded"""
    wanted = {"month": (), "activity": ("service",), **AUDIT_COUNTS, "theme": ()}
    columns, lines = table_rows(table, parsed, wanted, {"month", "activity", "completed"})
    planned = Planned(AuditReturn, ["month", "activity"])
    for count, (line, cells) in enumerate(lines, start=1):
        progress(count, len(lines))
        parsed.rows_read += 1
        try:
            row = {
                "month": month("month", columns.get(cells, "month")),
                "activity": choice("activity", columns.get(cells, "activity"), AuditActivity),
            }
            for name in AUDIT_COUNTS:
                # A file without the moderation columns leaves the held moderation figures alone.
                if name in columns.index or not name.startswith("moderation_"):
                    row[name] = whole(name, columns.get(cells, name), blank=True)
            if "theme" in columns.index:
                row["theme"] = columns.get(cells, "theme")
        except Fail as fail:
            parsed.problems.append(Problem(line, fail.column, fail.value, fail.message))
            continue
        parsed.add(planned, line, row)
    parsed.planned.append(planned)


def parse_complaints(table: RawTable, context: dict, parsed: Parsed, progress: Callable) -> None:
    """month,compliments,complaints,percent_responded_in_timescale"""
    wanted = {
        "month": (),
        "compliments_received": ("compliments",),
        "complaints_received": ("complaints",),
        "percent_responded_in_timescale": (
            "percent_in_timescale",
            "responded_in_timescale",
            "%_of_complaints_responded_to_in_timescales",
        ),
    }
    columns, lines = table_rows(
        table, parsed, wanted, {"month", "compliments_received", "complaints_received"}
    )
    planned = Planned(ComplaintsMonth, ["month"])
    for count, (line, cells) in enumerate(lines, start=1):
        progress(count, len(lines))
        parsed.rows_read += 1
        try:
            percent = number(
                "percent_responded_in_timescale", columns.get(cells, "percent_responded_in_timescale"), True
            )
            if percent is not None and not 0 <= percent <= 100:
                raise Fail(
                    "percent_responded_in_timescale", str(percent), "a percentage must be between 0 and 100"
                )
            row = {
                "month": month("month", columns.get(cells, "month")),
                "compliments_received": whole(
                    "compliments_received", columns.get(cells, "compliments_received")
                ),
                "complaints_received": whole(
                    "complaints_received", columns.get(cells, "complaints_received")
                ),
                "percent_responded_in_timescale": percent,
            }
        except Fail as fail:
            parsed.problems.append(Problem(line, fail.column, fail.value, fail.message))
            continue
        parsed.add(planned, line, row)
    parsed.planned.append(planned)


KINDS = [
    Kind(
        "audits",
        "Audit returns",
        "month, activity, target, completed, outstanding, good, requires_improvement, inadequate, "
        "moderation_agreed, moderation_upgraded, moderation_downgraded, theme",
        parse_audits,
    ),
    Kind(
        "complaints",
        "Complaints and compliments",
        "month, compliments, complaints, percent_responded_in_timescale",
        parse_complaints,
    ),
    Kind(
        "audit-findings",
        "Audit findings by theme",
        "period (2018-10 or 2018-19-q3), theme, kind (good_practice, improve or action), order, text, source",
        parse_audit_findings,
    ),
    Kind(
        "complaints-areas",
        "Complaints by service area",
        "period (2018-19-q3), service_area, percent, source",
        parse_complaints_areas,
    ),
    Kind(
        "inspection-items",
        "Inspection requirements and recommendations",
        "inspection (the number in its page's address), kind (requirement, recommendation, improvement "
        "or strength), order, text, reference, due, state (open, met or closed), met_on, evidence, "
        "source",
        parse_inspection_items,
    ),
    Kind(
        "plan-actions",
        "Action and rectification plan actions",
        "plan (the number in its page's address), order, text, owner (a role or team), due, "
        "state (not_started, in_progress or done), rag, done_on",
        parse_plan_actions,
    ),
    Kind(
        "risks",
        "Key risks",
        "title, category (strategic, financial or operational), description, likelihood (1-5), "
        "impact (1-5), trend (rising, steady or falling), owner, source, quote",
        parse_risks,
    ),
    Kind(
        "surveys",
        "Surveys",
        "title, period, as_at, sent, responses, findings, source, quote",
        parse_surveys,
    ),
    Kind(
        "workforce",
        "Workforce counts",
        "series (establishment, in_post, permanent, agency, vacancies, case_holders, asye or blank), "
        "label, value, period, as_at, source, quote",
        parse_workforce,
    ),
]
