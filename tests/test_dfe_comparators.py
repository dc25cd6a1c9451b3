"""DfE comparators on the real shared files: neighbour models, EES tables, SN mean, rank and band."""

import csv
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings

from kpis.benchmarking import neighbour_mean, rank_and_band
from kpis.models import AreaValue, ComparatorValue, NeighbourModel
from sct_monitor.importing.engine import apply_import, plan_import

pytestmark = pytest.mark.django_db

DFE = Path(settings.BASE_DIR).parent / "shared" / "data" / "dfe"
NEIGHBOURS_2025 = ["336", "810", "861", "335", "354", "380", "806", "331", "353", "821"]


def load(kind: str, name: str):
    plan, _ = apply_import(kind, name, (DFE / name).read_bytes(), None)
    assert plan.ok, [str(p) for p in plan.problems][:5]
    return plan


@pytest.fixture
def workforce():
    load("sn-model", "New_Statistical_Neighbour_Groupings_April_2021.csv")
    load("sn-model", "sn_model_2025_wide.csv")
    load("dfe-ees", "csww_indicators_2017_to_2025.csv")


def file_mean_2025_vacancy() -> Decimal:
    """The mean of Sandwell's ten 2025 neighbours, computed straight from the published file."""
    with (DFE / "csww_indicators_2017_to_2025.csv").open(encoding="utf-8-sig") as file:
        rows = [
            r
            for r in csv.DictReader(file)
            if r["time_period"] == "2025" and r["old_la_code"] in NEIGHBOURS_2025
        ]
    values = [Decimal(r["vacancy_rate_fte"]) for r in rows if r["geographic_level"] == "Local authority"]
    assert len(values) == 10
    return sum(values) / 10


def comparator(code: str, kind: str, start: date) -> ComparatorValue:
    return ComparatorValue.objects.get(indicator__code=code, comparator=kind, period_start=start)


def test_both_neighbour_model_layouts_import_with_sandwells_ten_neighbours():
    load("sn-model", "New_Statistical_Neighbour_Groupings_April_2021.csv")
    load("sn-model", "sn_model_2025_wide.csv")
    models = {m.name: m for m in NeighbourModel.objects.all()}
    april_2021 = models["New Statistical Neighbour Groupings April 2021"]
    assert april_2021.applies_from == date(2021, 4, 1)
    assert list(april_2021.links.filter(la_code="333").values_list("neighbour_code", flat=True))[:3] == [
        "336",
        "335",
        "330",
    ]
    wide = models["sn model 2025 wide"]
    assert list(wide.links.filter(la_code="333").values_list("neighbour_code", flat=True)) == NEIGHBOURS_2025


def test_sandwells_2025_vacancy_rate_against_england_and_its_neighbours(workforce):
    sandwell = AreaValue.objects.get(indicator__code="13", as_at=date(2025, 9, 30), area_code="333")
    assert sandwell.value == Decimal("8.7")
    assert comparator("13", "england", date(2025, 9, 1)).value == Decimal("14.2")
    sn = comparator("13", "sn", date(2025, 9, 1))
    assert sn.value == file_mean_2025_vacancy().quantize(Decimal("0.0001"))
    assert sn.notes == "mean of 10 of 10 statistical neighbours (sn model 2025 wide)"
    assert comparator("13", "west_midlands", date(2025, 9, 1)).value == Decimal("14.0")


def test_annual_figures_hold_from_their_month_until_the_next(workforce):
    row_2024 = comparator("13", "england", date(2024, 9, 1))
    assert row_2024.period_end == date(2025, 8, 31)
    assert comparator("13", "england", date(2025, 9, 1)).period_end == date(2099, 12, 31)


def test_the_scorecard_judges_against_the_latest_published_sn_average(workforce, board_client):
    html = board_client.get("/kpis/13/").content.decode()
    assert "SN average" in html
    assert "Compared with other authorities, 30 September 2025" in html
    assert "ranked" in html and "quartile band" in html


def test_a_suppressed_figure_is_missing_with_its_code_never_zero():
    content = (
        b"time_period,geographic_level,country_code,region_name,old_la_code,la_name,vacancy_rate_fte\n"
        b"2030,Local authority,E92000001,West Midlands,333,Sandwell,c\n"
        b"2030,Local authority,E92000001,West Midlands,336,Wolverhampton,low\n"
    )
    plan, _ = apply_import("dfe-ees", "suppressed.csv", content, None)
    assert plan.ok, [str(p) for p in plan.problems]
    rows = {r.area_code: r for r in AreaValue.objects.filter(as_at=date(2030, 9, 30))}
    assert (rows["333"].value, rows["333"].suppression) == (None, "c")
    assert (rows["336"].value, rows["336"].suppression) == (None, "low")


def test_a_value_that_is_neither_a_number_nor_a_code_is_an_error():
    content = (
        b"time_period,geographic_level,old_la_code,la_name,vacancy_rate_fte\n"
        b"2030,Local authority,333,Sandwell,n/k\n"
    )
    problems = [str(p) for p in plan_import("dfe-ees", "bad.csv", content).problems]
    assert problems == [
        "line 2, column vacancy_rate_fte: 'n/k': not a number (or a DfE code c, k, u, x, z, low)"
    ]


def test_the_sn_mean_leaves_out_suppressed_neighbours_and_says_how_many():
    mean = neighbour_mean({"1": Decimal(10), "2": None, "3": Decimal(20)}, ["1", "2", "3"])
    assert (mean.value, mean.description) == (Decimal(15), "mean of 2 of 3 statistical neighbours")


def test_switching_the_neighbour_model_changes_the_sn_average(workforce):
    with_2025_model = comparator("13", "sn", date(2025, 9, 1))
    NeighbourModel.objects.filter(name="sn model 2025 wide").update(applies_from=date(2026, 1, 1))
    load("dfe-ees", "csww_indicators_2017_to_2025.csv")  # recomputes with the model that now applies
    with_2021_model = comparator("13", "sn", date(2025, 9, 1))
    assert "April 2021" in with_2021_model.notes
    assert with_2021_model.value != with_2025_model.value


def test_children_looked_after_rates_come_from_the_31_march_rows():
    load("sn-model", "sn_model_2025_wide.csv")
    load("dfe-ees", "cla_number_and_rate_per_10k_children.csv")
    sandwell = (
        AreaValue.objects.filter(indicator__code="CLA-RATE", area_code="333").order_by("-as_at").first()
    )
    assert sandwell.as_at.month == 3 and sandwell.as_at.day == 31
    assert not ComparatorValue.objects.filter(indicator__code="CLA", source__startswith="DfE").exists()


@pytest.mark.parametrize(
    ("value", "polarity", "rank", "band"),
    [("8.7", "lower", 1, "A"), ("20", "lower", 4, "D"), ("12", "lower", 2, "B"), ("12", "higher", 2, "B")],
)
def test_rank_and_quartile_band_share_ties(value, polarity, rank, band):
    values = [Decimal(v) for v in ("8.7", "12", "12", "20")]
    ranking = rank_and_band(Decimal(value), values, polarity)
    assert (ranking.rank, ranking.band) == (rank, band)


def test_no_rank_without_polarity_or_value():
    assert rank_and_band(None, [Decimal(1)], "lower") is None
    assert rank_and_band(Decimal(1), [Decimal(1)], "none") is None


def test_importing_a_dfe_file_twice_changes_nothing(workforce):
    name = "csww_indicators_2017_to_2025.csv"
    plan = plan_import("dfe-ees", name, (DFE / name).read_bytes())
    assert plan.total("created") == 0 and plan.total("updated") == 0


def test_the_comparators_page_lists_sources_models_and_imports(workforce, board_client):
    html = board_client.get("/comparators/").content.decode()
    assert "csww_indicators_2017_to_2025.csv" in html
    assert "sn model 2025 wide" in html and "1 January 2025" in html
    assert "336, 810, 861" in html
