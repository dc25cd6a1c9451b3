"""The production recipe works as written: the plain-HTTP trial switch and its guard, debug off by
default, runtime requirements apart from the tests', and every setting in the README's table."""

import re
import secrets
from pathlib import Path

from django.conf import settings

from tests.test_deploy_settings import run_manage

ROOT = Path(settings.BASE_DIR)
README = (ROOT / "README.md").read_text()


def configuration_table() -> str:
    return README.split("## Configuration", 1)[1].split("\n## ", 1)[0]


def variables_read(path: Path) -> set[str]:
    text = path.read_text()
    names = set(re.findall(r"env_(?:str|bool|int|list)\(\s*\"([A-Z_0-9]+)\"", text))
    return names | set(re.findall(r"os\.environ\.get\(\s*\"([A-Z_0-9]+)\"", text))


def test_every_environment_variable_the_settings_read_is_in_the_readmes_table():
    table = configuration_table()
    names = variables_read(ROOT / "sct_monitor" / "settings.py") | variables_read(ROOT / "gunicorn.conf.py")
    assert len(names) > 20
    missing = sorted(name for name in names if f"`{name}`" not in table)
    assert not missing, f"not in the README's configuration table: {missing}"


def settings_under(**env: str) -> str:
    return run_manage("diffsettings", "--all", **env).stdout


def test_the_local_trial_switch_turns_off_https_redirects_secure_cookies_and_hsts():
    out = settings_under(INSECURE_LOCAL_HTTP="1", SECRET_KEY=secrets.token_urlsafe(60))
    assert "SECURE_SSL_REDIRECT = False" in out
    assert "SESSION_COOKIE_SECURE = False" in out
    assert "CSRF_COOKIE_SECURE = False" in out
    assert "SECURE_HSTS_SECONDS = 0" in out
    assert "DEBUG = False" in out
    assert "ALLOWED_HOSTS = ['127.0.0.1', 'localhost']" in out


def test_the_local_trial_switch_is_refused_for_any_host_but_this_machine():
    result = run_manage(
        "check",
        INSECURE_LOCAL_HTTP="1",
        SECRET_KEY=secrets.token_urlsafe(60),
        ALLOWED_HOSTS="monitor.example.org",
    )
    assert result.returncode != 0
    assert "INSECURE_LOCAL_HTTP is for a trial on this machine only" in result.stderr


def test_without_the_switch_production_redirects_to_https_with_secure_cookies():
    out = settings_under(SECRET_KEY=secrets.token_urlsafe(60), ALLOWED_HOSTS="monitor.example.org")
    assert "DEBUG = False" in out
    assert "SECURE_SSL_REDIRECT = True" in out
    assert "SESSION_COOKIE_SECURE = True" in out
    assert "SECURE_HSTS_SECONDS = 31536000" in out


def test_postgresql_connections_give_up_on_a_silent_server_and_cancel_long_statements():
    out = settings_under(
        SECRET_KEY=secrets.token_urlsafe(60), DATABASE_URL="postgres://u@db.example.org:5432/sct_monitor"
    )
    assert "'connect_timeout': 5" in out
    assert "statement_timeout=60000" in out


def test_the_runtime_requirements_hold_no_test_or_lint_tool():
    runtime = (ROOT / "requirements.txt").read_text().lower()
    for tool in ("pytest", "playwright", "ruff", "axe-playwright", "pypdf"):
        assert tool not in runtime
    assert "django-csp==4.0" in runtime


def shell_blocks(section: str) -> str:
    return "\n".join(re.findall(r"```sh\n(.*?)```", section, flags=re.S))


def test_the_readmes_production_commands_install_only_the_runtime_requirements():
    production = shell_blocks(README.split("### In production", 1)[1].split("\n## ", 1)[0])
    assert "pip install -r requirements.txt" in production
    assert "requirements-dev.txt" not in production
    assert "make " not in production  # make targets install the test tools and turn DEBUG on
    assert "DEBUG" not in production  # off unless set


def test_the_readmes_local_trial_uses_the_one_switch_and_runtime_requirements():
    trial = shell_blocks(README.split("### Trying the production setup", 1)[1].split("###", 1)[0])
    assert "INSECURE_LOCAL_HTTP=1" in trial
    assert "pip install -r requirements.txt" in trial
    assert "SECURE_SSL_REDIRECT" not in trial


def test_the_readme_gives_a_tested_nginx_configuration():
    production = README.split("### In production", 1)[1].split("\n## ", 1)[0]
    for directive in (
        "client_max_body_size",
        "client_body_timeout",
        "proxy_request_buffering on",
        "proxy_set_header X-Real-IP $remote_addr",
        "proxy_read_timeout",
    ):
        assert directive in production
