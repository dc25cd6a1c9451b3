"""Targets and thresholds by financial year: everyone reads them; administrators edit a whole year."""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.db import transaction
from django.db.models import Max, Min
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from finance.periods import financial_year_label, financial_year_start, parse_financial_year_label
from kpis.models import Indicator, MonthlyValue, Target
from kpis.scorecard import opening_month
from kpis.target_forms import TargetYearForm
from kpis.targets import judgement_in_words, save_year, year_fingerprint
from kpis.visibility import visible_values

VIEW = "kpis.view_target"
CHANGE = "kpis.change_target"


def year_key(start_year: int) -> str:
    """``2022`` -> ``"2022-23"``, the form used in URLs."""
    return financial_year_label(start_year).replace("/", "-")


def year_from_url(text: str) -> int:
    try:
        year = parse_financial_year_label(text)
    except ValueError:
        raise Http404("Not a financial year") from None
    if year_key(year) != text or not 2000 <= year <= 2100:
        raise Http404("Not a financial year")
    return year


def years_to_show() -> list[int]:
    """From the first year with figures or targets to the year after this one."""
    today_year = financial_year_start(timezone.localdate())
    bounds = MonthlyValue.objects.aggregate(first=Min("month"))
    targets = Target.objects.aggregate(first=Min("financial_year"), last=Max("financial_year"))
    first_candidates = [today_year]
    if bounds["first"]:
        first_candidates.append(financial_year_start(bounds["first"]))
    if targets["first"]:
        first_candidates.append(targets["first"])
    last = max(today_year + 1, targets["last"] or today_year)
    return list(range(min(first_candidates), last + 1))


def default_year() -> int:
    """The financial year of the latest month with figures, or this year when there are none."""
    latest = MonthlyValue.objects.aggregate(last=Max("month"))["last"]
    return financial_year_start(latest or timezone.localdate())


@permission_required(VIEW, raise_exception=True)
@require_http_methods(["GET"])
def target_index(request: HttpRequest) -> HttpResponse:
    return redirect("targets:year", year=year_key(default_year()))


def year_rows(request: HttpRequest, financial_year: int):
    indicators = list(Indicator.objects.filter(active=True).order_by("display_order", "code"))
    targets = {t.indicator_id: t for t in Target.objects.filter(financial_year=financial_year)}
    openings = dict(
        visible_values(request.user)
        .filter(month=opening_month(financial_year), value__isnull=False)
        .values_list("indicator_id", "value")
    )
    rows = [
        {
            "indicator": indicator,
            "target": targets.get(indicator.pk),
            "words": judgement_in_words(targets[indicator.pk], indicator, openings.get(indicator.pk))
            if indicator.pk in targets
            else "",
        }
        for indicator in indicators
    ]
    return indicators, targets, rows


@permission_required(VIEW, raise_exception=True)
@require_http_methods(["GET"])
def target_year(request: HttpRequest, year: str) -> HttpResponse:
    financial_year = year_from_url(year)
    _, targets, rows = year_rows(request, financial_year)
    return render(
        request,
        "targets/year.html",
        {
            "financial_year": financial_year,
            "label": financial_year_label(financial_year),
            "year_key": year,
            "rows": rows,
            "target_count": len(targets),
            "years": [(year_key(y), financial_year_label(y), y == financial_year) for y in years_to_show()],
            "can_edit": request.user.has_perm(CHANGE),
        },
    )


CONFLICT = (
    "Someone changed these targets after you opened the page. "
    "Nothing you entered has been saved. The form below shows the targets as they are now."
)


def target_year_edit_conflict(request: HttpRequest, year: str) -> HttpResponse:
    """The edit page as it is now, with the conflict said, for a save that lost a race."""
    request.POST = request.POST.copy()
    request.POST["fingerprint"] = ""  # never matches: the page is shown afresh with the message
    return target_year_edit(request, year)


@permission_required(CHANGE, raise_exception=True)
@require_http_methods(["GET", "POST"])
def target_year_edit(request: HttpRequest, year: str) -> HttpResponse:
    financial_year = year_from_url(year)
    indicators, targets, _ = year_rows(request, financial_year)
    fingerprint = year_fingerprint(financial_year, indicators, targets)
    form = TargetYearForm(request.POST or None, indicators=indicators, financial_year=financial_year)
    copied_from, conflict, status = None, "", 200
    if request.method == "POST":
        if request.POST.get("fingerprint") != fingerprint:
            conflict, status = CONFLICT, 409
            form = TargetYearForm(indicators=indicators, financial_year=financial_year)
            form.fill(targets)
        elif form.is_valid():
            changing = [
                i for i in indicators
                if not form.entries[i.pk].same_as(targets.get(i.pk)) or not form.thresholds[i.pk].same_as(i)
            ]  # fmt: skip
            reason = form.cleaned_data["reason"].strip()
            if not changing:
                messages.success(
                    request,
                    f"Nothing changed: the targets for {financial_year_label(financial_year)} "
                    "are as they were.",
                )
                return redirect("targets:year", year=year)
            if not reason:
                form.add_error("reason", "Enter why the targets are changing; it is kept in their history")
                status = 400
            else:
                with transaction.atomic():
                    # Lock the indicators (their thresholds and the year's targets hang off them), then
                    # compare with the targets as they are now, inside the lock: a save that lands between
                    # opening the page and here is caught, not overwritten.
                    locked = Indicator.objects.select_for_update().filter(pk__in=[i.pk for i in indicators])
                    list(locked.order_by("pk").values_list("pk", flat=True))
                    current = {
                        t.indicator_id: t for t in Target.objects.filter(financial_year=financial_year)
                    }
                    fresh = list(Indicator.objects.filter(pk__in=[i.pk for i in indicators]).order_by("pk"))
                    fresh = sorted(fresh, key=lambda i: (i.display_order, i.code))
                    if year_fingerprint(financial_year, fresh, current) != fingerprint:
                        changed = None
                    else:
                        changed = save_year(
                            financial_year,
                            indicators,
                            targets,
                            form.entries,
                            form.thresholds,
                            reason,
                            request.user,
                        )
                if changed is None:
                    return target_year_edit_conflict(request, year)
                messages.success(
                    request,
                    f"Saved the targets for {financial_year_label(financial_year)}: {'; '.join(changed)}. "
                    "Published months keep the judgement they were published with.",
                )
                return redirect("targets:year", year=year)
        else:
            status = 400
    else:
        source = request.GET.get("copy_from", "")
        if source:
            copied_from = year_from_url(source)
            form.fill({t.indicator_id: t for t in Target.objects.filter(financial_year=copied_from)}, True)
        else:
            form.fill(targets)
    form.initial["fingerprint"] = fingerprint
    fields = [
        {
            "indicator": indicator,
            "target": form[f"target_{indicator.pk}"],
            "to": form[f"to_{indicator.pk}"],
            "tolerance": form[f"tolerance_{indicator.pk}"],
            "judged": form[f"judged_{indicator.pk}"],
            "due": form[f"due_{indicator.pk}"],
            "variance": form[f"variance_{indicator.pk}"],
            "band": form[f"band_{indicator.pk}"],
            "statement": targets[indicator.pk].statement if indicator.pk in targets else "",
        }
        for indicator in indicators
    ]
    return render(
        request,
        "targets/edit.html",
        {
            "financial_year": financial_year,
            "label": financial_year_label(financial_year),
            "year_key": year,
            "previous_key": year_key(financial_year - 1),
            "previous_label": financial_year_label(financial_year - 1),
            "copied_from": financial_year_label(copied_from) if copied_from is not None else "",
            "form": form,
            "fields": fields,
            "fingerprint": fingerprint,
            "conflict": conflict,
        },
        status=status,
    )
