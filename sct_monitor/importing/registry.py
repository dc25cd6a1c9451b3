"""Every kind of import, by the name used on the page and on the command line."""

from collections.abc import Callable
from dataclasses import dataclass

from audits.imports import (
    parse_audit_findings,
    parse_complaints_areas,
    parse_inspection_items,
    parse_plan_actions,
    parse_risks,
    parse_surveys,
    parse_workforce,
)
from sct_monitor.importing.dfe import parse_dfe_mappings, parse_ees, parse_sn_model
from sct_monitor.importing.kinds import (
    parse_audits,
    parse_comparators,
    parse_complaints,
    parse_finance,
    parse_kpi_long,
    parse_kpi_wide,
    parse_targets,
)


@dataclass(frozen=True)
class Kind:
    slug: str
    label: str
    columns: str
    parse: Callable


KINDS = {
    kind.slug: kind
    for kind in (
        Kind(
            "kpi-wide",
            "KPI table as in the board reports (a column per month)",
            "code, description, then month columns like Jan-18 or Apr - 22; optional SN / England / "
            "West Midlands averages; other columns are ignored",
            parse_kpi_wide,
        ),
        Kind(
            "kpi-long",
            "KPI values, one per line",
            "indicator_code, month, value, commentary (optional missing_reason)",
            parse_kpi_long,
        ),
        Kind(
            "comparators",
            "Comparator values",
            "indicator_code, comparator, period, value, source",
            parse_comparators,
        ),
        Kind(
            "audits",
            "Audit returns",
            "month, activity, target, completed, outstanding, good, requires_improvement, inadequate, "
            "moderation_agreed, moderation_upgraded, moderation_downgraded, theme",
            parse_audits,
        ),
        Kind(
            "finance",
            "Budget lines",
            "financial_year, period, category, description, budget, forecast, outturn, "
            "stated_variance (only for a line with no budget and forecast), source",
            parse_finance,
        ),
        Kind(
            "sn-model",
            "DfE statistical-neighbour model",
            "any DfE layout: old_la_code, SN_1, SN_1P ... (2025), LA num, SN1, SNP ... (April 2021), or the "
            "DfE's workbook (sn_may_2025.xlsx); give the date the model applies from with the file",
            parse_sn_model,
        ),
        Kind(
            "dfe-ees",
            "DfE Explore Education Statistics table",
            "time_period (2025 or 202425), geographic_level, old_la_code, la_name, region_name and the "
            "columns the DfE mappings name; suppression codes c, k, u, x, z and low are kept as missing",
            parse_ees,
        ),
        Kind(
            "dfe-mappings",
            "DfE mappings (which file column feeds which indicator)",
            "indicator_code, column, filters (name=value;name=value), stands_on (MM-DD, such as 03-31); "
            "optional publication, definition_note, description, and for a derived rate denominator "
            "(an indicator code), denominator_year_offset (-1), multiplier (10000), decimal_places",
            parse_dfe_mappings,
        ),
        Kind(
            "targets",
            "Targets and significant variances",
            "indicator_code, financial_year (2022/23), target, amber_tolerance; optional target_to "
            "(the end of a range), judged (monthly, trajectory or at_due_date), "
            "due (the date an end-point target is due), significant_variance, statement, source",
            parse_targets,
        ),
        Kind(
            "complaints",
            "Complaints and compliments",
            "month, compliments, complaints, percent_responded_in_timescale",
            parse_complaints,
        ),
        Kind(
            "audit-findings",
            "Audit findings by theme",
            "period (2018-10 or 2018-19-q3), theme, kind (good_practice, improve or action), order, text, "
            "source",
            parse_audit_findings,
        ),
        Kind(
            "complaints-areas",
            "Complaints by service area",
            "period (2018-19-q3), service_area, percent, source",
            parse_complaints_areas,
        ),
        Kind(
            "inspection-items",
            "Inspection requirements and recommendations",
            "inspection (the number in its page's address), kind (requirement, recommendation, improvement "
            "or strength), order, text, reference, due, state (open, met or closed), met_on, evidence, "
            "source",
            parse_inspection_items,
        ),
        Kind(
            "plan-actions",
            "Action and rectification plan actions",
            "plan (the number in its page's address), order, text, owner (a role or team), due, "
            "state (not_started, in_progress or done), rag, done_on",
            parse_plan_actions,
        ),
        Kind(
            "risks",
            "Key risks",
            "title, category (strategic, financial or operational), description, likelihood (1-5), "
            "impact (1-5), trend (rising, steady or falling), owner, source, quote",
            parse_risks,
        ),
        Kind(
            "surveys",
            "Surveys",
            "title, period, as_at, sent, responses, findings, source, quote",
            parse_surveys,
        ),
        Kind(
            "workforce",
            "Workforce counts",
            "series (establishment, in_post, permanent, agency, vacancies, case_holders, asye or blank), "
            "label, value, period, as_at, source, quote",
            parse_workforce,
        ),
    )
}
