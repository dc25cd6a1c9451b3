"""The WSGI application gunicorn serves (``gunicorn sct_monitor.wsgi``)."""

import gc
import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sct_monitor.settings")
application = get_wsgi_application()


def freeze_what_is_loaded() -> None:
    """Load every view's module, then move every object made so far (Django's and the service's
    modules, settings, URL patterns) out of the garbage collector's sight. They live as long as
    the process; left in view, each full collection walks them all, some 100 ms every ten
    pages or so, added to whichever page is being made."""
    get_resolver().url_patterns  # noqa: B018  (imports the views)
    gc.collect()
    gc.freeze()


freeze_what_is_loaded()
