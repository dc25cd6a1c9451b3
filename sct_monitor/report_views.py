"""Reports: the list, a month's or quarter's report on screen, as PDF, CSV and Excel; narratives."""

from collections import defaultdict
from datetime import date

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.views.decorators.http import require_http_methods

from finance.periods import financial_year_label, financial_year_start
from kpis.models import MonthlyReturn, MonthlyValue, Publication, ValueStatus
from kpis.returns import NO_IDENTIFYING_DETAIL, StaleReturn, claim_version
from kpis.visibility import sees_drafts
from sct_monitor.exports import csv_response, xlsx_response
from sct_monitor.late_markup import PageResponse
from sct_monitor.models import NarrativeSection, ReportNarrative
from sct_monitor.pdf import pdf_problem, render_pdf
from sct_monitor.periods import Period
from sct_monitor.reporting import NotVisible, build_report
from sct_monitor.upsert import upsert

VIEW = "kpis.view_indicator"
WRITE = "kpis.submit_return"
FORMATS = ("html", "pdf", "csv", "xlsx")
NARRATIVE_MAX = 20_000


def period_from_url(key: str) -> Period:
    try:
        period = Period.from_key(key)
    except ValueError:
        raise Http404("Not a month or quarter") from None
    if period.kind == "year" or period.key != key:
        raise Http404("Not a month or quarter")
    return period


@permission_required(VIEW, raise_exception=True)
@require_http_methods(["GET"])
def report_list(request: HttpRequest) -> HttpResponse:
    """Months and quarters with a report, latest first, by financial year."""
    staff = sees_drafts(request.user)
    published = defaultdict(list)
    for publication in Publication.objects.order_by("month", "revision"):
        published[publication.month].append(publication)
    returns = {r.month: r for r in MonthlyReturn.objects.all()}
    months = set(published)
    if staff:
        months |= set(returns) | set(MonthlyValue.objects.dates("month", "month"))
    years: dict[int, dict] = {}
    for month in sorted(months, reverse=True):
        year = years.setdefault(financial_year_start(month), {"label": "", "quarters": {}})
        year["label"] = financial_year_label(financial_year_start(month))
        quarter = Period.quarter_of(month)
        entry = year["quarters"].setdefault(quarter.key, {"period": quarter, "months": []})
        record = returns.get(month)
        latest = published[month][-1] if published.get(month) else None
        state = "Published" if latest else "Not published"
        if staff and record is not None and record.status != ValueStatus.PUBLISHED:
            state = "Provisional: " + record.state_label.lower()
        entry["months"].append({"period": Period.month(month), "state": state, "latest": latest})
    return PageResponse(request, "reports/list.html", {"years": list(years.values()), "staff": staff})


@permission_required(VIEW, raise_exception=True)
@require_http_methods(["GET"])
def report_detail(request: HttpRequest, key: str) -> HttpResponse:
    period = period_from_url(key)
    wanted = request.GET.get("format", "html")
    if wanted not in FORMATS:
        message = f"‘{wanted[:20]}’ is not a format: use pdf, csv or xlsx."
        return problem(request, "Not a download format", message, 400)
    try:
        report = build_report(period, request.user)
    except NotVisible as exc:
        return problem(request, period.long_label, str(exc), 404)
    filename = f"sct-report-{period.key}"
    if wanted == "xlsx":
        tables = [(table.slug, table.columns, table.rows) for table in report.tables]
        return xlsx_response(tables, f"{filename}.xlsx")
    if wanted == "csv":
        slug = request.GET.get("table", "")
        table = next((t for t in report.tables if t.slug == slug), None)
        if table is None:
            names = ", ".join(t.slug for t in report.tables)
            return problem(request, "Not a table of this report", f"Choose one of: {names}.", 400)
        return csv_response(table.columns, table.rows, f"{filename}-{table.slug}.csv")
    context = {"report": report, "pdf_problem": pdf_problem()}
    if wanted == "pdf":
        if context["pdf_problem"]:
            return problem(request, "PDF not available", context["pdf_problem"], 503)
        html = render_to_string("reports/pdf.html", {**context, "pdf": True}, request=request)
        response = HttpResponse(render_pdf(html), content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="{filename}.pdf"'
        response["Cache-Control"] = "private, no-store"
        return response
    return PageResponse(request, "reports/report.html", context)


class NarrativeForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for value, label in NarrativeSection.choices:
            self.fields[value] = forms.CharField(
                required=False, label=label, max_length=NARRATIVE_MAX, widget=forms.Textarea, strip=True,
                help_text=NO_IDENTIFYING_DETAIL,
            )  # fmt: skip


def controlling_return(period: Period) -> MonthlyReturn:
    """The return a period's narrative is published with: the month's, or its quarter's last month's."""
    return MonthlyReturn.objects.filter(month=period.end).first() or MonthlyReturn(month=period.end)


@permission_required(WRITE, raise_exception=True)
@require_http_methods(["GET", "POST"])
def report_narrative(request: HttpRequest, key: str) -> HttpResponse:
    """Officers write a period's narrative; it is published with the period's last month."""
    period = period_from_url(key)
    record = controlling_return(period)
    held = {row.section: row for row in ReportNarrative.objects.filter(period=period.key)}
    locked = record.status == ValueStatus.PUBLISHED
    conflict, status = "", 200
    form = NarrativeForm(request.POST or None, initial={
        "version": record.version, **{section: row.text for section, row in held.items()}
    })  # fmt: skip
    if request.method == "POST" and locked:
        messages.error(request, f"{month_text(period.end)} is published: reopen it to change this narrative.")
        return redirect("reports:narrative", key=key)
    if request.method == "POST" and form.is_valid():
        try:
            save_narrative(period, form.cleaned_data, held, request.user)
        except StaleReturn as stale:
            conflict, status = str(stale), 409
        else:
            messages.success(request, f"The narrative for {period.label} is saved.")
            return redirect("reports:detail", key=key)
    elif request.method == "POST":
        status = 400
    return render(
        request,
        "reports/narrative.html",
        {"period": period, "form": form, "locked": locked, "conflict": conflict, "controlling": period.end,
         "sections": [form[value] for value, _ in NarrativeSection.choices], "record": record},
        status=status,
    )  # fmt: skip


def month_text(month: date) -> str:
    return f"{month:%B %Y}"


@transaction.atomic
def save_narrative(period: Period, cleaned: dict, held: dict, user) -> None:
    """Write the sections that changed, or nothing if the return moved on since the form opened."""
    claim_version(period.end, user, cleaned["version"], action="saved")
    reason = f"Narrative for {period.label} saved"
    rows = []
    for section in NarrativeSection.values:
        text = cleaned.get(section, "")
        if text:
            rows.append({"period": period.key, "section": section, "text": text})
        elif section in held:
            row = held[section]
            row._change_reason, row._history_user = f"{reason}: section cleared", user
            row.delete()
    existing = ReportNarrative.objects.filter(period=period.key)
    upsert(ReportNarrative, ["period", "section"], rows, existing=existing, change_reason=reason, user=user)


def problem(request: HttpRequest, title: str, message: str, status: int) -> HttpResponse:
    return render(request, "reports/problem.html", {"title": title, "message": message}, status=status)
