"""Rows remembered per indicator: a write to one indicator makes its rows be worked out again, and
no other indicator's; a write to anything else they read makes every row be worked out again."""

import re
from datetime import date
from decimal import Decimal

import pytest
from django.db import connection

from audits.models import AuditReturn
from kpis.models import (
    Comparator,
    ComparatorValue,
    Indicator,
    MonthlyValue,
    NeighbourModel,
    PublishedValue,
    Target,
)
from kpis.report import period_rows
from kpis.scorecard import scorecard_rows
from kpis.templatetags.kpi_charts import indicator_chart
from kpis.templatetags.kpi_status import chart_data_rows
from kpis.views import indicator_page_bodies
from kpis.visibility import PUBLISHED, WORKING
from sct_monitor import table_memo
from sct_monitor.data_version import INDICATOR_TABLES, versions
from sct_monitor.models import IndicatorVersion
from sct_monitor.table_memo import remembered, remembered_per_indicator
from sct_monitor.views import headline_series, overview_rows

pytestmark = pytest.mark.django_db

JUNE = date(2022, 6, 1)
TODAY = date(2026, 12, 7)
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"')
asked: list[tuple[int, ...]] = []


@remembered_per_indicator
def titles_with_targets(indicator_ids: tuple[int, ...], year: int) -> dict[int, tuple[str, int]]:
    asked.append(indicator_ids)
    targets = {
        t.indicator_id: t.value
        for t in Target.objects.filter(indicator_id__in=indicator_ids, financial_year=year)
    }
    return {
        pk: (title, targets.get(pk))
        for pk, title in Indicator.objects.filter(pk__in=indicator_ids).values_list("pk", "title")
    }


@remembered_per_indicator
def titles_and_audits(indicator_ids: tuple[int, ...]) -> dict[int, tuple[str, int]]:
    asked.append(indicator_ids)
    audits = AuditReturn.objects.count()
    return {
        pk: (title, audits)
        for pk, title in Indicator.objects.filter(pk__in=indicator_ids).values_list("pk", "title")
    }


@remembered_per_indicator
def not_a_dict(indicator_ids: tuple[int, ...]) -> list:
    return list(Indicator.objects.filter(pk__in=indicator_ids).values_list("title", flat=True))


@remembered
def every_title_of(indicator_ids: tuple[int, ...]) -> list[str]:
    return [title for title, _ in titles_with_targets(indicator_ids, 2022).values()]


@pytest.fixture(autouse=True)
def _fresh():
    table_memo.clear()
    asked.clear()


def pks(*codes: str) -> tuple[int, ...]:
    found = dict(Indicator.objects.filter(code__in=codes).values_list("code", "pk"))
    return tuple(found[code] for code in codes)


def advanced(before: dict[int, str]) -> set[int]:
    after = versions()[1]
    return {pk for pk in after if after[pk] != before.get(pk)}


# The triggers.


def test_every_indicator_has_a_version():
    assert set(Indicator.objects.values_list("pk", flat=True)) <= set(versions()[1])


@pytest.mark.parametrize(
    "write",
    [
        lambda one, other: Indicator.objects.filter(pk=one).update(title="Renamed"),
        lambda one, other: MonthlyValue.objects.filter(indicator_id=one, month=JUNE).update(commentary="New"),
        lambda one, other: MonthlyValue.objects.create(indicator_id=one, month=date(2031, 1, 1), value=1),
        lambda one, other: MonthlyValue.objects.filter(indicator_id=one, month=JUNE).delete(),
        lambda one, other: PublishedValue.objects.filter(indicator_id=one).update(commentary="Re-read"),
        lambda one, other: Target.objects.create(indicator_id=one, financial_year=2031, value=5),
        lambda one, other: ComparatorValue.objects.create(
            indicator_id=one, comparator=Comparator.ENGLAND, period_start=date(2031, 1, 1),
            period_end=date(2031, 12, 31), value=3, source="A paper",
        ),
    ],
    ids=["indicator", "value updated", "value added", "value deleted", "published", "target", "comparator"],
)  # fmt: skip
def test_a_write_to_an_indicators_rows_advances_its_version_and_no_other(write):
    one, other = pks("13", "14")
    before = versions()[1]
    write(one, other)
    assert advanced(before) == {one}


def test_a_statement_over_several_indicators_advances_each_of_them():
    one, other, _third = pks("13", "14", "1")
    before = versions()[1]
    MonthlyValue.objects.filter(indicator_id__in=(one, other), month=JUNE).update(commentary="Both")
    assert advanced(before) == {one, other}


def test_a_row_moved_to_another_indicator_advances_both():
    one, other = pks("14", "13")
    target = Target.objects.get(indicator_id=one, financial_year=2018)
    assert not Target.objects.filter(indicator_id=other, financial_year=2018).exists()
    before = versions()[1]
    Target.objects.filter(pk=target.pk).update(indicator_id=other)
    assert advanced(before) == {one, other}


def test_within_the_writing_transaction_a_written_indicator_has_no_version_to_remember_by():
    """PostgreSQL advances a version once a transaction; until the writer commits, its own later
    writes must not find what it remembered after the first."""
    one, _other = ids = pks("13", "14")
    Indicator.objects.filter(pk=one).update(title="First write")
    assert titles_with_targets(ids, 2022)[one][0] == "First write"
    Indicator.objects.filter(pk=one).update(title="Second write")
    assert titles_with_targets(ids, 2022)[one][0] == "Second write"


def test_a_statement_written_by_hand_advances_the_indicators_it_wrote():
    (one,) = pks("13")
    before = versions()[1]
    with connection.cursor() as cursor:
        cursor.execute("UPDATE kpis_indicator SET title = title WHERE id = %s", [one])
    assert advanced(before) == {one}


def test_writes_to_other_tables_advance_no_indicator():
    before = versions()[1]
    AuditReturn.objects.update(source="Elsewhere")
    NeighbourModel.objects.update(name="Renamed model")
    assert advanced(before) == set()


def test_the_triggers_watch_exactly_the_indicator_tables():
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT DISTINCT event_object_table FROM information_schema.triggers "
                "WHERE trigger_name LIKE %s",
                ["sct_indicator_version%"],
            )
        else:
            cursor.execute(  # SQLite's advance the indicator in the table's own trigger
                "SELECT DISTINCT tbl_name FROM sqlite_master WHERE type = 'trigger' AND sql LIKE %s",
                ["%INSERT INTO sct_monitor_indicatorversion%"],
            )
        assert {row[0] for row in cursor.fetchall()} == set(INDICATOR_TABLES)


# What is remembered.


def test_an_indicators_result_is_given_again_while_nothing_it_read_has_changed():
    ids = pks("13", "14", "1")
    first = titles_with_targets(ids, 2022)
    assert titles_with_targets(ids, 2022) == first
    assert asked == [ids]


def test_after_a_write_to_one_indicator_only_its_result_is_worked_out_again():
    _one, other, _third = ids = pks("13", "14", "1")
    titles_with_targets(ids, 2022)
    Indicator.objects.filter(pk=other).update(title="Changed")
    again = titles_with_targets(ids, 2022)
    assert asked == [ids, (other,)]
    assert again[other][0] == "Changed"
    assert again == titles_with_targets.uncached(ids, 2022)


def test_a_target_added_for_one_indicator_is_seen_with_the_others_left_alone():
    one, _other = ids = pks("13", "14")
    Target.objects.filter(indicator_id__in=ids, financial_year=2031).delete()
    titles_with_targets(ids, 2031)
    Target.objects.create(indicator_id=one, financial_year=2031, value=Decimal("12.5"))
    assert titles_with_targets(ids, 2031)[one][1] == Decimal("12.5")
    assert asked == [ids, (one,)]


def test_a_write_to_another_table_the_call_read_makes_every_result_be_worked_out_again():
    ids = pks("13", "14")
    titles_and_audits(ids)
    row = AuditReturn.objects.first()
    AuditReturn.objects.filter(pk=row.pk).delete()
    again = titles_and_audits(ids)
    assert asked == [ids, ids]
    assert again == titles_and_audits.uncached(ids)


def test_a_write_to_a_table_the_call_did_not_read_leaves_every_result_remembered():
    ids = pks("13", "14")
    titles_with_targets(ids, 2022)
    AuditReturn.objects.update(source="Elsewhere")
    titles_with_targets(ids, 2022)
    assert asked == [ids]


def test_other_arguments_are_remembered_apart():
    ids = pks("13")
    titles_with_targets(ids, 2022)
    titles_with_targets(ids, 2023)
    assert asked == [ids, ids]


def test_entries_kept_past_the_limit_are_let_go_of_all_at_once(monkeypatch):
    monkeypatch.setattr(table_memo, "INDICATOR_ENTRIES", 3)
    first, second = pks("13", "14"), pks("1", "2")
    titles_with_targets(first, 2022)
    titles_with_targets(second, 2023)  # four entries in all: the first two are let go of
    assert table_memo.indicator_entries() == 2
    titles_with_targets(second, 2023)
    titles_with_targets(first, 2022)
    assert asked == [first, second, first]


def test_an_indicator_without_a_version_row_is_never_remembered():
    one, _other = ids = pks("13", "14")
    IndicatorVersion.objects.filter(indicator_id=one).delete()
    titles_with_targets(ids, 2022)
    titles_with_targets(ids, 2022)
    assert asked == [ids, (one,)]


def test_an_id_the_call_gives_nothing_for_has_none():
    ids = (*pks("13"), 10**9)
    assert titles_with_targets(ids, 2022)[10**9] is None


def test_a_result_that_is_not_a_dict_by_indicator_is_refused():
    with pytest.raises(TypeError, match="not a dict"):
        not_a_dict(pks("13"))


def test_an_outer_remembered_call_depends_on_the_indicators_tables():
    ids = pks("13", "14")
    every_title_of(ids)
    Indicator.objects.filter(pk=ids[0]).update(title="Seen by the outer call")
    assert every_title_of(ids)[0] == "Seen by the outer call"


# The pages' rows: each indicator's row depends on its own rows only, so working out a row alone
# gives what working it out with every other indicator gives, and a remembered row is a fresh one.

ROW_FUNCTIONS = [
    pytest.param(lambda ids, kind: period_rows(ids, "2022-06", kind), id="report month"),
    pytest.param(lambda ids, kind: period_rows(ids, "2018-19-q3", kind), id="report quarter"),
    pytest.param(lambda ids, kind: scorecard_rows(ids, JUNE, kind, 3), id="scorecard"),
    pytest.param(lambda ids, kind: overview_rows(ids, JUNE, kind), id="overview"),
    pytest.param(lambda ids, kind: indicator_page_bodies(ids, "all", kind, TODAY, "/"), id="indicator page"),
    pytest.param(lambda ids, kind: overview_charts(ids, kind), id="overview charts"),
]


def overview_charts(ids: tuple[int, ...], kind: str) -> dict[int, str]:
    """The overview's headline charts and their tables of figures, as markup."""
    return {
        pk: chart_data_rows(series) + indicator_chart(series, f"chart-{pk}", compact=True)
        for pk, series in headline_series(ids, JUNE, kind).items()
    }


def comparable(rows: dict) -> dict:
    """Rows compared by what they hold (their indicators are instances read apart)."""
    if all(isinstance(row, str) for row in rows.values()):
        return {pk: ("", {"indicator": None, "html": row}) for pk, row in rows.items()}
    return {
        pk: None if row is None else (row.indicator.code, row.__dict__ | {"indicator": None})
        for pk, row in rows.items()
    }


@pytest.mark.parametrize("rows_of", ROW_FUNCTIONS)
@pytest.mark.parametrize("kind", [PUBLISHED, WORKING])
def test_a_row_worked_out_alone_is_the_row_worked_out_with_every_other(rows_of, kind):
    ids = tuple(Indicator.objects.order_by("pk").values_list("pk", flat=True))
    together = comparable(rows_of(ids, kind))
    assert any(row is not None for row in together.values())
    for pk in ids:
        table_memo.clear()
        assert comparable(rows_of((pk,), kind)) == {pk: together[pk]}


@pytest.mark.parametrize("rows_of", ROW_FUNCTIONS)
@pytest.mark.parametrize("kind", [PUBLISHED, WORKING])
def test_rows_remembered_across_writes_are_the_rows_worked_out_afresh(rows_of, kind):
    ids = tuple(Indicator.objects.order_by("pk").values_list("pk", flat=True))
    one, other = pks("13", "14")
    rows_of(ids, kind)
    Indicator.objects.filter(pk=one).update(title="Renamed after it was shown")
    MonthlyValue.objects.filter(indicator_id=other, month=JUNE).update(value=Decimal("99.9"))
    PublishedValue.objects.filter(indicator_id=other, month=JUNE, is_current=True).update(
        value=Decimal("99.9")
    )
    remembered_rows = comparable(rows_of(ids, kind))
    table_memo.clear()
    assert remembered_rows == comparable(rows_of(ids, kind))
    assert remembered_rows[one][1]["indicator"] is None  # compared without the instance
    renamed = rows_of(ids, kind)[one]
    assert "Renamed after it was shown" in (renamed if isinstance(renamed, str) else renamed.indicator.title)


def page(client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200
    return TOKEN.sub("", response.content.decode())


@pytest.mark.parametrize(
    "path", ["/kpis/?month=2022-06", "/reports/2022-06/", "/reports/2018-19-q3/", "/", "/kpis/13/?range=all"]
)
def test_a_page_shows_a_change_to_one_indicator_beside_the_others_remembered(board_client, settings, path):
    settings.PAGE_CACHE_ENABLED = False  # every view renders; only the rows are remembered
    Indicator.objects.filter(code="13").update(title="Marker one")
    first = page(board_client, path)
    assert "Marker one" in first
    Indicator.objects.filter(code="13").update(title="Marker two & more")
    again = page(board_client, path)
    assert "Marker one" not in again
    assert again.replace("Marker two &amp; more", "Marker one") == first


def test_the_indicator_pages_body_remembered_for_every_reader_uses_nothing_of_the_request():
    """It is rendered without a request (indicator_page_bodies) and shared by every reader of its kind."""
    from pathlib import Path

    from django.conf import settings

    text = (Path(settings.BASE_DIR) / "templates" / "kpis" / "indicator_body.html").read_text()
    used = set(
        re.findall(r"{[{%][^}]*?\b(request|user|perms|csrf_token|messages|trust_name|navigation)\b", text)
    )
    assert not used
