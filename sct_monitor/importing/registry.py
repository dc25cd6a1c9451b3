"""Every kind of import, by the name used on the page and on the command line."""

from collections.abc import Callable
from dataclasses import dataclass

from sct_monitor.importing.dfe import parse_ees, parse_sn_model
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
            "month, activity, target, completed, outstanding, good, requires_improvement, inadequate, theme",
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
            "either DfE layout: old_la_code, SN_1, SN_1P ... (2025) or LA num, SN1, SNP ... (April 2021); "
            "the file name gives the model's name and the date it applies from",
            parse_sn_model,
        ),
        Kind(
            "dfe-ees",
            "DfE Explore Education Statistics table",
            "time_period, geographic_level, old_la_code, la_name, region_name and the mapped value columns "
            "(fixtures/dfe_mappings.csv); suppression codes c, k, u, x, z and low are kept as missing",
            parse_ees,
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
    )
}
