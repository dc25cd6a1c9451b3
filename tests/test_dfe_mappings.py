"""DfE mappings are data: an administrator brings in a new DfE indicator, a derived rate
included, from the unchanged publication, on the mappings page or with a dfe-mappings file."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from kpis.models import AreaValue, DfeMapping, Indicator
from sct_monitor.importing.engine import apply_import, plan_import
from sct_monitor.models import ImportLog

pytestmark = pytest.mark.django_db

HEADER = (
    "indicator_code,column,filters,stands_on,denominator,denominator_year_offset,multiplier,decimal_places,"
    "publication\n"
)

# The DfE's re-referrals file (c1), as published: a column no mapping names yet.
REREFERRALS = (
    b"time_period,time_identifier,geographic_level,country_code,country_name,region_code,region_name,"
    b"old_la_code,new_la_code,la_name,referrals,re_referrals_percent\n"
    b"2025,Reporting year,National,E92000001,England,,,,,,564080,21.9\n"
    b"2025,Reporting year,Regional,E92000001,England,E12000005,West Midlands,,,,61000,23.1\n"
    b"2025,Reporting year,Local authority,E92000001,England,E12000005,West Midlands,333,E08000028,Sandwell,"
    b"4500,19.4\n"
    b"2025,Reporting year,Local authority,E92000001,England,E12000005,West Midlands,336,E08000031,"
    b"Wolverhampton,3900,x\n"
)


def mapping_file(*rows: str, publication: str = "Test publication") -> bytes:
    return (HEADER + "".join(f"{row},{publication}\n" for row in rows)).encode()


def problems(content: bytes) -> list[str]:
    return [str(p) for p in plan_import("dfe-mappings", "mappings.csv", content).problems]


def test_a_file_with_no_mapping_says_so_and_how_to_add_one():
    found = [str(p) for p in plan_import("dfe-ees", "c1_rereferrals.csv", REREFERRALS).problems]
    assert len(found) == 1
    assert "no mapping says which of this file's columns feeds an indicator" in found[0]
    assert "re_referrals_percent" in found[0]
    assert "The file may be right: an administrator adds a mapping on the DfE mappings page" in found[0]


def test_the_refusal_page_no_longer_tells_the_administrator_to_correct_a_correct_file(admin_client_role):
    admin_client_role.post(
        "/imports/", {"kind": "dfe-ees", "file": SimpleUploadedFile("c1.csv", REREFERRALS)}
    )
    html = admin_client_role.get(f"/imports/{ImportLog.objects.latest('id').pk}/").content.decode()
    assert "Correct the file and upload it again" not in html
    assert "/comparators/mappings/" in html


def test_a_mapping_added_on_the_page_brings_in_the_new_indicator(admin_client_role):
    response = admin_client_role.post(
        "/comparators/mappings/new/",
        {"indicator_code": "RE-REFERRAL", "column": "re_referrals_percent", "stands_on": "03-31",
         "publication": "Children in need", "filters": ""},
    )  # fmt: skip
    assert response.status_code == 302
    mapping = DfeMapping.objects.get(indicator__code="RE-REFERRAL")
    assert (mapping.column, mapping.stands_on, mapping.filters) == ("re_referrals_percent", "03-31", "")
    plan, _ = apply_import("dfe-ees", "c1_rereferrals.csv", REREFERRALS, None)
    assert plan.ok, [str(p) for p in plan.problems]
    held = {r.area_code: r for r in AreaValue.objects.filter(indicator__code="RE-REFERRAL")}
    assert held["333"].value == Decimal("19.4") and held["333"].as_at == date(2025, 3, 31)
    assert (held["336"].value, held["336"].suppression) == (None, "x")
    assert held["E92000001"].value == Decimal("21.9")
    assert any("re_referrals_percent → RE-REFERRAL (at 31 March)" in n for n in plan.parsed.notes)


def test_a_derived_rate_is_a_mapping_too(admin_client_role):
    AreaValue.objects.create(
        indicator=Indicator.objects.get(code="POP-0-17"), as_at=date(2024, 6, 30), level="la",
        area_code="333", area_name="Sandwell", value=Decimal(88593), source="ons.csv",
    )  # fmt: skip
    response = admin_client_role.post(
        "/comparators/mappings/new/",
        {"indicator_code": "REFERRAL-RATE", "column": "referrals", "stands_on": "03-31",
         "denominator": "POP-0-17", "denominator_year_offset": "-1", "multiplier": "10000",
         "decimal_places": "1", "publication": "Children in need"},
    )  # fmt: skip
    assert response.status_code == 302
    plan, _ = apply_import("dfe-ees", "c1_rereferrals.csv", REREFERRALS, None)
    assert plan.ok
    rate = AreaValue.objects.get(indicator__code="REFERRAL-RATE", area_code="333")
    assert rate.value == Decimal("507.9")  # 4500 / 88593 * 10000 = 507.94
    assert any("no POP-0-17 figure (-1 year) to divide by" in w for w in plan.parsed.warnings)


def test_two_filters_pick_the_rows_a_care_leaver_file_needs():
    content = (
        b"time_period,geographic_level,old_la_code,la_name,age,activity,percent\n"
        b"2025,Local authority,333,Sandwell,19 to 21,In education employment or training,52\n"
        b"2025,Local authority,333,Sandwell,17 to 18,In education employment or training,61\n"
        b"2025,Local authority,333,Sandwell,19 to 21,Not in education employment or training,40\n"
    )
    indicator = Indicator.objects.create(
        code="CL-EET", title="Care leavers aged 19 to 21 in education, employment or training",
        frequency="as_at_month_end", polarity="higher", unit="percentage",
    )  # fmt: skip
    DfeMapping.objects.create(
        indicator=indicator, column="percent", stands_on="03-31",
        filters="activity=In education employment or training;age=19 to 21",
    )  # fmt: skip
    plan, _ = apply_import("dfe-ees", "care_leavers.csv", content, None)
    assert plan.ok
    assert list(AreaValue.objects.filter(indicator=indicator).values_list("value", flat=True)) == [
        Decimal(52)
    ]


def test_academic_year_periods_are_read_as_such():
    content = (
        b"time_period,time_identifier,geographic_level,old_la_code,la_name,rate\n"
        b"202425,Academic year,Local authority,333,Sandwell,12.5\n"
    )
    indicator = Indicator.objects.get(code="RE-REFERRAL")
    DfeMapping.objects.create(indicator=indicator, column="rate", stands_on="08-31")
    plan, _ = apply_import("dfe-ees", "academic.csv", content, None)
    assert plan.ok, [str(p) for p in plan.problems]
    assert AreaValue.objects.get(indicator=indicator).as_at == date(2025, 8, 31)


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        (
            "NOPE,vacancy_rate_fte,,09-30,,,,",
            "line 3, column indicator_code: 'NOPE': no indicator has this code",
        ),
        ("13,,,09-30,,,,", "line 3, column column: column is required"),
        ("13,vacancy_rate_fte,,31-03,,,,", "it is written MM-DD, so 31 March is 03-31"),
        ("13,vacancy_rate_fte,,,,,,", "line 3, column stands_on: stands on is required"),
        ("13,vacancy_rate_fte,a=b;;c=d,09-30,,,,", "condition 2 is empty"),
        ("13,vacancy_rate_fte,population_type,09-30,,,,", "has no ‘=’"),
        ("2,CPP_At31,,03-31,NOPE,-1,10000,1", "column denominator: 'NOPE': no indicator has this code"),
        ("2,CPP_At31,,03-31,2,-1,10000,1", "an indicator cannot be its own denominator"),
        ("2,CPP_At31,,03-31,POP-0-17,last year,10000,1", "a whole number of years from -5 to 5"),
        ("2,CPP_At31,,03-31,POP-0-17,-1,-5,1", "a number above 0"),
        ("2,CPP_At31,,03-31,POP-0-17,-1,10000,one", "a whole number from 0 to 6"),
        ("13,vacancy_rate_fte,,09-30,,,10000,", "only a derived rate (one with a denominator) uses this"),
        ("2,CPP_At31,,03-31,POP-0-17,-1,,1", "a derived rate needs its multiplier"),
        ("2,CPP_At31,,03-31,POP-0-17,-1,10000,", "a derived rate needs the decimal places"),
        (
            "13,agency_rate_fte,,09-30,,,,",
            "this indicator is already fed on 09-30 by the column vacancy_rate_fte",
        ),
    ],
)
def test_every_bad_mapping_row_is_a_clear_error_and_nothing_is_written(row, expected):
    before = DfeMapping.objects.count()
    content = mapping_file("RE-REFERRAL,re_referrals_percent,,03-31,,,,", row)
    found = problems(content)
    assert any(expected in p for p in found), found
    plan, _ = apply_import("dfe-mappings", "mappings.csv", content, None)
    assert not plan.ok and DfeMapping.objects.count() == before


def test_a_mapping_without_its_publication_is_refused():
    found = problems(mapping_file("RE-REFERRAL,re_referrals_percent,,03-31,,,,", publication=""))
    assert found == [
        "line 2, column publication: publication is required (such as Children's social work workforce): a "
        "file with some of a publication's columns is then warned about each mapped column it lacks"
    ]


def test_two_rows_of_one_file_feeding_one_indicator_on_one_day_are_refused():
    found = problems(mapping_file("RE-REFERRAL,a,,03-31,,,,", "RE-REFERRAL,b,,03-31,,,,"))
    assert found == [
        "line 3, column stands_on: '03-31': this indicator is already fed on 03-31 by the column a; one "
        "indicator takes one figure a day, so change that mapping or its day instead"
    ]


def test_a_mapping_file_without_the_columns_it_needs_says_which():
    assert problems(b"indicator_code,filters\n13,\n") == ["line 1: missing columns: column, stands_on"]


def test_a_good_mapping_file_imports_once_and_then_changes_nothing():
    content = mapping_file("RE-REFERRAL,re_referrals_percent,,03-31,,,,")
    first, _ = apply_import("dfe-mappings", "m.csv", content, None)
    assert first.ok and first.total("created") == 1
    again = plan_import("dfe-mappings", "m.csv", content)
    assert (again.total("created"), again.total("updated"), again.total("unchanged")) == (0, 0, 1)


def test_the_old_layout_of_the_fixture_is_still_read():
    plan = plan_import(
        "dfe-mappings",
        "old.csv",
        b"indicator_code,value_column,as_at_month_day,publication\nRE-REFERRAL,rate,03-31,Children in need\n",
    )
    assert plan.ok and plan.total("created") == 1


def test_a_bad_mapping_on_the_page_is_shown_with_its_field_and_nothing_saved(admin_client_role):
    before = DfeMapping.objects.count()
    response = admin_client_role.post(
        "/comparators/mappings/new/",
        {"indicator_code": "13", "column": "x", "stands_on": "31-03", "filters": "a=b;;c=d"},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "There is a problem" in html and "31 March is 03-31" in html
    assert "Condition 2 is empty" in html and "Enter the publication" in html  # every problem at once
    assert DfeMapping.objects.count() == before


def test_a_duplicate_mapping_is_refused_on_the_page(admin_client_role):
    response = admin_client_role.post(
        "/comparators/mappings/new/",
        {"indicator_code": "13", "column": "vacancy_rate_fte", "stands_on": "09-30", "publication": "CSWW"},
    )
    assert response.status_code == 400
    assert "already has a mapping of this column with these rows" in response.content.decode()


def test_a_second_column_for_one_indicator_on_one_day_is_refused_on_the_page(admin_client_role):
    response = admin_client_role.post(
        "/comparators/mappings/new/",
        {"indicator_code": "13", "column": "agency_rate_fte", "stands_on": "09-30", "publication": "CSWW"},
    )
    assert response.status_code == 400
    assert "already fed on 09-30 by the column vacancy_rate_fte" in response.content.decode()


def test_an_administrator_changes_and_removes_a_mapping(admin_client_role):
    mapping = DfeMapping.objects.get(indicator__code="13")
    page = admin_client_role.get(f"/comparators/mappings/{mapping.pk}/").content.decode()
    assert 'value="vacancy_rate_fte"' in page
    response = admin_client_role.post(
        f"/comparators/mappings/{mapping.pk}/",
        {"indicator_code": "13", "column": "vacancy_rate_fte", "stands_on": "9-30", "publication": "CSWW"},
    )
    assert response.status_code == 302
    mapping.refresh_from_db()
    assert (mapping.stands_on, mapping.publication) == ("09-30", "CSWW")
    assert mapping.history.first().history_change_reason == "DfE mapping saved in the service"
    assert admin_client_role.post(f"/comparators/mappings/{mapping.pk}/delete/").status_code == 302
    assert not DfeMapping.objects.filter(pk=mapping.pk).exists()


def test_everyone_sees_the_mappings_but_only_administrators_change_them(board_client):
    html = board_client.get("/comparators/mappings/").content.decode()
    assert (
        "vacancy_rate_fte" in html
        and "Divided by POP-0-17 (-1 year), times 10000, to 1 decimal place" in html
    )
    assert "Add a mapping" not in html
    assert board_client.post("/comparators/mappings/new/", {"indicator_code": "13"}).status_code == 403


def test_a_missing_mapping_page_is_not_found(admin_client_role):
    assert admin_client_role.get("/comparators/mappings/99999/").status_code == 404


def test_a_neighbour_model_upload_needs_its_date_on_the_import_page(admin_client_role):
    response = admin_client_role.post(
        "/imports/",
        {"kind": "sn-model", "file": SimpleUploadedFile("any_name.csv", b"old_la_code,SN_1\n333,336\n")},
    )
    assert response.status_code == 400
    assert "Enter the date this neighbour model applies from" in response.content.decode()
    response = admin_client_role.post(
        "/imports/",
        {"kind": "sn-model", "applies_from": "2025-05-01",
         "file": SimpleUploadedFile("any_name.csv", b"old_la_code,SN_1\n333,336\n")},
    )  # fmt: skip
    log = ImportLog.objects.latest("id")
    assert response.status_code == 302 and log.options == {"applies_from": "2025-05-01"}
    assert "Applies from 2025-05-01" in admin_client_role.get(f"/imports/{log.pk}/").content.decode()
    admin_client_role.post(f"/imports/{log.pk}/apply/")
    log.refresh_from_db()
    assert log.outcome == "imported"


def test_the_command_takes_the_models_date_and_prints_warnings(tmp_path, capsys):
    from django.core.management import call_command

    path = tmp_path / "model.csv"
    path.write_bytes(b"old_la_code,la_name,SN_1,SN_1P\n333,Sandwell,336,Close\n336,Wolverhampton,333,Close\n")
    call_command("import_data", "sn-model", str(path), "--applies-from", "2030-01-01")
    out = capsys.readouterr().out
    assert "model “Statistical neighbours from 1 January 2030”, in force from 1 January 2030" in out
    text = (
        "time_period,geographic_level,old_la_code,la_name,agency_rate_fte,turnover_rate_fte\n"
        "2030,Local authority,333,Sandwell,5,10\n"
    )
    ees = tmp_path / "csww_part.csv"
    ees.write_text(text)
    DfeMapping.objects.filter(indicator__code__in=["AGENCY", "TURNOVER", "13"]).update(publication="CSWW")
    call_command("import_data", "dfe-ees", str(ees))
    captured = capsys.readouterr()
    assert "columns used: agency_rate_fte → AGENCY" in captured.out
    assert "warning: CSWW: the mapped column vacancy_rate_fte is not in this file" in captured.err
