"""DfE comparators on the real shared files, loaded once for the module: neighbour models from
every layout, derived rates, LAIT's SN averages, rank and band, like-for-like pages, the rule
for which comparator judges, and the comparators download."""

import csv
import io
import json
import re
from datetime import date
from decimal import Decimal
from html import unescape
from pathlib import Path

import pytest
from django.conf import settings

from kpis.checks import papers_against_the_dfe
from kpis.dfe_comparators import comparisons, refresh_dfe_comparators
from kpis.models import (
    AreaValue,
    ComparatorOrigin,
    ComparatorValue,
    Indicator,
    MonthlyValue,
    Neighbour,
    NeighbourModel,
)
from kpis.scorecard import ScorecardData
from sct_monitor.importing.engine import apply_import, plan_import
from sct_monitor.models import ImportLog

pytestmark = pytest.mark.django_db

DFE = Path(settings.BASE_DIR).parent / "shared" / "data" / "dfe"
NEIGHBOURS_2025 = ["336", "810", "861", "335", "354", "380", "806", "331", "353", "821"]
NEIGHBOURS_2021 = ["336", "335", "330", "831", "331", "892", "874", "861", "821", "889"]
FILES = [
    ("sn-model", "New_Statistical_Neighbour_Groupings_April_2021.csv", {"applies_from": "2021-04-01"}),
    ("sn-model", "sn_may_2025.xlsx", {"applies_from": "2025-05-01", "model_name": "DfE May 2025"}),
    ("dfe-ees", "ons_mid-year_population_estimates_2012_to_2024.csv", {}),
    ("dfe-ees", "d5_cpps_at31march_by_duration_2013_to_2025.csv", {}),
    ("dfe-ees", "csww_indicators_2017_to_2025.csv", {}),
    ("dfe-ees", "cla_number_and_rate_per_10k_children.csv", {}),
]


def load(kind: str, name: str, options: dict | None = None, content: bytes | None = None):
    plan, _ = apply_import(kind, name, content or (DFE / name).read_bytes(), None, options=options or {})
    assert plan.ok, [str(p) for p in plan.problems][:5]
    return plan


@pytest.fixture(scope="module", autouse=True)
def dfe_files(django_db_setup, django_db_blocker):
    """Every shared DfE file imported once, as `make dfe` does; removed again afterwards."""
    with django_db_blocker.unblock():
        for kind, name, options in FILES:
            load(kind, name, options)
        yield
        AreaValue.objects.all().delete()
        NeighbourModel.objects.all().delete()
        ComparatorValue.objects.filter(origin=ComparatorOrigin.DFE).delete()
        ImportLog.objects.all().delete()


def file_rows(name: str) -> list[dict]:
    with (DFE / name).open(encoding="utf-8-sig") as file:
        return list(csv.DictReader(file))


def sandwell(code: str, year: int) -> AreaValue:
    return AreaValue.objects.get(indicator__code=code, as_at__year=year, area_code="333")


def comparison(code: str, year: int):
    indicator = Indicator.objects.get(code=code)
    return next(c for c in comparisons([indicator.pk]) if c.as_at.year == year)


@pytest.mark.parametrize(("year", "rate"), [(2022, "47.5"), (2023, "38.8"), (2024, "53.2"), (2025, "40.3")])
def test_the_child_protection_rate_is_derived_as_the_dfe_does(year, rate):
    assert sandwell("2", year).value == Decimal(rate)
    assert sandwell("2", year).as_at == date(year, 3, 31)


def test_every_authoritys_derived_rate_is_its_count_over_last_years_children_times_10000():
    plans = {
        r["old_la_code"]: int(r["CPP_At31"])
        for r in file_rows(FILES[3][1])
        if r["time_period"] == "2024"
        and r["CPP_At31"].isdigit()
        and r["geographic_level"] == "Local authority"
    }
    children = {
        r["old_la_code"]: int(r["population_estimate"])
        for r in file_rows(FILES[2][1])
        if r["time_period"] == "2023" and r["geographic_level"] == "Local authority"
    }
    held = dict(
        AreaValue.objects.filter(indicator__code="2", as_at=date(2024, 3, 31), level="la").values_list(
            "area_code", "value"
        )
    )
    checked = 0
    for code, count in plans.items():
        if code in children and code in held:
            expected = (Decimal(count) * 10000 / children[code]).quantize(
                Decimal("0.1"), rounding="ROUND_HALF_UP"
            )
            assert held[code] == expected, code
            checked += 1
    assert checked > 140


def test_the_count_behind_the_rate_is_kept_and_never_ranked():
    assert sandwell("CP-COUNT", 2025).value == 357
    assert comparison("CP-COUNT", 2025).ranking is None
    assert comparison("CLA", 2025).ranking is None
    assert not ComparatorValue.objects.filter(indicator__code="CLA", origin=ComparatorOrigin.DFE).exists()


def file_mean(column: str, year: int, neighbours: list[str]) -> Decimal:
    values = [
        Decimal(r[column])
        for r in file_rows("csww_indicators_2017_to_2025.csv")
        if r["time_period"] == str(year)
        and r["old_la_code"] in neighbours
        and r["geographic_level"] == "Local authority"
    ]
    assert len(values) == len(neighbours)
    return sum(values) / len(values)


@pytest.mark.parametrize("year", [2022, 2023, 2024, 2025])
def test_sn_means_use_the_current_model_for_every_year_as_lait_does(year):
    found = comparison("13", year)
    assert found.model.name == "DfE May 2025"
    assert found.summary.mean == file_mean("vacancy_rate_fte", year, NEIGHBOURS_2025)
    assert (found.summary.counted, found.summary.neighbours) == (10, 10)
    stored = ComparatorValue.objects.get(
        indicator__code="13", comparator="sn", origin="dfe", period_start=date(year, 9, 1)
    )
    assert stored.value == found.summary.mean.quantize(Decimal("0.0001"))
    assert "median" in stored.notes and "DfE May 2025" in stored.notes


def test_the_model_in_force_at_the_time_is_a_setting(settings):
    settings.SN_MODEL_RULE = "at_the_time"
    assert comparison("13", 2022).model.name.startswith("Statistical neighbours from 1 April 2021")
    assert comparison("13", 2022).summary.mean == file_mean("vacancy_rate_fte", 2022, NEIGHBOURS_2021)
    assert comparison("13", 2025).model.name == "DfE May 2025"


def test_sandwells_2025_vacancy_against_england_the_region_and_its_neighbours():
    found = comparison("13", 2025)
    assert found.home.value == Decimal("8.7")
    assert (found.england, found.region) == (Decimal("14.2"), Decimal("14.0"))
    names = [n.name for n in found.neighbours]
    assert names[:4] == ["Wolverhampton", "Kingston Upon Hull, City of", "Stoke-on-Trent", "Walsall"]
    values = sorted(
        v
        for v in (
            r.value for r in AreaValue.objects.filter(indicator__code="13", as_at__year=2025, level="la")
        )
        if v is not None
    )
    assert found.ranking.of == len(values)
    assert found.ranking.rank == 1 + sum(1 for v in values if v < Decimal("8.7"))


def test_every_layout_of_the_neighbour_model_gives_sandwells_neighbours_with_names():
    may_2025 = NeighbourModel.objects.get(applies_from=date(2025, 5, 1))
    links = may_2025.links.filter(la_code="333").order_by("rank")
    assert [link.neighbour_code for link in links] == NEIGHBOURS_2025
    assert links[0].neighbour_name == "Wolverhampton" and links[0].la_name == "Sandwell"
    april_2021 = NeighbourModel.objects.get(applies_from=date(2021, 4, 1))
    assert (
        list(april_2021.links.filter(la_code="333").values_list("neighbour_code", flat=True))
        == NEIGHBOURS_2021
    )


def test_the_date_a_model_applies_from_never_comes_from_its_file_name():
    content = (DFE / "sn_model_2025_wide.csv").read_bytes()
    refused = plan_import("sn-model", "statistical_neighbours.csv", content)
    assert [str(p) for p in refused.problems] == [
        "line 0, column applies from: say the date this model came into force (the ‘Applies from’ field, "
        "or --applies-from 2025-05-01 on the command line); the file does not say it"
    ]
    load("sn-model", "statistical_neighbours.csv", {"applies_from": "2025-01-01"}, content)
    renamed = NeighbourModel.objects.get(applies_from=date(2025, 1, 1))
    assert renamed.name == "Statistical neighbours from 1 January 2025"
    assert list(
        renamed.links.filter(la_code="333").order_by("rank").values_list("neighbour_code", flat=True)
    ) == (NEIGHBOURS_2025)


def test_a_model_name_already_used_by_another_date_is_refused():
    content = (DFE / "sn_model_2025_wide.csv").read_bytes()
    plan = plan_import(
        "sn-model", "x.csv", content, options={"applies_from": "2026-01-01", "model_name": "DfE May 2025"}
    )
    assert "already the name of the model applying from 1 May 2025" in str(plan.problems[0])


def test_an_administrator_changes_the_date_a_model_applies_from_and_the_averages_follow(admin_client_role):
    model = NeighbourModel.objects.get(applies_from=date(2025, 5, 1))
    response = admin_client_role.post(
        f"/comparators/models/{model.pk}/", {"name": "DfE May 2025", "applies_from": "01/05/2099"}
    )
    assert response.status_code == 302
    sn_2024 = ComparatorValue.objects.get(
        indicator__code="13", comparator="sn", origin="dfe", period_start=date(2024, 9, 1)
    )
    assert "April 2021" in sn_2024.notes
    assert sn_2024.value == file_mean("vacancy_rate_fte", 2024, NEIGHBOURS_2021).quantize(Decimal("0.0001"))


def test_a_bad_date_for_a_model_is_refused_in_words(admin_client_role):
    model = NeighbourModel.objects.get(applies_from=date(2025, 5, 1))
    response = admin_client_role.post(
        f"/comparators/models/{model.pk}/", {"name": "X", "applies_from": "31/02/2025"}
    )
    assert response.status_code == 400
    assert "Enter the date as 01/05/2025 or 2025-05-01" in response.content.decode()


def older_csww(change: str) -> bytes:
    """The 2017-2022 headline file: the same layout, figures to 2022, Sandwell's 2022 vacancy changed."""
    rows = [r for r in file_rows("csww_indicators_2017_to_2025.csv") if int(r["time_period"]) <= 2022]
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]))
    writer.writeheader()
    for row in rows:
        if row["old_la_code"] == "333" and row["time_period"] == "2022":
            row["vacancy_rate_fte"] = change
        writer.writerow(row)
    return out.getvalue().encode()


def test_an_older_publication_never_replaces_newer_figures_without_the_override():
    plan = plan_import("dfe-ees", "csww_headline_measures_2017_to_2022.csv", older_csww("30.1"))
    assert len(plan.problems) == 1
    problem = str(plan.problems[0])
    assert (
        "13 Sandwell 30 September 2022: would replace 27.5 from csww_indicators_2017_to_2025.csv" in problem
    )
    assert "(figures to 2022)" in problem and "Replace figures from newer publications" in problem
    assert sandwell("13", 2022).value == Decimal("27.5")
    allowed = plan_import(
        "dfe-ees",
        "csww_headline_measures_2017_to_2022.csv",
        older_csww("30.1"),
        options={"override_older": True},
    )
    assert allowed.ok


def test_the_preview_tells_value_changes_from_source_only_changes():
    plan = plan_import(
        "dfe-ees",
        "csww_headline_measures_2017_to_2022.csv",
        older_csww("30.1"),
        options={"override_older": True},
    )
    note = next(n for n in plan.parsed.notes if "would change value" in n)
    assert note.startswith("1 figure would change value; ")
    # Every other figure is the same as held, and the newer publication stays its source.
    assert note == "1 figure would change value; 0 would change only the file named as their source"


def test_an_authority_missing_from_a_newer_file_is_flagged():
    rows = [r for r in file_rows("csww_indicators_2017_to_2025.csv") if r["old_la_code"] != "336"]
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    plan = plan_import("dfe-ees", "csww_2025_revised.csv", out.getvalue().encode())
    assert plan.ok
    flagged = [w for w in plan.parsed.warnings if "Wolverhampton (336)" in w]
    assert flagged and flagged[0].startswith("13 30 September 2017: 1 authority held from an earlier file")


def test_a_renamed_mapped_column_is_warned_about_not_silently_skipped():
    text = (DFE / "csww_indicators_2017_to_2025.csv").read_text(encoding="utf-8-sig")
    content = text.replace("vacancy_rate_fte", "vacancy_rate_fte_pct", 1).encode()
    plan = plan_import("dfe-ees", "csww_renamed.csv", content)
    assert plan.ok
    assert any(
        "the mapped column vacancy_rate_fte is not in this file, "
        "so 13 (Vacancy rate of social workers) is left as it was" in w
        for w in plan.parsed.warnings
    )
    assert "vacancy_rate_fte" not in next(n for n in plan.parsed.notes if n.startswith("columns used"))


def test_a_suppressed_home_figure_shows_its_code_and_meaning(admin_client_role):
    content = (
        b"time_period,geographic_level,country_code,region_name,old_la_code,la_name,vacancy_rate_fte\n"
        b"2030,Local authority,E92000001,West Midlands,333,Sandwell,c\n"
        b"2030,Local authority,E92000001,West Midlands,336,Wolverhampton,low\n"
        b"2030,Local authority,E92000001,West Midlands,810,Stoke-on-Trent,9.5\n"
    )
    load("dfe-ees", "suppressed.csv", {}, content)
    rows = {r.area_code: r for r in AreaValue.objects.filter(as_at=date(2030, 9, 30))}
    assert (rows["333"].value, rows["333"].suppression) == (None, "c")
    html = admin_client_role.get("/kpis/13/").content.decode()
    assert "c: confidential" in html
    assert "Wolverhampton" in html and "low: low" in html
    assert ">None<" not in html


def test_the_indicator_page_draws_the_home_authoritys_own_dfe_figure_beside_the_monthly_measure(board_client):
    response = board_client.get("/kpis/13/?range=all")
    spec = json.loads(re.search(r'<script id="indicator-chart-spec" type="application/json">(.*?)</script>',
                                response.content.decode(), re.S).group(1))  # fmt: skip
    dfe = next(trace for trace in spec["data"] if trace.get("name") == "Sandwell (DfE)")
    assert dict(zip(dfe["x"], dfe["y"], strict=True))["2022-09-30"] == 27.5
    assert len(dfe["x"]) == 9  # 2017 to 2025
    html = response.content.decode()
    assert "Not like for like:" in html and "30 September" in html
    assert "SN median" in html and "Neighbours with a figure" in html


def test_a_shorter_range_draws_only_the_dfe_figures_within_it(board_client):
    html = board_client.get("/kpis/13/?range=12").content.decode()
    spec = json.loads(re.search(r'<script id="indicator-chart-spec" type="application/json">(.*?)</script>',
                                html, re.S).group(1))  # fmt: skip
    dfe = [trace for trace in spec["data"] if trace.get("name") == "Sandwell (DfE)"]
    months = [m for m in spec["data"][0]["x"]]
    assert all(months[0][:7] <= x[:7] <= months[-1][:7] for trace in dfe for x in trace["x"])


def test_a_paper_comparator_judges_the_months_it_covers_and_the_dfe_one_is_kept_beside_it():
    indicator = Indicator.objects.get(code="CLA-RATE")
    kinds = set(
        ComparatorValue.objects.filter(
            indicator=indicator,
            comparator="sn",
            period_start__lte=date(2022, 3, 31),
            period_end__gte=date(2022, 3, 1),
        ).values_list("origin", flat=True)
    )
    assert kinds == {"paper", "dfe"}
    values = MonthlyValue.objects.all()
    row = next(
        r for r in ScorecardData(Indicator.objects.filter(code="CLA-RATE"), values, date(2022, 3, 1)).rows()
    )
    assert "102.6" in row.status.basis


def test_december_2018_is_judged_against_the_papers_sn_average():
    values = MonthlyValue.objects.all()
    rows = ScorecardData(Indicator.objects.filter(code__in=["13", "14"]), values, date(2018, 12, 1)).rows()
    bases = {r.indicator.code: r.status.basis for r in rows}
    assert bases["13"] == "SN average 20.0%"  # the paper's; the DfE's for 30 September 2018 is 16.0
    assert bases["14"] == "target 15.00 to 18.00"  # a target judges before any comparator


def test_the_data_quality_checks_list_where_paper_and_dfe_disagree():
    result = papers_against_the_dfe(date(2026, 12, 1))
    cla = [f for f in result.findings if f.text.startswith("CLA-RATE") and "March 2022" in f.text]
    assert cla and not cla[0].passed


def test_the_comparators_download_has_every_comparison(board_client):
    response = board_client.get("/comparators/?format=csv")
    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert list(rows[0])[:13] == [
        "indicator_code", "date", "home_value", "home_suppression", "sn_mean", "sn_median", "sn_count",
        "sn_of", "region", "england", "rank", "rank_of", "band",
    ]  # fmt: skip
    row = next(r for r in rows if r["indicator_code"] == "13" and r["date"] == "2025-09-30")
    found = comparison("13", 2025)
    assert row["home_value"] == "8.7" and row["england"] == "14.2" and row["region"] == "14"
    assert Decimal(row["sn_mean"]) == found.summary.mean.quantize(Decimal("0.0001"))
    assert (row["sn_count"], row["rank"], row["band"], row["model"]) == (
        "10", str(found.ranking.rank), found.ranking.band, "DfE May 2025",
    )  # fmt: skip
    cla = next(r for r in rows if r["indicator_code"] == "CLA" and r["date"] == "2025-03-31")
    assert cla["rank"] == "" and cla["band"] == ""


def test_the_download_of_one_indicator_and_a_bad_request_for_one(board_client):
    rows = list(
        csv.DictReader(io.StringIO(board_client.get("/comparators/?format=csv&indicator=2").content.decode()))
    )
    assert {r["indicator_code"] for r in rows} == {"2"}
    assert board_client.get("/comparators/?format=csv&indicator=NOPE").status_code == 404
    assert board_client.get("/comparators/?format=pdf").status_code == 404


def test_importing_a_dfe_file_twice_changes_nothing():
    name = "csww_indicators_2017_to_2025.csv"
    plan = plan_import("dfe-ees", name, (DFE / name).read_bytes())
    assert plan.total("created") == 0 and plan.total("updated") == 0
    assert refresh_dfe_comparators(dry_run=True).updated == 0


def test_the_comparators_page_lists_models_by_name_sources_and_the_rule(board_client):
    html = board_client.get("/comparators/").content.decode()
    assert "DfE May 2025" in html and "1 May 2025" in html and "In force today" in html
    assert "Wolverhampton (336)" in html
    assert "the paper's judges the month's status" in html
    assert "csww_indicators_2017_to_2025.csv" in html
    assert Neighbour.objects.filter(la_code="333").exists()


def test_the_looked_after_rate_is_neither_ranked_nor_banded_as_in_lait(board_client):
    assert comparison("CLA-RATE", 2025).ranking is None
    assert comparison("2", 2025).ranking is not None  # a mapping states LAIT's polarity only where it differs
    html = unescape(board_client.get("/kpis/CLA-RATE/").content.decode())
    assert "Not ranked or banded: the DfE's LAIT gives this measure no better direction." in html


def test_the_same_figure_in_an_older_file_leaves_the_newer_publication_as_its_source():
    plan = load("dfe-ees", "csww_headline_measures_2017_to_2022.csv", {}, older_csww("27.5"))
    assert plan.total("updated") == 0
    assert sandwell("13", 2022).source == "csww_indicators_2017_to_2025.csv"
    assert sandwell("13", 2022).file_latest == date(2025, 9, 30)


def test_an_empty_mapped_cell_is_no_figure_and_a_warning_not_an_error():
    content = (
        b"time_period,geographic_level,old_la_code,la_name,vacancy_rate_fte\n"
        b"2031,Local authority,333,Sandwell,\n"
        b"2031,Local authority,336,Wolverhampton,12.5\n"
    )
    plan = plan_import("dfe-ees", "blank.csv", content)
    assert plan.ok
    assert (
        "vacancy_rate_fte: 1 empty cell (line 2) left out: no figure for 13 there, not a zero"
        in plan.parsed.warnings
    )


def test_a_model_imported_again_keeps_its_name_and_says_when_the_home_neighbours_change():
    content = (DFE / "sn_model_2025_wide.csv").read_bytes()
    plan = plan_import(
        "sn-model", "statistical_neighbours.csv", content, options={"applies_from": "2021-04-01"}
    )
    assert plan.ok
    assert any(
        note.startswith("model “Statistical neighbours from 1 April 2021”") for note in plan.parsed.notes
    )
    assert plan.parsed.warnings == [
        "Sandwell's neighbours change from "
        + ", ".join(NEIGHBOURS_2021)
        + " to "
        + ", ".join(NEIGHBOURS_2025)
    ]


def test_a_status_judged_against_a_dfe_figure_says_so_and_when():
    values = MonthlyValue.objects.all()
    (row,) = ScorecardData(Indicator.objects.filter(code="13"), values, date(2022, 6, 1)).rows()
    # June 2022 was published before any DfE figure was held: it keeps its status, and today's
    # judgement beside it names the DfE figure it would be judged against.
    assert row.status.basis == "no target or comparator"
    assert "it would be Red (SN average 21.8% (DfE, Sep 2021)); the status shown is the one published" in (
        row.judgement_note
    )


def test_a_changed_note_on_a_definition_shows_on_the_indicator_page_at_once(board_client):
    from kpis.models import DfeMapping

    assert "Not like for like:" in board_client.get("/kpis/13/").content.decode()
    mapping = DfeMapping.objects.filter(indicator__code="13").exclude(definition_note="").first()
    DfeMapping.objects.filter(indicator__code="13").update(definition_note="")
    assert "Not like for like:" not in board_client.get("/kpis/13/").content.decode()
    DfeMapping.objects.filter(pk=mapping.pk).update(definition_note="A note written just now")
    html = board_client.get("/kpis/13/").content.decode()
    assert "Not like for like:</strong> A note written just now" in html
