"""The set-based merge behind KPI-value and DfE-figure imports: what it counts, writes and records."""

from datetime import date
from decimal import Decimal

import pytest

from kpis.models import AreaValue, Indicator, MonthlyValue
from sct_monitor.importing.engine import apply_import, plan_import
from sct_monitor.importing.merge import compare, write_changes
from tests.conftest import make_user

pytestmark = pytest.mark.django_db

FIRST = b"indicator_code,month,value,commentary\n5,2030-01,240,Fewer\n1,2030-01,70,Steady\n"
# 5 changes, 1 stays the same, 13 is new in the month. The first import published the month, so
# changing it takes the override.
SECOND = (
    b"indicator_code,month,value,commentary\n5,2030-01,230,Fewer\n1,2030-01,70,Steady\n13,2030-01,12,New\n"
)


def value(code: str) -> MonthlyValue:
    return MonthlyValue.objects.get(indicator__code=code, month=date(2030, 1, 1))


def counts(plan, label: str = "KPI values") -> tuple[int, int, int]:
    result = dict(plan.results)[label]
    return result.created, result.updated, result.unchanged


def test_new_changed_and_unchanged_rows_are_counted_the_same_by_the_preview_and_the_import():
    apply_import("kpi-long", "first.csv", FIRST, None)
    preview = plan_import("kpi-long", "second.csv", SECOND, override_published=True)
    imported, _ = apply_import("kpi-long", "second.csv", SECOND, None, override_published=True)
    assert counts(preview) == counts(imported) == (1, 1, 1)
    assert sorted(dict(imported.results)["KPI values"].changed_keys) == sorted(
        (value(code).indicator_id, date(2030, 1, 1)) for code in ("5", "13")
    )
    assert (value("5").value, value("1").value, value("13").value) == (230, 70, 12)


def test_each_new_or_changed_row_gets_one_history_entry_with_the_import_its_user_and_its_type():
    user = make_user("importer", "Administrator")
    apply_import("kpi-long", "first.csv", FIRST, user)
    _plan, log = apply_import("kpi-long", "second.csv", SECOND, user, override_published=True)
    reason = f"Import {log.pk}: kpi-long from second.csv"
    changed = value("5").history.order_by("history_id")
    assert [(h.history_type, h.value) for h in changed] == [("+", 240), ("~", 230)]
    assert (changed.last().history_user, changed.last().history_change_reason) == (user, reason)
    created = value("13").history.get()
    assert (created.history_type, created.history_user, created.history_change_reason) == ("+", user, reason)
    assert (created.commentary, created.status, created.unit) == ("New", "published", value("13").unit)
    assert value("1").history.count() == 1  # the unchanged row: its first import's entry only


def test_a_re_import_of_the_same_file_writes_nothing_at_all():
    apply_import("kpi-long", "first.csv", FIRST, None)
    entries = MonthlyValue.history.count()
    stamps = {v.pk: v.updated_at for v in MonthlyValue.objects.all()}
    again, _ = apply_import("kpi-long", "first.csv", FIRST, None)
    assert counts(again) == (0, 0, 2)
    assert MonthlyValue.history.count() == entries
    assert {v.pk: v.updated_at for v in MonthlyValue.objects.all()} == stamps


def test_fields_the_file_lacks_are_kept_and_a_change_stamps_only_the_update_time():
    apply_import("kpi-long", "first.csv", FIRST, None)
    before = value("5")
    content = b"indicator_code,month,value\n5,2030-01,231\n"
    apply_import("kpi-long", "values.csv", content, None, override_published=True)
    after = value("5")
    assert (after.value, after.commentary) == (231, "Fewer")
    assert after.entered_at == before.entered_at
    assert after.updated_at > before.updated_at


def test_a_published_month_is_refused_without_the_override_and_nothing_is_written():
    entries = MonthlyValue.history.count()
    content = b"indicator_code,month,value\n5,2022-06,250\n"
    refused, _ = apply_import("kpi-long", "june.csv", content, None)
    assert not refused.ok
    assert MonthlyValue.history.count() == entries
    assert MonthlyValue.objects.get(indicator__code="5", month=date(2022, 6, 1)).value == 258
    imported, _ = apply_import("kpi-long", "june.csv", content, None, override_published=True)
    assert counts(imported) == (0, 1, 0)
    row = MonthlyValue.objects.get(indicator__code="5", month=date(2022, 6, 1))
    assert (row.value, row.history.first().history_type) == (250, "~")


def test_text_with_tabs_newlines_and_backslashes_is_written_exactly():
    indicator = Indicator.objects.get(code="5")
    commentary = "Tab\there, a new\nline, a back\\slash and \\N, a \r return"
    row = {
        **{"indicator_id": indicator.pk, "month": date(2031, 1, 1), "value": Decimal(2)},
        **{"missing_reason": "", "unit": indicator.unit, "commentary": commentary, "status": "draft"},
    }
    existing = MonthlyValue.objects.filter(month=date(2031, 1, 1))
    result = write_changes(
        MonthlyValue,
        ["indicator_id", "month"],
        compare(MonthlyValue, ["indicator_id", "month"], [row], existing),
    )
    assert (result.created, result.updated) == (1, 0)
    stored = MonthlyValue.objects.get(month=date(2031, 1, 1))
    assert (stored.commentary, stored.value, stored.source) == (commentary, Decimal(2), "")


def test_a_model_without_history_is_merged_plainly():
    indicator = Indicator.objects.get(code="5")
    key = ["indicator_id", "as_at", "level", "area_code"]

    def figure(number: str | None) -> dict:
        where = {"indicator_id": indicator.pk, "as_at": date(2031, 3, 31), "level": "national"}
        area = {"area_code": "E92000001", "area_name": "England", "source": "test"}
        if number is None:
            return {**where, **area, "value": None, "suppression": "c"}
        return {**where, **area, "value": Decimal(number), "suppression": ""}

    existing = AreaValue.objects.filter(indicator=indicator, as_at=date(2031, 3, 31))
    first = write_changes(AreaValue, key, compare(AreaValue, key, [figure("10")], existing))
    second = write_changes(AreaValue, key, compare(AreaValue, key, [figure(None)], existing))
    third = compare(AreaValue, key, [figure(None)], existing).result
    assert [(r.created, r.updated, r.unchanged) for r in (first, second, third)] == [
        (1, 0, 0),
        (0, 1, 0),
        (0, 0, 1),
    ]
    stored = existing.get()
    assert (stored.value, stored.suppression, stored.region_name, stored.file_latest) == (None, "c", "", None)


def test_a_key_given_twice_is_an_error_not_a_silent_overwrite():
    indicator = Indicator.objects.get(code="5")
    row = {"indicator_id": indicator.pk, "month": date(2031, 1, 1), "value": Decimal(1)}
    with pytest.raises(ValueError, match="appears twice"):
        compare(MonthlyValue, ["indicator_id", "month"], [row, dict(row)], MonthlyValue.objects.none())
