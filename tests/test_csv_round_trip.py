"""CSV both ways: exports neutralise formulas (leading spaces and full-width signs too), and the
kpi-long import takes off exactly what export_kpis added, so export then import is identical."""

from datetime import date

import pytest

from kpis.models import Indicator, MonthlyValue
from sct_monitor.csv_safety import restore_text_cell, reversible_text_cell, safe_text_cell
from sct_monitor.importing.engine import apply_import
from tests.conftest import export_csv

pytestmark = pytest.mark.django_db

FORMULA_LIKE = [
    "=1+1",
    " =1+1",
    "   +44 7700 900000",
    "\u3000=1+1",  # an ideographic space first
    "-2 on last month",
    "@SUM(A1:A3)",
    "＝1+1",
    "＋1",
    "－1",
    "＠SUM(A1)",
    "\t=1",
    "\r=1",
    "\nline",
]
COMMENTARY = [
    *FORMULA_LIKE,
    "'Tis the season: referrals fell",
    "''Two apostrophes",
    "'=1+1",
    'Fell, as "expected", after the closedown',
    "Ordinary commentary",
    "Line one\nline two",
]


@pytest.mark.parametrize("text", FORMULA_LIKE)
def test_formula_like_text_is_prefixed_for_spreadsheets(text):
    assert safe_text_cell(text) == "'" + text


@pytest.mark.parametrize("text", ["Fell after Christmas", "85% = good", "A-level", "e-mail"])
def test_text_that_only_contains_a_sign_is_left_alone(text):
    assert safe_text_cell(text) == text


@pytest.mark.parametrize("text", COMMENTARY)
def test_restoring_a_reversible_cell_gives_back_the_text(text):
    assert restore_text_cell(reversible_text_cell(text)) == text


def test_commentary_starting_with_an_apostrophe_is_marked_in_the_export_so_it_survives():
    assert reversible_text_cell("'Tis") == "''Tis"


def test_export_then_import_of_formula_like_commentary_is_identical(capsys):
    indicator = Indicator.objects.get(code="1")
    for n, text in enumerate(COMMENTARY):
        month = date(2032 + n // 12, n % 12 + 1, 1)
        MonthlyValue.objects.create(indicator=indicator, month=month, value=5, commentary=text)
    before = dict(MonthlyValue.objects.filter(month__year__gte=2032).values_list("month", "commentary"))
    exported = export_csv(capsys)
    assert "'=1+1" in exported and "''Tis the season" in exported
    MonthlyValue.objects.filter(month__year__gte=2032).update(commentary="overwritten")
    plan, _ = apply_import("kpi-long", "export.csv", exported.encode(), None, override_published=True)
    assert plan.ok, plan.problems[:3]
    after = dict(MonthlyValue.objects.filter(month__year__gte=2032).values_list("month", "commentary"))
    assert after == before


def test_a_second_export_after_the_round_trip_is_byte_for_byte_the_first(capsys):
    indicator = Indicator.objects.get(code="1")
    MonthlyValue.objects.create(
        indicator=indicator, month=date(2033, 1, 1), value=5, commentary="＝HYPERLINK()"
    )
    MonthlyValue.objects.create(indicator=indicator, month=date(2033, 2, 1), value=6, commentary="'quoted")
    first = export_csv(capsys)
    apply_import("kpi-long", "export.csv", first.encode(), None, override_published=True)
    assert export_csv(capsys) == first
