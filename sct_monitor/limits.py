"""Nothing is read before it is allowed: request bodies are judged from their headers first.

``BodySizeLimitMiddleware`` comes first in MIDDLEWARE. It refuses a body over its URL's limit
(413) from ``Content-Length`` alone, a body whose length is not given (411: Django would read
nothing of a chunked body anyway) and a malformed length (400), without touching ``wsgi.input``.

``UploadPermissionMiddleware`` comes straight after AuthenticationMiddleware: the request phase
of every middleware runs before any ``process_view``, so it sees the request before
CsrfViewMiddleware (whose ``process_view`` reads ``request.POST``) or any view parses the body.
On upload URLs it refuses a body from anyone but a signed-in administrator.

A body that trickles in slowly is the proxy's and gunicorn's to cut off: the README's nginx
configuration buffers whole bodies before passing them on, and ``gunicorn.conf.py`` times a
worker out.
"""

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse

UPLOAD_PREFIXES = ("/imports/",)
IMPORT_PERMISSION = "sct_monitor.add_importlog"
# Room for the multipart boundaries, the CSRF token and the form's other fields around the file.
FORM_OVERHEAD = 64 * 1024


def is_upload_path(path: str) -> bool:
    return path.startswith(UPLOAD_PREFIXES)


def body_limit(path: str) -> int:
    """The largest body, in bytes, that ``path`` accepts."""
    if is_upload_path(path):
        return settings.IMPORT_MAX_BYTES + FORM_OVERHEAD
    return settings.DATA_UPLOAD_MAX_MEMORY_SIZE + FORM_OVERHEAD


def declared_length(request: HttpRequest) -> int | None:
    """The body's length from its header: 0 for none, None when it cannot be known."""
    raw = request.META.get("CONTENT_LENGTH", "")
    if raw in ("", None):
        return None if request.META.get("HTTP_TRANSFER_ENCODING") else 0
    try:
        length = int(raw)
    except ValueError:
        return -1
    return length if length >= 0 else -1


def plain(status: int, text: str) -> HttpResponse:
    return HttpResponse(f"{text}\n", status=status, content_type="text/plain; charset=utf-8")


class BodySizeLimitMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        length = declared_length(request)
        if length is None:
            return plain(411, "Length required: send the request with a Content-Length header.")
        if length < 0:
            return plain(400, "Bad request: the Content-Length header is not a length.")
        limit = body_limit(request.path)
        if length > limit:
            return plain(
                413, f"Too large: this address accepts at most {limit // (1024 * 1024)} MB in one request."
            )
        return self.get_response(request)


class UploadPermissionMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if is_upload_path(request.path) and declared_length(request) != 0:
            user = request.user
            if not user.is_authenticated:
                # The same answer LoginRequiredMiddleware would give, without reading the body.
                return redirect_to_login(request.get_full_path())
            if not user.has_perm(IMPORT_PERMISSION):
                return plain(403, "Forbidden: only administrators can upload files.")
        return self.get_response(request)
