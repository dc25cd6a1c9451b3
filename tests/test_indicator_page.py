"""The indicator page: chart in a captioned figure, range choice, data table."""

import json
import re

import pytest

pytestmark = pytest.mark.django_db


def chart_spec(html: str) -> dict:
    match = re.search(r'<script id="indicator-chart-spec" type="application/json">(.*?)</script>', html, re.S)
    assert match, "no chart data on the page"
    return json.loads(match.group(1))


def test_the_chart_sits_in_a_figure_whose_caption_states_the_latest_value_and_trend(board_client):
    html = board_client.get("/kpis/5/").content.decode()
    caption = re.search(r"<figcaption[^>]*>(.*?)</figcaption>", html, re.S).group(1)
    assert "Latest value 258 in June 2022, up 146 on May 2022, worsening" in caption
    assert "Status: No status" in caption


def test_the_chart_draws_values_with_status_markers_target_and_comparators(board_client):
    spec = chart_spec(board_client.get("/kpis/14/?range=all").content.decode())
    names = [trace.get("name") for trace in spec["data"]]
    assert {"Red", "Target", "SN average", "England average", "West Midlands average"} <= set(names)
    target = next(trace for trace in spec["data"] if trace["name"] == "Target")
    assert 18 in target["y"]


def test_status_markers_differ_in_shape_not_only_colour(board_client):
    spec = chart_spec(board_client.get("/kpis/2/?range=all").content.decode())
    symbols = {t["name"]: t["marker"]["symbol"] for t in spec["data"] if t.get("mode") == "markers"}
    assert len(set(symbols.values())) == len(symbols)


@pytest.mark.parametrize(("choice", "months"), [("12", 12), ("24", 24), ("nonsense", 24)])
def test_the_range_choice_sets_the_months_in_the_table(board_client, choice, months):
    html = board_client.get(f"/kpis/5/?range={choice}").content.decode()
    table = html[html.index("latest first") :]
    assert (
        len(re.findall(r'<th scope="row" class="govuk-table__header">', table[: table.index("</table>")]))
        == months
    )


def test_the_whole_series_is_available(board_client):
    html = board_client.get("/kpis/5/?range=all").content.decode()
    assert "January 2018" in html and "June 2022" in html


def test_the_plotly_library_is_a_local_static_file_not_inlined(board_client):
    html = board_client.get("/kpis/5/").content.decode()
    assert html.count("/static/plotly/plotly-basic.min.js") == 1
    assert "cdn" not in html.lower()
    assert len(html) < 200_000  # the library is not in the page


def test_an_unknown_indicator_is_404(board_client):
    assert board_client.get("/kpis/NOPE/").status_code == 404
