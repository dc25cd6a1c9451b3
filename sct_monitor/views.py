from django.contrib.auth.decorators import login_not_required
from django.db import DatabaseError, connection
from django.db.models import Count, Max, Min
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from audits.models import AuditReturn, ComplaintsMonth, Inspection
from kpis.models import Indicator, MonthlyValue
from sct_monitor.roles import role_of


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """The site's front page: what data is held and what the signed-in role can do."""
    values = MonthlyValue.objects.aggregate(first=Min("month"), last=Max("month"), count=Count("id"))
    context = {
        "role": role_of(request.user),
        "indicator_count": Indicator.objects.filter(active=True).count(),
        "value_count": values["count"],
        "first_month": values["first"],
        "latest_month": values["last"],
        "audit_count": AuditReturn.objects.count(),
        "complaints_months": ComplaintsMonth.objects.count(),
        "inspection_count": Inspection.objects.count(),
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
