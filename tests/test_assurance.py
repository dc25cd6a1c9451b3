"""The assurance datasets: seed figures, computed quarters and percentages, the checks (each failing
and passing), imports, forms and their pages, the overview's overdue list and the report sections."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse

from audits.attention import overdue_on
from audits.models import (
    Action,
    ActionState,
    AuditReturn,
    ComplaintsSplit,
    Inspection,
    InspectionItem,
    ItemState,
    Plan,
    Risk,
    Survey,
)
from audits.report import audit_lines
from finance.checks import overspend_figures_agree
from finance.models import BudgetLine
from kpis.checks import commentary_against_the_table, months_missing, papers_against_the_dfe
from kpis.models import ComparatorValue, ImprovementPlan, MonthlyValue, ReportedFigure, ReviewNote
from kpis.plan_progress import FullInspection, measure_trend, milestone_result
from sct_monitor.checks import findings_for_months, months_of, run_checks
from sct_monitor.importing.engine import apply_import
from sct_monitor.periods import Period
from tests.conftest import make_user

pytestmark = pytest.mark.django_db
TODAY = date(2026, 11, 22)


def check(slug: str):
    return next(result for result in run_checks(TODAY) if result.slug == slug)


def failing_texts(slug: str) -> list[str]:
    return [finding.text for finding in check(slug).failures]


# --- seed figures, quarters and percentages -----------------------------------------------------


def test_the_quarter_is_summed_from_its_months_and_the_printed_quarter_kept_beside_it():
    lines, notes = audit_lines(Period.from_key("2018-19-q3"))
    case_files = [line for line in lines if line.activity == "Children's case-file audits"]
    summed = next(line for line in case_files if line.label.startswith("Quarter total"))
    printed = next(line for line in case_files if line.label.startswith("Quarter as printed"))
    assert (summed.completed, printed.completed) == (144, 143)
    assert any("prints 143 completed" in note for note in notes)


def test_ratings_are_shares_of_the_audits_rated_and_completion_a_share_of_those_expected():
    lines, _ = audit_lines(Period.from_key("2018-10"))
    october = next(line for line in lines if line.activity == "Children's case-file audits")
    assert (october.target, october.completed, october.completed_percent) == (68, 53, Decimal("77.9"))
    assert october.rating_percent("rated_good") == Decimal("17.3")  # 9 of the 52 rated


def test_the_variance_is_worked_out_and_a_stated_one_is_marked_as_stated():
    line = BudgetLine(budget=Decimal(100), forecast=Decimal(130))
    assert (line.variance, line.variance_is_stated) == (Decimal(30), False)
    pressure = BudgetLine.objects.get(description__startswith="Placements for looked-after children")
    assert (pressure.variance, pressure.variance_is_stated) == (Decimal(5_900_000), True)


def test_the_further_630k_to_the_council_is_held():
    assert BudgetLine.objects.get(description__startswith="Properties the trust occupies").budget == 630_000


def test_the_improvement_plan_links_its_measures_to_indicators():
    plan = ImprovementPlan.objects.get(name="Improvement Plan 2021-2024")
    linked = {m.indicator.code: m.expected for m in plan.measures.exclude(indicator=None)}
    assert linked["RE-REFERRAL"] == "decrease" and linked["AGENCY"] == "decrease"
    assert plan.priorities.filter(kind="priority").count() == 12


# --- pure rules ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("expected", "start", "latest", "words", "on_track"),
    [
        ("decrease", "23.9", "23.0", "down, as hoped", True),
        ("decrease", "23.0", "23.9", "up, the wrong way", False),
        ("increase", "44.3", "44.8", "no change", False),  # within the band of 0.5
        ("increase", "44.3", "44.9", "up, as hoped", True),  # just beyond it
        ("increase", None, "44.9", "not enough figures to tell", None),
        ("", "1", "2", "not a figure", None),
    ],
)
def test_a_measure_moves_as_hoped_only_beyond_its_no_change_band(expected, start, latest, words, on_track):
    trend = measure_trend(expected, Decimal(start) if start else None, Decimal(latest), band=Decimal("0.5"))
    assert (trend.words, trend.on_track) == (words, on_track)


SIF = FullInspection(date(2017, 12, 31), "Inadequate", "the SIF of 2017")
ILACS = FullInspection(date(2022, 7, 5), "Requires improvement to be good", "the ILACS of May 2022")


def test_requires_improvement_by_2020_was_met_late_by_the_2022_inspection():
    result = milestone_result("Requires improvement to be good", date(2020, 12, 31), [SIF, ILACS], TODAY)
    assert (result.verdict, result.met) == ("Met late", False)


def test_good_by_2022_was_not_met():
    result = milestone_result("Good", date(2022, 12, 31), [SIF, ILACS], TODAY)
    assert (result.verdict, result.met) == ("Not met", False)
    assert "judged Requires improvement to be good" in result.words


def test_a_milestone_is_met_by_an_inspection_on_its_date():
    on_the_day = FullInspection(date(2022, 12, 31), "Good", "a later inspection")
    assert milestone_result("Good", date(2022, 12, 31), [ILACS, on_the_day], TODAY).met is True


def test_a_milestone_still_ahead_is_not_yet_due():
    result = milestone_result("Good", date(2027, 3, 31), [ILACS], TODAY)
    assert (result.verdict, result.met) == ("Not yet due", None)


# --- checks: one failing and one passing case each ------------------------------------------------


def test_audit_ratings_fail_where_they_do_not_add_up_and_pass_where_they_do():
    result = check("audit-ratings")
    assert any("October 2018: 53 completed, ratings add up to 52" in f.text for f in result.failures)
    assert any("November 2018" in f.text for f in result.passes)


def test_quarter_totals_fail_for_the_printed_143_and_pass_once_the_months_agree():
    assert any("prints 143 completed" in text for text in failing_texts("audit-quarters"))
    december = AuditReturn.objects.get(month=date(2018, 12, 1), activity="case_file")
    december.completed -= 1
    december.save()
    assert not any("completed" in text for text in failing_texts("audit-quarters"))


def test_pi_15_is_checked_against_the_ratings():
    result = check("pi-15")
    assert any("October 2018: PI 15 is 59.3%" in f.text for f in result.failures)
    october = MonthlyValue.objects.get(indicator__code="15", month=date(2018, 10, 1))
    october.value = Decimal("61.5")
    october.save()
    assert not any("October 2018" in text for text in failing_texts("pi-15"))


def test_commentary_figures_are_checked_against_the_table():
    failures = [f.text for f in commentary_against_the_table(TODAY).failures]
    assert any(text.startswith("PI 13, December 2018: the commentary says 31.3%") for text in failures)
    december = MonthlyValue.objects.get(indicator__code="13", month=date(2018, 12, 1))
    december.value = Decimal("31.3")
    december.save()
    result = commentary_against_the_table(TODAY)
    assert not any(f.text.startswith("PI 13, December 2018") for f in result.failures)
    assert any(f.text.startswith("PI 13, December 2018") for f in result.passes)


def test_the_papers_comparators_are_checked_against_the_dfe_for_the_same_period():
    paper = ComparatorValue.objects.filter(indicator__code="13", comparator="england").first()
    assert papers_against_the_dfe(TODAY).findings == []  # the seed data holds no DfE figures
    ComparatorValue.objects.create(
        indicator=paper.indicator, comparator=paper.comparator, period_start=paper.period_start,
        period_end=paper.period_end + timedelta(days=1), value=paper.value + 5,
        source="DfE children's social work workforce", origin="dfe",
    )  # fmt: skip
    result = papers_against_the_dfe(TODAY)
    assert len(result.failures) == 1 and "the DfE" in result.failures[0].text
    ComparatorValue.objects.filter(origin="dfe").update(value=paper.value)
    assert papers_against_the_dfe(TODAY).failures == []


def test_a_month_missing_from_a_series_is_found():
    def gaps_in_pi_1() -> str:
        return " ".join(f.figures for f in months_missing(TODAY).failures if f.text.startswith("1:"))

    months = list(
        MonthlyValue.objects.filter(indicator__code="1").order_by("month").values_list("month", flat=True)
    )
    assert f"{months[1]:%b %Y}" not in gaps_in_pi_1()
    MonthlyValue.objects.filter(indicator__code="1", month=months[1]).delete()
    assert f"{months[1]:%b %Y}" in gaps_in_pi_1()


def test_a_requirement_due_before_its_inspection_is_flagged_until_corrected():
    failures = check("inspection-dates").failures
    assert failures and all("before the inspection itself" in f.text for f in failures)
    for item in InspectionItem.objects.filter(kind="requirement").select_related("inspection"):
        inspected = item.inspection.end_date or item.inspection.start_date
        if item.due and inspected and item.due < inspected:
            item.due = inspected + timedelta(days=30)
            item.save()
    result = check("inspection-dates")
    assert result.failures == [] and result.passes


def test_overdue_items_fail_until_they_are_met():
    assert check("inspection-overdue").failures
    InspectionItem.objects.filter(state=ItemState.OPEN, due__lt=TODAY).update(
        state=ItemState.MET, met_on=date(2019, 2, 20)
    )
    assert check("inspection-overdue").failures == []


def test_an_expected_inspection_that_took_place_passes():
    result = check("inspections-expected")
    assert result.findings
    full = next(f for f in result.findings if "Full inspection" in f.text or "local authority" in f.text)
    assert full.passed  # the ILACS of May 2022 followed the full inspection expected for late 2021


def test_the_two_overspend_figures_are_flagged_and_agree_once_one_is_corrected():
    result = overspend_figures_agree(TODAY)
    assert (
        result.failures
        and "£5,600,000" in result.failures[0].figures
        and "£5,900,000" in result.failures[0].figures
    )
    BudgetLine.objects.filter(stated_variance=5_600_000).update(stated_variance=5_900_000)
    assert overspend_figures_agree(TODAY).failures == []


def test_a_report_shows_the_failed_checks_of_its_months_only():
    results = run_checks(TODAY)
    october = findings_for_months(results, [date(2018, 10, 1)])
    assert october and all(date(2018, 10, 1) in months_of(f) for _, f in october)
    assert findings_for_months(results, [date(2030, 1, 1)]) == []


# --- pages, forms and the overview -----------------------------------------------------------------


def test_the_checks_page_shows_each_check_with_its_figures_and_sources(board_client):
    page = board_client.get(reverse("checks")).content.decode()
    assert 'id="check-audit-ratings"' in page
    assert "ratings 9 + 23 + 20 = 52" in page
    assert "Quarterly Monitoring Report, January 2019" in page


def test_the_finance_page_flags_the_differing_overspend(board_client):
    page = board_client.get(reverse("finance:summary")).content.decode()
    assert "2 figures for the overspend differ" in page
    assert "(as stated)" in page and "Budget and forecast by line, 2018/19" in page


def test_the_workforce_page_shows_the_establishment_series(board_client):
    page = board_client.get(reverse("workforce")).content.decode()
    assert "Social worker establishment from February 2018" in page and "220" in page


def test_the_improvement_plan_page_shows_the_aims_and_their_result(board_client):
    plan = ImprovementPlan.objects.get(name="Improvement Plan 2018")
    page = board_client.get(reverse("improvement_plan:detail", args=[plan.pk])).content.decode()
    assert "Met late" in page and "Not met" in page


def test_an_administrator_records_a_review_kept_with_who_recorded_it(client):
    admin = make_user("reviewer", "Administrator")
    client.force_login(admin)
    plan = ImprovementPlan.objects.get(name="Improvement Plan 2021-2024")
    url = reverse("improvement_plan:review_create", args=[plan.pk])
    assert client.post(url, {"on": "31/03/2022", "text": ""}).status_code == 400
    response = client.post(url, {"on": "31/03/2022", "text": "Recruitment ahead of plan."})
    assert response.status_code == 302
    note = ReviewNote.objects.get(plan=plan)
    assert (note.on, note.by) == (date(2022, 3, 31), admin)
    assert note.history.first().history_user == admin


def test_a_budget_line_form_refuses_a_typed_variance_where_it_can_be_worked_out(client):
    client.force_login(make_user("treasurer", "Administrator"))
    year = BudgetLine.objects.first().financial_year
    data = {
        "financial_year": year.pk, "period": "Full year", "category": "staffing", "description": "Agency",
        "budget": "100", "forecast": "130", "stated_variance": "30", "source": "Paper",
    }  # fmt: skip
    response = client.post(reverse("finance:line_create"), data)
    assert response.status_code == 400
    assert "worked out from the budget" in response.content.decode()
    assert not BudgetLine.objects.filter(description="Agency").exists()
    data["stated_variance"] = ""
    assert client.post(reverse("finance:line_create"), data).status_code == 302
    assert BudgetLine.objects.get(description="Agency").variance == 30


def test_progress_on_an_action_is_dated_and_kept(client):
    admin = make_user("planner", "Administrator")
    client.force_login(admin)
    action = Action.objects.first()
    response = client.post(
        reverse("audits:action_progress", args=[action.pk]), {"on": "1/4/2019", "text": "Begun"}
    )
    assert response.status_code == 302
    assert action.updates.get().by == admin


def test_overdue_actions_and_items_stand_out_for_officers_not_board_members(client):
    action = Action.objects.first()
    action.due, action.state = date(2019, 6, 30), ActionState.IN_PROGRESS
    action.save()
    overdue = overdue_on(TODAY)
    assert action in overdue.actions and overdue.items
    client.force_login(make_user("officer-overdue", "Performance officer"))
    assert "Overdue actions and inspection findings" in client.get("/").content.decode()
    client.force_login(make_user("board-overdue", "Board member"))
    assert "Overdue actions and inspection findings" not in client.get("/").content.decode()


# --- imports -----------------------------------------------------------------------------------------


def test_each_assurance_kind_imports_its_rows():
    inspection, plan = Inspection.objects.first(), Plan.objects.first()
    files = {
        "audit-findings": b"period,theme,kind,order,text,source\n"
        b"2019-01,Neglect,improve,1,Chronologies,Paper\n",
        "complaints-areas": b"period,service_area,percent,source\n2019-20-q1,Fostering,12.5,Paper\n",
        "inspection-items": f"inspection,kind,order,text,due,state\n{inspection.pk},recommendation,99,"
        "Improve supervision,31/12/2019,open\n".encode(),
        "plan-actions": f"plan,order,text,owner,due,state,done_on\n{plan.pk},99,Audit again,Head of service,"
        "2019-06-30,done,2019-06-01\n".encode(),
        "risks": b"title,category,likelihood,impact,trend\nRecruitment,operational,3,4,rising\n",
        "surveys": b"title,period,as_at,sent,responses\nCare leavers survey,2019,2019-09-30,100,45\n",
        "workforce": b"series,label,value,period,as_at,source\nagency,Agency social workers,41,March 2022,"
        b"2022-03-31,Paper\n",
    }
    for kind, content in files.items():
        plan_result, _ = apply_import(kind, f"{kind}.csv", content, None)
        assert plan_result.ok, (kind, [str(p) for p in plan_result.problems])
    assert InspectionItem.objects.get(inspection=inspection, order=99).due == date(2019, 12, 31)
    assert Action.objects.get(plan=plan, order=99).done_on == date(2019, 6, 1)
    assert Risk.objects.get(title="Recruitment").rating == 12
    assert Survey.objects.get(title="Care leavers survey").responses == 45
    assert ComplaintsSplit.objects.get(period="2019-20-q1").percent == Decimal("12.5")
    assert ReportedFigure.objects.get(label="Agency social workers").series == "agency"


@pytest.mark.parametrize(
    ("kind", "content", "message"),
    [
        (
            "audit-findings",
            b"period,theme,kind,order,text\n2019-13,Neglect,improve,1,x\n",
            "line 2, column period",
        ),
        ("inspection-items", b"inspection,kind,order,text\n99999,recommendation,1,x\n", "no inspection has"),
        ("plan-actions", b"plan,order,text,owner,state\n1,50,x,Head,done\n", "needs the date it was done"),
        ("risks", b"title,category,likelihood\nX,operational,6\n", "a score from 1 to 5"),
        ("surveys", b"title,period,sent,responses\nX,2019,10,11\n", "more responses than the 10 sent"),
        ("workforce", b"series,label,value,period,source\nleavers,X,1,2019,P\n", "not one of establishment"),
    ],
)
def test_a_bad_row_is_named_and_nothing_is_written(kind, content, message):
    counts = (Risk.objects.count(), Survey.objects.count(), Action.objects.count())
    plan_result, _ = apply_import(kind, "bad.csv", content, None)
    assert not plan_result.ok
    assert any(message in str(problem) for problem in plan_result.problems), [
        str(p) for p in plan_result.problems
    ]
    assert (Risk.objects.count(), Survey.objects.count(), Action.objects.count()) == counts


# --- report sections --------------------------------------------------------------------------------


def test_the_quarter_report_lists_actions_findings_and_the_failed_checks(client):
    client.force_login(make_user("officer-report", "Performance officer"))
    page = client.get("/reports/2018-19-q3/").content.decode()
    assert "Each action plan action as it stood at the end of Quarter 3 2018/19" in page
    assert 'id="section-data_quality"' in page and "53 completed, ratings add up to 52" in page
    assert "Complaints by service area" in page and "Care Management: 38.2%" in page


def test_the_quarter_holding_march_2019_gives_its_surveys_to_the_board(board_client):
    # The papers report no KPI figures for March 2019 itself, so its quarter's report carries them.
    page = board_client.get("/reports/2018-19-q4/").content.decode()
    assert "Questionnaire for children placed out of borough" in page
    assert "300 sent, 40 responses" in page


def test_a_milestone_met_late_counts_only_inspections_after_its_date():
    early_good = FullInspection(date(2015, 6, 1), "Good", "the inspection of 2015")
    slipped = FullInspection(date(2018, 6, 1), "Requires improvement to be good", "the inspection of 2018")
    back = FullInspection(date(2022, 6, 1), "Good", "the inspection of 2022")
    result = milestone_result("Good", date(2020, 12, 31), [early_good, slipped, back], TODAY)
    assert (result.verdict, result.words) == ("Met late", "The inspection of 2022 judged Good")


def test_a_milestone_ahead_is_not_yet_due_even_after_an_earlier_inspection_reached_it():
    reached = FullInspection(date(2019, 6, 1), "Good", "the inspection of 2019")
    dropped = FullInspection(date(2021, 6, 1), "Inadequate", "the inspection of 2021")
    assert milestone_result("Good", date(2030, 3, 31), [reached, dropped], TODAY).verdict == "Not yet due"


def test_inadequate_is_a_judgement_and_an_unknown_aim_is_said_so():
    assert milestone_result("Inadequate", date(2018, 12, 31), [SIF], TODAY).met is True
    assert milestone_result("Excellent", date(2018, 12, 31), [SIF], TODAY).verdict == "Not judged"


def test_checks_read_only_the_figures_of_published_months():
    indicator = MonthlyValue.objects.filter(indicator__code="1").first().indicator
    MonthlyValue.objects.create(indicator=indicator, month=date(2030, 1, 1), value=Decimal(50))  # a draft
    gaps = " ".join(f.figures for f in months_missing(TODAY).failures if f.text.startswith("1:"))
    assert "2029" not in gaps


def test_add_an_action_from_a_plan_starts_with_that_plan_chosen(client):
    client.force_login(make_user("chooser", "Administrator"))
    plan = Plan.objects.first()
    page = client.get(reverse("audits:action_create") + f"?plan={plan.pk}").content.decode()
    assert f'<option value="{plan.pk}" selected>' in page
    assert client.get(reverse("audits:action_create") + "?plan=not-a-number&order=x").status_code == 200


def test_the_overview_names_each_inspection_with_overdue_items_once(client):
    first, second = Inspection.objects.filter(items__isnull=False).distinct()[:2]
    for inspection, due in ((first, date(2019, 1, 5)), (second, date(2019, 2, 5)), (first, date(2019, 3, 5))):
        InspectionItem.objects.create(
            inspection=inspection, kind="recommendation", order=90 + due.month, text="x", due=due
        )
    client.force_login(make_user("officer-once", "Performance officer"))
    page = client.get("/").content.decode()
    panel = page[page.index("overdue-heading") :]
    assert panel.count(reverse("audits:inspection", args=[first.pk])) == 1


def test_a_year_with_one_stated_overspend_has_nothing_to_compare():
    BudgetLine.objects.filter(stated_variance=5_600_000).delete()
    assert overspend_figures_agree(TODAY).findings == []


def test_the_report_flags_the_differing_overspend_of_its_financial_year(board_client):
    page = board_client.get("/reports/2018-19-q3/").content.decode()
    quality = page[page.index('id="section-data_quality"') :]
    assert "2018/19: 2 figures for the overspend differ" in quality
    assert "(as stated)" in page[page.index('id="section-finance"') :]


def test_a_report_says_where_its_actions_come_from_beside_the_papers_narrative(board_client):
    page = board_client.get("/reports/2018-19-q3/").content.decode()
    section = page[page.index('id="section-action_plans"') : page.index('id="section-rectification_plans"')]
    assert "There are no action plans." in section  # the paper's words, as published
    assert "The service also holds these action plan actions, from" in section


def test_revisions_asked_for_a_report_s_months_leave_out_the_other_months(admin_user_role):
    from kpis.checks import revised_after_publication

    for month, value in (("2022-06", "19.71"), ("2022-05", "18.00")):
        content = f"indicator_code,month,value\n14,{month},{value}\n".encode()
        assert apply_import("kpi-long", "fix.csv", content, admin_user_role, override_published=True)[0].ok
    every = [finding.text for finding in revised_after_publication(TODAY).findings]
    june = [finding.text for finding in revised_after_publication(TODAY, [date(2022, 6, 1)]).findings]
    assert len(every) == 2 and any("May 2022" in text for text in every)
    assert june == [text for text in every if "June 2022" in text]
    assert "14, June 2022: Revised on" in june[0] and "was 19.61, now 19.71" in june[0]
