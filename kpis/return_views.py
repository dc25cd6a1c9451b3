"""The monthly return pages: officers enter and submit; administrators publish and reopen."""

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from kpis.models import Indicator, MonthlyReturn, ValueStatus
from kpis.months import month_key, month_label, parse_month
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


@permission_required(ENTER, raise_exception=True)
@require_http_methods(["GET"])
def return_index(request: HttpRequest) -> HttpResponse:
    returns = {r.month: r for r in MonthlyReturn.objects.select_related("updated_by")}
    months = set(returns) | set(visible_values(request.user).dates("month", "month"))
    latest = max(months) if months else timezone.localdate().replace(day=1)
    next_month = add_months(latest, 1)
    rows = [(month, returns.get(month)) for month in sorted(months, reverse=True)]
    return render(request, "returns/index.html", {"rows": rows, "next_month": next_month})


@permission_required(ENTER, raise_exception=True)
@require_http_methods(["GET"])
def return_go(request: HttpRequest) -> HttpResponse:
    """The "open another month" box: 2022-07 or July 2022 goes to that month's return."""
    text = request.GET.get("month", "").strip()
    try:
        month = parse_month(text)
    except ValueError:
        messages.error(request, f"‘{text}’ is not a month. Enter a month like 2022-07.")
        return redirect("returns:index")
    return redirect("returns:form", month=month_key(month))


@permission_required(ENTER, raise_exception=True)
@require_http_methods(["GET", "POST"])
def return_form(request: HttpRequest, month: str) -> HttpResponse:
    chosen = month_from_url(month)
    record = current_return(chosen)
    data = month_data(request, chosen)
    locked = record.is_published
    if request.method == "POST":
        if not request.user.has_perm(SUBMIT):
            return HttpResponse("You cannot change returns.", status=403)
        if locked:
            messages.error(
                request, "This month is published. An administrator must reopen it before it can change."
            )
            return redirect("returns:form", month=month)
        form = ReturnForm(request.POST, data_for_month=data)
        form.completing = "submit" in request.POST
        if form.is_valid():
            try:
                save_return(chosen, request.user, form.entries, form.cleaned_data["version"], form.completing)
            except StaleReturn as conflict:
                return render_form(request, chosen, record, form, data, conflict=str(conflict), status=409)
            except LockedReturn as exc:
                messages.error(request, str(exc))
                return redirect("returns:form", month=month)
            done = "submitted" if form.completing else "saved as a draft"
            messages.success(request, f"The return for {month_label(chosen)} has been {done}.")
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


def render_form(request, month, record, form, data, conflict: str = "", status: int = 200) -> HttpResponse:
    rows = []
    for row in form.rows.values():
        pk = row.indicator.pk
        benchmark = data.benchmarks.basis(row.indicator, month)
        saved = data.value(row.indicator, month)
        rows.append(
            {
                "row": row,
                "value": form[f"value_{pk}"],
                "reason": form[f"reason_{pk}"],
                "commentary": form[f"commentary_{pk}"],
                "previous": row.trend[-2][1] if len(row.trend) > 1 else None,
                "previous_status": row.last_status,
                "saved_status": row.status if saved else None,
                "benchmark": benchmark,
            }
        )
    context = {
        "month": month,
        "month_key": month_key(month),
        "record": record,
        "form": form,
        "rows": rows,
        "conflict": conflict,
        "locked": record.is_published,
        "can_edit": request.user.has_perm(SUBMIT) and not record.is_published,
        "can_publish": request.user.has_perm(PUBLISH) and record.status == ValueStatus.SUBMITTED,
        "can_reopen": request.user.has_perm(PUBLISH) and record.is_published,
        "previous_month": add_months(month, -1),
    }
    return render(request, "returns/form.html", context, status=status)


@permission_required(PUBLISH, raise_exception=True)
@require_POST
def return_publish(request: HttpRequest, month: str) -> HttpResponse:
    chosen = month_from_url(month)
    try:
        publish_return(chosen, request.user)
    except (LockedReturn, MonthlyReturn.DoesNotExist) as exc:
        messages.error(
            request, str(exc) if isinstance(exc, LockedReturn) else "There is no return to publish."
        )
    else:
        messages.success(request, f"{month_label(chosen)} is published. Board members can now see it.")
    return redirect("returns:form", month=month)


@permission_required(PUBLISH, raise_exception=True)
@require_http_methods(["GET", "POST"])
def return_reopen(request: HttpRequest, month: str) -> HttpResponse:
    chosen = month_from_url(month)
    record = current_return(chosen)
    if not record.is_published:
        messages.error(request, "Only a published month can be reopened.")
        return redirect("returns:form", month=month)
    error = ""
    if request.method == "POST":
        reason = request.POST.get("reason", "")
        try:
            reopen_return(chosen, request.user, reason)
        except ValueError as exc:
            error = str(exc)
        else:
            messages.success(request, f"{month_label(chosen)} is reopened for changes.")
            return redirect("returns:form", month=month)
    return render(
        request,
        "returns/reopen.html",
        {
            "month": chosen,
            "error": error,
            "reason": request.POST.get("reason", ""),
            "back": reverse("returns:form", args=[month]),
        },
        status=400 if error else 200,
    )
