"""The monthly return pages: officers enter and submit; administrators publish and reopen."""

from datetime import date, datetime

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.views.decorators.http import require_http_methods

from kpis.history import month_changes
from kpis.models import Indicator, MonthlyReturn, ValueStatus
from kpis.months import month_key, month_label, parse_month
from kpis.publishing import figure_change_size, plan_snapshots
from kpis.return_status import month_states, work_to_do
from kpis.returns import (
    LockedReturn,
    ReturnForm,
    StaleReturn,
    current_return,
    publish_return,
    reopen_return,
    save_return,
)
from kpis.scorecard import ScorecardData, add_months
from kpis.status import Rag
from kpis.visibility import visible_values

ENTER = "kpis.add_monthlyvalue"
SUBMIT = "kpis.submit_return"
PUBLISH = "kpis.publish_month"


def month_from_url(text: str) -> date:
    try:
        month = parse_month(text)
    except ValueError:
        raise Http404("Not a month") from None
    latest_allowed = add_months(timezone.localdate().replace(day=1), 1)
    if f"{month:%Y-%m}" != text or month > latest_allowed:
        raise Http404("No return for that month")
    return month


def month_data(request: HttpRequest, month: date) -> ScorecardData:
    indicators = Indicator.objects.filter(active=True).order_by("display_order", "code")
    return ScorecardData(indicators, visible_values(request.user), month)


def opened_at(request: HttpRequest) -> datetime | None:
    """When the page that posted was opened, to say what others changed since (display only)."""
    try:
        return parse_datetime(request.POST.get("opened_at", ""))
    except ValueError:
        return None


@permission_required(ENTER, raise_exception=True)
@require_http_methods(["GET"])
def return_index(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    return render(
        request,
        "returns/index.html",
        {"years": month_states(today), "todo": work_to_do(today), "go_error": request.GET.get("error", "")},
    )


@permission_required(ENTER, raise_exception=True)
@require_http_methods(["GET"])
def return_go(request: HttpRequest) -> HttpResponse:
    """The "open another month" box: 2022-07, 07/2022, Jul 2022 or July 2022 opens that return."""
    text = request.GET.get("month", "").strip()
    try:
        month = parse_month(text)
    except ValueError:
        messages.error(
            request, f"‘{text[:40]}’ is not a month. Enter a month like 2022-07, 07/2022 or July 2022."
        )
        return redirect("returns:index")
    if month > add_months(timezone.localdate().replace(day=1), 1):
        messages.error(
            request, f"{month_label(month)} has not begun: returns open from the month before they are due."
        )
        return redirect("returns:index")
    return redirect("returns:form", month=month_key(month))


@permission_required(ENTER, raise_exception=True)
@require_http_methods(["GET", "POST"])
def return_form(request: HttpRequest, month: str) -> HttpResponse:
    chosen = month_from_url(month)
    record = current_return(chosen)
    data = month_data(request, chosen)
    if request.method == "POST":
        if not request.user.has_perm(SUBMIT):
            return HttpResponse("You cannot change returns.", status=403)
        if record.is_published:
            messages.error(
                request, "This month is published. An administrator must reopen it before it can change."
            )
            return redirect("returns:form", month=month)
        form = ReturnForm(request.POST, data_for_month=data)
        form.completing = "submit" in request.POST
        if form.is_valid():
            try:
                result = save_return(
                    chosen, request.user, form.entries, form.cleaned_data["version"], form.completing
                )
            except StaleReturn as conflict:
                if form.changes_nothing() and (record.status == ValueStatus.SUBMITTED or not form.completing):
                    # The same form sent twice: the first one saved it all.
                    messages.success(request, f"The return for {month_label(chosen)} is saved.")
                    return redirect("returns:form", month=month)
                changes = month_changes(chosen, opened_at(request))
                return render_form(
                    request, chosen, record, form, data, conflict=str(conflict), changes=changes, status=409
                )
            except LockedReturn as exc:
                messages.error(request, str(exc))
                return redirect("returns:form", month=month)
            done = "submitted" if form.completing else "saved as a draft"
            note = f" Removed: {', '.join(result.removed)}." if result.removed else ""
            messages.success(request, f"The return for {month_label(chosen)} has been {done}.{note}")
            return redirect("returns:form", month=month)
        return render_form(request, chosen, record, form, data, status=400)
    form = ReturnForm(data_for_month=data)
    form.initial = {"version": record.version}
    for pk, row in form.rows.items():
        current = data.value(row.indicator, chosen)
        if current:
            form.initial[f"value_{pk}"] = "" if current.value is None else f"{current.value.normalize():f}"
            form.initial[f"reason_{pk}"] = current.missing_reason
            form.initial[f"commentary_{pk}"] = current.commentary
    return render_form(request, chosen, record, form, data)


def render_form(
    request, month, record, form, data, conflict="", changes=(), status: int = 200
) -> HttpResponse:
    rows = []
    for row in form.rows.values():
        pk, indicator = row.indicator.pk, row.indicator
        previous_month = add_months(month, -indicator.period_months)
        saved = data.value(indicator, month)
        rows.append(
            {
                "row": row,
                "value": form[f"value_{pk}"],
                "reason": form[f"reason_{pk}"],
                "commentary": form[f"commentary_{pk}"],
                "previous": data.number(indicator, previous_month),
                "previous_month": previous_month,
                "previous_status": data.status(indicator, previous_month),
                "saved_status": data.live_status(indicator, month) if saved else None,
                "published": form.published.get(pk) if record.is_reopened else None,
                "benchmark": data.benchmarks.basis(indicator, month),
            }
        )
    not_due = [i for i in data.indicators if not i.reports_in(month)]
    context = {
        "month": month,
        "month_key": month_key(month),
        "record": record,
        "form": form,
        "rows": rows,
        "not_due": not_due,
        "conflict": conflict,
        "changes": changes,
        "locked": record.is_published,
        "opened_at": timezone.now().isoformat(),
        "can_edit": request.user.has_perm(SUBMIT) and not record.is_published,
        "can_publish": request.user.has_perm(PUBLISH) and record.status == ValueStatus.SUBMITTED,
        "can_reopen": request.user.has_perm(PUBLISH) and record.is_published,
    }
    return render(request, "returns/form.html", context, status=status)


def publish_summary(month: date, record: MonthlyReturn, reason: str) -> dict:
    """What publishing would freeze: statuses, Red figures, missing ones, commentary, what changed."""
    plan = plan_snapshots([month], reason, timezone.now())[month]
    indicators = {i.pk: i for i in Indicator.objects.all()}
    due = [i for i in indicators.values() if i.active and i.reports_in(month)]
    held = {row.indicator_id for row in plan.rows}
    rows = sorted(
        plan.rows, key=lambda r: (indicators[r.indicator_id].display_order, indicators[r.indicator_id].code)
    )
    described = [{"indicator": indicators[r.indicator_id], "row": r} for r in rows]
    submitted_changes = (
        [c for c in month_changes(month, record.submitted_at) if not c.reason.startswith("Return submitted")]
        if record.submitted_at
        else []
    )
    return {
        "plan": plan,
        "counts": [(Rag(rag), count) for rag, count in plan.counts().items()],
        "red": [item for item in described if item["row"].rag == Rag.RED],
        "missing": [item for item in described if item["row"].value is None],
        "absent": sorted((i for i in due if i.pk not in held), key=lambda i: (i.display_order, i.code)),
        "with_commentary": sum(1 for r in rows if r.commentary),
        "total": len(rows),
        "corrections": [{"change": change, "size": figure_change_size(change)} for change in plan.changes]
        if record.published_revision
        else [],
        "since_submission": submitted_changes,
    }


@permission_required(PUBLISH, raise_exception=True)
@require_http_methods(["GET", "POST"])
def return_publish(request: HttpRequest, month: str) -> HttpResponse:
    """The month's summary, then publishing it at the version the administrator has just read."""
    chosen = month_from_url(month)
    record = current_return(chosen)
    reason = request.POST.get("reason", record.reopen_reason if record.published_revision else "").strip()
    conflict, error, changes, status = "", "", [], 200
    if request.method == "POST":
        try:
            version = int(request.POST.get("version", ""))
        except ValueError:
            version = -1
        already = (
            record.is_published
            and record.published_by_id == request.user.pk
            and version == record.version - 1
        )
        if already:
            # The same publish sent twice: the first one published it.
            messages.success(request, f"{month_label(chosen)} is published.")
            return redirect("returns:form", month=month)
        try:
            publication = publish_return(chosen, request.user, version, reason)
        except StaleReturn as stale:
            conflict, status = str(stale), 409
            changes = month_changes(chosen, opened_at(request))
        except LockedReturn as exc:
            error, status = str(exc), 400
        except ValueError as exc:
            error, status = str(exc), 400
        else:
            what = "The correction is published" if publication.is_correction else "It is published"
            messages.success(request, f"{month_label(chosen)}: {what}. Board members can now see it.")
            return redirect("returns:form", month=month)
        record = current_return(chosen)
    context = {
        "month": chosen,
        "month_key": month_key(chosen),
        "record": record,
        "summary": publish_summary(chosen, record, reason),
        "reason": reason,
        "conflict": conflict,
        "changes": changes,
        "error": error,
        "opened_at": timezone.now().isoformat(),
        "can_publish": record.status == ValueStatus.SUBMITTED,
    }
    return render(request, "returns/publish.html", context, status=status)


@permission_required(PUBLISH, raise_exception=True)
@require_http_methods(["GET", "POST"])
def return_reopen(request: HttpRequest, month: str) -> HttpResponse:
    chosen = month_from_url(month)
    record = current_return(chosen)
    if not record.is_published:
        messages.error(request, "Only a published month can be reopened.")
        return redirect("returns:form", month=month)
    error, status = "", 200
    if request.method == "POST":
        reason = request.POST.get("reason", "")
        try:
            version = int(request.POST.get("version", ""))
        except ValueError:
            version = -1
        try:
            reopen_return(chosen, request.user, reason, version)
        except ValueError as exc:
            error, status = str(exc), 400
        except StaleReturn as stale:
            error, status = str(stale), 409
        except LockedReturn as exc:
            messages.error(request, str(exc))
            return redirect("returns:form", month=month)
        else:
            messages.success(
                request,
                f"{month_label(chosen)} is reopened for a correction. Board members keep seeing the "
                "published figures until the correction is published.",
            )
            return redirect("returns:form", month=month)
    return render(
        request,
        "returns/reopen.html",
        {
            "month": chosen,
            "record": record,
            "error": error,
            "reason": request.POST.get("reason", ""),
            "back": reverse("returns:form", args=[month]),
        },
        status=status,
    )
