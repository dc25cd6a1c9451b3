"""The Content-Security-Policy and Permissions-Policy headers, and the pages keeping to them.

The browser tests (tests/test_browser.py) fail on any violation the browser reports."""

import re
from pathlib import Path

import plotly
import pytest
from django.conf import settings

from tests.conftest import make_user

pytestmark = pytest.mark.django_db
TEMPLATES = Path(settings.BASE_DIR) / "templates"


def directives(response) -> dict[str, list[str]]:
    policy = response["Content-Security-Policy"]
    parsed = {}
    for part in policy.split(";"):
        words = part.split()
        if words:
            parsed[words[0]] = words[1:]
    return parsed


@pytest.fixture
def signed_in(client):
    client.force_login(make_user("reader", "Board member"))
    return client


def test_scripts_come_only_from_this_site(signed_in):
    policy = directives(signed_in.get("/"))
    assert policy["script-src"] == ["'self'"]
    assert policy["default-src"] == ["'self'"]


def test_no_inline_script_or_eval_is_allowed_anywhere_in_the_policy(signed_in):
    header = signed_in.get("/kpis/5/")["Content-Security-Policy"]
    assert "unsafe-inline" not in header
    assert "unsafe-eval" not in header


def test_the_page_cannot_be_framed_and_plugins_and_base_changes_are_refused(signed_in):
    policy = directives(signed_in.get("/"))
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["base-uri"] == ["'none'"]
    assert policy["form-action"] == ["'self'"]


def test_styles_come_only_from_this_site(signed_in):
    assert directives(signed_in.get("/kpis/5/"))["style-src"] == ["'self'"]


def test_the_sign_in_page_has_the_policy_too(client):
    assert directives(client.get("/accounts/login/"))["script-src"] == ["'self'"]


def test_permissions_policy_switches_off_camera_microphone_and_location(client):
    policy = client.get("/accounts/login/")["Permissions-Policy"]
    for feature in ("camera=()", "microphone=()", "geolocation=()", "payment=()", "usb=()"):
        assert feature in policy


def test_no_template_holds_an_inline_script_or_event_handler():
    offenders = []
    for template in TEMPLATES.rglob("*.html"):
        text = template.read_text()
        for match in re.finditer(r"<script(?![^>]*\bsrc=)[^>]*>", text):
            if 'type="application/json"' not in match.group(0):
                offenders.append(f"{template}: {match.group(0)}")
        if re.search(r"\son[a-z]+=", text):
            offenders.append(f"{template}: an on...= handler")
    assert not offenders, offenders


def test_no_served_template_holds_a_style_attribute_or_element():
    # reports/pdf.html is rendered by WeasyPrint into a PDF, never served as a page.
    offenders = [
        str(template)
        for template in TEMPLATES.rglob("*.html")
        if template.name != "pdf.html" and re.search(r"\sstyle=|<style", template.read_text())
    ]
    assert not offenders


def test_the_plotly_stylesheet_was_made_from_the_installed_plotly():
    bundle = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
    version = re.search(r"plotly\.js (v[0-9.]+)", bundle.read_text()[:500]).group(1)
    made_from = (Path(settings.BASE_DIR) / "static" / "css" / "plotly-global.css").read_text()[:200]
    assert f"plotly.js {version} " in made_from, "rebuild it: node assets/plotly-global-css.js ..."


def test_chart_pages_tell_plotly_not_to_inject_styles(signed_in):
    page = signed_in.get("/kpis/5/").content.decode()
    assert 'id="plotly.js-style-global" class="no-inline-styles"' in page
    assert "css/plotly-global.css" in page
