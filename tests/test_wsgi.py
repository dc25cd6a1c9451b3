"""The WSGI application as gunicorn loads it."""

import gc
import importlib


def test_loading_the_application_hides_what_it_loaded_from_the_garbage_collector():
    gc.unfreeze()
    assert gc.get_freeze_count() == 0
    wsgi = importlib.reload(importlib.import_module("sct_monitor.wsgi"))
    try:
        assert callable(wsgi.application)
        assert gc.get_freeze_count() > 10_000  # Django and the service's modules, at least
    finally:
        gc.unfreeze()  # the rest of the test run collects as usual
