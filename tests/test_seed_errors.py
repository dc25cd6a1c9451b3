"""A broken fixture file is reported precisely and nothing at all is written."""

import re
import shutil

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from kpis.models import Indicator, MonthlyValue, PublishedValue
from sct_monitor.seed import SeedError, SeedLoader

pytestmark = pytest.mark.django_db


@pytest.fixture
def fixtures_copy(tmp_path):
    target = tmp_path / "fixtures"
    shutil.copytree(settings.BASE_DIR / "fixtures", target)
    return target


def replace_in(path, old, new):
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_an_unparseable_value_names_file_line_column_and_value(fixtures_copy):
    replace_in(fixtures_copy / "kpi_values_2021_22.csv", "258.0", "25 8")
    with pytest.raises(SeedError) as error:
        SeedLoader(fixtures_copy).load()
    assert str(error.value) == "kpi_values_2021_22.csv, line 6, column 2022-06: '25 8': not a number"


def test_an_unknown_indicator_code_is_reported(fixtures_copy):
    replace_in(fixtures_copy / "comparators.csv", "\n14,sn,", "\n99,sn,")
    with pytest.raises(
        SeedError, match=r"comparators.csv, line \d+, column indicator_code: '99': no such indicator"
    ):
        SeedLoader(fixtures_copy).load()


def test_a_percentage_over_100_is_refused_and_nothing_is_written(fixtures_copy):
    PublishedValue.objects.all().delete()
    MonthlyValue.objects.all().delete()
    Indicator.objects.filter(code__in=["CLA", "CP-COUNT"]).delete()
    replace_in(fixtures_copy / "kpi_values_2021_22.csv", "96.0", "196.0")
    expected = (
        "kpi_values_2021_22.csv, line 2, column 2021-05: '196.0': a percentage must be between 0 and 100"
    )
    with pytest.raises(SeedError, match=re.escape(expected)):
        SeedLoader(fixtures_copy).load()
    assert MonthlyValue.objects.count() == 0
    assert not Indicator.objects.filter(code="CLA").exists()


def test_a_fractional_count_is_refused(fixtures_copy):
    replace_in(fixtures_copy / "kpi_values_other.csv", "CLA,2022-06,848", "CLA,2022-06,848.5")
    with pytest.raises(SeedError, match=re.escape("'848.5': a count must be a whole number")):
        SeedLoader(fixtures_copy).load()


def test_a_late_error_leaves_earlier_files_unwritten(fixtures_copy):
    Indicator.objects.filter(code="CLA").update(title="Changed")
    replace_in(fixtures_copy / "spending_summaries.csv", ",227,", ",two hundred,")
    with pytest.raises(
        SeedError, match=re.escape("spending_summaries.csv, line 2, column amount_gbp_thousands")
    ):
        SeedLoader(fixtures_copy).load()
    assert Indicator.objects.get(code="CLA").title == "Changed"


def test_a_missing_column_is_reported(fixtures_copy):
    replace_in(fixtures_copy / "complaints.csv", "complaints_received", "complaints")
    with pytest.raises(SeedError, match=re.escape("complaints.csv, line 1: missing column")):
        SeedLoader(fixtures_copy).load()


def test_the_command_says_nothing_was_loaded(fixtures_copy):
    replace_in(fixtures_copy / "targets.csv", "2022/23", "2022/24")
    expected = re.escape("Nothing was loaded. targets.csv, line 3, column financial_year: '2022/24'")
    with pytest.raises(CommandError, match=expected):
        call_command("load_seed_data", fixtures=str(fixtures_copy))
