"""Production settings pass Django's deployment checks, and refuse to start without a secret."""

import json
import os
import secrets
import subprocess
import sys

from django.conf import settings

MANAGE = [sys.executable, str(settings.BASE_DIR / "manage.py")]


def run_manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    # Only what a deployment would have: none of the test suite's HTTP-only settings.
    keep = {"PATH", "HOME", "LANG", "DATABASE_URL"}
    environment = {k: v for k, v in os.environ.items() if k in keep}
    environment.update(env)
    return subprocess.run(
        [*MANAGE, *args], capture_output=True, text=True, env=environment, cwd=settings.BASE_DIR, timeout=120
    )


def test_check_deploy_passes_with_debug_off_and_a_real_secret():
    result = run_manage(
        "check", "--deploy", "--fail-level", "WARNING",
        DEBUG="0", SECRET_KEY=secrets.token_urlsafe(60), ALLOWED_HOSTS="monitor.example.org",
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_site_refuses_to_start_with_debug_off_and_no_secret():
    result = run_manage("check", DEBUG="0")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_demo_users_are_refused_when_debug_is_off():
    result = run_manage(
        "create_demo_users", DEBUG="0", SECRET_KEY="another-long-secret-key-for-this-test-only-12345"
    )
    assert result.returncode != 0
    assert "Refusing to create demo users" in result.stderr


def test_collectstatic_gives_hashed_cacheable_files_including_plotly(tmp_path):
    result = run_manage(
        "collectstatic",
        "--noinput",
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(60),
        STATIC_ROOT=str(tmp_path),
    )
    assert result.returncode == 0, result.stdout + result.stderr
    manifest = json.loads((tmp_path / "staticfiles.json").read_text())["paths"]
    hashed_plotly = manifest["plotly/plotly-basic.min.js"]
    assert hashed_plotly != "plotly/plotly-basic.min.js"  # a content hash in the name: cache it forever
    assert (tmp_path / hashed_plotly).stat().st_size > 1_000_000
    # Precompressed beside it for WhiteNoise to serve: Brotli and gzip, each far smaller.
    for suffix in (".br", ".gz"):
        assert (tmp_path / f"{hashed_plotly}{suffix}").stat().st_size < 450_000
    assert "css/app.css" in manifest and "govuk/govuk-frontend.min.js" in manifest
    # The module that starts GOV.UK Frontend imports it by its hashed name: fetched once, cached for good.
    init = (tmp_path / manifest["js/init.js"]).read_text()
    assert f'from "../{manifest["govuk/govuk-frontend.min.js"]}"' in init
