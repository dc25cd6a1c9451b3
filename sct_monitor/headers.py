"""Response headers every page gets: Permissions-Policy, and who may keep a copy (Cache-Control).

- Signed-in responses are ``private``: no shared cache (a proxy) may keep them.
- ``no-store`` as well, so not even the browser keeps them, for what must not outlive the
  session: downloads (CSV, Excel, PDF), the import and account pages, and every page for users
  who see drafts (officers and administrators see unpublished figures on every page, and the
  returns pages are drafts themselves).
"""

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control, patch_vary_headers

NO_STORE_PREFIXES = ("/returns/", "/imports/", "/account/", "/admin/")
DOWNLOAD_TYPES = (
    "text/csv",
    "application/pdf",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
)
DRAFT_PERMISSION = "kpis.add_monthlyvalue"  # officers and administrators: see kpis/visibility.py


def is_download(response: HttpResponse) -> bool:
    disposition = response.get("Content-Disposition", "")
    content_type = response.get("Content-Type", "")
    return "attachment" in disposition or content_type.startswith(DOWNLOAD_TYPES)


def must_not_be_stored(request: HttpRequest, response: HttpResponse) -> bool:
    return (
        is_download(response)
        or request.path.startswith(NO_STORE_PREFIXES)
        or request.user.has_perm(DRAFT_PERMISSION)
    )


class SecurityHeadersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        user = getattr(request, "user", None)  # absent when a request is refused before sign-in is known
        if user is not None and user.is_authenticated:
            patch_vary_headers(response, ["Cookie"])
            if must_not_be_stored(request, response):
                patch_cache_control(response, private=True, no_store=True, max_age=0)
            else:
                patch_cache_control(response, private=True)
        return response
