from django.conf import settings
from django.http import HttpRequest

from sct_monitor.roles import navigation_for, role_of


def site(request: HttpRequest) -> dict:
    return {
        "trust_name": settings.TRUST_NAME,
        "service_name": settings.SERVICE_NAME,
        "navigation": navigation_for(request),
        "user_role": role_of(request.user) if hasattr(request, "user") else None,
    }
