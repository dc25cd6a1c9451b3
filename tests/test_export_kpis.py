import csv
import io
from datetime import date

import pytest

from kpis.models import Indicator, MonthlyValue
from tests.conftest import export_csv

pytestmark = pytest.mark.django_db


def rows(capsys) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(export_csv(capsys))))


def test_export_starts_with_the_four_columns(capsys):
    assert export_csv(capsys).splitlines()[0] == "indicator_code,month,value,commentary"


def test_export_writes_every_kpi_value(capsys):
    assert len(rows(capsys)) == MonthlyValue.objects.count()


def test_months_are_written_as_year_dash_month_and_values_as_plain_numbers(capsys):
    exported = {(r["indicator_code"], r["month"]): r["value"] for r in rows(capsys)}
    assert exported[("1", "2021-04")] == "85.2"
    assert exported[("13", "2022-06")] == "45.05"
    assert exported[("5", "2022-06")] == "258"
    assert exported[("14", "2021-04")] == "22.39"
    assert not any("%" in value for value in exported.values())


def test_a_missing_value_is_written_empty(capsys):
    pct = Indicator.objects.get(code="1")
    MonthlyValue.objects.create(indicator=pct, month=date(2030, 1, 1), missing_reason="not_collected")
    exported = {(r["indicator_code"], r["month"]): r["value"] for r in rows(capsys)}
    assert exported[("1", "2030-01")] == ""


def test_commentary_that_a_spreadsheet_would_run_as_a_formula_is_neutralised(capsys):
    pct = Indicator.objects.get(code="1")
    MonthlyValue.objects.create(
        indicator=pct, month=date(2030, 2, 1), value=5, commentary='=HYPERLINK("http://x","y")'
    )
    exported = {(r["indicator_code"], r["month"]): r["commentary"] for r in rows(capsys)}
    assert exported[("1", "2030-02")] == '\'=HYPERLINK("http://x","y")'


def test_commentary_with_commas_and_quotes_survives_a_csv_round_trip(capsys):
    pct = Indicator.objects.get(code="1")
    text = 'Fell, as "expected", after the Christmas closedown'
    MonthlyValue.objects.create(indicator=pct, month=date(2030, 3, 1), value=5, commentary=text)
    exported = {(r["indicator_code"], r["month"]): r["commentary"] for r in rows(capsys)}
    assert exported[("1", "2030-03")] == text
