from django.contrib.auth.decorators import login_not_required
from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from kpis.models import Indicator
from kpis.scorecard import ScorecardData, better_month, month_coverage, summary_rows
from kpis.series import IndicatorSeries
from kpis.status import Rag
from kpis.visibility import visible_values
from sct_monitor.roles import role_of

HEADLINE_CHARTS = 4


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """The latest month at a glance: statuses and their change, what is Red, headline charts."""
    values = visible_values(request.user)
    coverage = month_coverage(values)
    current = coverage[0] if coverage else None
    rows = []
    if current and request.user.has_perm("kpis.view_indicator"):
        indicators = Indicator.objects.filter(active=True).order_by("display_order", "code")
        rows = ScorecardData(indicators, values, current.month).rows()
    red = [row for row in rows if row.status.rag == Rag.RED]
    # Red indicators first, then the other contract KPIs with a value this month.
    chosen = red + [
        r for r in rows if r not in red and r.value is not None and r.indicator.category == "contract"
    ]
    charts = [IndicatorSeries(row.indicator, values, 24) for row in chosen[:HEADLINE_CHARTS]]
    context = {
        "role": role_of(request.user),
        "current": current,
        "summary_rows": summary_rows(rows) if rows else [],
        "red_rows": red,
        "charts": charts,
        "suggestion": better_month(current, coverage, len(rows)) if rows else None,
        "indicator_count": len(rows),
    }
    return render(request, "home.html", context)


@login_not_required
@never_cache
@require_GET
def healthz(request: HttpRequest) -> HttpResponse:
    """200 when the database answers, 503 when it does not; for load balancers and monitors."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return HttpResponse("database unavailable\n", status=503, content_type="text/plain")
    return HttpResponse("ok\n", content_type="text/plain")


@require_GET
def how_statuses_work(request: HttpRequest) -> HttpResponse:
    return render(request, "help/statuses.html")
