"""Quality assurance sections of a period's report: 4.2.4 to 4.2.8 and complaints.

A quarter's audit totals are computed from its months; where the paper printed its own quarter
totals (Quarter 3 2018-19), both are shown and any difference is said.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Prefetch, Q

from audits.models import (
    Action,
    ActionState,
    ActionUpdate,
    AuditActivity,
    AuditFinding,
    AuditReturn,
    ComplaintsMonth,
    ComplaintsNote,
    ComplaintsSplit,
    Inspection,
    InspectionItem,
    InspectionJudgement,
    ItemKind,
    ItemState,
    PlanKind,
    Survey,
)
from kpis.models import ReportedFigure
from sct_monitor.periods import Period
from sct_monitor.reporting import ExportTable, Report, Section

RATINGS = (
    ("rated_outstanding", "Outstanding"),
    ("rated_good", "Good"),
    ("rated_requires_improvement", "Requires improvement"),
    ("rated_inadequate", "Inadequate"),
)
# The printed quarter figures, by the start of their label (ReportedFigure, "... (as printed)").
PRINTED = {
    "Case-file audits expected": (AuditActivity.CASE_FILE_AUDITS, "target"),
    "Case-file audits completed": (AuditActivity.CASE_FILE_AUDITS, "completed"),
    "Case-file audits rated Good": (AuditActivity.CASE_FILE_AUDITS, "rated_good"),
    "Case-file audits rated Requires Improvement": (
        AuditActivity.CASE_FILE_AUDITS,
        "rated_requires_improvement",
    ),
    "Case-file audits rated Inadequate": (AuditActivity.CASE_FILE_AUDITS, "rated_inadequate"),
    "Moderations expected": (AuditActivity.MODERATIONS, "target"),
    "Moderations completed": (AuditActivity.MODERATIONS, "completed"),
    "Moderations rated Good": (AuditActivity.MODERATIONS, "rated_good"),
    "Moderations rated Requires Improvement": (AuditActivity.MODERATIONS, "rated_requires_improvement"),
    "Moderations rated Inadequate": (AuditActivity.MODERATIONS, "rated_inadequate"),
}


def percent(part: int | None, whole: int | None) -> Decimal | None:
    if part is None or not whole:
        return None
    return (Decimal(part) * 100 / whole).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


@dataclass
class AuditLine:
    label: str  # "October 2018", "Quarter total", "As printed"
    activity: str
    target: int | None = None
    completed: int | None = None
    ratings: dict[str, int | None] = field(default_factory=dict)
    theme: str = ""

    @property
    def completed_percent(self) -> Decimal | None:
        return percent(self.completed, self.target)

    @property
    def rated_total(self) -> int | None:
        counts = [count for count in self.ratings.values() if count is not None]
        return sum(counts) if counts else None

    def rating_percent(self, name: str) -> Decimal | None:
        """A rating as a share of the audits rated, as the papers give it."""
        return percent(self.ratings.get(name), self.rated_total)

    @property
    def cells(self) -> list[tuple[int | None, Decimal | None]]:
        return [(self.ratings.get(name), self.rating_percent(name)) for name, _ in RATINGS]


def total(values: list[int | None]) -> int | None:
    present = [v for v in values if v is not None]
    return sum(present) if present else None


def audit_lines(period: Period) -> tuple[list[AuditLine], list[str]]:
    """The period's audit lines by activity (months, then the quarter's total and its printed one),
    and the differences the papers contain."""
    returns = AuditReturn.objects.filter(month__in=period.months)
    printed = printed_quarters(period.last_day) if period.kind == "quarter" else {}
    return lines_for(period, list(returns), printed.get(period.last_day, {}))


def lines_for(
    period: Period, returns: list[AuditReturn], printed: dict[str, dict[str, int]]
) -> tuple[list[AuditLine], list[str]]:
    """``audit_lines`` on rows already loaded (a page showing many quarters loads them once)."""
    lines, notes = [], []
    by_activity: dict[str, list[AuditReturn]] = {}
    for row in sorted(returns, key=lambda r: (r.activity, r.month)):
        if period.contains(row.month):
            by_activity.setdefault(row.activity, []).append(row)
    for activity, rows in by_activity.items():
        label = AuditActivity(activity).label
        for row in rows:
            line = AuditLine(f"{row.month:%B %Y}", label, row.target, row.completed,
                             {name: getattr(row, name) for name, _ in RATINGS}, row.theme)  # fmt: skip
            lines.append(line)
            if (
                line.completed is not None
                and line.rated_total is not None
                and line.rated_total != line.completed
            ):
                notes.append(
                    f"{label}, {line.label}: {line.completed} completed, "
                    f"but the ratings add up to {line.rated_total}."
                )
        if period.kind != "quarter" or len(rows) < 2 or all(r.completed is None for r in rows):
            continue
        quarter = AuditLine(
            "Quarter total (sum of the months)",
            label,
            total([r.target for r in rows]),
            total([r.completed for r in rows]),
            {name: total([getattr(r, name) for r in rows]) for name, _ in RATINGS},
        )
        lines.append(quarter)
        held = printed.get(activity)
        if held:
            ratings = {name: held.get(name) for name, _ in RATINGS}
            as_printed = AuditLine(
                "Quarter as printed in the paper", label, held.get("target"), held.get("completed"), ratings
            )
            lines.append(as_printed)
            for name, word in (("target", "expected"), ("completed", "completed")):
                if held.get(name) is not None and held.get(name) != getattr(quarter, name):
                    months = " + ".join(str(getattr(r, name)) for r in rows)
                    notes.append(
                        f"{label}: the paper prints {held[name]} {word} for the quarter, "
                        "but its months add up to "
                        f"{getattr(quarter, name)} ({months}). Both are shown."
                    )
    return lines, notes


def printed_quarters(last_day: date | None = None) -> dict[date, dict[str, dict[str, int]]]:
    """The quarter totals a paper printed, by the quarter's last day, then activity and field:
    for one quarter, or (without ``last_day``) every quarter, in one query."""
    figures = ReportedFigure.objects.filter(topic="Audits", label__endswith="(as printed)")
    if last_day is not None:
        figures = figures.filter(as_at=last_day)
    printed: dict[date, dict[str, dict[str, int]]] = {}
    for figure in figures:
        for prefix, (activity, name) in PRINTED.items():
            if figure.label.startswith(prefix + ","):
                printed.setdefault(figure.as_at, {}).setdefault(activity, {})[name] = int(figure.value)
    return printed


def audit_table(lines: list[AuditLine], period_label: str) -> ExportTable:
    columns = ["Period", "Activity", "Expected", "Completed", "Completed (% of expected)"]
    for _, word in RATINGS:
        columns += [f"Rated {word}", f"Rated {word} (% of rated)"]
    table = ExportTable("audits", f"Audits and moderations, {period_label}", [*columns, "Theme"])
    for line in lines:
        cells = [line.label, line.activity, line.target, line.completed, line.completed_percent]
        for count, share in line.cells:
            cells += [count, share]
        table.rows.append([*cells, line.theme])
    return table


@dataclass
class ComplaintsTotal:
    compliments: int
    complaints: int
    percent_in_timescale: Decimal | None


def complaints_for(period: Period) -> tuple[list[ComplaintsMonth], ComplaintsTotal | None]:
    months = list(ComplaintsMonth.objects.filter(month__in=period.months).order_by("month"))
    return months, complaints_total(period, months)


def complaints_total(period: Period, months: list[ComplaintsMonth]) -> ComplaintsTotal | None:
    """A quarter's totals from its months (given already loaded); None for a single month."""
    months = [m for m in months if period.contains(m.month)]
    if period.kind != "quarter" or not months:
        return None
    complaints = sum(m.complaints_received for m in months)
    timed = [m for m in months if m.percent_responded_in_timescale is not None]
    weight = sum(m.complaints_received for m in timed)
    share = (
        (sum(m.percent_responded_in_timescale * m.complaints_received for m in timed) / weight).quantize(
            Decimal("0.1"), rounding=ROUND_HALF_UP
        )
        if weight
        else None
    )
    return ComplaintsTotal(sum(m.compliments_received for m in months), complaints, share)


def inspections_for(report: Report) -> list[Inspection]:
    """Inspections and visits that took place, or were published, in the period."""
    start, end = report.period.start, report.period.last_day
    return list(
        Inspection.objects.filter(Q(start_date__range=(start, end)) | Q(published_date__range=(start, end)))
        .prefetch_related(Prefetch("judgements", queryset=InspectionJudgement.objects.order_by("order")))
        .order_by("start_date")
    )


@dataclass
class ActionAtEnd:
    """An action as it stood at the end of the report's period."""

    action: Action
    done: bool
    overdue: bool
    latest_update: ActionUpdate | None

    @property
    def state(self) -> str:
        if self.overdue:
            return "Overdue"
        return "Done" if self.done else self.action.get_state_display()


def actions_at(report: Report, kinds: Sequence[str]) -> dict[str, list[ActionAtEnd]]:
    """The plan actions of each of ``kinds`` that existed by the period's end, done or not as
    they stood then: read together, in the two queries one kind would take."""
    end = report.period.last_day
    actions = (
        Action.objects.filter(plan__kind__in=kinds)
        .exclude(plan__started__gt=end)
        .select_related("plan")
        .prefetch_related(
            Prefetch("updates", queryset=ActionUpdate.objects.filter(on__lte=end).order_by("on", "id"))
        )
        .order_by("plan__title", "order")
    )
    found: dict[str, list[ActionAtEnd]] = {kind: [] for kind in kinds}
    for action in actions:
        done = action.state == ActionState.DONE and (action.done_on is None or action.done_on <= end)
        overdue = not done and action.due is not None and action.due < end
        updates = list(action.updates.all())
        found[action.plan.kind].append(ActionAtEnd(action, done, overdue, updates[-1] if updates else None))
    return found


def actions_table(slug: str, caption: str, rows: list[ActionAtEnd]) -> ExportTable:
    return ExportTable(
        slug, caption,
        ["Plan", "Action", "Owner", "Due", "State at the period's end", "RAG", "Latest progress", "Source"],
        [[row.action.plan.title, f"{row.action.order}. {row.action.text}", row.action.owner, row.action.due,
          row.state, row.action.get_rag_display(),
          f"{row.latest_update.on:%-d %B %Y}: {row.latest_update.text}" if row.latest_update else "",
          row.action.plan.source] for row in rows],
    )  # fmt: skip


def findings_for(period: Period) -> list[AuditFinding]:
    return list(
        AuditFinding.objects.filter(period__in=period.overlapping_keys()).order_by(
            "period", "theme", "kind", "order"
        )
    )


def open_items_at(report: Report) -> list[tuple[InspectionItem, bool]]:
    """Requirements and recommendations still open at the period's end, each with whether it was overdue."""
    end = report.period.last_day
    items = InspectionItem.objects.filter(
        kind__in=[ItemKind.REQUIREMENT, ItemKind.RECOMMENDATION],
        inspection__start_date__lte=end,
    ).select_related("inspection")
    rows = []
    for item in items.order_by("due", "inspection__start_date", "order"):
        met_by_then = item.state != ItemState.OPEN and (item.met_on is None or item.met_on <= end)
        if not met_by_then:
            rows.append((item, item.due is not None and item.due < end))
    return rows


def expected_after(report: Report) -> list[Inspection]:
    """Inspections and visits the papers expected, due from the period's start to a year after its end."""
    start, horizon = report.period.start, report.period.last_day + timedelta(days=366)
    return [
        inspection
        for inspection in Inspection.objects.filter(expected=True).order_by("start_date", "end_date")
        if start <= (inspection.end_date or inspection.start_date or start)
        and (inspection.start_date or inspection.end_date or start) <= horizon
    ]


def sections(report: Report) -> list[Section]:
    label = report.period.label
    lines, notes = audit_lines(report.period)
    months, complaints_total = complaints_for(report.period)
    inspections = inspections_for(report)
    surveys = list(
        Survey.objects.filter(as_at__range=(report.period.start, report.period.last_day)).order_by(
            "as_at", "title"
        )
    )
    keys = report.period.overlapping_keys()
    splits = list(ComplaintsSplit.objects.filter(period__in=keys).order_by("period", "-percent"))
    complaint_notes = list(ComplaintsNote.objects.filter(period__in=keys).order_by("period", "kind", "order"))
    findings = findings_for(report.period)
    actions = actions_at(report, [PlanKind.ACTION, PlanKind.RECTIFICATION])
    action_rows, rectification_rows = actions[PlanKind.ACTION], actions[PlanKind.RECTIFICATION]
    open_items = open_items_at(report)
    expected = expected_after(report)
    complaints_table = ExportTable(
        "complaints",
        f"Complaints and compliments, {label}",
        ["Month", "Compliments", "Complaints", "Complaints responded to in timescale (%)"],
        [
            [
                f"{m.month:%B %Y}",
                m.compliments_received,
                m.complaints_received,
                m.percent_responded_in_timescale,
            ]
            for m in months
        ],
    )
    if complaints_total:
        total_row = ["Quarter total", complaints_total.compliments, complaints_total.complaints]
        complaints_table.rows.append([*total_row, complaints_total.percent_in_timescale])
    inspections_table = ExportTable(
        "inspections",
        f"Inspections and visits, {label}",
        ["Inspectorate", "Service", "Kind", "When", "Published", "Overall judgement", "Judgements"],
        [
            [
                i.get_inspectorate_display(), i.service_inspected, i.kind, i.date_text, i.published_date,
                i.overall_judgement, "; ".join(f"{j.area}: {j.judgement}" for j in i.judgements.all()),
            ]
            for i in inspections
        ],
    )  # fmt: skip
    items_table = ExportTable(
        "open-items", f"Inspection requirements and recommendations open at the end of {label}",
        ["Inspection", "Kind", "Number", "Text", "Due", "Overdue", "Source"],
        [[f"{item.inspection.service_inspected} ({item.inspection.date_text})", item.get_kind_display(),
          item.order, item.text, item.due, "yes" if overdue else "no", item.source]
         for item, overdue in open_items],
    )  # fmt: skip
    findings_table = ExportTable(
        "audit-findings", f"Audit findings, {label}", ["Period", "Theme", "Kind", "Finding", "Source"],
        [[f.period, f.theme, f.get_kind_display(), f.text, f.source] for f in findings],
    )  # fmt: skip
    surveys_table = ExportTable(
        "surveys", f"Surveys, {label}", ["Survey", "Period", "Sent", "Responses", "Findings", "Source"],
        [[s.title, s.period, s.sent, s.responses, s.findings, s.source] for s in surveys],
    )  # fmt: skip
    complaints_context = {
        "months": months, "total": complaints_total, "splits": splits, "notes": complaint_notes,
    }  # fmt: skip
    return [
        Section("4.2.4", "action_plans", "Action plans", "reports/section_actions.html",
                {"rows": action_rows, "kind": "action plan"},
                [actions_table("action-plans", f"Action plan actions at the end of {label}", action_rows)]),
        Section("4.2.5", "rectification_plans", "Rectification plans", "reports/section_actions.html",
                {"rows": rectification_rows, "kind": "rectification plan"},
                [actions_table("rectification-plans", f"Rectification plan actions at the end of {label}",
                               rectification_rows)]),
        Section("4.2.6", "audits", "Audit findings", "reports/section_audits.html",
                {"lines": lines, "notes": notes, "ratings": RATINGS, "findings": findings},
                [audit_table(lines, label), findings_table]),
        Section("4.2.7", "surveys", "Surveys", "reports/section_surveys.html",
                {"surveys": surveys}, [surveys_table]),
        Section("4.2.8", "inspections", "Inspection outcomes", "reports/section_inspections.html",
                {"inspections": inspections, "open_items": open_items, "expected": expected},
                [inspections_table, items_table]),
        Section("", "complaints", "Complaints and compliments", "reports/section_complaints.html",
                complaints_context, [complaints_table]),
    ]  # fmt: skip
