"""A light first visit: plotly.js's basic bundle, of the same version as the Python package that
builds the figures, holding every trace the charts use; pages sent compressed."""

import gzip
import json
import re
from pathlib import Path

import plotly
import pytest
from django.conf import settings

from kpis.templatetags.kpi_charts import PLOTLY_BUNDLE

pytestmark = pytest.mark.django_db

BUNDLE = Path(settings.BASE_DIR) / "static" / PLOTLY_BUNDLE
BASIC_TRACES = {"scatter", "bar", "pie"}


def version_of(text: str) -> str:
    return re.search(r"plotly\.js(?: \([^)]*\))? v(\d+\.\d+\.\d+)", text[:300]).group(1)


def test_the_committed_bundle_is_the_plotly_js_the_python_package_targets():
    python_bundle = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
    assert version_of(BUNDLE.read_text()) == version_of(python_bundle.read_text()), (
        "rebuild it with `make assets` after changing plotly"
    )


def test_the_bundle_is_a_fraction_of_the_full_library():
    full = (Path(plotly.__file__).parent / "package_data" / "plotly.min.js").stat().st_size
    assert BUNDLE.stat().st_size < full / 3
    assert len(gzip.compress(BUNDLE.read_bytes())) < 450_000


def every_trace_type(figure: dict) -> set[str]:
    return {trace.get("type", "scatter") for trace in figure["data"]}


def test_every_chart_the_pages_draw_uses_a_trace_in_the_bundle(board_client):
    used = set()
    for path in ("/", "/kpis/5/?range=all", "/kpis/CLA/", "/workforce/", "/finance/"):
        html = board_client.get(path).content.decode()
        for spec in re.findall(r'<script id="[^"]+-spec" type="application/json">(.*?)</script>', html, re.S):
            used |= every_trace_type(json.loads(spec))
    assert used and used <= BASIC_TRACES, used - BASIC_TRACES


def test_pages_are_sent_gzipped_to_a_browser_that_accepts_it(board_client):
    response = board_client.get("/kpis/", HTTP_ACCEPT_ENCODING="gzip, deflate, br")
    assert response["Content-Encoding"] == "gzip"
    html = gzip.decompress(response.content)
    assert b"Indicators" in html and len(response.content) < len(html) / 3


def test_pages_are_plain_to_a_client_that_does_not_ask(board_client):
    response = board_client.get("/kpis/")
    assert not response.has_header("Content-Encoding")
