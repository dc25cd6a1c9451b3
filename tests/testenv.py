"""Loaded by pytest before Django starts (``-p tests.testenv`` in pyproject.toml).

Tests run with DEBUG off, as production does, so they need a secret key; this one is only
ever used by the test suite.
"""

import os

os.environ.setdefault("SECRET_KEY", "tests-only-secret-key-not-used-anywhere-else-0123456789")
os.environ.setdefault("DEBUG", "0")
# The test client and the live server speak plain HTTP. Production's HTTPS settings are
# checked by test_deploy_settings, which runs manage.py without these.
os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
os.environ.setdefault("SESSION_COOKIE_SECURE", "0")
os.environ.setdefault("CSRF_COOKIE_SECURE", "0")
