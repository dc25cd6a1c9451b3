"""Results remembered while the tables they read are unchanged, and never once one has changed."""

import pytest
from django.db import connection
from django.http import HttpResponse
from django.test import RequestFactory

from audits.models import AuditReturn
from kpis.models import Indicator
from sct_monitor import table_memo
from sct_monitor.data_version import versions, watched_tables
from sct_monitor.models import TableVersion
from sct_monitor.table_memo import TableMemoMiddleware, remembered, tables_read

pytestmark = pytest.mark.django_db

calls: list[str] = []


@remembered
def indicator_titles(codes: tuple[str, ...]) -> list[str]:
    calls.append("titles")
    return list(Indicator.objects.filter(code__in=codes).order_by("code").values_list("title", flat=True))


@remembered
def sessions_held() -> int:
    calls.append("sessions")
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM django_session")
        return cursor.fetchone()[0]


@remembered
def renaming(code: str) -> int:
    calls.append("renaming")
    return Indicator.objects.filter(code=code).update(title="Renamed inside")


@remembered
def titles_and_returns(codes: tuple[str, ...]) -> tuple[list[str], int]:
    calls.append("outer")
    return indicator_titles(codes), AuditReturn.objects.count()


@remembered
def lazy_titles():
    return Indicator.objects.values_list("title", flat=True)


@remembered
def titles_one_by_one():
    yield from Indicator.objects.values_list("title", flat=True)


@pytest.fixture(autouse=True)
def _fresh():
    table_memo.clear()
    calls.clear()


def test_a_result_is_given_again_while_its_table_is_unchanged():
    assert indicator_titles(("13",)) == indicator_titles(("13",))
    assert calls == ["titles"]


def test_a_write_to_a_table_it_read_makes_it_read_again():
    before = indicator_titles(("13",))
    Indicator.objects.filter(code="13").update(title="A new title")
    after = indicator_titles(("13",))
    assert calls == ["titles", "titles"]
    assert after == ["A new title"] != before


def test_a_statement_written_by_hand_counts_as_a_write():
    indicator_titles(("13",))
    with connection.cursor() as cursor:
        cursor.execute("UPDATE kpis_indicator SET title = 'By hand' WHERE code = '13'")
    assert indicator_titles(("13",)) == ["By hand"]


def test_a_write_to_a_table_it_did_not_read_leaves_it_remembered():
    indicator_titles(("13",))
    AuditReturn.objects.update(source="Elsewhere")
    indicator_titles(("13",))
    assert calls == ["titles"]


def test_other_arguments_are_remembered_apart():
    assert indicator_titles(("13",)) != indicator_titles(("13", "14"))
    assert calls == ["titles", "titles"]


def test_a_list_argument_is_refused_before_any_work():
    with pytest.raises(TypeError):
        indicator_titles(["13"])
    assert calls == []


@pytest.mark.parametrize("function", [lazy_titles, titles_one_by_one])
def test_a_result_still_to_be_read_is_refused(function):
    with pytest.raises(TypeError, match="must be read already"):
        function()


def test_a_call_reading_a_table_whose_writes_are_not_counted_is_never_remembered():
    sessions_held()
    sessions_held()
    assert calls == ["sessions", "sessions"]


def test_a_call_that_writes_is_never_remembered():
    renaming("13")
    renaming("13")
    assert calls == ["renaming", "renaming"]


def test_an_outer_call_depends_on_what_a_remembered_inner_call_read():
    indicator_titles(("13",))  # remembered before the outer call asks for it
    titles_and_returns(("13",))
    Indicator.objects.filter(code="13").update(title="Changed under the outer call")
    titles, _ = titles_and_returns(("13",))
    assert titles == ["Changed under the outer call"]
    assert calls == ["titles", "outer", "outer", "titles"]


def test_a_missing_version_row_makes_a_call_unrememberable():
    TableVersion.objects.filter(name="kpis_indicator").delete()
    indicator_titles(("13",))
    indicator_titles(("13",))
    assert calls == ["titles", "titles"]


def test_within_a_request_a_write_makes_the_versions_read_again():
    seen = []

    def view(request):
        seen.append(indicator_titles(("13",)))
        Indicator.objects.filter(code="13").update(title="Written in the request")
        seen.append(indicator_titles(("13",)))
        return HttpResponse()

    TableMemoMiddleware(view)(RequestFactory().get("/"))
    assert seen[1] == ["Written in the request"] != seen[0]


def test_within_a_request_the_versions_are_read_once():
    counted = []

    def view(request):
        indicator_titles(("13",))
        before = len(connection.queries)
        indicator_titles(("13",))
        counted.append(len(connection.queries) - before)
        return HttpResponse()

    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection):
        TableMemoMiddleware(view)(RequestFactory().get("/"))
    assert counted == [0]


def test_every_watched_table_has_a_version_and_a_write_advances_only_its_own():
    before = versions()[0]
    assert set(watched_tables()) <= set(before)
    Indicator.objects.filter(code="13").update(title="Renamed")
    after = versions()[0]
    changed = {name for name in after if after[name] != before.get(name)}
    assert "kpis_indicator" in changed
    assert "audits_auditreturn" not in changed


@pytest.mark.parametrize(
    ("sql", "tables", "rememberable"),
    [
        ('SELECT "a"."x" FROM "kpis_indicator" a INNER JOIN "kpis_target" ON (1 = 1)',
         {"kpis_indicator", "kpis_target"}, True),
        ("SELECT * FROM kpis_indicator JOIN audits_auditreturn ON true",
         {"kpis_indicator", "audits_auditreturn"}, True),
        ("SELECT * FROM (SELECT id FROM kpis_indicator) AS inner_rows", {"kpis_indicator"}, True),
        ("SELECT x FROM unnest(%s) AS x", set(), True),
        ("SELECT session_data FROM django_session", {"django_session"}, False),
        ('SELECT EXTRACT(YEAR FROM "month") FROM kpis_monthlyvalue', {"month", "kpis_monthlyvalue"}, False),
        ("UPDATE kpis_indicator SET title = title", set(), False),
        ("  insert into kpis_indicator (code) values ('x')", set(), False),
        ("SAVEPOINT s1", set(), False),
    ],
)  # fmt: skip
def test_the_tables_a_statement_reads(sql, tables, rememberable):
    assert tables_read(sql) == (tables, rememberable)
