"""The indicator page's tables of areas and of DfE years, built as strings, read as the template
loops they replaced wrote them (kpis.templatetags.kpi_status.area_bar_rows, area_year_rows)."""

from datetime import date
from decimal import Decimal
from types import SimpleNamespace

from django.template import engines

from kpis.dfe_comparators import AreaFigure
from kpis.dfe_rules import NeighbourSummary, Ranking
from kpis.templatetags.kpi_status import area_bar_rows, area_year_rows

BARS_LOOP = """{% load kpi_format %}
  {% for bar in areas.bars %}
    <tr class="govuk-table__row">
      <th scope="row" class="govuk-table__header">{% if bar.kind == "home" %}<strong>{{ bar.name }}</strong>{% else %}{{ bar.name }}{% endif %}</th>
      <td class="govuk-table__cell govuk-table__cell--numeric">{% if bar.value is not None %}{{ bar.value|indicator_value:indicator }}{% else %}Not published{% endif %}</td>
      <td class="govuk-table__cell">{{ bar.note }}{% if bar.kind == "home" and areas.ranking %}{% if bar.note %}; {% endif %}quartile band {{ areas.ranking.band }}{% endif %}</td>
    </tr>
  {% endfor %}
"""  # noqa: E501  (as the template had it)
YEARS_LOOP = """{% load kpi_format %}
  {% for year in areas.years %}
    <tr class="govuk-table__row">
      <th scope="row" class="govuk-table__header">{{ year.as_at|date:"j M Y" }}</th>
      <td data-label="{{ areas.home_name }}" class="govuk-table__cell govuk-table__cell--numeric">{% if year.home.value is not None %}{{ year.home.value|indicator_value:indicator }}{% elif year.home %}{{ year.home.missing_text }}{% else %}No figure{% endif %}</td>
      <td data-label="SN average" class="govuk-table__cell govuk-table__cell--numeric">{% if year.summary.mean is not None %}{{ year.summary.mean|indicator_value:indicator }}{% else %}–{% endif %}</td>
      <td data-label="SN median" class="govuk-table__cell govuk-table__cell--numeric">{% if year.summary.median is not None %}{{ year.summary.median|indicator_value:indicator }}{% else %}–{% endif %}</td>
      <td data-label="Neighbours with a figure" class="govuk-table__cell govuk-table__cell--numeric">{% if year.summary %}{{ year.summary.counted }} of {{ year.summary.neighbours }}{% else %}–{% endif %}</td>
      <td data-label="{{ areas.region_name }}" class="govuk-table__cell govuk-table__cell--numeric">{% if year.region is not None %}{{ year.region|indicator_value:indicator }}{% else %}–{% endif %}</td>
      <td data-label="England" class="govuk-table__cell govuk-table__cell--numeric">{% if year.england is not None %}{{ year.england|indicator_value:indicator }}{% else %}–{% endif %}</td>
      <td data-label="Rank and band" class="govuk-table__cell">{% if year.ranking %}{{ year.ranking.rank }} of {{ year.ranking.of }}, band {{ year.ranking.band }}{% else %}–{% endif %}</td>
    </tr>
  {% endfor %}
"""  # noqa: E501

PERCENT = SimpleNamespace(code="9", unit="percentage", decimal_places=1)
RATE = SimpleNamespace(code="3", unit="rate_per_10000", decimal_places=1)


def bar(name, kind, value, note=""):
    return SimpleNamespace(name=name, kind=kind, value=value, note=note)


def year(as_at, home, summary=None, region=None, england=None, ranking=None):
    return SimpleNamespace(
        as_at=as_at, home=home, summary=summary, region=region, england=england, ranking=ranking
    )


def areas(bars=(), years=(), ranking=None):
    return SimpleNamespace(bars=list(bars), years=list(years), ranking=ranking, home_name="Sandwell & Co",
                           region_name="West <Midlands>")  # fmt: skip


def loop(source: str, context: dict) -> str:
    rendered = engines["django"].from_string(source).render(context)
    return rendered.removeprefix("\n  ").removesuffix("\n")


def test_the_areas_rows_read_as_the_template_loop_wrote_them():
    shown = areas(
        bars=[
            bar("Sandwell", "home", Decimal("45.15"), "c: confidential"),
            bar("Dudley <&>", "neighbour", None, "no figure"),
            bar(
                "Statistical-neighbour average", "sn", Decimal("40"), "mean of 9 of 10 statistical neighbours"
            ),
            bar("England", "england", Decimal("0.04")),
        ],
        ranking=Ranking(rank=3, of=152, band="B"),
    )
    for indicator in (PERCENT, RATE):
        context = {"areas": shown, "indicator": indicator}
        assert area_bar_rows(shown, indicator) == loop(BARS_LOOP, context)
    home_without_note = areas(bars=[bar("Sandwell", "home", Decimal("1"))], ranking=Ranking(1, 2, "A"))
    assert '<td class="govuk-table__cell">quartile band A</td>' in area_bar_rows(home_without_note, PERCENT)
    unranked = areas(bars=[bar("Sandwell", "home", None, "no figure")])
    assert area_bar_rows(unranked, PERCENT) == loop(BARS_LOOP, {"areas": unranked, "indicator": PERCENT})


def test_the_years_rows_read_as_the_template_loop_wrote_them():
    shown = areas(
        years=[
            year(
                date(2024, 9, 30),
                AreaFigure("E08000028", "Sandwell", Decimal("47.25")),
                NeighbourSummary(Decimal("41.1"), Decimal("40.95"), 9, 10),
                Decimal("43"),
                Decimal("44.4"),
                Ranking(12, 152, "A"),
            ),
            year(date(2023, 3, 31), AreaFigure("E08000028", "Sandwell", None, "c")),
            year(date(2022, 3, 31), None, NeighbourSummary(None, None, 0, 10), england=Decimal("0")),
        ]
    )
    for indicator in (PERCENT, RATE):
        context = {"areas": shown, "indicator": indicator}
        assert area_year_rows(shown, indicator) == loop(YEARS_LOOP, context)
    assert "30 Sep 2024" in area_year_rows(shown, PERCENT) and "West &lt;Midlands&gt;" in area_year_rows(
        shown, PERCENT
    )
